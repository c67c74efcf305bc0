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

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::Poll;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use tracing::Instrument as _;

use crate::action::GraphAction;
use crate::client::GraphClient;
use crate::config::ApiVersion;
use crate::error::{ApiError, GraphError};
use crate::headers::request_id_of;
use crate::request::RequestWriter;
use crate::response::{Response, decode_body, decode_error, snippet};
use crate::retry::{
    AfterAttempt, Decision, Failure, RetryPolicy, retry_after_of, status_is_retryable,
};

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

/// An item's JSON, in two parts around its optional `dependsOn`:
/// `{"id":"1","method":"GET","url":"/me"` and `,"body":{...},"headers":{...}}`.
struct ItemWire {
    head: Vec<u8>,
    tail: Vec<u8>,
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
        let wire = write_item::<A>(action);
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
        let wire = write_item::<A>(action);
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

    fn push(
        &mut self,
        wire: Result<ItemWire, GraphError>,
        pinned: Option<ApiVersion>,
        idempotent: bool,
        depends_on: Option<u32>,
    ) -> BatchId {
        let n = u32::try_from(self.entries.len() + 1).unwrap_or(u32::MAX);
        let root = match depends_on {
            Some(d) => {
                let root = self.entries[d as usize - 1].root;
                self.entries[root as usize - 1].group_size += 1;
                root
            }
            None => n,
        };
        let wire = wire.map(|mut w| {
            let mut head = Vec::with_capacity(w.head.len() + 16);
            head.extend_from_slice(b"{\"id\":\"");
            head.extend_from_slice(n.to_string().as_bytes());
            head.extend_from_slice(b"\",");
            head.extend_from_slice(&w.head);
            w.head = head;
            w
        });
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
        render(&ids, |n| {
            let entry = &self.entries[n as usize - 1];
            (entries[n as usize - 1], entry.depends_on)
        })
    }

    /// Reads a `$batch` answer to every item, as `send` does, for `graph-bench`.
    #[cfg(feature = "__bench")]
    pub(crate) fn read_all(self, answer: Bytes) -> Result<BatchResults, GraphError> {
        let ids: Vec<u32> = (1..=self.entries.len() as u32).collect();
        let raw = RawAnswer {
            status: 200,
            headers: HeaderMap::new(),
            body: answer,
            client_request_id: String::new(),
        };
        let items = read_answer(&raw, &ids).map_err(|e| e.into_error(&raw))?;
        let mut slots: Vec<Slot> = (0..self.entries.len()).map(|_| Slot::Taken).collect();
        for (n, item) in items {
            slots[n as usize - 1] = Slot::Answer(ItemAnswer {
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

/// Writes the method, URL, headers and body of `action` as one item (without
/// its `id`, which [`Batch::push`] puts in front).
fn write_item<A: GraphAction + ?Sized>(action: &A) -> Result<ItemWire, GraphError> {
    let mut writer = RequestWriter::new();
    action.write_request(&mut writer);
    item_wire(A::METHOD.as_str(), writer)
}

fn item_wire(method: &str, writer: RequestWriter) -> Result<ItemWire, GraphError> {
    let written = writer.finish()?;
    let mut head = Vec::with_capacity(32 + written.path_and_query.len());
    head.extend_from_slice(b"\"method\":");
    json_str(&mut head, method)?;
    head.extend_from_slice(b",\"url\":");
    json_str(&mut head, &written.path_and_query)?;
    let body_len = written.body.as_ref().map_or(0, Vec::len);
    let mut tail = Vec::with_capacity(body_len + 64);
    if let Some(body) = &written.body {
        tail.extend_from_slice(b",\"body\":");
        tail.extend_from_slice(body);
    }
    if written.body.is_some() || !written.headers.is_empty() {
        tail.extend_from_slice(b",\"headers\":{");
        let mut first = true;
        if written.body.is_some() {
            // Graph requires Content-Type on an item with a body.
            tail.extend_from_slice(b"\"Content-Type\":\"application/json\"");
            first = false;
        }
        for (name, value) in &written.headers {
            if !first {
                tail.push(b',');
            }
            first = false;
            json_str(&mut tail, name.as_str())?;
            tail.push(b':');
            json_str(&mut tail, &String::from_utf8_lossy(value.as_bytes()))?;
        }
        tail.push(b'}');
    }
    tail.push(b'}');
    Ok(ItemWire { head, tail })
}

fn json_str(out: &mut Vec<u8>, text: &str) -> Result<(), GraphError> {
    serde_json::to_writer(out, text)
        .map_err(|e| GraphError::invalid_request(format!("a batch item could not be written: {e}")))
}

/// The `$batch` body of `ids`: `{"requests":[...]}`. `item(n)` gives an item's
/// wire form and dependency; `dependsOn` is written only when the dependency is
/// in the same body.
fn render<'e>(ids: &[u32], item: impl Fn(u32) -> (Option<&'e ItemWire>, Option<u32>)) -> Vec<u8> {
    let mut size = 16;
    for &n in ids {
        if let (Some(w), _) = item(n) {
            size += w.head.len() + w.tail.len() + 24;
        }
    }
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(b"{\"requests\":[");
    let mut first = true;
    for &n in ids {
        let (Some(wire), depends_on) = item(n) else {
            continue;
        };
        if !first {
            out.push(b',');
        }
        first = false;
        out.extend_from_slice(&wire.head);
        if let Some(d) = depends_on.filter(|d| ids.contains(d)) {
            out.extend_from_slice(b",\"dependsOn\":[\"");
            out.extend_from_slice(d.to_string().as_bytes());
            out.extend_from_slice(b"\"]");
        }
        out.extend_from_slice(&wire.tail);
    }
    out.extend_from_slice(b"]}");
    out
}

/// What [`plan_requests`] needs to know of an item.
#[derive(Debug, Clone, Copy)]
struct Node {
    n: u32,
    version: ApiVersion,
    root: u32,
    /// Written, and every item it depends on too.
    sendable: bool,
}

/// One `$batch` request to send: its version and its items in the order added.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Planned {
    version: ApiVersion,
    ids: Vec<u32>,
}

/// Splits the sendable items into `$batch` requests: each dependency group of
/// two or more items in a request of its own, the independent items of one
/// version in requests of at most [`MAX_BATCH_ITEMS`]. Ordered by first item.
fn plan_requests(nodes: &[Node]) -> Vec<Planned> {
    // Groups in order of their root, members in the order added.
    let mut groups: Vec<(ApiVersion, Vec<u32>)> = Vec::new();
    let mut group_of_root: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
    for node in nodes.iter().filter(|n| n.sendable) {
        let at = *group_of_root.entry(node.root).or_insert_with(|| {
            groups.push((node.version, Vec::new()));
            groups.len() - 1
        });
        groups[at].1.push(node.n);
    }
    let mut out: Vec<Planned> = Vec::new();
    // The open request of independent items, per version.
    let mut open: Vec<(ApiVersion, usize)> = Vec::new();
    for (version, ids) in groups {
        if ids.len() > 1 {
            out.push(Planned { version, ids });
            continue;
        }
        let slot = open.iter().position(|(v, _)| *v == version);
        match slot.map(|s| open[s].1) {
            Some(at) if out[at].ids.len() < MAX_BATCH_ITEMS => out[at].ids.extend(ids),
            _ => {
                out.push(Planned { version, ids });
                let at = out.len() - 1;
                match slot {
                    Some(s) => open[s].1 = at,
                    None => open.push((version, at)),
                }
            }
        }
    }
    out
}

/// The item Graph answered, its body unread.
struct WireAnswer {
    status: u16,
    headers: HeaderMap,
    /// The item's `body` JSON (empty when absent or `null`).
    body: Bytes,
}

/// An answered item, kept until [`BatchResults::take`] reads it.
struct ItemAnswer {
    item: WireAnswer,
    client_request_id: String,
    attempts: u32,
    gave_up: Option<String>,
}

impl ItemAnswer {
    fn retry_after(&self) -> Option<Duration> {
        retry_after_of(self.item.status, &self.item.headers, SystemTime::now())
    }

    fn read<T: DeserializeOwned>(self) -> Result<Response<T>, GraphError> {
        let ItemAnswer {
            item,
            client_request_id,
            attempts,
            gave_up,
        } = self;
        if (200..300).contains(&item.status) {
            return match decode_body::<T>(&item.body) {
                Ok(body) => Ok(Response {
                    status: item.status,
                    headers: item.headers,
                    client_request_id,
                    body,
                }),
                Err(e) => {
                    let request_id = request_id_of(&item.headers).map(str::to_owned);
                    Err(decode_error(
                        item.status,
                        &item.body,
                        e,
                        request_id,
                        client_request_id,
                    ))
                }
            };
        }
        Err(self_error(item, client_request_id, attempts, gave_up))
    }
}

/// An item's error answer as [`GraphError::Api`].
fn self_error(
    item: WireAnswer,
    client_request_id: String,
    attempts: u32,
    gave_up: Option<String>,
) -> GraphError {
    let retry_after = retry_after_of(item.status, &item.headers, SystemTime::now());
    let mut api = ApiError::from_answer(
        item.status,
        item.headers,
        &item.body,
        client_request_id,
        retry_after,
    );
    api.attempts = attempts;
    api.gave_up = gave_up;
    GraphError::Api(Box::new(api))
}

/// 424 from the runtime: `dependency` could not be sent, so neither is this.
fn not_sent_dependency(dependency: u32) -> GraphError {
    let body = serde_json::json!({"error": {
        "code": "FailedDependency",
        "message": format!(
            "not sent: batch item {dependency}, which this item depends on, could not be sent"
        ),
    }});
    let body = serde_json::to_vec(&body).unwrap_or_default();
    let mut api = ApiError::from_answer(424, HeaderMap::new(), &body, String::new(), None);
    api.attempts = 0;
    GraphError::Api(Box::new(api))
}

/// Why a `$batch` answer could not be read.
struct Unreadable(String);

impl Unreadable {
    fn into_error(self, raw: &RawAnswer) -> GraphError {
        GraphError::Decode {
            status: raw.status,
            reason: self.0,
            snippet: snippet(&raw.body),
            request_id: request_id_of(&raw.headers).map(str::to_owned),
            client_request_id: raw.client_request_id.clone(),
        }
    }
}

#[derive(Deserialize)]
struct WireResponses<'a> {
    #[serde(borrow)]
    responses: Vec<WireItem<'a>>,
}

#[derive(Deserialize)]
struct WireItem<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    status: u16,
    #[serde(default)]
    headers: Option<WireHeaders>,
    #[serde(borrow, default)]
    body: Option<&'a RawValue>,
}

/// An item's `headers` object, read straight into a [`HeaderMap`]: names and
/// values borrowed from the answer where they can be, numbers and booleans
/// written as text, `null` and anything that is not a valid header left out.
struct WireHeaders(HeaderMap);

impl<'de> Deserialize<'de> for WireHeaders {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = WireHeaders;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of headers")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<WireHeaders, M::Error> {
                let mut headers = HeaderMap::new();
                while let Some(Text(name)) = map.next_key::<Text<'de>>()? {
                    let Text(value) = map.next_value::<Text<'de>>()?;
                    if let (Some(name), Some(value)) = (name, value)
                        && let (Ok(name), Ok(value)) = (
                            HeaderName::from_bytes(name.as_bytes()),
                            HeaderValue::from_str(&value),
                        )
                    {
                        headers.append(name, value);
                    }
                }
                Ok(WireHeaders(headers))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// A JSON scalar as text (`None` for `null` or a nested value).
struct Text<'a>(Option<Cow<'a, str>>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a header name or value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_owned()))))
            }
            fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v))))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_unit<E>(self) -> Result<Text<'de>, E> {
                Ok(Text(None))
            }
            fn visit_seq<S: serde::de::SeqAccess<'de>>(
                self,
                mut seq: S,
            ) -> Result<Text<'de>, S::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Text<'de>, M::Error> {
                while map
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Text(None))
            }
        }
        d.deserialize_any(Visit)
    }
}

/// Reads a `$batch` answer: the item answers for `ids`, matched by id (the
/// first answer of an id counts; answers to other ids are ignored).
fn read_answer(raw: &RawAnswer, ids: &[u32]) -> Result<Vec<(u32, WireAnswer)>, Unreadable> {
    let parsed: WireResponses<'_> = serde_json::from_slice(&raw.body)
        .map_err(|e| Unreadable(format!("the $batch answer is not a batch response: {e}")))?;
    let mut out: Vec<(u32, WireAnswer)> = Vec::with_capacity(ids.len());
    for item in parsed.responses {
        let Ok(n) = item.id.trim().parse::<u32>() else {
            continue;
        };
        if !ids.contains(&n) || out.iter().any(|(m, _)| *m == n) {
            continue;
        }
        let headers = item.headers.map_or_else(HeaderMap::new, |h| h.0);
        let body = item
            .body
            .map_or_else(Bytes::new, |b| sub_bytes(&raw.body, b.get().as_bytes()));
        out.push((
            n,
            WireAnswer {
                status: item.status,
                headers,
                body,
            },
        ));
    }
    Ok(out)
}

/// `part` of `whole` without a copy when it lies inside it (it does, as a
/// borrowed parse), else a copy.
fn sub_bytes(whole: &Bytes, part: &[u8]) -> Bytes {
    let start = (part.as_ptr() as usize).wrapping_sub(whole.as_ptr() as usize);
    if start <= whole.len() && part.len() <= whole.len() - start {
        whole.slice(start..start + part.len())
    } else {
        Bytes::copy_from_slice(part)
    }
}

/// An item's part in one round, for [`decide_round`].
#[derive(Debug, Clone, Copy)]
struct RoundItem {
    n: u32,
    status: u16,
    retry_after: Option<Duration>,
    idempotent: bool,
    /// The item it depends on, when that one was in the same round.
    depends_on: Option<u32>,
}

/// What to do after a round of a `$batch` request.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RoundPlan {
    /// No item is retried.
    Finished,
    /// Send `ids` again, in a new `$batch`, after `wait`.
    Retry { ids: Vec<u32>, wait: Duration },
    /// Retryable items remain but the policy stops here: they keep their answer,
    /// with this reason.
    GiveUp { reason: String },
}

/// The retry decision for one round, pure: `retries` retries were made so far,
/// `waited` spent waiting; `jitter` a sample in `[0, 1)`. `items` in the order
/// added. The retryable items are retried as one call would be
/// ([`RetryPolicy::decide`]) with the largest `Retry-After` among them (the
/// backoff when none has one).
fn decide_round(
    policy: &RetryPolicy,
    retries: u32,
    waited: Duration,
    items: &[RoundItem],
    jitter: f64,
) -> RoundPlan {
    let retryable = |i: &RoundItem| status_is_retryable(i.status, i.idempotent);
    let Some(first) = items.iter().find(|i| retryable(i)) else {
        return RoundPlan::Finished;
    };
    let retry_after = items
        .iter()
        .filter(|i| retryable(i))
        .filter_map(|i| i.retry_after)
        .max();
    let after = AfterAttempt {
        failure: Failure::Status {
            status: first.status,
            retry_after,
        },
        idempotent: first.idempotent,
        retries,
        waited,
    };
    let wait = match policy.decide(&after, jitter) {
        Decision::RetryAfter(wait) => wait,
        Decision::GiveUp(reason) => return RoundPlan::GiveUp { reason },
        // Not reached: `first` is retryable.
        Decision::Stop => return RoundPlan::Finished,
    };
    // The retryable items, and the ones Graph refused (424) because one of
    // them failed: dependencies come first, so one pass finds every chain.
    let mut ids: Vec<u32> = Vec::new();
    for item in items {
        let failed_dependency =
            item.status == 424 && item.depends_on.is_some_and(|d| ids.contains(&d));
        if retryable(item) || failed_dependency {
            ids.push(item.n);
        }
    }
    RoundPlan::Retry { ids, wait }
}

/// A successful `$batch` answer with its body unread, and the POST's
/// `client-request-id`.
struct RawAnswer {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
    client_request_id: String,
}

/// POSTs one `$batch` body under `version` through the client's pipeline
/// (token, attempts under the timeout, redirects, retries of the whole POST by
/// the usual rules; `idempotent` when every item is). Any non-2xx is an error.
async fn post_batch(
    client: &GraphClient,
    version: ApiVersion,
    body: Vec<u8>,
    idempotent: bool,
) -> Result<RawAnswer, GraphError> {
    let url = client.version_url(version, BATCH_PATH)?;
    let call = client.prepare(http::Method::POST, url, Vec::new(), Some(body), idempotent)?;
    let client_request_id = call.client_request_id().to_owned();
    let span = tracing::debug_span!(
        "graph_call",
        method = "POST",
        path = BATCH_PATH,
        client_request_id = %client_request_id,
        status = tracing::field::Empty,
        attempts = tracing::field::Empty,
        request_id = tracing::field::Empty,
    );
    let answer = if span.is_disabled() {
        client.execute(&call, &span).await?
    } else {
        client
            .execute(&call, &span)
            .instrument(span.clone())
            .await?
    };
    Ok(RawAnswer {
        status: answer.status,
        headers: answer.headers,
        body: answer.body,
        client_request_id,
    })
}

/// The items of a planned request as the send loop needs them.
struct Sendable {
    idempotent: bool,
    depends_on: Option<u32>,
    wire: ItemWire,
}

/// How one planned request ended: the items answered, and the items that were
/// not because a `$batch` POST failed as a whole.
struct RequestOutcome {
    done: Vec<(u32, Slot)>,
    failed: Option<(GraphError, Vec<u32>)>,
}

/// Sends one planned request, then its retryable items again as the policy says.
async fn run_request(
    client: &GraphClient,
    entries: &[Option<Sendable>],
    planned: Planned,
) -> RequestOutcome {
    let policy = client.retry_policy();
    let item = |n: u32| entries.get(n as usize - 1).and_then(Option::as_ref);
    let mut pending = planned.ids;
    let mut attempts: Vec<(u32, u32)> = pending.iter().map(|&n| (n, 0)).collect();
    let mut done: Vec<(u32, Slot)> = Vec::with_capacity(pending.len());
    let mut retries = 0u32;
    let mut waited = Duration::ZERO;
    loop {
        let idempotent = pending
            .iter()
            .all(|&n| item(n).is_some_and(|s| s.idempotent));
        let body = render(&pending, |n| {
            let s = item(n);
            (s.map(|s| &s.wire), s.and_then(|s| s.depends_on))
        });
        for (n, count) in attempts.iter_mut() {
            if pending.contains(n) {
                *count += 1;
            }
        }
        let attempts_of = |n: u32| {
            attempts
                .iter()
                .find(|(m, _)| *m == n)
                .map_or(1, |(_, c)| *c)
        };
        tracing::debug!(
            items = pending.len(),
            version = planned.version.as_str(),
            retries,
            "sending a $batch request"
        );
        let raw = match post_batch(client, planned.version, body, idempotent).await {
            Ok(raw) => raw,
            Err(error) => {
                return RequestOutcome {
                    done,
                    failed: Some((error, pending)),
                };
            }
        };
        let answers = match read_answer(&raw, &pending) {
            Ok(answers) => answers,
            Err(why) => {
                return RequestOutcome {
                    done,
                    failed: Some((why.into_error(&raw), pending)),
                };
            }
        };
        let mut answered: Vec<(u32, ItemAnswer)> = Vec::with_capacity(answers.len());
        for (n, wire) in answers {
            answered.push((
                n,
                ItemAnswer {
                    item: wire,
                    client_request_id: raw.client_request_id.clone(),
                    attempts: attempts_of(n),
                    gave_up: None,
                },
            ));
        }
        // Items the answer left out: nothing to retry on, so an error each.
        for &n in &pending {
            if !answered.iter().any(|(m, _)| *m == n) {
                let mut error = Unreadable(format!(
                    "the $batch answer has no response for batch item {n}"
                ))
                .into_error(&raw);
                error.set_attempts(attempts_of(n));
                done.push((n, Slot::Failed(error)));
            }
        }
        answered.sort_by_key(|(n, _)| *n);
        let round: Vec<RoundItem> = answered
            .iter()
            .map(|(n, a)| RoundItem {
                n: *n,
                status: a.item.status,
                retry_after: a.retry_after(),
                idempotent: item(*n).is_some_and(|s| s.idempotent),
                depends_on: item(*n)
                    .and_then(|s| s.depends_on)
                    .filter(|d| pending.contains(d)),
            })
            .collect();
        match decide_round(policy, retries, waited, &round, fastrand::f64()) {
            RoundPlan::Finished => {
                done.extend(answered.into_iter().map(|(n, a)| (n, Slot::Answer(a))));
                return RequestOutcome { done, failed: None };
            }
            RoundPlan::GiveUp { reason } => {
                for (n, mut a) in answered {
                    if status_is_retryable(a.item.status, item(n).is_some_and(|s| s.idempotent)) {
                        a.gave_up = Some(reason.clone());
                    }
                    done.push((n, Slot::Answer(a)));
                }
                return RequestOutcome { done, failed: None };
            }
            RoundPlan::Retry { ids, wait } => {
                for (n, a) in answered {
                    if !ids.contains(&n) {
                        done.push((n, Slot::Answer(a)));
                    }
                }
                tracing::debug!(
                    items = ids.len(),
                    wait_ms = wait.as_millis() as u64,
                    "retrying batch items after a wait"
                );
                tokio::time::sleep(wait).await;
                waited += wait;
                retries += 1;
                pending = ids;
            }
        }
    }
}

/// Runs `jobs`, at most `limit` at a time, on the current task; outputs in the
/// order of `jobs`.
async fn run_limited<F: Future>(jobs: Vec<F>, limit: usize) -> Vec<F::Output> {
    let total = jobs.len();
    let mut waiting = jobs.into_iter().enumerate();
    let mut running: Vec<(usize, Pin<Box<F>>)> = Vec::with_capacity(limit.min(total));
    for (i, job) in waiting.by_ref().take(limit.max(1)) {
        running.push((i, Box::pin(job)));
    }
    let mut outputs: Vec<Option<F::Output>> = (0..total).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut i = 0;
        while i < running.len() {
            match running[i].1.as_mut().poll(cx) {
                Poll::Ready(output) => {
                    outputs[running[i].0] = Some(output);
                    running.swap_remove(i);
                    if let Some((at, job)) = waiting.next() {
                        running.push((at, Box::pin(job)));
                    }
                }
                Poll::Pending => i += 1,
            }
        }
        if running.is_empty() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

/// Where an item's answer is kept.
enum Slot {
    /// Not answered yet (only while sending).
    Pending,
    /// Graph's answer to the item.
    Answer(ItemAnswer),
    /// An error of this item alone.
    Failed(GraphError),
    /// The `$batch` POST holding the item failed as a whole: that error.
    Shared(usize),
    /// Already taken.
    Taken,
}

/// The answers of a sent [`Batch`]; [`take`](Self::take) each item's.
pub struct BatchResults {
    tag: u64,
    slots: Vec<Slot>,
    request_errors: Vec<Option<GraphError>>,
}

impl fmt::Debug for BatchResults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchResults")
            .field("items", &self.slots.len())
            .finish_non_exhaustive()
    }
}

impl BatchResults {
    /// The answer to `item`, read by the same tolerant reader as `send` (empty
    /// body or `null` as `null`, `()` accepting any body, the `{"value": {...}}`
    /// envelope unwrapped), with the item's status and headers (`Location`
    /// among them). [`Response::client_request_id`] is the `$batch` request's.
    ///
    /// An item's non-2xx answer is [`GraphError::Api`] with the item's status,
    /// code, message and headers (424 when an item it depends on failed); a
    /// body that does not read as `T` is [`GraphError::Decode`], for this item
    /// only. When the `$batch` POST holding the item failed as a whole, that
    /// error (a copy of it; a transport error is returned once, to the first
    /// item taken, and the others get an [`GraphError::InvalidRequest`] that
    /// quotes it).
    pub fn take<T: DeserializeOwned>(
        &mut self,
        item: BatchItem<T>,
    ) -> Result<Response<T>, GraphError> {
        self.take_answer(item.id)?.read::<T>()
    }

    fn take_answer(&mut self, id: BatchId) -> Result<ItemAnswer, GraphError> {
        let slot = match self.slot_mut(id) {
            Some(slot) => std::mem::replace(slot, Slot::Taken),
            None => {
                return Err(GraphError::invalid_request(format!(
                    "batch item {id} is not an item of this batch"
                )));
            }
        };
        match slot {
            Slot::Answer(answer) => Ok(answer),
            Slot::Failed(error) => Err(error),
            Slot::Shared(at) => Err(self.shared_error(at)),
            Slot::Pending | Slot::Taken => Err(GraphError::invalid_request(format!(
                "batch item {id} has no answer (already taken?)"
            ))),
        }
    }

    fn slot_mut(&mut self, id: BatchId) -> Option<&mut Slot> {
        if id.tag != self.tag {
            return None;
        }
        self.slots.get_mut((id.n as usize).checked_sub(1)?)
    }

    fn shared_error(&mut self, at: usize) -> GraphError {
        let Some(kept) = self.request_errors.get_mut(at) else {
            return GraphError::invalid_request("the $batch request of this item failed");
        };
        if let Some(copy) = kept.as_ref().and_then(copy_error) {
            return copy;
        }
        match kept.take() {
            Some(original) => {
                let quoted = original.to_string();
                *kept = Some(GraphError::invalid_request(format!(
                    "the $batch request that held this item failed: {quoted}"
                )));
                original
            }
            None => GraphError::invalid_request("the $batch request of this item failed"),
        }
    }

    /// The HTTP status of `id`'s answer (Graph's, or the `$batch` request's when
    /// that failed as a whole), until it is taken.
    pub fn status(&self, id: BatchId) -> Option<u16> {
        match self.slot(id)? {
            Slot::Answer(a) => Some(a.item.status),
            Slot::Failed(e) => e.status(),
            Slot::Shared(at) => self.request_errors.get(*at)?.as_ref()?.status(),
            Slot::Pending | Slot::Taken => None,
        }
    }

    /// How many times `id` was sent (1, plus one per retry of the item), until
    /// it is taken; 0 for an item that could not be sent.
    pub fn attempts(&self, id: BatchId) -> Option<u32> {
        match self.slot(id)? {
            Slot::Answer(a) => Some(a.attempts),
            Slot::Failed(e) => Some(e.attempts().unwrap_or(0)),
            Slot::Shared(at) => self.request_errors.get(*at)?.as_ref()?.attempts(),
            Slot::Pending | Slot::Taken => None,
        }
    }

    fn slot(&self, id: BatchId) -> Option<&Slot> {
        if id.tag != self.tag {
            return None;
        }
        self.slots.get((id.n as usize).checked_sub(1)?)
    }

    /// How many items the batch held.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether the batch held no item.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

/// A copy of `error`, for every item of a `$batch` POST that failed as a whole;
/// `None` for a transport error, whose cause cannot be copied.
fn copy_error(error: &GraphError) -> Option<GraphError> {
    Some(match error {
        GraphError::Api(api) => GraphError::Api(api.clone()),
        GraphError::Transport { .. } => return None,
        GraphError::Timeout {
            after,
            attempts,
            client_request_id,
        } => GraphError::Timeout {
            after: *after,
            attempts: *attempts,
            client_request_id: client_request_id.clone(),
        },
        GraphError::Decode {
            status,
            reason,
            snippet,
            request_id,
            client_request_id,
        } => GraphError::Decode {
            status: *status,
            reason: reason.clone(),
            snippet: snippet.clone(),
            request_id: request_id.clone(),
            client_request_id: client_request_id.clone(),
        },
        GraphError::ResponseTooLarge {
            status,
            limit,
            request_id,
            client_request_id,
        } => GraphError::ResponseTooLarge {
            status: *status,
            limit: *limit,
            request_id: request_id.clone(),
            client_request_id: client_request_id.clone(),
        },
        GraphError::Redirect {
            status,
            reason,
            client_request_id,
        } => GraphError::Redirect {
            status: *status,
            reason: reason.clone(),
            client_request_id: client_request_id.clone(),
        },
        GraphError::InvalidRequest { reason } => GraphError::invalid_request(reason.clone()),
        GraphError::Token {
            reason,
            status,
            code,
        } => GraphError::Token {
            reason: reason.clone(),
            status: *status,
            code: code.clone(),
        },
        GraphError::Config { reason } => GraphError::config(reason.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(n: u32, root: u32) -> Node {
        Node {
            n,
            version: ApiVersion::V1,
            root,
            sendable: true,
        }
    }

    fn sizes(plan: &[Planned]) -> Vec<usize> {
        plan.iter().map(|p| p.ids.len()).collect()
    }

    #[test]
    fn independent_items_split_by_twenty() {
        for (items, expected) in [
            (1, vec![1]),
            (20, vec![20]),
            (21, vec![20, 1]),
            (45, vec![20, 20, 5]),
        ] {
            let nodes: Vec<Node> = (1..=items).map(|n| node(n, n)).collect();
            let plan = plan_requests(&nodes);
            assert_eq!(sizes(&plan), expected, "{items} items");
            let all: Vec<u32> = plan.iter().flat_map(|p| p.ids.clone()).collect();
            assert_eq!(all, (1..=items).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_group_gets_a_request_of_its_own() {
        // 1..=15 independent, 16..=25 a chain rooted at 16, 26 independent.
        let mut nodes: Vec<Node> = (1..=15).map(|n| node(n, n)).collect();
        nodes.extend((16..=25).map(|n| node(n, 16)));
        nodes.push(node(26, 26));
        let plan = plan_requests(&nodes);
        assert_eq!(plan.len(), 2);
        assert_eq!(
            plan[0].ids,
            (1..=15).chain(std::iter::once(26)).collect::<Vec<_>>()
        );
        assert_eq!(plan[1].ids, (16..=25).collect::<Vec<_>>());
    }

    #[test]
    fn versions_go_apart_and_unsendable_items_stay_home() {
        let mut nodes = vec![node(1, 1), node(2, 2), node(3, 3)];
        nodes[1].version = ApiVersion::Beta;
        nodes[2].sendable = false;
        let plan = plan_requests(&nodes);
        assert_eq!(
            plan,
            vec![
                Planned {
                    version: ApiVersion::V1,
                    ids: vec![1]
                },
                Planned {
                    version: ApiVersion::Beta,
                    ids: vec![2]
                },
            ]
        );
    }

    fn round(n: u32, status: u16, retry_after_ms: Option<u64>) -> RoundItem {
        RoundItem {
            n,
            status,
            retry_after: retry_after_ms.map(Duration::from_millis),
            idempotent: false,
            depends_on: None,
        }
    }

    /// No jitter: the backoff is 3 s, then 6 s, ... (the default base delay).
    const NO_JITTER: f64 = 0.0;

    #[test]
    fn retries_throttled_items_after_the_largest_retry_after() {
        let p = RetryPolicy::default();
        let items = [
            round(1, 200, None),
            round(2, 429, Some(500)),
            round(3, 503, Some(1500)),
            round(4, 404, None),
            round(5, 504, None),
        ];
        assert_eq!(
            decide_round(&p, 0, Duration::ZERO, &items, NO_JITTER),
            RoundPlan::Retry {
                ids: vec![2, 3],
                wait: Duration::from_millis(1500)
            }
        );
        // Without Retry-After: the backoff. 504 only when idempotent.
        let mut idem = round(5, 504, None);
        idem.idempotent = true;
        assert_eq!(
            decide_round(
                &p,
                1,
                Duration::ZERO,
                &[round(1, 200, None), idem],
                NO_JITTER
            ),
            RoundPlan::Retry {
                ids: vec![5],
                wait: Duration::from_secs(6)
            }
        );
        assert_eq!(
            decide_round(&p, 0, Duration::ZERO, &[round(1, 200, None)], NO_JITTER),
            RoundPlan::Finished
        );
    }

    #[test]
    fn resends_the_dependents_refused_because_of_a_retried_item() {
        let p = RetryPolicy::default();
        let mut two = round(2, 424, None);
        two.depends_on = Some(1);
        let mut three = round(3, 424, None);
        three.depends_on = Some(2);
        let mut five = round(5, 424, None);
        five.depends_on = Some(4);
        let items = [
            round(1, 429, Some(0)),
            two,
            three,
            round(4, 400, None),
            five,
        ];
        assert_eq!(
            decide_round(&p, 0, Duration::ZERO, &items, NO_JITTER),
            RoundPlan::Retry {
                ids: vec![1, 2, 3],
                wait: Duration::ZERO
            }
        );
    }

    #[test]
    fn gives_up_by_the_policy() {
        let items = [round(1, 429, Some(1000))];
        let off = decide_round(&RetryPolicy::none(), 0, Duration::ZERO, &items, NO_JITTER);
        assert!(matches!(off, RoundPlan::GiveUp { reason } if reason.contains("off")));
        let p = RetryPolicy::default().max_retries(2);
        let spent = decide_round(&p, 2, Duration::ZERO, &items, NO_JITTER);
        assert!(matches!(spent, RoundPlan::GiveUp { reason } if reason.contains("exhausted")));
        let p = RetryPolicy::default().max_wait(Duration::from_millis(999));
        let long = decide_round(&p, 0, Duration::ZERO, &items, NO_JITTER);
        assert!(matches!(long, RoundPlan::GiveUp { reason } if reason.contains("cap")));
        let p = RetryPolicy::default().max_total_wait(Duration::from_secs(10));
        let total = decide_round(&p, 1, Duration::from_secs(9500), &items, NO_JITTER);
        assert!(matches!(total, RoundPlan::GiveUp { reason } if reason.contains("total")));
    }

    fn wire(head: &str, tail: &str) -> ItemWire {
        ItemWire {
            head: head.as_bytes().to_vec(),
            tail: tail.as_bytes().to_vec(),
        }
    }

    #[test]
    fn renders_depends_on_only_inside_the_request() {
        let items = [
            wire(r#"{"id":"1","method":"GET","url":"/a""#, "}"),
            wire(r#"{"id":"2","method":"GET","url":"/b""#, "}"),
        ];
        let body = render(&[1, 2], |n| {
            (Some(&items[n as usize - 1]), (n == 2).then_some(1))
        });
        assert_eq!(
            String::from_utf8(body).unwrap(),
            r#"{"requests":[{"id":"1","method":"GET","url":"/a"},{"id":"2","method":"GET","url":"/b","dependsOn":["1"]}]}"#
        );
        let body = render(&[2], |n| (Some(&items[n as usize - 1]), Some(1)));
        assert_eq!(
            String::from_utf8(body).unwrap(),
            r#"{"requests":[{"id":"2","method":"GET","url":"/b"}]}"#
        );
    }

    #[test]
    fn reads_answers_by_id_with_their_headers_and_raw_bodies() {
        let raw = RawAnswer {
            status: 200,
            headers: HeaderMap::new(),
            body: Bytes::from_static(
                br#"{"responses":[
                {"id":"3","status":204,"body":null},
                {"id":"9","status":200},
                {"id":"1","status":302,"headers":{"Location":"https://x.example/a","Retry-After":2,"X-Null":null,"X-Obj":{"a":[1]},"Bad Name":"x","X-Esc":"a\u0041"}},
                {"id":"2","status":200,"body":{"value":[]}},
                {"id":"2","status":500}
            ]}"#,
            ),
            client_request_id: "c".into(),
        };
        let answers = read_answer(&raw, &[1, 2, 3]).unwrap_or_else(|e| panic!("{}", e.0));
        let ids: Vec<u32> = answers.iter().map(|(n, _)| *n).collect();
        assert_eq!(ids, [3, 1, 2]);
        assert!(answers[0].1.body.is_empty());
        assert_eq!(answers[1].1.status, 302);
        assert_eq!(answers[1].1.headers["location"], "https://x.example/a");
        assert_eq!(answers[1].1.headers["retry-after"], "2");
        assert_eq!(answers[1].1.headers["x-esc"], "aA");
        assert_eq!(
            answers[1].1.headers.len(),
            3,
            "null, nested and invalid left out"
        );
        assert_eq!(&answers[2].1.body[..], br#"{"value":[]}"#);

        let bad = RawAnswer {
            body: Bytes::from_static(b"{\"value\":1}"),
            ..raw
        };
        let err = read_answer(&bad, &[1]).err().unwrap().into_error(&bad);
        assert!(
            matches!(err, GraphError::Decode { status: 200, .. }),
            "{err}"
        );
    }

    #[test]
    fn run_limited_keeps_the_order_and_the_limit() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let live = std::sync::atomic::AtomicUsize::new(0);
        let most = std::sync::atomic::AtomicUsize::new(0);
        let jobs: Vec<_> = (0..9)
            .map(|i| {
                let (live, most) = (&live, &most);
                async move {
                    let now = live.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    tokio::task::yield_now().await;
                    tokio::task::yield_now().await;
                    live.fetch_sub(1, Ordering::SeqCst);
                    i * 10
                }
            })
            .collect();
        let out = rt.block_on(run_limited(jobs, 4));
        assert_eq!(out, (0..9).map(|i| i * 10).collect::<Vec<_>>());
        assert_eq!(most.load(Ordering::SeqCst), 4);
    }
}
