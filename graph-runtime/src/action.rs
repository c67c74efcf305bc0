//! The [`GraphAction`] trait: what `#[graph_action]` generates for each struct.

use serde::de::DeserializeOwned;

use crate::config::ApiVersion;
use crate::request::RequestWriter;

/// A Microsoft Graph action: one HTTP method on one path template, with a typed
/// response.
///
/// Implemented by `#[graph_action]`; a hand-written implementation is possible but
/// the attribute checks the template against the fields at compile time, which a
/// hand-written `write_request` does not.
pub trait GraphAction {
    /// The body type of a successful answer (`()` when the action returns none).
    type Response: DeserializeOwned;

    /// The HTTP method.
    const METHOD: http::Method;

    /// The path template relative to the API version root, as written in the
    /// attribute (`/communications/calls/<callId>/mute`).
    const PATH: &'static str;

    /// The API version this action is pinned to, or `None` to use the client's.
    const VERSION: Option<ApiVersion> = None;

    /// Whether the action may safely be sent twice (GET, PUT and DELETE always,
    /// POST and PATCH when declared `idempotent`). Decides which failures after
    /// sending are retried.
    const IDEMPOTENT: bool;

    /// Writes the path, query, headers and body of the request.
    ///
    /// Path segments are written in template order. A value that would make an
    /// empty, `.` or `..` segment, or a header value with CR or LF, is kept by
    /// the writer and the call fails with [`GraphError::InvalidRequest`] before
    /// anything is sent.
    ///
    /// [`GraphError::InvalidRequest`]: crate::GraphError::InvalidRequest
    #[doc(hidden)]
    fn write_request(&self, req: &mut RequestWriter);
}
