//! Path values (design 4): each is one percent-encoded segment; values that would
//! leave their segment empty, `.` or `..` are refused before anything is sent.

mod common;

use common::*;
use graph_runtime::{GraphError, RequestWriter};
use proptest::prelude::*;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    server
}

/// The raw path the server received for id `value`.
async fn sent_path(value: &str) -> String {
    let server = server().await;
    default_client(&server)
        .send(&GetById(value.to_owned()))
        .await
        .unwrap_or_else(|e| panic!("{value:?}: {e}"));
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs.len(), 1);
    reqs[0].url.path().to_owned()
}

#[tokio::test]
async fn each_value_is_one_encoded_segment() {
    let long = "x".repeat(2000);
    let cases: Vec<(&str, String)> = vec![
        ("a/b", "a%2Fb".into()),
        ("a?b", "a%3Fb".into()),
        ("a#b", "a%23b".into()),
        ("a%2Fb", "a%252Fb".into()),
        ("%2e%2e", "%252e%252e".into()),
        ("%2E%2E", "%252E%252E".into()),
        (".%2e", ".%252e".into()),
        ("a b", "a%20b".into()),
        ("a\\b", "a%5Cb".into()),
        ("é", "%C3%A9".into()),
        ("日本", "%E6%97%A5%E6%9C%AC".into()),
        ("...", "...".into()),
        (".a", ".a".into()),
        ("a.", "a.".into()),
        (
            "57dab8b1-894c-409a-b240-bd8beae78896",
            "57dab8b1-894c-409a-b240-bd8beae78896".into(),
        ),
        ("a&b=c;d", "a&b=c;d".into()),
        ("a\r\nb", "a%0D%0Ab".into()),
        ("{x}<y>|^`", "%7Bx%7D%3Cy%3E%7C%5E%60".into()),
        (&long, long.clone()),
    ];
    for (value, encoded) in cases {
        let p = sent_path(value).await;
        assert_eq!(p, format!("/v1.0/items/{encoded}/children"), "{value:?}");
    }
}

/// Empty, `.` and `..` would address another resource: refused, nothing sent.
#[tokio::test]
async fn dot_and_empty_segments_are_refused_before_sending() {
    for value in ["", ".", ".."] {
        let server = server().await;
        let err = default_client(&server)
            .send(&GetById(value.to_owned()))
            .await
            .unwrap_err();
        assert!(
            matches!(err, GraphError::InvalidRequest { .. }),
            "{value:?}: {err:?}"
        );
        assert!(err.to_string().contains("`id`"), "{err}");
        assert_eq!(request_count(&server).await, 0, "{value:?} was sent");
    }
}

/// Two placeholders in one segment cannot make `..` together.
#[test]
fn partial_placeholders_cannot_join_into_dot_dot() {
    let mut w = RequestWriter::new();
    w.lit("/r/");
    w.param("a", &".", false);
    w.param("b", &".", false);
    let err = w.finish().unwrap_err();
    assert!(err.to_string().contains("`a`, `b`"), "{err}");
}

/// A value inside an OData string literal has each `'` doubled.
#[test]
fn quotes_in_odata_literals_are_doubled() {
    let mut w = RequestWriter::new();
    w.lit("/reports/getTeamsUserActivityCounts(period='");
    w.param("period", &"D7' or '1'='1", true);
    w.lit("')");
    let p = w.finish().unwrap().path_and_query;
    assert_eq!(
        p,
        "/reports/getTeamsUserActivityCounts(period='D7''%20or%20''1''=''1')"
    );
}

/// Query names keep a literal `$`; values are encoded.
#[tokio::test]
async fn query_names_keep_dollar() {
    let server = server().await;
    default_client(&server)
        .send(&ListParticipants {
            call_id: "c/1".into(),
            top: Some(5),
        })
        .await
        .unwrap_err(); // 204 has no body: a Page needs one
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(
        reqs[0].url.path(),
        "/v1.0/communications/calls/c%2F1/participants"
    );
    assert_eq!(reqs[0].url.query(), Some("$top=5"));
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .expect("utf8")
        .into_owned()
}

fn encode_one(value: &str) -> Result<String, GraphError> {
    let mut w = RequestWriter::new();
    w.lit("/items/");
    w.param("id", &value, false);
    w.lit("/children");
    let p = w.finish()?.path_and_query;
    Ok(p["/items/".len()..p.len() - "/children".len()].to_owned())
}

proptest! {
    /// Encoding then decoding gives the value back, and nothing in the encoded
    /// segment can end it or start a query or fragment.
    #[test]
    fn encode_decode_round_trip(value in proptest::arbitrary::any::<String>()) {
        match encode_one(&value) {
            Ok(segment) => {
                prop_assert!(!segment.contains(['/', '?', '#', '\\', ' ']), "{segment}");
                prop_assert!(segment.is_ascii());
                prop_assert_eq!(decode(&segment), value);
            }
            Err(_) => prop_assert!(matches!(value.as_str(), "" | "." | "..")),
        }
    }

    /// The same for values built from the characters that matter most.
    #[test]
    fn tricky_characters_round_trip(value in "[./?#%\\\\ a'2eE]{0,12}") {
        match encode_one(&value) {
            Ok(segment) => {
                prop_assert!(!segment.contains(['/', '?', '#', '\\']));
                prop_assert!(segment != "." && segment != "..");
                // `%` is always encoded, so no encoded dot can appear.
                prop_assert!(!segment.to_ascii_lowercase().contains("%2e"));
                prop_assert_eq!(decode(&segment), value);
            }
            Err(_) => prop_assert!(matches!(value.as_str(), "" | "." | "..")),
        }
    }
}
