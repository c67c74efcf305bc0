//! Long-running operations: [`CommsOperation`], its named kinds, [`ResultInfo`].

use serde::{Deserialize, Deserializer, Serialize};

use super::macros::{lenient_i32, nullable_graph_struct};
use super::{InvitationParticipantInfo, OperationStatus, RecordCompletionReason, SecretString};

/// Success- or failure-specific result information of an operation or a call
/// (`resultInfo`).
///
/// `code` is 2xx for success, 4xx for a client error, 5xx for a server error;
/// `subcode` adds detail. Read leniently: `subCode` is accepted for `subcode`,
/// and a numeric string for either number, as some documented payloads send them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultInfo {
    /// The result code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<i32>,
    /// The message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The result sub-code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subcode: Option<i32>,
}

impl<'de> Deserialize<'de> for ResultInfo {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wire {
            #[serde(default, deserialize_with = "lenient_i32")]
            code: Option<i32>,
            #[serde(default)]
            message: Option<String>,
            #[serde(default, deserialize_with = "lenient_i32")]
            subcode: Option<i32>,
            #[serde(rename = "subCode", default, deserialize_with = "lenient_i32")]
            sub_code: Option<i32>,
        }
        let wire = Wire::deserialize(deserializer)?;
        Ok(ResultInfo {
            code: wire.code,
            message: wire.message,
            subcode: wire.subcode.or(wire.sub_code),
        })
    }
}

/// Declares an operation kind: the four `commsOperation` properties plus extras.
macro_rules! comms_operation {
    (
        $(#[$meta:meta])*
        $name:ident = $odata:literal { $($extra:tt)* }
    ) => {
        nullable_graph_struct! {
            $(#[$meta])*
            ///
            /// If `status` is `completed` or `failed`, no notification follows; if it
            /// is `notStarted`, `running` or missing, the outcome arrives later as a
            /// `commsNotification` on the call's callback URI.
            pub struct $name {
                /// The client context sent with the request (at most 256 characters).
                pub client_context: Option<String>,
                /// The server's operation id.
                pub id: Option<String>,
                /// Result codes and message, once there are any.
                pub result_info: Option<ResultInfo>,
                /// The operation's status.
                pub status: Option<OperationStatus>,
                $($extra)*
            }
        }

        impl $name {
            /// The OData type name the service gives this kind.
            pub const ODATA_TYPE: &'static str = $odata;

            /// Whether the operation has finished (`completed` or `failed`).
            pub fn is_finished(&self) -> bool {
                self.status.as_ref().is_some_and(OperationStatus::is_terminal)
            }
        }

        impl ::std::convert::From<$name> for CommsOperation {
            fn from(op: $name) -> CommsOperation {
                CommsOperation {
                    client_context: op.client_context,
                    id: op.id,
                    result_info: op.result_info,
                    status: op.status,
                }
            }
        }
    };
}

nullable_graph_struct! {
    /// The status of a long-running communications operation (`commsOperation`),
    /// the base of every named operation kind. Returned by actions and carried by
    /// notifications.
    ///
    /// If `status` is `completed` or `failed`, no notification follows; otherwise
    /// the outcome arrives later as a `commsNotification`.
    pub struct CommsOperation {
        /// The client context sent with the request (at most 256 characters).
        pub client_context: Option<String>,
        /// The server's operation id.
        pub id: Option<String>,
        /// Result codes and message, once there are any.
        pub result_info: Option<ResultInfo>,
        /// The operation's status.
        pub status: Option<OperationStatus>,
    }
}

impl CommsOperation {
    /// The OData type name.
    pub const ODATA_TYPE: &'static str = "#microsoft.graph.commsOperation";

    /// Whether the operation has finished (`completed` or `failed`).
    pub fn is_finished(&self) -> bool {
        self.status
            .as_ref()
            .is_some_and(OperationStatus::is_terminal)
    }
}

comms_operation! {
    /// The result of muting a participant or the bot itself (`muteParticipantOperation`).
    MuteParticipantOperation = "#microsoft.graph.muteParticipantOperation" {}
}

comms_operation! {
    /// The result of unmuting the bot (`unmuteParticipantOperation`).
    UnmuteParticipantOperation = "#microsoft.graph.unmuteParticipantOperation" {}
}

comms_operation! {
    /// The result of playing prompts (`playPromptOperation`).
    PlayPromptOperation = "#microsoft.graph.playPromptOperation" {}
}

comms_operation! {
    /// The result of recording a response (`recordOperation`).
    RecordOperation = "#microsoft.graph.recordOperation" {
        /// Where the recording can be downloaded, once finished.
        pub recording_location: Option<String>,
        /// The token to download the recording with; `Debug` shows it redacted.
        pub recording_access_token: Option<SecretString>,
        /// Why the recording ended.
        pub completion_reason: Option<RecordCompletionReason>,
    }
}

comms_operation! {
    /// The result of cancelling media processing (`cancelMediaProcessingOperation`).
    CancelMediaProcessingOperation = "#microsoft.graph.cancelMediaProcessingOperation" {}
}

comms_operation! {
    /// The result of subscribing to DTMF tones (`subscribeToToneOperation`).
    SubscribeToToneOperation = "#microsoft.graph.subscribeToToneOperation" {}
}

comms_operation! {
    /// The result of reporting a recording status (`updateRecordingStatusOperation`).
    UpdateRecordingStatusOperation = "#microsoft.graph.updateRecordingStatusOperation" {}
}

comms_operation! {
    /// The result of inviting participants (`inviteParticipantsOperation`).
    InviteParticipantsOperation = "#microsoft.graph.inviteParticipantsOperation" {
        /// The participants invited.
        pub participants: Option<Vec<InvitationParticipantInfo>>,
    }
}

comms_operation! {
    /// The result of putting a participant on hold (`startHoldMusicOperation`).
    StartHoldMusicOperation = "#microsoft.graph.startHoldMusicOperation" {}
}

comms_operation! {
    /// The result of taking a participant off hold (`stopHoldMusicOperation`).
    StopHoldMusicOperation = "#microsoft.graph.stopHoldMusicOperation" {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_info_accepts_documented_variants() {
        let a: ResultInfo =
            serde_json::from_str(r#"{"code": 500, "subCode": 7000, "message": "m"}"#).unwrap();
        assert_eq!((a.code, a.subcode), (Some(500), Some(7000)));
        let b: ResultInfo = serde_json::from_str(
            r##"{"@odata.type": "#microsoft.graph.resultInfo", "code": "0", "subcode": 7015}"##,
        )
        .unwrap();
        assert_eq!((b.code, b.subcode), (Some(0), Some(7015)));
        let c: ResultInfo = serde_json::from_str(r#"{"code": null, "subcode": "x"}"#).unwrap();
        assert_eq!((c.code, c.subcode), (None, None));
        assert_eq!(
            serde_json::to_value(&b).unwrap(),
            serde_json::json!({"code": 0, "subcode": 7015})
        );
    }

    #[test]
    fn a_null_operation_reads_as_not_finished() {
        let op: MuteParticipantOperation = serde_json::from_str("null").unwrap();
        assert_eq!(op, MuteParticipantOperation::default());
        assert!(!op.is_finished());
        let base: CommsOperation = serde_json::from_str("null").unwrap();
        assert_eq!(base.status, None);
        let invite: InviteParticipantsOperation =
            serde_json::from_str(r#"{"status": "Running", "participants": null, "x": 1}"#).unwrap();
        assert_eq!(invite.status, Some(OperationStatus::Running));
        assert!(serde_json::from_str::<CommsOperation>("[1]").is_err());
    }

    #[test]
    fn record_operation_reads_the_failed_notification_payload() {
        let op: RecordOperation = serde_json::from_value(serde_json::json!({
            "@odata.type": "#microsoft.graph.recordOperation",
            "@odata.etag": "W/\"54451\"",
            "id": "0fe0623f-d628-42ed-b4bd-8ac290072cc5",
            "status": "failed",
            "resultInfo": {"code": 400, "subcode": 8508, "message": "Action failed, the operation was cancelled."},
            "recordingLocation": "",
            "recordingAccessToken": "secret-token-value",
            "completionReason": "operationCanceled"
        }))
        .unwrap();
        assert!(op.is_finished());
        assert!(!format!("{op:?}").contains("secret-token-value"));
        assert_eq!(
            op.recording_access_token.as_ref().map(SecretString::expose),
            Some("secret-token-value")
        );
        assert_eq!(
            op.completion_reason,
            Some(RecordCompletionReason::OperationCanceled)
        );
        let base = CommsOperation::from(op);
        assert_eq!(base.result_info.and_then(|r| r.subcode), Some(8508));
    }
}
