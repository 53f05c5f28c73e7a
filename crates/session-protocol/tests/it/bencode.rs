//! Canonical bencode: known answers from the spec and rejection of every non-canonical form.
use session_crypto::hash::{Blake2bParams, hash32};
use session_protocol::bencode::{BencodeError, MAX_DEPTH, Value};

#[test]
fn empty_config_message_vector() {
    // vectors.md §7: the empty seqno-0 config message and its BLAKE2b-32 hash.
    let bytes = b"d1:#i0e1:&de1:<le1:=dee";
    let v = Value::decode(bytes).unwrap();
    assert_eq!(v.get(b"#").and_then(Value::as_int), Some(0));
    assert_eq!(
        v.get(b"&").and_then(Value::as_dict).map(|d| d.len()),
        Some(0)
    );
    assert_eq!(
        v.get(b"<").and_then(Value::as_list).map(<[_]>::len),
        Some(0)
    );
    let built = Value::dict([
        ("#", Value::Int(0)),
        ("=", Value::dict::<&str>([])),
        ("<", Value::List(vec![])),
        ("&", Value::dict::<&str>([])),
    ]);
    assert_eq!(built, v);
    assert_eq!(built.encode(), bytes);
    assert_eq!(
        hex::encode(hash32(Blake2bParams::PLAIN, &[&built.encode()])),
        "ea173b57beca8af18c3519a7bbf69c3e7a05d1c049fa9558341d8ebb48b0c965"
    );
}

#[test]
fn v4_payload_vectors() {
    // vectors.md §12: a v4 request is a list of byte strings (JSON metadata, optional body).
    let req = br#"l72:{"method":"POST","endpoint":"/some/thing","headers":{"Some-Header":"a"}}14:post body heree"#;
    let v = Value::decode(req).unwrap();
    let items = v.as_list().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1].as_bytes(), Some(&b"post body here"[..]));
    assert!(
        items[0]
            .as_bytes()
            .unwrap()
            .starts_with(b"{\"method\":\"POST\"")
    );
    assert_eq!(v.encode(), req);
    let resp = br#"l58:{"code":200,"headers":{"content-type":"application/json"}}11:{"id": 123}e"#;
    assert_eq!(Value::decode(resp).unwrap().encode(), resp);
}

#[test]
fn encodes_canonically() {
    let v = Value::dict([
        ("b", Value::Int(-42)),
        ("a", Value::from("xyz")),
        (
            "",
            Value::List(vec![Value::Int(0), Value::from(&[0u8, 255][..])]),
        ),
    ]);
    assert_eq!(v.encode(), b"d0:li0e2:\x00\xffe1:a3:xyz1:bi-42ee");
    assert_eq!(Value::Int(i64::MIN).encode(), b"i-9223372036854775808e");
    assert_eq!(Value::Int(i64::MAX).encode(), b"i9223372036854775807e");
    // Keys sort by bytes, not by length or as text.
    let v = Value::dict([
        ("ab", Value::Int(1)),
        ("b", Value::Int(2)),
        ("\u{e9}", Value::Int(3)),
    ]);
    assert_eq!(v.encode(), "d2:abi1e1:bi2e2:\u{e9}i3ee".as_bytes());
    assert_eq!(Value::decode(&v.encode()).unwrap(), v);
}

#[test]
fn rejects_non_canonical_and_malformed_input() {
    use BencodeError::*;
    let cases: &[(&[u8], BencodeError)] = &[
        (b"", Malformed),
        (b"d1:bi1e1:ai2ee", Malformed), // unsorted keys
        (b"d1:ai1e1:ai2ee", Malformed), // duplicate key
        (b"i01e", Malformed),           // leading zero
        (b"i-0e", Malformed),           // negative zero
        (b"i-01e", Malformed),
        (b"ie", Malformed),
        (b"i1", Malformed),   // truncated
        (b"01:a", Malformed), // length with a leading zero
        (b"2:a", Malformed),  // short string
        (b"-1:a", Malformed),
        (b"di1ei2ee", Malformed), // non-string key
        (b"d1:ae", Malformed),    // key without value
        (b"l", Malformed),
        (b"e", Malformed),
        (b"x", Malformed),
        (b"i1e ", TrailingData),
        (b"i1ei2e", TrailingData),
        (b"lee", TrailingData), // a stray end after the value
        (b"i9223372036854775808e", IntegerOutOfRange),
        (b"i-9223372036854775809e", IntegerOutOfRange),
        (b"99999999999999999999999:a", Malformed),
    ];
    for (bytes, want) in cases {
        assert_eq!(
            Value::decode(bytes),
            Err(*want),
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

#[test]
fn nesting_limit() {
    let nested = |n: usize| [vec![b'l'; n], vec![b'e'; n]].concat();
    assert!(Value::decode(&nested(MAX_DEPTH)).is_ok());
    assert_eq!(
        Value::decode(&nested(MAX_DEPTH + 1)),
        Err(BencodeError::TooDeep)
    );
    assert_eq!(Value::decode(&nested(100_000)), Err(BencodeError::TooDeep));
    let dicts = [
        b"d1:a".repeat(MAX_DEPTH + 1),
        b"i0e".to_vec(),
        vec![b'e'; MAX_DEPTH + 1],
    ]
    .concat();
    assert_eq!(Value::decode(&dicts), Err(BencodeError::TooDeep));
}
