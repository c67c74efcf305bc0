use graph_runtime::graph_action;

#[graph_action(GET, "/communications/calls/<callId>")]
pub struct GetCall {
    #[path]
    #[allow(non_snake_case)]
    pub callId: String,
}

fn main() {}
