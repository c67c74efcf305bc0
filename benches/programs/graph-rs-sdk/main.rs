//! Mutes one participant with graph-rs-sdk.

use graph_rs_sdk::GraphClient;
use serde::Deserialize;

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
struct MuteParticipantOperation {
    id: Option<String>,
    status: Option<String>,
    #[allow(dead_code)]
    client_context: Option<String>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(call_id), Some(participant_id)) = (args.next(), args.next()) else {
        return Err("usage: mute <callId> <participantId>".into());
    };
    let token = std::env::var("GRAPH_TOKEN")?;

    let client = GraphClient::new(token);
    let resp = client
        .communications()
        .call(&call_id)
        .mute_participants(&participant_id, &serde_json::json!({}))
        .send()
        .await?;
    let status = resp.status();
    let bytes = resp.bytes().await?;
    if !status.is_success() {
        return Err(format!("{status}: {}", String::from_utf8_lossy(&bytes)).into());
    }
    let op: MuteParticipantOperation = serde_json::from_slice(&bytes)?;
    println!("operation {:?} is {:?}", op.id, op.status);
    Ok(())
}
