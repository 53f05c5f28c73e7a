//! `POST /batch` and `POST /sequence`: a JSON list of `{method, path, headers?, json | b64 |
//! bytes}` run with the outer request's authentication, answered as a list of `{code, headers,
//! body}` (JSON bodies embedded, others base64). `/sequence` runs in order and stops after the
//! first non-2xx answer; `/batch` runs them all (in order too).

use super::{ApiError, Body, Req, Resp};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

/// Most subrequests in one batch.
pub const MAX_SUBREQUESTS: usize = 256;

/// Parses one subrequest (400 for anything malformed, as the reference aborts the whole batch).
fn parse_sub(v: &Value) -> Result<Req, ApiError> {
    let obj = v.as_object().ok_or_else(ApiError::bad_request)?;
    let method = obj
        .get("method")
        .and_then(Value::as_str)
        .ok_or_else(ApiError::bad_request)?;
    let path = obj
        .get("path")
        .and_then(Value::as_str)
        .ok_or_else(ApiError::bad_request)?;
    let mut headers = Vec::new();
    if let Some(h) = obj.get("headers") {
        let h = h.as_object().ok_or_else(ApiError::bad_request)?;
        for (k, v) in h {
            headers.push((
                k.clone(),
                v.as_str().ok_or_else(ApiError::bad_request)?.to_owned(),
            ));
        }
    }
    let has_body = matches!(method, "POST" | "PUT");
    if !has_body && !matches!(method, "GET" | "DELETE") {
        return Err(ApiError::bad_request());
    }
    if !path.starts_with('/') {
        return Err(ApiError::bad_request());
    }
    let bodies = ["b64", "json", "bytes"]
        .iter()
        .filter(|k| obj.contains_key(**k))
        .count();
    let body = if has_body {
        if bodies != 1 {
            return Err(ApiError::bad_request());
        }
        if let Some(b) = obj.get("b64") {
            b.as_str()
                .and_then(session_sogs::decode_base64)
                .ok_or_else(ApiError::bad_request)?
        } else if let Some(b) = obj.get("bytes") {
            b.as_str()
                .ok_or_else(ApiError::bad_request)?
                .as_bytes()
                .to_vec()
        } else {
            let j = obj.get("json").unwrap_or(&Value::Null);
            if !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            {
                headers.push(("content-type".into(), "application/json".into()));
            }
            serde_json::to_vec(j).map_err(|_| ApiError::bad_request())?
        }
    } else {
        if bodies != 0 {
            return Err(ApiError::bad_request());
        }
        Vec::new()
    };
    let (p, q) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q.to_owned())),
        None => (path, None),
    };
    Ok(Req {
        method: method.to_owned(),
        path: session_sogs::decode_path(p),
        query: q,
        headers,
        body,
    })
}

/// The subrequests of a batch body.
pub(crate) fn parse(body: &[u8]) -> Result<Vec<Req>, ApiError> {
    let v: Value = serde_json::from_slice(body).map_err(|_| ApiError::bad_request())?;
    let list = v.as_array().ok_or_else(ApiError::bad_request)?;
    if list.len() > MAX_SUBREQUESTS {
        return Err(ApiError::text(
            400,
            format!("Too many subrequests (at most {MAX_SUBREQUESTS})"),
        ));
    }
    list.iter().map(parse_sub).collect()
}

/// One subrequest's entry in the answer.
pub(crate) fn entry(resp: &Resp) -> Value {
    let headers: Map<String, Value> = resp
        .all_headers()
        .into_iter()
        .filter(|(k, _)| k != "content-length")
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let body = match &resp.body {
        Body::Json(v) => v.clone(),
        Body::Text(t) => json!(STANDARD.encode(t.as_bytes())),
        Body::Bytes(b) => json!(STANDARD.encode(b)),
    };
    json!({ "code": resp.code, "headers": headers, "body": body })
}
