//! The seed action of design section 1, declared as a user would, and the request
//! the client builds from it.

use graph_runtime::{GraphAction, graph_action};

pub use graph_runtime::comms::MuteParticipantOperation;

/// Mute a participant in a group call.
#[graph_action(POST, "/communications/calls/<callId>/participants/<participantId>/mute",
               response = MuteParticipantOperation)]
#[derive(Debug, Clone)]
pub struct MuteParticipant {
    /// The call.
    #[path]
    pub call_id: String,
    /// The participant to mute.
    #[path]
    pub participant_id: String,
    /// Unique client context string, at most 256 characters.
    pub client_context: Option<String>,
}

impl MuteParticipant {
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
/// its first attempt: the action's own part (the generated `write_request` and
/// [`RequestWriter`], through `graph_runtime::bench_hooks`), then the client's:
/// the URL parsed from base, version and path; `Accept`, `User-Agent`, a UUID
/// `client-request-id` and `Content-Type` in a header map; the sensitive
/// `Authorization` value added per attempt. The client's part mirrors
/// `GraphClient::{action_url, prepare, attempt}` in `graph-runtime/src/client.rs`
/// (commit c05c694), which has no public way to build a request without sending.
pub fn build_request<A: GraphAction>(
    http: &reqwest::Client,
    base_url: &str,
    token: &str,
    action: &A,
) -> Result<reqwest::Request, crate::BoxError> {
    use http::{HeaderMap, HeaderValue, header};

    let (path_and_query, action_headers, body) = graph_runtime::bench_hooks::write_request(action)?;
    let version = A::VERSION.unwrap_or(graph_runtime::ApiVersion::V1).as_str();
    let url = reqwest::Url::parse(&format!("{base_url}/{version}{path_and_query}"))?;
    let path = path_and_query
        .split_once('?')
        .map_or(path_and_query.as_str(), |(p, _)| p);
    if !url.path().ends_with(path) {
        return Err("the request path would be changed by URL normalisation".into());
    }
    let mut headers = HeaderMap::with_capacity(6 + action_headers.len());
    headers.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
    headers.insert(
        header::USER_AGENT,
        HeaderValue::from_static("graph-runtime/0.1.0"),
    );
    for (name, value) in action_headers {
        headers.append(name, value);
    }
    let id = uuid::Uuid::new_v4().to_string();
    headers.insert("client-request-id", HeaderValue::from_str(&id)?);
    if body.is_some() {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    let body = body.map(bytes::Bytes::from);
    // Per attempt.
    let mut auth = HeaderValue::from_str(&format!("Bearer {token}"))?;
    auth.set_sensitive(true);
    let mut these = headers.clone();
    these.insert(header::AUTHORIZATION, auth);
    let mut req = http.request(A::METHOD, url.clone()).headers(these);
    if let Some(b) = &body {
        req = req.body(b.clone());
    }
    Ok(req.build()?)
}

/// Reads a successful answer's body as `send` does (`graph_runtime::bench_hooks`).
pub fn read_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    graph_runtime::bench_hooks::decode_body(body)
}
