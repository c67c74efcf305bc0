use graph_runtime::graph_action;

#[graph_action(GET, "/communications/calls")]
pub struct ListCalls {
    #[query("$top")]
    pub top: Option<u32>,
    #[query("$top")]
    pub page_size: Option<u32>,
}

fn main() {}
