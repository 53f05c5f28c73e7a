//! What every member does: accept or decline an invitation, send a message, leave.

use super::{Open, parse_group_id};
use crate::chat::{Chat, local};
use crate::content::{self, Expiry, Payload};
use crate::error::{Error, Result};
use crate::history::groups::{GroupMessage, GroupRow};
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
        self.send_to_group(&g, |ts| wire::build(&update, ts))
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

    /// Sends a text to the group; returns its hash.
    pub async fn group_send(&self, id: &GroupId, text: &str) -> Result<String> {
        let g = self.joined_group(id)?;
        let out = Payload::Text {
            body: text.to_owned(),
            quote: None,
        };
        let (hash, sent) = self
            .send_to_group(&g, |ts| content::build(&out, Expiry::Off, ts))
            .await?;
        self.history()
            .record_group_message(&GroupMessage {
                group_id: id.to_string(),
                sender: self.messenger().account().session_id().to_string(),
                text: text.to_owned(),
                sent_at_ms: sent,
                hash: hash.clone(),
                outgoing: true,
                kind: "text".into(),
            })
            .map_err(local)?;
        Ok(hash)
    }

    /// Leaves the group: tells it (an admin removes us), then forgets it here and on our
    /// other devices.
    pub async fn group_leave(&self, id: &GroupId) -> Result<()> {
        let g = self.joined_group(id)?;
        let sent = self
            .send_to_group(&g, |ts| wire::build(&GroupUpdate::MemberLeft, ts))
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
