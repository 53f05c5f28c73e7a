//! Command output: an ordered list of named values, printed as `name: value` lines or as one
//! JSON object with exactly those snake_case keys. Human output shows points in time (fields
//! named `…_at_ms`) as local date-times (`sent at: 2026-12-01 17:46:14`); JSON keeps the
//! milliseconds. Human output never passes control
//! characters through: message texts come from other people, and an escape sequence could
//! rewrite the terminal or fake lines of output.

use serde_json::{Map, Value};

/// An ordered set of named values.
#[derive(Debug, Default)]
pub struct Output(Vec<(&'static str, Value)>);

impl Output {
    /// Adds a field.
    pub fn field(mut self, name: &'static str, value: impl Into<Value>) -> Self {
        self.0.push((name, value.into()));
        self
    }

    /// Prints to stdout.
    pub fn print(&self, json: bool) {
        if json {
            let map: Map<String, Value> = self
                .0
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect();
            println!("{}", Value::Object(map));
        } else {
            for (k, v) in &self.0 {
                let (label, value) = human_field(k, v, &chrono::Local);
                println!("{label}: {value}");
            }
        }
    }
}

/// A field's label and value for people: `…_at_ms` times as date-times in `tz`.
fn human_field<Tz: chrono::TimeZone>(key: &str, v: &Value, tz: &Tz) -> (String, String)
where
    Tz::Offset: std::fmt::Display,
{
    if let (Some(at), Some(ms)) = (key.strip_suffix("_ms"), v.as_u64())
        && at.ends_with("_at")
        && let Some(t) = date_time(ms, tz)
    {
        return (at.replace('_', " "), t);
    }
    (key.replace('_', " "), human(v))
}

/// `ms` since the epoch as `YYYY-MM-DD HH:MM:SS` in `tz`; `None` past year 262,143.
fn date_time<Tz: chrono::TimeZone>(ms: u64, tz: &Tz) -> Option<String>
where
    Tz::Offset: std::fmt::Display,
{
    let t = chrono::DateTime::from_timestamp_millis(i64::try_from(ms).ok()?)?;
    Some(t.with_timezone(tz).format("%Y-%m-%d %H:%M:%S").to_string())
}

fn human(v: &Value) -> String {
    match v {
        Value::String(s) => printable(s),
        Value::Array(items) => items.iter().map(human).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// `s` with control characters (escape sequences, newlines, carriage returns…) shown escaped.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_in_time_show_as_date_times_and_other_numbers_stay() {
        let utc = chrono::Utc;
        let at = |k: &str, v: Value| human_field(k, &v, &utc);
        assert_eq!(
            at("sent_at_ms", 1_796_233_574_123u64.into()),
            ("sent at".into(), "2026-12-02 17:46:14".into())
        );
        assert_eq!(
            at("last_at_ms", 0u64.into()),
            ("last at".into(), "1970-01-01 00:00:00".into())
        );
        let east = chrono::FixedOffset::east_opt(3600).expect("offset");
        assert_eq!(
            human_field("sent_at_ms", &1_796_233_574_000u64.into(), &east).1,
            "2026-12-02 18:46:14"
        );
        // Durations, other numbers and absurd times are left as they are.
        assert_eq!(
            at("ttl_ms", 60_000u64.into()),
            ("ttl ms".into(), "60000".into())
        );
        assert_eq!(at("size", 10u64.into()), ("size".into(), "10".into()));
        assert_eq!(at("sent_at_ms", u64::MAX.into()).1, u64::MAX.to_string());
    }

    #[test]
    fn human_output_escapes_what_could_drive_the_terminal() {
        let evil = "hi\u{1b}[2J\rsender: 05fake\nok 👍";
        assert_eq!(
            human(&Value::String(evil.into())),
            "hi\\u{1b}[2J\\rsender: 05fake\\nok 👍"
        );
        assert_eq!(human(&serde_json::json!(["a\u{7}", "b"])), "a\\u{7}, b");
    }
}
