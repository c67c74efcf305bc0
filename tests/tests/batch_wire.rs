//! JSON batching against wiremock: the exact `$batch` requests (split, ids,
//! `dependsOn`, the documentation's example byte for byte) and how answers are
//! read (by id, per-item errors, per-item retries, requests refused as a whole).
//!
//! Tests that wait on `Retry-After` run on tokio's paused clock; the client's
//! own timeouts are off there (see the `timeout` builder docs).

use std::sync::Arc;
use std::time::Duration;

use graph_runtime::comms::{GetParticipant, KeepAlive, ListParticipants, MuteParticipant};
use graph_runtime::{
    GraphAction, GraphClient, GraphError, MAX_BATCH_ITEMS, RequestWriter, RetryPolicy, graph_action,
};
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn client(server: &MockServer) -> GraphClient {
    GraphClient::builder()
        .base_url(&server.uri())
        .bearer_token("tok")
        .retry(RetryPolicy::default().jitter(Duration::ZERO))
        .timeout(Duration::MAX)
        .connect_timeout(Duration::MAX)
        .build()
        .expect("client")
}

fn mute(n: usize) -> MuteParticipant {
    MuteParticipant {
        call_id: "c1".into(),
        participant_id: format!("p{n}"),
        client_context: Some(format!("ctx{n}")),
    }
}

/// The `requests` of a `$batch` body.
fn items(request: &Request) -> Vec<Value> {
    let body: Value = serde_json::from_slice(&request.body).expect("JSON body");
    body["requests"].as_array().expect("requests").clone()
}

fn ids(request: &Request) -> Vec<String> {
    items(request)
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect()
}

/// Answers every item of a `$batch` 200 with an operation naming the item's URL
/// (so a mismatched answer shows), in reverse order. Items whose id is in
/// `throttle` get `429` with `Retry-After: 0.5` the first time they come.
struct Echo {
    throttle: Vec<&'static str>,
    seen: Arc<std::sync::Mutex<Vec<String>>>,
}

impl Echo {
    fn new() -> Self {
        Echo {
            throttle: Vec::new(),
            seen: Arc::default(),
        }
    }
}

impl Respond for Echo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut seen = self.seen.lock().expect("lock");
        let mut responses: Vec<Value> = items(request)
            .iter()
            .map(|item| {
                let id = item["id"].as_str().expect("id").to_owned();
                let first_time = !seen.contains(&id);
                seen.push(id.clone());
                if first_time && self.throttle.contains(&id.as_str()) {
                    return json!({"id": id, "status": 429,
                        "headers": {"Retry-After": "0.5"},
                        "body": {"error": {"code": "TooManyRequests", "message": "later"}}});
                }
                json!({"id": id, "status": 200,
                    "headers": {"location": format!("https://x.example/op/{id}")},
                    "body": {"id": item["url"], "status": "completed",
                             "clientContext": item["body"]["clientContext"]}})
            })
            .collect();
        responses.reverse();
        ResponseTemplate::new(200).set_body_json(json!({ "responses": responses }))
    }
}

async fn batch_server(responder: impl Respond + 'static) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/$batch"))
        .respond_with(responder)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn splits_into_requests_of_twenty_and_matches_answers_by_id() {
    for (count, requests) in [(1, 1), (20, 1), (21, 2), (45, 3)] {
        let server = batch_server(Echo::new()).await;
        let client = client(&server);
        let mut batch = client.batch();
        let handles: Vec<_> = (1..=count).map(|n| batch.add(&mute(n))).collect();
        assert_eq!(batch.len(), count);
        let mut results = batch.send().await.expect("send");
        let received = server.received_requests().await.expect("recorded");
        assert_eq!(received.len(), requests, "{count} items");
        let mut sizes: Vec<usize> = received.iter().map(|r| items(r).len()).collect();
        sizes.sort_unstable();
        assert!(sizes.iter().all(|s| *s <= MAX_BATCH_ITEMS), "{sizes:?}");
        assert_eq!(sizes.iter().sum::<usize>(), count);
        for (i, handle) in handles.into_iter().enumerate() {
            let n = i + 1;
            let id = handle.id();
            assert_eq!(id.get() as usize, n);
            assert_eq!(results.attempts(id), Some(1));
            let op = results.take(handle).expect("item");
            // The answer to this item, not to the one in its place.
            assert_eq!(
                op.id.as_deref(),
                Some(format!("/communications/calls/c1/participants/p{n}/mute").as_str())
            );
            assert_eq!(
                op.client_context.as_deref(),
                Some(format!("ctx{n}").as_str())
            );
            assert_eq!(
                op.location(),
                Some(format!("https://x.example/op/{n}").as_str())
            );
            assert_eq!(op.status(), 200);
        }
    }
}

#[tokio::test]
async fn the_batch_request_itself() {
    let server = batch_server(Echo::new()).await;
    let client = client(&server);
    let mut batch = client.batch();
    batch.add(&mute(1));
    batch.send().await.expect("send");
    let received = server.received_requests().await.expect("recorded");
    let r = &received[0];
    assert_eq!(r.method.as_str(), "POST");
    assert_eq!(r.url.path(), "/v1.0/$batch");
    assert_eq!(r.headers["content-type"], "application/json");
    assert_eq!(r.headers["accept"], "application/json");
    assert_eq!(r.headers["authorization"], "Bearer tok");
    assert_eq!(
        std::str::from_utf8(&r.body).expect("utf-8"),
        r#"{"requests":[{"id":"1","method":"POST","url":"/communications/calls/c1/participants/p1/mute","body":{"clientContext":"ctx1"},"headers":{"Content-Type":"application/json"}}]}"#
    );
}

// The documentation's example request (graph-facts 6, docs@2021), built from
// actions. Its first and third URLs hold literal braces, which a declared path
// cannot (the macro reads braces as the `{id}` mistake), so those two actions are
// written by hand, as the trait allows.

struct DriveFileContent;
impl GraphAction for DriveFileContent {
    type Response = serde_json::Value;
    const METHOD: http::Method = http::Method::GET;
    const PATH: &'static str = "/me/drive/root:/{file}:/content";
    const IDEMPOTENT: bool = true;
    fn write_request(&self, req: &mut RequestWriter) {
        req.lit("/me/drive/root:/{file}:/content");
    }
}

/// List my planner tasks.
#[graph_action(GET, "/me/planner/tasks", response = serde_json::Value)]
struct MyPlannerTasks;

struct GroupEvents;
impl GraphAction for GroupEvents {
    type Response = serde_json::Value;
    const METHOD: http::Method = http::Method::GET;
    const PATH: &'static str = "/groups/{id}/events";
    const IDEMPOTENT: bool = true;
    fn write_request(&self, req: &mut RequestWriter) {
        req.lit("/groups/{id}/events");
    }
}

/// Update my profile.
#[graph_action(PATCH, "/me")]
struct UpdateMe {
    city: String,
}

/// The documentation's request body, exactly as printed.
const DOCS_REQUEST: &str = r#"{
  "requests": [
    {
      "id": "1",
      "method": "GET",
      "url": "/me/drive/root:/{file}:/content"
    },
    {
      "id": "2",
      "method": "GET",
      "url": "/me/planner/tasks"
    },
    {
      "id": "3",
      "method": "GET",
      "url": "/groups/{id}/events"
    },
    {
      "id": "4",
      "url": "/me",
      "method": "PATCH",
      "body": {
        "city" : "Redmond"
      },
      "headers": {
        "Content-Type": "application/json"
      }
    }
  ]
}"#;

/// The documentation's response body, exactly as printed.
const DOCS_RESPONSE: &str = r#"{
  "responses": [
    {
      "id": "1",
      "status": 302,
      "headers": {
        "location": "https://b0mpua-by3301.files.1drv.com/y23vmagahszhxzlcvhasdhasghasodfi"
      }
    },
    {
      "id": "3",
      "status": 401,
      "body": {
        "error": {
          "code": "Forbidden",
          "message": "..."
        }
      }
    },
    {
      "id": "2",
      "status": 200,
      "body": {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(microsoft.graph.plannerTask)",
        "value": []
      }
    },
    {
      "id": "4",
      "status": 204,
      "body": null
    }
  ]
}"#;

/// Drops the whitespace between JSON tokens (none of the example's strings
/// holds any).
fn compact(json: &str) -> String {
    json.chars().filter(|c| !c.is_whitespace()).collect()
}

#[tokio::test]
async fn the_documentation_example_byte_for_byte() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/$batch"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(DOCS_RESPONSE, "application/json"))
        .mount(&server)
        .await;
    let client = client(&server);
    let mut batch = client.batch();
    let file = batch.add(&DriveFileContent);
    let tasks = batch.add(&MyPlannerTasks);
    let events = batch.add(&GroupEvents);
    let me = batch.add(&UpdateMe {
        city: "Redmond".into(),
    });
    let mut results = batch.send().await.expect("send");

    let received = server.received_requests().await.expect("recorded");
    let sent = std::str::from_utf8(&received[0].body).expect("utf-8");
    // Every byte but the layout: the example compacted, with item 4's keys in
    // the one order every item is written in (id, method, url, body, headers;
    // the example itself writes items 1-3 so and item 4 url first).
    let expected = compact(DOCS_REQUEST).replace(
        r#"{"id":"4","url":"/me","method":"PATCH","#,
        r#"{"id":"4","method":"PATCH","url":"/me","#,
    );
    assert_eq!(sent, expected);
    // And the same JSON as the example as printed.
    assert_eq!(
        serde_json::from_str::<Value>(sent).expect("JSON"),
        serde_json::from_str::<Value>(DOCS_REQUEST).expect("docs JSON")
    );

    // The documentation's answer, out of order: each item gets its own.
    let file = results.take(file).expect_err("302 is not a success");
    assert_eq!(file.status(), Some(302));
    assert_eq!(
        file.api().expect("api").headers["location"],
        "https://b0mpua-by3301.files.1drv.com/y23vmagahszhxzlcvhasdhasghasodfi"
    );
    let tasks = results.take(tasks).expect("tasks");
    assert_eq!(tasks.status(), 200);
    assert_eq!(tasks["value"], json!([]));
    let events = results.take(events).expect_err("401");
    assert_eq!(events.status(), Some(401));
    assert_eq!(events.code(), Some("Forbidden"));
    assert_eq!(events.message(), Some("..."));
    assert!(matches!(events, GraphError::Api(_)));
    let me = results.take(me).expect("204");
    assert_eq!(me.status(), 204);
}

#[tokio::test(start_paused = true)]
async fn throttled_items_are_retried_alone_with_their_ids() {
    let mut echo = Echo::new();
    echo.throttle = vec!["2", "5"];
    let server = batch_server(echo).await;
    let client = client(&server);
    let mut batch = client.batch();
    let handles: Vec<_> = (1..=6).map(|n| batch.add(&mute(n))).collect();
    let started = tokio::time::Instant::now();
    let mut results = batch.send().await.expect("send");
    // The item's fractional Retry-After was waited, on the paused clock. (No
    // upper bound: a paused clock idle on the network may also jump to other
    // timers, such as the connection pool's.)
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(500), "{waited:?}");
    let received = server.received_requests().await.expect("recorded");
    assert_eq!(received.len(), 2);
    assert_eq!(ids(&received[0]), ["1", "2", "3", "4", "5", "6"]);
    assert_eq!(
        ids(&received[1]),
        ["2", "5"],
        "only the throttled items again"
    );
    // The same items, byte for byte, apart from their place in the body.
    assert_eq!(items(&received[1])[0], items(&received[0])[1]);
    for (i, handle) in handles.into_iter().enumerate() {
        let n = i + 1;
        let expected = if n == 2 || n == 5 { 2 } else { 1 };
        assert_eq!(results.attempts(handle.id()), Some(expected), "item {n}");
        let op = results.take(handle).expect("item");
        assert_eq!(
            op.client_context.as_deref(),
            Some(format!("ctx{n}").as_str())
        );
    }
}

#[tokio::test(start_paused = true)]
async fn an_item_throttled_past_the_retries_keeps_its_429() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/$batch"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"responses": [
                {"id": "1", "status": 429, "headers": {"retry-after": "1"},
                 "body": {"error": {"code": "TooManyRequests", "message": "later"}}}
            ]})),
        )
        .mount(&server)
        .await;
    let client = GraphClient::builder()
        .base_url(&server.uri())
        .bearer_token("tok")
        .retry(RetryPolicy::default().max_retries(2))
        .timeout(Duration::MAX)
        .connect_timeout(Duration::MAX)
        .build()
        .expect("client");
    let mut batch = client.batch();
    let a = batch.add(&mute(1));
    let mut results = batch.send().await.expect("send");
    let err = results.take(a).expect_err("throttled");
    assert!(err.is_throttled());
    assert_eq!(err.attempts(), Some(3));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
    assert!(err.to_string().contains("retries exhausted"), "{err}");
    assert_eq!(server.received_requests().await.expect("recorded").len(), 3);
}

#[tokio::test]
async fn a_dependent_of_a_failed_item_reports_424() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/$batch"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"responses": [
                {"id": "2", "status": 424,
                 "body": {"error": {"code": "FailedDependency", "message": "dependency failed"}}},
                {"id": "1", "status": 404,
                 "body": {"error": {"code": "itemNotFound", "message": "no such participant"}}}
            ]})),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    let mut batch = client.batch();
    let a = batch.add(&mute(1));
    let b = batch
        .add_after(
            &GetParticipant {
                call_id: "c1".into(),
                participant_id: "p1".into(),
            },
            &[a.id()],
        )
        .expect("add_after");
    let mut results = batch.send().await.expect("send");
    let received = server.received_requests().await.expect("recorded");
    assert_eq!(items(&received[0])[1]["dependsOn"], json!(["1"]));
    let b = results.take(b).expect_err("424");
    assert_eq!(b.status(), Some(424));
    assert_eq!(b.code(), Some("FailedDependency"));
    let a = results.take(a).expect_err("404");
    assert_eq!(a.status(), Some(404));
    assert_eq!(a.code(), Some("itemNotFound"));
    assert_eq!(a.message(), Some("no such participant"));
}

#[tokio::test]
async fn the_runtime_answers_424_for_dependents_of_an_item_it_could_not_send() {
    let server = batch_server(Echo::new()).await;
    let client = client(&server);
    let mut batch = client.batch();
    let ok = batch.add(&mute(1));
    let bad = batch.add(&MuteParticipant {
        call_id: "..".into(),
        participant_id: "p".into(),
        client_context: None,
    });
    let after = batch.add_after(&mute(3), &[bad.id()]).expect("add_after");
    let mut results = batch.send().await.expect("send");
    let received = server.received_requests().await.expect("recorded");
    assert_eq!(received.len(), 1);
    assert_eq!(
        ids(&received[0]),
        ["1"],
        "neither the refused item nor its dependent"
    );
    assert!(results.take(ok).is_ok());
    assert!(matches!(
        results.take(bad),
        Err(GraphError::InvalidRequest { .. })
    ));
    let after = results.take(after).expect_err("424");
    assert_eq!(after.status(), Some(424));
    assert!(
        after.message().expect("message").contains("item 2"),
        "{after}"
    );
}

#[tokio::test]
async fn a_chain_stays_in_one_request_when_the_batch_is_split() {
    let server = batch_server(Echo::new()).await;
    let client = client(&server);
    let mut batch = client.batch();
    let mut handles: Vec<_> = (1..=15).map(|n| batch.add(&mute(n))).collect();
    let mut last = batch.add(&mute(16));
    for n in 17..=25 {
        let next = batch.add_after(&mute(n), &[last.id()]).expect("chain");
        handles.push(last);
        last = next;
    }
    handles.push(last);
    handles.push(batch.add(&mute(26)));
    assert_eq!(batch.len(), 26);
    let mut results = batch.send().await.expect("send");
    let received = server.received_requests().await.expect("recorded");
    assert_eq!(received.len(), 2);
    let mut bodies: Vec<Vec<Value>> = received.iter().map(items).collect();
    bodies.sort_by_key(|b| b.len());
    // The chain alone in its request, each item after the one before.
    let chain = &bodies[0];
    assert_eq!(chain.len(), 10);
    assert!(chain[0].get("dependsOn").is_none());
    for pair in chain.windows(2) {
        assert_eq!(pair[1]["dependsOn"], json!([pair[0]["id"]]));
    }
    // The independent items together, none with dependsOn.
    let independent = &bodies[1];
    assert_eq!(independent.len(), 16);
    assert!(independent.iter().all(|i| i.get("dependsOn").is_none()));
    for handle in handles {
        results.take(handle).expect("item");
    }
}

#[test]
fn add_after_refuses_what_graph_would() {
    let client = GraphClient::builder()
        .bearer_token("tok")
        .build()
        .expect("client");
    let mut batch = client.batch();
    let mut last = batch.add(&mute(1));
    for n in 2..=MAX_BATCH_ITEMS {
        last = batch.add_after(&mute(n), &[last.id()]).expect("chain");
    }
    // The 21st item of one chain.
    let err = batch.add_after(&mute(21), &[last.id()]).expect_err("21");
    assert!(matches!(err, GraphError::InvalidRequest { .. }));
    assert!(err.to_string().contains("20"), "{err}");
    let two = batch.add(&mute(30));
    let three = batch.add(&mute(31));
    let err = batch
        .add_after(&mute(32), &[two.id(), three.id()])
        .expect_err("two dependencies");
    assert!(err.to_string().contains("one other item only"), "{err}");
    // An id of another batch.
    let mut other = client.batch();
    let foreign = other.add(&mute(1));
    let err = batch
        .add_after(&mute(33), &[foreign.id()])
        .expect_err("foreign id");
    assert!(
        err.to_string().contains("not an item of this batch"),
        "{err}"
    );
    // The refusals added nothing.
    assert_eq!(batch.len(), 22);
}

#[tokio::test]
async fn a_batch_refused_as_a_whole_is_an_error() {
    for status in [400, 500] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1.0/$batch"))
            .respond_with(ResponseTemplate::new(status).set_body_json(json!({
                "error": {"code": "BadRequest", "message": "Invalid batch payload format."}
            })))
            .mount(&server)
            .await;
        let client = client(&server);
        let mut batch = client.batch();
        batch.add(&mute(1));
        batch.add(&mute(2));
        let err = batch.send().await.expect_err("refused");
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.code(), Some("BadRequest"));
        // Neither status is retried: the request was not throttled.
        assert_eq!(server.received_requests().await.expect("recorded").len(), 1);
    }
}

#[tokio::test]
async fn when_one_of_several_requests_is_refused_only_its_items_fail() {
    let server = MockServer::start().await;
    // The request holding item 21 gets 500; the other is answered.
    Mock::given(method("POST"))
        .and(path("/v1.0/$batch"))
        .and(body_string_contains(r#""id":"21""#))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({
            "error": {"code": "generalException", "message": "boom"}
        })))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1.0/$batch"))
        .respond_with(Echo::new())
        .with_priority(2)
        .mount(&server)
        .await;
    let client = client(&server);
    let mut batch = client.batch();
    let handles: Vec<_> = (1..=22).map(|n| batch.add(&mute(n))).collect();
    let mut results = batch.send().await.expect("some items were answered");
    for (i, handle) in handles.into_iter().enumerate() {
        let n = i + 1;
        let id = handle.id();
        match results.take(handle) {
            Ok(op) => {
                assert!(n <= 20, "item {n} should have failed");
                assert_eq!(op.status(), 200);
            }
            Err(e) => {
                assert!(n > 20, "item {n}: {e}");
                assert_eq!(e.status(), Some(500));
                assert_eq!(e.code(), Some("generalException"));
            }
        }
        assert_eq!(results.attempts(id), None, "taken");
    }
}

#[tokio::test]
async fn an_item_that_does_not_decode_fails_alone() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/$batch"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"responses": [
                {"id": "1", "status": 200, "body": {"id": "op1", "status": "completed"}},
                {"id": "2", "status": 200, "body": {"id": 42, "status": ["not", "a", "status"]}},
                {"id": "3", "status": 200, "body": {"id": "op3", "status": "running"}}
            ]})),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    let mut batch = client.batch();
    let handles: Vec<_> = (1..=3).map(|n| batch.add(&mute(n))).collect();
    let mut results = batch.send().await.expect("send");
    let mut handles = handles.into_iter();
    let one = results.take(handles.next().expect("1")).expect("item 1");
    assert_eq!(one.id.as_deref(), Some("op1"));
    let two = results
        .take(handles.next().expect("2"))
        .expect_err("item 2");
    assert!(
        matches!(two, GraphError::Decode { status: 200, .. }),
        "{two}"
    );
    assert!(
        two.to_string().contains("42"),
        "the snippet quotes the body: {two}"
    );
    let three = results.take(handles.next().expect("3")).expect("item 3");
    assert_eq!(three.id.as_deref(), Some("op3"));
}

#[tokio::test]
async fn unit_typed_and_paged_actions_in_one_batch() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1.0/$batch"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"responses": [
                {"id": "3", "status": 200, "body": {
                    "@odata.context": "x",
                    "value": [{"id": "p1", "isMuted": true}, {"id": "p2"}],
                    "@odata.nextLink": "https://graph.microsoft.com/v1.0/next"}},
                {"id": "1", "status": 200, "body": {"anything": ["at", "all"]}},
                {"id": "2", "status": 200, "headers": {"Location": "https://x.example/op"},
                 "body": {"value": {"id": "op", "status": "completed"}}}
            ]})),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    let mut batch = client.batch();
    let keep = batch.add(&KeepAlive {
        call_id: "c1".into(),
    });
    let muted = batch.add(&mute(1));
    let page = batch.add(&ListParticipants {
        call_id: "c1".into(),
        top: Some(2),
    });
    let mut results = batch.send().await.expect("send");
    let received = server.received_requests().await.expect("recorded");
    assert_eq!(
        items(&received[0])[2]["url"],
        "/communications/calls/c1/participants?$top=2"
    );
    // `()` ignores whatever body comes.
    results.take(keep).expect("unit");
    // The `{"value": {...}}` envelope unwrapped, the Location kept.
    let op = results.take(muted).expect("typed");
    assert_eq!(op.id.as_deref(), Some("op"));
    assert_eq!(op.location(), Some("https://x.example/op"));
    // A page, with its nextLink.
    let page = results.take(page).expect("paged");
    assert_eq!(page.value.len(), 2);
    assert_eq!(page.value[0].is_muted, Some(true));
    assert_eq!(
        page.next_link.as_deref(),
        Some("https://graph.microsoft.com/v1.0/next")
    );
}

/// An action pinned to beta.
#[graph_action(GET, "/communications/calls/<callId>", version = "beta", response = serde_json::Value)]
struct GetCallBeta {
    #[path]
    call_id: String,
}

#[tokio::test]
async fn a_pinned_action_goes_in_a_batch_of_its_version() {
    let server = MockServer::start().await;
    for version in ["v1.0", "beta"] {
        Mock::given(method("POST"))
            .and(path(format!("/{version}/$batch")))
            .respond_with(Echo::new())
            .mount(&server)
            .await;
    }
    let client = client(&server);
    let mut batch = client.batch();
    let v1 = batch.add(&mute(1));
    let beta = batch.add(&GetCallBeta {
        call_id: "c1".into(),
    });
    // Different versions cannot be joined by dependsOn.
    let err = batch
        .add_after(&mute(2), &[beta.id()])
        .expect_err("across versions");
    assert!(err.to_string().contains("beta"), "{err}");
    let mut results = batch.send().await.expect("send");
    let received = server.received_requests().await.expect("recorded");
    let mut paths: Vec<(String, Vec<String>)> = received
        .iter()
        .map(|r| (r.url.path().to_owned(), ids(r)))
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            ("/beta/$batch".to_owned(), vec!["2".to_owned()]),
            ("/v1.0/$batch".to_owned(), vec!["1".to_owned()]),
        ]
    );
    results.take(v1).expect("v1");
    let beta = results.take(beta).expect("beta");
    assert_eq!(beta["id"], "/communications/calls/c1");
}

#[test]
fn the_send_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let client = GraphClient::builder()
        .bearer_token("tok")
        .build()
        .expect("client");
    let mut batch = client.batch();
    batch.add(&mute(1));
    let future = batch.send();
    assert_send(&future);
}

#[test]
fn the_readme_example_is_the_doctest() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).expect("README");
    let section = &readme[readme.find("## Batches").expect("a Batches section")..];
    let start = section.find("```rust,no_run\n").expect("the example") + "```rust,no_run\n".len();
    let end = start + section[start..].find("\n```").expect("its end");
    let example = &section[start..end];

    let source = std::fs::read_to_string(format!("{root}/graph-runtime/src/batch/mod.rs"))
        .expect("batch/mod.rs");
    let from = source.find("The README's example").expect("the doctest");
    let doctest: Vec<&str> = source[from..]
        .lines()
        .map(|l| l.trim_start().trim_start_matches("///"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .skip_while(|l| *l != "```no_run")
        .skip(1)
        .take_while(|l| *l != "```")
        .collect();
    assert_eq!(example, doctest.join("\n"));
}

/// Answers each round of `$batch` POSTs from a script: round `r` (0-based)
/// answers item `id` with `script(r, id)`'s status; 2xx answers carry an empty
/// operation. Records nothing itself: wiremock keeps the requests.
struct Rounds {
    round: std::sync::atomic::AtomicUsize,
    script: fn(usize, &str) -> u16,
}

impl Respond for Rounds {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let round = self.round.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let responses: Vec<Value> = items(request)
            .iter()
            .map(|item| {
                let id = item["id"].as_str().expect("id");
                let status = (self.script)(round, id);
                if (200..300).contains(&status) {
                    json!({"id": id, "status": status, "body": {"id": format!("op{id}")}})
                } else {
                    json!({"id": id, "status": status, "headers": {"Retry-After": "0"},
                        "body": {"error": {"code": format!("e{status}"), "message": "no"}}})
                }
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({ "responses": responses }))
    }
}

#[tokio::test(start_paused = true)]
async fn a_throttled_item_is_sent_again_with_the_dependents_graph_refused() {
    // Round 0: item 1 throttled, so Graph refuses 2 (after 1) and 3 (after 2).
    let server = batch_server(Rounds {
        round: Default::default(),
        script: |round, id| match (round, id) {
            (0, "1") => 429,
            (0, _) => 424,
            _ => 200,
        },
    })
    .await;
    let client = client(&server);
    let mut batch = client.batch();
    let one = batch.add(&mute(1));
    let two = batch.add_after(&mute(2), &[one.id()]).expect("2 after 1");
    let three = batch.add_after(&mute(3), &[two.id()]).expect("3 after 2");
    let mut results = batch.send().await.expect("send");
    let received = server.received_requests().await.expect("recorded");
    assert_eq!(received.len(), 2);
    let again = items(&received[1]);
    assert_eq!(again.len(), 3, "the chain, whole, with its dependsOn");
    assert_eq!(again[1]["dependsOn"], json!(["1"]));
    assert_eq!(again[2]["dependsOn"], json!(["2"]));
    for item in [one, two, three] {
        let id = item.id();
        assert_eq!(results.attempts(id), Some(2));
        assert_eq!(
            results.take(item).expect("answered").id.as_deref(),
            Some(format!("op{id}").as_str())
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_504_item_is_retried_only_when_idempotent() {
    // Every first answer is 504; later ones succeed.
    let server = batch_server(Rounds {
        round: Default::default(),
        script: |round, _| if round == 0 { 504 } else { 200 },
    })
    .await;
    let client = client(&server);
    let mut batch = client.batch();
    // Not idempotent: a POST that starts something.
    let invite = batch.add(&graph_runtime::comms::InviteParticipants {
        call_id: "c1".into(),
        participants: Vec::new(),
        client_context: None,
    });
    // Idempotent: a GET.
    let read = batch.add(&GetParticipant {
        call_id: "c1".into(),
        participant_id: "p1".into(),
    });
    let mut results = batch.send().await.expect("send");
    let received = server.received_requests().await.expect("recorded");
    assert_eq!(received.len(), 2);
    assert_eq!(ids(&received[1]), ["2"], "only the GET again");
    let invite = results.take(invite).expect_err("504 kept");
    assert_eq!(invite.status(), Some(504));
    assert_eq!(invite.attempts(), Some(1));
    results.take(read).expect("the GET, retried");
}
