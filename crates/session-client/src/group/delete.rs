//! Deleting group messages for everyone (`GroupUpdateDeleteMemberContentMessage`, spec
//! crypto.md §2.4, §4.7; desktop's `unsendMessagesForEveryoneGroupV2` and
//! `handleGroupUpdateDeleteMemberContentMessage`).
//!
//! * A member unsends their own messages: an unsigned notice naming the hashes. Members'
//!   subaccounts cannot delete from the swarm; an admin whose poll reads the unsend deletes
//!   those hashes there (our choice, recorded in ARCHITECTURE.md).
//! * An admin deletes any messages (hashes) and all of a member's messages (`members`): the
//!   hashes go from the swarm first, then a notice signed by the group key over
//!   `DELETE_CONTENT ‖ timestamp ‖ members ‖ hashes`.
//!
//! Receivers delete only messages sent up to the notice's time; an unsigned notice deletes
//! only its sender's own messages, and one that names someone else's message (or any
//! member) is refused whole with a line saying why: nothing changes.

use super::notice::describe;
use super::{GroupAuth, GroupRound, Open};
use crate::chat::{Chat, local};
use crate::error::{Error, Result};
use crate::history::groups::GroupPoll;
use session_crypto::{GroupId, SessionId};
use session_group::GroupAdmin;
use session_group::control::{self, Control, DeleteAuthority};
use session_protocol::group::{self as wire, GroupUpdate};

/// A deletion read from the group, its authority checked (`control::check_delete`).
#[derive(Debug, Clone)]
pub(crate) struct Deletion {
    /// The notice's hash.
    pub(crate) notice: String,
    /// Who sent it.
    pub(crate) by: SessionId,
    /// An admin's, or the sender's own messages only.
    pub(crate) authority: DeleteAuthority,
    /// Members all of whose messages go (admins only).
    pub(crate) members: Vec<SessionId>,
    /// Messages that go.
    pub(crate) hashes: Vec<String>,
    /// The notice's send time: later messages are not touched.
    pub(crate) at_ms: u64,
}

/// The hashes `d` deletes here: `author_of(hash)` gives a message's (sender, send time) when
/// it is here, `hashes_of(member, up_to)` a member's messages sent up to a time. `Err` (why)
/// when it names a message its authority does not cover: the whole deletion is refused.
pub(crate) fn resolve(
    d: &Deletion,
    author_of: impl Fn(&str) -> Option<(String, u64)>,
    hashes_of: impl Fn(&SessionId, u64) -> Vec<String>,
) -> std::result::Result<Vec<String>, String> {
    let mut out = Vec::new();
    for h in &d.hashes {
        let Some((sender, sent)) = author_of(h) else {
            continue; // not here (never seen, expired or deleted already)
        };
        if sent > d.at_ms {
            continue;
        }
        let covered = sender
            .parse::<SessionId>()
            .is_ok_and(|s| d.authority.covers(&s));
        if !covered {
            return Err(format!(
                "deletion {} by {} refused: message {h} is {sender}'s, and only its author \
                 or an admin may delete it",
                d.notice, d.by
            ));
        }
        out.push(h.clone());
    }
    for m in &d.members {
        out.extend(hashes_of(m, d.at_ms));
    }
    out.sort();
    out.dedup();
    Ok(out)
}

impl Chat {
    /// Deletes group messages for everyone: `hashes` (ours, or anyone's for admins) and all
    /// of `members`' messages (admins); returns how many left our history.
    pub async fn group_delete(
        &self,
        id: &GroupId,
        hashes: &[String],
        members: &[SessionId],
    ) -> Result<usize> {
        let g = self.joined_group(id)?;
        let admin = match &g.auth {
            GroupAuth::Admin(a) => Some(a.duplicate()),
            GroupAuth::Member(_) => None,
        };
        if hashes.is_empty() && members.is_empty() {
            return Err(Error::Local("nothing to delete".into()));
        }
        if admin.is_none() && !members.is_empty() {
            return Err(Error::Local(
                "only a group admin can delete all of a member's messages".into(),
            ));
        }
        let me = self.messenger().account().session_id().to_string();
        for h in hashes {
            let m = self
                .history()
                .group_message(id, h)
                .map_err(local)?
                .ok_or_else(|| Error::Local(format!("no message {h} in group {id}")))?;
            if admin.is_none() && m.sender != me {
                return Err(Error::Local(format!(
                    "{h} is {}'s message: only its author or a group admin can delete it",
                    m.sender
                )));
            }
        }
        self.delete_for_everyone(&g, admin.as_ref(), hashes, members)
            .await
    }

    /// Deletes from the swarm (admins), tells the group, deletes here; returns how many
    /// messages left our history.
    pub(crate) async fn delete_for_everyone(
        &self,
        g: &Open,
        admin: Option<&GroupAdmin>,
        hashes: &[String],
        members: &[SessionId],
    ) -> Result<usize> {
        let id = g.group.id();
        let mut all = hashes.to_vec();
        for m in members {
            let theirs = self
                .history()
                .group_hashes_of(&id, &m.to_string(), u64::MAX);
            all.extend(theirs.map_err(local)?);
        }
        all.sort();
        all.dedup();
        if let Some(a) = admin {
            self.messenger().group_delete(&id, a, &all).await?;
        }
        let update = |ts| GroupUpdate::DeleteMemberContent {
            members: members.to_vec(),
            hashes: hashes.to_vec(),
            admin_signature: admin.map(|a| {
                let signed = Control::DeleteContent {
                    timestamp_ms: ts,
                    members,
                    hashes,
                };
                control::sign(a, &signed).to_vec()
            }),
        };
        // Not a message people read: it does not disappear (desktop sends it without timer).
        let sent = self
            .send_to_group(g, false, |ts| wire::build(&update(ts), ts))
            .await?;
        let n = self
            .history()
            .delete_group_messages(&id, &all)
            .map_err(local)?;
        self.record_notice(g, &sent, &describe(&update(sent.at_ms)))?;
        Ok(n)
    }

    /// Resolves a poll's deletions into `poll.deleted`; a refused one is reported and its
    /// notice not kept. Returns the hashes their authors unsent (an admin deletes them from
    /// the swarm).
    pub(crate) fn resolve_deletions(
        &self,
        id: &GroupId,
        poll: &mut GroupPoll,
        deletions: &[Deletion],
        round: &mut GroupRound,
    ) -> Vec<String> {
        let mut unsent = Vec::new();
        for d in deletions {
            let author_of = |h: &str| {
                let polled = poll.messages.iter().find(|m| m.hash == h).cloned();
                let here = || self.history().group_message(id, h).ok().flatten();
                polled.or_else(here).map(|m| (m.sender, m.sent_at_ms))
            };
            let hashes_of = |m: &SessionId, up_to: u64| {
                let sid = m.to_string();
                let mut v = self
                    .history()
                    .group_hashes_of(id, &sid, up_to)
                    .unwrap_or_default();
                v.extend(
                    poll.messages
                        .iter()
                        .filter(|p| p.sender == sid && p.sent_at_ms <= up_to)
                        .map(|p| p.hash.clone()),
                );
                v
            };
            match resolve(d, author_of, hashes_of) {
                Ok(hashes) => {
                    if matches!(d.authority, DeleteAuthority::Author(_)) {
                        unsent.extend(hashes.iter().cloned());
                    }
                    poll.deleted.extend(hashes);
                }
                Err(why) => {
                    tracing::warn!(group = %id, %why, "group input refused");
                    round.refused.push((id.to_string(), why));
                    poll.messages.retain(|m| m.hash != d.notice);
                }
            }
        }
        unsent
    }

    /// Deletes from the swarm what members unsent (admins; members' subaccounts cannot).
    pub(crate) async fn delete_unsent(&self, g: &Open, hashes: &[String]) {
        let GroupAuth::Admin(a) = &g.auth else {
            return;
        };
        if hashes.is_empty() {
            return;
        }
        if let Err(e) = self
            .messenger()
            .group_delete(&g.group.id(), a, hashes)
            .await
        {
            tracing::warn!(error = %e, "deleting unsent group messages from the swarm failed");
        }
    }
}
