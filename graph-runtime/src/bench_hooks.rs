//! Entry points for the `graph-bench` package, which measures the per-call work of
//! the runtime without the network. Not public API: may change in any release.

use serde::de::DeserializeOwned;

use crate::action::GraphAction;
use crate::error::GraphError;
use crate::request::RequestWriter;

/// Reads a successful answer's body exactly as `GraphClient::send` does (empty
/// body as `null`, the `{"value": {...}}` envelope unwrapped, `()` tolerant).
pub fn decode_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    crate::response::decode_body(body)
}

/// The path and query, the action's own headers, the body bytes.
pub type Written = (
    String,
    Vec<(http::HeaderName, http::HeaderValue)>,
    Option<Vec<u8>>,
);

/// Writes `action`'s part of the request as `GraphClient::send` does, returning
/// the path and query, the action's own headers and the body bytes.
pub fn write_request<A: GraphAction + ?Sized>(action: &A) -> Result<Written, GraphError> {
    let mut writer = RequestWriter::new();
    action.write_request(&mut writer);
    let written = writer.finish()?;
    Ok((written.path_and_query, written.headers, written.body))
}

/// The first request `GraphClient::send` would send for `action` with `token`:
/// the action's part and the client's (URL, headers, body), built by the same
/// code as `send`, without sending it.
pub fn first_request<A: GraphAction + ?Sized>(
    client: &crate::GraphClient,
    action: &A,
    token: &crate::AccessToken,
) -> Result<reqwest::Request, GraphError> {
    client.first_request(action, token)
}

/// What one JSON batch of `actions` costs without the network, as
/// `Batch::send` does it: each action written as an item, the `$batch` body
/// built, then `answer` (a `$batch` response to those items) read and every
/// item taken as its typed response. Returns the body and the responses.
#[allow(clippy::type_complexity)]
pub fn batch_round<A>(
    client: &crate::GraphClient,
    actions: &[A],
    answer: bytes::Bytes,
) -> Result<(Vec<u8>, Vec<crate::Response<A::Response>>), GraphError>
where
    A: GraphAction,
    A::Response: crate::ResponseBody,
{
    let mut batch = client.batch();
    let items: Vec<_> = actions.iter().map(|a| batch.add(a)).collect();
    let body = batch.render_all();
    let mut results = batch.read_all(answer)?;
    let responses = items
        .into_iter()
        .map(|item| results.take(item))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((body, responses))
}

/// The `$batch` body of `actions` as `Batch::send` writes it (each action
/// written as an item, then the body), without reading an answer.
pub fn batch_body<A: GraphAction>(client: &crate::GraphClient, actions: &[A]) -> Vec<u8> {
    let mut batch = client.batch();
    for action in actions {
        let _ = batch.add(action);
    }
    batch.render_all()
}

/// The size in bytes of the boxed future `GraphClient::send` makes for `action`
/// (the call itself: preparing nothing, polling nothing).
pub fn call_future_size<A: GraphAction + ?Sized>(
    client: &crate::GraphClient,
    action: &A,
) -> Result<usize, GraphError> {
    client.call_future_size(action)
}
