//! One group as a client holds it: the key ring and the two configs, kept in step (a rekey
//! re-keys and dirties the configs; a loaded key re-keys them without dirtying).

use crate::configs::{GroupInfo, GroupMembers, Member, status};
use crate::error::{Error, Result};
use crate::identity::GroupAdmin;
use crate::keys::GroupKeys;
use crate::message::Decrypted;
use crate::subaccount::{AuthData, Token};
use rand_core::CryptoRng;
use session_config::{MergeReport, Push};
use session_crypto::{GroupId, IdentityKeys, Seed, SessionId};

/// A group: keys (namespace 12), info (13) and members (14).
#[derive(Debug)]
pub struct Group {
    keys: GroupKeys,
    info: GroupInfo,
    members: GroupMembers,
}

/// A group's local state: the key ring's dump and the two configs' dumps.
#[derive(Default)]
pub struct Dumps {
    /// [`GroupKeys::dump`] (holds the group keys: store it as a secret).
    pub keys: Option<zeroize::Zeroizing<Vec<u8>>>,
    /// The info config's dump.
    pub info: Option<Vec<u8>>,
    /// The members config's dump.
    pub members: Option<Vec<u8>>,
}

impl std::fmt::Debug for Dumps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dumps")
            .field("keys", &self.keys.as_ref().map(|k| k.len()))
            .field("info", &self.info.as_ref().map(Vec::len))
            .field("members", &self.members.as_ref().map(Vec::len))
            .finish()
    }
}

/// What adding members produced.
#[derive(Debug)]
pub struct Added {
    /// The keys message to store in namespace 12 (a rekey, or a supplement when the new
    /// members get the history).
    pub keys_message: Vec<u8>,
    /// Each new member's auth data, to send in their invite.
    pub auth: Vec<(SessionId, AuthData)>,
}

impl Group {
    /// Creates a group administered by the account with `user_seed`: a fresh group key, the
    /// creator as its first (admin) member, the name and creation time set, the first key made.
    pub fn create(
        user_seed: &Seed,
        name: &str,
        creator_name: &str,
        now_ms: i64,
        rng: &mut impl CryptoRng,
    ) -> Result<Self> {
        let admin = GroupAdmin::generate(rng);
        let me = IdentityKeys::from_seed(user_seed.clone()).session_id();
        let mut g = Self::open(user_seed, admin.group_id(), Some(admin))?;
        let mut m = Member::new(me, creator_name);
        m.admin = true;
        g.members.set(&m)?;
        g.info.set_name(name)?;
        g.info.set_created(now_ms.div_euclid(1000))?;
        g.rekey()?;
        Ok(g)
    }

    /// A group we belong to, with nothing loaded yet; `admin` when we hold its key.
    pub fn open(user_seed: &Seed, group: GroupId, admin: Option<GroupAdmin>) -> Result<Self> {
        let info = GroupInfo::new(&group, admin.as_ref(), Vec::new());
        let members = GroupMembers::new(&group, admin.as_ref(), Vec::new());
        let keys = GroupKeys::new(user_seed, group, admin)?;
        Ok(Self {
            keys,
            info,
            members,
        })
    }

    /// A group restored from [`Group::dumps`] (each part optional: a group never polled has
    /// no dumps yet); `admin` when we hold its key.
    pub fn restore(
        user_seed: &Seed,
        group: GroupId,
        admin: Option<GroupAdmin>,
        dumps: &Dumps,
    ) -> Result<Self> {
        let mut g = Self::open(user_seed, group, admin)?;
        if let Some(k) = &dumps.keys {
            let admin = g.keys.admin().map(GroupAdmin::duplicate);
            g.keys = GroupKeys::load(user_seed, group, admin, k)?;
        }
        if let Some(d) = &dumps.info {
            g.info.config_mut().load_dump(d)?;
        }
        if let Some(d) = &dumps.members {
            g.members.config_mut().load_dump(d)?;
        }
        let keys = g.keys.group_keys();
        g.info.config_mut().set_keys(keys.clone());
        g.members.config_mut().set_keys(keys);
        Ok(g)
    }

    /// The state to keep locally (a secret: the keys dump holds the group keys).
    pub fn dumps(&mut self) -> Dumps {
        Dumps {
            keys: Some(self.keys.dump()),
            info: Some(self.info.config_mut().dump()),
            members: Some(self.members.config_mut().dump()),
        }
    }

    /// The group ID.
    pub fn id(&self) -> GroupId {
        self.keys.group_id()
    }

    /// The key ring.
    pub fn keys(&self) -> &GroupKeys {
        &self.keys
    }

    /// The info config.
    pub fn info(&self) -> &GroupInfo {
        &self.info
    }

    /// The info config, to edit (admins) or confirm pushes.
    pub fn info_mut(&mut self) -> &mut GroupInfo {
        &mut self.info
    }

    /// The members config.
    pub fn members(&self) -> &GroupMembers {
        &self.members
    }

    /// The members config, to edit (admins) or confirm pushes.
    pub fn members_mut(&mut self) -> &mut GroupMembers {
        &mut self.members
    }

    fn sync_config_keys(&mut self, dirty: bool) -> Result<()> {
        let keys = self.keys.group_keys();
        self.info.config_mut().replace_keys(keys.clone(), dirty)?;
        self.members.config_mut().replace_keys(keys, dirty)?;
        Ok(())
    }

    /// A new key for the current members; the configs are re-encrypted (dirty) with it.
    /// Returns the keys message for namespace 12.
    pub fn rekey(&mut self) -> Result<Vec<u8>> {
        let ids = self.members.session_ids();
        let msg = self.keys.rekey(&ids)?.to_vec();
        self.sync_config_keys(true)?;
        Ok(msg)
    }

    /// Adds members (invite not yet sent) with write access to the swarm. With `history` they
    /// get every current key through a supplement; otherwise the group is rekeyed.
    pub fn add_members(&mut self, new: &[(SessionId, &str)], history: bool) -> Result<Added> {
        let admin = self.keys.require_admin("add members")?;
        let mut auth = Vec::with_capacity(new.len());
        for (id, _) in new {
            auth.push((*id, admin.make_subaccount(id, true, false)?));
        }
        let before: Vec<Option<Member>> = new.iter().map(|(id, _)| self.members.get(id)).collect();
        for (id, name) in new {
            let mut m = Member::new(*id, name);
            m.invite_status = status::NOT_SENT;
            m.supplement = history;
            self.members.set(&m)?;
        }
        let keys_message = if history {
            let ids: Vec<SessionId> = new.iter().map(|(id, _)| *id).collect();
            self.keys.key_supplement(&ids)
        } else {
            self.rekey()
        };
        match keys_message {
            Ok(keys_message) => Ok(Added { keys_message, auth }),
            Err(e) => {
                // No key for them (e.g. `TooLarge`): the members config is as it was.
                for ((id, _), old) in new.iter().zip(before) {
                    match old {
                        Some(m) => self.members.set(&m)?,
                        None => drop(self.members.erase(id)?),
                    }
                }
                Err(e)
            }
        }
    }

    /// Removes members and rekeys without them. Returns the keys message and the removed
    /// members' tokens (to revoke on the swarm with `revoke_subaccount`).
    pub fn remove_members(&mut self, ids: &[SessionId]) -> Result<(Vec<u8>, Vec<Token>)> {
        let admin = self.keys.require_admin("remove members")?;
        let tokens = ids
            .iter()
            .map(|id| admin.subaccount_token(id, true, false))
            .collect::<Result<Vec<_>>>()?;
        for id in ids {
            self.members.erase(id)?;
        }
        Ok((self.rekey()?, tokens))
    }

    /// Becomes an admin with the group key (from a promotion message).
    pub fn promote(&mut self, admin: GroupAdmin) -> Result<()> {
        let id = self.id();
        self.info.set_admin(&id, &admin);
        self.members.set_admin(&id, &admin);
        self.keys.set_admin(admin)
    }

    /// Loads a keys message from namespace 12; on a new key the configs decrypt with it.
    pub fn load_keys(&mut self, hash: &str, data: &[u8], timestamp_ms: i64) -> Result<bool> {
        let found = self.keys.load_key_message(hash, data, timestamp_ms)?;
        if found {
            self.sync_config_keys(false)?;
        }
        Ok(found)
    }

    /// Merges info messages from namespace 13.
    pub fn merge_info(&mut self, messages: &[(String, Vec<u8>)]) -> Result<MergeReport> {
        self.info.merge(messages)
    }

    /// Merges members messages from namespace 14.
    pub fn merge_members(&mut self, messages: &[(String, Vec<u8>)]) -> Result<MergeReport> {
        self.members.merge(messages)
    }

    /// The info push, if one is needed (admins only).
    pub fn push_info(&mut self) -> Result<Option<Push>> {
        self.require_admin("push group info")?;
        Ok(if self.info.config().needs_push() {
            Some(self.info.push()?)
        } else {
            None
        })
    }

    /// The members push, if one is needed (admins only).
    pub fn push_members(&mut self) -> Result<Option<Push>> {
        self.require_admin("push group members")?;
        Ok(if self.members.config().needs_push() {
            Some(self.members.push()?)
        } else {
            None
        })
    }

    fn require_admin(&self, what: &'static str) -> Result<()> {
        self.keys.require_admin(what).map(|_| ())
    }

    /// Encrypts a group message (a serialized `Envelope`), compressed when smaller.
    pub fn encrypt_message(&self, plaintext: &[u8], rng: &mut impl CryptoRng) -> Result<Vec<u8>> {
        self.keys.encrypt_message(plaintext, true, rng)
    }

    /// Decrypts a group message and checks that its signer is a current member.
    pub fn decrypt_message(&self, ciphertext: &[u8]) -> Result<Decrypted> {
        let d = self.keys.decrypt_message(ciphertext)?;
        if !self.members.contains(&d.sender) {
            return Err(Error::NotMember);
        }
        Ok(d)
    }
}
