//! Generating the code of a valid action.
//!
//! Per action: the struct as written (our attributes removed, a doc line added),
//! one `GraphAction` impl whose `write_request` calls the runtime's non-generic
//! `RequestWriter` in template order, a fn-local body type borrowing the body
//! fields, the `{Name}Response` alias and an inherent `send`. Everything is
//! named by absolute path, so user types called `Result` or `Option` cannot
//! break it.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, LitStr, Type};

use crate::ast::{Field, Input};
use crate::attr::{self, Args, Method, Role, Version};
use crate::fallback;
use crate::template::{self, Part, Template};
use crate::valid;

/// The whole macro on `proc_macro2` tokens: parse, validate, then expand or fall
/// back. Never panics.
pub fn graph_action(args: TokenStream, input: TokenStream) -> TokenStream {
    let item: DeriveInput = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(e) => return fallback::not_an_item(e.span(), input),
    };
    let mut errors = Vec::new();
    let args = attr::parse_args(args, &mut errors);
    let model = Input::from_syn(&item, &mut errors);
    let template = args
        .path
        .as_ref()
        .map(|lit| valid::template(lit, &mut errors));
    valid::check(
        &model,
        &args,
        template.as_ref().map(|(t, ok)| (t, *ok)),
        &mut errors,
    );
    match (&args.method, &args.path, &template) {
        (Some((method, _)), Some(lit), Some((template, _))) if errors.is_empty() => {
            expand(&model, &args, *method, lit, template)
        }
        _ => fallback::expand(&model, &args, errors),
    }
}

fn expand(
    input: &Input,
    args: &Args,
    method: Method,
    lit: &LitStr,
    template: &Template,
) -> TokenStream {
    let ident = input.ident;
    let item = fallback::cleaned_struct(input, Some(doc_line(method, lit, args)));
    let (response, paged_impl) = response_type(input, args);
    let method_ident = format_ident!("{}", method.as_str());
    let path = lit.value();
    let idempotent = method.idempotent() || args.idempotent.is_some();
    let version = args.version.as_ref().map(|(name, v)| {
        let variant = match v {
            Version::V1 => quote!(V1),
            Version::Beta => quote!(Beta),
        };
        quote_spanned! {name.span()=>
            const VERSION: ::core::option::Option<::graph_runtime::ApiVersion> =
                ::core::option::Option::Some(::graph_runtime::ApiVersion::#variant);
        }
    });
    let writes = writes(input, template);
    let body = body(input);
    let outer = fallback::alias_and_send(input, &response);

    quote! {
        #item

        #[automatically_derived]
        impl ::graph_runtime::GraphAction for #ident {
            type Response = #response;
            const METHOD: ::graph_runtime::__private::Method =
                ::graph_runtime::__private::Method::#method_ident;
            const PATH: &'static str = #path;
            const IDEMPOTENT: bool = #idempotent;
            #version

            #[inline]
            fn write_request(&self, req: &mut ::graph_runtime::__private::RequestWriter) {
                #writes
                #body
            }
        }

        #paged_impl
        #outer
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

/// The response type and, for `paged`, the `PagedAction` impl.
pub fn response_type(input: &Input, args: &Args) -> (TokenStream, TokenStream) {
    let ident = input.ident;
    match (&args.response, &args.paged) {
        (Some((_, ty)), Some(_)) => (
            quote!(::graph_runtime::Page<#ty>),
            quote! {
                #[automatically_derived]
                impl ::graph_runtime::PagedAction for #ident {
                    type Item = #ty;
                }
            },
        ),
        (Some((_, ty)), None) => (quote!(#ty), TokenStream::new()),
        (None, _) => (quote!(()), TokenStream::new()),
    }
}

/// The `req.lit`/`req.param`/`req.query`/`req.header` calls in template order.
fn writes(input: &Input, template: &Template) -> TokenStream {
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
            Role::Path | Role::Body | Role::Invalid => continue,
        };
        let cfg = &field.cfg_attrs;
        let call = role_call(field, field.ty, role, method, quote!(#name));
        out.extend(quote!(#(#cfg)* #call));
    }
    out
}

/// `<Type as ::graph_runtime::Role>::method(&self.field, req, args);`, every
/// token spanned at `ty` (the field's type): a type that does not fit the role
/// is reported there, in the words of the role's trait, and nothing else of
/// the call can be blamed.
fn role_call(
    field: &Field,
    ty: &Type,
    role: TokenStream,
    method: TokenStream,
    args: TokenStream,
) -> TokenStream {
    let ident = field.ident;
    let span = ty.span();
    let role = respan(role, span);
    let method = respan(method, span);
    let args = respan(args, span);
    quote_spanned!(span=> <#ty as ::graph_runtime::#role>::#method(&self.#ident, req, #args);)
}

/// `tokens` with every span set to `span` (literals and groups included).
fn respan(tokens: TokenStream, span: proc_macro2::Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let proc_macro2::TokenTree::Group(g) = &tt {
                let mut group = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                tt = proc_macro2::TokenTree::Group(group);
            } else {
                tt.set_span(span);
            }
            tt
        })
        .collect()
}

/// The fn-local body type and the `json_body` call, when there are body fields.
///
/// Without `#[serde]` attributes the body is written property by property (see
/// [`field_body`]). With them, a fn-local body type borrowing the fields derives
/// `Serialize` and the attributes are forwarded to it.
fn body(input: &Input) -> TokenStream {
    let fields: Vec<&Field> = input.body_fields().collect();
    if fields.is_empty() {
        return TokenStream::new();
    }
    let container_attrs: Vec<_> = if input.derives_serde {
        Vec::new()
    } else {
        input.serde_attrs.clone()
    };
    if container_attrs.is_empty() && fields.iter().all(|f| f.serde_attrs.is_empty()) {
        field_body(&fields)
    } else {
        derived_body(&fields, &container_attrs)
    }
}

/// `req.json_object()` then one `req.json_field` per field (`req.json_opt_field`
/// for an `Option`, which leaves `None` out):
/// no body type, no serde derive, nothing per action but these calls. Each value
/// is spanned at the field's type, so a type that is not `Serialize` is
/// reported there.
fn field_body(fields: &[&Field]) -> TokenStream {
    let writes = fields.iter().map(|f| {
        let key = template::camel_case(&f.name);
        let cfg = &f.cfg_attrs;
        let call = match option_inner(f.ty) {
            Some(inner) => role_call(
                f,
                inner,
                quote!(BodyProperty),
                quote!(write_opt_property),
                quote!(#key),
            ),
            None => role_call(
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

fn derived_body(fields: &[&Field], container_attrs: &[&syn::Attribute]) -> TokenStream {
    let user_renames = container_attrs
        .iter()
        .any(|a| a.meta.to_token_stream_string().contains("rename_all"));
    let rename_all = if user_renames {
        TokenStream::new()
    } else {
        quote!(#[serde(rename_all = "camelCase")])
    };
    let decls = fields.iter().map(|f| {
        let ident = f.ident;
        let ty = f.ty;
        let cfg = &f.cfg_attrs;
        let serde = &f.serde_attrs;
        let user_skips = serde.iter().any(|a| {
            let s = a.meta.to_token_stream_string();
            s.contains("skip_serializing") || s.contains("skip ") || s.ends_with("skip)")
        });
        let skip = if is_option(ty) && !user_skips {
            quote!(#[serde(skip_serializing_if = "::graph_runtime::__private::is_none")])
        } else {
            TokenStream::new()
        };
        quote!(#(#cfg)* #(#serde)* #skip #ident: &'__a #ty,)
    });
    let inits = fields.iter().map(|f| {
        let ident = f.ident;
        let cfg = &f.cfg_attrs;
        quote!(#(#cfg)* #ident: &self.#ident,)
    });
    quote! {
        #[derive(::graph_runtime::__private::serde::Serialize)]
        #[serde(crate = "::graph_runtime::__private::serde")]
        #rename_all
        #(#container_attrs)*
        struct __Body<'__a> {
            #(#decls)*
        }
        req.json_body(&__Body { #(#inits)* });
    }
}

trait MetaText {
    fn to_token_stream_string(&self) -> String;
}

impl MetaText for syn::Meta {
    fn to_token_stream_string(&self) -> String {
        quote!(#self).to_string()
    }
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
