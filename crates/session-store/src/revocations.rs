//! Subaccount revocation state: per (account, token), the newest `revoke_subaccount` or
//! `unrevoke_subaccount` that named it, with that request as its proof (opaque here: the caller
//! checks proofs before applying them, as with tombstones).
//!
//! Last writer wins by the request's timestamp; on a tie a revoke beats an unrevoke, so replicas
//! that receive the same requests in any order end in the same state. Per account the newest
//! [`MAX_REVOCATIONS`] revoked tokens and the newest [`MAX_REVOCATIONS`] unrevoked ones are kept.

use crate::codec::{CF_REVOKED, account_prefix, revoked_key};
use crate::error::{DbContext, Error, Result};
use crate::store::Store;
use rocksdb::{Direction, IteratorMode, WriteBatch};
use session_rpc::proof::id_of;
use session_rpc::types::Account;

/// At most this many revoked (and as many unrevoked) subaccount tokens are kept per account,
/// the oldest pruned.
pub const MAX_REVOCATIONS: usize = 50;

const VALUE_VERSION: u8 = 2;

/// One token's revocation state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revocation {
    /// The subaccount token.
    pub token: [u8; 36],
    /// The timestamp of the request that set the state.
    pub timestamp_ms: u64,
    /// Revoked (refused) or unrevoked (usable again).
    pub revoked: bool,
    /// The request, in the caller's proof wire form; empty for a state written before proofs
    /// (such a state is kept and enforced but never sent to peers).
    pub proof: Vec<u8>,
}

impl Revocation {
    /// Whether `self` replaces `old`: newer timestamp, or the same with a revoke over an unrevoke.
    pub fn supersedes(&self, old: &Revocation) -> bool {
        (self.timestamp_ms, self.revoked) > (old.timestamp_ms, old.revoked)
    }

    fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(10 + self.proof.len());
        v.push(VALUE_VERSION);
        v.extend_from_slice(&self.timestamp_ms.to_be_bytes());
        v.push(u8::from(self.revoked));
        v.extend_from_slice(&self.proof);
        v
    }

    fn decode(token: [u8; 36], v: &[u8]) -> Result<Self> {
        let corrupt = || Error::Corrupt {
            what: "revocation value",
        };
        if v.len() == 8 {
            // Before proofs: presence meant revoked.
            return Ok(Self {
                token,
                timestamp_ms: 0,
                revoked: true,
                proof: Vec::new(),
            });
        }
        if v.len() < 10 || v[0] != VALUE_VERSION || v[9] > 1 {
            return Err(corrupt());
        }
        Ok(Self {
            token,
            timestamp_ms: u64::from_be_bytes(v[1..9].try_into().map_err(|_| corrupt())?),
            revoked: v[9] == 1,
            proof: v[10..].to_vec(),
        })
    }

    fn digest(&self) -> [u8; 32] {
        let mut bytes = self.token.to_vec();
        bytes.extend_from_slice(&self.timestamp_ms.to_be_bytes());
        bytes.push(u8::from(self.revoked));
        id_of(&bytes)
    }
}

/// An account's replicable revocation states, condensed for comparison with a peer's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RevocationSummary {
    /// Whose tokens.
    pub account: Account,
    /// How many states (with proofs).
    pub count: u64,
    /// XOR of BLAKE2b-256(token ‖ timestamp ‖ state) over them.
    pub digest: [u8; 32],
}

impl Store {
    /// Applies `rev` unless the stored state for its token supersedes it. Returns the previous
    /// state when `rev` was applied, `Ok(None)` when it was stale.
    pub fn apply_revocation(
        &self,
        account: &Account,
        rev: &Revocation,
    ) -> Result<Option<Option<Revocation>>> {
        let _guard = self.lock();
        let mut all = self.revocations_of(account)?;
        let old = all.iter().position(|r| r.token == rev.token);
        if old.is_some_and(|i| !rev.supersedes(&all[i])) {
            return Ok(None);
        }
        let previous = old.map(|i| all.remove(i));
        let cf = self.cf(CF_REVOKED);
        let mut batch = WriteBatch::default();
        all.retain(|r| r.revoked == rev.revoked);
        all.sort_by_key(|r| (r.timestamp_ms, r.token));
        let excess = (all.len() + 1).saturating_sub(MAX_REVOCATIONS);
        let newest_prunable = all.get(excess.saturating_sub(1));
        if excess > 0 && newest_prunable.is_some_and(|r| !rev.supersedes(r)) {
            // `rev` itself is the oldest of a full list: it is pruned at once.
            return Ok(None);
        }
        for r in &all[..excess] {
            batch.delete_cf(cf, revoked_key(account, &r.token));
        }
        batch.put_cf(cf, revoked_key(account, &rev.token), rev.encode());
        self.write(batch, "recording a revocation")?;
        Ok(Some(previous))
    }

    /// Whether a subaccount token is revoked for `account`.
    pub fn is_revoked(&self, account: &Account, token: &[u8; 36]) -> Result<bool> {
        let key = revoked_key(account, token);
        let value = self
            .db()
            .get_cf(self.cf(CF_REVOKED), key)
            .ctx("reading revocations")?;
        Ok(match value {
            Some(v) => Revocation::decode(*token, &v)?.revoked,
            None => false,
        })
    }

    /// The revocation states of `account` that carry a proof (what peers may be sent).
    pub fn revocations(&self, account: &Account) -> Result<Vec<Revocation>> {
        let mut all = self.revocations_of(account)?;
        all.retain(|r| !r.proof.is_empty());
        Ok(all)
    }

    /// Summaries of the replicable revocation states of every account `wanted` accepts.
    pub fn revocation_summaries(
        &self,
        wanted: impl Fn(&Account) -> bool,
    ) -> Result<Vec<RevocationSummary>> {
        let mut out: Vec<RevocationSummary> = Vec::new();
        for item in self
            .db()
            .iterator_cf(self.cf(CF_REVOKED), IteratorMode::Start)
        {
            let (k, v) = item.ctx("scanning revocations")?;
            let (account, token) = split_key(&k)?;
            if !wanted(&account) {
                continue;
            }
            let rev = Revocation::decode(token, &v)?;
            if rev.proof.is_empty() {
                continue;
            }
            if out.last().is_none_or(|s| s.account != account) {
                out.push(RevocationSummary {
                    account,
                    count: 0,
                    digest: [0; 32],
                });
            }
            let s = out.last_mut().expect("pushed above");
            s.count += 1;
            for (d, x) in s.digest.iter_mut().zip(rev.digest()) {
                *d ^= x;
            }
        }
        Ok(out)
    }

    fn revocations_of(&self, account: &Account) -> Result<Vec<Revocation>> {
        let prefix = account_prefix(account);
        let mut out = Vec::new();
        let iter = self.db().iterator_cf(
            self.cf(CF_REVOKED),
            IteratorMode::From(&prefix, Direction::Forward),
        );
        for item in iter {
            let (k, v) = item.ctx("reading revocations")?;
            if !k.starts_with(&prefix) {
                break;
            }
            let (_, token) = split_key(&k)?;
            out.push(Revocation::decode(token, &v)?);
        }
        Ok(out)
    }
}

fn split_key(k: &[u8]) -> Result<(Account, [u8; 36])> {
    let corrupt = || Error::Corrupt {
        what: "revoked key",
    };
    if k.len() != 69 {
        return Err(corrupt());
    }
    let account = Account(k[..33].try_into().map_err(|_| corrupt())?);
    Ok((account, k[33..].try_into().map_err(|_| corrupt())?))
}
