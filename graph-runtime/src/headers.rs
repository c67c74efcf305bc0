//! The header names and values the client sets on every call, and reading the
//! `request-id` Graph puts on every answer. A leaf: imports nothing of the crate.

use http::{HeaderName, HeaderValue};

/// The crate's own product in `User-Agent`.
pub(crate) const USER_AGENT: &str = concat!("graph-runtime/", env!("CARGO_PKG_VERSION"));
/// One id per logical call, the same on every retry and hop.
pub(crate) const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");
/// The number of the retry (absent on the first attempt).
pub(crate) const RETRY_ATTEMPT: HeaderName = HeaderName::from_static("retry-attempt");
/// `application/json`, for `Accept` and, with a body, `Content-Type`.
pub(crate) const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// The `request-id` header Graph puts on every answer, when it is readable text.
pub(crate) fn request_id_of(headers: &http::HeaderMap) -> Option<&str> {
    headers.get("request-id").and_then(|v| v.to_str().ok())
}
