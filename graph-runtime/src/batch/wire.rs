//! The wire form of JSON batching: an item's JSON, the `$batch` body, and the
//! reading of a `$batch` answer (items matched by id, headers and raw bodies).

use std::borrow::Cow;
use std::fmt;
use std::io::Write as _;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde::Deserialize;
use serde::de;
use serde_json::value::RawValue;

use crate::action::GraphAction;
use crate::error::GraphError;
use crate::headers::request_id_of;
use crate::request::RequestWriter;
use crate::response::snippet;

/// An item's JSON, in two parts around its optional `dependsOn`:
/// `{"id":"1","method":"GET","url":"/me"` and `,"body":{...},"headers":{...}}`.
pub(super) struct ItemWire {
    pub(super) head: Vec<u8>,
    pub(super) tail: Vec<u8>,
}

/// Writes `action` as item number `n`: its id, method, URL, headers and body.
pub(super) fn write_item<A: GraphAction + ?Sized>(
    n: u32,
    action: &A,
) -> Result<ItemWire, GraphError> {
    let mut writer = RequestWriter::new();
    action.write_request(&mut writer);
    item_wire(n, A::METHOD.as_str(), writer)
}

pub(super) fn item_wire(
    n: u32,
    method: &str,
    writer: RequestWriter,
) -> Result<ItemWire, GraphError> {
    let written = writer.finish()?;
    let mut head = Vec::with_capacity(48 + written.path_and_query.len());
    head.extend_from_slice(b"{\"id\":\"");
    // Digits only: nothing to escape.
    let _ = write!(head, "{n}");
    head.extend_from_slice(b"\",\"method\":");
    json_str(&mut head, method)?;
    head.extend_from_slice(b",\"url\":");
    json_str(&mut head, &written.path_and_query)?;
    let body_len = written.body.as_ref().map_or(0, Vec::len);
    let mut tail = Vec::with_capacity(body_len + 64);
    if let Some(body) = &written.body {
        tail.extend_from_slice(b",\"body\":");
        tail.extend_from_slice(body);
    }
    if written.body.is_some() || !written.headers.is_empty() {
        tail.extend_from_slice(b",\"headers\":{");
        let mut first = true;
        if written.body.is_some() {
            // Graph requires Content-Type on an item with a body.
            tail.extend_from_slice(b"\"Content-Type\":\"application/json\"");
            first = false;
        }
        for (name, value) in &written.headers {
            if !first {
                tail.push(b',');
            }
            first = false;
            json_str(&mut tail, name.as_str())?;
            tail.push(b':');
            json_str(&mut tail, &String::from_utf8_lossy(value.as_bytes()))?;
        }
        tail.push(b'}');
    }
    tail.push(b'}');
    Ok(ItemWire { head, tail })
}

pub(super) fn json_str(out: &mut Vec<u8>, text: &str) -> Result<(), GraphError> {
    serde_json::to_writer(out, text)
        .map_err(|e| GraphError::invalid_request(format!("a batch item could not be written: {e}")))
}

/// The `$batch` body of `ids`: `{"requests":[...]}`. `item(n)` gives an item's
/// wire form and dependency; `dependsOn` is written only when the dependency is
/// in the same body.
pub(super) fn render<'e>(
    ids: &[u32],
    item: impl Fn(u32) -> (Option<&'e ItemWire>, Option<u32>),
) -> Vec<u8> {
    let mut size = 16;
    for &n in ids {
        if let (Some(w), _) = item(n) {
            size += w.head.len() + w.tail.len() + 24;
        }
    }
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(b"{\"requests\":[");
    let mut first = true;
    for &n in ids {
        let (Some(wire), depends_on) = item(n) else {
            continue;
        };
        if !first {
            out.push(b',');
        }
        first = false;
        out.extend_from_slice(&wire.head);
        if let Some(d) = depends_on.filter(|d| ids.contains(d)) {
            out.extend_from_slice(b",\"dependsOn\":[\"");
            out.extend_from_slice(d.to_string().as_bytes());
            out.extend_from_slice(b"\"]");
        }
        out.extend_from_slice(&wire.tail);
    }
    out.extend_from_slice(b"]}");
    out
}

/// The item Graph answered, its body unread.
pub(super) struct WireAnswer {
    pub(super) status: u16,
    pub(super) headers: HeaderMap,
    /// The item's `body` JSON (empty when absent or `null`).
    pub(super) body: Bytes,
}

/// Why a `$batch` answer could not be read.
pub(super) struct Unreadable(pub(super) String);

impl Unreadable {
    pub(super) fn into_error(self, raw: &RawAnswer) -> GraphError {
        GraphError::Decode {
            status: raw.status,
            source: <serde_json::Error as serde::de::Error>::custom(&self.0),
            reason: self.0,
            snippet: snippet(&raw.body),
            request_id: request_id_of(&raw.headers).map(str::to_owned),
            client_request_id: raw.client_request_id.clone(),
        }
    }
}

/// Reads `{"responses": [...]}` item by item into `out`: the items for `ids`,
/// bodies sliced out of `whole` without a copy.
struct Responses<'r> {
    whole: &'r Bytes,
    ids: &'r [u32],
    out: &'r mut Vec<(u32, WireAnswer)>,
}

impl<'de> de::DeserializeSeed<'de> for Responses<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> de::Visitor<'de> for Responses<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with `responses`")
    }
    fn visit_map<M: de::MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        let Responses { whole, ids, out } = self;
        let mut seen = false;
        while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
            if !seen && key.as_deref() == Some("responses") {
                seen = true;
                map.next_value_seed(Items {
                    whole,
                    ids,
                    out: &mut *out,
                })?;
            } else {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        if seen {
            Ok(())
        } else {
            Err(de::Error::missing_field("responses"))
        }
    }
}

/// The `responses` array.
struct Items<'r> {
    whole: &'r Bytes,
    ids: &'r [u32],
    out: &'r mut Vec<(u32, WireAnswer)>,
}

impl<'de> de::DeserializeSeed<'de> for Items<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> de::Visitor<'de> for Items<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of responses")
    }
    fn visit_seq<S: de::SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        while let Some(item) = seq.next_element::<WireItem<'de>>()? {
            let Ok(n) = item.id.trim().parse::<u32>() else {
                continue;
            };
            if !self.ids.contains(&n) || self.out.iter().any(|(m, _)| *m == n) {
                continue;
            }
            let body = item
                .body
                .map_or_else(Bytes::new, |b| sub_bytes(self.whole, b.get().as_bytes()));
            self.out.push((
                n,
                WireAnswer {
                    status: item.status,
                    headers: item.headers.map_or_else(HeaderMap::new, |h| h.0),
                    body,
                },
            ));
        }
        Ok(())
    }
}

#[derive(Deserialize)]
pub(super) struct WireItem<'a> {
    #[serde(borrow)]
    pub(super) id: Cow<'a, str>,
    pub(super) status: u16,
    #[serde(default)]
    pub(super) headers: Option<WireHeaders>,
    #[serde(borrow, default)]
    pub(super) body: Option<&'a RawValue>,
}

/// An item's `headers` object, read straight into a [`HeaderMap`]: names and
/// values borrowed from the answer where they can be, numbers and booleans
/// written as text, `null` and anything that is not a valid header left out.
pub(super) struct WireHeaders(HeaderMap);

impl<'de> Deserialize<'de> for WireHeaders {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = WireHeaders;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of headers")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<WireHeaders, M::Error> {
                let mut headers = HeaderMap::new();
                while let Some(Text(name)) = map.next_key::<Text<'de>>()? {
                    let Text(value) = map.next_value::<Text<'de>>()?;
                    if let (Some(name), Some(value)) = (name, value)
                        && let (Ok(name), Ok(value)) = (
                            HeaderName::from_bytes(name.as_bytes()),
                            HeaderValue::from_str(&value),
                        )
                    {
                        headers.append(name, value);
                    }
                }
                Ok(WireHeaders(headers))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// A JSON scalar as text (`None` for `null` or a nested value).
pub(super) struct Text<'a>(Option<Cow<'a, str>>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a header name or value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_owned()))))
            }
            fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v))))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Text<'de>, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_unit<E>(self) -> Result<Text<'de>, E> {
                Ok(Text(None))
            }
            fn visit_seq<S: serde::de::SeqAccess<'de>>(
                self,
                mut seq: S,
            ) -> Result<Text<'de>, S::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Text<'de>, M::Error> {
                while map
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Text(None))
            }
        }
        d.deserialize_any(Visit)
    }
}

/// Reads a `$batch` answer: the item answers for `ids`, matched by id (the
/// first answer of an id counts; answers to other ids are ignored).
pub(super) fn read_answer(
    raw: &RawAnswer,
    ids: &[u32],
) -> Result<Vec<(u32, WireAnswer)>, Unreadable> {
    let mut out: Vec<(u32, WireAnswer)> = Vec::with_capacity(ids.len());
    let unreadable = |e: serde_json::Error| {
        Unreadable(format!("the $batch answer is not a batch response: {e}"))
    };
    let mut de = serde_json::Deserializer::from_slice(&raw.body);
    de::DeserializeSeed::deserialize(
        Responses {
            whole: &raw.body,
            ids,
            out: &mut out,
        },
        &mut de,
    )
    .map_err(unreadable)?;
    de.end().map_err(unreadable)?;
    Ok(out)
}

/// `part` of `whole` without a copy when it lies inside it (it does, as a
/// borrowed parse), else a copy.
pub(super) fn sub_bytes(whole: &Bytes, part: &[u8]) -> Bytes {
    let start = (part.as_ptr() as usize).wrapping_sub(whole.as_ptr() as usize);
    if start <= whole.len() && part.len() <= whole.len() - start {
        whole.slice(start..start + part.len())
    } else {
        Bytes::copy_from_slice(part)
    }
}

/// A successful `$batch` answer with its body unread, and the POST's
/// `client-request-id`.
pub(super) struct RawAnswer {
    pub(super) status: u16,
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
    pub(super) client_request_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(head: &str, tail: &str) -> ItemWire {
        ItemWire {
            head: head.as_bytes().to_vec(),
            tail: tail.as_bytes().to_vec(),
        }
    }

    #[test]
    fn renders_depends_on_only_inside_the_request() {
        let items = [
            wire(r#"{"id":"1","method":"GET","url":"/a""#, "}"),
            wire(r#"{"id":"2","method":"GET","url":"/b""#, "}"),
        ];
        let body = render(&[1, 2], |n| {
            (Some(&items[n as usize - 1]), (n == 2).then_some(1))
        });
        assert_eq!(
            String::from_utf8(body).unwrap(),
            r#"{"requests":[{"id":"1","method":"GET","url":"/a"},{"id":"2","method":"GET","url":"/b","dependsOn":["1"]}]}"#
        );
        let body = render(&[2], |n| (Some(&items[n as usize - 1]), Some(1)));
        assert_eq!(
            String::from_utf8(body).unwrap(),
            r#"{"requests":[{"id":"2","method":"GET","url":"/b"}]}"#
        );
    }

    #[test]
    fn reads_answers_by_id_with_their_headers_and_raw_bodies() {
        let raw = RawAnswer {
            status: 200,
            headers: HeaderMap::new(),
            body: Bytes::from_static(
                br#"{"responses":[
                {"id":"3","status":204,"body":null},
                {"id":"9","status":200},
                {"id":"1","status":302,"headers":{"Location":"https://x.example/a","Retry-After":2,"X-Null":null,"X-Obj":{"a":[1]},"Bad Name":"x","X-Esc":"a\u0041"}},
                {"id":"2","status":200,"body":{"value":[]}},
                {"id":"2","status":500}
            ]}"#,
            ),
            client_request_id: "c".into(),
        };
        let answers = read_answer(&raw, &[1, 2, 3]).unwrap_or_else(|e| panic!("{}", e.0));
        let ids: Vec<u32> = answers.iter().map(|(n, _)| *n).collect();
        assert_eq!(ids, [3, 1, 2]);
        assert!(answers[0].1.body.is_empty());
        assert_eq!(answers[1].1.status, 302);
        assert_eq!(answers[1].1.headers["location"], "https://x.example/a");
        assert_eq!(answers[1].1.headers["retry-after"], "2");
        assert_eq!(answers[1].1.headers["x-esc"], "aA");
        assert_eq!(
            answers[1].1.headers.len(),
            3,
            "null, nested and invalid left out"
        );
        assert_eq!(&answers[2].1.body[..], br#"{"value":[]}"#);

        let bad = RawAnswer {
            body: Bytes::from_static(b"{\"value\":1}"),
            ..raw
        };
        let err = read_answer(&bad, &[1]).err().unwrap().into_error(&bad);
        assert!(
            matches!(err, GraphError::Decode { status: 200, .. }),
            "{err}"
        );
    }
}
