//! `UserGroups` (namespace 5): `g` groups v2 (33-byte `03` ID → `K` admin seed or empty, `s`
//! member auth data, `n` name, `r` removed status), `o` communities (base URL → `#` server key,
//! `R` → lower-case room → `n` room as displayed), `C` legacy groups (33-byte `05` ID → `n`,
//! `k`/`K` encryption keypair, `m` members, `a` admins, `E` timer). All three carry the common
//! `@` notify, `!` mute until, `+` priority, `i` invited, `j` joined at.

use super::convo::erase_community_room;
use super::{
    MAX_NAME_LEN, NotifyMode, Writer, bytes_at, delegate_config, int_at, text, truncate_utf8,
};
use crate::community;
use crate::config::Config;
use crate::data::{Dict, Field, Scalar, Set};
use crate::error::Result;
use crate::kind::Kind;
use session_crypto::{GroupId, IdentityKeys, Seed, SessionId};
use std::collections::BTreeMap;
use std::fmt;
use zeroize::Zeroizing;

/// A group's 32-byte Ed25519 seed: held by admins. Wiped on drop; never printed; compared in
/// constant time.
#[derive(Clone)]
pub struct GroupSeed(Zeroizing<[u8; 32]>);

impl PartialEq for GroupSeed {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        self.0.ct_eq(&*other.0).into()
    }
}

impl Eq for GroupSeed {}

impl GroupSeed {
    /// From raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// The seed bytes.
    pub fn expose_secret(&self) -> &[u8; 32] {
        &self.0
    }

    /// The group's keys (its ID is `03` ‖ their Ed25519 key).
    pub fn keys(&self) -> IdentityKeys {
        IdentityKeys::from_seed(Seed::from_bytes(*self.0))
    }
}

impl fmt::Debug for GroupSeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GroupSeed(<redacted>)")
    }
}

/// Fields every kind of group entry has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GroupCommon {
    /// 0 unpinned, > 0 pinned, < 0 hidden.
    pub priority: i64,
    /// When we joined (unix seconds).
    pub joined_at: i64,
    /// Notification setting.
    pub notifications: NotifyMode,
    /// Muted until (unix seconds).
    pub mute_until: i64,
    /// An invitation not yet accepted.
    pub invited: bool,
}

impl GroupCommon {
    fn load(d: &Dict) -> Self {
        Self {
            priority: int_at(d, "+").unwrap_or(0),
            joined_at: int_at(d, "j").unwrap_or(0).max(0),
            notifications: NotifyMode::from_stored(int_at(d, "@")),
            mute_until: int_at(d, "!").unwrap_or(0),
            invited: int_at(d, "i").unwrap_or(0) != 0,
        }
    }

    fn store(&self, w: &mut Writer<'_>) -> Result<()> {
        w.nonzero("+", self.priority)?;
        w.positive("j", self.joined_at)?;
        w.positive("@", self.notifications as i64)?;
        w.positive("!", self.mute_until)?;
        w.flag("i", self.invited)
    }
}

/// Whether we were removed from a group (`r`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RemovedStatus {
    /// Still a member.
    #[default]
    NotRemoved = 0,
    /// Kicked out.
    Kicked = 1,
    /// The group was destroyed.
    Destroyed = 2,
}

/// A groups v2 entry.
#[derive(Clone, PartialEq, Eq)]
pub struct GroupInfo {
    /// The group (`03` ‖ its Ed25519 key).
    pub id: GroupId,
    /// Its name, as given in the invitation (at most 100 bytes).
    pub name: String,
    /// The group seed, if we are an admin (kept only if it matches the ID).
    pub secret: Option<GroupSeed>,
    /// Our 100-byte member authentication data (non-admins).
    pub auth_data: Option<[u8; 100]>,
    /// Removed status.
    pub removed: RemovedStatus,
    /// Common fields.
    pub common: GroupCommon,
}

impl fmt::Debug for GroupInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupInfo")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("admin", &self.secret.is_some())
            .field("has_auth_data", &self.auth_data.is_some())
            .field("removed", &self.removed)
            .field("common", &self.common)
            .finish()
    }
}

impl GroupInfo {
    /// An entry with nothing set.
    pub fn new(id: GroupId) -> Self {
        Self {
            id,
            name: String::new(),
            secret: None,
            auth_data: None,
            removed: RemovedStatus::NotRemoved,
            common: GroupCommon::default(),
        }
    }

    fn seed_matches(&self, seed: &GroupSeed) -> bool {
        seed.keys().ed25519_public() == self.id.ed25519()
    }

    fn load(id: GroupId, d: &Dict) -> Self {
        let mut g = Self::new(id);
        g.common = GroupCommon::load(d);
        g.name = bytes_at(d, "n").map(text).unwrap_or_default();
        g.secret = bytes_at(d, "K")
            .and_then(|k| <[u8; 32]>::try_from(k).ok())
            .map(GroupSeed::from_bytes)
            .filter(|s| g.seed_matches(s));
        g.auth_data = bytes_at(d, "s").and_then(|s| s.try_into().ok());
        g.removed = match int_at(d, "r") {
            Some(1) => RemovedStatus::Kicked,
            Some(2) => RemovedStatus::Destroyed,
            _ => RemovedStatus::NotRemoved,
        };
        g
    }
}

/// A joined community room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunityInfo {
    /// Canonical base URL.
    pub base_url: String,
    /// The room token as displayed (case preserved; stored under its lower-case form).
    pub room: String,
    /// The server's Ed25519 key.
    pub pubkey: [u8; 32],
    /// Common fields.
    pub common: GroupCommon,
}

/// A legacy (closed) group entry, read and kept; no new ones are made.
#[derive(Clone, PartialEq, Eq)]
pub struct LegacyGroupInfo {
    /// The group's `05` ID.
    pub id: SessionId,
    /// Its name.
    pub name: String,
    /// The group's X25519 encryption keypair (public, secret), if both are stored.
    pub enc_keypair: Option<([u8; 32], GroupSeed)>,
    /// Members, `true` for admins.
    pub members: BTreeMap<SessionId, bool>,
    /// Disappearing timer in seconds (0 = off).
    pub disappearing_timer: i64,
    /// Common fields.
    pub common: GroupCommon,
}

impl fmt::Debug for LegacyGroupInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LegacyGroupInfo")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("members", &self.members.len())
            .finish_non_exhaustive()
    }
}

impl LegacyGroupInfo {
    fn load(id: SessionId, d: &Dict) -> Self {
        let pk = bytes_at(d, "k").and_then(|k| <[u8; 32]>::try_from(k).ok());
        let sk = bytes_at(d, "K").and_then(|k| <[u8; 32]>::try_from(k).ok());
        let mut members = BTreeMap::new();
        for (key, admin) in [("m", false), ("a", true)] {
            let Some(set) = d.get(key.as_bytes()).and_then(Field::as_set) else {
                continue;
            };
            for s in set {
                if let Scalar::Bytes(b) = s
                    && let Ok(id) = SessionId::from_bytes(b)
                {
                    members.entry(id).or_insert(admin);
                }
            }
        }
        Self {
            id,
            name: bytes_at(d, "n").map(text).unwrap_or_default(),
            enc_keypair: pk.zip(sk.map(GroupSeed::from_bytes)),
            members,
            disappearing_timer: int_at(d, "E").filter(|&e| e > 0).unwrap_or(0),
            common: GroupCommon::load(d),
        }
    }
}

/// The user's groups and communities.
#[derive(Debug)]
pub struct UserGroups {
    config: Config,
}

delegate_config!(UserGroups);

impl UserGroups {
    /// Empty, for the account with `seed`.
    pub fn new(seed: &Seed) -> Self {
        Self {
            config: Config::new_user(Kind::UserGroups, seed),
        }
    }

    /// Restored from [`Config::dump`] output.
    pub fn from_dump(seed: &Seed, dump: &[u8]) -> Result<Self> {
        let mut c = Self::new(seed);
        c.config.load_dump(dump)?;
        Ok(c)
    }

    /// See [`Config::push`].
    pub fn push(&mut self) -> Result<crate::Push> {
        self.config.push()
    }

    fn section(&self, key: &str) -> Option<&Dict> {
        self.config
            .data()
            .get(key.as_bytes())
            .and_then(Field::as_dict)
    }

    /// A group entry.
    pub fn get_group(&self, id: &GroupId) -> Option<GroupInfo> {
        let d = self
            .section("g")?
            .get(id.to_bytes().as_slice())?
            .as_dict()?;
        Some(GroupInfo::load(*id, d))
    }

    /// Every group entry.
    pub fn groups(&self) -> Vec<GroupInfo> {
        self.section("g")
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| Some(GroupInfo::load(GroupId::from_bytes(k).ok()?, v.as_dict()?)))
            .collect()
    }

    /// Stores a group entry. An admin entry keeps `K` = seed; otherwise `K` is empty and `s`
    /// holds the auth data, if any.
    pub fn set_group(&mut self, g: &GroupInfo) -> Result<()> {
        let id = g.id.to_bytes();
        let admin_seed = g.secret.as_ref().filter(|s| g.seed_matches(s)).cloned();
        let mut w = Writer::new(&mut self.config, vec![b"g".as_slice(), id.as_slice()]);
        g.common.store(&mut w)?;
        w.nonempty("n", truncate_utf8(&g.name, MAX_NAME_LEN).as_bytes())?;
        w.positive("r", g.removed as i64)?;
        match admin_seed {
            Some(seed) => w.set("K", seed.expose_secret().as_slice().into()),
            None => {
                w.set("K", Vec::new().into())?;
                match &g.auth_data {
                    Some(a) => w.set("s", a.as_slice().into()),
                    None => w.erase("s"),
                }
            }
        }
    }

    /// Removes a group entry. Returns whether it existed.
    pub fn erase_group(&mut self, id: &GroupId) -> Result<bool> {
        self.config.erase(&[b"g", &id.to_bytes()])
    }

    /// A community room entry (`base_url` and `room` are canonicalised for the lookup).
    pub fn get_community(&self, base_url: &str, room: &str) -> Result<Option<CommunityInfo>> {
        let base = community::canonical_url(base_url)?;
        let room_norm = community::canonical_room(room)?;
        let server =
            crate::data::get(self.config.data(), &[b"o", base.as_bytes()]).and_then(Field::as_dict);
        let Some(server) = server else {
            return Ok(None);
        };
        let Some(d) =
            crate::data::get(server, &[b"R", room_norm.as_bytes()]).and_then(Field::as_dict)
        else {
            return Ok(None);
        };
        Ok(Some(load_community(base, &room_norm, server, d)))
    }

    /// Every community room entry (servers without a valid key are skipped).
    pub fn communities(&self) -> Vec<CommunityInfo> {
        let mut out = Vec::new();
        for (base, server) in self.section("o").into_iter().flatten() {
            let Some(server) = server.as_dict() else {
                continue;
            };
            if server
                .get(b"#".as_slice())
                .and_then(Field::as_bytes)
                .is_none()
            {
                continue;
            }
            let rooms = server.get(b"R".as_slice()).and_then(Field::as_dict);
            for (room, d) in rooms.into_iter().flatten() {
                if let Some(d) = d.as_dict() {
                    out.push(load_community(text(base), &text(room), server, d));
                }
            }
        }
        out
    }

    /// Stores a community room entry (and the server's key).
    pub fn set_community(&mut self, c: &CommunityInfo) -> Result<()> {
        let base = community::canonical_url(&c.base_url)?;
        let room_norm = community::canonical_room(&c.room)?;
        self.config
            .set(&[b"o", base.as_bytes(), b"#"], c.pubkey.as_slice().into())?;
        let path = vec![b"o".as_slice(), base.as_bytes(), b"R", room_norm.as_bytes()];
        let mut w = Writer::new(&mut self.config, path);
        c.common.store(&mut w)?;
        w.set("n", c.room.as_bytes().into())
    }

    /// Removes a community room (and the server when it was the last). Returns whether it
    /// existed.
    pub fn erase_community(&mut self, base_url: &str, room: &str) -> Result<bool> {
        let base = community::canonical_url(base_url)?;
        let room = community::canonical_room(room)?;
        erase_community_room(&mut self.config, base.as_bytes(), room.as_bytes())
    }

    /// A legacy group entry.
    pub fn get_legacy_group(&self, id: &SessionId) -> Option<LegacyGroupInfo> {
        let d = self
            .section("C")?
            .get(id.to_bytes().as_slice())?
            .as_dict()?;
        Some(LegacyGroupInfo::load(*id, d))
    }

    /// Every legacy group entry.
    pub fn legacy_groups(&self) -> Vec<LegacyGroupInfo> {
        self.section("C")
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| {
                Some(LegacyGroupInfo::load(
                    SessionId::from_bytes(k).ok()?,
                    v.as_dict()?,
                ))
            })
            .collect()
    }

    /// Stores a legacy group entry (kept for clients that still list them).
    pub fn set_legacy_group(&mut self, g: &LegacyGroupInfo) -> Result<()> {
        let id = g.id.to_bytes();
        let mut w = Writer::new(&mut self.config, vec![b"C".as_slice(), id.as_slice()]);
        g.common.store(&mut w)?;
        w.set("n", truncate_utf8(&g.name, MAX_NAME_LEN).as_bytes().into())?;
        match &g.enc_keypair {
            Some((pk, sk)) => {
                w.set("k", pk.as_slice().into())?;
                w.set("K", sk.expose_secret().as_slice().into())?;
            }
            None => {
                w.erase("k")?;
                w.erase("K")?;
            }
        }
        let (mut members, mut admins) = (Set::new(), Set::new());
        for (id, admin) in &g.members {
            let s = Scalar::Bytes(id.to_bytes().to_vec());
            if *admin {
                admins.insert(s)
            } else {
                members.insert(s)
            };
        }
        w.set("m", Field::Set(members))?;
        w.set("a", Field::Set(admins))?;
        w.positive("E", g.disappearing_timer)
    }

    /// Removes a legacy group entry. Returns whether it existed.
    pub fn erase_legacy_group(&mut self, id: &SessionId) -> Result<bool> {
        self.config.erase(&[b"C", &id.to_bytes()])
    }
}

fn load_community(base_url: String, room_norm: &str, server: &Dict, d: &Dict) -> CommunityInfo {
    let display = bytes_at(d, "n")
        .map(text)
        .filter(|n| community::canonical_room(n).is_ok_and(|c| c == room_norm));
    CommunityInfo {
        base_url,
        room: display.unwrap_or_else(|| room_norm.to_owned()),
        pubkey: bytes_at(server, "#")
            .and_then(|k| k.try_into().ok())
            .unwrap_or([0; 32]),
        common: GroupCommon::load(d),
    }
}
