//! The `#[graph_action]` attribute. Use it through `graph_runtime::graph_action`;
//! the syntax and the generated items are documented there.
//!
//! Phases, one file each: `attr` reads the arguments and field attributes,
//! `ast` builds the typed model, `template` parses the path, `valid` checks
//! the cross rules, `expand` generates, `fallback` reports errors without a
//! cascade. Everything works on `proc_macro2` tokens, so each phase is
//! unit-tested.

mod ast;
mod attr;
mod expand;
mod fallback;
mod template;
mod valid;

#[cfg(test)]
mod tests;

use proc_macro::TokenStream;

/// Declares a Microsoft Graph action: one HTTP method on one path, with typed
/// parameters and a typed answer.
///
/// ```no_run
/// use graph_runtime::comms::MuteParticipantOperation;
/// use graph_runtime::{graph_action, GraphClient};
///
/// /// Mute a participant in a group call.
/// #[graph_action(POST, "/communications/calls/<callId>/participants/<participantId>/mute",
///                response = MuteParticipantOperation)]
/// pub struct MuteParticipant {
///     #[path]
///     pub call_id: String,
///     #[path]
///     pub participant_id: String,
///     /// Unique client context string, at most 256 characters.
///     pub client_context: Option<String>,
/// }
///
/// # async fn run(client: GraphClient, call_id: String, participant_id: String) -> Result<(), graph_runtime::GraphError> {
/// let op = MuteParticipant { call_id, participant_id, client_context: None }
///     .send(&client)
///     .await?;
/// # Ok(())
/// # }
/// ```
///
/// # Syntax
///
/// `#[graph_action(METHOD, "PATH" [, option]*)]` on a struct with named fields or
/// on a unit struct.
///
/// - `METHOD`: `GET`, `POST`, `PUT`, `PATCH` or `DELETE`, a bare identifier.
/// - `"PATH"`: relative to the version root; starts with `/`; no query, fragment,
///   whitespace, empty segment or trailing `/`. Placeholders are `<name>` and may
///   fill a whole segment or part of one: `"/reports/getTeamsUserActivityCounts(period='<period>')"`
///   (inside `'...'` a value's `'` is doubled, as OData requires).
///
/// | option | meaning |
/// |---|---|
/// | `response = Type` | body type of a success (`DeserializeOwned`); default `()` |
/// | `version = "beta"` / `version = "v1.0"` | pins the API version; otherwise the client's |
/// | `paged` | a GET listing a collection: the answer is `Page<Type>`, and the action implements `PagedAction` |
/// | `idempotent` | a POST or PATCH that may be repeated safely (GET, PUT, DELETE always may) |
///
/// | field attribute | role |
/// |---|---|
/// | `#[path]` | fills the placeholder whose snake_case form is the field's name (`<callId>` ↔ `call_id`); any `Display` type |
/// | `#[query]`, `#[query("$top")]` | a query parameter, named in camelCase by default; `None` is left out |
/// | `#[header("ConsistencyLevel")]` | a request header; `None` is left out |
/// | none | a JSON body property in camelCase; `None` is left out; `#[serde(...)]` is honoured |
///
/// # Generated
///
/// For `struct MuteParticipant`: `impl GraphAction for MuteParticipant`, the alias
/// `MuteParticipantResponse = Response<MuteParticipantOperation>` (with the
/// struct's visibility), `MuteParticipant::send(&self, &GraphClient)` returning a
/// `SendFuture` (awaited: `.send(&client).await`), and a doc line naming the
/// method and path. The body is written from borrowed fields, property by
/// property, with no clone; with `#[serde(...)]` attributes, through a private
/// body type that borrows the fields and derives `Serialize`. `write_request` is
/// a straight list of `RequestWriter` calls (no `?`: the writer keeps the first
/// error) and `send` names a concrete future, so an action adds little for the
/// compiler to check; both are `#[inline]`: a crate declaring many actions
/// compiles their code only where they are used. Everything is named by absolute
/// path.
///
/// # Errors
///
/// Every misuse is a compile error at the offending token, all errors of an
/// item at once, with no follow-on errors: a placeholder without its `#[path]`
/// field or the reverse, body fields on GET or DELETE, two roles on one field, an
/// unknown or repeated option, `paged` on anything but GET or without `response`,
/// `idempotent` on GET, PUT or DELETE, `{id}` instead of `<id>`, tuple structs,
/// enums, unions and generic parameters. A `response` type that is not
/// `DeserializeOwned`, a `#[path]` type that is not `Display`, or a query, header
/// or body type that is not `Serialize` is reported by rustc at that type.
#[proc_macro_attribute]
pub fn graph_action(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::graph_action(args.into(), input.into()).into()
}
