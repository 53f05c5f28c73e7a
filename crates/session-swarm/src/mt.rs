//! `std::mt19937_64`, bit for bit, and the portable uniform draw oxen-core uses with it.
//!
//! Written from the definition of the 64-bit Mersenne Twister (Matsumoto and Nishimura; the C++
//! standard, [rand.eng.mers] and [rand.predef]): word size 64, degree 312, middle word 156,
//! separation point 31, and the standard's twist and tempering constants.

const N: usize = 312;
const M: usize = 156;
const MATRIX_A: u64 = 0xB502_6F5A_A966_19E9;
/// The low 31 bits of a word (separation point r = 31).
const LOWER_MASK: u64 = (1 << 31) - 1;
const UPPER_MASK: u64 = !LOWER_MASK;
const INIT_MULTIPLIER: u64 = 6_364_136_223_846_793_005;

/// The 64-bit Mersenne Twister with the parameters of C++'s `std::mt19937_64`: for the same seed
/// it yields the same sequence.
#[derive(Clone)]
pub struct Mt19937_64 {
    state: [u64; N],
    /// Next word of `state` to temper and return; `N` means the state must be twisted first.
    next: usize,
}

impl std::fmt::Debug for Mt19937_64 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mt19937_64")
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

impl Default for Mt19937_64 {
    /// Seeded with [`Mt19937_64::DEFAULT_SEED`], like a default-constructed `std::mt19937_64`.
    fn default() -> Self {
        Self::new(Self::DEFAULT_SEED)
    }
}

impl Mt19937_64 {
    /// The seed of a default-constructed `std::mt19937_64`.
    pub const DEFAULT_SEED: u64 = 5489;

    /// The largest value [`next_u64`](Self::next_u64) can return (`mt19937_64::max()`).
    pub const MAX: u64 = u64::MAX;

    /// A generator seeded like `std::mt19937_64(seed)`.
    pub fn new(seed: u64) -> Self {
        let mut state = [0u64; N];
        state[0] = seed;
        for i in 1..N {
            let prev = state[i - 1];
            state[i] = INIT_MULTIPLIER
                .wrapping_mul(prev ^ (prev >> 62))
                .wrapping_add(i as u64);
        }
        Self { state, next: N }
    }

    /// The next output, like `operator()` of `std::mt19937_64`.
    pub fn next_u64(&mut self) -> u64 {
        if self.next >= N {
            self.twist();
        }
        let mut y = self.state[self.next];
        self.next += 1;
        y ^= (y >> 29) & 0x5555_5555_5555_5555;
        y ^= (y << 17) & 0x71D6_7FFF_EDA6_0000;
        y ^= (y << 37) & 0xFFF7_EEE0_0000_0000;
        y ^ (y >> 43)
    }

    /// Regenerates all `N` words of state at once.
    fn twist(&mut self) {
        for i in 0..N {
            let joined = (self.state[i] & UPPER_MASK) | (self.state[(i + 1) % N] & LOWER_MASK);
            let mut shifted = joined >> 1;
            if joined & 1 == 1 {
                shifted ^= MATRIX_A;
            }
            self.state[i] = self.state[(i + M) % N] ^ shifted;
        }
        self.next = 0;
    }
}

/// A uniform draw from `0..n`, as oxen-core's `uniform_distribution_portable`: rejection
/// sampling below `secure_max = MAX − MAX % n`, then `x / (secure_max / n)`. Every call consumes
/// at least one output of `rng`, also when `n == 1`, which keeps the number of draws (and so all
/// later draws) independent of how many choices there were.
///
/// # Panics
/// If `n == 0` (there is nothing to choose from; a bug in the caller).
pub fn uniform(rng: &mut Mt19937_64, n: u64) -> u64 {
    assert!(n > 0, "uniform draw from an empty range");
    let secure_max = Mt19937_64::MAX - Mt19937_64::MAX % n;
    loop {
        let x = rng.next_u64();
        if x < secure_max {
            return x / (secure_max / n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_thousandth_output_of_default_seed() {
        // The C++ standard ([rand.predef]): the 10000th consecutive invocation of a
        // default-constructed mt19937_64 produces 9981545732273789042.
        let mut rng = Mt19937_64::default();
        let mut last = 0;
        for _ in 0..10_000 {
            last = rng.next_u64();
        }
        assert_eq!(last, 9_981_545_732_273_789_042);
    }

    #[test]
    fn uniform_of_one_consumes_a_draw() {
        let mut a = Mt19937_64::new(1);
        let mut b = Mt19937_64::new(1);
        assert_eq!(uniform(&mut a, 1), 0);
        b.next_u64();
        assert_eq!(a.next_u64(), b.next_u64());
    }
}
