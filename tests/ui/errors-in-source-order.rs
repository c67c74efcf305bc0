use graph_runtime::graph_action;

#[graph_action(get, "/communications/calls/<callId>/", paged)]
pub struct GetCall {
    #[path]
    #[query]
    pub call_id: String,
}

fn main() {}
