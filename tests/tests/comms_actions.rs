//! Each action of the comms catalogue sends the documentation's example request
//! and reads the documentation's example response (graph-facts.md sections 1
//! and 3). Examples that are not valid JSON in the docs (trailing commas) are
//! cleaned; ids the docs write as `{id}` are filled with ids from the same page.

use graph_runtime::comms::*;
use graph_runtime::{ApiVersion, GraphAction, GraphClient, Response, ResponseBody};
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CALL: &str = "57dab8b1-894c-409a-b240-bd8beae78896";
const PARTICIPANT: &str = "2765eb15-01f8-47c6-b12b-c32111a4a86f";
const OP_LOCATION: &str = "https://graph.microsoft.com/v1.0/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/operations/17e3b46c-f61d-4f4d-9635-c626ef18e6ad";

/// What the action must put on the wire.
struct Wire<'a> {
    method: &'a str,
    path: &'a str,
    body: Option<&'a str>,
}

/// What the mock answers.
struct Answer<'a> {
    status: u16,
    body: Option<&'a str>,
    location: Option<&'a str>,
}

async fn exchange<A>(action: &A, wire: Wire<'_>, answer: Answer<'_>) -> Response<A::Response>
where
    A: GraphAction,
    A::Response: ResponseBody,
{
    exchange_with(action, ApiVersion::V1, wire, answer).await
}

async fn exchange_with<A>(
    action: &A,
    version: ApiVersion,
    wire: Wire<'_>,
    answer: Answer<'_>,
) -> Response<A::Response>
where
    A: GraphAction,
    A::Response: ResponseBody,
{
    let server = MockServer::start().await;
    let mut template = ResponseTemplate::new(answer.status);
    if let Some(body) = answer.body {
        template = template.set_body_raw(body.as_bytes().to_vec(), "application/json");
    }
    if let Some(location) = answer.location {
        template = template.insert_header("Location", location);
    }
    Mock::given(method(wire.method))
        .and(path(wire.path))
        .respond_with(template)
        .expect(1)
        .mount(&server)
        .await;
    let client = GraphClient::builder()
        .bearer_token("test-token")
        .base_url(&server.uri())
        .api_version(version)
        .build()
        .expect("client");
    let response = client
        .send(action)
        .await
        .unwrap_or_else(|e| panic!("{} {} failed: {e}", wire.method, wire.path));

    let requests = server.received_requests().await.expect("recording on");
    assert_eq!(requests.len(), 1, "one request");
    let request = &requests[0];
    assert_eq!(request.method.as_str(), wire.method);
    assert_eq!(request.url.path(), wire.path);
    assert_eq!(
        request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer test-token")
    );
    let content_type = request
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok());
    match wire.body {
        Some(expected) => {
            let sent: Value = serde_json::from_slice(&request.body).expect("the body is JSON");
            let expected: Value = serde_json::from_str(expected).expect("the doc example is JSON");
            assert_eq!(
                sent, expected,
                "request body of {} {}",
                wire.method, wire.path
            );
            assert_eq!(content_type, Some("application/json"));
        }
        None => {
            assert!(request.body.is_empty(), "no body expected");
            assert_eq!(content_type, None, "no Content-Type without a body");
        }
    }
    assert_eq!(response.status(), answer.status);
    assert_eq!(response.location(), answer.location);
    response
}

fn user(id: &str, name: &str) -> IdentitySet {
    IdentitySet::user(Identity::new(id, name))
}

/// Which actions may be retried after a failure past sending (design 3, 5.4):
/// GET and DELETE always; the POSTs that set a state; never those that start
/// something (invite, transfer, redirect, prompts, recording, a call, answer,
/// reject, hold music).
#[test]
fn idempotency_follows_the_catalogue() {
    macro_rules! idempotent {
        ($($action:ident),* $(,)?) => {
            [$((stringify!($action), <$action as GraphAction>::IDEMPOTENT)),*]
        };
    }
    let declared = idempotent![
        MuteParticipant,
        InviteParticipants,
        DeleteParticipant,
        StartHoldMusic,
        StopHoldMusic,
        GetParticipant,
        ListParticipants,
        CreateCall,
        GetCall,
        DeleteCall,
        AnswerCall,
        RejectCall,
        RedirectCall,
        TransferCall,
        KeepAlive,
        PlayPrompt,
        RecordResponse,
        CancelMediaProcessing,
        SubscribeToTone,
        UpdateRecordingStatus,
        MuteCall,
        UnmuteCall,
        ChangeScreenSharingRole,
    ];
    assert_eq!(declared.len(), 23);
    let idempotent: Vec<&str> = declared
        .iter()
        .filter(|(_, i)| *i)
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(
        idempotent,
        [
            "MuteParticipant",
            "DeleteParticipant",
            "StopHoldMusic",
            "GetParticipant",
            "ListParticipants",
            "GetCall",
            "DeleteCall",
            "KeepAlive",
            "CancelMediaProcessing",
            "SubscribeToTone",
            "UpdateRecordingStatus",
            "MuteCall",
            "UnmuteCall",
            "ChangeScreenSharingRole",
        ]
    );
}

// ---- participant actions -------------------------------------------------

const MUTE_RESPONSE: &str = r##"{
  "@odata.type": "#microsoft.graph.muteParticipantOperation",
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#muteParticipantOperation",
  "id": "17e3b46c-f61d-4f4d-9635-c626ef18e6ad",
  "status": "completed",
  "clientContext": "d45324c1-fcb5-430a-902c-f20af696537c"
}"##;

fn mute() -> MuteParticipant {
    MuteParticipant {
        call_id: CALL.into(),
        participant_id: PARTICIPANT.into(),
        client_context: Some("d45324c1-fcb5-430a-902c-f20af696537c".into()),
    }
}

fn assert_mute_op(op: &MuteParticipantOperation) {
    assert_eq!(
        op.id.as_deref(),
        Some("17e3b46c-f61d-4f4d-9635-c626ef18e6ad")
    );
    assert_eq!(op.status, Some(OperationStatus::Completed));
    assert_eq!(
        op.client_context.as_deref(),
        Some("d45324c1-fcb5-430a-902c-f20af696537c")
    );
    assert!(op.is_finished());
}

#[tokio::test]
async fn mute_participant() {
    let op = exchange(
        &mute(),
        Wire {
            method: "POST",
            path: "/v1.0/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/participants/2765eb15-01f8-47c6-b12b-c32111a4a86f/mute",
            body: Some(r#"{"clientContext": "d45324c1-fcb5-430a-902c-f20af696537c"}"#),
        },
        Answer { status: 200, body: Some(MUTE_RESPONSE), location: Some(OP_LOCATION) },
    )
    .await;
    assert_mute_op(&op);
}

#[tokio::test]
async fn mute_participant_on_beta() {
    let location = "https://graph.microsoft.com/beta/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/operations/17e3b46c-f61d-4f4d-9635-c626ef18e6ad";
    let op = exchange_with(
        &mute(),
        ApiVersion::Beta,
        Wire {
            method: "POST",
            path: "/beta/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/participants/2765eb15-01f8-47c6-b12b-c32111a4a86f/mute",
            body: Some(r#"{"clientContext": "d45324c1-fcb5-430a-902c-f20af696537c"}"#),
        },
        Answer { status: 200, body: Some(&MUTE_RESPONSE.replace("/v1.0/", "/beta/")), location: Some(location) },
    )
    .await;
    assert_mute_op(&op);
}

/// The seed document shows the mute answer wrapped as `{"value": {...}}`; the
/// runtime's envelope rule (design 5.2) reads it like the bare object.
#[tokio::test]
async fn mute_participant_reads_the_value_envelope() {
    let wrapped = format!(
        r#"{{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#muteParticipantOperation", "value": {MUTE_RESPONSE}}}"#
    );
    let op = exchange(
        &mute(),
        Wire {
            method: "POST",
            path: "/v1.0/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/participants/2765eb15-01f8-47c6-b12b-c32111a4a86f/mute",
            body: Some(r#"{"clientContext": "d45324c1-fcb5-430a-902c-f20af696537c"}"#),
        },
        Answer { status: 200, body: Some(&wrapped), location: Some(OP_LOCATION) },
    )
    .await;
    assert_mute_op(&op);
}

/// The 2018 beta example: PascalCase status, extra timestamps.
#[tokio::test]
async fn mute_participant_reads_the_2018_answer() {
    let op = exchange(
        &MuteParticipant { call_id: "c".into(), participant_id: "p".into(), client_context: Some("clientContext-value".into()) },
        Wire {
            method: "POST",
            path: "/v1.0/communications/calls/c/participants/p/mute",
            body: Some(r#"{"clientContext": "clientContext-value"}"#),
        },
        Answer {
            status: 200,
            body: Some(r#"{"clientContext": "clientContext-value", "createdDateTime": "2018-03-19T09:46:02Z", "id": "id-value", "lastActionDateTime": "2018-03-19T09:46:02Z", "status": "Running"}"#),
            location: None,
        },
    )
    .await;
    assert_eq!(op.status, Some(OperationStatus::Running));
    assert!(!op.is_finished());
}

/// The 2018 beta example's other answer: `202 Accepted` with only a `Location`.
/// A null operation means the outcome arrives as a notification.
#[tokio::test]
async fn mute_participant_reads_a_bodiless_202() {
    let location =
        "/app/calls/57DAB8B1894C409AB240BD8BEAE78896/operations/0FE0623FD62842EDB4BD8AC290072CC5";
    let op = exchange(
        &mute(),
        Wire {
            method: "POST",
            path: "/v1.0/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/participants/2765eb15-01f8-47c6-b12b-c32111a4a86f/mute",
            body: Some(r#"{"clientContext": "d45324c1-fcb5-430a-902c-f20af696537c"}"#),
        },
        Answer { status: 202, body: None, location: Some(location) },
    )
    .await;
    assert_eq!(op.status, None);
    assert!(!op.is_finished());
    assert_eq!(op.body(), &MuteParticipantOperation::default());
}

#[tokio::test]
async fn invite_participants() {
    let action = InviteParticipants {
        call_id: "ab6233a5-20b7-4c5e-bea2-ce56c9776429".into(),
        participants: vec![InvitationParticipantInfo {
            replaces_call_id: Some("a7ebfb2d-871e-419c-87af-27290b22e8db".into()),
            ..InvitationParticipantInfo::new(user("278405a3-f568-4b3e-b684-009193463064", "string"))
        }],
        client_context: Some("f2fa86af-3c51-4bc2-8fc0-475452d9764f".into()),
    };
    let op = exchange(
        &action,
        Wire {
            method: "POST",
            path: "/v1.0/communications/calls/ab6233a5-20b7-4c5e-bea2-ce56c9776429/participants/invite",
            body: Some(r##"{
              "participants": [
                {
                  "@odata.type": "#microsoft.graph.invitationParticipantInfo",
                  "replacesCallId": "a7ebfb2d-871e-419c-87af-27290b22e8db",
                  "identity": {
                    "@odata.type": "#microsoft.graph.identitySet",
                    "user": {
                      "@odata.type": "#microsoft.graph.identity",
                      "id": "278405a3-f568-4b3e-b684-009193463064",
                      "displayName": "string"
                    }
                  }
                }
              ],
              "clientContext": "f2fa86af-3c51-4bc2-8fc0-475452d9764f"
            }"##),
        },
        Answer {
            status: 200,
            body: Some(r##"{
              "@odata.type": "#microsoft.graph.inviteParticipantsOperation",
              "id": "eec3812a-fdc3-4fb4-825c-a06c9f35414e",
              "status": "Running",
              "clientContext": "f2fa86af-3c51-4bc2-8fc0-475452d9764f",
              "resultInfo": null,
              "participants": [
                {
                  "endpointType": null,
                  "replacesCallId": "a7ebfb2d-871e-419c-87af-27290b22e8db",
                  "identity": {
                    "user": {
                      "@odata.type": "#microsoft.graph.identity",
                      "id": "278405a3-f568-4b3e-b684-009193463064",
                      "displayName": "string"
                    },
                    "application": null,
                    "device": null,
                    "phone": null
                  }
                }
              ]
            }"##),
            location: None,
        },
    )
    .await;
    assert_eq!(
        op.id.as_deref(),
        Some("eec3812a-fdc3-4fb4-825c-a06c9f35414e")
    );
    assert_eq!(op.status, Some(OperationStatus::Running));
    assert_eq!(op.result_info, None);
    let invited = op.participants.as_ref().expect("participants");
    assert_eq!(
        invited[0].replaces_call_id.as_deref(),
        Some("a7ebfb2d-871e-419c-87af-27290b22e8db")
    );
    let who = invited[0]
        .identity
        .as_ref()
        .and_then(|i| i.user.as_ref())
        .expect("user");
    assert_eq!(
        who.id.as_deref(),
        Some("278405a3-f568-4b3e-b684-009193463064")
    );
}

#[tokio::test]
async fn delete_participant() {
    let response = exchange(
        &DeleteParticipant { call_id: CALL.into(), participant_id: PARTICIPANT.into() },
        Wire {
            method: "DELETE",
            path: "/v1.0/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/participants/2765eb15-01f8-47c6-b12b-c32111a4a86f",
            body: None,
        },
        Answer { status: 204, body: None, location: None },
    )
    .await;
    let () = response.into_body();
}

const HOLD_CALL: &str = "/v1.0/communications/calls/e141b67c-90fd-455d-858b-b48a40b9cc8d/participants/fa1e9582-7145-4ca3-bcd8-577f561fcb6e";
const HOLD_LOCATION: &str = "https://graph.microsoft.com/v1.0/communications/calls/e141b67c-90fd-455d-858b-b48a40b9cc8d/operations/0fe0623f-d628-42ed-b4bd-8ac290072cc5";

#[tokio::test]
async fn start_hold_music() {
    let action = StartHoldMusic {
        call_id: "e141b67c-90fd-455d-858b-b48a40b9cc8d".into(),
        participant_id: "fa1e9582-7145-4ca3-bcd8-577f561fcb6e".into(),
        custom_prompt: Some(MediaPrompt::new(MediaInfo::new(
            "https://bot.contoso.com/onHold.wav",
        ))),
        client_context: Some("d45324c1-fcb5-430a-902c-f20af696537c".into()),
    };
    let op = exchange(
        &action,
        Wire {
            method: "POST",
            path: &format!("{HOLD_CALL}/startHoldMusic"),
            // The docs' example has trailing commas; cleaned.
            body: Some(
                r##"{
              "customPrompt": {
                "@odata.type": "#microsoft.graph.mediaPrompt",
                "mediaInfo": {
                  "@odata.type": "#microsoft.graph.mediaInfo",
                  "uri": "https://bot.contoso.com/onHold.wav"
                }
              },
              "clientContext": "d45324c1-fcb5-430a-902c-f20af696537c"
            }"##,
            ),
        },
        Answer {
            status: 202,
            body: Some(
                r##"{
              "@odata.type": "#microsoft.graph.startHoldMusicOperation",
              "id": "0fe0623f-d628-42ed-b4bd-8ac290072cc5",
              "status": "running",
              "clientContext": "d45324c1-fcb5-430a-902c-f20af696537c"
            }"##,
            ),
            location: Some(HOLD_LOCATION),
        },
    )
    .await;
    assert_eq!(
        op.id.as_deref(),
        Some("0fe0623f-d628-42ed-b4bd-8ac290072cc5")
    );
    assert_eq!(op.status, Some(OperationStatus::Running));
}

#[tokio::test]
async fn stop_hold_music() {
    let action = StopHoldMusic {
        call_id: "e141b67c-90fd-455d-858b-b48a40b9cc8d".into(),
        participant_id: "fa1e9582-7145-4ca3-bcd8-577f561fcb6e".into(),
        client_context: Some("d45324c1-fcb5-430a-902c-f20af696537c".into()),
    };
    let op = exchange(
        &action,
        Wire {
            method: "POST",
            path: &format!("{HOLD_CALL}/stopHoldMusic"),
            body: Some(r#"{"clientContext": "d45324c1-fcb5-430a-902c-f20af696537c"}"#),
        },
        Answer {
            status: 202,
            body: Some(
                r##"{
              "@odata.type": "#microsoft.graph.stopHoldMusicOperation",
              "id": "0fe0623f-d628-42ed-b4bd-8ac290072cc5",
              "status": "running",
              "clientContext": "d45324c1-fcb5-430a-902c-f20af696537c"
            }"##,
            ),
            location: Some(HOLD_LOCATION),
        },
    )
    .await;
    assert_eq!(op.status, Some(OperationStatus::Running));
    assert_eq!(
        op.client_context.as_deref(),
        Some("d45324c1-fcb5-430a-902c-f20af696537c")
    );
}

#[tokio::test]
async fn get_participant() {
    let participant = exchange(
        &GetParticipant {
            call_id: "7531d31f-d10d-44de-802f-c569dbca451c".into(),
            participant_id: "7e1b4346-85a6-4bdd-abe3-d11c5d420efe".into(),
        },
        Wire {
            method: "GET",
            path: "/v1.0/communications/calls/7531d31f-d10d-44de-802f-c569dbca451c/participants/7e1b4346-85a6-4bdd-abe3-d11c5d420efe",
            body: None,
        },
        Answer {
            status: 200,
            body: Some(r##"{
               "@odata.type":"#microsoft.graph.participant",
               "info":{
                  "@odata.type":"#microsoft.graph.participantInfo",
                  "identity":{
                     "@odata.type":"#microsoft.graph.identitySet",
                     "application":{
                        "@odata.type":"#microsoft.graph.identity",
                        "displayName":"Display Name",
                        "id":"278405a3-f568-4b3e-b684-009193463064"
                        },
                     "user":null,
                     "device":null,
                     "phone":null
                  },
                  "id":null
               },
               "mediaStreams":[
                  {
                     "@odata.type":"#microsoft.graph.mediaStream",
                     "mediaType":"audio",
                     "sourceId":"1",
                     "direction":"sendReceive",
                     "serverMuted":false,
                     "label":null
                  }
               ],
               "isMuted":false,
               "isInLobby":false,
               "id":"7e1b4346-85a6-4bdd-abe3-d11c5d420efe",
               "@odata.context":"https://graph.microsoft.com/v1.0/$metadata#communications/calls('7531d31f-d10d-44de-802f-c569dbca451c')/participants/$entity",
               "metadata":null
            }"##),
            location: None,
        },
    )
    .await;
    assert_eq!(
        participant.id.as_deref(),
        Some("7e1b4346-85a6-4bdd-abe3-d11c5d420efe")
    );
    assert_eq!(participant.is_muted, Some(false));
    let app = participant
        .info
        .as_ref()
        .and_then(|i| i.identity.as_ref())
        .and_then(|i| i.application.as_ref())
        .expect("application identity");
    assert_eq!(app.display_name.as_deref(), Some("Display Name"));
    let stream = &participant.media_streams.as_ref().expect("streams")[0];
    assert_eq!(stream.media_type, Some(Modality::Audio));
    assert_eq!(stream.direction, Some(MediaDirection::SendReceive));
    assert_eq!(stream.label, None);
}

const LIST_PARTICIPANTS: &str = r##"{
   "value":[
      {
         "@odata.type":"#microsoft.graph.participant",
         "info":{
            "@odata.type":"#microsoft.graph.participantInfo",
            "identity":{
               "@odata.type":"#microsoft.graph.identitySet",
               "application":{
                  "@odata.type":"#microsoft.graph.identity",
                  "id":"f2fa86af-3c51-4bc2-8fc0-475452d9764f",
                  "displayName":null
               },
               "user":null,
               "device":null,
               "phone":null
            },
            "id":"eec3812a-fdc3-4fb4-825c-a06c9f35414e"
         },
         "mediaStreams":[
            {
               "@odata.type":"#microsoft.graph.mediaStream",
               "mediaType":"audio",
               "sourceId":"3",
               "direction":"sendReceive",
               "serverMuted":false,
               "label":null
            }
         ],
         "isMuted":false,
         "isInLobby":false,
         "id":"a7ebfb2d-871e-419c-87af-27290b22e8db",
         "metadata":null
      },
      {
         "@odata.type":"#microsoft.graph.participant",
         "info":{
            "@odata.type":"#microsoft.graph.participantInfo",
            "identity":{
               "@odata.type":"#microsoft.graph.identitySet",
               "application":{
                  "@odata.type":"#microsoft.graph.identity",
                  "displayName":"Test Participant",
                  "id":"ef43e42b-4c05-4594-9756-1edb3ccbc989"
               },
               "user":null,
               "device":null,
               "phone":null
            },
            "id":"278405a3-f568-4b3e-b684-009193463064"
         },
         "mediaStreams":[
            {
               "@odata.type":"#microsoft.graph.mediaStream",
               "mediaType":"audio",
               "sourceId":"1",
               "direction":"sendReceive",
               "serverMuted":false,
               "label":null
            }
         ],
         "isMuted":false,
         "isInLobby":false,
         "id":"1e126418-44a0-4a94-a6f8-0efe1ad71acb",
         "metadata":null
      }
   ],
   "@odata.context":"https://graph.microsoft.com/v1.0/$metadata#communications/calls('7531d31f-d10d-44de-802f-c569dbca451c')/participants"
}"##;

#[tokio::test]
async fn list_participants() {
    let page = exchange(
        &ListParticipants {
            call_id: "7531d31f-d10d-44de-802f-c569dbca451c".into(),
            top: None,
        },
        Wire {
            method: "GET",
            path: "/v1.0/communications/calls/7531d31f-d10d-44de-802f-c569dbca451c/participants",
            body: None,
        },
        Answer {
            status: 200,
            body: Some(LIST_PARTICIPANTS),
            location: None,
        },
    )
    .await;
    let ids: Vec<_> = page.value.iter().map(|p| p.id.as_deref()).collect();
    assert_eq!(
        ids,
        [
            Some("a7ebfb2d-871e-419c-87af-27290b22e8db"),
            Some("1e126418-44a0-4a94-a6f8-0efe1ad71acb")
        ]
    );
    assert_eq!(page.next_link, None);
}

// ---- call actions --------------------------------------------------------

/// The create-call answer, cleaned of its trailing commas.
const CREATED_CALL: &str = r##"{
  "@odata.type": "#microsoft.graph.call",
  "state": "establishing",
  "direction": "outgoing",
  "callbackUri": "https://bot.contoso.com/callback",
  "callChainId": "d8217646-3110-40b1-bae6-e9ac6c3a9f74",
  "source": {
    "@odata.type": "#microsoft.graph.participantInfo",
    "identity": {
      "@odata.type": "#microsoft.graph.identitySet",
      "application": {
        "@odata.type": "#microsoft.graph.identity",
        "displayName": "Calling Bot",
        "id": "2891555a-92ff-42e6-80fa-6e1300c6b5c6"
      }
    },
    "countryCode": null,
    "endpointType": null,
    "region": null,
    "languageId": null
  },
  "targets": [
    {
      "@odata.type": "#microsoft.graph.invitationParticipantInfo",
      "identity": {
        "@odata.type": "#microsoft.graph.identitySet",
        "user": {
          "@odata.type": "#microsoft.graph.identity",
          "displayName": "John",
          "id": "112f7296-5fa4-42ca-bae8-6a692b15d4b8"
        }
      },
      "endpointType": null,
      "replacesCallId": null
    }
  ],
  "requestedModalities": [
    "audio"
  ],
  "mediaConfig": {
    "@odata.type": "#microsoft.graph.serviceHostedMediaConfig",
    "preFetchMedia": [
     {
       "uri": "https://cdn.contoso.com/beep.wav",
       "resourceId": "f8971b04-b53e-418c-9222-c82ce681a582"
     },
     {
       "uri": "https://cdn.contoso.com/cool.wav",
       "resourceId": "86dc814b-c172-4428-9112-60f8ecae1edb"
     }
    ]
  },
  "myParticipantId": "499ff390-7a72-40e8-83a0-8fac6295ae7e",
  "id": "2e1a0b00-2db4-4022-9570-243709c565ab",
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#app/calls/$entity",
  "subject": null,
  "ringingTimeoutInSeconds": null,
  "mediaState": null,
  "resultInfo": null,
  "answeredBy": null,
  "chatInfo": null,
  "meetingInfo": null,
  "transcription": null,
  "toneInfo": null
}"##;

#[tokio::test]
async fn create_call() {
    let action = CreateCall {
        call: Call {
            odata_type: Some(Call::ODATA_TYPE.into()),
            callback_uri: Some("https://bot.contoso.com/callback".into()),
            targets: Some(vec![InvitationParticipantInfo::new(user(
                "112f7296-5fa4-42ca-bae8-6a692b15d4b8",
                "John",
            ))]),
            requested_modalities: Some(vec![Modality::Audio]),
            media_config: Some(MediaConfig::service_hosted()),
            ..Call::default()
        },
    };
    let location = "https://graph.microsoft.com/v1.0/communications/calls/2e1a0b00-2db4-4022-9570-243709c565ab";
    let call = exchange(
        &action,
        Wire {
            method: "POST",
            path: "/v1.0/communications/calls",
            body: Some(
                r##"{
              "@odata.type": "#microsoft.graph.call",
              "callbackUri": "https://bot.contoso.com/callback",
              "targets": [
                {
                  "@odata.type": "#microsoft.graph.invitationParticipantInfo",
                  "identity": {
                    "@odata.type": "#microsoft.graph.identitySet",
                    "user": {
                      "@odata.type": "#microsoft.graph.identity",
                      "displayName": "John",
                      "id": "112f7296-5fa4-42ca-bae8-6a692b15d4b8"
                    }
                  }
                }
              ],
              "requestedModalities": [
                "audio"
              ],
              "mediaConfig": {
                "@odata.type": "#microsoft.graph.serviceHostedMediaConfig"
              }
            }"##,
            ),
        },
        Answer {
            status: 201,
            body: Some(CREATED_CALL),
            location: Some(location),
        },
    )
    .await;
    assert_eq!(
        call.id.as_deref(),
        Some("2e1a0b00-2db4-4022-9570-243709c565ab")
    );
    assert_eq!(call.state, Some(CallState::Establishing));
    assert_eq!(call.direction, Some(CallDirection::Outgoing));
    assert_eq!(
        call.my_participant_id.as_deref(),
        Some("499ff390-7a72-40e8-83a0-8fac6295ae7e")
    );
    match &call.media_config {
        Some(MediaConfig::ServiceHosted(config)) => {
            assert_eq!(config.pre_fetch_media.as_ref().map(Vec::len), Some(2));
        }
        other => panic!("service-hosted media expected, got {other:?}"),
    }
}

#[tokio::test]
async fn get_call() {
    let call = exchange(
        &GetCall {
            call_id: "2e1a0b00-2db4-4022-9570-243709c565ab".into(),
        },
        Wire {
            method: "GET",
            path: "/v1.0/communications/calls/2e1a0b00-2db4-4022-9570-243709c565ab",
            body: None,
        },
        Answer {
            status: 200,
            body: Some(&CREATED_CALL.replace("\"establishing\"", "\"established\"")),
            location: None,
        },
    )
    .await;
    assert_eq!(call.state, Some(CallState::Established));
    let bot = call
        .source
        .as_ref()
        .and_then(|s| s.identity.as_ref())
        .and_then(IdentitySet::primary);
    assert_eq!(
        bot.and_then(|i| i.display_name.as_deref()),
        Some("Calling Bot")
    );
}

#[tokio::test]
async fn delete_call() {
    exchange(
        &DeleteCall {
            call_id: CALL.into(),
        },
        Wire {
            method: "DELETE",
            path: "/v1.0/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896",
            body: None,
        },
        Answer {
            status: 204,
            body: None,
            location: None,
        },
    )
    .await;
}

#[tokio::test]
async fn answer_call() {
    let action = AnswerCall {
        call_id: CALL.into(),
        callback_uri: Some("callbackUri-value".into()),
        accepted_modalities: vec![Modality::Audio],
        media_config: MediaConfig::AppHosted(AppHostedMediaConfig {
            blob: Some("<Media Session Configuration Blob>".into()),
            ..AppHostedMediaConfig::default()
        }),
        participant_capacity: Some(200),
    };
    exchange(
        &action,
        Wire {
            method: "POST",
            path: "/v1.0/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/answer",
            body: Some(
                r##"{
              "callbackUri": "callbackUri-value",
              "mediaConfig": {
                "@odata.type": "#microsoft.graph.appHostedMediaConfig",
                "blob": "<Media Session Configuration Blob>"
              },
              "acceptedModalities": [
                "audio"
              ],
              "participantCapacity": 200
            }"##,
            ),
        },
        Answer {
            status: 202,
            body: None,
            location: None,
        },
    )
    .await;
}

#[tokio::test]
async fn reject_call() {
    exchange(
        &RejectCall {
            call_id: CALL.into(),
            reason: Some(RejectReason::Busy),
            callback_uri: None,
        },
        Wire {
            method: "POST",
            path: "/v1.0/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/reject",
            body: Some(r#"{"reason": "busy"}"#),
        },
        Answer {
            status: 202,
            body: None,
            location: None,
        },
    )
    .await;
}

#[tokio::test]
async fn redirect_call() {
    let action = RedirectCall {
        call_id: "491f0b00-ffff-4bc9-a43e-b226498ec22a".into(),
        targets: vec![InvitationParticipantInfo::new(IdentitySet::application(
            Identity::new("22bfd41f-550e-477d-8789-f6f7bd2a5e8b", "test bot 2"),
        ))],
        timeout: None,
        callback_uri: Some(
            "https://bot.contoso.com/api/calls/24701998-1a73-4d42-8085-bf46ed0ae039".into(),
        ),
    };
    exchange(
        &action,
        Wire {
            method: "POST",
            path: "/v1.0/communications/calls/491f0b00-ffff-4bc9-a43e-b226498ec22a/redirect",
            body: Some(r##"{
              "targets": [
                {
                  "@odata.type": "#microsoft.graph.invitationParticipantInfo",
                  "identity": {
                    "@odata.type": "#microsoft.graph.identitySet",
                    "application": {
                      "@odata.type": "#microsoft.graph.identity",
                      "displayName": "test bot 2",
                      "id": "22bfd41f-550e-477d-8789-f6f7bd2a5e8b"
                    }
                  }
                }
              ],
              "callbackUri": "https://bot.contoso.com/api/calls/24701998-1a73-4d42-8085-bf46ed0ae039"
            }"##),
        },
        Answer { status: 202, body: None, location: None },
    )
    .await;
}

#[tokio::test]
async fn transfer_call() {
    // The docs' transfer example carries no @odata.type annotations.
    let action = TransferCall {
        call_id: CALL.into(),
        transfer_target: InvitationParticipantInfo {
            endpoint_type: Some(EndpointType::Default),
            identity: Some(IdentitySet {
                user: Some(Identity {
                    id: Some("550fae72-d251-43ec-868c-373732c2704f".into()),
                    display_name: Some("Heidi Steen".into()),
                    ..Identity::default()
                }),
                ..IdentitySet::default()
            }),
            replaces_call_id: Some("replacesCallId-value".into()),
            ..InvitationParticipantInfo::default()
        },
        transferee: None,
    };
    exchange(
        &action,
        Wire {
            method: "POST",
            path: "/v1.0/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/transfer",
            body: Some(
                r#"{
              "transferTarget": {
                "endpointType": "default",
                "identity": {
                  "user": {
                    "id": "550fae72-d251-43ec-868c-373732c2704f",
                    "displayName": "Heidi Steen"
                  }
                },
                "replacesCallId": "replacesCallId-value"
              }
            }"#,
            ),
        },
        Answer {
            status: 202,
            body: None,
            location: None,
        },
    )
    .await;
}

#[tokio::test]
async fn keep_alive() {
    exchange(
        &KeepAlive {
            call_id: "2e1a0b00-2db4-4022-9570-243709c565ab".into(),
        },
        Wire {
            method: "POST",
            path: "/v1.0/communications/calls/2e1a0b00-2db4-4022-9570-243709c565ab/keepAlive",
            body: None,
        },
        Answer {
            status: 200,
            body: None,
            location: None,
        },
    )
    .await;
}

const OP_LOCATION_0FE: &str = "https://graph.microsoft.com/v1.0/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/operations/0fe0623f-d628-42ed-b4bd-8ac290072cc5";

fn beep() -> MediaInfo {
    MediaInfo {
        resource_id: Some("1D6DE2D4-CD51-4309-8DAA-70768651088E".into()),
        ..MediaInfo::new("https://cdn.contoso.com/beep.wav")
    }
}

#[tokio::test]
async fn play_prompt() {
    let action = PlayPrompt {
        call_id: CALL.into(),
        prompts: vec![MediaPrompt::new(beep())],
        client_context: Some("d45324c1-fcb5-430a-902c-f20af696537c".into()),
    };
    let op = exchange(
        &action,
        Wire {
            method: "POST",
            path: "/v1.0/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/playPrompt",
            body: Some(
                r##"{
              "clientContext": "d45324c1-fcb5-430a-902c-f20af696537c",
              "prompts": [
                {
                  "@odata.type": "#microsoft.graph.mediaPrompt",
                  "mediaInfo": {
                    "@odata.type": "#microsoft.graph.mediaInfo",
                    "uri": "https://cdn.contoso.com/beep.wav",
                    "resourceId": "1D6DE2D4-CD51-4309-8DAA-70768651088E"
                  }
                }
              ]
            }"##,
            ),
        },
        Answer {
            status: 200,
            body: Some(
                r##"{
              "@odata.type": "#microsoft.graph.playPromptOperation",
              "id": "0fe0623f-d628-42ed-b4bd-8ac290072cc5",
              "status": "running",
              "clientContext": "d45324c1-fcb5-430a-902c-f20af696537c"
            }"##,
            ),
            location: Some(OP_LOCATION_0FE),
        },
    )
    .await;
    assert_eq!(op.status, Some(OperationStatus::Running));
    assert!(!op.is_finished());
    assert_eq!(
        op.client_context.as_deref(),
        Some("d45324c1-fcb5-430a-902c-f20af696537c")
    );
}

#[tokio::test]
async fn record_response() {
    // This example's mediaInfo has no @odata.type.
    let action = RecordResponse {
        call_id: CALL.into(),
        prompts: Some(vec![MediaPrompt::new(MediaInfo {
            odata_type: None,
            ..beep()
        })]),
        barge_in_allowed: Some(true),
        initial_silence_timeout_in_seconds: Some(5),
        max_silence_timeout_in_seconds: Some(2),
        max_record_duration_in_seconds: Some(10),
        play_beep: Some(true),
        stop_tones: Some(vec!["#".into(), "1".into(), "*".into()]),
        client_context: Some("d45324c1-fcb5-430a-902c-f20af696537c".into()),
    };
    let op = exchange(
        &action,
        Wire {
            method: "POST",
            path: "/v1.0/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/recordResponse",
            body: Some(
                r##"{
              "bargeInAllowed": true,
              "clientContext": "d45324c1-fcb5-430a-902c-f20af696537c",
              "prompts": [
                {
                  "@odata.type": "#microsoft.graph.mediaPrompt",
                  "mediaInfo": {
                    "uri": "https://cdn.contoso.com/beep.wav",
                    "resourceId": "1D6DE2D4-CD51-4309-8DAA-70768651088E"
                  }
                }
              ],
              "maxRecordDurationInSeconds": 10,
              "initialSilenceTimeoutInSeconds": 5,
              "maxSilenceTimeoutInSeconds": 2,
              "playBeep": true,
              "stopTones": [ "#", "1", "*" ]
            }"##,
            ),
        },
        Answer {
            status: 200,
            body: Some(
                r##"{
              "@odata.type": "#microsoft.graph.recordOperation",
              "id": "0fe0623f-d628-42ed-b4bd-8ac290072cc5",
              "status": "running",
              "resultInfo": null,
              "recordingLocation": null,
              "clientContext": "d45324c1-fcb5-430a-902c-f20af696537c"
            }"##,
            ),
            location: Some(OP_LOCATION_0FE),
        },
    )
    .await;
    assert_eq!(op.status, Some(OperationStatus::Running));
    assert_eq!(op.recording_location, None);
    assert_eq!(op.result_info, None);
}

#[tokio::test]
async fn cancel_media_processing() {
    let op = exchange(
        &CancelMediaProcessing { call_id: CALL.into(), client_context: Some("clientContext-value".into()) },
        Wire {
            method: "POST",
            path: "/v1.0/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/cancelMediaProcessing",
            body: Some(r#"{"clientContext": "clientContext-value"}"#),
        },
        Answer {
            status: 200,
            body: Some(r##"{
              "@odata.type": "#microsoft.graph.cancelMediaProcessingOperation",
              "status": "completed",
              "clientContext": "d45324c1-fcb5-430a-902c-f20af696537c",
              "id": "0fe0623f-d628-42ed-b4bd-8ac290072cc5"
            }"##),
            location: Some(OP_LOCATION),
        },
    )
    .await;
    assert_eq!(op.status, Some(OperationStatus::Completed));
    assert_eq!(
        op.id.as_deref(),
        Some("0fe0623f-d628-42ed-b4bd-8ac290072cc5")
    );
}

#[tokio::test]
async fn subscribe_to_tone() {
    let op = exchange(
        &SubscribeToTone {
            call_id: CALL.into(),
            client_context: Some("fd1c7836-4d84-4e24-b6aa-23188688cc54".into()),
        },
        Wire {
            method: "POST",
            path: "/v1.0/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/subscribeToTone",
            body: Some(r#"{"clientContext": "fd1c7836-4d84-4e24-b6aa-23188688cc54"}"#),
        },
        Answer {
            status: 200,
            body: Some(
                r##"{
              "@odata.type": "#microsoft.graph.subscribeToToneOperation",
              "clientContext": "clientContext-value",
              "id": "0fe0623f-d628-42ed-b4bd-8ac290072cc5",
              "status": "completed"
            }"##,
            ),
            location: Some(OP_LOCATION_0FE),
        },
    )
    .await;
    assert_eq!(op.status, Some(OperationStatus::Completed));
}

#[tokio::test]
async fn update_recording_status() {
    // The docs' example literally sends the placeholder "notRecording | recording | failed";
    // an unknown value is sent as given.
    let placeholder = RecordingStatus::from_wire("notRecording | recording | failed");
    assert!(matches!(placeholder, RecordingStatus::Unknown(_)));
    let op = exchange(
        &UpdateRecordingStatus {
            call_id: CALL.into(),
            status: placeholder,
            client_context: Some("clientContext-value".into()),
        },
        Wire {
            method: "POST",
            path: "/v1.0/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/updateRecordingStatus",
            body: Some(r#"{"clientContext": "clientContext-value", "status": "notRecording | recording | failed"}"#),
        },
        Answer {
            status: 200,
            body: Some(r##"{
              "@odata.type": "#microsoft.graph.updateRecordingStatusOperation",
              "clientContext": "clientContext-value",
              "id": "0fe0623f-d628-42ed-b4bd-8ac290072cc5",
              "resultInfo": null,
              "status": "completed"
            }"##),
            location: Some(OP_LOCATION_0FE),
        },
    )
    .await;
    assert_eq!(op.status, Some(OperationStatus::Completed));
    assert_eq!(op.client_context.as_deref(), Some("clientContext-value"));
}

#[tokio::test]
async fn mute_call() {
    let op = exchange(
        &MuteCall { call_id: CALL.into(), client_context: Some("clientContext-value".into()) },
        Wire {
            method: "POST",
            path: "/v1.0/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/mute",
            body: Some(r#"{"clientContext": "clientContext-value"}"#),
        },
        Answer {
            status: 200,
            body: Some(r##"{
              "@odata.type": "#microsoft.graph.muteParticipantOperation",
              "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#muteParticipantOperation",
              "id": "17e3b46c-f61d-4f4d-9635-c626ef18e6ad",
              "status": "completed",
              "clientContext": "clientContext-value"
            }"##),
            location: Some(OP_LOCATION),
        },
    )
    .await;
    assert_eq!(op.status, Some(OperationStatus::Completed));
    assert_eq!(
        op.id.as_deref(),
        Some("17e3b46c-f61d-4f4d-9635-c626ef18e6ad")
    );
}

#[tokio::test]
async fn unmute_call() {
    let op = exchange(
        &UnmuteCall { call_id: CALL.into(), client_context: Some("clientContext-value".into()) },
        Wire {
            method: "POST",
            path: "/v1.0/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/unmute",
            body: Some(r#"{"clientContext": "clientContext-value"}"#),
        },
        Answer {
            status: 200,
            body: Some(r##"{
              "@odata.type": "#microsoft.graph.unmuteParticipantOperation",
              "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#unmuteParticipantOperation",
              "id": "17e3b46c-f61d-4f4d-9635-c626ef18e6ad",
              "status": "completed",
              "clientContext": "clientContext-value"
            }"##),
            location: Some(OP_LOCATION),
        },
    )
    .await;
    assert_eq!(op.status, Some(OperationStatus::Completed));
}

#[tokio::test]
async fn change_screen_sharing_role() {
    exchange(
        &ChangeScreenSharingRole { call_id: CALL.into(), role: ScreenSharingRole::Viewer },
        Wire {
            method: "POST",
            path: "/v1.0/communications/calls/57dab8b1-894c-409a-b240-bd8beae78896/changeScreenSharingRole",
            body: Some(r#"{"role": "viewer"}"#),
        },
        Answer { status: 202, body: None, location: None },
    )
    .await;
}
