use graph_runtime::graph_action;

#[graph_action(GET, "/communications/calls/<callId>")]
pub struct GetCall<'a> {
    #[path]
    pub call_id: &'a str,
}

fn main() {}
