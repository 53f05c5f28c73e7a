//! What every member does: accept or decline an invitation, send a message, leave.

use super::{Open, parse_group_id};
use crate::chat::{Chat, local};
use crate::content::{self, Expiry, MessageRef, Payload};
use crate::error::{Error, Result};
use crate::history::groups::{GroupMessage, GroupReaction, GroupRow};
use session_crypto::GroupId;
use session_protocol::group::{self as wire, GroupUpdate};

impl Chat {
    /// The groups of `UserGroups` (joined and invited) with what this device knows.
    pub fn groups(&self) -> Result<Vec<GroupRow>> {
        self.history().groups().map_err(local)
    }

    /// Accepts an invitation: the group is joined in `UserGroups` (our other devices join
    /// too), polled once (keys, info, members) and told with an invite response.
    pub async fn group_accept(&mut self, id: &GroupId) -> Result<()> {
        let g = self.open_group(id)?;
        if !g.entry.common.invited {
            return Err(Error::Local(format!("no pending invitation to {id}")));
        }
        let mut entry = g.entry.clone();
        entry.common.invited = false;
        self.history().set_group_entry(&entry).map_err(local)?;
        self.sync_configs().await;
        let round = self.poll_group(id).await?;
        if let Some(why) = round.failed.first() {
            return Err(Error::Local(why.1.clone()));
        }
        let g = self.open_group(id)?;
        let update = GroupUpdate::InviteResponse { approved: true };
        self.send_to_group(&g, false, |ts| wire::build(&update, ts))
            .await
            .map(drop)
    }

    /// Declines an invitation: it is forgotten here and on our other devices.
    pub async fn group_decline(&self, id: &GroupId) -> Result<()> {
        let g = self.open_group(id)?;
        if !g.entry.common.invited {
            return Err(Error::Local(format!("no pending invitation to {id}")));
        }
        self.history().forget_group(id).map_err(local)?;
        self.sync_configs().await;
        Ok(())
    }

    /// Sends a text to the group, quoting the group message `quote` (a hash) when given;
    /// returns its hash. It carries the group's disappearing timer.
    pub async fn group_send(
        &self,
        id: &GroupId,
        text: &str,
        quote: Option<&str>,
    ) -> Result<String> {
        let g = self.joined_group(id)?;
        let quoted = match quote {
            Some(h) => Some(self.group_ref(id, h)?),
            None => None,
        };
        let out = Payload::Text {
            body: text.to_owned(),
            quote: quoted.clone().map(|(r, t)| (r, Some(t))),
        };
        let sent = self
            .send_to_group(&g, true, |ts| content::build(&out, Expiry::Off, ts))
            .await?;
        self.history()
            .record_group_message(&GroupMessage {
                group_id: id.to_string(),
                sender: self.messenger().account().session_id().to_string(),
                text: text.to_owned(),
                sent_at_ms: sent.at_ms,
                hash: sent.hash.clone(),
                outgoing: true,
                kind: "text".into(),
                quote: quoted.map(|(r, _)| (r.author.to_string(), r.sent_at_ms)),
                reactions: Vec::new(),
                expires_at_ms: sent.expires_at_ms,
            })
            .map_err(local)?;
        Ok(sent.hash)
    }

    /// Reacts to the group message `hash` (or takes the reaction back).
    pub async fn group_react(
        &self,
        id: &GroupId,
        hash: &str,
        emoji: &str,
        remove: bool,
    ) -> Result<()> {
        let g = self.joined_group(id)?;
        let (to, _) = self.group_ref(id, hash)?;
        let out = Payload::Reaction {
            to,
            emoji: emoji.to_owned(),
            remove,
        };
        self.send_to_group(&g, true, |ts| content::build(&out, Expiry::Off, ts))
            .await?;
        let r = GroupReaction {
            author: to.author.to_string(),
            sent_at_ms: to.sent_at_ms,
            reactor: self.messenger().account().session_id().to_string(),
            emoji: emoji.to_owned(),
            remove,
        };
        self.history().record_group_reaction(id, &r).map_err(local)
    }

    /// How Session refers to the group message `hash` (author, send time), and its text.
    fn group_ref(&self, id: &GroupId, hash: &str) -> Result<(MessageRef, String)> {
        let m = self
            .history()
            .group_message(id, hash)
            .map_err(local)?
            .filter(|m| m.kind == "text")
            .ok_or_else(|| Error::Local(format!("no message {hash} in group {id}")))?;
        let author = m
            .sender
            .parse()
            .map_err(|_| Error::Local("bad sender".into()))?;
        Ok((
            MessageRef {
                author,
                sent_at_ms: m.sent_at_ms,
            },
            m.text,
        ))
    }

    /// Leaves the group: tells it (an admin removes us), then forgets it here and on our
    /// other devices.
    pub async fn group_leave(&self, id: &GroupId) -> Result<()> {
        let g = self.joined_group(id)?;
        let sent = self
            .send_to_group(&g, false, |ts| wire::build(&GroupUpdate::MemberLeft, ts))
            .await;
        if let Err(e) = sent {
            tracing::warn!(error = %e, "telling the group we left failed");
        }
        self.history().forget_group(id).map_err(local)?;
        self.sync_configs().await;
        Ok(())
    }

    /// A group we joined (not a pending invitation), opened.
    pub(crate) fn joined_group(&self, id: &GroupId) -> Result<Open> {
        let g = self.open_group(id)?;
        if g.entry.common.invited {
            return Err(Error::Local(format!(
                "{id}: accept the invitation first (group accept)"
            )));
        }
        if g.group.keys().key_infos().is_empty() && !g.group.keys().is_admin() {
            return Err(Error::Local(format!("{id}: no group key yet; poll first")));
        }
        Ok(g)
    }

    /// Parses a group ID and checks we know the group.
    pub fn known_group(&self, s: &str) -> Result<GroupId> {
        let id = parse_group_id(s)?;
        self.open_group(&id).map(|_| id)
    }
}
