//! The `#[graph_action]` attribute. Use it through `graph_runtime::graph_action`.

use proc_macro::TokenStream;

/// Declares a Microsoft Graph action. See `graph_runtime` for the syntax.
#[proc_macro_attribute]
pub fn graph_action(_args: TokenStream, input: TokenStream) -> TokenStream {
    input
}
