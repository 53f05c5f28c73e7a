//! Polling groups: one `batch` per group and round (namespaces 12, 13, 14, 11 after their
//! cursors, signed by the group key or our subaccount), applied in order — keys, then info
//! and members, then messages — and committed with the cursors in one transaction. A keys
//! message not signed by the group key, an info or members message not signed by it, a
//! message that does not decrypt or whose signer is not a member, a notice without a valid
//! admin signature: each is refused with its reason, stores nothing, and the cursor moves
//! past it (it will not get better); polling goes on.

use super::decode::{Decoded, decode};
use super::delete::Deletion;
use super::swarm::GroupNamespacePage;
use super::{GroupAuth, group_err};
use crate::chat::{Chat, local};
use crate::error::Result;
use crate::history::groups::{GroupMessage, GroupPoll};
use session_crypto::{GroupId, SessionId};
use session_group::Group;
use session_protocol::group::GroupUpdate;

/// What one round of group polls brought.
#[derive(Clone, Debug, Default)]
pub struct GroupRound {
    /// New messages (texts and notices), per group in send order.
    pub new: Vec<GroupMessage>,
    /// Input refused (group ID, why); nothing of it was stored.
    pub refused: Vec<(String, String)>,
    /// Groups that could not be polled (group ID, why); their cursors did not move.
    pub failed: Vec<(String, String)>,
    /// Groups an admin destroyed (seen this round); they are not polled again.
    pub destroyed: Vec<String>,
}

impl GroupRound {
    fn extend(&mut self, other: GroupRound) {
        self.new.extend(other.new);
        self.destroyed.extend(other.destroyed);
        self.refused.extend(other.refused);
        self.failed.extend(other.failed);
    }
}

/// What members asked of the admins in a poll's messages.
#[derive(Debug, Default)]
pub(crate) struct Effects {
    /// Members who accepted their invitation.
    pub(crate) accepted: Vec<SessionId>,
    /// Members who left.
    pub(crate) left: Vec<SessionId>,
    /// Messages deleted for everyone (authority checked, not yet resolved to hashes).
    pub(crate) deletions: Vec<Deletion>,
}

/// Applies one poll's pages to the group in order (keys, info and members, messages):
/// what to commit, and what was refused (with why; nothing of it is kept).
pub(crate) fn apply_pages(
    g: &mut Group,
    pages: &[GroupNamespacePage],
) -> (GroupPoll, GroupRound, Effects) {
    let id = g.id();
    let gid = id.to_string();
    let mut round = GroupRound::default();
    let mut poll = GroupPoll {
        group: Some(id),
        ..Default::default()
    };
    let mut effects = Effects::default();
    let mut refuse = |why: String| {
        tracing::warn!(group = %gid, %why, "group input refused");
        round.refused.push((gid.clone(), why));
    };
    // Every namespace refused alike (a revoked member): one line, not four.
    let first = pages.first().and_then(|p| p.failure.clone());
    if let Some((code, why)) = first.filter(|f| pages.iter().all(|p| p.failure.as_ref() == Some(f)))
    {
        round.failed.push((
            gid.clone(),
            format!("the group's swarm refused us ({code} {why}): removed from the group?"),
        ));
        return (poll, round, effects);
    }
    for page in pages {
        if let Some((code, why)) = &page.failure {
            refuse(format!(
                "namespace {}: status {code}: {why}",
                page.namespace
            ));
            continue;
        }
        let msgs: Vec<(String, Vec<u8>)> = page
            .messages
            .iter()
            .map(|(h, d, _)| (h.clone(), d.clone()))
            .collect();
        match page.namespace {
            12 => {
                for (h, d, ts) in &page.messages {
                    if let Err(e) = g.load_keys(h, d, *ts) {
                        refuse(format!("keys message {h}: {e}"));
                    }
                }
            }
            13 | 14 if !msgs.is_empty() => {
                let report = if page.namespace == 13 {
                    g.merge_info(&msgs)
                } else {
                    g.merge_members(&msgs)
                };
                match report {
                    Ok(r) => {
                        for (h, e) in r.rejected {
                            refuse(format!("config {h}: {e}"));
                        }
                    }
                    Err(e) => refuse(format!("namespace {}: {e}", page.namespace)),
                }
            }
            11 => {
                for (h, d, _) in &page.messages {
                    match decode(g, h, d) {
                        Ok(Some(Decoded {
                            reaction: Some(r), ..
                        })) => poll.reactions.push(r),
                        Ok(Some(mut m)) => {
                            note_requests(&mut effects, &m);
                            effects.deletions.extend(m.deletion.take());
                            poll.messages.push(m.message);
                        }
                        Ok(None) => {}
                        Err(why) => refuse(why),
                    }
                }
            }
            _ => {}
        }
        if let Some(last) = &page.last_hash {
            poll.cursors.push((page.namespace, last.clone()));
        }
    }
    (poll, round, effects)
}

/// Records what a member's notice asks of the admins.
fn note_requests(effects: &mut Effects, m: &Decoded) {
    let Ok(sender) = m.message.sender.parse::<SessionId>() else {
        return;
    };
    match m.update {
        Some(GroupUpdate::InviteResponse { approved: true }) => effects.accepted.push(sender),
        Some(GroupUpdate::MemberLeft) => effects.left.push(sender),
        _ => {}
    }
}

impl Chat {
    /// Polls every group we joined (invitations wait for `group accept`), then drops what
    /// expired from the history.
    pub async fn poll_groups(&self) -> Result<GroupRound> {
        let mut round = GroupRound::default();
        for row in self.groups()? {
            if row.invited || row.destroyed {
                continue;
            }
            let Ok(id) = row.id.parse::<GroupId>() else {
                continue;
            };
            match self.poll_group(&id).await {
                Ok(r) => round.extend(r),
                Err(e) => round.failed.push((row.id.clone(), e.to_string())),
            }
        }
        // What disappeared meanwhile (the group timer) goes from the history.
        let now = self.messenger().now_ms();
        self.history().sweep(now).map_err(local)?;
        Ok(round)
    }

    /// Polls one group (see the module doc).
    pub(crate) async fn poll_group(&self, id: &GroupId) -> Result<GroupRound> {
        let mut g = self.open_group(id)?;
        let mut cursors = Vec::new();
        for ns in super::GROUP_NAMESPACES {
            cursors.push((ns, self.history().group_cursor(id, ns).map_err(local)?));
        }
        let pages = self
            .messenger()
            .group_retrieve(id, &g.auth, &cursors)
            .await?;
        let (mut poll, mut round, effects) = apply_pages(&mut g.group, &pages);
        // Ours, sent from another device of the account.
        let me = self.messenger().account().session_id().to_string();
        for m in &mut poll.messages {
            m.outgoing = m.sender == me;
        }
        let unsent = self.resolve_deletions(id, &mut poll, &effects.deletions, &mut round);
        let admin = matches!(g.auth, GroupAuth::Admin(_));
        let accepted = admin && accept_members(&mut g.group, &effects.accepted)?;
        poll.destroyed = g.group.info().is_destroyed();
        poll.info = (
            g.group.info().name().unwrap_or_default(),
            g.group.info().description().unwrap_or_default(),
        );
        poll.members = g.group.members().list();
        poll.dumps = g.group.dumps();
        let applied = self.history().apply_group_poll(&poll).map_err(local)?;
        // Not shown: what this very poll deleted, or what expired already.
        let now = self.messenger().now_ms();
        round.new = applied.new;
        round
            .new
            .retain(|m| !poll.deleted.contains(&m.hash) && m.expires_at_ms.is_none_or(|t| t > now));
        self.delete_unsent(&g, &unsent).await;
        if poll.destroyed {
            round.destroyed.push(id.to_string());
        }
        if accepted {
            match self.push_group(&mut g, None).await {
                Ok(()) => self.save_open(&mut g, false)?,
                Err(e) => tracing::warn!(error = %e, "pushing accepted invitations failed"),
            }
        }
        // Members who left are removed (rekey and revocation) by an admin who sees it.
        let left: Vec<SessionId> = effects
            .left
            .into_iter()
            .filter(|m| g.group.members().contains(m))
            .collect();
        if admin && !left.is_empty() {
            drop(g);
            if let Err(e) = self.group_remove(id, &left, false).await {
                tracing::warn!(error = %e, "removing members who left failed");
            }
        }
        Ok(round)
    }
}

/// Marks members who accepted as joined (admins); true when the members config changed.
fn accept_members(g: &mut Group, accepted: &[SessionId]) -> Result<bool> {
    let mut changed = false;
    for m in accepted {
        if let Some(mut rec) = g.members().get(m)
            && rec.invite_status != 0
        {
            rec.invite_status = 0;
            g.members_mut().set(&rec).map_err(group_err)?;
            changed = true;
        }
    }
    Ok(changed)
}
