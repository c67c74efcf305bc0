use graph_runtime::graph_action;

#[graph_action(GET, "/communications/calls/<call-id>")]
pub struct GetCall {
    #[path]
    pub call_id: String,
}

fn main() {}
