//! The group commands (`group create/invite/invitations/accept/decline/send/react/delete/
//! history/members/remove/promote/rename/describe/disappear/leave/destroy`, `groups`) and how `receive`/`watch` show
//! group messages, invitations and refused group input. Every request goes through onion
//! paths; state is in the home directory's SQLite.

mod check;
mod show;

pub use show::{list, message, show, show_invites};

use crate::chat::{err, id, online};
use crate::output::Output;
use crate::{CliError, CliResult};
use check::{gid, ids, precheck};
use clap::Subcommand;
use session_client::Chat;
use std::path::{Path, PathBuf};

/// What to do in a group.
#[derive(Subcommand, Debug)]
pub enum GroupCommand {
    /// Create a group (you are its admin) and invite members.
    Create {
        /// The group's name (at most 100 bytes).
        name: String,
        /// Invite this Session ID (repeat for more).
        #[arg(long = "member")]
        members: Vec<String>,
        /// A description.
        #[arg(long, default_value = "")]
        description: String,
    },
    /// Invite members (admins).
    Invite {
        /// The group ID (03…).
        group: String,
        /// Session IDs to invite.
        #[arg(required = true)]
        members: Vec<String>,
        /// Let them read the messages sent before they joined.
        #[arg(long)]
        history: bool,
    },
    /// List the invitations not answered yet.
    Invitations,
    /// Accept an invitation (your other devices join too).
    Accept {
        /// The group ID.
        group: String,
    },
    /// Decline an invitation.
    Decline {
        /// The group ID.
        group: String,
    },
    /// Send a text to a group.
    Send {
        /// The group ID.
        group: String,
        /// The text.
        text: String,
        /// Quote (reply to) the group message with this hash.
        #[arg(long)]
        quote: Option<String>,
    },
    /// React to a group message (or take the reaction back with --remove).
    React {
        /// The group ID.
        group: String,
        /// The message's hash (from `group history`).
        hash: String,
        /// The emoji.
        emoji: String,
        /// Take the reaction back.
        #[arg(long)]
        remove: bool,
    },
    /// Delete messages for everyone (alias `unsend`): your own (any member), or anyone's and
    /// all of a member's (admins; also deleted from the group's swarm). Every member's
    /// client drops them when it polls the notice.
    #[command(visible_alias = "unsend")]
    Delete {
        /// The group ID.
        group: String,
        /// Hashes of the messages (from `group history`).
        hashes: Vec<String>,
        /// Also every message of this member (admins; repeat for more).
        #[arg(long = "member")]
        members: Vec<String>,
    },
    /// Show a group's messages, oldest first (offline).
    History {
        /// The group ID.
        group: String,
    },
    /// List a group's members with their invite and promotion status (offline).
    Members {
        /// The group ID.
        group: String,
    },
    /// Remove members (admins): a new key without them, their access revoked.
    Remove {
        /// The group ID.
        group: String,
        /// Session IDs to remove.
        #[arg(required = true)]
        members: Vec<String>,
        /// Also delete their messages (from the swarm and every member's history).
        #[arg(long)]
        delete_messages: bool,
    },
    /// Make a member an admin (admins).
    Promote {
        /// The group ID.
        group: String,
        /// The member's Session ID.
        member: String,
    },
    /// Rename the group (admins).
    Rename {
        /// The group ID.
        group: String,
        /// The new name.
        name: String,
    },
    /// Set the group's description (admins).
    Describe {
        /// The group ID.
        group: String,
        /// The description (at most 2,000 bytes).
        text: String,
    },
    /// Set the disappearing-messages timer (admins): messages sent from now on disappear
    /// SECONDS after sending, for every member; 0 turns it off.
    Disappear {
        /// The group ID.
        group: String,
        /// The timer in seconds: 0 (off), or 10 to 2592000 (30 days).
        seconds: u32,
    },
    /// Leave a group.
    Leave {
        /// The group ID.
        group: String,
    },
    /// Destroy a group (admins).
    Destroy {
        /// The group ID.
        group: String,
    },
}

fn offline(home: &Path, cmd: &GroupCommand, json: bool) -> Option<CliResult> {
    use GroupCommand as G;
    let history = || session_client::History::open(home).map_err(err);
    Some(match cmd {
        G::Invitations => list(home, json, true),
        G::History { group } => gid(group).and_then(|g| {
            let history = history()?;
            // What disappeared by now (the system clock) is not shown.
            history
                .sweep(session_client::onion::system_ms())
                .map_err(err)?;
            let msgs = history.group_messages(&g).map_err(err)?;
            for m in &msgs {
                message(m).print(json);
            }
            Ok(Output::default().field("messages", msgs.len()))
        }),
        G::Members { group } => gid(group).and_then(|g| {
            let members = history()?.group_members(&g).map_err(err)?;
            for m in &members {
                Output::default()
                    .field("session_id", m.session_id.clone())
                    .field("admin", m.admin)
                    .field("status", m.status.clone())
                    .print(json);
            }
            Ok(Output::default().field("members", members.len()))
        }),
        _ => return None,
    })
}

/// Runs a group command.
pub fn run(home: &Path, net: Option<PathBuf>, json: bool, cmd: GroupCommand) -> CliResult {
    precheck(&cmd)?;
    if let Some(r) = offline(home, &cmd, json) {
        return r;
    }
    online(home, net, async |c| online_command(c, cmd).await)
}

async fn online_command(c: &mut Chat, cmd: GroupCommand) -> CliResult {
    use GroupCommand as G;
    let done = |what: &'static str, g: String| Ok(Output::default().field(what, g));
    match cmd {
        G::Create {
            name,
            members,
            description,
        } => {
            let g = c
                .group_create(&name, &description, &ids(&members)?)
                .await
                .map_err(err)?;
            Ok(Output::default()
                .field("group_id", g.to_string())
                .field("invited", members.len()))
        }
        G::Invite {
            group,
            members,
            history,
        } => {
            c.group_invite(&gid(&group)?, &ids(&members)?, history)
                .await
                .map_err(err)?;
            Ok(Output::default()
                .field("group_id", group)
                .field("invited", members.len()))
        }
        G::Accept { group } => {
            c.group_accept(&gid(&group)?).await.map_err(err)?;
            done("accepted", group)
        }
        G::Decline { group } => {
            c.group_decline(&gid(&group)?).await.map_err(err)?;
            done("declined", group)
        }
        G::Send { group, text, quote } => {
            let hash = c
                .group_send(&gid(&group)?, &text, quote.as_deref())
                .await
                .map_err(err)?;
            Ok(Output::default()
                .field("group_id", group)
                .field("hash", hash))
        }
        G::React {
            group,
            hash,
            emoji,
            remove,
        } => {
            c.group_react(&gid(&group)?, &hash, &emoji, remove)
                .await
                .map_err(err)?;
            Ok(Output::default()
                .field("hash", hash)
                .field("emoji", emoji)
                .field("removed", remove))
        }
        G::Delete {
            group,
            hashes,
            members,
        } => {
            let n = c
                .group_delete(&gid(&group)?, &hashes, &ids(&members)?)
                .await
                .map_err(err)?;
            Ok(Output::default()
                .field("group_id", group)
                .field("hashes", hashes)
                .field("members", members)
                .field("deleted", n))
        }
        G::Disappear { group, seconds } => {
            c.group_disappear(&gid(&group)?, seconds)
                .await
                .map_err(err)?;
            Ok(Output::default()
                .field("group_id", group)
                .field("disappear_after_s", seconds))
        }
        G::Remove {
            group,
            members,
            delete_messages,
        } => {
            c.group_remove(&gid(&group)?, &ids(&members)?, delete_messages)
                .await
                .map_err(err)?;
            Ok(Output::default()
                .field("group_id", group)
                .field("removed", members.len()))
        }
        G::Promote { group, member } => {
            c.group_promote(&gid(&group)?, &id(&member)?)
                .await
                .map_err(err)?;
            done("promoted", member)
        }
        G::Rename { group, name } => {
            c.group_rename(&gid(&group)?, &name).await.map_err(err)?;
            done("renamed", group)
        }
        G::Describe { group, text } => {
            c.group_describe(&gid(&group)?, &text).await.map_err(err)?;
            done("described", group)
        }
        G::Leave { group } => {
            c.group_leave(&gid(&group)?).await.map_err(err)?;
            done("left", group)
        }
        G::Destroy { group } => {
            c.group_destroy(&gid(&group)?).await.map_err(err)?;
            done("destroyed", group)
        }
        G::Invitations | G::History { .. } | G::Members { .. } => {
            Err(CliError("internal: an offline command".into()))
        }
    }
}
