use graph_runtime::graph_action;

pub struct Participant {
    pub id: String,
}

#[graph_action(GET, "/communications/calls/<callId>/participants", response = Participant, paged)]
pub struct ListParticipants {
    #[path]
    pub call_id: String,
}

fn main() {}
