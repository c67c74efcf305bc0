//! [`Response`]: a typed successful answer, and the tolerant body reader.
//!
//! Reading rules (design 5.2):
//! - an empty (or all-whitespace) body reads as JSON `null`, so `()` and
//!   `Option<T>` accept it;
//! - a `()` response ignores whatever body comes, JSON or not: `()` is recognised
//!   without knowing the type, by a probe deserializer that only a type reading
//!   itself as a bare unit accepts, and the body is then not read at all.
//!   `Option<T>`, unit structs and the like keep their normal, strict reading (a
//!   malformed body is still an error for them);
//! - the envelope `{"value": {...}}` (a top-level object whose only key besides
//!   `@odata.*` annotations is `value`, holding an object) is unwrapped. A collection
//!   page (`"value": [...]`) is not an envelope.

use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::LazyLock;

use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::body::Answer;
use crate::error::GraphError;
use crate::headers::request_id_of;

/// A successful (2xx) answer: its status, headers and typed body.
///
/// Derefs to the body, so `response.id` reads a field of the body. The methods
/// here shadow methods of the body type with the same names; use
/// [`body`](Self::body) to reach those.
#[derive(Debug, Clone)]
pub struct Response<T> {
    pub(crate) status: u16,
    pub(crate) headers: http::HeaderMap,
    pub(crate) client_request_id: String,
    pub(crate) body: T,
}

impl<T> Response<T> {
    /// The HTTP status (200, 201, 202, 204, ...).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// All response headers.
    pub fn headers(&self) -> &http::HeaderMap {
        &self.headers
    }

    /// The `request-id` Graph assigned to the answer: log it, support asks for it.
    pub fn request_id(&self) -> Option<&str> {
        request_id_of(&self.headers)
    }

    /// The `client-request-id` sent with the call (the same on every retry).
    pub fn client_request_id(&self) -> &str {
        &self.client_request_id
    }

    /// The `Location` header: for communications actions, the operation's URL.
    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(http::header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }

    /// The body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// The body, by value.
    pub fn into_body(self) -> T {
        self.body
    }
}

impl<T> Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.body
    }
}

/// How much of a body a decode error quotes.
const SNIPPET: usize = 512;

pub(crate) fn snippet(body: &[u8]) -> String {
    let mut end = body.len().min(SNIPPET);
    // Do not cut a UTF-8 sequence in half.
    while end > 0 && end < body.len() && (body[end] & 0xC0) == 0x80 {
        end -= 1;
    }
    String::from_utf8_lossy(&body[..end]).into_owned()
}

/// Reads a successful body as `T` by the rules in the module documentation.
pub(crate) fn decode_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, serde_json::Error> {
    // `()` ignores whatever comes, JSON or not (`OK`, an HTML page): it is not
    // read at all.
    if let Ok(unit) = T::deserialize(UnitProbe) {
        return Ok(unit);
    }
    let trimmed = body.trim_ascii();
    let bytes: &[u8] = if trimmed.is_empty() { b"null" } else { trimmed };
    if bytes.first() == Some(&b'{') && contains_value_key(bytes) && is_envelope(bytes) {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let value = de.deserialize_map(EnvelopeVisitor::<T>(PhantomData))?;
        de.end()?;
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = T::deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

pub(crate) fn decode_error(
    status: u16,
    body: &[u8],
    error: serde_json::Error,
    request_id: Option<String>,
    client_request_id: String,
) -> GraphError {
    GraphError::Decode {
        status,
        reason: error.to_string(),
        source: error,
        snippet: snippet(body),
        request_id,
        client_request_id,
    }
}

/// Whether `"value"` occurs in `haystack`. A `windows().any()` scan calls `memcmp`
/// at every offset and cost more per call than decoding the body itself
/// (graph-bench, callgrind); `memmem` is the fastest search we measured.
fn contains_value_key(haystack: &[u8]) -> bool {
    static FINDER: LazyLock<memchr::memmem::Finder<'static>> =
        LazyLock::new(|| memchr::memmem::Finder::new(b"\"value\""));
    FINDER.find(haystack).is_some()
}

/// Whether `bytes` is `{"value": {...}}` plus only `@odata.*` keys.
fn is_envelope(bytes: &[u8]) -> bool {
    struct Probe(bool);
    impl<'de> de::Deserialize<'de> for Probe {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_map(ProbeVisitor)
        }
    }
    struct ProbeVisitor;
    impl<'de> Visitor<'de> for ProbeVisitor {
        type Value = Probe;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Probe, M::Error> {
            // Returning early leaves the rest unread, which serde_json reports as
            // an error: either way the answer is "not an envelope", without
            // reading a large collection page twice.
            let mut value_is_object = false;
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if key == "value" {
                    value_is_object = map.next_value::<IsObject>()?.0;
                    if !value_is_object {
                        return Ok(Probe(false));
                    }
                } else if key.starts_with("@odata.") {
                    map.next_value::<IgnoredAny>()?;
                } else {
                    return Ok(Probe(false));
                }
            }
            Ok(Probe(value_is_object))
        }
    }
    struct IsObject(bool);
    impl<'de> de::Deserialize<'de> for IsObject {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(IsObjectVisitor)
        }
    }
    struct IsObjectVisitor;
    impl<'de> Visitor<'de> for IsObjectVisitor {
        type Value = IsObject;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any value")
        }
        fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<IsObject, M::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(IsObject(true))
        }
        fn visit_seq<S: de::SeqAccess<'de>>(self, _: S) -> Result<IsObject, S::Error> {
            // Not read: a collection page is not an envelope.
            Ok(IsObject(false))
        }
        fn visit_bool<E>(self, _: bool) -> Result<IsObject, E> {
            Ok(IsObject(false))
        }
        fn visit_i64<E>(self, _: i64) -> Result<IsObject, E> {
            Ok(IsObject(false))
        }
        fn visit_u64<E>(self, _: u64) -> Result<IsObject, E> {
            Ok(IsObject(false))
        }
        fn visit_f64<E>(self, _: f64) -> Result<IsObject, E> {
            Ok(IsObject(false))
        }
        fn visit_str<E>(self, _: &str) -> Result<IsObject, E> {
            Ok(IsObject(false))
        }
        fn visit_unit<E>(self) -> Result<IsObject, E> {
            Ok(IsObject(false))
        }
    }
    serde_json::from_slice::<Probe>(bytes).is_ok_and(|p| p.0)
}

/// Picks `value` out of an envelope.
struct EnvelopeVisitor<T>(PhantomData<T>);

impl<'de, T: DeserializeOwned> Visitor<'de> for EnvelopeVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with a `value`")
    }
    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<T, M::Error> {
        let mut value = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == "value" && value.is_none() {
                value = Some(map.next_value::<T>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        value.ok_or_else(|| de::Error::missing_field("value"))
    }
}

/// A deserializer that holds a bare unit and nothing else: only a type that reads
/// itself with `deserialize_unit` (that is, `()`) can be read from it. Unit
/// structs, `Option<()>` and everything else fail at once, without allocating.
struct UnitProbe;

impl<'de> Deserializer<'de> for UnitProbe {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a unit"))
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
        byte_buf option unit_struct newtype_struct seq tuple tuple_struct map struct
        enum identifier ignored_any
    }
}

/// How a body is read as `T`: [`ResponseBody::from_body`] of `T`, chosen where
/// the bound is known (by `GraphClient::send`, or by the generated `send` at
/// the user's type) and carried by the future, which then needs no bound.
///
/// [`ResponseBody::from_body`]: crate::roles::ResponseBody::from_body
pub(crate) type BodyReader<T> = fn(&[u8]) -> Result<T, serde_json::Error>;

/// Reads a successful raw answer as a typed [`Response`], its body read by
/// `from_body` (for an action, `T::from_body`: the rules in the module
/// documentation).
pub(crate) fn read_with<T>(
    answer: Answer,
    client_request_id: String,
    from_body: BodyReader<T>,
) -> Result<Response<T>, GraphError> {
    match from_body(&answer.body) {
        Ok(body) => Ok(Response {
            status: answer.status,
            headers: answer.headers,
            client_request_id,
            body,
        }),
        Err(e) => {
            let request_id = request_id_of(&answer.headers).map(str::to_owned);
            Err(decode_error(
                answer.status,
                &answer.body,
                e,
                request_id,
                client_request_id,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Op {
        id: Option<String>,
        status: Option<String>,
    }

    #[test]
    fn contains_finds_the_value_key_anywhere() {
        assert!(contains_value_key(br#"{"value":{}}"#));
        assert!(contains_value_key(br#"{"a":"","value":1}"#));
        assert!(contains_value_key(b"\"\"value\""), "after a false start");
        assert!(!contains_value_key(br#"{"valu":1,"values":2}"#));
        assert!(!contains_value_key(b"\"valu"), "cut short at the end");
        assert!(!contains_value_key(b""));
    }

    #[test]
    fn unit_ignores_any_body() {
        for body in [
            &b""[..],
            b"  ",
            b"null",
            b"{}",
            b"{\"a\":[1,2,{\"b\":null}]}",
            b"[1,2]",
            b"\"x\"",
            b"12.5",
            b"true",
            b"{\"value\":{\"id\":\"x\"}}",
            // Not JSON at all: still ignored (design 5.2).
            b"{\"a\":",
            b"OK",
            b"<html><body>Accepted</body></html>",
            b"\xff\xfe",
        ] {
            decode_body::<()>(body).unwrap_or_else(|e| panic!("{body:?}: {e}"));
        }
        // Only `()` itself: a unit struct or `Option<()>` reads strictly.
        #[derive(Debug, Deserialize)]
        struct Marker;
        assert!(decode_body::<Marker>(b"OK").is_err());
        assert!(decode_body::<Option<()>>(b"OK").is_err());
        assert!(decode_body::<Option<()>>(b"").unwrap().is_none());
    }

    #[test]
    fn empty_body_is_null() {
        assert_eq!(decode_body::<Option<Op>>(b"").unwrap(), None);
        assert!(decode_body::<Op>(b"").is_err());
        assert!(decode_body::<Option<Op>>(b"[1]").is_err());
    }

    #[test]
    fn envelope_is_unwrapped() {
        let bare = decode_body::<Op>(br#"{"id":"1","status":"running"}"#).unwrap();
        let wrapped = decode_body::<Op>(
            br##"{"@odata.context":"x","value":{"id":"1","status":"running"},"@odata.type":"#t"}"##,
        )
        .unwrap();
        assert_eq!(bare, wrapped);
        // Another key: not an envelope.
        let other = decode_body::<Op>(br#"{"id":"2","value":{"id":"1"}}"#).unwrap();
        assert_eq!(other.id.as_deref(), Some("2"));
        // A collection page is not an envelope (`Page<T>` has this shape).
        #[derive(Deserialize)]
        struct Collection {
            value: Vec<Op>,
        }
        let page = decode_body::<Collection>(br#"{"value":[{"id":"1"}]}"#).unwrap();
        assert_eq!(page.value.len(), 1);
        // "value" holding a scalar: not an envelope.
        let scalar = decode_body::<serde_json::Value>(br#"{"value":3}"#).unwrap();
        assert_eq!(scalar["value"], 3);
    }

    #[test]
    fn snippet_is_bounded_and_utf8_safe() {
        let body = "é".repeat(1000);
        let s = snippet(body.as_bytes());
        assert!(s.len() <= 512);
        assert!(!s.contains('\u{FFFD}'));
    }
}
