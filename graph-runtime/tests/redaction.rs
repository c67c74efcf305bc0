//! Secrets never reach `Debug`, `Display` or errors: a sentinel token and a
//! sentinel client secret are searched for in all of them (traces: `redaction_traces.rs`).

mod common;

use common::*;
use graph_runtime::{
    AccessToken, ClientCredentials, GraphClient, GraphError, RetryPolicy, StaticToken,
    TokenProvider,
};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "client-SECRET-sentinel-77";
const ISSUED: &str = "issued-TOKEN-sentinel-31";

fn assert_clean(what: &str, text: &str) {
    for sentinel in [TOKEN, SECRET, ISSUED, "SENTINEL", "sentinel"] {
        assert!(!text.contains(sentinel), "{what} leaks {sentinel}: {text}");
    }
}

#[test]
fn debug_of_credentials_and_builders() {
    let builder = GraphClient::builder().bearer_token(TOKEN);
    assert_clean("builder", &format!("{builder:?}"));
    let client = builder.build().unwrap();
    assert_clean("client", &format!("{client:?} {client:#?}"));
    assert_clean("static token", &format!("{:?}", StaticToken::new(TOKEN)));
    let token = AccessToken::new(ISSUED, None);
    assert_clean("access token", &format!("{token:?} {token:#?}"));
    assert_eq!(token.secret(), ISSUED);
    let creds = ClientCredentials::new("tenant", "app", SECRET);
    let text = format!("{creds:?} {creds:#?}");
    assert_clean("client credentials", &text);
    assert!(text.contains("tenant") && text.contains("app"), "{text}");
    let with_provider = GraphClient::builder().token_provider(creds);
    assert_clean("builder with provider", &format!("{with_provider:?}"));
    assert_clean("policy", &format!("{:?}", RetryPolicy::default()));
}

#[test]
fn config_errors_do_not_echo_tokens() {
    for bad in [format!("{TOKEN}\r\nX: y"), format!("{TOKEN}\u{0}")] {
        let err = GraphClient::builder()
            .bearer_token(bad)
            .build()
            .unwrap_err();
        assert_clean("config error", &format!("{err} {err:?}"));
    }
}

#[tokio::test]
async fn errors_hold_no_secret() {
    // A token endpoint that echoes what it got still cannot leak through us: we
    // keep only its error code and description.
    let identity = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "error": "invalid_client",
            "error_description": "AADSTS7000215: Invalid client secret provided.",
            "echo": SECRET,
        })))
        .mount(&identity)
        .await;
    let graph = MockServer::start().await;
    let credentials = ClientCredentials::new("t", "app", SECRET).authority_url(&identity.uri());
    let err = GraphClient::builder()
        .base_url(&graph.uri())
        .token_provider(credentials)
        .build()
        .unwrap()
        .send(&mute())
        .await
        .unwrap_err();
    assert!(matches!(err, GraphError::Token { .. }));
    assert_clean("token error", &format!("{err} {err:?}"));

    // Error answers, transport failures and timeouts with a static token.
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500).set_body_string("boom"))
        .mount(&graph)
        .await;
    let client = default_client(&graph);
    let api = client.send(&get_call()).await.unwrap_err();
    assert_clean("api error", &format!("{api} {api:?}"));
    let dead = GraphClient::builder()
        .base_url(&format!("http://127.0.0.1:{}", closed_port()))
        .bearer_token(TOKEN)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let transport = dead.send(&mute()).await.unwrap_err();
    assert_clean("transport error", &format!("{transport} {transport:?}"));
}

#[tokio::test]
async fn providers_do_not_print_their_tokens() {
    let token = StaticToken::new(TOKEN).token().await.unwrap();
    assert_eq!(token.secret(), TOKEN);
    assert_clean("token from provider", &format!("{token:?}"));
}
