//! What a poll changes for groups, in the poll's transaction: a group's own poll (its dumps,
//! members, messages and the cursors of namespaces 11-14, [`History::apply_group_poll`]), and
//! the invitations and promotions that come 1:1 with the own swarm's poll (applied by
//! `apply_batch` with namespace 0's messages: [`apply_updates`]). An invitation is kept only
//! when the admin's signature and our auth data verify; a promotion only when the seed is the
//! group's; anything else is refused (reported, nothing stored).

use super::messages::delete_messages;
use super::{GroupMessage, GroupReaction, apply_reaction, insert_message, save_state};
use crate::history::configs::UserConfigs;
use crate::history::{History, HistoryError};
use rusqlite::{Connection, params};
use session_config::user::{GroupInfo, GroupSeed};
use session_crypto::{GroupId, IdentityKeys};
use session_group::Dumps;
use session_group::configs::Member;
use session_protocol::group::GroupUpdate;

/// A group control message that came 1:1 (an invitation or a promotion), not yet verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupUpdateIn {
    /// The sender's Session ID.
    pub sender: String,
    /// Its signed send time, ms (what the admin signature covers).
    pub sent_at_ms: u64,
    /// Its storage hash (in our namespace 0).
    pub hash: String,
    /// The message.
    pub update: GroupUpdate,
}

/// An invitation kept by a poll.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitation {
    /// `03…`.
    pub group_id: String,
    /// The group's name as the invitation gives it.
    pub name: String,
    /// Who sent it.
    pub inviter: String,
}

/// One group's poll, ready to commit.
#[derive(Debug, Default)]
pub struct GroupPoll {
    /// The group (`None` only in `Default`).
    pub group: Option<GroupId>,
    /// The state after the poll.
    pub dumps: Dumps,
    /// Name and description after the poll.
    pub info: (String, String),
    /// The info config says the group was destroyed.
    pub destroyed: bool,
    /// The members after the poll.
    pub members: Vec<Member>,
    /// Messages that decrypted from members (texts and notices).
    pub messages: Vec<GroupMessage>,
    /// Hashes deleted for everyone (by an admin, or by their author).
    pub deleted: Vec<String>,
    /// Reactions (and removals) from members.
    pub reactions: Vec<GroupReaction>,
    /// (namespace, cursor) of every namespace polled.
    pub cursors: Vec<(i16, String)>,
}

/// What committing a group poll changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupApplied {
    /// Messages not seen before.
    pub new: Vec<GroupMessage>,
    /// Messages deleted for everyone that were here.
    pub deleted: usize,
}

impl History {
    /// Commits one group's poll in one transaction: state, members, new messages, deletions,
    /// cursors.
    pub fn apply_group_poll(&self, p: &GroupPoll) -> Result<GroupApplied, HistoryError> {
        let Some(id) = p.group else {
            return Ok(GroupApplied::default());
        };
        let gid = id.to_string();
        self.change(|db, _| {
            save_state(db, &id, &p.dumps, &p.info.0, &p.info.1, &p.members)?;
            db.execute(
                "UPDATE groups SET destroyed = ?2 WHERE id = ?1",
                params![gid, p.destroyed],
            )?;
            let mut out = GroupApplied::default();
            for m in &p.messages {
                if insert_message(db, m)? {
                    out.new.push(m.clone());
                }
            }
            for r in &p.reactions {
                apply_reaction(db, &gid, r)?;
            }
            out.deleted = delete_messages(db, &gid, &p.deleted)?;
            for (ns, last) in &p.cursors {
                set_cursor(db, &gid, *ns, last)?;
            }
            Ok(out)
        })
    }
}

fn set_cursor(db: &Connection, gid: &str, ns: i16, last: &str) -> Result<(), HistoryError> {
    db.execute(
        "INSERT INTO group_cursors (group_id, namespace, last_hash) VALUES (?1, ?2, ?3)
         ON CONFLICT (group_id, namespace) DO UPDATE SET last_hash = excluded.last_hash",
        params![gid, ns, last],
    )?;
    Ok(())
}

/// Applies the invitations and promotions of a 1:1 poll. Returns the invitations kept and a
/// line for each update refused.
pub(crate) fn apply_updates(
    db: &Connection,
    cfg: Option<&mut UserConfigs>,
    me: Option<&IdentityKeys>,
    updates: &[GroupUpdateIn],
) -> Result<(Vec<Invitation>, Vec<String>), HistoryError> {
    let (mut kept, mut refused) = (Vec::new(), Vec::new());
    if updates.is_empty() {
        return Ok((kept, refused));
    }
    let (Some(cfg), Some(me)) = (cfg, me) else {
        return Err(HistoryError::NoAccount);
    };
    for u in updates {
        match apply_one(db, cfg, me, u) {
            Ok(Some(i)) => kept.push(i),
            Ok(None) => {}
            Err(why) => refused.push(format!("group update from {}: {why}", u.sender)),
        }
    }
    Ok((kept, refused))
}

/// One update; `Err` is a refusal with why (nothing stored).
fn apply_one(
    db: &Connection,
    cfg: &mut UserConfigs,
    me: &IdentityKeys,
    u: &GroupUpdateIn,
) -> Result<Option<Invitation>, String> {
    match &u.update {
        GroupUpdate::Invite {
            group,
            name,
            auth_data,
            admin_signature,
        } => {
            let auth = session_group::control::accept_invite(
                group,
                me,
                u.sent_at_ms,
                admin_signature,
                auth_data,
            )
            .map_err(|e| format!("invitation refused: {e}"))?;
            let mut entry = cfg
                .groups
                .get_group(group)
                .unwrap_or_else(|| GroupInfo::new(*group));
            if entry.secret.is_some() || (!entry.common.invited && entry.auth_data.is_some()) {
                return Ok(None); // already in it
            }
            entry.name = name.clone();
            entry.auth_data = Some(*auth.as_bytes());
            entry.common.invited = true;
            entry.common.joined_at = i64::try_from(u.sent_at_ms / 1000).unwrap_or(0);
            cfg.groups.set_group(&entry).map_err(|e| e.to_string())?;
            db.execute(
                "INSERT INTO groups (id, name, invited_by) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET invited_by = excluded.invited_by",
                params![group.to_string(), name, u.sender],
            )
            .map_err(|e| e.to_string())?;
            Ok(Some(Invitation {
                group_id: group.to_string(),
                name: name.clone(),
                inviter: u.sender.clone(),
            }))
        }
        GroupUpdate::Promote { seed, name } => {
            let known: Vec<GroupInfo> = cfg.groups.groups();
            let entry = known
                .into_iter()
                .find(|g| session_group::GroupAdmin::from_secret(&seed[..], &g.id).is_ok())
                .ok_or_else(|| format!("promotion to {name}: no group of ours has that key"))?;
            let mut entry = entry;
            entry.secret = Some(GroupSeed::from_bytes(**seed));
            cfg.groups.set_group(&entry).map_err(|e| e.to_string())?;
            Ok(None)
        }
        other => Err(format!("{other:?} is not sent 1:1")),
    }
}
