//! The [`GraphAction`] trait: what `#[graph_action]` generates for each struct.

use crate::config::ApiVersion;
use crate::request::RequestWriter;

/// A Microsoft Graph action: one HTTP method on one path template, with a typed
/// response.
///
/// Implemented by `#[graph_action]`; a hand-written implementation is possible but
/// the attribute checks the template against the fields at compile time, which a
/// hand-written `write_request` does not.
pub trait GraphAction {
    /// The body type of a successful answer (`()` when the action returns none):
    /// any `serde::de::DeserializeOwned` type (see [`ResponseBody`](crate::ResponseBody)).
    ///
    /// Not bounded here: `#[graph_action]` checks it at the `response = Type`
    /// the user wrote, in its own words, where a bound on this type would add
    /// a note pointing into this crate. Generic code that sends an action or
    /// takes its batch answer states `A::Response: ResponseBody`, as
    /// [`GraphClient::send`](crate::GraphClient::send) does.
    type Response;

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
