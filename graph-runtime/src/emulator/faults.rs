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
}

impl Fault {
    fn count_mut(&mut self) -> &mut u32 {
        match self {
            Fault::Throttle { count, .. } | Fault::Unavailable { count } => count,
        }
    }
}

/// The queue of injected faults.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    queue: VecDeque<Fault>,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, mut fault: Fault) {
        if *fault.count_mut() > 0 {
            self.queue.push_back(fault);
        }
    }

    /// The fault that answers the current request, if any; uses up one answer.
    pub(crate) fn take(&mut self) -> Option<Fault> {
        let front = self.queue.front_mut()?;
        let answer = front.clone();
        let count = front.count_mut();
        *count -= 1;
        if *count == 0 {
            self.queue.pop_front();
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
