use graph_runtime::comms::Participant;
use graph_runtime::graph_action;

#[graph_action(GET, "/communications/calls/<callId>/participants", response = Vec<Participant>, paged)]
pub struct ListParticipants {
    #[path]
    pub call_id: String,
}

fn main() {}
