//! Mutes a participant of a call.
//!
//! ```sh
//! cargo run -p graph-runtime --features emulator --example mute
//! ```
//!
//! Without credentials in the environment, it starts the built-in Graph
//! emulator, creates a call with two people, mutes one, and prints the wire
//! request, the typed operation and the participant's new state.
//!
//! With `GRAPH_TENANT_ID`, `GRAPH_CLIENT_ID`, `GRAPH_CLIENT_SECRET`,
//! `GRAPH_CALL_ID` and `GRAPH_PARTICIPANT_ID` all set, it mutes that participant
//! of a real call through Microsoft Graph, with an app-only token from the
//! client credentials flow.

use std::error::Error;
use std::process::ExitCode;

use graph_runtime::comms::{
    Call, CreateCall, GetParticipant, Identity, IdentitySet, InvitationParticipantInfo,
    ListParticipants, MediaConfig, Modality, MuteParticipant, MuteParticipantOperation,
};
use graph_runtime::emulator::Emulator;
use graph_runtime::{ClientCredentials, GraphClient, Response};

const VARS: [&str; 5] = [
    "GRAPH_TENANT_ID",
    "GRAPH_CLIENT_ID",
    "GRAPH_CLIENT_SECRET",
    "GRAPH_CALL_ID",
    "GRAPH_PARTICIPANT_ID",
];

type Result<T> = std::result::Result<T, Box<dyn Error>>;

#[tokio::main]
async fn main() -> ExitCode {
    let values: Vec<Option<String>> = VARS
        .iter()
        .map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
        .collect();
    let missing: Vec<&str> = VARS
        .iter()
        .zip(&values)
        .filter(|(_, value)| value.is_none())
        .map(|(name, _)| *name)
        .collect();

    let outcome = match (missing.len(), values.as_slice()) {
        (
            0,
            [
                Some(tenant),
                Some(client),
                Some(secret),
                Some(call),
                Some(participant),
            ],
        ) => with_graph(tenant, client, secret, call, participant).await,
        (n, _) if n == VARS.len() => with_emulator().await,
        _ => {
            eprintln!(
                "Set all five of {} to mute a participant of a real call, or none of them \
                 to use the built-in emulator.\nMissing: {}",
                VARS.join(", "),
                missing.join(", ")
            );
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The quick start: everything on loopback.
async fn with_emulator() -> Result<()> {
    let emulator = Emulator::start().await?;
    println!("Graph emulator listening on {}\n", emulator.base_url());
    let client = emulator.client()?;

    let person = |id: &str, name: &str| {
        InvitationParticipantInfo::new(IdentitySet::user(Identity::new(id, name)))
    };
    let call = CreateCall {
        call: Call {
            odata_type: Some(Call::ODATA_TYPE.into()),
            callback_uri: Some("https://bot.contoso.com/callback".into()),
            targets: Some(vec![
                person("112f7296-5fa4-42ca-bae8-6a692b15d4b8", "John"),
                person("5810cede-f3cc-42eb-b2c1-e9bd5d53ec96", "Bob"),
            ]),
            requested_modalities: Some(vec![Modality::Audio]),
            media_config: Some(MediaConfig::service_hosted()),
            ..Call::default()
        },
    }
    .send(&client)
    .await?;
    let call_id = call.id.clone().ok_or("the created call has no id")?;

    let participants = ListParticipants {
        call_id: call_id.clone(),
        top: None,
    }
    .send(&client)
    .await?;
    let bob = participants
        .value
        .iter()
        .find(|p| display_name(p.info.as_ref().and_then(|i| i.identity.as_ref())) == "Bob")
        .and_then(|p| p.id.clone())
        .ok_or("Bob is not in the call")?;
    println!(
        "Created call {call_id} with {} participants (the bot, John, Bob).\n",
        participants.value.len()
    );

    emulator.clear_requests();
    let op = MuteParticipant {
        call_id: call_id.clone(),
        participant_id: bob.clone(),
        client_context: Some("quick-start-mute".into()),
    }
    .send(&client)
    .await?;
    if let Some(request) = emulator.requests().first() {
        println!("--> wire request\n{request}\n");
    }
    print_operation(&op);

    let bob_now = GetParticipant {
        call_id: call_id.clone(),
        participant_id: bob,
    }
    .send(&client)
    .await?;
    println!("\nBob's state now: isMuted = {:?}", bob_now.is_muted);

    emulator.shutdown().await;
    Ok(())
}

/// The same mute against Microsoft Graph.
async fn with_graph(
    tenant: &str,
    client_id: &str,
    secret: &str,
    call_id: &str,
    participant_id: &str,
) -> Result<()> {
    let client = GraphClient::builder()
        .token_provider(ClientCredentials::new(tenant, client_id, secret))
        .build()?;
    println!("Muting participant {participant_id} of call {call_id} through Microsoft Graph.\n");
    let op = MuteParticipant {
        call_id: call_id.into(),
        participant_id: participant_id.into(),
        client_context: Some("quick-start-mute".into()),
    }
    .send(&client)
    .await?;
    print_operation(&op);
    Ok(())
}

fn print_operation(op: &Response<MuteParticipantOperation>) {
    println!(
        "<-- {} {}",
        op.status(),
        op.location().unwrap_or("(no Location)")
    );
    println!("typed operation: {:?}", op.body());
    if op.is_finished() {
        println!("The operation finished: no notification will follow.");
    } else {
        println!("The operation is still running: its outcome arrives as a notification.");
    }
}

fn display_name(identity: Option<&IdentitySet>) -> &str {
    identity
        .and_then(IdentitySet::primary)
        .and_then(|i| i.display_name.as_deref())
        .unwrap_or_default()
}
