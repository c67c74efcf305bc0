use graph_runtime::graph_action;

#[graph_action(GET, "/communications/calls/<callId>/participantés")]
pub struct ListParticipants {
    #[path]
    pub call_id: String,
}

fn main() {}
