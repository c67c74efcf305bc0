//! The design's seed action, declared exactly as design section 1 shows it, sent to
//! a loopback wiremock server: the exact wire request and the decoded answer.

use graph_runtime::comms::{MuteParticipantOperation, OperationStatus};
use graph_runtime::{GraphAction, GraphClient, graph_action};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Mute a participant in a group call.
#[graph_action(POST, "/communications/calls/<callId>/participants/<participantId>/mute",
               response = MuteParticipantOperation)]
pub struct MuteParticipant {
    #[path]
    pub call_id: String,
    #[path]
    pub participant_id: String,
    /// Unique client context string, at most 256 characters.
    pub client_context: Option<String>,
}

const MUTE_PATH: &str = "/v1.0/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/participants/a7ebfb2d-871e-419c-87af-27290b22e8db/mute";

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MUTE_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "@odata.type": "#microsoft.graph.muteParticipantOperation",
            "id": "17e3b46c-f61d-4f4d-9635-c626ef18e6ad",
            "status": "completed",
            "clientContext": "d45324c1-fcb5-430a-902c-f20af696537c",
            "resultInfo": null
        })))
        .expect(1)
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer) -> GraphClient {
    GraphClient::builder()
        .bearer_token("t")
        .base_url(&server.uri())
        .build()
        .expect("client")
}

fn seed(client_context: Option<&str>) -> MuteParticipant {
    MuteParticipant {
        call_id: "57dab8b1-894c-409a-b240-bd8beae78896".into(),
        participant_id: "a7ebfb2d-871e-419c-87af-27290b22e8db".into(),
        client_context: client_context.map(str::to_owned),
    }
}

fn header<'a>(req: &'a wiremock::Request, name: &str) -> Option<&'a str> {
    req.headers
        .get(name)
        .map(|v| v.to_str().expect("ascii header"))
}

fn assert_uuid(s: &str) {
    let groups: Vec<&str> = s.split('-').collect();
    let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    assert_eq!(lens, [8, 4, 4, 4, 12], "not a UUID: {s}");
    assert!(
        s.chars().all(|c| c == '-' || c.is_ascii_hexdigit()),
        "not a UUID: {s}"
    );
}

#[tokio::test]
async fn mute_sends_the_exact_request_and_reads_the_operation() {
    let server = server().await;
    let client = client(&server);

    let op = seed(Some("d45324c1-fcb5-430a-902c-f20af696537c"))
        .send(&client)
        .await
        .expect("mute succeeds");

    assert_eq!(op.status(), 200);
    assert_eq!(
        op.id.as_deref(),
        Some("17e3b46c-f61d-4f4d-9635-c626ef18e6ad")
    );
    assert_eq!(op.status, Some(OperationStatus::Completed));
    assert_eq!(
        op.client_context.as_deref(),
        Some("d45324c1-fcb5-430a-902c-f20af696537c")
    );

    let requests = server.received_requests().await.expect("recording on");
    assert_eq!(requests.len(), 1);
    let req = &requests[0];
    assert_eq!(req.method.as_str(), "POST");
    assert_eq!(req.url.path(), MUTE_PATH);
    assert_eq!(req.url.query(), None);
    assert_eq!(header(req, "authorization"), Some("Bearer t"));
    assert_eq!(header(req, "accept"), Some("application/json"));
    assert_eq!(header(req, "content-type"), Some("application/json"));
    assert_uuid(header(req, "client-request-id").expect("client-request-id"));
    assert_eq!(
        header(req, "client-request-id"),
        Some(op.client_request_id())
    );
    let agent = header(req, "user-agent").expect("user-agent");
    assert!(agent.starts_with("graph-runtime/"), "{agent}");
    assert_eq!(header(req, "sdkversion"), None);
    assert_eq!(
        std::str::from_utf8(&req.body).expect("utf-8 body"),
        r#"{"clientContext":"d45324c1-fcb5-430a-902c-f20af696537c"}"#
    );
}

#[tokio::test]
async fn a_none_client_context_is_left_out_of_the_body() {
    let server = server().await;
    let client = client(&server);

    let op = seed(None).send(&client).await.expect("mute succeeds");
    assert_eq!(op.status, Some(OperationStatus::Completed));

    let requests = server.received_requests().await.expect("recording on");
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].body, b"{}");
    assert_eq!(
        header(&requests[0], "content-type"),
        Some("application/json")
    );
}

#[tokio::test]
async fn client_send_is_the_same_call() {
    let server = server().await;
    let client = client(&server);
    let op = client.send(&seed(None)).await.expect("mute succeeds");
    let op: MuteParticipantResponse = op;
    assert_eq!(op.into_body().status, Some(OperationStatus::Completed));
}

#[test]
fn the_trait_constants_describe_the_action() {
    assert_eq!(MuteParticipant::METHOD.as_str(), "POST");
    assert_eq!(
        MuteParticipant::PATH,
        "/communications/calls/<callId>/participants/<participantId>/mute"
    );
    const { assert!(!MuteParticipant::IDEMPOTENT) };
    assert_eq!(MuteParticipant::VERSION, None);
}
