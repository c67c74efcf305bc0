use graph_runtime::graph_action;

#[graph_action(GET, "/packages/<crate>")]
pub struct GetPackage;

fn main() {}
