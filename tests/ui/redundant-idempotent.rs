use graph_runtime::graph_action;

#[graph_action(PUT, "/communications/calls/<callId>/recording", idempotent)]
pub struct SetRecording {
    #[path]
    pub call_id: String,
    pub status: String,
}

fn main() {}
