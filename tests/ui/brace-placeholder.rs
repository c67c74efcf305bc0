use graph_runtime::graph_action;

#[graph_action(POST, "/communications/calls/{id}/participants/{participantId}/mute")]
pub struct MuteParticipant {
    #[path]
    pub id: String,
    #[path]
    pub participant_id: String,
}

fn main() {}
