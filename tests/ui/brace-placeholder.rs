use graph_runtime::graph_action;

// The path as the Graph documentation writes it.
#[graph_action(POST, "/communications/calls/{id}/participants/{id}/mute")]
pub struct MuteParticipant {
    #[path]
    pub call_id: String,
    #[path]
    pub participant_id: String,
}

fn main() {}
