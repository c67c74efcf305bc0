use graph_runtime::graph_action;

#[graph_action(POST, "/communications/calls/<callId>/mute", retries = 3)]
pub struct MuteCall {
    #[path]
    pub call_id: String,
}

fn main() {}
