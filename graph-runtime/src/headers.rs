//! The header names and values the client sets on every call (and the `Host`
//! of plain-http hops), and reading the `request-id` Graph puts on every
//! answer. A leaf: imports nothing of the crate.

use http::{HeaderName, HeaderValue};

/// The crate's own product in `User-Agent`.
pub(crate) const USER_AGENT: &str = concat!("graph-runtime/", env!("CARGO_PKG_VERSION"));
/// One id per logical call, the same on every retry and hop.
pub(crate) const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("client-request-id");
/// The number of the retry (absent on the first attempt).
pub(crate) const RETRY_ATTEMPT: HeaderName = HeaderName::from_static("retry-attempt");
/// `application/json`, for `Accept` and, with a body, `Content-Type`.
pub(crate) const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// The `request-id` header Graph puts on every answer, when it is readable text.
pub(crate) fn request_id_of(headers: &http::HeaderMap) -> Option<&str> {
    headers.get("request-id").and_then(|v| v.to_str().ok())
}

/// The `Host` header of plain-http hops, as hyper would write it (`host` or
/// `host:port` when the port is not the scheme's default), kept ready for the
/// client's own origin.
pub(crate) struct HostHeader {
    /// The base URL's host and port.
    base: Option<(String, Option<u16>)>,
    /// Its header value.
    value: Option<HeaderValue>,
}

impl HostHeader {
    /// For a client whose service root is `base`.
    pub(crate) fn new(base: &url::Url) -> HostHeader {
        let base_key = base.host_str().map(|h| (h.to_owned(), base.port()));
        let value = host_value(base);
        HostHeader {
            base: base_key,
            value,
        }
    }

    /// The header for a hop to `url`: only for plain http. Over TLS the
    /// protocol is chosen while connecting (Graph speaks HTTP/2, where
    /// `:authority` takes the place of `Host`), so hyper is left to decide.
    pub(crate) fn for_url(&self, url: &url::Url) -> Option<HeaderValue> {
        if url.scheme() != "http" {
            return None;
        }
        match &self.base {
            Some((host, port)) if url.host_str() == Some(host) && url.port() == *port => {
                self.value.clone()
            }
            _ => host_value(url),
        }
    }
}

fn host_value(url: &url::Url) -> Option<HeaderValue> {
    let host = url.host_str()?;
    match url.port() {
        None => HeaderValue::from_str(host).ok(),
        Some(port) => HeaderValue::from_str(&format!("{host}:{port}")).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_headers_of_plain_http_hops() {
        let base = url::Url::parse("http://127.0.0.1:8080/graph").unwrap();
        let host = HostHeader::new(&base);
        let of = |u: &str| {
            host.for_url(&url::Url::parse(u).unwrap())
                .map(|v| v.to_str().unwrap().to_owned())
        };
        assert_eq!(
            of("http://127.0.0.1:8080/v1.0/x").as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(of("http://localhost/x").as_deref(), Some("localhost"));
        assert_eq!(of("http://localhost:80/x").as_deref(), Some("localhost"));
        assert_eq!(of("http://[::1]:99/x").as_deref(), Some("[::1]:99"));
        // Over TLS hyper decides (HTTP/2 has no Host).
        assert_eq!(of("https://127.0.0.1:8080/x"), None);
        assert_eq!(of("https://graph.microsoft.com/x"), None);
    }
}
