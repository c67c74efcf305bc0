//! Retry rules (design 5.4): which failures are retried for which actions, every
//! `Retry-After` form, the backoff, the caps, `Retry-Attempt`, the kept
//! `client-request-id` and body. Waits run on tokio's paused clock.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use common::*;
use graph_runtime::{GraphError, RetryPolicy};
use tokio::time::Instant;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Answers with each template in turn, then repeats the last.
struct Seq(Vec<ResponseTemplate>, AtomicUsize);

impl Respond for Seq {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let i = self.1.fetch_add(1, Ordering::SeqCst);
        self.0[i.min(self.0.len() - 1)].clone()
    }
}

fn status(code: u16) -> ResponseTemplate {
    ResponseTemplate::new(code)
}

fn after(code: u16, retry_after: &str) -> ResponseTemplate {
    ResponseTemplate::new(code).insert_header("Retry-After", retry_after)
}

fn ok() -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(serde_json::json!({"id": "op1", "status": "completed"}))
}

/// A server of its own (not one of wiremock's pooled servers): these tests count
/// the requests and answer them in order, and a pooled server can still receive
/// a request another test's client wrote before that test ended (the timeout
/// test leaves some), which would take the first answer. Seen as a rare failure
/// of `total_wait_is_capped` (the call succeeding) on a loaded machine.
async fn server_with(answers: Vec<ResponseTemplate>) -> MockServer {
    let server = MockServer::builder().start().await;
    Mock::given(any())
        .respond_with(Seq(answers, AtomicUsize::new(0)))
        .mount(&server)
        .await;
    server
}

/// Retried statuses succeed on the next answer, for actions of each kind.
#[tokio::test(start_paused = true)]
async fn retried_statuses_by_idempotency() {
    // (status, action kind, retried?)
    let cases: &[(u16, &str, bool)] = &[
        (429, "post", true),
        (503, "post", true),
        (504, "post", false),
        (429, "idempotent-post", true),
        (503, "idempotent-post", true),
        (504, "idempotent-post", true),
        (429, "get", true),
        (503, "get", true),
        (504, "get", true),
    ];
    for &(code, kind, retried) in cases {
        let server = server_with(vec![after(code, "0"), ok()]).await;
        let client = paused_client(&server, RetryPolicy::default());
        let result = match kind {
            "post" => client.send(&mute()).await.map(|_| ()),
            "idempotent-post" => client.send(&keep_alive()).await.map(|_| ()),
            _ => client.send(&get_call()).await.map(|_| ()),
        };
        let count = request_count(&server).await;
        if retried {
            assert!(result.is_ok(), "{code} {kind}: {result:?}");
            assert_eq!(count, 2, "{code} {kind}");
        } else {
            let err = result.expect_err("not retried");
            assert_eq!(err.status(), Some(code), "{code} {kind}");
            assert_eq!(err.attempts(), Some(1));
            assert_eq!(count, 1, "{code} {kind}");
        }
    }
}

/// No other status is retried, whatever the action.
#[tokio::test(start_paused = true)]
async fn other_statuses_are_never_retried() {
    for code in [400, 401, 403, 404, 405, 409, 412, 500, 501, 502, 507, 509] {
        for idempotent in [false, true] {
            let server = server_with(vec![after(code, "0"), ok()]).await;
            let client = paused_client(&server, RetryPolicy::default());
            let err = if idempotent {
                client.send(&get_call()).await.map(|_| ()).unwrap_err()
            } else {
                client.send(&mute()).await.map(|_| ()).unwrap_err()
            };
            assert_eq!(err.status(), Some(code));
            assert_eq!(err.attempts(), Some(1));
            assert_eq!(
                request_count(&server).await,
                1,
                "{code} idempotent={idempotent}"
            );
        }
    }
}

#[tokio::test(start_paused = true)]
async fn exhausted_retries_return_the_last_answer_with_the_attempt_count() {
    let server = server_with(vec![
        after(429, "1"),
        after(503, "1"),
        after(429, "1"),
        after(503, "2"),
    ])
    .await;
    let client = paused_client(&server, RetryPolicy::default());
    let err = client.send(&mute()).await.unwrap_err();
    assert_eq!(request_count(&server).await, 4);
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.attempts(), Some(4));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(2)));
    assert!(err.is_throttled());
    let text = err.to_string();
    assert!(text.contains("after 4 attempts"), "{text}");
    assert!(text.contains("retries exhausted"), "{text}");
}

#[tokio::test(start_paused = true)]
async fn retry_counts_follow_the_policy() {
    for (policy, expected) in [
        (RetryPolicy::none(), 1),
        (RetryPolicy::default().max_retries(0), 1),
        (RetryPolicy::default().max_retries(1), 2),
        (RetryPolicy::default(), 4),
        (RetryPolicy::default().max_retries(10), 11),
        (RetryPolicy::default().max_retries(99), 11),
    ] {
        let server = server_with(vec![after(429, "0")]).await;
        let client = paused_client(&server, policy.clone());
        let err = client.send(&get_call()).await.unwrap_err();
        assert_eq!(request_count(&server).await, expected, "{policy:?}");
        assert_eq!(err.attempts(), Some(expected as u32));
    }
}

/// Each `Retry-After` form gives the wait it says.
#[tokio::test(start_paused = true)]
async fn retry_after_forms_set_the_wait() {
    let in_20s = SystemTime::now() + Duration::from_secs(20);
    let imf = httpdate::fmt_http_date(in_20s);
    // RFC 850 and asctime forms of the same instant.
    let parsed: httpdate::HttpDate = in_20s.into();
    let imf_text = parsed.to_string(); // "Sun, 06 Nov 1994 08:49:37 GMT"
    let parts: Vec<&str> = imf_text
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .collect();
    let (wd, day, mon, year, time) = (parts[0], parts[1], parts[2], parts[3], parts[4]);
    let long_wd = match wd {
        "Mon" => "Monday",
        "Tue" => "Tuesday",
        "Wed" => "Wednesday",
        "Thu" => "Thursday",
        "Fri" => "Friday",
        "Sat" => "Saturday",
        _ => "Sunday",
    };
    let rfc850 = format!("{long_wd}, {day}-{mon}-{} {time} GMT", &year[2..]);
    let asctime = format!(
        "{wd} {mon} {:>2} {time} {year}",
        day.trim_start_matches('0')
    );
    let past = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(3600));

    let cases: Vec<(String, f64, f64)> = vec![
        ("5".into(), 5.0, 5.0),
        ("0".into(), 0.0, 0.0),
        ("2.128".into(), 2.128, 2.128),
        ("0.5".into(), 0.5, 0.5),
        (" 7 ".into(), 7.0, 7.0),
        ("180".into(), 180.0, 180.0),
        (imf, 18.0, 20.0),
        (rfc850, 18.0, 20.0),
        (asctime, 18.0, 20.0),
        (past, 0.0, 0.0),
    ];
    for (value, low, high) in cases {
        let server = server_with(vec![after(429, &value), ok()]).await;
        let client = paused_client(&server, RetryPolicy::default());
        let start = Instant::now();
        client
            .send(&mute())
            .await
            .unwrap_or_else(|e| panic!("{value:?}: {e}"));
        let waited = start.elapsed().as_secs_f64();
        assert!(
            waited >= low - 1e-6 && waited <= high + 1e-6,
            "Retry-After {value:?} waited {waited}"
        );
        assert_eq!(request_count(&server).await, 2);
    }
}

/// Invalid values fall back to the backoff (3 s without jitter).
#[tokio::test(start_paused = true)]
async fn invalid_retry_after_falls_back_to_backoff() {
    for value in [
        "-1",
        "NaN",
        "inf",
        "1e3",
        "soon",
        "",
        "Tue, 99 Foo 2020",
        "5s",
    ] {
        let server = server_with(vec![after(503, value), ok()]).await;
        let client = paused_client(&server, RetryPolicy::default());
        let start = Instant::now();
        client.send(&mute()).await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(3), "{value:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn backoff_is_three_six_twelve_seconds() {
    let server = server_with(vec![status(504)]).await;
    let client = paused_client(&server, RetryPolicy::default());
    let start = Instant::now();
    let err = client.send(&get_call()).await.unwrap_err();
    assert_eq!(start.elapsed(), Duration::from_secs(3 + 6 + 12));
    assert_eq!(err.attempts(), Some(4));
    assert_eq!(err.retry_after(), None);
}

#[tokio::test(start_paused = true)]
async fn backoff_jitter_is_at_most_one_second_per_wait() {
    let server = server_with(vec![status(503)]).await;
    let client = paused_builder(&server)
        .retry(RetryPolicy::default())
        .build()
        .unwrap();
    let start = Instant::now();
    client.send(&get_call()).await.unwrap_err();
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(21) && waited <= Duration::from_secs(24),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn custom_base_delay_doubles() {
    let server = server_with(vec![status(503)]).await;
    let client = paused_client(
        &server,
        RetryPolicy::default().base_delay(Duration::from_millis(100)),
    );
    let start = Instant::now();
    client.send(&get_call()).await.unwrap_err();
    assert_eq!(start.elapsed(), Duration::from_millis(100 + 200 + 400));
}

/// A `Retry-After` beyond the cap ends the call at once, without sleeping.
#[tokio::test(start_paused = true)]
async fn retry_after_beyond_cap_is_a_throttled_error_at_once() {
    for (value, secs) in [("181", 181), ("3600", 3600), ("86400.5", 86400)] {
        let server = server_with(vec![after(429, value), ok()]).await;
        let client = paused_client(&server, RetryPolicy::default());
        let start = Instant::now();
        let err = client.send(&mute()).await.unwrap_err();
        assert_eq!(start.elapsed(), Duration::ZERO, "{value}");
        assert_eq!(request_count(&server).await, 1);
        assert!(err.is_throttled());
        assert_eq!(err.retry_after().map(|d| d.as_secs()), Some(secs));
        assert!(err.to_string().contains("beyond the cap"), "{err}");
    }
}

#[tokio::test(start_paused = true)]
async fn lower_max_wait_caps_retry_after() {
    let server = server_with(vec![after(429, "30"), ok()]).await;
    let client = paused_client(
        &server,
        RetryPolicy::default().max_wait(Duration::from_secs(10)),
    );
    let err = client.send(&mute()).await.unwrap_err();
    assert!(err.is_throttled());
    assert_eq!(request_count(&server).await, 1);
}

/// The total wait is capped at 180 s: a wait that would pass it is not taken.
#[tokio::test(start_paused = true)]
async fn total_wait_is_capped() {
    let server = server_with(vec![after(429, "100"), after(429, "100"), ok()]).await;
    let client = paused_client(&server, RetryPolicy::default());
    let start = Instant::now();
    let err = client.send(&mute()).await.unwrap_err();
    assert_eq!(start.elapsed(), Duration::from_secs(100));
    assert_eq!(request_count(&server).await, 2);
    assert_eq!(err.attempts(), Some(2));
    assert!(err.to_string().contains("total wait cap"), "{err}");

    let server = server_with(vec![after(429, "90"), after(429, "90"), ok()]).await;
    let client = paused_client(&server, RetryPolicy::default());
    let start = Instant::now();
    client.send(&mute()).await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(180));
}

#[tokio::test(start_paused = true)]
async fn retry_attempt_header_counts_retries() {
    let server = server_with(vec![
        after(429, "0"),
        after(503, "0"),
        after(429, "0"),
        ok(),
    ])
    .await;
    let client = paused_client(&server, RetryPolicy::default());
    client.send(&mute()).await.unwrap();
    assert_eq!(
        header_values(&server, "retry-attempt").await,
        vec![None, Some("1".into()), Some("2".into()), Some("3".into())]
    );
}

#[tokio::test(start_paused = true)]
async fn client_request_id_body_and_content_type_are_the_same_on_every_attempt() {
    let server = server_with(vec![after(429, "0"), after(503, "0"), ok()]).await;
    let client = paused_client(&server, RetryPolicy::default());
    let response = client.send(&mute()).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 3);
    let id = response.client_request_id().to_owned();
    assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 4);
    for r in &requests {
        assert_eq!(
            r.headers
                .get("client-request-id")
                .unwrap()
                .to_str()
                .unwrap(),
            id
        );
        assert_eq!(
            r.headers.get("content-type").unwrap().to_str().unwrap(),
            "application/json"
        );
        assert_eq!(r.body, br#"{"clientContext":"ctx"}"#);
        assert_eq!(r.method.as_str(), "POST");
    }
    // A new call gets a new id.
    let second = client.send(&mute()).await.unwrap();
    assert_ne!(second.client_request_id(), id);
}

#[tokio::test(start_paused = true)]
async fn a_success_is_never_retried() {
    for code in [200, 201, 202, 204] {
        let server = server_with(vec![status(code)]).await;
        let client = paused_client(&server, RetryPolicy::default());
        let r = client.send(&keep_alive()).await.unwrap();
        assert_eq!(r.status(), code);
        assert_eq!(request_count(&server).await, 1);
    }
}

/// Connection failures before sending are retried for every action.
#[tokio::test(start_paused = true)]
async fn connect_failures_are_retried_for_every_action() {
    let port = closed_port();
    let client = graph_runtime::GraphClient::builder()
        .base_url(&format!("http://127.0.0.1:{port}"))
        .bearer_token(TOKEN)
        .http_client(timerless_http())
        .timeout(Duration::MAX)
        .retry(RetryPolicy::default().jitter(Duration::ZERO))
        .build()
        .unwrap();
    let start = Instant::now();
    let err = client.send(&mute()).await.unwrap_err();
    assert!(
        matches!(err, GraphError::Transport { sent: false, .. }),
        "{err:?}"
    );
    assert_eq!(err.attempts(), Some(4));
    assert_eq!(start.elapsed(), Duration::from_secs(21));
    assert!(err.to_string().contains("before sending"), "{err}");
}

/// A server that reads the request and closes the connection without answering.
async fn hang_up_server() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            seen.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                use tokio::io::AsyncReadExt as _;
                let mut buf = vec![0u8; 4096];
                let _ = socket.read(&mut buf).await;
                drop(socket);
            });
        }
    });
    (format!("http://{addr}"), count)
}

/// Failures after sending are retried only for idempotent actions.
#[tokio::test(start_paused = true)]
async fn failures_after_sending_are_retried_only_when_idempotent() {
    for (idempotent, expected) in [(false, 1), (true, 4)] {
        let (url, count) = hang_up_server().await;
        let client = graph_runtime::GraphClient::builder()
            .base_url(&url)
            .bearer_token(TOKEN)
            .http_client(timerless_http())
            .timeout(Duration::MAX)
            .retry(RetryPolicy::default().jitter(Duration::ZERO))
            .build()
            .unwrap();
        let err = if idempotent {
            client.send(&keep_alive()).await.unwrap_err()
        } else {
            client.send(&mute()).await.map(|_| ()).unwrap_err()
        };
        assert!(
            matches!(err, GraphError::Transport { sent: true, .. }),
            "{err:?}"
        );
        assert_eq!(err.attempts(), Some(expected));
        assert_eq!(count.load(Ordering::SeqCst), expected as usize);
    }
}

/// A timed-out attempt is retried only for idempotent actions.
#[tokio::test(start_paused = true)]
async fn timeouts_are_retried_only_when_idempotent() {
    for (idempotent, expected) in [(false, 1), (true, 4)] {
        // Its own server: requests of timed-out attempts may still arrive
        // after the test (see `server_with`).
        let server = MockServer::builder().start().await;
        Mock::given(any())
            .respond_with(ok().set_delay(Duration::from_secs(600)))
            .mount(&server)
            .await;
        let client = paused_builder(&server)
            .timeout(Duration::from_secs(5))
            .retry(RetryPolicy::default().jitter(Duration::ZERO))
            .build()
            .unwrap();
        let err = if idempotent {
            client.send(&get_call()).await.map(|_| ()).unwrap_err()
        } else {
            client.send(&mute()).await.map(|_| ()).unwrap_err()
        };
        match &err {
            GraphError::Timeout {
                after, attempts, ..
            } => {
                assert_eq!(*after, Duration::from_secs(5));
                assert_eq!(*attempts, expected);
            }
            other => panic!("{other:?}"),
        }
        assert!(err.client_request_id().is_some());
    }
}

/// The per-attempt timeout never counts the waits between attempts (real clock:
/// a 1 s timeout and a 1.2 s `Retry-After`).
#[tokio::test]
async fn the_timeout_does_not_count_waits() {
    let server = server_with(vec![after(429, "1.2"), ok()]).await;
    let client = graph_runtime::GraphClient::builder()
        .base_url(&server.uri())
        .bearer_token(TOKEN)
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let op = client.send(&mute()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(1200));
    assert_eq!(op.id.as_deref(), Some("op1"));
}

/// Dropping the call's future during a wait sends no further attempt.
#[tokio::test(start_paused = true)]
async fn dropping_the_future_cancels_further_attempts() {
    let server = server_with(vec![after(429, "10"), ok()]).await;
    let client = paused_client(&server, RetryPolicy::default());
    let task = {
        let client = client.clone();
        tokio::spawn(async move { client.send(&mute()).await.map(|_| ()) })
    };
    // Busy-yield (no clock movement) until the first request has arrived.
    while request_count(&server).await == 0 {
        tokio::task::yield_now().await;
    }
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    tokio::time::advance(Duration::from_secs(60)).await;
    // A later call on the same server is the second request it sees.
    client.send(&mute()).await.unwrap();
    let paths: Vec<_> = header_values(&server, "retry-attempt").await;
    assert_eq!(paths, vec![None, None], "the cancelled call sent a retry");
}

/// Throttling answers say so; other errors do not.
#[tokio::test(start_paused = true)]
async fn is_throttled_only_for_429_and_503() {
    for (code, throttled) in [
        (429, true),
        (503, true),
        (504, false),
        (500, false),
        (404, false),
    ] {
        let server = server_with(vec![status(code)]).await;
        let client = paused_client(&server, RetryPolicy::none());
        let err = client.send(&get_call()).await.unwrap_err();
        assert_eq!(err.is_throttled(), throttled, "{code}");
    }
}

/// A 401 with a provider that cannot refresh (a static token) is not retried.
#[tokio::test(start_paused = true)]
async fn static_token_401_is_not_retried() {
    let server = server_with(vec![status(401), ok()]).await;
    let client = paused_client(&server, RetryPolicy::default());
    let err = client.send(&get_call()).await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(request_count(&server).await, 1);
}

/// 504's Retry-After is honoured too when the action is idempotent.
#[tokio::test(start_paused = true)]
async fn retry_after_on_504_is_honoured() {
    let server = server_with(vec![after(504, "4"), ok()]).await;
    let client = paused_client(&server, RetryPolicy::default());
    let start = Instant::now();
    client.send(&get_call()).await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(4));
}
