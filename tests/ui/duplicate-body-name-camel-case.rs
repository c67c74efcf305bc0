use graph_runtime::graph_action;

#[graph_action(POST, "/communications/calls/<callId>/mute")]
pub struct MuteCall {
    #[path]
    pub call_id: String,
    pub client_context: Option<String>,
    #[allow(non_snake_case)]
    pub clientContext: Option<String>,
}

fn main() {}
