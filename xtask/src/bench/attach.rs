//! `cargo xtask bench attach`: the table of `tests/benches/attach.rs` (a 10 MB file through 3
//! onion hops against the same bytes over plain loopback HTTP, same run).

use anyhow::{Context, Result};
use serde_json::Value;

/// Renders upload and download times through 3 hops next to plain HTTP, with their ratios.
pub fn table(v: &Value) -> Result<String> {
    let num = |k: &str| {
        v[k].as_f64()
            .with_context(|| format!("attach.json lacks {k}"))
    };
    let mut out = format!(
        "| {} B blob, median of {} rounds, {}-node loopback devnet | 3 hops (v4 onion) | plain HTTP (bound) | ratio |\n\
         |---|---:|---:|---:|\n",
        v["blob_bytes"], v["rounds"], v["nodes"]
    );
    for (what, onion, plain) in [
        (
            "upload (`POST /file`)",
            "onion_upload_ms",
            "plain_upload_ms",
        ),
        (
            "download (`GET /file/ID`)",
            "onion_download_ms",
            "plain_download_ms",
        ),
    ] {
        let (o, p) = (num(onion)?, num(plain)?);
        out.push_str(&format!(
            "| {what} | {o:.0} ms | {p:.0} ms | {:.1} |\n",
            o / p
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_both_directions_against_plain_http() {
        let v = serde_json::json!({"nodes": 6, "rounds": 5, "blob_bytes": 10_000_000,
            "onion_upload_ms": 900.0, "plain_upload_ms": 100.0,
            "onion_download_ms": 600.0, "plain_download_ms": 50.0});
        let t = table(&v).unwrap();
        assert!(
            t.contains("| upload (`POST /file`) | 900 ms | 100 ms | 9.0 |"),
            "{t}"
        );
        assert!(t.contains("| 600 ms | 50 ms | 12.0 |"), "{t}");
        assert!(table(&serde_json::json!({})).is_err());
    }
}
