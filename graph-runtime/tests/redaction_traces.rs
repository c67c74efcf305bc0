//! Secrets never reach traces: everything a call logs at TRACE is captured and
//! searched for a sentinel token and client secret. Its own test binary, so the
//! process-wide subscriber sees only this test.

mod common;

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use common::*;
use graph_runtime::{ClientCredentials, GraphClient};
use wiremock::matchers::{any, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "client-SECRET-sentinel-77";
const ISSUED: &str = "issued-TOKEN-sentinel-31";

fn assert_clean(what: &str, text: &str) {
    for sentinel in [TOKEN, SECRET, ISSUED, "SENTINEL", "sentinel"] {
        assert!(!text.contains(sentinel), "{what} leaks {sentinel}: {text}");
    }
}

/// A capturing `tracing` subscriber: every span and event with all its fields.
#[derive(Clone, Default)]
struct Capture {
    text: Arc<Mutex<String>>,
    next: Arc<AtomicU64>,
}

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut text = self.text.lock().unwrap();
        let _ = write!(text, "\nspan {}", span.metadata().name());
        span.record(&mut Fields(&mut text));
        tracing::span::Id::from_u64(self.next.fetch_add(1, Ordering::SeqCst) + 1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut text = self.text.lock().unwrap();
        text.push_str("\nrecord");
        values.record(&mut Fields(&mut text));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut text = self.text.lock().unwrap();
        let _ = write!(text, "\nevent {}", event.metadata().level());
        event.record(&mut Fields(&mut text));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// Everything a call logs at TRACE, through retries, a 401 refresh, a redirect, a
/// failed refresh and errors, holds no secret, but does hold the call's story.
#[tokio::test(start_paused = true)]
async fn traces_hold_no_secret() {
    let capture = Capture::default();
    tracing::subscriber::set_global_default(capture.clone()).expect("the only subscriber");

    let identity = MockServer::start().await;
    Mock::given(path("/t/oauth2/v2.0/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            // Due for a refresh at once, still valid for 200 s.
            "access_token": ISSUED, "expires_in": 200, "refresh_in": 0
        })))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&identity)
        .await;
    Mock::given(path("/t/oauth2/v2.0/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": "invalid_client", "error_description": "AADSTS7000215"
        })))
        .mount(&identity)
        .await;
    let graph = MockServer::start().await;
    Mock::given(path(MUTE_PATH))
        .respond_with(ResponseTemplate::new(401))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&graph)
        .await;
    Mock::given(path(MUTE_PATH))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&graph)
        .await;
    Mock::given(path(MUTE_PATH))
        .respond_with(ResponseTemplate::new(307).insert_header("Location", "/moved"))
        .with_priority(3)
        .mount(&graph)
        .await;
    Mock::given(path("/moved"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("request-id", "rid-7")
                .set_body_json(serde_json::json!({"id": "o"})),
        )
        .mount(&graph)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(403))
        .with_priority(10)
        .mount(&graph)
        .await;

    let credentials = ClientCredentials::new("t", "app", SECRET)
        .authority_url(&identity.uri())
        .http_client(timerless_http())
        .timeout(std::time::Duration::MAX);
    let client = GraphClient::builder()
        .base_url(&graph.uri())
        .token_provider(credentials)
        .http_client(timerless_http())
        .timeout(std::time::Duration::MAX)
        .token_timeout(std::time::Duration::MAX)
        .build()
        .unwrap();
    let response = client.send(&mute()).await.unwrap();
    assert_clean("response", &format!("{response:?}"));
    // The third token request fails while the second token is still valid.
    let forbidden = client.send(&get_call()).await.unwrap_err();
    assert_clean("403 error", &format!("{forbidden} {forbidden:?}"));

    let text = capture.text.lock().unwrap().clone();
    assert_clean("trace", &text);
    // The capture did see the call: span, template path, retry, status, request-id.
    for expected in [
        "span graph_call",
        "path=\"/communications/calls/<callId>/participants/<participantId>/mute\"",
        "status=401",
        "status=429",
        "wait_ms=1000",
        "request_id=\"rid-7\"",
        "token refresh failed",
    ] {
        assert!(text.contains(expected), "trace lacks {expected}: {text}");
    }
}
