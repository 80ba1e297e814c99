//! The one seeded random source of the engine, identical natively and in wasm, and pinned across library upgrades.
//! burn's own CPU seed is global and shared between threads (docs/architecture.md §2), so weights, shuffles and splits
//! draw from this instead.
//!
//! A shared link must reproduce a run after the dependencies move on, so nothing here is left to a library's choice:
//! the generator is named (ChaCha12, a fixed algorithm), the seed is expanded by PCG32 written out below, and the
//! conversions to floats, to integers below `n` and the shuffle are our own code. `tests/data.rs` pins drawn values.

use rand::SeedableRng;
use rand::rngs::ChaCha12Rng;
use rand_core::Rng;

/// A seeded generator with the few draws the engine needs.
pub struct Rng64(ChaCha12Rng);

/// One PCG32 output (XSH-RR), advancing `state` first: expands a 64-bit seed into ChaCha's 32-byte key.
fn pcg32(state: &mut u64) -> [u8; 4] {
    *state = state
        .wrapping_mul(0x5851_F42D_4C95_7F2D)
        .wrapping_add(0xA176_54E4_6FBE_17F3);
    let s = *state;
    let xorshifted = (((s >> 18) ^ s) >> 27) as u32;
    xorshifted.rotate_right((s >> 59) as u32).to_le_bytes()
}

impl Rng64 {
    /// A generator for `seed`, offset by `stream` so that independent uses do not share draws.
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut state = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut key = [0u8; 32];
        for chunk in key.chunks_exact_mut(4) {
            chunk.copy_from_slice(&pcg32(&mut state));
        }
        Self(ChaCha12Rng::from_seed(key))
    }
    /// The generator's state, to resume it elsewhere ([`Rng64::from_state`]): its 32-byte key, then its position in
    /// the stream (in 32-bit words, little-endian, 16 bytes).
    pub fn state(&self) -> [u8; 48] {
        let mut out = [0u8; 48];
        out[..32].copy_from_slice(&self.0.get_seed());
        out[32..].copy_from_slice(&self.0.get_word_pos().to_le_bytes());
        out
    }
    /// The generator [`Rng64::state`] saved: it draws what the saved one would have drawn next.
    pub fn from_state(state: &[u8; 48]) -> Self {
        let mut key = [0u8; 32];
        key.copy_from_slice(&state[..32]);
        let mut pos = [0u8; 16];
        pos.copy_from_slice(&state[32..]);
        let mut rng = ChaCha12Rng::from_seed(key);
        rng.set_word_pos(u128::from_le_bytes(pos));
        Self(rng)
    }
    /// The next 64 raw bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    /// Uniform in [0, 1): the top 53 bits of one draw, times 2⁻⁵³.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    /// Uniform in [lo, hi).
    pub fn uniform_in(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }
    /// Standard normal (Box–Muller, with `libm` so that wasm and native agree bit for bit).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform(); // (0, 1]
        let u2 = self.uniform();
        libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * std::f64::consts::PI * u2)
    }
    /// Uniform in `0..n` (`n` ≥ 1), without bias: Lemire's widening multiply with rejection, on 64-bit draws
    /// whatever the width of `usize`, so native and wasm32 agree.
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n >= 1, "below(0)");
        let n = n as u64;
        let threshold = n.wrapping_neg() % n; // 2⁶⁴ mod n
        loop {
            let m = (self.next_u64() as u128) * (n as u128);
            if (m as u64) >= threshold {
                return (m >> 64) as usize;
            }
        }
    }
    /// Fisher–Yates shuffle, from the last position down, each swap partner drawn with [`Rng64::below`].
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// Streams: one per use of randomness.
pub mod stream {
    /// Data generation.
    pub const DATA: u64 = 1;
    /// Train/test split.
    pub const SPLIT: u64 = 2;
    /// Weight initialisation.
    pub const INIT: u64 = 3;
    /// Batch shuffling.
    pub const SHUFFLE: u64 = 4;
    /// Plot sampling.
    pub const VIEW: u64 = 5;
    /// Choosing the forget set (random, backdoor and mislabeled points).
    pub const FORGET: u64 = 6;
    /// Randomness inside unlearning methods (noise, random labels, random teachers, shard assignment).
    pub const UNLEARN: u64 = 7;
    /// Pairing members with non-members for the membership attack.
    pub const AUDIT: u64 = 8;
    /// Dealing the training split to simulated clients, and which clients train in each round.
    pub const CLIENTS: u64 = 9;
    /// The privacy score's bootstrap (which runs and forget examples each resample draws).
    pub const BOOTSTRAP: u64 = 10;
}
