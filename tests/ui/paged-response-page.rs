use graph_runtime::comms::Participant;
use graph_runtime::{Page, graph_action};

#[graph_action(GET, "/communications/calls/<callId>/participants", response = Page<Participant>, paged)]
pub struct ListParticipants {
    #[path]
    pub call_id: String,
}

fn main() {}
