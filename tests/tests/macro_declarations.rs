//! Declarations `#[graph_action]` must accept, and what each writes on the wire.
//!
//! Every action here is written through `GraphAction::write_request` exactly as
//! `GraphClient::send` does, and the path, query, headers and body bytes are
//! compared with the expected request. The file denies warnings and
//! `unused_qualifications`: the expansion must not make any (dead code, missing
//! docs, unused results, paths it names in full).

#![deny(warnings, missing_docs, unused_qualifications)]

use graph_runtime::{
    ApiVersion, GraphAction, GraphError, PagedAction, RequestWriter, graph_action,
};

/// Path with query, headers as `(name, value)`, body as text.
type Wire = (String, Vec<(String, String)>, Option<String>);

fn wire<A: GraphAction>(action: &A) -> Result<Wire, GraphError> {
    let mut writer = RequestWriter::new();
    action.write_request(&mut writer);
    let written = writer.finish()?;
    let headers = written
        .headers
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().expect("ascii").to_owned()))
        .collect();
    let body = written
        .body
        .map(|b| String::from_utf8(b).expect("utf-8 body"));
    Ok((written.path_and_query, headers, body))
}

fn ok<A: GraphAction>(action: &A) -> Wire {
    wire(action).expect("the request is written")
}

/// Keeps a call alive.
#[graph_action(POST, "/communications/calls/keepAliveAll", idempotent)]
pub struct KeepAliveAll;

#[test]
fn unit_struct() {
    assert_eq!(
        ok(&KeepAliveAll),
        ("/communications/calls/keepAliveAll".into(), vec![], None)
    );
    const { assert!(KeepAliveAll::IDEMPOTENT) };
    assert_eq!(KeepAliveAll::METHOD.as_str(), "POST");
    // `send` and the alias exist with the unit response.
    let _: fn(KeepAliveAllResponse) = |r| r.into_body();
}

/// Lists the participants of a call.
///
/// A second paragraph.
#[graph_action(GET, "/communications/calls/<callId>/participants", response = Participant,
               paged, version = "beta")]
pub(crate) struct ListParticipants {
    #[path]
    pub call_id: String,
    /// At most this many.
    #[query("$top")]
    pub top: Option<u32>,
    #[query]
    pub skip_token: Option<String>,
    #[query("$select")]
    pub select: Vec<&'static str>,
    #[header("ConsistencyLevel")]
    pub consistency: Option<&'static str>,
}

/// A participant.
#[derive(Debug, serde::Deserialize)]
pub struct Participant {
    /// Its id.
    pub id: String,
}

#[test]
fn paged_get_with_query_and_headers() {
    let action = ListParticipants {
        call_id: "a b/c".into(),
        top: Some(5),
        skip_token: None,
        select: vec!["id", "info"],
        consistency: Some("eventual"),
    };
    assert_eq!(
        ok(&action),
        (
            "/communications/calls/a%20b%2Fc/participants?$top=5&$select=id,info".into(),
            vec![("consistencylevel".into(), "eventual".into())],
            None
        )
    );
    let none = ListParticipants {
        call_id: "c".into(),
        top: None,
        skip_token: Some("x&y".into()),
        select: vec!["id"],
        consistency: None,
    };
    assert_eq!(
        ok(&none).0,
        "/communications/calls/c/participants?skipToken=x%26y&$select=id"
    );
    assert_eq!(ok(&none).1, vec![]);
    assert_eq!(ListParticipants::VERSION, Some(ApiVersion::Beta));
    const { assert!(ListParticipants::IDEMPOTENT) };
    fn item<A: PagedAction<Item = Participant>>(_: &A) {}
    item(&none);
    let _: fn(ListParticipantsResponse) -> graph_runtime::Page<Participant> = |r| r.into_body();
}

/// A report with an OData string literal in its path.
#[graph_action(
    GET,
    "/reports/getTeamsUserActivityCounts(period='<period>')",
    version = "v1.0"
)]
pub struct TeamsActivity {
    /// `D7`, `D30`, ...
    #[path]
    pub period: String,
}

#[test]
fn quoted_placeholder_doubles_quotes() {
    let t = TeamsActivity {
        period: "D'7".into(),
    };
    assert_eq!(
        ok(&t).0,
        "/reports/getTeamsUserActivityCounts(period='D''7')"
    );
    assert_eq!(TeamsActivity::VERSION, Some(ApiVersion::V1));
}

#[test]
fn a_dot_segment_is_refused_before_sending() {
    let action = ListParticipants {
        call_id: "..".into(),
        top: None,
        skip_token: None,
        select: vec![],
        consistency: None,
    };
    assert!(matches!(
        wire(&action),
        Err(GraphError::InvalidRequest { .. })
    ));
}

/// Body fields with serde attributes, a raw identifier and a cfg'd field.
#[graph_action(PATCH, "/communications/calls/<callId>", response = ())]
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateCall {
    /// The call.
    #[path]
    pub call_id: String,
    /// Renamed on the wire.
    #[serde(rename = "@odata.type")]
    pub odata_type: String,
    /// A keyword as a field name.
    pub r#type: Option<String>,
    /// Left out when empty, by the user's own rule.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<String>,
    /// Left out when `None`.
    pub topic_text: Option<String>,
    /// Compiled out.
    #[cfg(any())]
    pub never: u8,
}

#[test]
fn serde_attributes_on_body_fields_are_honoured() {
    let mut u = UpdateCall {
        call_id: "c".into(),
        odata_type: "#microsoft.graph.call".into(),
        r#type: Some("group".into()),
        targets: vec![],
        topic_text: None,
    };
    assert_eq!(
        ok(&u).2.as_deref(),
        Some(r##"{"@odata.type":"#microsoft.graph.call","type":"group"}"##)
    );
    u.targets.push("t".into());
    u.topic_text = Some("hi".into());
    u.r#type = None;
    assert_eq!(
        ok(&u).2.as_deref(),
        Some(r##"{"@odata.type":"#microsoft.graph.call","targets":["t"],"topicText":"hi"}"##)
    );
    // `Debug`, `Clone` and `PartialEq` written after the attribute still apply.
    assert_eq!(u.clone(), u);
}

/// A struct deriving serde itself keeps its serde attributes.
#[graph_action(POST, "/me/notes", response = Note)]
#[derive(Debug, serde::Serialize, serde::Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    /// The text.
    pub note_text: String,
    /// Not sent by the action's body, but part of the user's own serde.
    #[serde(default)]
    pub pinned: bool,
}

#[test]
fn struct_deriving_serde() {
    let n = Note {
        note_text: "x".into(),
        pinned: true,
    };
    assert_eq!(
        ok(&n).2.as_deref(),
        Some(r#"{"noteText":"x","pinned":true}"#)
    );
    // The user's own derive still works with the user's attributes.
    let back: Note = serde_json::from_str(r#"{"noteText":"y"}"#).expect("deserialize");
    assert_eq!(
        back,
        Note {
            note_text: "y".into(),
            pinned: false
        }
    );
}

#[test]
fn fn_local_declarations() {
    /// Declared inside a function.
    #[graph_action(DELETE, "/communications/calls/<callId>")]
    struct DeleteCall {
        #[path]
        call_id: String,
    }
    /// Another, with a body.
    #[graph_action(POST, "/communications/calls/<callId>/mute")]
    struct MuteCall {
        #[path]
        call_id: String,
        client_context: Option<String>,
    }
    assert_eq!(
        ok(&DeleteCall {
            call_id: "1".into()
        }),
        ("/communications/calls/1".into(), vec![], None)
    );
    let m = MuteCall {
        call_id: "2".into(),
        client_context: Some("c".into()),
    };
    assert_eq!(ok(&m).2.as_deref(), Some(r#"{"clientContext":"c"}"#));
    const { assert!(DeleteCall::IDEMPOTENT) };
    const { assert!(!MuteCall::IDEMPOTENT) };
}

mod calls {
    use graph_runtime::graph_action;

    /// Same name as `participants::Mute`.
    #[graph_action(POST, "/communications/calls/<callId>/mute")]
    pub struct Mute {
        #[path]
        pub call_id: String,
        /// A body field.
        pub client_context: Option<String>,
    }
}

mod participants {
    use graph_runtime::graph_action;

    /// Same name as `calls::Mute`.
    #[graph_action(
        POST,
        "/communications/calls/<callId>/participants/<participantId>/mute"
    )]
    pub struct Mute {
        #[path]
        pub call_id: String,
        #[path]
        pub participant_id: String,
        /// A body field.
        pub client_context: Option<String>,
    }
}

#[test]
fn same_name_in_two_modules() {
    let a = calls::Mute {
        call_id: "c".into(),
        client_context: None,
    };
    let b = participants::Mute {
        call_id: "c".into(),
        participant_id: "p".into(),
        client_context: None,
    };
    assert_eq!(ok(&a).0, "/communications/calls/c/mute");
    assert_eq!(ok(&b).0, "/communications/calls/c/participants/p/mute");
    assert_eq!(ok(&a).2.as_deref(), Some("{}"));
    let _: Option<calls::MuteResponse> = None;
    let _: Option<participants::MuteResponse> = None;
}

/// User types named like the prelude's must not break the expansion.
mod shadowing {
    // Unused on purpose: they are there to be picked up by an unqualified path.
    #![allow(dead_code, unused_imports)]

    use ::graph_runtime::graph_action;

    /// Shadows `core::result::Result`.
    pub struct Result;
    /// Shadows `core::option::Option` (a different arity).
    pub struct Option;
    /// Shadows `alloc::string::String`.
    pub struct String;
    /// Shadows `alloc::vec::Vec`.
    pub struct Vec;
    /// Shadows `Box`.
    pub struct Box;
    /// Shadows `Ok`, `Err`, `Some`, `None`.
    pub enum Shadow {
        /// x
        Ok,
        /// x
        Err,
        /// x
        Some,
        /// x
        None,
    }
    pub use Shadow::*;
    /// Shadows `Default`, `Display`, `Serialize`.
    pub trait Default {}
    /// x
    pub trait Display {}
    /// x
    pub trait Serialize {}
    /// A module named like the crates the expansion uses.
    pub mod serde {}
    /// x
    pub mod core {}
    /// x
    pub mod graph_runtime {}

    /// All field kinds, in a module full of look-alikes.
    #[graph_action(POST, "/things/<thingId>", response = u32, idempotent)]
    pub struct Thing {
        #[path]
        pub thing_id: u64,
        #[query]
        pub flag: bool,
        #[header("X-Trace")]
        pub trace: &'static str,
        /// Body.
        pub amount: ::core::option::Option<i64>,
        /// Body.
        pub label: &'static str,
    }
}

#[test]
fn user_types_named_like_the_prelude() {
    let t = shadowing::Thing {
        thing_id: 7,
        flag: true,
        trace: "abc",
        amount: Some(-1),
        label: "l",
    };
    assert_eq!(
        ok(&t),
        (
            "/things/7?flag=true".into(),
            vec![("x-trace".into(), "abc".into())],
            Some(r#"{"amount":-1,"label":"l"}"#.into())
        )
    );
    let _: Option<shadowing::ThingResponse> = None;
}

#[test]
fn header_values_with_newlines_are_refused() {
    let t = shadowing::Thing {
        thing_id: 7,
        flag: false,
        trace: "a\r\nb",
        amount: None,
        label: "",
    };
    assert!(matches!(wire(&t), Err(GraphError::InvalidRequest { .. })));
}

/// Where the doc line goes.
#[graph_action(GET, "/me")]
pub struct GetMe;

#[test]
fn constants_of_the_trait() {
    assert_eq!(GetMe::PATH, "/me");
    assert_eq!(GetMe::METHOD.as_str(), "GET");
    assert_eq!(GetMe::VERSION, None);
    assert_eq!(UpdateCall::METHOD.as_str(), "PATCH");
    const { assert!(!UpdateCall::IDEMPOTENT) };
    assert_eq!(
        TeamsActivity::PATH,
        "/reports/getTeamsUserActivityCounts(period='<period>')"
    );
}

/// An action with every path form: raw string, placeholders filling part of a
/// segment, `$` in literal text.
#[graph_action(PUT, r"/drives/<driveId>/items/<itemId>:/<fileName>:/content")]
pub struct Upload {
    /// The drive.
    #[path]
    pub drive_id: String,
    /// The folder.
    #[path]
    pub item_id: u32,
    /// The file.
    #[path]
    pub file_name: String,
    /// Body.
    pub data: Vec<u8>,
}

#[test]
fn raw_string_path_and_partial_segments() {
    let u = Upload {
        drive_id: "d".into(),
        item_id: 3,
        file_name: "a?b#c.txt".into(),
        data: vec![1, 2],
    };
    let (path, _, body) = ok(&u);
    assert_eq!(path, "/drives/d/items/3:/a%3Fb%23c.txt:/content");
    assert_eq!(body.as_deref(), Some(r#"{"data":[1,2]}"#));
}

/// A crate that re-exports graph-runtime under its own name, as a facade crate
/// would: `crate = path` tells the macro where the runtime is.
mod facade {
    /// The runtime, under another name.
    pub mod rt {
        pub use graph_runtime::*;
    }
}

mod through_facade {
    use graph_runtime::graph_action;

    /// Named through the facade, with every role and a serde body.
    #[graph_action(
        POST,
        "/communications/calls/<callId>/mute",
        response = graph_runtime::comms::MuteParticipantOperation,
        crate = crate::facade::rt
    )]
    pub struct MuteCall {
        #[path]
        pub call_id: String,
        #[query("$select")]
        pub select: Option<String>,
        #[header("Prefer")]
        pub prefer: Option<String>,
        #[serde(rename = "clientContext")]
        pub context: Option<String>,
    }

    /// `crate = "..."` as serde writes it, on a paged action.
    #[graph_action(
        GET,
        "/communications/calls/<callId>/participants",
        response = graph_runtime::comms::Participant,
        paged,
        crate = "crate::facade::rt"
    )]
    pub struct ListParticipants {
        #[path]
        pub call_id: String,
    }
}

#[test]
fn crate_option_names_the_runtime_through_a_re_export() {
    let m = through_facade::MuteCall {
        call_id: "c".into(),
        select: Some("id".into()),
        prefer: Some("return=minimal".into()),
        context: Some("x".into()),
    };
    assert_eq!(
        ok(&m),
        (
            "/communications/calls/c/mute?$select=id".into(),
            vec![("prefer".into(), "return=minimal".into())],
            Some(r#"{"clientContext":"x"}"#.into())
        )
    );
    let l = through_facade::ListParticipants {
        call_id: "c".into(),
    };
    assert_eq!(ok(&l).0, "/communications/calls/c/participants");
    fn paged<A: PagedAction>(_: &A) -> &'static str {
        A::PATH
    }
    assert_eq!(paged(&l), "/communications/calls/<callId>/participants");
}

/// Two body fields with one JSON name under exclusive `#[cfg]`s: alternatives,
/// not a collision.
#[graph_action(POST, "/communications/calls/<callId>/mute")]
pub struct CfgAlternatives {
    /// The call.
    #[path]
    pub call_id: String,
    /// Written in test builds.
    #[cfg(test)]
    #[serde(rename = "context")]
    pub a: String,
    /// Written otherwise.
    #[cfg(not(test))]
    #[serde(rename = "context")]
    pub b: String,
}

#[test]
fn cfg_alternatives_may_share_a_wire_name() {
    let c = CfgAlternatives {
        call_id: "c".into(),
        a: "x".into(),
    };
    assert_eq!(ok(&c).2.as_deref(), Some(r#"{"context":"x"}"#));
}

#[test]
fn the_send_future_borrows_the_client_only() -> Result<(), GraphError> {
    let client = graph_runtime::GraphClient::builder()
        .bearer_token("t")
        .base_url("http://127.0.0.1:9")
        .build()?;
    // The action is dropped at the end of the block; the future outlives it.
    let future = {
        let action = KeepAliveAll;
        action.send(&client)
    };
    let dropped_action: graph_runtime::SendFuture<'_, ()> = future;
    assert!(format!("{dropped_action:?}").contains("SendFuture"));
    Ok(())
}

/// Only `rename` and `skip` on body fields: written property by property (no
/// serde-derived body type), under the renamed key, the skipped field left out.
#[graph_action(POST, "/communications/calls/<callId>/mute")]
pub struct RenameAndSkip {
    /// The call.
    #[path]
    pub call_id: String,
    /// Renamed to a key camelCase cannot produce.
    #[serde(rename = "@odata.type")]
    pub odata_type: String,
    /// Renamed, and left out when `None`.
    #[serde(rename(serialize = "ctx"))]
    pub context: Option<String>,
    /// Never sent (and not `Serialize`).
    #[serde(skip)]
    pub local: std::cell::Cell<u8>,
    /// Never sent either.
    #[serde(skip_serializing)]
    pub note: String,
}

#[test]
fn rename_and_skip_alone_write_the_renamed_keys_and_leave_skipped_fields_out() {
    let mut a = RenameAndSkip {
        call_id: "c".into(),
        odata_type: "#microsoft.graph.x".into(),
        context: None,
        local: std::cell::Cell::new(1),
        note: "n".into(),
    };
    assert_eq!(
        ok(&a).2.as_deref(),
        Some(r##"{"@odata.type":"#microsoft.graph.x"}"##)
    );
    a.context = Some("k".into());
    assert_eq!(
        ok(&a).2.as_deref(),
        Some(r##"{"@odata.type":"#microsoft.graph.x","ctx":"k"}"##)
    );
}
