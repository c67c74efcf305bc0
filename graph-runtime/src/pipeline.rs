//! The call pipeline: a prepared [`Call`] through attempts, redirects and
//! retries to a raw [`Answer`].
//!
//! For each attempt the token provider is asked for a token, then the attempt
//! (send, follow redirects, read the body) runs under the per-attempt timeout;
//! after a failed attempt [`RetryPolicy::decide`] says whether to wait and try
//! again. Waits between attempts are outside any timeout. A 401 is retried once
//! with a fresh token when the provider can refresh it. A request an HTTP/2
//! server refused unprocessed is sent again at once, at most twice per call,
//! whatever the policy ([`MAX_NACK_RESENDS`]).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::auth::{AccessToken, TokenProvider};
use crate::body::{Answer, ReadError, read_body};
use crate::call::{Call, ClientHeaders};
use crate::error::{ApiError, GraphError, MAX_ERROR_BODY};
use crate::headers::request_id_of;
use crate::redirect::{HopError, send_following};
use crate::retry::{
    AfterAttempt, Decision, Failure, MAX_NACK_RESENDS, RetryPolicy, retry_after_of,
};

/// What a client sends calls with: its HTTP client, tokens, retry policy,
/// per-attempt timeout and body limit.
pub(crate) struct Pipeline {
    pub(crate) http: reqwest::Client,
    pub(crate) tokens: Arc<dyn TokenProvider>,
    pub(crate) retry: RetryPolicy,
    pub(crate) timeout: Duration,
    pub(crate) max_response_bytes: usize,
    /// `User-Agent`, and `Host` for the built-in HTTP client.
    pub(crate) headers: ClientHeaders,
}

/// The counts of one call's retry loop.
struct Tries {
    /// Attempts made, this one included (a 401 refresh counts).
    attempt: u32,
    /// Retries made (waits taken).
    retries: u32,
    /// Time waited between attempts so far.
    waited: Duration,
    /// Whether the token was refreshed after a 401 already.
    refreshed: bool,
    /// Attempts sent again at once after an HTTP/2 refusal.
    nacks: u32,
}

/// What the retry loop does after an attempt.
enum Next {
    /// Return this.
    Done(Result<Answer, GraphError>),
    /// Try again at once (a fresh token after a 401, an HTTP/2 refusal).
    Again,
    /// Wait this long, then retry.
    Wait(Duration),
}

/// How one attempt ended.
enum Outcome {
    /// An answer, and whether its request carried the token.
    Answer(Answer, bool),
    Failed {
        error: reqwest::Error,
        sent: bool,
        /// Refused unprocessed by an HTTP/2 server: safe to send again at once.
        nack: bool,
    },
    Fatal(GraphError),
}

impl Pipeline {
    /// Runs `call` through attempts, redirects and retries: the raw 2xx answer
    /// (body read, not decoded), or the error of the last attempt. `span` is the
    /// call's span, whose `status`, `attempts` and `request_id` fields are
    /// recorded here.
    pub(crate) async fn execute(
        &self,
        call: &Call,
        span: &tracing::Span,
    ) -> Result<Answer, GraphError> {
        let mut state = Tries {
            attempt: 0,
            retries: 0,
            waited: Duration::ZERO,
            refreshed: false,
            nacks: 0,
        };
        loop {
            state.attempt += 1;
            // The token lives for the attempt only, not across the wait.
            let next = {
                let token = match self.tokens.ready_token() {
                    Some(token) => token,
                    None => self.tokens.token().await?,
                };
                let attempt = self.attempt(call, &token, state.attempt);
                // Awaited here rather than in a helper `async fn`: one future
                // less in the call's state.
                let outcome = if self.timeout == Duration::MAX {
                    attempt.await
                } else {
                    match tokio::time::timeout(self.timeout, attempt).await {
                        Ok(outcome) => outcome,
                        Err(_) => self.timed_out(call, state.attempt),
                    }
                };
                self.after_attempt(call, span, outcome, &token, &mut state)
            };
            match next {
                Next::Done(result) => return result,
                Next::Again => {}
                Next::Wait(wait) => {
                    // Boxed: a wait is rare, and its timer would otherwise sit
                    // in every call's state and code.
                    Box::pin(tokio::time::sleep(wait)).await;
                    state.waited += wait;
                    state.retries += 1;
                }
            }
        }
    }

    /// The error of an attempt that ran past the per-attempt timeout.
    #[cold]
    #[inline(never)]
    fn timed_out(&self, call: &Call, attempt: u32) -> Outcome {
        Outcome::Fatal(GraphError::Timeout {
            after: self.timeout,
            attempts: attempt,
            client_request_id: call.client_request_id().to_owned(),
        })
    }

    /// What follows an attempt, decided without waiting: the answer, an error,
    /// the same attempt again with a fresh token (a 401, once), or a wait and
    /// a retry ([`RetryPolicy::decide`]). Records the attempt on `span`.
    ///
    /// A 2xx answer is handled here; everything else in
    /// [`after_failure`](Self::after_failure), out of line, so that the code a
    /// successful call runs stays small.
    fn after_attempt(
        &self,
        call: &Call,
        span: &tracing::Span,
        outcome: Outcome,
        token: &AccessToken,
        state: &mut Tries,
    ) -> Next {
        match outcome {
            Outcome::Answer(answer, _) if (200..300).contains(&answer.status) => {
                record(span, state.attempt, Some(&answer));
                tracing::debug!(attempt = state.attempt, status = answer.status, "answer");
                Next::Done(Ok(answer))
            }
            outcome => self.after_failure(call, span, outcome, token, state),
        }
    }

    /// [`after_attempt`](Self::after_attempt) for anything but a 2xx answer.
    #[cold]
    #[inline(never)]
    fn after_failure(
        &self,
        call: &Call,
        span: &tracing::Span,
        outcome: Outcome,
        token: &AccessToken,
        state: &mut Tries,
    ) -> Next {
        let attempt = state.attempt;
        let answered = match &outcome {
            Outcome::Answer(answer, _) => Some(answer),
            _ => None,
        };
        record(span, attempt, answered);
        let (mut error, failure) = match outcome {
            Outcome::Answer(answer, token_sent) => {
                tracing::debug!(attempt, status = answer.status, "answer");
                // A 401 from a redirect target on another origin never saw the
                // token: no reason to drop it.
                if answer.status == 401
                    && token_sent
                    && !state.refreshed
                    && self.tokens.invalidate(token)
                {
                    state.refreshed = true;
                    tracing::debug!(attempt, "401: retrying once with a fresh token");
                    return Next::Again;
                }
                let status = answer.status;
                let retry_after = retry_after_of(status, &answer.headers, SystemTime::now());
                let api = ApiError::from_answer(
                    status,
                    answer.headers,
                    &answer.body,
                    call.client_request_id().to_owned(),
                    retry_after,
                );
                (
                    GraphError::Api(Box::new(api)),
                    Failure::Status {
                        status,
                        retry_after,
                    },
                )
            }
            Outcome::Failed { error, sent, nack } => {
                tracing::debug!(attempt, sent, error = %error, "transport failure");
                // Outside the policy, as reqwest's default retry does (turned
                // off in the built-in client: `tls::default_http_client`).
                if nack && state.nacks < MAX_NACK_RESENDS {
                    state.nacks += 1;
                    tracing::debug!(attempt, "refused unprocessed (HTTP/2): sending again");
                    return Next::Again;
                }
                (
                    GraphError::Transport {
                        source: error,
                        sent,
                        attempts: attempt,
                        client_request_id: call.client_request_id().to_owned(),
                    },
                    Failure::Transport { sent },
                )
            }
            Outcome::Fatal(e @ GraphError::Timeout { .. }) => {
                tracing::debug!(attempt, "attempt timed out");
                (e, Failure::TimedOut)
            }
            Outcome::Fatal(e) => return Next::Done(Err(e)),
        };
        error.set_attempts(attempt);
        let after = AfterAttempt {
            failure,
            idempotent: call.idempotent(),
            retries: state.retries,
            waited: state.waited,
        };
        match self.retry.decide(&after, fastrand::f64()) {
            Decision::RetryAfter(wait) => {
                tracing::debug!(
                    attempt,
                    wait_ms = wait.as_millis() as u64,
                    "retrying after a wait"
                );
                Next::Wait(wait)
            }
            Decision::Stop => Next::Done(Err(error)),
            Decision::GiveUp(why) => Next::Done(Err(give_up(error, why))),
        }
    }

    /// One attempt: send, follow redirects, read the body.
    async fn attempt(&self, call: &Call, token: &AccessToken, attempt: u32) -> Outcome {
        let Some(auth) = token.authorization() else {
            return Outcome::Fatal(GraphError::Token {
                reason: "the access token is not a valid header value".into(),
                status: None,
                code: None,
                source: None,
            });
        };
        let hops = send_following(&self.http, call, Some(auth), attempt, &self.headers);
        let (mut response, token_sent) = match hops.await {
            Ok(arrived) => (arrived.response, arrived.token_sent),
            Err(HopError::Transport { error, sent, nack }) => {
                return Outcome::Failed { error, sent, nack };
            }
            Err(HopError::Refused { status, reason }) => {
                return Outcome::Fatal(GraphError::Redirect {
                    status,
                    reason,
                    client_request_id: call.client_request_id().to_owned(),
                });
            }
        };
        let status = response.status().as_u16();
        let success = (200..300).contains(&status);
        let limit = if success {
            self.max_response_bytes
        } else {
            MAX_ERROR_BODY
        };
        // Read through a borrow: the response (and its headers) stays in this
        // frame instead of being moved into the reading future beside a copy.
        let read = read_body(&mut response, limit, success).await;
        let headers = std::mem::take(response.headers_mut());
        match read {
            Ok(body) => Outcome::Answer(
                Answer {
                    status,
                    headers,
                    body,
                },
                token_sent,
            ),
            Err(ReadError::Transport(e)) => Outcome::Failed {
                error: e.without_url(),
                sent: true,
                nack: false,
            },
            Err(ReadError::TooLarge) => Outcome::Fatal(GraphError::ResponseTooLarge {
                status,
                limit,
                request_id: request_id_of(&headers).map(str::to_owned),
                client_request_id: call.client_request_id().to_owned(),
            }),
        }
    }
}

/// Records an attempt, and its answer when there is one, on the call's span.
fn record(span: &tracing::Span, attempt: u32, answer: Option<&Answer>) {
    // A disabled span still looks its fields up by name on `record`.
    if span.is_disabled() {
        return;
    }
    span.record("attempts", attempt);
    if let Some(answer) = answer {
        span.record("status", answer.status);
        if let Some(id) = request_id_of(&answer.headers) {
            span.record("request_id", id);
        }
    }
}

/// Notes on an API error why no retry was made.
fn give_up(mut error: GraphError, why: String) -> GraphError {
    if let GraphError::Api(api) = &mut error {
        api.gave_up = Some(why);
    }
    error
}
