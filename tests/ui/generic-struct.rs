use graph_runtime::graph_action;

#[graph_action(GET, "/communications/calls/<callId>")]
pub struct GetCall<Id> {
    #[path]
    pub call_id: Id,
}

fn main() {}
