//! The project's random number generator: small and self-contained, so that
//! a seed gives the same draws on every platform and with every version of
//! every dependency.
//!
//! SplitMix64 turns a seed (for the generator, `(seed, stream, index)`) into
//! the state of a xoshiro256++ generator; normals come from the inverse of
//! the normal CDF (one uniform per normal, no cached state), and
//! `normal_cdf` maps normals back to uniforms for the Gaussian copula.

/// SplitMix64 step: a strong 64-bit mixer, used only for seeding.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256++ (Blackman & Vigna), seeded by SplitMix64: the same seed
/// gives the same sequence forever.
///
/// ```
/// let mut rng = synth::Rng::seeded(42);
/// let mut rows: Vec<usize> = (0..10).collect();
/// rng.shuffle(&mut rows);
/// assert!(rng.below(10) < 10);
/// assert!((0.0..1.0).contains(&rng.uniform()));
/// ```
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// The generator of `seed`: its state is the first four SplitMix64
    /// outputs from `seed`, as the xoshiro authors recommend.
    pub fn seeded(seed: u64) -> Self {
        Self::from_splitmix(seed)
    }

    /// The generator of one independent stream, e.g. (seed, "history counts",
    /// applicant index). Streams never overlap in practice.
    pub(crate) fn new(seed: u64, stream: u64, index: u64) -> Self {
        let mut mix = seed;
        let a = splitmix64(&mut mix);
        let mut mix = a ^ stream.wrapping_mul(0xD6E8_FEB8_6659_FD93);
        let b = splitmix64(&mut mix);
        Self::from_splitmix(b ^ index.wrapping_mul(0xA076_1D64_78BD_642F))
    }

    /// The state of the next four SplitMix64 outputs from `mix`.
    fn from_splitmix(mut mix: u64) -> Self {
        let s = [
            splitmix64(&mut mix),
            splitmix64(&mut mix),
            splitmix64(&mut mix),
            splitmix64(&mut mix),
        ];
        Self { s }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform on the open interval (0, 1): safe for logarithms and quantiles.
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `0..n` for `n > 0` (Lemire's multiply-shift; the bias is
    /// below n / 2^64, far below anything a sample could show); 0 when `n`
    /// is 0.
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Fisher–Yates shuffle of the whole slice.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        self.partial_shuffle(items, items.len());
    }

    /// Puts a uniform random sample of `amount` items (all of them if there
    /// are fewer), in random order, at the front of `items`: the first
    /// `amount` steps of Fisher–Yates.
    pub fn partial_shuffle<T>(&mut self, items: &mut [T], amount: usize) {
        let len = items.len();
        for i in 0..amount.min(len) {
            let j = i + self.below(len - i);
            items.swap(i, j);
        }
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Uniform integer in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = (hi - lo + 1).max(1) as u64;
        lo + ((self.next_u64() >> 32).wrapping_mul(span) >> 32) as i64
    }

    /// Standard normal.
    pub(crate) fn normal(&mut self) -> f64 {
        normal_quantile(self.uniform())
    }

    /// Geometric count >= 1 with the given mean (>= 1), capped at `max`.
    pub(crate) fn geometric(&mut self, mean: f64, max: u32) -> u32 {
        if mean <= 1.0 {
            return 1;
        }
        let q = 1.0 - 1.0 / mean;
        let k = 1.0 + (self.uniform().ln() / q.ln()).floor();
        k.min(f64::from(max)) as u32
    }
}

/// Standard normal CDF (erfc after W. J. Cody's rational approximation via
/// Numerical Recipes' `erfcc`, relative error below 1.2e-7).
pub(crate) fn normal_cdf(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let erfc = t * poly.exp();
    if x >= 0.0 {
        1.0 - 0.5 * erfc
    } else {
        0.5 * erfc
    }
}

/// Inverse of the standard normal CDF (Acklam's algorithm, relative error
/// below 1.2e-9) for `p` in (0, 1).
pub(crate) fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.024_25 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.024_25 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_inverts_cdf() {
        for &x in &[-4.0, -1.5, -0.2, 0.0, 0.7, 2.5, 3.9] {
            assert!((normal_quantile(normal_cdf(x)) - x).abs() < 1e-4, "{x}");
        }
    }

    #[test]
    fn streams_differ_and_repeat() {
        let a: Vec<u64> = (0..4).map(|_| Rng::new(42, 0, 7).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(Rng::new(42, 0, 7).next_u64(), Rng::new(42, 0, 8).next_u64());
        assert_ne!(Rng::new(42, 0, 7).next_u64(), Rng::new(43, 0, 7).next_u64());
        assert_ne!(Rng::new(42, 1, 7).next_u64(), Rng::new(42, 0, 7).next_u64());
    }

    #[test]
    fn seeded_generators_repeat_and_shuffles_permute() {
        let draws = |seed| {
            let mut rng = Rng::seeded(seed);
            [rng.next_u64(), rng.next_u64()]
        };
        assert_eq!(draws(7), draws(7));
        assert_ne!(draws(7), draws(8));
        let mut rng = Rng::seeded(7);
        assert!((0..1_000).all(|_| rng.below(3) < 3));
        assert_eq!(rng.below(0), 0);
        let mut items: Vec<u32> = (0..50).collect();
        rng.shuffle(&mut items);
        assert_ne!(items, (0..50).collect::<Vec<_>>());
        items.sort_unstable();
        assert_eq!(items, (0..50).collect::<Vec<_>>());
    }
}
