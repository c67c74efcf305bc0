//! Access tokens: the [`TokenProvider`] trait, a [`StaticToken`], and OAuth2
//! [`ClientCredentials`] against the Microsoft identity platform.
//!
//! No token or secret is ever printed: every type here has a hand-written `Debug`
//! that leaves them out, and errors carry only the token endpoint's error code and
//! description.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, SystemTime};

use crate::config::{Cloud, check_base_url};
use crate::error::GraphError;
use crate::tls::standalone_http_client;

/// A future returned by [`TokenProvider::token`].
pub type TokenFuture<'a> =
    Pin<Box<dyn Future<Output = Result<AccessToken, GraphError>> + Send + 'a>>;

/// A source of access tokens. Object-safe; the client holds it as
/// `Arc<dyn TokenProvider>` and asks it before every attempt, so a provider should
/// answer from a cache when it can.
///
/// ```
/// use graph_runtime::{AccessToken, GraphError, TokenFuture, TokenProvider};
///
/// struct FromEnv;
/// impl TokenProvider for FromEnv {
///     fn token(&self) -> TokenFuture<'_> {
///         Box::pin(async {
///             let secret = std::env::var("GRAPH_TOKEN").map_err(|_| GraphError::Token {
///                 reason: "GRAPH_TOKEN is not set".into(),
///                 status: None,
///                 code: None,
///                 source: None,
///             })?;
///             Ok(AccessToken::new(secret, None))
///         })
///     }
/// }
/// ```
pub trait TokenProvider: Send + Sync + 'static {
    /// A token valid for at least the next request.
    fn token(&self) -> TokenFuture<'_>;

    /// A token that is ready now, without waiting: a fixed token, or a cached one
    /// far from expiry. The client asks this first and awaits
    /// [`token`](Self::token) only when it returns `None`, which saves a boxed
    /// future per request. The default returns `None`.
    fn ready_token(&self) -> Option<AccessToken> {
        None
    }

    /// Graph answered 401 to a request carrying `rejected`. A provider that can
    /// fetch a fresh token drops `rejected` from its cache and returns `true`; the
    /// client then retries the call once. The default returns `false` (no retry).
    fn invalidate(&self, rejected: &AccessToken) -> bool {
        let _ = rejected;
        false
    }
}

/// An access token: the secret and, when known, when it expires. `Debug` never
/// shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken {
    secret: Arc<str>,
    expires_at: Option<SystemTime>,
    /// `Bearer <secret>`, marked sensitive; built once per token rather than once
    /// per request. `None` when the secret is not a valid header value.
    authorization: Option<http::HeaderValue>,
}

impl AccessToken {
    /// A token; `expires_at` `None` means it does not expire (or its provider does
    /// not know).
    pub fn new(secret: impl Into<String>, expires_at: Option<SystemTime>) -> Self {
        let secret: Arc<str> = Arc::from(secret.into());
        let authorization = http::HeaderValue::from_str(&format!("Bearer {secret}"))
            .ok()
            .map(|mut value| {
                value.set_sensitive(true);
                value
            });
        AccessToken {
            secret,
            expires_at,
            authorization,
        }
    }

    /// The `Authorization` header value, or `None` when the secret cannot be one.
    pub(crate) fn authorization(&self) -> Option<http::HeaderValue> {
        self.authorization.clone()
    }

    /// The secret, for the `Authorization` header. Never log it.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// When the token expires, when known.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// Whether the token expires within `margin` of now (never, without an expiry).
    pub fn expires_within(&self, margin: Duration) -> bool {
        match self.expires_at {
            None => false,
            Some(at) => at
                .duration_since(SystemTime::now())
                .map(|left| left <= margin)
                .unwrap_or(true),
        }
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("secret", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// A fixed token, as given to
/// [`GraphClientBuilder::bearer_token`](crate::GraphClientBuilder::bearer_token).
/// It cannot refresh, so a 401 is returned as it comes.
#[derive(Clone)]
pub struct StaticToken {
    token: AccessToken,
}

impl StaticToken {
    /// A provider that always yields `token`.
    pub fn new(token: impl Into<String>) -> Self {
        StaticToken {
            token: AccessToken::new(token, None),
        }
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticToken(<redacted>)")
    }
}

impl TokenProvider for StaticToken {
    fn token(&self) -> TokenFuture<'_> {
        let token = self.token.clone();
        Box::pin(async move { Ok(token) })
    }

    fn ready_token(&self) -> Option<AccessToken> {
        Some(self.token.clone())
    }
}

/// A token is refreshed when it expires within this margin, or within half its
/// lifetime when that is shorter (a 4-minute token is refreshed after 2 minutes,
/// not at once).
pub const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// The longest lifetime a token answer is believed: a larger `expires_in`
/// (even `u64::MAX`) is read as this.
const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// The lifetime assumed when the token endpoint gives none.
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(60 * 60);

/// The largest token endpoint answer read; a token answer is a few KiB.
const MAX_TOKEN_ANSWER: usize = 64 * 1024;

/// OAuth2 client credentials (an app registration's client id and secret) against
/// the Microsoft identity platform.
///
/// Caches the token and refreshes it when it is within 5 minutes of expiry (within
/// half its lifetime for a token shorter than 10 minutes, or earlier when the
/// answer's `refresh_in` asks for it). One refresh runs at a time: callers without
/// a usable token share its outcome (one request, whether it succeeds or fails),
/// and callers whose cached token is still valid use it rather than wait. If a
/// refresh fails while the cached token is still valid, the cached token is used.
/// On a 401 the client drops the cached token and retries once.
///
/// The tenant must be a GUID or a domain name (`contoso.onmicrosoft.com`);
/// anything else is a [`GraphError::Config`] before any request is sent. The
/// token endpoint's answer is read up to 64 KiB, and an `access_token` that
/// cannot be an HTTP header value is a [`GraphError::Token`] and is not cached.
///
/// ```
/// use graph_runtime::{ClientCredentials, Cloud, GraphClient};
///
/// let credentials = ClientCredentials::new("tenant-id", "client-id", "client-secret")
///     .cloud(Cloud::UsGov);
/// let client = GraphClient::builder()
///     .cloud(Cloud::UsGov)
///     .token_provider(credentials)
///     .build()?;
/// # Ok::<(), graph_runtime::GraphError>(())
/// ```
pub struct ClientCredentials {
    tenant_id: String,
    client_id: String,
    client_secret: String,
    cloud: Cloud,
    authority: Option<String>,
    scope: Option<String>,
    timeout: Duration,
    http: OnceLock<reqwest::Client>,
    cache: RwLock<Option<Cached>>,
    /// The refresh in flight, shared by every caller that waits for it.
    flight: Mutex<Option<Arc<Flight>>>,
}

/// A cached token and when to refresh it.
#[derive(Clone)]
struct Cached {
    token: AccessToken,
    refresh_at: SystemTime,
}

impl Cached {
    fn fresh(&self, now: SystemTime) -> bool {
        now < self.refresh_at
    }

    fn valid(&self, now: SystemTime) -> bool {
        self.token.expires_at.is_none_or(|at| now < at)
    }
}

/// One token request, awaited by every caller that needs its outcome. A
/// `tokio::sync::OnceCell`: if the caller running it is dropped, one of the
/// waiters runs it again.
type Flight = tokio::sync::OnceCell<Result<Cached, SharedError>>;

/// A token or configuration error, shared by every caller of one flight. The
/// cause is shared too, so each caller's error still has its `source()`.
#[derive(Clone)]
enum SharedError {
    Token {
        reason: String,
        status: Option<u16>,
        code: Option<String>,
        source: Option<Arc<dyn std::error::Error + Send + Sync>>,
    },
    Config {
        reason: String,
    },
}

/// A shared cause, given to each caller of a flight as its error's `source()`.
struct SharedSource(Arc<dyn std::error::Error + Send + Sync>);

impl fmt::Debug for SharedSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for SharedSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl std::error::Error for SharedSource {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl From<GraphError> for SharedError {
    fn from(e: GraphError) -> Self {
        match e {
            GraphError::Token {
                reason,
                status,
                code,
                source,
            } => SharedError::Token {
                reason,
                status,
                code,
                source: source.map(Arc::from),
            },
            GraphError::Config { reason } => SharedError::Config { reason },
            other => SharedError::Token {
                reason: other.to_string(),
                status: other.status(),
                code: None,
                source: None,
            },
        }
    }
}

impl From<SharedError> for GraphError {
    fn from(e: SharedError) -> Self {
        match e {
            SharedError::Token {
                reason,
                status,
                code,
                source,
            } => GraphError::Token {
                reason,
                status,
                code,
                source: source.map(|s| Box::new(SharedSource(s)) as _),
            },
            SharedError::Config { reason } => GraphError::Config { reason },
        }
    }
}

/// Removes the flight from the credential when the caller that holds it is done
/// (or dropped), so that the next caller starts a new one.
struct FlightGuard<'a> {
    slot: &'a Mutex<Option<Arc<Flight>>>,
    flight: Arc<Flight>,
}

impl Drop for FlightGuard<'_> {
    fn drop(&mut self) {
        let mut slot = lock(self.slot);
        if slot.as_ref().is_some_and(|f| Arc::ptr_eq(f, &self.flight)) {
            *slot = None;
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn token_error(reason: impl Into<String>, status: Option<u16>) -> GraphError {
    GraphError::Token {
        reason: reason.into(),
        status,
        code: None,
        source: None,
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field(
                "token_endpoint",
                &crate::config::redact_userinfo(&self.token_endpoint()),
            )
            .field("scope", &self.effective_scope())
            .finish_non_exhaustive()
    }
}

#[derive(serde::Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
    #[serde(default)]
    refresh_in: Option<serde_json::Value>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

/// Whole seconds from a token answer's `expires_in` or `refresh_in`: a number or
/// a string holding one; a value too large for `u64` saturates. `None` for
/// anything else (negative, not a number).
fn answer_seconds(value: Option<&serde_json::Value>) -> Option<u64> {
    fn from_f64(f: f64) -> Option<u64> {
        // `as` saturates: 1e30 (or infinity) becomes u64::MAX.
        (!f.is_nan() && f >= 0.0).then_some(f as u64)
    }
    match value? {
        serde_json::Value::Number(n) => n.as_u64().or_else(|| n.as_f64().and_then(from_f64)),
        serde_json::Value::String(s) => {
            let s = s.trim();
            s.parse::<u64>()
                .ok()
                .or_else(|| s.parse::<f64>().ok().and_then(from_f64))
        }
        _ => None,
    }
}

/// Whether `tenant` is a GUID or a domain name: dot-separated labels of ASCII
/// letters, digits and inner hyphens. It becomes a path segment of the token URL,
/// so nothing else (`/`, `..`, `%`, `?`) is let through.
fn tenant_is_valid(tenant: &str) -> bool {
    !tenant.is_empty()
        && tenant.len() <= 253
        && tenant.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

impl ClientCredentials {
    /// Client credentials for `client_id` in `tenant_id` (a GUID or a domain
    /// name), for the global cloud.
    pub fn new(
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        ClientCredentials {
            tenant_id: tenant_id.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            cloud: Cloud::Global,
            authority: None,
            scope: None,
            timeout: Duration::from_secs(30),
            http: OnceLock::new(),
            cache: RwLock::new(None),
            flight: Mutex::new(None),
        }
    }

    /// The national cloud: sets the authority (`login.microsoftonline.us`, ...)
    /// and the default scope (`https://graph.microsoft.us/.default`, ...).
    #[must_use]
    pub fn cloud(mut self, cloud: Cloud) -> Self {
        self.cloud = cloud;
        self
    }

    /// Overrides the authority (`https://login.microsoftonline.com`); the token
    /// endpoint is `{authority}/{tenant}/oauth2/v2.0/token`. `https`, or `http` to
    /// a loopback host (for tests).
    #[must_use]
    pub fn authority_url(mut self, authority: &str) -> Self {
        self.authority = Some(authority.trim_end_matches('/').to_owned());
        self
    }

    /// Overrides the scope (default: the cloud's Graph root + `/.default`).
    #[must_use]
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// The timeout of one token request (default 30 s; `Duration::MAX` for none).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The HTTP client used for token requests (default: one of its own).
    ///
    /// Build it with `redirect(reqwest::redirect::Policy::none())`, the safe
    /// setting. A client that follows redirects itself would re-post the client
    /// secret wherever a `307` or `308` from the authority points; the token
    /// request is never meant to be redirected, so an answer that comes from
    /// another URL than the token endpoint is refused (a [`GraphError::Token`])
    /// and its token never used, though the secret has then already been sent.
    ///
    /// ```
    /// use graph_runtime::ClientCredentials;
    ///
    /// # let _ = rustls::crypto::ring::default_provider().install_default();
    /// let http = reqwest::Client::builder()
    ///     .redirect(reqwest::redirect::Policy::none())
    ///     .build()
    ///     .expect("http client");
    /// let credentials = ClientCredentials::new("contoso.onmicrosoft.com", "client-id", "secret")
    ///     .http_client(http);
    /// ```
    pub fn http_client(self, client: reqwest::Client) -> Self {
        let _ = self.http.set(client);
        self
    }

    fn token_endpoint(&self) -> String {
        let authority = self
            .authority
            .clone()
            .unwrap_or_else(|| self.cloud.authority().to_owned());
        format!("{authority}/{}/oauth2/v2.0/token", self.tenant_id)
    }

    fn effective_scope(&self) -> String {
        self.scope
            .clone()
            .unwrap_or_else(|| format!("{}/.default", self.cloud.graph_root()))
    }

    fn cached(&self) -> Option<Cached> {
        self.cache.read().ok().and_then(|c| c.clone())
    }

    /// One token request: the configuration is checked first, then the answer is
    /// read (bounded) and checked before anything is cached.
    async fn fetch(&self) -> Result<Cached, GraphError> {
        if !tenant_is_valid(&self.tenant_id) {
            return Err(GraphError::Config {
                reason: format!(
                    "the tenant {:?} is not a GUID or a domain name",
                    self.tenant_id
                ),
            });
        }
        if let Some(authority) = &self.authority {
            check_base_url(authority).map_err(|e| GraphError::Config {
                reason: format!("authority_url: {}", e.message().unwrap_or_default()),
            })?;
        }
        let endpoint = url::Url::parse(&self.token_endpoint()).map_err(|e| GraphError::Config {
            reason: format!("the token endpoint is not a URL: {e}"),
        })?;
        let http = match self.http.get() {
            Some(h) => h,
            None => {
                let h = standalone_http_client(Duration::from_secs(10))?;
                self.http.get_or_init(|| h)
            }
        };
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "client_credentials")
            .append_pair("client_id", &self.client_id)
            .append_pair("client_secret", &self.client_secret)
            .append_pair("scope", &self.effective_scope())
            .finish();
        let request = http
            .post(endpoint.clone())
            .header(
                http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(http::header::ACCEPT, "application/json")
            .header(
                http::header::USER_AGENT,
                concat!("graph-runtime/", env!("CARGO_PKG_VERSION")),
            )
            .body(body);
        let exchange = async {
            let failed = |e: reqwest::Error| GraphError::Token {
                reason: "the token request failed".into(),
                status: None,
                code: None,
                source: Some(Box::new(e.without_url())),
            };
            let mut response = request.send().await.map_err(failed)?;
            let status = response.status().as_u16();
            if response.url() != &endpoint {
                return Err(token_error(
                    "the token request was redirected by the HTTP client; build it with \
                     redirect(reqwest::redirect::Policy::none())",
                    Some(status),
                ));
            }
            let too_large = || {
                token_error(
                    format!("the token endpoint's answer is larger than {MAX_TOKEN_ANSWER} bytes"),
                    Some(status),
                )
            };
            if response
                .content_length()
                .is_some_and(|len| len > MAX_TOKEN_ANSWER as u64)
            {
                return Err(too_large());
            }
            let mut bytes = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(failed)? {
                if bytes.len() + chunk.len() > MAX_TOKEN_ANSWER {
                    return Err(too_large());
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok((status, bytes))
        };
        let (status, bytes) = if self.timeout == Duration::MAX {
            exchange.await?
        } else {
            match tokio::time::timeout(self.timeout, exchange).await {
                Ok(r) => r?,
                Err(_) => {
                    return Err(token_error(
                        format!(
                            "the token endpoint did not answer within {:?}",
                            self.timeout
                        ),
                        None,
                    ));
                }
            }
        };
        let answer: Option<TokenAnswer> = serde_json::from_slice(&bytes).ok();
        match answer {
            Some(TokenAnswer {
                access_token: Some(secret),
                expires_in,
                refresh_in,
                ..
            }) if (200..300).contains(&status) && !secret.is_empty() => {
                let now = SystemTime::now();
                let lifetime = answer_seconds(expires_in.as_ref())
                    .map_or(DEFAULT_TOKEN_LIFETIME, Duration::from_secs)
                    .min(MAX_TOKEN_LIFETIME);
                let margin = REFRESH_MARGIN.min(lifetime / 2);
                let mut refresh_after = lifetime - margin;
                if let Some(hint) = answer_seconds(refresh_in.as_ref()) {
                    refresh_after = refresh_after.min(Duration::from_secs(hint));
                }
                let token = AccessToken::new(secret, now.checked_add(lifetime).or(Some(now)));
                if token.authorization.is_none() {
                    return Err(token_error(
                        "the token endpoint sent an access_token that cannot be an HTTP \
                         header value",
                        Some(status),
                    ));
                }
                Ok(Cached {
                    token,
                    refresh_at: now.checked_add(refresh_after).unwrap_or(now),
                })
            }
            Some(answer) => Err(GraphError::Token {
                reason: answer
                    .error_description
                    .unwrap_or_else(|| "the token endpoint sent no access_token".into()),
                status: Some(status),
                code: answer.error,
                source: None,
            }),
            None => Err(token_error(
                "the token endpoint's answer is not a JSON token response",
                Some(status),
            )),
        }
    }

    /// Fetches and, on success, caches: run once per flight.
    async fn refresh(&self) -> Result<Cached, SharedError> {
        let fresh = self.fetch().await?;
        if let Ok(mut cache) = self.cache.write() {
            *cache = Some(fresh.clone());
        }
        Ok(fresh)
    }

    async fn get(&self) -> Result<AccessToken, GraphError> {
        let now = SystemTime::now();
        if let Some(c) = self.cached()
            && c.fresh(now)
        {
            return Ok(c.token);
        }
        let flight = {
            let mut slot = lock(&self.flight);
            // Read again under the lock: a flight may have just finished.
            let cached = self.cached();
            match cached {
                Some(c) if c.fresh(now) => return Ok(c.token),
                // A refresh is running and this caller has a valid token: use it.
                Some(c) if slot.is_some() && c.valid(now) => return Ok(c.token),
                _ => {}
            }
            slot.get_or_insert_with(|| Arc::new(Flight::new())).clone()
        };
        let guard = FlightGuard {
            slot: &self.flight,
            flight,
        };
        let outcome = guard.flight.get_or_init(|| self.refresh()).await.clone();
        drop(guard);
        match outcome {
            Ok(c) => Ok(c.token),
            Err(e) => match self.cached() {
                Some(c) if c.valid(SystemTime::now()) => {
                    let e = GraphError::from(e);
                    tracing::warn!(error = %e, "token refresh failed; using the cached token until it expires");
                    Ok(c.token)
                }
                _ => Err(e.into()),
            },
        }
    }
}

impl TokenProvider for ClientCredentials {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(self.get())
    }

    fn ready_token(&self) -> Option<AccessToken> {
        self.cached()
            .filter(|c| c.fresh(SystemTime::now()))
            .map(|c| c.token)
    }

    fn invalidate(&self, rejected: &AccessToken) -> bool {
        if let Ok(mut cache) = self.cache.write()
            && cache.as_ref().map(|c| &c.token) == Some(rejected)
        {
            *cache = None;
        }
        true
    }
}

/// A provider whose [`token`](TokenProvider::token) is bounded by a timeout: what
/// the client holds, so that a provider that never answers cannot hang a call.
pub(crate) struct Bounded {
    inner: Arc<dyn TokenProvider>,
    timeout: Duration,
}

impl Bounded {
    pub(crate) fn wrap(inner: Arc<dyn TokenProvider>, timeout: Duration) -> Arc<dyn TokenProvider> {
        if timeout == Duration::MAX {
            inner
        } else {
            Arc::new(Bounded { inner, timeout })
        }
    }
}

impl TokenProvider for Bounded {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async move {
            match tokio::time::timeout(self.timeout, self.inner.token()).await {
                Ok(result) => result,
                Err(_) => Err(token_error(
                    format!(
                        "the token provider did not answer within the token timeout of {:?}",
                        self.timeout
                    ),
                    None,
                )),
            }
        })
    }

    fn ready_token(&self) -> Option<AccessToken> {
        self.inner.ready_token()
    }

    fn invalidate(&self, rejected: &AccessToken) -> bool {
        self.inner.invalidate(rejected)
    }
}

impl<P: TokenProvider + ?Sized> TokenProvider for Arc<P> {
    fn token(&self) -> TokenFuture<'_> {
        (**self).token()
    }
    fn ready_token(&self) -> Option<AccessToken> {
        (**self).ready_token()
    }
    fn invalidate(&self, rejected: &AccessToken) -> bool {
        (**self).invalidate(rejected)
    }
}

#[cfg(feature = "azure_identity")]
pub use azure::AzureIdentityCredential;

#[cfg(feature = "azure_identity")]
mod azure {
    //! Adapter for `azure_core` credentials (managed identity, workload identity,
    //! certificates, the Azure CLI, ...).

    use super::*;

    /// Any `azure_core` [`TokenCredential`](azure_core::credentials::TokenCredential)
    /// (from `azure_identity`) as a [`TokenProvider`]. The credential caches
    /// tokens itself.
    pub struct AzureIdentityCredential {
        credential: Arc<dyn azure_core::credentials::TokenCredential>,
        scope: String,
    }

    impl AzureIdentityCredential {
        /// Adapts `credential`, asking for the global cloud's Graph scope.
        pub fn new(credential: Arc<dyn azure_core::credentials::TokenCredential>) -> Self {
            AzureIdentityCredential {
                credential,
                scope: format!("{}/.default", Cloud::Global.graph_root()),
            }
        }

        /// Asks for this cloud's Graph scope.
        #[must_use]
        pub fn cloud(mut self, cloud: Cloud) -> Self {
            self.scope = format!("{}/.default", cloud.graph_root());
            self
        }

        /// Asks for `scope` instead.
        #[must_use]
        pub fn scope(mut self, scope: impl Into<String>) -> Self {
            self.scope = scope.into();
            self
        }
    }

    impl fmt::Debug for AzureIdentityCredential {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("AzureIdentityCredential")
                .field("scope", &self.scope)
                .finish_non_exhaustive()
        }
    }

    impl TokenProvider for AzureIdentityCredential {
        fn token(&self) -> TokenFuture<'_> {
            Box::pin(async move {
                let token = self
                    .credential
                    .get_token(&[self.scope.as_str()], None)
                    .await
                    .map_err(|e| GraphError::Token {
                        reason: "the credential could not get a token".into(),
                        status: None,
                        code: None,
                        source: Some(Box::new(e)),
                    })?;
                let expires_at = SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(
                    u64::try_from(token.expires_on.unix_timestamp()).unwrap_or(0),
                ));
                Ok(AccessToken::new(token.token.secret(), expires_at))
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_and_scopes_follow_the_cloud() {
        let c = ClientCredentials::new("t1", "app", "s");
        assert_eq!(
            c.token_endpoint(),
            "https://login.microsoftonline.com/t1/oauth2/v2.0/token"
        );
        assert_eq!(c.effective_scope(), "https://graph.microsoft.com/.default");
        let c = c.cloud(Cloud::UsGovDod);
        assert_eq!(
            c.token_endpoint(),
            "https://login.microsoftonline.us/t1/oauth2/v2.0/token"
        );
        assert_eq!(
            c.effective_scope(),
            "https://dod-graph.microsoft.us/.default"
        );
        let c = c.cloud(Cloud::China).authority_url("http://127.0.0.1:9/");
        assert_eq!(
            c.token_endpoint(),
            "http://127.0.0.1:9/t1/oauth2/v2.0/token"
        );
        assert_eq!(
            c.effective_scope(),
            "https://microsoftgraph.chinacloudapi.cn/.default"
        );
    }

    #[test]
    fn expiry_margin() {
        let now = SystemTime::now();
        let soon = AccessToken::new("a", Some(now + Duration::from_secs(200)));
        assert!(soon.expires_within(REFRESH_MARGIN));
        assert!(!soon.expires_within(Duration::ZERO));
        let later = AccessToken::new("a", Some(now + Duration::from_secs(3600)));
        assert!(!later.expires_within(REFRESH_MARGIN));
        let past = AccessToken::new("a", Some(now - Duration::from_secs(1)));
        assert!(past.expires_within(Duration::ZERO));
        assert!(!AccessToken::new("a", None).expires_within(Duration::MAX));
    }
}

#[cfg(all(test, feature = "azure_identity"))]
mod azure_tests {
    use std::future::Future;
    use std::pin::Pin;

    use azure_core::credentials::{AccessToken as AzToken, TokenCredential, TokenRequestOptions};

    use super::*;

    #[derive(Debug)]
    struct Fixed;

    impl TokenCredential for Fixed {
        fn get_token<'a, 'b, 'c, 'd, 'f>(
            &'a self,
            scopes: &'b [&'c str],
            _options: Option<TokenRequestOptions<'d>>,
        ) -> Pin<Box<dyn Future<Output = azure_core::Result<AzToken>> + Send + 'f>>
        where
            'a: 'f,
            'b: 'f,
            'c: 'f,
            'd: 'f,
            Self: 'f,
        {
            let scope = scopes.join(" ");
            Box::pin(async move {
                Ok(AzToken::new(
                    format!("az-token for {scope}"),
                    azure_core::time::OffsetDateTime::from_unix_timestamp(4_000_000_000)
                        .unwrap_or(azure_core::time::OffsetDateTime::UNIX_EPOCH),
                ))
            })
        }
    }

    #[tokio::test]
    async fn adapts_a_token_credential() {
        let provider = AzureIdentityCredential::new(Arc::new(Fixed)).cloud(Cloud::UsGov);
        let token = provider.token().await.unwrap();
        assert_eq!(
            token.secret(),
            "az-token for https://graph.microsoft.us/.default"
        );
        assert_eq!(
            token.expires_at(),
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(4_000_000_000))
        );
        assert!(!format!("{provider:?}").contains("az-token"));
    }
}
