use graph_runtime::graph_action;

#[graph_action(GET, "/communications/calls")]
pub struct ListCalls {
    #[header(Prefer)]
    pub prefer: Option<String>,
}

fn main() {}
