//! [`BatchResults`]: the answers of a sent batch, each read as its item's type
//! when it is taken.

use std::fmt;
use std::time::{Duration, SystemTime};

use crate::roles::ResponseBody;
use http::HeaderMap;

use crate::error::{ApiError, GraphError};
use crate::headers::request_id_of;
use crate::response::{Response, decode_error};
use crate::retry::retry_after_of;

use super::wire::WireAnswer;
use super::{BatchId, BatchItem};

/// An answered item, kept until [`BatchResults::take`] reads it.
pub(super) struct ItemAnswer {
    pub(super) item: WireAnswer,
    pub(super) client_request_id: String,
    pub(super) attempts: u32,
    pub(super) gave_up: Option<String>,
}

impl ItemAnswer {
    pub(super) fn retry_after(&self) -> Option<Duration> {
        retry_after_of(self.item.status, &self.item.headers, SystemTime::now())
    }

    pub(super) fn read<T: ResponseBody>(self) -> Result<Response<T>, GraphError> {
        let ItemAnswer {
            item,
            client_request_id,
            attempts,
            gave_up,
        } = self;
        if (200..300).contains(&item.status) {
            return match T::from_body(&item.body) {
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
pub(super) fn self_error(
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
pub(super) fn not_sent_dependency(dependency: u32) -> GraphError {
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

/// Where an item's answer is kept.
pub(super) enum Slot {
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

/// The answers of a sent [`Batch`](super::Batch); [`take`](Self::take) each item's.
pub struct BatchResults {
    pub(super) tag: u64,
    pub(super) slots: Vec<Slot>,
    pub(super) request_errors: Vec<Option<GraphError>>,
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
    /// error (a copy of it; a transport or decode error is returned once, to the first
    /// item taken, and the others get an [`GraphError::InvalidRequest`] that
    /// quotes it).
    pub fn take<T: ResponseBody>(&mut self, item: BatchItem<T>) -> Result<Response<T>, GraphError> {
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

    /// How many `$batch` requests carried `id` (1, plus one per retry of the
    /// item), until it is taken; 0 for an item that could not be sent. A
    /// `$batch` POST the client sent again whole (say, after a 429 to the POST
    /// itself) counts once here. The same count is in an item error's
    /// [`GraphError::attempts`].
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
/// `None` for a transport or decode error, whose cause cannot be copied.
pub(super) fn copy_error(error: &GraphError) -> Option<GraphError> {
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
        // Its serde_json cause cannot be copied either.
        GraphError::Decode { .. } => return None,
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
        // The copy keeps what the token error says; its cause stays with the
        // original.
        GraphError::Token {
            reason,
            status,
            code,
            source: _,
        } => GraphError::Token {
            reason: reason.clone(),
            status: *status,
            code: code.clone(),
            source: None,
        },
        GraphError::Config { reason } => GraphError::config(reason.clone()),
    })
}
