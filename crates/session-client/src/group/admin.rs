//! What admins do: create a group, invite, remove (rekey without them, revoke their tokens,
//! optionally delete their messages), promote, destroy (renaming, describing and the
//! disappearing timer are in `info`, deletions in `delete`). Every change is
//! pushed to the group's swarm (keys, info, members in one `sequence`, signed by the group
//! key), announced with an admin-signed notice where Session has one, and saved locally.

use super::{GroupAuth, Open, Sent, group_err};
use crate::chat::{Chat, local};
use crate::error::{Error, Result};
use crate::history::groups::GroupMessage;
use session_config::user::{GroupInfo as Entry, GroupSeed};
use session_crypto::{GroupId, SessionId};
use session_group::configs::status;
use session_group::control::{self, Control};
use session_group::{Group, GroupAdmin};
use session_protocol::group::{self as wire, GroupUpdate, MemberChange};
use zeroize::Zeroizing;

/// The group key, or an error for members.
pub(super) fn admin_of(g: &Open) -> Result<&GroupAdmin> {
    match &g.auth {
        GroupAuth::Admin(a) => Ok(a),
        GroupAuth::Member(_) => Err(Error::Local(
            "only a group admin (holder of the group key) can do this".into(),
        )),
    }
}

impl Chat {
    /// Creates a group named `name` with `description`, invites `members`; returns its ID.
    /// The group key is kept in `UserGroups` (`K`), so our other devices are admins too.
    pub async fn group_create(
        &self,
        name: &str,
        description: &str,
        members: &[SessionId],
    ) -> Result<GroupId> {
        let seed = self.messenger().account().keys().seed();
        let now = self.messenger().now_ms();
        let mut group = Group::create(seed, name, "", crate::history::ms(now), &mut rand::rng())
            .map_err(group_err)?;
        if !description.is_empty() {
            group
                .info_mut()
                .set_description(description)
                .map_err(group_err)?;
        }
        let admin = group
            .keys()
            .admin()
            .map(GroupAdmin::duplicate)
            .ok_or_else(|| Error::Local("a new group without its key".into()))?;
        let id = group.id();
        let first = group.keys().pending_config().map(<[u8]>::to_vec);
        let mut entry = Entry::new(id);
        entry.name = name.to_owned();
        entry.secret = Some(GroupSeed::from_bytes(*admin.seed().expose_secret()));
        entry.common.joined_at = i64::try_from(now / 1000).unwrap_or(0);
        let mut g = Open {
            group,
            auth: GroupAuth::Admin(Box::new(admin)),
            entry,
        };
        self.push_group(&mut g, first.as_deref()).await?;
        self.save_open(&mut g, true)?;
        self.sync_configs().await;
        if !members.is_empty() {
            self.invite_open(&mut g, members, false).await?;
        }
        Ok(id)
    }

    /// Invites `members` (admins); with `history` they get every current key (a supplement),
    /// else the group is rekeyed.
    pub async fn group_invite(
        &self,
        id: &GroupId,
        members: &[SessionId],
        history: bool,
    ) -> Result<()> {
        let mut g = self.open_group(id)?;
        admin_of(&g)?;
        self.invite_open(&mut g, members, history).await
    }

    async fn invite_open(&self, g: &mut Open, members: &[SessionId], history: bool) -> Result<()> {
        let new: Vec<(SessionId, &str)> = members.iter().map(|m| (*m, "")).collect();
        let added = g.group.add_members(&new, history).map_err(group_err)?;
        for (m, _) in &new {
            if let Some(mut rec) = g.group.members().get(m) {
                rec.invite_status = status::SENT;
                g.group.members_mut().set(&rec).map_err(group_err)?;
            }
        }
        self.push_group(g, Some(&added.keys_message)).await?;
        self.save_open(g, false)?;
        let admin = admin_of(g)?.duplicate();
        let id = g.group.id();
        let name = g.group.info().name().unwrap_or_default();
        let mut failed = Vec::new();
        for (member, auth) in &added.auth {
            let sent = self
                .send_one_to_one(member, |ts| {
                    let sig = control::sign(
                        &admin,
                        &Control::Invite {
                            invitee: member,
                            timestamp_ms: ts,
                        },
                    );
                    wire::build(
                        &GroupUpdate::Invite {
                            group: id,
                            name: name.clone(),
                            auth_data: Zeroizing::new(auth.as_bytes().to_vec()),
                            admin_signature: sig.to_vec(),
                        },
                        ts,
                    )
                })
                .await;
            if let Err(e) = sent {
                tracing::warn!(error = %e, "an invitation could not be sent");
                failed.push(*member);
            }
        }
        for m in &failed {
            if let Some(mut rec) = g.group.members().get(m) {
                rec.invite_status = status::FAILED;
                g.group.members_mut().set(&rec).map_err(group_err)?;
            }
        }
        if !failed.is_empty() {
            self.push_group(g, None).await?;
            self.save_open(g, false)?;
        }
        self.notice_members(g, MemberChange::Added, members, history)
            .await
    }

    /// Sends an admin-signed member-change notice into the group (and records it).
    async fn notice_members(
        &self,
        g: &Open,
        kind: MemberChange,
        members: &[SessionId],
        history: bool,
    ) -> Result<()> {
        let admin = admin_of(g)?;
        let update = |ts| GroupUpdate::MemberChange {
            kind,
            members: members.to_vec(),
            history_shared: history,
            admin_signature: control::sign(
                admin,
                &Control::MemberChange {
                    kind: kind.number(),
                    timestamp_ms: ts,
                },
            )
            .to_vec(),
        };
        let sent = self
            .send_to_group(g, true, |ts| wire::build(&update(ts), ts))
            .await?;
        self.record_notice(g, &sent, &super::notice::describe(&update(sent.at_ms)))
    }

    /// Records a notice we sent.
    pub(crate) fn record_notice(&self, g: &Open, sent: &Sent, text: &str) -> Result<()> {
        self.history()
            .record_group_message(&GroupMessage {
                group_id: g.group.id().to_string(),
                sender: self.messenger().account().session_id().to_string(),
                text: text.to_owned(),
                sent_at_ms: sent.at_ms,
                hash: sent.hash.clone(),
                outgoing: true,
                kind: "notice".into(),
                quote: None,
                reactions: Vec::new(),
                expires_at_ms: sent.expires_at_ms,
            })
            .map_err(local)
    }

    /// Removes members: rekey without them, revoke their tokens, re-push info and members
    /// under the new key, announce it; with `delete_messages` their messages go from the
    /// swarm and from every member's history.
    pub async fn group_remove(
        &self,
        id: &GroupId,
        members: &[SessionId],
        delete_messages: bool,
    ) -> Result<()> {
        let mut g = self.open_group(id)?;
        let admin = admin_of(&g)?.duplicate();
        for m in members {
            if !g.group.members().contains(m) {
                return Err(Error::Local(format!("{m} is not a member of {id}")));
            }
        }
        let (keys_message, tokens) = g.group.remove_members(members).map_err(group_err)?;
        self.messenger().group_revoke(id, &admin, &tokens).await?;
        self.push_group(&mut g, Some(&keys_message)).await?;
        self.save_open(&mut g, false)?;
        self.notice_members(&g, MemberChange::Removed, members, false)
            .await?;
        if delete_messages {
            // All of their messages, named by member as desktop's removal does.
            self.delete_for_everyone(&g, Some(&admin), &[], members)
                .await?;
        }
        Ok(())
    }

    /// Makes `member` an admin: the group key goes to them 1:1; the members config says so.
    pub async fn group_promote(&self, id: &GroupId, member: &SessionId) -> Result<()> {
        let mut g = self.open_group(id)?;
        let admin = admin_of(&g)?.duplicate();
        let mut rec = g
            .group
            .members()
            .get(member)
            .ok_or_else(|| Error::Local(format!("{member} is not a member of {id}")))?;
        let name = g.group.info().name().unwrap_or_default();
        let sent = self
            .send_one_to_one(member, |ts| {
                wire::build(
                    &GroupUpdate::Promote {
                        seed: Zeroizing::new(*admin.seed().expose_secret()),
                        name,
                    },
                    ts,
                )
            })
            .await;
        rec.admin = true;
        rec.promotion_status = if sent.is_ok() {
            status::SENT
        } else {
            status::FAILED
        };
        g.group.members_mut().set(&rec).map_err(group_err)?;
        self.push_group(&mut g, None).await?;
        self.save_open(&mut g, false)?;
        sent?;
        self.notice_members(&g, MemberChange::Promoted, &[*member], false)
            .await
    }

    /// Destroys the group (admins): the info config says so; it leaves our groups.
    pub async fn group_destroy(&self, id: &GroupId) -> Result<()> {
        let mut g = self.open_group(id)?;
        admin_of(&g)?;
        g.group.info_mut().destroy().map_err(group_err)?;
        self.push_group(&mut g, None).await?;
        self.history().forget_group(id).map_err(local)?;
        self.sync_configs().await;
        Ok(())
    }
}
