use graph_runtime::graph_action;

pub struct Context(String);

#[graph_action(POST, "/communications/calls/<callId>/mute")]
pub struct MuteCall {
    #[path]
    pub call_id: String,
    #[serde(rename = "clientContext", skip_serializing_if = "is_local")]
    pub context: Context,
}

fn is_local(_: &&Context) -> bool {
    false
}

fn main() {}
