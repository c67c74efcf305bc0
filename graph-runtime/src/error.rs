//! [`GraphError`]: every way a call can fail, kept apart so callers can act on
//! each (retry later, fix the request, fix the configuration, call support).

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

/// Every way a call can fail.
///
/// The accessors ([`status`](Self::status), [`code`](Self::code),
/// [`request_id`](Self::request_id), ...) answer for every variant, so most callers
/// never need to match. `Display` names the status, the OData code, the message and
/// the `request-id`, which is what Microsoft support asks for. No variant holds a
/// token or a secret.
///
/// The underlying error of a [`Transport`](Self::Transport),
/// [`Decode`](Self::Decode) or [`Token`](Self::Token) failure is its
/// [`source`](std::error::Error::source), and `Display` does not repeat it: walk
/// the chain (`anyhow`'s `{:#}`, or a loop over `source()`) to print every cause
/// once.
#[derive(Debug)]
#[non_exhaustive]
pub enum GraphError {
    /// Graph answered with an error status (any non-2xx). Holds the OData `error`
    /// body, the support headers and how many attempts were made.
    Api(Box<ApiError>),
    /// The connection failed or broke (DNS, connect, TLS, reset, reading the body).
    Transport {
        /// The underlying error, without its URL; also the error's `source()`.
        source: reqwest::Error,
        /// Whether the request may have reached the server (`false` only for
        /// connection failures before anything was sent, and for a request an
        /// HTTP/2 server refused unprocessed: a refused stream, or one a graceful
        /// `GOAWAY` left out).
        sent: bool,
        /// How many attempts were made in all.
        attempts: u32,
        /// The `client-request-id` of the call.
        client_request_id: String,
    },
    /// An attempt took longer than the client's per-attempt timeout.
    Timeout {
        /// The per-attempt timeout that ran out.
        after: Duration,
        /// How many attempts were made in all.
        attempts: u32,
        /// The `client-request-id` of the call.
        client_request_id: String,
    },
    /// A successful answer whose body does not read as the response type.
    Decode {
        /// The HTTP status of the answer.
        status: u16,
        /// What went wrong: the text of `source`.
        reason: String,
        /// The JSON error; also the error's `source()`.
        source: serde_json::Error,
        /// The beginning of the body (at most 512 bytes, lossy UTF-8).
        snippet: String,
        /// The `request-id` header of the answer.
        request_id: Option<String>,
        /// The `client-request-id` of the call.
        client_request_id: String,
    },
    /// A successful answer larger than the client's `max_response_bytes`. Detected
    /// from `Content-Length` or while reading, without buffering the whole body.
    ResponseTooLarge {
        /// The HTTP status of the answer.
        status: u16,
        /// The configured limit in bytes.
        limit: usize,
        /// The `request-id` header of the answer.
        request_id: Option<String>,
        /// The `client-request-id` of the call.
        client_request_id: String,
    },
    /// A redirect that was refused: https to http, a non-http(s) or unparsable
    /// `Location`, or more redirects than allowed.
    Redirect {
        /// The status of the redirect answer.
        status: u16,
        /// Why it was refused.
        reason: String,
        /// The `client-request-id` of the call.
        client_request_id: String,
    },
    /// The request was refused before anything was sent (a path value that would
    /// leave its segment, a header value with CR or LF, a body that does not
    /// serialise, a `nextLink` to another host).
    InvalidRequest {
        /// What is wrong and how to fix it.
        reason: String,
    },
    /// No access token could be acquired.
    Token {
        /// What went wrong (the token endpoint's `error_description` when it sent one).
        reason: String,
        /// The token endpoint's HTTP status, when it answered.
        status: Option<u16>,
        /// The token endpoint's `error` code (`invalid_client`, ...), when it sent one.
        code: Option<String>,
        /// The underlying error (the token request's transport error, a
        /// credential's own error), when there is one; also the error's `source()`.
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// The client or a token provider is configured wrongly.
    Config {
        /// What is wrong.
        reason: String,
    },
}

/// An error answer from Graph: the status, the OData `error` body and the headers
/// support asks for.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// `error.code`, e.g. `itemNotFound`, `TooManyRequests`.
    pub code: Option<String>,
    /// `error.message`.
    pub message: Option<String>,
    /// `error.innerError` (or `error.innererror`), with its own nested chain.
    pub inner_error: Option<InnerError>,
    /// The `request-id` header, or else the one in `innerError`.
    pub request_id: Option<String>,
    /// The `client-request-id` this call sent.
    pub client_request_id: String,
    /// The `Date` header, or else the `date` in `innerError`.
    pub date: Option<String>,
    /// The `x-ms-ags-diagnostic` header.
    pub diagnostic: Option<String>,
    /// The wait the `Retry-After` header asked for, when it had a valid value.
    pub retry_after: Option<Duration>,
    /// All headers of the answer.
    pub headers: http::HeaderMap,
    /// The raw body, kept up to 64 KiB (lossy UTF-8).
    pub body: String,
    /// How many attempts were made in all (1 when the first answer was final).
    pub attempts: u32,
    /// Why the client stopped retrying, when this status is one it retries
    /// (`retries exhausted`, `Retry-After of 300 s is beyond the cap of 180 s`, ...).
    pub gave_up: Option<String>,
}

/// One level of an OData `innerError` chain. Unknown keys are kept in `extra`.
#[derive(Debug, Clone, Default, Deserialize)]
#[non_exhaustive]
pub struct InnerError {
    /// `code`, when present.
    #[serde(default)]
    pub code: Option<String>,
    /// `message`, when present.
    #[serde(default)]
    pub message: Option<String>,
    /// `request-id` (or `requestId`).
    #[serde(default, rename = "request-id", alias = "requestId")]
    pub request_id: Option<String>,
    /// `client-request-id`.
    #[serde(default, rename = "client-request-id", alias = "clientRequestId")]
    pub client_request_id: Option<String>,
    /// `date`.
    #[serde(default)]
    pub date: Option<String>,
    /// The next level (`innerError` or `innererror`).
    #[serde(default, rename = "innerError", alias = "innererror")]
    pub inner_error: Option<Box<InnerError>>,
    /// Every other key.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The OData error body: `{"error": {"code", "message", "innerError"}}`.
#[derive(Deserialize)]
struct ODataErrorBody {
    error: ODataError,
}

#[derive(Deserialize)]
struct ODataError {
    #[serde(default, deserialize_with = "lenient_string")]
    code: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    message: Option<String>,
    #[serde(default, rename = "innerError", alias = "innererror")]
    inner_error: Option<InnerError>,
}

/// A string, or any other JSON value rendered as text (some services send numbers).
fn lenient_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s),
        other => Some(other.to_string()),
    })
}

/// What [`partial_odata_error`] recovered.
#[derive(Default)]
struct PartialError {
    code: Option<String>,
    message: Option<String>,
    inner_error: Option<InnerError>,
}

/// Reads the OData error body as far as it goes, keeping each member that was
/// read whole before the body ended or went wrong: an error body cut at 64 KiB
/// still gives its `code` and `message` when they come first (as Graph sends them).
fn partial_odata_error(body: &[u8]) -> PartialError {
    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

    struct Top<'p>(&'p mut PartialError);
    struct Error<'p>(&'p mut PartialError);

    impl<'de> DeserializeSeed<'de> for Top<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_map(self)
        }
    }
    impl<'de> Visitor<'de> for Top<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an OData error body")
        }
        fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if key == "error" {
                    map.next_value_seed(Error(&mut *self.0))?;
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(())
        }
    }
    impl<'de> DeserializeSeed<'de> for Error<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_map(self)
        }
    }
    impl<'de> Visitor<'de> for Error<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an OData error object")
        }
        fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
            #[derive(Deserialize)]
            struct Lenient(#[serde(deserialize_with = "lenient_string")] Option<String>);
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                match &*key {
                    "code" => self.0.code = map.next_value::<Lenient>()?.0,
                    "message" => self.0.message = map.next_value::<Lenient>()?.0,
                    "innerError" | "innererror" => {
                        self.0.inner_error = Some(map.next_value::<InnerError>()?);
                    }
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(())
        }
    }

    let mut partial = PartialError::default();
    let mut de = serde_json::Deserializer::from_slice(body);
    // The error that stops the reading is expected; what was read is kept.
    let _ = Top(&mut partial).deserialize(&mut de);
    partial
}

/// The longest error body kept.
pub(crate) const MAX_ERROR_BODY: usize = 64 * 1024;

fn header_str(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

impl ApiError {
    /// Reads an error answer. Never fails: a body that is not an OData error is
    /// kept raw.
    pub(crate) fn from_answer(
        status: u16,
        headers: http::HeaderMap,
        body: &[u8],
        client_request_id: String,
        retry_after: Option<Duration>,
    ) -> ApiError {
        let parsed = serde_json::from_slice::<ODataErrorBody>(body).ok();
        let (code, message, inner_error) = match parsed {
            Some(b) => (b.error.code, b.error.message, b.error.inner_error),
            // Cut at 64 KiB, or malformed further on: what came before still counts.
            None => {
                let partial = partial_odata_error(body);
                (partial.code, partial.message, partial.inner_error)
            }
        };
        let request_id = crate::headers::request_id_of(&headers)
            .map(str::to_owned)
            .or_else(|| inner_error.as_ref().and_then(|i| i.request_id.clone()));
        let date = header_str(&headers, "date")
            .or_else(|| inner_error.as_ref().and_then(|i| i.date.clone()));
        let diagnostic = header_str(&headers, "x-ms-ags-diagnostic");
        let kept = &body[..body.len().min(MAX_ERROR_BODY)];
        ApiError {
            status,
            code,
            message,
            inner_error,
            request_id,
            client_request_id,
            date,
            diagnostic,
            retry_after,
            headers,
            body: String::from_utf8_lossy(kept).into_owned(),
            attempts: 1,
            gave_up: None,
        }
    }

    /// The innermost code of the `innerError` chain that has one, else `code`:
    /// the most detailed code Graph gave.
    pub fn most_detailed_code(&self) -> Option<&str> {
        let mut best = self.code.as_deref();
        let mut level = self.inner_error.as_ref();
        while let Some(inner) = level {
            if let Some(code) = inner.code.as_deref() {
                best = Some(code);
            }
            level = inner.inner_error.as_deref();
        }
        best
    }
}

impl GraphError {
    pub(crate) fn invalid_request(reason: impl Into<String>) -> Self {
        GraphError::InvalidRequest {
            reason: reason.into(),
        }
    }

    pub(crate) fn config(reason: impl Into<String>) -> Self {
        GraphError::Config {
            reason: reason.into(),
        }
    }

    /// The error answer from Graph, when this is one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            GraphError::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status of the answer that ended the call, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            GraphError::Api(e) => Some(e.status),
            GraphError::Decode { status, .. }
            | GraphError::ResponseTooLarge { status, .. }
            | GraphError::Redirect { status, .. } => Some(*status),
            GraphError::Token { status, .. } => *status,
            _ => None,
        }
    }

    /// The OData error code (`itemNotFound`), or the token endpoint's `error`.
    pub fn code(&self) -> Option<&str> {
        match self {
            GraphError::Api(e) => e.code.as_deref(),
            GraphError::Token { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// The OData error message, or the reason for errors raised by the client.
    pub fn message(&self) -> Option<&str> {
        match self {
            GraphError::Api(e) => e.message.as_deref(),
            GraphError::Decode { reason, .. }
            | GraphError::Redirect { reason, .. }
            | GraphError::InvalidRequest { reason }
            | GraphError::Token { reason, .. }
            | GraphError::Config { reason } => Some(reason),
            _ => None,
        }
    }

    /// The `request-id` Graph gave the answer (header, else `innerError`).
    pub fn request_id(&self) -> Option<&str> {
        match self {
            GraphError::Api(e) => e.request_id.as_deref(),
            GraphError::Decode { request_id, .. }
            | GraphError::ResponseTooLarge { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The `client-request-id` sent with the call, when a request was sent.
    pub fn client_request_id(&self) -> Option<&str> {
        match self {
            GraphError::Api(e) => Some(&e.client_request_id),
            GraphError::Transport {
                client_request_id, ..
            }
            | GraphError::Timeout {
                client_request_id, ..
            }
            | GraphError::Decode {
                client_request_id, ..
            }
            | GraphError::ResponseTooLarge {
                client_request_id, ..
            }
            | GraphError::Redirect {
                client_request_id, ..
            } => Some(client_request_id),
            _ => None,
        }
    }

    /// The wait the last answer's `Retry-After` asked for.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            GraphError::Api(e) => e.retry_after,
            _ => None,
        }
    }

    /// Whether the service refused the work for now: a 429 or 503 answer
    /// (including one whose `Retry-After` was beyond the client's cap). Try again
    /// later, after [`retry_after`](Self::retry_after) when it is set.
    pub fn is_throttled(&self) -> bool {
        matches!(self, GraphError::Api(e) if e.status == 429 || e.status == 503)
    }

    /// How many attempts were made, for errors raised after sending.
    pub fn attempts(&self) -> Option<u32> {
        match self {
            GraphError::Api(e) => Some(e.attempts),
            GraphError::Transport { attempts, .. } | GraphError::Timeout { attempts, .. } => {
                Some(*attempts)
            }
            _ => None,
        }
    }

    pub(crate) fn set_attempts(&mut self, n: u32) {
        match self {
            GraphError::Api(e) => e.attempts = n,
            GraphError::Transport { attempts, .. } | GraphError::Timeout { attempts, .. } => {
                *attempts = n
            }
            _ => {}
        }
    }
}

fn attempts_suffix(f: &mut fmt::Formatter<'_>, attempts: u32) -> fmt::Result {
    if attempts > 1 {
        write!(f, " after {attempts} attempts")?;
    }
    Ok(())
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphError::Api(e) => {
                write!(f, "Graph answered {}", e.status)?;
                if let Some(code) = &e.code {
                    write!(f, " {code}")?;
                }
                if let Some(message) = &e.message {
                    write!(f, ": {message}")?;
                }
                match &e.request_id {
                    Some(id) => write!(f, " (request-id {id}")?,
                    None => write!(f, " (no request-id")?,
                }
                write!(f, ", client-request-id {})", e.client_request_id)?;
                attempts_suffix(f, e.attempts)?;
                if let Some(why) = &e.gave_up {
                    write!(f, "; {why}")?;
                }
                Ok(())
            }
            // The causes are the `source()` chain, not repeated here.
            GraphError::Transport {
                sent,
                attempts,
                client_request_id,
                ..
            } => {
                let when = if *sent { "" } else { " before sending" };
                write!(
                    f,
                    "transport error{when} (client-request-id {client_request_id})"
                )?;
                attempts_suffix(f, *attempts)
            }
            GraphError::Timeout {
                after,
                attempts,
                client_request_id,
            } => {
                write!(
                    f,
                    "no answer within the per-attempt timeout of {after:?} (client-request-id {client_request_id})"
                )?;
                attempts_suffix(f, *attempts)
            }
            GraphError::Decode {
                status,
                snippet,
                request_id,
                ..
            } => {
                // Why it did not decode is the `source()`, not repeated here.
                write!(
                    f,
                    "the {status} answer did not decode as the response type; body starts {snippet:?}"
                )?;
                if let Some(id) = request_id {
                    write!(f, " (request-id {id})")?;
                }
                Ok(())
            }
            GraphError::ResponseTooLarge {
                status,
                limit,
                request_id,
                ..
            } => {
                write!(
                    f,
                    "the {status} answer is larger than max_response_bytes ({limit} bytes)"
                )?;
                if let Some(id) = request_id {
                    write!(f, " (request-id {id})")?;
                }
                Ok(())
            }
            GraphError::Redirect { status, reason, .. } => {
                write!(f, "redirect refused ({status}): {reason}")
            }
            GraphError::InvalidRequest { reason } => write!(f, "invalid request: {reason}"),
            GraphError::Token {
                reason,
                status,
                code,
                ..
            } => {
                write!(f, "could not acquire an access token")?;
                if let Some(s) = status {
                    write!(f, " (token endpoint answered {s})")?;
                }
                if let Some(c) = code {
                    write!(f, " {c}")?;
                }
                write!(f, ": {reason}")
            }
            GraphError::Config { reason } => write!(f, "invalid configuration: {reason}"),
        }
    }
}

/// The cause of a transport, decode or token failure; `Display` leaves it out.
impl std::error::Error for GraphError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            GraphError::Transport { source, .. } => Some(source),
            GraphError::Decode { source, .. } => Some(source),
            GraphError::Token {
                source: Some(source),
                ..
            } => Some(&**source),
            _ => None,
        }
    }
}
