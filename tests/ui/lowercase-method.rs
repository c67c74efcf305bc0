use graph_runtime::graph_action;

#[graph_action(post, "/communications/calls/<callId>/mute")]
pub struct MuteCall {
    #[path]
    pub call_id: String,
}

fn main() {}
