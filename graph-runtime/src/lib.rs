//! Typed Microsoft Graph actions.
//!
//! Declare an action once with [`graph_action`] and call it:
//!
//! ```no_run
//! use graph_runtime::comms::MuteParticipantOperation;
//! use graph_runtime::{graph_action, GraphClient};
//!
//! /// Mute a participant in a group call.
//! #[graph_action(POST, "/communications/calls/<callId>/participants/<participantId>/mute",
//!                response = MuteParticipantOperation)]
//! pub struct MuteParticipant {
//!     #[path]
//!     pub call_id: String,
//!     #[path]
//!     pub participant_id: String,
//!     /// Unique client context string, at most 256 characters.
//!     pub client_context: Option<String>,
//! }
//!
//! # async fn run(token: String, call_id: String, participant_id: String) -> Result<(), graph_runtime::GraphError> {
//! let client = GraphClient::builder().bearer_token(token).build()?;
//! let op = MuteParticipant { call_id, participant_id, client_context: None }
//!     .send(&client)
//!     .await?;
//! println!("operation {:?} is {:?}", op.id, op.status);
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

// Lets the catalogue in this crate use the macro, whose expansion names
// `::graph_runtime`.
extern crate self as graph_runtime;

// Modules, each one concern; a module imports only modules named before it in
// this list (`lib.rs` re-exports the public names):
// leaves: `headers` (the client's header names and values, `Host` of plain-http
// hops, `request-id`), `id` (request ids);
// `error` (`GraphError`); `config` (`ApiVersion`, `Cloud`, defaults, URL rules);
// `tls` (the built-in HTTP client); `request` (`RequestWriter`); `action`
// (`GraphAction`); `body` (raw answers, bounded body reads); `response`
// (`Response`, decoding); `retry` (`RetryPolicy`, the retry decision); `auth`
// (tokens); `call` (preparing a call); `redirect` (the hops of one attempt);
// `pipeline` (attempts and retries); `future` (`SendFuture`); `client`
// (`GraphClient`, its builder, `send`); `paging` (`Page`, `PagedAction`,
// `stream`); `batch` (JSON batching: `Batch`, `BatchResults`).
mod action;
mod auth;
mod batch;
mod body;
mod call;
mod client;
mod config;
mod error;
mod future;
mod headers;
mod id;
mod paging;
mod pipeline;
mod redirect;
mod request;
mod response;
mod retry;
mod roles;
mod tls;

/// Entry points for `graph-bench` only, behind its internal `__bench` feature.
/// Not public API: may change in any release.
#[cfg(feature = "__bench")]
#[doc(hidden)]
pub mod bench_hooks;

pub mod comms;

/// The README's examples, compiled as doctests (`cargo test --doc`).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod notify;

pub use action::GraphAction;
#[cfg(feature = "azure_identity")]
pub use auth::AzureIdentityCredential;
pub use auth::{
    AccessToken, ClientCredentials, REFRESH_MARGIN, StaticToken, TokenFuture, TokenProvider,
};
pub use batch::{Batch, BatchId, BatchItem, BatchResults, MAX_BATCH_ITEMS};
pub use client::{GraphClient, GraphClientBuilder};
pub use config::{
    ApiVersion, Cloud, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT,
};
pub use error::{ApiError, GraphError, InnerError};
pub use future::SendFuture;
pub use graph_macros::graph_action;
pub use paging::{Page, PageStream, PagedAction};
pub use redirect::MAX_REDIRECTS;
pub use request::RequestWriter;
pub use response::Response;
pub use retry::{MAX_RETRIES, RetryPolicy, parse_retry_after};
pub use roles::{BodyProperty, HeaderValue, PathValue, QueryValue, ResponseBody};

/// What `#[graph_action]` expansions name. Not public API: may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::request::RequestWriter;
    pub use core::fmt::Display;
    pub use core::option::Option;
    pub use core::result::Result;
    pub use http::Method;
    pub use serde;

    /// The generated `send`: [`GraphClient::send`](crate::GraphClient::send)
    /// without its `A::Response: ResponseBody` bound. The generated code passes
    /// `<Type as ResponseBody>::from_body` as `read`, spanned at the user's
    /// `response =` type, so that is where a type that does not fit is
    /// reported, once.
    #[inline]
    pub fn send<'c, A: crate::GraphAction + ?Sized>(
        client: &'c crate::GraphClient,
        action: &A,
        read: fn(&[u8]) -> Result<A::Response, serde_json::Error>,
    ) -> crate::SendFuture<'c, A::Response> {
        client.send_action(action, read)
    }

    /// `skip_serializing_if` helper for borrowed `Option` body fields.
    #[inline]
    pub fn is_none<T>(value: &&Option<T>) -> bool {
        value.is_none()
    }
}
