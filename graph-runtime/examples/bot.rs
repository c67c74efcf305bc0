//! A calling bot, end to end and offline.
//!
//! ```sh
//! cargo run -p graph-runtime --features emulator --example bot
//! ```
//!
//! The bot serves its callback URL with a [`Receiver`] (the axum handler),
//! and the built-in emulator plays Microsoft Graph: it rings the bot with a
//! signed notification, the bot answers, plays a prompt and awaits its
//! completion, mutes the caller and awaits that, then hangs up. Operations
//! answer `running` and finish by notification, as they do on Graph. The
//! bot prints a timeline of its requests, the notifications it received and
//! the outcomes; it exits non-zero if any step fails, and gives up after 30 s.

use std::error::Error;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use graph_runtime::comms::{
    AnswerCall, DeleteCall, Identity, IdentitySet, MediaConfig, MediaInfo, MediaPrompt, Modality,
    MuteParticipant, PlayPrompt,
};
use graph_runtime::emulator::Emulator;
use graph_runtime::notify::{CallEvent, Receiver, axum_handler};

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// How long any single wait may take; the whole run is bounded by 30 s.
const STEP: Duration = Duration::from_secs(10);

#[tokio::main]
async fn main() -> ExitCode {
    match tokio::time::timeout(Duration::from_secs(30), run()).await {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(error)) => {
            eprintln!("bot failed: {error}");
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("bot failed: not done within 30 s");
            ExitCode::FAILURE
        }
    }
}

/// Prints timeline lines, milliseconds since the start.
#[derive(Clone, Copy)]
struct Timeline(Instant);

impl Timeline {
    fn line(&self, arrow: &str, text: impl std::fmt::Display) {
        println!("{:>6} ms  {arrow} {text}", self.0.elapsed().as_millis());
    }
}

async fn run() -> Result<()> {
    let t = Timeline(Instant::now());

    // 1. The bot's HTTP endpoint, on loopback (Graph would reach it by https).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let callback = format!("http://{}/api/calls", listener.local_addr()?);

    // 2. The emulated Graph: operations finish 300 ms later, by notification.
    let emulator = Emulator::builder()
        .operation_delay(Duration::from_millis(300))
        .bot_callback(&callback)
        .start()
        .await?;
    let client = emulator.client()?;

    // 3. The receiver trusts the emulator's keys, for the bot's app id.
    let receiver = Receiver::builder()
        .app_id(emulator.app_id())
        .openid_config_url(emulator.openid_config_url())
        .build()?;
    let app = axum::Router::new()
        .route("/api/calls", axum::routing::post(axum_handler))
        .with_state(receiver.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    t.line("--", format!("bot listening at {callback}"));

    // Every notification is printed as it arrives, then handed to the flow.
    let mut all = receiver.events();
    let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(event) = all.next().await {
            t.line("<-", describe(&event));
            if tx.send(event).is_err() {
                break;
            }
        }
    });
    let operations = receiver.operations();

    // 4. Someone calls the bot.
    let caller = IdentitySet::user(Identity::new(
        "8d6e8a1c-1111-4e6b-9f43-2a1d1e5f0c01",
        "Adele",
    ));
    emulator.incoming_call(caller);
    let (call_id, caller_id) = loop {
        if let CallEvent::IncomingCall { call_id, call, .. } = next(&mut events).await? {
            let caller_id = call
                .source
                .and_then(|s| s.participant_id)
                .ok_or("the incoming call names no caller participant")?;
            break (call_id, caller_id);
        }
    };

    // 5. Answer it; wait until it is established.
    let answer = AnswerCall {
        call_id: call_id.clone(),
        callback_uri: Some(callback.clone()),
        accepted_modalities: vec![Modality::Audio],
        media_config: MediaConfig::service_hosted(),
        participant_capacity: None,
    }
    .send(&client)
    .await?;
    t.line("->", format!("answer: {}", answer.status()));
    wait_for(&mut events, |e| {
        matches!(e, CallEvent::CallChanged { call, .. }
            if call.state == Some(graph_runtime::comms::CallState::Established))
    })
    .await?;

    // 6. Play a prompt and await its completion notification.
    let prompt = PlayPrompt {
        call_id: call_id.clone(),
        prompts: vec![MediaPrompt::new(MediaInfo::new(
            "https://cdn.contoso.com/welcome.wav",
        ))],
        client_context: Some("welcome-prompt".into()),
    }
    .send(&client)
    .await?;
    t.line(
        "->",
        format!("playPrompt: {} {:?}", prompt.status(), prompt.status),
    );
    let played = operations.wait(&prompt, STEP).await?;
    t.line(
        "ok",
        format!(
            "prompt played: {:?} {:?}",
            played.status,
            played.result_info.and_then(|r| r.message)
        ),
    );

    // 7. Mute the caller and await that too.
    let mute = MuteParticipant {
        call_id: call_id.clone(),
        participant_id: caller_id.clone(),
        client_context: Some("mute-caller".into()),
    }
    .send(&client)
    .await?;
    t.line("->", format!("mute: {} {:?}", mute.status(), mute.status));
    let muted = operations.wait(&mute, STEP).await?;
    t.line("ok", format!("caller muted: {:?}", muted.status));

    // 8. Hang up; the call ends.
    let hangup = DeleteCall {
        call_id: call_id.clone(),
    }
    .send(&client)
    .await?;
    t.line("->", format!("hang up: {}", hangup.status()));
    wait_for(&mut events, |e| {
        matches!(e, CallEvent::CallChanged { change, .. } if *change == graph_runtime::comms::ChangeType::Deleted)
    })
    .await?;

    check_requests(&emulator)?;
    t.line("ok", "done: answered, prompted, muted, hung up");
    emulator.shutdown().await;
    Ok(())
}

type Events = tokio::sync::mpsc::UnboundedReceiver<CallEvent>;

/// The next event.
async fn next(events: &mut Events) -> Result<CallEvent> {
    let event = tokio::time::timeout(STEP, events.recv())
        .await
        .map_err(|_| "no notification came")?
        .ok_or("the receiver stopped")?;
    Ok(event)
}

/// The next event `wanted` accepts (the others were printed already).
async fn wait_for(events: &mut Events, wanted: impl Fn(&CallEvent) -> bool) -> Result<CallEvent> {
    loop {
        let event = next(events).await?;
        if wanted(&event) {
            return Ok(event);
        }
    }
}

fn describe(event: &CallEvent) -> String {
    match event {
        CallEvent::IncomingCall { call_id, call, .. } => {
            let who = call
                .source
                .as_ref()
                .and_then(|s| s.identity.as_ref())
                .and_then(|i| i.primary())
                .and_then(|i| i.display_name.clone())
                .unwrap_or_default();
            format!("incoming call {call_id} from {who}")
        }
        CallEvent::CallChanged { change, call, .. } => {
            format!("call {change:?}: state {:?}", call.state)
        }
        CallEvent::RosterUpdated { participants, .. } => {
            let muted = participants
                .iter()
                .filter(|p| p.is_muted == Some(true))
                .count();
            format!(
                "roster: {} participant(s), {muted} muted",
                participants.len()
            )
        }
        CallEvent::OperationFinished { operation, .. } => format!(
            "operation {} {:?}",
            operation.client_context.as_deref().unwrap_or("?"),
            operation.status
        ),
        other => format!("{other:?}"),
    }
}

/// The emulator saw exactly the bot's four requests (its key fetches are not
/// among them), and the bot accepted every notification.
fn check_requests(emulator: &Emulator) -> Result<()> {
    let paths: Vec<String> = emulator
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    if paths.len() != 4 {
        return Err(format!("expected 4 requests, the emulator saw {paths:?}").into());
    }
    let undelivered = emulator
        .deliveries()
        .iter()
        .filter(|d| !d.delivered())
        .count();
    if undelivered > 0 {
        return Err(format!("{undelivered} notification(s) were not accepted by the bot").into());
    }
    Ok(())
}
