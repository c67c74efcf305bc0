//! Preparing a call: [`Call`] holds one logical call (method, checked URL,
//! headers, body, `client-request-id`), built once and sent any number of
//! times; [`Call::request`] builds the `reqwest::Request` of one hop of one
//! attempt. Nothing here sends anything.
//!
//! To build a call from parts (a `nextLink`, a batch), use [`Call::new`] with a
//! URL from [`action_url`] or one already checked against the client's origin.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method};

use crate::action::GraphAction;
use crate::config::ApiVersion;
use crate::error::GraphError;
use crate::headers::{CLIENT_REQUEST_ID, HostHeader, JSON, RETRY_ATTEMPT};

/// What [`GraphClient::send`](crate::GraphClient::send) takes from an action's
/// `GraphAction` constants.
pub(crate) struct CallInfo {
    pub(crate) method: Method,
    pub(crate) path: &'static str,
    pub(crate) version: Option<ApiVersion>,
    pub(crate) idempotent: bool,
}

impl CallInfo {
    pub(crate) fn of<A: GraphAction + ?Sized>() -> Self {
        CallInfo {
            method: A::METHOD,
            path: A::PATH,
            version: A::VERSION,
            idempotent: A::IDEMPOTENT,
        }
    }
}

/// The headers a client adds to every request of its calls: kept by the
/// client, not copied into each call.
pub(crate) struct ClientHeaders {
    /// `User-Agent`.
    pub(crate) user_agent: HeaderValue,
    /// `Host` of plain-http hops; only for the built-in HTTP client (one given
    /// by the application may send through a proxy).
    pub(crate) host: Option<HostHeader>,
}

/// One logical call, ready to send any number of times.
pub(crate) struct Call {
    method: Method,
    url: url::Url,
    /// The `client-request-id` header: the action's own, or a new UUID. Always
    /// visible ASCII (checked in `new`), so it is also the id's text.
    client_request_id: HeaderValue,
    /// The action's own headers, checked, without its `client-request-id`.
    action_headers: Vec<(HeaderName, HeaderValue)>,
    body: Option<Bytes>,
    idempotent: bool,
}

impl Call {
    /// Builds a call from its parts: `method`, a checked `url`, the caller's own
    /// `headers` (`Authorization` and `Host` are refused; a `client-request-id`
    /// among them is kept as the call's id, else a new UUID v4 is made), the
    /// `body` (sent as `application/json`) and whether it may be sent twice.
    pub(crate) fn new(
        method: Method,
        url: url::Url,
        mut action_headers: Vec<(HeaderName, HeaderValue)>,
        body: Option<Vec<u8>>,
        idempotent: bool,
    ) -> Result<Call, GraphError> {
        for (name, _) in &action_headers {
            if name == http::header::AUTHORIZATION || name == http::header::HOST {
                return Err(GraphError::invalid_request(format!(
                    "the `{name}` header is set by the client, not by an action"
                )));
            }
        }
        // A caller-supplied client-request-id is kept.
        let supplied = action_headers
            .iter()
            .position(|(name, _)| name == CLIENT_REQUEST_ID)
            .map(|at| action_headers.remove(at).1);
        let client_request_id = match supplied {
            Some(value) => match value.to_str() {
                Ok(_) => value,
                Err(_) => {
                    return Err(GraphError::invalid_request(
                        "the client-request-id header is not visible ASCII",
                    ));
                }
            },
            // The id's own buffer becomes the header value, without a copy.
            None => HeaderValue::from_maybe_shared(Bytes::from(crate::id::uuid_v4().into_bytes()))
                .map_err(|_| GraphError::invalid_request("bad client-request-id"))?,
        };
        Ok(Call {
            method,
            url,
            client_request_id,
            action_headers,
            body: body.map(Bytes::from),
            idempotent,
        })
    }

    /// The call's `client-request-id`.
    pub(crate) fn client_request_id(&self) -> &str {
        // Checked to be visible ASCII when the call was made.
        self.client_request_id.to_str().unwrap_or_default()
    }

    /// The URL of the first hop.
    pub(crate) fn url(&self) -> &url::Url {
        &self.url
    }

    /// The action's own headers (without its `client-request-id`): what every
    /// page of a paged action carries.
    pub(crate) fn action_headers(&self) -> &[(HeaderName, HeaderValue)] {
        &self.action_headers
    }

    /// Whether the call may be sent twice (decides which failures are retried).
    pub(crate) fn idempotent(&self) -> bool {
        self.idempotent
    }

    /// The request of one hop of one attempt. Its header map is built here, in
    /// one allocation, rather than cloned from a prepared one: the standard
    /// headers, the action's, and what the attempt and the hop add or drop.
    ///
    /// `client` holds the client's own headers: `User-Agent`, and the `Host` of
    /// plain-http hops for the built-in HTTP client (`host`).
    ///
    /// `Content-Length` (with a body) and `Host` are set here, where hyper would
    /// add them itself:
    /// reqwest sends a copy of this map allocated for exactly its entries, and
    /// each header hyper adds to the copy would grow it (past 1 KiB, out of
    /// glibc's per-thread cache). The map's own capacity stays as it is: one
    /// sized exactly would grow twice.
    pub(crate) fn request(
        &self,
        hop: &Hop<'_>,
        attempt: u32,
        client: &ClientHeaders,
    ) -> reqwest::Request {
        let mut headers = HeaderMap::with_capacity(8 + self.action_headers.len());
        headers.insert(http::header::ACCEPT, JSON);
        headers.insert(http::header::USER_AGENT, client.user_agent.clone());
        headers.insert(CLIENT_REQUEST_ID, self.client_request_id.clone());
        for (name, value) in &self.action_headers {
            // Across origins no credential follows, not even an action's own.
            if hop.auth.is_none()
                && (name == http::header::COOKIE || name == http::header::PROXY_AUTHORIZATION)
            {
                continue;
            }
            headers.append(name.clone(), value.clone());
        }
        if let Some(body) = hop.body {
            headers.insert(http::header::CONTENT_TYPE, JSON);
            headers.insert(http::header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        }
        if let Some(host) = client.host.as_ref().and_then(|h| h.for_url(hop.url())) {
            headers.insert(http::header::HOST, host);
        }
        if attempt > 1 {
            headers.insert(RETRY_ATTEMPT, HeaderValue::from(attempt - 1));
        }
        if let Some(auth) = &hop.auth {
            headers.insert(http::header::AUTHORIZATION, auth.clone());
        }
        let mut request = reqwest::Request::new(hop.method.clone(), hop.url().clone());
        *request.headers_mut() = headers;
        *request.body_mut() = hop.body.cloned().map(reqwest::Body::from);
        request
    }

    /// The first hop of an attempt: the call's method, URL and body.
    pub(crate) fn first_hop(&self, auth: Option<HeaderValue>) -> Hop<'_> {
        Hop {
            method: self.method.clone(),
            url: &self.url,
            redirected: None,
            body: self.body.as_ref(),
            auth,
        }
    }
}

/// Where one request of an attempt goes: a redirect changes the URL, a 303 the
/// method and body, a change of origin drops the credentials. Borrows the
/// call's URL and body until a redirect changes them.
pub(crate) struct Hop<'c> {
    pub(crate) method: Method,
    /// The call's URL, until a redirect leads elsewhere.
    url: &'c url::Url,
    /// Where a redirect led (boxed: rare, and the hop lives in the call's
    /// future).
    redirected: Option<Box<url::Url>>,
    pub(crate) body: Option<&'c Bytes>,
    /// `Authorization`, until a redirect leaves the origin.
    pub(crate) auth: Option<HeaderValue>,
}

impl Hop<'_> {
    /// Where this hop goes.
    pub(crate) fn url(&self) -> &url::Url {
        self.redirected.as_deref().unwrap_or(self.url)
    }

    /// Sends the next hop to `url`.
    pub(crate) fn redirect_to(&mut self, url: url::Url) {
        self.redirected = Some(Box::new(url));
    }
}

/// `base` + `/` + version + the action's path and query, refusing anything URL
/// normalisation would change (dot segments that slipped through, backslashes).
pub(crate) fn action_url(
    base: &url::Url,
    version: ApiVersion,
    path_and_query: String,
) -> Result<url::Url, GraphError> {
    // `""` for `https://graph.microsoft.com`.
    let base_path = base.path().trim_end_matches('/');
    // The prefix goes in front of the action's path in its own buffer.
    let mut full = path_and_query;
    full.reserve(base_path.len() + 1 + version.as_str().len());
    full.insert_str(0, version.as_str());
    full.insert(0, '/');
    full.insert_str(0, base_path);
    let (path, query) = match full.find('?') {
        Some(at) => (&full[..at], Some(&full[at + 1..])),
        None => (full.as_str(), None),
    };
    let mut url = base.clone();
    url.set_path(path);
    url.set_query(query);
    if url.path() != path {
        return Err(GraphError::invalid_request(
            "the request path would be changed by URL normalisation; refusing to send it",
        ));
    }
    Ok(url)
}
