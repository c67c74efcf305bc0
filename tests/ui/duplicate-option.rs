use graph_runtime::graph_action;

#[graph_action(POST, "/communications/calls/<callId>/mute", response = (), response = ())]
pub struct MuteCall {
    #[path]
    pub call_id: String,
}

fn main() {}
