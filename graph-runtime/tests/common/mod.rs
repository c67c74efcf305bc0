//! Shared test fixtures: hand-written actions (the seam the macro generates) and
//! clients pointed at a wiremock server.
#![allow(dead_code)]

use std::time::Duration;

use graph_runtime::{
    GraphAction, GraphClient, GraphClientBuilder, Page, PagedAction, RequestWriter, RetryPolicy,
};
use http::Method;
use serde::{Deserialize, Serialize};
use wiremock::MockServer;

/// The token every test client sends.
pub const TOKEN: &str = "tok-SENTINEL-4f1c";

#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct Op {
    pub id: Option<String>,
    pub status: Option<String>,
    pub client_context: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MuteBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    client_context: &'a Option<String>,
}

/// POST .../mute, not idempotent (as the macro would generate it).
#[derive(Debug, Clone, Default)]
pub struct Mute {
    pub call_id: String,
    pub participant_id: String,
    pub client_context: Option<String>,
}

impl GraphAction for Mute {
    type Response = Op;
    const METHOD: Method = Method::POST;
    const PATH: &'static str = "/communications/calls/<callId>/participants/<participantId>/mute";
    const IDEMPOTENT: bool = false;
    fn write_request(&self, req: &mut RequestWriter) {
        req.lit("/communications/calls/");
        req.param("callId", &self.call_id, false);
        req.lit("/participants/");
        req.param("participantId", &self.participant_id, false);
        req.lit("/mute");
        req.json_body(&MuteBody {
            client_context: &self.client_context,
        });
    }
}

pub fn mute() -> Mute {
    Mute {
        call_id: "c1".into(),
        participant_id: "p1".into(),
        client_context: Some("ctx".into()),
    }
}

/// The mute path for `mute()`.
pub const MUTE_PATH: &str = "/v1.0/communications/calls/c1/participants/p1/mute";

/// POST .../keepAlive, declared idempotent, no body, response ().
#[derive(Debug, Clone)]
pub struct KeepAlive {
    pub call_id: String,
}

impl GraphAction for KeepAlive {
    type Response = ();
    const METHOD: Method = Method::POST;
    const PATH: &'static str = "/communications/calls/<callId>/keepAlive";
    const IDEMPOTENT: bool = true;
    fn write_request(&self, req: &mut RequestWriter) {
        req.lit("/communications/calls/");
        req.param("callId", &self.call_id, false);
        req.lit("/keepAlive");
    }
}

pub fn keep_alive() -> KeepAlive {
    KeepAlive {
        call_id: "c1".into(),
    }
}

pub const KEEP_ALIVE_PATH: &str = "/v1.0/communications/calls/c1/keepAlive";

/// GET /communications/calls/<id>, response Op.
#[derive(Debug, Clone)]
pub struct GetCall {
    pub id: String,
}

impl GraphAction for GetCall {
    type Response = Op;
    const METHOD: Method = Method::GET;
    const PATH: &'static str = "/communications/calls/<id>";
    const IDEMPOTENT: bool = true;
    fn write_request(&self, req: &mut RequestWriter) {
        req.lit("/communications/calls/");
        req.param("id", &self.id, false);
    }
}

pub fn get_call() -> GetCall {
    GetCall { id: "c1".into() }
}

pub const GET_CALL_PATH: &str = "/v1.0/communications/calls/c1";

/// GET with an optional body type: `Option<Op>`.
#[derive(Debug, Clone)]
pub struct MaybeCall {
    pub id: String,
}

impl GraphAction for MaybeCall {
    type Response = Option<Op>;
    const METHOD: Method = Method::GET;
    const PATH: &'static str = "/communications/calls/<id>";
    const IDEMPOTENT: bool = true;
    fn write_request(&self, req: &mut RequestWriter) {
        req.lit("/communications/calls/");
        req.param("id", &self.id, false);
    }
}

/// GET /communications/calls/<callId>/participants, paged.
#[derive(Debug, Clone)]
pub struct ListParticipants {
    pub call_id: String,
    pub top: Option<u32>,
}

impl GraphAction for ListParticipants {
    type Response = Page<Op>;
    const METHOD: Method = Method::GET;
    const PATH: &'static str = "/communications/calls/<callId>/participants";
    const IDEMPOTENT: bool = true;
    fn write_request(&self, req: &mut RequestWriter) {
        req.lit("/communications/calls/");
        req.param("callId", &self.call_id, false);
        req.lit("/participants");
        req.query("$top", &self.top);
    }
}

impl PagedAction for ListParticipants {
    type Item = Op;
}

/// A GET whose single placeholder value is free, for path-encoding tests.
#[derive(Debug, Clone)]
pub struct GetById(pub String);

impl GraphAction for GetById {
    type Response = ();
    const METHOD: Method = Method::GET;
    const PATH: &'static str = "/items/<id>/children";
    const IDEMPOTENT: bool = true;
    fn write_request(&self, req: &mut RequestWriter) {
        req.lit("/items/");
        req.param("id", &self.0, false);
        req.lit("/children");
    }
}

/// An action with a `#[header]` field.
#[derive(Debug, Clone)]
pub struct WithHeader {
    pub name: &'static str,
    pub value: Option<String>,
}

impl GraphAction for WithHeader {
    type Response = ();
    const METHOD: Method = Method::GET;
    const PATH: &'static str = "/me";
    const IDEMPOTENT: bool = true;
    fn write_request(&self, req: &mut RequestWriter) {
        req.lit("/me");
        req.header(self.name, &self.value);
    }
}

/// A reqwest client without timers (no connect timeout, no idle-pool sweeper) and
/// without automatic redirects, so that tokio's paused clock only moves when the
/// Graph client itself waits.
pub fn timerless_http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(None)
        .build()
        .expect("test http client")
}

/// A builder for `server` with the timerless HTTP client and no per-attempt
/// timeout: waits measured on the paused clock are exactly the client's sleeps.
pub fn paused_builder(server: &MockServer) -> GraphClientBuilder {
    GraphClient::builder()
        .base_url(&server.uri())
        .bearer_token(TOKEN)
        .http_client(timerless_http())
        .timeout(Duration::MAX)
}

/// A paused-clock client with `policy`, jitter off.
pub fn paused_client(server: &MockServer, policy: RetryPolicy) -> GraphClient {
    paused_builder(server)
        .retry(policy.jitter(Duration::ZERO))
        .build()
        .expect("client")
}

/// A client with every default but the base URL and token.
pub fn default_client(server: &MockServer) -> GraphClient {
    GraphClient::builder()
        .base_url(&server.uri())
        .bearer_token(TOKEN)
        .build()
        .expect("client")
}

/// The value of header `name` in each request `server` received.
pub async fn header_values(server: &MockServer, name: &str) -> Vec<Option<String>> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| {
            r.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
        .collect()
}

pub async fn request_count(server: &MockServer) -> usize {
    server.received_requests().await.unwrap_or_default().len()
}

/// A loopback port with nothing listening.
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    drop(l);
    port
}

/// POST .../mute (not idempotent) with a `()` response.
#[derive(Debug, Clone)]
pub struct MuteUnit;

impl GraphAction for MuteUnit {
    type Response = ();
    const METHOD: Method = Method::POST;
    const PATH: &'static str = "/communications/calls/c1/participants/p1/mute";
    const IDEMPOTENT: bool = false;
    fn write_request(&self, req: &mut RequestWriter) {
        req.lit("/communications/calls/c1/participants/p1/mute");
        req.json_body(&serde_json::json!({}))
    }
}

pub fn mute_unit() -> MuteUnit {
    MuteUnit
}

/// A Graph stand-in that answers every request `204 No Content`: for tests whose
/// subject is the token, not the call.
pub async fn graph_ok() -> MockServer {
    let server = MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(wiremock::ResponseTemplate::new(204))
        .mount(&server)
        .await;
    server
}

/// A client of `graph` whose tokens come from `provider`.
pub fn client(graph: &MockServer, provider: impl graph_runtime::TokenProvider) -> GraphClient {
    GraphClient::builder()
        .base_url(&graph.uri())
        .token_provider(provider)
        .build()
        .expect("client")
}
