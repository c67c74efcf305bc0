//! Hostile servers and token endpoints (issue 10): whatever a server, a proxy or
//! an identity endpoint sends, a call ends with `Ok` or a `GraphError`: no panic,
//! no hang, no leak. One test per behaviour.

mod common;
mod raw;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use common::*;
use graph_runtime::{
    ClientCredentials, GraphClient, GraphError, RetryPolicy, TokenFuture, TokenProvider,
};
use raw::{RawServer, Reply, token_answer};
use tokio::time::Instant;
use wiremock::matchers::{any, method};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const TENANT: &str = "contoso.onmicrosoft.com";
const SECRET: &str = "client-SECRET-sentinel-77a";

fn credentials(authority: &str) -> ClientCredentials {
    ClientCredentials::new(TENANT, "app-id", SECRET).authority_url(authority)
}

/// Answers every token request with `answer`, counting them.
struct Counted(ResponseTemplate, Arc<AtomicUsize>);

impl Respond for Counted {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.1.fetch_add(1, Ordering::SeqCst);
        self.0.clone()
    }
}

async fn identity(answer: ResponseTemplate) -> (MockServer, Arc<AtomicUsize>) {
    let server = MockServer::start().await;
    let count = Arc::new(AtomicUsize::new(0));
    Mock::given(method("POST"))
        .respond_with(Counted(answer, count.clone()))
        .mount(&server)
        .await;
    (server, count)
}

fn token_json(token: &str, expires_in: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "token_type": "Bearer",
        "access_token": token,
        "expires_in": expires_in,
    }))
}

// Row 1 ---------------------------------------------------------------------

/// `Retry-After: 100000000000000000000` is a valid wait too long for a
/// `Duration`: beyond the cap, so a throttled error at once that reports it.
#[tokio::test(start_paused = true)]
async fn retry_after_too_large_for_duration_is_beyond_the_cap() {
    for status in [429, 503] {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(status).insert_header("Retry-After", "100000000000000000000"),
            )
            .mount(&server)
            .await;
        let client = paused_client(&server, RetryPolicy::default());
        let start = Instant::now();
        let err = client.send(&get_call()).await.unwrap_err();
        assert_eq!(start.elapsed(), Duration::ZERO, "slept before giving up");
        assert!(err.is_throttled(), "{err}");
        assert_eq!(err.retry_after(), Some(Duration::MAX));
        assert!(err.to_string().contains("beyond the cap"), "{err}");
        assert_eq!(request_count(&server).await, 1);
    }
}

// Row 2 ---------------------------------------------------------------------

/// A `()` action ignores whatever 2xx body comes, JSON or not (design 5.2);
/// a typed action still reports a body that does not decode.
#[tokio::test]
async fn a_unit_action_ignores_a_body_that_is_not_json() {
    for (status, body, content_type) in [
        (200, "OK", "text/plain"),
        (202, "<html><body>Accepted</body></html>", "text/html"),
        (200, "{\"truncated\":", "application/json"),
    ] {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(status).set_body_raw(body, content_type))
            .mount(&server)
            .await;
        let client = default_client(&server);
        let r = client
            .send(&keep_alive())
            .await
            .unwrap_or_else(|e| panic!("{body:?}: {e}"));
        assert_eq!(r.status(), status);
        let err = client.send(&get_call()).await.unwrap_err();
        assert!(matches!(err, GraphError::Decode { .. }), "{err:?}");
    }
}

// Row 3 ---------------------------------------------------------------------

/// `expires_in` of `u64::MAX`, as a number or a string, is a long but finite
/// lifetime (at most 24 h), not a panic.
#[tokio::test]
async fn an_expires_in_too_large_for_the_clock_is_capped() {
    for expires_in in [
        serde_json::json!(u64::MAX),
        serde_json::json!("18446744073709551615"),
        serde_json::json!(1e300),
    ] {
        let (id, count) = identity(token_json("long", expires_in.clone())).await;
        let credentials = credentials(&id.uri());
        let token = credentials.token().await.expect("token");
        let expires_at = token.expires_at().expect("an expiry");
        let day = SystemTime::now() + Duration::from_secs(24 * 3600);
        assert!(expires_at <= day, "{expires_in}: not capped at 24 h");
        credentials.token().await.expect("cached token");
        assert_eq!(count.load(Ordering::SeqCst), 1, "{expires_in}: not cached");
    }
}

// Row 4 ---------------------------------------------------------------------

/// A declared `Content-Length` is not allocated before the bytes arrive: 300 KiB
/// sent under a declared 16 MiB or 10^19 (with `max_response_bytes(usize::MAX)`)
/// is a transport error, not a capacity overflow. How much is reserved ahead is
/// the unit test `body::tests::a_declared_length_reserves_at_most_64_kib` (a
/// counting allocator would need `unsafe`, which the workspace forbids).
#[tokio::test]
async fn memory_follows_what_arrives_not_what_content_length_declares() {
    let body = vec![b' '; 300 * 1024];
    for (declared, limit) in [
        ("16777215", None),
        ("10000000000000000000", Some(usize::MAX)),
    ] {
        // The body is cut short of its declared length, then the connection closes.
        let server =
            RawServer::always(raw::answer(200, &[("content-length", declared)], &body)).await;
        let mut builder = GraphClient::builder()
            .base_url(&server.uri())
            .bearer_token(TOKEN)
            .retry(RetryPolicy::none());
        if let Some(limit) = limit {
            builder = builder.max_response_bytes(limit);
        }
        let client = builder.build().expect("client");
        let err = client.send(&get_call()).await.unwrap_err();
        assert!(
            matches!(err, GraphError::Transport { .. }),
            "declared {declared}: {err:?}"
        );
    }
}

// Row 5 ---------------------------------------------------------------------

/// Ten callers on a cold cache and a failing token endpoint: one token request,
/// whose failure every caller shares (not ten requests in series). The runtime is
/// single-threaded, so every caller is waiting before the endpoint can answer.
#[tokio::test]
async fn waiters_share_the_outcome_of_a_failed_token_fetch() {
    let (id, count) = identity(ResponseTemplate::new(500)).await;
    let graph = graph_ok().await;
    let client = client(&graph, credentials(&id.uri()));
    let calls: Vec<_> = (0..10)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.send(&keep_alive()).await.map(|_| ()) })
        })
        .collect();
    for call in calls {
        let err = call.await.expect("task").unwrap_err();
        assert!(matches!(err, GraphError::Token { .. }), "{err:?}");
    }
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert_eq!(request_count(&graph).await, 0);
}

/// While a refresh is in flight (here it never ends), callers whose cached token
/// is still valid use it at once instead of waiting for the refresh.
#[tokio::test]
async fn a_caller_with_a_valid_cached_token_never_waits_for_a_refresh() {
    // `refresh_in: 0`: due for refresh at once, valid for an hour.
    let id = RawServer::start(|n, _| {
        if n == 0 {
            Reply::Bytes(token_answer("old", 3600.into(), Some(0)))
        } else {
            Reply::Hold
        }
    })
    .await;
    let graph = graph_ok().await;
    let client = GraphClient::builder()
        .base_url(&graph.uri())
        .token_provider(credentials(&id.uri()).timeout(Duration::MAX))
        .token_timeout(Duration::MAX)
        .build()
        .expect("client");
    client.send(&keep_alive()).await.expect("first call");
    let refresher = {
        let client = client.clone();
        tokio::spawn(async move { client.send(&keep_alive()).await.map(|_| ()) })
    };
    let others = async {
        id.wait_for_requests(2).await;
        for _ in 0..5 {
            client
                .send(&keep_alive())
                .await
                .expect("call with the cached token");
        }
    };
    // A bound, not a measurement: waiting for the refresh would never end.
    tokio::time::timeout(Duration::from_secs(20), others)
        .await
        .expect("no refresh started, or callers with a valid token waited for it");
    assert!(
        header_values(&graph, "authorization")
            .await
            .iter()
            .all(|v| v.as_deref() == Some("Bearer old"))
    );
    assert_eq!(id.count(), 2, "one refresh, however many callers");
    refresher.abort();
}

// Row 6 ---------------------------------------------------------------------

/// A token living less than twice the 5-minute margin is refreshed after half its
/// lifetime, not at once: 100 concurrent calls on a cold cache make one request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_lived_token_is_fetched_once_by_concurrent_calls() {
    let (id, count) = identity(token_json("short", 120.into())).await;
    let graph = graph_ok().await;
    let client = client(&graph, credentials(&id.uri()));
    let calls: Vec<_> = (0..100)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.send(&keep_alive()).await.map(|_| ()) })
        })
        .collect();
    for call in calls {
        call.await.expect("task").expect("call");
    }
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert_eq!(request_count(&graph).await, 100);
}

// Row 7 ---------------------------------------------------------------------

/// A token answer over 64 KiB is not buffered and its token not used.
#[tokio::test]
async fn an_oversized_token_answer_is_a_token_error() {
    let body = serde_json::json!({
        "access_token": "huge",
        "expires_in": 3600,
        "padding": "x".repeat(1024 * 1024),
    });
    let (id, _) = identity(ResponseTemplate::new(200).set_body_json(body)).await;
    let graph = graph_ok().await;
    let err = client(&graph, credentials(&id.uri()))
        .send(&keep_alive())
        .await
        .unwrap_err();
    assert!(matches!(err, GraphError::Token { .. }), "{err:?}");
    assert!(err.to_string().contains("larger than"), "{err}");
    assert_eq!(request_count(&graph).await, 0);
}

// Rows 8 and 13 --------------------------------------------------------------

/// GET /users?$count=true with `ConsistencyLevel: eventual`: an advanced query,
/// which needs the header on every page.
struct AdvancedQuery;

impl graph_runtime::GraphAction for AdvancedQuery {
    type Response = graph_runtime::Page<Op>;
    const METHOD: http::Method = http::Method::GET;
    const PATH: &'static str = "/users";
    const IDEMPOTENT: bool = true;
    fn write_request(&self, req: &mut graph_runtime::RequestWriter) {
        req.lit("/users");
        req.query("$count", &Some(true));
        req.header("ConsistencyLevel", &Some("eventual"));
    }
}

impl graph_runtime::PagedAction for AdvancedQuery {
    type Item = Op;
}

/// The next item, within a bound: a stream that follows links forever never
/// yields, and the test fails here instead of hanging.
async fn next<S: futures_core::Stream + Unpin>(s: &mut S) -> Option<S::Item> {
    let item = std::future::poll_fn(|cx| std::pin::Pin::new(&mut *s).poll_next(cx));
    tokio::time::timeout(Duration::from_secs(20), item)
        .await
        .expect("the stream neither yielded nor ended")
}

/// Every page answers with a link back to page 2: the stream yields the items of
/// pages 1 and 2, then an error instead of asking for page 2 again.
#[tokio::test]
async fn a_repeated_next_link_ends_the_stream_with_an_error() {
    let server = RawServer::json_pages(|n| {
        let id = if n == 0 { "u1" } else { "u2" };
        format!(r#"{{"value":[{{"id":"{id}"}}],"@odata.nextLink":"SELF/v1.0/users?$skiptoken=2"}}"#)
    })
    .await;
    let client = raw_client(&server.uri());
    let mut stream = client.stream(&AdvancedQuery);
    let mut ids = Vec::new();
    let err = loop {
        match next(&mut stream)
            .await
            .expect("the stream ended without an error")
        {
            Ok(op) => {
                ids.push(op.id.unwrap_or_default());
                assert!(ids.len() <= 10, "the stream keeps fetching the same page");
            }
            Err(e) => break e,
        }
    };
    assert_eq!(ids, ["u1", "u2"]);
    assert!(matches!(err, GraphError::InvalidRequest { .. }), "{err:?}");
    assert!(err.to_string().contains("already fetched"), "{err}");
    assert!(next(&mut stream).await.is_none());
    assert_eq!(server.count(), 2);
}

/// A server that links every page to a new one: the page cap ends the stream.
#[tokio::test]
async fn the_page_cap_ends_the_stream_with_an_error() {
    let server = RawServer::json_pages(|n| {
        format!(
            r#"{{"value":[{{"id":"u{n}"}}],"@odata.nextLink":"SELF/v1.0/users?page={}"}}"#,
            n + 1
        )
    })
    .await;
    let client = raw_client(&server.uri());
    let mut stream = client.stream(&AdvancedQuery).max_pages(3);
    let mut items = 0;
    let err = loop {
        match next(&mut stream)
            .await
            .expect("the stream ended without an error")
        {
            Ok(_) => {
                items += 1;
                assert!(items <= 10, "the stream went past max_pages");
            }
            Err(e) => break e,
        }
    };
    assert_eq!(items, 3);
    assert!(err.to_string().contains("max_pages (3)"), "{err}");
    assert!(next(&mut stream).await.is_none());
    assert_eq!(server.count(), 3);
}

/// `ConsistencyLevel: eventual` goes with every page, not only the first.
#[tokio::test]
async fn every_page_carries_the_action_headers() {
    let server = RawServer::json_pages(|n| {
        match n {
            0 => r#"{"value":[{"id":"u1"}],"@odata.nextLink":"SELF/v1.0/users?$skiptoken=2"}"#,
            1 => r#"{"value":[{"id":"u2"}],"@odata.nextLink":"SELF/v1.0/users?$skiptoken=3"}"#,
            _ => r#"{"value":[{"id":"u3"}]}"#,
        }
        .to_owned()
    })
    .await;
    let client = raw_client(&server.uri());
    let mut stream = client.stream(&AdvancedQuery);
    let mut ids = Vec::new();
    while let Some(item) = next(&mut stream).await {
        ids.push(item.expect("page").id.unwrap_or_default());
    }
    assert_eq!(ids, ["u1", "u2", "u3"]);
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    for r in &requests {
        assert_eq!(r.header("consistencylevel"), Some("eventual"), "{}", r.head);
    }
}

fn raw_client(uri: &str) -> GraphClient {
    GraphClient::builder()
        .base_url(uri)
        .bearer_token(TOKEN)
        .retry(RetryPolicy::none())
        .build()
        .expect("client")
}

// Row 9 ---------------------------------------------------------------------

/// The tenant becomes a path segment of the token URL: anything but a GUID or a
/// domain name is a configuration error, and the secret is never posted.
#[tokio::test]
async fn a_tenant_that_is_not_a_guid_or_domain_is_a_config_error() {
    let (id, count) = identity(token_json("t", 3600.into())).await;
    for bad in [
        "x/../../evil",
        "..",
        "a b",
        "a?b",
        "a#b",
        "%2e%2e",
        "",
        "-x",
        "a..b",
        "x\\y",
    ] {
        let c = ClientCredentials::new(bad, "app", SECRET).authority_url(&id.uri());
        let err = c.token().await.unwrap_err();
        assert!(matches!(err, GraphError::Config { .. }), "{bad:?}: {err:?}");
    }
    assert_eq!(count.load(Ordering::SeqCst), 0, "a request was sent");
    for good in [
        "72f988bf-86f1-41af-91ab-2d7cd011db47",
        "contoso.onmicrosoft.com",
        "organizations",
    ] {
        let c = ClientCredentials::new(good, "app", SECRET).authority_url(&id.uri());
        c.token().await.unwrap_or_else(|e| panic!("{good}: {e}"));
    }
}

// Row 10 --------------------------------------------------------------------

/// An `access_token` that cannot be a header value is a token error and is not
/// cached: the next call asks the endpoint again.
#[tokio::test]
async fn a_token_that_cannot_be_a_header_is_not_cached() {
    let (id, count) = identity(token_json("bad\u{1}token", 3600.into())).await;
    let graph = graph_ok().await;
    let client = client(&graph, credentials(&id.uri()));
    for n in 1..=2 {
        let err = client.send(&keep_alive()).await.unwrap_err();
        assert!(matches!(err, GraphError::Token { .. }), "{err:?}");
        assert_eq!(count.load(Ordering::SeqCst), n);
    }
    assert_eq!(request_count(&graph).await, 0);
}

// Row 14 --------------------------------------------------------------------

struct Silent;

impl TokenProvider for Silent {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(std::future::pending())
    }
}

/// A custom provider that never answers: the call ends with a token error after
/// the token timeout (60 s by default, configurable), and nothing is sent.
#[tokio::test(start_paused = true)]
async fn a_token_provider_that_never_answers_is_a_token_error() {
    let graph = graph_ok().await;
    for (timeout, expected) in [
        (None, Duration::from_secs(60)),
        (Some(Duration::from_secs(5)), Duration::from_secs(5)),
    ] {
        let mut builder = GraphClient::builder()
            .base_url(&graph.uri())
            .token_provider(Silent)
            .http_client(timerless_http())
            .timeout(Duration::MAX);
        if let Some(t) = timeout {
            builder = builder.token_timeout(t);
        }
        let client = builder.build().expect("client");
        let start = Instant::now();
        // A bound on the paused clock: without a token timeout the call never ends.
        let err = tokio::time::timeout(Duration::from_secs(3600), client.send(&keep_alive()))
            .await
            .expect("the call hung on a silent token provider")
            .unwrap_err();
        assert_eq!(start.elapsed(), expected);
        assert!(matches!(err, GraphError::Token { .. }), "{err:?}");
        assert!(err.to_string().contains("token timeout"), "{err}");
    }
    assert_eq!(request_count(&graph).await, 0);
}

// Row 15 --------------------------------------------------------------------

/// An error body over 64 KiB is cut there, and its code and message, which come
/// first, are still read.
#[tokio::test]
async fn a_truncated_error_body_keeps_its_code_and_message() {
    let server = MockServer::start().await;
    // Written out: Graph sends `code` and `message` before `innerError`.
    let body = format!(
        r#"{{"error":{{"code":"badRequest","message":"The filter clause is too long.","innerError":{{"details":"{}"}}}}}}"#,
        "x".repeat(200 * 1024)
    );
    Mock::given(any())
        .respond_with(ResponseTemplate::new(400).set_body_raw(body, "application/json"))
        .mount(&server)
        .await;
    let err = default_client(&server).send(&get_call()).await.unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.code(), Some("badRequest"));
    assert_eq!(err.message(), Some("The filter clause is too long."));
    assert!(err.api().expect("api").body.len() <= 64 * 1024);
}

// Row 16 (token endpoint) ---------------------------------------------------

/// A token client that follows redirects itself would re-post the secret where a
/// 307 points; the answer from the other URL is refused and its token not used.
#[tokio::test]
async fn a_redirected_token_request_is_refused() {
    let (elsewhere, _) = identity(token_json("stolen", 3600.into())).await;
    let authority = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("Location", format!("{}/elsewhere/token", elsewhere.uri())),
        )
        .mount(&authority)
        .await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let following = reqwest::Client::builder().build().expect("http client");
    let c = credentials(&authority.uri()).http_client(following);
    let err = c.token().await.unwrap_err();
    assert!(matches!(err, GraphError::Token { .. }), "{err:?}");
    assert!(err.to_string().contains("redirect"), "{err}");
}

// Row 11 --------------------------------------------------------------------

/// A password in a base URL or an authority is a secret: no configuration error,
/// no `Debug` of the builder or the credential prints it.
#[tokio::test]
async fn userinfo_in_the_base_url_is_never_printed() {
    const PW: &str = "pw-SENTINEL-31";
    for url in [
        format!("https://user:{PW}@graph.microsoft.com"),
        format!("http://user:{PW}@graph.example.com"),
        format!("ftp://user:{PW}@graph.example.com"),
        format!("https://user:{PW}@graph.example.com/?q=1"),
        format!("https://user:{PW}@"),
        format!("https:/user:{PW}@graph.example.com"),
        format!("https://user:{PW}@[::1"),
        format!("user:{PW}@graph.example.com"),
    ] {
        let builder = GraphClient::builder().base_url(&url).bearer_token(TOKEN);
        let debug = format!("{builder:?}");
        assert!(!debug.contains(PW), "builder Debug: {debug}");
        let err = builder.build().unwrap_err();
        assert!(matches!(err, GraphError::Config { .. }), "{url}: {err:?}");
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(PW), "{url}: {shown}");

        let credentials = ClientCredentials::new(TENANT, "app", SECRET).authority_url(&url);
        let debug = format!("{credentials:?}");
        assert!(!debug.contains(PW), "credentials Debug: {debug}");
        let err = credentials.token().await.unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(PW), "{url}: {shown}");
    }
}

// Row 12 --------------------------------------------------------------------

/// A redirect to another origin loses the token; that origin's 401 says nothing
/// about the token, so it is neither dropped nor refreshed, and nothing is resent.
#[tokio::test]
async fn a_401_from_another_origin_does_not_refresh_the_token() {
    let (id, count) = identity(token_json("tok", 3600.into())).await;
    let elsewhere = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(401))
        .mount(&elsewhere)
        .await;
    let graph = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("Location", format!("{}/v1.0/moved", elsewhere.uri())),
        )
        .mount(&graph)
        .await;
    let client = client(&graph, credentials(&id.uri()));
    let err = client.send(&get_call()).await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(count.load(Ordering::SeqCst), 1, "the token was refreshed");
    assert_eq!(request_count(&graph).await, 1, "the call was resent");
    assert_eq!(header_values(&elsewhere, "authorization").await, vec![None]);
    // The token is still cached: the next call asks for none.
    let _ = client.send(&get_call()).await;
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

// Row 16 (Graph) ------------------------------------------------------------

/// An HTTP client that follows redirects itself would bypass the redirect rules
/// (the cap, https to http, the token's origin): an answer from another URL than
/// the one requested is refused.
#[tokio::test]
async fn a_client_that_follows_redirects_itself_is_refused() {
    let graph = MockServer::start().await;
    Mock::given(wiremock::matchers::path("/moved"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "x"})))
        .mount(&graph)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(307).insert_header("Location", "/moved"))
        .mount(&graph)
        .await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let following = reqwest::Client::builder().build().expect("http client");
    let client = GraphClient::builder()
        .base_url(&graph.uri())
        .bearer_token(TOKEN)
        .http_client(following)
        .build()
        .expect("client");
    let err = client.send(&get_call()).await.unwrap_err();
    assert!(matches!(err, GraphError::Redirect { .. }), "{err:?}");
    assert!(err.to_string().contains("Policy::none()"), "{err}");
}
