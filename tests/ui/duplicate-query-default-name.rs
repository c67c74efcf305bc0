use graph_runtime::graph_action;

#[graph_action(GET, "/communications/calls")]
pub struct ListCalls {
    #[query]
    pub top: Option<u32>,
    #[query("top")]
    pub limit: Option<u32>,
}

fn main() {}
