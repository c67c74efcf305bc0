//! The `#[graph_action]` attribute. Use it through `graph_runtime::graph_action`;
//! the syntax and the generated items are documented there.
//!
//! Phases, one file each: [`attr`] reads the arguments and field attributes,
//! [`ast`] builds the typed model, [`template`] parses the path, [`valid`] checks
//! the cross rules, [`expand`] generates, [`fallback`] reports errors without a
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

/// Declares a Microsoft Graph action on a struct:
/// `#[graph_action(POST, "/communications/calls/<callId>/mute", response = Type)]`.
///
/// See `graph_runtime::graph_action` for the syntax, the field roles and the
/// generated items.
#[proc_macro_attribute]
pub fn graph_action(args: TokenStream, input: TokenStream) -> TokenStream {
    expand::graph_action(args.into(), input.into()).into()
}
