//! An in-process Graph cloud communications service on loopback, for tests,
//! examples and local development (cargo feature `emulator`).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use graph_runtime::emulator::{Emulator, Fault};
//!
//! let emulator = Emulator::start().await?;
//! let client = emulator.client()?; // base URL set, any bearer token accepted
//! emulator.inject(Fault::Throttle { count: 2, retry_after: std::time::Duration::from_secs(1) });
//! // ... send actions with `client` ...
//! for request in emulator.requests() {
//!     println!("{request}"); // Authorization shown as `Bearer <redacted>`
//! }
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! What it serves, under both `/v1.0` and `/beta`:
//!
//! - `POST /communications/calls` creates a call (`201`, `Location`): the bot is a
//!   participant (`myParticipantId`), and so is each target. The answer says
//!   `establishing`; the stored call is `established` at once.
//! - [`Emulator::incoming_call`] rings the bot: the call is `incoming` until
//!   `answer` (`established`), `reject` or `redirect` (`terminated`); on a call
//!   past ringing, `reject` and `redirect` change nothing.
//! - `GET`/`DELETE` on calls and participants; participant lists page with
//!   `$top` and `@odata.nextLink`.
//! - participant `mute` (sets `isMuted`), `invite` (adds participants),
//!   `startHoldMusic`/`stopHoldMusic`; call `mute`/`unmute` (the bot's own
//!   participant), `playPrompt`, `recordResponse`, `cancelMediaProcessing`,
//!   `subscribeToTone`, `updateRecordingStatus`: each answers a `completed`
//!   operation with a `Location` to `GET .../operations/{id}`. There is no
//!   notification channel, so every operation completes at once.
//! - `answer`, `reject`, `redirect`, `transfer`, `changeScreenSharingRole`:
//!   `202`; `keepAlive`: `200`. The `microsoft.graph.`-prefixed action segments
//!   work too.
//! - Errors are Graph-shaped (`{"error": {"code", "message", "innerError"}}`):
//!   `404 itemNotFound` for an unknown call, participant or operation, `400
//!   BadRequest` for an invalid body, `401 InvalidAuthenticationToken` without a
//!   bearer token. Every answer carries a `request-id` header and echoes
//!   `client-request-id`.
//!
//! - `POST /$batch` (JSON batching): each item is served as the request it
//!   describes, in order, honouring `dependsOn` (`424` after a failed
//!   dependency); the answers come back in reverse order, as Graph may send
//!   them in any. At most 20 items, unique ids, relative URLs, `Content-Type`
//!   with a body, else `400`. [`Fault::BatchItemThrottle`] answers items 429;
//!   the other faults answer the whole `$batch` POST. Only the `$batch` POST
//!   is in [`Emulator::requests`], not its items.
//!
//! The server runs on its own thread with its own runtime, like wiremock's, so it
//! keeps answering while a test's runtime has its clock paused.

mod batch;
mod faults;
mod log;
mod reply;
mod routes;
mod server;
mod state;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

pub use faults::Fault;
pub use log::RecordedRequest;

use crate::comms::{Call, IdentitySet, Participant};
use crate::{GraphClient, GraphClientBuilder, GraphError};
use server::{Shared, lock};

/// A running emulated Graph service on `127.0.0.1` and an ephemeral port.
///
/// Shuts down on [`Emulator::shutdown`] or when dropped.
///
/// # Paused clocks
///
/// The emulator answers from its own thread, so a test may pause its clock
/// (`#[tokio::test(start_paused = true)]`) to skip `Retry-After` waits. But a
/// paused runtime that waits on the network with a timer pending jumps its clock
/// to that timer: the client's per-attempt and connect timeouts would then fire
/// at random. Turn them off in such tests:
///
/// ```no_run
/// # async fn demo(emulator: graph_runtime::emulator::Emulator) -> Result<(), graph_runtime::GraphError> {
/// use std::time::Duration;
/// let client = emulator
///     .client_builder()
///     .timeout(Duration::MAX)
///     .connect_timeout(Duration::MAX)
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Emulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    stopped: Option<oneshot::Receiver<()>>,
}

impl Emulator {
    /// The bearer token [`Emulator::client`] uses. The emulator accepts any
    /// non-empty bearer token.
    pub const TOKEN: &'static str = "emulator-token";

    /// Starts the service on `127.0.0.1:0` in a thread of its own.
    pub async fn start() -> std::io::Result<Emulator> {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            base_url: format!("http://{addr}"),
            store: Mutex::default(),
            faults: Mutex::default(),
            log: Mutex::default(),
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let router = axum::Router::new()
            .fallback(server::handle)
            .with_state(Arc::clone(&shared));
        let (stop, stop_rx) = oneshot::channel::<()>();
        let (stopped_tx, stopped) = oneshot::channel::<()>();
        std::thread::Builder::new()
            .name(format!("graph-emulator-{}", addr.port()))
            .spawn(move || {
                runtime.block_on(async move {
                    let shutdown = async {
                        let _ = stop_rx.await;
                    };
                    if let Err(error) = axum::serve(listener, router)
                        .with_graceful_shutdown(shutdown)
                        .await
                    {
                        tracing::warn!(%error, "graph emulator stopped with an error");
                    }
                });
                let _ = stopped_tx.send(());
            })?;
        Ok(Emulator {
            addr,
            shared,
            stop: Some(stop),
            stopped: Some(stopped),
        })
    }

    /// The service root without version (`http://127.0.0.1:PORT`), for
    /// [`GraphClientBuilder::base_url`](crate::GraphClientBuilder::base_url).
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// The address the service listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// A client for this emulator: its base URL and [`Emulator::TOKEN`].
    pub fn client(&self) -> Result<GraphClient, GraphError> {
        self.client_builder().build()
    }

    /// A client builder with this emulator's base URL and [`Emulator::TOKEN`],
    /// to set more options (see the paused-clock note on [`Emulator`]).
    pub fn client_builder(&self) -> GraphClientBuilder {
        GraphClient::builder()
            .base_url(self.base_url())
            .bearer_token(Self::TOKEN)
    }

    /// Queues a fault: the next answers are refused as it says.
    pub fn inject(&self, fault: Fault) {
        lock(&self.shared.faults).push(fault);
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.log).clone()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }

    /// Places an incoming call from `caller` to the bot, as a Teams user calling
    /// the bot would: the call is `incoming` until answered
    /// ([`AnswerCall`](crate::comms::AnswerCall): `established`), rejected or
    /// redirected (`terminated`). Returns the call id. (The real service announces
    /// the call with a notification to the bot; the emulator has no notification
    /// channel, so a test reads the id from here.)
    pub fn incoming_call(&self, caller: IdentitySet) -> String {
        lock(&self.shared.store).incoming_call(caller)
    }

    /// The calls the service holds, oldest first.
    pub fn calls(&self) -> Vec<Call> {
        lock(&self.shared.store)
            .calls()
            .into_iter()
            .map(|r| r.call.clone())
            .collect()
    }

    /// One call, if the service holds it.
    pub fn call(&self, call_id: &str) -> Option<Call> {
        lock(&self.shared.store)
            .call(call_id)
            .map(|r| r.call.clone())
    }

    /// The participants of a call, if the service holds it.
    pub fn participants(&self, call_id: &str) -> Option<Vec<Participant>> {
        lock(&self.shared.store)
            .call(call_id)
            .map(|r| r.participants.clone())
    }

    /// One participant of a call.
    pub fn participant(&self, call_id: &str, participant_id: &str) -> Option<Participant> {
        self.participants(call_id)?
            .into_iter()
            .find(|p| p.id.as_deref() == Some(participant_id))
    }

    /// Stops accepting requests, lets requests in flight finish, and waits for
    /// the server thread to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(stopped) = self.stopped.take() {
            let _ = stopped.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
