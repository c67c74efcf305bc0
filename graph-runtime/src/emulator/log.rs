//! The log of requests the emulator received.

use std::fmt;

/// One request as the emulator received it.
///
/// `Debug` and `Display` show the `Authorization` header as `Bearer <redacted>`;
/// the raw headers stay readable through [`RecordedRequest::headers`] for tests
/// that check the token was sent.
#[derive(Clone)]
pub struct RecordedRequest {
    /// The method.
    pub method: http::Method,
    /// The path and query as sent, including the version (`/v1.0/communications/calls`).
    pub path: String,
    /// The request headers.
    pub headers: http::HeaderMap,
    /// The body bytes (empty when there was none).
    pub body: bytes::Bytes,
}

impl RecordedRequest {
    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON, when it is JSON.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// Header values as shown by `Debug` and `Display`.
    fn shown_headers(&self) -> impl Iterator<Item = (&str, String)> {
        self.headers.iter().map(|(name, value)| {
            let shown = if name == http::header::AUTHORIZATION {
                redact(value)
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.as_str(), shown)
        })
    }
}

/// `Bearer <redacted>`: keeps the scheme, never the credential.
fn redact(value: &http::HeaderValue) -> String {
    let text = String::from_utf8_lossy(value.as_bytes());
    match text.split_once(' ') {
        Some((scheme, _)) => format!("{scheme} <redacted>"),
        None => "<redacted>".to_owned(),
    }
}

impl fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Headers<'a>(&'a RecordedRequest);
        impl fmt::Debug for Headers<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map().entries(self.0.shown_headers()).finish()
            }
        }
        f.debug_struct("RecordedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("headers", &Headers(self))
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

/// The request as HTTP/1.1 text: request line, headers (sorted, `Authorization`
/// redacted), blank line, body (JSON pretty-printed).
impl fmt::Display for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} {} HTTP/1.1", self.method, self.path)?;
        let mut headers: Vec<_> = self.shown_headers().collect();
        headers.sort();
        for (name, value) in headers {
            writeln!(f, "{name}: {value}")?;
        }
        if !self.body.is_empty() {
            writeln!(f)?;
            match self
                .body_json()
                .and_then(|v| serde_json::to_string_pretty(&v).ok())
            {
                Some(pretty) => write!(f, "{pretty}")?,
                None => write!(f, "{}", String::from_utf8_lossy(&self.body))?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_is_redacted_in_debug_and_display() {
        let mut headers = http::HeaderMap::new();
        headers.insert("authorization", "Bearer s3cr3t-token".parse().unwrap());
        headers.insert("client-request-id", "abc".parse().unwrap());
        let req = RecordedRequest {
            method: http::Method::POST,
            path: "/v1.0/communications/calls/1/mute".into(),
            headers,
            body: bytes::Bytes::from_static(br#"{"clientContext":"c"}"#),
        };
        for text in [format!("{req:?}"), format!("{req}")] {
            assert!(!text.contains("s3cr3t"), "{text}");
            assert!(text.contains("Bearer <redacted>"), "{text}");
            assert!(text.contains("client-request-id"), "{text}");
        }
        assert_eq!(req.header("authorization"), Some("Bearer s3cr3t-token"));
        assert!(format!("{req}").contains("\"clientContext\": \"c\""));
    }
}
