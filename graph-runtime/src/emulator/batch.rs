//! `POST /{version}/$batch`: JSON batching, as Graph documents it.
//!
//! Each item is served as the request it describes, through the same routes as
//! a request of its own (after the `$batch` POST was authenticated), in the
//! order given, so that `dependsOn` can be honoured: an item whose dependency
//! did not succeed gets `424`. The answers are returned in reverse order: Graph
//! may return them in any order, and clients must match them by id.

use std::sync::Arc;
use std::time::Duration;

use http::{Method, Uri};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::faults::Fault;
use super::reply::Reply;
use super::server::{Shared, lock, serve as serve_one};

/// Graph's limit of items per `$batch` request.
const MAX_ITEMS: usize = 20;

/// Whether this is a `$batch` POST (`/v1.0/$batch` or `/beta/$batch`).
pub(super) fn is_batch(method: &Method, uri: &Uri) -> bool {
    if method != Method::POST {
        return false;
    }
    let path = uri.path().trim_end_matches('/');
    let Some(rest) = path
        .strip_prefix("/v1.0/")
        .or_else(|| path.strip_prefix("/beta/"))
    else {
        return false;
    };
    rest == "$batch" || rest.eq_ignore_ascii_case("%24batch")
}

#[derive(Deserialize)]
struct BatchRequest {
    requests: Vec<Item>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Item {
    id: String,
    method: String,
    url: String,
    #[serde(default)]
    headers: Option<Map<String, Value>>,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default)]
    depends_on: Option<Vec<String>>,
}

/// Answers a `$batch` POST.
pub(super) fn serve(shared: &Arc<Shared>, uri: &Uri, body: &[u8]) -> Reply {
    let version = if uri.path().starts_with("/beta/") {
        "beta"
    } else {
        "v1.0"
    };
    let request: BatchRequest = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => {
            return Reply::bad_request(format!("Invalid batch payload format: {e}"));
        }
    };
    if let Err(reply) = check(&request.requests) {
        return reply;
    }
    let mut statuses: Vec<(String, u16)> = Vec::with_capacity(request.requests.len());
    let mut answers: Vec<Value> = Vec::with_capacity(request.requests.len());
    for item in &request.requests {
        let failed_dependency = item.depends_on.iter().flatten().find(|d| {
            statuses
                .iter()
                .find(|(id, _)| id.eq_ignore_ascii_case(d))
                .is_none_or(|(_, status)| !(200..300).contains(status))
        });
        let (mut reply, wait) = match failed_dependency {
            Some(d) => (
                Reply::error(
                    424,
                    "FailedDependency",
                    format!("The request this one depends on ('{d}') failed."),
                ),
                None,
            ),
            None => answer_item(shared, version, item),
        };
        reply.stamp_error(&crate::id::uuid_v4(), None);
        statuses.push((item.id.clone(), reply.status));
        answers.push(item_json(&item.id, reply, wait));
    }
    answers.reverse();
    Reply::json(200, json!({ "responses": answers }))
}

/// The whole-request checks Graph makes: at most 20 items, unique ids
/// (ignoring case), relative URLs, `dependsOn` naming one earlier item.
fn check(items: &[Item]) -> Result<(), Reply> {
    if items.is_empty() {
        return Err(Reply::bad_request("The batch request holds no requests."));
    }
    if items.len() > MAX_ITEMS {
        return Err(Reply::bad_request(format!(
            "The number of requests in the batch exceeds the limit of {MAX_ITEMS}."
        )));
    }
    for (i, item) in items.iter().enumerate() {
        let earlier = &items[..i];
        if earlier.iter().any(|e| e.id.eq_ignore_ascii_case(&item.id)) {
            return Err(Reply::bad_request(format!(
                "The batch holds the request id '{}' more than once.",
                item.id
            )));
        }
        if !item.url.starts_with('/') {
            return Err(Reply::bad_request(format!(
                "The url of request '{}' must be relative to the version root.",
                item.id
            )));
        }
        for d in item.depends_on.iter().flatten() {
            if !earlier.iter().any(|e| e.id.eq_ignore_ascii_case(d)) {
                return Err(Reply::bad_request(format!(
                    "Request '{}' depends on '{d}', which is not an earlier request of the batch.",
                    item.id
                )));
            }
        }
    }
    Ok(())
}

/// Serves one item: a queued item fault (with its wait), or the request it
/// describes.
fn answer_item(shared: &Arc<Shared>, version: &str, item: &Item) -> (Reply, Option<Duration>) {
    if let Some(Fault::BatchItemThrottle { retry_after, .. }) = lock(&shared.faults).take_item() {
        return (throttled(), Some(retry_after));
    }
    (serve_item(shared, version, item), None)
}

fn serve_item(shared: &Arc<Shared>, version: &str, item: &Item) -> Reply {
    let Ok(method) = Method::from_bytes(item.method.to_ascii_uppercase().as_bytes()) else {
        return Reply::bad_request(format!("Invalid method '{}'.", item.method));
    };
    let has_content_type = item
        .headers
        .iter()
        .flatten()
        .any(|(name, _)| name.eq_ignore_ascii_case("content-type"));
    let body = match &item.body {
        None | Some(Value::Null) => Vec::new(),
        Some(_) if !has_content_type => {
            return Reply::bad_request(
                "A request with a body needs a Content-Type header in the batch.",
            );
        }
        Some(body) => serde_json::to_vec(body).unwrap_or_default(),
    };
    let Ok(uri) = format!("/{version}{}", item.url).parse::<Uri>() else {
        return Reply::bad_request(format!("Invalid url '{}'.", item.url));
    };
    serve_one(shared, &method, &uri, &body)
}

/// An item's 429, and the wait its `retry-after` header asks for.
fn throttled() -> Reply {
    Reply::json(
        429,
        json!({"error": {
            "code": "TooManyRequests",
            "message": "Please retry again later.",
            "innerError": {}
        }}),
    )
}

/// One item of `responses`: `id`, `status`, `headers`, `body`.
/// `wait` is an injected item throttle's; else a route's own `Retry-After`
/// (whole seconds) is kept.
fn item_json(id: &str, reply: Reply, wait: Option<Duration>) -> Value {
    let mut headers = Map::new();
    if reply.body.is_some() {
        headers.insert("Content-Type".into(), json!("application/json"));
    }
    if let Some(location) = &reply.location {
        headers.insert("Location".into(), json!(location));
    }
    let wait = wait.or(reply.retry_after.map(Duration::from_secs));
    if let Some(wait) = wait {
        // Seconds, with the fraction when there is one: `0.5`, `2`.
        let text = if wait.subsec_nanos() == 0 {
            wait.as_secs().to_string()
        } else {
            wait.as_secs_f64().to_string()
        };
        headers.insert("Retry-After".into(), json!(text));
    }
    let mut out = Map::new();
    out.insert("id".into(), json!(id));
    out.insert("status".into(), json!(reply.status));
    if !headers.is_empty() {
        out.insert("headers".into(), Value::Object(headers));
    }
    out.insert("body".into(), reply.body.unwrap_or(Value::Null));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_the_batch_path() {
        let uri = |s: &str| s.parse::<Uri>().unwrap();
        assert!(is_batch(&Method::POST, &uri("/v1.0/$batch")));
        assert!(is_batch(&Method::POST, &uri("/beta/$batch/")));
        assert!(is_batch(&Method::POST, &uri("/v1.0/%24batch")));
        assert!(!is_batch(&Method::GET, &uri("/v1.0/$batch")));
        assert!(!is_batch(&Method::POST, &uri("/v2/$batch")));
        assert!(!is_batch(
            &Method::POST,
            &uri("/v1.0/communications/$batch")
        ));
    }

    #[test]
    fn retry_after_keeps_its_fraction() {
        let item = item_json("7", throttled(), Some(Duration::from_millis(500)));
        assert_eq!(item["headers"]["Retry-After"], "0.5");
        assert_eq!(item["status"], 429);
        let item = item_json("7", throttled(), Some(Duration::from_secs(2)));
        assert_eq!(item["headers"]["Retry-After"], "2");
        let item = item_json("8", Reply::empty(204), None);
        assert_eq!(item, json!({"id": "8", "status": 204, "body": null}));
    }
}
