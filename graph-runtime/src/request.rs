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

/// How many placeholder names of one path segment an error message names.
const MAX_NAMED: usize = 4;

/// The first allocation of the path: room for most paths, the client's version
/// prefix and a query, so it is not grown.
const PATH_CAPACITY: usize = 160;

/// The first allocation of an object body: most action bodies fit, so the
/// properties are written without growing it.
const BODY_CAPACITY: usize = 128;

/// The parts of a request an action writes; the client adds the base URL, version,
/// authentication and the standard headers.
#[derive(Debug)]
pub struct RequestWriter {
    path: String,
    /// Byte offset in `path` where the current segment starts.
    segment_start: usize,
    /// The placeholder names that wrote into the current segment (the first
    /// [`MAX_NAMED`] of them: only an error message reads them).
    segment_params: [&'static str; MAX_NAMED],
    /// How many placeholders wrote into the current segment.
    segment_param_count: usize,
    query: String,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Option<Vec<u8>>,
    /// The first error; every write after it is skipped, and
    /// [`finish`](Self::finish) returns it.
    error: Option<GraphError>,
}

impl RequestWriter {
    /// An empty request.
    #[doc(hidden)]
    pub fn new() -> Self {
        RequestWriter {
            path: String::with_capacity(PATH_CAPACITY),
            segment_start: 0,
            segment_params: [""; MAX_NAMED],
            segment_param_count: 0,
            query: String::new(),
            headers: Vec::new(),
            body: None,
            error: None,
        }
    }

    /// Keeps the first error of the request.
    fn fail(&mut self, error: GraphError) {
        if self.error.is_none() {
            self.error = Some(error);
        }
    }

    /// Appends literal template text (already valid: checked by the macro).
    ///
    /// The writes never fail on the spot: the first error (a bad path value, a
    /// header with CR or LF, a value that does not serialise) is kept and
    /// returned by [`finish`](Self::finish), and every write after it is
    /// skipped. So an action's `write_request` is a plain list of calls.
    pub fn lit(&mut self, text: &'static str) {
        if self.error.is_some() {
            return;
        }
        // Byte loops, not `find`: a literal is short and mostly starts and ends
        // with its `/`.
        let Some(first) = text.bytes().position(|b| b == b'/') else {
            self.path.push_str(text);
            return;
        };
        // Only the segment this text closes can hold placeholder values; the
        // segments wholly inside the text are the macro's, already checked.
        self.path.push_str(&text[..first]);
        if let Err(e) = self.end_segment() {
            return self.fail(e);
        }
        let at = self.path.len();
        self.path.push_str(&text[first..]);
        let last = text.bytes().rposition(|b| b == b'/').unwrap_or(first);
        self.segment_start = at + (last - first) + 1;
    }

    /// Appends the value of placeholder `name`, percent-encoded so that it stays
    /// inside its segment. `quoted` is true when the placeholder sits inside an
    /// OData string literal (`'<period>'`), where each `'` is doubled.
    pub fn param(&mut self, name: &'static str, value: &dyn fmt::Display, quoted: bool) {
        if self.error.is_some() {
            return;
        }
        let mut enc = SegmentEncoder {
            out: &mut self.path,
            quoted,
        };
        // Writing into a String cannot fail; a failing `Display` impl can.
        if write!(enc, "{value}").is_err() {
            return self.fail(GraphError::invalid_request(format!(
                "the value of path parameter `{name}` could not be formatted"
            )));
        }
        if let Some(slot) = self.segment_params.get_mut(self.segment_param_count) {
            *slot = name;
        }
        self.segment_param_count += 1;
    }

    /// Adds query parameter `name` (written as is, so `$top` keeps its `$`).
    /// `None`, unit and null values are left out; sequences are joined with `,`.
    pub fn query<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) {
        if self.error.is_some() {
            return;
        }
        match scalar_param(name, "query parameter", value) {
            Ok(value) => self.query_str(name, value.as_deref()),
            Err(e) => self.fail(e),
        }
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
    pub fn header<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) {
        if self.error.is_some() {
            return;
        }
        let written = scalar_param(name, "header", value).and_then(|value| match value {
            Some(value) => self.header_str(name, value),
            None => Ok(()),
        });
        if let Err(e) = written {
            self.fail(e);
        }
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
    pub fn json_body<T: Serialize + ?Sized>(&mut self, body: &T) {
        if self.error.is_some() {
            return;
        }
        match serde_json::to_vec(body) {
            Ok(bytes) => self.body = Some(bytes),
            Err(e) => self.fail(GraphError::invalid_request(format!(
                "the request body could not be serialised: {e}"
            ))),
        }
    }

    /// Starts the body as an empty JSON object, `{}`, which
    /// [`json_field`](Self::json_field) fills. Used by `#[graph_action]` so that
    /// each action's body costs a few calls instead of a serde type.
    #[doc(hidden)]
    pub fn json_object(&mut self) {
        self.body = Some(empty_object());
    }

    /// Adds property `name` to the object body started by
    /// [`json_object`](Self::json_object); starts one if there is none.
    #[doc(hidden)]
    pub fn json_field<T: Serialize + ?Sized>(&mut self, name: &'static str, value: &T) {
        if self.error.is_some() {
            return;
        }
        let body = self.body.get_or_insert_with(empty_object);
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
        if let Err(e) = written {
            self.fail(GraphError::invalid_request(format!(
                "body property `{name}` could not be serialised: {e}"
            )));
        }
    }

    /// [`json_field`](Self::json_field) for an `Option` field: `None` is left
    /// out of the body rather than written as `null`.
    #[doc(hidden)]
    pub fn json_opt_field<T: Serialize>(&mut self, name: &'static str, value: &Option<T>) {
        if let Some(value) = value {
            self.json_field(name, value);
        }
    }

    fn end_segment(&mut self) -> Result<(), GraphError> {
        let segment = &self.path[self.segment_start..];
        if self.segment_param_count > 0 && matches!(segment, "" | "." | "..") {
            let named = self.segment_param_count.min(MAX_NAMED);
            let names = self.segment_params[..named].join("`, `");
            let what = if segment.is_empty() { "empty" } else { segment };
            return Err(GraphError::invalid_request(format!(
                "path parameter `{names}` would make the path segment {what}; \
                 an empty, `.` or `..` segment would address another resource"
            )));
        }
        self.segment_param_count = 0;
        Ok(())
    }

    /// Checks the last segment and returns the finished parts, or the first
    /// error of any write.
    #[doc(hidden)]
    pub fn finish(mut self) -> Result<WrittenRequest, GraphError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
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

/// `{}`, in a buffer with room for the properties of most bodies.
fn empty_object() -> Vec<u8> {
    let mut body = Vec::with_capacity(BODY_CAPACITY);
    body.extend_from_slice(b"{}");
    body
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

/// RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`): never encoded in a
/// path segment, and no `'` to double. A table, so the check is a load per byte.
static UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~');
        b += 1;
    }
    table
};

/// A `fmt::Write` that percent-encodes into the path.
struct SegmentEncoder<'a> {
    out: &'a mut String,
    quoted: bool,
}

impl fmt::Write for SegmentEncoder<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        // Ids are mostly unreserved characters only (GUIDs): nothing to encode.
        if s.bytes().all(|b| UNRESERVED[usize::from(b)]) {
            self.out.push_str(s);
            return Ok(());
        }
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
                None => w.lit(lit),
                Some(v) => w.param(lit, v, *quoted),
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
        w.lit("/x");
        w.query("$top", &Some(5));
        w.query("$filter", &None::<String>);
        w.query("$select", &["id", "status"]);
        w.query("q", "a b&c");
        assert_eq!(
            w.finish().unwrap().path_and_query,
            "/x?$top=5&$select=id,status&q=a%20b%26c"
        );
    }

    #[test]
    fn header_refuses_crlf() {
        let mut w = RequestWriter::new();
        w.header("ConsistencyLevel", &Some("eventual"));
        w.header("X-None", &None::<&str>);
        assert_eq!(w.finish().unwrap().headers.len(), 1);

        let mut w = RequestWriter::new();
        w.header("X-Test", "a\r\nInjected: 1");
        let err = w.finish().unwrap_err();
        assert!(err.to_string().contains("X-Test"), "{err}");
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
                w.json_opt_field("clientContext", &Some("a\"b"));
                w.json_opt_field("none", &None::<u8>);
                w.json_field("n", &[1, 2]);
                w.json_field("o", &serde_json::json!({"x": {}}));
            })
            .as_deref(),
            Some(r#"{"clientContext":"a\"b","n":[1,2],"o":{"x":{}}}"#)
        );
    }

    #[test]
    fn keeps_the_first_error_and_skips_later_writes() {
        let mut w = RequestWriter::new();
        w.lit("/calls/");
        w.param("callId", &"..", false);
        w.lit("/mute");
        w.header("X-Test", "a\nb");
        w.json_field("late", &1);
        let err = w.finish().unwrap_err();
        assert!(err.to_string().contains("callId"), "{err}");
    }
}
