//! [`RetryPolicy`]: which failures are retried, and how long to wait.
//!
//! The rules (design 5.4):
//! - 429 and 503, and connection failures before the request was sent, are
//!   retried for every action; 504 and failures after sending only for idempotent
//!   actions. No other status is retried.
//! - `Retry-After` is honoured in every form (integer or fractional seconds, the
//!   three HTTP-date forms; a past date means now). An invalid value falls back to
//!   the backoff. A value beyond [`RetryPolicy::max_wait`], or one that would take
//!   the total wait past [`RetryPolicy::max_total_wait`], ends the call at once with
//!   the throttled answer.
//! - Otherwise the wait is `base_delay * 2^(n-1)` plus up to `jitter` (3, 6, 12 s
//!   plus up to 1 s by default).
//! - Apart from the policy: a request an HTTP/2 server refused unprocessed (a
//!   refused stream, a graceful GOAWAY: [`is_protocol_nack`]) is sent again at
//!   once, for any action, at most [`MAX_NACK_RESENDS`] times per call, even with
//!   retries off.

use std::time::{Duration, SystemTime};

/// The largest number of retries a policy allows.
pub const MAX_RETRIES: u32 = 10;

/// How a [`GraphClient`](crate::GraphClient) retries. On by default: 3 retries,
/// 3 s base delay, up to 1 s of jitter, at most 180 s per wait and 180 s in all.
///
/// ```
/// use std::time::Duration;
/// use graph_runtime::RetryPolicy;
///
/// let patient = RetryPolicy::default().max_retries(10);
/// let off = RetryPolicy::none();
/// assert_eq!(off.retries(), 0);
/// assert_eq!(patient.retries(), 10);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    base_delay: Duration,
    jitter: Duration,
    max_wait: Duration,
    max_total_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_secs(3),
            jitter: Duration::from_secs(1),
            max_wait: Duration::from_secs(180),
            max_total_wait: Duration::from_secs(180),
        }
    }
}

impl RetryPolicy {
    /// No retries: every failure is returned as it comes, but for a request an
    /// HTTP/2 server refused unprocessed, which is sent again at once (at most
    /// twice per call) whatever the policy.
    #[must_use]
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// The number of retries after the first attempt, at most [`MAX_RETRIES`]
    /// (larger values are lowered to it).
    #[must_use]
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries.min(MAX_RETRIES);
        self
    }

    /// The first backoff wait when the answer has no usable `Retry-After`
    /// (default 3 s); each further retry doubles it.
    #[must_use]
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The largest random amount added to each backoff wait (default 1 s; zero
    /// turns jitter off).
    #[must_use]
    pub fn jitter(mut self, jitter: Duration) -> Self {
        self.jitter = jitter;
        self
    }

    /// The longest single wait (default 180 s). A `Retry-After` beyond it ends the
    /// call with the throttled answer at once; a longer backoff is shortened to it.
    #[must_use]
    pub fn max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = wait;
        self
    }

    /// The most time spent waiting between attempts of one call (default 180 s).
    /// A wait that would pass it ends the call with the last answer instead.
    #[must_use]
    pub fn max_total_wait(mut self, wait: Duration) -> Self {
        self.max_total_wait = wait;
        self
    }

    /// The configured number of retries.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// The backoff before retry `n` (1-based), without jitter, capped at
    /// `max_wait`.
    pub(crate) fn backoff(&self, n: u32) -> Duration {
        let factor = 1u32.checked_shl(n.saturating_sub(1)).unwrap_or(u32::MAX);
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(Duration::MAX)
            .min(self.max_wait)
    }

    /// The backoff before retry `n` plus `unit` (a sample in `[0, 1)`) of the
    /// jitter, capped at `max_wait`.
    fn jittered_backoff(&self, n: u32, unit: f64) -> Duration {
        let jitter = if self.jitter.is_zero() {
            Duration::ZERO
        } else {
            self.jitter.mul_f64(unit)
        };
        self.backoff(n).saturating_add(jitter).min(self.max_wait)
    }

    /// The retry decision after a failed attempt: a plain function of the
    /// failure, the call's idempotency, the retries made and the time waited so
    /// far. `jitter` is a sample in `[0, 1)` (the caller draws it, so this stays
    /// deterministic).
    ///
    /// In order: a failure that is not retryable stops the call; with no retry
    /// left it gives up; a `Retry-After` beyond [`max_wait`](Self::max_wait), or
    /// a wait that would pass [`max_total_wait`](Self::max_total_wait), gives up;
    /// otherwise it waits the `Retry-After`, else the jittered backoff.
    pub(crate) fn decide(&self, after: &AfterAttempt, jitter: f64) -> Decision {
        let retryable = match after.failure {
            Failure::Status { status, .. } => status_is_retryable(status, after.idempotent),
            Failure::Transport { sent } => !sent || after.idempotent,
            Failure::TimedOut => after.idempotent,
        };
        if !retryable {
            return Decision::Stop;
        }
        let retries = after.retries;
        if retries >= self.max_retries {
            return Decision::GiveUp(if self.max_retries == 0 {
                "retries are off".to_owned()
            } else {
                format!("retries exhausted ({retries} of {})", self.max_retries)
            });
        }
        let retry_after = match after.failure {
            Failure::Status { retry_after, .. } => retry_after,
            Failure::Transport { .. } | Failure::TimedOut => None,
        };
        let wait = match retry_after {
            Some(ra) if ra > self.max_wait => {
                return Decision::GiveUp(format!(
                    "Retry-After of {:?} is beyond the cap of {:?}; not waiting",
                    ra, self.max_wait
                ));
            }
            Some(ra) => ra,
            None => self.jittered_backoff(retries + 1, jitter),
        };
        if after.waited.saturating_add(wait) > self.max_total_wait {
            return Decision::GiveUp(format!(
                "waiting {:?} more would pass the total wait cap of {:?}",
                wait, self.max_total_wait
            ));
        }
        Decision::RetryAfter(wait)
    }
}

/// How an attempt failed, as far as the retry decision needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// A non-2xx answer, with its `Retry-After` (from [`retry_after_of`]).
    Status {
        /// The answer's status.
        status: u16,
        /// The answer's `Retry-After`, when it had a usable one.
        retry_after: Option<Duration>,
    },
    /// The transport failed; `sent` is `false` only when nothing was sent, or
    /// nothing was processed (an HTTP/2 refusal).
    Transport {
        /// Whether the request may have reached the server.
        sent: bool,
    },
    /// The attempt ran past the per-attempt timeout.
    TimedOut,
}

/// What the retry decision is given after a failed attempt.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AfterAttempt {
    /// How the attempt failed.
    pub(crate) failure: Failure,
    /// Whether the call may be sent twice.
    pub(crate) idempotent: bool,
    /// Retries made so far (not counting a 401 token refresh).
    pub(crate) retries: u32,
    /// Time waited between attempts so far.
    pub(crate) waited: Duration,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Wait this long, then send the next attempt.
    RetryAfter(Duration),
    /// Return the error as it is: this failure is never retried.
    Stop,
    /// Return the error, with why no retry was made (shown by `ApiError`).
    GiveUp(String),
}

/// The `Retry-After` of an answer with `status`: read only on 429, 503 and 504
/// (by [`parse_retry_after`]), `None` otherwise or when it is not usable.
pub(crate) fn retry_after_of(
    status: u16,
    headers: &http::HeaderMap,
    now: SystemTime,
) -> Option<Duration> {
    if matches!(status, 429 | 503 | 504) {
        headers
            .get(http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, now))
    } else {
        None
    }
}

/// Whether an answer with `status` is retried, given the action's idempotency.
pub(crate) fn status_is_retryable(status: u16, idempotent: bool) -> bool {
    match status {
        429 | 503 => true,
        504 => idempotent,
        _ => false,
    }
}

/// How many times one call sends a request again at once after a protocol NACK
/// ([`is_protocol_nack`]), whatever the [`RetryPolicy`]: reqwest's own default.
pub(crate) const MAX_NACK_RESENDS: u32 = 2;

/// Whether `error` says the server did not process the request, so that it may
/// be sent again whatever its method (RFC 9113 8.7): somewhere in its `source()`
/// chain, an HTTP/2 error received from the server that is a stream reset with
/// `REFUSED_STREAM` or a graceful `GOAWAY` (`NO_ERROR`). reqwest's default retry
/// policy resends the same two; clients built here turn it off (it clones every
/// request), so the pipeline resends them for every HTTP client.
pub(crate) fn is_protocol_nack(error: &(dyn std::error::Error + 'static)) -> bool {
    // A bound on the walk, against a chain that loops.
    std::iter::successors(Some(error), |e| e.source())
        .take(16)
        .filter_map(|e| e.downcast_ref::<h2::Error>())
        .any(|e| {
            e.is_remote()
                && ((e.is_reset() && e.reason() == Some(h2::Reason::REFUSED_STREAM))
                    || (e.is_go_away() && e.reason() == Some(h2::Reason::NO_ERROR)))
        })
}

/// Parses a `Retry-After` value: non-negative (possibly fractional) seconds, or an
/// HTTP-date in any of the three RFC 9110 forms (a past date gives zero). A number
/// of seconds too large for a [`Duration`] is valid and saturates to
/// `Duration::MAX` (a wait beyond any cap). `None` for anything else, so the
/// caller falls back to the backoff.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use graph_runtime::parse_retry_after;
///
/// let now = SystemTime::now();
/// assert_eq!(parse_retry_after("2.5", now), Some(Duration::from_millis(2500)));
/// assert_eq!(parse_retry_after("100000000000000000000", now), Some(Duration::MAX));
/// assert_eq!(parse_retry_after("soon", now), None);
/// ```
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        // Only digits and one dot get here, so the number is finite unless it
        // has hundreds of digits (then it parses as infinity): too large either way.
        let secs: f64 = value.parse().ok()?;
        if secs.is_nan() || secs < 0.0 {
            return None;
        }
        return Some(Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error with a source, to build chains.
    #[derive(Debug)]
    struct Wrap(Box<dyn std::error::Error + 'static>);

    impl std::fmt::Display for Wrap {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("wrapped")
        }
    }

    impl std::error::Error for Wrap {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&*self.0)
        }
    }

    /// Only a refusal received from the server is a NACK; the remote ones are
    /// tested against a loopback HTTP/2 server (tests/protocol_nack.rs), since h2
    /// builds them only from frames it receives.
    #[test]
    fn errors_that_are_not_protocol_nacks() {
        // A reason made locally (not received in a frame), however deep.
        for reason in [h2::Reason::REFUSED_STREAM, h2::Reason::NO_ERROR] {
            let local = h2::Error::from(reason);
            assert!(!is_protocol_nack(&local));
            assert!(!is_protocol_nack(&Wrap(Box::new(Wrap(Box::new(local))))));
        }
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        assert!(!is_protocol_nack(&io));
        assert!(!is_protocol_nack(&Wrap(Box::new(io))));
    }

    #[test]
    fn backoff_doubles_from_three_seconds_and_is_capped() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(1), Duration::from_secs(3));
        assert_eq!(p.backoff(2), Duration::from_secs(6));
        assert_eq!(p.backoff(3), Duration::from_secs(12));
        assert_eq!(p.backoff(7), Duration::from_secs(180));
        assert_eq!(p.backoff(40), Duration::from_secs(180));
        for n in 1..=3 {
            let w = p.jittered_backoff(n, fastrand::f64());
            assert!(w >= p.backoff(n) && w <= p.backoff(n) + Duration::from_secs(1));
        }
    }

    #[test]
    fn max_retries_is_capped_at_ten() {
        assert_eq!(RetryPolicy::default().max_retries(50).retries(), 10);
        assert_eq!(RetryPolicy::default().retries(), 3);
        assert_eq!(RetryPolicy::none().retries(), 0);
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        let s = |v: &str| parse_retry_after(v, now);
        assert_eq!(s("5"), Some(Duration::from_secs(5)));
        assert_eq!(s(" 5 "), Some(Duration::from_secs(5)));
        assert_eq!(s("0"), Some(Duration::ZERO));
        assert_eq!(s("2.128"), Some(Duration::from_millis(2128)));
        assert_eq!(s("0.5"), Some(Duration::from_millis(500)));
        assert_eq!(
            s("Sun, 06 Nov 1994 08:50:07 GMT"),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            s("Sunday, 06-Nov-94 08:50:07 GMT"),
            Some(Duration::from_secs(30))
        );
        assert_eq!(s("Sun Nov  6 08:50:07 1994"), Some(Duration::from_secs(30)));
        assert_eq!(s("Sun, 06 Nov 1994 08:00:00 GMT"), Some(Duration::ZERO));
        assert_eq!(s("100000000000000000000"), Some(Duration::MAX));
        assert_eq!(s(&"9".repeat(400)), Some(Duration::MAX));
        for bad in ["", "-1", "NaN", "inf", "1e3", "soon", "1.2.3", "+5", "."] {
            assert_eq!(s(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn statuses() {
        assert!(status_is_retryable(429, false));
        assert!(status_is_retryable(503, false));
        assert!(!status_is_retryable(504, false));
        assert!(status_is_retryable(504, true));
        for s in [400, 401, 404, 500, 501, 502, 507, 509] {
            assert!(!status_is_retryable(s, true), "{s}");
        }
    }

    fn after(failure: Failure, idempotent: bool, retries: u32, waited: Duration) -> AfterAttempt {
        AfterAttempt {
            failure,
            idempotent,
            retries,
            waited,
        }
    }

    fn status(status: u16, retry_after: Option<u64>) -> Failure {
        Failure::Status {
            status,
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    #[test]
    fn decision_follows_status_idempotency_and_transport() {
        let p = RetryPolicy::default().jitter(Duration::ZERO);
        let zero = Duration::ZERO;
        let d = |f, idem| p.decide(&after(f, idem, 0, zero), 0.0);
        let first = Decision::RetryAfter(Duration::from_secs(3));
        assert_eq!(d(status(429, None), false), first);
        assert_eq!(d(status(503, None), false), first);
        assert_eq!(d(status(504, None), false), Decision::Stop);
        assert_eq!(d(status(504, None), true), first);
        assert_eq!(d(status(500, None), true), Decision::Stop);
        assert_eq!(d(status(401, None), true), Decision::Stop);
        assert_eq!(d(Failure::Transport { sent: false }, false), first);
        assert_eq!(d(Failure::Transport { sent: true }, false), Decision::Stop);
        assert_eq!(d(Failure::Transport { sent: true }, true), first);
        assert_eq!(d(Failure::TimedOut, false), Decision::Stop);
        assert_eq!(d(Failure::TimedOut, true), first);
    }

    #[test]
    fn decision_waits_retry_after_then_backoff_with_jitter() {
        let p = RetryPolicy::default();
        let zero = Duration::ZERO;
        assert_eq!(
            p.decide(&after(status(429, Some(7)), false, 0, zero), 0.5),
            Decision::RetryAfter(Duration::from_secs(7))
        );
        // Backoff doubles with the retries made; the sample picks the jitter.
        assert_eq!(
            p.decide(&after(status(429, None), false, 1, zero), 0.5),
            Decision::RetryAfter(Duration::from_millis(6_500))
        );
        assert_eq!(
            p.decide(&after(status(429, None), false, 2, zero), 0.0),
            Decision::RetryAfter(Duration::from_secs(12))
        );
    }

    #[test]
    fn decision_gives_up_with_why() {
        let zero = Duration::ZERO;
        let why = |p: &RetryPolicy, a: AfterAttempt| match p.decide(&a, 0.0) {
            Decision::GiveUp(why) => why,
            other => panic!("expected to give up, got {other:?}"),
        };
        let off = RetryPolicy::none();
        assert_eq!(
            why(&off, after(status(429, None), false, 0, zero)),
            "retries are off"
        );
        let p = RetryPolicy::default();
        assert_eq!(
            why(&p, after(status(503, None), false, 3, zero)),
            "retries exhausted (3 of 3)"
        );
        assert!(
            why(&p, after(status(429, Some(181)), false, 0, zero))
                .contains("beyond the cap of 180s")
        );
        assert!(
            why(
                &p,
                after(status(429, Some(30)), false, 1, Duration::from_secs(151))
            )
            .contains("total wait cap of 180s")
        );
        // Exactly at the total cap still waits.
        assert_eq!(
            p.decide(
                &after(status(429, Some(30)), false, 1, Duration::from_secs(150)),
                0.0
            ),
            Decision::RetryAfter(Duration::from_secs(30))
        );
        // Not retryable is a plain stop even with no retries left.
        assert_eq!(
            p.decide(&after(status(400, None), false, 3, zero), 0.0),
            Decision::Stop
        );
    }

    #[test]
    fn retry_after_is_read_only_where_it_counts() {
        let now = SystemTime::UNIX_EPOCH;
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static("2"),
        );
        for s in [429, 503, 504] {
            assert_eq!(
                retry_after_of(s, &headers, now),
                Some(Duration::from_secs(2)),
                "{s}"
            );
        }
        for s in [200, 302, 400, 500] {
            assert_eq!(retry_after_of(s, &headers, now), None, "{s}");
        }
        headers.insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static("soon"),
        );
        assert_eq!(retry_after_of(429, &headers, now), None);
        assert_eq!(retry_after_of(429, &http::HeaderMap::new(), now), None);
    }
}
