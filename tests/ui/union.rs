use graph_runtime::graph_action;

#[graph_action(GET, "/communications/calls")]
pub union ListCalls {
    pub top: u32,
}

fn main() {}
