use graph_runtime::graph_action;

#[derive(serde::Deserialize)]
pub struct GetCallResponse {
    pub id: String,
}

#[graph_action(GET, "/communications/calls/<callId>", response = GetCallResponse)]
pub struct GetCall {
    #[path]
    pub call_id: String,
}

fn main() {}
