//! One nemesis client: owns a few accounts (so each account's operations are sequential) and
//! makes signed stores, paged retrieves with a cursor per node, deletes and expiry changes on
//! them at random members of their swarm, recording each in the history.

use super::history::{Answer, History, NodeId, Op, Request};
use super::rpc::{self, Target};
use super::topology::Shared;
use crate::now_ms;
use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng as _};
use session_crypto::IdentityKeys;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The namespaces every account is used in: the public inbox (unsigned stores), a private
/// config namespace and a group-message namespace (signed stores).
pub const NAMESPACES: [i16; 3] = [0, 2, 11];

/// Stores live this long (longer than any run: nothing expires during a run).
pub const TTL_MS: u64 = 60 * 60 * 1000;

/// What every client shares.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// The accounts (a client owns those whose index is its own modulo the client count).
    pub users: Arc<Vec<IdentityKeys>>,
    /// The swarms.
    pub topology: Shared,
    /// Where operations go.
    pub history: Arc<History>,
    /// Set to stop the clients.
    pub stop: Arc<AtomicBool>,
}

/// A client's knowledge of one (account, namespace).
#[derive(Clone, Debug, Default)]
pub struct Stream {
    /// Hashes it stored (acknowledged or maybe) and has not tried to delete.
    pub live: Vec<String>,
    /// Its retrieve cursor at each node.
    pub cursors: BTreeMap<NodeId, String>,
}

/// One client and what it knows.
#[derive(Debug)]
pub struct Client {
    /// Its number.
    pub id: usize,
    /// Its accounts (indexes into the users).
    pub accounts: Vec<usize>,
    /// Per (account, namespace).
    pub streams: BTreeMap<(usize, i16), Stream>,
    rng: StdRng,
    stored: u64,
    http: reqwest::Client,
    ctx: Ctx,
}

impl Client {
    /// Client `id` of `clients`, owning every account `a` with `a % clients == id`.
    pub fn new(id: usize, clients: usize, seed: u64, ctx: Ctx) -> Self {
        let accounts = (0..ctx.users.len()).filter(|a| a % clients == id).collect();
        Self {
            id,
            accounts,
            streams: BTreeMap::new(),
            rng: StdRng::seed_from_u64(seed ^ (id as u64).wrapping_mul(0x9e37_79b9)),
            stored: 0,
            http: rpc::http(),
            ctx,
        }
    }

    /// Makes operations until told to stop, pausing `pause_ms` between them.
    pub async fn run(mut self, pause_ms: u64) -> Self {
        while !self.ctx.stop.load(Ordering::Relaxed) {
            self.step().await;
            let jitter = self.rng.random_range(0..=pause_ms);
            tokio::time::sleep(Duration::from_millis(pause_ms / 2 + jitter)).await;
        }
        self
    }

    /// One random operation on one of its streams.
    pub async fn step(&mut self) {
        if self.accounts.is_empty() {
            return;
        }
        let account = self.accounts[self.rng.random_range(0..self.accounts.len())];
        let ns = NAMESPACES[self.rng.random_range(0..NAMESPACES.len())];
        let Some(to) = self.pick(account) else {
            return;
        };
        let roll = self.rng.random_range(0..100u32);
        let live = self.streams.entry((account, ns)).or_default().live.len();
        match roll {
            0..45 => self.store(account, ns, &to).await,
            45..70 => {
                self.retrieve(account, ns, &to).await;
            }
            70..82 if live > 0 => self.delete(account, ns, &to).await,
            82..100 if live > 0 => self.expire(account, ns, &to).await,
            _ => self.store(account, ns, &to).await,
        }
    }

    fn pick(&mut self, account: usize) -> Option<Target> {
        let members = self.ctx.topology.get().members(&self.ctx.users[account]);
        (!members.is_empty()).then(|| members[self.rng.random_range(0..members.len())].clone())
    }

    async fn store(&mut self, account: usize, ns: i16, to: &Target) {
        self.stored += 1;
        let pad = self.rng.random_range(0..1500usize);
        let mut data = format!("c{} a{account} n{ns} #{} ", self.id, self.stored).into_bytes();
        data.extend(std::iter::repeat_n(b'x', pad));
        let user = &self.ctx.users[account];
        let start = now_ms();
        let (req, ans) = rpc::store(&self.http, to, user, ns, data, TTL_MS).await;
        if let Request::Store { hash, .. } = &req
            && !matches!(ans, Answer::Refused { .. })
        {
            self.streams
                .entry((account, ns))
                .or_default()
                .live
                .push(hash.clone());
        }
        self.record(account, ns, to, start, req, ans);
    }

    /// One page after this node's cursor; the cursor moves to the last hash returned.
    pub async fn retrieve(&mut self, account: usize, ns: i16, to: &Target) -> Option<bool> {
        let after = self
            .streams
            .entry((account, ns))
            .or_default()
            .cursors
            .get(&to.id)
            .cloned()
            .unwrap_or_default();
        let max_count = self.rng.random_range(1..=25u32);
        let user = &self.ctx.users[account];
        let start = now_ms();
        let (req, ans) = rpc::retrieve(&self.http, to, user, ns, &after, max_count).await;
        let more = match &ans {
            Answer::Retrieved { messages, more } => {
                // Every node answered once has a cursor ("" until it returns a message), so
                // `finish_cursors` walks it to its end.
                let stream = self.streams.entry((account, ns)).or_default();
                let cursor = stream.cursors.entry(to.id.clone()).or_default();
                if let Some(last) = messages.last() {
                    cursor.clone_from(&last.hash);
                }
                Some(*more)
            }
            _ => None,
        };
        self.record(account, ns, to, start, req, ans);
        more
    }

    async fn delete(&mut self, account: usize, ns: i16, to: &Target) {
        let hashes = self.take_some(account, ns, true);
        let user = &self.ctx.users[account];
        let start = now_ms();
        let (req, ans) = rpc::delete(&self.http, to, user, hashes.clone()).await;
        if matches!(ans, Answer::Refused { .. }) {
            self.streams
                .entry((account, ns))
                .or_default()
                .live
                .extend(hashes);
        }
        self.record(account, ns, to, start, req, ans);
    }

    async fn expire(&mut self, account: usize, ns: i16, to: &Target) {
        let hashes = self.take_some(account, ns, false);
        let expiry = now_ms() + self.rng.random_range(40..80u64) * 60_000;
        let user = &self.ctx.users[account];
        let start = now_ms();
        let (req, ans) = rpc::expire(&self.http, to, user, hashes, expiry).await;
        self.record(account, ns, to, start, req, ans);
    }

    /// 1-3 live hashes (removed from the live list when `remove`).
    fn take_some(&mut self, account: usize, ns: i16, remove: bool) -> Vec<String> {
        let n = self.rng.random_range(1..=3usize);
        let stream = self.streams.entry((account, ns)).or_default();
        let mut out = Vec::new();
        for _ in 0..n.min(stream.live.len()) {
            let i = self.rng.random_range(0..stream.live.len());
            if remove {
                out.push(stream.live.swap_remove(i));
            } else if !out.contains(&stream.live[i]) {
                out.push(stream.live[i].clone());
            }
        }
        out
    }

    fn record(&self, account: usize, ns: i16, to: &Target, start: u64, req: Request, ans: Answer) {
        self.ctx.history.push(Op {
            client: self.id,
            account,
            ns,
            node: to.id.clone(),
            start_ms: start,
            end_ms: now_ms(),
            request: req,
            answer: ans,
        });
    }

    /// After healing: walks every cursor to its end (at most 200 pages each), so the checker
    /// can tell whether a cursor ever skipped a message.
    pub async fn finish_cursors(&mut self) {
        let topology = self.ctx.topology.get();
        let keys: Vec<(usize, i16)> = self.streams.keys().copied().collect();
        for (account, ns) in keys {
            for to in topology.members(&self.ctx.users[account]) {
                if !self.streams[&(account, ns)].cursors.contains_key(&to.id) {
                    continue;
                }
                for _ in 0..200 {
                    if self.retrieve(account, ns, &to).await != Some(true) {
                        break;
                    }
                }
            }
        }
    }
}
