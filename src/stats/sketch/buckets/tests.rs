//! Tests of the log buckets.

use super::*;

/// The dense log buckets count as a map from bucket to count would, whatever order the
/// buckets come in (growing down, up, across zero and both signs).
#[test]
fn log_buckets_count_as_a_map() {
    let mut dense = LogBuckets::default();
    let mut map = std::collections::BTreeMap::new();
    let xs = [
        5.0, 4.0, 1e-6, 3e9, -2.0, 0.0, -7e-3, 5.0, 1e15, 2.5e-11, -1e12, 0.0, 77.0, -2.0,
    ];
    for (j, &x) in xs.iter().cycle().take(200).enumerate() {
        let (b, c) = (bucket(x), 1 + j as u64 % 3);
        dense.add(b, c);
        *map.entry(b).or_insert(0u64) += c;
    }
    let mut got: Vec<(i32, u64)> = dense.iter().collect();
    got.sort();
    assert_eq!(got, map.into_iter().collect::<Vec<_>>());
    assert_eq!(dense.sum(), (0..200u64).map(|j| 1 + j % 3).sum::<u64>());
}

/// Dense log buckets grown downwards keep `slack` spare buckets below the new index (8 for
/// a short run, half the length for a longer one), not everything down to some far lower
/// index: memory follows the spread of
/// the values seen.
#[test]
fn dense_buckets_grow_by_a_bounded_slack() {
    let mut d = DenseCounts::default();
    d.add(1000, 1);
    assert_eq!((d.lo, d.counts.len()), (1000, 1));
    d.add(990, 2);
    assert_eq!((d.lo, d.counts.len()), (982, 19));
    d.add(1005, 1);
    assert_eq!((d.lo, d.counts.len()), (982, 33)); // 9 spare above (19 / 2)
    let seen: Vec<(i32, u64)> = d.iter().collect();
    assert_eq!(seen, vec![(990, 2), (1000, 1), (1005, 1)]);
}

/// A slot holding a value's bits answers for it: the bucket is read, not computed again
/// (a slot marked by hand with another bucket gives that one).
#[test]
fn a_slot_holding_the_bits_answers_for_them() {
    let mut recent = RecentBuckets::new();
    for x in [12.5, -0.37, 1e9] {
        let b = recent.bucket(x);
        assert_eq!(b, bucket(x));
        let slot = recent
            .slots
            .iter()
            .position(|&(bits, _)| bits == x.to_bits())
            .expect("the value's slot holds its bits");
        recent.slots[slot].1 = b + 7;
        assert_eq!(recent.bucket(x), b + 7, "{x}");
    }
}
