//! What must hold after every request: only the 5xx answers `spec/rpc-errors.md` lists for the
//! route, and the victim's data as it was (its signed namespaces gain nothing; public inboxes
//! may, since anyone may store there unsigned).
use super::valid::{Keys, Pool};
use crate::support::{DAY, TestNode, User, b64};
use serde_json::{Value, json};
use session_crypto::{IdentityKeys, Seed};
use session_store::{Account, Revocation, StoredMessage};

/// Where an answer came from, for the rule on its 5xx.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// `/storage_rpc/v1`, or the storage RPC inside an onion layer (`wrapped`).
    Storage { wrapped: bool },
    /// `/onion_req/v2`'s own (plain) answers.
    Onion,
    /// `/json_rpc`, `/info`, unknown paths: the spec lists no 5xx.
    Other,
}

/// `Err` when `code`/`body` is a 5xx the spec does not list for `route`, or the node's answer
/// to a panic; results inside `batch`/`sequence`/`ifelse` answers are checked too.
pub fn status_allowed(route: Route, code: u16, body: &str) -> Result<(), String> {
    let listed = match (route, code) {
        (_, c) if c < 500 => return nested(route, c, body),
        (_, 500) if body.starts_with("Exception caught with processing client request") => false,
        (Route::Storage { wrapped }, c) => match c {
            500 => {
                body == "request failed"
                    || body.starts_with("Internal Server Error. Could not retrieve messages for")
                    || all_failed(body)
            }
            502 => body == "oxend returned unparsable data",
            503 => {
                body.starts_with("Service node is not ready: ")
                    || body == "Server busy, try again later"
                    || (wrapped && body == "Snode not ready")
            }
            _ => false,
        },
        (Route::Onion, 500) => body == "Invalid response from snode",
        (Route::Onion, 502 | 504) => true,
        (Route::Onion, 503) => {
            body.starts_with("Snode not ready: ") || body.starts_with("Service node is not ready: ")
        }
        _ => false,
    };
    if listed {
        Ok(())
    } else {
        Err(format!("unlisted {code} on {route:?}: {}", clip(body)))
    }
}

/// The results of a meta request, each under the storage rule.
fn nested(route: Route, code: u16, body: &str) -> Result<(), String> {
    if code != 200 || !matches!(route, Route::Storage { .. }) || !body.starts_with('{') {
        return Ok(());
    }
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return Ok(());
    };
    let results = v["results"].as_array().cloned().unwrap_or_default();
    // `result` is an `ifelse` branch's answer only next to `condition` (oxend_request has one).
    let branch = v.get("result").filter(|_| v.get("condition").is_some());
    for r in results.iter().chain(branch) {
        let code = r["code"].as_u64().and_then(|c| u16::try_from(c).ok());
        let Some(code) = code else {
            return Err(format!(
                "a subrequest result without a code: {}",
                clip(body)
            ));
        };
        let text = match &r["body"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        status_allowed(Route::Storage { wrapped: false }, code, &text)?;
    }
    Ok(())
}

fn all_failed(body: &str) -> bool {
    let v: Value = serde_json::from_str(body).unwrap_or_default();
    v["swarm"]
        .as_object()
        .is_some_and(|s| s.values().all(|e| e["failed"] == json!(true)))
}

pub fn clip(s: &str) -> String {
    s.chars().take(160).collect()
}

/// The victim's accounts as stored: every message, and the revocation states.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    messages: Vec<StoredMessage>,
    revocations: Vec<Revocation>,
}

pub fn account(pubkey_hex: &str) -> Account {
    let bytes = hex::decode(pubkey_hex).expect("hex account");
    Account(bytes.try_into().expect("33 bytes"))
}

pub fn snapshot(node: &TestNode, keys: &Keys) -> Snapshot {
    let store = &node.state.store;
    let mut messages = Vec::new();
    let mut revocations = Vec::new();
    for id in [keys.victim.pubkey(), Keys::group_id(&keys.vgroup)] {
        let a = account(&id);
        messages.extend(store.all_messages(&a).expect("read the store"));
        revocations.extend(store.revocations(&a).expect("read revocations"));
    }
    messages.sort_by_key(|m| m.hash);
    Snapshot {
        messages,
        revocations,
    }
}

impl Snapshot {
    /// `Err` unless every message of `before` is still here, unchanged, every new message is in
    /// a public inbox, and no revocation state changed.
    pub fn still_holds(&self, before: &Snapshot) -> Result<(), String> {
        for m in &before.messages {
            match self.messages.iter().find(|n| n.hash == m.hash) {
                None => {
                    return Err(format!(
                        "victim message {:?} (ns {}) is gone",
                        m.hash, m.namespace.0
                    ));
                }
                Some(n) if n != m => return Err(format!("victim message changed: {m:?} -> {n:?}")),
                Some(_) => {}
            }
        }
        let new = self
            .messages
            .iter()
            .filter(|m| !before.messages.iter().any(|b| b.hash == m.hash));
        if let Some(m) = new.clone().find(|m| !m.namespace.is_public_inbox()) {
            return Err(format!(
                "a message appeared in the victim's signed namespace {}: {m:?}",
                m.namespace.0
            ));
        }
        if self.revocations != before.revocations {
            return Err("the victim group's revocations changed".to_owned());
        }
        Ok(())
    }
}

fn token(prefix: u8, flags: u8, sub: &IdentityKeys) -> [u8; 36] {
    let mut t = [0u8; 36];
    t[0] = prefix;
    t[1] = flags;
    t[4..].copy_from_slice(sub.ed25519_public().as_bytes());
    t
}

async fn signed_store(
    node: &TestNode,
    pubkey: &str,
    by: &User,
    ed: bool,
    ns: i16,
    data: &[u8],
) -> String {
    let now = node.now();
    let ns_str = if ns == 0 {
        String::new()
    } else {
        ns.to_string()
    };
    let mut p = json!({"pubkey": pubkey, "namespace": ns, "timestamp": now, "ttl": 7 * DAY,
        "data": b64(data), "signature": by.sign(&format!("store{ns_str}{now}"))});
    if ed {
        p["pubkey_ed25519"] = json!(by.ed());
    }
    let r = node.rpc("store", p).await;
    assert_eq!(r.code, 200, "setup store: {}", r.text);
    r.json()["hash"].as_str().expect("hash").to_owned()
}

/// The accounts, the victim's messages (the only time the victim's keys sign), a read-only
/// subaccount the victim group grants the fuzzer, a few messages of the fuzzer's own.
pub async fn setup(node: &TestNode) -> (Keys, Pool) {
    let sub = IdentityKeys::from_seed(Seed::from_bytes([103; 32]));
    let vgroup = User::new(102);
    let read_token = token(0x03, 0x01, &sub);
    let keys = Keys {
        fuzzer: User::new(111),
        fgroup: User::new(112),
        victim: User::new(101),
        read_sig: b64(&vgroup.keys.sign(&read_token)),
        full_token: token(0x03, 0x07, &sub),
        read_token,
        vgroup,
        sub,
    };
    let (v, vg) = (keys.victim.pubkey(), Keys::group_id(&keys.vgroup));
    let mut hashes = Vec::new();
    for (i, ns) in [0i16, 0, 2, 5, -21, 10].into_iter().enumerate() {
        hashes.push(signed_store(node, &v, &keys.victim, true, ns, &[0x5a, i as u8, 0xc3]).await);
    }
    for (i, ns) in [11i16, 12, -11, 0].into_iter().enumerate() {
        hashes.push(signed_store(node, &vg, &keys.vgroup, false, ns, &[0x6b, i as u8]).await);
    }
    // The grant works: the fuzzer's subkey reads the victim group's messages.
    let now = node.now();
    let p = json!({"pubkey": vg, "namespace": 11, "timestamp": now, "subaccount": b64(&keys.read_token),
        "subaccount_sig": keys.read_sig, "signature": b64(&keys.sub.sign(format!("retrieve11{now}").as_bytes()))});
    let r = node.rpc("retrieve", p).await;
    assert_eq!(
        r.json()["messages"].as_array().map(Vec::len),
        Some(1),
        "{}",
        r.text
    );
    let own = keys.fuzzer.pubkey();
    for (i, ns) in [0i16, 2, 5].into_iter().enumerate() {
        hashes.push(signed_store(node, &own, &keys.fuzzer, true, ns, &[0x11, i as u8]).await);
    }
    hashes.push(
        signed_store(
            node,
            &Keys::group_id(&keys.fgroup),
            &keys.fgroup,
            false,
            11,
            b"g",
        )
        .await,
    );
    let mut strings = vec![
        v,
        vg,
        own,
        Keys::group_id(&keys.fgroup),
        keys.victim.ed(),
        keys.fuzzer.ed(),
        b64(&keys.read_token),
        hex::encode(keys.read_token),
        b64(&keys.full_token),
        keys.read_sig.clone(),
        keys.fuzzer.sign("x"),
        "all".into(),
        "get_service_nodes".into(),
        "store".into(),
        "batch".into(),
        "ifelse".into(),
        node.state.ed25519_hex(),
        "xchacha20".into(),
        "aes-gcm".into(),
    ];
    strings.extend(hashes.iter().cloned());
    (keys, Pool { hashes, strings })
}
