//! Parsing the attribute's arguments and the field attributes.
//!
//! One `Option` per option; a repeated option is an error at the repetition.
//! Grammar errors stop the parse of the arguments (what follows cannot be
//! trusted), everything else is collected and parsing goes on.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Attribute, Ident, LitStr, Meta, Token, Type};

/// The usage line appended to grammar errors.
pub const USAGE: &str = "expected `#[graph_action(POST, \"/path/<id>\", response = Type)]`";

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

const OPTIONS: &str = "`response = Type`, `version = \"beta\"`, `paged` or `idempotent`";

/// The HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    fn from_str(s: &str) -> Option<Method> {
        Some(match s {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            _ => return None,
        })
    }

    /// `POST`
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// GET, PUT and DELETE may be repeated by definition.
    pub fn idempotent(self) -> bool {
        matches!(self, Method::Get | Method::Put | Method::Delete)
    }

    /// GET and DELETE carry no body.
    pub fn has_body(self) -> bool {
        !matches!(self, Method::Get | Method::Delete)
    }
}

/// The pinned API version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V1,
    Beta,
}

/// The arguments of `#[graph_action(...)]`, as far as they could be read.
#[derive(Default)]
pub struct Args {
    /// The method and its identifier (for spans).
    pub method: Option<(Method, Ident)>,
    pub path: Option<LitStr>,
    pub response: Option<(Ident, Type)>,
    pub version: Option<(Ident, Version)>,
    pub paged: Option<Ident>,
    pub idempotent: Option<Ident>,
}

/// Parses the attribute arguments, pushing every error found into `errors`.
pub fn parse_args(tokens: TokenStream, errors: &mut Vec<syn::Error>) -> Args {
    let mut args = Args::default();
    let parser = |input: ParseStream| {
        parse_args_inner(input, &mut args, errors);
        // Whatever is left after a grammar error is skipped: the error said so.
        input.step(|cursor| {
            let mut rest = *cursor;
            while let Some((_, next)) = rest.token_tree() {
                rest = next;
            }
            Ok(((), rest))
        })
    };
    if let Err(e) = parser.parse2(tokens) {
        errors.push(e);
    }
    args
}

fn usage_error(span: Span, what: &str) -> syn::Error {
    syn::Error::new(span, format!("{what}\n{USAGE}"))
}

fn parse_args_inner(input: ParseStream, args: &mut Args, errors: &mut Vec<syn::Error>) {
    if input.is_empty() {
        errors.push(usage_error(
            Span::call_site(),
            "missing the method and the path",
        ));
        return;
    }

    // METHOD
    if input.peek(LitStr) {
        let lit: LitStr = match input.parse() {
            Ok(l) => l,
            Err(e) => return errors.push(e),
        };
        let value = lit.value();
        if METHODS.contains(&value.to_ascii_uppercase().as_str()) {
            errors.push(syn::Error::new(
                lit.span(),
                format!(
                    "the method is a bare identifier, not a string\nhelp: write `{}`",
                    value.to_ascii_uppercase()
                ),
            ));
            if let Some(m) = Method::from_str(&value.to_ascii_uppercase()) {
                args.method = Some((m, Ident::new(m.as_str(), lit.span())));
            }
        } else {
            errors.push(usage_error(
                lit.span(),
                "missing the method before the path",
            ));
            return;
        }
    } else if input.peek(Ident::peek_any) {
        let ident: Ident = match input.call(syn::ext::IdentExt::parse_any) {
            Ok(i) => i,
            Err(e) => return errors.push(e),
        };
        let name = ident.to_string();
        match Method::from_str(&name) {
            Some(m) => args.method = Some((m, ident)),
            None => {
                let upper = name.to_ascii_uppercase();
                let msg = if let Some(m) = Method::from_str(&upper) {
                    args.method = Some((m, ident.clone()));
                    format!("the method is written in uppercase\nhelp: write `{upper}`")
                } else {
                    format!(
                        "unknown method `{name}`\nhelp: use one of `GET`, `POST`, `PUT`, `PATCH`, `DELETE`"
                    )
                };
                errors.push(syn::Error::new(ident.span(), msg));
            }
        }
    } else {
        errors.push(usage_error(input.span(), "expected the HTTP method"));
        return;
    }

    // , "PATH"
    let method_span = args
        .method
        .as_ref()
        .map_or_else(Span::call_site, |(_, i)| i.span());
    if input.is_empty() {
        errors.push(usage_error(
            method_span,
            "missing the path after the method",
        ));
        return;
    }
    if let Err(e) = input.parse::<Token![,]>() {
        errors.push(usage_error(e.span(), "expected `,` after the method"));
        return;
    }
    if input.is_empty() {
        errors.push(usage_error(
            method_span,
            "missing the path after the method",
        ));
        return;
    }
    if input.peek(LitStr) {
        match input.parse::<LitStr>() {
            Ok(l) => args.path = Some(l),
            Err(e) => return errors.push(e),
        }
    } else {
        let span = input.span();
        errors.push(usage_error(
            span,
            "expected the path as a string literal, as in \"/communications/calls/<callId>\"",
        ));
        return;
    }

    // [, option]*
    while !input.is_empty() {
        if let Err(e) = input.parse::<Token![,]>() {
            errors.push(usage_error(e.span(), "expected `,` between the arguments"));
            return;
        }
        if input.is_empty() {
            break;
        }
        let name: Ident = match input.call(syn::ext::IdentExt::parse_any) {
            Ok(i) => i,
            Err(_) => {
                errors.push(syn::Error::new(
                    input.span(),
                    format!("expected an option: {OPTIONS}"),
                ));
                return;
            }
        };
        let key = name.to_string();
        let result = match key.as_str() {
            "response" => option_response(input, &name, args, errors),
            "version" => option_version(input, &name, args, errors),
            "paged" => option_flag(input, &name, &mut args.paged, errors),
            "idempotent" => option_flag(input, &name, &mut args.idempotent, errors),
            _ => {
                errors.push(syn::Error::new(
                    name.span(),
                    format!("unknown option `{key}`\nhelp: the options are {OPTIONS}"),
                ));
                skip_value(input);
                Ok(())
            }
        };
        if let Err(e) = result {
            errors.push(e);
            return;
        }
    }
}

fn duplicate(name: &Ident) -> syn::Error {
    syn::Error::new(
        name.span(),
        format!("duplicate option `{name}`\nhelp: remove this one"),
    )
}

fn option_response(
    input: ParseStream,
    name: &Ident,
    args: &mut Args,
    errors: &mut Vec<syn::Error>,
) -> syn::Result<()> {
    if !input.peek(Token![=]) {
        return Err(syn::Error::new(
            name.span(),
            "`response` needs a type\nhelp: write `response = Type`",
        ));
    }
    input.parse::<Token![=]>()?;
    let ty: Type = input.parse().map_err(|e| {
        syn::Error::new(
            e.span(),
            "expected a type after `response =`, as in `response = Call`",
        )
    })?;
    if args.response.is_some() {
        errors.push(duplicate(name));
    } else {
        args.response = Some((name.clone(), ty));
    }
    Ok(())
}

fn option_version(
    input: ParseStream,
    name: &Ident,
    args: &mut Args,
    errors: &mut Vec<syn::Error>,
) -> syn::Result<()> {
    const HELP: &str = "help: write `version = \"beta\"` or `version = \"v1.0\"`";
    if !input.peek(Token![=]) {
        return Err(syn::Error::new(
            name.span(),
            format!("`version` needs a value\n{HELP}"),
        ));
    }
    input.parse::<Token![=]>()?;
    let version = if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        match lit.value().as_str() {
            "beta" => Some(Version::Beta),
            "v1.0" => Some(Version::V1),
            other => {
                errors.push(syn::Error::new(
                    lit.span(),
                    format!("unknown API version \"{other}\"\n{HELP}"),
                ));
                None
            }
        }
    } else {
        let span = input.span();
        skip_value(input);
        return Err(syn::Error::new(
            span,
            format!("the version is a string literal\n{HELP}"),
        ));
    };
    if args.version.is_some() {
        errors.push(duplicate(name));
    } else if let Some(v) = version {
        args.version = Some((name.clone(), v));
    }
    Ok(())
}

fn option_flag(
    input: ParseStream,
    name: &Ident,
    slot: &mut Option<Ident>,
    errors: &mut Vec<syn::Error>,
) -> syn::Result<()> {
    if input.peek(Token![=]) {
        let eq = input.parse::<Token![=]>()?;
        skip_value(input);
        errors.push(syn::Error::new(
            eq.span(),
            format!("`{name}` takes no value\nhelp: write `{name}` alone"),
        ));
    }
    if slot.is_some() {
        errors.push(duplicate(name));
    } else {
        *slot = Some(name.clone());
    }
    Ok(())
}

/// Skips `= value` up to the next top-level comma, counting `<` `>` so that the
/// commas of `HashMap<K, V>` are not taken for separators.
fn skip_value(input: ParseStream) {
    let _ = input.step(|cursor| {
        let mut rest = *cursor;
        let mut depth = 0usize;
        while let Some((tt, next)) = rest.token_tree() {
            if let TokenTree::Punct(p) = &tt {
                match p.as_char() {
                    ',' if depth == 0 => break,
                    '<' => depth += 1,
                    '>' => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
            rest = next;
        }
        Ok(((), rest))
    });
}

/// The role of a field, from its attributes.
#[derive(Clone)]
pub enum Role {
    /// A JSON body property (no attribute).
    Body,
    /// `#[path]`
    Path,
    /// `#[query]` or `#[query("$top")]`; the explicit name, if any.
    Query(Option<LitStr>),
    /// `#[header("Name")]`
    Header(LitStr),
    /// A role attribute that could not be read (already reported): the field is
    /// left out of the other checks, so there is no follow-on error.
    Invalid,
}

impl Role {
    pub fn is_body(&self) -> bool {
        matches!(self, Role::Body)
    }

    pub fn is_path(&self) -> bool {
        matches!(self, Role::Path)
    }

    pub fn is_invalid(&self) -> bool {
        matches!(self, Role::Invalid)
    }
}

/// Is `attr` one of ours (`path`, `query`, `header`)?
pub fn is_role_attr(attr: &Attribute) -> bool {
    let p = attr.path();
    p.is_ident("path") || p.is_ident("query") || p.is_ident("header")
}

/// Reads the role attributes of one field. Returns the first valid role and the
/// span of the attribute that gave it.
pub fn field_role(attrs: &[Attribute], errors: &mut Vec<syn::Error>) -> (Role, Option<Span>) {
    let mut role: Option<(Role, Span, String)> = None;
    let mut invalid = false;
    for attr in attrs.iter().filter(|a| is_role_attr(a)) {
        let Some(kind) = attr.path().get_ident().map(Ident::to_string) else {
            continue;
        };
        let span = attr.path().span();
        let parsed = match kind.as_str() {
            "path" => parse_path_attr(attr),
            "query" => parse_query_attr(attr),
            _ => parse_header_attr(attr),
        };
        let parsed = match parsed {
            Ok(r) => r,
            Err(e) => {
                errors.push(e);
                invalid = true;
                continue;
            }
        };
        match &role {
            Some((_, _, first)) if *first == kind => errors.push(syn::Error::new(
                span,
                format!("duplicate `#[{kind}]`\nhelp: remove this one"),
            )),
            Some((_, _, first)) => errors.push(syn::Error::new(
                span,
                format!(
                    "a field has one role, and this one is already `#[{first}]`\n\
                     help: keep one of `#[path]`, `#[query]`, `#[header(..)]`; \
                     a field without any is a body property"
                ),
            )),
            None => role = Some((parsed, span, kind)),
        }
    }
    match role {
        Some((r, span, _)) => (r, Some(span)),
        None if invalid => (Role::Invalid, None),
        None => (Role::Body, None),
    }
}

fn parse_path_attr(attr: &Attribute) -> syn::Result<Role> {
    match &attr.meta {
        Meta::Path(_) => Ok(Role::Path),
        other => Err(syn::Error::new(
            other.span(),
            "`#[path]` takes no arguments: the field's name in camelCase is its placeholder\n\
             help: write `#[path]` and name the field after the placeholder \
             (`call_id` for `<callId>`)",
        )),
    }
}

fn parse_query_attr(attr: &Attribute) -> syn::Result<Role> {
    const HELP: &str = "help: write `#[query]` for the field's camelCase name, \
                        or `#[query(\"$top\")]` to name it";
    match &attr.meta {
        Meta::Path(_) => Ok(Role::Query(None)),
        Meta::List(list) => {
            let name: LitStr = list.parse_args().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    format!("expected the query parameter's name as a string\n{HELP}"),
                )
            })?;
            if name.value().is_empty() {
                return Err(syn::Error::new(
                    name.span(),
                    format!("the query parameter's name is empty\n{HELP}"),
                ));
            }
            if name.value().contains(['&', '=', '?', '#'])
                || name.value().contains(char::is_whitespace)
            {
                return Err(syn::Error::new(
                    name.span(),
                    format!(
                        "`{}` is not a query parameter name: it holds `&`, `=`, `?`, `#` or whitespace\n{HELP}",
                        name.value()
                    ),
                ));
            }
            Ok(Role::Query(Some(name)))
        }
        Meta::NameValue(nv) => Err(syn::Error::new(
            nv.eq_token.span,
            format!("`#[query = ...]` is not the syntax\n{HELP}"),
        )),
    }
}

fn parse_header_attr(attr: &Attribute) -> syn::Result<Role> {
    const HELP: &str = "help: write `#[header(\"ConsistencyLevel\")]`";
    match &attr.meta {
        Meta::Path(p) => Err(syn::Error::new(
            p.span(),
            format!("`#[header]` needs the header's name\n{HELP}"),
        )),
        Meta::List(list) => {
            let name: LitStr = list.parse_args().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    format!("expected the header's name as a string\n{HELP}"),
                )
            })?;
            let value = name.value();
            if value.is_empty() || !value.bytes().all(is_token_char) {
                return Err(syn::Error::new(
                    name.span(),
                    format!(
                        "\"{value}\" is not a valid header name: use letters, digits and `-`\n{HELP}"
                    ),
                ));
            }
            let lower = value.to_ascii_lowercase();
            if matches!(
                lower.as_str(),
                "authorization" | "content-type" | "content-length" | "client-request-id" | "host"
            ) {
                return Err(syn::Error::new(
                    name.span(),
                    format!(
                        "header `{value}` is set by the client and cannot be a field\n\
                         help: remove this field"
                    ),
                ));
            }
            Ok(Role::Header(name))
        }
        Meta::NameValue(nv) => Err(syn::Error::new(
            nv.eq_token.span,
            format!("`#[header = ...]` is not the syntax\n{HELP}"),
        )),
    }
}

/// RFC 9110 `tchar`.
fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}
