//! JSON written the way the reference server's `json.dumps` writes it: keys in insertion
//! order, `", "` and `": "` separators, non-ASCII escaped as `\uXXXX`, floats in their shortest
//! round-trip form. Clients parse JSON, but the bodies stay byte-for-byte the reference's.

use std::fmt::Write as _;

/// A JSON value with ordered objects.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A float (written as Python's `repr`: always with a fraction or exponent).
    Float(f64),
    /// A list.
    List(Vec<Json>),
    /// An object, in insertion order.
    Obj(Vec<(&'static str, Json)>),
}

impl Json {
    /// `{"status_code": code}`: the reference's error body.
    pub fn status(code: u16) -> Self {
        Json::Obj(vec![("status_code", Json::Int(code.into()))])
    }

    /// The text.
    pub fn dump(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Str(s) => write_str(out, s),
            Json::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Json::Float(f) => write_float(out, *f),
            Json::List(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.write(out);
                }
                out.push(']');
            }
            Json::Obj(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_str(out, k);
                    out.push_str(": ");
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

fn write_float(out: &mut String, f: f64) {
    if !f.is_finite() {
        out.push_str(if f.is_nan() {
            "NaN"
        } else if f > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        });
        return;
    }
    // serde_json writes the shortest round-trip digits (as Python's repr does) and keeps a
    // ".0" on integral values.
    out.push_str(&serde_json::Value::from(f).to_string());
}

fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_json_dumps_shapes() {
        assert_eq!(Json::status(404).dump(), r#"{"status_code": 404}"#);
        let v = Json::Obj(vec![
            ("id", Json::Str("abc-_".into())),
            ("expires", Json::Float(1_754_863_793.186_137)),
            ("n", Json::Float(1_700_000_000.0)),
            ("l", Json::List(vec![Json::Int(1), Json::Null])),
            ("u", Json::Str("é\"\n😀".into())),
        ]);
        assert_eq!(
            v.dump(),
            r#"{"id": "abc-_", "expires": 1754863793.186137, "n": 1700000000.0, "l": [1, null], "u": "\u00e9\"\n\ud83d\ude00"}"#
        );
    }
}
