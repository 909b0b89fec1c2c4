//! The first two ChaCha8 blocks of eight consecutive streams at once ([`Group`]): a run
//! starts its stream at block 0 and most forecast runs draw only those 32 words, so the
//! driver's consecutive replications are generated eight at a time, each of the 16 blocks in
//! a lane of its own (every state word of the 16 blocks in one register) rather than two
//! blocks in the halves of the registers ([`super::chacha8_avx2::two_blocks`]).

/// Blocks 0 and 1 of the streams `first .. first + 8` under one key (`first` a multiple of
/// 8), generated at once: with AVX-512 in 16 lanes, else with AVX2 in two sets of 8.
#[derive(Debug, Clone)]
pub(super) struct Group {
    /// The first stream of the group held (1, which no group starts at: none).
    first: u64,
    /// Whether the group is generated with AVX-512 (else AVX2).
    pub(super) avx512: bool,
    words: Words,
}

/// The 32 words of each of the group's streams, in order (64-byte aligned: the 16-lane
/// kernel stores whole registers).
#[derive(Debug, Clone)]
#[repr(align(64))]
struct Words([[u32; 32]; 8]);

impl Group {
    /// An empty group, generated with AVX-512 when `avx512` is asked for and the processor
    /// has it (else AVX2, which the caller's processor must have).
    pub(super) fn new(avx512: bool) -> Group {
        #[cfg(target_arch = "x86_64")]
        let avx512 = avx512 && std::arch::is_x86_feature_detected!("avx512f");
        #[cfg(not(target_arch = "x86_64"))]
        let avx512 = {
            let _ = avx512;
            false
        };
        Group {
            first: 1,
            avx512,
            words: Words([[0; 32]; 8]),
        }
    }

    /// Blocks 0 and 1 of `stream` under `key`: from the group held when the stream is in it,
    /// else from the group of `stream` generated (and held) first.
    ///
    /// # Safety
    /// The processor must have AVX2.
    #[inline]
    pub(super) unsafe fn pair(&mut self, key: &[u32; 8], stream: u64) -> &[u32; 32] {
        let first = stream & !7;
        if first != self.first {
            self.generate(key, first);
        }
        &self.words.0[(stream & 7) as usize]
    }

    /// [`Group::pair`] copied into `words`, and its index draws (see [`super::index_draws`]):
    /// with AVX-512 when the group is generated with it.
    ///
    /// # Safety
    /// The processor must have AVX2.
    #[inline]
    pub(super) unsafe fn draws(
        &mut self,
        key: &[u32; 8],
        stream: u64,
        index: super::UniformIndex,
        out: &mut [u32; 32],
        words: &mut [u32; 32],
    ) -> u32 {
        let avx512 = self.avx512;
        let from = self.pair(key, stream);
        #[cfg(target_arch = "x86_64")]
        if avx512 {
            return chacha8_avx512::index_draws(from, words, index, out);
        }
        let _ = avx512;
        super::index_draws(from, words, index, out)
    }

    /// The group of streams `first .. first + 8` under `key`.
    ///
    /// # Safety
    /// The processor must have AVX2 (and AVX-512F when `avx512` is set, as `new` sets it).
    #[cold]
    #[inline(never)]
    unsafe fn generate(&mut self, key: &[u32; 8], first: u64) {
        #[cfg(target_arch = "x86_64")]
        if self.avx512 {
            chacha8_avx512::sixteen_blocks(key, first, &mut self.words.0);
        } else {
            chacha8_avx2_lanes::sixteen_blocks(key, first, &mut self.words.0);
        }
        #[cfg(not(target_arch = "x86_64"))]
        plain::sixteen_blocks(key, first, &mut self.words.0);
        self.first = first;
    }
}

/// ChaCha8's state for block `lane & 1` of stream `first + lane / 2`: the constants, the
/// key, the block counter (low word first) and the stream (low word first). `first` is a
/// multiple of 8, so the stream's low word has no carry into its high one.
#[inline(always)]
fn initial(key: &[u32; 8], first: u64, lane: u32) -> [u32; 16] {
    let mut s = [0u32; 16];
    s[..4].copy_from_slice(&CONSTANTS);
    s[4..12].copy_from_slice(key);
    s[12] = lane & 1;
    s[14] = first as u32 + lane / 2;
    s[15] = (first >> 32) as u32;
    s
}

/// "expand 32-byte k" as four little-endian words.
const CONSTANTS: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

/// A column round, then a diagonal round, of `quarter(&mut x, a, b, c, d)` on ChaCha's
/// state words, written out so that the state's indices are constants (the vector kernels'
/// state then stays in registers).
macro_rules! double_round {
    ($x:ident, $quarter:ident) => {
        $quarter(&mut $x, 0, 4, 8, 12);
        $quarter(&mut $x, 1, 5, 9, 13);
        $quarter(&mut $x, 2, 6, 10, 14);
        $quarter(&mut $x, 3, 7, 11, 15);
        $quarter(&mut $x, 0, 5, 10, 15);
        $quarter(&mut $x, 1, 6, 11, 12);
        $quarter(&mut $x, 2, 7, 8, 13);
        $quarter(&mut $x, 3, 4, 9, 14);
    };
}
use double_round;

/// The 16 blocks one word at a time (where there are no vector kernels; the tests' plain
/// form of the kernels).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
mod plain {
    /// Blocks 0 and 1 of the streams `first .. first + 8` under `key` into `out`.
    pub(in crate::random::pair) fn sixteen_blocks(
        key: &[u32; 8],
        first: u64,
        out: &mut [[u32; 32]; 8],
    ) {
        for lane in 0..16u32 {
            let input = super::initial(key, first, lane);
            let mut x = input;
            for _ in 0..4 {
                super::double_round!(x, quarter);
            }
            let block = &mut out[lane as usize / 2][16 * (lane as usize & 1)..][..16];
            for ((o, w), i) in block.iter_mut().zip(x).zip(input) {
                *o = w.wrapping_add(i);
            }
        }
    }

    /// A quarter round on state words a, b, c and d.
    fn quarter(x: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize) {
        x[a] = x[a].wrapping_add(x[b]);
        x[d] = (x[d] ^ x[a]).rotate_left(16);
        x[c] = x[c].wrapping_add(x[d]);
        x[b] = (x[b] ^ x[c]).rotate_left(12);
        x[a] = x[a].wrapping_add(x[b]);
        x[d] = (x[d] ^ x[a]).rotate_left(8);
        x[c] = x[c].wrapping_add(x[d]);
        x[b] = (x[b] ^ x[c]).rotate_left(7);
    }
}

/// The 16 blocks in the 16 lanes of AVX-512 registers: register i holds state word i of
/// every block (lane j: block j & 1 of stream `first + j / 2`), then a 16×16 transpose.
#[cfg(target_arch = "x86_64")]
mod chacha8_avx512 {
    use std::arch::x86_64::*;

    /// [`super::super::index_draws`] with AVX-512 (16 words at a time).
    ///
    /// # Safety
    /// The processor must have AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn index_draws(
        from: &[u32; 32],
        to: &mut [u32; 32],
        index: super::super::UniformIndex,
        out: &mut [u32; 32],
    ) -> u32 {
        let n = _mm512_set1_epi64(index.n as i64);
        let limit = _mm512_set1_epi32(index.limit as i32);
        let mut mask = 0u32;
        for i in 0..2 {
            // SAFETY (of the loads and stores): 16 words from word 16i of 32.
            let w = _mm512_loadu_si512(from.as_ptr().add(16 * i) as *const _);
            _mm512_storeu_si512(to.as_mut_ptr().add(16 * i) as *mut _, w);
            // The products of the even words, then of the odd ones (as 64-bit lanes).
            let even = _mm512_mul_epu32(w, n);
            let odd = _mm512_mul_epu32(_mm512_srli_epi64::<32>(w), n);
            let high = _mm512_mask_blend_epi32(0xaaaa, _mm512_srli_epi64::<32>(even), odd);
            let low = _mm512_mask_blend_epi32(0xaaaa, even, _mm512_slli_epi64::<32>(odd));
            let above = _mm512_cmpgt_epu32_mask(low, limit);
            _mm512_storeu_si512(out.as_mut_ptr().add(16 * i) as *mut _, high);
            mask |= (above as u32) << (16 * i);
        }
        mask
    }

    /// The state word vectors of the 16 blocks.
    #[inline(always)]
    unsafe fn input(key: &[u32; 8], first: u64) -> [__m512i; 16] {
        let mut v = [_mm512_setzero_si512(); 16];
        for (v, &c) in v.iter_mut().zip(&super::CONSTANTS) {
            *v = _mm512_set1_epi32(c as i32);
        }
        for (v, &k) in v[4..12].iter_mut().zip(key) {
            *v = _mm512_set1_epi32(k as i32);
        }
        v[12] = _mm512_setr_epi32(0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1);
        v[14] = _mm512_add_epi32(
            _mm512_set1_epi32(first as u32 as i32),
            _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7),
        );
        v[15] = _mm512_set1_epi32((first >> 32) as u32 as i32);
        v
    }

    /// A quarter round on state words a, b, c and d of the 16 blocks.
    #[inline(always)]
    unsafe fn quarter(x: &mut [__m512i; 16], a: usize, b: usize, c: usize, d: usize) {
        x[a] = _mm512_add_epi32(x[a], x[b]);
        x[d] = _mm512_rol_epi32::<16>(_mm512_xor_si512(x[d], x[a]));
        x[c] = _mm512_add_epi32(x[c], x[d]);
        x[b] = _mm512_rol_epi32::<12>(_mm512_xor_si512(x[b], x[c]));
        x[a] = _mm512_add_epi32(x[a], x[b]);
        x[d] = _mm512_rol_epi32::<8>(_mm512_xor_si512(x[d], x[a]));
        x[c] = _mm512_add_epi32(x[c], x[d]);
        x[b] = _mm512_rol_epi32::<7>(_mm512_xor_si512(x[b], x[c]));
    }

    /// Blocks 0 and 1 of the streams `first .. first + 8` (a multiple of 8) under `key`
    /// into `out`.
    ///
    /// # Safety
    /// The processor must have AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn sixteen_blocks(key: &[u32; 8], first: u64, out: &mut [[u32; 32]; 8]) {
        let mut x = input(key, first);
        for _ in 0..4 {
            super::double_round!(x, quarter);
        }
        for (x, i) in x.iter_mut().zip(input(key, first)) {
            *x = _mm512_add_epi32(*x, i);
        }
        // Words 2i and 2i + 1 interleaved (within each 128-bit lane L: blocks 4L .. 4L + 4).
        let mut t = x;
        for i in 0..8 {
            t[2 * i] = _mm512_unpacklo_epi32(x[2 * i], x[2 * i + 1]);
            t[2 * i + 1] = _mm512_unpackhi_epi32(x[2 * i], x[2 * i + 1]);
        }
        // u[4k + m], 128-bit lane L: words 4k .. 4k + 4 of block 4L + m.
        let mut u = t;
        for k in 0..4 {
            u[4 * k] = _mm512_unpacklo_epi64(t[4 * k], t[4 * k + 2]);
            u[4 * k + 1] = _mm512_unpackhi_epi64(t[4 * k], t[4 * k + 2]);
            u[4 * k + 2] = _mm512_unpacklo_epi64(t[4 * k + 1], t[4 * k + 3]);
            u[4 * k + 3] = _mm512_unpackhi_epi64(t[4 * k + 1], t[4 * k + 3]);
        }
        // Block 4L + m: lane L of u[m], u[4 + m], u[8 + m], u[12 + m] (a 4×4 transpose of
        // 128-bit lanes: even lanes, then odd ones, twice).
        let p = out.as_mut_ptr() as *mut __m512i;
        for m in 0..4 {
            let v0 = _mm512_shuffle_i32x4::<0x88>(u[m], u[4 + m]);
            let v1 = _mm512_shuffle_i32x4::<0xdd>(u[m], u[4 + m]);
            let v2 = _mm512_shuffle_i32x4::<0x88>(u[8 + m], u[12 + m]);
            let v3 = _mm512_shuffle_i32x4::<0xdd>(u[8 + m], u[12 + m]);
            // SAFETY: block 4L + m is the 16 words at 16 × (4L + m) of the 256.
            _mm512_storeu_si512(p.add(m), _mm512_shuffle_i32x4::<0x88>(v0, v2));
            _mm512_storeu_si512(p.add(4 + m), _mm512_shuffle_i32x4::<0x88>(v1, v3));
            _mm512_storeu_si512(p.add(8 + m), _mm512_shuffle_i32x4::<0xdd>(v0, v2));
            _mm512_storeu_si512(p.add(12 + m), _mm512_shuffle_i32x4::<0xdd>(v1, v3));
        }
    }
}

/// The 16 blocks in two sets of 8 lanes of AVX2 registers (the first set the streams
/// `first .. first + 4`), as [`chacha8_avx512`] does in one set of 16.
#[cfg(target_arch = "x86_64")]
mod chacha8_avx2_lanes {
    use std::arch::x86_64::*;

    /// The state word vectors of blocks `8 × set .. 8 × set + 8` of the 16.
    #[inline(always)]
    unsafe fn input(key: &[u32; 8], first: u64, set: u32) -> [__m256i; 16] {
        let mut v = [_mm256_setzero_si256(); 16];
        for (v, &c) in v.iter_mut().zip(&super::CONSTANTS) {
            *v = _mm256_set1_epi32(c as i32);
        }
        for (v, &k) in v[4..12].iter_mut().zip(key) {
            *v = _mm256_set1_epi32(k as i32);
        }
        v[12] = _mm256_setr_epi32(0, 1, 0, 1, 0, 1, 0, 1);
        v[14] = _mm256_add_epi32(
            _mm256_set1_epi32((first as u32 + 4 * set) as i32),
            _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3),
        );
        v[15] = _mm256_set1_epi32((first >> 32) as u32 as i32);
        v
    }

    /// Rotations left of every word (by 16 and 8 bits: byte shuffles).
    #[inline(always)]
    unsafe fn rotate<const L: i32, const R: i32>(x: __m256i) -> __m256i {
        match L {
            16 => _mm256_shuffle_epi8(
                x,
                _mm256_setr_epi8(
                    2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5,
                    10, 11, 8, 9, 14, 15, 12, 13,
                ),
            ),
            8 => _mm256_shuffle_epi8(
                x,
                _mm256_setr_epi8(
                    3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14, 3, 0, 1, 2, 7, 4, 5, 6,
                    11, 8, 9, 10, 15, 12, 13, 14,
                ),
            ),
            _ => _mm256_or_si256(_mm256_slli_epi32::<L>(x), _mm256_srli_epi32::<R>(x)),
        }
    }

    /// A quarter round on state words a, b, c and d of the 8 blocks.
    #[inline(always)]
    unsafe fn quarter(x: &mut [__m256i; 16], a: usize, b: usize, c: usize, d: usize) {
        x[a] = _mm256_add_epi32(x[a], x[b]);
        x[d] = rotate::<16, 16>(_mm256_xor_si256(x[d], x[a]));
        x[c] = _mm256_add_epi32(x[c], x[d]);
        x[b] = rotate::<12, 20>(_mm256_xor_si256(x[b], x[c]));
        x[a] = _mm256_add_epi32(x[a], x[b]);
        x[d] = rotate::<8, 24>(_mm256_xor_si256(x[d], x[a]));
        x[c] = _mm256_add_epi32(x[c], x[d]);
        x[b] = rotate::<7, 25>(_mm256_xor_si256(x[b], x[c]));
    }

    /// Blocks 0 and 1 of the streams `first .. first + 8` (a multiple of 8) under `key`
    /// into `out`.
    ///
    /// # Safety
    /// The processor must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn sixteen_blocks(key: &[u32; 8], first: u64, out: &mut [[u32; 32]; 8]) {
        for set in 0..2u32 {
            let mut x = input(key, first, set);
            for _ in 0..4 {
                super::double_round!(x, quarter);
            }
            for (x, i) in x.iter_mut().zip(input(key, first, set)) {
                *x = _mm256_add_epi32(*x, i);
            }
            // Words 0 .. 8, then 8 .. 16, of the set's 8 blocks: an 8×8 transpose each.
            let p = out.as_mut_ptr() as *mut u32;
            for half in 0..2 {
                let x = &x[8 * half..8 * half + 8];
                let mut t = [_mm256_setzero_si256(); 8];
                for i in 0..4 {
                    t[2 * i] = _mm256_unpacklo_epi32(x[2 * i], x[2 * i + 1]);
                    t[2 * i + 1] = _mm256_unpackhi_epi32(x[2 * i], x[2 * i + 1]);
                }
                // u[4k + m], 128-bit lane L: words 4k .. 4k + 4 of the half, block 4L + m.
                let mut u = t;
                for k in 0..2 {
                    u[4 * k] = _mm256_unpacklo_epi64(t[4 * k], t[4 * k + 2]);
                    u[4 * k + 1] = _mm256_unpackhi_epi64(t[4 * k], t[4 * k + 2]);
                    u[4 * k + 2] = _mm256_unpacklo_epi64(t[4 * k + 1], t[4 * k + 3]);
                    u[4 * k + 3] = _mm256_unpackhi_epi64(t[4 * k + 1], t[4 * k + 3]);
                }
                for m in 0..4 {
                    for (lane, v) in [
                        _mm256_permute2x128_si256::<0x20>(u[m], u[4 + m]),
                        _mm256_permute2x128_si256::<0x31>(u[m], u[4 + m]),
                    ]
                    .into_iter()
                    .enumerate()
                    {
                        // SAFETY: the half's 8 words of block 8 × set + 4L + m, in the 256.
                        let block = 8 * set as usize + 4 * lane + m;
                        let at = p.add(16 * block + 8 * half) as *mut __m256i;
                        _mm256_storeu_si256(at, v);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "group_tests.rs"]
mod tests;
