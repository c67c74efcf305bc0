//! Building the wire request of an action: path encoding, query, headers, body.
//!
//! Everything here is non-generic except the thin `serde` entry points, so each
//! action's expansion stays small: the macro only emits calls to
//! [`RequestWriter`] in template order.

use std::fmt::{self, Write as _};

use http::{HeaderName, HeaderValue};
use percent_encoding::{AsciiSet, CONTROLS};
use serde::Serialize;

use crate::error::GraphError;

/// Characters encoded in a path value: everything but RFC 3986 unreserved
/// characters and the sub-delimiters that are safe inside one segment.
/// `/`, `?`, `#`, `%`, space, `'` handling and non-ASCII are all encoded.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Characters encoded in a query name or value (`application/x-www-form-urlencoded`
/// minus the `$` that OData query names need literally).
const QUERY: &AsciiSet = &SEGMENT.add(b'&').add(b'+').add(b'=').add(b';');

/// The parts of a request an action writes; the client adds the base URL, version,
/// authentication and the standard headers.
#[derive(Debug)]
pub struct RequestWriter {
    path: String,
    /// Byte offset in `path` where the current segment starts.
    segment_start: usize,
    /// The placeholder names that wrote into the current segment.
    segment_params: Vec<&'static str>,
    query: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Option<Vec<u8>>,
}

impl RequestWriter {
    /// An empty request.
    #[doc(hidden)]
    pub fn new() -> Self {
        RequestWriter {
            path: String::with_capacity(96),
            segment_start: 0,
            segment_params: Vec::new(),
            query: String::new(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// Appends literal template text (already valid: checked by the macro).
    pub fn lit(&mut self, text: &'static str) -> Result<(), GraphError> {
        for (i, part) in text.split('/').enumerate() {
            if i > 0 {
                self.end_segment()?;
                self.path.push('/');
                self.segment_start = self.path.len();
            }
            self.path.push_str(part);
        }
        Ok(())
    }

    /// Appends the value of placeholder `name`, percent-encoded so that it stays
    /// inside its segment. `quoted` is true when the placeholder sits inside an
    /// OData string literal (`'<period>'`), where each `'` is doubled.
    pub fn param(
        &mut self,
        name: &'static str,
        value: &dyn fmt::Display,
        quoted: bool,
    ) -> Result<(), GraphError> {
        let mut enc = SegmentEncoder {
            out: &mut self.path,
            quoted,
        };
        // Writing into a String cannot fail; a failing `Display` impl can.
        write!(enc, "{value}").map_err(|_| {
            GraphError::invalid_request(format!(
                "the value of path parameter `{name}` could not be formatted"
            ))
        })?;
        self.segment_params.push(name);
        Ok(())
    }

    /// Adds query parameter `name` (written as is, so `$top` keeps its `$`).
    /// `None`, unit and null values are left out; sequences are joined with `,`.
    pub fn query<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), GraphError> {
        let value = scalar_param(name, "query parameter", value)?;
        self.query_str(name, value.as_deref());
        Ok(())
    }

    fn query_str(&mut self, name: &str, value: Option<&str>) {
        let Some(value) = value else { return };
        self.query
            .push(if self.query.is_empty() { '?' } else { '&' });
        self.query
            .extend(percent_encoding::utf8_percent_encode(name, QUERY_NAME));
        self.query.push('=');
        self.query
            .extend(percent_encoding::utf8_percent_encode(value, QUERY));
    }

    /// Adds request header `name`. `None` is left out; a value with CR or LF, or a
    /// name that is not a valid header name, is refused.
    pub fn header<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), GraphError> {
        let Some(value) = scalar_param(name, "header", value)? else {
            return Ok(());
        };
        self.header_str(name, value)
    }

    fn header_str(&mut self, name: &'static str, value: String) -> Result<(), GraphError> {
        if value.contains(['\r', '\n']) {
            return Err(GraphError::invalid_request(format!(
                "the value of header `{name}` contains CR or LF"
            )));
        }
        let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            GraphError::invalid_request(format!("`{name}` is not a valid header name"))
        })?;
        let header_value = HeaderValue::from_str(&value).map_err(|_| {
            GraphError::invalid_request(format!(
                "the value of header `{name}` is not a valid header value"
            ))
        })?;
        self.headers.push((header_name, header_value));
        Ok(())
    }

    /// Sets the JSON body.
    pub fn json_body<T: Serialize + ?Sized>(&mut self, body: &T) -> Result<(), GraphError> {
        let bytes = serde_json::to_vec(body).map_err(|e| {
            GraphError::invalid_request(format!("the request body could not be serialised: {e}"))
        })?;
        self.body = Some(bytes);
        Ok(())
    }

    /// Starts the body as an empty JSON object, `{}`, which
    /// [`json_field`](Self::json_field) fills. Used by `#[graph_action]` so that
    /// each action's body costs a few calls instead of a serde type.
    #[doc(hidden)]
    pub fn json_object(&mut self) {
        self.body = Some(b"{}".to_vec());
    }

    /// Adds property `name` (written as a JSON string) to the object body started
    /// by [`json_object`](Self::json_object); starts one if there is none.
    #[doc(hidden)]
    pub fn json_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), GraphError> {
        let body = self.body.get_or_insert_with(|| b"{}".to_vec());
        // Reopen the object: drop its closing brace, separate from the last property.
        body.pop();
        if body.len() > 1 {
            body.push(b',');
        }
        let written = serde_json::to_writer(&mut *body, name).and_then(|()| {
            body.push(b':');
            serde_json::to_writer(&mut *body, value)
        });
        body.push(b'}');
        written.map_err(|e| {
            GraphError::invalid_request(format!(
                "body property `{name}` could not be serialised: {e}"
            ))
        })
    }

    fn end_segment(&mut self) -> Result<(), GraphError> {
        let segment = &self.path[self.segment_start..];
        if !self.segment_params.is_empty() && matches!(segment, "" | "." | "..") {
            let names = self.segment_params.join("`, `");
            let what = if segment.is_empty() { "empty" } else { segment };
            return Err(GraphError::invalid_request(format!(
                "path parameter `{names}` would make the path segment {what}; \
                 an empty, `.` or `..` segment would address another resource"
            )));
        }
        self.segment_params.clear();
        Ok(())
    }

    /// Checks the last segment and returns the finished parts.
    #[doc(hidden)]
    pub fn finish(mut self) -> Result<WrittenRequest, GraphError> {
        self.end_segment()?;
        Ok(WrittenRequest {
            path_and_query: {
                let mut p = self.path;
                p.push_str(&self.query);
                p
            },
            headers: self.headers,
            body: self.body,
        })
    }
}

impl Default for RequestWriter {
    fn default() -> Self {
        Self::new()
    }
}

/// Query names: like values, but `$` stays literal (OData system query options).
const QUERY_NAME: &AsciiSet = QUERY;

/// What an action wrote: the path (relative to the version root, starting with
/// `/`) with its query string, the action's own headers, and the body bytes.
#[derive(Debug, Clone)]
#[doc(hidden)]
pub struct WrittenRequest {
    /// `/communications/calls/abc/mute?x=1`
    pub path_and_query: String,
    /// Headers declared by `#[header]` fields.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Compact JSON, or `None` when the action has no body fields.
    pub body: Option<Vec<u8>>,
}

/// A `fmt::Write` that percent-encodes into the path.
struct SegmentEncoder<'a> {
    out: &'a mut String,
    quoted: bool,
}

impl fmt::Write for SegmentEncoder<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for chunk in percent_encoding::utf8_percent_encode(s, SEGMENT) {
            if self.quoted && chunk.contains('\'') {
                self.out.push_str(&chunk.replace('\'', "''"));
            } else {
                self.out.push_str(chunk);
            }
        }
        Ok(())
    }
}

/// Turns a query or header field into its text: strings, numbers and booleans as
/// themselves, `None`/`()`/null as absent, sequences of scalars joined with `,`.
fn scalar_param<T: Serialize + ?Sized>(
    name: &str,
    what: &str,
    value: &T,
) -> Result<Option<String>, GraphError> {
    let value = serde_json::to_value(value).map_err(|e| {
        GraphError::invalid_request(format!("{what} `{name}` could not be serialised: {e}"))
    })?;
    scalar_text(name, what, value)
}

fn scalar_text(
    name: &str,
    what: &str,
    value: serde_json::Value,
) -> Result<Option<String>, GraphError> {
    use serde_json::Value;
    Ok(Some(match value {
        Value::Null => return Ok(None),
        Value::String(s) => s,
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => {
            let mut joined = String::new();
            for (i, item) in items.into_iter().enumerate() {
                let text = match item {
                    Value::String(s) => s,
                    Value::Bool(b) => b.to_string(),
                    Value::Number(n) => n.to_string(),
                    _ => {
                        return Err(GraphError::invalid_request(format!(
                            "{what} `{name}` must be a string, number, boolean or a list of them"
                        )));
                    }
                };
                if i > 0 {
                    joined.push(',');
                }
                joined.push_str(&text);
            }
            joined
        }
        Value::Object(_) => {
            return Err(GraphError::invalid_request(format!(
                "{what} `{name}` must be a string, number, boolean or a list of them"
            )));
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(parts: &[(&'static str, Option<&str>, bool)]) -> Result<String, GraphError> {
        let mut w = RequestWriter::new();
        for (lit, value, quoted) in parts {
            match value {
                None => w.lit(lit)?,
                Some(v) => w.param(lit, v, *quoted)?,
            }
        }
        Ok(w.finish()?.path_and_query)
    }

    #[test]
    fn encodes_one_segment() {
        let p = path(&[
            ("/calls/", None, false),
            ("callId", Some("a/b?c#d%e f"), false),
        ])
        .unwrap();
        assert_eq!(p, "/calls/a%2Fb%3Fc%23d%25e%20f");
    }

    #[test]
    fn refuses_dot_segments() {
        for bad in ["", ".", ".."] {
            let err = path(&[
                ("/calls/", None, false),
                ("callId", Some(bad), false),
                ("/mute", None, false),
            ])
            .unwrap_err();
            assert!(err.to_string().contains("callId"), "{err}");
        }
        // A partial placeholder cannot empty its segment, but "." + "." can make "..".
        assert!(path(&[("/a/.", None, false), ("x", Some("."), false)]).is_err());
        assert_eq!(
            path(&[("/a/x", None, false), ("x", Some(""), false)]).unwrap(),
            "/a/x"
        );
    }

    #[test]
    fn doubles_quotes_inside_odata_literals() {
        let p = path(&[
            ("/r(p='", None, false),
            ("p", Some("it's"), true),
            ("')", None, false),
        ])
        .unwrap();
        assert_eq!(p, "/r(p='it''s')");
    }

    #[test]
    fn query_keeps_dollar_and_skips_none() {
        let mut w = RequestWriter::new();
        w.lit("/x").unwrap();
        w.query("$top", &Some(5)).unwrap();
        w.query("$filter", &None::<String>).unwrap();
        w.query("$select", &["id", "status"]).unwrap();
        w.query("q", "a b&c").unwrap();
        assert_eq!(
            w.finish().unwrap().path_and_query,
            "/x?$top=5&$select=id,status&q=a%20b%26c"
        );
    }

    #[test]
    fn header_refuses_crlf() {
        let mut w = RequestWriter::new();
        assert!(w.header("X-Test", "a\r\nInjected: 1").is_err());
        w.header("ConsistencyLevel", &Some("eventual")).unwrap();
        w.header("X-None", &None::<&str>).unwrap();
        assert_eq!(w.finish().unwrap().headers.len(), 1);
    }

    #[test]
    fn json_object_fields() {
        let body = |fill: &dyn Fn(&mut RequestWriter)| {
            let mut w = RequestWriter::new();
            fill(&mut w);
            w.finish()
                .unwrap()
                .body
                .map(|b| String::from_utf8(b).unwrap())
        };
        assert_eq!(body(&|_| {}), None);
        assert_eq!(body(&|w| w.json_object()).as_deref(), Some("{}"));
        assert_eq!(
            body(&|w| {
                w.json_object();
                w.json_field("clientContext", &Some("a\"b")).unwrap();
                w.json_field("n", &[1, 2]).unwrap();
                w.json_field("o", &serde_json::json!({"x": {}})).unwrap();
            })
            .as_deref(),
            Some(r#"{"clientContext":"a\"b","n":[1,2],"o":{"x":{}}}"#)
        );
    }
}
