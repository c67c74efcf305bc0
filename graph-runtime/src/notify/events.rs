//! Typed events from notifications, and the bounded queue that carries them.

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use futures_core::Stream;
use tokio::sync::mpsc;

use crate::comms::{
    Call, CallState, ChangeType, CommsNotification, CommsOperation, Participant, ToneInfo,
};

/// One thing that happened to a call, from a notification Graph POSTed.
///
/// Every variant but [`CallEvent::Missed`] carries the tenant (the token's
/// `tid` claim, checked) and the call id (from the notification's
/// `resourceUrl`, or the legacy `resource`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CallEvent {
    /// A call to the bot rings: a `created` notification of a call in state
    /// `incoming`. Answer, reject or redirect it within 15 seconds.
    IncomingCall {
        /// The tenant.
        tenant_id: String,
        /// The call id.
        call_id: String,
        /// The call as Graph sent it.
        call: Box<Call>,
    },
    /// A call was created, changed state (`establishing`, `established`,
    /// `terminated`, ...) or was deleted.
    CallChanged {
        /// The tenant.
        tenant_id: String,
        /// The call id.
        call_id: String,
        /// `created`, `updated` or `deleted`.
        change: ChangeType,
        /// The call as Graph sent it.
        call: Box<Call>,
    },
    /// The roster changed: the call's participants as they now are (Graph
    /// sends the participants that changed, or all of them).
    RosterUpdated {
        /// The tenant.
        tenant_id: String,
        /// The call id.
        call_id: String,
        /// The participants sent.
        participants: Vec<Participant>,
    },
    /// An operation finished (`completed` or `failed`; see
    /// [`Operations::wait`](super::Operations::wait) to await one).
    OperationFinished {
        /// The tenant.
        tenant_id: String,
        /// The call id.
        call_id: String,
        /// The operation id as the notification's URL spells it.
        operation_id: Option<String>,
        /// The final operation: status, `resultInfo`, `clientContext`.
        operation: CommsOperation,
    },
    /// A DTMF tone (after [`SubscribeToTone`](crate::comms::SubscribeToTone)).
    ToneReceived {
        /// The tenant.
        tenant_id: String,
        /// The call id.
        call_id: String,
        /// The tone and its sequence number.
        tone: ToneInfo,
    },
    /// Any other notification, as received.
    Other {
        /// The tenant.
        tenant_id: String,
        /// The call id, when the URL names a call.
        call_id: Option<String>,
        /// The notification.
        notification: Box<CommsNotification>,
    },
    /// `count` events were dropped here because the queue was full: the
    /// consumer fell behind. See [`Receiver::lost_events`](super::Receiver::lost_events).
    Missed {
        /// How many.
        count: u64,
    },
}

impl CallEvent {
    /// The tenant, for every event but [`CallEvent::Missed`].
    pub fn tenant_id(&self) -> Option<&str> {
        match self {
            CallEvent::IncomingCall { tenant_id, .. }
            | CallEvent::CallChanged { tenant_id, .. }
            | CallEvent::RosterUpdated { tenant_id, .. }
            | CallEvent::OperationFinished { tenant_id, .. }
            | CallEvent::ToneReceived { tenant_id, .. }
            | CallEvent::Other { tenant_id, .. } => Some(tenant_id),
            CallEvent::Missed { .. } => None,
        }
    }

    /// The call the event is about, when it names one.
    pub fn call_id(&self) -> Option<&str> {
        match self {
            CallEvent::IncomingCall { call_id, .. }
            | CallEvent::CallChanged { call_id, .. }
            | CallEvent::RosterUpdated { call_id, .. }
            | CallEvent::OperationFinished { call_id, .. }
            | CallEvent::ToneReceived { call_id, .. } => Some(call_id),
            CallEvent::Other { call_id, .. } => call_id.as_deref(),
            CallEvent::Missed { .. } => None,
        }
    }
}

/// What a notification's URL names.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Target<'a> {
    Call(&'a str),
    Participants(&'a str),
    Operation(&'a str, &'a str),
    OtherOfCall(&'a str),
    Unknown,
}

/// Reads `/communications/calls/{id}[/...]` or the legacy `/app/calls/{id}[/...]`,
/// with or without the leading `/`.
pub(crate) fn target(n: &CommsNotification) -> Target<'_> {
    let Some(url) = n.resource_url.as_deref().or(n.resource.as_deref()) else {
        return Target::Unknown;
    };
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let mut segs = path.split('/').filter(|s| !s.is_empty());
    match (segs.next(), segs.next()) {
        (Some("communications" | "app"), Some("calls")) => {}
        _ => return Target::Unknown,
    }
    let Some(call) = segs.next() else {
        return Target::Unknown;
    };
    match (segs.next(), segs.next(), segs.next()) {
        (None, _, _) => Target::Call(call),
        (Some("participants"), None, _) => Target::Participants(call),
        (Some("operations"), Some(op), None) => Target::Operation(call, op),
        _ => Target::OtherOfCall(call),
    }
}

/// The event for one notification.
pub(crate) fn event_of(tenant: &str, n: CommsNotification) -> CallEvent {
    let tenant_id = tenant.to_owned();
    let other = |n: CommsNotification, call_id: Option<String>| CallEvent::Other {
        tenant_id: tenant.to_owned(),
        call_id,
        notification: Box::new(n),
    };
    match target(&n) {
        Target::Call(call_id) => {
            let call_id = call_id.to_owned();
            let (Some(change), Some(call)) = (n.change_type.clone(), n.call()) else {
                return other(n, Some(call_id));
            };
            if let Some(tone) = call.tone_info.clone().filter(|t| t.tone.is_some()) {
                return CallEvent::ToneReceived {
                    tenant_id,
                    call_id,
                    tone,
                };
            }
            if change == ChangeType::Created && call.state == Some(CallState::Incoming) {
                CallEvent::IncomingCall {
                    tenant_id,
                    call_id,
                    call: Box::new(call),
                }
            } else {
                CallEvent::CallChanged {
                    tenant_id,
                    call_id,
                    change,
                    call: Box::new(call),
                }
            }
        }
        Target::Participants(call_id) => {
            let call_id = call_id.to_owned();
            match n.participants() {
                Some(participants) => CallEvent::RosterUpdated {
                    tenant_id,
                    call_id,
                    participants,
                },
                None => other(n, Some(call_id)),
            }
        }
        Target::Operation(call_id, op_id) => match finished_operation(&n) {
            Some(operation) => CallEvent::OperationFinished {
                tenant_id,
                call_id: call_id.to_owned(),
                operation_id: Some(op_id.to_owned()),
                operation,
            },
            None => {
                let call_id = call_id.to_owned();
                other(n, Some(call_id))
            }
        },
        Target::OtherOfCall(call_id) => {
            let call_id = call_id.to_owned();
            other(n, Some(call_id))
        }
        Target::Unknown => other(n, None),
    }
}

/// The final operation a notification reports: a `deleted` change on an
/// operation, or any change whose operation says `completed` or `failed`.
pub(crate) fn finished_operation(n: &CommsNotification) -> Option<CommsOperation> {
    let operation: CommsOperation = match &n.resource_data {
        None | Some(serde_json::Value::Null) => CommsOperation::default(),
        Some(_) => n.operation()?,
    };
    (n.change_type == Some(ChangeType::Deleted) || operation.is_finished()).then_some(operation)
}

/// The sending side: never waits; a full queue counts the loss.
#[derive(Debug)]
pub(crate) struct EventQueue {
    tx: mpsc::Sender<CallEventItem>,
    rx: Arc<tokio::sync::Mutex<mpsc::Receiver<CallEventItem>>>,
    /// Losses not yet reported in the queue (a `Missed` item goes in first
    /// when there is room again).
    pending_loss: Mutex<u64>,
    lost: AtomicU64,
}

/// What the queue holds.
#[derive(Debug)]
pub(crate) struct CallEventItem(CallEvent);

impl EventQueue {
    pub(crate) fn new(capacity: usize) -> Self {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        EventQueue {
            tx,
            rx: Arc::new(tokio::sync::Mutex::new(rx)),
            pending_loss: Mutex::new(0),
            lost: AtomicU64::new(0),
        }
    }

    /// Queues one event, or counts it lost when the queue is full.
    pub(crate) fn push(&self, event: CallEvent) {
        let mut pending = self
            .pending_loss
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if *pending > 0 {
            match self
                .tx
                .try_send(CallEventItem(CallEvent::Missed { count: *pending }))
            {
                Ok(()) => *pending = 0,
                Err(_) => {
                    *pending += 1;
                    self.lost.fetch_add(1, Ordering::Relaxed);
                    return;
                }
            }
        }
        if self.tx.try_send(CallEventItem(event)).is_err() {
            if *pending == 0 {
                tracing::warn!(
                    "notification events are being dropped: the event queue is full \
                     (read receiver.events() faster or raise event_capacity)"
                );
            }
            *pending += 1;
            self.lost.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn lost(&self) -> u64 {
        self.lost.load(Ordering::Relaxed)
    }

    pub(crate) fn stream(&self) -> CallEvents {
        CallEvents {
            rx: Arc::clone(&self.rx),
            next: None,
        }
    }
}

type Next = Pin<Box<dyn std::future::Future<Output = Option<CallEventItem>> + Send>>;

/// The events of a [`Receiver`](super::Receiver), oldest first: a
/// [`Stream`] of [`CallEvent`]. Several streams of one receiver share its
/// queue: each event goes to one of them.
pub struct CallEvents {
    rx: Arc<tokio::sync::Mutex<mpsc::Receiver<CallEventItem>>>,
    next: Option<Next>,
}

impl std::fmt::Debug for CallEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallEvents").finish_non_exhaustive()
    }
}

impl CallEvents {
    /// The next event; `None` once the receiver and all its clones are dropped
    /// and the queue is empty.
    pub async fn next(&mut self) -> Option<CallEvent> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }
}

impl Stream for CallEvents {
    type Item = CallEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<CallEvent>> {
        let this = &mut *self;
        let next = this.next.get_or_insert_with(|| {
            let rx = Arc::clone(&this.rx);
            Box::pin(async move { rx.lock_owned().await.recv().await })
        });
        match next.as_mut().poll(cx) {
            Poll::Ready(item) => {
                this.next = None;
                Poll::Ready(item.map(|CallEventItem(event)| event))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}
