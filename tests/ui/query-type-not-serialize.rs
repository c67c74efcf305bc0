use graph_runtime::graph_action;

pub struct Top(u32);

#[graph_action(GET, "/communications/calls")]
pub struct ListCalls {
    #[query("$top")]
    pub top: Top,
}

fn main() {}
