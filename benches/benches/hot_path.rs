//! Hot path without the network (design section 6): building the seed action's
//! request (URL with encoded path, headers, body bytes) and reading its answer,
//! each beside the same work hand-written with reqwest and serde_json.
//!
//! `cargo bench -p graph-bench --bench hot_path`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use graph_bench::hand::{self, HandClient};
use graph_bench::seed::{self, MuteParticipant};
use graph_bench::{CALL_ID, CLIENT_CONTEXT, MUTE_RESPONSE, PARTICIPANT_ID, TOKEN};
use graph_runtime::bench_hooks::first_request;
use graph_runtime::{AccessToken, GraphAction, GraphClient};

const BASE: &str = "http://127.0.0.1:8080";

fn build_request(c: &mut Criterion) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let hand = HandClient::with_client(http.clone(), BASE, TOKEN).expect("hand-written client");
    let action = MuteParticipant::example();
    let client = GraphClient::builder()
        .base_url(BASE)
        .bearer_token(TOKEN)
        .http_client(http.clone())
        .build()
        .expect("client");
    let token = AccessToken::new(TOKEN, None);

    // Same URL, same body bytes, same header names.
    let ours_req = first_request(&client, &action, &token).expect("ours");
    let hand_req = hand
        .build_request(CALL_ID, PARTICIPANT_ID, Some(CLIENT_CONTEXT))
        .expect("hand");
    assert_eq!(ours_req.url(), hand_req.url());
    assert_eq!(
        ours_req.body().and_then(|b| b.as_bytes()),
        hand_req.body().and_then(|b| b.as_bytes())
    );
    let names = |r: &reqwest::Request| {
        let mut names: Vec<String> = r.headers().keys().map(|k| k.to_string()).collect();
        names.sort();
        names
    };
    assert_eq!(names(&ours_req), names(&hand_req));

    let mut g = c.benchmark_group("build_request");
    g.bench_function("graph_action/write_request", |b| {
        b.iter(|| graph_runtime::bench_hooks::write_request(black_box(&action)).expect("write"))
    });
    g.bench_function("graph_action/full", |b| {
        b.iter(|| first_request(&client, black_box(&action), &token).expect("build"))
    });
    g.bench_function("hand_written/full", |b| {
        b.iter(|| {
            black_box(&hand)
                .build_request(
                    black_box(CALL_ID),
                    black_box(PARTICIPANT_ID),
                    black_box(Some(CLIENT_CONTEXT)),
                )
                .expect("build")
        })
    });
    g.finish();
}

fn read_response(c: &mut Criterion) {
    let body = MUTE_RESPONSE.as_bytes();
    let ours: <MuteParticipant as GraphAction>::Response = seed::read_body(body).expect("ours");
    let hand: hand::MuteParticipantOperation = serde_json::from_slice(body).expect("hand");
    assert_eq!(ours.id, hand.id);

    let mut g = c.benchmark_group("read_response");
    g.bench_function("graph_action", |b| {
        b.iter(|| {
            seed::read_body::<<MuteParticipant as GraphAction>::Response>(black_box(body))
                .expect("read")
        })
    });
    // The same type without the runtime's reader: separates the cost of the
    // tolerant comms type from the cost of `decode_body` (envelope probe).
    g.bench_function("graph_action/type_only", |b| {
        b.iter(|| {
            serde_json::from_slice::<<MuteParticipant as GraphAction>::Response>(black_box(body))
                .expect("read")
        })
    });
    g.bench_function("hand_written", |b| {
        b.iter(|| {
            serde_json::from_slice::<hand::MuteParticipantOperation>(black_box(body)).expect("read")
        })
    });
    g.finish();
}

criterion_group!(benches, build_request, read_response);
criterion_main!(benches);
