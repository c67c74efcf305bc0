//! [`GraphError`]: every way a call can fail.

use std::fmt;

/// Every way a call can fail. Placeholder: the runtime issue fills in the
/// variants of design section 5.3.
#[derive(Debug)]
#[non_exhaustive]
pub enum GraphError {
    /// The request was refused before anything was sent.
    InvalidRequest {
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// Bad client configuration.
    Config {
        /// What is wrong.
        reason: String,
    },
    /// Transport failure.
    Transport(reqwest::Error),
    /// An error answer.
    Api {
        /// HTTP status.
        status: u16,
        /// Raw body.
        body: String,
    },
    /// A body that did not decode.
    Decode {
        /// HTTP status.
        status: u16,
        /// What went wrong.
        reason: String,
    },
}

impl GraphError {
    pub(crate) fn invalid_request(reason: impl Into<String>) -> Self {
        GraphError::InvalidRequest {
            reason: reason.into(),
        }
    }
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphError::InvalidRequest { reason } => write!(f, "invalid request: {reason}"),
            GraphError::Config { reason } => write!(f, "invalid configuration: {reason}"),
            GraphError::Transport(e) => write!(f, "transport error: {e}"),
            GraphError::Api { status, body } => write!(f, "HTTP {status}: {body}"),
            GraphError::Decode { status, reason } => {
                write!(f, "HTTP {status}: the body did not decode: {reason}")
            }
        }
    }
}

impl std::error::Error for GraphError {}
