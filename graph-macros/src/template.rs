//! The path template: `"/communications/calls/<callId>/participants/<participantId>/mute"`.
//!
//! Pure string code with no `syn` in sight, so it is unit- and property-tested on
//! its own. [`parse`] never panics: on any input it returns what it understood plus
//! every problem it found, each with the byte range (in the literal's value) it is
//! about.

use std::ops::Range;

/// One piece of a template, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Literal text, slashes included.
    Lit(String),
    /// A `<name>` placeholder.
    Param(Param),
}

/// A `<name>` placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The name between the angle brackets (`callId`).
    pub name: String,
    /// True when the placeholder sits inside an OData string literal
    /// (`(period='<period>')`): the runtime doubles `'` in its value.
    pub quoted: bool,
    /// Byte range of `<name>` in the template.
    pub range: Range<usize>,
}

/// A problem in a template, about the bytes `range` of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// Byte range in the template (may be empty at the end of the string).
    pub range: Range<usize>,
    /// The message, lowercase, with a `help:` line where there is a fix.
    pub message: String,
    /// A malformed placeholder (unclosed, empty, not an identifier, `{id}`):
    /// the `#[path]` field it was meant for is not reported again.
    pub placeholder: bool,
}

/// A parsed template.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Template {
    /// Literal text and placeholders in order; adjacent literals are merged.
    pub parts: Vec<Part>,
}

impl Template {
    /// The placeholders in order.
    pub fn params(&self) -> impl Iterator<Item = &Param> {
        self.parts.iter().filter_map(|p| match p {
            Part::Param(p) => Some(p),
            Part::Lit(_) => None,
        })
    }

    fn push_lit(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if let Some(Part::Lit(last)) = self.parts.last_mut() {
            last.push_str(s);
        } else {
            self.parts.push(Part::Lit(s.to_owned()));
        }
    }
}

/// Parses `template`, returning what it understood and every error found.
///
/// The template is valid when the error list is empty.
pub fn parse(template: &str) -> (Template, Vec<TemplateError>) {
    let mut p = Parser {
        src: template,
        out: Template::default(),
        errors: Vec::new(),
        seen: Vec::new(),
    };
    p.run();
    (p.out, p.errors)
}

struct Parser<'a> {
    src: &'a str,
    out: Template,
    errors: Vec<TemplateError>,
    /// snake_case forms of the placeholders so far, for duplicates.
    seen: Vec<(String, String)>,
}

impl Parser<'_> {
    fn error(&mut self, range: Range<usize>, message: impl Into<String>) {
        self.errors.push(TemplateError {
            range,
            message: message.into(),
            placeholder: false,
        });
    }

    fn placeholder_error(&mut self, range: Range<usize>, message: impl Into<String>) {
        self.errors.push(TemplateError {
            range,
            message: message.into(),
            placeholder: true,
        });
    }

    fn run(&mut self) {
        let src = self.src;
        if src.is_empty() {
            self.error(
                0..0,
                "the path is empty\nhelp: write the path from the version root, \
                 as in \"/communications/calls/<callId>\"",
            );
            return;
        }
        if !src.starts_with('/') {
            self.error(
                0..src.chars().next().map_or(0, char::len_utf8),
                format!("the path must start with `/`\nhelp: write \"/{src}\""),
            );
        }
        self.check_structure();

        // Placeholders and literal text.
        let bytes = src.as_bytes();
        let mut i = 0;
        let mut lit_start = 0;
        // Byte offset where the current segment starts, for quote counting.
        let mut segment_start = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'/' => {
                    segment_start = i + 1;
                    i += 1;
                }
                b'<' => {
                    self.out.push_lit(&src[lit_start..i]);
                    i = self.placeholder(i, segment_start);
                    lit_start = i;
                }
                b'>' => {
                    let end = src[i..].find('/').map_or(src.len(), |e| i + e);
                    self.placeholder_error(
                        i..i + 1,
                        format!(
                            "`>` without a matching `<` in `{}`\nhelp: placeholders are written `<name>`",
                            &src[segment_start..end]
                        ),
                    );
                    i += 1;
                }
                _ => i += 1,
            }
        }
        self.out.push_lit(&src[lit_start..]);
    }

    /// Parses a placeholder starting at `start` (a `<`); returns where scanning
    /// resumes.
    fn placeholder(&mut self, start: usize, segment_start: usize) -> usize {
        let src = self.src;
        let rest = &src[start + 1..];
        // The name ends at `>`; a `<`, `/` or end of string first means unclosed.
        let end = rest.find(['>', '<', '/']);
        let Some(end) = end.filter(|&e| rest.as_bytes()[e] == b'>') else {
            let stop = end.map_or(src.len(), |e| start + 1 + e);
            self.placeholder_error(
                start..stop,
                format!(
                    "unclosed placeholder `{}`\nhelp: close it with `>`, as in `<callId>`",
                    &src[start..stop]
                ),
            );
            return stop;
        };
        let name = &rest[..end];
        let close = start + 1 + end + 1;
        let range = start..close;
        if name.is_empty() {
            self.placeholder_error(
                range,
                "empty placeholder `<>`\nhelp: name it after its field, as in `<callId>` \
                 for `#[path] call_id`",
            );
            return close;
        }
        if !is_identifier(name) {
            let fixed = camel_case(name);
            let help = if is_identifier(&fixed) {
                format!("\nhelp: write `<{fixed}>`")
            } else {
                String::new()
            };
            self.placeholder_error(
                range,
                format!("placeholder name `{name}` is not an identifier{help}"),
            );
            return close;
        }
        let snake = snake_case(name);
        if matches!(snake.as_str(), "self" | "crate" | "super") {
            self.placeholder_error(
                range,
                format!(
                    "`<{name}>` cannot be a placeholder: no field can be named `{snake}`, \
                     not even as `r#{snake}`\nhelp: name it after what it holds, as in `<userId>`"
                ),
            );
            return close;
        }
        if let Some((first, _)) = self.seen.iter().find(|(_, s)| *s == snake) {
            let msg = if first == name {
                format!(
                    "duplicate placeholder `<{name}>`\nhelp: each placeholder is filled by \
                     its own `#[path]` field; give the second one another name"
                )
            } else {
                format!(
                    "placeholders `<{first}>` and `<{name}>` both name field `{snake}`\n\
                     help: give one of them another name"
                )
            };
            self.error(range, msg);
            return close;
        }
        self.seen.push((name.to_owned(), snake));
        // Inside an OData string literal when an odd number of `'` precede it in
        // its segment.
        let quotes = src[segment_start..start].matches('\'').count();
        self.out.parts.push(Part::Param(Param {
            name: name.to_owned(),
            quoted: quotes % 2 == 1,
            range,
        }));
        close
    }

    /// Query, fragment, whitespace, control characters, `{id}`, empty segments
    /// and a trailing `/`.
    fn check_structure(&mut self) {
        let src = self.src;
        if let Some(q) = src.find('?') {
            let end = src[q..].find('#').map_or(src.len(), |h| q + h);
            self.error(
                q..end,
                format!(
                    "the path cannot carry a query string (`{}`)\nhelp: declare each query \
                     parameter as a `#[query]` field, as in `#[query(\"$top\")] pub top: Option<u32>`",
                    &src[q..end]
                ),
            );
        }
        if let Some(h) = src.find('#') {
            self.error(
                h..src.len(),
                format!(
                    "the path cannot carry a fragment (`{}`)\nhelp: remove it; fragments are \
                     never sent to the server",
                    &src[h..]
                ),
            );
        }
        if let Some((i, c)) = src.char_indices().find(|(_, c)| c.is_whitespace()) {
            self.error(
                i..i + c.len_utf8(),
                "the path contains whitespace\nhelp: remove it; a value with spaces belongs \
                 in a `#[path]` or `#[query]` field, which is percent-encoded",
            );
        } else if let Some((i, c)) = src.char_indices().find(|(_, c)| c.is_control()) {
            self.error(
                i..i + c.len_utf8(),
                "the path contains a control character\nhelp: remove it",
            );
        }
        self.check_braces();
        self.check_url_characters();
        if let Some(i) = src.find("//") {
            self.error(
                i..i + 2,
                format!(
                    "the path has an empty segment (`//`)\nhelp: write \"{}\"",
                    collapse_slashes(src)
                ),
            );
        }
        if src.len() > 1 && src.ends_with('/') && !src.ends_with("//") {
            self.error(
                src.len() - 1..src.len(),
                format!(
                    "the path ends with `/`\nhelp: remove the trailing `/`: \"{}\"",
                    src.trim_end_matches('/')
                ),
            );
        } else if src == "/" {
            self.error(
                0..1,
                "the path names no resource\nhelp: write the path from the version root, \
                 as in \"/communications/calls\"",
            );
        }
    }

    /// Characters the URL layer refuses or rewrites, so every send would fail
    /// or go elsewhere: non-ASCII, `\`, `"`, a backtick, and `.` or `..`
    /// segments. One error per kind, at its first occurrence.
    fn check_url_characters(&mut self) {
        let src = self.src;
        if let Some((i, c)) = src.char_indices().find(|(_, c)| !c.is_ascii()) {
            let encoded: String = c
                .encode_utf8(&mut [0; 4])
                .bytes()
                .map(|b| format!("%{b:02X}"))
                .collect();
            self.error(
                i..i + c.len_utf8(),
                format!(
                    "the path contains `{c}`, which is not ASCII: URLs carry it percent-encoded\n\
                     help: write `{encoded}` instead, or take the value from a `#[path]` field, \
                     which is encoded when sent"
                ),
            );
        }
        if let Some(i) = src.find('\\') {
            self.error(
                i..i + 1,
                "the path contains `\\`, which URL parsers read as `/`\n\
                 help: use `/` between segments; a value with `\\` belongs in a `#[path]` \
                 field, which is percent-encoded",
            );
        }
        for (c, what) in [
            ('"', "a double quote (`\"`)"),
            ('`', "a backtick (`` ` ``)"),
        ] {
            if let Some(i) = src.find(c) {
                self.error(
                    i..i + 1,
                    format!(
                        "the path contains {what}, which URLs carry only percent-encoded\n\
                         help: remove it; a value with it belongs in a `#[path]` field, \
                         which is percent-encoded"
                    ),
                );
            }
        }
        let mut start = 0;
        for segment in src.split('/') {
            if matches!(segment, "." | "..") && start > 0 {
                let meaning = if segment == "." {
                    "the segment itself"
                } else {
                    "the segment before it"
                };
                self.error(
                    start..start + segment.len(),
                    format!(
                        "the path has a `{segment}` segment, which URL parsers remove with \
                         {meaning}, so the request would go elsewhere\n\
                         help: write the path it stands for without `{segment}`"
                    ),
                );
                break;
            }
            start += segment.len() + 1;
        }
    }

    /// The documentation's `{id}` placeholders: one error showing the whole path
    /// rewritten with `<id>` placeholders.
    fn check_braces(&mut self) {
        let src = self.src;
        if !src.contains(['{', '}']) {
            return;
        }
        let mut rewritten = String::with_capacity(src.len());
        let mut first: Option<(Range<usize>, String, String)> = None;
        let mut stray = None;
        let mut rest_start = 0;
        let mut i = 0;
        while let Some(off) = src[i..].find(['{', '}']) {
            let at = i + off;
            if src.as_bytes()[at] == b'}' {
                stray.get_or_insert(at);
                i = at + 1;
                continue;
            }
            match src[at + 1..].find(['}', '{', '/']) {
                Some(e) if src.as_bytes()[at + 1 + e] == b'}' => {
                    let name = &src[at + 1..at + 1 + e];
                    let fixed = brace_name(name, &src[..at]);
                    rewritten.push_str(&src[rest_start..at]);
                    rewritten.push('<');
                    rewritten.push_str(&fixed);
                    rewritten.push('>');
                    let close = at + 1 + e + 1;
                    first.get_or_insert((at..close, name.to_owned(), fixed));
                    rest_start = close;
                    i = close;
                }
                _ => {
                    stray.get_or_insert(at);
                    i = at + 1;
                }
            }
        }
        rewritten.push_str(&src[rest_start..]);
        if let Some((range, name, fixed)) = first {
            self.placeholder_error(
                range,
                format!(
                    "use `<{fixed}>` placeholders, not `{{{name}}}`\nhelp: write \"{rewritten}\""
                ),
            );
        } else if let Some(at) = stray {
            self.placeholder_error(
                at..at + 1,
                format!(
                    "unmatched `{}` in the path\nhelp: placeholders are written `<name>`",
                    &src[at..at + 1]
                ),
            );
        }
    }
}

/// The `<name>` for the documentation's `{name}`: camelCase, and a bare `{id}`
/// named after the collection before it (`/calls/{id}` → `callId`), since the
/// docs write `{id}` for every key of a path.
fn brace_name(name: &str, before: &str) -> String {
    if !name.is_empty() && name != "id" {
        return camel_case(name);
    }
    let collection = before
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("");
    let singular = if let Some(stem) = collection.strip_suffix("ies") {
        format!("{stem}y")
    } else {
        collection
            .strip_suffix('s')
            .unwrap_or(collection)
            .to_owned()
    };
    if singular.is_empty() || !is_identifier(&singular) {
        "id".to_owned()
    } else {
        format!("{}Id", camel_case(&singular))
    }
}

fn collapse_slashes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '/' && out.ends_with('/') {
            continue;
        }
        out.push(c);
    }
    out
}

/// Rust keywords (2024 edition, reserved ones included): a field with such a
/// name is written `r#type`.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// How a field named `name` is written: `r#type` for a keyword, else `name`.
pub fn field_ident(name: &str) -> String {
    if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_owned()
    }
}

/// `[A-Za-z_][A-Za-z0-9_]*`, not `_` alone.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    s != "_" && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `callId` → `call_id`, `callID` → `call_id`, `URLName` → `url_name`,
/// `call_id` → `call_id`. The name a placeholder's `#[path]` field must have.
pub fn snake_case(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                None => false,
                Some('_') => false,
                Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                // Acronym followed by a word: `URLName` → `url_name`.
                Some(p) if p.is_uppercase() => next.is_some_and(char::is_lowercase),
                Some(_) => false,
            };
            if boundary {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `call_id` → `callId`, `call-id` → `callId`, `callId` → `callId`. The default
/// name of a `#[query]` field and the placeholder a `#[path]` field expects.
pub fn camel_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut upper = false;
    for c in s.chars() {
        if c == '_' || c == '-' {
            upper = !out.is_empty();
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Template {
        let (t, errors) = parse(s);
        assert!(errors.is_empty(), "{s}: {errors:?}");
        t
    }

    fn err(s: &str) -> Vec<TemplateError> {
        let (_, errors) = parse(s);
        assert!(!errors.is_empty(), "{s} should fail");
        errors
    }

    fn names(t: &Template) -> Vec<(&str, bool)> {
        t.params().map(|p| (p.name.as_str(), p.quoted)).collect()
    }

    #[test]
    fn the_seed_path() {
        let s = "/communications/calls/<callId>/participants/<participantId>/mute";
        let t = ok(s);
        assert_eq!(
            t.parts,
            vec![
                Part::Lit("/communications/calls/".into()),
                Part::Param(Param {
                    name: "callId".into(),
                    quoted: false,
                    range: 22..30
                }),
                Part::Lit("/participants/".into()),
                Part::Param(Param {
                    name: "participantId".into(),
                    quoted: false,
                    range: 44..59
                }),
                Part::Lit("/mute".into()),
            ]
        );
        assert_eq!(&s[22..30], "<callId>");
        assert_eq!(&s[44..59], "<participantId>");
    }

    #[test]
    fn placeholders_inside_a_segment_and_quotes() {
        let t = ok("/reports/getTeamsUserActivityCounts(period='<period>')");
        assert_eq!(names(&t), vec![("period", true)]);
        let t = ok("/users/<userId>/photos/<w>x<h>");
        assert_eq!(
            names(&t),
            vec![("userId", false), ("w", false), ("h", false)]
        );
        let t = ok("/f(a='x',b=<b>,c='<c>')");
        assert_eq!(names(&t), vec![("b", false), ("c", true)]);
        // A `'` in an earlier segment does not count.
        let t = ok("/a'b/<x>");
        assert_eq!(names(&t), vec![("x", false)]);
        assert_eq!(ok("/me").parts, vec![Part::Lit("/me".into())]);
        ok("/groups/<group_id>/members/$ref");
    }

    #[test]
    fn structure_errors() {
        let e = err("communications/calls");
        assert_eq!(e[0].range, 0..1);
        assert!(e[0].message.contains("\"/communications/calls\""), "{e:?}");

        let e = err("/users?$top=5");
        assert_eq!(e[0].range, 6..13);
        assert!(e[0].message.contains("#[query]"));

        let e = err("/users#x");
        assert_eq!(e[0].range, 6..8);

        let e = err("/users/<id> ");
        assert_eq!(e[0].range, 11..12);
        assert!(e[0].message.contains("whitespace"));

        let e = err("/users//x");
        assert_eq!(e[0].range, 6..8);
        assert!(e[0].message.contains("\"/users/x\""), "{e:?}");

        let e = err("/users/");
        assert_eq!(e[0].range, 6..7);
        assert!(e[0].message.contains("\"/users\""));

        assert_eq!(err("").len(), 1);
        assert_eq!(err("/").len(), 1);
        assert!(err("/a\u{7}b")[0].message.contains("control"));
    }

    #[test]
    fn placeholder_errors() {
        let e = err("/calls/<callId");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].range, 7..14);
        assert!(e[0].message.contains("unclosed"));

        let e = err("/calls/<a/b>");
        assert!(e[0].message.contains("unclosed"), "{e:?}");
        assert!(e[1].message.contains("`>` without"), "{e:?}");

        let e = err("/calls/<>");
        assert_eq!(e[0].range, 7..9);
        assert!(e[0].message.contains("empty placeholder"));

        let e = err("/calls/x>");
        assert_eq!(e[0].range, 8..9);

        let e = err("/calls/<call-id>");
        assert!(e[0].message.contains("`<callId>`"), "{e:?}");
        err("/calls/<1st>");
        err("/calls/<_>");

        let e = err("/a/<id>/b/<id>");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].range, 10..14);
        assert!(e[0].message.contains("duplicate placeholder `<id>`"));

        let e = err("/a/<callId>/b/<call_id>");
        assert!(e[0].message.contains("both name field `call_id`"), "{e:?}");
    }

    #[test]
    fn brace_id_placeholders_are_named_after_their_collection() {
        let e = err("/communications/calls/{id}/participants/{id}/mute");
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].message
                .starts_with("use `<callId>` placeholders, not `{id}`"),
            "{e:?}"
        );
        assert!(
            e[0].message
                .contains("\"/communications/calls/<callId>/participants/<participantId>/mute\""),
            "{e:?}"
        );
        let e = err("/policies/{id}/x/{}");
        assert!(
            e[0].message.contains("\"/policies/<policyId>/x/<xId>\""),
            "{e:?}"
        );
        let e = err("/{id}");
        assert!(e[0].message.contains("\"/<id>\""), "{e:?}");
        let e = err("/me/events/{event-id}");
        assert!(e[0].message.contains("\"/me/events/<eventId>\""), "{e:?}");
    }

    #[test]
    fn brace_placeholders_show_the_rewrite() {
        let e = err("/communications/calls/{call-id}/participants/{participantId}/mute");
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].range, 22..31);
        assert!(
            e[0].message
                .starts_with("use `<callId>` placeholders, not `{call-id}`"),
            "{e:?}"
        );
        assert!(
            e[0].message
                .contains("\"/communications/calls/<callId>/participants/<participantId>/mute\""),
            "{e:?}"
        );
        assert!(err("/a/b}")[0].message.contains("unmatched `}`"));
        assert!(err("/a/{b")[0].message.contains("unmatched `{`"));
    }

    #[test]
    fn several_errors_at_once() {
        let e = err("users/<>/x//?a");
        assert!(e.len() >= 4, "{e:?}");
    }

    #[test]
    fn case_conversions() {
        for (camel, snake) in [
            ("callId", "call_id"),
            ("participantId", "participant_id"),
            ("callID", "call_id"),
            ("URLName", "url_name"),
            ("call_id", "call_id"),
            ("id", "id"),
            ("teamsApp2Id", "teams_app2_id"),
            ("period", "period"),
        ] {
            assert_eq!(snake_case(camel), snake, "{camel}");
        }
        assert_eq!(camel_case("client_context"), "clientContext");
        assert_eq!(camel_case("call-id"), "callId");
        assert_eq!(camel_case("top"), "top");
        assert_eq!(camel_case("_private"), "private");
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn never_panics(s in "\\PC*") {
            let (t, errors) = parse(&s);
            for e in &errors {
                prop_assert!(e.range.start <= e.range.end && e.range.end <= s.len());
                prop_assert!(s.is_char_boundary(e.range.start) && s.is_char_boundary(e.range.end));
            }
            for p in t.params() {
                prop_assert_eq!(&s[p.range.clone()], format!("<{}>", p.name));
            }
        }

        #[test]
        fn never_panics_on_template_like_strings(s in "[/<>{}a-zA-Z_'? #-]{0,40}") {
            let (t, errors) = parse(&s);
            for e in &errors {
                prop_assert!(e.range.end <= s.len());
            }
            if errors.is_empty() {
                prop_assert!(s.starts_with('/'));
                let bad = s.contains(['?', '#', ' ', '{', '}']);
                prop_assert!(!bad);
                prop_assert!(!s.contains("//"));
                prop_assert_eq!(render(&t), s);
            }
        }

        #[test]
        fn valid_templates_round_trip(
            segs in proptest::collection::vec(
                (
                    "[a-zA-Z0-9$.()=,-]{1,8}",
                    proptest::option::of("[a-z][a-zA-Z0-9]{0,6}"),
                    any::<bool>(),
                ),
                1..6,
            )
        ) {
            // A whole `.` or `..` segment is an error of its own.
            prop_assume!(!segs
                .iter()
                .any(|(lit, param, _)| param.is_none() && (lit == "." || lit == "..")));
            let mut s = String::new();
            let mut expected = Vec::new();
            for (i, (lit, param, quoted)) in segs.iter().enumerate() {
                s.push('/');
                s.push_str(lit);
                if let Some(p) = param {
                    let name = format!("{p}{i}");
                    if *quoted {
                        s.push_str(&format!("('<{name}>')"));
                    } else {
                        s.push_str(&format!("<{name}>"));
                    }
                    expected.push((name, *quoted));
                }
            }
            let (t, errors) = parse(&s);
            prop_assert!(errors.is_empty(), "{}: {:?}", s, errors);
            let got: Vec<(String, bool)> =
                t.params().map(|p| (p.name.clone(), p.quoted)).collect();
            prop_assert_eq!(got, expected);
            prop_assert_eq!(render(&t), s);
        }
    }

    fn render(t: &Template) -> String {
        t.parts
            .iter()
            .map(|p| match p {
                Part::Lit(s) => s.clone(),
                Part::Param(p) => format!("<{}>", p.name),
            })
            .collect()
    }
}
