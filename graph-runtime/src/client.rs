//! [`GraphClient`] and its builder. Minimal placeholder: the runtime issue
//! completes design section 5.1.

use std::sync::Arc;

use crate::action::GraphAction;
use crate::error::GraphError;
use crate::request::{RequestWriter, WrittenRequest};
use crate::response::Response;

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

/// A Microsoft Graph client. Cheap to clone; clones share one connection pool.
#[derive(Clone)]
pub struct GraphClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    version: ApiVersion,
    token: String,
}

impl std::fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient")
            .field("base_url", &self.inner.base_url)
            .field("version", &self.inner.version)
            .finish_non_exhaustive()
    }
}

/// Builds a [`GraphClient`].
#[derive(Default)]
pub struct GraphClientBuilder {
    base_url: Option<String>,
    version: ApiVersion,
    token: Option<String>,
}

impl std::fmt::Debug for GraphClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClientBuilder")
            .field("base_url", &self.base_url)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl GraphClientBuilder {
    /// A fixed bearer token.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }
    /// The service root without version.
    pub fn base_url(mut self, url: &str) -> Self {
        self.base_url = Some(url.trim_end_matches('/').to_owned());
        self
    }
    /// The default API version.
    pub fn api_version(mut self, version: ApiVersion) -> Self {
        self.version = version;
        self
    }
    /// Builds the client.
    pub fn build(self) -> Result<GraphClient, GraphError> {
        let token = self.token.ok_or_else(|| GraphError::Config {
            reason: "no token: call bearer_token or token_provider".into(),
        })?;
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .build()
            .map_err(GraphError::Transport)?;
        Ok(GraphClient {
            inner: Arc::new(Inner {
                http,
                base_url: self
                    .base_url
                    .unwrap_or_else(|| "https://graph.microsoft.com".into()),
                version: self.version,
                token,
            }),
        })
    }
}

impl GraphClient {
    /// A builder with the defaults.
    pub fn builder() -> GraphClientBuilder {
        GraphClientBuilder::default()
    }

    /// Sends `action`; the same call as `action.send(&client)`.
    pub async fn send<A: GraphAction + ?Sized>(
        &self,
        action: &A,
    ) -> Result<Response<A::Response>, GraphError> {
        let mut writer = RequestWriter::new();
        action.write_request(&mut writer)?;
        let written = writer.finish()?;
        let raw = self
            .execute(A::METHOD, A::VERSION, A::IDEMPOTENT, written)
            .await?;
        let bytes: &[u8] = if raw.body.is_empty() { b"null" } else { &raw.body };
        let body = serde_json::from_slice(bytes).map_err(|e| GraphError::Decode {
            status: raw.status,
            reason: e.to_string(),
        })?;
        Ok(Response {
            status: raw.status,
            headers: raw.headers,
            client_request_id: raw.client_request_id,
            body,
        })
    }

    async fn execute(
        &self,
        method: http::Method,
        version: Option<ApiVersion>,
        _idempotent: bool,
        written: WrittenRequest,
    ) -> Result<RawResponse, GraphError> {
        let inner = &*self.inner;
        let url = format!(
            "{}/{}{}",
            inner.base_url,
            version.unwrap_or(inner.version).as_str(),
            written.path_and_query
        );
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let mut req = inner
            .http
            .request(method, url)
            .header(http::header::AUTHORIZATION, format!("Bearer {}", inner.token))
            .header(http::header::ACCEPT, "application/json")
            .header("client-request-id", &client_request_id)
            .header(
                http::header::USER_AGENT,
                concat!("graph-runtime/", env!("CARGO_PKG_VERSION")),
            );
        for (name, value) in written.headers {
            req = req.header(name, value);
        }
        if let Some(body) = written.body {
            req = req
                .header(http::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let resp = req.send().await.map_err(GraphError::Transport)?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(GraphError::Transport)?;
        if status >= 400 {
            return Err(GraphError::Api {
                status,
                body: String::from_utf8_lossy(&body).into_owned(),
            });
        }
        Ok(RawResponse {
            status,
            headers,
            client_request_id,
            body,
        })
    }
}

struct RawResponse {
    status: u16,
    headers: http::HeaderMap,
    client_request_id: String,
    body: bytes::Bytes,
}
