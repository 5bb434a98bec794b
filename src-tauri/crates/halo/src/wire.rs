//! Lenient readers for Halo's JSON quirks (halopsa-api.md §7.2): ids that arrive as floats or
//! strings, timestamps with and without a zone and up to 7 fraction digits, sentinel dates,
//! and list envelopes versus bare arrays (§3.2).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::Value;

/// An integer id from a number (`12`, `12.0`) or numeric string. Fractions are rejected.
pub fn id(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => {
            let t = s.trim();
            t.parse::<i64>().ok().or_else(|| {
                t.parse::<f64>()
                    .ok()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64)
            })
        }
        _ => None,
    }
}

/// A positive id (Halo uses 0 and negatives as "none" sentinels, §7.2).
pub fn positive_id(v: Option<&Value>) -> Option<i64> {
    v.and_then(id).filter(|i| *i > 0)
}

/// A non-empty string.
pub fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Halo's "no date" sentinels: 1900-01-01, 0001-01-01, 1899-12-30 — any year before 1901.
fn is_sentinel(d: NaiveDate) -> bool {
    d < NaiveDate::from_ymd_opt(1901, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// A timestamp: naive values are UTC (as production sync code treats them, §7.2); `Z` and
/// offsets are honoured; sentinels are `None`.
pub fn timestamp(v: Option<&Value>) -> Option<DateTime<Utc>> {
    let s = v?.as_str()?.trim();
    if s.is_empty() {
        return None;
    }
    let t = if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        dt.with_timezone(&Utc)
    } else if let Ok(n) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        n.and_utc()
    } else if let Ok(n) = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f") {
        n.and_utc()
    } else {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()?
            .and_hms_opt(0, 0, 0)?
            .and_utc()
    };
    if is_sentinel(t.date_naive()) {
        None
    } else {
        Some(t)
    }
}

/// A calendar date (warranty, purchase): the date as written, whatever the time or zone
/// suffix, so `2027-03-01T00:00:00Z` and `2027-03-01T00:00:00` both mean 1 March 2027.
pub fn date(v: Option<&Value>) -> Option<NaiveDate> {
    let s = v?.as_str()?.trim();
    let d = NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()?;
    if is_sentinel(d) { None } else { Some(d) }
}

/// How a date is written back: ISO-8601 without offset (§2 "Date params").
pub fn write_date(d: Option<NaiveDate>) -> Value {
    match d {
        Some(d) => Value::String(format!("{}T00:00:00", d.format("%Y-%m-%d"))),
        None => Value::Null,
    }
}

/// The rows of a list answer: under `key` in an envelope, or a bare array (§3.2). Never
/// "the only array": `columns` and other sidecars ride along.
pub fn rows(body: Value, key: &str) -> Option<(Vec<Value>, Option<u64>)> {
    match body {
        Value::Array(a) => Some((a, None)),
        Value::Object(mut o) => {
            let count = o
                .get("record_count")
                .and_then(id)
                .and_then(|c| u64::try_from(c).ok());
            match o.remove(key) {
                Some(Value::Array(a)) => Some((a, count)),
                Some(Value::Null) | None if count == Some(0) => Some((vec![], count)),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_from_floats_and_strings() {
        assert_eq!(id(&json!(12)), Some(12));
        assert_eq!(id(&json!(12.0)), Some(12));
        assert_eq!(id(&json!("34")), Some(34));
        assert_eq!(id(&json!("34.0")), Some(34));
        assert_eq!(id(&json!(12.5)), None);
        assert_eq!(id(&json!(null)), None);
        assert_eq!(positive_id(Some(&json!(0))), None);
        assert_eq!(positive_id(Some(&json!(-1))), None);
    }

    #[test]
    fn mixed_timestamp_formats() {
        let naive = timestamp(Some(&json!("2018-04-26T10:23:55.93"))).unwrap();
        assert_eq!(naive.to_rfc3339(), "2018-04-26T10:23:55.930+00:00");
        let z7 = timestamp(Some(&json!("2022-09-30T08:23:56.4214387Z"))).unwrap();
        assert_eq!(z7.timestamp_subsec_nanos(), 421_438_700);
        assert!(timestamp(Some(&json!("2022-10-06T16:00:00Z"))).is_some());
        assert!(timestamp(Some(&json!("2026-04-16T16:13:52.903"))).is_some());
        assert!(timestamp(Some(&json!("2026-04-16"))).is_some());
        assert!(timestamp(Some(&json!("garbage"))).is_none());
    }

    #[test]
    fn sentinel_dates_are_none() {
        for s in [
            "1900-01-01T00:00:00",
            "0001-01-01T00:00:00",
            "1899-12-30T00:00:00",
        ] {
            assert_eq!(date(Some(&json!(s))), None, "{s}");
            assert_eq!(timestamp(Some(&json!(s))), None, "{s}");
        }
        assert_eq!(
            date(Some(&json!("2027-03-01T00:00:00Z"))),
            NaiveDate::from_ymd_opt(2027, 3, 1)
        );
        assert_eq!(
            write_date(NaiveDate::from_ymd_opt(2027, 3, 1)),
            json!("2027-03-01T00:00:00")
        );
    }

    #[test]
    fn envelopes_and_bare_arrays() {
        let (r, c) = rows(
            json!({"record_count": 2.0, "columns": [1], "assets": [{"id": 1}]}),
            "assets",
        )
        .unwrap();
        assert_eq!((r.len(), c), (1, Some(2)));
        let (r, c) = rows(json!([{"id": 1}, {"id": 2}]), "assets").unwrap();
        assert_eq!((r.len(), c), (2, None));
        assert!(rows(json!({"record_count": 3, "columns": []}), "assets").is_none());
        assert!(rows(json!({"record_count": 0}), "assets").is_some());
    }
}
