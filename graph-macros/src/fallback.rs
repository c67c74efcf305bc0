//! What is emitted when the item has errors: the struct without our attributes,
//! every error as a `compile_error!` at its own span, and stub impls, so the user
//! sees the errors of the attribute and no cascade of "no method `send`".

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::{Attribute, Data};

use crate::ast::Input;
use crate::attr::{self, Args};
use crate::expand;

/// The struct as written minus our field attributes, and minus `#[serde]`
/// attributes when the struct does not derive serde itself (they go to the body
/// type instead). `doc` is appended to the user's doc comment.
pub fn cleaned_struct(input: &Input, doc: Option<String>) -> TokenStream {
    let mut item = input.item.clone();
    let keep_serde = input.derives_serde;
    let strip = |attrs: &mut Vec<Attribute>| {
        attrs.retain(|a| !attr::is_role_attr(a) && (keep_serde || !a.path().is_ident("serde")));
    };
    strip(&mut item.attrs);
    match &mut item.data {
        Data::Struct(s) => s.fields.iter_mut().for_each(|f| strip(&mut f.attrs)),
        Data::Enum(e) => e
            .variants
            .iter_mut()
            .flat_map(|v| v.fields.iter_mut())
            .for_each(|f| strip(&mut f.attrs)),
        Data::Union(u) => u.fields.named.iter_mut().for_each(|f| strip(&mut f.attrs)),
    }
    if let Some(doc) = doc {
        if item.attrs.iter().any(|a| a.path().is_ident("doc")) {
            item.attrs.push(syn::parse_quote!(#[doc = ""]));
        }
        item.attrs.push(syn::parse_quote!(#[doc = #doc]));
    }
    quote!(#item)
}

/// The `{Name}Response` alias and the inherent `send`.
pub fn alias_and_send(input: &Input, response: &TokenStream) -> TokenStream {
    let ident = input.ident;
    let vis = input.vis;
    let alias = format_ident!("{}Response", ident);
    let alias_doc = format!(" The answer of [`{ident}`]: the status, the headers and the body.");
    let result_doc = format!(" `Result<{alias}, GraphError>`;");
    let (impl_generics, ty_generics, where_clause) = input.item.generics.split_for_impl();
    quote! {
        #[doc = #alias_doc]
        #[allow(dead_code)]
        #vis type #alias = ::graph_runtime::Response<#response>;

        impl #impl_generics #ident #ty_generics #where_clause {
            /// Sends this action through `client` and reads the answer:
            /// `action.send(&client).await` is a
            #[doc = #result_doc]
            /// the same call as `client.send(&action)`.
            #[allow(dead_code)]
            #[inline]
            pub fn send<'__a>(
                &'__a self,
                client: &'__a ::graph_runtime::GraphClient,
            ) -> ::graph_runtime::SendFuture<'__a, #response> {
                client.send(self)
            }
        }
    }
}

/// The errors, the cleaned item and stubs.
pub fn expand(input: &Input, args: &Args, errors: Vec<syn::Error>) -> TokenStream {
    let errors = errors.into_iter().reduce(|mut all, e| {
        all.combine(e);
        all
    });
    let errors = errors.map(|e| e.to_compile_error());
    let item = cleaned_struct(input, None);
    let ident = input.ident;
    let (response, paged_impl) = match (&args.paged, &args.method) {
        // Only when `paged` itself is valid, or its impl would be another error.
        (Some(_), Some((m, _))) if *m == attr::Method::Get => expand::response_type(input, args),
        _ => {
            let plain = Args {
                response: args.response.clone(),
                ..Args::default()
            };
            expand::response_type(input, &plain)
        }
    };
    let paged_impl = if input.item.generics.params.is_empty() {
        paged_impl
    } else {
        TokenStream::new()
    };
    let (impl_generics, ty_generics, where_clause) = input.item.generics.split_for_impl();
    let outer = alias_and_send(input, &response);
    quote! {
        #errors
        #item

        impl #impl_generics ::graph_runtime::GraphAction for #ident #ty_generics #where_clause {
            type Response = #response;
            const METHOD: ::graph_runtime::__private::Method =
                ::graph_runtime::__private::Method::GET;
            const PATH: &'static str = "";
            const IDEMPOTENT: bool = false;
            fn write_request(&self, _: &mut ::graph_runtime::__private::RequestWriter) {}
        }

        #paged_impl
        #outer
    }
}

/// Not a struct, enum or union at all (a function, an impl, ...): the error and
/// the item untouched.
pub fn not_an_item(span: Span, input: TokenStream) -> TokenStream {
    let e = syn::Error::new(
        span,
        "#[graph_action] goes on a struct with named fields, or a unit struct\n\
         help: declare the action as `struct Name { #[path] pub call_id: String }`",
    )
    .to_compile_error();
    quote!(#e #input)
}
