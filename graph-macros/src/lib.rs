//! The `#[graph_action]` attribute. Use it through `graph_runtime::graph_action`;
//! the syntax and the generated items are documented there.
//!
//! Phases, one file each: `attr` reads the arguments and field attributes,
//! `ast` builds the typed model, `template` parses the path, `valid` checks
//! the cross rules, `expand` generates, `fallback` emits stubs when there are
//! errors; every error goes to one `sink`. This file runs them in order.
//! Everything works on `proc_macro2` tokens, so each phase is unit-tested.

mod ast;
mod attr;
mod expand;
mod fallback;
mod sink;
mod template;
mod valid;

#[cfg(test)]
mod tests;

use proc_macro::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::ast::Input;
use crate::sink::Sink;

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
/// | `crate = path` | where graph-runtime is, for a crate that re-exports it (also `crate = "path"`); default `::graph_runtime` |
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
/// struct's visibility), `MuteParticipant::send<'c>(&self, &'c GraphClient)`
/// returning a `SendFuture<'c, MuteParticipantOperation>` that borrows the client
/// only (awaited: `.send(&client).await`), and a doc line naming the method and
/// path. Each field's value goes through its role's trait (`PathValue`,
/// `QueryValue`, `HeaderValue`, `BodyProperty`), called at the field's type; the
/// body is written from borrowed fields, property by property, with no clone;
/// with `#[serde(...)]` attributes, through a private body type that borrows
/// the fields and derives `Serialize`. `write_request` is a straight list of
/// calls (no `?`: the writer keeps the first error) and `send` names a concrete
/// future, so an action adds little for the compiler to check; both are
/// `#[inline]`. Everything is named by absolute path.
///
/// # Errors
///
/// Every misuse is a compile error at the offending token, all errors of an
/// item at once and in source order, with no follow-on errors: a placeholder
/// without its `#[path]` field or the reverse (a camelCase `#[path] callId` is
/// told to be `call_id`), body fields on GET or DELETE, two roles on one field,
/// an unknown or repeated option, `paged` on anything but GET, without
/// `response` or with a `response` that is a `Page` or `Vec` already,
/// `idempotent` on GET, PUT or DELETE, `{id}` instead of `<id>`, path
/// characters the URL layer refuses or rewrites (non-ASCII, `\`, `"`, a
/// backtick, stray braces, `.` and `..` segments), `<self>`, `<crate>` and
/// `<super>` placeholders, two query parameters, two headers (in any letter
/// case) or two body properties with one wire name, `response = "Type"`, a
/// response type named like the generated alias, `#[cfg]` on a `#[path]`
/// field, the attribute applied twice, tuple structs, enums, unions and
/// generic parameters. A type that does not fit its role (a `response` that is
/// not `DeserializeOwned`, a `#[path]` type that is not `Display`, a query,
/// header or body type that is not `Serialize`) is reported at that type in
/// graph-runtime's words.
#[proc_macro_attribute]
pub fn graph_action(args: TokenStream, input: TokenStream) -> TokenStream {
    let (tokens, errors) = expand(args.into(), input.into());
    output(tokens, errors).into()
}

/// The whole macro on `proc_macro2` tokens: parse, validate, then generate the
/// action or, when there is any error, the stubs. Returns the generated tokens
/// and the errors side by side. Never panics.
pub(crate) fn expand(
    args: proc_macro2::TokenStream,
    input: proc_macro2::TokenStream,
) -> (proc_macro2::TokenStream, Vec<syn::Error>) {
    let item: DeriveInput = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(e) => return (input, vec![fallback::not_an_item(e.span())]),
    };
    let mut sink = Sink::default();
    let args = attr::parse_args(args, &mut sink);
    let model = Input::from_syn(&item, &mut sink);
    let template = args
        .path
        .as_ref()
        .map(|lit| valid::template(lit, &mut sink));
    valid::check(&model, &args, template.as_ref(), &mut sink);
    let tokens = match (&args.method, &args.path, &template) {
        (Some((method, _)), Some(lit), Some(template)) if sink.is_empty() => {
            expand::action(&model, &args, *method, lit, template)
        }
        _ => fallback::stubs(&model, &args, &sink),
    };
    (tokens, sink.into_errors())
}

/// The generated tokens followed by every error as a `compile_error!`, in
/// source order (the phases find them in another).
pub(crate) fn output(
    tokens: proc_macro2::TokenStream,
    mut errors: Vec<syn::Error>,
) -> proc_macro2::TokenStream {
    errors.sort_by_key(|e| {
        let start = e.span().start();
        (start.line, start.column)
    });
    let errors = errors.iter().map(syn::Error::to_compile_error);
    quote!(#tokens #(#errors)*)
}
