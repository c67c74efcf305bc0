use graph_runtime::graph_action;

#[graph_action(GET, "/communications/calls", crate = 5)]
pub struct ListCalls;

fn main() {}
