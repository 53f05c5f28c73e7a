//! The own swarm as the account's devices share it (spec network.md §2, crypto.md §5): one
//! `batch` of signed retrieves polls namespace 0 (messages, and the copies of what our other
//! devices sent) and the user config namespaces 2-5, each after its own cursor; a config push
//! is one `sequence` of signed stores (30-day TTL) followed by the `delete` of the messages
//! it makes obsolete, as Session's desktop client does.

use crate::error::{Error, Result};
use crate::history::{ConfigMessages, Incoming, PendingPush};
use crate::messaging::{Messenger, b64, message_hash_in};
use base64::Engine as _;
use serde_json::{Value, json};

/// The TTL of config messages: 30 days, the longest a node keeps an authenticated message.
pub const CONFIG_TTL_MS: u64 = 30 * 24 * 3600 * 1000;

/// The namespaces a poll reads: messages, then the four user configs.
pub const POLLED_NAMESPACES: [i16; 5] = [0, 2, 3, 4, 5];

/// Tries of one batch when a subrequest answers 421 (the cached swarm was wrong).
const BATCH_TRIES: usize = 3;

/// One page of every polled namespace.
#[derive(Clone, Debug, Default)]
pub struct BatchPage {
    /// Namespace 0's messages that opened.
    pub messages: Vec<Incoming>,
    /// Namespace 0's cursor after the page (`None` if it was not polled).
    pub last_hash: Option<String>,
    /// The config namespaces' messages (hash checked) and cursors.
    pub configs: Vec<ConfigMessages>,
    /// Namespaces whose node holds more after this page.
    pub more: Vec<i16>,
    /// Group invitations and promotions of namespace 0 (not verified yet).
    pub group_updates: Vec<crate::history::groups::GroupUpdateIn>,
    /// Call messages of namespace 0.
    pub calls: Vec<crate::history::CallIn>,
}

fn ns_str(namespace: i16) -> String {
    if namespace == 0 {
        String::new()
    } else {
        namespace.to_string()
    }
}

impl Messenger {
    /// A signed `retrieve` of the own `namespace` after `last_hash`, as a subrequest.
    fn retrieve_request(&self, namespace: i16, last_hash: &str) -> Value {
        let ts = self.now_ms();
        let mut params = json!({"timestamp": ts, "last_hash": last_hash});
        if namespace != 0 {
            params["namespace"] = json!(namespace);
        }
        let signed = format!("retrieve{}{ts}", ns_str(namespace));
        json!({"method": "retrieve", "params": self.signed(params, &signed)})
    }

    /// The subrequests of a push: a signed `store` of each config (30-day TTL), then one
    /// signed `delete` of `obsolete` (when there is any).
    fn push_requests(&self, pushes: &[PendingPush], obsolete: &[String]) -> Vec<Value> {
        let ts = self.now_ms();
        let mut out: Vec<Value> = pushes
            .iter()
            .map(|p| {
                let params = json!({"namespace": p.namespace, "timestamp": ts,
                    "ttl": CONFIG_TTL_MS, "data": b64(&p.data)});
                let signed = format!("store{}{ts}", ns_str(p.namespace));
                json!({"method": "store", "params": self.signed(params, &signed)})
            })
            .collect();
        if !obsolete.is_empty() {
            let params = json!({"messages": obsolete});
            let signed = format!("delete{}", obsolete.concat());
            out.push(json!({"method": "delete", "params": self.signed(params, &signed)}));
        }
        out
    }

    /// Sends a `batch` or `sequence` to the own swarm; returns its `results`. A subrequest
    /// answering 421 puts the swarm in its answer in the cache and the whole request is sent
    /// again (to a member of that swarm).
    async fn own_batch(
        &self,
        method: &str,
        requests: impl Fn() -> Vec<Value>,
    ) -> Result<Vec<Value>> {
        let me = self.account().session_id().to_string();
        self.batch_to(&me, method, requests).await
    }

    /// [`Self::own_batch`] for the account `me` (ours, or a group's).
    pub(crate) async fn batch_to(
        &self,
        me: &str,
        method: &str,
        requests: impl Fn() -> Vec<Value>,
    ) -> Result<Vec<Value>> {
        let me = me.to_owned();
        let mut last = Error::Reply(format!("{method}: no answer"));
        for _ in 0..BATCH_TRIES {
            let body = || json!({"method": method, "params": {"requests": requests()}});
            let v = self.to_swarm(&me, body).await?;
            let results = v["results"]
                .as_array()
                .cloned()
                .ok_or_else(|| Error::Reply(format!("{method} answer without results")))?;
            let misdirected = results.iter().find(|r| r["code"] == 421);
            match misdirected {
                Some(r) => {
                    if let Ok(s) = session_onion::swarm_from_reply(&r["body"]) {
                        self.lock().insert(me.clone(), s);
                    }
                    last = Error::Reply("421 wrong swarm".into());
                }
                None => return Ok(results),
            }
        }
        Err(last)
    }

    /// Polls the own swarm once: a signed `retrieve` for each `(namespace, cursor)` in one
    /// `batch`. Namespace 0's messages are opened (those that do not open are skipped);
    /// config messages are returned as stored, once their hash checks out. A namespace whose
    /// subrequest failed keeps its cursor and is reported in the log.
    pub async fn retrieve_batch(&self, cursors: &[(i16, String)]) -> Result<BatchPage> {
        let requests = || {
            cursors
                .iter()
                .map(|(ns, last)| self.retrieve_request(*ns, last))
                .collect::<Vec<_>>()
        };
        let results = self.own_batch("batch", requests).await?;
        let me = self.account().session_id();
        let mut page = BatchPage::default();
        for ((ns, cursor), r) in cursors.iter().zip(&results) {
            if r["code"] != 200 {
                tracing::warn!(namespace = ns, code = %r["code"], "retrieve failed");
                continue;
            }
            let body = &r["body"];
            let mut last = cursor.clone();
            let mut configs = Vec::new();
            for m in body["messages"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                let Some(hash) = m["hash"].as_str() else {
                    continue;
                };
                last = hash.to_owned();
                let data = m["data"].as_str().unwrap_or_default();
                if *ns == 0 {
                    match self.open_any(hash, data) {
                        Some(crate::messaging::Opened::Message(m)) => page.messages.push(m),
                        Some(crate::messaging::Opened::Group(g)) => page.group_updates.push(g),
                        Some(crate::messaging::Opened::Call(c)) => page.calls.push(c),
                        None => {}
                    }
                    continue;
                }
                let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(data) else {
                    continue;
                };
                if message_hash_in(&me, *ns, &bytes) != hash {
                    tracing::debug!("a retrieved config does not match its hash: skipped");
                    continue;
                }
                configs.push((hash.to_owned(), bytes));
            }
            if body["more"] == true {
                page.more.push(*ns);
            }
            if *ns == 0 {
                page.last_hash = Some(last);
            } else {
                page.configs.push(ConfigMessages {
                    namespace: *ns,
                    messages: configs,
                    last_hash: last,
                });
            }
        }
        Ok(page)
    }

    /// Stores `pushes` in the own swarm and then deletes what they make obsolete, in one
    /// `sequence` (signed stores with a 30-day TTL, then one signed `delete`). Returns the
    /// storage hash of each push that was stored (`None` for one that was not: the sequence
    /// stops at the first failure).
    pub async fn push_configs(&self, pushes: &[PendingPush]) -> Result<Vec<Option<String>>> {
        if pushes.is_empty() {
            return Ok(Vec::new());
        }
        let me = self.account().session_id();
        let obsolete: Vec<String> = {
            let mut all: Vec<String> = pushes.iter().flat_map(|p| p.obsolete.clone()).collect();
            all.sort();
            all.dedup();
            all
        };
        let requests = || self.push_requests(pushes, &obsolete);
        let results = self.own_batch("sequence", requests).await?;
        let stored = pushes
            .iter()
            .enumerate()
            .map(|(i, p)| {
                results
                    .get(i)
                    .filter(|r| r["code"] == 200)
                    .map(|_| message_hash_in(&me, p.namespace, &p.data))
            })
            .collect::<Vec<_>>();
        if let Some(r) = results.get(pushes.len())
            && r["code"] != 200
        {
            tracing::debug!(code = %r["code"], "deleting obsolete configs failed");
        }
        if let Some(i) = stored.iter().position(Option::is_none) {
            let r = results.get(i).cloned().unwrap_or(Value::Null);
            tracing::warn!(code = %r["code"], "a config store failed");
        }
        Ok(stored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Account, OnionClient, OnionConfig};
    use session_rpc::auth::{self, Requirement, flags};
    use session_rpc::request::{self, Request};

    fn messenger(dir: &std::path::Path) -> Messenger {
        let (me, _) = Account::create(dir, &mut rand::rng()).expect("account");
        Messenger::new(me, OnionClient::new(OnionConfig::devnet(), []), Vec::new())
    }

    /// Decodes `requests` as the node would (a `batch` or `sequence`).
    fn decode(method: &str, requests: Vec<Value>) -> Vec<Request> {
        let body = json!({"method": method, "params": {"requests": requests}}).to_string();
        match request::decode(body.as_bytes()) {
            Ok(Request::Batch { requests, sequence }) => {
                assert_eq!(sequence, method == "sequence");
                requests.into_iter().map(|sub| sub.request).collect()
            }
            other => panic!("not a batch: {other:?}"),
        }
    }

    fn verified(account: &session_rpc::types::Account, a: &auth::Auth, msg: &str, flags: u8) {
        let req = Requirement {
            what: "test",
            flags,
            ignore_revocation: false,
        };
        auth::verify(account, a, msg.as_bytes(), &req, |_| Ok(false)).expect("signature verifies");
    }

    #[test]
    fn the_node_reads_our_polls_and_pushes_as_signed_requests() {
        let dir = tempfile::tempdir().expect("dir");
        let m = messenger(dir.path());
        let me = m.account().session_id();
        let cursors: Vec<Value> = POLLED_NAMESPACES
            .iter()
            .map(|ns| m.retrieve_request(*ns, ""))
            .collect();
        let polled = decode("batch", cursors);
        assert_eq!(polled.len(), 5);
        for (r, ns) in polled.iter().zip(POLLED_NAMESPACES) {
            let Request::Retrieve(r) = r else {
                panic!("not a retrieve: {r:?}")
            };
            assert_eq!((r.account.0, r.ns.0), (me.to_bytes(), ns));
            let ts = r.timestamp.expect("signed on a timestamp");
            let msg = format!("retrieve{}{ts}", auth::ns_sig(r.ns));
            verified(
                &r.account,
                r.auth.as_ref().expect("auth"),
                &msg,
                flags::READ,
            );
        }
        let pushes = [2i16, 3].map(|namespace| PendingPush {
            namespace,
            seqno: 1,
            data: vec![namespace as u8; 300],
            obsolete: Vec::new(),
        });
        let obsolete = vec![
            message_hash_in(&me, 2, b"old profile"),
            message_hash_in(&me, 3, b"old contacts"),
        ];
        let pushed = decode("sequence", m.push_requests(&pushes, &obsolete));
        assert_eq!(pushed.len(), 3, "two stores, then the delete");
        for (r, p) in pushed.iter().zip(&pushes) {
            let Request::Store(s) = r else {
                panic!("not a store: {r:?}")
            };
            assert_eq!((s.ns.0, &s.data), (p.namespace, &p.data));
            assert_eq!(s.expiry - s.timestamp, CONFIG_TTL_MS);
            let msg = format!("store{}{}", auth::ns_sig(s.ns), s.sig_timestamp);
            verified(
                &s.account,
                s.auth.as_ref().expect("signed"),
                &msg,
                flags::WRITE,
            );
        }
        let Request::Delete(d) = &pushed[2] else {
            panic!("not a delete: {:?}", pushed[2])
        };
        assert_eq!(d.hashes, obsolete);
        let msg = format!("delete{}", d.hashes.concat());
        verified(&d.account, &d.auth, &msg, flags::DELETE);
    }
}
