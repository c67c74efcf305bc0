//! Mutes one participant with `#[graph_action]` and graph-runtime.

use graph_runtime::comms::MuteParticipantOperation;
use graph_runtime::{GraphClient, graph_action};

/// Mute a participant in a group call.
#[graph_action(POST, "/communications/calls/<callId>/participants/<participantId>/mute",
               response = MuteParticipantOperation)]
pub struct MuteParticipant {
    #[path]
    pub call_id: String,
    #[path]
    pub participant_id: String,
    /// Unique client context string, at most 256 characters.
    pub client_context: Option<String>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(call_id), Some(participant_id)) = (args.next(), args.next()) else {
        return Err("usage: mute <callId> <participantId>".into());
    };
    let token = std::env::var("GRAPH_TOKEN")?;

    let client = GraphClient::builder().bearer_token(token).build()?;
    let op = MuteParticipant { call_id, participant_id, client_context: None }
        .send(&client)
        .await?;
    println!("operation {:?} is {:?}", op.id, op.status);
    Ok(())
}
