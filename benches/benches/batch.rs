//! JSON batching without the network (issue 13's bar): building and reading a
//! batch of 20 items costs no more per item than one `send` builds and reads.
//!
//! - `batch/20_items`: 20 seed actions added to a `Batch`, the `$batch` body
//!   built, a 20-item answer (each item the documented mute answer with its
//!   `Location`, in reverse order) read and every item taken as its typed
//!   response (`graph_runtime::bench_hooks::batch_round`: the code `send` runs).
//! - `batch/20_items/build_only`: the same without reading (items and body).
//! - `send/1_item`: what one `send` builds and reads: the first request
//!   (`bench_hooks::first_request`) and the answer read by `send`'s reader.
//!
//! Both report elements per second (20 and 1), so the rates compare per item.
//!
//! `cargo bench -p graph-bench --bench batch`

use std::hint::black_box;

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use graph_bench::seed::{self, MuteParticipant};
use graph_bench::{MUTE_LOCATION, MUTE_RESPONSE, TOKEN};
use graph_runtime::bench_hooks::{batch_body, batch_round, first_request};
use graph_runtime::{AccessToken, GraphAction, GraphClient};

const BASE: &str = "http://127.0.0.1:8080";
const ITEMS: usize = 20;

/// A `$batch` answer to items 1..=20: each the documented mute answer, with its
/// `Location`, last item first.
fn batch_answer() -> Bytes {
    let body: serde_json::Value = serde_json::from_str(MUTE_RESPONSE).expect("answer");
    let responses: Vec<serde_json::Value> = (1..=ITEMS)
        .rev()
        .map(|n| {
            serde_json::json!({
                "id": n.to_string(),
                "status": 200,
                "headers": {"Location": MUTE_LOCATION, "Content-Type": "application/json"},
                "body": body,
            })
        })
        .collect();
    Bytes::from(serde_json::to_vec(&serde_json::json!({ "responses": responses })).expect("json"))
}

fn batch(c: &mut Criterion) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = GraphClient::builder()
        .base_url(BASE)
        .bearer_token(TOKEN)
        .http_client(reqwest::Client::new())
        .build()
        .expect("client");
    let token = AccessToken::new(TOKEN, None);
    let actions: Vec<MuteParticipant> = (0..ITEMS).map(|_| MuteParticipant::example()).collect();
    let answer = batch_answer();
    let one = MuteParticipant::example();
    let body = MUTE_RESPONSE.as_bytes();

    // Both sides do the work they claim: the same operation read per item.
    let (sent, responses) = batch_round(&client, &actions, answer.clone()).expect("batch");
    assert_eq!(responses.len(), ITEMS);
    assert!(sent.starts_with(b"{\"requests\":[{\"id\":\"1\""));
    let single: <MuteParticipant as GraphAction>::Response = seed::read_body(body).expect("one");
    for r in &responses {
        assert_eq!(r.id, single.id);
        assert_eq!(r.location(), Some(MUTE_LOCATION));
    }

    let mut g = c.benchmark_group("batch_vs_send");
    g.throughput(Throughput::Elements(ITEMS as u64));
    g.bench_function("batch/20_items", |b| {
        b.iter(|| {
            batch_round(&client, black_box(&actions), black_box(answer.clone())).expect("batch")
        })
    });
    g.bench_function("batch/20_items/build_only", |b| {
        b.iter(|| batch_body(&client, black_box(&actions)))
    });
    g.throughput(Throughput::Elements(1));
    g.bench_function("send/1_item", |b| {
        b.iter(|| {
            let request = first_request(&client, black_box(&one), &token).expect("build");
            let read: <MuteParticipant as GraphAction>::Response =
                seed::read_body(black_box(body)).expect("read");
            (request, read)
        })
    });
    g.finish();
}

criterion_group!(benches, batch);
criterion_main!(benches);
