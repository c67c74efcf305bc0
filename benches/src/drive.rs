//! Driving calls for the loopback benches: both sides (`send` and the
//! hand-written call) on one client pair, sequentially or with N in flight, on
//! whichever tokio runtime the caller runs (tasks are `Send`, so the
//! multi-thread runtime `#[tokio::main]` starts works as well as a
//! current-thread one).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use graph_runtime::GraphClient;

use crate::hand::HandClient;
use crate::seed::MuteParticipant;
use crate::server::Server;
use crate::{BoxError, CALL_ID, CLIENT_CONTEXT, OPERATION_ID, PARTICIPANT_ID, TOKEN};

/// Which side makes the calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// `GraphClient::send` with the seed action.
    Ours,
    /// The same call written by hand with reqwest and serde_json.
    Hand,
}

impl Side {
    /// How the reports name the side.
    pub fn name(self) -> &'static str {
        match self {
            Side::Ours => "graph-runtime send",
            Side::Hand => "hand-written reqwest",
        }
    }
}

/// Which tokio runtime runs the clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    /// The multi-thread runtime as `#[tokio::main]` starts it (one worker per
    /// core), with the server in the same runtime.
    Multi,
    /// A current-thread runtime for the clients; the server on its own thread
    /// and current-thread runtime.
    Current,
}

impl Runtime {
    /// How the reports name the runtime.
    pub fn name(self) -> &'static str {
        match self {
            Runtime::Multi => "multi-thread",
            Runtime::Current => "current-thread",
        }
    }

    /// Builds the runtime.
    pub fn build(self) -> std::io::Result<tokio::runtime::Runtime> {
        match self {
            // What `#[tokio::main]` does.
            Runtime::Multi => tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build(),
            Runtime::Current => tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build(),
        }
    }

    /// Starts the loopback server for this runtime: inside it (multi-thread),
    /// or on a thread of its own (current-thread). Call from within the runtime.
    pub fn start_server(self) -> Result<Server, BoxError> {
        match self {
            Runtime::Multi => Server::spawn_here(),
            Runtime::Current => Server::start(),
        }
    }
}

/// Both clients and the action, shared by the tasks of a run.
pub struct Clients {
    /// `GraphClient` with default settings (the 100 s per-attempt timeout on).
    pub ours: GraphClient,
    /// The seed action.
    pub action: MuteParticipant,
    /// The hand-written client.
    pub hand: HandClient,
    /// Control runs (A/A): a second hand-written client, with its own
    /// connection, that takes the `Ours` side's place, so both sides run the
    /// same code and their ratio shows what the bench itself adds.
    pub control: Option<HandClient>,
}

impl Clients {
    /// Both clients for the server at `base` (`ours_timeout` `None` keeps the
    /// default per-attempt timeout).
    pub fn new(base: &str, ours_timeout: Option<Duration>) -> Result<Self, BoxError> {
        let mut ours = GraphClient::builder().bearer_token(TOKEN).base_url(base);
        if let Some(t) = ours_timeout {
            ours = ours.timeout(t);
        }
        Ok(Clients {
            ours: ours.build()?,
            action: MuteParticipant::example(),
            hand: HandClient::new(base, TOKEN)?,
            control: None,
        })
    }

    /// [`Clients::new`] for a control run: the `Ours` side makes the
    /// hand-written call too, through a second hand-written client.
    pub fn control(base: &str) -> Result<Self, BoxError> {
        let mut clients = Self::new(base, None)?;
        clients.control = Some(HandClient::new(base, TOKEN)?);
        Ok(clients)
    }

    /// One call by `side`, checking the answer.
    pub async fn call(&self, side: Side) -> Result<(), BoxError> {
        match side {
            Side::Ours => match &self.control {
                None => {
                    let op = self.action.send(&self.ours).await?;
                    check(op.id.as_deref())
                }
                Some(control) => {
                    let op = control
                        .mute(CALL_ID, PARTICIPANT_ID, Some(CLIENT_CONTEXT))
                        .await?;
                    check(op.id.as_deref())
                }
            },
            Side::Hand => {
                let op = self
                    .hand
                    .mute(CALL_ID, PARTICIPANT_ID, Some(CLIENT_CONTEXT))
                    .await?;
                check(op.id.as_deref())
            }
        }
    }
}

fn check(id: Option<&str>) -> Result<(), BoxError> {
    if id == Some(OPERATION_ID) {
        Ok(())
    } else {
        Err(format!("unexpected operation id {id:?}").into())
    }
}

/// Runs `calls` calls by `side` with `concurrency` in flight (spawned tasks
/// when more than one).
pub async fn run(
    clients: &Arc<Clients>,
    side: Side,
    calls: usize,
    concurrency: usize,
) -> Result<(), BoxError> {
    if concurrency == 1 {
        for _ in 0..calls {
            clients.call(side).await?;
        }
        return Ok(());
    }
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency.min(calls) {
        let clients = Arc::clone(clients);
        let next = Arc::clone(&next);
        tasks.spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < calls {
                clients.call(side).await?;
            }
            Ok::<(), BoxError>(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(())
}
