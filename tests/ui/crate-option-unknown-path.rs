#[graph_runtime::graph_action(GET, "/communications/calls", crate = my_graph)]
pub struct ListCalls;

fn main() {}
