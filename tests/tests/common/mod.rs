//! Fixtures shared by the emulator tests of this crate.

use std::time::Duration;

use graph_runtime::GraphClient;
use graph_runtime::comms::*;
use graph_runtime::emulator::Emulator;

/// A client of `emulator` with its own timeouts off: a paused runtime waiting on
/// the network jumps to its next timer, which would fire them at random (see
/// `Emulator`'s docs).
pub fn paused_clock_client(emulator: &Emulator) -> GraphClient {
    emulator
        .client_builder()
        .timeout(Duration::MAX)
        .connect_timeout(Duration::MAX)
        .build()
        .expect("client")
}

/// A call with `people` targets; returns its id and the targets' participant ids.
pub async fn call_with(client: &GraphClient, people: usize) -> (String, Vec<String>) {
    let targets = (0..people)
        .map(|n| {
            InvitationParticipantInfo::new(IdentitySet::user(Identity::new(
                format!("u{n}"),
                format!("Person {n}"),
            )))
        })
        .collect();
    let call = CreateCall {
        call: Call {
            callback_uri: Some("https://bot.contoso.com/callback".into()),
            targets: Some(targets),
            requested_modalities: Some(vec![Modality::Audio]),
            media_config: Some(MediaConfig::service_hosted()),
            ..Call::default()
        },
    }
    .send(client)
    .await
    .expect("create call");
    let call_id = call.id.clone().expect("id");
    let participants = client
        .send(&ListParticipants {
            call_id: call_id.clone(),
            top: None,
        })
        .await
        .expect("list");
    // The bot is the first participant.
    let ids = participants.value[1..]
        .iter()
        .map(|p| p.id.clone().expect("participant id"))
        .collect();
    (call_id, ids)
}
