use graph_runtime::graph_action;

#[graph_action(GET, "/communications/calls", version = "v2.0")]
pub struct ListCalls;

fn main() {}
