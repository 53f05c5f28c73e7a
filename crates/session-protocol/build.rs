//! Compiles this crate's `proto/*.proto` (Session's protobufs) with prost and the vendored protoc (never a system one).
//!
//! The descriptor set is read first so that the optional serde and arbitrary derives can be
//! attached per field kind without a hand-kept list: bytes print as hex, enums by name, absent
//! fields are skipped. The code lands in `OUT_DIR` (`session.rs`, `enum_names.rs`).

use std::fmt::Write as _;
use std::path::PathBuf;

// FieldDescriptorProto type and label numbers (descriptor.proto).
const TYPE_BYTES: i32 = 12;
const TYPE_ENUM: i32 = 14;
const LABEL_REPEATED: i32 = 3;

const SERDE: &str = "#[cfg_attr(feature = \"serde\", derive(::serde::Serialize))]";
const ARBITRARY: &str = "#[cfg_attr(feature = \"arbitrary\", derive(::arbitrary::Arbitrary))]";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("proto");
    let protos = [root.join("session.proto"), root.join("websocket.proto")];
    for p in &protos {
        println!("cargo:rerun-if-changed={}", p.display());
    }

    let mut config = prost_build::Config::new();
    config.protoc_executable(protoc_bin_vendored::protoc_bin_path()?);
    let fds = config.load_fds(&protos, &[&root])?;

    config.type_attribute(".", SERDE);
    config.type_attribute(".", ARBITRARY);
    // Once for all messages: a path would also match the types nested in that message.
    config.message_attribute(
        ".",
        "#[cfg_attr(feature = \"serde\", serde(rename_all = \"camelCase\"))]",
    );
    let mut enum_names = String::new();
    for file in &fds.file {
        let package = file.package.clone().unwrap_or_default();
        for msg in &file.message_type {
            visit(
                &mut config,
                &mut enum_names,
                &format!(".{package}"),
                &[],
                msg,
            );
        }
    }
    config.compile_fds(fds)?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join("enum_names.rs"), enum_names)?;
    Ok(())
}

/// Adds field attributes for one message (and its nested messages) and records its enums.
fn visit(
    config: &mut prost_build::Config,
    enum_names: &mut String,
    proto_prefix: &str,
    rust_mods: &[String],
    msg: &prost_types::DescriptorProto,
) {
    let name = msg.name.clone().unwrap_or_default();
    let path = format!("{proto_prefix}.{name}");
    for field in &msg.field {
        let field_path = format!("{path}.{}", field.name.clone().unwrap_or_default());
        let repeated = field.label == Some(LABEL_REPEATED);
        let skip = if repeated {
            "Vec::is_empty"
        } else {
            "Option::is_none"
        };
        let mut serde = format!("skip_serializing_if = \"{skip}\"");
        match (field.r#type, repeated) {
            (Some(TYPE_BYTES), false) => {
                serde.push_str(", serialize_with = \"crate::json::opt_hex\"")
            }
            (Some(TYPE_BYTES), true) => {
                serde.push_str(", serialize_with = \"crate::json::vec_hex\"")
            }
            (Some(TYPE_ENUM), _) => {
                let rust = rust_path(field.type_name.as_deref().unwrap_or_default());
                let f = if repeated { "vec_enum" } else { "opt_enum" };
                let _ = write!(
                    serde,
                    ", serialize_with = \"crate::json::{f}::<{rust}, _>\""
                );
            }
            _ => {}
        }
        config.field_attribute(
            &field_path,
            format!("#[cfg_attr(feature = \"serde\", serde({serde}))]"),
        );
    }
    let mut mods = rust_mods.to_vec();
    mods.push(snake(&name));
    for e in &msg.enum_type {
        let rust = format!(
            "crate::proto::{}::{}",
            mods.join("::"),
            e.name.clone().unwrap_or_default()
        );
        let _ = writeln!(
            enum_names,
            "impl crate::json::ProtoEnum for {rust} {{\n    fn name_of(value: i32) -> Option<&'static str> {{\n        Self::try_from(value).ok().map(|e| e.as_str_name())\n    }}\n}}"
        );
    }
    for nested in &msg.nested_type {
        visit(config, enum_names, &path, &mods, nested);
    }
}

/// `.session.DataMessage.Reaction.Action` → `crate::proto::data_message::reaction::Action`.
fn rust_path(type_name: &str) -> String {
    let parts: Vec<&str> = type_name
        .trim_start_matches('.')
        .split('.')
        .skip(1)
        .collect();
    let (last, mods) = parts.split_last().map_or(("", &[][..]), |(l, m)| (*l, m));
    let mut out = String::from("crate::proto::");
    for m in mods {
        out.push_str(&snake(m));
        out.push_str("::");
    }
    out.push_str(last);
    out
}

/// CamelCase → snake_case, as prost names nested-type modules.
fn snake(name: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower =
                i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let prev_upper = i > 0 && chars[i - 1].is_ascii_uppercase();
            if prev_lower || (prev_upper && next_lower) {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(*c);
        }
    }
    out
}
