//! Tests of `sketch`.

use super::buckets::{RecentBuckets, RECENT_SLOTS};
use super::*;

/// Inverse-CDF quantiles are values of the sample, and equal a plain count: the smallest
/// x with #{v ≤ x} ≥ p·n.
#[test]
fn inverse_cdf_quantiles_are_values_and_match_a_plain_count() {
    for n in [1usize, 2, 3, 7, 10, 20, 100, 1001] {
        let mut v: Vec<f64> = (0..n).map(|i| ((i * 7919) % 13) as f64).collect();
        v.sort_by(|a, b| a.total_cmp(b));
        let mut sk = QuantileSketch::new(4); // integers store past 4 values
        for &x in &v {
            sk.add(x);
        }
        for p in [0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.85, 0.9, 0.95, 1.0] {
            let plain = *v
                .iter()
                .find(|&&x| {
                    let below = v.iter().filter(|&&y| y <= x).count();
                    below as f64 >= p * n as f64 - 1e-9
                })
                .unwrap();
            let q = quantile_inverse_cdf_sorted(&v, p);
            assert_eq!(q, plain, "n {n} p {p}");
            assert_eq!(q.fract(), 0.0);
            assert_eq!(sk.quantile_inverse_cdf(p), plain, "sketch n {n} p {p}");
        }
    }
    // 85 % of 20 is 17 values: the 17th smallest, not the 18th.
    let v: Vec<f64> = (1..=20).map(|i| i as f64).collect();
    assert_eq!(quantile_inverse_cdf_sorted(&v, 0.85), 17.0);
    assert_eq!(quantile_inverse_cdf_sorted(&v, 0.5), 10.0);
    // Censored values are beyond every value.
    let mut sk = QuantileSketch::new(10);
    for x in [3.0, 4.0, f64::NAN, f64::NAN] {
        sk.add(x);
    }
    assert_eq!(sk.quantile_inverse_cdf(0.5), 4.0);
    assert_eq!(sk.quantile_inverse_cdf(0.51), f64::INFINITY);
}

#[test]
fn exact_quantiles_interpolate() {
    let mut s = QuantileSketch::new(100);
    for x in [1.0, 2.0, 3.0, 4.0, 5.0] {
        s.add(x);
    }
    assert_eq!(s.quantile(0.5), 3.0);
    assert_eq!(s.quantile(0.25), 2.0);
    assert!((s.quantile(0.1) - 1.4).abs() < 1e-12);
}

#[test]
fn censored_values_sit_beyond_the_rest() {
    let mut s = QuantileSketch::new(100);
    for x in [1.0, 2.0, f64::NAN, f64::NAN] {
        s.add(x);
    }
    assert_eq!(s.quantile(0.0), 1.0);
    assert!(s.quantile(0.9).is_infinite());
    // A rank that falls exactly on the last value is that value, even with +∞ next to it.
    assert_eq!(s.quantile(1.0 / 3.0), 2.0);
    assert_eq!(quantile_sorted(&[1.0, 2.0, f64::INFINITY], 0.5), 2.0);
}

#[test]
fn integers_stay_exact_past_the_cap() {
    let mut s = QuantileSketch::new(10);
    for i in 0..1000 {
        s.add((i % 7) as f64);
    }
    assert_eq!(s.quantile(0.5), 3.0);
    assert_eq!(s.count(), 1000);
}

/// Quantiles of one sketch fed value by value.
fn quantiles_of(s: &mut QuantileSketch) -> Vec<u64> {
    [0.0, 0.1, 0.25, 0.5, 0.85, 0.9, 1.0]
        .iter()
        .map(|&p| s.quantile(p).to_bits())
        .collect()
}

#[test]
fn merged_sketches_answer_as_one() {
    // Integers, integers over a wide span, and reals; below and past the cap.
    let data: [&dyn Fn(u64) -> f64; 4] = [
        &|i| (i * 7919 % 23) as f64,
        &|i| (i * 7919 % 9001) as f64,
        &|i| ((i as f64) * 0.731).sin() * 50.0,
        &|i| {
            if i % 97 == 0 {
                f64::NAN
            } else {
                (i % 5) as f64
            }
        },
    ];
    for f in data {
        for n in [5u64, 40, 400] {
            let mut one = QuantileSketch::new(64);
            let mut parts = [
                QuantileSketch::new(64),
                QuantileSketch::new(64),
                QuantileSketch::new(64),
            ];
            for i in 0..n {
                one.add(f(i));
                parts[(i % 3) as usize].add(f(i));
            }
            let mut merged = QuantileSketch::new(64);
            for p in &parts {
                merged.merge(p);
            }
            assert_eq!(merged.total(), one.total());
            assert_eq!(quantiles_of(&mut merged), quantiles_of(&mut one), "n = {n}");
        }
    }
}

#[test]
fn repeated_values_count_as_many() {
    let mut a = QuantileSketch::new(8);
    let mut b = QuantileSketch::new(8);
    for x in [1.0, 2.0, 2.0, 2.0, 2.0, 2.0, 3.0, 9.0, 9.0, 9.0] {
        a.add(x);
    }
    b.add(1.0);
    b.add_n(2.0, 5);
    b.add(3.0);
    b.add_n(9.0, 3);
    assert_eq!(quantiles_of(&mut a), quantiles_of(&mut b));
}

/// Type 7 on a sorted copy, censored (NaN) values as +∞: the definition, written out.
fn exact_quantile(values: &[f64], p: f64) -> f64 {
    let mut v: Vec<f64> = values
        .iter()
        .map(|&x| if x.is_nan() { f64::INFINITY } else { x })
        .collect();
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        return f64::NAN;
    }
    let h = (v.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let frac = h - lo as f64;
    if frac == 0.0 {
        return v[lo];
    }
    if v[lo].is_infinite() || v[lo + 1].is_infinite() {
        return f64::INFINITY;
    }
    v[lo] + frac * (v[lo + 1] - v[lo])
}

/// The documented accuracy of a log-bucket quantile: each of the two order statistics it
/// interpolates is within ALPHA of its value (values below 1e-12 count as 0).
fn within_log_accuracy(values: &[f64], p: f64, q: f64) -> bool {
    let e = exact_quantile(values, p);
    if e.is_infinite() || q.is_infinite() {
        return e == q;
    }
    let mut v: Vec<f64> = values
        .iter()
        .map(|&x| if x.is_nan() { f64::INFINITY } else { x })
        .collect();
    v.sort_by(|a, b| a.total_cmp(b));
    let h = (v.len() - 1) as f64 * p;
    let (a, b) = (v[h.floor() as usize], v[h.ceil() as usize]);
    let bound = ALPHA * a.abs().max(b.abs()) * (1.0 + 1e-9) + 1e-12;
    (q - e).abs() <= bound
}

const PS: [f64; 11] = [0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.85, 0.9, 0.99, 1.0];

#[test]
fn log_buckets_are_within_accuracy() {
    // Values around 0.5 as well: the relative accuracy holds there too.
    let mut s = QuantileSketch::new(10);
    let mut exact = Vec::new();
    for i in 1..=10_000 {
        let x = (i as f64 * 0.731).sin() * 100.0 + 0.5;
        s.add(x);
        exact.push(x);
    }
    for p in PS {
        let q = s.quantile(p);
        assert!(
            within_log_accuracy(&exact, p, q),
            "p {p}: {q} vs {}",
            exact_quantile(&exact, p)
        );
    }
    // A median near 0.5 is within 0.5 % of it, not merely within 0.5.
    let mut s = QuantileSketch::new(4);
    let xs: Vec<f64> = (0..101).map(|i| 0.45 + i as f64 * 0.001).collect();
    for &x in &xs {
        s.add(x);
    }
    let q = s.quantile(0.5);
    assert!((q - 0.5).abs() <= 0.005 * 0.5, "{q}");
    assert!(matches!(s.store, Store::Log(_)));
}

use proptest::prelude::*;

/// Values of every kind the sketch meets: small integers, integers over a wide span,
/// reals of either sign and of small and large size, and censored runs.
fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => (0i64..40).prop_map(|i| i as f64),
        1 => (-20_000i64..20_000).prop_map(|i| i as f64),
        3 => -1e4f64..1e4,
        1 => -1e-3f64..1e-3,
        1 => Just(f64::NAN),
    ]
}

proptest! {
    /// Below the cap the sketch's quantiles are the exact sorted ones, bit for bit.
    #[test]
    fn below_the_cap_quantiles_are_exact(v in prop::collection::vec(value(), 1..60)) {
        let mut s = QuantileSketch::new(64);
        for &x in &v {
            s.add(x);
        }
        prop_assert_eq!(s.total(), v.len() as u64);
        prop_assert_eq!(s.count(), v.iter().filter(|x| !x.is_nan()).count() as u64);
        for p in PS {
            let (q, e) = (s.quantile(p), exact_quantile(&v, p));
            prop_assert!(q.to_bits() == e.to_bits() || (q.is_nan() && e.is_nan()), "p {}: {} vs {}", p, q, e);
        }
    }

    /// Past the cap integers stay exact; anything else is within the log buckets'
    /// documented 0.5 %.
    #[test]
    fn past_the_cap_quantiles_are_within_accuracy(
        v in prop::collection::vec(value(), 1..400),
        cap in 1usize..16,
    ) {
        let mut s = QuantileSketch::new(cap);
        for &x in &v {
            s.add(x);
        }
        let ints = v.iter().filter(|x| !x.is_nan()).all(|&x| x == x.trunc());
        let finite: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
        let span = finite.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
            - finite.iter().cloned().fold(f64::INFINITY, f64::min);
        for p in PS {
            let q = s.quantile(p);
            if ints && span < MAX_INTEGER_SPAN as f64 {
                let e = exact_quantile(&v, p);
                prop_assert!(q.to_bits() == e.to_bits() || (q.is_nan() && e.is_nan()), "p {}: {} vs {}", p, q, e);
            } else {
                prop_assert!(within_log_accuracy(&v, p, q), "p {}: {} vs {}", p, q, exact_quantile(&v, p));
            }
        }
    }

    /// A sketch merged from parts answers as one fed value by value, whatever store each
    /// part ended in (exact, integers, log buckets), including log buckets merged into
    /// integers.
    #[test]
    fn merged_equals_sequential(
        parts in prop::collection::vec(prop::collection::vec(value(), 0..80), 1..5),
        ints_first in prop::collection::vec(0i64..30, 0..80),
        cap in 1usize..24,
    ) {
        // A first part of integers only, past the cap: an integer store to merge into.
        let mut all: Vec<Vec<f64>> = vec![ints_first.iter().map(|&i| i as f64).collect()];
        all.extend(parts);
        let mut one = QuantileSketch::new(cap);
        for x in all.iter().flatten() {
            one.add(*x);
        }
        let sketches: Vec<QuantileSketch> = all
            .iter()
            .map(|part| {
                let mut s = QuantileSketch::new(cap);
                for &x in part {
                    s.add(x);
                }
                s
            })
            .collect();
        let mut merged = sketches[0].clone();
        for s in &sketches[1..] {
            merged.merge(s);
        }
        prop_assert_eq!(merged.total(), one.total());
        prop_assert_eq!(merged.count(), one.count());
        prop_assert_eq!(quantiles_of(&mut merged), quantiles_of(&mut one));
    }
}

/// The case the proptest is there for, written out: a log-bucket sketch merged into an
/// integer one.
#[test]
fn log_buckets_merge_into_integers() {
    let mut ints = QuantileSketch::new(4);
    let mut reals = QuantileSketch::new(4);
    let mut one = QuantileSketch::new(4);
    for i in 0..20 {
        ints.add((i % 6) as f64);
        one.add((i % 6) as f64);
    }
    for i in 0..20 {
        reals.add(i as f64 * 0.37);
        one.add(i as f64 * 0.37);
    }
    assert!(matches!(ints.store, Store::Integers { .. }));
    assert!(matches!(reals.store, Store::Log(_)));
    ints.merge(&reals);
    assert!(matches!(ints.store, Store::Log(_)));
    assert_eq!(ints.count(), 40);
    assert_eq!(quantiles_of(&mut ints), quantiles_of(&mut one));
}

/// The slack of ⌈p·n⌉ is relative: 0.07 · 10⁷ is 700 000.000 000 000 1 in doubles (one ulp
/// over), which is 700 000 values, so the quantile is the 700 000th smallest (value 699 999
/// here, where the k-th smallest is k). An absolute slack of 1e-12 / (p·n) would round up to
/// the 700 001st.
#[test]
fn the_rank_slack_is_relative_to_the_rank() {
    assert!(std::hint::black_box(0.07) * 1e7 > 700_000.0);
    assert_eq!(
        quantile_inverse_cdf_by(10_000_000, 0.07, |k| k as f64),
        699_999.0
    );
    assert_eq!(quantile_inverse_cdf_by(20, 0.85, |k| k as f64), 16.0);
}

/// Past the cap, the log store keeps 0.5 % relative accuracy down to 1e-12 itself; only
/// magnitudes below it count as 0.
#[test]
fn log_buckets_reach_down_to_1e_12() {
    let mut s = QuantileSketch::new(2);
    for x in [1e-12, 1e-12, 1e-12, -1e-12, 5e-13] {
        s.add(x);
    }
    assert!(matches!(s.store, Store::Log(_)));
    let q = s.quantile_inverse_cdf(1.0);
    assert!((q - 1e-12).abs() <= 0.005 * 1e-12, "{q:e}");
    assert!((s.order_statistic(0) + 1e-12).abs() <= 0.005 * 1e-12);
    assert_eq!(s.order_statistic(1), 0.0); // 5e-13 counts as 0
}

/// Past the cap, ±∞ stay beyond every finite value (they went to the innermost bucket, and
/// overflowed with overflow checks on): a quantile that reaches them is ±∞.
#[test]
fn infinities_in_log_buckets_lie_beyond_every_finite_value() {
    let mut s = QuantileSketch::new(2);
    for x in [
        0.5,
        2.5,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e300,
        -1e300,
        7.5,
    ] {
        s.add(x);
    }
    assert!(matches!(s.store, Store::Log(_)));
    assert_eq!(s.order_statistic(0), f64::NEG_INFINITY);
    assert!(s.order_statistic(1) < -1e299);
    assert!(s.order_statistic(5) > 1e299 && s.order_statistic(5).is_finite());
    assert_eq!(s.order_statistic(6), f64::INFINITY);
    assert_eq!(s.quantile_inverse_cdf(1.0), f64::INFINITY);
    assert!((s.order_statistic(2) - 0.5).abs() <= 0.005 * 0.5);
}

/// The exact store never holds more than `cap` values: the value past the cap moves the
/// sketch to its compressed store (log buckets for non-integers).
#[test]
fn exact_values_stop_at_the_cap() {
    let mut s = QuantileSketch::new(3);
    for x in [0.5, 1.5, 2.5] {
        s.add(x);
    }
    assert!(matches!(&s.store, Store::Exact(v) if v.len() == 3));
    s.add(3.5);
    assert!(matches!(s.store, Store::Log(_)));
    assert_eq!(s.count(), 4);
}

/// Integers past the cap stay exact however far from zero they lie, as long as they span
/// at most `MAX_INTEGER_SPAN` values; a wider span moves to the log buckets.
#[test]
fn integer_store_limits_the_span_not_the_magnitude() {
    let mut s = QuantileSketch::new(4);
    for i in 0..=100 {
        s.add((10_000 + i) as f64);
    }
    assert!(matches!(s.store, Store::Integers { .. }));
    assert_eq!(s.quantile(0.5), 10_050.0);
    assert_eq!(s.quantile_inverse_cdf(0.1), 10_010.0);
    let mut wide = QuantileSketch::new(4);
    for x in [0.0, 1.0, 2.0, 3.0, 4.0, MAX_INTEGER_SPAN as f64 - 1.0] {
        wide.add(x);
    }
    assert!(matches!(wide.store, Store::Integers { .. }));
    wide.add(MAX_INTEGER_SPAN as f64);
    assert!(matches!(wide.store, Store::Log(_)));
}

/// The state of a sketch: censored runs, and its exact values (sorted), integer counts or
/// log buckets (sorted, the cache of recent buckets left out).
fn state(s: &QuantileSketch) -> (u64, Vec<(u64, u64)>) {
    let items: Vec<(u64, u64)> = match &s.store {
        Store::Exact(v) => {
            let mut v: Vec<u64> = v.iter().map(|x| x.to_bits()).collect();
            v.sort();
            v.into_iter().map(|b| (b, 1)).collect()
        }
        Store::Integers { base, counts } => counts
            .iter()
            .enumerate()
            .map(|(j, &c)| ((base + j as i64) as u64, c))
            .collect(),
        Store::Log(m) => {
            let mut b: Vec<(u64, u64)> = m.iter().map(|(b, c)| (b as i64 as u64, c)).collect();
            b.sort();
            b
        }
    };
    (s.censored, items)
}

/// Values that repeat, from a small pool of doubles of every kind (so that the cache of
/// recent buckets is hit, and its slots are shared by other values).
fn pooled() -> impl Strategy<Value = f64> {
    let pool: Vec<f64> = (0..3000)
        .map(|i| match i % 6 {
            0 => i as f64 / 7.0,
            1 => -(i as f64) * 1e-3,
            2 => (i / 6) as f64,
            3 => f64::from_bits(0x3ff0_0000_0000_0000 + i as u64 * 0x1_0000_0001),
            4 => 1e-13 * i as f64,
            _ => 2.5 + (i / 6) as f64 / 64.0,
        })
        .chain([
            0.0,
            -0.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::NAN,
        ])
        .collect();
    prop::sample::select(pool)
}

proptest! {
    /// The cache of recent buckets gives the bucket of every double's bits, whether it
    /// holds them already or not.
    #[test]
    fn recent_buckets_are_the_buckets(bits in prop::collection::vec(any::<u64>(), 1..300)) {
        let mut recent = RecentBuckets::new();
        for round in 0..2 {
            for &b in &bits {
                let x = f64::from_bits(b);
                let (got, want) = (recent.bucket(x), bucket(x));
                prop_assert_eq!(got, want, "round {}, bits {:#x}", round, b);
            }
        }
        // And the pooled values, many sharing slots.
        let xs: Vec<f64> = (0..20_000).map(|i| (i % 4099) as f64 * 0.37 - 200.0).collect();
        for &x in &xs {
            prop_assert_eq!(recent.bucket(x), bucket(x));
        }
    }

    /// A sketch with the cache of recent buckets ends in the very state of one without,
    /// fed the same values one by one and in counts (ties, zeros, NaN, infinities).
    #[test]
    fn a_cached_sketch_is_the_same_sketch(
        v in prop::collection::vec((pooled(), 1u64..4), 1..3000),
        cap in 1usize..64,
    ) {
        let mut plain = QuantileSketch::new(cap);
        let mut cached = QuantileSketch::new(cap).with_bucket_cache();
        for (j, &(x, c)) in v.iter().enumerate() {
            if j % 5 == 0 {
                plain.add_n(x, c);
                cached.add_n(x, c);
            } else {
                plain.add(x);
                cached.add(x);
            }
        }
        prop_assert_eq!(state(&plain), state(&cached));
        prop_assert_eq!(quantiles_of(&mut plain), quantiles_of(&mut cached));
    }
}

/// A metric's sketch past the cap: fractional values go to the log buckets, with the cache.
#[test]
fn a_cached_sketch_past_the_cap_keeps_its_cache() {
    let mut s = QuantileSketch::new(4).with_bucket_cache();
    for i in 0..100 {
        s.add(i as f64 / 3.0);
    }
    match &s.store {
        Store::Log(m) => {
            assert_eq!(m.recent.slots.len(), RECENT_SLOTS);
            // And it is used: the values' buckets are kept, in slots of their own (nearly
            // all: 96 values in 4096 slots), the last one's surely.
            let last = 99.0 / 3.0;
            assert!(m.recent.slots.contains(&(f64::to_bits(last), bucket(last))));
            let kept = (4..100)
                .filter(|&i| {
                    let x = i as f64 / 3.0;
                    m.recent.slots.contains(&(x.to_bits(), bucket(x)))
                })
                .count();
            assert!(kept > 80, "{kept} of 96 kept");
        }
        _ => panic!("fractional values past the cap go to log buckets"),
    }
    // Without it, none is kept.
    let mut s = QuantileSketch::new(4);
    for i in 0..100 {
        s.add(i as f64 / 3.0);
    }
    match &s.store {
        Store::Log(m) => assert!(m.recent.slots.is_empty()),
        _ => panic!("fractional values past the cap go to log buckets"),
    }
}

proptest! {
    /// Values added all at once give the state of the same values added one by one: NaN
    /// counted as censored, or left out if asked; through every store and its changes
    /// (exact values up to the cap, integers, log buckets).
    #[test]
    fn values_added_all_at_once_are_added_one_by_one(
        parts in prop::collection::vec(
            prop::collection::vec(prop_oneof![3 => value(), 1 => pooled()], 0..200),
            1..6,
        ),
        cap in 1usize..64,
        skip_nan in any::<bool>(),
        cached in any::<bool>(),
    ) {
        added_all_as_one_by_one(&parts, cap, skip_nan, cached)?;
    }
}

proptest! {
    /// The same with whole values mostly (and a NaN or a fraction now and then): the
    /// integer store's own loop, its range grown by values just past it.
    #[test]
    fn whole_values_added_all_at_once_are_added_one_by_one(
        parts in prop::collection::vec(
            prop::collection::vec(prop_oneof![
                20 => (0i64..40).prop_map(|i| i as f64),
                2 => (-300i64..300).prop_map(|i| i as f64),
                1 => Just(f64::NAN),
                1 => value(),
            ], 0..200),
            1..6,
        ),
        cap in 1usize..16,
        skip_nan in any::<bool>(),
        cached in any::<bool>(),
    ) {
        added_all_as_one_by_one(&parts, cap, skip_nan, cached)?;
    }
}

/// [`QuantileSketch::add_all`] on each part, against [`QuantileSketch::add`] value by value.
fn added_all_as_one_by_one(
    parts: &[Vec<f64>],
    cap: usize,
    skip_nan: bool,
    cached: bool,
) -> Result<(), TestCaseError> {
    let new = || {
        let s = QuantileSketch::new(cap);
        if cached {
            s.with_bucket_cache()
        } else {
            s
        }
    };
    let (mut one, mut all) = (new(), new());
    for part in parts {
        for &x in part {
            if !(skip_nan && x.is_nan()) {
                one.add(x);
            }
        }
        all.add_all(part, skip_nan);
    }
    prop_assert_eq!(state(&one), state(&all));
    prop_assert_eq!(one.total(), all.total());
    prop_assert_eq!(quantiles_of(&mut one), quantiles_of(&mut all));
    Ok(())
}
