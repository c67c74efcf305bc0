use graph_runtime::graph_action;

#[graph_action(GET, "/communications/calls/<id>/participants/<id>")]
pub struct GetParticipant {
    #[path]
    pub id: String,
}

fn main() {}
