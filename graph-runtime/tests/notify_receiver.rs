//! The receiver's bodies and events: bad bodies never deliver, good ones are
//! typed, a slow consumer's losses are counted and shown.

mod notify_support;

use std::time::Duration;

use graph_runtime::comms::{CallState, ChangeType, OperationStatus, Tone};
use graph_runtime::notify::{CallEvent, Receiver};
use notify_support::*;
use serde_json::json;

async fn next(receiver: &Receiver) -> CallEvent {
    tokio::time::timeout(Duration::from_secs(5), receiver.events().next())
        .await
        .expect("an event")
        .expect("the stream is open")
}

#[tokio::test]
async fn bad_bodies_are_refused_and_deliver_nothing() {
    let server = key_server().await;
    let receiver = receiver(&server);
    let t = format!("Bearer {}", token(|_| {}));
    let good = batch(vec![call_update("c-1", "updated", "established")]).to_string();
    let mut two_mib = br#"{"value":[{"changeType":"updated","resourceUrl":"/communications/calls/x","resourceData":{"subject":""#.to_vec();
    two_mib.resize(2 * 1024 * 1024, b'a');
    two_mib.extend_from_slice(br#""}}]}"#);
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("empty", vec![], 400),
        ("truncated", good.as_bytes()[..good.len() / 2].to_vec(), 400),
        ("not JSON", b"hello".to_vec(), 400),
        ("an array", b"[]".to_vec(), 400),
        ("no value", br##"{"@odata.type":"#microsoft.graph.commsNotifications"}"##.to_vec(), 400),
        ("value null", br#"{"value":null}"#.to_vec(), 400),
        ("value an object", br#"{"value":{}}"#.to_vec(), 400),
        ("value of numbers", br#"{"value":[1,2]}"#.to_vec(), 400),
        ("resourceUrl a number", br#"{"value":[{"resourceUrl":5}]}"#.to_vec(), 400),
        ("invalid UTF-8", b"{\"value\":[{\"resourceUrl\":\"\xff\"}]}".to_vec(), 400),
        ("deeply nested", format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(), 400),
        ("2 MiB", two_mib, 413),
        ("legacy format (first incoming call)", br#"{"id":"1","callState":"incoming","presentedModalityTypes":["audio"],"isMultiparty":false}"#.to_vec(), 204),
    ];
    for (case, body, status) in cases {
        assert_eq!(post_raw(&receiver, Some(&t), body).await, status, "{case}");
    }
    assert_eq!(
        post_raw(&receiver, Some(&t), b"{\"value\":[]}".to_vec()).await,
        202
    );
    assert_eq!(post_raw(&receiver, Some(&t), good.into_bytes()).await, 202);
    let first = next(&receiver).await;
    assert_eq!(
        first.call_id(),
        Some("c-1"),
        "a refused body delivered {first:?}"
    );
    assert_eq!(receiver.lost_events(), 0);
}

#[tokio::test]
async fn notifications_become_typed_events() {
    let server = key_server().await;
    let receiver = receiver(&server);
    let t = token(|_| {});
    let body = batch(vec![
        json!({"changeType": "created", "resourceUrl": "/communications/calls/c-9",
               "resourceData": {"@odata.type": "#microsoft.graph.call", "state": "incoming", "direction": "incoming"}}),
        // PascalCase changeType, legacy resource only
        json!({"changeType": "Updated", "resource": "/app/calls/c-9",
               "resourceData": {"state": "established"}}),
        json!({"changeType": "updated", "resourceUrl": "communications/calls/c-9/participants",
               "resourceData": [{"id": "p-1", "isMuted": true}, {"id": "p-2", "isMuted": false}]}),
        completed(
            "c-9",
            "0fe0623f-d628-42ed-b4bd-8ac290072cc5",
            "failed",
            Some("ctx"),
            400,
            8508,
        ),
        json!({"changeType": "updated", "resourceUrl": "/communications/calls/c-9",
               "resourceData": {"state": "established", "toneInfo": {"sequenceId": 3, "tone": "tone5"}}}),
        json!({"changeType": "updated", "resourceUrl": "/communications/calls/c-9/audioRoutingGroups/g",
               "resourceData": {}}),
        json!({"changeType": "deleted", "resourceUrl": "/communications/calls/c-9",
               "resourceData": {"state": "terminated"}}),
        json!({"changeType": "updated", "resourceUrl": "/somewhere/else"}),
    ]);
    assert_eq!(post(&receiver, &t, &body).await, 202);
    let mut events = receiver.events();
    let mut got = Vec::new();
    for _ in 0..8 {
        got.push(events.next().await.unwrap());
    }
    for e in &got[..7] {
        assert_eq!(e.tenant_id(), Some(TENANT));
        assert_eq!(e.call_id(), Some("c-9"), "{e:?}");
    }
    assert!(
        matches!(&got[0], CallEvent::IncomingCall { call, .. } if call.state == Some(CallState::Incoming))
    );
    assert!(
        matches!(&got[1], CallEvent::CallChanged { change: ChangeType::Updated, call, .. } if call.state == Some(CallState::Established))
    );
    assert!(
        matches!(&got[2], CallEvent::RosterUpdated { participants, .. } if participants.len() == 2 && participants[0].is_muted == Some(true))
    );
    match &got[3] {
        CallEvent::OperationFinished {
            operation_id,
            operation,
            ..
        } => {
            assert_eq!(
                operation_id.as_deref(),
                Some("0FE0623FD62842EDB4BD8AC290072CC5")
            );
            assert_eq!(operation.status, Some(OperationStatus::Failed));
            assert_eq!(
                operation.result_info.as_ref().and_then(|r| r.subcode),
                Some(8508)
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(&got[4], CallEvent::ToneReceived { tone, .. } if tone.tone == Some(Tone::Tone5) && tone.sequence_id == Some(3))
    );
    assert!(
        matches!(&got[5], CallEvent::Other { notification, .. } if notification.resource_url.as_deref() == Some("/communications/calls/c-9/audioRoutingGroups/g"))
    );
    assert!(matches!(
        &got[6],
        CallEvent::CallChanged {
            change: ChangeType::Deleted,
            ..
        }
    ));
    assert!(matches!(&got[7], CallEvent::Other { call_id: None, .. }));
}

#[tokio::test]
async fn a_slow_consumer_loses_counted_events_and_sees_the_gap() {
    let server = key_server().await;
    let receiver = Receiver::builder()
        .app_id(APP)
        .openid_config_url(format!("{}/config", server.uri()))
        .event_capacity(3)
        .build()
        .unwrap();
    let t = token(|_| {});
    for i in 0..10 {
        let body = batch(vec![call_update(
            &format!("c-{i}"),
            "updated",
            "established",
        )]);
        // Never waits on the consumer: 202 at once.
        assert_eq!(post(&receiver, &t, &body).await, 202);
    }
    assert_eq!(receiver.lost_events(), 7);
    let mut events = receiver.events();
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(events.next().await.unwrap().call_id().map(str::to_owned));
    }
    assert_eq!(
        seen,
        [Some("c-0".into()), Some("c-1".into()), Some("c-2".into())]
    );
    // Room again: the gap is reported where it happened, then new events.
    let body = batch(vec![call_update("c-10", "updated", "established")]);
    assert_eq!(post(&receiver, &t, &body).await, 202);
    assert_eq!(events.next().await, Some(CallEvent::Missed { count: 7 }));
    assert_eq!(events.next().await.unwrap().call_id(), Some("c-10"));
    assert_eq!(receiver.lost_events(), 7);
}

#[tokio::test]
async fn the_stream_ends_when_the_receiver_is_dropped() {
    let server = key_server().await;
    let receiver = receiver(&server);
    let mut events = receiver.events();
    drop(receiver);
    assert_eq!(events.next().await, None);
}
