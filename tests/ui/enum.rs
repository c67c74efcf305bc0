use graph_runtime::graph_action;

#[graph_action(GET, "/communications/calls/<callId>")]
pub enum GetCall {
    ById { call_id: String },
}

fn main() {}
