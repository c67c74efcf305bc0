//! The HTTP side: one handler that logs, applies faults, authenticates,
//! routes, and stamps every answer with Graph's headers.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::response::Response;
use http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use serde_json::json;

use super::callbacks::{self, Deliveries};
use super::faults::{Fault, FaultQueue};
use super::log::RecordedRequest;
use super::reply::Reply;
use super::routes::dispatch;
use super::signing;
use super::state::{Ctx, Store};

/// State shared between the server thread and the [`Emulator`](super::Emulator).
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) base_url: String,
    pub(crate) store: Mutex<Store>,
    pub(crate) faults: Mutex<FaultQueue>,
    pub(crate) log: Mutex<Vec<RecordedRequest>>,
    /// `Some`: operations complete after this long, by notification.
    pub(crate) operation_delay: Option<Duration>,
    /// Notifications to the bot: tokens, per-URL workers, what was sent.
    pub(crate) deliveries: Deliveries,
    /// The server thread's runtime, where deliveries run.
    pub(crate) runtime: tokio::runtime::Handle,
}

/// Locks, ignoring poisoning: every critical section leaves the data consistent.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // The signing keys, as Microsoft publishes them; not part of the API, so
    // not in `requests()`.
    if method == Method::GET {
        let document = match uri.path() {
            signing::CONFIG_PATH => Some(signing::openid_configuration(&shared.base_url)),
            signing::KEYS_PATH => Some(signing::jwks()),
            _ => None,
        };
        if let Some(document) = document {
            let mut response = Response::new(Body::from(document.to_string()));
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            return response;
        }
    }
    let request_id = crate::id::uuid_v4();
    let client_request_id = headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    lock(&shared.log).push(RecordedRequest {
        method: method.clone(),
        path,
        headers: headers.clone(),
        body: body.clone(),
    });

    let fault = lock(&shared.faults).take();
    let mut reply = match fault {
        Some(fault) => fault_reply(&fault),
        None if !authenticated(&headers) => {
            Reply::error(401, "InvalidAuthenticationToken", "Access token is empty.")
        }
        None if super::batch::is_batch(&method, &uri) => super::batch::serve(&shared, &uri, &body),
        None => serve(&shared, &method, &uri, &body),
    };
    reply.stamp_error(&request_id, client_request_id.as_deref());
    respond(reply, &request_id, client_request_id.as_deref())
}

fn authenticated(headers: &HeaderMap) -> bool {
    headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .is_some_and(|(scheme, token)| {
            scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()
        })
}

fn fault_reply(fault: &Fault) -> Reply {
    match fault {
        Fault::Throttle { retry_after, .. } => {
            let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
            let mut reply = Reply::json(
                429,
                json!({"error": {
                    "code": "TooManyRequests",
                    "message": "Please retry again later.",
                    "innerError": {"code": "429", "message": "Please retry after", "status": "429"}
                }}),
            );
            reply.retry_after = Some(secs);
            reply
        }
        // Only `$batch` items take these (`FaultQueue::take_item`).
        Fault::BatchItemThrottle { .. } => {
            Reply::error(429, "TooManyRequests", "Please retry again later.")
        }
        Fault::Unavailable { .. } => Reply::error(
            503,
            "serviceNotAvailable",
            "The service is temporarily unavailable. Retry later.",
        ),
    }
}

pub(super) fn serve(shared: &Arc<Shared>, method: &Method, uri: &Uri, body: &[u8]) -> Reply {
    let mut segments = uri.path().split('/').filter(|s| !s.is_empty()).map(|s| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    });
    let version = match segments.next() {
        Some(v) if v == "v1.0" || v == "beta" => v,
        other => {
            return Reply::bad_request(format!(
                "Invalid version: '{}'. Use v1.0 or beta.",
                other.unwrap_or_default()
            ));
        }
    };
    let segments: Vec<String> = segments.collect();
    let ctx = Ctx {
        base_url: &shared.base_url,
        version: &version,
        operation_delay: shared.operation_delay,
    };
    let (reply, outbox) = {
        let mut store = lock(&shared.store);
        let reply = dispatch(
            &mut store,
            &ctx,
            method,
            &segments,
            uri.query().unwrap_or_default(),
            body,
        );
        (reply, store.take_outbox())
    };
    callbacks::dispatch(shared, &shared.runtime, outbox);
    reply
}

fn respond(reply: Reply, request_id: &str, client_request_id: Option<&str>) -> Response {
    let bytes = reply
        .body
        .as_ref()
        .and_then(|b| serde_json::to_vec(b).ok())
        .unwrap_or_default();
    let has_body = reply.body.is_some();
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set("request-id", request_id);
    if let Some(id) = client_request_id {
        set("client-request-id", id);
    }
    if has_body {
        set("content-type", "application/json");
    }
    if let Some(location) = &reply.location {
        set("location", location);
    }
    if let Some(secs) = reply.retry_after {
        set("retry-after", &secs.to_string());
    }
    response
}
