use graph_runtime::graph_action;

#[graph_action(GET, "/communications/calls")]
pub struct ListCalls {
    #[header("ConsistencyLevel")]
    pub consistency: Option<String>,
    #[header("consistencylevel")]
    pub level: Option<String>,
}

fn main() {}
