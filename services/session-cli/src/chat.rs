//! The conversation commands over the network named by `--network` (a devnet manifest or a
//! seeds file): every request through onion paths, state in the home directory's SQLite.
//! Messages printed by `receive` and `watch` count as read.

use crate::output::Output;
use crate::{CliError, CliResult};
use session_client::content::Expiry;
use session_client::history::{Applied, ContactState, Entry, Notice, State};
use session_client::{Chat, History, NetworkConfig, OnionConfig};
use session_crypto::SessionId;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The network file: `--network`, else `$SESSION_NETWORK`, else `target/devnet/devnet.json`
/// below the current directory when a devnet is running there.
pub fn network_file(flag: Option<PathBuf>) -> Result<PathBuf, CliError> {
    if let Some(p) = flag.or_else(|| std::env::var_os("SESSION_NETWORK").map(PathBuf::from)) {
        return Ok(p);
    }
    let devnet = PathBuf::from("target/devnet/devnet.json");
    if devnet.is_file() {
        return Ok(devnet);
    }
    Err(CliError(
        "no network: pass --network FILE (a devnet manifest or {\"seeds\": [...]})".into(),
    ))
}

pub(crate) fn err(e: impl std::fmt::Display) -> CliError {
    CliError(e.to_string())
}

pub(crate) fn id(s: &str) -> Result<SessionId, CliError> {
    s.parse::<SessionId>()
        .map_err(|e| CliError(format!("{s}: {e}")))
}

/// Runs `f` on a connected [`Chat`].
pub fn online<T>(
    home: &Path,
    network: Option<PathBuf>,
    f: impl AsyncFnOnce(&mut Chat) -> Result<T, CliError>,
) -> Result<T, CliError> {
    let network = NetworkConfig::load(&network_file(network)?).map_err(err)?;
    // Loopback networks (devnets) cannot keep one node per /24.
    let config = if network.seeds.iter().all(|s| s.ip().is_loopback()) {
        OnionConfig::devnet()
    } else {
        OnionConfig::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(err)?;
    runtime.block_on(async {
        let mut chat = Chat::open(home, &network, config).await.map_err(err)?;
        f(&mut chat).await
    })
}

/// A new message as `receive` prints it. One of ours (sent from another device of the
/// account) has us as `sender`, the conversation as `to` and `synced`; one already read on
/// another device says `read`.
fn message(chat: &Chat, e: &Entry) -> Result<Output, CliError> {
    let contact = chat.history().contact(&e.peer).map_err(err)?;
    let mut out = if e.outgoing {
        Output::default()
            .field(
                "sender",
                chat.messenger().account().session_id().to_string(),
            )
            .field("to", e.peer.clone())
    } else {
        Output::default().field("sender", e.peer.clone())
    };
    if !e.outgoing
        && let Some(name) = contact.as_ref().and_then(|c| c.display_name())
    {
        out = out.field("sender_name", name.to_owned());
    }
    out = out
        .field("text", e.text.clone())
        .field("sent_at_ms", e.sent_at_ms)
        .field("hash", e.hash.clone());
    if e.outgoing {
        out = out.field("synced", true);
    } else if contact.is_some_and(|c| c.state == ContactState::Request) {
        out = out.field("request", true);
    }
    if !e.outgoing && e.state == State::Read {
        out = out.field("read", true);
    }
    if let Some((author, ts)) = &e.quote {
        out = out.field("quote", format!("{author}@{ts}"));
    }
    let attachments = crate::files::attachments_of(chat.history(), &e.hash)?;
    if !attachments.is_empty() {
        out = out.field("attachments", attachments);
    }
    Ok(out)
}

fn notice(n: &Notice) -> Output {
    Output::default()
        .field("peer", n.peer.clone())
        .field("notice", n.what.clone())
}

/// Prints a poll's messages and notices, marks the conversations read; returns how many
/// messages were new.
async fn show(
    chat: &Chat,
    applied: &Applied,
    json: bool,
    receipts: bool,
) -> Result<usize, CliError> {
    crate::files::after_poll(chat, &crate::progress::Bars::new(json)).await;
    let mut peers = std::collections::BTreeSet::new();
    for e in &applied.new {
        message(chat, e)?.print(json);
        if !e.outgoing && e.state == State::Unread {
            peers.insert(e.peer.clone());
        }
    }
    for n in &applied.notices {
        notice(n).print(json);
    }
    crate::group::show_invites(applied, json);
    let me = chat.messenger().account().session_id().to_string();
    for c in applied.calls.iter().filter(|c| c.sender != me) {
        if c.signal.signal == session_call::Signal::PreOffer {
            Output::default()
                .field("event", "incoming call")
                .field("peer", c.sender.clone())
                .field("call_id", c.signal.call.as_str())
                .field("sent_at_ms", c.sent_at_ms)
                .print(json);
        }
    }

    for peer in peers {
        chat.mark_read(&id(&peer)?, receipts).await.map_err(err)?;
    }
    Ok(applied.new.len())
}

/// `receive [--read-receipts]`: polls once (the swarm, every community server, every
/// group); one line (or JSON object) per new message, notice, invitation, community post or
/// DM, or group message.
pub fn receive(home: &Path, network: Option<PathBuf>, json: bool, receipts: bool) -> CliResult {
    let n = online(home, network, async |c| {
        let applied = c.poll().await.map_err(err)?;
        let mut n = show(c, &applied, json, receipts).await?;
        let round = c.poll_communities().await.map_err(err)?;
        n += crate::community::show(c, &round, json)?;
        let groups = c.poll_groups().await.map_err(err)?;
        n += crate::group::show(&groups, json);
        Ok(n)
    })?;
    Ok(Output::default().field("received", n))
}

/// `watch [--count N] [--interval-ms MS]`: polls until interrupted (or `count` messages came).
pub fn watch(
    home: &Path,
    network: Option<PathBuf>,
    json: bool,
    receipts: bool,
    count: Option<usize>,
    interval: Duration,
) -> CliResult {
    let n = online(home, network, async |c| {
        let mut total = 0;
        let mut communities_at: Option<std::time::Instant> = None;
        loop {
            match c.poll().await {
                Ok(applied) => total += show(c, &applied, json, receipts).await?,
                Err(e) => eprintln!("poll failed: {e}"),
            }
            match c.poll_groups().await {
                Ok(round) => total += crate::group::show(&round, json),
                Err(e) => eprintln!("group poll failed: {e}"),
            }
            let due = communities_at
                .is_none_or(|t| t.elapsed() >= session_client::community::POLL_INTERVAL);
            if due {
                communities_at = Some(std::time::Instant::now());
                match c.poll_communities().await {
                    Ok(round) => total += crate::community::show(c, &round, json)?,
                    Err(e) => eprintln!("community poll failed: {e}"),
                }
            }
            if count.is_some_and(|n| total >= n) {
                return Ok(total);
            }
            tokio::select! {
                _ = tokio::signal::ctrl_c() => return Ok(total),
                () = tokio::time::sleep(interval) => {}
            }
        }
    })?;
    Ok(Output::default().field("received", n))
}

/// The history for an offline command, with what expired by now (the system clock; online
/// commands use network time) swept away first.
fn offline(home: &Path) -> Result<History, CliError> {
    let history = History::open(home).map_err(err)?;
    let now = session_client::onion::system_ms();
    history.sweep(now).map_err(err)?;
    Ok(history)
}

/// `history SESSION_ID`: the conversation, oldest first (offline), each message with its
/// attachments (`attachments`: `file_name`, `size`, `content_type`, `path`, `state`).
pub fn history(home: &Path, peer: &str, json: bool) -> CliResult {
    let peer = id(peer)?.to_string();
    let history = offline(home)?;
    let entries = history.conversation(&peer).map_err(err)?;
    for e in &entries {
        let from = if e.outgoing { "me" } else { e.peer.as_str() };
        let mut out = Output::default()
            .field("from", from.to_owned())
            .field("text", e.text.clone())
            .field("sent_at_ms", e.sent_at_ms)
            .field("hash", e.hash.clone())
            .field("state", e.state.as_str());
        if !e.reactions.is_empty() {
            out = out.field("reactions", e.reactions.clone());
        }
        let attachments = crate::files::attachments_of(&history, &e.hash)?;
        if !attachments.is_empty() {
            out = out.field("attachments", attachments);
        }
        out.print(json);
    }
    Ok(Output::default().field("messages", entries.len()))
}

/// `conversations` / `requests`: peers with their newest message and unread count (offline).
pub fn list(home: &Path, state: ContactState, json: bool) -> CliResult {
    let summaries = offline(home)?.summaries(state).map_err(err)?;
    for s in &summaries {
        let mut out = Output::default().field("session_id", s.contact.peer.clone());
        if let Some(name) = s.contact.display_name() {
            out = out.field("name", name.to_owned());
        }
        out = out
            .field("unread", s.unread)
            .field("expiry", s.contact.expiry.to_string());
        if let Some(last) = &s.last {
            out = out
                .field("last", last.text.clone())
                .field("last_at_ms", last.sent_at_ms);
        }
        out.print(json);
    }
    Ok(Output::default().field("count", summaries.len()))
}

/// `typing SESSION_ID [--stop]`: a typing indicator (20 s TTL).
pub fn typing(home: &Path, network: Option<PathBuf>, peer: &str, started: bool) -> CliResult {
    let peer = id(peer)?;
    online(home, network, async |c| {
        c.typing(&peer, started).await.map_err(err)
    })?;
    Ok(Output::default()
        .field("to", peer.to_string())
        .field("typing", started))
}

/// `accept SESSION_ID`: accepts a message request (tells them).
pub fn accept(home: &Path, network: Option<PathBuf>, peer: &str) -> CliResult {
    let peer = id(peer)?;
    online(home, network, async |c| c.accept(&peer).await.map_err(err))?;
    Ok(Output::default().field("accepted", peer.to_string()))
}

/// `unsend HASH`: deletes an own message here and asks the recipient to delete it.
pub fn unsend(home: &Path, network: Option<PathBuf>, hash: &str) -> CliResult {
    online(home, network, async |c| c.unsend(hash).await.map_err(err))?;
    Ok(Output::default().field("unsent", hash.to_owned()))
}

/// `react HASH EMOJI [--remove]`.
pub fn react(
    home: &Path,
    network: Option<PathBuf>,
    hash: &str,
    emoji: &str,
    remove: bool,
) -> CliResult {
    online(home, network, async |c| {
        c.react(hash, emoji, remove).await.map_err(err)
    })?;
    Ok(Output::default()
        .field("hash", hash.to_owned())
        .field("emoji", emoji.to_owned())
        .field("removed", remove))
}

/// Parses `off | after-send | after-read` with seconds.
pub fn expiry(mode: &str, secs: u32) -> Result<Expiry, CliError> {
    match mode {
        "off" => Ok(Expiry::Off),
        "after-send" => Ok(Expiry::AfterSend(secs)),
        "after-read" => Ok(Expiry::AfterRead(secs)),
        other => Err(CliError(format!(
            "{other}: expected off, after-send or after-read"
        ))),
    }
}

/// `set-expiry SESSION_ID MODE SECONDS`.
pub fn set_expiry(
    home: &Path,
    network: Option<PathBuf>,
    peer: &str,
    mode: &str,
    secs: u32,
) -> CliResult {
    let peer = id(peer)?;
    let e = expiry(mode, secs)?;
    online(home, network, async |c| {
        c.set_expiry(&peer, e).await.map_err(err)
    })?;
    Ok(Output::default()
        .field("session_id", peer.to_string())
        .field("expiry", e.to_string()))
}
