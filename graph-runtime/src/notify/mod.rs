//! Receiving what Graph POSTs to a calling bot: checked, typed, awaitable.
//!
//! A [`Receiver`] answers the POSTs Graph sends to the bot's callback URL: it
//! checks the bearer token Microsoft signs each one with, turns the
//! `commsNotifications` into [`CallEvent`]s ([`Receiver::events`]) and ends
//! the waits of [`Operations::wait`] ([`Receiver::operations`]).
//!
//! ```no_run
//! # async fn demo(client: graph_runtime::GraphClient) -> Result<(), Box<dyn std::error::Error>> {
//! use std::time::Duration;
//! use graph_runtime::comms::{MediaInfo, MediaPrompt, PlayPrompt};
//! use graph_runtime::notify::{CallEvent, Receiver};
//!
//! let receiver = Receiver::builder().app_id("bot-app-id").build()?;
//! // Serve it: `receiver.handle(request).await` from any HTTP server, or the
//! // axum router of the `axum` feature.
//! let mut events = receiver.events();
//! let operations = receiver.operations();
//! while let Some(event) = events.next().await {
//!     if let CallEvent::CallChanged { call_id, .. } = event {
//!         let op = PlayPrompt {
//!             call_id,
//!             prompts: vec![MediaPrompt::new(MediaInfo::new("https://cdn.contoso.com/hello.wav"))],
//!             client_context: Some("hello-1".into()),
//!         }
//!         .send(&client)
//!         .await?;
//!         let done = operations.wait(&op, Duration::from_secs(30)).await?;
//!         println!("prompt played: {:?}", done.result_info);
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! Answers, in this order: a missing or bad token gets `401` whatever the body
//! (nothing is delivered); keys that cannot be fetched get `503`, so Graph
//! retries; a body over 1 MiB gets `413`; the first incoming-call notification
//! in the legacy (Skype) format gets `204`, which makes Graph send it again in
//! the Graph format; any other body that is not a `commsNotifications` object
//! with a `value` array gets `400`; an accepted POST gets `202` at once.

mod events;
pub(crate) mod jwt;
pub(crate) mod keys;
mod operations;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

pub use events::{CallEvent, CallEvents};
pub use operations::{
    AsOperation, DEFAULT_COMPLETION_CAPACITY, DEFAULT_COMPLETION_TTL, InMemoryOperationStore,
    OperationError, OperationKey, OperationStore, Operations, StoreFuture,
};

use crate::GraphError;
use crate::comms::{CommsNotifications, CommsOperation};
use jwt::{Refusal, Verified};
use keys::{KeyCache, KeyError};

/// Where Microsoft publishes the keys that sign calling notifications.
pub const MICROSOFT_OPENID_CONFIGURATION: &str =
    "https://api.aps.skype.com/v1/.well-known/OpenIdConfiguration";

/// The issuers accepted unless [`ReceiverBuilder::issuer`] says otherwise.
pub const DEFAULT_ISSUERS: [&str; 2] = [
    "https://api.botframework.com",
    "https://graph.microsoft.com",
];

/// The largest body accepted (1 MiB); a larger one is answered `413`.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How many events wait for [`Receiver::events`] by default.
pub const DEFAULT_EVENT_CAPACITY: usize = 4096;

/// How many verified tokens are remembered (until each expires).
const TOKEN_CACHE_CAPACITY: usize = 4096;

/// Receives Graph's notifications for a calling bot. Cheap to clone: clones
/// share the key cache, the events and the operations.
#[derive(Clone)]
pub struct Receiver {
    inner: Arc<Inner>,
}

struct Inner {
    app_id: String,
    issuers: Vec<String>,
    keys: KeyCache,
    tokens: TokenCache,
    events: events::EventQueue,
    operations: Operations,
}

impl std::fmt::Debug for Receiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receiver")
            .field("app_id", &self.inner.app_id)
            .field("issuers", &self.inner.issuers)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Receiver`]; from [`Receiver::builder`].
#[derive(Default)]
pub struct ReceiverBuilder {
    app_id: Option<String>,
    openid_config_url: Option<String>,
    issuers: Option<Vec<String>>,
    store: Option<Arc<dyn OperationStore>>,
    event_capacity: Option<usize>,
    http: Option<reqwest::Client>,
}

impl std::fmt::Debug for ReceiverBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiverBuilder")
            .field("app_id", &self.app_id)
            .field("openid_config_url", &self.openid_config_url)
            .field("issuers", &self.issuers)
            .finish_non_exhaustive()
    }
}

impl ReceiverBuilder {
    /// The bot's application id: the audience every token must name.
    /// Required.
    pub fn app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = Some(app_id.into());
        self
    }

    /// Where the signing keys' OpenID configuration is (its `jwks_uri` names
    /// the keys); default [`MICROSOFT_OPENID_CONFIGURATION`]. `https`, or
    /// `http` to a loopback host (the emulator, tests).
    pub fn openid_config_url(mut self, url: impl Into<String>) -> Self {
        self.openid_config_url = Some(url.into());
        self
    }

    /// An accepted issuer (`iss`). The first call replaces
    /// [`DEFAULT_ISSUERS`]; each further call adds one.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuers
            .get_or_insert_with(Vec::new)
            .push(issuer.into());
        self
    }

    /// Where completions wait for [`Operations::wait`]; default an
    /// [`InMemoryOperationStore`]. See [`OperationStore`] for bots running as
    /// several instances.
    pub fn operation_store(mut self, store: impl OperationStore) -> Self {
        self.store = Some(Arc::new(store));
        self
    }

    /// How many events may wait for [`Receiver::events`] (default
    /// [`DEFAULT_EVENT_CAPACITY`]). Beyond that, events are counted lost
    /// ([`Receiver::lost_events`], [`CallEvent::Missed`]) rather than making
    /// Graph wait for the answer.
    pub fn event_capacity(mut self, capacity: usize) -> Self {
        self.event_capacity = Some(capacity);
        self
    }

    /// The HTTP client that fetches the keys (default: rustls with `ring`
    /// and the platform's roots, 10 s to connect).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Builds the receiver. Fails without an app id or with a configuration
    /// URL that is not `https` (or `http` on loopback).
    pub fn build(self) -> Result<Receiver, GraphError> {
        let app_id = self
            .app_id
            .filter(|a| !a.trim().is_empty())
            .ok_or_else(|| GraphError::config("Receiver needs the bot's app id: .app_id(..)"))?;
        let config_url = self
            .openid_config_url
            .unwrap_or_else(|| MICROSOFT_OPENID_CONFIGURATION.to_owned());
        keys::check_url(&config_url)
            .map_err(|why| GraphError::config(format!("openid_config_url: {why}")))?;
        let issuers = self
            .issuers
            .unwrap_or_else(|| DEFAULT_ISSUERS.iter().map(|&i| i.to_owned()).collect());
        let http = match self.http {
            Some(http) => http,
            None => crate::tls::standalone_http_client(Duration::from_secs(10))?,
        };
        let store = self
            .store
            .unwrap_or_else(|| Arc::new(InMemoryOperationStore::default()));
        Ok(Receiver {
            inner: Arc::new(Inner {
                app_id,
                issuers,
                keys: KeyCache::new(config_url, http),
                tokens: TokenCache::default(),
                events: events::EventQueue::new(
                    self.event_capacity.unwrap_or(DEFAULT_EVENT_CAPACITY),
                ),
                operations: Operations { store },
            }),
        })
    }
}

/// Why a request was not authenticated.
enum AuthError {
    Refused(Refusal),
    Unavailable,
}

impl Receiver {
    /// A builder; [`ReceiverBuilder::app_id`] is required.
    pub fn builder() -> ReceiverBuilder {
        ReceiverBuilder::default()
    }

    /// Answers one POST from Graph: checks the token, reads the body, queues
    /// its events and records its completions, and answers (see the
    /// [module](self) for which status when). The framework-free entry point:
    /// the future is `Send`.
    pub async fn handle(&self, request: http::Request<Bytes>) -> http::Response<Bytes> {
        let (parts, body) = request.into_parts();
        let tenant = match self.authenticate(&parts.headers).await {
            Ok(verified) => verified.tenant_id,
            Err(answer) => return answer,
        };
        self.deliver(&tenant, &body).await
    }

    /// A stream of the events of the notifications received, oldest first.
    pub fn events(&self) -> CallEvents {
        self.inner.events.stream()
    }

    /// How many events were dropped because [`Receiver::events`] was not read
    /// fast enough (each loss also shows in the stream as
    /// [`CallEvent::Missed`]).
    pub fn lost_events(&self) -> u64 {
        self.inner.events.lost()
    }

    /// A handle to await operations with; owned, `Clone + Send + Sync + 'static`.
    pub fn operations(&self) -> Operations {
        self.inner.operations.clone()
    }

    /// The app id tokens must be issued for.
    pub fn app_id(&self) -> &str {
        &self.inner.app_id
    }

    async fn authenticate(&self, headers: &HeaderMap) -> Result<Verified, http::Response<Bytes>> {
        let refused = |why: Refusal| {
            tracing::debug!(reason = ?why, "notification refused: bad token");
            let mut answer = answer(StatusCode::UNAUTHORIZED);
            answer.headers_mut().insert(
                http::header::WWW_AUTHENTICATE,
                http::HeaderValue::from_static("Bearer"),
            );
            answer
        };
        match self.verify(headers).await {
            Ok(verified) => Ok(verified),
            Err(AuthError::Refused(why)) => Err(refused(why)),
            Err(AuthError::Unavailable) => {
                let mut answer = answer(StatusCode::SERVICE_UNAVAILABLE);
                answer.headers_mut().insert(
                    http::header::RETRY_AFTER,
                    http::HeaderValue::from_static("5"),
                );
                Err(answer)
            }
        }
    }

    async fn verify(&self, headers: &HeaderMap) -> Result<Verified, AuthError> {
        let inner = &*self.inner;
        let token =
            jwt::bearer(headers.get(http::header::AUTHORIZATION)).map_err(AuthError::Refused)?;
        let now = jwt::unix_now();
        if let Some(verified) = inner.tokens.get(token, now) {
            return Ok(verified);
        }
        let parsed = jwt::parse(token).map_err(AuthError::Refused)?;
        let verified = parsed
            .claims
            .check(now, &inner.issuers, &inner.app_id)
            .map_err(AuthError::Refused)?;
        let (n, e) = inner.keys.rsa_key(&parsed.kid).await.map_err(|e| match e {
            KeyError::Refused(why) => AuthError::Refused(why),
            KeyError::Unavailable => AuthError::Unavailable,
        })?;
        if !jwt::verify_rs256(&n, &e, parsed.signed, &parsed.signature) {
            return Err(AuthError::Refused(Refusal::Signature));
        }
        inner.tokens.insert(token, verified.clone(), now);
        Ok(verified)
    }

    async fn deliver(&self, tenant: &str, body: &[u8]) -> http::Response<Bytes> {
        if body.len() > MAX_BODY_BYTES {
            return answer(StatusCode::PAYLOAD_TOO_LARGE);
        }
        let notifications = match serde_json::from_slice::<CommsNotifications>(body) {
            Ok(CommsNotifications {
                value: Some(value), ..
            }) => value,
            _ if is_legacy(body) => {
                tracing::debug!("legacy-format notification: answered 204 for the Graph format");
                return answer(StatusCode::NO_CONTENT);
            }
            _ => return answer(StatusCode::BAD_REQUEST),
        };
        for notification in notifications {
            let event = events::event_of(tenant, notification);
            if let CallEvent::OperationFinished {
                operation_id: Some(url_id),
                operation,
                ..
            } = &event
            {
                self.record_completion(url_id, operation).await;
            }
            self.inner.events.push(event);
        }
        answer(StatusCode::ACCEPTED)
    }

    /// Records a finished operation under every key its notification gives:
    /// the id in the URL, the id in the body, the `clientContext`.
    async fn record_completion(&self, url_id: &str, operation: &CommsOperation) {
        let mut keys = vec![OperationKey::id(url_id)];
        if let Some(id) = operation.id.as_deref().filter(|id| !id.is_empty()) {
            let key = OperationKey::id(id);
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        if let Some(cc) = operation
            .client_context
            .as_deref()
            .filter(|c| !c.is_empty())
        {
            keys.push(OperationKey::client_context(cc));
        }
        let operation = CommsOperation {
            id: operation.id.clone().or_else(|| Some(url_id.to_owned())),
            ..operation.clone()
        };
        self.inner.operations.store.complete(keys, operation).await;
    }
}

#[cfg(feature = "axum")]
mod axum_handler;
#[cfg(feature = "axum")]
pub use axum_handler::axum_handler;

fn answer(status: StatusCode) -> http::Response<Bytes> {
    let mut response = http::Response::new(Bytes::new());
    *response.status_mut() = status;
    response
}

/// The legacy (Skype calling) format of a first incoming-call notification: a
/// JSON object without `value` that carries the old conversation's fields.
fn is_legacy(body: &[u8]) -> bool {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(object)) => {
            !object.contains_key("value")
                && ["callState", "presentedModalityTypes", "isMultiparty"]
                    .iter()
                    .any(|k| object.contains_key(*k))
        }
        _ => false,
    }
}

/// Verified tokens, remembered until they expire so a repeated token costs a
/// lookup instead of a signature check. Indexed by the token's last 43
/// characters (256 bits of its signature: cheap to hash), and the whole token
/// compared on a hit. Bounded: beyond the capacity, expired tokens go first,
/// then an arbitrary eighth.
#[derive(Default)]
struct TokenCache {
    map: RwLock<HashMap<Box<str>, CachedToken>>,
}

/// The whole token and what it said.
type CachedToken = (Box<str>, Verified);

/// The part of a token that indexes the cache.
fn tail(token: &str) -> &str {
    let start = token.len().saturating_sub(43);
    token.get(start..).unwrap_or(token)
}

impl TokenCache {
    fn get(&self, token: &str, now: i64) -> Option<Verified> {
        let map = self
            .map
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(tail(token))
            .filter(|(full, v)| {
                **full == *token && now < v.expires.saturating_add(jwt::LEEWAY_SECS)
            })
            .map(|(_, v)| v.clone())
    }

    fn insert(&self, token: &str, verified: Verified, now: i64) {
        let mut map = self
            .map
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() >= TOKEN_CACHE_CAPACITY {
            map.retain(|_, (_, v)| now < v.expires.saturating_add(jwt::LEEWAY_SECS));
        }
        if map.len() >= TOKEN_CACHE_CAPACITY {
            let evict: Vec<Box<str>> = map.keys().take(TOKEN_CACHE_CAPACITY / 8).cloned().collect();
            for key in evict {
                map.remove(&key);
            }
        }
        map.insert(tail(token).into(), (token.into(), verified));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handle_is_send() {
        fn send<T: Send>(_: &T) {}
        let receiver = Receiver::builder()
            .app_id("a")
            .openid_config_url("http://127.0.0.1:9/config")
            .build()
            .unwrap();
        let future = receiver.handle(http::Request::new(Bytes::new()));
        send(&future);
        fn clone_send_sync<T: Clone + Send + Sync + 'static>(_: &T) {}
        clone_send_sync(&receiver.operations());
        clone_send_sync(&receiver);
    }

    #[test]
    fn the_token_cache_is_bounded_and_checks_the_whole_token() {
        let cache = TokenCache::default();
        let verified = |expires| Verified {
            tenant_id: "t".into(),
            expires,
        };
        let now = 1_000_000;
        for i in 0..TOKEN_CACHE_CAPACITY * 3 {
            let token = format!("header.payload.{i:0>60}");
            cache.insert(&token, verified(now + 3600), now);
            assert!(cache.map.read().unwrap().len() <= TOKEN_CACHE_CAPACITY);
        }
        let last = format!("header.payload.{:0>60}", TOKEN_CACHE_CAPACITY * 3 - 1);
        assert!(cache.get(&last, now).is_some());
        // Same signature tail, other payload: not the cached token.
        let forged = last.replace("payload", "forged!");
        assert_eq!(tail(&forged), tail(&last));
        assert!(cache.get(&forged, now).is_none());
        // Expired (beyond the leeway): gone.
        assert!(cache.get(&last, now + 3600 + jwt::LEEWAY_SECS).is_none());
    }

    #[test]
    fn legacy_bodies() {
        assert!(is_legacy(
            br#"{"id":"x","callState":"incoming","presentedModalityTypes":["audio"]}"#
        ));
        assert!(!is_legacy(br#"{"value":[]}"#));
        assert!(!is_legacy(br#"{"foo":1}"#));
        assert!(!is_legacy(b"[1]"));
    }

    #[test]
    fn builder_rules() {
        assert!(Receiver::builder().build().is_err());
        assert!(
            Receiver::builder()
                .app_id("a")
                .openid_config_url("http://example.com/config")
                .build()
                .is_err()
        );
        let r = Receiver::builder()
            .app_id("a")
            .issuer("https://one")
            .issuer("https://two")
            .build()
            .unwrap();
        assert_eq!(r.inner.issuers, ["https://one", "https://two"]);
        let d = Receiver::builder().app_id("a").build().unwrap();
        assert_eq!(d.inner.issuers, DEFAULT_ISSUERS);
        assert!(!format!("{d:?}").is_empty());
    }
}
