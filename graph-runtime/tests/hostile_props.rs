//! Property tests (issue 10): a raw loopback server answers with arbitrary status
//! lines, header sets (`Content-Length`, `Retry-After`, `Location`,
//! `Content-Type`) and bodies (truncated, huge declared lengths, invalid UTF-8,
//! deep nesting) to `send`, `stream` and `ClientCredentials`. Every case ends
//! within its bound with `Ok` or a `GraphError`, never a panic, and nothing
//! secret reaches an error.
//!
//! The number of cases is bounded so the whole file runs in seconds.

mod common;
mod raw;

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use common::*;
use graph_runtime::{ClientCredentials, GraphClient, GraphError, RetryPolicy, TokenProvider};
use proptest::prelude::*;
use raw::{RawServer, Reply};

/// The longest a case may take; far above what any case needs (milliseconds),
/// far below forever.
const CASE_BOUND: Duration = Duration::from_secs(10);

const SECRET: &str = "client-SECRET-prop-5e1";

thread_local! {
    static RUNTIME: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
}

/// Runs one case on this thread's runtime, within [`CASE_BOUND`].
fn run<F: Future>(case: F) -> Result<F::Output, TestCaseError> {
    RUNTIME.with(|rt| {
        rt.block_on(async { tokio::time::timeout(CASE_BOUND, case).await })
            .map_err(|_| TestCaseError::fail("the case did not end within its bound"))
    })
}

/// How the answer's `Content-Length` relates to its body.
#[derive(Debug, Clone)]
enum Length {
    Exact,
    Missing,
    /// Declares fewer bytes than are sent.
    Fewer(usize),
    /// Declares more bytes than are sent: a truncated body.
    More(u64),
    /// A declared length no allocation could hold.
    Huge(&'static str),
    /// Not a number.
    Garbage(&'static str),
    /// Two different values.
    Twice,
}

/// One scripted answer.
#[derive(Debug, Clone)]
struct Answer {
    status_line: String,
    length: Length,
    retry_after: Option<String>,
    location: Option<Vec<u8>>,
    content_type: Option<Vec<u8>>,
    body: Vec<u8>,
}

impl Answer {
    /// The bytes on the wire; `{self}` in the location and body becomes the
    /// server's own URL.
    fn bytes(&self, own: &str) -> Vec<u8> {
        let body = replace(&self.body, own);
        let mut out = Vec::new();
        out.extend_from_slice(self.status_line.as_bytes());
        out.extend_from_slice(b"\r\n");
        let mut header = |name: &str, value: &[u8]| {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        };
        match &self.length {
            Length::Exact => header("content-length", body.len().to_string().as_bytes()),
            Length::Missing => {}
            Length::Fewer(n) => header(
                "content-length",
                body.len().saturating_sub(*n).to_string().as_bytes(),
            ),
            Length::More(n) => header(
                "content-length",
                (body.len() as u64 + n).to_string().as_bytes(),
            ),
            Length::Huge(v) | Length::Garbage(v) => header("content-length", v.as_bytes()),
            Length::Twice => {
                header("content-length", body.len().to_string().as_bytes());
                header("content-length", (body.len() + 1).to_string().as_bytes());
            }
        }
        if let Some(v) = &self.retry_after {
            header("retry-after", v.as_bytes());
        }
        if let Some(v) = &self.location {
            header("location", &replace(v, own));
        }
        if let Some(v) = &self.content_type {
            header("content-type", v);
        }
        header("connection", b"close");
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&body);
        out
    }
}

fn replace(bytes: &[u8], own: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some(at) = rest.windows(6).position(|w| w == b"{self}") {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(own.as_bytes());
        rest = &rest[at + 6..];
    }
    out.extend_from_slice(rest);
    out
}

fn status_line() -> impl Strategy<Value = String> {
    prop_oneof![
        5 => prop::sample::select(vec![200u16, 200, 201, 202, 204])
            .prop_map(|c| format!("HTTP/1.1 {c} X")),
        3 => prop::sample::select(vec![
            206u16, 301, 302, 303, 307, 308, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504,
        ])
        .prop_map(|c| format!("HTTP/1.1 {c} X")),
        1 => (100u16..=999).prop_map(|c| format!("HTTP/1.1 {c} Whatever")),
        1 => prop::sample::select(vec![
            "HTTP/1.1 200".to_owned(),
            "HTTP/1.0 200 OK".to_owned(),
            "HTTP/1.1 abc OK".to_owned(),
            "HTTP/1.1 99 Low".to_owned(),
            "HTTP/1.1 1000 High".to_owned(),
            "HTTP/2 200 OK".to_owned(),
            "GARBAGE".to_owned(),
            String::new(),
        ]),
    ]
}

fn length() -> impl Strategy<Value = Length> {
    prop_oneof![
        5 => Just(Length::Exact),
        1 => Just(Length::Missing),
        1 => (1usize..64).prop_map(Length::Fewer),
        2 => prop_oneof![Just(1u64), Just(1000), Just(16 * 1024 * 1024)].prop_map(Length::More),
        3 => prop::sample::select(vec![
            "10000000000000000000",
            "18446744073709551615",
            "99999999999999999999999999",
        ])
        .prop_map(Length::Huge),
        1 => prop::sample::select(vec!["abc", "-1", "", "1 2", "0x10"]).prop_map(Length::Garbage),
        1 => Just(Length::Twice),
    ]
}

fn retry_after() -> impl Strategy<Value = Option<String>> {
    prop::option::weighted(
        0.4,
        prop::sample::select(vec![
            "0".to_owned(),
            "0.01".to_owned(),
            "1".to_owned(),
            "100000000000000000000".to_owned(),
            "9".repeat(400),
            "-1".to_owned(),
            "NaN".to_owned(),
            "soon".to_owned(),
            "Sun, 06 Nov 1994 08:49:37 GMT".to_owned(),
            "Fri, 31 Dec 9999 23:59:59 GMT".to_owned(),
            String::new(),
        ]),
    )
}

fn location() -> impl Strategy<Value = Option<Vec<u8>>> {
    prop::option::weighted(
        0.4,
        prop_oneof![
            prop::sample::select(vec![
                "/v1.0/elsewhere",
                "{self}/v1.0/again",
                "elsewhere",
                "http://127.0.0.1:1/closed",
                "https://127.0.0.1:1/closed",
                "javascript:alert(1)",
                "ftp://127.0.0.1/x",
                "//127.0.0.1:1/x",
                "",
                "http://[::1",
            ])
            .prop_map(|s| s.as_bytes().to_vec()),
            prop::collection::vec(any::<u8>(), 0..16),
        ],
    )
}

fn content_type() -> impl Strategy<Value = Option<Vec<u8>>> {
    prop::option::weighted(
        0.6,
        prop_oneof![
            prop::sample::select(vec![
                "application/json",
                "application/json; charset=utf-8",
                "text/html",
                "text/plain",
                "application/octet-stream",
            ])
            .prop_map(|s| s.as_bytes().to_vec()),
            prop::collection::vec(any::<u8>(), 0..12),
        ],
    )
}

fn nested(open: &str, depth: usize) -> Vec<u8> {
    open.repeat(depth).into_bytes()
}

/// Collection pages: links to the next page, to the same page again, to
/// another origin, to nowhere.
fn page_body() -> impl Strategy<Value = Vec<u8>> {
    prop::sample::select(vec![
        r#"{"value":[{"id":"p1"},{"id":"p2"}]}"#,
        r#"{"value":[{"id":"p1"}],"@odata.nextLink":"{self}/v1.0/next?$skiptoken=1"}"#,
        r#"{"value":[],"@odata.nextLink":"{self}/v1.0/communications/calls/c1/participants"}"#,
        r#"{"value":[{"id":"p9"}],"@odata.nextLink":"{self}/v1.0/same"}"#,
        r#"{"value":[{"id":"p1"}],"@odata.nextLink":"http://127.0.0.1:1/v1.0/next"}"#,
        r#"{"value":[],"@odata.nextLink":"not a url"}"#,
        r#"{"value":[],"@odata.nextLink":null}"#,
        r#"{"value":{"id":"not a list"}}"#,
        r#"{"@odata.nextLink":"{self}/v1.0/no-value"}"#,
    ])
    .prop_map(|s| s.as_bytes().to_vec())
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => page_body(),
        3 => prop::sample::select(vec![
            "".to_owned(),
            "OK".to_owned(),
            "<html><body>Service Unavailable</body></html>".to_owned(),
            r#"{"id":"op1","status":"running"}"#.to_owned(),
            r#"{"value":{"id":"op1"}}"#.to_owned(),
            r#"{"value":[{"id":"p1"},{"id":"p2"}]}"#.to_owned(),
            r#"{"value":[{"id":"p1"}],"@odata.nextLink":"{self}/v1.0/next?$skiptoken=1"}"#.to_owned(),
            r#"{"value":[],"@odata.nextLink":"{self}/v1.0/communications/calls/c1/participants"}"#.to_owned(),
            r#"{"value":[{"id":"p1"}],"@odata.nextLink":"http://127.0.0.1:1/v1.0/next"}"#.to_owned(),
            r#"{"value":[],"@odata.nextLink":"not a url"}"#.to_owned(),
            r#"{"error":{"code":"TooManyRequests","message":"slow down","innerError":{"request-id":"r1"}}}"#.to_owned(),
            r#"{"error":{"code":7,"message":null,"innererror":{"innererror":{"code":"deep"}}}}"#.to_owned(),
            r#"{"error":{"code":"cut","message":"short","innerError":{"date":"#.to_owned(),
            r#"{"id":"#.to_owned(),
            format!(r#"{{"error":{{"code":"big","message":"m","x":"{}"}}}}"#, "x".repeat(70 * 1024)),
        ])
        .prop_map(String::into_bytes),
        1 => prop::sample::select(vec![
            nested("[", 100_000),
            nested("{\"a\":", 50_000),
            nested("{\"error\":{\"innerError\":", 20_000),
            nested("{\"value\":", 20_000),
        ]),
        1 => prop::collection::vec(any::<u8>(), 0..256),
        1 => prop::collection::vec(prop::sample::select(vec![0xC3u8, 0x28, 0xFF, 0xFE, b'"', b'{']), 0..64),
        // Large enough to arrive in several reads.
        2 => Just(vec![b' '; 300 * 1024]),
    ]
}

fn answer() -> impl Strategy<Value = Answer> {
    (
        status_line(),
        length(),
        retry_after(),
        location(),
        content_type(),
        body(),
    )
        .prop_map(
            |(status_line, length, retry_after, location, content_type, body)| Answer {
                status_line,
                length,
                retry_after,
                location,
                content_type,
                body,
            },
        )
}

/// A server answering request n with `answers[n]`, then the last one forever.
async fn server(answers: Vec<Answer>) -> RawServer {
    let own: Arc<Mutex<String>> = Arc::default();
    let url = own.clone();
    let server = RawServer::start(move |n, _| {
        let own = url.lock().map(|u| u.clone()).unwrap_or_default();
        Reply::Bytes(answers[n.min(answers.len() - 1)].bytes(&own))
    })
    .await;
    if let Ok(mut u) = own.lock() {
        *u = server.uri();
    }
    server
}

/// Retries on, with waits short enough for a property test: any `Retry-After`
/// above 50 ms is beyond the cap.
fn quick_retries() -> RetryPolicy {
    RetryPolicy::default()
        .max_retries(2)
        .base_delay(Duration::from_millis(1))
        .jitter(Duration::ZERO)
        .max_wait(Duration::from_millis(50))
        .max_total_wait(Duration::from_millis(100))
}

fn client(server: &RawServer, max_response_bytes: usize) -> GraphClient {
    GraphClient::builder()
        .base_url(&server.uri())
        .bearer_token(TOKEN)
        .retry(quick_retries())
        .timeout(Duration::from_secs(5))
        .connect_timeout(Duration::from_secs(5))
        .max_response_bytes(max_response_bytes)
        .build()
        .expect("client")
}

fn limit() -> impl Strategy<Value = usize> {
    prop::sample::select(vec![0usize, 1024, 64 * 1024, 16 * 1024 * 1024, usize::MAX])
}

/// What every error must hold: no secret in `Display` or `Debug`, and an `Api`
/// error is never a 2xx.
fn check_error(e: &GraphError) -> Result<(), TestCaseError> {
    let text = format!("{e} {e:?}");
    prop_assert!(!text.contains(TOKEN), "the token leaked: {text}");
    prop_assert!(!text.contains(SECRET), "the secret leaked: {text}");
    if let GraphError::Api(api) = e {
        prop_assert!(!(200..300).contains(&api.status), "a 2xx error: {e}");
    }
    Ok(())
}

fn token_answer() -> impl Strategy<Value = Answer> {
    let expires = prop_oneof![
        Just("3600".to_owned()),
        Just("\"3599\"".to_owned()),
        Just("0".to_owned()),
        Just("18446744073709551615".to_owned()),
        Just("\"18446744073709551615\"".to_owned()),
        Just("1e300".to_owned()),
        Just("-5".to_owned()),
        Just("3.5".to_owned()),
        Just("null".to_owned()),
        Just("\"soon\"".to_owned()),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| format!("\"{n}\"")),
    ];
    let token = prop_oneof![
        Just("eyJ0eXAi.valid.token".to_owned()),
        Just(String::new()),
        "[ -~\\x00-\\x1f\\x7fé]{0,24}",
    ];
    let token_body = (token, expires.clone(), prop::option::of(expires)).prop_map(
        |(token, expires, refresh)| {
            let refresh = refresh
                .map(|r| format!(",\"refresh_in\":{r}"))
                .unwrap_or_default();
            format!(
                r#"{{"token_type":"Bearer","access_token":{},"expires_in":{expires}{refresh}}}"#,
                serde_json::Value::from(token)
            )
            .into_bytes()
        },
    );
    let bodies = prop_oneof![
        3 => token_body,
        1 => Just(br#"{"error":"invalid_client","error_description":"AADSTS7000215"}"#.to_vec()),
        1 => Just(format!(r#"{{"access_token":"t","pad":"{}"}}"#, "x".repeat(80 * 1024)).into_bytes()),
        // Whatever a server may send, as for Graph calls.
        1 => body(),
    ];
    (
        status_line(),
        length(),
        retry_after(),
        location(),
        content_type(),
        bodies,
    )
        .prop_map(
            |(status_line, length, retry_after, location, content_type, body)| Answer {
                status_line,
                length,
                retry_after,
                location,
                content_type,
                body,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 128,
        failure_persistence: None,
        max_shrink_iters: 64,
        ..ProptestConfig::default()
    })]

    /// `ClientCredentials` against an arbitrary token endpoint: a token that can
    /// be sent with a finite expiry, or a `GraphError`; asked twice (the cache).
    #[test]
    fn client_credentials_survive_any_token_endpoint(
        answers in prop::collection::vec(token_answer(), 1..3),
    ) {
        run(async {
            let server = server(answers).await;
            let credentials = ClientCredentials::new("contoso", "app", SECRET)
                .authority_url(&server.uri())
                .timeout(Duration::from_secs(5));
            for _ in 0..2 {
                match credentials.token().await {
                    Ok(token) => {
                        prop_assert!(http::HeaderValue::from_str(token.secret()).is_ok());
                        prop_assert!(!token.secret().is_empty());
                        let day = SystemTime::now() + Duration::from_secs(24 * 3600 + 60);
                        prop_assert!(token.expires_at().is_some_and(|at| at <= day));
                    }
                    Err(e) => check_error(&e)?,
                }
            }
            Ok(())
        })??;
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 128,
        failure_persistence: None,
        max_shrink_iters: 64,
        ..ProptestConfig::default()
    })]

    /// `send` of a typed GET, a `()` POST and a typed POST against arbitrary
    /// answers: `Ok` only for a 2xx, else a `GraphError` with nothing secret.
    #[test]
    fn send_survives_any_answer(
        answers in prop::collection::vec(answer(), 1..4),
        max_response_bytes in limit(),
        which in 0..3u8,
    ) {
        run(async {
            let server = server(answers).await;
            let client = client(&server, max_response_bytes);
            let outcome = match which {
                0 => client.send(&get_call()).await.map(|r| r.status()),
                1 => client.send(&mute_unit()).await.map(|r| r.status()),
                _ => client.send(&mute()).await.map(|r| r.status()),
            };
            match outcome {
                Ok(status) => prop_assert!((200..300).contains(&status), "Ok({status})"),
                Err(e) => check_error(&e)?,
            }
            Ok(())
        })??;
    }

    /// `stream` of a paged action against arbitrary pages (links to itself, to
    /// other origins, nowhere): it ends, each item `Ok` or a `GraphError`.
    #[test]
    fn stream_survives_any_pages(
        answers in prop::collection::vec(answer(), 1..4),
        max_response_bytes in limit(),
    ) {
        run(async {
            let server = server(answers).await;
            let client = client(&server, max_response_bytes);
            let action = ListParticipants { call_id: "c1".into(), top: None };
            let mut stream = client.stream(&action);
            let mut items = 0usize;
            while let Some(item) = next(&mut stream).await {
                items += 1;
                prop_assert!(items < 10_000, "the stream does not end");
                if let Err(e) = item {
                    check_error(&e)?;
                }
            }
            Ok(())
        })??;
    }
}

fn next<S: futures_core::Stream + Unpin>(s: &mut S) -> impl Future<Output = Option<S::Item>> + '_ {
    std::future::poll_fn(move |cx| std::pin::Pin::new(&mut *s).poll_next(cx))
}
