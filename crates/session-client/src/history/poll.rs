//! What a poll does, in one transaction: the config messages of namespaces 2-5 are merged
//! (refused ones are reported and change nothing) and what changed is applied to the rows;
//! then the messages of namespace 0: requests and blocks, reactions, unsends, receipts,
//! settings, the names senders carry, and the copies of our own messages made on another
//! device (filed in their conversation as ours); then the read state; then every cursor.

use super::attachments;
use super::configs::{self, UserConfigs};
use super::contacts::{self, ContactState};
use super::messages::{COLUMNS, Entry, Incoming, Record, entry_row, insert, resolve};
use super::{Applied, History, HistoryError, Notice, ms, set_cursor};
use crate::content::Payload;
use rusqlite::{Connection, OptionalExtension as _, params};
use session_config::Kind;
use session_config::user::{MAX_NAME_LEN, truncate_utf8};

/// The config messages of one namespace that a poll brought.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigMessages {
    /// The namespace (2-5).
    pub namespace: i16,
    /// (storage hash, stored bytes), in the order the node returned them.
    pub messages: Vec<(String, Vec<u8>)>,
    /// The cursor to continue after.
    pub last_hash: String,
}

/// One poll of the own swarm: namespace 0's messages and the config namespaces'.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PollBatch {
    /// The messages of namespace 0 that opened.
    pub messages: Vec<Incoming>,
    /// Namespace 0's cursor after this poll (`None`: namespace 0 was not polled).
    pub last_hash: Option<String>,
    /// The config namespaces polled.
    pub configs: Vec<ConfigMessages>,
    /// Group invitations and promotions that came 1:1 (verified when applied).
    pub group_updates: Vec<super::groups::GroupUpdateIn>,
    /// Call messages (kept for their TTL; a call driver reads them).
    pub calls: Vec<super::CallIn>,
    /// Now (network time, ms): when read state learned from another device starts
    /// after-read timers, and the base of the read-state config's age rules.
    pub now_ms: u64,
}

/// What applying one message needs besides the row it changes.
struct Ctx<'a> {
    /// Our Session ID (`None` without configs: no message is recognised as ours).
    me: Option<String>,
    configs: Option<&'a mut UserConfigs>,
    applied: Applied,
}

impl History {
    /// Applies a poll's messages (sorted by send time here) and moves `namespace`'s cursor to
    /// `last_hash`, all in one transaction.
    pub fn apply_poll(
        &mut self,
        namespace: i16,
        items: &[Incoming],
        last_hash: &str,
    ) -> Result<Applied, HistoryError> {
        if namespace != 0 {
            return self.change(|db, _| {
                set_cursor(db, namespace, last_hash)?;
                Ok(Applied::default())
            });
        }
        self.apply_batch(&PollBatch {
            messages: items.to_vec(),
            last_hash: Some(last_hash.to_owned()),
            configs: Vec::new(),
            group_updates: Vec::new(),
            calls: Vec::new(),
            now_ms: crate::onion::system_ms(),
        })
    }

    /// Applies one poll of the own swarm in one transaction: merges the configs, applies
    /// what changed, then the messages (sorted by send time), the read state, the cursors and
    /// the config dumps. Refused config messages leave local state as it was and are reported
    /// in [`Applied::config_errors`]; their cursor still moves (they will not get better).
    pub fn apply_batch(&mut self, batch: &PollBatch) -> Result<Applied, HistoryError> {
        let keys = self
            .seed
            .as_ref()
            .map(|s| session_crypto::IdentityKeys::from_seed(s.clone()));
        let me = keys.as_ref().map(|k| k.session_id().to_string());
        self.change(|db, mut cfg| {
            let (invites, refused) = super::groups::apply_updates(
                db,
                cfg.as_deref_mut(),
                keys.as_ref(),
                &batch.group_updates,
            )?;
            let mut ctx = Ctx {
                me,
                configs: cfg,
                applied: Applied::default(),
            };
            merge_configs(db, &mut ctx, batch)?;
            super::calls::keep_signals(db, &batch.calls, batch.now_ms)?;
            ctx.applied.calls.clone_from(&batch.calls);
            let mut sorted: Vec<&Incoming> = batch.messages.iter().collect();
            sorted.sort_by(|a, b| (a.sent_at_ms, &a.hash).cmp(&(b.sent_at_ms, &b.hash)));
            for m in sorted {
                apply_one(db, m, &mut ctx)?;
            }
            if let Some(c) = ctx.configs.as_deref() {
                configs::pull_read(db, c, batch.now_ms)?;
            }
            // What arrived already read (on another device) says so.
            for e in &mut ctx.applied.new {
                let (state, expires): (String, Option<i64>) = db.query_row(
                    "SELECT state, expires_at_ms FROM messages WHERE hash = ?1",
                    [&e.hash],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                if state == "read" {
                    e.state = super::State::Read;
                    e.expires_at_ms = expires.map(super::unms);
                }
            }
            attachments::drop_orphans(db)?;
            ctx.applied.group_invites = invites;
            ctx.applied.group_refusals = refused;
            if let Some(h) = &batch.last_hash {
                set_cursor(db, 0, h)?;
            }
            for c in &batch.configs {
                set_cursor(db, c.namespace, &c.last_hash)?;
            }
            Ok(ctx.applied)
        })
    }
}

/// Merges each namespace's config messages; applies the contacts and read state that
/// changed. Our name changing elsewhere counts as a change of our profile now.
fn merge_configs(
    db: &Connection,
    ctx: &mut Ctx<'_>,
    batch: &PollBatch,
) -> Result<(), HistoryError> {
    let Some(cfg) = ctx.configs.as_deref_mut() else {
        return Ok(());
    };
    for c in batch.configs.iter().filter(|c| !c.messages.is_empty()) {
        let Some(kind) = Kind::from_namespace(c.namespace).filter(|k| k.is_user()) else {
            continue;
        };
        let name_before = cfg.profile.name();
        let Some(config) = cfg.config_mut(kind) else {
            continue;
        };
        let report = match config.merge(&c.messages) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(?kind, error = %e, "config merge failed");
                ctx.applied
                    .config_errors
                    .push(format!("{kind:?} (namespace {}): {e}", c.namespace));
                continue;
            }
        };
        for (hash, e) in &report.rejected {
            tracing::warn!(?kind, error = %e, "a config message was refused");
            ctx.applied.config_errors.push(format!(
                "{kind:?} (namespace {}) message {hash} refused: {e}",
                c.namespace
            ));
        }
        for hash in &report.stale {
            tracing::warn!(?kind, "a config message far behind ours was ignored");
            ctx.applied.config_errors.push(format!(
                "{kind:?} (namespace {}) message {hash} ignored: seqno too far behind",
                c.namespace
            ));
        }
        if !report.changed {
            continue;
        }
        ctx.applied.configs_changed.push(c.namespace);
        match kind {
            Kind::Contacts => configs::pull_contacts(db, cfg, ctx.me.as_deref())?,
            Kind::UserProfile if cfg.profile.name() != name_before => {
                configs::profile_changed(db, batch.now_ms)?;
            }
            _ => {}
        }
    }
    Ok(())
}

fn notice(applied: &mut Applied, peer: &str, what: String) {
    applied.notices.push(Notice {
        peer: peer.to_owned(),
        what,
    });
}

fn new_entry(db: &Connection, hash: &str) -> Result<Entry, HistoryError> {
    Ok(db.query_row(
        &format!("SELECT {COLUMNS} FROM messages WHERE hash = ?1"),
        [hash],
        entry_row,
    )?)
}

fn apply_one(db: &Connection, m: &Incoming, ctx: &mut Ctx<'_>) -> Result<(), HistoryError> {
    let peer = m.sender.as_str();
    if ctx.me.as_deref() == Some(peer) {
        return apply_own(db, m, ctx);
    }
    if contacts::get(db, peer)?.is_some_and(|c| c.state == ContactState::Blocked) {
        return Ok(());
    }
    let applied = &mut ctx.applied;
    let mut contact_changed = false;
    match &m.payload {
        Payload::Text { body, quote } => {
            contacts::ensure(db, peer, ContactState::Request)?;
            contact_changed = true;
            let record = Record {
                peer,
                hash: &m.hash,
                text: body,
                sent_at_ms: m.sent_at_ms,
                expiry: m.expiry,
                quote: quote
                    .as_ref()
                    .map(|(r, _)| (r.author.to_string(), r.sent_at_ms)),
                copy_hash: None,
            };
            if insert(db, &record, false)? {
                attachments::insert_all(db, &m.hash, &m.attachments, None)?;
                applied.new.push(new_entry(db, &m.hash)?);
            }
        }
        Payload::Reaction { to, emoji, remove } => {
            if let Some(hash) = resolve(db, peer, to)? {
                let sql = if *remove {
                    "DELETE FROM reactions WHERE hash = ?1 AND reactor = ?2 AND emoji = ?3"
                } else {
                    "INSERT OR IGNORE INTO reactions (hash, reactor, emoji) VALUES (?1, ?2, ?3)"
                };
                db.execute(sql, params![hash, peer, emoji])?;
                let verb = if *remove { "removed" } else { "reacted" };
                notice(applied, peer, format!("{verb} {emoji} on {hash}"));
            }
        }
        Payload::Unsend { to } => {
            // Only a message's author can unsend it.
            if to.author.to_string() == peer {
                if let Some(hash) = resolve(db, peer, to)? {
                    db.execute("DELETE FROM reactions WHERE hash = ?1", [&hash])?;
                    db.execute("DELETE FROM messages WHERE hash = ?1", [&hash])?;
                    notice(applied, peer, format!("unsent {hash}"));
                    applied.swarm_deletes.push(hash);
                }
                applied.swarm_deletes.push(m.hash.clone());
            }
        }
        Payload::Receipt { read, timestamps } => {
            if *read {
                for t in timestamps {
                    db.execute(
                        "UPDATE messages SET state = 'read_by_peer'
                         WHERE peer = ?1 AND outgoing = 1 AND sent_at_ms = ?2",
                        params![peer, ms(*t)],
                    )?;
                }
                notice(
                    applied,
                    peer,
                    format!("read {} message(s)", timestamps.len()),
                );
            }
        }
        Payload::Typing { started } => {
            let what = if *started {
                "is typing"
            } else {
                "stopped typing"
            };
            notice(applied, peer, what.to_owned());
        }
        Payload::ExpirySetting => {
            contacts::ensure(db, peer, ContactState::Request)?;
            contacts::set_expiry(db, peer, m.expiry)?;
            contact_changed = true;
            notice(
                applied,
                peer,
                format!("set disappearing messages: {}", m.expiry),
            );
        }
        Payload::RequestResponse { approved } => {
            contacts::ensure(db, peer, ContactState::Request)?;
            db.execute(
                "UPDATE contacts SET they_approved = ?2 WHERE peer = ?1",
                params![peer, i64::from(*approved)],
            )?;
            contact_changed = true;
            if *approved {
                notice(applied, peer, "accepted your messages".to_owned());
            }
        }
    }
    if let Some(name) = m.profile.as_ref().and_then(|p| p.name.as_deref()) {
        // As long as a config keeps it (Session's limit), whatever the sender put there.
        let name = truncate_utf8(name, MAX_NAME_LEN);
        let updated_s = m.profile.as_ref().map_or(0, |p| p.updated_s);
        contact_changed |= contacts::learn_name(db, peer, name, updated_s)?;
    }
    if contact_changed {
        configs::push_contact(db, ctx.configs.as_deref_mut(), peer)?;
    }
    learn_picture(db, m, peer)
}

/// The sender's profile picture: a URL with a key is remembered (to fetch); a profile
/// without a picture removes what we had.
fn learn_picture(db: &Connection, m: &Incoming, peer: &str) -> Result<(), HistoryError> {
    let Some(profile) = &m.profile else {
        return Ok(());
    };
    match (&profile.picture_url, &m.profile_key) {
        (Some(url), Some(key)) => {
            attachments::learn_avatar(db, peer, url, key.as_bytes())?;
        }
        (None, _) => {
            db.execute("DELETE FROM avatars WHERE peer = ?1", [peer])?;
        }
        (Some(_), None) => {}
    }
    Ok(())
}

/// A message from our own account: a copy of what another device of ours sent (a text,
/// reaction or setting with its conversation in `sync_target`, or an unsend request of one
/// of our messages). Copies this device stored itself are skipped.
fn apply_own(db: &Connection, m: &Incoming, ctx: &mut Ctx<'_>) -> Result<(), HistoryError> {
    let own_copy: Option<i64> = db
        .query_row("SELECT 1 FROM own_copies WHERE hash = ?1", [&m.hash], |r| {
            r.get(0)
        })
        .optional()?;
    let Some(me) = ctx.me.clone().filter(|_| own_copy.is_none()) else {
        return Ok(());
    };
    let applied = &mut ctx.applied;
    let Some(target) = m.sync_target.as_deref().filter(|t| *t != me) else {
        // Unsend requests are copied without a target: they name our message.
        if let Payload::Unsend { to } = &m.payload
            && to.author.to_string() == me
        {
            unsend_own(db, ms(to.sent_at_ms), applied)?;
        }
        return Ok(());
    };
    match &m.payload {
        Payload::Text { body, quote } => {
            let known: Option<i64> = db
                .query_row(
                    "SELECT 1 FROM messages WHERE peer = ?1 AND outgoing = 1 AND sent_at_ms = ?2",
                    params![target, ms(m.sent_at_ms)],
                    |r| r.get(0),
                )
                .optional()?;
            if known.is_none() {
                let record = Record {
                    peer: target,
                    hash: &m.hash,
                    text: body,
                    sent_at_ms: m.sent_at_ms,
                    expiry: m.expiry,
                    quote: quote
                        .as_ref()
                        .map(|(r, _)| (r.author.to_string(), r.sent_at_ms)),
                    copy_hash: Some(&m.hash),
                };
                if insert(db, &record, true)? {
                    attachments::insert_all(db, &m.hash, &m.attachments, None)?;
                    db.execute(
                        "UPDATE messages SET state = 'sent' WHERE hash = ?1",
                        [&m.hash],
                    )?;
                    applied.new.push(new_entry(db, &m.hash)?);
                }
            }
            // Writing to someone makes them a conversation (answering a request accepts it).
            if contacts::get(db, target)?.is_none_or(|c| c.state == ContactState::Request) {
                contacts::upsert_state(db, target, ContactState::Approved)?;
                configs::push_contact(db, ctx.configs.as_deref_mut(), target)?;
            }
        }
        Payload::Reaction { to, emoji, remove } => {
            if let Some(hash) = resolve(db, target, to)? {
                let sql = if *remove {
                    "DELETE FROM reactions WHERE hash = ?1 AND reactor = ?2 AND emoji = ?3"
                } else {
                    "INSERT OR IGNORE INTO reactions (hash, reactor, emoji) VALUES (?1, ?2, ?3)"
                };
                db.execute(sql, params![hash, me, emoji])?;
                let verb = if *remove { "removed" } else { "reacted" };
                notice(
                    applied,
                    target,
                    format!("you {verb} {emoji} on {hash} (another device)"),
                );
            }
        }
        Payload::ExpirySetting => {
            contacts::set_expiry(db, target, m.expiry)?;
            configs::push_contact(db, ctx.configs.as_deref_mut(), target)?;
            notice(
                applied,
                target,
                format!(
                    "you set disappearing messages: {} (another device)",
                    m.expiry
                ),
            );
        }
        _ => {}
    }
    Ok(())
}

/// Deletes our message sent at `sent_at_ms` (unsent from another device), and marks its copy
/// in our swarm for deletion.
fn unsend_own(db: &Connection, sent_at_ms: i64, applied: &mut Applied) -> Result<(), HistoryError> {
    let found: Option<(String, String, Option<String>)> = db
        .query_row(
            "SELECT hash, peer, copy_hash FROM messages WHERE outgoing = 1 AND sent_at_ms = ?1",
            [sent_at_ms],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    if let Some((hash, peer, copy)) = found {
        db.execute("DELETE FROM reactions WHERE hash = ?1", [&hash])?;
        db.execute("DELETE FROM messages WHERE hash = ?1", [&hash])?;
        notice(
            applied,
            &peer,
            format!("you unsent {hash} (another device)"),
        );
        applied.swarm_deletes.extend(copy);
    }
    Ok(())
}
