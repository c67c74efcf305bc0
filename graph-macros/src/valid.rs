//! The rules that look at more than one thing: placeholders against `#[path]`
//! fields, method against body fields, options against the method.

use proc_macro2::Span;
use quote::quote;
use syn::{LitStr, Type};

use crate::ast::{Field, Input};
use crate::attr::{self, Args, Method, Role};
use crate::sink::{Sink, Subject};
use crate::template::{self, Template, TemplateError};

/// The span of bytes `range` of the literal's value: a sub-span where the
/// compiler can give one (nightly), the whole literal otherwise.
pub fn lit_subspan(lit: &LitStr, range: std::ops::Range<usize>) -> Span {
    let token = lit.token();
    let text = token.to_string();
    // Offsets in the value equal offsets in the source (after the opening quote)
    // only when the literal has no escapes.
    let prefix = if let Some(raw) = text.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        1 + hashes + 1
    } else if text.contains('\\') {
        return lit.span();
    } else {
        1
    };
    token
        .subspan(range.start + prefix..range.end + prefix)
        .unwrap_or_else(|| lit.span())
}

/// Parses the path literal, turning template errors into spanned errors; a
/// malformed placeholder blames [`Subject::Placeholders`].
pub fn template(lit: &LitStr, sink: &mut Sink) -> Template {
    let (template, problems) = template::parse(&lit.value());
    for TemplateError {
        range,
        message,
        placeholder,
    } in problems
    {
        let error = syn::Error::new(lit_subspan(lit, range), message);
        if placeholder {
            sink.blame(Subject::Placeholders, error);
        } else {
            sink.push(error);
        }
    }
    template
}

/// Checks the cross rules, pushing every error found.
pub fn check(input: &Input, args: &Args, template: Option<&Template>, sink: &mut Sink) {
    check_response(input, args, sink);
    if sink.blamed(Subject::Shape) {
        // The item's shape was reported; field rules would only add noise.
        return;
    }
    if let (Some(template), Some(lit)) = (template, &args.path) {
        check_placeholders(input, template, lit, sink);
    }
    if let Some((method, _)) = &args.method {
        if !method.has_body() {
            for field in input.body_fields() {
                if sink.blamed(Subject::Field(field.index)) {
                    continue;
                }
                sink.push(syn::Error::new(
                    field.ident.span(),
                    format!(
                        "a {} request has no body, so `{}` needs a role\n\
                         help: mark it `#[query]` (or `#[path]` if the path has `<{}>`)",
                        method.as_str(),
                        field.name,
                        template::camel_case(&field.name),
                    ),
                ));
            }
        }
        if let Some(paged) = &args.paged
            && *method != Method::Get
        {
            sink.blame(
                Subject::Paged,
                syn::Error::new(
                    paged.span(),
                    format!(
                        "`paged` is for GET actions that list a collection, not {}\n\
                     help: remove `paged`, or make the action `GET`",
                        method.as_str()
                    ),
                ),
            );
        }
        if let Some(idem) = &args.idempotent
            && method.idempotent()
        {
            sink.push(syn::Error::new(
                idem.span(),
                format!(
                    "{} is idempotent already; GET, PUT and DELETE always are\n\
                     help: remove `idempotent`",
                    method.as_str()
                ),
            ));
        }
    }
    if let (Some(paged), None) = (&args.paged, &args.response) {
        sink.blame(
            Subject::Paged,
            syn::Error::new(
                paged.span(),
                "`paged` needs the item type of the collection\n\
             help: add `response = Item` (the action then returns `Page<Item>`)",
            ),
        );
    }
    for field in input.fields.iter().filter(|f| !f.role.is_body()) {
        if sink.blamed(Subject::Field(field.index)) {
            continue;
        }
        if !input.derives_serde
            && let Some(attr) = field.serde_attrs.first()
        {
            sink.push(syn::Error::new(
                attr.bracket_token.span.join(),
                format!(
                    "`#[serde(...)]` applies to body fields only, and `{}` is a {} field\n\
                     help: remove it{}",
                    field.name,
                    role_name(&field.role),
                    match field.role {
                        Role::Query(_) => "; name the parameter with `#[query(\"name\")]`",
                        _ => "",
                    }
                ),
            ));
        }
        if field.role.is_path()
            && let Some(cfg) = field.cfg_attrs.first()
        {
            sink.push(syn::Error::new_spanned(
                cfg,
                format!(
                    "a `#[path]` field cannot be `#[cfg]`-gated: the path needs `{}` in every build\n\
                     help: remove the `#[cfg]`, or declare one action per configuration",
                    field.name
                ),
            ));
        }
    }
    check_wire_names(input, sink);
}

fn role_name(role: &Role) -> &'static str {
    match role {
        Role::Body => "body",
        Role::Path => "`#[path]`",
        Role::Query(_) => "`#[query]`",
        Role::Header(_) => "`#[header]`",
    }
}

/// The last path segment of `ty` and its one type argument: `Vec<Item>`,
/// `graph_runtime::Page<Item>`.
fn wrapper_of(ty: &Type) -> Option<(&syn::Ident, &Type)> {
    let Type::Path(p) = ty else { return None };
    if p.qself.is_some() {
        return None;
    }
    let last = p.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(a) = &last.arguments else {
        return None;
    };
    match (a.args.len(), a.args.first()?) {
        (1, syn::GenericArgument::Type(inner)) => Some((&last.ident, inner)),
        _ => None,
    }
}

/// `paged` with a response that is already a page or a list, and a response
/// type named like the alias this attribute declares.
fn check_response(input: &Input, args: &Args, sink: &mut Sink) {
    let Some((_, ty)) = &args.response else {
        return;
    };
    if args.paged.is_some()
        && let Some((outer, inner)) = wrapper_of(ty)
        && (outer == "Vec" || outer == "Page")
    {
        let inner = quote!(#inner).to_string().replace(' ', "");
        let written = quote!(#ty).to_string().replace(' ', "");
        let what = if outer == "Page" { "pages" } else { "lists" };
        sink.blame(
            Subject::Paged,
            syn::Error::new_spanned(
                ty,
                format!(
                    "`paged` wraps `response` in `Page<..>`, so `{written}` would make the \
                     answer `Page<{written}>`, a page of {what}\n\
                     help: write `response = {inner}`, the type of one item"
                ),
            ),
        );
    }
    let alias = format!("{}Response", input.ident);
    if let Type::Path(p) = ty
        && p.qself.is_none()
        && p.path.segments.len() == 1
        && p.path.segments[0].ident == alias
    {
        sink.blame(
            Subject::Alias,
            syn::Error::new_spanned(
                ty,
                format!(
                    "`{alias}` is the name of the alias #[graph_action] declares for the \
                     answer of `{ident}` (`type {alias} = graph_runtime::Response<..>`), so \
                     the response type cannot have it\n\
                     help: rename this type, as in `{ident}Body`",
                    ident = input.ident,
                ),
            ),
        );
    }
}

fn check_placeholders(input: &Input, template: &Template, lit: &LitStr, sink: &mut Sink) {
    let mut filled = vec![false; input.fields.len()];
    let any_unreadable = input
        .fields
        .iter()
        .any(|f| sink.blamed(Subject::Field(f.index)));
    for param in template.params() {
        let snake = template::snake_case(&param.name);
        let span = lit_subspan(lit, param.range.clone());
        let exact = input.fields.iter().position(|f| f.name == snake);
        // `#[path] callId` for `<callId>`: the name is wrong, not the role.
        let misnamed = || {
            input.fields.iter().position(|f| {
                f.role.is_path() && f.name != snake && template::snake_case(&f.name) == snake
            })
        };
        match exact {
            Some(i)
                if input.fields[i].role.is_path()
                    || sink.blamed(Subject::Field(input.fields[i].index)) =>
            {
                filled[i] = true
            }
            Some(i) => {
                let field = &input.fields[i];
                sink.push(syn::Error::new(
                    field.role_or_ident_span(),
                    format!(
                        "`{}` fills placeholder `<{}>`, so it must be a `#[path]` field\n\
                         help: mark it `#[path]`{}",
                        field.name,
                        param.name,
                        match field.role {
                            Role::Body => "",
                            _ => " instead",
                        }
                    ),
                ));
                filled[i] = true;
            }
            None => {
                if let Some(i) = misnamed() {
                    let field = &input.fields[i];
                    sink.push(syn::Error::new(
                        field.ident.span(),
                        format!(
                            "rename `{}` to `{}`: a `#[path]` field is named in snake_case \
                             after its placeholder `<{}>`",
                            field.name,
                            template::field_ident(&snake),
                            param.name
                        ),
                    ));
                    filled[i] = true;
                    continue;
                }
                // A field with an unreadable role may be the one meant.
                if any_unreadable {
                    continue;
                }
                let unit = input.fields.is_empty()
                    && matches!(&input.item.data, syn::Data::Struct(s) if matches!(s.fields, syn::Fields::Unit));
                sink.push(syn::Error::new(
                    span,
                    format!(
                        "no field for placeholder `<{}>`\n\
                         help: add `#[path] pub {}: String` to the struct{}",
                        param.name,
                        template::field_ident(&snake),
                        if unit {
                            " (with braces: `struct Name { .. }`)"
                        } else {
                            ""
                        }
                    ),
                ));
            }
        }
    }
    // A malformed placeholder (`{callId}`, `<callId`) was reported already: the
    // field may be meant for it.
    if sink.blamed(Subject::Placeholders) {
        return;
    }
    for (field, filled) in input.fields.iter().zip(filled) {
        if field.role.is_path() && !filled {
            sink.push(syn::Error::new(
                field.ident.span(),
                format!(
                    "`#[path]` field `{}` has no placeholder in the path\n\
                     help: add `<{}>` to the path, or remove `#[path]`",
                    field.name,
                    template::camel_case(&field.name)
                ),
            ));
        }
    }
}

/// Two fields with one wire name: query parameters, headers (in any letter
/// case), body properties (after camelCase and `#[serde(rename)]`). Reported at
/// the second. Two fields both under `#[cfg]` may be alternatives: left alone.
fn check_wire_names(input: &Input, sink: &mut Sink) {
    struct Wire<'f, 'a> {
        field: &'f Field<'a>,
        /// The name as written or derived.
        name: String,
        /// What is compared.
        key: String,
        span: Span,
        /// Named by an attribute (`#[query("..")]`, `#[serde(rename)]`), not
        /// derived from the field's name.
        explicit: bool,
    }
    let mut queries = Vec::new();
    let mut headers = Vec::new();
    let mut bodies = Vec::new();
    let body_rule = body_rename_rule(input);
    for field in &input.fields {
        if sink.blamed(Subject::Field(field.index)) {
            continue;
        }
        match &field.role {
            Role::Query(explicit) => {
                let (name, span) = match explicit {
                    Some(lit) => (lit.value(), lit.span()),
                    None => (template::camel_case(&field.name), field.ident.span()),
                };
                queries.push(Wire {
                    field,
                    key: name.clone(),
                    name,
                    span,
                    explicit: explicit.is_some(),
                });
            }
            Role::Header(lit) => headers.push(Wire {
                field,
                name: lit.value(),
                key: lit.value().to_ascii_lowercase(),
                span: lit.span(),
                explicit: true,
            }),
            Role::Body => {
                let serde = &field.serde;
                if !serde.understood || serde.skip || serde.flatten {
                    continue;
                }
                let (name, span) = match &serde.rename {
                    Some(lit) => (lit.value(), lit.span()),
                    None => match &body_rule {
                        Some(rule) => match rename(&field.name, rule) {
                            Some(n) => (n, field.ident.span()),
                            None => continue,
                        },
                        None => continue,
                    },
                };
                bodies.push(Wire {
                    field,
                    key: name.clone(),
                    name,
                    span,
                    explicit: serde.rename.is_some(),
                });
            }
            Role::Path => {}
        }
    }
    let report = |list: &[Wire], what: &str, note: &str, sink: &mut Sink| {
        for (i, second) in list.iter().enumerate() {
            let Some(first) = list[..i].iter().find(|w| {
                w.key == second.key
                    && (w.field.cfg_attrs.is_empty() || second.field.cfg_attrs.is_empty())
            }) else {
                continue;
            };
            let same = if first.name == second.name {
                format!("`{}`", second.name)
            } else {
                format!("`{}` (as `{}`)", second.name, first.name)
            };
            let help = if second.explicit {
                "change this name, or remove one of the fields".to_owned()
            } else {
                format!(
                    "rename field `{}`, or remove one of them",
                    second.field.name
                )
            };
            sink.push(syn::Error::new(
                second.span,
                format!(
                    "{what} {same} is already written by field `{}`{note}\nhelp: {help}",
                    first.field.name
                ),
            ));
        }
    };
    report(&queries, "query parameter", "", sink);
    report(
        &headers,
        "header",
        "; header names ignore letter case",
        sink,
    );
    report(&bodies, "body property", "", sink);
}

/// The rule the body's property names follow: camelCase unless the struct's
/// own `#[serde(rename_all)]` goes to the body; `None` when it cannot be read.
fn body_rename_rule(input: &Input) -> Option<String> {
    if input.derives_serde {
        return Some("camelCase".to_owned());
    }
    match attr::serde_rename_all(&input.serde_attrs) {
        Ok(Some(rule)) => Some(rule),
        Ok(None) => Some("camelCase".to_owned()),
        Err(()) => None,
    }
}

/// serde's `rename_all` rules for a snake_case field name.
fn rename(field: &str, rule: &str) -> Option<String> {
    let camel = template::camel_case(field);
    Some(match rule {
        "lowercase" => field.to_lowercase(),
        "UPPERCASE" => field.to_uppercase(),
        "camelCase" => camel,
        "PascalCase" => {
            let mut c = camel.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        }
        "snake_case" => field.to_owned(),
        "SCREAMING_SNAKE_CASE" => field.to_uppercase(),
        "kebab-case" => field.replace('_', "-"),
        "SCREAMING-KEBAB-CASE" => field.replace('_', "-").to_uppercase(),
        _ => return None,
    })
}
