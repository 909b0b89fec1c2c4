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

/// A replication's ChaCha8 stream (the same words as the [`ChaCha8Rng`] of its template
/// moved to the replication's stream) generated two blocks (32 words) at a time with AVX2:
/// [`ChaCha8Rng`] generates four at a time, and a forecast's run draws a few dozen words.
#[derive(Debug, Clone)]
pub struct PairStream {
    /// The key (the template's seed as eight little-endian words).
    key: [u32; 8],
    stream: u64,
    /// The next block to generate.
    block: u64,
    words: [u32; 32],
    /// The next word of `words` (32: none left).
    at: usize,
}

impl PairStream {
    /// The stream of the `template`'s generator (see [`stream_template`]), at replication 0,
    /// when the processor has AVX2 (else None: use the [`ChaCha8Rng`]).
    pub fn of(template: &ChaCha8Rng) -> Option<PairStream> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            let seed = template.get_seed();
            let mut key = [0u32; 8];
            for (k, bytes) in key.iter_mut().zip(seed.chunks_exact(4)) {
                *k = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
            }
            return Some(PairStream {
                key,
                stream: 0,
                block: 0,
                words: [0; 32],
                at: 32,
            });
        }
        let _ = template;
        None
    }

    /// To the start of replication `replication`'s stream ([`restart`] for this generator).
    #[inline]
    pub fn restart(&mut self, replication: u64) {
        self.stream = replication;
        self.block = 0;
        self.at = 32;
    }

    #[cold]
    fn generate(&mut self) {
        // SAFETY: a `PairStream` is made only when the processor has AVX2 (`of`).
        #[cfg(target_arch = "x86_64")]
        unsafe {
            chacha8_avx2::two_blocks(&self.key, self.block, self.stream, &mut self.words)
        };
        self.block = self.block.wrapping_add(2);
        self.at = 0;
    }
}

impl rand::TryRng for PairStream {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        if self.at >= 32 {
            self.generate();
        }
        let w = self.words[self.at];
        self.at += 1;
        Ok(w)
    }

    /// Two words, the first the low half (as [`ChaCha8Rng`] joins them).
    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let lo = self.try_next_u32()? as u64;
        Ok(lo | (self.try_next_u32()? as u64) << 32)
    }

    /// Whole words, little-endian (the rest of a word the bytes end in is dropped, as
    /// [`ChaCha8Rng`] drops it).
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(4) {
            let word = self.try_next_u32()?.to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        Ok(())
    }
}

/// ChaCha8's block function on two consecutive blocks at once (one in each 128-bit half of
/// the AVX2 registers), as `rand_chacha` computes it: the state's rows are the constants,
/// the key's two halves, and the block counter (low word first) with the stream.
#[cfg(target_arch = "x86_64")]
mod chacha8_avx2 {
    use std::arch::x86_64::*;

    #[inline(always)]
    unsafe fn quarter_rounds(
        a: &mut __m256i,
        b: &mut __m256i,
        c: &mut __m256i,
        d: &mut __m256i,
        rot16: __m256i,
        rot8: __m256i,
    ) {
        *a = _mm256_add_epi32(*a, *b);
        *d = _mm256_shuffle_epi8(_mm256_xor_si256(*d, *a), rot16);
        *c = _mm256_add_epi32(*c, *d);
        let x = _mm256_xor_si256(*b, *c);
        *b = _mm256_or_si256(_mm256_slli_epi32::<12>(x), _mm256_srli_epi32::<20>(x));
        *a = _mm256_add_epi32(*a, *b);
        *d = _mm256_shuffle_epi8(_mm256_xor_si256(*d, *a), rot8);
        *c = _mm256_add_epi32(*c, *d);
        let x = _mm256_xor_si256(*b, *c);
        *b = _mm256_or_si256(_mm256_slli_epi32::<7>(x), _mm256_srli_epi32::<25>(x));
    }

    /// Blocks `block` and `block + 1` of `stream` under `key` into `out`, in order.
    ///
    /// # Safety
    /// The processor must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn two_blocks(key: &[u32; 8], block: u64, stream: u64, out: &mut [u32; 32]) {
        let k = |i: usize| key[i] as i32;
        let next = block.wrapping_add(1);
        let (s0, s1) = (stream as u32 as i32, (stream >> 32) as u32 as i32);
        let a0 = _mm256_setr_epi32(
            0x6170_7865,
            0x3320_646e,
            0x7962_2d32,
            0x6b20_6574,
            0x6170_7865,
            0x3320_646e,
            0x7962_2d32,
            0x6b20_6574,
        );
        let b0 = _mm256_setr_epi32(k(0), k(1), k(2), k(3), k(0), k(1), k(2), k(3));
        let c0 = _mm256_setr_epi32(k(4), k(5), k(6), k(7), k(4), k(5), k(6), k(7));
        let d0 = _mm256_setr_epi32(
            block as u32 as i32,
            (block >> 32) as u32 as i32,
            s0,
            s1,
            next as u32 as i32,
            (next >> 32) as u32 as i32,
            s0,
            s1,
        );
        // Rotations left by 16 and 8 bits: byte shuffles within each word.
        let rot16 = _mm256_setr_epi8(
            2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11,
            8, 9, 14, 15, 12, 13,
        );
        let rot8 = _mm256_setr_epi8(
            3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14, 3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9,
            10, 15, 12, 13, 14,
        );
        let (mut a, mut b, mut c, mut d) = (a0, b0, c0, d0);
        for _ in 0..4 {
            // A column round, then a diagonal round (rows rotated into columns and back).
            quarter_rounds(&mut a, &mut b, &mut c, &mut d, rot16, rot8);
            b = _mm256_shuffle_epi32::<0x39>(b);
            c = _mm256_shuffle_epi32::<0x4e>(c);
            d = _mm256_shuffle_epi32::<0x93>(d);
            quarter_rounds(&mut a, &mut b, &mut c, &mut d, rot16, rot8);
            b = _mm256_shuffle_epi32::<0x93>(b);
            c = _mm256_shuffle_epi32::<0x4e>(c);
            d = _mm256_shuffle_epi32::<0x39>(d);
        }
        a = _mm256_add_epi32(a, a0);
        b = _mm256_add_epi32(b, b0);
        c = _mm256_add_epi32(c, c0);
        d = _mm256_add_epi32(d, d0);
        let p = out.as_mut_ptr() as *mut __m256i;
        _mm256_storeu_si256(p, _mm256_permute2x128_si256::<0x20>(a, b));
        _mm256_storeu_si256(p.add(1), _mm256_permute2x128_si256::<0x20>(c, d));
        _mm256_storeu_si256(p.add(2), _mm256_permute2x128_si256::<0x31>(a, b));
        _mm256_storeu_si256(p.add(3), _mm256_permute2x128_si256::<0x31>(c, d));
    }
}

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
pub fn poisson_from_unit(u: f64, mean: f64) -> u32 {
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

    /// Two blocks at a time give the words of [`ChaCha8Rng`] on every replication's stream,
    /// across blocks and buffers, by u32, u64 and bytes (where the processor has AVX2).
    #[test]
    fn a_pair_stream_gives_the_words_of_its_chacha8_stream() {
        use rand::Rng;
        for seed in [0u64, 1, 7, u64::MAX, 0x1234_5678_9abc_def0] {
            let template = stream_template(seed, Source::Capacity);
            // Made exactly where the processor has AVX2 (else the forecast keeps the
            // slower ChaCha8Rng).
            #[cfg(target_arch = "x86_64")]
            assert_eq!(
                PairStream::of(&template).is_some(),
                std::arch::is_x86_feature_detected!("avx2")
            );
            let Some(mut pair) = PairStream::of(&template) else {
                return;
            };
            for r in [0u64, 1, 2, 255, 1 << 32, u64::MAX] {
                pair.restart(r);
                let mut want = template.clone();
                restart(&mut want, r);
                for i in 0..300 {
                    assert_eq!(
                        pair.next_u32(),
                        want.next_u32(),
                        "seed {seed}, stream {r}, word {i}"
                    );
                }
                assert_eq!(pair.next_u64(), want.next_u64());
                let (mut a, mut b) = ([0u8; 37], [0u8; 37]);
                pair.fill_bytes(&mut a);
                want.fill_bytes(&mut b);
                assert_eq!(a, b);
                for _ in 0..100 {
                    assert_eq!(pair.next_u64(), want.next_u64());
                }
            }
        }
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
