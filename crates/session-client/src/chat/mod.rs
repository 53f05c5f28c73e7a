//! 1:1 conversations: what a user does (send, reply, react, unsend, accept, block, set
//! disappearing messages, read) and what a poll brings, over [`Messenger`] (the swarm requests)
//! and [`History`] (the local state).
//!
//! Rules: writing to someone makes them a conversation; a stranger's first message makes a
//! request, and accepting (or answering) it sends a `MessageRequestResponse`; a blocked peer
//! cannot be written to and their messages are dropped. A message is recorded as `sending`
//! under its locally computed hash before it goes out, then `sent` or `failed`. Messages use
//! the conversation's disappearing setting: after-send ones are stored with the timer as TTL;
//! after-read ones get their swarm expiry shortened to read time + timer when read here.
//!
//! Several devices share the account (`configs`): texts, reactions, settings and unsend
//! requests also go to our own swarm as sync copies, so the other devices file them as ours;
//! our display name goes out with texts, reactions and request responses; every change a
//! user config records is pushed to the own swarm; a poll reads messages and configs in one
//! request and applies both in one transaction.

mod configs;
mod files;

pub use files::{Progress, ProgressFn};

use crate::attachments::Pointer;
use crate::content::{self, Expiry, MessageRef, Payload};
use crate::error::{Error, Result};
use crate::fileserver::FileServer;
use crate::history::{self, Applied, ContactState, History, PollBatch, ReadMarks, State};
use crate::messaging::Messenger;
use crate::network::{self, NetworkConfig};
use crate::onion::system_ms;
use crate::sync::POLLED_NAMESPACES;
use crate::{Account, OnionClient, OnionConfig};
use session_crypto::SessionId;
use std::path::{Path, PathBuf};

/// Pages one poll reads at most (a node answers a size-bounded page and says `more`); the rest waits for
/// the next poll.
const MAX_PAGES: usize = 10;

/// How often `watch` polls the own swarm.
pub const WATCH_INTERVAL: std::time::Duration = std::time::Duration::from_millis(500);

/// One account's conversations.
#[derive(Debug)]
pub struct Chat {
    messenger: Messenger,
    history: History,
    /// The home directory (attachments and pictures are saved below it).
    home: Option<PathBuf>,
    /// The network's file server, if it has one.
    file_server: Option<FileServer>,
    /// The network's TURN relay (calls), if it has one.
    turn: Option<network::TurnServer>,
}

pub(crate) fn local(e: history::HistoryError) -> Error {
    Error::Local(e.to_string())
}

impl Chat {
    /// Conversations of `messenger`'s account kept in `history` (with the account's configs).
    pub fn new(messenger: Messenger, history: History) -> Self {
        let history = history.with_seed(messenger.account().keys().seed().clone());
        Self {
            messenger,
            history,
            home: None,
            file_server: None,
            turn: None,
        }
    }

    /// Saves downloads below `home` and moves files through `file_server`.
    pub fn with_files(mut self, home: &Path, file_server: Option<FileServer>) -> Self {
        self.home = Some(home.to_path_buf());
        self.file_server = file_server;
        self
    }

    /// Opens the account and history in `home` and connects to `network`: the cached node
    /// list (or the seeds'), then two onion paths; when the cached list cannot give them, the
    /// list is fetched from the seeds again.
    pub async fn open(home: &Path, network: &NetworkConfig, config: OnionConfig) -> Result<Self> {
        let account = Account::open(home).map_err(|e| Error::Local(e.to_string()))?;
        let history = History::open(home).map_err(local)?;
        let http = reqwest::Client::new();
        let now = system_ms();
        let (nodes, fetched_at) = network::cached_bootstrap(home, &http, network, now).await?;
        let onion = OnionClient::new(config, nodes.clone());
        let messenger =
            Messenger::new(account, onion, nodes).with_refresh(home, network, fetched_at);
        messenger.ensure_paths().await?;
        let mut chat = Self::new(messenger, history).with_files(home, network.file_server.clone());
        chat.turn = network.turn.clone();
        Ok(chat)
    }

    /// The home directory, when the chat has one.
    pub(crate) fn home_dir(&self) -> Option<&Path> {
        self.home.as_deref()
    }

    /// The network's TURN relay.
    pub(crate) fn turn(&self) -> Option<&network::TurnServer> {
        self.turn.as_ref()
    }

    /// Where a peer stands (approved contact, request, blocked), if anywhere.
    pub(crate) fn peer_state(&self, peer: &str) -> Result<Option<ContactState>> {
        self.contact_state(peer)
    }

    /// The swarm requests.
    pub fn messenger(&self) -> &Messenger {
        &self.messenger
    }

    /// The swarm requests, to adjust.
    pub fn messenger_mut(&mut self) -> &mut Messenger {
        &mut self.messenger
    }

    /// The local state.
    pub fn history(&self) -> &History {
        &self.history
    }

    fn contact_state(&self, peer: &str) -> Result<Option<ContactState>> {
        Ok(self.history.contact(peer).map_err(local)?.map(|c| c.state))
    }

    fn expiry_with(&self, peer: &str) -> Result<Expiry> {
        Ok(self
            .history
            .contact(peer)
            .map_err(local)?
            .map_or(Expiry::Off, |c| c.expiry))
    }

    /// Seals and stores `out` for `to` under the conversation's setting; returns the hash and
    /// send time. Text is recorded first (`sending`), then marked `sent` or `failed`.
    async fn deliver(&self, to: &SessionId, out: &Payload) -> Result<(String, u64)> {
        self.deliver_with(to, out, None, &[]).await
    }

    /// [`Self::deliver`], with the store TTL `ttl_ms` instead of the setting's and, for a
    /// text, `files` (uploaded attachments and the paths they were read from). Our profile
    /// goes with it (where it fits); a sync copy (texts, reactions, settings, unsends) is
    /// stored in our own swarm once the message is stored, for our other devices.
    async fn deliver_with(
        &self,
        to: &SessionId,
        out: &Payload,
        ttl_ms: Option<u64>,
        files: &[(Pointer, String)],
    ) -> Result<(String, u64)> {
        let peer = to.to_string();
        let expiry = self.expiry_with(&peer)?;
        let sent_ms = self.messenger.now_ms();
        let mut msg = content::build(out, expiry, sent_ms);
        if let Some(dm) = msg.data_message.as_mut() {
            dm.attachments = files.iter().map(|(p, _)| p.to_proto()).collect();
        }
        let mut outgoing = msg.clone();
        self.add_own_profile(&mut outgoing);
        let (bytes, hash) = self.messenger.seal(to, &outgoing, sent_ms)?;
        let ttl = ttl_ms.unwrap_or(content::ttl_ms(out, expiry));
        let me = self.messenger.account().session_id();
        let copy = match content::sync_copy(&msg, to) {
            Some(c) if *to != me => Some(self.messenger.seal(&me, &c, sent_ms)?),
            _ => None,
        };
        if let Some((_, copy_hash)) = &copy {
            self.history
                .record_own_copy(copy_hash, sent_ms.saturating_add(ttl))
                .map_err(local)?;
        }
        if let Payload::Text { body, quote } = out {
            let quote = quote
                .as_ref()
                .map(|(r, _)| (r.author.to_string(), r.sent_at_ms));
            self.history
                .record_outgoing(&history::Record {
                    peer: &peer,
                    hash: &hash,
                    text: body,
                    sent_at_ms: sent_ms,
                    expiry,
                    quote,
                    copy_hash: copy.as_ref().map(|(_, h)| h.as_str()),
                })
                .map_err(local)?;
            if !files.is_empty() {
                let (pointers, paths): (Vec<Pointer>, Vec<String>) = files.iter().cloned().unzip();
                self.history
                    .record_sent_attachments(&hash, &pointers, &paths)
                    .map_err(local)?;
            }
        }
        let stored = self.messenger.store(to, &bytes, sent_ms, ttl).await;
        let state = if stored.is_ok() {
            State::Sent
        } else {
            State::Failed
        };
        self.history.set_state(&hash, state).map_err(local)?;
        if let (Ok(_), Some((copy_bytes, _))) = (&stored, copy)
            && let Err(e) = self.messenger.store(&me, &copy_bytes, sent_ms, ttl).await
        {
            tracing::warn!(error = %e, "storing the copy for our other devices failed");
        }
        stored.map(|_| (hash, sent_ms))
    }

    /// Sends a text (quoting the message `quote`, a hash from the history), stored for
    /// `ttl_ms` when given (else as the conversation's setting says); returns its hash.
    pub async fn send_text(
        &self,
        to: &SessionId,
        text: &str,
        quote: Option<&str>,
        ttl_ms: Option<u64>,
    ) -> Result<String> {
        self.send_text_with(to, text, quote, ttl_ms, &[]).await
    }

    /// [`Self::send_text`] with uploaded attachments (and the paths they came from).
    async fn send_text_with(
        &self,
        to: &SessionId,
        text: &str,
        quote: Option<&str>,
        ttl_ms: Option<u64>,
        files: &[(Pointer, String)],
    ) -> Result<String> {
        let peer = to.to_string();
        match self.contact_state(&peer)? {
            Some(ContactState::Blocked) => return Err(Error::Blocked(peer)),
            // Answering a request accepts it.
            Some(ContactState::Request) => self.accept(to).await?,
            _ => {}
        }
        let quote = match quote {
            Some(h) => Some(self.reference(h)?),
            None => None,
        };
        let quote = quote.map(|(r, text)| (r, Some(text)));
        let out = Payload::Text {
            body: text.to_owned(),
            quote,
        };
        Ok(self.deliver_with(to, &out, ttl_ms, files).await?.0)
    }

    /// The reference (author, send time) and text of the message `hash` in the history.
    fn reference(&self, hash: &str) -> Result<(MessageRef, String)> {
        let e = self
            .history
            .message(hash)
            .map_err(local)?
            .ok_or_else(|| Error::Local(format!("no message {hash} in the history")))?;
        let author = if e.outgoing {
            self.messenger.account().session_id()
        } else {
            e.peer
                .parse()
                .map_err(|_| Error::Local("bad peer".into()))?
        };
        Ok((
            MessageRef {
                author,
                sent_at_ms: e.sent_at_ms,
            },
            e.text,
        ))
    }

    fn peer_of(&self, hash: &str) -> Result<SessionId> {
        let e = self
            .history
            .message(hash)
            .map_err(local)?
            .ok_or_else(|| Error::Local(format!("no message {hash} in the history")))?;
        e.peer.parse().map_err(|_| Error::Local("bad peer".into()))
    }

    /// Reacts to (or with `remove`, takes back a reaction on) the message `hash`.
    pub async fn react(&self, hash: &str, emoji: &str, remove: bool) -> Result<()> {
        let to = self.peer_of(hash)?;
        let (target, _) = self.reference(hash)?;
        let out = Payload::Reaction {
            to: target,
            emoji: emoji.to_owned(),
            remove,
        };
        self.deliver(&to, &out).await?;
        let me = self.messenger.account().session_id().to_string();
        self.history
            .record_own_reaction(hash, &me, emoji, remove)
            .map_err(local)
    }

    /// Unsends an own message: asks the recipient to delete it and deletes the local copy.
    pub async fn unsend(&self, hash: &str) -> Result<()> {
        let e = self
            .history
            .message(hash)
            .map_err(local)?
            .filter(|e| e.outgoing)
            .ok_or_else(|| Error::Local(format!("no message of ours with hash {hash}")))?;
        let to: SessionId = e
            .peer
            .parse()
            .map_err(|_| Error::Local("bad peer".into()))?;
        let (target, _) = self.reference(hash)?;
        let copy = self.history.copy_hash(hash).map_err(local)?;
        self.deliver(&to, &Payload::Unsend { to: target }).await?;
        self.history.delete_message(hash).map_err(local)?;
        // Our other devices apply the unsend request (its copy); the message's copy goes.
        if let Some(copy) = copy
            && let Err(e) = self.messenger.delete_own(&[copy]).await
        {
            tracing::debug!(error = %e, "deleting the unsent message's copy failed");
        }
        Ok(())
    }

    /// Accepts `peer`'s message request (or approves them ahead of time).
    pub async fn accept(&self, peer: &SessionId) -> Result<()> {
        let id = peer.to_string();
        self.history
            .set_contact_state(&id, ContactState::Approved)
            .map_err(local)?;
        self.deliver(peer, &Payload::RequestResponse { approved: true })
            .await?;
        self.sync_configs().await;
        Ok(())
    }

    /// Blocks `peer`: nothing of theirs is kept from now on (on our other devices too).
    pub async fn block(&self, peer: &SessionId) -> Result<()> {
        self.history
            .set_contact_state(&peer.to_string(), ContactState::Blocked)
            .map_err(local)?;
        self.sync_configs().await;
        Ok(())
    }

    /// Sets the conversation's disappearing messages and tells `peer`.
    pub async fn set_expiry(&self, peer: &SessionId, expiry: Expiry) -> Result<()> {
        self.history
            .set_expiry(&peer.to_string(), expiry)
            .map_err(local)?;
        self.deliver(peer, &Payload::ExpirySetting).await?;
        self.sync_configs().await;
        Ok(())
    }

    /// Tells `peer` we are (or stopped) typing.
    pub async fn typing(&self, peer: &SessionId, started: bool) -> Result<()> {
        self.deliver(peer, &Payload::Typing { started })
            .await
            .map(drop)
    }

    /// Polls the own swarm: sweeps what expired, then page by page reads messages and
    /// configs in one request each, applies them with the cursors in one transaction and
    /// deletes unsent messages from the swarm; finally pushes the configs that changed.
    pub async fn poll(&mut self) -> Result<Applied> {
        self.history.sweep(self.messenger.now_ms()).map_err(local)?;
        let mut all = Applied::default();
        let mut pending = POLLED_NAMESPACES.to_vec();
        for _ in 0..MAX_PAGES {
            let cursors = pending
                .iter()
                .map(|ns| Ok((*ns, self.history.cursor(*ns).map_err(local)?)))
                .collect::<Result<Vec<_>>>()?;
            let page = self.messenger.retrieve_batch(&cursors).await?;
            let batch = PollBatch {
                messages: page.messages,
                last_hash: page.last_hash,
                configs: page.configs,
                group_updates: page.group_updates,
                calls: page.calls,
                now_ms: self.messenger.now_ms(),
            };
            let applied = self.history.apply_batch(&batch).map_err(local)?;
            if let Err(e) = self.messenger.delete_own(&applied.swarm_deletes).await {
                tracing::debug!(error = %e, "deleting unsent messages from the swarm failed");
            }
            all.new.extend(applied.new);
            all.notices.extend(applied.notices);
            all.swarm_deletes.extend(applied.swarm_deletes);
            all.configs_changed.extend(applied.configs_changed);
            all.config_errors.extend(applied.config_errors);
            all.group_invites.extend(applied.group_invites);
            all.group_refusals.extend(applied.group_refusals);
            all.calls.extend(applied.calls);
            if page.more.is_empty() {
                break;
            }
            pending = page.more;
        }
        self.sync_configs_mut().await;
        Ok(all)
    }

    /// Marks `peer`'s messages read: delete-after-read ones start their timer, here and in
    /// the swarm (shortened expiry); with `receipt`, a read receipt goes to `peer`.
    pub async fn mark_read(&self, peer: &SessionId, receipt: bool) -> Result<ReadMarks> {
        let now = self.messenger.now_ms();
        let marks = self
            .history
            .mark_read(&peer.to_string(), now)
            .map_err(local)?;
        if !marks.timestamps.is_empty() {
            self.sync_configs().await;
        }
        // One expire request per distinct expiry (messages read together share one).
        let mut by_expiry: std::collections::BTreeMap<u64, Vec<String>> = Default::default();
        for (hash, at) in &marks.expire {
            by_expiry.entry(*at).or_default().push(hash.clone());
        }
        for (at, hashes) in by_expiry {
            self.messenger.shorten_own(&hashes, at).await?;
        }
        if receipt && !marks.timestamps.is_empty() {
            let out = Payload::Receipt {
                read: true,
                timestamps: marks.timestamps.clone(),
            };
            self.deliver(peer, &out).await?;
        }
        Ok(marks)
    }

    /// Drops what expired locally by now (network time); returns how many went.
    pub fn sweep(&self) -> Result<usize> {
        self.history.sweep(self.messenger.now_ms()).map_err(local)
    }
}
