use graph_runtime::graph_action;

#[graph_action(GET, "/communications/calls")]
pub fn list_calls() {}

fn main() {}
