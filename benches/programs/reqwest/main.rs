//! Mutes one participant with reqwest and serde_json, written by hand.

use serde::{Deserialize, Serialize};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MuteBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    client_context: Option<&'a str>,
}

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

    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder().build()?;
    let mut url = reqwest::Url::parse("https://graph.microsoft.com/v1.0")?;
    url.path_segments_mut()
        .map_err(|()| "base URL cannot have a path")?
        .extend(["communications", "calls", &call_id, "participants", &participant_id, "mute"]);
    let body = serde_json::to_vec(&MuteBody { client_context: None })?;
    let resp = client
        .post(url)
        .header("Authorization", format!("Bearer {token}"))
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .header("client-request-id", uuid::Uuid::new_v4().to_string())
        .header("User-Agent", "mute-reqwest/0.0.0")
        .body(body)
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
