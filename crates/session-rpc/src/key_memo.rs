//! A bounded memo of Ed25519 → X25519 key conversions for `05` accounts.
//!
//! Every signed request of a `05` account names its Ed25519 key, which must convert to the
//! account's X25519 key. The conversion decompresses the point, checks it is torsion-free (a
//! full scalar multiplication by the group order, as libsodium's
//! `crypto_sign_ed25519_pk_to_curve25519` does) and inverts: on a node pinned to one core it was
//! about a quarter of a signed retrieve, for a result that never changes for a key. Clients poll
//! with the same key again and again, so the node remembers it. The memo holds whole results of
//! a deterministic function (refusals too), so answers are the same with or without it; at
//! [`CAPACITY`] keys it starts over, so its memory stays bounded (about 300 kB).

use session_crypto::Ed25519PublicKey;
use std::collections::HashMap;
use std::sync::Mutex;

/// Keys remembered at most.
pub const CAPACITY: usize = 4_096;

/// Ed25519 key → its X25519 key, or `None` for a key that does not convert.
type Memo = HashMap<[u8; 32], Option<[u8; 32]>>;

static MEMO: Mutex<Option<Memo>> = Mutex::new(None);

/// The X25519 key of the Ed25519 key `ed` (`None` when it is not a valid, torsion-free point),
/// remembered.
pub fn x25519_of(ed: &Ed25519PublicKey) -> Option<[u8; 32]> {
    if let Some(known) = lock().as_ref().and_then(|m| m.get(ed.as_bytes()).copied()) {
        return known;
    }
    let x = ed.to_x25519().ok().map(|x| *x.as_bytes());
    let mut memo = lock();
    let memo = memo.get_or_insert_with(HashMap::new);
    if memo.len() >= CAPACITY {
        memo.clear();
    }
    memo.insert(*ed.as_bytes(), x);
    x
}

fn lock() -> std::sync::MutexGuard<'static, Option<Memo>> {
    MEMO.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use session_crypto::{IdentityKeys, Seed};

    #[test]
    fn remembered_answers_equal_the_conversion_for_good_and_bad_keys() {
        let keys: Vec<Ed25519PublicKey> = (0..=255u8)
            .map(|b| IdentityKeys::from_seed(Seed::from_bytes([b; 32])).ed25519_public())
            .chain((0..=255u8).map(|b| Ed25519PublicKey::from_bytes([b; 32])))
            .collect();
        for round in 0..2 {
            for k in &keys {
                let direct = k.to_x25519().ok().map(|x| *x.as_bytes());
                assert_eq!(x25519_of(k), direct, "round {round}, key {k:?}");
            }
        }
    }

    #[test]
    fn the_memo_stays_bounded() {
        for i in 0..(CAPACITY + 10) as u32 {
            let mut b = [0u8; 32];
            b[..4].copy_from_slice(&i.to_le_bytes());
            let _ = x25519_of(&Ed25519PublicKey::from_bytes(b));
        }
        assert!(lock().as_ref().map_or(0, HashMap::len) <= CAPACITY);
    }
}
