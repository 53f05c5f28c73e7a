//! Pubkey → swarm mapping (`spec/network.md` 3.2), as the storage server and clients compute it.

/// A swarm id: a point on the 2^64 ring of pubkey space.
pub type SwarmId = u64;

/// The id that marks a node not (yet) in any swarm; never the id of a real swarm.
pub const UNASSIGNED_SWARM_ID: SwarmId = u64::MAX;

/// The point of a 32-byte account key on the ring: the XOR of its four 8-byte chunks, each read
/// big-endian. `pk` is the key without its type byte (the `05`/`03` prefix of an account ID).
pub fn pubkey_space(pk: &[u8; 32]) -> u64 {
    pk.chunks_exact(8).fold(0u64, |acc, chunk| {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        acc ^ u64::from_be_bytes(word)
    })
}

/// The swarm whose id is closest to `space` on the 2^64 ring; `None` when there is no swarm.
///
/// `sorted_ids` must be sorted ascending without duplicates (for other input the answer is
/// still one of the ids, but unspecified). [`UNASSIGNED_SWARM_ID`] is never returned: if present
/// it is skipped. With `right` the first id ≥ `space` (wrapping to the first id) and `left` the
/// id before it (wrapping to the last), `right` wins only if strictly closer: ties go to `left`,
/// the lower id, or the top id when `left` wrapped around.
pub fn swarm_for_space(space: u64, sorted_ids: &[SwarmId]) -> Option<SwarmId> {
    let ids = match sorted_ids.split_last() {
        Some((&UNASSIGNED_SWARM_ID, rest)) => rest,
        _ => sorted_ids,
    };
    let (&first, &last) = (ids.first()?, ids.last()?);
    let idx = ids.partition_point(|&id| id < space);
    let right = ids.get(idx).copied().unwrap_or(first);
    let left = match idx.checked_sub(1) {
        Some(i) => ids[i],
        None => last,
    };
    let d_right = right.wrapping_sub(space);
    let d_left = space.wrapping_sub(left);
    Some(if d_right < d_left { right } else { left })
}

/// [`swarm_for_space`] of [`pubkey_space`]: the swarm that stores the account `pk` (32 bytes,
/// without the type byte).
pub fn swarm_for_pubkey(pk: &[u8; 32], sorted_ids: &[SwarmId]) -> Option<SwarmId> {
    swarm_for_space(pubkey_space(pk), sorted_ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_single() {
        assert_eq!(swarm_for_space(5, &[]), None);
        assert_eq!(swarm_for_space(5, &[UNASSIGNED_SWARM_ID]), None);
        assert_eq!(swarm_for_space(5, &[7]), Some(7));
        assert_eq!(swarm_for_space(u64::MAX, &[0]), Some(0));
    }

    #[test]
    fn wrap_and_ties() {
        // 10 below zero: closer to 0 (wrapping up) than to 2^63.
        assert_eq!(swarm_for_space(u64::MAX - 9, &[0, 1 << 63]), Some(0));
        // Half-way between the top id and 0 across the wrap: the tie goes to the top id.
        assert_eq!(
            swarm_for_space(u64::MAX - 4, &[0, u64::MAX - 9]),
            Some(u64::MAX - 9)
        );
        assert_eq!(swarm_for_space(u64::MAX - 3, &[0, u64::MAX - 9]), Some(0));
        // Below the first id, a tie with the top id (the wrapped left) goes to the top id.
        assert_eq!(swarm_for_space(5, &[15, u64::MAX - 4]), Some(u64::MAX - 4));
        assert_eq!(swarm_for_space(6, &[15, u64::MAX - 4]), Some(15));
        // The unassigned marker is never a swarm.
        assert_eq!(swarm_for_space(5, &[10, UNASSIGNED_SWARM_ID]), Some(10));
    }
}
