//! Notifications the emulator POSTs to a bot, as Graph does: signed, in order
//! per callback URL, retried a few times, never in the way of the API.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::server::{Shared, lock};
use super::signing::Tokens;
use crate::comms::{Call, Participant};

/// Attempts per notification before it is given up (and logged).
const ATTEMPTS: u32 = 4;
/// Waits between attempts.
const BACKOFF: [Duration; 3] = [
    Duration::from_millis(100),
    Duration::from_millis(500),
    Duration::from_secs(2),
];
/// How long one attempt may take.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

/// A notification to send, or an operation to finish later, or both.
#[derive(Debug)]
pub(crate) struct Outgoing {
    /// Where to POST (`None`: the call has no callback URI; only `finish` runs).
    pub(crate) url: Option<String>,
    /// One `commsNotification`.
    pub(crate) notification: Value,
    /// Send after this long (a running operation completing).
    pub(crate) delay: Option<Duration>,
    /// When the delay ends: this call's operation takes the notification's
    /// `resourceData` as its final state.
    pub(crate) finish: Option<(String, String)>,
}

/// One notification the emulator sent, or tried to.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Where it was POSTed.
    pub url: String,
    /// The `commsNotifications` body.
    pub body: Value,
    /// The bot's last answer, `None` when no attempt got one.
    pub status: Option<u16>,
    /// How many attempts were made.
    pub attempts: u32,
}

impl Delivery {
    /// Whether the bot answered 2xx.
    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// The delivery side of one emulator.
#[derive(Debug)]
pub(crate) struct Deliveries {
    pub(crate) tokens: Tokens,
    http: OnceLock<Option<reqwest::Client>>,
    workers: Mutex<HashMap<String, mpsc::UnboundedSender<Value>>>,
    pub(crate) log: Mutex<Vec<Delivery>>,
}

impl Deliveries {
    pub(crate) fn new(tokens: Tokens) -> Self {
        Deliveries {
            tokens,
            http: OnceLock::new(),
            workers: Mutex::default(),
            log: Mutex::default(),
        }
    }

    fn http(&self) -> Option<reqwest::Client> {
        self.http
            .get_or_init(|| crate::tls::standalone_http_client(Duration::from_secs(5)).ok())
            .clone()
    }
}

/// Sends or schedules every entry; returns at once.
pub(crate) fn dispatch(
    shared: &Arc<Shared>,
    handle: &tokio::runtime::Handle,
    outbox: Vec<Outgoing>,
) {
    for out in outbox {
        match out.delay {
            None => enqueue(shared, handle, out),
            Some(delay) => {
                let shared = Arc::clone(shared);
                let inner = handle.clone();
                handle.spawn(async move {
                    tokio::time::sleep(delay).await;
                    enqueue(&shared, &inner, out);
                });
            }
        }
    }
}

fn enqueue(shared: &Arc<Shared>, handle: &tokio::runtime::Handle, mut out: Outgoing) {
    if let Some((call_id, op_id)) = out.finish.take() {
        let data = out.notification.get("resourceData").cloned();
        let mut store = lock(&shared.store);
        if let (Ok(record), Some(data)) = (store.call_mut(&call_id), data) {
            record.set_operation(&op_id, data);
        }
    }
    let Some(url) = out.url else { return };
    let mut workers = lock(&shared.deliveries.workers);
    let sender = workers.entry(url.clone()).or_insert_with(|| {
        let (tx, rx) = mpsc::unbounded_channel();
        handle.spawn(worker(Arc::clone(shared), url.clone(), rx));
        tx
    });
    let body = json!({
        "@odata.type": "#microsoft.graph.commsNotifications",
        "value": [out.notification],
    });
    let _ = sender.send(body);
}

/// Delivers one URL's notifications in order.
async fn worker(shared: Arc<Shared>, url: String, mut rx: mpsc::UnboundedReceiver<Value>) {
    while let Some(body) = rx.recv().await {
        let (status, attempts) = post(&shared, &url, &body).await;
        let delivery = Delivery {
            url: url.clone(),
            body,
            status,
            attempts,
        };
        if !delivery.delivered() {
            tracing::warn!(
                url = %url,
                status = ?status,
                attempts,
                "graph emulator: a notification could not be delivered"
            );
        }
        lock(&shared.deliveries.log).push(delivery);
    }
}

/// POSTs with retries on transport failures, 408, 429 and 5xx.
async fn post(shared: &Shared, url: &str, body: &Value) -> (Option<u16>, u32) {
    let Some(http) = shared.deliveries.http() else {
        return (None, 0);
    };
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let chain_id = body
        .pointer("/value/0/resourceUrl")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut last = None;
    for attempt in 1..=ATTEMPTS {
        let mut request = http
            .post(url)
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(
                http::header::USER_AGENT,
                "Microsoft-Skype/3.0 (graph emulator)",
            )
            .header("X-Microsoft-Skype-Message-ID", crate::id::uuid_v4())
            .header("X-Microsoft-Skype-Chain-ID", chain_id.as_str())
            .timeout(ATTEMPT_TIMEOUT)
            .body(bytes.clone());
        if let Some(token) = shared.deliveries.tokens.token() {
            request = request.bearer_auth(token);
        }
        match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                last = Some(status);
                let retry = status == 408 || status == 429 || status >= 500;
                if !retry {
                    return (last, attempt);
                }
            }
            Err(error) => {
                tracing::debug!(url, %error, attempt, "graph emulator: notification attempt failed");
            }
        }
        if let Some(wait) = BACKOFF.get(attempt as usize - 1) {
            tokio::time::sleep(*wait).await;
        }
    }
    (last, ATTEMPTS)
}

/// `https`, or `http` on a loopback host, as a callback URI must be.
pub(crate) fn check_callback(url: &str) -> Result<(), String> {
    crate::notify::keys::check_url(url)
        .map(|_| ())
        .map_err(|why| format!("callbackUri: {why}"))
}

fn call_url(call_id: &str) -> String {
    format!("/communications/calls/{call_id}")
}

/// A call notification: `created` (ringing), `updated` (state), `deleted` (ended).
pub(crate) fn call_changed(change: &str, call: &Call) -> Value {
    let id = call.id.as_deref().unwrap_or_default();
    json!({
        "@odata.type": "#microsoft.graph.commsNotification",
        "changeType": change,
        "resourceUrl": call_url(id),
        "resourceData": super::state::typed(call, Call::ODATA_TYPE),
    })
}

/// A roster update: the participants that changed, or all of them.
pub(crate) fn roster(call_id: &str, participants: &[Participant]) -> Value {
    let data: Vec<Value> = participants
        .iter()
        .map(|p| super::state::typed(p, Participant::ODATA_TYPE))
        .collect();
    json!({
        "@odata.type": "#microsoft.graph.commsNotification",
        "changeType": "updated",
        "resourceUrl": format!("{}/participants", call_url(call_id)),
        "resourceData": data,
    })
}

/// An operation's completion: `deleted` on the operation, its final state.
pub(crate) fn operation_finished(call_id: &str, op_id: &str, operation: Value) -> Value {
    let url = format!("{}/operations/{op_id}", call_url(call_id));
    let mut data = operation;
    if let Some(object) = data.as_object_mut() {
        object.insert("@odata.id".into(), Value::String(url.clone()));
    }
    json!({
        "@odata.type": "#microsoft.graph.commsNotification",
        "changeType": "deleted",
        "resourceUrl": url,
        "resourceData": data,
    })
}
