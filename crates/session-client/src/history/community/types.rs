//! The community rows' types.

use serde_json::Value;

/// Our rights in a room, as `pollInfo` and `GET /room` report them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Perms {
    /// May read.
    pub read: bool,
    /// May post.
    pub write: bool,
    /// A moderator of the room (or globally).
    pub moderator: bool,
    /// An admin of the room (or globally).
    pub admin: bool,
}

impl Perms {
    /// From a room or poll-info object (missing flags are false).
    pub fn from_json(v: &Value) -> Self {
        let flag = |k: &str| v.get(k).and_then(Value::as_bool).unwrap_or(false);
        Self {
            read: flag("read"),
            write: flag("write"),
            moderator: flag("moderator") || flag("global_moderator") || flag("admin"),
            admin: flag("admin") || flag("global_admin"),
        }
    }

    pub(crate) fn to_json(self) -> String {
        serde_json::json!({"read": self.read, "write": self.write,
            "moderator": self.moderator, "admin": self.admin})
        .to_string()
    }

    pub(crate) fn parse(text: &str) -> Self {
        serde_json::from_str(text)
            .map(|v: Value| Self::from_json(&v))
            .unwrap_or_default()
    }
}

/// One emoji's reactions to a post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reaction {
    /// The emoji.
    pub emoji: String,
    /// How many reacted.
    pub count: i64,
    /// Whether we did.
    pub you: bool,
    /// Some of those who did (the server lists the first few).
    pub reactors: Vec<String>,
    /// The server's order of the emoji.
    pub index: i64,
}

/// A room post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Post {
    /// Server message id.
    pub id: i64,
    /// The room's message sequence number of its last change.
    pub seqno: i64,
    /// The poster's ID as the server reports it (`15…`, or `05…` on unblinded servers).
    pub sender: String,
    /// The display name the post carried.
    pub sender_name: Option<String>,
    /// The text.
    pub text: String,
    /// When the server received it (unix ms).
    pub posted_ms: u64,
    /// The post's own timestamp (what quotes refer to).
    pub sent_ms: u64,
    /// When it was last edited (unix ms).
    pub edited_ms: Option<u64>,
    /// The quoted post's author and timestamp.
    pub quote: Option<(String, u64)>,
    /// Ours.
    pub mine: bool,
    /// Reactions, by the server's order.
    pub reactions: Vec<Reaction>,
}

/// A blinded DM (community inbox or outbox).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dm {
    /// Server message id (per box).
    pub id: i64,
    /// Sent by us.
    pub outgoing: bool,
    /// The other party's blinded ID.
    pub peer: String,
    /// Their Session ID, when a DM from them revealed it.
    pub peer_session_id: Option<String>,
    /// The text.
    pub text: String,
    /// When the server received it (unix ms).
    pub posted_ms: u64,
}

/// A joined room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinedRoom {
    /// Canonical base URL.
    pub base_url: String,
    /// Room token.
    pub token: String,
    /// Server key.
    pub pubkey: [u8; 32],
    /// Room name (empty until read).
    pub name: String,
    /// The poll cursor (`None` before the first read on this device).
    pub seqno: Option<i64>,
    /// The room info version last seen.
    pub info_updates: i64,
    /// Our rights as last seen.
    pub perms: Perms,
    /// Posts of others newer than the read mark.
    pub unread: usize,
}

/// A server's poll state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerState {
    /// Its capabilities (`None` while unknown).
    pub capabilities: Option<Vec<String>>,
    /// Last inbox message id seen.
    pub inbox_since: i64,
    /// Last outbox message id seen.
    pub outbox_since: i64,
}

/// What a join stores.
#[derive(Clone, Debug)]
pub struct Joined<'a> {
    /// Canonical base URL.
    pub base_url: &'a str,
    /// Room token.
    pub token: &'a str,
    /// Server key.
    pub pubkey: [u8; 32],
    /// Capabilities.
    pub capabilities: &'a [String],
    /// Room name.
    pub name: &'a str,
    /// The room's message sequence when read (the poll cursor).
    pub seqno: i64,
    /// Room info version.
    pub info_updates: i64,
    /// Our rights.
    pub perms: Perms,
    /// The recent posts read with it (stored as read).
    pub posts: &'a [Post],
}
