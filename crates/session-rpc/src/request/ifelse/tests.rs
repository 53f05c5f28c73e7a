use super::*;
use crate::request::{Request, decode};
use serde_json::json;

fn parse_json(v: Value) -> RpcResult<Request> {
    decode(
        json!({"method": "ifelse", "params": v})
            .to_string()
            .as_bytes(),
    )
}

fn err(v: Value) -> String {
    match parse_json(v) {
        Ok(r) => panic!("accepted: {r:?}"),
        Err(e) => {
            assert_eq!(e.code, 400);
            e.body_json().as_str().unwrap_or_default().to_owned()
        }
    }
}

fn info() -> Value {
    json!({"method": "info", "params": {}})
}

#[test]
fn the_reference_errors_in_its_order() {
    let cases = [
        (
            json!({}),
            "invalid request: Invalid ifelse request: no valid \"if\" field",
        ),
        (
            json!({"if": 5, "then": info()}),
            "invalid request: Invalid ifelse request: no valid \"if\" field",
        ),
        (
            json!({"if": {"height_at_least": 1.5, "hf_at_least": "x"}, "then": info()}),
            "invalid request: Invalid value given for 'height_at_least': expected integer",
        ),
        (
            json!({"if": {"hf_before": [19, "x"]}, "then": info()}),
            "invalid request: Invalid value given for 'hf_before': expected integer array",
        ),
        (
            json!({"if": {"v_at_least": []}, "then": info()}),
            "invalid request: Invalid ifelse request: must specify at least one \"if\" condition",
        ),
        (
            json!({"if": {"unknown": 1}, "then": info()}),
            "invalid request: Invalid ifelse request: must specify at least one \"if\" condition",
        ),
        (
            json!({"if": {"height_before": 10}, "then": null}),
            "invalid request: Invalid ifelse request: then must be an object",
        ),
        (
            json!({"if": {"height_before": 10}, "else": {"method": "info"}}),
            "invalid request: Invalid ifelse request: else must have method/params keys",
        ),
        (
            json!({"if": {"height_before": 10}, "then": {"method": "nope", "params": {}}}),
            "invalid request: Invalid ifelse request method \"then\"",
        ),
        (
            json!({"if": {"height_before": 10}}),
            "invalid request: Invalid ifelse request: at least one of \"then\"/\"else\" required",
        ),
        // both branches are parsed: a bad else fails even if then would be taken
        (
            json!({"if": {"height_before": 10}, "then": info(),
                   "else": {"method": "store", "params": 5}}),
            "invalid request: Required field 'timestamp' missing",
        ),
    ];
    for (params, want) in cases {
        assert_eq!(err(params.clone()), want, "{params}");
    }
}

#[test]
fn conditions_parse_with_padding_and_single_integers() {
    let r = parse_json(json!({"if": {"hf_at_least": 19, "v_before": [2, 9, 0, 7],
        "height_at_least": 100, "height_before": 18446744073709551615u64}, "else": info()}))
    .expect("parses");
    let Request::IfElse(i) = r else {
        panic!("not ifelse")
    };
    assert_eq!(
        i.condition,
        Condition {
            height_at_least: Some(100),
            height_before: Some(i64::MAX),
            hf_at_least: Some([19, 0]),
            v_before: Some([2, 9, 0]),
            ..Condition::default()
        }
    );
    assert!(i.then.is_none());
    let body: Value = serde_json::from_slice(&i.otherwise.expect("else").body).expect("json");
    assert_eq!(body, info());
}

#[test]
fn conditions_compare_like_the_reference() {
    let c = |v: Value| {
        let Request::IfElse(i) = parse_json(json!({"if": v, "then": info()})).expect("parses")
        else {
            panic!("not ifelse")
        };
        i.condition.holds(5_000, [19, 3], [2, 8, 0])
    };
    assert!(c(json!({"hf_at_least": [19, 3]})));
    assert!(c(json!({"hf_at_least": [19]})));
    assert!(!c(json!({"hf_at_least": [19, 4]})));
    assert!(c(json!({"hf_before": [20]})));
    assert!(!c(json!({"hf_before": [19, 3]})));
    assert!(c(json!({"v_at_least": [2, 8]})));
    assert!(!c(json!({"v_at_least": [2, 8, 1]})));
    assert!(c(json!({"v_before": [2, 10, 0]})));
    assert!(c(json!({"height_at_least": 5000, "height_before": 5001})));
    assert!(!c(json!({"height_at_least": 5000, "height_before": 5000})));
    assert!(c(json!({"height_at_least": -1})));
}

#[test]
fn branches_may_nest_but_batches_may_not_hold_ifelse() {
    let nested = json!({"if": {"height_before": 1}, "else": {"method": "ifelse", "params":
        {"if": {"height_at_least": 0}, "then": {"method": "batch", "params":
            {"requests": [info(), info()]}}}}});
    assert!(parse_json(nested).is_ok());
    let batch = decode(
        json!({"method": "batch", "params": {"requests": [{"method": "ifelse", "params":
            {"if": {"height_before": 1}, "then": info()}}]}})
        .to_string()
        .as_bytes(),
    )
    .expect_err("refused");
    assert_eq!(
        batch.body_json(),
        json!(
            "invalid request: Invalid batch subrequest: subrequests may not contain meta-requests"
        )
    );
}
