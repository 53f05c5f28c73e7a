//! `POST /onion_req/v2` cases: random bytes, framing whose length prefix lies around junk
//! ciphertext, and layers sealed to the node with a fresh key (so the node decrypts them) whose
//! plaintext is fuzzed: a destination layer carrying a fuzzed storage request, relays to
//! unknown nodes, proxy layers to hosts the node must refuse, junk. The answer to a sealed
//! layer is opened with the same key, so a wrapped status is checked like a direct one.
use super::build::Ctx;
use super::json::J;
use super::plan::{Junk, Mutation, Plan, junk, mutations, plan};
use base64::Engine as _;
use proptest::collection::vec;
use proptest::prelude::*;
use session_crypto::hop::{EncType, HopKey};
use session_crypto::{X25519PublicKey, X25519Secret};

/// A `POST /onion_req/v2` body.
#[derive(Clone, Debug)]
pub enum OnionCase {
    Bytes(Vec<u8>),
    /// Framing with a length prefix that may lie, junk ciphertext, an outer JSON.
    Framed {
        len: Len,
        blob: Vec<u8>,
        json: Option<Vec<Mutation>>,
    },
    /// Encrypted to the node with a fresh key: the layer's plaintext is what is fuzzed.
    Sealed {
        xchacha: bool,
        seed: [u8; 32],
        layer: Layer,
    },
}

#[derive(Clone, Copy, Debug)]
pub enum Len {
    Exact,
    Plus(u32),
    Minus(u32),
    Abs(u32),
}

/// A decrypted layer.
#[derive(Clone, Debug)]
pub enum Layer {
    /// This node is the destination: the storage RPC in `plan`, control keys mutated.
    Destination { plan: Plan, control: Vec<Mutation> },
    /// A relay to `next` (random: unknown) with junk inside.
    Relay {
        next: [u8; 32],
        inner: Vec<u8>,
        muts: Vec<Mutation>,
    },
    /// A proxy layer to a host the node must not reach, or an invalid one.
    Proxy {
        host: usize,
        target: usize,
        muts: Vec<Mutation>,
    },
    /// A framed layer with junk JSON, or bytes that are not framed at all.
    Junk {
        blob: Vec<u8>,
        json: Junk,
        framed: bool,
    },
}

fn layer() -> impl Strategy<Value = Layer> {
    prop_oneof![
        4 => (plan(), mutations()).prop_map(|(plan, control)| Layer::Destination { plan, control }),
        1 => (any::<[u8; 32]>(), vec(any::<u8>(), 0..64), mutations())
            .prop_map(|(next, inner, muts)| Layer::Relay { next, inner, muts }),
        1 => (any::<usize>(), any::<usize>(), mutations())
            .prop_map(|(host, target, muts)| Layer::Proxy { host, target, muts }),
        1 => (vec(any::<u8>(), 0..64), junk(), any::<bool>())
            .prop_map(|(blob, json, framed)| Layer::Junk { blob, json, framed }),
    ]
}

fn len() -> impl Strategy<Value = Len> {
    prop_oneof![
        Just(Len::Exact),
        (1u32..64).prop_map(Len::Plus),
        (1u32..64).prop_map(Len::Minus),
        prop_oneof![Just(u32::MAX), Just(0x7fff_ffff), any::<u32>()].prop_map(Len::Abs),
    ]
}

pub fn onion() -> impl Strategy<Value = OnionCase> {
    prop_oneof![
        1 => vec(any::<u8>(), 0..80).prop_map(OnionCase::Bytes),
        2 => (len(), vec(any::<u8>(), 0..120), proptest::option::of(mutations()))
            .prop_map(|(len, blob, json)| OnionCase::Framed { len, blob, json }),
        5 => (any::<bool>(), any::<[u8; 32]>(), layer())
            .prop_map(|(xchacha, seed, layer)| OnionCase::Sealed { xchacha, seed, layer }),
    ]
}

/// Hosts a proxy layer names: private, loopback and link-local addresses, names that resolve
/// to them, and strings that are no host. None is reachable, so nothing leaves the machine.
const HOSTS: [&str; 11] = [
    "127.0.0.1",
    "10.1.2.3",
    "192.168.0.1",
    "169.254.169.254",
    "0.0.0.0",
    "localhost",
    "100.64.0.1",
    "::1",
    "bad host",
    "",
    "127.0.0.1:80/x?",
];
const TARGETS: [&str; 6] = [
    "/oxen/v4/lsrpc",
    "/loki/v3/lsrpc",
    "/oxen/v4/lsrpc?x=1",
    "/x",
    "",
    "/oxen/../lsrpc",
];

/// A body for `/onion_req/v2`, and the key that opens the node's answer to a sealed layer.
pub struct Built {
    pub body: Vec<u8>,
    pub key: Option<HopKey>,
}

fn framed(len: u32, blob: &[u8], json: &[u8]) -> Vec<u8> {
    [&len.to_le_bytes()[..], blob, json].concat()
}

fn obj(kv: &[(&str, J)]) -> J {
    J::Obj(
        kv.iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

pub fn build(ctx: &Ctx, node_x25519: &X25519PublicKey, case: &OnionCase) -> Built {
    let (blob, json, len, key) = match case {
        OnionCase::Bytes(b) => {
            return Built {
                body: b.clone(),
                key: None,
            };
        }
        OnionCase::Framed { len, blob, json } => {
            let mut outer = obj(&[
                ("ephemeral_key", J::s(hex::encode([blob.len() as u8; 32]))),
                ("enc_type", J::s("xchacha20")),
            ]);
            if let Some(m) = json {
                ctx.mutate_obj(&mut outer, m);
            }
            let n = blob.len() as u32;
            let n = match len {
                Len::Exact => n,
                Len::Plus(d) => n.saturating_add(*d),
                Len::Minus(d) => n.saturating_sub(*d),
                Len::Abs(v) => *v,
            };
            (blob.clone(), outer.render(), n, None)
        }
        OnionCase::Sealed {
            xchacha,
            seed,
            layer,
        } => {
            let enc = if *xchacha {
                EncType::XChaCha20
            } else {
                EncType::AesGcm
            };
            let eph = X25519Secret::from_bytes(*seed);
            let Ok(key) = HopKey::client(enc, &eph, node_x25519) else {
                return Built {
                    body: Vec::new(),
                    key: None,
                };
            };
            let ct = key.encrypt(&plaintext(ctx, layer, &eph), &mut rand::rng());
            let outer = obj(&[
                (
                    "ephemeral_key",
                    J::s(hex::encode(eph.public_key().as_bytes())),
                ),
                ("enc_type", J::s(enc.as_str())),
            ]);
            let n = ct.len() as u32;
            (ct, outer.render(), n, Some(key))
        }
    };
    Built {
        body: framed(len, &blob, json.as_bytes()),
        key,
    }
}

fn plaintext(ctx: &Ctx, layer: &Layer, eph: &X25519Secret) -> Vec<u8> {
    let eph_hex = J::s(hex::encode(eph.public_key().as_bytes()));
    let (blob, mut json, muts): (Vec<u8>, J, &[Mutation]) = match layer {
        Layer::Destination { plan, control } => (
            ctx.plan(plan).render().into_bytes(),
            obj(&[("headers", J::s(""))]),
            control,
        ),
        Layer::Relay { next, inner, muts } => {
            let json = obj(&[
                ("destination", J::s(hex::encode(next))),
                ("ephemeral_key", eph_hex),
                ("enc_type", J::s("xchacha20")),
            ]);
            (inner.clone(), json, muts)
        }
        Layer::Proxy { host, target, muts } => {
            let mut json = obj(&[
                ("host", J::s(HOSTS[host % HOSTS.len()])),
                ("target", J::s(TARGETS[target % TARGETS.len()])),
                ("protocol", J::s("http")),
                ("port", J::n(80)),
                ("ephemeral_key", eph_hex),
                ("enc_type", J::s("xchacha20")),
            ]);
            ctx.mutate_obj(&mut json, muts);
            // Whatever the mutations did, a `host` stays one that cannot be reached (a random
            // name would be looked up in the DNS).
            if let J::Obj(kv) = &mut json {
                for (_, v) in kv.iter_mut().filter(|(k, _)| k == "host") {
                    *v = J::s(HOSTS[host % HOSTS.len()]);
                }
            }
            return framed(0, &[], json.render().as_bytes());
        }
        Layer::Junk {
            blob,
            framed: false,
            ..
        } => return blob.clone(),
        Layer::Junk { blob, json, .. } => (blob.clone(), ctx.junk(json), &[][..]),
    };
    ctx.mutate_obj(&mut json, muts);
    framed(blob.len() as u32, &blob, json.render().as_bytes())
}

/// Opens a node's 200 answer to a sealed layer: base64 (or raw, when the layer asked), then
/// `{"status", "body"}`. The body comes back as text (a JSON string's content, or JSON).
pub fn open(key: &HopKey, body: &[u8]) -> Option<(u16, String)> {
    let raw = base64::engine::general_purpose::STANDARD.decode(body).ok();
    let plain = raw
        .and_then(|r| key.decrypt(&r).ok())
        .or_else(|| key.decrypt(body).ok())?;
    let v: serde_json::Value = serde_json::from_slice(&plain).ok()?;
    let status = u16::try_from(v.get("status")?.as_u64()?).ok()?;
    let text = match &v["body"] {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Some((status, text))
}
