//! Expansion snapshots and hygiene checks, on `proc_macro2` tokens.
//!
//! Each snapshot is the prettyplease rendering of one expansion, compared with the
//! checked-in file under `graph-macros/tests/snapshots/`. Run with
//! `UPDATE_SNAPSHOTS=1` to rewrite them, then review the diff.

use std::path::PathBuf;

use proc_macro2::{TokenStream, TokenTree};
use quote::quote;

/// The macro's output as the compiler gets it: tokens, then the errors.
fn graph_action(args: TokenStream, item: TokenStream) -> TokenStream {
    let (tokens, errors) = crate::expand(args, item);
    crate::output(tokens, errors)
}

fn render(tokens: TokenStream) -> String {
    match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(e) => panic!("the expansion does not parse: {e}\n{tokens}"),
    }
}

fn snapshot(name: &str, args: TokenStream, item: TokenStream) -> String {
    let out = render(graph_action(args, item));
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.rs"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
        std::fs::write(&path, &out).expect("write snapshot");
    } else {
        let expected = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("missing {}; run with UPDATE_SNAPSHOTS=1", path.display()));
        assert!(
            expected == out,
            "snapshot {name} differs (UPDATE_SNAPSHOTS=1 rewrites it):\n--- expected\n{expected}\n--- got\n{out}"
        );
    }
    out
}

/// Names that user code may shadow (`struct Result;`, `use my::Option;`) or that
/// are crate roots: in generated code each must follow `::`.
const MUST_BE_QUALIFIED: &[&str] = &[
    "Result",
    "Option",
    "Ok",
    "Err",
    "Some",
    "None",
    "String",
    "Vec",
    "Box",
    "Default",
    "Into",
    "From",
    "ToString",
    "ToOwned",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "Iterator",
    "IntoIterator",
    "Display",
    "Debug",
    "Serialize",
    "Deserialize",
    "DeserializeOwned",
    "AsRef",
    "PartialEq",
    "Fn",
    "drop",
    "format",
    "vec",
    "panic",
    "unreachable",
    "compile_error",
    "core",
    "std",
    "alloc",
    "serde",
    "serde_json",
    "http",
    "reqwest",
    "graph_runtime",
    "Method",
    "RequestWriter",
    "GraphError",
    "GraphClient",
    "GraphAction",
    "PagedAction",
    "Page",
    "Response",
    "ApiVersion",
];

/// Every listed name in `tokens` that is not preceded by `::` (or `.`, a method).
fn unqualified(tokens: TokenStream) -> Vec<String> {
    fn walk(tokens: TokenStream, attribute: bool, found: &mut Vec<String>) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        for (i, tt) in trees.iter().enumerate() {
            match tt {
                TokenTree::Group(g) => walk(
                    g.stream(),
                    g.delimiter() == proc_macro2::Delimiter::Bracket,
                    found,
                ),
                // `#[serde(...)]`: the helper attribute of the derive.
                TokenTree::Ident(ident) if attribute && i == 0 && ident == "serde" => {}
                TokenTree::Ident(ident) => {
                    let name = ident.to_string();
                    if !MUST_BE_QUALIFIED.contains(&name.as_str()) {
                        continue;
                    }
                    let qualified = i >= 2
                        && matches!((&trees[i - 2], &trees[i - 1]),
                            (TokenTree::Punct(a), TokenTree::Punct(b))
                                if a.as_char() == ':' && b.as_char() == ':');
                    let method = i >= 1
                        && matches!(&trees[i - 1], TokenTree::Punct(p) if p.as_char() == '.');
                    // `type Response = ...;` names the trait's associated type.
                    let assoc_type = i >= 1
                        && matches!(&trees[i - 1], TokenTree::Ident(t) if t == "type")
                        && name == "Response";
                    if !(qualified || method || assoc_type) {
                        found.push(name);
                    }
                }
                _ => {}
            }
        }
    }
    let mut found = Vec::new();
    walk(tokens, false, &mut found);
    found
}

/// Items whose user-written types are fully qualified, so that any unqualified
/// listed name in the output was written by the macro.
fn hygiene_inputs() -> Vec<(TokenStream, TokenStream)> {
    vec![
        (
            quote!(
                POST,
                "/communications/calls/<callId>/participants/<participantId>/mute",
                response = crate::Op
            ),
            quote! {
                /// Mute.
                pub struct MuteParticipant {
                    #[path]
                    pub call_id: ::std::string::String,
                    #[path]
                    pub participant_id: ::std::string::String,
                    pub client_context: ::core::option::Option<::std::string::String>,
                }
            },
        ),
        (
            quote!(
                GET,
                "/communications/calls/<callId>/participants",
                response = crate::P,
                paged,
                version = "beta"
            ),
            quote! {
                pub(crate) struct ListParticipants {
                    #[path]
                    pub call_id: ::std::string::String,
                    #[query("$top")]
                    pub top: ::core::option::Option<u32>,
                    #[header("ConsistencyLevel")]
                    pub consistency: ::core::option::Option<&'static str>,
                }
            },
        ),
        (
            quote!(POST, "/a/b", idempotent),
            quote!(
                struct KeepAlive;
            ),
        ),
        // The error path: stubs must be hygienic too.
        (
            quote!(post, "/a/{id}/", paged, bogus = 1),
            quote!(
                struct Broken {
                    #[path]
                    id: ::std::string::String,
                    body: u8,
                }
            ),
        ),
        (
            quote!(GET, "/x"),
            quote!(
                enum NotAStruct {
                    A,
                }
            ),
        ),
    ]
}

#[test]
fn generated_code_names_everything_by_absolute_path() {
    for (args, item) in hygiene_inputs() {
        let out = graph_action(args.clone(), item.clone());
        let found = unqualified(out.clone());
        assert!(
            found.is_empty(),
            "unqualified {found:?} in the expansion of {item}:\n{}",
            render(out)
        );
    }
}

#[test]
fn the_hygiene_check_catches_an_unqualified_name() {
    assert_eq!(
        unqualified(quote!(
            fn f() -> Result<(), ()> {
                Ok(())
            }
        )),
        ["Result", "Ok"]
    );
    assert!(
        unqualified(quote!(
            fn f() -> ::core::result::Result<(), ()> {
                x.into()
            }
        ))
        .is_empty()
    );
}

#[test]
fn seed_mute() {
    let out = snapshot(
        "seed_mute",
        quote!(
            POST,
            "/communications/calls/<callId>/participants/<participantId>/mute",
            response = MuteParticipantOperation
        ),
        quote! {
            /// Mute a participant in a group call.
            pub struct MuteParticipant {
                #[path]
                pub call_id: String,
                #[path]
                pub participant_id: String,
                /// Unique client context string, at most 256 characters.
                pub client_context: Option<String>,
            }
        },
    );
    // The essentials, so that a bad snapshot cannot be accepted silently.
    assert!(out.contains(
        "/// Mute a participant in a group call.\n///\n/// `POST /communications/calls/<callId>/participants/<participantId>/mute`\n"
    ));
    assert!(out.contains(r#"req.lit("/communications/calls/");"#));
    // Each value goes through its role's trait, so a type error names the role.
    assert!(out.contains(
        "<String as ::graph_runtime::PathValue>::write_path(\n            &self.call_id,\n            req,\n            \"callId\",\n            false,\n        );"
    ));
    assert!(out.contains("\"participantId\",\n            false,"));
    assert!(out.contains(r#"req.lit("/mute");"#));
    // The body: written out, the `None` left out, no serde derive to expand.
    assert!(out.contains(
        "req.json_object();\n        <String as ::graph_runtime::BodyProperty>::write_opt_property(\n            &self.client_context,"
    ));
    assert!(!out.contains("__Body"));
    assert!(!out.contains("#[derive"));
    assert!(out.contains(
        "pub type MuteParticipantResponse = ::graph_runtime::Response<MuteParticipantOperation>;"
    ));
    assert!(out.contains("const IDEMPOTENT: bool = false;"));
    assert!(!out.contains("VERSION"));
    assert!(!out.contains("#[path]"));
    // A named future: no `impl Future` (an opaque type per action) to check.
    assert!(out.contains(") -> ::graph_runtime::SendFuture<'c, MuteParticipantOperation> {"));
    // The future borrows the client only.
    assert!(out.contains(
        "pub fn send<'c>(\n        &self,\n        client: &'c ::graph_runtime::GraphClient,"
    ));
    assert!(!out.contains("impl ::core::future::Future"));
}

#[test]
fn paged_get_with_query_header_and_version() {
    let out = snapshot(
        "paged_get",
        quote!(
            GET,
            "/communications/calls/<callId>/participants",
            response = Participant,
            paged,
            version = "beta"
        ),
        quote! {
            pub(crate) struct ListParticipants {
                #[path]
                pub call_id: String,
                #[query("$top")]
                pub top: Option<u32>,
                #[query]
                pub skip_token: Option<String>,
                #[header("ConsistencyLevel")]
                pub consistency: Option<String>,
            }
        },
    );
    assert!(out.contains("type Response = ::graph_runtime::Page<Participant>;"));
    assert!(out.contains("impl ::graph_runtime::PagedAction for ListParticipants"));
    assert!(out.contains("type Item = Participant;"));
    assert!(
        out.contains(r#"as ::graph_runtime::QueryValue>::write_query(&self.top, req, "$top");"#)
    );
    assert!(out.contains("&self.skip_token,\n            req,\n            \"skipToken\","));
    assert!(out.contains("as ::graph_runtime::HeaderValue>::write_header("));
    assert!(out.contains("\"ConsistencyLevel\",\n        );"));
    assert!(out.contains("::graph_runtime::ApiVersion::Beta"));
    assert!(out.contains("const IDEMPOTENT: bool = true;"));
    assert!(out.contains("pub(crate) type ListParticipantsResponse"));
    assert!(!out.contains("json_body"));
}

#[test]
fn unit_struct_without_body() {
    let out = snapshot(
        "unit_struct",
        quote!(POST, "/communications/calls/<callId>/keepAlive", idempotent),
        quote!(
            struct KeepAlive;
        ),
    );
    // The placeholder has no field: a unit struct cannot fill it.
    assert!(out.contains("compile_error"));
    let out = snapshot(
        "unit_struct_ok",
        quote!(POST, "/me/keepAlive", idempotent),
        quote!(
            struct KeepAlive;
        ),
    );
    assert!(!out.contains("json_body"));
    assert!(out.contains("const IDEMPOTENT: bool = true;"));
    assert!(out.contains("type Response = ();"));
}

#[test]
fn serde_attributes_go_to_the_body() {
    let out = snapshot(
        "serde_body",
        quote!(POST, "/communications/calls", response = Call),
        quote! {
            #[derive(Debug, Clone)]
            pub struct CreateCall {
                #[serde(flatten)]
                pub call: Call,
                #[serde(rename = "@odata.type")]
                pub odata_type: String,
                #[serde(skip_serializing_if = "Vec::is_empty")]
                pub targets: Vec<String>,
                #[serde(skip_serializing_if = "Option::is_none", rename = "x")]
                pub extra: Option<u8>,
                #[cfg(feature = "never")]
                pub gated: u8,
            }
        },
    );
    // Stripped from the struct, which does not derive serde ...
    assert!(!out.contains("pub struct CreateCall {\n    #[serde"));
    // ... and present once on the body, with no second skip_serializing_if.
    assert_eq!(out.matches("#[serde(flatten)]").count(), 1);
    assert_eq!(out.matches("skip_serializing_if").count(), 2);
    assert_eq!(out.matches(r#"#[cfg(feature = "never")]"#).count(), 3);
}

#[test]
fn a_struct_deriving_serde_keeps_its_serde_attributes() {
    let out = snapshot(
        "derives_serde",
        quote!(PATCH, "/communications/calls/<callId>", idempotent),
        quote! {
            #[derive(serde::Serialize, serde::Deserialize)]
            #[serde(rename_all = "camelCase")]
            pub struct UpdateCall {
                #[path]
                #[serde(skip)]
                pub call_id: String,
                #[serde(rename = "topic")]
                pub subject: String,
            }
        },
    );
    // The struct keeps its attributes; a `rename` alone needs no body type:
    // the property is written under its renamed key.
    assert_eq!(out.matches(r#"#[serde(rename = "topic")]"#).count(), 1);
    assert_eq!(out.matches("#[serde(skip)]").count(), 1);
    assert_eq!(
        out.matches(r#"#[serde(rename_all = "camelCase")]"#).count(),
        1
    );
    let flat: String = out.split_whitespace().collect();
    assert!(
        flat.contains(r#"write_property(&self.subject,req,"topic""#),
        "{out}"
    );
    assert!(!out.contains("__Body"), "{out}");
}

#[test]
fn rename_and_skip_alone_are_written_without_a_body_type() {
    let out = render(graph_action(
        quote!(POST, "/communications/calls/<callId>/mute"),
        quote! {
            pub struct MuteCall {
                #[path]
                pub call_id: String,
                #[serde(rename = "clientContext")]
                pub context: Option<String>,
                #[serde(rename(serialize = "x", deserialize = "y"))]
                pub renamed: u8,
                #[serde(skip)]
                pub local: std::cell::Cell<u8>,
                #[serde(skip_serializing)]
                pub also_local: u8,
                pub plain_name: bool,
            }
        },
    ));
    let out: String = out.split_whitespace().collect();
    assert!(!out.contains("__Body"), "{out}");
    assert!(!out.contains("#[derive"), "{out}");
    assert!(
        out.contains(r#"write_opt_property(&self.context,req,"clientContext""#),
        "{out}"
    );
    assert!(
        out.contains(r#"write_property(&self.renamed,req,"x""#),
        "{out}"
    );
    assert!(
        out.contains(r#"write_property(&self.plain_name,req,"plainName""#),
        "{out}"
    );
    assert!(!out.contains("self.local"), "{out}");
    assert!(!out.contains("self.also_local"), "{out}");
    // Any other option still goes through a serde-derived body type.
    let out = render(graph_action(
        quote!(POST, "/communications/calls/<callId>/mute"),
        quote! {
            pub struct MuteCall {
                #[path]
                pub call_id: String,
                #[serde(rename = "clientContext", skip_serializing_if = "String::is_empty")]
                pub context: String,
            }
        },
    ));
    assert!(out.contains("struct __Body"), "{out}");
}

#[test]
fn errors_fall_back_to_stubs() {
    let out = snapshot(
        "fallback",
        quote!(post, "/calls/{id}/", paged, bogus = 1),
        quote! {
            /// Docs stay.
            pub struct Broken {
                #[path]
                pub id: String,
                #[query]
                #[path]
                pub body: u8,
            }
        },
    );
    assert!(out.contains(
        "/// Docs stay.\npub struct Broken {\n    pub id: String,\n    pub body: u8,\n}"
    ));
    assert!(out.contains("impl ::graph_runtime::GraphAction for Broken"));
    assert!(out.contains("pub type BrokenResponse = ::graph_runtime::Response<()>;"));
    assert!(out.contains("pub fn send<'c>("));
}

/// Every error message of `args` on `item`, in the order the phases found them.
fn errors(args: TokenStream, item: TokenStream) -> Vec<String> {
    crate::expand(args, item)
        .1
        .iter()
        .map(|e| e.to_string())
        .collect()
}

#[test]
fn every_error_of_an_item_is_reported_in_one_pass() {
    let found = errors(
        quote!(
            post,
            "/calls/<callId>/x?$top=1",
            paged,
            paged,
            idempotent,
            bogus = 1
        ),
        quote! {
            struct Broken<T> {
                #[path]
                pub id: String,
                #[query]
                #[path]
                pub body: T,
                pub note: String,
            }
        },
    );
    let expect = [
        "the method is written in uppercase",
        "duplicate option `paged`",
        "unknown option `bogus`",
        "does not support type parameters",
        "a field has one role",
        "the path cannot carry a query string",
        "no field for placeholder `<callId>`",
        "`#[path]` field `id` has no placeholder",
        "`paged` is for GET actions",
        "`paged` needs the item type",
    ];
    for e in expect {
        assert!(
            found.iter().any(|f| f.starts_with(e) || f.contains(e)),
            "missing {e:?} in {found:#?}"
        );
    }
}

#[test]
fn no_panic_on_odd_input() {
    let cases: Vec<(TokenStream, TokenStream)> = vec![
        (
            quote!(),
            quote!(
                struct A;
            ),
        ),
        (
            quote!(GET),
            quote!(
                struct A;
            ),
        ),
        (
            quote!(GET,),
            quote!(
                struct A;
            ),
        ),
        (
            quote!(GET, 1),
            quote!(
                struct A;
            ),
        ),
        (
            quote!("GET", "/a"),
            quote!(
                struct A;
            ),
        ),
        (
            quote!("/a"),
            quote!(
                struct A;
            ),
        ),
        (
            quote!(GET "/a"),
            quote!(
                struct A;
            ),
        ),
        (
            quote!(GET, "/a" response),
            quote!(
                struct A;
            ),
        ),
        (
            quote!(GET, "/a", response),
            quote!(
                struct A;
            ),
        ),
        (
            quote!(GET, "/a", response =),
            quote!(
                struct A;
            ),
        ),
        (
            quote!(GET, "/a", version = beta),
            quote!(
                struct A;
            ),
        ),
        (
            quote!(GET, "/a", version = "v2"),
            quote!(
                struct A;
            ),
        ),
        (
            quote!(GET, "/a", paged = true),
            quote!(
                struct A;
            ),
        ),
        (
            quote!(GET, "/a", 5),
            quote!(
                struct A;
            ),
        ),
        (
            quote!(GET, "/a",,),
            quote!(
                struct A;
            ),
        ),
        (
            quote!(GET, "/a", response = HashMap<String, u8>, x = Vec<u8, u8>, paged),
            quote!(
                struct A;
            ),
        ),
        (
            quote!(GET, ""),
            quote!(
                struct A;
            ),
        ),
        (
            quote!(GET, "/a"),
            quote!(
                fn f() {}
            ),
        ),
        (quote!(GET, "/a"), quote!()),
        (
            quote!(GET, "/a"),
            quote!(
                struct A(u8);
            ),
        ),
        (quote!(GET, "/a"), quote!(union U { a: u8 })),
        (
            quote!(GET, "/a"),
            quote!(
                struct A<'a, T, const N: usize>
                where
                    T: Copy,
                {
                    a: &'a T,
                }
            ),
        ),
        (
            quote!(GET, "/a"),
            quote!(
                struct A {
                    #[header]
                    a: u8,
                    #[header("a b")]
                    b: u8,
                    #[query = "x"]
                    c: u8,
                    #[path(x)]
                    d: u8,
                }
            ),
        ),
        (
            quote!(GET, r"/a\b<c>"),
            quote!(
                struct A {
                    #[path]
                    c: u8,
                }
            ),
        ),
        (
            quote!(GET, r#"/a/<c>"#),
            quote!(
                struct A {
                    #[path]
                    c: u8,
                }
            ),
        ),
    ];
    for (args, item) in cases {
        let out = graph_action(args.clone(), item.clone());
        // Must still be valid Rust tokens.
        let parsed = syn::parse2::<syn::File>(out.clone());
        assert!(parsed.is_ok(), "{args} on {item}: {out}");
    }
}

/// The first error message of `args` on `item` that contains `needle`.
fn has_error(args: TokenStream, item: TokenStream, needle: &str) -> bool {
    errors(args, item).iter().any(|e| e.contains(needle))
}

#[test]
fn wire_name_collisions_are_errors_at_the_second() {
    let found = errors(
        quote!(GET, "/calls"),
        quote! {
            struct L {
                #[query("$top")] a: Option<u32>,
                #[query("$top")] b: Option<u32>,
                #[query] skip_token: Option<String>,
                #[query("skipToken")] c: Option<String>,
                #[header("Prefer")] d: Option<String>,
                #[header("PREFER")] e: Option<String>,
            }
        },
    );
    assert_eq!(
        found
            .iter()
            .filter(|e| e.contains("is already written by field"))
            .count(),
        3,
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|e| e.starts_with("query parameter `$top` is already written by field `a`"))
    );
    assert!(found.iter().any(|e| {
        e.starts_with("query parameter `skipToken` is already written by field `skip_token`")
    }));
    assert!(found.iter().any(|e| e.starts_with("header `PREFER` (as `Prefer`) is already written by field `d`")));

    // Body: camelCase against a literal rename; `skip` and `flatten` are not
    // properties; a container `rename_all` is followed.
    assert!(has_error(
        quote!(POST, "/calls"),
        quote! {
            struct B {
                client_context: String,
                #[serde(rename = "clientContext")] other: String,
            }
        },
        "body property `clientContext` is already written by field `client_context`",
    ));
    assert!(
        errors(
            quote!(POST, "/calls"),
            quote! {
                struct B {
                    client_context: String,
                    #[serde(skip)] #[allow(non_snake_case)] clientContext: String,
                    #[serde(flatten)] rest: Extra,
                }
            },
        )
        .is_empty()
    );
    assert!(has_error(
        quote!(POST, "/calls"),
        quote! {
            #[serde(rename_all = "snake_case")]
            struct B {
                client_context: String,
                #[serde(rename(serialize = "client_context"))] other: String,
            }
        },
        "body property `client_context` is already written",
    ));
}

#[test]
fn paged_responses_that_are_already_collections() {
    for ty in [quote!(Vec<P>), quote!(graph_runtime::Page<P>)] {
        let found = errors(
            quote!(GET, "/calls", response = #ty, paged),
            quote!(
                struct L;
            ),
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0].contains("help: write `response = P`"),
            "{found:#?}"
        );
    }
    // Without `paged`, a list is a fine response.
    assert!(
        errors(
            quote!(GET, "/calls", response = Vec<P>),
            quote!(
                struct L;
            )
        )
        .is_empty()
    );
}

#[test]
fn messages_built_from_what_the_user_wrote() {
    let found = errors(
        quote!(GET, "/calls/<callId>", response = "Call"),
        quote! {
            struct GetCall {
                #[path] #[allow(non_snake_case)] callId: String,
                #[header] if_match: Option<String>,
                #[query(top)] t: Option<u32>,
            }
        },
    );
    let expect = [
        "`response` takes a type, not a string\nhelp: write `response = Call` (remove the quotes)",
        "rename `callId` to `call_id`",
        "help: write `#[header(\"IfMatch\")]`",
        "or `#[query(\"top\")]` to name it",
    ];
    for e in expect {
        assert!(
            found.iter().any(|f| f.contains(e)),
            "missing {e:?} in {found:#?}"
        );
    }
    assert!(has_error(
        quote!(GET, "/directory/<type>"),
        quote!(
            struct A {
                #[path]
                id: String,
            }
        ),
        "help: add `#[path] pub r#type: String`",
    ));
    // The camelCase field is one error, not also "no placeholder" / "no field".
    assert!(
        !found
            .iter()
            .any(|f| f.contains("no field for placeholder `<callId>`"))
    );
    assert!(!found.iter().any(|f| f.contains("has no placeholder")));
}

#[test]
fn the_attribute_applied_twice_is_one_error_and_is_dropped() {
    let (tokens, found) = crate::expand(
        quote!(GET, "/calls"),
        quote! {
            #[graph_action(GET, "/calls")]
            struct L;
        },
    );
    assert_eq!(found.len(), 1);
    assert!(
        found[0]
            .to_string()
            .starts_with("#[graph_action] is applied twice")
    );
    assert!(!tokens.to_string().contains("# [graph_action"));
}

#[test]
fn response_named_like_the_alias_drops_the_alias_from_the_stubs() {
    let (tokens, found) = crate::expand(
        quote!(GET, "/calls/<callId>", response = GetCallResponse),
        quote! {
            struct GetCall { #[path] call_id: String }
        },
    );
    assert_eq!(found.len(), 1, "{found:?}");
    let out = render(tokens);
    assert!(!out.contains("type GetCallResponse"));
    assert!(out.contains("type Response = GetCallResponse;"));
}

#[test]
fn path_characters_the_url_layer_rewrites() {
    for (path, needle) in [
        ("/calls/é", "not ASCII"),
        (r"/calls\x", "`\\`"),
        ("/calls/\"x\"", "double quote"),
        ("/calls/`x`", "backtick"),
        ("/calls/./x", "`.` segment"),
        ("/calls/<callId>/..", "`..` segment"),
        ("/calls/<self>", "`<self>` cannot be a placeholder"),
        ("/calls/<Self>", "`<Self>` cannot be a placeholder"),
        ("/calls/<super>", "`<super>` cannot be a placeholder"),
    ] {
        let found = errors(
            quote!(GET, #path),
            quote!(
                struct A {
                    #[path]
                    call_id: String,
                }
            ),
        );
        assert!(
            found.iter().any(|f| f.contains(needle)),
            "{path}: missing {needle:?} in {found:#?}"
        );
    }
    // Dots inside a segment are fine.
    assert!(
        errors(
            quote!(GET, "/drive/items/<id>/file.json"),
            quote!(
                struct A {
                    #[path]
                    id: String,
                }
            )
        )
        .is_empty()
    );
}

#[test]
fn crate_option_names_every_runtime_path() {
    let (tokens, found) = crate::expand(
        quote!(POST, "/calls/<callId>", response = R, crate = my::rt),
        quote! {
            struct A {
                #[path] call_id: String,
                #[query] q: Option<u8>,
                #[serde(skip_serializing_if = "is_zero")] body: u8,
                opt: Option<u8>,
            }
        },
    );
    assert!(found.is_empty(), "{found:?}");
    let out = render(tokens);
    assert!(!out.contains("graph_runtime"), "{out}");
    assert!(out.contains("impl my::rt::GraphAction for A"));
    assert!(out.contains(r#"#[serde(crate = "my::rt::__private::serde")]"#));
    assert!(out.contains(r#"skip_serializing_if = "my::rt::__private::is_none""#));
    assert!(out.contains("-> my::rt::SendFuture<'c, R>"));
    // The string form as serde writes it.
    let (tokens, found) = crate::expand(
        quote!(GET, "/calls", crate = "::my::rt"),
        quote!(
            struct A;
        ),
    );
    assert!(found.is_empty());
    assert!(render(tokens).contains("impl ::my::rt::GraphAction for A"));
}

#[test]
fn cfg_on_a_path_field_is_refused() {
    assert!(has_error(
        quote!(GET, "/calls/<callId>"),
        quote! {
            struct A { #[cfg(unix)] #[path] call_id: String }
        },
        "a `#[path]` field cannot be `#[cfg]`-gated",
    ));
}
