use graph_runtime::graph_action;

#[graph_action(POST, "/communications/calls/<callId>/keepAlive", idempotent = true)]
pub struct KeepAlive {
    #[path]
    pub call_id: String,
}

fn main() {}
