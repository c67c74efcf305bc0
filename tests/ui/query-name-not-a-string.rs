use graph_runtime::graph_action;

#[graph_action(GET, "/communications/calls")]
pub struct ListCalls {
    #[query(skipToken)]
    pub skip: Option<String>,
}

fn main() {}
