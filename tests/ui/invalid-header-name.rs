use graph_runtime::graph_action;

#[graph_action(GET, "/communications/calls")]
pub struct ListCalls {
    #[header("Consistency Level")]
    pub consistency_level: Option<String>,
}

fn main() {}
