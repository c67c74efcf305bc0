use graph_runtime::graph_action;

#[graph_action]
pub struct ListCalls;

fn main() {}
