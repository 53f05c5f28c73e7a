//! The community commands (`community join/leave/read/post/edit/delete/react/ban/unban/pin/
//! unpin/moderator/dm`, `communities`) and how `receive`/`watch` show community posts and
//! DMs. Every request goes through onion paths; state is in the home directory's SQLite.

use crate::chat::{err, online};
use crate::output::Output;
use crate::{CliError, CliResult};
use clap::Subcommand;
use session_client::Chat;
use session_client::community::{DmSent, Round, Scope};
use session_client::history::community::{Post, Reaction};
use std::path::{Path, PathBuf};

/// What to do in a community.
#[derive(Subcommand, Debug)]
pub enum CommunityCommand {
    /// Join a room by its URL (http://host:port/ROOM?public_key=HEX; https and no port too);
    /// your other devices join too.
    Join {
        /// The room's URL.
        url: String,
    },
    /// Leave a room (on your other devices too).
    Leave {
        /// The room's URL.
        url: String,
    },
    /// Fetch what is new and show the room's latest posts (they count as read).
    Read {
        /// The room's URL.
        url: String,
        /// How many posts to show.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Post a text.
    Post {
        /// The room's URL.
        url: String,
        /// The text.
        text: String,
        /// Reply to (quote) the post with this id.
        #[arg(long)]
        reply_to: Option<i64>,
    },
    /// Replace the text of one of your posts.
    Edit {
        /// The room's URL.
        url: String,
        /// The post's id.
        id: i64,
        /// The new text.
        text: String,
    },
    /// Delete a post (yours, or anyone's as a moderator).
    Delete {
        /// The room's URL.
        url: String,
        /// The post's id.
        id: i64,
    },
    /// React to a post (or take the reaction back with --remove).
    React {
        /// The room's URL.
        url: String,
        /// The post's id.
        id: i64,
        /// The emoji.
        emoji: String,
        /// Take the reaction back.
        #[arg(long)]
        remove: bool,
    },
    /// Ban a user from the room (moderators).
    Ban {
        /// The room's URL.
        url: String,
        /// The user's blinded ID (15…).
        blinded_id: String,
        /// From every room of the server (global moderators).
        #[arg(long)]
        global: bool,
        /// Lift the ban after this many seconds.
        #[arg(long)]
        timeout: Option<u64>,
    },
    /// Lift a ban (moderators).
    Unban {
        /// The room's URL.
        url: String,
        /// The user's blinded ID (15…).
        blinded_id: String,
        /// The server-wide ban.
        #[arg(long)]
        global: bool,
    },
    /// Pin a post (admins).
    Pin {
        /// The room's URL.
        url: String,
        /// The post's id.
        id: i64,
    },
    /// Unpin a post (admins).
    Unpin {
        /// The room's URL.
        url: String,
        /// The post's id.
        id: i64,
    },
    /// Make a user a moderator (or admin) of the room (admins).
    Moderator {
        /// The room's URL.
        url: String,
        /// The user's blinded ID (15…).
        blinded_id: String,
        /// An admin rather than a moderator.
        #[arg(long)]
        admin: bool,
        /// Of every room of the server.
        #[arg(long)]
        global: bool,
    },
    /// Write to a blinded ID seen in a room (through the server's inbox; once you both
    /// know each other, as a normal 1:1 message).
    Dm {
        /// The recipient's blinded ID (15…).
        blinded_id: String,
        /// The text.
        text: String,
        /// The server (its URL with ?public_key=, or the base URL of a joined room).
        #[arg(long)]
        server: String,
    },
}

fn scope(global: bool) -> Scope {
    if global { Scope::Global } else { Scope::Room }
}

fn reactions(rx: &[Reaction]) -> Vec<String> {
    rx.iter()
        .map(|r| format!("{} {}", r.emoji, r.count))
        .collect()
}

/// A post as `receive`, `watch` and `community read` print it.
pub fn post(base: &str, room: &str, p: &Post) -> Output {
    let mut out = Output::default()
        .field("community", base.to_owned())
        .field("room", room.to_owned())
        .field("id", p.id)
        .field("sender", p.sender.clone());
    if let Some(n) = &p.sender_name {
        out = out.field("sender_name", n.clone());
    }
    out = out
        .field("text", p.text.clone())
        .field("posted_ms", p.posted_ms);
    if let Some((author, ts)) = &p.quote {
        out = out.field("quote", format!("{author}@{ts}"));
    }
    if p.edited_ms.is_some() {
        out = out.field("edited", true);
    }
    if !p.reactions.is_empty() {
        out = out.field("reactions", reactions(&p.reactions));
    }
    if p.mine {
        out = out.field("mine", true);
    }
    out
}

/// Prints a community round; returns how many posts and DMs were new.
pub fn show(chat: &Chat, round: &Round, json: bool) -> Result<usize, CliError> {
    let a = &round.applied;
    for (base, room, p) in &a.new {
        post(base, room, p).print(json);
    }
    for (base, room, p) in &a.edited {
        post(base, room, p).print(json);
    }
    for (base, room, id) in &a.deleted {
        Output::default()
            .field("community", base.clone())
            .field("room", room.clone())
            .field("id", *id)
            .field("deleted", true)
            .print(json);
    }
    for (base, room, id, rx) in &a.reactions {
        Output::default()
            .field("community", base.clone())
            .field("room", room.clone())
            .field("id", *id)
            .field("reactions", reactions(rx))
            .print(json);
    }
    for (base, d) in &a.dms {
        let mut out = Output::default()
            .field("community", base.clone())
            .field("dm", true)
            .field("id", d.id);
        if d.outgoing {
            out = out.field("to", d.peer.clone()).field("synced", true);
        } else {
            out = out.field("sender", d.peer.clone());
            if let Some(sid) = &d.peer_session_id {
                out = out.field("sender_session_id", sid.clone());
            }
        }
        out = out
            .field("text", d.text.clone())
            .field("posted_ms", d.posted_ms);
        if !d.outgoing && chat.community_dm_is_request(base, &d.peer).map_err(err)? {
            out = out.field("request", true);
        }
        out.print(json);
    }
    for (base, why) in &round.failed {
        eprintln!("community poll of {base} failed: {why}");
    }
    Ok(a.new.len() + a.dms.len())
}

/// `communities`: the joined rooms with their unread counts (offline).
pub fn list(home: &Path, json: bool) -> CliResult {
    let history = session_client::History::open(home).map_err(err)?;
    let rooms = history.community_rooms().map_err(err)?;
    for r in &rooms {
        let url = session_config_url(&r.base_url, &r.token, &r.pubkey);
        Output::default()
            .field("url", url)
            .field("name", r.name.clone())
            .field("unread", r.unread)
            .print(json);
    }
    Ok(Output::default().field("count", rooms.len()))
}

fn session_config_url(base: &str, token: &str, pubkey: &[u8; 32]) -> String {
    format!("{base}/{token}?public_key={}", hex::encode(pubkey))
}

/// Checks what can be checked before going online (URLs, IDs).
fn precheck(cmd: &CommunityCommand) -> Result<(), CliError> {
    use CommunityCommand as C;
    use session_client::community::url::{CommunityServer, RoomAddr};
    let url = match cmd {
        C::Join { url }
        | C::Leave { url }
        | C::Read { url, .. }
        | C::Post { url, .. }
        | C::Edit { url, .. }
        | C::Delete { url, .. }
        | C::React { url, .. }
        | C::Ban { url, .. }
        | C::Unban { url, .. }
        | C::Pin { url, .. }
        | C::Unpin { url, .. }
        | C::Moderator { url, .. } => url,
        C::Dm {
            blinded_id, server, ..
        } => {
            let ok = blinded_id.len() == 66
                && blinded_id.starts_with("15")
                && blinded_id.bytes().all(|b| b.is_ascii_hexdigit());
            if !ok {
                return Err(CliError(format!("{blinded_id}: expected a 15… blinded ID")));
            }
            if server.contains("?public_key=") {
                CommunityServer::parse(server).map_err(err)?;
            }
            return Ok(());
        }
    };
    RoomAddr::parse(url).map(drop).map_err(err)
}

/// Runs a community command.
pub fn run(home: &Path, net: Option<PathBuf>, json: bool, cmd: CommunityCommand) -> CliResult {
    use CommunityCommand as C;
    precheck(&cmd)?;
    online(home, net, async |c| match cmd {
        C::Join { url } => {
            let room = c.community_join(&url).await.map_err(err)?;
            Ok(Output::default().field("joined", room.url()))
        }
        C::Leave { url } => {
            let was = c.community_leave(&url).await.map_err(err)?;
            Ok(Output::default()
                .field("left", url)
                .field("was_joined", was))
        }
        C::Read { url, limit } => {
            let round = c.poll_communities().await.map_err(err)?;
            for (base, why) in &round.failed {
                eprintln!("community poll of {base} failed: {why}");
            }
            let addr = session_client::community::url::RoomAddr::parse(&url).map_err(err)?;
            let base = addr.server.base_url.clone();
            let posts = c
                .history()
                .community_posts(&base, &addr.token, limit)
                .map_err(err)?;
            for p in &posts {
                post(&base, &addr.token, p).print(json);
            }
            c.community_mark_read(&url).await.map_err(err)?;
            Ok(Output::default().field("posts", posts.len()))
        }
        C::Post {
            url,
            text,
            reply_to,
        } => {
            let p = c.community_post(&url, &text, reply_to).await.map_err(err)?;
            Ok(Output::default()
                .field("id", p.id)
                .field("sender", p.sender)
                .field("posted_ms", p.posted_ms))
        }
        C::Edit { url, id, text } => {
            c.community_edit(&url, id, &text).await.map_err(err)?;
            Ok(Output::default().field("edited", id))
        }
        C::Delete { url, id } => {
            c.community_delete(&url, id).await.map_err(err)?;
            Ok(Output::default().field("deleted", id))
        }
        C::React {
            url,
            id,
            emoji,
            remove,
        } => {
            c.community_react(&url, id, &emoji, remove)
                .await
                .map_err(err)?;
            Ok(Output::default()
                .field("id", id)
                .field("emoji", emoji)
                .field("removed", remove))
        }
        C::Ban {
            url,
            blinded_id,
            global,
            timeout,
        } => {
            c.community_ban(&url, &blinded_id, scope(global), timeout)
                .await
                .map_err(err)?;
            Ok(Output::default().field("banned", blinded_id))
        }
        C::Unban {
            url,
            blinded_id,
            global,
        } => {
            c.community_unban(&url, &blinded_id, scope(global))
                .await
                .map_err(err)?;
            Ok(Output::default().field("unbanned", blinded_id))
        }
        C::Pin { url, id } => {
            c.community_pin(&url, id, false).await.map_err(err)?;
            Ok(Output::default().field("pinned", id))
        }
        C::Unpin { url, id } => {
            c.community_pin(&url, id, true).await.map_err(err)?;
            Ok(Output::default().field("unpinned", id))
        }
        C::Moderator {
            url,
            blinded_id,
            admin,
            global,
        } => {
            c.community_add_moderator(&url, &blinded_id, scope(global), admin, true)
                .await
                .map_err(err)?;
            let role = if admin { "admin" } else { "moderator" };
            Ok(Output::default()
                .field("appointed", blinded_id)
                .field("role", role))
        }
        C::Dm {
            blinded_id,
            text,
            server,
        } => match c
            .community_dm(&server, &blinded_id, &text)
            .await
            .map_err(err)?
        {
            DmSent::Inbox(id) => Ok(Output::default()
                .field("to", blinded_id)
                .field("id", id)
                .field("via", "inbox")),
            DmSent::OneToOne { peer, hash } => Ok(Output::default()
                .field("to", peer)
                .field("hash", hash)
                .field("via", "1:1")),
        },
    })
}
