//! [`GraphClient`] and its builder, and the call pipeline.
//!
//! The order of one call is fixed:
//! 1. the action writes its request (refusals happen here, before anything is
//!    sent); the URL is built and checked against URL normalisation;
//! 2. `client-request-id` (one per call), `User-Agent`, `Accept` and, with a body,
//!    `Content-Type` are set once;
//! 3. the retry loop: for each attempt, the token provider is asked for a token,
//!    then the attempt (send, follow redirects, read the body) runs under the
//!    per-attempt timeout; waits between attempts are outside any timeout;
//! 4. a 2xx body is read as the action's response type.

use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use tracing::Instrument as _;

use crate::action::GraphAction;
use crate::auth::{AccessToken, StaticToken, TokenProvider};
use crate::error::{ApiError, GraphError, MAX_ERROR_BODY};
use crate::future::{CallFuture, SendFuture};
use crate::request::RequestWriter;
use crate::response::{Response, decode_body, decode_error, request_id_of};
use crate::retry::{RetryPolicy, parse_retry_after, status_is_retryable};

/// A Graph API version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ApiVersion {
    /// `v1.0`
    #[default]
    V1,
    /// `beta`
    Beta,
}

impl ApiVersion {
    /// The URL segment: `v1.0` or `beta`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1.0",
            ApiVersion::Beta => "beta",
        }
    }
}

/// A Microsoft Graph deployment: sets the service root and the identity authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Cloud {
    /// The global service: `https://graph.microsoft.com`, `https://login.microsoftonline.com`.
    #[default]
    Global,
    /// US Government L4 (GCC High): `https://graph.microsoft.us`, `https://login.microsoftonline.us`.
    UsGov,
    /// US Government L5 (DoD): `https://dod-graph.microsoft.us`, `https://login.microsoftonline.us`.
    UsGovDod,
    /// China, operated by 21Vianet: `https://microsoftgraph.chinacloudapi.cn`, `https://login.chinacloudapi.cn`.
    China,
}

impl Cloud {
    /// The Graph service root, without version.
    pub fn graph_root(self) -> &'static str {
        match self {
            Cloud::Global => "https://graph.microsoft.com",
            Cloud::UsGov => "https://graph.microsoft.us",
            Cloud::UsGovDod => "https://dod-graph.microsoft.us",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The identity platform authority that issues tokens for this cloud.
    pub fn authority(self) -> &'static str {
        match self {
            Cloud::Global => "https://login.microsoftonline.com",
            Cloud::UsGov | Cloud::UsGovDod => "https://login.microsoftonline.us",
            Cloud::China => "https://login.chinacloudapi.cn",
        }
    }
}

/// The longest redirect chain followed.
pub const MAX_REDIRECTS: u32 = 5;
/// The default per-attempt timeout (the Graph SDKs' value).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(100);
/// The default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default largest successful body read.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

const USER_AGENT: &str = concat!("graph-runtime/", env!("CARGO_PKG_VERSION"));
const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");
const RETRY_ATTEMPT: HeaderName = HeaderName::from_static("retry-attempt");
const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// A Microsoft Graph client. Cheap to clone (one `Arc`); clones share one
/// connection pool and one token provider. `Send + Sync`.
///
/// ```
/// use graph_runtime::{ApiVersion, GraphClient, RetryPolicy};
///
/// let client = GraphClient::builder()
///     .bearer_token("eyJ0eXAi...")
///     .api_version(ApiVersion::Beta)
///     .retry(RetryPolicy::default().max_retries(5))
///     .build()?;
/// # Ok::<(), graph_runtime::GraphError>(())
/// ```
#[derive(Clone)]
pub struct GraphClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// The service root, parsed once: each call's URL is a clone of it with the
    /// path and query set, so the host is not parsed again per call.
    base_url: url::Url,
    version: ApiVersion,
    tokens: Arc<dyn TokenProvider>,
    retry: RetryPolicy,
    timeout: Duration,
    max_response_bytes: usize,
    user_agent: HeaderValue,
}

impl std::fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient")
            .field("base_url", &self.base_url())
            .field("version", &self.inner.version)
            .field("retry", &self.inner.retry)
            .field("timeout", &self.inner.timeout)
            .field("max_response_bytes", &self.inner.max_response_bytes)
            .finish_non_exhaustive()
    }
}

/// Builds a [`GraphClient`]; see [`GraphClient::builder`].
pub struct GraphClientBuilder {
    base_url: Option<String>,
    cloud: Cloud,
    version: ApiVersion,
    tokens: Option<Result<Arc<dyn TokenProvider>, String>>,
    retry: RetryPolicy,
    timeout: Duration,
    connect_timeout: Duration,
    max_response_bytes: usize,
    http: Option<reqwest::Client>,
    application: Option<String>,
}

impl Default for GraphClientBuilder {
    fn default() -> Self {
        GraphClientBuilder {
            base_url: None,
            cloud: Cloud::Global,
            version: ApiVersion::V1,
            tokens: None,
            retry: RetryPolicy::default(),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            http: None,
            application: None,
        }
    }
}

impl std::fmt::Debug for GraphClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClientBuilder")
            .field("base_url", &self.base_url)
            .field("cloud", &self.cloud)
            .field("version", &self.version)
            .field("has_credentials", &self.tokens.is_some())
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish_non_exhaustive()
    }
}

impl GraphClientBuilder {
    /// A fixed bearer token (a [`StaticToken`]). It cannot be refreshed, so a 401
    /// is returned as it comes.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        let token = token.into();
        self.tokens = Some(if token.is_empty() {
            Err("the bearer token is empty".into())
        } else if HeaderValue::from_str(&token).is_err() {
            Err("the bearer token is not a valid header value (control characters?)".into())
        } else {
            Ok(Arc::new(StaticToken::new(token)))
        });
        self
    }

    /// A token provider ([`ClientCredentials`](crate::ClientCredentials), or your own).
    pub fn token_provider(mut self, provider: impl TokenProvider) -> Self {
        self.tokens = Some(Ok(Arc::new(provider)));
        self
    }

    /// The service root without version (default: the cloud's root,
    /// `https://graph.microsoft.com`). `https`, or plain `http` only for loopback
    /// hosts (`localhost`, `127.0.0.0/8`, `::1`), e.g. the emulator.
    pub fn base_url(mut self, url: &str) -> Self {
        self.base_url = Some(url.to_owned());
        self
    }

    /// The national cloud (default [`Cloud::Global`]): sets the service root unless
    /// [`base_url`](Self::base_url) is given.
    pub fn cloud(mut self, cloud: Cloud) -> Self {
        self.cloud = cloud;
        self
    }

    /// The API version for actions not pinned to one (default [`ApiVersion::V1`]).
    pub fn api_version(mut self, version: ApiVersion) -> Self {
        self.version = version;
        self
    }

    /// The retry policy (default [`RetryPolicy::default`]; [`RetryPolicy::none`]
    /// turns retries off).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The timeout of one attempt, from sending to the end of the body (default
    /// 100 s). Waits between retries never count. `Duration::MAX` means none.
    ///
    /// Tests on tokio's paused clock: a paused runtime waiting on the network
    /// with a timer pending jumps its clock to that timer, so this timeout (and
    /// the connect timeout) would fire at random. Set both to `Duration::MAX`
    /// there; the retry waits still run on the paused clock, instantly.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The connect timeout of the built-in HTTP client (default 10 s;
    /// `Duration::MAX` means none). Ignored with [`http_client`](Self::http_client).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The largest successful body read (default 16 MiB). A larger answer is a
    /// [`GraphError::ResponseTooLarge`], found without buffering it. Error bodies
    /// are kept up to 64 KiB.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Uses `client` for all requests (its pool, proxy and TLS settings). Give it
    /// `redirect(reqwest::redirect::Policy::none())`: the Graph client follows
    /// redirects itself, so that it can keep the token on the original origin.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Names your application in `User-Agent`, before the crate's own product:
    /// `User-Agent: my-bot/2.1 graph-runtime/0.1.0`. Use `product/version`.
    pub fn application(mut self, product: impl Into<String>) -> Self {
        self.application = Some(product.into());
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<GraphClient, GraphError> {
        let base_text = self
            .base_url
            .unwrap_or_else(|| self.cloud.graph_root().to_owned());
        let base = check_base_url(&base_text)?;
        let tokens = match self.tokens {
            Some(Ok(t)) => t,
            Some(Err(reason)) => return Err(GraphError::config(reason)),
            None => {
                return Err(GraphError::config(
                    "no credentials: call bearer_token or token_provider on the builder",
                ));
            }
        };
        if self.timeout.is_zero() {
            return Err(GraphError::config("the timeout must be more than zero"));
        }
        let http = match self.http {
            Some(h) => h,
            None => default_http_client(self.connect_timeout)?,
        };
        let user_agent = match &self.application {
            None => HeaderValue::from_static(USER_AGENT),
            Some(app) => {
                let app = app.trim();
                if app.is_empty() || app.contains(['\r', '\n']) {
                    return Err(GraphError::config(
                        "the application name is empty or contains CR or LF",
                    ));
                }
                HeaderValue::from_str(&format!("{app} {USER_AGENT}")).map_err(|_| {
                    GraphError::config("the application name is not a valid header value")
                })?
            }
        };
        Ok(GraphClient {
            inner: Arc::new(Inner {
                http,
                base_url: base,
                version: self.version,
                tokens,
                retry: self.retry,
                timeout: self.timeout,
                max_response_bytes: self.max_response_bytes,
                user_agent,
            }),
        })
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Checks a service root or authority: `https`, or `http` to a loopback host; no
/// credentials, query or fragment.
pub(crate) fn check_base_url(text: &str) -> Result<url::Url, GraphError> {
    let url = url::Url::parse(text)
        .map_err(|e| GraphError::config(format!("base URL `{text}` is not a URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(GraphError::config(format!(
                "base URL `{text}`: plain http is allowed only for loopback hosts \
                 (localhost, 127.0.0.0/8, ::1); use https"
            )));
        }
        other => {
            return Err(GraphError::config(format!(
                "base URL `{text}`: scheme `{other}` is not http or https"
            )));
        }
    }
    if url.host().is_none() {
        return Err(GraphError::config(format!("base URL `{text}` has no host")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(GraphError::config(
            "the base URL must not contain credentials",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(GraphError::config(format!(
            "base URL `{text}` must not have a query or fragment"
        )));
    }
    Ok(url)
}

/// The rustls configuration: the `ring` provider and the platform's verifier,
/// built once per process.
fn tls_config() -> Result<rustls::ClientConfig, String> {
    static CONFIG: OnceLock<Result<rustls::ClientConfig, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            use rustls_platform_verifier::BuilderVerifierExt as _;
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let mut config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| e.to_string())?
                .with_platform_verifier()
                .map_err(|e| e.to_string())?
                .with_no_client_auth();
            config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
            Ok(config)
        })
        .clone()
}

/// The built-in HTTP client: rustls with `ring` and the platform verifier, HTTP/2,
/// no automatic redirects, the given connect timeout.
pub(crate) fn default_http_client(
    connect_timeout: Duration,
) -> Result<reqwest::Client, GraphError> {
    let tls = tls_config().map_err(|e| {
        GraphError::config(format!(
            "TLS could not be set up (no system root certificates?): {e}"
        ))
    })?;
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .tls_backend_preconfigured(tls);
    if connect_timeout != Duration::MAX {
        builder = builder.connect_timeout(connect_timeout);
    }
    builder
        .build()
        .map_err(|e| GraphError::config(format!("the HTTP client could not be built: {e}")))
}

/// What [`GraphClient::send`] takes from an action's `GraphAction` constants.
struct CallInfo {
    method: Method,
    path: &'static str,
    version: Option<ApiVersion>,
    idempotent: bool,
}

impl CallInfo {
    fn of<A: GraphAction + ?Sized>() -> Self {
        CallInfo {
            method: A::METHOD,
            path: A::PATH,
            version: A::VERSION,
            idempotent: A::IDEMPOTENT,
        }
    }
}

/// One logical call, ready to send any number of times.
pub(crate) struct Call {
    method: Method,
    url: url::Url,
    user_agent: HeaderValue,
    /// The `client-request-id` header: the action's own, or a new UUID.
    client_request_id_value: HeaderValue,
    /// The action's own headers, checked, without its `client-request-id`.
    action_headers: Vec<(HeaderName, HeaderValue)>,
    body: Option<Bytes>,
    idempotent: bool,
    client_request_id: String,
}

impl Call {
    pub(crate) fn client_request_id(&self) -> &str {
        &self.client_request_id
    }

    /// The request of one hop of one attempt. Its header map is built here, in
    /// one allocation, rather than cloned from a prepared one: the standard
    /// headers, the action's, and what the attempt and the hop add or drop.
    fn request(&self, hop: &Hop<'_>, attempt: u32) -> reqwest::Request {
        let mut headers = HeaderMap::with_capacity(8 + self.action_headers.len());
        headers.insert(http::header::ACCEPT, JSON);
        headers.insert(http::header::USER_AGENT, self.user_agent.clone());
        headers.insert(CLIENT_REQUEST_ID, self.client_request_id_value.clone());
        for (name, value) in &self.action_headers {
            // Across origins no credential follows, not even an action's own.
            if hop.auth.is_none()
                && (name == http::header::COOKIE || name == http::header::PROXY_AUTHORIZATION)
            {
                continue;
            }
            headers.append(name.clone(), value.clone());
        }
        if hop.body.is_some() {
            headers.insert(http::header::CONTENT_TYPE, JSON);
        }
        if attempt > 1 {
            headers.insert(RETRY_ATTEMPT, HeaderValue::from(attempt - 1));
        }
        if let Some(auth) = &hop.auth {
            headers.insert(http::header::AUTHORIZATION, auth.clone());
        }
        let mut request = reqwest::Request::new(hop.method.clone(), hop.url.clone().into_owned());
        *request.headers_mut() = headers;
        *request.body_mut() = hop.body.cloned().map(reqwest::Body::from);
        request
    }

    /// The first hop of an attempt: the call's method, URL and body.
    fn first_hop(&self, auth: Option<HeaderValue>) -> Hop<'_> {
        Hop {
            method: self.method.clone(),
            url: Cow::Borrowed(&self.url),
            body: self.body.as_ref(),
            auth,
        }
    }
}

/// Where one request of an attempt goes: a redirect changes the URL, a 303 the
/// method and body, a change of origin drops the credentials. Borrows the
/// call's URL and body until a redirect changes them.
struct Hop<'c> {
    method: Method,
    url: Cow<'c, url::Url>,
    body: Option<&'c Bytes>,
    /// `Authorization`, until a redirect leaves the origin.
    auth: Option<HeaderValue>,
}

/// An answer whose body was read.
pub(crate) struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
}

enum Outcome {
    Answer(Answer),
    Failed { error: reqwest::Error, sent: bool },
    Fatal(GraphError),
}

impl GraphClient {
    /// A builder with the defaults.
    pub fn builder() -> GraphClientBuilder {
        GraphClientBuilder::default()
    }

    /// The service root this client sends to (without version).
    pub fn base_url(&self) -> &str {
        self.inner.base_url.as_str().trim_end_matches('/')
    }

    /// Sends `action` and reads the answer; the same call as `action.send(&client)`.
    ///
    /// Retries by the client's [`RetryPolicy`]; any non-2xx answer is an error.
    /// The request is written when this is called and sent when the future is
    /// first polled; dropping the future cancels the call.
    #[inline]
    pub fn send<A: GraphAction + ?Sized>(&self, action: &A) -> SendFuture<'_, A::Response> {
        let mut writer = RequestWriter::new();
        action.write_request(&mut writer);
        SendFuture::new(self.start(CallInfo::of::<A>(), writer))
    }

    /// The part of [`send`](Self::send) that does not depend on the action's
    /// type, compiled once here rather than once per action in the crates that
    /// declare them: the checked URL and headers, then the boxed call.
    fn start(&self, info: CallInfo, writer: RequestWriter) -> Result<CallFuture<'_>, GraphError> {
        let call = self.action_call(&info, writer)?;
        let span = tracing::debug_span!(
            "graph_call",
            method = %info.method,
            path = info.path,
            client_request_id = %call.client_request_id,
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        Ok(Box::pin(async move {
            let client_request_id = call.client_request_id.clone();
            // Without a subscriber that wants the span, entering and leaving it
            // on every poll is work for nothing.
            let answer = if span.is_disabled() {
                self.execute(call, &span).await?
            } else {
                self.execute(call, &span).instrument(span.clone()).await?
            };
            Ok((answer, client_request_id))
        }))
    }

    /// The call of an action: its checked URL, headers and body.
    fn action_call(&self, info: &CallInfo, writer: RequestWriter) -> Result<Call, GraphError> {
        let written = writer.finish()?;
        let version = info.version.unwrap_or(self.inner.version);
        let url = self.action_url(version, written.path_and_query)?;
        self.prepare(
            info.method.clone(),
            url,
            written.headers,
            written.body,
            info.idempotent,
        )
    }

    /// The first request `send` would send for `action` with `token`, built by
    /// the same code; for `graph-bench`, which measures it without a network.
    pub(crate) fn first_request<A: GraphAction + ?Sized>(
        &self,
        action: &A,
        token: &AccessToken,
    ) -> Result<reqwest::Request, GraphError> {
        let mut writer = RequestWriter::new();
        action.write_request(&mut writer);
        let call = self.action_call(&CallInfo::of::<A>(), writer)?;
        Ok(call.request(&call.first_hop(token.authorization()), 1))
    }

    /// Base + `/` + version + path, refusing anything URL normalisation would
    /// change (dot segments that slipped through, backslashes).
    fn action_url(
        &self,
        version: ApiVersion,
        path_and_query: String,
    ) -> Result<url::Url, GraphError> {
        let inner = &*self.inner;
        // `""` for `https://graph.microsoft.com`.
        let base_path = inner.base_url.path().trim_end_matches('/');
        // The prefix goes in front of the action's path in its own buffer.
        let mut full = path_and_query;
        full.reserve(base_path.len() + 1 + version.as_str().len());
        full.insert_str(0, version.as_str());
        full.insert(0, '/');
        full.insert_str(0, base_path);
        let (path, query) = match full.find('?') {
            Some(at) => (&full[..at], Some(&full[at + 1..])),
            None => (full.as_str(), None),
        };
        let mut url = inner.base_url.clone();
        url.set_path(path);
        url.set_query(query);
        if url.path() != path {
            return Err(GraphError::invalid_request(
                "the request path would be changed by URL normalisation; refusing to send it",
            ));
        }
        Ok(url)
    }

    /// A call to an absolute URL from Graph (a `nextLink`): only on the client's
    /// own origin, so the token never leaves it.
    pub(crate) fn link_call(&self, link: &str) -> Result<Call, GraphError> {
        let url = url::Url::parse(link)
            .map_err(|e| GraphError::invalid_request(format!("the nextLink is not a URL: {e}")))?;
        if url.origin() != self.inner.base_url.origin() {
            return Err(GraphError::invalid_request(
                "the nextLink points to another origin than the client's base URL; not following it",
            ));
        }
        self.prepare(Method::GET, url, Vec::new(), None, true)
    }

    fn prepare(
        &self,
        method: Method,
        url: url::Url,
        mut action_headers: Vec<(HeaderName, HeaderValue)>,
        body: Option<Vec<u8>>,
        idempotent: bool,
    ) -> Result<Call, GraphError> {
        for (name, _) in &action_headers {
            if name == http::header::AUTHORIZATION || name == http::header::HOST {
                return Err(GraphError::invalid_request(format!(
                    "the `{name}` header is set by the client, not by an action"
                )));
            }
        }
        // A caller-supplied client-request-id is kept.
        let supplied = action_headers
            .iter()
            .position(|(name, _)| name == CLIENT_REQUEST_ID)
            .map(|at| action_headers.remove(at).1);
        let (client_request_id, client_request_id_value) = match supplied {
            Some(value) => match value.to_str() {
                Ok(id) => (id.to_owned(), value),
                Err(_) => {
                    return Err(GraphError::invalid_request(
                        "the client-request-id header is not visible ASCII",
                    ));
                }
            },
            None => {
                let id = crate::id::uuid_v4();
                let value = HeaderValue::from_str(&id)
                    .map_err(|_| GraphError::invalid_request("bad client-request-id"))?;
                (id, value)
            }
        };
        Ok(Call {
            method,
            url,
            user_agent: self.inner.user_agent.clone(),
            client_request_id_value,
            action_headers,
            body: body.map(Bytes::from),
            idempotent,
            client_request_id,
        })
    }

    /// The retry loop. `span` is the call's span, whose `status`, `attempts` and
    /// `request_id` fields are recorded here.
    pub(crate) async fn execute(
        &self,
        call: Call,
        span: &tracing::Span,
    ) -> Result<Answer, GraphError> {
        let inner = &*self.inner;
        let policy = &inner.retry;
        let mut attempt = 0u32;
        let mut retries = 0u32;
        let mut waited = Duration::ZERO;
        let mut refreshed = false;
        loop {
            attempt += 1;
            let token = match inner.tokens.ready_token() {
                Some(token) => token,
                None => inner.tokens.token().await?,
            };
            let outcome = if inner.timeout == Duration::MAX {
                self.attempt(&call, &token, attempt).await
            } else {
                match tokio::time::timeout(inner.timeout, self.attempt(&call, &token, attempt))
                    .await
                {
                    Ok(outcome) => outcome,
                    Err(_) => Outcome::Fatal(GraphError::Timeout {
                        after: inner.timeout,
                        attempts: attempt,
                        client_request_id: call.client_request_id.clone(),
                    }),
                }
            };
            span.record("attempts", attempt);
            let (mut error, retryable, retry_after) = match outcome {
                Outcome::Answer(answer) => {
                    if !span.is_disabled() {
                        span.record("status", answer.status);
                        if let Some(id) = request_id_of(&answer.headers) {
                            span.record("request_id", id);
                        }
                    }
                    tracing::debug!(attempt, status = answer.status, "answer");
                    if (200..300).contains(&answer.status) {
                        return Ok(answer);
                    }
                    if answer.status == 401 && !refreshed && inner.tokens.invalidate(&token) {
                        refreshed = true;
                        tracing::debug!(attempt, "401: retrying once with a fresh token");
                        continue;
                    }
                    let retry_after = if matches!(answer.status, 429 | 503 | 504) {
                        answer
                            .headers
                            .get(http::header::RETRY_AFTER)
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| parse_retry_after(v, SystemTime::now()))
                    } else {
                        None
                    };
                    let retryable = status_is_retryable(answer.status, call.idempotent);
                    let api = ApiError::from_answer(
                        answer.status,
                        answer.headers,
                        &answer.body,
                        call.client_request_id.clone(),
                        retry_after,
                    );
                    (GraphError::Api(Box::new(api)), retryable, retry_after)
                }
                Outcome::Failed { error, sent } => {
                    tracing::debug!(attempt, sent, error = %error, "transport failure");
                    let retryable = !sent || call.idempotent;
                    (
                        GraphError::Transport {
                            source: error,
                            sent,
                            attempts: attempt,
                            client_request_id: call.client_request_id.clone(),
                        },
                        retryable,
                        None,
                    )
                }
                Outcome::Fatal(e @ GraphError::Timeout { .. }) => {
                    tracing::debug!(attempt, "attempt timed out");
                    (e, call.idempotent, None)
                }
                Outcome::Fatal(e) => return Err(e),
            };
            error.set_attempts(attempt);
            if !retryable {
                return Err(error);
            }
            if retries >= policy.retries() {
                return Err(give_up(
                    error,
                    if policy.retries() == 0 {
                        "retries are off".to_owned()
                    } else {
                        format!("retries exhausted ({retries} of {})", policy.retries())
                    },
                ));
            }
            let wait = match retry_after {
                Some(ra) if ra > policy.max_wait_value() => {
                    return Err(give_up(
                        error,
                        format!(
                            "Retry-After of {:?} is beyond the cap of {:?}; not waiting",
                            ra,
                            policy.max_wait_value()
                        ),
                    ));
                }
                Some(ra) => ra,
                None => policy.jittered_backoff(retries + 1),
            };
            if waited.saturating_add(wait) > policy.max_total_wait_value() {
                return Err(give_up(
                    error,
                    format!(
                        "waiting {:?} more would pass the total wait cap of {:?}",
                        wait,
                        policy.max_total_wait_value()
                    ),
                ));
            }
            tracing::debug!(
                attempt,
                wait_ms = wait.as_millis() as u64,
                "retrying after a wait"
            );
            tokio::time::sleep(wait).await;
            waited += wait;
            retries += 1;
        }
    }

    /// One attempt: send, follow redirects, read the body.
    async fn attempt(&self, call: &Call, token: &AccessToken, attempt: u32) -> Outcome {
        let inner = &*self.inner;
        let Some(auth) = token.authorization() else {
            return Outcome::Fatal(GraphError::Token {
                reason: "the access token is not a valid header value".into(),
                status: None,
                code: None,
            });
        };
        let mut hop = call.first_hop(Some(auth));
        let mut redirects = 0u32;
        loop {
            let request = call.request(&hop, attempt);
            let mut response = match inner.http.execute(request).await {
                Ok(r) => r,
                Err(e) => {
                    let sent = !e.is_connect();
                    return Outcome::Failed {
                        error: e.without_url(),
                        sent,
                    };
                }
            };
            let status = response.status().as_u16();
            if matches!(status, 301 | 302 | 303 | 307 | 308)
                && let Some(location) = response
                    .headers()
                    .get(http::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
            {
                let refuse = |reason: String| {
                    Outcome::Fatal(GraphError::Redirect {
                        status,
                        reason,
                        client_request_id: call.client_request_id.clone(),
                    })
                };
                let next = match redirect_target(&hop.url, location) {
                    Ok(n) => n,
                    Err(reason) => return refuse(reason),
                };
                if redirects >= MAX_REDIRECTS {
                    return refuse(format!("more than {MAX_REDIRECTS} redirects"));
                }
                redirects += 1;
                if next.origin() != hop.url.origin() {
                    // Never again in this chain: the token stays on its origin.
                    hop.auth = None;
                }
                if status == 303 && hop.method != Method::HEAD {
                    // Content-Type goes with the body (`Call::request`).
                    hop.method = Method::GET;
                    hop.body = None;
                }
                tracing::debug!(
                    attempt,
                    status,
                    redirects,
                    token_kept = hop.auth.is_some(),
                    "following a redirect"
                );
                hop.url = Cow::Owned(next);
                continue;
            }
            // The body is read through the response, not its headers: take them.
            let headers = std::mem::take(response.headers_mut());
            let success = (200..300).contains(&status);
            let limit = if success {
                inner.max_response_bytes
            } else {
                MAX_ERROR_BODY
            };
            return match read_body(response, limit, success).await {
                Ok(body) => Outcome::Answer(Answer {
                    status,
                    headers,
                    body,
                }),
                Err(ReadError::Transport(e)) => Outcome::Failed {
                    error: e.without_url(),
                    sent: true,
                },
                Err(ReadError::TooLarge) => Outcome::Fatal(GraphError::ResponseTooLarge {
                    status,
                    limit,
                    request_id: request_id_of(&headers).map(str::to_owned),
                    client_request_id: call.client_request_id.clone(),
                }),
            };
        }
    }
}

/// What [`crate::batch`] needs of the client: its version and retry policy,
/// and one JSON POST relative to a version root (the `$batch` request) run
/// through the same pipeline as `send` (tokens, retries, redirects, timeouts).
impl GraphClient {
    /// The API version of actions not pinned to one.
    pub(crate) fn api_version(&self) -> ApiVersion {
        self.inner.version
    }

    /// The client's retry policy.
    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// POSTs `body` (JSON) to `path` under `version`, with the usual retries;
    /// `idempotent` decides whether failures after sending are retried. Any
    /// non-2xx answer is an error, as for `send`.
    pub(crate) async fn post_json(
        &self,
        version: ApiVersion,
        path: &str,
        body: Vec<u8>,
        idempotent: bool,
    ) -> Result<RawAnswer, GraphError> {
        let url = self.action_url(version, path.to_owned())?;
        let call = self.prepare(Method::POST, url, Vec::new(), Some(body), idempotent)?;
        let client_request_id = call.client_request_id.clone();
        let span = tracing::debug_span!(
            "graph_call",
            method = "POST",
            path = path,
            client_request_id = %client_request_id,
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        let answer = if span.is_disabled() {
            self.execute(call, &span).await?
        } else {
            self.execute(call, &span).instrument(span.clone()).await?
        };
        Ok(RawAnswer {
            status: answer.status,
            headers: answer.headers,
            body: answer.body,
            client_request_id,
        })
    }
}

/// A successful answer with its body unread, and the call's `client-request-id`.
pub(crate) struct RawAnswer {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) client_request_id: String,
}

/// Reads a successful answer as `T`.
pub(crate) fn read<T: serde::de::DeserializeOwned>(
    answer: Answer,
    client_request_id: String,
) -> Result<Response<T>, GraphError> {
    match decode_body::<T>(&answer.body) {
        Ok(body) => Ok(Response {
            status: answer.status,
            headers: answer.headers,
            client_request_id,
            body,
        }),
        Err(e) => {
            let request_id = request_id_of(&answer.headers).map(str::to_owned);
            Err(decode_error(
                answer.status,
                &answer.body,
                e,
                request_id,
                client_request_id,
            ))
        }
    }
}

/// Where a redirect from `current` to `location` goes; refuses https to http and
/// schemes other than http(s).
fn redirect_target(current: &url::Url, location: &str) -> Result<url::Url, String> {
    let next = current
        .join(location)
        .map_err(|e| format!("the Location is not a URL: {e}"))?;
    match (current.scheme(), next.scheme()) {
        ("https", "https") | ("http", "http") | ("http", "https") => Ok(next),
        ("https", "http") => Err("a redirect from https to http is refused".into()),
        (_, other) => Err(format!("a redirect to scheme `{other}` is refused")),
    }
}

fn give_up(mut error: GraphError, why: String) -> GraphError {
    if let GraphError::Api(api) = &mut error {
        api.gave_up = Some(why);
    }
    error
}

enum ReadError {
    Transport(reqwest::Error),
    TooLarge,
}

/// Reads at most `limit` bytes. With `strict`, a longer body is an error (checked
/// against `Content-Length` first, then while reading); otherwise it is cut.
async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
    strict: bool,
) -> Result<Bytes, ReadError> {
    let declared = response.content_length();
    if strict && declared.is_some_and(|len| len > limit as u64) {
        return Err(ReadError::TooLarge);
    }
    let mut first: Option<Bytes> = None;
    let mut buf: Vec<u8> = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Transport)? {
        let have = first.as_ref().map_or(0, Bytes::len) + buf.len();
        if have + chunk.len() > limit {
            if strict {
                return Err(ReadError::TooLarge);
            }
            let room = limit - have;
            if let Some(f) = first.take() {
                buf.extend_from_slice(&f);
            }
            buf.extend_from_slice(&chunk[..room]);
            return Ok(Bytes::from(buf));
        }
        match first.take() {
            None if buf.is_empty() => first = Some(chunk),
            None => buf.extend_from_slice(&chunk),
            Some(f) => {
                let cap = declared.map_or(0, |d| d as usize).min(limit);
                buf.reserve(cap.max(f.len() + chunk.len()));
                buf.extend_from_slice(&f);
                buf.extend_from_slice(&chunk);
            }
        }
    }
    Ok(first.unwrap_or_else(|| Bytes::from(buf)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(from: &str, location: &str) -> Result<(String, bool), String> {
        let from = url::Url::parse(from).map_err(|e| e.to_string())?;
        redirect_target(&from, location).map(|n| (n.to_string(), n.origin() == from.origin()))
    }

    #[test]
    fn redirect_targets() {
        let g = "https://graph.microsoft.com/v1.0/a";
        assert_eq!(
            target(g, "/v1.0/b").unwrap(),
            ("https://graph.microsoft.com/v1.0/b".into(), true)
        );
        assert_eq!(
            target(g, "b").unwrap(),
            ("https://graph.microsoft.com/v1.0/b".into(), true)
        );
        assert!(target(g, "https://graph.microsoft.com:443/x").unwrap().1);
        assert!(!target(g, "https://graph.microsoft.com:8443/x").unwrap().1);
        assert!(!target(g, "https://evil.example/x").unwrap().1);
        assert!(!target(g, "//evil.example/x").unwrap().1);
        assert!(
            target(g, "http://graph.microsoft.com/x")
                .unwrap_err()
                .contains("https to http")
        );
        assert!(
            target(g, "ftp://graph.microsoft.com/x")
                .unwrap_err()
                .contains("ftp")
        );
        assert!(target(g, "javascript:alert(1)").is_err());
        assert!(target(g, "https://[::1").is_err());
        // Upgrading http to https is allowed, but it is another origin.
        assert!(
            !target("http://127.0.0.1:1/a", "https://127.0.0.1:1/a")
                .unwrap()
                .1
        );
    }

    #[test]
    fn base_url_rules() {
        for ok in [
            "https://graph.microsoft.com",
            "https://graph.microsoft.com/",
            "https://example.test/graph",
            "http://127.0.0.1:8080",
            "http://127.3.4.5",
            "http://localhost:1234",
            "http://LOCALHOST",
            "http://[::1]:99",
        ] {
            assert!(check_base_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://graph.microsoft.com",
            "http://10.0.0.1",
            "http://[::2]",
            "http://localhost.evil.example",
            "ftp://127.0.0.1",
            "graph.microsoft.com",
            "https://user:pw@graph.microsoft.com",
            "https://graph.microsoft.com/?a=1",
            "https://graph.microsoft.com/#x",
            "",
        ] {
            assert!(
                matches!(check_base_url(bad), Err(GraphError::Config { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn clouds() {
        assert_eq!(Cloud::Global.graph_root(), "https://graph.microsoft.com");
        assert_eq!(Cloud::UsGov.graph_root(), "https://graph.microsoft.us");
        assert_eq!(
            Cloud::UsGovDod.graph_root(),
            "https://dod-graph.microsoft.us"
        );
        assert_eq!(
            Cloud::China.graph_root(),
            "https://microsoftgraph.chinacloudapi.cn"
        );
        assert_eq!(
            Cloud::Global.authority(),
            "https://login.microsoftonline.com"
        );
        assert_eq!(Cloud::UsGov.authority(), "https://login.microsoftonline.us");
        assert_eq!(
            Cloud::UsGovDod.authority(),
            "https://login.microsoftonline.us"
        );
        assert_eq!(Cloud::China.authority(), "https://login.chinacloudapi.cn");
    }
}
