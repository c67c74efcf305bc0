//! JSON batching against the emulator: the catalogue's actions in batches,
//! offline. The emulator serves each item through its own routes, answers in
//! reverse order and throttles items on request (`Fault::BatchItemThrottle`).
//! The clock is paused where a `Retry-After` is waited on; the client's own
//! timeouts are off there (see `Emulator`'s docs).

use std::time::Duration;

use graph_runtime::comms::*;
use graph_runtime::emulator::{Emulator, Fault, RecordedRequest};
use serde_json::Value;

mod common;
use common::{call_with, paused_clock_client as client};

fn batches(emulator: &Emulator) -> Vec<RecordedRequest> {
    emulator
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/$batch"))
        .collect()
}

fn ids(request: &RecordedRequest) -> Vec<String> {
    request.body_json().expect("JSON")["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn mute_ten_participants_then_read_their_states() {
    let emulator = Emulator::start().await.expect("emulator");
    let client = client(&emulator);
    let (call_id, people) = call_with(&client, 10).await;
    emulator.clear_requests();

    let mut batch = client.batch();
    let mutes: Vec<_> = people
        .iter()
        .map(|p| {
            batch.add(&MuteParticipant {
                call_id: call_id.clone(),
                participant_id: p.clone(),
                client_context: Some(format!("mute-{p}")),
            })
        })
        .collect();
    let mut results = batch.send().await.expect("send");
    for (mute, p) in mutes.into_iter().zip(&people) {
        let op = results.take(mute).expect("mute");
        assert_eq!(op.status, Some(OperationStatus::Completed));
        assert_eq!(
            op.client_context.as_deref(),
            Some(format!("mute-{p}").as_str())
        );
        assert!(op.location().is_some_and(|l| l.contains("/operations/")));
    }

    let mut batch = client.batch();
    let reads: Vec<_> = people
        .iter()
        .map(|p| {
            batch.add(&GetParticipant {
                call_id: call_id.clone(),
                participant_id: p.clone(),
            })
        })
        .collect();
    let mut results = batch.send().await.expect("send");
    for (read, p) in reads.into_iter().zip(&people) {
        let participant = results.take(read).expect("read");
        assert_eq!(participant.id.as_deref(), Some(p.as_str()));
        assert_eq!(participant.is_muted, Some(true));
    }
    // Two round trips in all.
    assert_eq!(emulator.requests().len(), 2);
    assert_eq!(batches(&emulator).len(), 2);
}

#[tokio::test]
async fn splits_45_items_into_three_requests() {
    let emulator = Emulator::start().await.expect("emulator");
    let client = client(&emulator);
    let (call_id, people) = call_with(&client, 3).await;
    for (count, requests) in [(1, 1), (20, 1), (21, 2), (45, 3)] {
        emulator.clear_requests();
        let mut batch = client.batch();
        let reads: Vec<_> = (0..count)
            .map(|n| {
                batch.add(&GetParticipant {
                    call_id: call_id.clone(),
                    participant_id: people[n % 3].clone(),
                })
            })
            .collect();
        let mut results = batch.send().await.expect("send");
        assert_eq!(batches(&emulator).len(), requests, "{count} items");
        for (n, read) in reads.into_iter().enumerate() {
            let p = results.take(read).expect("read");
            assert_eq!(p.id.as_deref(), Some(people[n % 3].as_str()));
        }
    }
}

#[tokio::test(start_paused = true)]
async fn throttled_items_are_sent_again_with_their_ids() {
    let emulator = Emulator::start().await.expect("emulator");
    let client = client(&emulator);
    let (call_id, people) = call_with(&client, 4).await;
    emulator.clear_requests();
    // The first two items served are throttled, with a fractional wait.
    emulator.inject(Fault::BatchItemThrottle {
        count: 2,
        retry_after: Duration::from_millis(500),
    });
    let mut batch = client.batch();
    let mutes: Vec<_> = people
        .iter()
        .map(|p| {
            batch.add(&MuteParticipant {
                call_id: call_id.clone(),
                participant_id: p.clone(),
                client_context: None,
            })
        })
        .collect();
    let started = tokio::time::Instant::now();
    let mut results = batch.send().await.expect("send");
    assert!(started.elapsed() >= Duration::from_millis(500));
    let sent = batches(&emulator);
    assert_eq!(sent.len(), 2);
    assert_eq!(ids(&sent[0]), ["1", "2", "3", "4"]);
    assert_eq!(ids(&sent[1]), ["1", "2"]);
    for (n, mute) in mutes.into_iter().enumerate() {
        let expected = if n < 2 { 2 } else { 1 };
        assert_eq!(results.attempts(mute.id()), Some(expected));
        results.take(mute).expect("muted in the end");
    }
    for p in &people {
        let participant = emulator.participant(&call_id, p).expect("participant");
        assert_eq!(participant.is_muted, Some(true));
    }
}

#[tokio::test(start_paused = true)]
async fn a_throttled_batch_post_is_retried_whole() {
    let emulator = Emulator::start().await.expect("emulator");
    let client = client(&emulator);
    let (call_id, people) = call_with(&client, 2).await;
    emulator.clear_requests();
    emulator.inject(Fault::Throttle {
        count: 1,
        retry_after: Duration::from_secs(2),
    });
    let mut batch = client.batch();
    let reads: Vec<_> = people
        .iter()
        .map(|p| {
            batch.add(&GetParticipant {
                call_id: call_id.clone(),
                participant_id: p.clone(),
            })
        })
        .collect();
    let mut results = batch.send().await.expect("send");
    let sent = batches(&emulator);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].body, sent[1].body, "the same $batch again");
    assert_eq!(sent[1].header("retry-attempt"), Some("1"));
    for read in reads {
        results.take(read).expect("read");
    }
}

#[tokio::test]
async fn a_dependent_of_a_failed_item_gets_424_from_the_service() {
    let emulator = Emulator::start().await.expect("emulator");
    let client = client(&emulator);
    let (call_id, people) = call_with(&client, 1).await;
    let mut batch = client.batch();
    let missing = batch.add(&GetParticipant {
        call_id: call_id.clone(),
        participant_id: "nobody".into(),
    });
    let mute = batch
        .add_after(
            &MuteParticipant {
                call_id: call_id.clone(),
                participant_id: people[0].clone(),
                client_context: None,
            },
            &[missing.id()],
        )
        .expect("add_after");
    let mut results = batch.send().await.expect("send");
    let missing = results.take(missing).expect_err("404");
    assert_eq!(missing.status(), Some(404));
    assert_eq!(missing.code(), Some("itemNotFound"));
    // The item's own request-id, from its error body.
    assert!(missing.request_id().is_some());
    let mute = results.take(mute).expect_err("424");
    assert_eq!(mute.status(), Some(424));
    assert_eq!(mute.code(), Some("FailedDependency"));
    // Not muted: the item was not run.
    let p = emulator.participant(&call_id, &people[0]).expect("p");
    assert_ne!(p.is_muted, Some(true));
}

#[tokio::test]
async fn a_chain_runs_in_order_and_stays_together() {
    let emulator = Emulator::start().await.expect("emulator");
    let client = client(&emulator);
    let (call_id, people) = call_with(&client, 1).await;
    emulator.clear_requests();
    let mut batch = client.batch();
    let independent: Vec<_> = (0..19)
        .map(|_| {
            batch.add(&GetCall {
                call_id: call_id.clone(),
            })
        })
        .collect();
    let mute = batch.add(&MuteParticipant {
        call_id: call_id.clone(),
        participant_id: people[0].clone(),
        client_context: None,
    });
    let read = batch
        .add_after(
            &GetParticipant {
                call_id: call_id.clone(),
                participant_id: people[0].clone(),
            },
            &[mute.id()],
        )
        .expect("add_after");
    let mut results = batch.send().await.expect("send");
    let sent = batches(&emulator);
    assert_eq!(sent.len(), 2);
    let mut sets: Vec<Vec<String>> = sent.iter().map(ids).collect();
    sets.sort_by_key(Vec::len);
    assert_eq!(sets[0], ["20", "21"]);
    assert_eq!(sets[1].len(), 19);
    results.take(mute).expect("mute");
    // Read after the mute: muted.
    assert_eq!(results.take(read).expect("read").is_muted, Some(true));
    for call in independent {
        assert_eq!(
            results.take(call).expect("call").id.as_deref(),
            Some(call_id.as_str())
        );
    }
}

#[tokio::test]
async fn the_emulator_refuses_a_batch_graph_would_refuse() {
    let emulator = Emulator::start().await.expect("emulator");
    for (body, what) in [
        (r#"{"requests":"#.to_owned(), "not JSON"),
        (
            r#"{"requests":[{"id":"1","method":"GET","url":"/communications/calls"},{"id":"1","method":"GET","url":"/communications/calls"}]}"#.to_owned(),
            "duplicate ids",
        ),
        (
            format!(
                r#"{{"requests":[{}]}}"#,
                (1..=21)
                    .map(|n| format!(r#"{{"id":"{n}","method":"GET","url":"/communications/calls"}}"#))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            "21 items",
        ),
        (
            r#"{"requests":[{"id":"1","method":"GET","url":"https://graph.microsoft.com/v1.0/communications/calls"}]}"#.to_owned(),
            "absolute url",
        ),
    ] {
        let (status, answer) = post_raw(&emulator, &body);
        assert_eq!(status, 400, "{what}: {answer}");
        assert_eq!(answer["error"]["code"], "BadRequest", "{what}");
    }
    // Answers in reverse order; an item with a body but no Content-Type is refused alone.
    let (status, answer) = post_raw(
        &emulator,
        r#"{"requests":[
            {"id":"a","method":"GET","url":"/communications/calls"},
            {"id":"b","method":"POST","url":"/communications/calls","body":{}}
        ]}"#,
    );
    assert_eq!(status, 200);
    let responses = answer["responses"].as_array().expect("responses");
    assert_eq!(responses[0]["id"], "b");
    assert_eq!(responses[0]["status"], 400);
    assert_eq!(responses[1]["id"], "a");
    assert_eq!(responses[1]["status"], 200);
}

/// POSTs a raw `$batch` body to the emulator over a plain TCP connection, so
/// that malformed bodies reach it as written. Blocking is fine: the emulator
/// answers from its own thread.
fn post_raw(emulator: &Emulator, body: &str) -> (u16, Value) {
    use std::io::{Read, Write};
    let addr = emulator.local_addr();
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    let request = format!(
        "POST /v1.0/$batch HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        Emulator::TOKEN,
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read");
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let json = text
        .split_once("\r\n\r\n")
        .and_then(|(_, b)| serde_json::from_str(b).ok())
        .expect("JSON body");
    (status, json)
}
