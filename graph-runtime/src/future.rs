//! [`SendFuture`]: the future of one call.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::body::Answer;
use crate::error::GraphError;
use crate::response::{BodyReader, Response, read_with};

/// The call itself, which does not depend on the response type: the retry loop
/// and the answer with the call's `client-request-id`. Boxed, so it is compiled
/// once in this crate and not once per action.
pub(crate) type CallFuture<'a> =
    Pin<Box<dyn Future<Output = Result<(Answer, String), GraphError>> + Send + 'a>>;

/// The future of one call, returned by [`GraphClient::send`] and by the `send`
/// method `#[graph_action]` generates: `.await` it for the typed answer.
///
/// `Send`, so a call can run on any task. Dropping it before it completes
/// cancels the call: no further attempt is sent.
///
/// [`GraphClient::send`]: crate::GraphClient::send
#[must_use = "a call does nothing unless awaited"]
pub struct SendFuture<'a, T> {
    state: State<'a>,
    /// `T`'s `ResponseBody::from_body`, chosen where the bound is known.
    read: BodyReader<T>,
}

enum State<'a> {
    /// The request was written and is on its way.
    Running(CallFuture<'a>),
    /// The request could not be written; nothing is sent.
    Refused(GraphError),
    /// The answer was returned.
    Done,
}

impl<'a, T> SendFuture<'a, T> {
    pub(crate) fn new(call: Result<CallFuture<'a>, GraphError>, read: BodyReader<T>) -> Self {
        SendFuture {
            state: match call {
                Ok(call) => State::Running(call),
                Err(error) => State::Refused(error),
            },
            read,
        }
    }
}

/// No bound on `T`: the future was made where `T: ResponseBody` was checked
/// (`GraphClient::send`, or the generated `send` at the `response` type), so
/// generic code that lacks the bound is told once, at that call.
impl<T> Future for SendFuture<'_, T> {
    type Output = Result<Response<T>, GraphError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // Polled in place: nothing moves until the call is over.
        let answer = match &mut self.state {
            State::Running(call) => match call.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(answer) => answer,
            },
            State::Refused(_) | State::Done => {
                match std::mem::replace(&mut self.state, State::Done) {
                    State::Refused(error) => Err(error),
                    // The contract of `Future`: as an `async fn` does.
                    _ => panic!("SendFuture polled after it completed"),
                }
            }
        };
        // Drops the finished call's future.
        self.state = State::Done;
        let read = self.read;
        Poll::Ready(
            answer
                .and_then(|(answer, client_request_id)| read_with(answer, client_request_id, read)),
        )
    }
}

/// Completed once it has returned its answer, so `select!` loops skip it.
impl<T> futures_core::FusedFuture for SendFuture<'_, T> {
    fn is_terminated(&self) -> bool {
        matches!(self.state, State::Done)
    }
}

impl<T> fmt::Debug for SendFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Running(_) => "running",
            State::Refused(_) => "refused",
            State::Done => "done",
        };
        f.debug_struct("SendFuture").field("state", &state).finish()
    }
}
