//! Communities (SOGS servers) in the client: joining by URL, polling, posting, reactions,
//! moderation and blinded DMs, every request a signed v4 payload through a 3-hop onion path
//! ([`api`]). The joined rooms are the `UserGroups` config, so the account's other devices
//! join and leave with it; read marks go into `ConvoInfoVolatile`.
//!
//! * [`url`] — join URLs and server URLs.
//! * [`api`] — signing (blind15, or unblinded on servers without `blind`), single requests,
//!   `/batch` and `/sequence`.
//! * [`poll`] — one `/batch` per server and round; answers verified into a poll the history
//!   applies in one transaction with its cursors.
//! * `posts`, `moderation`, `dm` — what a user does (as methods of [`Chat`]).

pub mod api;
mod dm;
mod moderation;
pub mod poll;
pub mod posts;
pub mod url;

pub use dm::DmSent;
pub use moderation::Scope;

use crate::chat::{Chat, local};
use crate::error::{Error, Result};
use crate::history::community::{CommunityApplied, Joined, JoinedRoom, RoomChange};
use api::{Api, Call};
use poll::{PolledRoom, Reader, Slot};
use session_crypto::blinding::blind15_keypair;
use url::{CommunityServer, RoomAddr};

/// How often `watch` polls the community servers (each round is one request per server).
pub const POLL_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

/// Rooms polled in one batch (two requests each).
const ROOMS_PER_BATCH: usize = 28;

/// What one poll of every server brought.
#[derive(Clone, Debug, Default)]
pub struct Round {
    /// The changes applied.
    pub applied: CommunityApplied,
    /// Servers that could not be polled (base URL, why); their cursors did not move.
    pub failed: Vec<(String, String)>,
}

pub(crate) fn refused(what: impl Into<String>) -> Error {
    Error::Community {
        status: 0,
        what: what.into(),
    }
}

impl Chat {
    /// Whether requests to `base_url` are signed blinded: yes unless its capabilities are
    /// known and lack `blind`.
    fn blinded(&self, base_url: &str) -> Result<bool> {
        let state = self.history().community_server(base_url).map_err(local)?;
        Ok(state
            .capabilities
            .is_none_or(|c| c.iter().any(|x| x == "blind")))
    }

    pub(crate) fn api<'a>(&'a self, server: &'a CommunityServer, blind: bool) -> Api<'a> {
        Api::new(
            self.messenger().onion(),
            self.messenger().account().keys(),
            server,
            blind,
        )
    }

    /// Our IDs on `server`: the blind15 ID and the Session ID.
    pub fn community_ids(&self, server: &CommunityServer) -> Vec<String> {
        let keys = self.messenger().account().keys();
        vec![
            blind15_keypair(keys, &server.pubkey).id().to_string(),
            keys.session_id().to_string(),
        ]
    }

    fn reader(&self, server: &CommunityServer) -> Reader<'_> {
        Reader {
            keys: self.messenger().account().keys(),
            server_pk: server.pubkey,
            me: self.community_ids(server),
        }
    }

    /// Joins the room of `url`: checks the server's capabilities, reads the room and its
    /// recent posts (one `/sequence`), stores them and adds the room to `UserGroups` (pushed
    /// to the account's other devices).
    pub async fn community_join(&self, url: &str) -> Result<RoomAddr> {
        let room = RoomAddr::parse(url)?;
        let rooms = [PolledRoom {
            token: room.token.clone(),
            seqno: None,
            info_updates: 0,
        }];
        let plan = poll::calls(&rooms, false, None);
        let (slots, calls): (Vec<Slot>, Vec<Call>) = plan.into_iter().unzip();
        let answers = self.api(&room.server, true).batch(&calls, true).await?;
        if let Some(a) = answers.first().filter(|a| a.code != 200) {
            return Err(refused(format!(
                "the server's /capabilities answered {}: not a community server?",
                a.code
            )));
        }
        if let Some(a) = answers.get(1).filter(|a| a.code != 200) {
            let what = format!("room `{}`", room.token);
            return Err(a.clone().ok(&what).err().unwrap_or_else(|| refused(what)));
        }
        let got = self
            .reader(&room.server)
            .read(&room.server.base_url, &rooms, &slots, answers);
        let caps = got.capabilities.clone().unwrap_or_default();
        if !caps.iter().any(|c| c == "sogs") {
            return Err(refused("the server does not offer the `sogs` capability"));
        }
        let Some(r) = got.rooms.first() else {
            return Err(refused(format!("room `{}` could not be read", room.token)));
        };
        let posts: Vec<_> = r
            .changes
            .iter()
            .filter_map(|c| match c {
                RoomChange::Upsert(p) => Some(p.clone()),
                _ => None,
            })
            .collect();
        let (info_updates, name) = r.info.clone().unwrap_or_default();
        let joined = Joined {
            base_url: &room.server.base_url,
            token: &room.token,
            pubkey: room.server.pubkey,
            capabilities: &caps,
            name: &name,
            seqno: r.seqno.unwrap_or(0),
            info_updates,
            perms: r.perms.unwrap_or_default(),
            posts: &posts,
        };
        self.history()
            .community_join(&joined, self.messenger().now_ms())
            .map_err(local)?;
        self.sync_configs().await;
        Ok(room)
    }

    /// Leaves the room of `url` (here and, through `UserGroups`, on the other devices).
    pub async fn community_leave(&self, url: &str) -> Result<bool> {
        let room = RoomAddr::parse(url)?;
        let was = self
            .history()
            .community_leave(&room.server.base_url, &room.token)
            .map_err(local)?;
        self.sync_configs().await;
        Ok(was)
    }

    /// The joined rooms (with unread counts).
    pub fn communities(&self) -> Result<Vec<JoinedRoom>> {
        self.history().community_rooms().map_err(local)
    }

    /// The joined room of `url` (an error when it is not joined).
    pub(crate) fn joined(&self, url: &str) -> Result<(RoomAddr, JoinedRoom)> {
        let addr = RoomAddr::parse(url)?;
        let room = self
            .communities()?
            .into_iter()
            .find(|r| {
                r.base_url == addr.server.base_url && r.token.eq_ignore_ascii_case(&addr.token)
            })
            .ok_or_else(|| refused(format!("not joined to {} (community join URL)", addr.url())))?;
        Ok((addr, room))
    }

    /// Polls every server with joined rooms: one `/batch` per server (per 28 rooms) for all
    /// its rooms and its DMs, applied with the cursors in one transaction per server. A
    /// server that fails is reported in [`Round::failed`] and the others go on.
    pub async fn poll_communities(&self) -> Result<Round> {
        let mut by_server: Vec<(CommunityServer, Vec<PolledRoom>)> = Vec::new();
        for r in self.communities()? {
            let server = CommunityServer::new(&r.base_url, r.pubkey)?;
            let polled = PolledRoom {
                token: r.token,
                seqno: r.seqno,
                info_updates: r.info_updates,
            };
            match by_server.iter_mut().find(|(s, _)| *s == server) {
                Some((_, rooms)) => rooms.push(polled),
                None => by_server.push((server, vec![polled])),
            }
        }
        let mut round = Round::default();
        for (server, rooms) in by_server {
            for (n, chunk) in rooms.chunks(ROOMS_PER_BATCH).enumerate() {
                match self.poll_server(&server, chunk, n == 0).await {
                    Ok(a) => merge(&mut round.applied, a),
                    Err(e) => round.failed.push((server.base_url.clone(), e.to_string())),
                }
            }
        }
        self.after_dms(&round.applied).await?;
        Ok(round)
    }

    async fn poll_server(
        &self,
        server: &CommunityServer,
        rooms: &[PolledRoom],
        with_dms: bool,
    ) -> Result<CommunityApplied> {
        let state = self
            .history()
            .community_server(&server.base_url)
            .map_err(local)?;
        let blind = self.blinded(&server.base_url)?;
        let dms = (with_dms && blind).then_some((state.inbox_since, state.outbox_since));
        let plan = poll::calls(rooms, state.capabilities.is_some(), dms);
        let (slots, calls): (Vec<Slot>, Vec<Call>) = plan.into_iter().unzip();
        let answers = self.api(server, blind).batch(&calls, false).await?;
        let got = self
            .reader(server)
            .read(&server.base_url, rooms, &slots, answers);
        for why in &got.refused {
            tracing::warn!(%why, "community poll: item skipped");
        }
        self.history().apply_community_poll(&got).map_err(local)
    }
}

fn merge(all: &mut CommunityApplied, a: CommunityApplied) {
    all.new.extend(a.new);
    all.edited.extend(a.edited);
    all.deleted.extend(a.deleted);
    all.reactions.extend(a.reactions);
    all.dms.extend(a.dms);
    all.refused.extend(a.refused);
}
