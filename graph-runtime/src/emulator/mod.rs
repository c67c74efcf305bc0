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
//!   `subscribeToTone`, `updateRecordingStatus`: each answers an operation with
//!   a `Location` to `GET .../operations/{id}`: `completed` at once from
//!   [`Emulator::start`] (and, as on Graph, no completion notification
//!   follows), or `running` from an emulator built with
//!   [`EmulatorBuilder::operation_delay`], completed after the delay by a
//!   notification.
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
//! # Calling the bot back
//!
//! As Graph does, the emulator POSTs `commsNotifications` to the call's
//! `callbackUri` (set on create or answer; `https`, or `http` on a loopback
//! host, else `400`): the call's state (`updated` when created or answered,
//! `deleted` when hung up, rejected or redirected), roster updates on invite,
//! participant delete and mute, and operation completions (`deleted` on
//! `.../operations/{id}`). [`Emulator::incoming_call`] rings the bot at its
//! calling webhook ([`EmulatorBuilder::bot_callback`]) with a `created`
//! notification. Each POST carries `Authorization: Bearer <JWT>`, signed RS256
//! as Microsoft signs them but with the emulator's own public test key, for
//! the audience [`Emulator::app_id`], the tenant [`Emulator::TENANT_ID`] and
//! Microsoft's issuer; the key is published at [`Emulator::openid_config_url`]
//! (those fetches are not in [`Emulator::requests`]). A
//! [`Receiver`](crate::notify::Receiver) built with that URL and app id
//! accepts the notifications; one built for Microsoft refuses them.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use graph_runtime::emulator::Emulator;
//! use graph_runtime::notify::Receiver;
//!
//! let emulator = Emulator::builder()
//!     .operation_delay(Duration::from_millis(200))
//!     .bot_callback("http://127.0.0.1:3978/api/calls")
//!     .start()
//!     .await?;
//! let receiver = Receiver::builder()
//!     .app_id(emulator.app_id())
//!     .openid_config_url(emulator.openid_config_url())
//!     .build()?;
//! # Ok(()) }
//! ```
//!
//! Notifications to one URL go out in order, from the emulator's own thread;
//! a failed one (no answer, `408`, `429`, `5xx`) is tried 4 times in about 3
//! seconds, then logged (`tracing` warning) and given up.
//! [`Emulator::deliveries`] lists what was sent and how it was answered.
//! Nothing of this ever delays the emulator's API answers.
//!
//! The server runs on its own thread with its own runtime, like wiremock's, so it
//! keeps answering while a test's runtime has its clock paused.

mod batch;
mod callbacks;
mod faults;
mod log;
mod reply;
mod routes;
mod server;
mod signing;
mod state;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;

pub use callbacks::Delivery;
pub use faults::Fault;
pub use log::RecordedRequest;

use crate::comms::{Call, IdentitySet, Participant};
use crate::{GraphClient, GraphClientBuilder, GraphError};
use server::{Shared, lock};

/// Builds an [`Emulator`] that behaves as Graph does towards a bot: from
/// [`Emulator::builder`].
#[derive(Debug, Default, Clone)]
pub struct EmulatorBuilder {
    operation_delay: Option<Duration>,
    bot_callback: Option<String>,
    app_id: Option<String>,
}

impl EmulatorBuilder {
    /// Operations answer `running` and complete after `delay`, by a
    /// notification to the call's `callbackUri` (as most Graph operations
    /// do). Without it, every operation answers `completed` and no
    /// notification follows.
    pub fn operation_delay(mut self, delay: Duration) -> Self {
        self.operation_delay = Some(delay);
        self
    }

    /// The bot's calling webhook: where [`Emulator::incoming_call`] rings
    /// the bot (a `created` notification), and the callback of calls that
    /// were not given another. `https`, or `http` on a loopback host.
    pub fn bot_callback(mut self, url: impl Into<String>) -> Self {
        self.bot_callback = Some(url.into());
        self
    }

    /// The bot's app id (default [`Emulator::DEFAULT_APP_ID`]): the audience
    /// of the notification tokens and the source application of the calls
    /// it places.
    pub fn app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = Some(app_id.into());
        self
    }

    /// Starts the service on `127.0.0.1:0` in a thread of its own. Fails on
    /// a `bot_callback` that is neither `https` nor `http` on loopback.
    pub async fn start(self) -> std::io::Result<Emulator> {
        if let Some(url) = &self.bot_callback {
            callbacks::check_callback(url)
                .map_err(|why| std::io::Error::new(std::io::ErrorKind::InvalidInput, why))?;
        }
        Emulator::start_with(self)
    }
}

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

    /// The bot's app id unless [`EmulatorBuilder::app_id`] sets another.
    pub const DEFAULT_APP_ID: &'static str = state::BOT_APP_ID;

    /// The tenant the emulator's notification tokens name (`tid`).
    pub const TENANT_ID: &'static str = "00000000-0000-0000-0000-00000000a11e";

    /// Starts the service on `127.0.0.1:0` in a thread of its own: operations
    /// complete at once, and no completion notification follows. See
    /// [`Emulator::builder`] for one that completes them later, by notification.
    pub async fn start() -> std::io::Result<Emulator> {
        Emulator::start_with(EmulatorBuilder::default())
    }

    /// A builder: operation delay, the bot's calling webhook, its app id.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    fn start_with(options: EmulatorBuilder) -> std::io::Result<Emulator> {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let app_id = options
            .app_id
            .unwrap_or_else(|| Self::DEFAULT_APP_ID.to_owned());
        let shared = Arc::new(Shared {
            base_url: format!("http://{addr}"),
            store: Mutex::new(state::Store::new(app_id.clone(), options.bot_callback)),
            faults: Mutex::default(),
            log: Mutex::default(),
            operation_delay: options.operation_delay,
            deliveries: callbacks::Deliveries::new(signing::Tokens::new(
                app_id,
                Self::TENANT_ID.to_owned(),
            )),
            runtime: runtime.handle().clone(),
        });
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
    /// redirected (`terminated`). Returns the call id. With
    /// [`EmulatorBuilder::bot_callback`], the bot also hears of it as Graph
    /// tells it: a `created` notification of the call, POSTed to that URL.
    pub fn incoming_call(&self, caller: IdentitySet) -> String {
        let (id, outbox) = {
            let mut store = lock(&self.shared.store);
            let id = store.incoming_call(caller);
            (id, store.take_outbox())
        };
        callbacks::dispatch(&self.shared, &self.shared.runtime, outbox);
        id
    }

    /// The bot's app id: the audience of the emulator's notification tokens.
    pub fn app_id(&self) -> String {
        lock(&self.shared.store).app_id.clone()
    }

    /// Where the emulator publishes the keys its notifications are signed
    /// with, as Microsoft does at
    /// [`MICROSOFT_OPENID_CONFIGURATION`](crate::notify::MICROSOFT_OPENID_CONFIGURATION):
    /// build a [`Receiver`](crate::notify::Receiver) with this URL and
    /// [`Emulator::app_id`] to accept the emulator's notifications. Fetching
    /// it (or the keys) is not logged in [`Emulator::requests`].
    pub fn openid_config_url(&self) -> String {
        format!("{}{}", self.shared.base_url, signing::CONFIG_PATH)
    }

    /// The issuer (`iss`) of the emulator's tokens: Microsoft's own, which a
    /// [`Receiver`](crate::notify::Receiver) accepts by default.
    pub fn issuer(&self) -> &'static str {
        signing::ISSUER
    }

    /// Every notification sent to the bot (or given up on after retries),
    /// oldest first.
    pub fn deliveries(&self) -> Vec<Delivery> {
        lock(&self.shared.deliveries.log).clone()
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
