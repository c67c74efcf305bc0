use graph_runtime::graph_action;

pub struct CallId(String);

#[graph_action(GET, "/communications/calls/<callId>")]
pub struct GetCall {
    #[path]
    pub call_id: CallId,
}

fn main() {}
