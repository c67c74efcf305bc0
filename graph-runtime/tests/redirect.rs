//! Redirects (design 5.1): at most 5; `Authorization` never follows a change of
//! host, port or scheme; https to http refused; 303 becomes GET without body; a
//! 3xx without `Location` is an error answer.

mod common;

use common::*;
use graph_runtime::{GraphError, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn redirect(code: u16, to: &str) -> ResponseTemplate {
    ResponseTemplate::new(code).insert_header("Location", to)
}

fn ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "op1"}))
}

async fn mount(server: &MockServer, at: &str, answer: ResponseTemplate) {
    Mock::given(path(at))
        .respond_with(answer)
        .mount(server)
        .await;
}

/// Requests the server got at `at`.
async fn at(server: &MockServer, at: &str) -> Vec<wiremock::Request> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path() == at)
        .collect()
}

fn auth(r: &wiremock::Request) -> Option<String> {
    r.headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// 301, 302, 307, 308 on the same origin: followed with the same method, body
/// and token.
#[tokio::test]
async fn same_origin_redirects_keep_method_body_and_token() {
    for code in [301, 302, 307, 308] {
        let server = MockServer::start().await;
        mount(&server, MUTE_PATH, redirect(code, "/moved")).await;
        mount(&server, "/moved", ok()).await;
        let op = default_client(&server).send(&mute()).await.unwrap();
        assert_eq!(op.id.as_deref(), Some("op1"), "{code}");
        let moved = at(&server, "/moved").await;
        assert_eq!(moved.len(), 1, "{code}");
        assert_eq!(moved[0].method.as_str(), "POST", "{code}");
        assert_eq!(moved[0].body, br#"{"clientContext":"ctx"}"#, "{code}");
        assert_eq!(auth(&moved[0]), Some(format!("Bearer {TOKEN}")), "{code}");
        assert_eq!(
            moved[0]
                .headers
                .get("content-type")
                .unwrap()
                .to_str()
                .unwrap(),
            "application/json"
        );
    }
}

#[tokio::test]
async fn see_other_becomes_get_without_body() {
    let server = MockServer::start().await;
    mount(&server, MUTE_PATH, redirect(303, "/result")).await;
    mount(&server, "/result", ok()).await;
    default_client(&server).send(&mute()).await.unwrap();
    let result = at(&server, "/result").await;
    assert_eq!(result.len(), 1);
    assert_eq!(result[0].method.as_str(), "GET");
    assert!(result[0].body.is_empty());
    assert!(result[0].headers.get("content-type").is_none());
    assert_eq!(auth(&result[0]), Some(format!("Bearer {TOKEN}")));
}

/// Another port (another wiremock server) is another origin: no token.
#[tokio::test]
async fn cross_origin_redirects_drop_the_token() {
    for code in [301, 302, 303, 307, 308] {
        let server = MockServer::start().await;
        let other = MockServer::start().await;
        mount(
            &server,
            MUTE_PATH,
            redirect(code, &format!("{}/elsewhere", other.uri())),
        )
        .await;
        mount(&other, "/elsewhere", ok()).await;
        default_client(&server).send(&mute()).await.unwrap();
        let got = at(&other, "/elsewhere").await;
        assert_eq!(got.len(), 1, "{code}");
        assert_eq!(auth(&got[0]), None, "{code}: token sent across origins");
        // The correlation header still goes.
        assert!(got[0].headers.get("client-request-id").is_some());
        // The first hop did carry it.
        assert_eq!(
            auth(&at(&server, MUTE_PATH).await[0]),
            Some(format!("Bearer {TOKEN}"))
        );
    }
}

/// `localhost` and `127.0.0.1` on the same port are different hosts.
#[tokio::test]
async fn another_host_name_drops_the_token() {
    let server = MockServer::start().await;
    let port = server.address().port();
    mount(
        &server,
        MUTE_PATH,
        redirect(307, &format!("http://localhost:{port}/by-name")),
    )
    .await;
    mount(&server, "/by-name", ok()).await;
    default_client(&server).send(&mute()).await.unwrap();
    let got = at(&server, "/by-name").await;
    assert_eq!(got.len(), 1);
    assert_eq!(auth(&got[0]), None);
}

/// Once the token was dropped in a chain, coming back does not restore it.
#[tokio::test]
async fn the_token_stays_dropped_for_the_rest_of_the_chain() {
    let server = MockServer::start().await;
    let other = MockServer::start().await;
    mount(
        &server,
        MUTE_PATH,
        redirect(307, &format!("{}/hop", other.uri())),
    )
    .await;
    mount(
        &other,
        "/hop",
        redirect(307, &format!("{}/back", server.uri())),
    )
    .await;
    mount(&server, "/back", ok()).await;
    default_client(&server).send(&mute()).await.unwrap();
    let back = at(&server, "/back").await;
    assert_eq!(back.len(), 1);
    assert_eq!(auth(&back[0]), None);
}

#[tokio::test]
async fn relative_and_absolute_same_origin_locations_keep_the_token() {
    for location in ["moved", "/v1.0/communications/moved", "./moved", "../moved"] {
        let server = MockServer::start().await;
        mount(&server, GET_CALL_PATH, redirect(302, location)).await;
        Mock::given(method("GET"))
            .and(wiremock::matchers::path_regex("moved$"))
            .respond_with(ok())
            .mount(&server)
            .await;
        default_client(&server).send(&get_call()).await.unwrap();
        let reqs = server.received_requests().await.unwrap();
        assert_eq!(reqs.len(), 2, "{location}");
        assert_eq!(
            auth(&reqs[1]),
            Some(format!("Bearer {TOKEN}")),
            "{location}"
        );
    }
    let server = MockServer::start().await;
    mount(
        &server,
        GET_CALL_PATH,
        redirect(302, &format!("{}/abs", server.uri())),
    )
    .await;
    mount(&server, "/abs", ok()).await;
    default_client(&server).send(&get_call()).await.unwrap();
    assert_eq!(
        auth(&at(&server, "/abs").await[0]),
        Some(format!("Bearer {TOKEN}"))
    );
}

/// Five redirects are followed; a sixth is refused.
#[tokio::test]
async fn at_most_five_redirects() {
    for (hops, ok_expected) in [(1, true), (4, true), (5, true), (6, false), (10, false)] {
        let server = MockServer::start().await;
        mount(&server, GET_CALL_PATH, redirect(302, "/r1")).await;
        for i in 1..hops {
            mount(
                &server,
                &format!("/r{i}"),
                redirect(302, &format!("/r{}", i + 1)),
            )
            .await;
        }
        mount(&server, &format!("/r{hops}"), ok()).await;
        let result = default_client(&server).send(&get_call()).await;
        if ok_expected {
            assert!(result.is_ok(), "{hops}: {result:?}");
            assert_eq!(request_count(&server).await, hops + 1);
        } else {
            let err = result.unwrap_err();
            assert!(
                matches!(err, GraphError::Redirect { status: 302, .. }),
                "{err:?}"
            );
            assert!(err.to_string().contains("more than 5 redirects"), "{err}");
            assert_eq!(request_count(&server).await, 6, "{hops}");
        }
    }
}

/// A redirect loop ends at the cap.
#[tokio::test]
async fn redirect_loop_is_cut() {
    let server = MockServer::start().await;
    mount(&server, GET_CALL_PATH, redirect(307, GET_CALL_PATH)).await;
    let err = default_client(&server).send(&get_call()).await.unwrap_err();
    assert!(matches!(err, GraphError::Redirect { .. }));
    assert_eq!(request_count(&server).await, 6);
}

#[tokio::test]
async fn a_redirect_without_location_is_an_error_answer() {
    for code in [301, 302, 303, 307, 308] {
        let server = MockServer::start().await;
        mount(&server, GET_CALL_PATH, ResponseTemplate::new(code)).await;
        let err = default_client(&server).send(&get_call()).await.unwrap_err();
        assert!(
            matches!(&err, GraphError::Api(api) if api.status == code),
            "{err:?}"
        );
        assert_eq!(request_count(&server).await, 1);
    }
}

#[tokio::test]
async fn non_http_locations_are_refused() {
    for location in [
        "ftp://127.0.0.1/x",
        "file:///etc/passwd",
        "javascript:alert(1)",
    ] {
        let server = MockServer::start().await;
        mount(&server, GET_CALL_PATH, redirect(302, location)).await;
        let err = default_client(&server).send(&get_call()).await.unwrap_err();
        assert!(
            matches!(err, GraphError::Redirect { .. }),
            "{location}: {err:?}"
        );
        assert_eq!(err.client_request_id().map(str::len), Some(36));
    }
}

/// 304 and 300 are not followed: they are error answers.
#[tokio::test]
async fn other_3xx_are_not_followed() {
    for code in [300, 304, 305] {
        let server = MockServer::start().await;
        mount(&server, GET_CALL_PATH, redirect(code, "/elsewhere")).await;
        let err = default_client(&server).send(&get_call()).await.unwrap_err();
        assert_eq!(err.status(), Some(code));
        assert_eq!(request_count(&server).await, 1);
    }
}

/// The redirect target's throttling answer is retried like any other.
#[tokio::test(start_paused = true)]
async fn redirects_inside_a_retried_attempt() {
    let server = MockServer::start().await;
    mount(&server, MUTE_PATH, redirect(307, "/target")).await;
    Mock::given(path("/target"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount(&server, "/target", ok()).await;
    let client = paused_client(&server, RetryPolicy::default());
    client.send(&mute()).await.unwrap();
    let reqs = server.received_requests().await.unwrap();
    let paths: Vec<_> = reqs.iter().map(|r| r.url.path().to_owned()).collect();
    assert_eq!(paths, vec![MUTE_PATH, "/target", MUTE_PATH, "/target"]);
    // The retry starts again at the original URL, with Retry-Attempt on both hops.
    assert_eq!(reqs[2].headers.get("retry-attempt").unwrap(), "1");
    assert_eq!(reqs[3].headers.get("retry-attempt").unwrap(), "1");
}

/// Cookies an action sets stay on the origin too.
#[tokio::test]
async fn cross_origin_redirects_drop_cookies() {
    let server = MockServer::start().await;
    let other = MockServer::start().await;
    mount(
        &server,
        "/v1.0/me",
        redirect(302, &format!("{}/me", other.uri())),
    )
    .await;
    mount(&other, "/me", ResponseTemplate::new(204)).await;
    default_client(&server)
        .send(&WithHeader {
            name: "Cookie",
            value: Some("session=abc".into()),
        })
        .await
        .unwrap();
    assert_eq!(
        at(&server, "/v1.0/me").await[0]
            .headers
            .get("cookie")
            .unwrap(),
        "session=abc"
    );
    let got = at(&other, "/me").await;
    assert!(got[0].headers.get("cookie").is_none());
    assert!(got[0].headers.get("authorization").is_none());
}
