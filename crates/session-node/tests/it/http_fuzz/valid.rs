//! Valid requests: each method's parameters and signed string as a client sends them
//! (`support.rs`, `methods.rs`), for the fuzzer's own accounts, or aimed at the victim's with
//! signatures and subaccount tokens the victim never made.
use super::build::Ctx;
use super::json::J;
use super::plan::{Method, NAMESPACES, RpcCase, Time, Who};
use crate::support::{DAY, User, b64};
use serde_json::Value;
use session_crypto::IdentityKeys;

/// The accounts and tokens of a run. The victim's keys sign only during setup.
pub struct Keys {
    pub fuzzer: User,
    pub fgroup: User,
    pub sub: IdentityKeys,
    pub victim: User,
    pub vgroup: User,
    /// The victim group's read-only token for `sub`, and the victim's grant signature.
    pub read_token: [u8; 36],
    pub read_sig: String,
    /// An all-permissions token for `sub` on the victim group (granted by nobody).
    pub full_token: [u8; 36],
}

impl Keys {
    pub fn group_id(g: &User) -> String {
        format!("03{}", g.ed())
    }
}

/// What a request may refer to: message hashes and strings valid somewhere.
pub struct Pool {
    pub hashes: Vec<String>,
    pub strings: Vec<String>,
}

struct Signer<'a> {
    pubkey: String,
    ed: Option<String>,
    key: &'a IdentityKeys,
    sub: Option<(String, String)>,
}

impl Ctx<'_> {
    fn signer(&self, who: Who) -> Signer<'_> {
        let k = self.keys;
        let f = &k.fuzzer;
        let plain = |pubkey: String, ed: Option<String>, key| Signer {
            pubkey,
            ed,
            key,
            sub: None,
        };
        let as_sub = |token: &[u8; 36], sig: String| Signer {
            pubkey: Keys::group_id(&k.vgroup),
            ed: None,
            key: &k.sub,
            sub: Some((b64(token), sig)),
        };
        match who {
            Who::Own => plain(f.pubkey(), Some(f.ed()), &f.keys),
            Who::OwnGroup => plain(Keys::group_id(&k.fgroup), None, &k.fgroup.keys),
            Who::Victim => plain(k.victim.pubkey(), Some(k.victim.ed()), &f.keys),
            Who::VictimOwnEd => plain(k.victim.pubkey(), Some(f.ed()), &f.keys),
            Who::VictimGroup => plain(Keys::group_id(&k.vgroup), None, &f.keys),
            Who::VictimGroupRead => as_sub(&k.read_token, k.read_sig.clone()),
            Who::VictimGroupForgedSub => as_sub(&k.full_token, b64(&f.keys.sign(&k.full_token))),
            Who::VictimGroupStolenSig => as_sub(&k.full_token, k.read_sig.clone()),
            Who::Stranger => plain(format!("05{}", "ab".repeat(32)), Some(f.ed()), &f.keys),
        }
    }

    /// A valid request of `c.method` for `c.who` (signed on the node's clock).
    pub(super) fn rpc(&self, c: &RpcCase) -> (&'static str, Vec<(String, J)>) {
        let s = self.signer(c.who);
        let flag = |b: u8| c.flags & (1 << b) != 0;
        let ns = NAMESPACES.get(c.ns).copied();
        let all = flag(7)
            && matches!(
                c.method,
                Method::DeleteAll | Method::DeleteBefore | Method::ExpireAll
            );
        let ns_str = match ns {
            _ if all => "all".to_owned(),
            Some(n) if n != 0 => n.to_string(),
            _ => String::new(),
        };
        let t = self.time(c.time);
        let hashes: Vec<String> = c.hashes.iter().map(|i| self.hash(*i)).collect();
        let joined = hashes.concat();
        let mut p: Vec<(String, J)> = vec![("pubkey".into(), J::s(&s.pubkey))];
        let num = |v: u64| {
            if flag(4) {
                J::s(v.to_string())
            } else {
                J::n(v)
            }
        };
        let (name, msg): (&'static str, Option<Vec<u8>>) = match c.method {
            Method::Store => {
                let expiry = match c.expiry {
                    Time::Rel(_) => self.time(c.expiry).saturating_add(DAY),
                    Time::Abs(v) => v,
                };
                p.push(("timestamp".into(), num(t)));
                if flag(0) {
                    p.push(("ttl".into(), num(expiry.saturating_sub(t))));
                } else {
                    p.push(("expiry".into(), J::n(expiry)));
                }
                p.push(("data".into(), J::s(b64(&c.data))));
                if flag(5) {
                    p.push(("sig_timestamp".into(), J::n(t)));
                }
                let public = ns.is_none_or(|n| n % 10 == 0);
                (
                    "store",
                    (!public || flag(3)).then(|| format!("store{ns_str}{t}").into_bytes()),
                )
            }
            Method::Retrieve => {
                p.push(("timestamp".into(), J::n(t)));
                if flag(5) {
                    p.push((
                        "last_hash".into(),
                        J::s(hashes.first().cloned().unwrap_or_default()),
                    ));
                }
                if flag(6) {
                    p.push(("max_count".into(), J::n(c.hashes.len() as u64)));
                    p.push(("max_size".into(), J::V(Value::from(-3))));
                }
                (
                    "retrieve",
                    Some(format!("retrieve{ns_str}{t}").into_bytes()),
                )
            }
            Method::Delete => {
                p.push(("messages".into(), J::V(hashes.clone().into())));
                if flag(3) {
                    p.push(("required".into(), J::V(Value::Bool(true))));
                }
                ("delete", Some(format!("delete{joined}").into_bytes()))
            }
            Method::DeleteAll => {
                p.push(("timestamp".into(), J::n(t)));
                (
                    "delete_all",
                    Some(format!("delete_all{ns_str}{t}").into_bytes()),
                )
            }
            Method::DeleteBefore => {
                p.push(("before".into(), J::n(t)));
                (
                    "delete_before",
                    Some(format!("delete_before{ns_str}{t}").into_bytes()),
                )
            }
            Method::Expire => {
                let e = self.time(c.expiry);
                p.push(("messages".into(), J::V(hashes.clone().into())));
                p.push(("expiry".into(), J::n(e)));
                let mut x = "";
                if flag(2) && !flag(1) {
                    p.push(("extend".into(), J::V(Value::Bool(true))));
                    x = "extend";
                }
                if flag(1) {
                    p.push(("shorten".into(), J::V(Value::Bool(true))));
                    x = "shorten";
                }
                ("expire", Some(format!("expire{x}{e}{joined}").into_bytes()))
            }
            Method::ExpireAll => {
                let e = self.time(c.expiry);
                p.push(("expiry".into(), J::n(e)));
                (
                    "expire_all",
                    Some(format!("expire_all{ns_str}{e}").into_bytes()),
                )
            }
            Method::GetExpiries => {
                p.push(("messages".into(), J::V(hashes.clone().into())));
                p.push(("timestamp".into(), J::n(t)));
                (
                    "get_expiries",
                    Some(format!("get_expiries{t}{joined}").into_bytes()),
                )
            }
            Method::Revoke | Method::Unrevoke => {
                let k = self.keys;
                let token = [&k.read_token, &k.full_token][c.hashes.len() % 2];
                let name = if c.method == Method::Revoke {
                    "revoke"
                } else {
                    "unrevoke"
                };
                p.push((name.into(), J::s(b64(token))));
                p.push(("timestamp".into(), J::n(t)));
                let msg = [format!("{name}_subaccount{t}").as_bytes(), token].concat();
                if let Some(ed) = &s.ed {
                    p.push(("pubkey_ed25519".into(), J::s(ed)));
                }
                let name = if c.method == Method::Revoke {
                    "revoke_subaccount"
                } else {
                    "unrevoke_subaccount"
                };
                p.push(("signature".into(), J::s(b64(&s.key.sign(&msg)))));
                return (name, p);
            }
            Method::GetSwarm => return ("get_swarm", p),
            Method::Info => return ("info", Vec::new()),
            Method::Oxend => {
                let endpoint = if flag(0) {
                    "ons_resolve"
                } else {
                    "get_service_nodes"
                };
                let params = J::Obj(vec![("name".into(), J::s("x"))]);
                return (
                    "oxend_request",
                    vec![
                        ("endpoint".into(), J::s(endpoint)),
                        ("params".into(), params),
                    ],
                );
            }
        };
        if let Some(n) = ns.filter(|_| !all) {
            p.push(("namespace".into(), J::V(n.into())));
        } else if all {
            p.push(("namespace".into(), J::s("all")));
        }
        if let Some(msg) = msg {
            p.push(("signature".into(), J::s(b64(&s.key.sign(&msg)))));
            if let Some(ed) = &s.ed {
                p.push(("pubkey_ed25519".into(), J::s(ed)));
            }
            if let Some((token, sig)) = &s.sub {
                p.push(("subaccount".into(), J::s(token)));
                p.push(("subaccount_sig".into(), J::s(sig)));
            }
        }
        (name, p)
    }
}
