//! JSON batching (`$batch`): many actions in one round trip, every answer typed.
//!
//! [`GraphClient::batch`] starts a [`Batch`]; [`Batch::add`] writes an action as
//! one item (its method, its URL relative to the version root, its own headers
//! and its JSON body) and returns a typed [`BatchItem`]; [`Batch::send`] sends
//! the items and [`BatchResults::take`] reads each answer with the same tolerant
//! reader as `send`.
//!
//! The rules (design 5.6, Graph's documented limits in graph-facts 6):
//! - at most [`MAX_BATCH_ITEMS`] items per `$batch` request; more are split into
//!   several requests, sent concurrently (at most 4 at a time);
//! - an item depends on at most one other (`dependsOn`); the items joined by
//!   `dependsOn` form a group that stays in one request, and a request holds
//!   either independent items or one group, never both; a group larger than
//!   [`MAX_BATCH_ITEMS`] is refused by [`Batch::add_after`];
//! - an action pinned to another API version than the client's goes into a
//!   `$batch` of its own version;
//! - answers are matched by id, never by order;
//! - the `$batch` POST itself goes through the client's pipeline (tokens,
//!   retries, redirects, timeouts); it is idempotent only when every item in it
//!   is. Items answered 429 or 503 (504 for idempotent items) are sent again in a
//!   new `$batch` after the largest `Retry-After` among them (the backoff when
//!   none has one), with the same ids, under the client's
//!   [`RetryPolicy`](crate::RetryPolicy); so are the items Graph answered 424
//!   because one of those failed. The others are not sent again.

mod plan;
mod results;
mod run;
mod wire;

use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::action::GraphAction;
use crate::client::GraphClient;
use crate::config::ApiVersion;
use crate::error::GraphError;

pub use results::BatchResults;

use plan::{Node, plan_requests};
use results::{Slot, not_sent_dependency};
use run::{Sendable, run_limited, run_request};
use wire::{ItemWire, write_item};

/// The most items one `$batch` request holds (Graph's limit), and the largest
/// group of items joined by `dependsOn`.
pub const MAX_BATCH_ITEMS: usize = 20;

/// How many `$batch` requests of one [`Batch::send`] are in flight at once.
const MAX_CONCURRENT_REQUESTS: usize = 4;

/// The path of the batch endpoint under a version root.
const BATCH_PATH: &str = "/$batch";

/// Tells batches apart, so that an item of one batch is not read from another.
static NEXT_TAG: AtomicU64 = AtomicU64::new(1);

/// The id of one item of a [`Batch`]: the item's `id` on the wire (`"1"`, `"2"`,
/// ... in the order the items were added). `Copy`; pass it to
/// [`Batch::add_after`] to make another item depend on this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BatchId {
    tag: u64,
    n: u32,
}

impl BatchId {
    /// The number written as the item's `id` (1 for the first item added).
    pub fn get(self) -> u32 {
        self.n
    }
}

impl fmt::Display for BatchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.n)
    }
}

/// A typed handle to one item of a [`Batch`], returned by [`Batch::add`]: `T` is
/// the action's response type. Give it to [`BatchResults::take`] for the answer.
pub struct BatchItem<T> {
    id: BatchId,
    response: PhantomData<fn() -> T>,
}

impl<T> BatchItem<T> {
    fn new(id: BatchId) -> Self {
        BatchItem {
            id,
            response: PhantomData,
        }
    }

    /// The item's id (its `id` on the wire).
    pub fn id(&self) -> BatchId {
        self.id
    }
}

impl<T> fmt::Debug for BatchItem<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchItem")
            .field("id", &self.id.n)
            .field("response", &std::any::type_name::<T>())
            .finish()
    }
}

/// Actions to send together in JSON batches; see [`GraphClient::batch`].
///
/// ```no_run
/// # async fn demo(client: graph_runtime::GraphClient) -> Result<(), graph_runtime::GraphError> {
/// use graph_runtime::comms::{GetParticipant, MuteParticipant};
///
/// let mut batch = client.batch();
/// let mute = batch.add(&MuteParticipant {
///     call_id: "c1".into(),
///     participant_id: "p1".into(),
///     client_context: None,
/// });
/// let state = batch.add_after(
///     &GetParticipant { call_id: "c1".into(), participant_id: "p1".into() },
///     &[mute.id()],
/// )?;
/// let mut results = batch.send().await?;
/// let op = results.take(mute)?;
/// let participant = results.take(state)?;
/// println!("{:?} {:?}", op.status, participant.is_muted);
/// # Ok(()) }
/// ```
#[must_use = "a batch does nothing until sent"]
pub struct Batch<'c> {
    client: &'c GraphClient,
    tag: u64,
    entries: Vec<Entry>,
}

impl fmt::Debug for Batch<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Batch")
            .field("items", &self.entries.len())
            .finish_non_exhaustive()
    }
}

/// One item as added: where it goes and its wire form (or why it cannot be sent).
struct Entry {
    version: ApiVersion,
    idempotent: bool,
    /// The number of the item this one depends on.
    depends_on: Option<u32>,
    /// The first item of this item's dependency group (itself when independent).
    root: u32,
    /// Items in the group this item roots (only read at roots).
    group_size: usize,
    wire: Result<ItemWire, GraphError>,
}

impl GraphClient {
    /// Starts a JSON batch: add actions with [`Batch::add`], then
    /// [`Batch::send`] them in as few round trips as Graph allows.
    ///
    /// The README's example (a test keeps the two the same):
    ///
    /// ```no_run
    /// use graph_runtime::comms::{GetParticipant, MuteParticipant};
    /// use graph_runtime::{GraphClient, GraphError};
    ///
    /// /// Mutes ten participants in one round trip, then reads their states in another.
    /// async fn mute_ten(client: &GraphClient, call_id: &str, people: &[String]) -> Result<(), GraphError> {
    ///     let mut batch = client.batch();
    ///     let mutes: Vec<_> = people
    ///         .iter()
    ///         .map(|p| {
    ///             batch.add(&MuteParticipant {
    ///                 call_id: call_id.into(),
    ///                 participant_id: p.clone(),
    ///                 client_context: None,
    ///             })
    ///         })
    ///         .collect();
    ///     let mut results = batch.send().await?; // one $batch request: up to 20 items
    ///     for (mute, person) in mutes.into_iter().zip(people) {
    ///         match results.take(mute) {
    ///             Ok(op) => println!("{person}: {:?}", op.status),
    ///             Err(e) => eprintln!("{person}: {e}"), // this item's status, code, message
    ///         }
    ///     }
    ///
    ///     let mut batch = client.batch();
    ///     let reads: Vec<_> = people
    ///         .iter()
    ///         .map(|p| {
    ///             batch.add(&GetParticipant {
    ///                 call_id: call_id.into(),
    ///                 participant_id: p.clone(),
    ///             })
    ///         })
    ///         .collect();
    ///     let mut results = batch.send().await?;
    ///     for read in reads {
    ///         let participant = results.take(read)?; // a typed Response<Participant>
    ///         println!("{:?} muted: {:?}", participant.id, participant.is_muted);
    ///     }
    ///     Ok(())
    /// }
    /// ```
    pub fn batch(&self) -> Batch<'_> {
        Batch {
            client: self,
            tag: NEXT_TAG.fetch_add(1, Ordering::Relaxed),
            entries: Vec::new(),
        }
    }
}

impl<'c> Batch<'c> {
    /// Adds `action` as an independent item and returns its typed handle.
    ///
    /// The action's request is written now. If it cannot be (a path value that
    /// would leave its segment, a header with CR or LF), the item is not sent:
    /// [`BatchResults::take`] returns that [`GraphError::InvalidRequest`], and
    /// the items that depend on it are answered 424.
    pub fn add<A: GraphAction + ?Sized>(&mut self, action: &A) -> BatchItem<A::Response> {
        let wire = write_item::<A>(self.next_number(), action);
        let id = self.push(wire, A::VERSION, A::IDEMPOTENT, None);
        BatchItem::new(id)
    }

    /// Adds `action` as an item that runs after the items in `after`
    /// (`dependsOn`): Graph answers it 424 when that item fails.
    ///
    /// Refused with [`GraphError::InvalidRequest`], before anything is sent: more
    /// than one id (Graph allows an item to depend on one other only: chain them
    /// instead); an id of another batch; an id of an item pinned to another API
    /// version (it goes in another `$batch`); a dependency group that would
    /// grow past [`MAX_BATCH_ITEMS`] items. An empty `after` is [`add`](Self::add).
    pub fn add_after<A: GraphAction + ?Sized>(
        &mut self,
        action: &A,
        after: &[BatchId],
    ) -> Result<BatchItem<A::Response>, GraphError> {
        let dependency = self.check_dependency(after, A::VERSION)?;
        let wire = write_item::<A>(self.next_number(), action);
        let id = self.push(wire, A::VERSION, A::IDEMPOTENT, dependency);
        Ok(BatchItem::new(id))
    }

    /// How many items were added.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no item was added.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn version_of(&self, pinned: Option<ApiVersion>) -> ApiVersion {
        pinned.unwrap_or_else(|| self.client.api_version())
    }

    fn check_dependency(
        &self,
        after: &[BatchId],
        pinned: Option<ApiVersion>,
    ) -> Result<Option<u32>, GraphError> {
        let id = match after {
            [] => return Ok(None),
            [id] => *id,
            _ => {
                return Err(GraphError::invalid_request(
                    "a batch item can depend on one other item only (Graph's dependsOn limit); \
                     chain them instead: each item after the previous one",
                ));
            }
        };
        let entry = match usize::try_from(id.n)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| self.entries.get(i))
        {
            Some(entry) if id.tag == self.tag => entry,
            _ => {
                return Err(GraphError::invalid_request(format!(
                    "batch item {id} is not an item of this batch"
                )));
            }
        };
        if entry.version != self.version_of(pinned) {
            return Err(GraphError::invalid_request(format!(
                "batch item {id} is sent to API version {} and this action to {}: \
                 items of different versions go in different $batch requests, so one \
                 cannot depend on the other",
                entry.version.as_str(),
                self.version_of(pinned).as_str()
            )));
        }
        let root = &self.entries[entry.root as usize - 1];
        if root.group_size >= MAX_BATCH_ITEMS {
            return Err(GraphError::invalid_request(format!(
                "the items joined by dependsOn with batch item {id} would be more than \
                 {MAX_BATCH_ITEMS}, and a group must fit in one $batch request"
            )));
        }
        Ok(Some(id.n))
    }

    /// The number the next item gets (its wire `id`).
    fn next_number(&self) -> u32 {
        u32::try_from(self.entries.len() + 1).unwrap_or(u32::MAX)
    }

    /// Adds an item written as number [`next_number`](Self::next_number).
    fn push(
        &mut self,
        wire: Result<ItemWire, GraphError>,
        pinned: Option<ApiVersion>,
        idempotent: bool,
        depends_on: Option<u32>,
    ) -> BatchId {
        let n = self.next_number();
        let root = match depends_on {
            Some(d) => {
                let root = self.entries[d as usize - 1].root;
                self.entries[root as usize - 1].group_size += 1;
                root
            }
            None => n,
        };
        self.entries.push(Entry {
            version: self.version_of(pinned),
            idempotent,
            depends_on,
            root,
            group_size: 1,
            wire,
        });
        BatchId { tag: self.tag, n }
    }

    /// Sends every item and collects the answers.
    ///
    /// `Err` only when no item could be answered: the transport failed or every
    /// `$batch` request was refused as a whole. When one of several requests is
    /// refused, only its items fail, each with that answer's error.
    pub async fn send(self) -> Result<BatchResults, GraphError> {
        let Batch {
            client,
            tag,
            entries,
        } = self;
        let mut slots: Vec<Slot> = Vec::with_capacity(entries.len());
        let mut nodes: Vec<Node> = Vec::with_capacity(entries.len());
        let mut sendables: Vec<Option<Sendable>> = Vec::with_capacity(entries.len());
        for (i, entry) in entries.into_iter().enumerate() {
            let n = i as u32 + 1;
            // Dependencies come first, so their node is there.
            let blocked = entry
                .depends_on
                .filter(|d| nodes.get(*d as usize - 1).is_none_or(|node| !node.sendable));
            let (slot, sendable) = match (entry.wire, blocked) {
                (Err(error), _) => (Slot::Failed(error), None),
                (Ok(_), Some(d)) => (Slot::Failed(not_sent_dependency(d)), None),
                (Ok(wire), None) => (
                    Slot::Pending,
                    Some(Sendable {
                        idempotent: entry.idempotent,
                        depends_on: entry.depends_on,
                        wire,
                    }),
                ),
            };
            nodes.push(Node {
                n,
                version: entry.version,
                root: entry.root,
                sendable: sendable.is_some(),
            });
            slots.push(slot);
            sendables.push(sendable);
        }
        let entries = sendables;
        let planned = plan_requests(&nodes);
        let requests = planned.len();
        let jobs = planned
            .into_iter()
            .map(|p| run_request(client, &entries, p))
            .collect();
        let outcomes = run_limited(jobs, MAX_CONCURRENT_REQUESTS).await;

        let mut request_errors = Vec::new();
        let mut answered_any = false;
        for outcome in outcomes {
            for (n, slot) in outcome.done {
                answered_any = true;
                slots[n as usize - 1] = slot;
            }
            if let Some((error, ids)) = outcome.failed {
                let at = request_errors.len();
                request_errors.push(Some(error));
                for n in ids {
                    slots[n as usize - 1] = Slot::Shared(at);
                }
            }
        }
        if requests > 0 && !answered_any && request_errors.len() == requests {
            // Every `$batch` POST failed as a whole: no item was answered.
            if let Some(error) = request_errors.iter_mut().find_map(Option::take) {
                return Err(error);
            }
        }
        Ok(BatchResults {
            tag,
            slots,
            request_errors,
        })
    }

    /// The body of one `$batch` request holding every item, for `graph-bench`.
    #[cfg(feature = "__bench")]
    pub(crate) fn render_all(&self) -> Vec<u8> {
        let entries: Vec<Option<&ItemWire>> =
            self.entries.iter().map(|e| e.wire.as_ref().ok()).collect();
        let ids: Vec<u32> = (1..=self.entries.len() as u32).collect();
        wire::render(&ids, |n| {
            let entry = &self.entries[n as usize - 1];
            (entries[n as usize - 1], entry.depends_on)
        })
    }

    /// Reads a `$batch` answer to every item, as `send` does, for `graph-bench`.
    #[cfg(feature = "__bench")]
    pub(crate) fn read_all(self, answer: bytes::Bytes) -> Result<BatchResults, GraphError> {
        let ids: Vec<u32> = (1..=self.entries.len() as u32).collect();
        let raw = wire::RawAnswer {
            status: 200,
            headers: http::HeaderMap::new(),
            body: answer,
            client_request_id: String::new(),
        };
        let items = wire::read_answer(&raw, &ids).map_err(|e| e.into_error(&raw))?;
        let mut slots: Vec<Slot> = (0..self.entries.len()).map(|_| Slot::Taken).collect();
        for (n, item) in items {
            slots[n as usize - 1] = Slot::Answer(results::ItemAnswer {
                item,
                client_request_id: raw.client_request_id.clone(),
                attempts: 1,
                gave_up: None,
            });
        }
        Ok(BatchResults {
            tag: self.tag,
            slots,
            request_errors: Vec::new(),
        })
    }
}
