//! Following redirects within one attempt: where a `Location` may lead, and the
//! loop that sends each hop. The token stays on its origin: a hop to another
//! origin goes without `Authorization`, and so does every later hop.

use http::{HeaderValue, Method};

use crate::call::{Call, ClientHeaders, Hop};
use crate::retry::is_protocol_nack;

/// The longest redirect chain followed.
pub const MAX_REDIRECTS: u32 = 5;

/// Why the hops of one attempt ended without an answer to read.
pub(crate) enum HopError {
    /// The transport failed. `sent` is `false` for failures to connect, and for
    /// a first hop the server refused unprocessed.
    Transport {
        /// The underlying error, without its URL.
        error: reqwest::Error,
        /// Whether the request may have reached the server.
        sent: bool,
        /// An HTTP/2 refusal ([`is_protocol_nack`]) that makes sending the
        /// attempt again at once safe: on the first hop (nothing was processed),
        /// or on any hop of an idempotent call.
        nack: bool,
    },
    /// A redirect was refused (a bad `Location`, https to http, too many).
    Refused {
        /// The redirect's status.
        status: u16,
        /// Why it was refused.
        reason: String,
    },
}

/// The answer that ended the hops of one attempt.
pub(crate) struct Arrived {
    /// The answer, its body unread.
    pub(crate) response: reqwest::Response,
    /// Whether its request carried the token (it came from the token's origin).
    /// Only such an answer's 401 says anything about the token.
    pub(crate) token_sent: bool,
}

/// Sends the first hop of `call` with `auth` and follows redirects (301, 302,
/// 303, 307, 308 with a `Location`): the first answer that is not a redirect
/// followed, its body unread. `client` holds the client's own headers (see
/// `Call::request`).
///
/// An answer from another URL than the one requested means the HTTP client
/// followed a redirect itself, past every rule here (the cap, https to http, the
/// token's origin): it is refused.
pub(crate) async fn send_following(
    http: &reqwest::Client,
    call: &Call,
    auth: Option<HeaderValue>,
    attempt: u32,
    client: &ClientHeaders,
) -> Result<Arrived, HopError> {
    // The rest of the chain, when there is one, is a boxed future of its own,
    // kept out of every call's state and code: most answers are neither
    // redirects nor from another URL. The block ends the first hop's locals
    // before the chain is awaited, so they take no room beside it.
    let chain = {
        let hop = call.first_hop(auth);
        let request = call.request(&hop, attempt, client);
        let response = match http.execute(request).await {
            Ok(response) => response,
            Err(e) => return Err(transport_error(e, 0, call.idempotent())),
        };
        if !is_redirect(response.status().as_u16()) && response.url() == hop.url() {
            return Ok(Arrived {
                response,
                token_sent: hop.auth.is_some(),
            });
        }
        Box::pin(follow(http, call, hop, response, attempt, client))
    };
    chain.await
}

/// The statuses whose `Location` is followed.
fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// Sends one hop after a redirect; `redirects` is how many were followed.
async fn send_hop(
    http: &reqwest::Client,
    call: &Call,
    hop: &Hop<'_>,
    attempt: u32,
    client: &ClientHeaders,
    redirects: u32,
) -> Result<reqwest::Response, HopError> {
    let request = call.request(hop, attempt, client);
    match http.execute(request).await {
        Ok(response) => Ok(response),
        Err(e) => Err(transport_error(e, redirects, call.idempotent())),
    }
}

/// What a failed hop means for the attempt: whether it may have been sent, and
/// whether an HTTP/2 refusal makes sending the attempt again at once safe.
#[cold]
#[inline(never)]
fn transport_error(e: reqwest::Error, redirects: u32, idempotent: bool) -> HopError {
    // After a redirect, the hops before this one were processed: a
    // non-idempotent call is not sent again from the start.
    let refused = is_protocol_nack(&e);
    let unprocessed = refused && redirects == 0;
    let nack = unprocessed || (refused && idempotent);
    let sent = !(e.is_connect() || unprocessed);
    HopError::Transport {
        error: e.without_url(),
        sent,
        nack,
    }
}

/// The redirect chain from `response`, the answer to `hop`: each redirect
/// followed under the rules above, up to the first answer that is not one.
async fn follow(
    http: &reqwest::Client,
    call: &Call,
    mut hop: Hop<'_>,
    mut response: reqwest::Response,
    attempt: u32,
    client: &ClientHeaders,
) -> Result<Arrived, HopError> {
    let mut redirects = 0u32;
    loop {
        let status = response.status().as_u16();
        if response.url() != hop.url() {
            return Err(HopError::Refused {
                status,
                reason: "the HTTP client followed a redirect itself; give http_client a \
                         client built with redirect(reqwest::redirect::Policy::none())"
                    .into(),
            });
        }
        if is_redirect(status)
            && let Some(location) = response
                .headers()
                .get(http::header::LOCATION)
                .and_then(|v| v.to_str().ok())
        {
            let next = match redirect_target(hop.url(), location) {
                Ok(n) => n,
                Err(reason) => return Err(HopError::Refused { status, reason }),
            };
            if redirects >= MAX_REDIRECTS {
                return Err(HopError::Refused {
                    status,
                    reason: format!("more than {MAX_REDIRECTS} redirects"),
                });
            }
            redirects += 1;
            if next.origin() != hop.url().origin() {
                // Never again in this chain: the token stays on its origin.
                hop.auth = None;
            }
            if status == 303 && hop.method != Method::HEAD {
                // Content-Type goes with the body (`Call::request`).
                hop.method = Method::GET;
                hop.body = None;
            }
            tracing::debug!(
                attempt,
                status,
                redirects,
                token_kept = hop.auth.is_some(),
                "following a redirect"
            );
            hop.redirect_to(next);
            response = send_hop(http, call, &hop, attempt, client, redirects).await?;
            continue;
        }
        return Ok(Arrived {
            response,
            token_sent: hop.auth.is_some(),
        });
    }
}

/// Where a redirect from `current` to `location` goes; refuses https to http and
/// schemes other than http(s).
fn redirect_target(current: &url::Url, location: &str) -> Result<url::Url, String> {
    let next = current
        .join(location)
        .map_err(|e| format!("the Location is not a URL: {e}"))?;
    match (current.scheme(), next.scheme()) {
        ("https", "https") | ("http", "http") | ("http", "https") => Ok(next),
        ("https", "http") => Err("a redirect from https to http is refused".into()),
        (_, other) => Err(format!("a redirect to scheme `{other}` is refused")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(from: &str, location: &str) -> Result<(String, bool), String> {
        let from = url::Url::parse(from).map_err(|e| e.to_string())?;
        redirect_target(&from, location).map(|n| (n.to_string(), n.origin() == from.origin()))
    }

    #[test]
    fn redirect_targets() {
        let g = "https://graph.microsoft.com/v1.0/a";
        assert_eq!(
            target(g, "/v1.0/b").unwrap(),
            ("https://graph.microsoft.com/v1.0/b".into(), true)
        );
        assert_eq!(
            target(g, "b").unwrap(),
            ("https://graph.microsoft.com/v1.0/b".into(), true)
        );
        assert!(target(g, "https://graph.microsoft.com:443/x").unwrap().1);
        assert!(!target(g, "https://graph.microsoft.com:8443/x").unwrap().1);
        assert!(!target(g, "https://evil.example/x").unwrap().1);
        assert!(!target(g, "//evil.example/x").unwrap().1);
        assert!(
            target(g, "http://graph.microsoft.com/x")
                .unwrap_err()
                .contains("https to http")
        );
        assert!(
            target(g, "ftp://graph.microsoft.com/x")
                .unwrap_err()
                .contains("ftp")
        );
        assert!(target(g, "javascript:alert(1)").is_err());
        assert!(target(g, "https://[::1").is_err());
        // Upgrading http to https is allowed, but it is another origin.
        assert!(
            !target("http://127.0.0.1:1/a", "https://127.0.0.1:1/a")
                .unwrap()
                .1
        );
    }
}
