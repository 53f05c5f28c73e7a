//! Requests to a group's swarm (spec network.md §2.2, crypto.md §4.6): the account is the
//! group (`03…`); admins sign with the group key, members with their subaccount (token, the
//! admin's signature of it, and a request signature under the token key). One `batch` of
//! retrieves polls namespaces 12, 13, 14 and 11; stores go as one `sequence`; revocations
//! and deletions are signed by the group key only.

use crate::error::{Error, Result};
use crate::messaging::{Messenger, b64};
use base64::Engine as _;
use serde_json::{Value, json};
use session_crypto::GroupId;
use session_group::GroupAdmin;
use session_group::subaccount::{self, AuthData, Token};

/// The group namespaces a poll reads, in the order they are applied: keys, info, members,
/// messages.
pub const GROUP_NAMESPACES: [i16; 4] = [12, 13, 14, 11];

/// TTL of group configs (keys, info, members): 30 days.
pub const GROUP_CONFIG_TTL_MS: u64 = crate::sync::CONFIG_TTL_MS;

/// How we sign requests to a group's swarm.
pub enum GroupAuth {
    /// With the group key.
    Admin(Box<GroupAdmin>),
    /// With our subaccount.
    Member(AuthData),
}

impl std::fmt::Debug for GroupAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Admin(_) => "GroupAuth::Admin",
            Self::Member(_) => "GroupAuth::Member",
        })
    }
}

/// One namespace of a group poll.
#[derive(Clone, Debug, Default)]
pub struct GroupNamespacePage {
    /// The namespace.
    pub namespace: i16,
    /// (hash, bytes, swarm timestamp ms) of messages whose hash checked out.
    pub messages: Vec<(String, Vec<u8>, i64)>,
    /// The cursor after this page (`None`: the retrieve failed; keep the old one).
    pub last_hash: Option<String>,
    /// The retrieve's status and reason when it failed.
    pub failure: Option<(u16, String)>,
}

fn ns_str(ns: i16) -> String {
    if ns == 0 {
        String::new()
    } else {
        ns.to_string()
    }
}

impl Messenger {
    /// `params` with the group's account and a signature of `signed` by `auth`.
    pub(crate) fn group_signed(
        &self,
        group: &GroupId,
        auth: &GroupAuth,
        mut params: Value,
        signed: &[u8],
    ) -> Result<Value> {
        params["pubkey"] = json!(group.to_string());
        match auth {
            GroupAuth::Admin(a) => params["signature"] = json!(b64(&a.sign(signed))),
            GroupAuth::Member(d) => {
                let r = subaccount::sign_request(self.account().keys(), d, signed)
                    .map_err(|e| Error::Local(format!("group request signature: {e}")))?;
                params["subaccount"] = json!(b64(&r.token));
                params["subaccount_sig"] = json!(b64(&r.token_signature));
                params["signature"] = json!(b64(&r.signature));
            }
        }
        Ok(params)
    }

    fn group_retrieve_request(
        &self,
        group: &GroupId,
        auth: &GroupAuth,
        ns: i16,
        last_hash: &str,
    ) -> Result<Value> {
        let ts = self.now_ms();
        let params = json!({"namespace": ns, "timestamp": ts, "last_hash": last_hash});
        let signed = format!("retrieve{}{ts}", ns_str(ns));
        let params = self.group_signed(group, auth, params, signed.as_bytes())?;
        Ok(json!({"method": "retrieve", "params": params}))
    }

    /// One signed `retrieve` of the group's swarm outside a batch (what the e2e suite uses to
    /// show a revoked member is refused): the status and body text of the answer.
    pub async fn group_retrieve_raw(
        &self,
        group: &GroupId,
        auth: &GroupAuth,
        ns: i16,
    ) -> Result<(u16, String)> {
        let results = self
            .batch_to(&group.to_string(), "batch", || {
                vec![
                    self.group_retrieve_request(group, auth, ns, "")
                        .unwrap_or(Value::Null),
                ]
            })
            .await?;
        let r = results.first().cloned().unwrap_or(Value::Null);
        let code = u16::try_from(r["code"].as_u64().unwrap_or(0)).unwrap_or(0);
        let body = match &r["body"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        Ok((code, body))
    }

    /// Polls the group's namespaces after their cursors in one `batch`; messages are returned
    /// as stored once their hash checks out.
    pub async fn group_retrieve(
        &self,
        group: &GroupId,
        auth: &GroupAuth,
        cursors: &[(i16, String)],
    ) -> Result<Vec<GroupNamespacePage>> {
        // Signing cannot fail for an admin; a member's auth data was checked when kept.
        let requests = || {
            cursors
                .iter()
                .map(|(ns, last)| {
                    self.group_retrieve_request(group, auth, *ns, last)
                        .unwrap_or(Value::Null)
                })
                .collect::<Vec<_>>()
        };
        let results = self.batch_to(&group.to_string(), "batch", requests).await?;
        let account = session_rpc::types::Account(group.to_bytes());
        let mut out = Vec::new();
        for ((ns, _), r) in cursors.iter().zip(&results) {
            let mut page = GroupNamespacePage {
                namespace: *ns,
                ..Default::default()
            };
            if r["code"] != 200 {
                let code = u16::try_from(r["code"].as_u64().unwrap_or(0)).unwrap_or(0);
                let why = r["body"].as_str().unwrap_or_default().to_owned();
                page.failure = Some((code, why));
                out.push(page);
                continue;
            }
            let mut last = None;
            for m in r["body"]["messages"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                let Some(hash) = m["hash"].as_str() else {
                    continue;
                };
                last = Some(hash.to_owned());
                let data = m["data"].as_str().unwrap_or_default();
                let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(data) else {
                    continue;
                };
                let computed = session_rpc::types::MessageHash::compute(
                    &account,
                    session_rpc::types::Namespace(*ns),
                    &bytes,
                )
                .to_b64();
                if computed != hash {
                    tracing::debug!("a group message does not match its hash: skipped");
                    continue;
                }
                let ts = m["timestamp"].as_i64().unwrap_or(0);
                page.messages.push((hash.to_owned(), bytes, ts));
            }
            page.last_hash = last;
            out.push(page);
        }
        Ok(out)
    }

    /// Stores `items` (namespace, bytes, TTL) in the group's swarm as one `sequence`; returns
    /// each one's hash (`None` from the first that failed on).
    pub async fn group_store(
        &self,
        group: &GroupId,
        auth: &GroupAuth,
        items: &[(i16, Vec<u8>, u64)],
    ) -> Result<Vec<Option<String>>> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let requests = || {
            let ts = self.now_ms();
            items
                .iter()
                .map(|(ns, data, ttl)| {
                    let params =
                        json!({"namespace": ns, "timestamp": ts, "ttl": ttl, "data": b64(data)});
                    let signed = format!("store{}{ts}", ns_str(*ns));
                    self.group_signed(group, auth, params, signed.as_bytes())
                        .map(|p| json!({"method": "store", "params": p}))
                        .unwrap_or(Value::Null)
                })
                .collect::<Vec<_>>()
        };
        let results = self
            .batch_to(&group.to_string(), "sequence", requests)
            .await?;
        let out: Vec<Option<String>> = items
            .iter()
            .enumerate()
            .map(|(i, _)| {
                results
                    .get(i)
                    .filter(|r| r["code"] == 200)
                    .and_then(|r| r["body"]["hash"].as_str().map(str::to_owned))
            })
            .collect();
        if let Some(i) = out.iter().position(Option::is_none) {
            let r = results.get(i).cloned().unwrap_or(Value::Null);
            return Err(Error::Reply(format!(
                "group store failed: {} {}",
                r["code"], r["body"]
            )));
        }
        Ok(out)
    }

    /// Revokes members' tokens on the group's swarm (group key only).
    pub async fn group_revoke(
        &self,
        group: &GroupId,
        admin: &GroupAdmin,
        tokens: &[Token],
    ) -> Result<()> {
        if tokens.is_empty() {
            return Ok(());
        }
        let body = || {
            let ts = self.now_ms();
            let mut signed = format!("revoke_subaccount{ts}").into_bytes();
            for t in tokens {
                signed.extend_from_slice(t);
            }
            let list: Vec<String> = tokens.iter().map(|t| b64(t)).collect();
            let params = json!({"pubkey": group.to_string(), "revoke": list, "timestamp": ts,
                "signature": b64(&admin.sign(&signed))});
            json!({"method": "revoke_subaccount", "params": params})
        };
        self.to_swarm(&group.to_string(), body).await.map(drop)
    }

    /// Deletes `hashes` from the group's swarm (group key only).
    pub async fn group_delete(
        &self,
        group: &GroupId,
        admin: &GroupAdmin,
        hashes: &[String],
    ) -> Result<()> {
        if hashes.is_empty() {
            return Ok(());
        }
        let signed = format!("delete{}", hashes.concat());
        let body = || {
            let params = json!({"pubkey": group.to_string(), "messages": hashes,
                "signature": b64(&admin.sign(signed.as_bytes()))});
            json!({"method": "delete", "params": params})
        };
        self.to_swarm(&group.to_string(), body).await.map(drop)
    }
}
