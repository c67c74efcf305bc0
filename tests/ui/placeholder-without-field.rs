use graph_runtime::graph_action;

#[graph_action(POST, "/communications/calls/<callId>/participants/<participantId>/mute")]
pub struct MuteParticipant {
    #[path]
    pub call_id: String,
}

fn main() {}
