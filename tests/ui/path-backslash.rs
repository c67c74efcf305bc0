use graph_runtime::graph_action;

#[graph_action(GET, r"/communications/calls/<callId>\participants")]
pub struct ListParticipants {
    #[path]
    pub call_id: String,
}

fn main() {}
