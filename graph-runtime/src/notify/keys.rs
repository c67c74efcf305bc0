//! The signing keys: the OpenID configuration's `jwks_uri`, fetched, cached
//! for the configuration's lifetime, fetched again on an unknown `kid` at most
//! once a minute.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::Deserialize;
use tokio::time::Instant;

use super::jwt::{Refusal, decode_b64url};

/// How long a key set is kept when the configuration says nothing
/// (`Cache-Control: max-age`): Microsoft's sample refreshes every 2 hours.
pub(crate) const DEFAULT_KEYS_LIFETIME: Duration = Duration::from_secs(2 * 60 * 60);
/// The shortest and longest lifetime taken from `max-age`.
const MIN_LIFETIME: Duration = Duration::from_secs(60);
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);
/// An unknown `kid` fetches the keys again only if they are older than this.
pub(crate) const REFETCH_INTERVAL: Duration = Duration::from_secs(60);
/// After a failed fetch, requests are answered 503 without fetching for this long.
const FAILURE_BACKOFF: Duration = Duration::from_secs(5);
/// Both documents together must arrive within this.
pub(crate) const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest configuration and key set read.
const MAX_CONFIG_BYTES: usize = 64 * 1024;
const MAX_JWKS_BYTES: usize = 256 * 1024;

/// One published key.
#[derive(Debug, Clone)]
pub(crate) enum Key {
    /// An RSA key: modulus and exponent, big-endian.
    Rsa { n: Arc<[u8]>, e: Arc<[u8]> },
    /// Anything else (`EC`, `oct`, an encryption key, a key for another
    /// algorithm): known, never used.
    Unusable,
}

#[derive(Debug)]
struct KeySet {
    keys: HashMap<String, Key>,
    fetched: Instant,
    lifetime: Duration,
}

#[derive(Debug, Default)]
struct State {
    current: Option<Arc<KeySet>>,
    failed_at: Option<Instant>,
}

/// Why a key could not be had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyError {
    /// The token is to blame: 401.
    Refused(Refusal),
    /// The keys could not be fetched: 503.
    Unavailable,
}

/// The cache. Cheap to share behind the receiver's `Arc`.
#[derive(Debug)]
pub(crate) struct KeyCache {
    config_url: String,
    http: reqwest::Client,
    state: Mutex<State>,
    /// One fetch at a time; others wait for its result.
    fetching: tokio::sync::Mutex<()>,
}

impl KeyCache {
    pub(crate) fn new(config_url: String, http: reqwest::Client) -> Self {
        KeyCache {
            config_url,
            http,
            state: Mutex::default(),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    fn snapshot(&self) -> (Option<Arc<KeySet>>, Option<Instant>) {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        (state.current.clone(), state.failed_at)
    }

    /// The RSA key `kid`, fetching the key set when it is missing, stale, or
    /// lacks `kid` and is older than [`REFETCH_INTERVAL`].
    pub(crate) async fn rsa_key(&self, kid: &str) -> Result<(Arc<[u8]>, Arc<[u8]>), KeyError> {
        let usable = |key: &Key| match key {
            Key::Rsa { n, e } => Ok((Arc::clone(n), Arc::clone(e))),
            Key::Unusable => Err(KeyError::Refused(Refusal::KeyType)),
        };
        let (current, _) = self.snapshot();
        if let Some(set) = &current
            && set.fetched.elapsed() < set.lifetime
        {
            if let Some(key) = set.keys.get(kid) {
                return usable(key);
            }
            if set.fetched.elapsed() < REFETCH_INTERVAL {
                return Err(KeyError::Refused(Refusal::UnknownKey));
            }
        }
        // Fetch, one caller at a time; a caller that waited re-reads what the
        // fetch before it brought.
        let _guard = self.fetching.lock().await;
        let (latest, failed_at) = self.snapshot();
        let fresh_enough = latest.as_ref().is_some_and(|set| {
            let age = set.fetched.elapsed();
            age < set.lifetime && (set.keys.contains_key(kid) || age < REFETCH_INTERVAL)
        });
        let set = if fresh_enough {
            latest
        } else if failed_at.is_some_and(|t| t.elapsed() < FAILURE_BACKOFF) {
            None
        } else {
            match tokio::time::timeout(FETCH_TIMEOUT, self.fetch()).await {
                Ok(Ok(set)) => {
                    let set = Arc::new(set);
                    let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
                    state.current = Some(Arc::clone(&set));
                    state.failed_at = None;
                    Some(set)
                }
                outcome => {
                    let why = match outcome {
                        Ok(Err(why)) => why,
                        _ => "timed out".to_owned(),
                    };
                    tracing::warn!(url = %self.config_url, %why, "notification signing keys could not be fetched");
                    self.state
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .failed_at = Some(Instant::now());
                    None
                }
            }
        };
        match set {
            Some(set) => set
                .keys
                .get(kid)
                .map_or(Err(KeyError::Refused(Refusal::UnknownKey)), usable),
            // Keys could not be fetched: a stale set that knows the kid still
            // serves; otherwise Graph is told to try again later.
            None => match current.as_ref().and_then(|set| set.keys.get(kid)) {
                Some(key) => usable(key),
                None => Err(KeyError::Unavailable),
            },
        }
    }

    async fn fetch(&self) -> Result<KeySet, String> {
        #[derive(Deserialize)]
        struct Config {
            jwks_uri: Option<String>,
        }
        #[derive(Deserialize)]
        struct Jwks {
            keys: Vec<serde_json::Value>,
        }
        let (config, max_age) = self.get(&self.config_url, MAX_CONFIG_BYTES).await?;
        let config: Config = serde_json::from_slice(&config)
            .map_err(|e| format!("the OpenID configuration is not JSON: {e}"))?;
        let jwks_uri = config
            .jwks_uri
            .ok_or("the OpenID configuration has no jwks_uri")?;
        check_url(&jwks_uri)?;
        let (jwks, _) = self.get(&jwks_uri, MAX_JWKS_BYTES).await?;
        let jwks: Jwks =
            serde_json::from_slice(&jwks).map_err(|e| format!("the key set is not a JWKS: {e}"))?;
        let mut keys = HashMap::new();
        for jwk in &jwks.keys {
            if let Some((kid, key)) = read_jwk(jwk) {
                keys.insert(kid, key);
            }
        }
        tracing::debug!(count = keys.len(), "notification signing keys fetched");
        Ok(KeySet {
            keys,
            fetched: Instant::now(),
            lifetime: max_age.map_or(DEFAULT_KEYS_LIFETIME, |a| {
                a.clamp(MIN_LIFETIME, MAX_LIFETIME)
            }),
        })
    }

    /// GETs a document of at most `limit` bytes; returns it and its `max-age`.
    async fn get(&self, url: &str, limit: usize) -> Result<(Vec<u8>, Option<Duration>), String> {
        let mut response = self
            .http
            .get(url)
            .header(http::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?;
        if !response.status().is_success() {
            return Err(format!("GET {url}: status {}", response.status()));
        }
        let max_age = response
            .headers()
            .get(http::header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .and_then(max_age);
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?
        {
            if body.len() + chunk.len() > limit {
                return Err(format!("GET {url}: larger than {limit} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((body, max_age))
    }
}

/// `max-age=N` of a `Cache-Control` value.
fn max_age(value: &str) -> Option<Duration> {
    value.split(',').find_map(|d| {
        let (name, secs) = d.trim().split_once('=')?;
        name.eq_ignore_ascii_case("max-age")
            .then(|| secs.trim().parse().ok().map(Duration::from_secs))?
    })
}

/// A JWK as a key: RSA keys for signatures (`use` absent or `sig`, `alg`
/// absent or `RS256`) are usable, anything else is known but unusable.
fn read_jwk(jwk: &serde_json::Value) -> Option<(String, Key)> {
    let kid = jwk.get("kid")?.as_str()?.to_owned();
    let text = |name: &str| jwk.get(name).and_then(serde_json::Value::as_str);
    let rsa = text("kty") == Some("RSA")
        && text("use").is_none_or(|u| u == "sig")
        && text("alg").is_none_or(|a| a == "RS256");
    let key = match (
        rsa,
        text("n").and_then(decode_b64url),
        text("e").and_then(decode_b64url),
    ) {
        (true, Some(n), Some(e)) if !n.is_empty() && !e.is_empty() => Key::Rsa {
            n: n.into(),
            e: e.into(),
        },
        _ => Key::Unusable,
    };
    Some((kid, key))
}

/// `https`, or `http` to a loopback host (the emulator, tests).
pub(crate) fn check_url(text: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(text).map_err(|e| format!("`{text}` is not a URL: {e}"))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(format!("`{text}` has no host")),
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        _ => Err(format!(
            "`{text}` must be https (plain http only for loopback hosts)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwks_entries() {
        let rsa =
            serde_json::json!({"kty": "RSA", "kid": "a", "n": "AQAB", "e": "AQAB", "use": "sig"});
        assert!(matches!(read_jwk(&rsa), Some((k, Key::Rsa { .. })) if k == "a"));
        let ec = serde_json::json!({"kty": "EC", "kid": "b", "crv": "P-256", "x": "AA", "y": "AA"});
        assert!(matches!(read_jwk(&ec), Some((_, Key::Unusable))));
        let enc =
            serde_json::json!({"kty": "RSA", "kid": "c", "n": "AQAB", "e": "AQAB", "use": "enc"});
        assert!(matches!(read_jwk(&enc), Some((_, Key::Unusable))));
        assert!(read_jwk(&serde_json::json!({"kty": "RSA"})).is_none());
    }

    #[test]
    fn cache_control() {
        assert_eq!(
            max_age("public, max-age=300"),
            Some(Duration::from_secs(300))
        );
        assert_eq!(max_age("no-store"), None);
        assert!(check_url("http://127.0.0.1:9/keys").is_ok());
        assert!(check_url("http://example.com/keys").is_err());
        assert!(check_url("https://example.com/keys").is_ok());
    }
}
