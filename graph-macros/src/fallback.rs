//! What is emitted when the item has errors: the struct without our attributes
//! and stub impls, so the user sees the errors of the attribute and no cascade
//! of "no method `send`". The errors themselves are emitted by `lib.rs`.

use proc_macro2::{Span, TokenStream};
use quote::quote;

use crate::ast::Input;
use crate::attr::{Args, Method};
use crate::expand;
use crate::sink::{Sink, Subject};

/// The cleaned item, a stub `GraphAction` impl, the alias and `send`, built by
/// the same generators as a valid action wherever what they need is sound.
pub fn stubs(input: &Input, args: &Args, sink: &Sink) -> TokenStream {
    let rt = args.runtime();
    let item = expand::cleaned_struct(input, None);
    let ident = input.ident;
    // `paged` only when it is valid itself, or its impl would be another error.
    let paged = args.paged.is_some()
        && !sink.blamed(Subject::Paged)
        && matches!(&args.method, Some((Method::Get, _)))
        && input.item.generics.params.is_empty();
    let (response, paged_impl) = expand::response_type(input, args, paged);
    let (impl_generics, ty_generics, where_clause) = input.item.generics.split_for_impl();
    // A response named like the alias: the alias is left out, so the user's
    // type keeps the name.
    let outer = expand::alias_and_send(input, &response, &rt, !sink.blamed(Subject::Alias));
    quote! {
        #item

        #[allow(unused_qualifications)]
        impl #impl_generics #rt::GraphAction for #ident #ty_generics #where_clause {
            type Response = #response;
            const METHOD: #rt::__private::Method = #rt::__private::Method::GET;
            const PATH: &'static str = "";
            const IDEMPOTENT: bool = false;
            fn write_request(&self, _: &mut #rt::__private::RequestWriter) {}
        }

        #paged_impl
        #outer
    }
}

/// The error for an input that is not a struct, enum or union at all (a
/// function, an impl, ...), whose tokens are emitted untouched.
pub fn not_an_item(span: Span) -> syn::Error {
    syn::Error::new(
        span,
        "#[graph_action] goes on a struct with named fields, or a unit struct\n\
         help: declare the action as `struct Name { #[path] pub call_id: String }`",
    )
}
