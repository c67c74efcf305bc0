//! Errors (design 5.3): each kind kept apart, with what support asks for.

mod common;

use std::time::Duration;

use common::*;
use graph_runtime::{GraphClient, GraphError, RetryPolicy};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn answering(answer: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(answer).mount(&server).await;
    server
}

fn no_retry(server: &MockServer) -> GraphClient {
    GraphClient::builder()
        .base_url(&server.uri())
        .bearer_token(TOKEN)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn odata_errors_are_read_with_support_headers() {
    let server = answering(
        ResponseTemplate::new(404)
            .insert_header("request-id", "hdr-rid")
            .insert_header(
                "x-ms-ags-diagnostic",
                r#"{"ServerInfo":{"DataCenter":"West Europe"}}"#,
            )
            .insert_header("Date", "Sun, 29 Nov 2026 05:00:00 GMT")
            .set_body_json(serde_json::json!({
                "error": {
                    "code": "itemNotFound",
                    "message": "The call was not found.",
                    "innerError": {
                        "date": "2026-11-29T05:00:00",
                        "request-id": "inner-rid",
                        "client-request-id": "cri",
                        "extraKey": 7
                    }
                }
            })),
    )
    .await;
    let err = no_retry(&server).send(&get_call()).await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.code(), Some("itemNotFound"));
    assert_eq!(err.message(), Some("The call was not found."));
    assert_eq!(err.request_id(), Some("hdr-rid"));
    assert_eq!(err.client_request_id().map(str::len), Some(36));
    assert!(!err.is_throttled());
    let api = err.api().unwrap();
    assert_eq!(
        api.diagnostic.as_deref(),
        Some(r#"{"ServerInfo":{"DataCenter":"West Europe"}}"#)
    );
    assert_eq!(api.date.as_deref(), Some("Sun, 29 Nov 2026 05:00:00 GMT"));
    let inner = api.inner_error.as_ref().unwrap();
    assert_eq!(inner.request_id.as_deref(), Some("inner-rid"));
    assert_eq!(inner.client_request_id.as_deref(), Some("cri"));
    assert_eq!(inner.extra["extraKey"], 7);
    assert_eq!(api.attempts, 1);
    assert!(api.body.contains("itemNotFound"));
    let text = err.to_string();
    for part in ["404", "itemNotFound", "The call was not found.", "hdr-rid"] {
        assert!(text.contains(part), "{text} lacks {part}");
    }
}

/// Without a `request-id` header, the one in `innererror` (lowercase) is used;
/// the chain is walked to its most detailed code.
#[tokio::test]
async fn innererror_spelling_and_chain() {
    let server = answering(ResponseTemplate::new(400).set_body_json(serde_json::json!({
        "error": {
            "code": "invalidRequest",
            "message": "Bad.",
            "innererror": {
                "requestId": "old-style-rid",
                "code": "badArgument",
                "innerError": { "code": "callIdMalformed" }
            }
        }
    })))
    .await;
    let err = no_retry(&server).send(&get_call()).await.unwrap_err();
    assert_eq!(err.request_id(), Some("old-style-rid"));
    let api = err.api().unwrap();
    assert_eq!(api.most_detailed_code(), Some("callIdMalformed"));
    assert_eq!(
        api.inner_error
            .as_ref()
            .unwrap()
            .inner_error
            .as_ref()
            .unwrap()
            .code
            .as_deref(),
        Some("callIdMalformed")
    );
}

/// The throttling body of the docs, with numbers as strings inside innerError.
#[tokio::test]
async fn the_documented_429_body() {
    let server = answering(ResponseTemplate::new(429).insert_header("Retry-After", "7").set_body_json(serde_json::json!({
        "error": {
            "code": "TooManyRequests",
            "innerError": {"code": "429", "date": "2020-08-18T12:51:51", "message": "Please retry after",
                            "request-id": "94fb3b52-452a-4535-a601-69e0a90e3aa2", "status": "429"},
            "message": "Please retry again later."
        }
    })))
    .await;
    let err = no_retry(&server).send(&mute()).await.unwrap_err();
    assert!(err.is_throttled());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(err.code(), Some("TooManyRequests"));
    assert_eq!(
        err.request_id(),
        Some("94fb3b52-452a-4535-a601-69e0a90e3aa2")
    );
    assert_eq!(err.api().unwrap().headers.get("retry-after").unwrap(), "7");
}

/// Every non-2xx is an error, whatever its body.
#[tokio::test]
async fn non_2xx_is_never_ok() {
    for code in [
        400, 401, 402, 403, 404, 405, 406, 409, 410, 411, 412, 413, 415, 416, 418, 422, 423, 429,
        500, 501, 502, 503, 504, 507, 509,
    ] {
        let server =
            answering(ResponseTemplate::new(code).set_body_json(serde_json::json!({"id": "x"})))
                .await;
        let err = no_retry(&server).send(&get_call()).await.unwrap_err();
        assert_eq!(err.status(), Some(code));
        assert!(matches!(err, GraphError::Api(_)));
    }
}

#[tokio::test]
async fn non_json_error_bodies_are_kept_raw() {
    let server =
        answering(ResponseTemplate::new(502).set_body_string("<html>Bad Gateway</html>")).await;
    let err = no_retry(&server).send(&get_call()).await.unwrap_err();
    assert_eq!(err.code(), None);
    assert_eq!(err.api().unwrap().body, "<html>Bad Gateway</html>");
    assert!(err.to_string().contains("502"), "{err}");
}

#[tokio::test]
async fn error_bodies_are_kept_up_to_64_kib() {
    let big = "e".repeat(200 * 1024);
    let server = answering(ResponseTemplate::new(500).set_body_string(big)).await;
    let err = no_retry(&server).send(&get_call()).await.unwrap_err();
    assert_eq!(err.api().unwrap().body.len(), 64 * 1024);
}

#[tokio::test]
async fn bodies_that_do_not_decode() {
    for (body, fragment) in [
        ("{\"id\": ", "{\"id\": "),
        ("[1, 2]", "[1, 2]"),
        ("{\"id\": 5}", "{\"id\": 5}"),
        ("not json", "not json"),
    ] {
        let server = answering(
            ResponseTemplate::new(200)
                .insert_header("request-id", "rid-d")
                .set_body_raw(body, "application/json"),
        )
        .await;
        let err = no_retry(&server).send(&get_call()).await.unwrap_err();
        match &err {
            GraphError::Decode {
                status,
                snippet,
                request_id,
                ..
            } => {
                assert_eq!(*status, 200);
                assert_eq!(snippet, fragment);
                assert_eq!(request_id.as_deref(), Some("rid-d"));
            }
            other => panic!("{body}: {other:?}"),
        }
        assert_eq!(err.status(), Some(200));
    }
    // The snippet is bounded.
    let long = format!("{{\"id\": [{}", "1,".repeat(10_000));
    let server = answering(ResponseTemplate::new(200).set_body_raw(long, "application/json")).await;
    match no_retry(&server).send(&get_call()).await.unwrap_err() {
        GraphError::Decode { snippet, .. } => assert!(snippet.len() <= 512),
        other => panic!("{other:?}"),
    }
}

fn limited(server_uri: &str, limit: usize) -> GraphClient {
    GraphClient::builder()
        .base_url(server_uri)
        .bearer_token(TOKEN)
        .max_response_bytes(limit)
        .build()
        .unwrap()
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused() {
    let body = format!("{{\"id\": \"{}\"}}", "x".repeat(1000));
    let server =
        answering(ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json")).await;
    let err = limited(&server.uri(), 1000)
        .send(&get_call())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            GraphError::ResponseTooLarge {
                status: 200,
                limit: 1000,
                ..
            }
        ),
        "{err:?}"
    );
    // At the limit exactly: read.
    let ok = limited(&server.uri(), body.len())
        .send(&get_call())
        .await
        .unwrap();
    assert_eq!(ok.id.as_ref().map(String::len), Some(1000));
}

/// A raw loopback server answering each connection with `head`, then `rest`
/// chunks, then keeping the connection open.
async fn raw_server(head: &'static str, rest: Vec<Vec<u8>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let rest = rest.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(head.as_bytes()).await;
                for part in rest {
                    if socket.write_all(&part).await.is_err() {
                        return;
                    }
                }
                // Hold the connection until the client goes.
                let _ = socket.read(&mut buf).await;
            });
        }
    });
    format!("http://{addr}")
}

/// A declared length over the limit is refused before reading: the body never
/// comes here, so a client that waited for it would hang.
#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_without_reading() {
    let uri = raw_server(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 50000000000\r\n\r\n",
        vec![],
    )
    .await;
    let err = tokio::time::timeout(
        Duration::from_secs(20),
        limited(&uri, 1 << 20).send(&get_call()),
    )
    .await
    .expect("the client waited for the body")
    .unwrap_err();
    assert!(
        matches!(err, GraphError::ResponseTooLarge { .. }),
        "{err:?}"
    );
}

/// A chunked body is counted while it is read.
#[tokio::test]
async fn a_chunked_body_over_the_limit_is_refused() {
    let chunk = format!("400\r\n{}\r\n", "x".repeat(0x400)).into_bytes();
    let uri = raw_server(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        vec![chunk; 64],
    )
    .await;
    let err = tokio::time::timeout(
        Duration::from_secs(20),
        limited(&uri, 10_000).send(&get_call()),
    )
    .await
    .expect("hung")
    .unwrap_err();
    assert!(
        matches!(err, GraphError::ResponseTooLarge { limit: 10_000, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_chunked_body_within_the_limit_is_read() {
    let uri = raw_server(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        vec![
            b"5\r\n{\"id\"\r\n".to_vec(),
            b"6\r\n:\"c1\"}\r\n".to_vec(),
            b"0\r\n\r\n".to_vec(),
        ],
    )
    .await;
    let r = limited(&uri, 100).send(&get_call()).await.unwrap();
    assert_eq!(r.id.as_deref(), Some("c1"));
}

#[test]
fn configuration_errors() {
    let base = |url: &str| {
        GraphClient::builder()
            .base_url(url)
            .bearer_token(TOKEN)
            .build()
    };
    for bad in [
        "http://graph.microsoft.com",
        "http://192.168.1.10",
        "ftp://127.0.0.1",
        "not a url",
        "https://graph.microsoft.com?x=1",
        "https://u:p@graph.microsoft.com",
    ] {
        let err = base(bad).unwrap_err();
        assert!(matches!(err, GraphError::Config { .. }), "{bad}: {err:?}");
        assert_eq!(err.status(), None);
        assert!(
            err.to_string().starts_with("invalid configuration"),
            "{err}"
        );
    }
    for good in [
        "http://127.0.0.1:1",
        "http://localhost:2",
        "http://[::1]:3",
        "https://graph.microsoft.com/",
    ] {
        base(good).unwrap_or_else(|e| panic!("{good}: {e}"));
    }
    let err = GraphClient::builder()
        .bearer_token(TOKEN)
        .timeout(Duration::ZERO)
        .build()
        .unwrap_err();
    assert!(matches!(err, GraphError::Config { .. }));
}

#[tokio::test]
async fn transport_errors_say_what_happened() {
    let client = GraphClient::builder()
        .base_url(&format!("http://127.0.0.1:{}", closed_port()))
        .bearer_token(TOKEN)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.send(&get_call()).await.unwrap_err();
    assert!(matches!(
        err,
        GraphError::Transport {
            sent: false,
            attempts: 1,
            ..
        }
    ));
    let text = err.to_string();
    assert!(text.contains("before sending"), "{text}");
    // What happened is in the causes, printed by a chain walk (`{:#}` in anyhow).
    let (chain, _) = chain_walk(&err);
    assert!(
        chain.to_lowercase().contains("connect") || chain.contains("refused"),
        "{chain}"
    );
    assert_eq!(err.status(), None);
    assert!(err.client_request_id().is_some());
}

/// Prints `error` as anyhow's `{:#}` does: its `Display`, then each `source()`
/// after `: `. Returns the line and the `Display` of each level.
fn chain_walk(error: &(dyn std::error::Error + 'static)) -> (String, Vec<String>) {
    let mut levels = vec![error.to_string()];
    let mut cause = error.source();
    while let Some(c) = cause {
        levels.push(c.to_string());
        cause = c.source();
    }
    (levels.join(": "), levels)
}

/// Each level of a `GraphError`'s chain appears once when the chain is walked:
/// the error's own `Display` does not repeat its cause.
fn assert_each_cause_once(err: &GraphError) -> String {
    let (line, levels) = chain_walk(err);
    assert!(levels.len() >= 2, "no source: {err:?}");
    assert!(
        !levels[0].contains(&levels[1]),
        "Display repeats the source: {line}"
    );
    for level in &levels {
        assert_eq!(
            line.matches(level.as_str()).count(),
            1,
            "{level:?} in {line}"
        );
    }
    line
}

#[tokio::test]
async fn errors_chain_their_causes_once() {
    // Transport: the reqwest error (and its own causes) is the source.
    let client = GraphClient::builder()
        .base_url(&format!("http://127.0.0.1:{}", closed_port()))
        .bearer_token(TOKEN)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.send(&get_call()).await.unwrap_err();
    assert!(matches!(err, GraphError::Transport { .. }), "{err:?}");
    // Shared by every caller of the token flight, so reached through a shared
    // wrapper whose Debug and Display are the reqwest error's own.
    let source = std::error::Error::source(&err).expect("a source");
    assert!(
        format!("{source:?}").starts_with("reqwest::Error"),
        "{source:?}"
    );
    let line = assert_each_cause_once(&err);
    assert!(line.starts_with("transport error before sending"), "{line}");

    // Decode: the serde_json error is the source.
    let server =
        answering(ResponseTemplate::new(200).set_body_raw("{\"id\": 5}", "application/json")).await;
    let err = no_retry(&server).send(&get_call()).await.unwrap_err();
    let source = std::error::Error::source(&err).expect("a source");
    let json = source
        .downcast_ref::<serde_json::Error>()
        .expect("a serde_json::Error");
    assert!(json.is_data(), "{json}");
    let line = assert_each_cause_once(&err);
    assert!(line.contains("did not decode"), "{line}");
    assert!(line.contains("invalid type"), "{line}");

    // Token: the token request's transport error is the source.
    let credentials = graph_runtime::ClientCredentials::new("tenant", "app-id", "secret")
        .authority_url(&format!("http://127.0.0.1:{}", closed_port()));
    let client = GraphClient::builder()
        .base_url(&server.uri())
        .token_provider(credentials)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.send(&get_call()).await.unwrap_err();
    assert!(matches!(err, GraphError::Token { .. }), "{err:?}");
    // Shared by every caller of the token flight, so reached through a shared
    // wrapper whose Debug and Display are the reqwest error's own.
    let source = std::error::Error::source(&err).expect("a source");
    assert!(
        format!("{source:?}").starts_with("reqwest::Error"),
        "{source:?}"
    );
    let line = assert_each_cause_once(&err);
    assert!(
        line.starts_with("could not acquire an access token: the token request failed: "),
        "{line}"
    );

    // Graph's own answers have no underlying error.
    let server = answering(ResponseTemplate::new(404)).await;
    let err = no_retry(&server).send(&get_call()).await.unwrap_err();
    assert!(std::error::Error::source(&err).is_none());
}
