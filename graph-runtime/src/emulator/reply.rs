//! What a route answers, and Graph-shaped error bodies.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// A route's answer before the server adds `request-id` and friends.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Option<Value>,
    pub(crate) location: Option<String>,
    pub(crate) retry_after: Option<u64>,
}

impl Reply {
    /// A status with no body.
    pub(crate) fn empty(status: u16) -> Self {
        Reply {
            status,
            body: None,
            location: None,
            retry_after: None,
        }
    }

    /// A status with a JSON body.
    pub(crate) fn json(status: u16, body: Value) -> Self {
        Reply {
            body: Some(body),
            ..Reply::empty(status)
        }
    }

    /// Adds a `Location` header.
    pub(crate) fn at(mut self, location: String) -> Self {
        self.location = Some(location);
        self
    }

    /// A Graph error answer: `{"error": {"code", "message", "innerError"}}`. The
    /// server fills `innerError` with the request ids and date.
    pub(crate) fn error(status: u16, code: &str, message: impl Into<String>) -> Self {
        Reply::json(
            status,
            json!({"error": {"code": code, "message": message.into(), "innerError": {}}}),
        )
    }

    /// `404 itemNotFound` naming what is missing.
    pub(crate) fn not_found(what: &str, id: &str) -> Self {
        Reply::error(
            404,
            "itemNotFound",
            format!("The {what} '{id}' was not found."),
        )
    }

    /// `400 BadRequest`.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Reply::error(400, "BadRequest", message)
    }

    /// Fills `innerError` of an error body with the request ids and the date.
    pub(crate) fn stamp_error(&mut self, request_id: &str, client_request_id: Option<&str>) {
        let Some(inner) = self
            .body
            .as_mut()
            .and_then(|b| b.pointer_mut("/error/innerError"))
            .and_then(Value::as_object_mut)
        else {
            return;
        };
        inner.insert("date".into(), Value::String(utc_now()));
        inner.insert("request-id".into(), Value::String(request_id.into()));
        if let Some(id) = client_request_id {
            inner.insert("client-request-id".into(), Value::String(id.into()));
        }
    }
}

/// Now as Graph writes `innerError.date`: `2021-05-18T19:03:10`.
pub(crate) fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format_utc(secs)
}

fn format_utc(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (H. Hinnant's `civil_from_days`, for non-negative day counts).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dates_like_graph() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00");
        // 2021-05-18T19:03:10Z, the docs' example date.
        assert_eq!(format_utc(1_621_364_590), "2021-05-18T19:03:10");
        // A leap day.
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00");
    }
}
