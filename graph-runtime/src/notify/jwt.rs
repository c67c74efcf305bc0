//! The token check: a compact JWS, RS256 only, verified with `ring`.
//!
//! Nothing here logs or returns the token; refusals name the rule that failed.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Deserialize;

/// The longest token accepted, in bytes. Microsoft's tokens are about 1.5 KB.
pub(crate) const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
pub(crate) const LEEWAY_SECS: i64 = 60;

/// Why a token was refused. Shown in debug logs only; the answer is a bare 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No `Authorization` header, or not `Bearer <token>`.
    NoBearer,
    /// Over [`MAX_TOKEN_BYTES`].
    TooLong,
    /// Not three base64url segments of JSON.
    Malformed,
    /// `alg` is not `RS256` (`none`, `HS256`, ...).
    Algorithm,
    /// A `crit` header names extensions we do not implement.
    Critical,
    /// No `kid` in the header.
    NoKeyId,
    /// No key with that `kid`, even after fetching the keys again.
    UnknownKey,
    /// The key is not an RSA signing key.
    KeyType,
    /// The signature does not verify.
    Signature,
    /// `exp` missing or in the past.
    Expired,
    /// `nbf` in the future.
    NotYetValid,
    /// `iss` not accepted.
    Issuer,
    /// `aud` is not the app id.
    Audience,
    /// No `tid` claim.
    NoTenant,
}

/// A parsed token, signature not yet checked.
#[derive(Debug)]
pub(crate) struct Parsed<'a> {
    pub(crate) kid: String,
    pub(crate) claims: Claims,
    /// `header.payload`, the signed bytes.
    pub(crate) signed: &'a [u8],
    pub(crate) signature: Vec<u8>,
}

#[derive(Debug, Deserialize)]
struct Header {
    alg: Option<String>,
    kid: Option<String>,
    crit: Option<serde_json::Value>,
}

/// The claims the receiver checks. Others are ignored.
#[derive(Debug, Deserialize)]
pub(crate) struct Claims {
    pub(crate) iss: Option<String>,
    #[serde(default)]
    pub(crate) aud: Audience,
    pub(crate) tid: Option<String>,
    pub(crate) exp: Option<f64>,
    pub(crate) nbf: Option<f64>,
}

/// `aud` is a string or an array of strings.
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
pub(crate) enum Audience {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn contains(&self, app_id: &str) -> bool {
        match self {
            Audience::None => false,
            Audience::One(a) => a == app_id,
            Audience::Many(all) => all.iter().any(|a| a == app_id),
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header value.
pub(crate) fn bearer(value: Option<&http::HeaderValue>) -> Result<&str, Refusal> {
    let text = value
        .and_then(|v| v.to_str().ok())
        .ok_or(Refusal::NoBearer)?;
    let (scheme, token) = text.split_once(' ').ok_or(Refusal::NoBearer)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(Refusal::NoBearer);
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(Refusal::NoBearer);
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(Refusal::TooLong);
    }
    Ok(token)
}

/// Splits and decodes a token; checks the header's algorithm.
pub(crate) fn parse(token: &str) -> Result<Parsed<'_>, Refusal> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Refusal::Malformed);
    };
    let header: Header = decode_json(h)?;
    if header.alg.as_deref() != Some("RS256") {
        return Err(Refusal::Algorithm);
    }
    if header.crit.is_some() {
        return Err(Refusal::Critical);
    }
    let kid = header
        .kid
        .filter(|k| !k.is_empty())
        .ok_or(Refusal::NoKeyId)?;
    let claims: Claims = decode_json(p)?;
    let signature = decode_b64url(s).ok_or(Refusal::Malformed)?;
    if signature.is_empty() {
        return Err(Refusal::Malformed);
    }
    Ok(Parsed {
        kid,
        claims,
        signed: &token.as_bytes()[..h.len() + 1 + p.len()],
        signature,
    })
}

fn decode_json<T: for<'de> Deserialize<'de>>(segment: &str) -> Result<T, Refusal> {
    let bytes = decode_b64url(segment).ok_or(Refusal::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| Refusal::Malformed)
}

/// Seconds since the Unix epoch, now.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// What a verified token says, kept while it is valid.
#[derive(Debug, Clone)]
pub(crate) struct Verified {
    pub(crate) tenant_id: std::sync::Arc<str>,
    /// `exp`, seconds since the epoch.
    pub(crate) expires: i64,
}

impl Claims {
    /// Checks the time window, issuer, audience and tenant.
    pub(crate) fn check(
        &self,
        now: i64,
        issuers: &[String],
        app_id: &str,
    ) -> Result<Verified, Refusal> {
        let exp = self.exp.filter(|e| e.is_finite()).ok_or(Refusal::Expired)?;
        // Truncation of fractional seconds is harmless against a 60 s leeway.
        let exp = exp as i64;
        if now >= exp.saturating_add(LEEWAY_SECS) {
            return Err(Refusal::Expired);
        }
        if let Some(nbf) = self.nbf
            && (!nbf.is_finite() || (nbf as i64).saturating_sub(LEEWAY_SECS) > now)
        {
            return Err(Refusal::NotYetValid);
        }
        match &self.iss {
            Some(iss) if issuers.iter().any(|i| i == iss) => {}
            _ => return Err(Refusal::Issuer),
        }
        if !self.aud.contains(app_id) {
            return Err(Refusal::Audience);
        }
        let tenant = self
            .tid
            .as_deref()
            .filter(|t| !t.is_empty())
            .ok_or(Refusal::NoTenant)?;
        Ok(Verified {
            tenant_id: tenant.into(),
            expires: exp,
        })
    }
}

/// Verifies an RS256 signature with the key's modulus and exponent
/// (big-endian bytes, as in a JWK).
pub(crate) fn verify_rs256(n: &[u8], e: &[u8], signed: &[u8], signature: &[u8]) -> bool {
    let key = ring::signature::RsaPublicKeyComponents { n, e };
    key.verify(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        signed,
        signature,
    )
    .is_ok()
}

/// Decodes unpadded base64url (RFC 7515 section 2). Refuses padding, other
/// alphabets, and encodings whose unused bits are not zero, so one token has
/// one spelling.
pub(crate) fn decode_b64url(text: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        } as u32)
    }
    let bytes = text.as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for &c in chunk {
            acc = (acc << 6) | value(c)?;
        }
        match chunk.len() {
            4 => out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]),
            3 => {
                if acc & 0b11 != 0 {
                    return None;
                }
                out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]);
            }
            2 => {
                if acc & 0b1111 != 0 {
                    return None;
                }
                out.push((acc >> 4) as u8);
            }
            _ => return None,
        }
    }
    Some(out)
}

/// Encodes unpadded base64url.
#[cfg_attr(not(feature = "emulator"), allow(dead_code))]
pub(crate) fn encode_b64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let acc = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            let index = (acc >> (18 - 6 * i)) & 0x3f;
            out.push(char::from(ALPHABET[index as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips_and_is_strict() {
        for len in 0..40 {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let text = encode_b64url(&data);
            assert!(!text.contains('='));
            assert_eq!(decode_b64url(&text), Some(data));
        }
        assert_eq!(decode_b64url("TWFu"), Some(b"Man".to_vec()));
        assert_eq!(decode_b64url("TWE"), Some(b"Ma".to_vec()));
        assert_eq!(decode_b64url("TQ"), Some(b"M".to_vec()));
        // padding, the standard alphabet, a lone char, non-zero unused bits
        for bad in ["TQ==", "a+b/", "T", "TR", "TWF", "é"] {
            assert_eq!(decode_b64url(bad), None, "{bad}");
        }
    }

    #[test]
    fn bearer_header_rules() {
        let v = |s: &str| http::HeaderValue::from_str(s).unwrap();
        assert_eq!(bearer(Some(&v("Bearer abc"))), Ok("abc"));
        assert_eq!(bearer(Some(&v("bearer abc"))), Ok("abc"));
        assert_eq!(bearer(Some(&v("abc"))), Err(Refusal::NoBearer));
        assert_eq!(bearer(Some(&v("Basic abc"))), Err(Refusal::NoBearer));
        assert_eq!(bearer(Some(&v("Bearer  "))), Err(Refusal::NoBearer));
        assert_eq!(bearer(None), Err(Refusal::NoBearer));
        let long = format!("Bearer {}", "a".repeat(MAX_TOKEN_BYTES + 1));
        assert_eq!(bearer(Some(&v(&long))), Err(Refusal::TooLong));
    }
}
