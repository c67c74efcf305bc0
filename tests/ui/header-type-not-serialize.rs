use graph_runtime::graph_action;

pub struct Level;

#[graph_action(GET, "/communications/calls")]
pub struct ListCalls {
    #[header("ConsistencyLevel")]
    pub level: Level,
}

fn main() {}
