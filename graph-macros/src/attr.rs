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

use crate::sink::Sink;
use crate::template;

/// The usage line appended to grammar errors.
pub const USAGE: &str = "expected `#[graph_action(POST, \"/path/<id>\", response = Type)]`";

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

const OPTIONS: &str =
    "`response = Type`, `version = \"beta\"`, `paged`, `idempotent` or `crate = path`";

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
    /// `crate = path`: where graph-runtime is.
    pub krate: Option<(Ident, syn::Path)>,
}

impl Args {
    /// The path generated code names the runtime by: `crate = path`, or
    /// `::graph_runtime`.
    pub fn runtime(&self) -> TokenStream {
        match &self.krate {
            Some((_, path)) => quote::quote!(#path),
            None => quote::quote!(::graph_runtime),
        }
    }
}

/// Parses the attribute arguments, pushing every error found into `errors`.
pub fn parse_args(tokens: TokenStream, sink: &mut Sink) -> Args {
    let mut args = Args::default();
    let mut errors = Vec::new();
    let parser = |input: ParseStream| {
        parse_args_inner(input, &mut args, &mut errors);
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
    for e in errors {
        sink.push(e);
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
            "crate" => option_crate(input, &name, args, errors),
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
    let ty: Type = if input.peek(LitStr) {
        // `response = "Call"`: serde writes paths as strings; this is a type.
        let lit: LitStr = input.parse()?;
        let text = lit.value();
        let parsed = syn::parse_str::<Type>(&text)
            .ok()
            .map(|t| respan_type(t, lit.span()));
        let help = if parsed.is_some() {
            format!("help: write `response = {text}`")
        } else {
            "help: write the type itself, as in `response = Call`".to_owned()
        };
        errors.push(syn::Error::new(
            lit.span(),
            format!("`response` takes a type, not a string\n{help} (remove the quotes)"),
        ));
        match parsed {
            Some(t) => t,
            None => return Ok(()),
        }
    } else {
        input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected a type after `response =`, as in `response = Call`",
            )
        })?
    };
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

fn option_crate(
    input: ParseStream,
    name: &Ident,
    args: &mut Args,
    errors: &mut Vec<syn::Error>,
) -> syn::Result<()> {
    const HELP: &str = "help: write `crate = my_crate::graph_runtime`, the path graph-runtime \
                        is re-exported at";
    if !input.peek(Token![=]) {
        return Err(syn::Error::new(
            name.span(),
            format!("`crate` needs the path of graph-runtime\n{HELP}"),
        ));
    }
    input.parse::<Token![=]>()?;
    // `crate = "path"` as serde writes it is taken too.
    let path: syn::Path = if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        lit.parse().map_err(|_| {
            syn::Error::new(
                lit.span(),
                format!("`{}` is not a path\n{HELP}", lit.value()),
            )
        })?
    } else {
        input.call(syn::Path::parse_mod_style).map_err(|e| {
            syn::Error::new(e.span(), format!("expected a path after `crate =`\n{HELP}"))
        })?
    };
    if args.krate.is_some() {
        errors.push(duplicate(name));
    } else {
        args.krate = Some((name.clone(), path));
    }
    Ok(())
}

/// `ty` with every token spanned at `span` (a type read from a string literal).
fn respan_type(ty: Type, span: Span) -> Type {
    let tokens: TokenStream = quote::quote!(#ty)
        .into_iter()
        .map(|mut tt| {
            tt.set_span(span);
            tt
        })
        .collect();
    syn::parse2(tokens).unwrap_or(ty)
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
}

impl Role {
    pub fn is_body(&self) -> bool {
        matches!(self, Role::Body)
    }

    pub fn is_path(&self) -> bool {
        matches!(self, Role::Path)
    }
}

/// Is `attr` one of ours (`path`, `query`, `header`)?
pub fn is_role_attr(attr: &Attribute) -> bool {
    let p = attr.path();
    p.is_ident("path") || p.is_ident("query") || p.is_ident("header")
}

/// Is `attr` `#[graph_action(..)]` itself, by any path?
pub fn is_graph_action_attr(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "graph_action")
}

/// The role attributes of one field, as far as they could be read.
pub struct FieldRole {
    pub role: Role,
    /// The role attribute (for spans); `None` for a body field.
    pub span: Option<Span>,
    /// Every role attribute could be read; when false the errors say why and the
    /// field is left out of the cross rules.
    pub readable: bool,
}

/// Reads the role attributes of the field named `field` (its name without
/// `r#`, for the helps). The first valid role wins; the others are errors.
pub fn field_role(attrs: &[Attribute], field: &str, errors: &mut Vec<syn::Error>) -> FieldRole {
    let mut role: Option<(Role, Span, String)> = None;
    let mut readable = true;
    for attr in attrs.iter().filter(|a| is_role_attr(a)) {
        let Some(kind) = attr.path().get_ident().map(Ident::to_string) else {
            continue;
        };
        let span = attr.path().span();
        let parsed = match kind.as_str() {
            "path" => parse_path_attr(attr, field),
            "query" => parse_query_attr(attr, field),
            _ => parse_header_attr(attr, field),
        };
        let parsed = match parsed {
            Ok(r) => r,
            Err(e) => {
                errors.push(e);
                readable = false;
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
        Some((role, span, _)) => FieldRole {
            role,
            span: Some(span),
            readable,
        },
        None => FieldRole {
            role: Role::Body,
            span: None,
            readable,
        },
    }
}

fn parse_path_attr(attr: &Attribute, field: &str) -> syn::Result<Role> {
    let meant = match &attr.meta {
        Meta::Path(_) => return Ok(Role::Path),
        Meta::List(list) => meant_name(&list.tokens),
        Meta::NameValue(nv) => meant_value(&nv.value),
    };
    let meant = meant.trim_start_matches('<').trim_end_matches('>');
    let help = if template::is_identifier(meant) && template::snake_case(meant) != field {
        format!(
            "help: write `#[path]` and name the field `{}`, after `<{meant}>`",
            template::field_ident(&template::snake_case(meant))
        )
    } else {
        format!(
            "help: write `#[path]` alone; `{field}` fills `<{}>`",
            template::camel_case(field)
        )
    };
    Err(syn::Error::new(
        attr.meta.span(),
        format!(
            "`#[path]` takes no arguments: the field's name in camelCase is its placeholder\n{help}"
        ),
    ))
}

/// The text of the argument tokens of `#[name(...)]`, unquoted when it is one
/// string literal: what the user meant as the name.
fn meant_name(tokens: &TokenStream) -> String {
    if let Ok(lit) = syn::parse2::<LitStr>(tokens.clone()) {
        return lit.value();
    }
    tokens.to_string().replace(' ', "")
}

/// The value of `#[name = value]`, unquoted when it is a string literal.
fn meant_value(value: &syn::Expr) -> String {
    match value {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => s.value(),
        other => quote::quote!(#other).to_string().replace(' ', ""),
    }
}

fn parse_query_attr(attr: &Attribute, field: &str) -> syn::Result<Role> {
    let default = template::camel_case(field);
    let help = |name: &str| {
        format!(
            "help: write `#[query]` for the name `{default}`, or `#[query(\"{name}\")]` to name it"
        )
    };
    match &attr.meta {
        Meta::Path(_) => Ok(Role::Query(None)),
        Meta::List(list) => {
            let name: LitStr = list.parse_args().map_err(|e| {
                let meant = meant_name(&list.tokens);
                let meant = if meant.is_empty() {
                    "$top".to_owned()
                } else {
                    meant
                };
                syn::Error::new(
                    e.span(),
                    format!(
                        "expected the query parameter's name as a string\n{}",
                        help(&meant)
                    ),
                )
            })?;
            let value = name.value();
            if value.is_empty() {
                return Err(syn::Error::new(
                    name.span(),
                    format!(
                        "the query parameter's name is empty\nhelp: write `#[query]` for the name `{default}`"
                    ),
                ));
            }
            if value.contains(['&', '=', '?', '#']) || value.contains(char::is_whitespace) {
                // `$top=10`: the name is what comes before; the value is the field's.
                let fixed: String = value
                    .chars()
                    .skip_while(|c| matches!(c, '&' | '?') || c.is_whitespace())
                    .take_while(|c| !matches!(c, '&' | '=' | '?' | '#') && !c.is_whitespace())
                    .collect();
                let fixed = if fixed.is_empty() {
                    default.clone()
                } else {
                    fixed
                };
                return Err(syn::Error::new(
                    name.span(),
                    format!(
                        "`{value}` is not a query parameter name: it holds `&`, `=`, `?`, `#` or whitespace\n{}",
                        help(&fixed)
                    ),
                ));
            }
            Ok(Role::Query(Some(name)))
        }
        Meta::NameValue(nv) => Err(syn::Error::new(
            nv.eq_token.span,
            format!(
                "`#[query = ...]` is not the syntax\n{}",
                help(&meant_value(&nv.value))
            ),
        )),
    }
}

/// `consistency_level` → `ConsistencyLevel`: the header a field most likely means.
fn header_case(field: &str) -> String {
    let camel = template::camel_case(field);
    let mut chars = camel.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => camel,
    }
}

fn parse_header_attr(attr: &Attribute, field: &str) -> syn::Result<Role> {
    let help = |name: &str| format!("help: write `#[header(\"{name}\")]`");
    match &attr.meta {
        Meta::Path(p) => Err(syn::Error::new(
            p.span(),
            format!(
                "`#[header]` needs the header's name\n{}",
                help(&header_case(field))
            ),
        )),
        Meta::List(list) => {
            let name: LitStr = list.parse_args().map_err(|e| {
                let meant = meant_name(&list.tokens);
                let meant = if meant.is_empty() {
                    header_case(field)
                } else {
                    meant
                };
                syn::Error::new(
                    e.span(),
                    format!("expected the header's name as a string\n{}", help(&meant)),
                )
            })?;
            let value = name.value();
            if value.is_empty() || !value.bytes().all(is_token_char) {
                let fixed: String = value
                    .trim()
                    .chars()
                    .map(|c| {
                        if c.is_ascii() && is_token_char(c as u8) {
                            c
                        } else {
                            '-'
                        }
                    })
                    .collect();
                let fixed = if fixed.is_empty() {
                    header_case(field)
                } else {
                    fixed
                };
                return Err(syn::Error::new(
                    name.span(),
                    format!(
                        "\"{value}\" is not a valid header name: use letters, digits and `-`\n{}",
                        help(&fixed)
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
            format!(
                "`#[header = ...]` is not the syntax\n{}",
                help(&meant_value(&nv.value))
            ),
        )),
    }
}

/// RFC 9110 `tchar`.
fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// What a field's `#[serde(...)]` attributes say about its JSON name, read
/// with `parse_nested_meta`. Options this macro does not need are skipped; an
/// attribute that does not parse leaves `understood` false (serde reports it).
#[derive(Default)]
pub struct SerdeField {
    /// `rename = "x"` or `rename(serialize = "x")`.
    pub rename: Option<LitStr>,
    /// `skip` or `skip_serializing`: never written.
    pub skip: bool,
    /// `skip_serializing_if = ".."`: the user decides when it is left out.
    pub skip_if: bool,
    /// `flatten`: its properties are its value's.
    pub flatten: bool,
    /// Every attribute parsed (otherwise serde reports it).
    pub understood: bool,
    /// Understood, and nothing but `rename` and `skip`/`skip_serializing`:
    /// the field can be written like one without attributes (under its renamed
    /// key, or not at all), with no serde-derived body type.
    pub plain: bool,
}

/// Reads the `#[serde(...)]` attributes of a field.
pub fn serde_field(attrs: &[&Attribute]) -> SerdeField {
    let mut out = SerdeField {
        understood: true,
        plain: true,
        ..SerdeField::default()
    };
    for attr in attrs {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                if meta.input.peek(Token![=]) {
                    out.rename = Some(meta.value()?.parse()?);
                } else {
                    meta.parse_nested_meta(|inner| {
                        if inner.path.is_ident("serialize") {
                            out.rename = Some(inner.value()?.parse()?);
                            Ok(())
                        } else {
                            skip_meta(&inner)
                        }
                    })?;
                }
                Ok(())
            } else if meta.path.is_ident("skip") || meta.path.is_ident("skip_serializing") {
                out.skip = true;
                Ok(())
            } else if meta.path.is_ident("skip_serializing_if") {
                out.skip_if = true;
                out.plain = false;
                skip_meta(&meta)
            } else if meta.path.is_ident("flatten") {
                out.flatten = true;
                out.plain = false;
                Ok(())
            } else {
                out.plain = false;
                skip_meta(&meta)
            }
        });
        if parsed.is_err() {
            out.understood = false;
            out.plain = false;
        }
    }
    out
}

/// The `rename_all` of container `#[serde(...)]` attributes (its `serialize`
/// rule when split), if any; `Err` when an attribute does not parse.
pub fn serde_rename_all(attrs: &[&Attribute]) -> Result<Option<String>, ()> {
    let mut rule = None;
    for attr in attrs {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename_all") {
                if meta.input.peek(Token![=]) {
                    rule = Some(meta.value()?.parse::<LitStr>()?.value());
                } else {
                    meta.parse_nested_meta(|inner| {
                        if inner.path.is_ident("serialize") {
                            rule = Some(inner.value()?.parse::<LitStr>()?.value());
                            Ok(())
                        } else {
                            skip_meta(&inner)
                        }
                    })?;
                }
                Ok(())
            } else {
                skip_meta(&meta)
            }
        })
        .map_err(|_| ())?;
    }
    Ok(rule)
}

/// Consumes an option's `= value` or `(...)`, whatever it holds.
fn skip_meta(meta: &syn::meta::ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        let value = meta.value()?;
        value.step(|cursor| {
            let mut rest = *cursor;
            while let Some((tt, next)) = rest.token_tree() {
                if matches!(&tt, TokenTree::Punct(p) if p.as_char() == ',') {
                    break;
                }
                rest = next;
            }
            Ok(((), rest))
        })
    } else if meta.input.peek(syn::token::Paren) {
        meta.parse_nested_meta(|inner| skip_meta(&inner))
    } else {
        Ok(())
    }
}
