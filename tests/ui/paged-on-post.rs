use graph_runtime::graph_action;

#[graph_action(POST, "/communications/calls/<callId>/participants/invite", response = String, paged)]
pub struct InviteParticipants {
    #[path]
    pub call_id: String,
}

fn main() {}
