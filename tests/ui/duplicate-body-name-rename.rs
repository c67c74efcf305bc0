use graph_runtime::graph_action;

#[graph_action(PATCH, "/communications/calls/<callId>")]
pub struct UpdateCall {
    #[path]
    pub call_id: String,
    pub topic: String,
    #[serde(rename = "topic")]
    pub subject: String,
}

fn main() {}
