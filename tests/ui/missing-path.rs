use graph_runtime::graph_action;

#[graph_action(GET)]
pub struct ListCalls;

fn main() {}
