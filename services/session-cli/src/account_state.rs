//! The account's shared state: `profile`, `profile set-name`, `contacts`, `nickname`, `block`,
//! `unblock` and the hidden `configs`. A change is made in the home directory first (so it
//! works offline) and then pushed to the own swarm when the network answers; when it does
//! not, the command says `pushed: false` and the next `receive` pushes it.

use crate::chat::{err, id, online};
use crate::output::Output;
use crate::{CliError, CliResult};
use session_client::history::{ContactState, HistoryError};
use session_client::{Account, History};
use std::path::{Path, PathBuf};

/// The account's history (with its configs); a clear error when there is no account.
fn open(home: &Path) -> Result<History, CliError> {
    Account::open(home).map_err(err)?;
    History::open(home).map_err(err)
}

fn changed(r: Result<(), HistoryError>) -> Result<(), CliError> {
    r.map_err(err)
}

/// Pushes what changed; on failure a warning and `false` (the change stays, to be pushed).
fn push(home: &Path, network: Option<PathBuf>) -> bool {
    match online(home, network, async |c| c.push_configs().await.map_err(err)) {
        Ok(_) => true,
        Err(CliError(e)) => {
            eprintln!("warning: not pushed to your swarm yet ({e}); `receive` will push it");
            false
        }
    }
}

/// `profile`: our display name and picture (its URL, and its local copy when there is one)
/// (offline).
pub fn show(home: &Path) -> CliResult {
    let account = Account::open(home).map_err(err)?;
    let p = open(home)?.profile().map_err(err)?;
    let cached = session_client::avatars::local_path(home, &account.session_id().to_string());
    let picture_path =
        (p.picture_url.is_some() && cached.is_file()).then(|| cached.display().to_string());
    Ok(Output::default()
        .field("session_id", account.session_id().to_string())
        .field("name", p.name)
        .field("picture_url", p.picture_url)
        .field("picture_path", picture_path))
}

/// `profile set-name NAME`.
pub fn set_name(home: &Path, network: Option<PathBuf>, name: &str) -> CliResult {
    let now = session_client::onion::system_ms();
    changed(open(home)?.set_profile_name(name, now))?;
    Ok(Output::default()
        .field("name", name.to_owned())
        .field("pushed", push(home, network)))
}

fn nonempty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

/// `contacts [--blocked]`: one line per known contact (offline).
pub fn contacts(home: &Path, blocked_only: bool, json: bool) -> CliResult {
    let history = open(home)?;
    let all = history.contacts(blocked_only).map_err(err)?;
    for c in &all {
        let picture = history.avatar(&c.peer).map_err(err)?.and_then(|a| a.path);
        Output::default()
            .field("session_id", c.peer.clone())
            .field("name", nonempty(&c.name))
            .field("nickname", nonempty(&c.nickname))
            .field("approved", c.approved)
            .field("approved_me", c.they_approved)
            .field("blocked", c.blocked())
            .field("picture_path", picture)
            .print(json);
    }
    Ok(Output::default().field("count", all.len()))
}

/// `nickname SESSION_ID NAME` (an empty NAME removes the nickname).
pub fn nickname(home: &Path, network: Option<PathBuf>, peer: &str, name: &str) -> CliResult {
    let peer = id(peer)?.to_string();
    changed(open(home)?.set_nickname(&peer, name))?;
    Ok(Output::default()
        .field("session_id", peer)
        .field("nickname", nonempty(name))
        .field("pushed", push(home, network)))
}

/// `block SESSION_ID`: their messages are dropped, on every device of the account.
pub fn block(home: &Path, network: Option<PathBuf>, peer: &str) -> CliResult {
    let peer = id(peer)?.to_string();
    changed(open(home)?.set_contact_state(&peer, ContactState::Blocked))?;
    Ok(Output::default()
        .field("blocked", peer)
        .field("pushed", push(home, network)))
}

/// `unblock SESSION_ID`.
pub fn unblock(home: &Path, network: Option<PathBuf>, peer: &str) -> CliResult {
    let peer = id(peer)?.to_string();
    let history = open(home)?;
    let known = history.contact(&peer).map_err(err)?;
    if !known.is_some_and(|c| c.blocked()) {
        return Err(CliError(format!("{peer} is not blocked")));
    }
    changed(history.unblock(&peer))?;
    Ok(Output::default()
        .field("unblocked", peer)
        .field("pushed", push(home, network)))
}

/// `configs` (hidden): where each user config stands here, to compare devices (offline).
pub fn configs(home: &Path, json: bool) -> CliResult {
    let all = open(home)?.config_status().map_err(err)?;
    for s in &all {
        let kind = match s.kind.namespace() {
            2 => "user_profile",
            3 => "contacts",
            4 => "convo_info_volatile",
            _ => "user_groups",
        };
        Output::default()
            .field("kind", kind)
            .field("namespace", s.kind.namespace())
            .field("seqno", s.seqno)
            .field("hash", s.hash.clone())
            .field("swarm_hash", s.swarm_hash.clone())
            .field("needs_push", s.needs_push)
            .print(json);
    }
    Ok(Output::default().field("configs", all.len()))
}
