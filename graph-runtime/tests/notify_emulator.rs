//! The emulator calls the bot back, as Graph does: the example's flow as a
//! test, signed deliveries only the emulator's keys verify, retries, and the
//! rules for callback URIs.

mod notify_support;

use std::time::Duration;

use axum::extract::{Request, State};
use axum::routing::post;
use graph_runtime::comms::*;
use graph_runtime::emulator::Emulator;
use graph_runtime::notify::{CallEvent, CallEvents, Receiver, axum_handler};
use tokio::sync::mpsc;

const STEP: Duration = Duration::from_secs(10);

/// Serves `receiver` on loopback; every answer's status is also sent to the
/// returned channel, so a test can await a delivery without sleeping.
async fn bot(receiver: Receiver) -> (String, mpsc::UnboundedReceiver<u16>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api/calls", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    let app = axum::Router::new()
        .route(
            "/api/calls",
            post(move |state: State<Receiver>, request: Request| {
                let tx = tx.clone();
                async move {
                    let answer = axum_handler(state, request).await;
                    let _ = tx.send(answer.status().as_u16());
                    answer
                }
            }),
        )
        .with_state(receiver);
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, rx)
}

fn receiver_for(emulator: &Emulator) -> Receiver {
    Receiver::builder()
        .app_id(emulator.app_id())
        .openid_config_url(emulator.openid_config_url())
        .build()
        .unwrap()
}

async fn next(events: &mut CallEvents) -> CallEvent {
    tokio::time::timeout(STEP, events.next())
        .await
        .expect("a notification")
        .expect("open")
}

fn caller() -> IdentitySet {
    IdentitySet::user(Identity::new(
        "8d6e8a1c-1111-4e6b-9f43-2a1d1e5f0c01",
        "Adele",
    ))
}

#[tokio::test]
async fn the_bot_flow_answer_prompt_mute_hang_up() {
    // The emulator needs the bot's URL, the receiver the emulator's: bind the
    // bot's port first, serve it once the receiver is built.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let callback = format!("http://{}/api/calls", listener.local_addr().unwrap());
    let emulator = Emulator::builder()
        .operation_delay(Duration::from_millis(50))
        .bot_callback(&callback)
        .app_id("3f1b0c9e-0000-4000-8000-00000000b0b0")
        .start()
        .await
        .unwrap();
    assert_eq!(emulator.app_id(), "3f1b0c9e-0000-4000-8000-00000000b0b0");
    let receiver = receiver_for(&emulator);
    let app = axum::Router::new()
        .route("/api/calls", post(axum_handler))
        .with_state(receiver.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = emulator.client().unwrap();
    let mut events = receiver.events();
    let ops = receiver.operations();

    let call_id = emulator.incoming_call(caller());
    let CallEvent::IncomingCall {
        call_id: rung,
        call,
        tenant_id,
    } = next(&mut events).await
    else {
        panic!("the first notification is the incoming call");
    };
    assert_eq!(rung, call_id);
    assert_eq!(tenant_id, Emulator::TENANT_ID);
    assert_eq!(call.state, Some(CallState::Incoming));
    let caller_id = call.source.and_then(|s| s.participant_id).unwrap();

    AnswerCall {
        call_id: call_id.clone(),
        callback_uri: Some(callback.clone()),
        accepted_modalities: vec![Modality::Audio],
        media_config: MediaConfig::service_hosted(),
        participant_capacity: None,
    }
    .send(&client)
    .await
    .unwrap();
    let CallEvent::CallChanged { change, call, .. } = next(&mut events).await else {
        panic!()
    };
    assert_eq!(
        (change, call.state),
        (ChangeType::Updated, Some(CallState::Established))
    );

    let prompt = PlayPrompt {
        call_id: call_id.clone(),
        prompts: vec![MediaPrompt::new(MediaInfo::new(
            "https://cdn.contoso.com/a.wav",
        ))],
        client_context: Some("prompt-1".into()),
    }
    .send(&client)
    .await
    .unwrap();
    assert_eq!(
        prompt.status,
        Some(OperationStatus::Running),
        "delayed operations answer running"
    );
    let played = ops.wait(&prompt, STEP).await.unwrap();
    assert_eq!(played.status, Some(OperationStatus::Completed));
    assert_eq!(played.client_context.as_deref(), Some("prompt-1"));
    assert_eq!(played.result_info.and_then(|r| r.code), Some(200));
    let CallEvent::OperationFinished { operation, .. } = next(&mut events).await else {
        panic!()
    };
    assert_eq!(operation.client_context.as_deref(), Some("prompt-1"));
    // The operation resource says completed too, now.
    let location = prompt.location().unwrap().to_owned();
    let op_id = location.rsplit('/').next().unwrap();
    assert_eq!(prompt.id.as_deref(), Some(op_id));

    let mute = MuteParticipant {
        call_id: call_id.clone(),
        participant_id: caller_id.clone(),
        client_context: Some("mute-1".into()),
    }
    .send(&client)
    .await
    .unwrap();
    assert_eq!(mute.status, Some(OperationStatus::Running));
    let CallEvent::RosterUpdated { participants, .. } = next(&mut events).await else {
        panic!()
    };
    assert_eq!(participants.len(), 1);
    assert_eq!(participants[0].id.as_deref(), Some(caller_id.as_str()));
    assert_eq!(participants[0].is_muted, Some(true));
    assert!(ops.wait(&mute, STEP).await.is_ok());
    assert!(matches!(
        next(&mut events).await,
        CallEvent::OperationFinished { .. }
    ));
    assert_eq!(
        emulator.participant(&call_id, &caller_id).unwrap().is_muted,
        Some(true)
    );

    DeleteCall {
        call_id: call_id.clone(),
    }
    .send(&client)
    .await
    .unwrap();
    let CallEvent::CallChanged { change, call, .. } = next(&mut events).await else {
        panic!()
    };
    assert_eq!(
        (change, call.state),
        (ChangeType::Deleted, Some(CallState::Terminated))
    );

    // The API log holds the bot's four requests, not the key fetches.
    let requests: Vec<String> = emulator.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(requests.len(), 4, "{requests:?}");
    assert!(requests.iter().all(|p| !p.contains("well-known")));
    // Each delivery is logged right after the bot's answer.
    let logged = async {
        while emulator.deliveries().len() < 6 {
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(STEP, logged)
        .await
        .expect("six deliveries logged");
    let deliveries = emulator.deliveries();
    assert_eq!(deliveries.len(), 6);
    assert!(
        deliveries
            .iter()
            .all(|d| d.delivered() && d.attempts == 1 && d.url == callback)
    );
    assert_eq!(receiver.lost_events(), 0);
}

#[tokio::test]
async fn a_receiver_built_for_microsoft_refuses_the_emulators_tokens() {
    // Microsoft's key endpoint, stood in for by wiremock (tests never reach
    // Microsoft): it publishes other keys than the emulator's.
    let microsoft = notify_support::key_server().await;
    let emulator_app = "3f1b0c9e-0000-4000-8000-00000000b0b1";
    let for_microsoft = Receiver::builder()
        .app_id(emulator_app)
        .openid_config_url(format!("{}/config", microsoft.uri()))
        .build()
        .unwrap();
    let (url, mut answers) = bot(for_microsoft.clone()).await;
    let emulator = Emulator::builder()
        .bot_callback(&url)
        .app_id(emulator_app)
        .start()
        .await
        .unwrap();
    emulator.incoming_call(caller());
    assert_eq!(answers.recv().await, Some(401));
    assert_eq!(for_microsoft.lost_events(), 0);
    let mut events = for_microsoft.events();
    assert!(
        tokio::time::timeout(Duration::from_millis(50), events.next())
            .await
            .is_err(),
        "nothing delivered"
    );

    // The same app id with the emulator's configuration accepts them...
    let trusting = receiver_for(&emulator);
    let (url, mut answers) = bot(trusting.clone()).await;
    let emulator2 = Emulator::builder()
        .bot_callback(&url)
        .app_id(emulator_app)
        .start()
        .await
        .unwrap();
    emulator2.incoming_call(caller());
    assert_eq!(answers.recv().await, Some(202));
    // ...and one for another app id does not.
    let other_app = Receiver::builder()
        .app_id("someone-else")
        .openid_config_url(emulator.openid_config_url())
        .build()
        .unwrap();
    let (url, mut answers) = bot(other_app).await;
    let emulator3 = Emulator::builder()
        .bot_callback(&url)
        .app_id(emulator_app)
        .start()
        .await
        .unwrap();
    emulator3.incoming_call(caller());
    assert_eq!(answers.recv().await, Some(401));
}

#[tokio::test]
async fn instant_operations_send_no_completion_but_state_still_flows() {
    let emulator = Emulator::start().await.unwrap();
    let receiver = receiver_for(&emulator);
    let (url, mut answers) = bot(receiver.clone()).await;
    let client = emulator.client().unwrap();
    let call = CreateCall {
        call: Call {
            callback_uri: Some(url),
            targets: Some(vec![InvitationParticipantInfo::new(caller())]),
            requested_modalities: Some(vec![Modality::Audio]),
            media_config: Some(MediaConfig::service_hosted()),
            ..Call::default()
        },
    }
    .send(&client)
    .await
    .unwrap();
    let call_id = call.id.clone().unwrap();
    let mut events = receiver.events();
    assert!(
        matches!(next(&mut events).await, CallEvent::CallChanged { call, .. } if call.state == Some(CallState::Established))
    );
    let prompt = PlayPrompt {
        call_id: call_id.clone(),
        prompts: vec![MediaPrompt::new(MediaInfo::new(
            "https://cdn.contoso.com/a.wav",
        ))],
        client_context: None,
    }
    .send(&client)
    .await
    .unwrap();
    assert_eq!(prompt.status, Some(OperationStatus::Completed));
    assert!(
        receiver
            .operations()
            .wait(&prompt, Duration::ZERO)
            .await
            .is_ok(),
        "final at once"
    );
    DeleteCall { call_id }.send(&client).await.unwrap();
    let ended = next(&mut events).await;
    assert!(
        matches!(
            ended,
            CallEvent::CallChanged {
                change: ChangeType::Deleted,
                ..
            }
        ),
        "no completion notification came between: {ended:?}"
    );
    assert_eq!(answers.recv().await, Some(202));
    assert_eq!(answers.recv().await, Some(202));
    assert!(
        emulator
            .deliveries()
            .iter()
            .all(|d| !d.body.to_string().contains("/operations/"))
    );
}

#[tokio::test]
async fn failed_deliveries_are_retried() {
    // A bot that answers 503 twice, then 202.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/cb", listener.local_addr().unwrap());
    let (tx, mut seen) = mpsc::unbounded_channel::<u16>();
    let count = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let app = axum::Router::new().route(
        "/cb",
        post(move || {
            let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let status = if n < 2 { 503 } else { 202 };
            let _ = tx.send(status);
            async move { http::StatusCode::from_u16(status).unwrap() }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    let emulator = Emulator::builder()
        .bot_callback(&url)
        .start()
        .await
        .unwrap();
    emulator.incoming_call(caller());
    assert_eq!(seen.recv().await, Some(503));
    assert_eq!(seen.recv().await, Some(503));
    assert_eq!(seen.recv().await, Some(202));
    // The delivery is logged once it is done (right after the answer).
    let logged = async {
        while emulator.deliveries().is_empty() {
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(STEP, logged)
        .await
        .expect("the delivery is logged");
    let deliveries = emulator.deliveries();
    assert_eq!(
        (deliveries[0].status, deliveries[0].attempts),
        (Some(202), 3)
    );
}

#[tokio::test]
async fn callback_uris_must_be_https_off_loopback() {
    assert!(
        Emulator::builder()
            .bot_callback("http://bot.contoso.com/cb")
            .start()
            .await
            .is_err()
    );
    assert!(
        Emulator::builder()
            .bot_callback("https://bot.contoso.com/cb")
            .start()
            .await
            .is_ok()
    );
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    let create = |uri: &str| CreateCall {
        call: Call {
            callback_uri: Some(uri.into()),
            targets: Some(vec![InvitationParticipantInfo::new(caller())]),
            ..Call::default()
        },
    };
    let refused = create("http://bot.contoso.com/cb")
        .send(&client)
        .await
        .unwrap_err();
    assert_eq!(refused.status(), Some(400));
    assert!(create("http://localhost:9/cb").send(&client).await.is_ok());
    let id = emulator.incoming_call(caller());
    let answer = AnswerCall {
        call_id: id,
        callback_uri: Some("ftp://bot/cb".into()),
        accepted_modalities: vec![Modality::Audio],
        media_config: MediaConfig::service_hosted(),
        participant_capacity: None,
    };
    assert_eq!(answer.send(&client).await.unwrap_err().status(), Some(400));
}
