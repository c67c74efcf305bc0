//! Generating the code of an action: every generator lives here, and the
//! error path (`fallback`) reuses them.
//!
//! Per action: the struct as written (our attributes removed, a doc line added),
//! one `GraphAction` impl whose `write_request` writes the path in template
//! order and each other field through its role's trait, a fn-local body type
//! when `#[serde]` attributes ask for one, the `{Name}Response` alias and an
//! inherent `send`. Everything is named by absolute path from the runtime's
//! path (`::graph_runtime`, or `crate = path`), so user types called `Result`
//! or `Option` cannot break it.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Attribute, Data, LitStr, Type};

use crate::ast::{Field, Input};
use crate::attr::{self, Args, Method, Role, Version};
use crate::template::{self, Part, Template};

/// The expansion of a valid action.
pub fn action(
    input: &Input,
    args: &Args,
    method: Method,
    lit: &LitStr,
    template: &Template,
) -> TokenStream {
    let rt = args.runtime();
    let ident = input.ident;
    let item = cleaned_struct(input, Some(doc_line(method, lit, args)));
    let (response, paged_impl) = response_type(input, args, args.paged.is_some());
    let method_ident = format_ident!("{}", method.as_str());
    let path = lit.value();
    let idempotent = method.idempotent() || args.idempotent.is_some();
    let version = args.version.as_ref().map(|(name, v)| {
        let variant = match v {
            Version::V1 => quote!(V1),
            Version::Beta => quote!(Beta),
        };
        quote_spanned! {name.span()=>
            const VERSION: ::core::option::Option<#rt::ApiVersion> =
                ::core::option::Option::Some(#rt::ApiVersion::#variant);
        }
    });
    let writes = writes(input, template, &rt);
    let body = body(input, &rt);
    let outer = alias_and_send(input, &response, &rt, true);

    quote! {
        #item

        #[automatically_derived]
        #[allow(unused_qualifications)]
        impl #rt::GraphAction for #ident {
            type Response = #response;
            const METHOD: #rt::__private::Method = #rt::__private::Method::#method_ident;
            const PATH: &'static str = #path;
            const IDEMPOTENT: bool = #idempotent;
            #version

            #[inline]
            fn write_request(&self, req: &mut #rt::__private::RequestWriter) {
                #writes
                #body
            }
        }

        #paged_impl
        #outer
    }
}

/// The struct as written minus our field attributes, minus a repeated
/// `#[graph_action]`, and minus `#[serde]` attributes when the struct does not
/// derive serde itself (they go to the body type instead). `doc` is appended
/// to the user's doc comment.
pub fn cleaned_struct(input: &Input, doc: Option<String>) -> TokenStream {
    let mut item = input.item.clone();
    let keep_serde = input.derives_serde;
    let strip = |attrs: &mut Vec<Attribute>| {
        attrs.retain(|a| !attr::is_role_attr(a) && (keep_serde || !a.path().is_ident("serde")));
    };
    strip(&mut item.attrs);
    item.attrs.retain(|a| !attr::is_graph_action_attr(a));
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

/// The `{Name}Response` alias (unless `alias` is false: the name is taken) and
/// the inherent `send`, whose future borrows the client only.
pub fn alias_and_send(
    input: &Input,
    response: &TokenStream,
    rt: &TokenStream,
    alias: bool,
) -> TokenStream {
    let ident = input.ident;
    let vis = input.vis;
    let alias_ident = format_ident!("{}Response", ident);
    let alias_doc = format!(" The answer of [`{ident}`]: the status, the headers and the body.");
    let result_doc = format!(" `Result<{alias_ident}, GraphError>`;");
    let (impl_generics, ty_generics, where_clause) = input.item.generics.split_for_impl();
    // The one check of the response type, spanned at it: the trait's own
    // method named directly (and handed to `__private::send` as the body
    // reader), so a type that is not `DeserializeOwned` is reported there in
    // `ResponseBody`'s words. `GraphAction::Response` is not bounded and
    // `__private::send` does not ask for the bound, so nothing else reports
    // it again. The runtime's path keeps its own spans: a `crate = path` that
    // does not resolve is reported once, at the path.
    let span = response.span();
    let reader = quote_spanned!(span=> <#response as #rt::ResponseBody>::from_body);
    let alias = alias.then(|| {
        quote! {
            #[doc = #alias_doc]
            #[allow(dead_code)]
            #vis type #alias_ident = #rt::Response<#response>;
        }
    });
    quote! {
        #alias

        #[allow(unused_qualifications)]
        impl #impl_generics #ident #ty_generics #where_clause {
            /// Sends this action through `client` and reads the answer:
            /// `action.send(&client).await` is a
            #[doc = #result_doc]
            /// the same call as `client.send(&action)`. The request is written
            /// here, so the future borrows the client only.
            #[allow(dead_code)]
            #[inline]
            pub fn send<'c>(
                &self,
                client: &'c #rt::GraphClient,
            ) -> #rt::SendFuture<'c, #response> {
                #rt::__private::send(client, self, #reader)
            }
        }
    }
}

/// `/// `POST /communications/calls/<callId>/mute`` after the user's docs.
fn doc_line(method: Method, lit: &LitStr, args: &Args) -> String {
    let mut line = format!(" `{} {}`", method.as_str(), lit.value());
    match (&args.paged, &args.version) {
        (Some(_), Some((_, Version::Beta))) => line.push_str(" (paged, beta)"),
        (Some(_), _) => line.push_str(" (paged)"),
        (None, Some((_, Version::Beta))) => line.push_str(" (beta)"),
        _ => {}
    }
    line
}

/// The response type and, when `paged` applies, the `PagedAction` impl.
pub fn response_type(input: &Input, args: &Args, paged: bool) -> (TokenStream, TokenStream) {
    let rt = args.runtime();
    let ident = input.ident;
    match &args.response {
        Some((_, ty)) if paged => (
            // At the item type: a type that is not `DeserializeOwned` is
            // reported there.
            {
                let rt = respan(rt.clone(), ty.span());
                quote_spanned!(ty.span()=> #rt::Page<#ty>)
            },
            quote! {
                #[automatically_derived]
                #[allow(unused_qualifications)]
                impl #rt::PagedAction for #ident {
                    type Item = #ty;
                }
            },
        ),
        Some((_, ty)) => (quote!(#ty), TokenStream::new()),
        None => (quote!(()), TokenStream::new()),
    }
}

/// The `req.lit`/`req.param`/`req.query`/`req.header` calls in template order.
fn writes(input: &Input, template: &Template, rt: &TokenStream) -> TokenStream {
    let mut out = TokenStream::new();
    for part in &template.parts {
        match part {
            Part::Lit(text) => out.extend(quote!(req.lit(#text);)),
            Part::Param(p) => {
                let snake = template::snake_case(&p.name);
                let Some(field) = input.fields.iter().find(|f| f.name == snake) else {
                    continue; // impossible after validation
                };
                let name = &p.name;
                let quoted = p.quoted;
                out.extend(role_call(
                    rt,
                    field,
                    field.ty,
                    quote!(PathValue),
                    quote!(write_path),
                    quote!(#name, #quoted),
                ));
            }
        }
    }
    for field in &input.fields {
        let ((role, method), name) = match &field.role {
            Role::Query(name) => (
                (quote!(QueryValue), quote!(write_query)),
                name.as_ref()
                    .map_or_else(|| template::camel_case(&field.name), LitStr::value),
            ),
            Role::Header(name) => ((quote!(HeaderValue), quote!(write_header)), name.value()),
            Role::Path | Role::Body => continue,
        };
        let cfg = &field.cfg_attrs;
        let call = role_call(rt, field, field.ty, role, method, quote!(#name));
        out.extend(quote!(#(#cfg)* #call));
    }
    out
}

/// `<Type as ::graph_runtime::Role>::method(&self.field, req, args);`, every
/// token spanned at `ty` (the field's type): a type that does not fit the role
/// is reported there, in the words of the role's trait, and nothing else of
/// the call can be blamed.
fn role_call(
    rt: &TokenStream,
    field: &Field,
    ty: &Type,
    role: TokenStream,
    method: TokenStream,
    args: TokenStream,
) -> TokenStream {
    let ident = field.ident;
    let span = ty.span();
    let rt = respan(rt.clone(), span);
    let role = respan(role, span);
    let method = respan(method, span);
    let args = respan(args, span);
    quote_spanned!(span=> <#ty as #rt::#role>::#method(&self.#ident, req, #args);)
}

/// `tokens` with every span set to `span` (literals and groups included).
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let TokenTree::Group(g) = &tt {
                let mut group = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                tt = TokenTree::Group(group);
            } else {
                tt.set_span(span);
            }
            tt
        })
        .collect()
}

/// The body writes, when there are body fields.
///
/// Without `#[serde]` attributes, or with only `rename` and `skip` on fields,
/// the body is written property by property (see [`field_body`]), so a type
/// that is not `Serialize` is reported at the field's type in our words. With
/// any other, a fn-local body type borrowing the fields derives `Serialize` and
/// the attributes are forwarded to it.
fn body(input: &Input, rt: &TokenStream) -> TokenStream {
    let fields: Vec<&Field> = input.body_fields().collect();
    if fields.is_empty() {
        return TokenStream::new();
    }
    let container_attrs: Vec<_> = if input.derives_serde {
        Vec::new()
    } else {
        input.serde_attrs.clone()
    };
    if container_attrs.is_empty() && fields.iter().all(|f| f.serde.plain) {
        field_body(&fields, rt)
    } else {
        derived_body(&fields, &container_attrs, rt)
    }
}

/// `req.json_object()` then one `BodyProperty` call per field not skipped,
/// under its `#[serde(rename)]` key or its camelCase name
/// (`write_opt_property` for an `Option`, which leaves `None` out): no body
/// type, no serde derive, nothing per action but these calls. Each call is
/// spanned at the field's type, so a type that is not `Serialize` is reported
/// there.
fn field_body(fields: &[&Field], rt: &TokenStream) -> TokenStream {
    let writes = fields.iter().filter(|f| !f.serde.skip).map(|f| {
        let key = f
            .serde
            .rename
            .as_ref()
            .map_or_else(|| template::camel_case(&f.name), LitStr::value);
        let cfg = &f.cfg_attrs;
        let call = match option_inner(f.ty) {
            Some(inner) => role_call(
                rt,
                f,
                inner,
                quote!(BodyProperty),
                quote!(write_opt_property),
                quote!(#key),
            ),
            None => role_call(
                rt,
                f,
                f.ty,
                quote!(BodyProperty),
                quote!(write_property),
                quote!(#key),
            ),
        };
        quote!(#(#cfg)* #call)
    });
    quote! {
        req.json_object();
        #(#writes)*
    }
}

/// `rt` as the string serde's `crate = ".."` and `skip_serializing_if = ".."`
/// take.
fn path_string(rt: &TokenStream, rest: &str) -> String {
    let mut s = rt.to_string();
    s.retain(|c| !c.is_whitespace());
    format!("{s}{rest}")
}

fn derived_body(
    fields: &[&Field],
    container_attrs: &[&syn::Attribute],
    rt: &TokenStream,
) -> TokenStream {
    let user_renames = !matches!(attr::serde_rename_all(container_attrs), Ok(None));
    let rename_all = if user_renames {
        TokenStream::new()
    } else {
        quote!(#[serde(rename_all = "camelCase")])
    };
    let is_none = path_string(rt, "::__private::is_none");
    let serde_crate = path_string(rt, "::__private::serde");
    let decls = fields.iter().map(|f| {
        let ident = f.ident;
        let ty = f.ty;
        let cfg = &f.cfg_attrs;
        let serde = &f.serde_attrs;
        let user_skips = f.serde.skip || f.serde.skip_if || !f.serde.understood;
        let skip = if is_option(ty) && !user_skips {
            quote!(#[serde(skip_serializing_if = #is_none)])
        } else {
            TokenStream::new()
        };
        // Spanned at the type: serde's error for a type that is not
        // `Serialize` lands on the field's type.
        let span = ty.span();
        let ident = respan(quote!(#ident), span);
        let serde = serde.iter().map(|a| outer_at(a, span));
        let decl = quote_spanned!(span=> #ident: &'__a #ty,);
        quote!(#(#cfg)* #(#serde)* #skip #decl)
    });
    let inits = fields.iter().map(|f| {
        let ident = f.ident;
        let cfg = &f.cfg_attrs;
        quote!(#(#cfg)* #ident: &self.#ident,)
    });
    // `serde` brought into this block so that serde's errors name the derive
    // `serde::Serialize`, not the path it is reached by.
    quote! {{
        use #rt::__private::serde;
        #[derive(serde::Serialize)]
        #[serde(crate = #serde_crate)]
        #rename_all
        #(#container_attrs)*
        struct __Body<'__a> {
            #(#decls)*
        }
        req.json_body(&__Body { #(#inits)* });
    }}
}

/// `#[...]` with the `#` and the brackets spanned at `span` and what is inside
/// kept as written, so serde's own errors about an option still point at it.
fn outer_at(attr: &Attribute, span: Span) -> TokenStream {
    let meta = &attr.meta;
    let mut group = proc_macro2::Group::new(proc_macro2::Delimiter::Bracket, quote!(#meta));
    group.set_span(span);
    quote_spanned!(span=> # #group)
}

/// `Option<T>` by its last path segment (`Option`, `std::option::Option`, ...).
fn is_option(ty: &Type) -> bool {
    option_inner(ty).is_some()
}

/// `T` of `Option<T>`, recognised by the last path segment.
fn option_inner(ty: &Type) -> Option<&Type> {
    match ty {
        Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last()?;
            if last.ident != "Option" {
                return None;
            }
            match &last.arguments {
                syn::PathArguments::AngleBracketed(a) if a.args.len() == 1 => {
                    match a.args.first()? {
                        syn::GenericArgument::Type(t) => Some(t),
                        _ => None,
                    }
                }
                _ => None,
            }
        }
        Type::Group(g) => option_inner(&g.elem),
        Type::Paren(p) => option_inner(&p.elem),
        _ => None,
    }
}
