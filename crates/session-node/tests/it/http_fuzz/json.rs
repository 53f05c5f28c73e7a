//! JSON rendered by hand: objects may repeat a key, numbers may be written as no `Value` holds them.
use serde_json::Value;

/// A JSON text in the making: values, raw number text, objects that may repeat a key.
#[derive(Clone, Debug)]
pub enum J {
    V(Value),
    Raw(&'static str),
    Obj(Vec<(String, J)>),
    Arr(Vec<J>),
}

impl J {
    pub fn s(s: impl Into<String>) -> J {
        J::V(Value::String(s.into()))
    }

    pub fn n(n: u64) -> J {
        J::V(Value::from(n))
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            J::V(v) => out.push_str(&v.to_string()),
            J::Raw(r) => out.push_str(r),
            J::Obj(kv) => {
                out.push('{');
                for (i, (k, v)) in kv.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
            J::Arr(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out);
                }
                out.push(']');
            }
        }
    }
}

/// Number forms at the edges of what the parsers hold.
pub const EDGES: [&str; 18] = [
    "0",
    "-1",
    "-0",
    "1.0",
    "1e400",
    "-1e400",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "9223372036854775807",
    "9223372036854775808",
    "32767",
    "32768",
    "-32768",
    "-32769",
    "1.5",
    "0.0001",
    "123456789012345678901234567890",
];

/// Key names a mutation renames to or adds.
pub const NAMES: [&str; 44] = [
    "pubkey",
    "pubKey",
    "PUBKEY",
    "pubkey_ed25519",
    "signature",
    "timestamp",
    "sig_timestamp",
    "ttl",
    "expiry",
    "data",
    "namespace",
    "messages",
    "last_hash",
    "lastHash",
    "max_count",
    "max_size",
    "required",
    "before",
    "shorten",
    "extend",
    "subaccount",
    "subaccount_sig",
    "revoke",
    "unrevoke",
    "requests",
    "if",
    "then",
    "else",
    "endpoint",
    "params",
    "method",
    "",
    "hf_at_least",
    "height_at_least",
    "json",
    "base64",
    "headers",
    "destination",
    "ephemeral_key",
    "enc_type",
    "host",
    "target",
    "hop_no",
    "pubkey\u{0}",
];
