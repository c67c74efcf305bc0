use graph_runtime::graph_action;

pub struct Operation {
    pub id: String,
}

#[graph_action(POST, "/communications/calls/<callId>/keepAlive", response = Operation)]
pub struct KeepAlive {
    #[path]
    pub call_id: String,
}

fn main() {}
