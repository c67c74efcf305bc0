use graph_runtime::graph_action;

#[graph_action(post, "/communications/calls/{callId}/participants/<participantId>/mute/", response = (), response = ())]
pub struct MuteParticipant<T> {
    #[path]
    pub participant: String,
    #[path]
    #[query]
    pub participant_id: T,
}

fn main() {}
