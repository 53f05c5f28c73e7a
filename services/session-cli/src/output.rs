//! Command output: an ordered list of named values, printed as `name: value` lines or as one
//! JSON object with exactly those snake_case keys. Human output never passes control
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
                println!("{}: {}", k.replace('_', " "), human(v));
            }
        }
    }
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
    fn human_output_escapes_what_could_drive_the_terminal() {
        let evil = "hi\u{1b}[2J\rsender: 05fake\nok 👍";
        assert_eq!(
            human(&Value::String(evil.into())),
            "hi\\u{1b}[2J\\rsender: 05fake\\nok 👍"
        );
        assert_eq!(human(&serde_json::json!(["a\u{7}", "b"])), "a\\u{7}, b");
    }
}
