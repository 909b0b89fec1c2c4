//! Random streams. Every random source has its own stream derived from (seed, replication,
//! source), so that replication r of every scenario in a comparison sees the same market, the
//! same items and the same capacity draws (common random numbers).
//!
//! Sequential world sources (market, arrivals, capacity, ...) use ChaCha8 — portable, and one
//! stream per replication via `set_stream`. Draws that belong to one backlog item, or to one
//! item in one sprint, use a counter-based generator keyed by (replication, source, item id,
//! sprint): the same item gets the same draws in every scenario whatever else happened before.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::convert::Infallible;

/// The random sources. Their numbers are part of the results: never renumber them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Source {
    Market = 1,
    Arrivals = 2,
    Capacity = 3,
    PmInsight = 4,
    PoInsight = 5,
    Conflicts = 6,
    Risks = 7,
    ItemAttributes = 8,
    Churn = 9,
    RoadmapShock = 10,
    Planning = 11,
    Questions = 12,
    Defects = 13,
    Override = 14,
    EscapedDiscovery = 15,
    Split = 16,
    RoadmapHandover = 17,
}

/// One more than the largest source number.
const SOURCES: usize = 18;

/// SplitMix64's finaliser: a bijective 64-bit mixer.
#[inline]
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The keys of one replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunKeys {
    seed: u64,
    replication: u64,
    /// Per source: the key of this replication's keyed draws (computed once).
    source_keys: [u64; SOURCES],
}

impl Default for RunKeys {
    fn default() -> Self {
        RunKeys::new(0, 0)
    }
}

/// The key of one source's keyed draws in one replication.
#[inline]
fn source_key(seed: u64, replication: u64, source: usize) -> u64 {
    mix(seed ^ mix(replication.wrapping_add(mix(source as u64))))
}

/// The ChaCha8 generator of `source` for a seed, before its replication's stream is chosen:
/// [`RunKeys::stream_from`] makes any replication's stream from it without seeding anew.
pub fn stream_template(seed: u64, source: Source) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(mix(seed ^ mix(source as u64)))
}

/// [`RunKeys::restart`] for replication `replication` (without its keys).
#[inline]
pub fn restart(rng: &mut ChaCha8Rng, replication: u64) {
    // Block 0 with its buffer emptied (the next draw generates it), then the stream: with
    // nothing buffered, `set_stream` only sets it.
    rng.set_word_pos(0);
    rng.set_stream(replication);
}

impl RunKeys {
    pub fn new(seed: u64, replication: u64) -> Self {
        let mut source_keys = [0; SOURCES];
        for (source, k) in source_keys.iter_mut().enumerate() {
            *k = source_key(seed, replication, source);
        }
        RunKeys {
            seed,
            replication,
            source_keys,
        }
    }

    /// The keys of a replication that makes keyed draws from `sources` only (the throughput
    /// model's fast lane): the other sources' keys are not computed, and must not be used.
    pub fn for_sources(seed: u64, replication: u64, sources: &[Source]) -> Self {
        let mut source_keys = [0; SOURCES];
        for &source in sources {
            source_keys[source as usize] = source_key(seed, replication, source as usize);
        }
        RunKeys {
            seed,
            replication,
            source_keys,
        }
    }

    /// A sequential ChaCha8 stream for one source of this replication.
    pub fn stream(&self, source: Source) -> ChaCha8Rng {
        self.stream_from(&stream_template(self.seed, source))
    }

    /// This replication's stream from its source's [`stream_template`] (the same generator
    /// as [`RunKeys::stream`], without seeding).
    #[inline]
    pub fn stream_from(&self, template: &ChaCha8Rng) -> ChaCha8Rng {
        let mut rng = template.clone();
        rng.set_stream(self.replication);
        rng
    }

    /// Move `rng`, a clone of `source`'s [`stream_template`] in any state, to the start of
    /// this replication's stream: the same generator as [`RunKeys::stream`] and
    /// [`RunKeys::stream_from`] give, without copying one.
    #[inline]
    pub fn restart(&self, rng: &mut ChaCha8Rng) {
        restart(rng, self.replication);
    }

    /// A counter-based generator for one subject (an item, an item in a sprint, ...).
    #[inline]
    pub fn keyed(&self, source: Source, subject: u64, sub: u64) -> Keyed {
        keyed_from(self.subject_key(source, subject), sub)
    }

    /// The part of [`RunKeys::keyed`] that depends on the subject only, for subjects drawn
    /// every sprint: `keyed_from(subject_key(s, x), sub)` equals `keyed(s, x, sub)`.
    #[inline]
    pub fn subject_key(&self, source: Source, subject: u64) -> u64 {
        debug_assert!(
            self.source_keys[source as usize] != 0,
            "{source:?}: a key RunKeys::for_sources did not compute"
        );
        mix(self.source_keys[source as usize] ^ mix(subject.wrapping_add(0x632b_e59b_d9b4_e019)))
    }

    /// One uniform draw in [0, 1) for a subject: shorthand for `keyed(..).unit()`.
    #[inline]
    pub fn unit(&self, source: Source, subject: u64, sub: u64) -> f64 {
        self.keyed(source, subject, sub).unit()
    }
}

/// The generator of `sub` for a subject whose [`RunKeys::subject_key`] is `subject_key`.
#[inline]
pub fn keyed_from(subject_key: u64, sub: u64) -> Keyed {
    Keyed {
        key: mix(subject_key ^ sub.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        counter: 0,
    }
}

/// rand's `random_range(0..n)` on `u32` (its `UniformInt::sample_single`, Canon's method as
/// rand builds it without the `unbiased` feature), inline and with `n` fixed: the same words
/// drawn and the same index returned, for any generator (a test checks both against
/// `random_range` on [`ChaCha8Rng`]). One word a draw: its product with n, whose high half
/// is the index unless the low half is within n of 2³², when a second word's product may
/// carry one into it (about n in 2³² draws).
#[derive(Debug, Clone, Copy)]
pub struct UniformIndex {
    n: u32,
    /// 2³² − n: a low half above it asks for the second word.
    limit: u32,
}

impl UniformIndex {
    /// Indices in 0..n (n at least 1).
    pub fn new(n: u32) -> UniformIndex {
        assert!(n > 0, "cannot sample empty range");
        UniformIndex {
            n,
            limit: n.wrapping_neg(),
        }
    }

    /// The next index from `rng`.
    #[inline(always)]
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        let m = rng.next_u32() as u64 * self.n as u64;
        let (hi, lo) = ((m >> 32) as u32, m as u32);
        if lo > self.limit {
            return self.carry(rng, hi, lo);
        }
        hi
    }

    /// The index when the first word's low half is above the limit: one more if the second
    /// word's high half overflows the low half.
    #[cold]
    #[inline(never)]
    fn carry<R: rand::Rng + ?Sized>(&self, rng: &mut R, hi: u32, lo: u32) -> u32 {
        let next = ((rng.next_u32() as u64 * self.n as u64) >> 32) as u32;
        hi + lo.checked_add(next).is_none() as u32
    }
}

mod pair;
pub use pair::{PairCursor, PairStream};

/// A counter-based generator: output i is a mix of (key, i). Cheap to create, no state but a counter.
#[derive(Debug, Clone)]
pub struct Keyed {
    key: u64,
    counter: u64,
}

impl Keyed {
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.counter = self.counter.wrapping_add(1);
        mix(self
            .key
            .wrapping_add(self.counter.wrapping_mul(0x9e37_79b9_7f4a_7c15)))
    }

    /// Uniform in [0, 1).
    #[inline]
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal (Box–Muller, one of the pair).
    #[inline]
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit();
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

impl rand::TryRng for Keyed {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok((self.next_u64() >> 32) as u32)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.next_u64())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}

/// Poisson by inversion of a given uniform: monotone in `u`, so the same uniform gives
/// counts that move together across scenarios with different means.
///
/// The count is 0 when u ≤ e^(−mean) as computed; below a lower bound of that value it is 0
/// without computing it: e^(−x) ≥ 1 − x + x²/2 − x³/6 for x ≥ 0 (the Taylor series' remainder
/// after a negative term is positive). The bound, evaluated in floating point, is within
/// 1e-15 of its exact value for the means it can pass (below 1.6; beyond, it is negative),
/// and `exp` is within an ulp of e^(−x), so a uniform 1e-9 below the computed bound is below
/// the computed e^(−mean) too: the same count as [`poisson_by_inversion`], whose exponential
/// it spares.
#[inline]
pub fn poisson_from_unit(u: f64, mean: f64) -> u32 {
    if mean > 0.0 && mean <= 200.0 && u <= poisson_zero_bound(mean) - 1e-9 {
        return 0;
    }
    poisson_by_inversion(u, mean)
}

/// The lower bound on e^(−x) that [`poisson_from_unit`] tests against:
/// 1 − x + x²/2 − x³/6 (Horner's form).
#[inline]
fn poisson_zero_bound(x: f64) -> f64 {
    1.0 - x * (1.0 - x * (0.5 - x * (1.0 / 6.0)))
}

/// [`poisson_from_unit`] computed in full: the CDF summed from e^(−mean) until it reaches u.
pub fn poisson_by_inversion(u: f64, mean: f64) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    if mean > 200.0 {
        // Normal approximation keeps inversion monotone and bounded for large means.
        let z = inverse_normal(u.clamp(1e-12, 1.0 - 1e-12));
        return (mean + mean.sqrt() * z).round().max(0.0) as u32;
    }
    let mut p = (-mean).exp();
    let mut cdf = p;
    let mut k = 0u32;
    while u > cdf && k < 10_000 {
        k += 1;
        p *= mean / k as f64;
        cdf += p;
        if p < 1e-300 {
            break;
        }
    }
    k
}

/// Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9).
pub fn inverse_normal(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.38357751867269e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let p_low = 0.02425;
    if p < p_low {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - p_low {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Poisson count without the exponential where the bound says 0 is the count computed
    /// in full: for means from 1e-12 to 250 (the bound's range and beyond), uniforms at, just
    /// above and just below e^(−mean) as computed, near the bound, and spread over [0, 1).
    #[test]
    fn a_poisson_count_spared_its_exponential_is_the_count_computed() {
        let mut r = RunKeys::new(3, 1).keyed(Source::Defects, 0, 0);
        let mut means = vec![
            1e-12, 1e-6, 0.01, 0.5, 1.0, 1.59, 1.6, 2.0, 7.0, 200.0, 250.0,
        ];
        means.extend((0..3000).map(|_| r.unit() * 2.0));
        let (mut spared, mut n) = (0, 0);
        for &mean in &means {
            let p = (-mean).exp();
            let bound = poisson_zero_bound(mean);
            let mut us = vec![
                p,
                p.next_up(),
                p.next_down(),
                bound,
                bound - 1e-9,
                0.0,
                0.999,
            ];
            us.extend((0..40).map(|_| r.unit()));
            us.extend((0..40).map(|_| p + (r.unit() - 0.5) * 1e-6));
            for u in us {
                let want = poisson_by_inversion(u, mean);
                assert_eq!(poisson_from_unit(u, mean), want, "u {u:e}, mean {mean:e}");
                spared += (u <= bound - 1e-9 && mean <= 200.0) as u32;
                n += 1;
            }
        }
        assert!(spared > n / 8, "{spared} of {n} spared");
        for u in [0.0, 0.3, f64::NAN] {
            for mean in [0.0, -1.0, f64::NAN] {
                assert_eq!(poisson_from_unit(u, mean), poisson_by_inversion(u, mean));
            }
        }
    }

    #[test]
    fn keyed_draws_are_stable_and_distinct() {
        let k = RunKeys::new(7, 3);
        assert_eq!(k.unit(Source::Churn, 5, 2), k.unit(Source::Churn, 5, 2));
        assert_ne!(k.unit(Source::Churn, 5, 2), k.unit(Source::Churn, 5, 3));
        assert_ne!(
            k.unit(Source::Churn, 5, 2),
            RunKeys::new(7, 4).unit(Source::Churn, 5, 2)
        );
        let mean = (0..20_000)
            .map(|i| k.unit(Source::Defects, i, 0))
            .sum::<f64>()
            / 20_000.0;
        // SE = sqrt(1/12 / 20,000) = 0.00204; allow 4.5 SE.
        assert!((mean - 0.5).abs() < 0.0092, "{mean}");
    }

    #[test]
    fn cached_subject_keys_give_the_same_draws() {
        let k = RunKeys::new(7, 3);
        let sk = k.subject_key(Source::Churn, 42);
        for sprint in 0..5 {
            assert_eq!(
                keyed_from(sk, sprint).unit(),
                k.unit(Source::Churn, 42, sprint)
            );
        }
    }

    /// A generator restarted on a replication's stream, whatever it drew before (less than a
    /// buffer, exactly one, more), gives the words of that stream made anew.
    #[test]
    fn a_restarted_stream_is_the_stream_made_anew() {
        use rand::Rng;
        let mut rng = stream_template(7, Source::Capacity);
        for (r, drawn) in [
            (0u64, 0usize),
            (3, 1),
            (3, 64),
            (11, 65),
            (u64::MAX, 200),
            (5, 7),
        ] {
            let keys = RunKeys::for_sources(7, r, &[]);
            for _ in 0..drawn {
                rng.next_u32();
            }
            keys.restart(&mut rng);
            let mut fresh = RunKeys::new(7, r).stream(Source::Capacity);
            for i in 0..300 {
                assert_eq!(
                    rng.next_u32(),
                    fresh.next_u32(),
                    "replication {r}, word {i}"
                );
            }
        }
    }

    /// The index draw gives rand's `random_range(0..n)` value by value, from the same words
    /// (the stream's position after each draw is the same), for small and large n, powers of
    /// two and their neighbours, and n large enough that the second word is drawn often,
    /// with and without its carry.
    #[test]
    fn the_index_draw_is_random_range_on_u32() {
        use rand::{Rng, RngExt};
        let (mut second, mut carried) = (0, 0);
        for n in [
            1u32,
            2,
            3,
            5,
            10,
            16,
            17,
            255,
            256,
            257,
            (1 << 16) + 1,
            (1 << 31) - 1,
            1 << 31,
            (1 << 31) + 1,
            3_000_000_000,
            u32::MAX - 1,
            u32::MAX,
        ] {
            let index = UniformIndex::new(n);
            for seed in [0u64, 7, 0xdead_beef] {
                let mut want = stream_template(seed, Source::Capacity);
                let mut got = want.clone();
                for i in 0..3000 {
                    let first = got.clone().next_u32();
                    let at = got.get_word_pos();
                    let x = index.sample(&mut got);
                    assert_eq!(x, want.random_range(0..n), "n {n}, seed {seed}, draw {i}");
                    assert_eq!(got.get_word_pos(), want.get_word_pos(), "n {n}, draw {i}");
                    if got.get_word_pos() - at == 2 {
                        second += 1;
                        carried += (x as u64 != (first as u64 * n as u64) >> 32) as u32;
                    }
                }
            }
        }
        assert!(
            carried > 100 && second - carried > 100,
            "{second} {carried}"
        );
    }

    #[test]
    fn poisson_inversion_has_the_right_mean() {
        let k = RunKeys::new(1, 1);
        let n = 20_000;
        let mean = (0..n)
            .map(|i| poisson_from_unit(k.unit(Source::Questions, i, 0), 2.5) as f64)
            .sum::<f64>()
            / n as f64;
        // SE = sqrt(2.5 / n) ≈ 0.011; allow 4.5 SE.
        assert!((mean - 2.5).abs() < 0.05, "{mean}");
    }
}
