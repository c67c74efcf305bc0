//! Awaiting operations: [`Operations::wait`], [`OperationError`], and the
//! [`OperationStore`] that keeps completions until someone waits for them.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::Instant;

use crate::Response;
use crate::comms::{
    CancelMediaProcessingOperation, CommsOperation, InviteParticipantsOperation,
    MuteParticipantOperation, OperationStatus, PlayPromptOperation, RecordOperation, ResultInfo,
    StartHoldMusicOperation, StopHoldMusicOperation, SubscribeToToneOperation,
    UnmuteParticipantOperation, UpdateRecordingStatusOperation,
};

/// How long [`InMemoryOperationStore`] keeps a completion nobody waited for.
pub const DEFAULT_COMPLETION_TTL: Duration = Duration::from_secs(5 * 60);
/// How many completions [`InMemoryOperationStore`] keeps at most (about 300
/// bytes each). At Graph's limit of 100 concurrent calls per app this holds
/// more than 5 minutes of completions even at 100 operations a second.
pub const DEFAULT_COMPLETION_CAPACITY: usize = 50_000;

/// What an operation is found by: its id (compared ignoring case and dashes)
/// or, for an operation Graph gave no id, its `clientContext`.
///
/// [`OperationKey::as_str`] is a stable text form (`id:...`, `cc:...`) to use
/// as a key in a shared store.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OperationKey(String);

impl OperationKey {
    /// The key of an operation id: lowercase, dashes removed, so
    /// `0fe0623f-d628-...` and `0FE0623FD628...` are one key.
    pub fn id(id: &str) -> Self {
        let mut key = String::with_capacity(id.len() + 3);
        key.push_str("id:");
        key.extend(
            id.chars()
                .filter(|&c| c != '-')
                .map(|c| c.to_ascii_lowercase()),
        );
        OperationKey(key)
    }

    /// The key of a `clientContext`, as sent.
    pub fn client_context(client_context: &str) -> Self {
        OperationKey(format!("cc:{client_context}"))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A boxed, `Send` future, as [`OperationStore`] methods return.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where completions wait for [`Operations::wait`].
///
/// The receiver calls [`complete`](OperationStore::complete) for every
/// operation a notification reports finished (before it answers `202`, so a
/// completion is stored before Graph considers it delivered), with every key
/// the notification gives (its operation id in the URL and in the body, its
/// `clientContext`). [`Operations::wait`] calls [`wait`](OperationStore::wait)
/// with one key and drops the future on timeout.
///
/// [`InMemoryOperationStore`] ships and is the default. A bot running as
/// several instances behind a load balancer gets a notification on any
/// instance, while the `wait` may run on another: implement this trait over a
/// store they share (for example Redis: `complete` does `SET key op EX 300`
/// for each key and `PUBLISH key op`; `wait` subscribes to the key, then
/// `GET`s it, and answers with whichever comes first) and pass it to
/// [`ReceiverBuilder::operation_store`](super::ReceiverBuilder::operation_store).
pub trait OperationStore: Send + Sync + 'static {
    /// Records a finished operation under each of `keys`, and ends every
    /// wait on any of them.
    fn complete(&self, keys: Vec<OperationKey>, operation: CommsOperation) -> StoreFuture<'_, ()>;

    /// Resolves with the finished operation recorded under `key`: at once if
    /// one is recorded (and not expired), else when one is. Dropping the
    /// future abandons the wait and must free what it held.
    fn wait(&self, key: OperationKey) -> StoreFuture<'_, CommsOperation>;
}

/// The in-process [`OperationStore`]: completions kept
/// [`DEFAULT_COMPLETION_TTL`] (at most [`DEFAULT_COMPLETION_CAPACITY`] of
/// them, the oldest dropped first beyond that), waiters freed when their
/// wait ends.
#[derive(Debug)]
pub struct InMemoryOperationStore {
    state: Mutex<StoreState>,
    ttl: Duration,
    capacity: usize,
}

#[derive(Debug, Default)]
struct StoreState {
    done: HashMap<OperationKey, (CommsOperation, Instant)>,
    /// Keys in the order they were completed, for expiry and eviction.
    order: VecDeque<(Instant, OperationKey)>,
    waiters: HashMap<OperationKey, Vec<oneshot::Sender<CommsOperation>>>,
}

impl Default for InMemoryOperationStore {
    fn default() -> Self {
        Self::new(DEFAULT_COMPLETION_TTL, DEFAULT_COMPLETION_CAPACITY)
    }
}

impl InMemoryOperationStore {
    /// A store keeping unclaimed completions for `ttl`, at most `capacity` keys.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        InMemoryOperationStore {
            state: Mutex::default(),
            ttl,
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, StoreState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many completions are held now (a key each).
    pub fn len(&self) -> usize {
        self.lock().done.len()
    }

    /// Whether no completion is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many keys have a wait pending.
    pub fn waiting(&self) -> usize {
        self.lock().waiters.len()
    }
}

impl StoreState {
    /// Drops expired completions, then the oldest beyond `capacity`.
    fn trim(&mut self, now: Instant, ttl: Duration, capacity: usize) {
        while let Some((at, key)) = self.order.front() {
            let expired = now.saturating_duration_since(*at) >= ttl;
            let over = self.done.len() > capacity || self.order.len() > capacity.saturating_mul(2);
            if !expired && !over {
                break;
            }
            // Only the entry this order slot recorded; a later completion of
            // the same key has its own slot.
            if self.done.get(key).is_some_and(|(_, t)| t == at) {
                self.done.remove(key);
            }
            self.order.pop_front();
        }
    }
}

impl OperationStore for InMemoryOperationStore {
    fn complete(&self, keys: Vec<OperationKey>, operation: CommsOperation) -> StoreFuture<'_, ()> {
        let now = Instant::now();
        let mut state = self.lock();
        for key in keys {
            if let Some(waiters) = state.waiters.remove(&key) {
                for waiter in waiters {
                    let _ = waiter.send(operation.clone());
                }
            }
            state.done.insert(key.clone(), (operation.clone(), now));
            state.order.push_back((now, key));
        }
        state.trim(now, self.ttl, self.capacity);
        Box::pin(std::future::ready(()))
    }

    fn wait(&self, key: OperationKey) -> StoreFuture<'_, CommsOperation> {
        let now = Instant::now();
        let rx = {
            let mut state = self.lock();
            state.trim(now, self.ttl, self.capacity);
            if let Some((op, _)) = state.done.get(&key) {
                return Box::pin(std::future::ready(op.clone()));
            }
            let (tx, rx) = oneshot::channel();
            state.waiters.entry(key.clone()).or_default().push(tx);
            rx
        };
        /// Frees the waiter slot when the wait ends, however it ends.
        struct Unregister<'a> {
            store: &'a InMemoryOperationStore,
            key: OperationKey,
        }
        impl Drop for Unregister<'_> {
            fn drop(&mut self) {
                let mut state = self.store.lock();
                if let Some(waiters) = state.waiters.get_mut(&self.key) {
                    waiters.retain(|w| !w.is_closed());
                    if waiters.is_empty() {
                        state.waiters.remove(&self.key);
                    }
                }
            }
        }
        Box::pin(async move {
            let guard = Unregister { store: self, key };
            let mut rx = rx;
            loop {
                match (&mut rx).await {
                    Ok(op) => {
                        drop(guard);
                        return op;
                    }
                    // The store never drops a sender without sending; keep
                    // waiting (the caller's timeout ends it).
                    Err(_) => std::future::pending::<()>().await,
                }
            }
        })
    }
}

/// Awaits operations of one [`Receiver`](super::Receiver): an owned handle,
/// `Clone + Send + Sync + 'static`.
#[derive(Clone)]
pub struct Operations {
    pub(crate) store: Arc<dyn OperationStore>,
}

impl fmt::Debug for Operations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Operations").finish_non_exhaustive()
    }
}

impl Operations {
    /// Waits until `op` is final, at most `timeout`.
    ///
    /// - `op` already `completed`: `Ok` at once; `failed`: `Err` at once
    ///   (Graph sends no notification for either).
    /// - Otherwise the notification that finishes it, matched by operation id
    ///   (ignoring case and dashes) when `op` has one, else by
    ///   `clientContext`; a notification that arrived before this call counts.
    /// - `failed`: an error whose [`OperationError::result_info`] says why;
    ///   no notification within `timeout`: [`OperationError::is_timeout`].
    ///
    /// `op` is a [`CommsOperation`], any named operation kind, or the
    /// [`Response`] of an action that returns one (its `Location` header
    /// supplies the id when the body has none).
    pub async fn wait<O: AsOperation + ?Sized>(
        &self,
        op: &O,
        timeout: Duration,
    ) -> Result<CommsOperation, OperationError> {
        let op = op.to_operation();
        match op.status {
            Some(OperationStatus::Completed) => return Ok(op),
            Some(OperationStatus::Failed) => return Err(OperationError::failed(op)),
            _ => {}
        }
        let key = match (non_empty(&op.id), non_empty(&op.client_context)) {
            (Some(id), _) => OperationKey::id(id),
            (None, Some(cc)) => OperationKey::client_context(cc),
            (None, None) => {
                return Err(OperationError {
                    kind: ErrorKind::NoKey,
                    operation: Some(op),
                });
            }
        };
        let finished = match tokio::time::timeout(timeout, self.store.wait(key)).await {
            Ok(finished) => finished,
            Err(_) => {
                return Err(OperationError {
                    kind: ErrorKind::Timeout(timeout),
                    operation: Some(op),
                });
            }
        };
        // The id as the caller spells it (the notification may spell it in
        // upper case without dashes).
        let finished = CommsOperation {
            id: op.id.or(finished.id),
            client_context: finished.client_context.or(op.client_context),
            ..finished
        };
        if finished.status == Some(OperationStatus::Failed) {
            Err(OperationError::failed(finished))
        } else {
            Ok(finished)
        }
    }
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

/// Why [`Operations::wait`] did not end with a completed operation.
#[derive(Debug, Clone)]
pub struct OperationError {
    kind: ErrorKind,
    operation: Option<CommsOperation>,
}

#[derive(Debug, Clone)]
enum ErrorKind {
    Failed,
    Timeout(Duration),
    NoKey,
}

impl OperationError {
    fn failed(op: CommsOperation) -> Self {
        OperationError {
            kind: ErrorKind::Failed,
            operation: Some(op),
        }
    }

    /// A failed operation's `resultInfo` (code, subcode, message).
    pub fn result_info(&self) -> Option<&ResultInfo> {
        match self.kind {
            ErrorKind::Failed => self.operation.as_ref()?.result_info.as_ref(),
            _ => None,
        }
    }

    /// Whether no final notification came in time.
    pub fn is_timeout(&self) -> bool {
        matches!(self.kind, ErrorKind::Timeout(_))
    }

    /// Whether the operation ended `failed`.
    pub fn is_failed(&self) -> bool {
        matches!(self.kind, ErrorKind::Failed)
    }

    /// The operation: the failed one as reported, or the one waited for.
    pub fn operation(&self) -> Option<&CommsOperation> {
        self.operation.as_ref()
    }
}

impl fmt::Display for OperationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self
            .operation
            .as_ref()
            .and_then(|o| o.id.as_deref().or(o.client_context.as_deref()))
            .unwrap_or("?");
        match &self.kind {
            ErrorKind::Failed => {
                write!(f, "operation {id} failed")?;
                if let Some(info) = self.result_info() {
                    if let Some(code) = info.code {
                        write!(f, ": code {code}")?;
                    }
                    if let Some(sub) = info.subcode {
                        write!(f, ", subcode {sub}")?;
                    }
                    if let Some(message) = &info.message {
                        write!(f, ": {message}")?;
                    }
                }
                Ok(())
            }
            ErrorKind::Timeout(t) => write!(f, "operation {id}: no final notification within {t:?}"),
            ErrorKind::NoKey => f.write_str(
                "the operation has neither an id nor a clientContext: no notification can be matched to it",
            ),
        }
    }
}

impl std::error::Error for OperationError {}

/// Something [`Operations::wait`] can wait for: a [`CommsOperation`], a named
/// operation kind ([`PlayPromptOperation`], ...), or a [`Response`] holding one.
pub trait AsOperation {
    /// The operation's id, `clientContext`, status and `resultInfo`.
    fn to_operation(&self) -> CommsOperation;
}

impl AsOperation for CommsOperation {
    fn to_operation(&self) -> CommsOperation {
        self.clone()
    }
}

macro_rules! as_operation {
    ($($kind:ty),* $(,)?) => {$(
        impl AsOperation for $kind {
            fn to_operation(&self) -> CommsOperation {
                CommsOperation {
                    client_context: self.client_context.clone(),
                    id: self.id.clone(),
                    result_info: self.result_info.clone(),
                    status: self.status.clone(),
                }
            }
        }
    )*};
}

as_operation!(
    CancelMediaProcessingOperation,
    InviteParticipantsOperation,
    MuteParticipantOperation,
    PlayPromptOperation,
    RecordOperation,
    StartHoldMusicOperation,
    StopHoldMusicOperation,
    SubscribeToToneOperation,
    UnmuteParticipantOperation,
    UpdateRecordingStatusOperation,
);

impl<T: AsOperation> AsOperation for Response<T> {
    fn to_operation(&self) -> CommsOperation {
        let mut op = self.body().to_operation();
        if op.id.as_deref().is_none_or(str::is_empty) {
            // `Location: .../operations/{id}`
            op.id = self
                .location()
                .and_then(|l| l.split_once("/operations/"))
                .map(|(_, id)| id.split(['/', '?']).next().unwrap_or_default().to_owned())
                .filter(|id| !id.is_empty());
        }
        op
    }
}

impl<T: AsOperation + ?Sized> AsOperation for &T {
    fn to_operation(&self) -> CommsOperation {
        (**self).to_operation()
    }
}

impl<T: AsOperation> AsOperation for Option<T> {
    /// `None` (an action that answered without a body) is an operation with
    /// nothing to match by.
    fn to_operation(&self) -> CommsOperation {
        self.as_ref().map(T::to_operation).unwrap_or_default()
    }
}
