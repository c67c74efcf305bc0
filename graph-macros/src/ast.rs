//! A typed, borrowed model of the annotated struct: each field with its role,
//! pointing back at the original syntax for spans.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Attribute, Data, DeriveInput, Fields, GenericParam, Ident, Type, Visibility};

use crate::attr::{self, Role, SerdeField};
use crate::sink::{Sink, Subject};

/// The annotated item.
pub struct Input<'a> {
    pub item: &'a DeriveInput,
    pub ident: &'a Ident,
    pub vis: &'a Visibility,
    /// The named fields, in order (empty for a unit struct or an unsupported item).
    pub fields: Vec<Field<'a>>,
    /// The struct derives `Serialize` or `Deserialize` itself, so its
    /// `#[serde(...)]` attributes stay on it.
    pub derives_serde: bool,
    /// Struct-level `#[serde(...)]` attributes, moved to the body type when the
    /// struct does not derive serde itself.
    pub serde_attrs: Vec<&'a Attribute>,
}

/// One named field.
pub struct Field<'a> {
    /// Its position among the named fields (for [`Subject::Field`]).
    pub index: usize,
    pub ident: &'a Ident,
    /// The name without `r#`.
    pub name: String,
    pub ty: &'a Type,
    pub role: Role,
    /// The role attribute (for spans); `None` for a body field.
    pub role_span: Option<Span>,
    /// `#[serde(...)]` attributes: forwarded to the body type.
    pub serde_attrs: Vec<&'a Attribute>,
    /// What those attributes say about the field's JSON name.
    pub serde: SerdeField,
    /// `#[cfg(...)]` attributes: repeated wherever the field is used.
    pub cfg_attrs: Vec<&'a Attribute>,
}

impl<'a> Input<'a> {
    /// Builds the model, pushing an error for every unsupported item shape and
    /// every bad field attribute.
    pub fn from_syn(item: &'a DeriveInput, sink: &mut Sink) -> Input<'a> {
        let derives_serde = item.attrs.iter().any(derives_serde);
        let mut input = Input {
            item,
            ident: &item.ident,
            vis: &item.vis,
            fields: Vec::new(),
            derives_serde,
            serde_attrs: item
                .attrs
                .iter()
                .filter(|a| a.path().is_ident("serde"))
                .collect(),
        };
        // The attribute applied twice: the outer one sees the other among the
        // item's attributes, and drops it (see `expand::cleaned_struct`).
        for again in item.attrs.iter().filter(|a| attr::is_graph_action_attr(a)) {
            sink.push(syn::Error::new_spanned(
                again,
                "#[graph_action] is applied twice to this struct\n\
                 help: remove this one; an action is declared once",
            ));
        }
        check_generics(item, sink);
        match &item.data {
            Data::Struct(s) => match &s.fields {
                Fields::Named(named) => {
                    input.fields = named
                        .named
                        .iter()
                        .enumerate()
                        .filter_map(|(i, f)| Field::from_syn(i, f, sink))
                        .collect();
                }
                Fields::Unit => {}
                Fields::Unnamed(unnamed) => sink.blame(
                    Subject::Shape,
                    syn::Error::new(
                        unnamed.paren_token.span.join(),
                        "#[graph_action] needs named fields: a field's name matches its \
                         placeholder or names its body property\n\
                         help: write `struct Name { #[path] pub call_id: String }`, \
                         or `struct Name;` for an action without parameters",
                    ),
                ),
            },
            Data::Enum(e) => sink.blame(
                Subject::Shape,
                syn::Error::new(
                    e.enum_token.span,
                    "#[graph_action] goes on a struct, not an enum\n\
                     help: declare one struct per action",
                ),
            ),
            Data::Union(u) => sink.blame(
                Subject::Shape,
                syn::Error::new(
                    u.union_token.span,
                    "#[graph_action] goes on a struct, not a union\n\
                     help: declare a struct with named fields",
                ),
            ),
        }
        input
    }

    pub fn body_fields(&self) -> impl Iterator<Item = &Field<'a>> {
        self.fields.iter().filter(|f| f.role.is_body())
    }
}

impl<'a> Field<'a> {
    fn from_syn(index: usize, field: &'a syn::Field, sink: &mut Sink) -> Option<Field<'a>> {
        let ident = field.ident.as_ref()?;
        let name = ident.to_string();
        let name = name.strip_prefix("r#").unwrap_or(&name).to_owned();
        let mut errors = Vec::new();
        let role = attr::field_role(&field.attrs, &name, &mut errors);
        for e in errors {
            if role.readable {
                sink.push(e);
            } else {
                sink.blame(Subject::Field(index), e);
            }
        }
        let serde_attrs: Vec<&Attribute> = field
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("serde"))
            .collect();
        Some(Field {
            index,
            ident,
            name,
            ty: &field.ty,
            role: role.role,
            role_span: role.span,
            serde: attr::serde_field(&serde_attrs),
            serde_attrs,
            cfg_attrs: field
                .attrs
                .iter()
                .filter(|a| a.path().is_ident("cfg"))
                .collect(),
        })
    }

    /// The span to blame for a problem with this field's role.
    pub fn role_or_ident_span(&self) -> Span {
        self.role_span.unwrap_or_else(|| self.ident.span())
    }
}

fn check_generics(item: &DeriveInput, sink: &mut Sink) {
    for param in &item.generics.params {
        let msg = match param {
            GenericParam::Lifetime(_) => {
                "#[graph_action] does not support lifetime parameters yet\n\
                 help: use owned field types such as `String`"
            }
            GenericParam::Type(_) => {
                "#[graph_action] does not support type parameters\n\
                 help: use concrete field types; declare one action per type"
            }
            GenericParam::Const(_) => {
                "#[graph_action] does not support const parameters\n\
                 help: use a field instead"
            }
        };
        sink.push(syn::Error::new(param.span(), msg));
    }
    if let Some(w) = &item.generics.where_clause
        && item.generics.params.is_empty()
    {
        sink.push(syn::Error::new(
            w.where_token.span,
            "#[graph_action] does not support `where` clauses\nhelp: remove it",
        ));
    }
}

/// `#[derive(..., Serialize, ...)]` or `Deserialize`, by any path.
fn derives_serde(attr: &Attribute) -> bool {
    if !attr.path().is_ident("derive") {
        return false;
    }
    let mut found = false;
    let _ = attr.parse_nested_meta(|meta| {
        if let Some(last) = meta.path.segments.last()
            && (last.ident == "Serialize" || last.ident == "Deserialize")
        {
            found = true;
        }
        Ok(())
    });
    found
}
