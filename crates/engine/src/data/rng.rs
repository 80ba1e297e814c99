//! The one seeded random source of the engine, identical natively and in wasm (ChaCha12 via `StdRng`).
//! burn's own CPU seed is global and shared between threads (docs/architecture.md §2), so weights, shuffles and splits
//! draw from this instead.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// A seeded generator with the few draws the engine needs.
pub struct Rng64(StdRng);

impl Rng64 {
    /// A generator for `seed`, offset by `stream` so that independent uses do not share draws.
    pub fn new(seed: u64, stream: u64) -> Self {
        Self(StdRng::seed_from_u64(
            seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15),
        ))
    }
    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.0.random::<f64>()
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
    /// Uniform in `0..n` (`n` ≥ 1).
    pub fn below(&mut self, n: usize) -> usize {
        self.0.random_range(0..n)
    }
    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.0.random_range(0..=i);
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
}
