//! Uniform choices from the caller's RNG (no modulo bias).

use rand_core::CryptoRng;

/// A uniform index in `0..n`; `n` must be at least 1.
pub(crate) fn below(rng: &mut impl CryptoRng, n: usize) -> usize {
    debug_assert!(n > 0);
    let n = n as u64;
    // Reject the top `2^64 mod n` values so that every residue is equally likely.
    let zone = u64::MAX - (u64::MAX - n + 1) % n;
    loop {
        let x = rng.next_u64();
        if x <= zone {
            return usize::try_from(x % n).expect("x % n < n, which came from a usize");
        }
    }
}

/// Picks one element uniformly, or `None` from an empty slice.
pub(crate) fn choose<'a, T>(rng: &mut impl CryptoRng, items: &'a [T]) -> Option<&'a T> {
    if items.is_empty() {
        None
    } else {
        items.get(below(rng, items.len()))
    }
}

/// Fisher–Yates shuffle.
pub(crate) fn shuffle<T>(rng: &mut impl CryptoRng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = below(rng, i + 1);
        items.swap(i, j);
    }
}
