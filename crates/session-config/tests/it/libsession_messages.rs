//! Known answers from libsession-util `tests/test_configdata.cpp` (the examples of
//! docs/config-merge-logic.md): serialization, hashes, signatures, increments and merges must
//! produce exactly libsession's bytes.

use crate::util::{cat, d, dict, h32, i, s, set, show};
use session_config::data::{Dict, Field, Set};
use session_config::merge::{MergeOptions, merge};
use session_config::{ConfigMessage, Error, MutableConfigMessage, Verify};
use session_crypto::{IdentityKeys, Seed};

fn dict_mut<'a>(data: &'a mut Dict, key: &str) -> &'a mut Dict {
    match data.get_mut(key.as_bytes()) {
        Some(Field::Dict(d)) => d,
        _ => panic!("{key} is not a dict"),
    }
}

fn set_mut<'a>(data: &'a mut Dict, key: &str) -> &'a mut Set {
    match data.get_mut(key.as_bytes()) {
        Some(Field::Set(s)) => s,
        _ => panic!("{key} is not a set"),
    }
}

fn put(data: &mut Dict, key: &str, v: Field) {
    data.insert(key.as_bytes().to_vec(), v);
}

fn assert_bytes(got: &[u8], want: &[u8]) {
    assert_eq!(show(got), show(want));
}

fn base_message() -> MutableConfigMessage {
    let mut m = MutableConfigMessage::new(10, 5);
    put(m.data_mut(), "foo", 123.into());
    put(
        m.data_mut(),
        "bar",
        d(&[
            ("asdf", 123.into()),
            ("xyz", "abc".into()),
            ("", set(&[s("a"), s("b"), i(42)])),
        ]),
    );
    m
}

const M10: &[u8] = b"d1:#i10e1:&d3:bard0:li42e1:a1:be4:asdfi123e3:xyz3:abce3:fooi123ee\
1:<le1:=d3:bard0:lli42e1:a1:belee4:asdf0:3:xyz0:e3:foo0:e";

#[test]
fn serialization_and_increments() {
    let mut m = base_message();
    assert_bytes(&m.encode(None), &cat(&[M10, b"e"]));
    let hash0 = h32("d65738bba88b0f3455cef20fe09a7b4b10f25f9db82be24a6ce1bd06da197526");
    assert_eq!(m.hash(None), hash0);

    let mut m1 = m.increment(None);
    m1.data_mut().remove(b"foo".as_slice());
    let hash1 = h32("5b30b4abf4cba71db25dbc0d977cc25df1d0a8a87cad7f561cdec2b8caf65f5e");
    assert_eq!(m1.hash(None), hash1);

    let mut m2 = m1.increment(None);
    put(m2.data_mut(), "foo", 123.into());
    let bar = dict_mut(m2.data_mut(), "bar");
    put(bar, "xyz", 42.into());
    put(bar, "a", 42.into());
    let inner = set_mut(bar, "");
    inner.insert(s("c"));
    inner.insert(i(99));
    inner.remove(&s("b"));
    inner.insert(i(42));
    let hash2 = h32("027552203cf669070d3ecbeecfa65c65497d59aa4da490e0f68f8131ce081320");
    assert_eq!(m2.hash(None), hash2);
    let data12: &[u8] = b"d3:bard0:li42ei99e1:a1:ce1:ai42e4:asdfi123e3:xyzi42ee3:fooi123ee";
    let diff12: &[u8] = b"d3:bard0:lli99e1:cel1:bee1:a0:3:xyz0:e3:foo0:e";
    assert_bytes(
        &m2.encode(None),
        &cat(&[
            b"d1:#i12e1:&",
            data12,
            b"1:<ll",
            b"i10e32:",
            &hash0,
            b"d3:bard0:lli42e1:a1:belee4:asdf0:3:xyz0:e3:foo0:e",
            b"eli11e32:",
            &hash1,
            b"d3:foo1:-ee",
            b"e1:=",
            diff12,
            b"e",
        ]),
    );

    let hash3 = h32("b83871ea06587f9254cdf2b2af8daff19bd7fb550fb90d5f8f9f546464c08bc5");
    let hash4 = h32("c30e2cfa7ec93c64a1ab6420c9bccfb63da8e4c2940ed6509ffb64f3f0131860");
    let hash5 = h32("3234eb7da8cf4b79b9eec2a144247279d10f6f118184f82429a42c5996bea60c");
    assert_eq!(m2.increment(None).hash(None), hash3);
    assert_eq!(m2.increment(None).increment(None).hash(None), hash4);
    let mut m5 = m2.increment(None).increment(None).increment(None);
    assert_eq!(m5.hash(None), hash5);
    assert_bytes(
        &m5.encode(None),
        &cat(&[
            b"d1:#i15e1:&",
            data12,
            b"1:<lli11e32:",
            &hash1,
            b"d3:foo1:-eeli12e32:",
            &hash2,
            diff12,
            b"eli13e32:",
            &hash3,
            b"deeli14e32:",
            &hash4,
            b"deee1:=dee",
        ]),
    );
}

#[test]
fn signatures() {
    let seed = h32("79f530dbf3d81aecc04072933c1b3e3edc0b7d91f2dcc2f7756f2611886cca5f");
    let keys = IdentityKeys::from_seed(Seed::from_bytes(seed));
    let pk = keys.ed25519_public();
    assert_eq!(
        hex::encode(pk.as_bytes()),
        "4384261cdd338f5820ca9cbbe3fc72ac8944ee60d3b795b797fbbf5597b09f17"
    );
    let sig = hex::decode(
        "77267f4de7701ae348eba0ef73175281512ba3f1051cfed22dc3e31b9c699330\
         2938863e09bc8b33638161071bd8dc397d5c1d3f674120d08fbb9c64dde2e907",
    )
    .expect("hex");
    let mut m = base_message();
    let expected = cat(&[M10, b"1:~64:", &sig, b"e"]);
    assert_bytes(&m.encode(Some(&keys)), &expected);

    let verify = Verify::Require(pk);
    let msg = ConfigMessage::decode(&expected, verify).expect("verifies");
    assert!(msg.signature().is_some());
    assert_eq!(*msg.hash(), m.hash(Some(&keys)));
    assert_bytes(&msg.encode(None), &expected);

    let mut broken = expected.clone();
    let n = broken.len();
    assert_eq!(broken[n - 2], 0x07);
    broken[n - 2] = 0x17;
    assert_eq!(
        ConfigMessage::decode(&broken, verify),
        Err(Error::BadSignature)
    );
    let opts = MergeOptions {
        verify,
        ..Default::default()
    };
    assert_eq!(
        merge(&[&broken, &broken], &opts).map(|m| m.unmerged_index),
        Err(Error::NoValidMessages)
    );
    for inputs in [[&broken[..], &expected[..]], [&expected[..], &broken[..]]] {
        let r = merge(&inputs, &opts).expect("one good message");
        assert!(!r.merged());
        assert_eq!(r.message.seqno(), 10);
        assert_eq!(*r.message.hash(), m.hash(Some(&keys)));
    }
    let unsigned = cat(&[M10, b"e"]);
    assert_eq!(
        ConfigMessage::decode(&unsigned, verify),
        Err(Error::MissingSignature)
    );
    // Without a policy the signature is checked for size and dropped.
    let plain = ConfigMessage::decode(&expected, Verify::Ignore).expect("decodes");
    assert_bytes(&plain.encode(None), &unsigned);
}

fn data118() -> Dict {
    dict(&[
        (
            "dictB",
            d(&[
                ("changed", (-1).into()),
                ("foo", 123.into()),
                ("removed", "x".into()),
                ("removed2", "y".into()),
            ]),
        ),
        ("dictC", d(&[("x", d(&[("y", 1.into())]))])),
        ("good", set(&[i(99), i(456), s("bar")])),
        ("great", set(&[i(-42), s("omg")])),
        ("int0", (-9999).into()),
        ("int1", 100.into()),
        ("string1", "hello".into()),
        ("string2", "goodbye".into()),
    ])
}

const H119: &str = "43094f68c1faa37eff79e1c2f3973ffd5f9d6423b00ccda306fc6e7dac5f0c44";
const H120: &str = "e3a237f91014d31e4d30569c4a8bfcd72157804f99b8732c611c48bf126432b5";
const H121: &str = "1a7f602055124deaf21175ef3f32983dee7c9de570e5d9c9a0bbc2db71dcb97f";
const H122: &str = "46560604fe352101bb869435260d7100ccfe007be5f741c7e96303f02f394e8a";
const H123: &str = "d9398c597b058ac7e28e3febb76ed68eb8c5b6c369610562ab5f2b596775d73c";
const H124: &str = "8b73f316178765b9b3b37168e865c84bb5a78610cbb59b84d0fa4d3b4b3c102b";
const H125A: &str = "80f229c3667de6d0fa6f96b53118e097fbda82db3ca1aea221a3db91ea9c45fb";
const H125B: &str = "ab12f0efe9a9ed00db6b17b44ae0ff36b9f49094077fb114f415522f2a0e98de";

const DATA123: &[u8] = b"d5:dictBd7:changedi-1e3:fooi123e7:removed1:x8:removed21:ye\
5:dictCd1:xd1:yi1eee4:goodli99ei456e3:bare5:greatli-42e3:omge4:int1i1e4:int2i2e\
7:string15:hello7:string27:goodbyee";
const DIFF123: &[u8] = b"d4:int01:-4:int10:4:int20:e";

fn m123_expected() -> Vec<u8> {
    let mut lagged = Vec::new();
    for (n, h) in [(119, H119), (120, H120), (121, H121), (122, H122)] {
        lagged.extend(cat(&[format!("li{n}e32:").as_bytes(), &h32(h), b"dee"]));
    }
    cat(&[
        b"d1:#i123e1:&",
        DATA123,
        b"1:<l",
        &lagged,
        b"e1:=",
        DIFF123,
        b"e",
    ])
}

#[test]
fn example_1_ordinary_update() {
    let mut m118 = MutableConfigMessage::new(118, 5);
    *m118.data_mut() = data118();
    let m118_expected: &[u8] = b"d1:#i118e1:&d5:dictBd7:changedi-1e3:fooi123e7:removed1:x\
8:removed21:ye5:dictCd1:xd1:yi1eee4:goodli99ei456e3:bare5:greatli-42e3:omge4:int0i-9999e\
4:int1i100e7:string15:hello7:string27:goodbyee1:<le1:=d5:dictBd7:changed0:3:foo0:\
7:removed0:8:removed20:e5:dictCd1:xd1:y0:ee4:goodlli99ei456e3:barelee5:greatlli-42e\
3:omgelee4:int00:4:int10:7:string10:7:string20:ee";
    assert_bytes(&m118.encode(None), m118_expected);
    let mut m = m118.increment(None);
    for (seqno, h) in [(119, H119), (120, H120), (121, H121), (122, H122)] {
        assert_eq!(m.seqno(), seqno);
        assert_eq!(m.hash(None), h32(h));
        m = m.increment(None);
    }
    put(m.data_mut(), "int1", 1.into());
    put(m.data_mut(), "int2", 2.into());
    m.data_mut().remove(b"int0".as_slice());
    put(m.data_mut(), "string1", "hello".into());
    assert_bytes(&m.encode(None), &m123_expected());
}

#[test]
fn deserialization() {
    let m = ConfigMessage::decode(&m123_expected(), Verify::Ignore).expect("decodes");
    assert_eq!(m.seqno(), 123);
    assert_eq!(*m.hash(), h32(H123));
    let mut want = data118();
    want.insert(b"int1".to_vec(), 1.into());
    want.remove(b"int0".as_slice());
    want.insert(b"int2".to_vec(), 2.into());
    assert_eq!(m.data(), &want);
    assert!(m.signature().is_none());
    let mut diff = Vec::new();
    session_config::diff::encode(m.diff(), &mut diff);
    assert_eq!(diff, DIFF123);

    let mut mutable = m.increment();
    assert_eq!(mutable.seqno(), 124);
    assert!(mutable.diff().is_empty());
    assert_eq!(
        hex::encode(mutable.hash(None)),
        "3ea36410cf7086ce816eb193b0c94e88632abfb75771d82f8ddb3a909124c580"
    );
    let mut lagged = Vec::new();
    for (n, h) in [(120, H120), (121, H121), (122, H122)] {
        lagged.extend(cat(&[format!("li{n}e32:").as_bytes(), &h32(h), b"dee"]));
    }
    assert_bytes(
        &mutable.encode(None),
        &cat(&[
            b"d1:#i124e1:&",
            DATA123,
            b"1:<l",
            &lagged,
            b"li123e32:",
            &h32(H123),
            DIFF123,
            b"ee1:=dee",
        ]),
    );
}

#[test]
fn empty_set_or_dict_in_data_is_rejected() {
    for bad in [
        &b"d1:#i0e1:&d0:lee1:<le1:=dee"[..],
        b"d1:#i0e1:&d0:dee1:<le1:=dee",
    ] {
        assert!(matches!(
            ConfigMessage::decode(bad, Verify::Ignore),
            Err(Error::Malformed { .. })
        ));
    }
}

fn updates_124(m: &mut MutableConfigMessage) {
    let data = m.data_mut();
    put(
        data,
        "dictA",
        d(&[("hello", 123.into()), ("goodbye", set(&[i(123), i(456)]))]),
    );
    let b = dict_mut(data, "dictB");
    put(b, "changed", 1.into());
    put(b, "added", 9999.into());
    put(b, "nested", d(&[("a", 1.into())]));
    b.remove(b"removed".as_slice());
    b.remove(b"removed2".as_slice());
    data.remove(b"dictC".as_slice());
    let good = set_mut(data, "good");
    good.insert(s("Foo"));
    good.remove(&i(456));
    good.insert(i(123));
    put(data, "int1", 42.into());
    data.remove(b"string1".as_slice());
    put(data, "string2", "hello".into());
    put(data, "string3", "omg".into());
    data.remove(b"great".as_slice());
}

const DATA124: &[u8] = b"d5:dictAd7:goodbyeli123ei456ee5:helloi123ee5:dictBd5:addedi9999e\
7:changedi1e3:fooi123e6:nestedd1:ai1eee4:goodli99ei123e3:Foo3:bare4:int1i42e4:int2i2e\
7:string25:hello7:string33:omge";
const DIFF124: &[u8] = b"d5:dictAd7:goodbyelli123ei456eelee5:hello0:e5:dictBd5:added0:\
7:changed0:6:nestedd1:a0:e7:removed1:-8:removed21:-e5:dictCd1:xd1:y1:-ee4:goodlli123e\
3:Fooeli456eee5:greatlleli-42e3:omgee4:int10:7:string11:-7:string20:7:string30:e";

fn m124() -> MutableConfigMessage {
    let mut m = ConfigMessage::decode(&m123_expected(), Verify::Ignore)
        .expect("decodes")
        .increment();
    updates_124(&mut m);
    m
}

#[test]
fn example_2_large_update() {
    let mut m = m124();
    let mut lagged = Vec::new();
    for (n, h) in [(120, H120), (121, H121), (122, H122)] {
        lagged.extend(cat(&[format!("li{n}e32:").as_bytes(), &h32(h), b"dee"]));
    }
    assert_bytes(
        &m.encode(None),
        &cat(&[
            b"d1:#i124e1:&",
            DATA124,
            b"1:<l",
            &lagged,
            b"li123e32:",
            &h32(H123),
            DIFF123,
            b"ee1:=",
            DIFF124,
            b"e",
        ]),
    );
    assert_eq!(m.hash(None), h32(H124));
}

fn m126_expected() -> Vec<u8> {
    cat(&[
        b"d1:#i126e1:&d5:dictAd7:goodbyeli123ei456ee5:helloi123ee5:dictBd5:addedi9999e\
7:changedi1e6:nestedd1:ai1eee4:goodli99ei123e3:Foo3:bare4:int1i5e4:int2i2e\
7:string25:hello7:string33:omge1:<lli122e32:",
        &h32(H122),
        b"deeli123e32:",
        &h32(H123),
        DIFF123,
        b"eli124e32:",
        &h32(H124),
        DIFF124,
        b"eli125e32:",
        &h32(H125A),
        b"d5:dictBd3:foo1:-eeeli125e32:",
        &h32(H125B),
        b"d4:int10:eee1:=dee",
    ])
}

fn m120b() -> MutableConfigMessage {
    let mut m = MutableConfigMessage::new(118, 5)
        .increment(None)
        .increment(None);
    put(m.data_mut(), "too old", "won't see".into());
    m
}

#[test]
fn example_3_simple_conflict() {
    let mut m124 = m124();
    assert_eq!(m124.hash(None), h32(H124));
    let mut a = m124.increment(None);
    dict_mut(a.data_mut(), "dictB").remove(b"foo".as_slice());
    let mut b = m124.increment(None);
    put(b.data_mut(), "int1", 5.into());
    assert_eq!(a.hash(None), h32(H125A));
    assert_eq!(b.hash(None), h32(H125B));
    let (a, b, m124, old) = (
        a.encode(None),
        b.encode(None),
        m124.encode(None),
        m120b().encode(None),
    );
    let opts = MergeOptions::default();
    let r = merge(&[&a, &b], &opts).expect("merges");
    assert!(r.merged());
    assert_eq!(r.message.seqno(), 126);
    assert_bytes(&r.message.encode(None), &m126_expected());
    for inputs in [
        vec![&b[..], &a[..]],
        vec![&m124[..], &b[..], &a[..]],
        vec![&b[..], &a[..], &m124[..]],
        vec![&b[..], &old[..], &a[..]],
    ] {
        let r = merge(&inputs, &opts).expect("merges");
        assert_bytes(&r.message.encode(None), &m126_expected());
    }
}

#[test]
fn example_4_complex_conflict() {
    let m123 = ConfigMessage::decode(&m123_expected(), Verify::Ignore).expect("decodes");
    let mut m124a = m123.increment();
    let b = dict_mut(m124a.data_mut(), "dictB");
    put(b, "foo", 66.into());
    put(b, "answer", 42.into());
    let mut m124b = m123.increment();
    updates_124(&mut m124b);
    assert_eq!(m124b.hash(None), h32(H124));
    let mut m125a = m124b.increment(None);
    dict_mut(m125a.data_mut(), "dictB").remove(b"foo".as_slice());
    let mut m125b = m124b.increment(None);
    put(m125b.data_mut(), "int1", 5.into());
    let opts = MergeOptions::default();
    let (e125a, e125b) = (m125a.encode(None), m125b.encode(None));
    let m126a = merge(&[&e125a, &e125b], &opts).expect("merges").message;
    let (e124a, e123) = (m124a.encode(None), m123.encode(None));
    let e120b = m120b().encode(None);
    let m126b = merge(&[&e125b, &e124a, &e125a, &e123, &e120b], &opts)
        .expect("merges")
        .message;
    assert!(m124a.hash(None) < h32(H124));
    assert!(m126a.hash() < m126b.hash());

    let (e126a, e126b) = (m126a.encode(None), m126b.encode(None));
    // A merge loaded for editing keeps its seqno (libsession's MutableConfigMessage).
    let merged = merge(&[&e126a, &e126b], &opts).expect("merges");
    assert!(merged.merged());
    let mut m127 = MutableConfigMessage::retain(merged.message);
    let goodbye = set_mut(dict_mut(m127.data_mut(), "dictA"), "goodbye");
    goodbye.insert(i(789));
    assert_eq!(m127.seqno(), 127);
    let e127 = m127.encode(None);
    let expected = cat(&[
        b"d1:#i127e1:&d5:dictAd7:goodbyeli123ei456ei789ee5:helloi123ee5:dictBd5:addedi9999e\
6:answeri42e7:changedi1e6:nestedd1:ai1eee4:goodli99ei123e3:Foo3:bare4:int1i5e4:int2i2e\
7:string25:hello7:string33:omge1:<lli123e32:",
        &h32(H123),
        DIFF123,
        b"eli124e32:",
        &m124a.hash(None),
        b"d5:dictBd6:answer0:3:foo0:eeeli124e32:",
        &h32(H124),
        DIFF124,
        b"eli125e32:",
        &h32(H125A),
        b"d5:dictBd3:foo1:-eeeli125e32:",
        &h32(H125B),
        b"d4:int10:eeli126e32:",
        m126a.hash(),
        b"deeli126e32:",
        m126b.hash(),
        b"deee1:=d5:dictAd7:goodbyelli789eeleeeee",
    ]);
    assert_bytes(&e127, &expected);
    let alt = merge(&[&e127, &e125a, &e126b], &opts).expect("merges");
    assert_eq!(alt.message.seqno(), 127);
    assert_eq!(*alt.message.hash(), m127.hash(None));
}
