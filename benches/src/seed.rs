//! The seed action of design section 1, declared as a user would, and the reader
//! of its answer. (Its request is built by `graph_runtime::bench_hooks::first_request`.)

use graph_runtime::graph_action;

pub use graph_runtime::comms::MuteParticipantOperation;

/// Mute a participant in a group call.
#[graph_action(POST, "/communications/calls/<callId>/participants/<participantId>/mute",
               response = MuteParticipantOperation)]
#[derive(Debug, Clone)]
pub struct MuteParticipant {
    /// The call.
    #[path]
    pub call_id: String,
    /// The participant to mute.
    #[path]
    pub participant_id: String,
    /// Unique client context string, at most 256 characters.
    pub client_context: Option<String>,
}

impl MuteParticipant {
    /// The documentation's example call.
    pub fn example() -> Self {
        MuteParticipant {
            call_id: crate::CALL_ID.to_owned(),
            participant_id: crate::PARTICIPANT_ID.to_owned(),
            client_context: Some(crate::CLIENT_CONTEXT.to_owned()),
        }
    }
}

/// Reads a successful answer's body as `send` does (`graph_runtime::bench_hooks`).
pub fn read_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    graph_runtime::bench_hooks::decode_body(body)
}
