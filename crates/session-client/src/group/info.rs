//! The group info an admin changes with a notice — name, description, disappearing
//! timer — and what the timer means for the messages sent under it.
//!
//! The timer is the info config's `E` (seconds, delete after send; groups v2 have no
//! delete-after-read). Messages sent while it is set carry it (`Content.expirationType =
//! DELETE_AFTER_SEND`, `expirationTimer`), are stored with the timer as TTL (desktop's rule
//! for delete-after-send), and every member's history drops them at send time + timer.

use super::Open;
use super::admin::admin_of;
use super::notice::describe;
use crate::chat::Chat;
use crate::content::{self, Expiry};
use crate::error::{Error, Result};
use session_crypto::GroupId;
use session_group::{Group, control};
use session_protocol::group::{self as wire, GroupUpdate, InfoChange};

/// The shortest timer `group disappear` sets: a store TTL under 10 s is refused by nodes.
pub const MIN_TIMER_SECS: u32 = 10;
/// The longest timer: 30 days, the longest TTL of the group's (authenticated) namespace.
pub const MAX_TIMER_SECS: u32 = 30 * 24 * 3600;

/// The group's disappearing setting (`E`): after send, or off.
pub(crate) fn expiry_of(g: &Group) -> Expiry {
    match g.info().expiry_timer() {
        Some(s) => Expiry::AfterSend(u32::try_from(s).unwrap_or(MAX_TIMER_SECS)),
        None => Expiry::Off,
    }
}

/// The store TTL of a group message under `expiry`: the timer (within what nodes take), or
/// the default of 14 days.
pub(crate) fn ttl_ms(expiry: Expiry) -> u64 {
    match expiry {
        Expiry::AfterSend(s) | Expiry::AfterRead(s) if s > 0 => {
            (u64::from(s) * 1000).clamp(content::MIN_TTL_MS, u64::from(MAX_TIMER_SECS) * 1000)
        }
        _ => content::DEFAULT_TTL_MS,
    }
}

/// When a message sent at `sent_ms` under `expiry` disappears (a delete-after-read timer
/// counts from sending too: groups have no read state).
pub(crate) fn expires_at(expiry: Expiry, sent_ms: u64) -> Option<u64> {
    match expiry {
        Expiry::AfterSend(s) | Expiry::AfterRead(s) if s > 0 => {
            Some(sent_ms.saturating_add(u64::from(s) * 1000))
        }
        _ => None,
    }
}

impl Chat {
    /// Renames the group (admins), with an info-change notice.
    pub async fn group_rename(&self, id: &GroupId, name: &str) -> Result<()> {
        let mut g = self.open_group(id)?;
        admin_of(&g)?;
        g.group
            .info_mut()
            .set_name(name)
            .map_err(super::group_err)?;
        self.push_group(&mut g, None).await?;
        g.entry.name = name.to_owned();
        self.save_open(&mut g, true)?;
        self.sync_configs().await;
        self.info_notice(&g, InfoChange::Name, Some(name.to_owned()), None)
            .await
    }

    /// Sets the group's description (admins). Session has no notice for it (the info-change
    /// types are name, picture and timer): members see it in the info config.
    pub async fn group_describe(&self, id: &GroupId, text: &str) -> Result<()> {
        let mut g = self.open_group(id)?;
        admin_of(&g)?;
        g.group
            .info_mut()
            .set_description(text)
            .map_err(super::group_err)?;
        self.push_group(&mut g, None).await?;
        self.save_open(&mut g, false)
    }

    /// Sets the group's disappearing timer (admins): `secs` after sending, 0 for off. The
    /// info config says so; an info-change notice (under the new timer) tells the members.
    pub async fn group_disappear(&self, id: &GroupId, secs: u32) -> Result<()> {
        if secs != 0 && !(MIN_TIMER_SECS..=MAX_TIMER_SECS).contains(&secs) {
            return Err(Error::Local(format!(
                "a disappearing timer is 0 (off) or {MIN_TIMER_SECS} to {MAX_TIMER_SECS} s, \
                 not {secs}"
            )));
        }
        let mut g = self.open_group(id)?;
        admin_of(&g)?;
        g.group
            .info_mut()
            .set_expiry_timer(i64::from(secs))
            .map_err(super::group_err)?;
        self.push_group(&mut g, None).await?;
        self.save_open(&mut g, false)?;
        self.info_notice(&g, InfoChange::Disappearing, None, Some(secs))
            .await
    }

    /// Sends an admin-signed info-change notice into the group and records it.
    async fn info_notice(
        &self,
        g: &Open,
        kind: InfoChange,
        name: Option<String>,
        expiration_secs: Option<u32>,
    ) -> Result<()> {
        let admin = admin_of(g)?;
        let update = |ts| GroupUpdate::InfoChange {
            kind,
            name: name.clone(),
            expiration_secs,
            admin_signature: control::sign(
                admin,
                &control::Control::InfoChange {
                    kind: kind.number(),
                    timestamp_ms: ts,
                },
            )
            .to_vec(),
        };
        let sent = self
            .send_to_group(g, true, |ts| wire::build(&update(ts), ts))
            .await?;
        self.record_notice(g, &sent, &describe(&update(sent.at_ms)))
    }
}
