//! Actions on the participants of a call.

use crate::graph_action;

use super::{
    InvitationParticipantInfo, InviteParticipantsOperation, MediaPrompt, MuteParticipantOperation,
    Participant, StartHoldMusicOperation, StopHoldMusicOperation,
};

/// Mutes one participant of a group call: a server mute, so the service drops
/// the participant's audio even if their client keeps sending it. All
/// participants then get a roster update with `isMuted: true`.
///
/// Succeeds with `200 OK`, a [`MuteParticipantOperation`] (usually already
/// `completed`) and a `Location` to the operation. Idempotent: muting twice
/// leaves one mute. Group calls only. Application permission: none on the v1.0
/// page; the generated permission tables name `Calls.JoinGroupCalls.All` or
/// `Calls.JoinGroupCallsasGuest.All`.
#[graph_action(
    POST,
    "/communications/calls/<callId>/participants/<participantId>/mute",
    response = MuteParticipantOperation,
    idempotent
)]
#[derive(Debug, Clone, PartialEq)]
pub struct MuteParticipant {
    /// The call.
    #[path]
    pub call_id: String,
    /// The participant to mute.
    #[path]
    pub participant_id: String,
    /// Unique client context string, at most 256 characters, echoed in the
    /// operation and its notifications.
    pub client_context: Option<String>,
}

/// Invites participants into an active group call.
///
/// Succeeds with `200 OK` and an [`InviteParticipantsOperation`] (often
/// `running`: the outcome arrives as a notification). Not idempotent: a repeat
/// invites again. Application permission: `Calls.InitiateGroupCalls.All`.
#[graph_action(
    POST,
    "/communications/calls/<callId>/participants/invite",
    response = InviteParticipantsOperation
)]
#[derive(Debug, Clone, PartialEq)]
pub struct InviteParticipants {
    /// The call.
    #[path]
    pub call_id: String,
    /// Who to invite.
    pub participants: Vec<InvitationParticipantInfo>,
    /// Unique client context string, at most 256 characters.
    pub client_context: Option<String>,
}

/// Removes a participant from an active call, at once and without notice.
///
/// Succeeds with `204 No Content`. The tenant admin must first allow the app
/// (`Set-CsApplicationMeetingConfiguration -AllowRemoveParticipantAppIds @{Add="app_id"}`).
/// Application permission: none on the page.
#[graph_action(DELETE, "/communications/calls/<callId>/participants/<participantId>")]
#[derive(Debug, Clone, PartialEq)]
pub struct DeleteParticipant {
    /// The call.
    #[path]
    pub call_id: String,
    /// The participant to remove.
    #[path]
    pub participant_id: String,
}

/// Puts a participant on hold and plays music to them; one participant at a
/// time can be on hold.
///
/// Succeeds with `202 Accepted`, a [`StartHoldMusicOperation`] body and a
/// `Location`. Not declared idempotent: it starts playback (of `custom_prompt`,
/// if given), and a repeat is not documented to be a no-op, so a failure after
/// sending is not retried. Permissions are checked when the app joins the call.
#[graph_action(
    POST,
    "/communications/calls/<callId>/participants/<participantId>/startHoldMusic",
    response = StartHoldMusicOperation
)]
#[derive(Debug, Clone, PartialEq)]
pub struct StartHoldMusic {
    /// The call.
    #[path]
    pub call_id: String,
    /// The participant to put on hold.
    #[path]
    pub participant_id: String,
    /// Music to play instead of the default.
    pub custom_prompt: Option<MediaPrompt>,
    /// Unique client context string, at most 256 characters.
    pub client_context: Option<String>,
}

/// Takes a participant off hold, back into the call.
///
/// Succeeds with `202 Accepted`, a [`StopHoldMusicOperation`] body and a
/// `Location`. Idempotent: it sets a state (not on hold), so a repeat changes
/// nothing. Permissions are checked when the app joins the call.
#[graph_action(
    POST,
    "/communications/calls/<callId>/participants/<participantId>/stopHoldMusic",
    response = StopHoldMusicOperation,
    idempotent
)]
#[derive(Debug, Clone, PartialEq)]
pub struct StopHoldMusic {
    /// The call.
    #[path]
    pub call_id: String,
    /// The participant on hold.
    #[path]
    pub participant_id: String,
    /// Unique client context string, at most 256 characters.
    pub client_context: Option<String>,
}

/// Reads one participant of a call.
///
/// Succeeds with `200 OK` and the [`Participant`]. Application permission: none
/// on the page.
#[graph_action(
    GET,
    "/communications/calls/<callId>/participants/<participantId>",
    response = Participant
)]
#[derive(Debug, Clone, PartialEq)]
pub struct GetParticipant {
    /// The call.
    #[path]
    pub call_id: String,
    /// The participant.
    #[path]
    pub participant_id: String,
}

/// Lists the participants of a call, a page at a time; `client.stream(&action)`
/// follows `@odata.nextLink` through every page.
///
/// Succeeds with `200 OK` and a page of [`Participant`]s. Application
/// permission: none on the page.
#[graph_action(
    GET,
    "/communications/calls/<callId>/participants",
    response = Participant,
    paged
)]
#[derive(Debug, Clone, PartialEq)]
pub struct ListParticipants {
    /// The call.
    #[path]
    pub call_id: String,
    /// At most this many participants per page.
    #[query("$top")]
    pub top: Option<u32>,
}
