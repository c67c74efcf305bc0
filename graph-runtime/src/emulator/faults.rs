//! Faults a test scripts into the emulator's next answers.

use std::collections::VecDeque;
use std::time::Duration;

/// A fault the emulator answers with instead of serving requests, injected with
/// [`Emulator::inject`](super::Emulator::inject). Faults queue up in order; each
/// answers the next `count` requests (whatever they are, authenticated or not).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// The next `count` requests get `429 Too Many Requests` with
    /// `Retry-After: <retry_after in whole seconds, rounded up>` and Graph's
    /// `TooManyRequests` error body.
    Throttle {
        /// How many answers.
        count: u32,
        /// The wait the service asks for.
        retry_after: Duration,
    },
    /// The next `count` requests get `503 Service Unavailable` with Graph's
    /// `serviceNotAvailable` error body and no `Retry-After`.
    Unavailable {
        /// How many answers.
        count: u32,
    },
    /// The next `count` items inside `$batch` requests (not whole requests)
    /// get `429` with Graph's `TooManyRequests` error body and a `retry-after`
    /// item header of `retry_after` in seconds, fractional when it has a
    /// fraction (`0.5`). Queued apart from the other faults, which answer
    /// whole requests (a `$batch` POST among them).
    BatchItemThrottle {
        /// How many item answers.
        count: u32,
        /// The wait the item's answer asks for.
        retry_after: Duration,
    },
}

impl Fault {
    fn count_mut(&mut self) -> &mut u32 {
        match self {
            Fault::Throttle { count, .. }
            | Fault::Unavailable { count }
            | Fault::BatchItemThrottle { count, .. } => count,
        }
    }
}

/// The queue of injected faults.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    queue: VecDeque<Fault>,
    /// [`Fault::BatchItemThrottle`]s, for the items of `$batch` requests.
    items: VecDeque<Fault>,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, mut fault: Fault) {
        if *fault.count_mut() > 0 {
            match fault {
                Fault::BatchItemThrottle { .. } => self.items.push_back(fault),
                _ => self.queue.push_back(fault),
            }
        }
    }

    /// The fault that answers the current request, if any; uses up one answer.
    pub(crate) fn take(&mut self) -> Option<Fault> {
        Self::take_from(&mut self.queue)
    }

    /// The fault that answers the current `$batch` item, if any.
    pub(crate) fn take_item(&mut self) -> Option<Fault> {
        Self::take_from(&mut self.items)
    }

    fn take_from(queue: &mut VecDeque<Fault>) -> Option<Fault> {
        let front = queue.front_mut()?;
        let answer = front.clone();
        let count = front.count_mut();
        *count -= 1;
        if *count == 0 {
            queue.pop_front();
        }
        Some(answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_answer_in_order_and_run_out() {
        let mut q = FaultQueue::default();
        q.push(Fault::Unavailable { count: 0 });
        q.push(Fault::Throttle {
            count: 2,
            retry_after: Duration::from_secs(1),
        });
        q.push(Fault::Unavailable { count: 1 });
        assert!(matches!(q.take(), Some(Fault::Throttle { .. })));
        assert!(matches!(q.take(), Some(Fault::Throttle { .. })));
        assert!(matches!(q.take(), Some(Fault::Unavailable { .. })));
        assert_eq!(q.take(), None);
    }
}
