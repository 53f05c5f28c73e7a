//! The account's shared state: our profile, contacts' names and nicknames, unblocking, and
//! pushing the user configs to the own swarm. A change is made locally first (the history
//! and its config in one transaction) and then pushed; a push that fails leaves the config
//! marked for pushing, and the next poll (or change) pushes it.

use super::{Chat, local};
use crate::Messenger;
use crate::content::Profile as WireProfile;
use crate::error::{Error, Result};
use crate::history::{Contact, History, Profile};
use session_crypto::SessionId;

impl Chat {
    /// Our profile as it goes out with messages (empty when no name is set).
    pub(crate) fn own_profile(&self) -> WireProfile {
        let profile = self.history.profile().unwrap_or_default();
        WireProfile {
            name: profile.name,
            picture_url: profile.picture_url,
            updated_s: self.history.profile_updated_s().unwrap_or(0),
        }
    }

    /// Adds our profile to an outgoing message (where it fits), with our picture's key in
    /// `profileKey` beside its URL.
    pub(super) fn add_own_profile(&self, content: &mut session_protocol::proto::Content) {
        crate::content::add_profile(content, &self.own_profile());
        let Some(key) = self.history.profile().ok().and_then(|p| p.picture_key) else {
            return;
        };
        let key = Some(key.as_bytes().to_vec());
        if let Some(dm) = content
            .data_message
            .as_mut()
            .filter(|d| d.profile.is_some())
        {
            dm.profile_key = key;
        } else if let Some(r) = content
            .message_request_response
            .as_mut()
            .filter(|r| r.profile.is_some())
        {
            r.profile_key = key;
        }
    }

    /// Our profile.
    pub fn profile(&self) -> Result<Profile> {
        self.history.profile().map_err(local)
    }

    /// Sets our display name (at most 100 bytes) and pushes it; it goes out with our
    /// messages from now on.
    pub async fn set_profile_name(&self, name: &str) -> Result<()> {
        self.history
            .set_profile_name(name, self.messenger.now_ms())
            .map_err(local)?;
        self.sync_configs().await;
        Ok(())
    }

    /// Sets our nickname for `peer` (empty removes it) and pushes it.
    pub async fn set_nickname(&self, peer: &SessionId, nickname: &str) -> Result<()> {
        self.history
            .set_nickname(&peer.to_string(), nickname)
            .map_err(local)?;
        self.sync_configs().await;
        Ok(())
    }

    /// Unblocks `peer` and pushes it.
    pub async fn unblock(&self, peer: &SessionId) -> Result<()> {
        self.history.unblock(&peer.to_string()).map_err(local)?;
        self.sync_configs().await;
        Ok(())
    }

    /// Every known contact (with `blocked_only`, the blocked ones).
    pub fn contacts(&self, blocked_only: bool) -> Result<Vec<Contact>> {
        self.history.contacts(blocked_only).map_err(local)
    }

    /// Stores the configs that changed in the own swarm (one `sequence`: the stores, then
    /// the delete of what they replace) and records them stored. Returns how many were
    /// stored; an error when one was not (it stays marked for pushing).
    pub async fn push_configs(&self) -> Result<usize> {
        push(&self.messenger, &self.history).await
    }

    /// [`Chat::push_configs`], with a failure logged rather than returned (the change is
    /// made locally and will be pushed later).
    pub(crate) async fn sync_configs(&self) {
        log_failure(self.push_configs().await);
    }

    /// [`Chat::sync_configs`] for `&mut self`: its future holds no shared borrow of the
    /// history (which is not `Sync`), so a poll can run in a spawned task.
    pub(super) async fn sync_configs_mut(&mut self) {
        log_failure(push(&self.messenger, &mut self.history).await);
    }
}

fn log_failure(pushed: Result<usize>) {
    if let Err(e) = pushed {
        tracing::warn!(error = %e, "pushing the configs failed; will retry");
    }
}

/// The push itself; `history` is `&History` or `&mut History`, so that a caller with
/// `&mut Chat` gets a `Send` future.
async fn push<H: std::ops::Deref<Target = History>>(
    messenger: &Messenger,
    history: H,
) -> Result<usize> {
    let now = messenger.now_ms();
    let pending = history.pending_pushes(now).map_err(local)?;
    if pending.is_empty() {
        return Ok(0);
    }
    let stored = messenger.push_configs(&pending).await?;
    let confirmed: Vec<_> = pending
        .iter()
        .zip(&stored)
        .filter_map(|(p, h)| h.clone().map(|h| (p.clone(), h)))
        .collect();
    history.confirm_pushes(&confirmed, now).map_err(local)?;
    if confirmed.len() < pending.len() {
        return Err(Error::Reply(format!(
            "{} of {} configs were not stored",
            pending.len() - confirmed.len(),
            pending.len()
        )));
    }
    Ok(confirmed.len())
}
