//! The rules that look at more than one thing: placeholders against `#[path]`
//! fields, method against body fields, options against the method.

use proc_macro2::Span;
use syn::LitStr;

use crate::ast::Input;
use crate::attr::{Args, Method, Role};
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

/// Parses the path literal, turning template errors into spanned errors. The
/// flag is false when a placeholder was malformed.
pub fn template(lit: &LitStr, errors: &mut Vec<syn::Error>) -> (Template, bool) {
    let (template, problems) = template::parse(&lit.value());
    let placeholders_ok = !problems.iter().any(|p| p.placeholder);
    for TemplateError { range, message, .. } in problems {
        errors.push(syn::Error::new(lit_subspan(lit, range), message));
    }
    (template, placeholders_ok)
}

/// Checks the cross rules, pushing every error found.
///
/// `template_ok` is false when a placeholder of the template was malformed:
/// then a `#[path]` field without a placeholder is not reported again.
pub fn check(
    input: &Input,
    args: &Args,
    template: Option<(&Template, bool)>,
    errors: &mut Vec<syn::Error>,
) {
    if !input.supported {
        // The item's shape was reported; field rules would only add noise.
        return;
    }
    if let (Some((template, template_ok)), Some(lit)) = (template, &args.path) {
        check_placeholders(input, template, template_ok, lit, errors);
    }
    if let Some((method, _)) = &args.method {
        if !method.has_body() {
            for field in input.body_fields() {
                errors.push(syn::Error::new(
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
            errors.push(syn::Error::new(
                paged.span(),
                format!(
                    "`paged` is for GET actions that list a collection, not {}\n\
                     help: remove `paged`, or make the action `GET`",
                    method.as_str()
                ),
            ));
        }
        if let Some(idem) = &args.idempotent
            && method.idempotent()
        {
            errors.push(syn::Error::new(
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
        errors.push(syn::Error::new(
            paged.span(),
            "`paged` needs the item type of the collection\n\
             help: add `response = Item` (the action then returns `Page<Item>`)",
        ));
    }
    if !input.derives_serde {
        for field in input
            .fields
            .iter()
            .filter(|f| !f.role.is_body() && !f.role.is_invalid())
        {
            if let Some(attr) = field.serde_attrs.first() {
                errors.push(syn::Error::new(
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
        }
    }
}

fn role_name(role: &Role) -> &'static str {
    match role {
        Role::Body => "body",
        Role::Path => "`#[path]`",
        Role::Query(_) => "`#[query]`",
        Role::Header(_) => "`#[header]`",
        Role::Invalid => "role",
    }
}

fn check_placeholders(
    input: &Input,
    template: &Template,
    template_ok: bool,
    lit: &LitStr,
    errors: &mut Vec<syn::Error>,
) {
    let mut filled = vec![false; input.fields.len()];
    for param in template.params() {
        let snake = template::snake_case(&param.name);
        let span = lit_subspan(lit, param.range.clone());
        match input.fields.iter().position(|f| f.name == snake) {
            Some(i) if input.fields[i].role.is_path() || input.fields[i].role.is_invalid() => {
                filled[i] = true
            }
            Some(i) => {
                let field = &input.fields[i];
                errors.push(syn::Error::new(
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
            // A field with an unreadable role may be the one meant.
            None if input.fields.iter().any(|f| f.role.is_invalid()) => {}
            None => {
                let unit = input.fields.is_empty()
                    && matches!(&input.item.data, syn::Data::Struct(s) if matches!(s.fields, syn::Fields::Unit));
                errors.push(syn::Error::new(
                    span,
                    format!(
                        "no field for placeholder `<{}>`\n\
                         help: add `#[path] pub {}: String` to the struct{}",
                        param.name,
                        snake,
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
    for (field, filled) in input.fields.iter().zip(filled) {
        // A malformed placeholder (`{callId}`, `<callId`) was reported already.
        if field.role.is_path() && !filled && template_ok {
            errors.push(syn::Error::new(
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
