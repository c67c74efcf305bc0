//! Reading an answer's body with a size limit, and [`Answer`]: a raw answer
//! (status, headers, body bytes) before any decoding.

use bytes::Bytes;
use http::HeaderMap;

/// An answer whose body was read: what the pipeline returns before the body is
/// decoded (`response::read`) or turned into an error.
pub(crate) struct Answer {
    /// The HTTP status.
    pub(crate) status: u16,
    /// All response headers.
    pub(crate) headers: HeaderMap,
    /// The body, at most the limit it was read with.
    pub(crate) body: Bytes,
}

/// Why a body could not be read.
pub(crate) enum ReadError {
    /// The connection broke while reading.
    Transport(reqwest::Error),
    /// The body is longer than the limit (strict reads only).
    TooLarge,
}

/// Reads at most `limit` bytes. With `strict`, a longer body is an error (checked
/// against `Content-Length` first, then while reading); otherwise it is cut.
pub(crate) async fn read_body(
    response: &mut reqwest::Response,
    limit: usize,
    strict: bool,
) -> Result<Bytes, ReadError> {
    let declared = response.content_length();
    if strict && declared.is_some_and(|len| len > limit as u64) {
        return Err(ReadError::TooLarge);
    }
    let mut first: Option<Bytes> = None;
    let mut buf: Vec<u8> = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Transport)? {
        let have = first.as_ref().map_or(0, Bytes::len) + buf.len();
        if have + chunk.len() > limit {
            if strict {
                return Err(ReadError::TooLarge);
            }
            let room = limit - have;
            if let Some(f) = first.take() {
                buf.extend_from_slice(&f);
            }
            buf.extend_from_slice(&chunk[..room]);
            return Ok(Bytes::from(buf));
        }
        match first.take() {
            None if buf.is_empty() => first = Some(chunk),
            None => buf.extend_from_slice(&chunk),
            Some(f) => {
                let cap = declared.map_or(0, |d| d as usize).min(limit);
                buf.reserve(cap.max(f.len() + chunk.len()));
                buf.extend_from_slice(&f);
                buf.extend_from_slice(&chunk);
            }
        }
    }
    Ok(first.unwrap_or_else(|| Bytes::from(buf)))
}
