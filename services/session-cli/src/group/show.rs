//! How group messages, invitations, refusals and group lists are printed.

use crate::CliResult;
use crate::chat::err;
use crate::output::Output;
use session_client::group::GroupRound;
use session_client::history::Applied;
use session_client::history::groups::GroupMessage;
use std::path::Path;

/// A group message as `receive`, `watch` and `group history` print it.
pub fn message(m: &GroupMessage) -> Output {
    let mut out = Output::default()
        .field("group_id", m.group_id.clone())
        .field("sender", m.sender.clone())
        .field("text", m.text.clone())
        .field("sent_at_ms", m.sent_at_ms)
        .field("hash", m.hash.clone());
    if m.kind == "notice" {
        out = out.field("notice", true);
    }
    if let Some(at) = m.expires_at_ms {
        out = out.field("expires_at_ms", at);
    }
    if let Some((author, ts)) = &m.quote {
        out = out.field("quote", format!("{author}@{ts}"));
    }
    if !m.reactions.is_empty() {
        out = out.field("reactions", m.reactions.clone());
    }
    out
}

/// Prints the invitations and refusals a 1:1 poll brought.
pub fn show_invites(applied: &Applied, json: bool) {
    for i in &applied.group_invites {
        Output::default()
            .field("group_id", i.group_id.clone())
            .field("name", i.name.clone())
            .field("invited_by", i.inviter.clone())
            .field("invitation", true)
            .print(json);
    }
    for why in &applied.group_refusals {
        eprintln!("refused: {why}");
    }
}

/// Prints a group round; returns how many messages were new.
pub fn show(round: &GroupRound, json: bool) -> usize {
    for m in &round.new {
        message(m).print(json);
    }
    for g in &round.destroyed {
        Output::default()
            .field("group_id", g.clone())
            .field("destroyed", true)
            .print(json);
    }
    for (g, why) in &round.refused {
        eprintln!("group {g}: refused: {why}");
    }
    for (g, why) in &round.failed {
        eprintln!("group {g}: poll failed: {why}");
    }
    round.new.len()
}

/// `groups` / `group invitations`: from `UserGroups` and the local state (offline).
pub fn list(home: &Path, json: bool, only_invited: bool) -> CliResult {
    let history = session_client::History::open(home).map_err(err)?;
    let rows = history.groups().map_err(err)?;
    let mut n = 0;
    for g in rows.iter().filter(|g| !only_invited || g.invited) {
        n += 1;
        Output::default()
            .field("group_id", g.id.clone())
            .field("name", g.name.clone())
            .field("admin", g.admin)
            .field("invited", g.invited)
            .print(json);
    }
    Ok(Output::default().field("count", n))
}
