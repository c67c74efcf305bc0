//! Access tokens: the [`TokenProvider`] trait, a [`StaticToken`], and OAuth2
//! [`ClientCredentials`] against the Microsoft identity platform.
//!
//! No token or secret is ever printed: every type here has a hand-written `Debug`
//! that leaves them out, and errors carry only the token endpoint's error code and
//! description.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, SystemTime};

use crate::config::{Cloud, check_base_url};
use crate::error::GraphError;
use crate::tls::default_http_client;

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

/// A token is refreshed when it expires within this margin.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// OAuth2 client credentials (an app registration's client id and secret) against
/// the Microsoft identity platform.
///
/// Caches the token and refreshes it when it is within 5 minutes of expiry; one
/// refresh runs at a time while concurrent callers wait for it; if a refresh fails
/// while the cached token is still valid, the cached token is used. On a 401 the
/// client drops the cached token and retries once.
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
    cache: RwLock<Option<AccessToken>>,
    refresh: tokio::sync::Mutex<()>,
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("token_endpoint", &self.token_endpoint())
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
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

impl ClientCredentials {
    /// Client credentials for `client_id` in `tenant_id`, for the global cloud.
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
            refresh: tokio::sync::Mutex::new(()),
        }
    }

    /// The national cloud: sets the authority (`login.microsoftonline.us`, ...)
    /// and the default scope (`https://graph.microsoft.us/.default`, ...).
    pub fn cloud(mut self, cloud: Cloud) -> Self {
        self.cloud = cloud;
        self
    }

    /// Overrides the authority (`https://login.microsoftonline.com`); the token
    /// endpoint is `{authority}/{tenant}/oauth2/v2.0/token`. `https`, or `http` to
    /// a loopback host (for tests).
    pub fn authority_url(mut self, authority: &str) -> Self {
        self.authority = Some(authority.trim_end_matches('/').to_owned());
        self
    }

    /// Overrides the scope (default: the cloud's Graph root + `/.default`).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// The timeout of one token request (default 30 s; `Duration::MAX` for none).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The HTTP client used for token requests (default: one of its own).
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

    fn cached(&self) -> Option<AccessToken> {
        self.cache.read().ok().and_then(|c| c.clone())
    }

    async fn fetch(&self) -> Result<AccessToken, GraphError> {
        if let Some(authority) = &self.authority {
            check_base_url(authority).map_err(|e| GraphError::Config {
                reason: format!("authority_url: {}", e.message().unwrap_or_default()),
            })?;
        }
        let http = match self.http.get() {
            Some(h) => h,
            None => {
                let h = default_http_client(Duration::from_secs(10))?;
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
            .post(self.token_endpoint())
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
            let response = request.send().await?;
            let status = response.status().as_u16();
            let bytes = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, bytes))
        };
        let result = if self.timeout == Duration::MAX {
            exchange.await
        } else {
            match tokio::time::timeout(self.timeout, exchange).await {
                Ok(r) => r,
                Err(_) => {
                    return Err(GraphError::Token {
                        reason: format!(
                            "the token endpoint did not answer within {:?}",
                            self.timeout
                        ),
                        status: None,
                        code: None,
                    });
                }
            }
        };
        let (status, bytes) = result.map_err(|e| GraphError::Token {
            reason: format!("the token request failed: {}", e.without_url()),
            status: None,
            code: None,
        })?;
        let answer: Option<TokenAnswer> = serde_json::from_slice(&bytes).ok();
        match answer {
            Some(TokenAnswer {
                access_token: Some(secret),
                expires_in,
                ..
            }) if (200..300).contains(&status) && !secret.is_empty() => {
                let secs = match expires_in {
                    Some(serde_json::Value::Number(n)) => n.as_u64(),
                    Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
                    _ => None,
                }
                .unwrap_or(3600);
                Ok(AccessToken::new(
                    secret,
                    Some(SystemTime::now() + Duration::from_secs(secs)),
                ))
            }
            Some(answer) => Err(GraphError::Token {
                reason: answer
                    .error_description
                    .unwrap_or_else(|| "the token endpoint sent no access_token".into()),
                status: Some(status),
                code: answer.error,
            }),
            None => Err(GraphError::Token {
                reason: "the token endpoint's answer is not a JSON token response".into(),
                status: Some(status),
                code: None,
            }),
        }
    }

    async fn get(&self) -> Result<AccessToken, GraphError> {
        if let Some(t) = self.cached()
            && !t.expires_within(REFRESH_MARGIN)
        {
            return Ok(t);
        }
        let _single_flight = self.refresh.lock().await;
        // Another caller may have refreshed while this one waited.
        let old = self.cached();
        if let Some(t) = &old
            && !t.expires_within(REFRESH_MARGIN)
        {
            return Ok(t.clone());
        }
        match self.fetch().await {
            Ok(fresh) => {
                if let Ok(mut cache) = self.cache.write() {
                    *cache = Some(fresh.clone());
                }
                Ok(fresh)
            }
            Err(e) => match old {
                Some(t) if !t.expires_within(Duration::ZERO) => {
                    tracing::warn!(error = %e, "token refresh failed; using the cached token until it expires");
                    Ok(t)
                }
                _ => Err(e),
            },
        }
    }
}

impl TokenProvider for ClientCredentials {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(self.get())
    }

    fn ready_token(&self) -> Option<AccessToken> {
        self.cached().filter(|t| !t.expires_within(REFRESH_MARGIN))
    }

    fn invalidate(&self, rejected: &AccessToken) -> bool {
        if let Ok(mut cache) = self.cache.write()
            && cache.as_ref() == Some(rejected)
        {
            *cache = None;
        }
        true
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
        pub fn cloud(mut self, cloud: Cloud) -> Self {
            self.scope = format!("{}/.default", cloud.graph_root());
            self
        }

        /// Asks for `scope` instead.
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
                        reason: e.to_string(),
                        status: None,
                        code: None,
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
