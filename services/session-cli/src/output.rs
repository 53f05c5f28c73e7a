//! Command output: an ordered list of named values, printed as `name: value` lines or as one
//! JSON object with exactly those snake_case keys.

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
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(human).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}
