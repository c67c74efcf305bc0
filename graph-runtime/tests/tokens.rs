//! Tokens (design 5.5): client credentials on the wire, caching, refresh within
//! 5 minutes of expiry, single flight, keeping a still-valid token when a refresh
//! fails, and the 401 rule.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use graph_runtime::{
    AccessToken, ClientCredentials, Cloud, GraphClient, GraphError, TokenFuture, TokenProvider,
};
use wiremock::matchers::{any, header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const TENANT: &str = "contoso-tenant";
const SECRET: &str = "client-SECRET-sentinel-9d2";
const TOKEN_PATH: &str = "/contoso-tenant/oauth2/v2.0/token";

/// Hands out `tok-1`, `tok-2`, ... with `expires_in`, counting requests.
struct Issuer {
    expires_in: u64,
    count: Arc<AtomicUsize>,
}

impl Respond for Issuer {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.count.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "access_token": format!("tok-{n}"),
        }))
    }
}

async fn identity(expires_in: u64) -> (MockServer, Arc<AtomicUsize>) {
    let server = MockServer::start().await;
    let count = Arc::new(AtomicUsize::new(0));
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(Issuer {
            expires_in,
            count: count.clone(),
        })
        .mount(&server)
        .await;
    (server, count)
}

fn credentials(identity: &MockServer) -> ClientCredentials {
    ClientCredentials::new(TENANT, "app-id", SECRET).authority_url(&identity.uri())
}

fn form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

#[tokio::test]
async fn the_token_request_on_the_wire() {
    let (id, _) = identity(3600).await;
    let graph = graph_ok().await;
    client(&graph, credentials(&id))
        .send(&keep_alive())
        .await
        .unwrap();
    let reqs = id.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method.as_str(), "POST");
    assert_eq!(reqs[0].url.path(), TOKEN_PATH);
    assert_eq!(
        reqs[0].headers.get("content-type").unwrap(),
        "application/x-www-form-urlencoded"
    );
    assert_eq!(
        form(&reqs[0].body),
        vec![
            ("grant_type".into(), "client_credentials".into()),
            ("client_id".into(), "app-id".into()),
            ("client_secret".into(), SECRET.into()),
            (
                "scope".into(),
                "https://graph.microsoft.com/.default".into()
            ),
        ]
    );
    // And the token goes to Graph.
    assert_eq!(
        header_values(&graph, "authorization").await,
        vec![Some("Bearer tok-1".into())]
    );
}

#[tokio::test]
async fn scope_follows_the_cloud_or_the_override() {
    let cases: [(Option<Cloud>, Option<&str>, &str); 4] = [
        (
            Some(Cloud::UsGov),
            None,
            "https://graph.microsoft.us/.default",
        ),
        (
            Some(Cloud::UsGovDod),
            None,
            "https://dod-graph.microsoft.us/.default",
        ),
        (
            Some(Cloud::China),
            None,
            "https://microsoftgraph.chinacloudapi.cn/.default",
        ),
        (None, Some("api://custom/.default"), "api://custom/.default"),
    ];
    for (cloud, custom, expected) in cases {
        let (id, _) = identity(3600).await;
        let graph = graph_ok().await;
        let mut c = ClientCredentials::new(TENANT, "app-id", SECRET);
        if let Some(cloud) = cloud {
            c = c.cloud(cloud);
        }
        if let Some(s) = custom {
            c = c.scope(s);
        }
        // The authority override comes after the cloud, as a test would set it.
        client(&graph, c.authority_url(&id.uri()))
            .send(&keep_alive())
            .await
            .unwrap();
        let body = form(&id.received_requests().await.unwrap()[0].body);
        assert!(
            body.contains(&("scope".into(), expected.into())),
            "{body:?}"
        );
    }
}

/// Special characters in the secret are form-encoded.
#[tokio::test]
async fn secrets_are_form_encoded() {
    let (id, _) = identity(3600).await;
    let graph = graph_ok().await;
    let c = ClientCredentials::new(TENANT, "app-id", "a+b&c=d %~").authority_url(&id.uri());
    client(&graph, c).send(&keep_alive()).await.unwrap();
    let raw = String::from_utf8(id.received_requests().await.unwrap()[0].body.clone()).unwrap();
    assert!(raw.contains("client_secret=a%2Bb%26c%3Dd+%25%7E"), "{raw}");
}

#[tokio::test]
async fn the_token_is_cached() {
    let (id, count) = identity(3600).await;
    let graph = graph_ok().await;
    let client = client(&graph, credentials(&id));
    for _ in 0..5 {
        client.send(&keep_alive()).await.unwrap();
    }
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert!(
        header_values(&graph, "authorization")
            .await
            .iter()
            .all(|v| v.as_deref() == Some("Bearer tok-1"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_calls_on_a_cold_cache_make_one_token_request() {
    let (id, count) = identity(3600).await;
    let graph = graph_ok().await;
    let client = client(&graph, credentials(&id));
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            client.send(&keep_alive()).await.map(|_| ())
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert_eq!(request_count(&graph).await, 100);
}

/// A token that is due is refreshed before use. `expires_in: 0` is due at once;
/// a token living less than twice the 5-minute margin is due after half its
/// lifetime, so a 299 s token is not refreshed at once (issue 10: otherwise every
/// call on a short-lived token would fetch a new one).
#[tokio::test]
async fn tokens_near_expiry_are_refreshed() {
    let (id, count) = identity(0).await;
    let graph = graph_ok().await;
    let client = client(&graph, credentials(&id));
    client.send(&keep_alive()).await.unwrap();
    client.send(&keep_alive()).await.unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 2);
    assert_eq!(
        header_values(&graph, "authorization").await,
        vec![Some("Bearer tok-1".into()), Some("Bearer tok-2".into())]
    );
    // Half of 299 s is still ahead: cached.
    let (id, count) = identity(299).await;
    let client = self::client(&graph, credentials(&id));
    client.send(&keep_alive()).await.unwrap();
    client.send(&keep_alive()).await.unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

/// If the refresh fails while the old token is still valid, the old one is used.
#[tokio::test]
async fn a_failed_refresh_keeps_a_still_valid_token() {
    let id = MockServer::start().await;
    Mock::given(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            // `refresh_in: 0`: due for a refresh at once, valid for 2 minutes.
            "access_token": "old", "expires_in": 120, "refresh_in": 0, "token_type": "Bearer"
        })))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&id)
        .await;
    Mock::given(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(503))
        .mount(&id)
        .await;
    let graph = graph_ok().await;
    let client = client(&graph, credentials(&id));
    client.send(&keep_alive()).await.unwrap();
    client.send(&keep_alive()).await.unwrap();
    assert_eq!(
        request_count(&id).await,
        2,
        "the second call tried to refresh"
    );
    assert_eq!(
        header_values(&graph, "authorization").await,
        vec![Some("Bearer old".into()), Some("Bearer old".into())]
    );
}

/// An expired token whose refresh fails: a Token error, and nothing reaches Graph.
#[tokio::test]
async fn token_endpoint_errors_are_token_errors() {
    let id = MockServer::start().await;
    Mock::given(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "error": "invalid_client",
            "error_description": "AADSTS7000215: Invalid client secret provided.",
            "error_codes": [7000215],
        })))
        .mount(&id)
        .await;
    let graph = graph_ok().await;
    let err = client(&graph, credentials(&id))
        .send(&keep_alive())
        .await
        .unwrap_err();
    match &err {
        GraphError::Token {
            status,
            code,
            reason,
            source,
        } => {
            // The endpoint answered: no underlying error beyond its answer.
            assert!(source.is_none());
            assert_eq!(*status, Some(401));
            assert_eq!(code.as_deref(), Some("invalid_client"));
            assert!(reason.contains("AADSTS7000215"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.code(), Some("invalid_client"));
    assert_eq!(request_count(&graph).await, 0);
}

#[tokio::test]
async fn malformed_token_answers_are_token_errors() {
    for answer in [
        ResponseTemplate::new(200).set_body_string("<html>sign in</html>"),
        ResponseTemplate::new(200).set_body_json(serde_json::json!({"token_type": "Bearer"})),
        ResponseTemplate::new(200).set_body_json(serde_json::json!({"access_token": ""})),
        ResponseTemplate::new(500),
    ] {
        let id = MockServer::start().await;
        Mock::given(any()).respond_with(answer).mount(&id).await;
        let graph = graph_ok().await;
        let err = client(&graph, credentials(&id))
            .send(&keep_alive())
            .await
            .unwrap_err();
        assert!(matches!(err, GraphError::Token { .. }), "{err:?}");
        assert_eq!(request_count(&graph).await, 0);
    }
}

#[tokio::test]
async fn expires_in_may_be_a_string() {
    let id = MockServer::start().await;
    Mock::given(path(TOKEN_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "s", "expires_in": "3599"
        })))
        .mount(&id)
        .await;
    let graph = graph_ok().await;
    let client = client(&graph, credentials(&id));
    client.send(&keep_alive()).await.unwrap();
    client.send(&keep_alive()).await.unwrap();
    assert_eq!(request_count(&id).await, 1);
}

#[tokio::test]
async fn an_unreachable_token_endpoint_is_a_token_error() {
    let graph = graph_ok().await;
    let c = ClientCredentials::new(TENANT, "app", SECRET)
        .authority_url(&format!("http://127.0.0.1:{}", closed_port()));
    let err = client(&graph, c).send(&keep_alive()).await.unwrap_err();
    assert!(
        matches!(err, GraphError::Token { status: None, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_non_loopback_http_authority_is_refused() {
    let graph = graph_ok().await;
    let c = ClientCredentials::new(TENANT, "app", SECRET).authority_url("http://login.example.com");
    let err = client(&graph, c).send(&keep_alive()).await.unwrap_err();
    assert!(matches!(err, GraphError::Config { .. }), "{err:?}");
    assert_eq!(request_count(&graph).await, 0);
}

/// On a 401 the cached token is dropped and the call retried once with a new one.
#[tokio::test]
async fn a_401_refreshes_and_retries_once() {
    let (id, count) = identity(3600).await;
    let graph = MockServer::start().await;
    Mock::given(header("authorization", "Bearer tok-1"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&graph)
        .await;
    Mock::given(header("authorization", "Bearer tok-2"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&graph)
        .await;
    // A POST that is not idempotent: the 401 retry is safe, nothing was done.
    let r = client(&graph, credentials(&id))
        .send(&mute_unit())
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(count.load(Ordering::SeqCst), 2);
    let ids = header_values(&graph, "client-request-id").await;
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], ids[1]);
}

#[tokio::test]
async fn a_second_401_is_returned() {
    let (id, count) = identity(3600).await;
    let graph = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "error": {"code": "InvalidAuthenticationToken", "message": "Access token has expired."}
        })))
        .mount(&graph)
        .await;
    let err = client(&graph, credentials(&id))
        .send(&keep_alive())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.code(), Some("InvalidAuthenticationToken"));
    assert_eq!(err.attempts(), Some(2));
    assert_eq!(request_count(&graph).await, 2);
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

/// A custom provider: asked before every attempt; `invalidate` decides the 401 retry.
#[tokio::test]
async fn custom_providers() {
    struct Counting(AtomicUsize, bool);
    impl TokenProvider for Counting {
        fn token(&self) -> TokenFuture<'_> {
            let n = self.0.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move { Ok(AccessToken::new(format!("custom-{n}"), None)) })
        }
        fn invalidate(&self, rejected: &AccessToken) -> bool {
            assert!(rejected.secret().starts_with("custom-"));
            self.1
        }
    }
    for (refreshable, expected) in [(false, 1), (true, 2)] {
        let graph = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(401))
            .mount(&graph)
            .await;
        let _ = client(&graph, Counting(AtomicUsize::new(0), refreshable))
            .send(&keep_alive())
            .await
            .unwrap_err();
        assert_eq!(request_count(&graph).await, expected);
    }
    // A failing provider: nothing is sent.
    struct Failing;
    impl TokenProvider for Failing {
        fn token(&self) -> TokenFuture<'_> {
            Box::pin(async {
                Err(GraphError::Token {
                    reason: "no".into(),
                    status: None,
                    code: None,
                    source: None,
                })
            })
        }
    }
    let graph = graph_ok().await;
    let err = client(&graph, Failing)
        .send(&keep_alive())
        .await
        .unwrap_err();
    assert!(matches!(err, GraphError::Token { .. }));
    assert_eq!(request_count(&graph).await, 0);
}

/// A token with CR/LF cannot become a header: refused at build.
#[test]
fn bad_bearer_tokens_are_config_errors() {
    for bad in ["", "a\r\nX-Injected: 1", "tab\tok\u{7f}"] {
        let err = GraphClient::builder()
            .bearer_token(bad)
            .build()
            .unwrap_err();
        assert!(matches!(err, GraphError::Config { .. }), "{bad:?}");
    }
    let err = GraphClient::builder().build().unwrap_err();
    assert!(err.to_string().contains("no credentials"), "{err}");
}
