//! serde helpers for the generated messages (feature `serde`): bytes as lowercase hex, enums by
//! their schema name (or the number, for a value the schema does not define).

use serde::Serializer;

/// A protobuf enum whose values have schema names.
pub(crate) trait ProtoEnum {
    /// The schema name of `value`, if the enum defines it.
    fn name_of(value: i32) -> Option<&'static str>;
}

include!(concat!(env!("OUT_DIR"), "/enum_names.rs"));

#[allow(clippy::ref_option)] // the signature serde's `serialize_with` calls
pub(crate) fn opt_hex<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(b) => s.serialize_str(&hex::encode(b)),
        None => s.serialize_none(),
    }
}

#[allow(clippy::ref_option)] // the signature serde's `serialize_with` calls
pub(crate) fn opt_enum<E: ProtoEnum, S: Serializer>(
    v: &Option<i32>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v.map(|n| (n, E::name_of(n))) {
        Some((_, Some(name))) => s.serialize_str(name),
        Some((n, None)) => s.serialize_i32(n),
        None => s.serialize_none(),
    }
}
