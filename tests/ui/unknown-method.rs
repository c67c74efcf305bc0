use graph_runtime::graph_action;

#[graph_action(HEAD, "/communications/calls/<callId>")]
pub struct CallExists {
    #[path]
    pub call_id: String,
}

fn main() {}
