//! A calling bot's life against the built-in emulator, through the typed
//! comms actions: state after each step, Graph-shaped errors, concurrency.

use graph_runtime::comms::*;
use graph_runtime::emulator::Emulator;
use graph_runtime::{ApiVersion, GraphClient};
use std::pin::Pin;

use futures_core::Stream;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn person(id: &str, name: &str) -> InvitationParticipantInfo {
    InvitationParticipantInfo::new(IdentitySet::user(Identity::new(id, name)))
}

fn new_call(targets: Vec<InvitationParticipantInfo>) -> CreateCall {
    CreateCall {
        call: Call {
            odata_type: Some(Call::ODATA_TYPE.into()),
            callback_uri: Some("https://bot.contoso.com/callback".into()),
            targets: Some(targets),
            requested_modalities: Some(vec![Modality::Audio]),
            media_config: Some(MediaConfig::service_hosted()),
            ..Call::default()
        },
    }
}

fn name_of(p: &Participant) -> Option<&str> {
    p.info
        .as_ref()?
        .identity
        .as_ref()?
        .primary()?
        .display_name
        .as_deref()
}

async fn participants(client: &GraphClient, call_id: &str) -> Vec<Participant> {
    ListParticipants {
        call_id: call_id.into(),
        top: None,
    }
    .send(client)
    .await
    .expect("list participants")
    .into_body()
    .value
}

#[tokio::test]
async fn bot_scenario() {
    let emulator = Emulator::start().await.expect("emulator");
    let client = emulator.client().expect("client");

    // Create a call to John.
    let created = new_call(vec![person("112f7296-5fa4-42ca-bae8-6a692b15d4b8", "John")])
        .send(&client)
        .await
        .expect("create call");
    assert_eq!(created.status(), 201);
    assert_eq!(created.state, Some(CallState::Establishing));
    let call_id = created.id.clone().expect("call id");
    let me = created
        .my_participant_id
        .clone()
        .expect("the bot's participant id");
    assert_eq!(
        created.location(),
        Some(
            format!(
                "{}/v1.0/communications/calls/{call_id}",
                emulator.base_url()
            )
            .as_str()
        )
    );
    let call = GetCall {
        call_id: call_id.clone(),
    }
    .send(&client)
    .await
    .expect("get call");
    assert_eq!(call.state, Some(CallState::Established));

    // The bot and John are in it.
    let roster = participants(&client, &call_id).await;
    assert_eq!(roster.len(), 2);
    assert!(roster.iter().any(|p| p.id.as_deref() == Some(me.as_str())));
    assert!(roster.iter().all(|p| p.is_muted == Some(false)));

    // Invite Bob and Alice.
    let invited = InviteParticipants {
        call_id: call_id.clone(),
        participants: vec![
            person("5810cede-f3cc-42eb-b2c1-e9bd5d53ec96", "Bob"),
            person("278405a3-f568-4b3e-b684-009193463064", "Alice"),
        ],
        client_context: Some("invite-1".into()),
    }
    .send(&client)
    .await
    .expect("invite");
    assert_eq!(invited.client_context.as_deref(), Some("invite-1"));
    assert_eq!(invited.participants.as_ref().map(Vec::len), Some(2));
    let roster = participants(&client, &call_id).await;
    let names: Vec<_> = roster.iter().filter_map(name_of).collect();
    assert_eq!(names, ["Emulated bot", "John", "Bob", "Alice"]);
    let bob = roster[2].id.clone().expect("Bob's id");
    let alice = roster[3].id.clone().expect("Alice's id");

    // Mute Bob.
    let op = MuteParticipant {
        call_id: call_id.clone(),
        participant_id: bob.clone(),
        client_context: Some("mute-bob".into()),
    }
    .send(&client)
    .await
    .expect("mute");
    assert_eq!(op.status(), 200);
    assert_eq!(op.status, Some(OperationStatus::Completed));
    assert_eq!(op.client_context.as_deref(), Some("mute-bob"));
    let op_id = op.id.clone().expect("operation id");
    assert!(op.location().expect("Location").ends_with(&format!(
        "/communications/calls/{call_id}/operations/{op_id}"
    )));
    let bob_now = GetParticipant {
        call_id: call_id.clone(),
        participant_id: bob.clone(),
    }
    .send(&client)
    .await
    .expect("get Bob");
    assert_eq!(bob_now.is_muted, Some(true));
    let muted: Vec<_> = participants(&client, &call_id)
        .await
        .iter()
        .filter(|p| p.is_muted == Some(true))
        .filter_map(name_of)
        .map(str::to_owned)
        .collect();
    assert_eq!(muted, ["Bob"]);

    // Play a prompt.
    let prompt = PlayPrompt {
        call_id: call_id.clone(),
        prompts: vec![MediaPrompt::new(MediaInfo::new(
            "https://cdn.contoso.com/beep.wav",
        ))],
        client_context: Some("prompt-1".into()),
    }
    .send(&client)
    .await
    .expect("play prompt");
    assert_eq!(prompt.status, Some(OperationStatus::Completed));
    assert_eq!(prompt.result_info.as_ref().and_then(|r| r.code), Some(200));

    // Remove Alice.
    let removed = DeleteParticipant {
        call_id: call_id.clone(),
        participant_id: alice.clone(),
    }
    .send(&client)
    .await
    .expect("delete participant");
    assert_eq!(removed.status(), 204);
    let roster = participants(&client, &call_id).await;
    assert_eq!(roster.len(), 3);
    assert!(
        roster
            .iter()
            .all(|p| p.id.as_deref() != Some(alice.as_str()))
    );
    let gone = GetParticipant {
        call_id: call_id.clone(),
        participant_id: alice,
    }
    .send(&client)
    .await
    .expect_err("Alice is gone");
    assert_eq!(gone.status(), Some(404));
    assert_eq!(gone.code(), Some("itemNotFound"));

    // Hang up.
    let hung_up = DeleteCall {
        call_id: call_id.clone(),
    }
    .send(&client)
    .await
    .expect("hang up");
    assert_eq!(hung_up.status(), 204);
    assert!(emulator.calls().is_empty());
    let err = GetCall {
        call_id: call_id.clone(),
    }
    .send(&client)
    .await
    .expect_err("the call is gone");
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.code(), Some("itemNotFound"));

    // Every request carried the token and a client-request-id, and the log redacts the token.
    let log = emulator.requests();
    assert_eq!(log.len(), 14);
    for request in &log {
        assert_eq!(
            request.header("authorization"),
            Some("Bearer emulator-token")
        );
        assert!(
            request
                .header("client-request-id")
                .is_some_and(|id| id.len() == 36)
        );
        assert!(!format!("{request:?}{request}").contains("emulator-token"));
    }
    emulator.shutdown().await;
}

#[tokio::test]
async fn every_call_action_against_the_emulator() {
    let emulator = Emulator::start().await.expect("emulator");
    let client = emulator.client().expect("client");
    let call = new_call(vec![person("u1", "John")])
        .send(&client)
        .await
        .expect("create");
    let call_id = call.id.clone().expect("id");
    let me = call.my_participant_id.clone().expect("me");
    let john = participants(&client, &call_id).await[1]
        .id
        .clone()
        .expect("John");

    let answered = AnswerCall {
        call_id: call_id.clone(),
        callback_uri: Some("https://bot.contoso.com/callback".into()),
        accepted_modalities: vec![Modality::Audio],
        media_config: MediaConfig::service_hosted(),
        participant_capacity: None,
    }
    .send(&client)
    .await
    .expect("answer");
    assert_eq!(answered.status(), 202);
    assert_eq!(
        emulator.call(&call_id).and_then(|c| c.active_modalities),
        Some(vec![Modality::Audio])
    );

    assert_eq!(
        KeepAlive {
            call_id: call_id.clone()
        }
        .send(&client)
        .await
        .expect("keepAlive")
        .status(),
        200
    );

    let muted = MuteCall {
        call_id: call_id.clone(),
        client_context: None,
    }
    .send(&client)
    .await
    .expect("mute self");
    assert_eq!(muted.status, Some(OperationStatus::Completed));
    assert_eq!(
        emulator.participant(&call_id, &me).and_then(|p| p.is_muted),
        Some(true)
    );
    let unmuted = UnmuteCall {
        call_id: call_id.clone(),
        client_context: Some("u".into()),
    }
    .send(&client)
    .await
    .expect("unmute self");
    assert_eq!(unmuted.client_context.as_deref(), Some("u"));
    assert_eq!(
        emulator.participant(&call_id, &me).and_then(|p| p.is_muted),
        Some(false)
    );

    let tones = SubscribeToTone {
        call_id: call_id.clone(),
        client_context: None,
    }
    .send(&client)
    .await
    .expect("tones");
    assert!(tones.is_finished());

    let recorded = RecordResponse {
        call_id: call_id.clone(),
        prompts: None,
        barge_in_allowed: None,
        initial_silence_timeout_in_seconds: None,
        max_silence_timeout_in_seconds: None,
        max_record_duration_in_seconds: Some(10),
        play_beep: Some(true),
        stop_tones: Some(vec!["#".into()]),
        client_context: Some("rec".into()),
    }
    .send(&client)
    .await
    .expect("record");
    assert_eq!(
        recorded.completion_reason,
        Some(RecordCompletionReason::MaxRecordDurationReached)
    );
    assert!(
        recorded
            .recording_location
            .as_deref()
            .is_some_and(|l| l.starts_with(emulator.base_url()))
    );
    assert!(recorded.recording_access_token.is_some());
    assert!(
        !format!("{:?}", recorded.body()).contains(
            recorded
                .recording_access_token
                .as_ref()
                .map_or("-", |t| t.expose())
        )
    );

    let cancelled = CancelMediaProcessing {
        call_id: call_id.clone(),
        client_context: None,
    }
    .send(&client)
    .await
    .expect("cancel");
    assert_eq!(cancelled.status, Some(OperationStatus::Completed));

    let recording = UpdateRecordingStatus {
        call_id: call_id.clone(),
        status: RecordingStatus::Recording,
        client_context: None,
    }
    .send(&client)
    .await
    .expect("recording status");
    assert!(recording.is_finished());
    let me_now = emulator.participant(&call_id, &me).expect("me");
    assert_eq!(
        me_now.recording_info.and_then(|r| r.recording_status),
        Some(RecordingStatus::Recording)
    );
    let bad = UpdateRecordingStatus {
        call_id: call_id.clone(),
        status: RecordingStatus::from_wire("paused"),
        client_context: None,
    }
    .send(&client)
    .await
    .expect_err("unknown status");
    assert_eq!(bad.status(), Some(400));
    assert_eq!(bad.code(), Some("BadRequest"));

    let role = ChangeScreenSharingRole {
        call_id: call_id.clone(),
        role: ScreenSharingRole::Sharer,
    }
    .send(&client)
    .await
    .expect("role");
    assert_eq!(role.status(), 202);

    let held = StartHoldMusic {
        call_id: call_id.clone(),
        participant_id: john.clone(),
        custom_prompt: None,
        client_context: Some("hold".into()),
    }
    .send(&client)
    .await
    .expect("hold");
    assert_eq!(held.status(), 202);
    assert!(held.location().is_some());
    assert_eq!(held.client_context.as_deref(), Some("hold"));
    let resumed = StopHoldMusic {
        call_id: call_id.clone(),
        participant_id: john.clone(),
        client_context: None,
    }
    .send(&client)
    .await
    .expect("resume");
    assert_eq!(resumed.status(), 202);

    let rejected = RejectCall {
        call_id: call_id.clone(),
        reason: Some(RejectReason::Busy),
        callback_uri: None,
    }
    .send(&client)
    .await
    .expect("reject");
    assert_eq!(rejected.status(), 202);
    // Rejecting an answered call does not end it.
    assert_eq!(
        emulator.call(&call_id).and_then(|c| c.state),
        Some(CallState::Established)
    );
    let redirected = RedirectCall {
        call_id: call_id.clone(),
        targets: vec![person("u2", "Heidi")],
        timeout: Some(30),
        callback_uri: None,
    }
    .send(&client)
    .await
    .expect("redirect");
    assert_eq!(redirected.status(), 202);

    let transferred = TransferCall {
        call_id: call_id.clone(),
        transfer_target: person("u3", "Heidi"),
        transferee: None,
    }
    .send(&client)
    .await
    .expect("transfer");
    assert_eq!(transferred.status(), 202);
    let after = GetCall {
        call_id: call_id.clone(),
    }
    .send(&client)
    .await
    .expect("get");
    assert_eq!(after.state, Some(CallState::Terminated));
    assert_eq!(
        after.result_info.as_ref().and_then(|r| r.subcode),
        Some(7015)
    );

    emulator.shutdown().await;
}

#[tokio::test]
async fn incoming_calls_are_answered_or_rejected() {
    let emulator = Emulator::start().await.expect("emulator");
    let client = emulator.client().expect("client");
    let caller = IdentitySet::user(Identity::new("5810cede-f3cc-42eb-b2c1-e9bd5d53ec96", "Bob"));

    let ringing = emulator.incoming_call(caller.clone());
    let call = GetCall {
        call_id: ringing.clone(),
    }
    .send(&client)
    .await
    .expect("get");
    assert_eq!(call.state, Some(CallState::Incoming));
    assert_eq!(call.direction, Some(CallDirection::Incoming));
    let from = call
        .source
        .as_ref()
        .and_then(|s| s.identity.as_ref())
        .and_then(IdentitySet::primary);
    assert_eq!(from.and_then(|i| i.display_name.as_deref()), Some("Bob"));
    let roster: Vec<_> = participants(&client, &ringing)
        .await
        .iter()
        .filter_map(name_of)
        .map(str::to_owned)
        .collect();
    assert_eq!(roster, ["Bob", "Emulated bot"]);
    AnswerCall {
        call_id: ringing.clone(),
        callback_uri: Some("https://bot.contoso.com/callback".into()),
        accepted_modalities: vec![Modality::Audio],
        media_config: MediaConfig::service_hosted(),
        participant_capacity: None,
    }
    .send(&client)
    .await
    .expect("answer");
    assert_eq!(
        emulator.call(&ringing).and_then(|c| c.state),
        Some(CallState::Established)
    );

    let unwanted = emulator.incoming_call(caller);
    RejectCall {
        call_id: unwanted.clone(),
        reason: Some(RejectReason::Busy),
        callback_uri: None,
    }
    .send(&client)
    .await
    .expect("reject");
    assert_eq!(
        emulator.call(&unwanted).and_then(|c| c.state),
        Some(CallState::Terminated)
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn beta_routes_and_paging() {
    let emulator = Emulator::start().await.expect("emulator");
    let client = GraphClient::builder()
        .base_url(emulator.base_url())
        .bearer_token("t")
        .api_version(ApiVersion::Beta)
        .build()
        .expect("client");
    let targets = (0..4)
        .map(|i| person(&format!("u{i}"), &format!("User {i}")))
        .collect();
    let call = new_call(targets)
        .send(&client)
        .await
        .expect("create on beta");
    let call_id = call.id.clone().expect("id");
    assert!(
        call.location()
            .is_some_and(|l| l.contains("/beta/communications/calls/"))
    );

    let first = ListParticipants {
        call_id: call_id.clone(),
        top: Some(2),
    }
    .send(&client)
    .await
    .expect("page 1");
    assert_eq!(first.value.len(), 2);
    let next = first.next_link.clone().expect("a next link");
    assert!(next.starts_with(&format!(
        "{}/beta/communications/calls/{call_id}/participants?",
        emulator.base_url()
    )));
    let requests = emulator.requests();
    assert!(
        requests
            .last()
            .is_some_and(|r| r.path.ends_with("/participants?$top=2"))
    );

    // client.stream follows nextLink through all three pages: the bot and four users.
    emulator.clear_requests();
    let action = ListParticipants {
        call_id: call_id.clone(),
        top: Some(2),
    };
    let mut stream = client.stream(&action);
    let mut names = Vec::new();
    while let Some(item) = std::future::poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await {
        names.push(
            name_of(&item.expect("participant"))
                .unwrap_or_default()
                .to_owned(),
        );
    }
    assert_eq!(
        names,
        ["Emulated bot", "User 0", "User 1", "User 2", "User 3"]
    );
    let pages: Vec<_> = emulator.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        pages,
        [
            format!("/beta/communications/calls/{call_id}/participants?$top=2"),
            format!("/beta/communications/calls/{call_id}/participants?$top=2&$skiptoken=2"),
            format!("/beta/communications/calls/{call_id}/participants?$top=2&$skiptoken=4"),
        ]
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn unknown_ids_are_graph_shaped_404s() {
    let emulator = Emulator::start().await.expect("emulator");
    let client = emulator.client().expect("client");
    let err = MuteParticipant {
        call_id: "no-such-call".into(),
        participant_id: "p".into(),
        client_context: None,
    }
    .send(&client)
    .await
    .expect_err("unknown call");
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.code(), Some("itemNotFound"));
    assert!(err.message().is_some_and(|m| m.contains("no-such-call")));
    assert!(err.request_id().is_some_and(|id| id.len() == 36), "{err}");
    assert!(err.to_string().contains("itemNotFound"), "{err}");

    let err = KeepAlive {
        call_id: "ended".into(),
    }
    .send(&client)
    .await
    .expect_err("ended call");
    assert_eq!(err.status(), Some(404));
    emulator.shutdown().await;
}

/// Sends one raw HTTP/1.1 request; returns the status, the lower-cased head and the body.
async fn raw(emulator: &Emulator, request: &str) -> (u16, String, String) {
    let mut stream = tokio::net::TcpStream::connect(emulator.local_addr())
        .await
        .expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    let (head, body) = answer.split_once("\r\n\r\n").expect("head and body");
    let status = head
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .expect("status");
    (status, head.to_ascii_lowercase(), body.to_owned())
}

#[tokio::test]
async fn bad_requests_get_graph_errors() {
    let emulator = Emulator::start().await.expect("emulator");
    let post = |path: &str, body: &str| {
        format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let cases = [
        (post("/v1.0/communications/calls", "{not json"), 400, "BadRequest"),
        (post("/v1.0/communications/calls", "{}"), 400, "BadRequest"),
        (post("/v2.0/communications/calls", "{}"), 400, "BadRequest"),
        (post("/v1.0/communications/calls/x/frobnicate", "{}"), 400, "BadRequest"),
        (post("/v1.0/communications/calls/x/keepAlive", ""), 404, "itemNotFound"),
        (post("/v1.0/me", "{}"), 400, "BadRequest"),
        (
            "PUT /v1.0/communications/calls/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_owned(),
            405,
            "BadRequest",
        ),
    ];
    for (request, status, code) in cases {
        let (got, head, body) = raw(&emulator, &request).await;
        assert_eq!(got, status, "{request}");
        assert!(head.contains("\r\nrequest-id: "), "{head}");
        let body: serde_json::Value = serde_json::from_str(&body).expect("JSON error body");
        assert_eq!(body["error"]["code"], code, "{request}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    // The prefixed action segment works like the plain one.
    let (status, _, _) = raw(
        &emulator,
        &post("/v1.0/communications/calls/x/microsoft.graph.keepAlive", ""),
    )
    .await;
    assert_eq!(status, 404);
    emulator.shutdown().await;
}

/// A raw request without `Authorization`: the exact 401 Graph answers.
#[tokio::test]
async fn missing_token_is_401_invalid_authentication_token() {
    let emulator = Emulator::start().await.expect("emulator");
    let mut stream = tokio::net::TcpStream::connect(emulator.local_addr())
        .await
        .expect("connect");
    let request = format!(
        "GET /v1.0/communications/calls HTTP/1.1\r\nHost: {}\r\nclient-request-id: 6b1e1b1e-0000-4000-8000-000000000001\r\nConnection: close\r\n\r\n",
        emulator.local_addr()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    let (head, body) = answer.split_once("\r\n\r\n").expect("head and body");
    assert!(head.starts_with("HTTP/1.1 401"), "{head}");
    let head = head.to_ascii_lowercase();
    assert!(head.contains("\r\nrequest-id: "), "{head}");
    assert!(
        head.contains("\r\nclient-request-id: 6b1e1b1e-0000-4000-8000-000000000001"),
        "{head}"
    );
    let body: serde_json::Value = serde_json::from_str(body).expect("JSON error body");
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    assert_eq!(
        body["error"]["innerError"]["client-request-id"],
        "6b1e1b1e-0000-4000-8000-000000000001"
    );
    assert!(body["error"]["innerError"]["request-id"].is_string());
    assert!(body["error"]["innerError"]["date"].is_string());
    assert_eq!(emulator.requests().len(), 1);
    emulator.shutdown().await;
}

#[tokio::test]
async fn blank_bearer_token_is_401_through_the_client() {
    let emulator = Emulator::start().await.expect("emulator");
    // An empty token is refused before anything is sent ...
    let empty = GraphClient::builder()
        .base_url(emulator.base_url())
        .bearer_token("")
        .build();
    assert!(empty.is_err());
    // ... a blank one reaches the service, which refuses it as Graph does.
    let client = GraphClient::builder()
        .base_url(emulator.base_url())
        .bearer_token(" ")
        .build()
        .expect("client");
    let err = GetCall {
        call_id: "x".into(),
    }
    .send(&client)
    .await
    .expect_err("401");
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.code(), Some("InvalidAuthenticationToken"));
    assert_eq!(emulator.requests().len(), 1);
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_concurrent_calls() {
    let emulator = Emulator::start().await.expect("emulator");
    let client = emulator.client().expect("client");
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..64 {
        let client = client.clone();
        tasks.spawn(async move {
            let call = new_call(vec![
                person(&format!("user-{i}"), &format!("User {i}")),
                person("x", "Other"),
            ])
            .send(&client)
            .await
            .expect("create");
            let call_id = call.id.clone().expect("id");
            let roster = participants(&client, &call_id).await;
            let target = roster
                .iter()
                .find(|p| name_of(p) == Some(format!("User {i}").as_str()))
                .and_then(|p| p.id.clone())
                .expect("target");
            let op = MuteParticipant {
                call_id: call_id.clone(),
                participant_id: target.clone(),
                client_context: Some(format!("mute-{i}")),
            }
            .send(&client)
            .await
            .expect("mute");
            assert_eq!(op.client_context, Some(format!("mute-{i}")));
            (call_id, target)
        });
    }
    let mut muted = Vec::new();
    while let Some(result) = tasks.join_next().await {
        muted.push(result.expect("task"));
    }
    assert_eq!(muted.len(), 64);
    let calls = emulator.calls();
    assert_eq!(calls.len(), 64);
    for (call_id, target) in &muted {
        let roster = emulator.participants(call_id).expect("call kept");
        assert_eq!(roster.len(), 3);
        for p in roster {
            let expected = p.id.as_ref() == Some(target);
            assert_eq!(p.is_muted, Some(expected), "call {call_id}");
        }
    }
    assert_eq!(emulator.requests().len(), 64 * 3);
    emulator.shutdown().await;
}
