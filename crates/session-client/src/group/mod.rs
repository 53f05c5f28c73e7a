//! Groups v2 ("03" groups) in the client, over `session-group`: a group is its own account
//! whose swarm holds its messages (namespace 11), keys (12), info (13) and members (14).
//!
//! * [`swarm`] — requests to a group's swarm, signed by the group key (admins) or a
//!   subaccount (members): one `batch` of retrieves per poll, `sequence`s of stores,
//!   revocations, deletions.
//! * `admin` — create, invite, remove (rekey + revoke), promote, destroy.
//! * `info` — rename, describe, the disappearing timer (and the expiry it gives messages).
//! * `delete` — deleting messages for everyone: an author's unsend, an admin's deletion.
//! * `member` — accept or decline an invitation, send a message, leave.
//! * `poll` — poll every group of `UserGroups`: keys, then info and members, then messages,
//!   committed with the cursors in one transaction per group; refused input is reported and
//!   stores nothing.
//!
//! Invitations and promotions come 1:1 and are verified when the own swarm's poll is applied
//! (`history::groups`). The groups we are in (or invited to) are the `UserGroups` config —
//! with the group key `K` for admins, our auth data `s` for members — so the account's other
//! devices see them and poll them.

mod admin;
mod decode;
mod delete;
mod info;
mod member;
mod notice;
mod poll;
pub mod swarm;

pub use info::{MAX_TIMER_SECS, MIN_TIMER_SECS};
pub use poll::GroupRound;
pub use swarm::{GROUP_NAMESPACES, GroupAuth};

use crate::chat::{Chat, local};
use crate::error::{Error, Result};
use crate::history::groups::admin_of;
use session_config::user::GroupInfo as Entry;
use session_crypto::{GroupId, SessionId};
use session_group::Group;
use session_group::subaccount::AuthData;
use session_protocol::proto::Content;

/// A group opened for an operation: the group state, how we sign, our `UserGroups` entry.
pub(crate) struct Open {
    pub(crate) group: Group,
    pub(crate) auth: GroupAuth,
    pub(crate) entry: Entry,
}

/// A message we stored in the group.
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    /// Its storage hash.
    pub(crate) hash: String,
    /// Its send time, ms.
    pub(crate) at_ms: u64,
    /// When it disappears (the group's timer), ms.
    pub(crate) expires_at_ms: Option<u64>,
}

/// The storage hash of `data` in the group's `namespace`.
pub fn group_hash(group: &GroupId, namespace: i16, data: &[u8]) -> String {
    session_rpc::types::MessageHash::compute(
        &session_rpc::types::Account(group.to_bytes()),
        session_rpc::types::Namespace(namespace),
        data,
    )
    .to_b64()
}

/// A group ID from text (`03` + 64 hex digits).
pub fn parse_group_id(s: &str) -> Result<GroupId> {
    s.parse::<GroupId>()
        .map_err(|e| Error::Local(format!("{s}: not a group ID (03…): {e}")))
}

/// Checks a message hash from text (43 characters of unpadded base64, as the swarm gives
/// them).
pub fn parse_hash(s: &str) -> Result<()> {
    match session_rpc::types::MessageHash::from_b64(s) {
        Some(_) => Ok(()),
        None => Err(Error::Local(format!(
            "{s}: not a message hash (43 characters of base64, from `group history`)"
        ))),
    }
}

pub(crate) fn group_err(e: session_group::Error) -> Error {
    Error::Local(format!("group: {e}"))
}

impl Chat {
    /// Opens a group we are in (or invited to) from `UserGroups` and the local dumps.
    pub(crate) fn open_group(&self, id: &GroupId) -> Result<Open> {
        let entry = self
            .history()
            .group_secrets(id)
            .map_err(local)?
            .ok_or_else(|| Error::Local(format!("not in group {id}")))?
            .entry;
        let dumps = self.history().group_dumps(id).map_err(local)?;
        let seed = self.messenger().account().keys().seed();
        let admin = admin_of(&entry);
        let auth = match (&admin, &entry.auth_data) {
            (Some(a), _) => GroupAuth::Admin(Box::new(a.duplicate())),
            (None, Some(s)) => GroupAuth::Member(AuthData::from_bytes(s).map_err(group_err)?),
            (None, None) => return Err(Error::Local(format!("group {id}: no key nor auth data"))),
        };
        let group = Group::restore(seed, *id, admin, &dumps).map_err(group_err)?;
        Ok(Open { group, auth, entry })
    }

    /// Saves an opened group's state (and its `UserGroups` entry when `entry`).
    pub(crate) fn save_open(&self, g: &mut Open, entry: bool) -> Result<()> {
        let dumps = g.group.dumps();
        let info = (
            g.group.info().name().unwrap_or_default(),
            g.group.info().description().unwrap_or_default(),
        );
        let members = g.group.members().list();
        let id = g.group.id();
        self.history()
            .save_group(
                entry.then_some(&g.entry),
                &dumps,
                (&info.0, &info.1),
                &members,
                &id,
            )
            .map_err(local)
    }

    /// Stores `keys_message` (loading it first under its hash) and the configs that need a
    /// push, in one `sequence`; confirms the pushes and deletes what they made obsolete.
    pub(crate) async fn push_group(&self, g: &mut Open, keys_message: Option<&[u8]>) -> Result<()> {
        let id = g.group.id();
        let now = self.messenger().now_ms();
        let mut items = Vec::new();
        if let Some(k) = keys_message {
            let hash = group_hash(&id, 12, k);
            g.group
                .load_keys(&hash, k, crate::history::ms(now))
                .map_err(group_err)?;
            items.push((12, k.to_vec(), swarm::GROUP_CONFIG_TTL_MS));
        }
        // A promoted admin's first push says the promotion was taken up.
        let me = self.messenger().account().session_id();
        if let Some(mut rec) = g.group.members().get(&me)
            && rec.admin
            && rec.promotion_status != 0
        {
            rec.promotion_status = 0;
            g.group.members_mut().set(&rec).map_err(group_err)?;
        }
        let info = g.group.push_info().map_err(group_err)?;
        let members = g.group.push_members().map_err(group_err)?;
        let mut obsolete = Vec::new();
        for (ns, p) in [(13i16, &info), (14, &members)] {
            if let Some(p) = p {
                items.push((ns, p.data.clone(), swarm::GROUP_CONFIG_TTL_MS));
                obsolete.extend(p.obsolete.iter().cloned());
            }
        }
        self.messenger().group_store(&id, &g.auth, &items).await?;
        if let Some(p) = &info {
            let h = group_hash(&id, 13, &p.data);
            g.group.info_mut().config_mut().confirm_pushed(p.seqno, &h);
        }
        if let Some(p) = &members {
            let h = group_hash(&id, 14, &p.data);
            g.group
                .members_mut()
                .config_mut()
                .confirm_pushed(p.seqno, &h);
        }
        if let (GroupAuth::Admin(a), false) = (&g.auth, obsolete.is_empty())
            && let Err(e) = self.messenger().group_delete(&id, a, &obsolete).await
        {
            tracing::debug!(error = %e, "deleting obsolete group configs failed");
        }
        Ok(())
    }

    /// Encrypts `content` for the group and stores it in namespace 11. With `disappears`, it
    /// carries the group's timer (and is stored for that long).
    pub(crate) async fn send_to_group(
        &self,
        g: &Open,
        disappears: bool,
        content: impl FnOnce(u64) -> Content,
    ) -> Result<Sent> {
        let id = g.group.id();
        let sent = self.messenger().now_ms();
        let expiry = if disappears {
            info::expiry_of(&g.group)
        } else {
            crate::content::Expiry::Off
        };
        let mut c = content(sent);
        expiry.write_to(&mut c);
        let plain = session_protocol::group::envelope_bytes(&id, &c, sent)
            .map_err(|e| Error::Local(e.to_string()))?;
        let data = g
            .group
            .encrypt_message(&plain, &mut rand::rng())
            .map_err(group_err)?;
        let ttl = info::ttl_ms(expiry);
        let stored = self
            .messenger()
            .group_store(&id, &g.auth, &[(11, data.clone(), ttl)])
            .await?;
        let hash = stored
            .into_iter()
            .next()
            .flatten()
            .unwrap_or_else(|| group_hash(&id, 11, &data));
        Ok(Sent {
            hash,
            at_ms: sent,
            expires_at_ms: info::expires_at(expiry, sent),
        })
    }

    /// Sends a control message 1:1 (an invitation, a promotion).
    pub(crate) async fn send_one_to_one(
        &self,
        to: &SessionId,
        content: impl FnOnce(u64) -> Content,
    ) -> Result<String> {
        let sent = self.messenger().now_ms();
        let (bytes, _) = self.messenger().seal(to, &content(sent), sent)?;
        self.messenger()
            .store(to, &bytes, sent, crate::content::DEFAULT_TTL_MS)
            .await
    }
}

#[cfg(test)]
mod tests;
