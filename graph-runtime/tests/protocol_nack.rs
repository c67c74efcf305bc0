//! HTTP/2 refusals (RFC 9113 8.7): a stream the server resets with
//! `REFUSED_STREAM`, or one above the last stream id of a graceful `GOAWAY`, was
//! not processed, so the pipeline sends the call again at once, whatever its
//! method, at most twice, even with retries off. The HTTP client here does not
//! retry them itself (as the built-in one does not), and the server is a loopback
//! HTTP/2 cleartext server built on the `h2` crate.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use common::*;
use graph_runtime::{GraphClient, GraphError, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with a stream.
#[derive(Debug, Clone, Copy)]
enum Answer {
    /// `RST_STREAM` with this reason.
    Reset(h2::Reason),
    /// 200 with a JSON operation.
    Ok,
}

/// A request the server received: its method and `Retry-Attempt`, `None` for
/// the one the raw GOAWAY connection received (its headers are not decoded).
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    method: Option<String>,
    retry_attempt: Option<String>,
}

type Log = Arc<Mutex<Vec<Seen>>>;

struct Server {
    url: String,
    seen: Log,
}

impl Server {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("log").clone()
    }
}

/// A loopback HTTP/2 cleartext server: stream n (counted over all connections)
/// gets `answers[n]`, the last one repeating. With `goaway_first`, the first
/// connection answers its first request with a graceful `GOAWAY` that does not
/// cover it, and the streams counted start on the next connection.
async fn server(answers: Vec<Answer>, goaway_first: bool) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let seen: Log = Arc::default();
    let answers: Arc<[Answer]> = answers.into();
    let streams = Arc::new(AtomicUsize::new(0));
    let log = seen.clone();
    tokio::spawn(async move {
        let mut connections = 0usize;
        while let Ok((sock, _)) = listener.accept().await {
            connections += 1;
            if goaway_first && connections == 1 {
                tokio::spawn(go_away_unanswered(sock, log.clone()));
            } else {
                tokio::spawn(serve(sock, answers.clone(), streams.clone(), log.clone()));
            }
        }
    });
    Server { url, seen }
}

/// One connection served by `h2`.
async fn serve(sock: TcpStream, answers: Arc<[Answer]>, streams: Arc<AtomicUsize>, log: Log) {
    let Ok(mut conn) = h2::server::handshake(sock).await else {
        return;
    };
    while let Some(Ok((request, mut respond))) = conn.accept().await {
        log.lock().expect("log").push(Seen {
            method: Some(request.method().to_string()),
            retry_attempt: request
                .headers()
                .get("retry-attempt")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        });
        let n = streams.fetch_add(1, Ordering::SeqCst);
        match answers[n.min(answers.len() - 1)] {
            Answer::Reset(reason) => respond.send_reset(reason),
            // Its own task: `accept` keeps driving the connection meanwhile.
            Answer::Ok => {
                tokio::spawn(async move {
                    let mut body = request.into_body();
                    while let Some(Ok(chunk)) = body.data().await {
                        let _ = body.flow_control().release_capacity(chunk.len());
                    }
                    let response = http::Response::builder()
                        .status(200)
                        .header("content-type", "application/json")
                        .body(())
                        .expect("response");
                    if let Ok(mut send) = respond.send_response(response, false) {
                        let json = br#"{"id":"op1","status":"completed"}"#;
                        let _ = send.send_data(Bytes::from_static(json), true);
                    }
                });
            }
        }
    }
}

/// An HTTP/2 frame: type, flags, stream id, payload.
fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(payload.len())
        .expect("small frame")
        .to_be_bytes();
    let mut f = vec![len[1], len[2], len[3], kind, flags];
    f.extend_from_slice(&stream.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// A connection written by hand: the first request (stream 1) gets a `GOAWAY`
/// with `NO_ERROR` and last stream id 0, so the server says it processed none
/// (h2's own `graceful_shutdown` would cover the streams it has received). The
/// connection then stays open until the client closes it.
async fn go_away_unanswered(mut sock: TcpStream, log: Log) {
    const SETTINGS: u8 = 4;
    const HEADERS: u8 = 1;
    const GOAWAY: u8 = 7;
    let mut preface = [0u8; 24];
    if sock.read_exact(&mut preface).await.is_err() {
        return;
    }
    if sock.write_all(&frame(SETTINGS, 0, 0, &[])).await.is_err() {
        return;
    }
    loop {
        let mut head = [0u8; 9];
        if sock.read_exact(&mut head).await.is_err() {
            return;
        }
        let len = u32::from_be_bytes([0, head[0], head[1], head[2]]) as usize;
        let mut payload = vec![0u8; len];
        if sock.read_exact(&mut payload).await.is_err() {
            return;
        }
        let reply = match (head[3], head[4] & 1) {
            // The client's settings (not an ACK): acknowledged.
            (SETTINGS, 0) => frame(SETTINGS, 1, 0, &[]),
            (HEADERS, _) => {
                log.lock().expect("log").push(Seen {
                    method: None,
                    retry_attempt: None,
                });
                // Last stream id 0, error code NO_ERROR (0).
                frame(GOAWAY, 0, 0, &[0u8; 8])
            }
            _ => continue,
        };
        if sock.write_all(&reply).await.is_err() {
            return;
        }
        if head[3] == HEADERS {
            break;
        }
    }
    let mut sink = [0u8; 1024];
    while matches!(sock.read(&mut sink).await, Ok(n) if n > 0) {}
}

/// A client of `server` over HTTP/2 cleartext, with retries off, whose HTTP
/// client does not retry refusals itself.
fn client(server: &Server) -> GraphClient {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .http2_prior_knowledge()
        .redirect(reqwest::redirect::Policy::none())
        .retry(reqwest::retry::never().max_retries_per_request(0))
        .build()
        .expect("http client");
    GraphClient::builder()
        .base_url(&server.url)
        .bearer_token(TOKEN)
        .http_client(http)
        .retry(RetryPolicy::none())
        .build()
        .expect("client")
}

/// `sent` and `attempts` of a transport error; any other error fails the test.
fn transport_error(err: &GraphError) -> (bool, u32) {
    match err {
        GraphError::Transport { sent, attempts, .. } => (*sent, *attempts),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

fn post(retry_attempt: Option<&str>) -> Seen {
    Seen {
        method: Some("POST".into()),
        retry_attempt: retry_attempt.map(str::to_owned),
    }
}

/// A refused stream: the POST (not idempotent) is sent again at once and
/// succeeds, with retries off; the second request is attempt 2.
#[tokio::test]
async fn a_refused_stream_is_sent_again_even_for_a_post_with_retries_off() {
    let server = server(
        vec![Answer::Reset(h2::Reason::REFUSED_STREAM), Answer::Ok],
        false,
    )
    .await;
    let op = client(&server).send(&mute()).await.expect("sent again");
    assert_eq!(op.id.as_deref(), Some("op1"));
    assert_eq!(server.seen(), vec![post(None), post(Some("1"))]);
}

/// A server that refuses every stream: 1 request and 2 resends, then the
/// transport error, which says nothing was sent (nothing was processed).
#[tokio::test]
async fn refusals_are_sent_again_at_most_twice() {
    let server = server(vec![Answer::Reset(h2::Reason::REFUSED_STREAM)], false).await;
    let err = client(&server).send(&mute()).await.expect_err("refused");
    // Not sent: nothing was processed.
    assert_eq!(transport_error(&err), (false, 3), "{err:?}");
    assert_eq!(err.attempts(), Some(3));
    assert_eq!(
        server.seen(),
        vec![post(None), post(Some("1")), post(Some("2"))]
    );
}

/// A reset with another reason is no refusal: the POST may have been
/// processed, so it is not sent again (retries are off).
#[tokio::test]
async fn a_reset_with_another_reason_is_not_sent_again() {
    let server = server(
        vec![Answer::Reset(h2::Reason::INTERNAL_ERROR), Answer::Ok],
        false,
    )
    .await;
    let err = client(&server).send(&mute()).await.expect_err("reset");
    // Sent: the server may have processed it.
    assert_eq!(transport_error(&err), (true, 1), "{err:?}");
    assert_eq!(server.seen(), vec![post(None)]);
}

/// A graceful GOAWAY whose last stream id is below the request's: the POST is
/// sent again at once, on a new connection, and succeeds.
#[tokio::test]
async fn a_request_a_graceful_goaway_left_out_is_sent_again() {
    let server = server(vec![Answer::Ok], true).await;
    let op = client(&server).send(&mute()).await.expect("sent again");
    assert_eq!(op.id.as_deref(), Some("op1"));
    let unread = Seen {
        method: None,
        retry_attempt: None,
    };
    assert_eq!(server.seen(), vec![unread, post(Some("1"))]);
}
