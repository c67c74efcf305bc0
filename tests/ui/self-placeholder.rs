use graph_runtime::graph_action;

#[graph_action(GET, "/users/<self>/calls")]
pub struct ListCalls {
    #[path]
    pub user_id: String,
}

fn main() {}
