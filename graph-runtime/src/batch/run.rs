//! Sending: one planned `$batch` request and its rounds of item retries, and
//! several requests at once.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use crate::call::Call;
use crate::client::GraphClient;
use crate::config::ApiVersion;
use crate::error::GraphError;
use crate::retry::status_is_retryable;

use super::BATCH_PATH;
use super::plan::{Planned, RoundItem, RoundPlan, decide_round};
use super::results::{ItemAnswer, Slot};
use super::wire::{ItemWire, RawAnswer, Unreadable, read_answer, render};

/// POSTs one `$batch` body under `version` through the client's pipeline
/// (token, attempts under the timeout, redirects, retries of the whole POST by
/// the usual rules; `idempotent` when every item is). Any non-2xx is an error.
pub(super) async fn post_batch(
    client: &GraphClient,
    version: ApiVersion,
    body: Vec<u8>,
    idempotent: bool,
) -> Result<RawAnswer, GraphError> {
    let url = client.version_url(version, BATCH_PATH)?;
    let call = Call::new(http::Method::POST, url, Vec::new(), Some(body), idempotent)?;
    let (answer, client_request_id) = client.execute_traced(&call, "POST", BATCH_PATH).await?;
    Ok(RawAnswer {
        status: answer.status,
        headers: answer.headers,
        body: answer.body,
        client_request_id,
    })
}

/// The items of a planned request as the send loop needs them.
pub(super) struct Sendable {
    pub(super) idempotent: bool,
    pub(super) depends_on: Option<u32>,
    pub(super) wire: ItemWire,
}

/// How one planned request ended: the items answered, and the items that were
/// not because a `$batch` POST failed as a whole.
pub(super) struct RequestOutcome {
    pub(super) done: Vec<(u32, Slot)>,
    pub(super) failed: Option<(GraphError, Vec<u32>)>,
}

/// Sends one planned request, then its retryable items again as the policy says.
pub(super) async fn run_request(
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
pub(super) async fn run_limited<F: Future>(jobs: Vec<F>, limit: usize) -> Vec<F::Output> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;

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
