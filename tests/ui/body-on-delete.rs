use graph_runtime::graph_action;

#[graph_action(DELETE, "/communications/calls/<callId>")]
pub struct DeleteCall {
    #[path]
    pub call_id: String,
    pub reason: String,
}

fn main() {}
