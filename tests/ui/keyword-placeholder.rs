use graph_runtime::graph_action;

#[graph_action(GET, "/directory/<type>/items")]
pub struct ListItems;

fn main() {}
