//! Which items go in which `$batch` request, and which items a round sends
//! again: pure functions of the items, unit-tested without a network.

use std::time::Duration;

use crate::config::ApiVersion;
use crate::retry::{AfterAttempt, Decision, Failure, RetryPolicy, status_is_retryable};

use super::MAX_BATCH_ITEMS;

/// What [`plan_requests`] needs to know of an item.
#[derive(Debug, Clone, Copy)]
pub(super) struct Node {
    pub(super) n: u32,
    pub(super) version: ApiVersion,
    pub(super) root: u32,
    /// Written, and every item it depends on too.
    pub(super) sendable: bool,
}

/// One `$batch` request to send: its version and its items in the order added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Planned {
    pub(super) version: ApiVersion,
    pub(super) ids: Vec<u32>,
}

/// Splits the sendable items into `$batch` requests: each dependency group of
/// two or more items in a request of its own, the independent items of one
/// version in requests of at most [`MAX_BATCH_ITEMS`]. Ordered by first item.
pub(super) fn plan_requests(nodes: &[Node]) -> Vec<Planned> {
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

/// An item's part in one round, for [`decide_round`].
#[derive(Debug, Clone, Copy)]
pub(super) struct RoundItem {
    pub(super) n: u32,
    pub(super) status: u16,
    pub(super) retry_after: Option<Duration>,
    pub(super) idempotent: bool,
    /// The item it depends on, when that one was in the same round.
    pub(super) depends_on: Option<u32>,
}

/// What to do after a round of a `$batch` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum RoundPlan {
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
pub(super) fn decide_round(
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
}
