//! Actions on calls.

use crate::graph_action;

use super::{
    Call, CancelMediaProcessingOperation, InvitationParticipantInfo, MediaConfig, MediaPrompt,
    Modality, MuteParticipantOperation, ParticipantInfo, PlayPromptOperation, RecordOperation,
    RecordingStatus, RejectReason, ScreenSharingRole, SubscribeToToneOperation,
    UnmuteParticipantOperation, UpdateRecordingStatusOperation,
};

/// Creates a call: a peer-to-peer or group call to `targets`, or a join to an
/// online meeting (`meetingInfo`, `chatInfo`).
///
/// Succeeds with `201 Created`, the [`Call`] (typically `establishing`) and a
/// `Location` to it. Not idempotent: a repeat places a second call. Application
/// permissions: `Calls.Initiate.All` (peer-to-peer), `Calls.InitiateGroupCalls.All`
/// (group), `Calls.JoinGroupCalls.All` or `Calls.JoinGroupCallsasGuest.All`
/// (meetings), plus `Calls.AccessMedia.All` for app-hosted media.
///
/// The body is the call itself: set `odata_type` to [`Call::ODATA_TYPE`],
/// `callback_uri`, `targets`, `requested_modalities` and `media_config`.
#[graph_action(POST, "/communications/calls", response = Call)]
#[derive(Debug, Clone, PartialEq)]
pub struct CreateCall {
    /// The call to create; its properties are the request body.
    #[serde(flatten)]
    pub call: Call,
}

/// Reads a call.
///
/// Succeeds with `200 OK` and the [`Call`]. Application permission: none on the page.
#[graph_action(GET, "/communications/calls/<callId>", response = Call)]
#[derive(Debug, Clone, PartialEq)]
pub struct GetCall {
    /// The call.
    #[path]
    pub call_id: String,
}

/// Hangs up: the bot leaves the call, and a peer-to-peer call ends.
///
/// Succeeds with `204 No Content`. Application permission: none on the page.
#[graph_action(DELETE, "/communications/calls/<callId>")]
#[derive(Debug, Clone, PartialEq)]
pub struct DeleteCall {
    /// The call.
    #[path]
    pub call_id: String,
}

/// Answers an incoming call, within 15 seconds (5 for policy-based recording).
///
/// Succeeds with `202 Accepted` and no body. Not idempotent. Application
/// permission: `Calls.JoinGroupCalls.All` or `Calls.JoinGroupCallsasGuest.All`
/// (none for peer-to-peer calls).
#[graph_action(POST, "/communications/calls/<callId>/answer")]
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerCall {
    /// The call.
    #[path]
    pub call_id: String,
    /// Where notifications for this call go (`https`).
    pub callback_uri: Option<String>,
    /// The modalities to accept (`audio`, `video`, `videoBasedScreenSharing`).
    pub accepted_modalities: Vec<Modality>,
    /// Who hosts the media.
    pub media_config: MediaConfig,
    /// How many participants the app handles for policy-based recording.
    pub participant_capacity: Option<i32>,
}

/// Rejects an incoming call, within 15 seconds; an answered call is ended with
/// [`DeleteCall`] instead.
///
/// Succeeds with `202 Accepted`. Not idempotent. Application permission: none
/// on the page.
#[graph_action(POST, "/communications/calls/<callId>/reject")]
#[derive(Debug, Clone, PartialEq)]
pub struct RejectCall {
    /// The call.
    #[path]
    pub call_id: String,
    /// Why (`none`, `busy`, `forbidden`).
    pub reason: Option<RejectReason>,
    /// Where notifications for this call go (`https`).
    pub callback_uri: Option<String>,
}

/// Redirects an incoming call to one target, or to up to 25 at once
/// (simultaneous ring).
///
/// Succeeds with `202 Accepted`. Not idempotent. Application permission:
/// `Calls.Initiate.All`.
#[graph_action(POST, "/communications/calls/<callId>/redirect")]
#[derive(Debug, Clone, PartialEq)]
pub struct RedirectCall {
    /// The call.
    #[path]
    pub call_id: String,
    /// Where to redirect.
    pub targets: Vec<InvitationParticipantInfo>,
    /// Seconds to ring, 15 to 90.
    pub timeout: Option<i32>,
    /// Where notifications for this call go (`https`).
    pub callback_uri: Option<String>,
}

/// Transfers an active peer-to-peer call (or, with `transferee`, a participant
/// of a group call) to another party.
///
/// Succeeds with `202 Accepted`; the outcome arrives as call state
/// notifications. Not idempotent. Application permission: `Calls.Initiate.All`.
#[graph_action(POST, "/communications/calls/<callId>/transfer")]
#[derive(Debug, Clone, PartialEq)]
pub struct TransferCall {
    /// The call.
    #[path]
    pub call_id: String,
    /// Who to transfer to.
    pub transfer_target: InvitationParticipantInfo,
    /// Who is transferred, when transferring from a group call.
    pub transferee: Option<ParticipantInfo>,
}

/// Keeps a call alive: send it every 15 to 45 minutes, or the service ends the
/// call as inactive after 45 minutes. An ended call answers `404`.
///
/// Succeeds with `200 OK` and no body. Idempotent. Application permission:
/// none on the page.
#[graph_action(POST, "/communications/calls/<callId>/keepAlive", idempotent)]
#[derive(Debug, Clone, PartialEq)]
pub struct KeepAlive {
    /// The call.
    #[path]
    pub call_id: String,
}

/// Plays prompts (at most 20) in the call.
///
/// Succeeds with `200 OK`, a [`PlayPromptOperation`] (usually `running`) and a
/// `Location`. Not idempotent: playing twice plays twice. Application
/// permission: none on the page.
#[graph_action(
    POST,
    "/communications/calls/<callId>/playPrompt",
    response = PlayPromptOperation
)]
#[derive(Debug, Clone, PartialEq)]
pub struct PlayPrompt {
    /// The call.
    #[path]
    pub call_id: String,
    /// What to play.
    pub prompts: Vec<MediaPrompt>,
    /// Unique client context string, at most 256 characters.
    pub client_context: Option<String>,
}

/// Records a short response from the caller, after an optional prompt.
///
/// Succeeds with `200 OK`, a [`RecordOperation`] and a `Location`; the
/// recording's location arrives with the completion. Not idempotent.
/// Application permission: `Calls.AccessMedia.All`.
#[graph_action(
    POST,
    "/communications/calls/<callId>/recordResponse",
    response = RecordOperation
)]
#[derive(Debug, Clone, PartialEq)]
pub struct RecordResponse {
    /// The call.
    #[path]
    pub call_id: String,
    /// A prompt to play first (at most one).
    pub prompts: Option<Vec<MediaPrompt>>,
    /// Whether speech may interrupt the prompt (default false).
    pub barge_in_allowed: Option<bool>,
    /// Seconds of silence allowed before speech starts (1 to 120, default 5).
    pub initial_silence_timeout_in_seconds: Option<i32>,
    /// Seconds of silence that end the recording (1 to 120, default 5).
    pub max_silence_timeout_in_seconds: Option<i32>,
    /// The longest recording, in seconds (1 to 120, default 5).
    pub max_record_duration_in_seconds: Option<i32>,
    /// Whether to beep before recording (default true).
    pub play_beep: Option<bool>,
    /// DTMF tones that end the recording (`"#"`, `"1"`, `"*"`).
    pub stop_tones: Option<Vec<String>>,
    /// Unique client context string, at most 256 characters.
    pub client_context: Option<String>,
}

/// Cancels the prompts and recordings in progress; each cancelled operation
/// then fails with `completionReason: operationCanceled`.
///
/// Succeeds with `200 OK`, a [`CancelMediaProcessingOperation`] and a
/// `Location`. Idempotent: it converges on "nothing in progress", so a repeat
/// cancels nothing more. Application permission: none on the page.
#[graph_action(
    POST,
    "/communications/calls/<callId>/cancelMediaProcessing",
    response = CancelMediaProcessingOperation,
    idempotent
)]
#[derive(Debug, Clone, PartialEq)]
pub struct CancelMediaProcessing {
    /// The call.
    #[path]
    pub call_id: String,
    /// Unique client context string, at most 256 characters.
    pub client_context: Option<String>,
}

/// Subscribes to DTMF tones; they arrive as call notifications with `toneInfo`.
/// Only for calls with service-hosted media.
///
/// Succeeds with `200 OK`, a [`SubscribeToToneOperation`] and a `Location`.
/// Idempotent: subscribing twice leaves one subscription. Application
/// permission: `Calls.AccessMedia.All`.
#[graph_action(
    POST,
    "/communications/calls/<callId>/subscribeToTone",
    response = SubscribeToToneOperation,
    idempotent
)]
#[derive(Debug, Clone, PartialEq)]
pub struct SubscribeToTone {
    /// The call.
    #[path]
    pub call_id: String,
    /// Unique client context string, at most 256 characters.
    pub client_context: Option<String>,
}

/// Reports the bot's recording status to the call (required before a
/// compliance-recording bot records).
///
/// Succeeds with `200 OK`, an [`UpdateRecordingStatusOperation`] and a
/// `Location`. Idempotent: it sets a state. Application permissions:
/// `Calls.JoinGroupCalls.All`, `Calls.AccessMedia.All`.
#[graph_action(
    POST,
    "/communications/calls/<callId>/updateRecordingStatus",
    response = UpdateRecordingStatusOperation,
    idempotent
)]
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateRecordingStatus {
    /// The call.
    #[path]
    pub call_id: String,
    /// The new status (`notRecording`, `recording`, `failed`).
    pub status: RecordingStatus,
    /// Unique client context string, at most 256 characters.
    pub client_context: Option<String>,
}

/// Mutes the bot itself in a group call (a server mute).
///
/// Succeeds with `200 OK`, a [`MuteParticipantOperation`] and a `Location`.
/// Idempotent. Application permission: none on the page.
#[graph_action(
    POST,
    "/communications/calls/<callId>/mute",
    response = MuteParticipantOperation,
    idempotent
)]
#[derive(Debug, Clone, PartialEq)]
pub struct MuteCall {
    /// The call.
    #[path]
    pub call_id: String,
    /// Unique client context string, at most 256 characters.
    pub client_context: Option<String>,
}

/// Unmutes the bot itself in a group call.
///
/// Succeeds with `200 OK`, an [`UnmuteParticipantOperation`] and a `Location`.
/// Idempotent. Application permission: none on the page.
#[graph_action(
    POST,
    "/communications/calls/<callId>/unmute",
    response = UnmuteParticipantOperation,
    idempotent
)]
#[derive(Debug, Clone, PartialEq)]
pub struct UnmuteCall {
    /// The call.
    #[path]
    pub call_id: String,
    /// Unique client context string, at most 256 characters.
    pub client_context: Option<String>,
}

/// Makes the bot a screen sharing viewer or sharer; all participants get a
/// roster update.
///
/// Succeeds with `202 Accepted`. Idempotent: it sets a role. Application
/// permission: `Calls.AccessMedia.All`.
#[graph_action(
    POST,
    "/communications/calls/<callId>/changeScreenSharingRole",
    idempotent
)]
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeScreenSharingRole {
    /// The call.
    #[path]
    pub call_id: String,
    /// The new role.
    pub role: ScreenSharingRole,
}
