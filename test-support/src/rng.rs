//! The seeded generator of the test data: the project's one PRNG
//! (`synth::Rng`, xoshiro256++ seeded through SplitMix64), with the two
//! conveniences the fixtures use.

/// A seeded stream of test data.
pub struct Rng(synth::Rng);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(synth::Rng::seeded(seed))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.0.uniform()
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.0.below(n)
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }
}
