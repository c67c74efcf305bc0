//! The seed action of design section 1, declared as a user would, and the request
//! the client builds from it.

use graph_runtime::{GraphAction, GraphError, RequestWriter};
use serde::Deserialize;

/// The body of a successful mute: a `muteParticipantOperation`.
///
/// Stand-in for `graph_runtime::comms::MuteParticipantOperation` until the
/// catalogue lands.
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

/// Mute a participant in a group call.
#[derive(Debug, Clone)]
pub struct MuteParticipant {
    /// The call.
    pub call_id: String,
    /// The participant to mute.
    pub participant_id: String,
    /// Unique client context string, at most 256 characters.
    pub client_context: Option<String>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct MuteParticipantBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    client_context: &'a Option<String>,
}

// What `#[graph_action]` generates, written out while the macro is a passthrough.
impl GraphAction for MuteParticipant {
    type Response = MuteParticipantOperation;
    const METHOD: http::Method = http::Method::POST;
    const PATH: &'static str = "/communications/calls/<callId>/participants/<participantId>/mute";
    const IDEMPOTENT: bool = false;

    fn write_request(&self, req: &mut RequestWriter) -> Result<(), GraphError> {
        req.lit("/communications/calls/")?;
        req.param("callId", &self.call_id, false)?;
        req.lit("/participants/")?;
        req.param("participantId", &self.participant_id, false)?;
        req.lit("/mute")?;
        req.json_body(&MuteParticipantBody {
            client_context: &self.client_context,
        })
    }
}

impl MuteParticipant {
    /// Sends the action.
    pub async fn send(
        &self,
        client: &graph_runtime::GraphClient,
    ) -> Result<graph_runtime::Response<MuteParticipantOperation>, GraphError> {
        client.send(self).await
    }

    /// The documentation's example call.
    pub fn example() -> Self {
        MuteParticipant {
            call_id: crate::CALL_ID.to_owned(),
            participant_id: crate::PARTICIPANT_ID.to_owned(),
            client_context: Some(crate::CLIENT_CONTEXT.to_owned()),
        }
    }
}

/// Builds the full wire request of `action` as `GraphClient::send` does before
/// sending: the action's own part (the generated `write_request` and
/// [`RequestWriter`]), then the client's (URL from base, version and path; the
/// `Authorization`, `Accept`, `client-request-id`, `User-Agent` and `Content-Type`
/// headers; the body). The client's part mirrors `graph-runtime/src/client.rs`,
/// which has no public way to build a request without sending it.
pub fn build_request<A: GraphAction>(
    http: &reqwest::Client,
    base_url: &str,
    token: &str,
    action: &A,
) -> Result<reqwest::Request, crate::BoxError> {
    let mut writer = RequestWriter::new();
    action.write_request(&mut writer)?;
    let written = writer.finish()?;
    let version = A::VERSION.unwrap_or(graph_runtime::ApiVersion::V1).as_str();
    let url = format!("{base_url}/{version}{}", written.path_and_query);
    let client_request_id = uuid::Uuid::new_v4().to_string();
    let mut req = http
        .request(A::METHOD, url)
        .header(http::header::AUTHORIZATION, format!("Bearer {token}"))
        .header(http::header::ACCEPT, "application/json")
        .header("client-request-id", &client_request_id)
        .header(http::header::USER_AGENT, "graph-runtime/0.1.0");
    for (name, value) in written.headers {
        req = req.header(name, value);
    }
    if let Some(body) = written.body {
        req = req
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(body);
    }
    Ok(req.build()?)
}

/// Reads a successful answer's body as `send` does: an empty body is JSON `null`.
pub fn read_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    let bytes: &[u8] = if body.is_empty() { b"null" } else { body };
    serde_json::from_slice(bytes)
}
