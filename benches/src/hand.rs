//! The same call written by hand with reqwest and serde_json: what a careful
//! developer writes without this crate. Same headers as `graph-runtime` sends
//! (`Authorization`, `Accept`, `Content-Type`, a UUID `client-request-id`,
//! `User-Agent`), the path values encoded as segments, the body serialised with
//! serde_json, the answer read with serde_json.

use serde::{Deserialize, Serialize};

use crate::BoxError;

/// The answer's body, a plain serde struct.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MuteParticipantOperation {
    /// The server operation id.
    pub id: Option<String>,
    /// `notStarted`, `running`, `completed` or `failed`.
    pub status: Option<String>,
    /// The client context sent with the request.
    pub client_context: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MuteBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    client_context: Option<&'a str>,
}

/// A reqwest client and what every call needs.
#[derive(Debug, Clone)]
pub struct HandClient {
    http: reqwest::Client,
    /// `http://127.0.0.1:port/v1.0`
    root: reqwest::Url,
    authorization: String,
}

impl HandClient {
    /// A client for the service root `base_url` (without version), with the same
    /// reqwest settings as `GraphClient` (rustls with ring; HTTP/1.1 on plain http).
    pub fn new(base_url: &str, token: &str) -> Result<Self, BoxError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder().build()?;
        Self::with_client(http, base_url, token)
    }

    /// Like [`HandClient::new`] with a given reqwest client.
    pub fn with_client(
        http: reqwest::Client,
        base_url: &str,
        token: &str,
    ) -> Result<Self, BoxError> {
        let root = reqwest::Url::parse(&format!("{}/v1.0", base_url.trim_end_matches('/')))?;
        Ok(HandClient {
            http,
            root,
            authorization: format!("Bearer {token}"),
        })
    }

    /// The mute request, built but not sent.
    pub fn build_request(
        &self,
        call_id: &str,
        participant_id: &str,
        client_context: Option<&str>,
    ) -> Result<reqwest::Request, BoxError> {
        let mut url = self.root.clone();
        url.path_segments_mut()
            .map_err(|()| "base URL cannot have a path")?
            .extend([
                "communications",
                "calls",
                call_id,
                "participants",
                participant_id,
                "mute",
            ]);
        let body = serde_json::to_vec(&MuteBody { client_context })?;
        Ok(self
            .http
            .post(url)
            .header(reqwest::header::AUTHORIZATION, &self.authorization)
            .header(reqwest::header::ACCEPT, "application/json")
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("client-request-id", uuid::Uuid::new_v4().to_string())
            .header(reqwest::header::USER_AGENT, "hand-written/0.1.0")
            .body(body)
            .build()?)
    }

    /// Sends the mute request and reads the answer.
    pub async fn mute(
        &self,
        call_id: &str,
        participant_id: &str,
        client_context: Option<&str>,
    ) -> Result<MuteParticipantOperation, BoxError> {
        let req = self.build_request(call_id, participant_id, client_context)?;
        let resp = self.http.execute(req).await?;
        let status = resp.status();
        let bytes = resp.bytes().await?;
        if !status.is_success() {
            return Err(format!("{status}: {}", String::from_utf8_lossy(&bytes)).into());
        }
        Ok(serde_json::from_slice(&bytes)?)
    }
}
