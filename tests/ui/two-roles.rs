use graph_runtime::graph_action;

#[graph_action(GET, "/communications/calls/<callId>/participants")]
pub struct ListParticipants {
    #[path]
    pub call_id: String,
    #[query("$top")]
    #[header("Prefer")]
    pub top: Option<u32>,
}

fn main() {}
