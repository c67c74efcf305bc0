//! How the emulator signs its notifications: as Microsoft does (an RS256 JWT,
//! keys published through an OpenID configuration), with its own key.
//!
//! `signing_key.pk8` is a **public test key**: a 2048-bit RSA key generated
//! once with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048
//! -outform DER`, converted to PKCS#8 (`openssl pkcs8 -topk8 -nocrypt`, the
//! form `ring` reads) and committed, so that the emulator works offline and
//! the same on every machine (`ring` cannot generate RSA keys). It protects nothing; a `Receiver` built for
//! Microsoft never trusts it (its keys come from Microsoft's configuration).

use std::sync::{Mutex, OnceLock, PoisonError};

use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents};
use serde_json::{Value, json};

use crate::notify::jwt::{encode_b64url, unix_now};

/// The key's id (`kid`) in tokens and in the published key set.
pub(crate) const KEY_ID: &str = "graph-emulator-test-key-1";

/// The issuer of the emulator's tokens: Microsoft's, so that a `Receiver`
/// with default issuers accepts them once it trusts the emulator's keys.
pub(crate) const ISSUER: &str = "https://api.botframework.com";

/// Where the configuration and keys are served (not logged in `requests()`).
pub(crate) const CONFIG_PATH: &str = "/v1/.well-known/OpenIdConfiguration";
pub(crate) const KEYS_PATH: &str = "/v1/.well-known/keys";

/// Tokens live an hour and are reused until 5 minutes before they expire, as
/// a token service does.
const TOKEN_LIFETIME_SECS: i64 = 60 * 60;
const TOKEN_REUSE_MARGIN_SECS: i64 = 5 * 60;

fn key_pair() -> Option<&'static RsaKeyPair> {
    static KEY: OnceLock<Option<RsaKeyPair>> = OnceLock::new();
    KEY.get_or_init(|| RsaKeyPair::from_pkcs8(include_bytes!("signing_key.pk8")).ok())
        .as_ref()
}

/// The published key set (JWKS).
pub(crate) fn jwks() -> Value {
    let keys: Vec<Value> = key_pair()
        .map(|pair| {
            let public = RsaPublicKeyComponents::<Vec<u8>>::from(pair.public());
            json!({
                "kty": "RSA",
                "use": "sig",
                "alg": "RS256",
                "kid": KEY_ID,
                "n": encode_b64url(&public.n),
                "e": encode_b64url(&public.e),
            })
        })
        .into_iter()
        .collect();
    json!({ "keys": keys })
}

/// The OpenID configuration served at [`CONFIG_PATH`].
pub(crate) fn openid_configuration(base_url: &str) -> Value {
    json!({
        "issuer": ISSUER,
        "jwks_uri": format!("{base_url}{KEYS_PATH}"),
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
    })
}

/// Signs `header.claims` with the test key.
pub(crate) fn sign(header: &Value, claims: &Value) -> Option<String> {
    let pair = key_pair()?;
    let mut token = encode_b64url(header.to_string().as_bytes());
    token.push('.');
    token.push_str(&encode_b64url(claims.to_string().as_bytes()));
    let mut signature = vec![0; pair.public().modulus_len()];
    pair.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        token.as_bytes(),
        &mut signature,
    )
    .ok()?;
    token.push('.');
    token.push_str(&encode_b64url(&signature));
    Some(token)
}

/// Mints the tokens of one emulator and reuses each while it is fresh.
#[derive(Debug)]
pub(crate) struct Tokens {
    app_id: String,
    tenant_id: String,
    current: Mutex<Option<(String, i64)>>,
}

impl Tokens {
    pub(crate) fn new(app_id: String, tenant_id: String) -> Self {
        Tokens {
            app_id,
            tenant_id,
            current: Mutex::new(None),
        }
    }

    /// A token for the bot (audience the app id, the emulator's tenant).
    pub(crate) fn token(&self) -> Option<String> {
        let now = unix_now();
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((token, exp)) = current.as_ref()
            && now < exp - TOKEN_REUSE_MARGIN_SECS
        {
            return Some(token.clone());
        }
        let exp = now + TOKEN_LIFETIME_SECS;
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": KEY_ID});
        let claims = json!({
            "iss": ISSUER,
            "aud": self.app_id,
            "tid": self.tenant_id,
            "iat": now,
            "nbf": now - 5 * 60,
            "exp": exp,
            "serviceurl": "https://emulator.invalid/",
        });
        let token = sign(&header, &claims)?;
        *current = Some((token.clone(), exp));
        Some(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::jwt;

    #[test]
    fn tokens_verify_with_the_published_key() {
        let tokens = Tokens::new("app".into(), "tenant".into());
        let token = tokens.token().expect("the test key loads");
        assert_eq!(tokens.token().as_deref(), Some(token.as_str()), "reused");
        let parsed = jwt::parse(&token).unwrap();
        assert_eq!(parsed.kid, KEY_ID);
        let jwks = jwks();
        let key = &jwks["keys"][0];
        let n = jwt::decode_b64url(key["n"].as_str().unwrap()).unwrap();
        let e = jwt::decode_b64url(key["e"].as_str().unwrap()).unwrap();
        assert_eq!(n.len(), 256, "2048-bit modulus");
        assert!(jwt::verify_rs256(&n, &e, parsed.signed, &parsed.signature));
        let verified = parsed
            .claims
            .check(unix_now(), &[ISSUER.to_owned()], "app")
            .unwrap();
        assert_eq!(&*verified.tenant_id, "tenant");
    }
}
