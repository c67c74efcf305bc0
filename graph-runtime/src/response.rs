//! [`Response`]: a typed successful answer.

use std::ops::Deref;

/// A successful answer: its status, headers and typed body. Placeholder shape;
/// the runtime issue completes design section 5.2.
#[derive(Debug, Clone)]
pub struct Response<T> {
    pub(crate) status: u16,
    pub(crate) headers: http::HeaderMap,
    pub(crate) client_request_id: String,
    pub(crate) body: T,
}

impl<T> Response<T> {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }
    /// All response headers.
    pub fn headers(&self) -> &http::HeaderMap {
        &self.headers
    }
    /// The `request-id` Graph assigned.
    pub fn request_id(&self) -> Option<&str> {
        self.headers.get("request-id").and_then(|v| v.to_str().ok())
    }
    /// The `client-request-id` sent with the call.
    pub fn client_request_id(&self) -> &str {
        &self.client_request_id
    }
    /// The `Location` header.
    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(http::header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }
    /// The body.
    pub fn body(&self) -> &T {
        &self.body
    }
    /// The body, by value.
    pub fn into_body(self) -> T {
        self.body
    }
}

impl<T> Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.body
    }
}
