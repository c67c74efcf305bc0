use graph_runtime::comms::Call;
use graph_runtime::graph_action;

#[graph_action(GET, "/communications/calls/<callId>", response = "Call")]
pub struct GetCall {
    #[path]
    pub call_id: String,
}

fn main() {}
