use graph_runtime::graph_action;

#[graph_action(GET, "/communications/calls")]
pub struct ListCalls {
    #[query("$top=10")]
    pub top: Option<u32>,
}

fn main() {}
