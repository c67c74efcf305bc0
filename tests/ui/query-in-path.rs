use graph_runtime::graph_action;

#[graph_action(GET, "/communications/calls?$top=5")]
pub struct ListCalls;

fn main() {}
