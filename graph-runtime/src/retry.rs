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
    /// No retries at all: every failure is returned as it comes.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// The number of retries after the first attempt, at most [`MAX_RETRIES`]
    /// (larger values are lowered to it).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries.min(MAX_RETRIES);
        self
    }

    /// The first backoff wait when the answer has no usable `Retry-After`
    /// (default 3 s); each further retry doubles it.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The largest random amount added to each backoff wait (default 1 s; zero
    /// turns jitter off).
    pub fn jitter(mut self, jitter: Duration) -> Self {
        self.jitter = jitter;
        self
    }

    /// The longest single wait (default 180 s). A `Retry-After` beyond it ends the
    /// call with the throttled answer at once; a longer backoff is shortened to it.
    pub fn max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = wait;
        self
    }

    /// The most time spent waiting between attempts of one call (default 180 s).
    /// A wait that would pass it ends the call with the last answer instead.
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

    pub(crate) fn jittered_backoff(&self, n: u32) -> Duration {
        let jitter = if self.jitter.is_zero() {
            Duration::ZERO
        } else {
            self.jitter.mul_f64(fastrand::f64())
        };
        self.backoff(n).saturating_add(jitter).min(self.max_wait)
    }

    pub(crate) fn max_wait_value(&self) -> Duration {
        self.max_wait
    }

    pub(crate) fn max_total_wait_value(&self) -> Duration {
        self.max_total_wait
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

    #[test]
    fn backoff_doubles_from_three_seconds_and_is_capped() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(1), Duration::from_secs(3));
        assert_eq!(p.backoff(2), Duration::from_secs(6));
        assert_eq!(p.backoff(3), Duration::from_secs(12));
        assert_eq!(p.backoff(7), Duration::from_secs(180));
        assert_eq!(p.backoff(40), Duration::from_secs(180));
        for n in 1..=3 {
            let w = p.jittered_backoff(n);
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
}
