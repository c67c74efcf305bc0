//! Microsoft Graph cloud communications: the resource types and the actions.
//!
//! Every action is declared with [`graph_action`](crate::graph_action) itself, so
//! each is an example of the attribute as well as a ready call:
//!
//! ```no_run
//! use graph_runtime::comms::MuteParticipant;
//! # async fn run(client: graph_runtime::GraphClient, call_id: &str, participant_id: &str) -> Result<(), graph_runtime::GraphError> {
//!
//! let op = MuteParticipant {
//!     call_id: call_id.into(),
//!     participant_id: participant_id.into(),
//!     client_context: Some("mute-1".into()),
//! }
//! .send(&client)
//! .await?;
//! assert!(op.is_finished());
//! # Ok(())
//! # }
//! ```
//!
//! Resource types read tolerantly, as Graph answers are not always consistent:
//! every property is optional, unknown properties are ignored, enum values are
//! read in any letter case and an unknown value is kept as `Unknown(String)`.
//! Types that Graph sends polymorphically carry their `@odata.type`
//! (`odata_type` fields, [`MediaConfig`]); the constructors set it.

mod call_actions;
mod enums;
mod macros;
mod notification;
mod operation;
mod participant_actions;
mod types;

pub use call_actions::{
    AnswerCall, AnswerCallResponse, CancelMediaProcessing, CancelMediaProcessingResponse,
    ChangeScreenSharingRole, ChangeScreenSharingRoleResponse, CreateCall, CreateCallResponse,
    DeleteCall, DeleteCallResponse, GetCall, GetCallResponse, KeepAlive, KeepAliveResponse,
    MuteCall, MuteCallResponse, PlayPrompt, PlayPromptResponse, RecordResponse,
    RecordResponseResponse, RedirectCall, RedirectCallResponse, RejectCall, RejectCallResponse,
    SubscribeToTone, SubscribeToToneResponse, TransferCall, TransferCallResponse, UnmuteCall,
    UnmuteCallResponse, UpdateRecordingStatus, UpdateRecordingStatusResponse,
};
pub use participant_actions::{
    DeleteParticipant, DeleteParticipantResponse, GetParticipant, GetParticipantResponse,
    InviteParticipants, InviteParticipantsResponse, ListParticipants, ListParticipantsResponse,
    MuteParticipant, MuteParticipantResponse, StartHoldMusic, StartHoldMusicResponse,
    StopHoldMusic, StopHoldMusicResponse,
};

pub use enums::{
    CallDirection, CallState, EndpointType, MediaDirection, MediaState, Modality, OperationStatus,
    RecordCompletionReason, RecordingStatus, RejectReason, ScreenSharingRole, Tone,
};
pub use notification::{ChangeType, CommsNotification, CommsNotifications, same_operation_id};
pub use operation::{
    CancelMediaProcessingOperation, CommsOperation, InviteParticipantsOperation,
    MuteParticipantOperation, PlayPromptOperation, RecordOperation, ResultInfo,
    StartHoldMusicOperation, StopHoldMusicOperation, SubscribeToToneOperation,
    UnmuteParticipantOperation, UpdateRecordingStatusOperation,
};
pub use types::{
    AppHostedMediaConfig, Call, CallMediaState, ChatInfo, Identity, IdentitySet,
    InvitationParticipantInfo, MediaConfig, MediaInfo, MediaPrompt, MediaStream, Participant,
    ParticipantInfo, Prompt, RecordingInfo, SecretString, ServiceHostedMediaConfig, ToneInfo,
};
