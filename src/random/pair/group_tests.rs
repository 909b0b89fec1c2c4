use super::*;
use crate::random::pair::PairStream;
use crate::random::{restart, stream_template, Source};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The key of a template (its seed as eight little-endian words), as `PairStream` takes it.
fn key_of(template: &ChaCha8Rng) -> [u32; 8] {
    let seed = template.get_seed();
    std::array::from_fn(|i| u32::from_le_bytes(seed[4 * i..4 * i + 4].try_into().unwrap()))
}

/// The first 32 words of stream `r` of `template`, from [`ChaCha8Rng`].
fn first_words(template: &ChaCha8Rng, r: u64) -> [u32; 32] {
    let mut rng = template.clone();
    restart(&mut rng, r);
    std::array::from_fn(|_| rng.next_u32())
}

/// Groups whose streams' low words end at the top of their range, whose high word is not
/// zero, and the last group of all.
const FIRSTS: [u64; 7] = [
    0,
    8,
    (1 << 32) - 8,
    1 << 32,
    0x1234_5678_9abc_def0,
    u64::MAX - 15,
    u64::MAX - 7,
];

/// The plain form of the kernels gives ChaCha8's first two blocks of each stream of a group.
#[test]
fn the_plain_group_is_the_first_two_blocks_of_eight_streams() {
    for seed in [0u64, 1, u64::MAX] {
        let template = stream_template(seed, Source::Capacity);
        let key = key_of(&template);
        for first in FIRSTS {
            let mut out = [[0u32; 32]; 8];
            plain::sixteen_blocks(&key, first, &mut out);
            for (i, words) in out.iter().enumerate() {
                let r = first + i as u64;
                assert_eq!(*words, first_words(&template, r), "seed {seed}, stream {r}");
            }
        }
    }
}

/// The AVX2 and AVX-512 kernels give the words of the plain form, word for word (each where
/// the processor has it).
#[cfg(target_arch = "x86_64")]
#[test]
fn the_vector_kernels_give_the_plain_groups_words() {
    let avx2 = std::arch::is_x86_feature_detected!("avx2");
    let avx512 = std::arch::is_x86_feature_detected!("avx512f");
    for seed in [0u64, 3, 0x1234_5678_9abc_def0] {
        let key = key_of(&stream_template(seed, Source::Capacity));
        for first in FIRSTS {
            let mut want = [[0u32; 32]; 8];
            plain::sixteen_blocks(&key, first, &mut want);
            if avx2 {
                let mut got = [[7u32; 32]; 8];
                // SAFETY: the processor has AVX2.
                unsafe { chacha8_avx2_lanes::sixteen_blocks(&key, first, &mut got) };
                assert_eq!(got, want, "AVX2, seed {seed}, group {first}");
            }
            if avx512 {
                let mut got = [[7u32; 32]; 8];
                // SAFETY: the processor has AVX-512F.
                unsafe { chacha8_avx512::sixteen_blocks(&key, first, &mut got) };
                assert_eq!(got, want, "AVX-512, seed {seed}, group {first}");
            }
        }
    }
}

/// The kernel asked for is the one used where the processor has it, and not otherwise.
#[test]
fn a_group_uses_avx512_only_where_asked_and_present() {
    #[cfg(target_arch = "x86_64")]
    let present = std::arch::is_x86_feature_detected!("avx512f");
    #[cfg(not(target_arch = "x86_64"))]
    let present = false;
    assert_eq!(Group::new(true).avx512, present);
    assert!(!Group::new(false).avx512);
}

/// A stream through either kernel gives the words of its [`ChaCha8Rng`] whatever the order
/// of the replications (in and out of the group held, backwards, at random, the same one
/// again), past the group's two blocks, and drawn ahead.
#[test]
fn a_pair_stream_gives_its_chacha8_words_in_any_order_of_replications() {
    let mut order: Vec<u64> = vec![0, 1, 7, 8, 3, 2, 2, 15, 9, 16, 6, 40, 39, 41];
    order.extend((0..40).rev());
    for first in FIRSTS {
        order.extend((0..8).map(|i| first.wrapping_add(i ^ 5)));
        order.extend([first, first.wrapping_add(8), first.wrapping_sub(1)]);
    }
    let mut shuffle = ChaCha8Rng::from_seed([9; 32]);
    for _ in 0..200 {
        let r = shuffle.next_u64();
        order.push(if r & 1 == 0 { r >> 56 } else { r });
    }
    for seed in [0u64, 5, u64::MAX] {
        let template = stream_template(seed, Source::Capacity);
        for avx512 in [false, true] {
            let Some(mut pair) = PairStream::with(&template, avx512) else {
                return;
            };
            for (i, &r) in order.iter().enumerate() {
                pair.restart(r);
                let mut want = template.clone();
                restart(&mut want, r);
                // Past the group's blocks on some replications, not on others.
                let words = if i % 3 == 0 { 70 } else { 20 };
                for w in 0..words {
                    assert_eq!(
                        pair.next_u32(),
                        want.next_u32(),
                        "seed {seed}, AVX-512 {avx512}, stream {r}, word {w}"
                    );
                }
            }
            // Drawn ahead from the group's copy.
            let index = crate::random::UniformIndex::new(1000);
            for &r in order.iter().rev().take(60) {
                pair.restart(r);
                let mut want = template.clone();
                restart(&mut want, r);
                let mut out = [0u32; 32];
                let mut cursor = pair.cursor();
                let drawn = cursor.draw_ahead(index, &mut out);
                for (d, &got) in out[..drawn].iter().enumerate() {
                    assert_eq!(got, index.sample(&mut want), "stream {r}, draw {d}");
                }
                for d in 0..10 {
                    let (got, w) = (index.sample(&mut cursor), index.sample(&mut want));
                    assert_eq!(got, w, "stream {r}, after, draw {d}");
                }
            }
        }
    }
}

/// The AVX2 and AVX-512 index draws give the plain form's draws, mask and copy, for ranges
/// where few, half or most words ask for a second (each where the processor has it).
#[test]
fn the_vector_index_draws_are_the_plain_ones() {
    use crate::random::pair::plain_index_draws;
    use crate::random::UniformIndex;
    let mut rng = ChaCha8Rng::from_seed([4; 32]);
    #[cfg(target_arch = "x86_64")]
    let (avx2, avx512) = (
        std::arch::is_x86_feature_detected!("avx2"),
        std::arch::is_x86_feature_detected!("avx512f"),
    );
    let mut masks = 0;
    for n in [1u32, 2, 3, 1000, (1 << 31) + 1, 3_000_000_000, u32::MAX] {
        let index = UniformIndex::new(n);
        for k in 0..51 {
            // The last: words whose low half is exactly the limit (u32::MAX times an odd
            // n), which take one word, beside 0 and random ones.
            let from: [u32; 32] = std::array::from_fn(|i| match (k, i % 3) {
                (50, 0) => u32::MAX,
                (50, 1) => 0,
                _ => rng.next_u32(),
            });
            let (mut to, mut out) = ([0u32; 32], [0u32; 32]);
            let mask = plain_index_draws(&from, &mut to, index, &mut out);
            assert_eq!(to, from);
            if k == 50 {
                // One word each where the low half is not above the limit.
                let at_limit = (0..32).step_by(3).fold(0u32, |m, i| m | 1 << i);
                assert_eq!(mask & at_limit, 0, "n {n}");
            }
            masks += (mask != 0 && mask != u32::MAX) as usize;
            #[cfg(target_arch = "x86_64")]
            for (present, which) in [(avx2, "AVX2"), (avx512, "AVX-512")] {
                if !present {
                    continue;
                }
                let (mut got_to, mut got_out) = ([7u32; 32], [7u32; 32]);
                // SAFETY: the processor has the kernel's instructions.
                let got = unsafe {
                    match which {
                        "AVX2" => super::super::chacha8_avx2::index_draws(
                            &from,
                            &mut got_to,
                            index,
                            &mut got_out,
                        ),
                        _ => chacha8_avx512::index_draws(&from, &mut got_to, index, &mut got_out),
                    }
                };
                assert_eq!((got, got_out, got_to), (mask, out, to), "{which}, n {n}");
            }
        }
    }
    assert!(masks > 50, "{masks}");
}

/// Drawn ahead at the start of a later pair of blocks (every word of the group's pair used
/// through the cursor): the draws of those blocks, for either kernel.
#[test]
fn draws_made_ahead_past_the_groups_blocks_are_the_draws_one_by_one() {
    let template = stream_template(8, Source::Capacity);
    let index = crate::random::UniformIndex::new(3_000_000_000);
    for avx512 in [false, true] {
        let Some(mut pair) = PairStream::with(&template, avx512) else {
            return;
        };
        for r in [0u64, 5, 13, u64::MAX] {
            pair.restart(r);
            let mut want = template.clone();
            restart(&mut want, r);
            let mut cursor = pair.cursor();
            for w in 0..64 {
                assert_eq!(cursor.next_u32(), want.next_u32(), "stream {r}, word {w}");
            }
            let mut out = [0u32; 32];
            let drawn = cursor.draw_ahead(index, &mut out);
            for (d, &got) in out[..drawn].iter().enumerate() {
                assert_eq!(got, index.sample(&mut want), "stream {r}, draw {d}");
            }
            for d in 0..40 {
                let (got, w) = (index.sample(&mut cursor), index.sample(&mut want));
                assert_eq!(got, w, "stream {r}, after, draw {d}");
            }
        }
    }
}
