//! The request on the wire (design 4) and how answers are read (design 5.2).

mod common;

use std::time::Duration;

use common::*;
use futures_core::Stream;
use graph_runtime::{
    ApiVersion, Cloud, GraphAction, GraphClient, GraphError, RequestWriter, SendFuture,
};
use http::Method;
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn answering(answer: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(answer).mount(&server).await;
    server
}

#[tokio::test]
async fn the_mute_request_on_the_wire() {
    let server =
        answering(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "op"}))).await;
    let response = default_client(&server).send(&mute()).await.unwrap();
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method.as_str(), "POST");
    assert_eq!(r.url.path(), MUTE_PATH);
    assert_eq!(r.url.query(), None);
    let h = |n: &str| r.headers.get(n).map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(h("authorization"), Some(format!("Bearer {TOKEN}")));
    assert_eq!(h("accept"), Some("application/json".into()));
    assert_eq!(h("content-type"), Some("application/json".into()));
    assert_eq!(
        h("user-agent"),
        Some(format!("graph-runtime/{}", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(h("sdkversion"), None);
    assert_eq!(h("retry-attempt"), None);
    assert_eq!(h("content-encoding"), None);
    let id = h("client-request-id").unwrap();
    assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 4);
    assert_eq!(response.client_request_id(), id);
    assert_eq!(r.body, br#"{"clientContext":"ctx"}"#);
    // Exactly one of each header we set.
    for name in [
        "authorization",
        "accept",
        "user-agent",
        "client-request-id",
        "content-type",
        // Set by the client itself on plain-http hops, so hyper adds neither.
        "host",
        "content-length",
    ] {
        assert_eq!(r.headers.get_all(name).iter().count(), 1, "{name}");
    }
    assert_eq!(h("host").as_deref(), server.uri().strip_prefix("http://"));
    assert_eq!(h("content-length"), Some(r.body.len().to_string()));
}

#[tokio::test]
async fn no_body_no_content_type() {
    let server = answering(ResponseTemplate::new(200)).await;
    default_client(&server).send(&keep_alive()).await.unwrap();
    default_client(&server).send(&get_call()).await.unwrap_err(); // Op needs a body
    for r in server.received_requests().await.unwrap() {
        assert!(r.body.is_empty());
        assert!(r.headers.get("content-type").is_none(), "{:?}", r.url);
    }
}

#[tokio::test]
async fn an_omitted_option_leaves_an_empty_object() {
    let server = answering(ResponseTemplate::new(200).set_body_json(serde_json::json!({}))).await;
    let action = Mute {
        client_context: None,
        ..mute()
    };
    default_client(&server).send(&action).await.unwrap();
    assert_eq!(server.received_requests().await.unwrap()[0].body, b"{}");
}

#[tokio::test]
async fn versions_and_base_paths() {
    let server = answering(ResponseTemplate::new(204)).await;
    let beta = GraphClient::builder()
        .base_url(&server.uri())
        .bearer_token(TOKEN)
        .api_version(ApiVersion::Beta)
        .build()
        .unwrap();
    beta.send(&keep_alive()).await.unwrap();
    let prefixed = GraphClient::builder()
        .base_url(&format!("{}/graph/", server.uri()))
        .bearer_token(TOKEN)
        .build()
        .unwrap();
    prefixed.send(&keep_alive()).await.unwrap();

    /// Pinned to beta whatever the client says.
    struct Pinned;
    impl GraphAction for Pinned {
        type Response = ();
        const METHOD: Method = Method::DELETE;
        const PATH: &'static str = "/x";
        const VERSION: Option<ApiVersion> = Some(ApiVersion::Beta);
        const IDEMPOTENT: bool = true;
        fn write_request(&self, req: &mut RequestWriter) {
            req.lit("/x")
        }
    }
    default_client(&server).send(&Pinned).await.unwrap();

    let paths: Vec<_> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect();
    assert_eq!(
        paths,
        vec![
            "POST /beta/communications/calls/c1/keepAlive",
            "POST /graph/v1.0/communications/calls/c1/keepAlive",
            "DELETE /beta/x",
        ]
    );
}

#[tokio::test]
async fn action_headers_are_sent_and_a_caller_client_request_id_is_kept() {
    let server = answering(ResponseTemplate::new(204)).await;
    let client = default_client(&server);
    client
        .send(&WithHeader {
            name: "ConsistencyLevel",
            value: Some("eventual".into()),
        })
        .await
        .unwrap();
    client
        .send(&WithHeader {
            name: "ConsistencyLevel",
            value: None,
        })
        .await
        .unwrap();
    let mine = "11111111-2222-4333-8444-555555555555";
    let r = client
        .send(&WithHeader {
            name: "client-request-id",
            value: Some(mine.into()),
        })
        .await
        .unwrap();
    assert_eq!(r.client_request_id(), mine);
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs[0].headers.get("consistencylevel").unwrap(), "eventual");
    assert!(reqs[1].headers.get("consistencylevel").is_none());
    assert_eq!(
        reqs[2].headers.get_all("client-request-id").iter().count(),
        1
    );
    assert_eq!(reqs[2].headers.get("client-request-id").unwrap(), mine);
}

#[tokio::test]
async fn refusals_happen_before_sending() {
    let server = answering(ResponseTemplate::new(204)).await;
    let client = default_client(&server);
    for (name, value) in [
        ("X-Test", "a\r\nInjected: 1"),
        ("X-Test", "a\nb"),
        ("Authorization", "Bearer other"),
        ("bad name", "x"),
    ] {
        let err = client
            .send(&WithHeader {
                name,
                value: Some(value.into()),
            })
            .await
            .unwrap_err();
        assert!(
            matches!(err, GraphError::InvalidRequest { .. }),
            "{name}: {err:?}"
        );
    }
    assert_eq!(request_count(&server).await, 0);
}

#[tokio::test]
async fn response_accessors_and_deref() {
    let server = answering(
        ResponseTemplate::new(200)
            .insert_header("request-id", "rid-1")
            .insert_header(
                "Location",
                "https://graph.microsoft.com/v1.0/communications/calls/c1/operations/o1",
            )
            .insert_header("x-ms-ags-diagnostic", "{}")
            .set_body_json(serde_json::json!({"id": "o1", "status": "running", "unknown": [1, 2]})),
    )
    .await;
    let r = default_client(&server).send(&mute()).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.request_id(), Some("rid-1"));
    assert_eq!(
        r.location(),
        Some("https://graph.microsoft.com/v1.0/communications/calls/c1/operations/o1")
    );
    assert_eq!(r.headers().get("x-ms-ags-diagnostic").unwrap(), "{}");
    assert_eq!(r.id.as_deref(), Some("o1")); // through Deref
    assert_eq!(r.body().status.as_deref(), Some("running"));
    assert_eq!(r.into_body().id.as_deref(), Some("o1"));
}

/// 202 with only a Location: the body reads as null.
#[tokio::test]
async fn empty_202_with_location() {
    let server = answering(ResponseTemplate::new(202).insert_header("Location", "/ops/1")).await;
    let client = default_client(&server);
    let r = client.send(&MaybeCall { id: "c1".into() }).await.unwrap();
    assert_eq!(r.status(), 202);
    assert_eq!(*r, None);
    assert_eq!(r.location(), Some("/ops/1"));
    let unit = client.send(&keep_alive()).await.unwrap();
    assert_eq!(unit.location(), Some("/ops/1"));
}

/// A `()` action ignores whatever body comes.
#[tokio::test]
async fn unit_actions_ignore_bodies() {
    for body in [r#"{"id":"x"}"#, "[1,2,3]", "\"text\"", "null", "", "42"] {
        let server =
            answering(ResponseTemplate::new(200).set_body_raw(body, "application/json")).await;
        default_client(&server)
            .send(&keep_alive())
            .await
            .unwrap_or_else(|e| panic!("{body:?}: {e}"));
    }
}

/// The seed document's `{"value": {...}}` and the live service's bare object read
/// the same.
#[tokio::test]
async fn envelope_and_bare_read_the_same() {
    let op = serde_json::json!({"id": "o1", "status": "completed", "clientContext": "ctx"});
    let bare = answering(ResponseTemplate::new(200).set_body_json(&op)).await;
    let wrapped = answering(ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#muteParticipantOperation",
        "value": op,
    })))
    .await;
    let a = default_client(&bare)
        .send(&mute())
        .await
        .unwrap()
        .into_body();
    let b = default_client(&wrapped)
        .send(&mute())
        .await
        .unwrap()
        .into_body();
    assert_eq!(a, b);
    assert_eq!(a.status.as_deref(), Some("completed"));
}

#[test]
fn https_clients_build_for_every_cloud() {
    for (cloud, root) in [
        (Cloud::Global, "https://graph.microsoft.com"),
        (Cloud::UsGov, "https://graph.microsoft.us"),
        (Cloud::UsGovDod, "https://dod-graph.microsoft.us"),
        (Cloud::China, "https://microsoftgraph.chinacloudapi.cn"),
    ] {
        let client = GraphClient::builder()
            .cloud(cloud)
            .bearer_token(TOKEN)
            .build()
            .unwrap();
        assert_eq!(client.base_url(), root);
    }
    let explicit = GraphClient::builder()
        .cloud(Cloud::China)
        .base_url("https://example.test/")
        .bearer_token(TOKEN)
        .build()
        .unwrap();
    assert_eq!(explicit.base_url(), "https://example.test");
}

/// An https request goes through the TLS stack (ring + platform verifier): a
/// loopback server speaking plain HTTP makes the handshake fail, which shows the
/// client really attempted TLS (and did not panic for want of a provider).
#[tokio::test]
async fn https_requests_use_tls() {
    let server = answering(ResponseTemplate::new(204)).await;
    let url = server.uri().replace("http://", "https://");
    let client = GraphClient::builder()
        .base_url(&url)
        .bearer_token(TOKEN)
        .retry(graph_runtime::RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.send(&keep_alive()).await.unwrap_err();
    assert!(matches!(err, GraphError::Transport { .. }), "{err:?}");
}

#[test]
fn the_client_is_send_sync_and_cheap_to_clone() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<GraphClient>();
    fn assert_error<T: std::error::Error + Send + Sync + 'static>() {}
    assert_error::<GraphError>();
}

#[tokio::test]
async fn send_futures_are_send() {
    let server = answering(ResponseTemplate::new(204)).await;
    let client = default_client(&server);
    // Spawning needs a Send future.
    let handle = tokio::spawn(async move { client.send(&keep_alive()).await.map(|r| r.status()) });
    assert_eq!(handle.await.unwrap().unwrap(), 204);
}

/// `SendFuture` is a named type (it can be a struct field), holds no borrow of
/// the action, sends nothing until polled, and a refused request comes out of its
/// first poll.
#[tokio::test]
async fn send_future_is_named_lazy_and_owns_its_request() {
    struct Pending<'a> {
        call: SendFuture<'a, Op>,
    }
    let server =
        answering(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "op"}))).await;
    let client = default_client(&server);
    let pending = {
        let action = mute();
        Pending {
            call: client.send(&action),
        }
        // `action` is dropped here; the request was already written.
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(request_count(&server).await, 0, "sent before being polled");
    let mut call = pending.call;
    assert!(!futures_core::FusedFuture::is_terminated(&call));
    let response = (&mut call).await.unwrap();
    assert!(futures_core::FusedFuture::is_terminated(&call));
    assert_eq!(response.id.as_deref(), Some("op"));
    assert_eq!(request_count(&server).await, 1);

    let refused = client.send(&GetCall { id: "..".into() });
    assert_eq!(format!("{refused:?}"), r#"SendFuture { state: "refused" }"#);
    let err = refused.await.unwrap_err();
    assert!(matches!(err, GraphError::InvalidRequest { .. }), "{err:?}");
    assert_eq!(request_count(&server).await, 1);
}

fn next<S: Stream + Unpin>(s: &mut S) -> impl std::future::Future<Output = Option<S::Item>> + '_ {
    std::future::poll_fn(move |cx| std::pin::Pin::new(&mut *s).poll_next(cx))
}

#[tokio::test]
async fn stream_follows_next_links() {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(method("GET"))
        .and(path("/v1.0/communications/calls/c1/participants"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "value": [{"id": "p1"}, {"id": "p2"}],
            "@odata.nextLink": format!("{base}/v1.0/page2?$skiptoken=abc"),
        })))
        .mount(&server)
        .await;
    Mock::given(path("/v1.0/page2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "value": [{"id": "p3"}],
        })))
        .mount(&server)
        .await;
    let client = default_client(&server);
    let action = ListParticipants {
        call_id: "c1".into(),
        top: None,
    };
    let mut stream = client.stream(&action);
    let mut ids = Vec::new();
    while let Some(item) = next(&mut stream).await {
        ids.push(item.unwrap().id.unwrap());
    }
    assert_eq!(ids, ["p1", "p2", "p3"]);
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[1].url.query(), Some("$skiptoken=abc"));
    assert_eq!(
        reqs[1]
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap(),
        format!("Bearer {TOKEN}")
    );
}

#[tokio::test]
async fn stream_refuses_a_next_link_to_another_origin() {
    let server = answering(ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "value": [{"id": "p1"}],
        "@odata.nextLink": "https://evil.example/v1.0/steal",
    })))
    .await;
    let client = default_client(&server);
    let action = ListParticipants {
        call_id: "c1".into(),
        top: None,
    };
    let mut stream = client.stream(&action);
    assert_eq!(
        next(&mut stream).await.unwrap().unwrap().id.as_deref(),
        Some("p1")
    );
    let err = next(&mut stream).await.unwrap().unwrap_err();
    assert!(matches!(err, GraphError::InvalidRequest { .. }), "{err:?}");
    assert!(next(&mut stream).await.is_none());
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test]
async fn stream_ends_after_an_error() {
    let server = answering(ResponseTemplate::new(404)).await;
    let client = GraphClient::builder()
        .base_url(&server.uri())
        .bearer_token(TOKEN)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let action = ListParticipants {
        call_id: "c1".into(),
        top: Some(2),
    };
    let mut stream = client.stream(&action);
    assert_eq!(
        next(&mut stream).await.unwrap().unwrap_err().status(),
        Some(404)
    );
    assert!(next(&mut stream).await.is_none());
}

#[tokio::test]
async fn the_application_names_itself_in_user_agent() {
    let server = answering(ResponseTemplate::new(204)).await;
    let client = GraphClient::builder()
        .base_url(&server.uri())
        .bearer_token(TOKEN)
        .application("contoso-bot/2.1")
        .build()
        .unwrap();
    client.send(&keep_alive()).await.unwrap();
    assert_eq!(
        header_values(&server, "user-agent").await,
        vec![Some(format!(
            "contoso-bot/2.1 graph-runtime/{}",
            env!("CARGO_PKG_VERSION")
        ))]
    );
    for bad in ["", "  ", "bot\r\nX: 1"] {
        let err = GraphClient::builder()
            .bearer_token(TOKEN)
            .application(bad)
            .build()
            .unwrap_err();
        assert!(matches!(err, GraphError::Config { .. }), "{bad:?}");
    }
}
