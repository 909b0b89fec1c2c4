//! A whole distribution in bounded memory, for charts: how many runs had each value.
//!
//! Whole numbers (completion sprints, release delays) are counted exactly, one counter per
//! value, while they span at most 2¹⁴ values; past that span a whole number goes to the map
//! like any other value, rounded as it is (exact below 10⁴: 16 384 is kept as 16 380).
//! Other values are first rounded by [`chart_value`] to 4 significant digits (values
//! below 10⁻³ in size to multiples of 10⁻⁶), which is far below a pixel on any chart and
//! bounds the number of distinct values; rounding never moves a value across 0 or 1, so
//! "below 0" and "above 1" counts stay exact. Runs without a value are counted apart.

use std::collections::BTreeMap;

/// Whole values kept in the dense counter span at most this many values; wider data goes to
/// the sorted map.
const DENSE_SPAN: i64 = 1 << 14;

/// Counts of the values of one metric over runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValueCounts {
    /// `dense[v - lo]`: runs whose value was the whole number v.
    lo: i64,
    dense: Vec<u64>,
    /// Other values (rounded by [`chart_value`]) by their order-preserving bit pattern.
    other: BTreeMap<u64, u64>,
    /// Runs without a value (not done within the horizon, for a censored metric).
    none: u64,
}

/// `x` rounded for a chart: 4 significant digits (multiples of 10⁻⁶ below 10⁻³), unless the
/// rounding would move it across 0 or 1.
pub fn chart_value(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let e = x.abs().log10().floor().max(-3.0) as i32 - 3;
    let r = if e < 0 {
        let s = 10f64.powi(-e);
        (x * s).round() / s
    } else {
        let s = 10f64.powi(e);
        (x / s).round() * s
    };
    if (r < 0.0) != (x < 0.0) || (r > 1.0) != (x > 1.0) || (r == 0.0) != (x == 0.0) {
        x
    } else {
        r
    }
}

/// An order-preserving key for a finite f64 (−0 and +0 alike).
fn key(x: f64) -> u64 {
    let b = (x + 0.0).to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

fn from_key(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

impl ValueCounts {
    /// One run's value; NaN = no value.
    #[inline]
    pub fn add(&mut self, x: f64) {
        // The common case first: a whole number in the dense range (what `add_n` does with
        // it). A negative or huge value, or NaN, fails the bound as a u64. (The range holds
        // magnitudes below 1e15: `truncated` is `as i64` for it.)
        let v = super::truncated(x);
        let k = v.wrapping_sub(self.lo) as u64;
        if v as f64 == x && k < self.dense.len() as u64 {
            self.dense[k as usize] += 1;
            return;
        }
        self.add_n(x, 1);
    }

    /// `n` runs with value `x` (NaN = no value).
    pub fn add_n(&mut self, x: f64, n: u64) {
        if x.is_nan() {
            self.none += n;
            return;
        }
        if x.fract() == 0.0 && x.abs() < 1e15 {
            let v = x as i64;
            if self.dense.is_empty() {
                self.lo = v;
                self.dense.push(0);
            }
            if v < self.lo && self.lo + self.dense.len() as i64 - v <= DENSE_SPAN {
                let grow = (self.lo - v) as usize;
                self.dense.splice(0..0, std::iter::repeat_n(0, grow));
                self.lo = v;
            } else if v >= self.lo + self.dense.len() as i64 && v - self.lo < DENSE_SPAN {
                self.dense.resize((v - self.lo + 1) as usize, 0);
            }
            if v >= self.lo && v < self.lo + self.dense.len() as i64 {
                self.dense[(v - self.lo) as usize] += n;
                return;
            }
        }
        *self.other.entry(key(chart_value(x))).or_insert(0) += n;
    }

    /// Runs without a value.
    pub fn none(&self) -> u64 {
        self.none
    }

    /// Every run counted, with or without a value.
    pub fn total(&self) -> u64 {
        self.none + self.dense.iter().sum::<u64>() + self.other.values().sum::<u64>()
    }

    /// (value, runs) in ascending order of value, without the runs that have no value.
    pub fn values(&self) -> Vec<(f64, u64)> {
        let mut out: Vec<(f64, u64)> = self
            .dense
            .iter()
            .enumerate()
            .filter(|(_, &c)| c > 0)
            .map(|(i, &c)| ((self.lo + i as i64) as f64, c))
            .collect();
        out.extend(self.other.iter().map(|(&k, &c)| (from_key(k), c)));
        out.sort_by(|a, b| a.0.total_cmp(&b.0));
        // A whole number can be in both stores (outside the dense span it goes to the map,
        // rounded by `chart_value`: itself below 10⁴): merge equal values.
        out.dedup_by(|b, a| {
            if a.0 == b.0 {
                a.1 += b.1;
                true
            } else {
                false
            }
        });
        out
    }

    /// Add another tally's counts.
    pub fn merge(&mut self, other: &ValueCounts) {
        for (x, c) in other.values() {
            self.add_n(x, c);
        }
        self.none += other.none;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_are_exact_and_sorted() {
        let mut c = ValueCounts::default();
        for x in [5.0, 3.0, 5.0, -2.0, f64::NAN, 40_000.0, 3.0] {
            c.add(x);
        }
        assert_eq!(
            c.values(),
            vec![(-2.0, 1), (3.0, 2), (5.0, 2), (40_000.0, 1)]
        );
        assert_eq!(c.none(), 1);
        assert_eq!(c.total(), 7);
    }

    #[test]
    fn other_values_round_to_four_digits_but_keep_their_side_of_0_and_1() {
        assert_eq!(chart_value(0.812_345), 0.8123);
        assert_eq!(chart_value(-0.000_012_34), -0.000_012);
        assert_eq!(chart_value(12_345.6), 12_350.0);
        assert_eq!(chart_value(1.000_01), 1.000_01);
        assert_eq!(chart_value(0.999_99), 1.0);
        assert_eq!(chart_value(-0.000_000_1), -0.000_000_1);
        let mut c = ValueCounts::default();
        for x in [0.81234, 0.81236, 1.00001, -0.5] {
            c.add(x);
        }
        assert_eq!(
            c.values(),
            vec![(-0.5, 1), (0.8123, 1), (0.8124, 1), (1.00001, 1)]
        );
    }

    /// However many runs, the distinct values of a bounded metric stay few.
    #[test]
    fn memory_is_bounded() {
        let mut c = ValueCounts::default();
        for i in 0..200_000u64 {
            c.add(0.3 + (i.wrapping_mul(2_654_435_761) % 1_000_003) as f64 / 1_500_000.0);
        }
        assert!(c.values().len() <= 9_000, "{}", c.values().len());
        assert_eq!(c.total(), 200_000);
    }

    #[test]
    fn merge_adds_counts() {
        let (mut a, mut b) = (ValueCounts::default(), ValueCounts::default());
        a.add(1.0);
        a.add(0.25);
        b.add(1.0);
        b.add(f64::NAN);
        a.merge(&b);
        assert_eq!(a.values(), vec![(0.25, 1), (1.0, 2)]);
        assert_eq!(a.none(), 1);
    }

    /// The dense counter grows down and up to at most `DENSE_SPAN` whole values; a whole
    /// number that would stretch it further goes to the sorted map (values below 10⁴ in
    /// size, which the map keeps as they are). Walked by hand: 0; 3 (up to 0..=3); −2 (down
    /// to −2..=3); −9000 (down: −9000..=3, 9004 counters); 7383 (up: 7383 − (−9000) =
    /// 16 383 < 2¹⁴, so 16 384 counters); 7384 (16 384 away: the map); −9001 (the span would
    /// be 16 385: the map); −9000 again (its counter).
    #[test]
    fn the_dense_counter_spans_at_most_dense_span_whole_values() {
        let mut c = ValueCounts::default();
        let steps: [(f64, i64, usize, usize); 8] = [
            // (value, lo, counters, map entries) after adding the value
            (0.0, 0, 1, 0),
            (3.0, 0, 4, 0),
            (-2.0, -2, 6, 0),
            (-9000.0, -9000, 9004, 0),
            (7383.0, -9000, 16_384, 0),
            (7384.0, -9000, 16_384, 1),
            (-9001.0, -9000, 16_384, 2),
            (-9000.0, -9000, 16_384, 2),
        ];
        for (x, lo, len, map) in steps {
            c.add(x);
            assert_eq!(
                (c.lo, c.dense.len(), c.other.len()),
                (lo, len, map),
                "after {x}"
            );
        }
        assert_eq!(DENSE_SPAN, 16_384);
        assert_eq!(
            c.values(),
            vec![
                (-9001.0, 1),
                (-9000.0, 2),
                (-2.0, 1),
                (0.0, 1),
                (3.0, 1),
                (7383.0, 1),
                (7384.0, 1)
            ]
        );
        assert_eq!((c.none(), c.total()), (0, 8));
        // A whole value just past a full counter goes to the map, not one past its end.
        let mut full = ValueCounts::default();
        full.add(0.0);
        full.add(16_383.0);
        assert_eq!(full.dense.len(), 16_384);
        full.add_n(16_384.0, 3);
        assert_eq!(
            (full.dense.len(), full.other.len(), full.total()),
            (16_384, 1, 5)
        );
    }

    /// Rounding uses the exact power of ten on each side: ×10ᵏ then ÷10ᵏ below 1000,
    /// ÷10ᵏ then ×10ᵏ above (10⁻ᵏ is not exact in binary: 0.12345 · 10⁴ rounded is 1235, and
    /// 1235 · 10⁻⁴ is 0.123 500 000 000 000 01, not the double nearest 0.1235). A value
    /// that rounds to 0 keeps itself on either side of 0.
    #[test]
    fn chart_values_are_the_doubles_nearest_their_rounded_decimals() {
        assert_eq!(chart_value(0.123_45), 0.1235);
        assert_eq!(chart_value(0.7), 0.7);
        assert_eq!(chart_value(-0.123_45), -0.1235);
        assert_eq!(chart_value(123.456), 123.5);
        assert_eq!(chart_value(0.000_456_7), 0.000_457);
        assert_eq!(chart_value(4e-7), 4e-7);
        assert_eq!(chart_value(-4e-7), -4e-7);
        assert_eq!(chart_value(f64::INFINITY), f64::INFINITY);
        assert_eq!(chart_value(f64::NEG_INFINITY), f64::NEG_INFINITY);
    }

    /// A non-whole value that rounds to a whole one counted in the dense counter is one
    /// value: 4.999 99 rounds to 5.000 (4 digits), and the two runs are listed once.
    #[test]
    fn a_value_rounded_to_a_counted_whole_number_adds_to_its_count() {
        let mut c = ValueCounts::default();
        c.add(5.0);
        c.add(4.999_99);
        c.add_n(4.999_98, 2);
        assert_eq!((c.dense.len(), c.other.len()), (1, 1));
        assert_eq!(c.values(), vec![(5.0, 4)]);
        assert_eq!((c.none(), c.total()), (0, 4));
        c.add_n(f64::NAN, 2);
        assert_eq!((c.none(), c.total()), (2, 6));
    }

    /// −0 and +0 outside the dense counter are one key, and that key reads back as +0.
    /// Map keys keep the order of the values and read back bit for bit.
    #[test]
    fn map_keys_keep_order_and_read_back_exactly() {
        let mut c = ValueCounts::default();
        c.add(20_000.0);
        c.add(-0.0);
        c.add(0.0);
        assert_eq!(c.other.len(), 1);
        let (zero, runs) = c.values()[0];
        assert_eq!((zero.to_bits(), runs), (0.0f64.to_bits(), 2));
        let xs = [
            f64::NEG_INFINITY,
            -1e300,
            -2.5,
            -1e-300,
            0.0,
            1e-300,
            0.8123,
            2.5,
            1e300,
            f64::INFINITY,
        ];
        for w in xs.windows(2) {
            assert!(key(w[0]) < key(w[1]), "{} {}", w[0], w[1]);
        }
        for x in xs {
            assert_eq!(from_key(key(x)).to_bits(), x.to_bits(), "{x}");
        }
    }

    use proptest::prelude::*;

    proptest! {
        /// `add`'s shortcut for a whole number in the dense range counts as `add_n` does,
        /// for values of every kind: small and wide whole numbers (growing the range down
        /// and up), fractions, ±0, NaN, infinities and huge values.
        #[test]
        fn add_counts_as_add_n(v in prop::collection::vec(prop_oneof![
            4 => (-30i64..60).prop_map(|i| i as f64),
            1 => (-40_000i64..40_000).prop_map(|i| i as f64),
            1 => -50.0f64..50.0,
            1 => prop::sample::select(vec![
                0.0, -0.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e15, -1e15, 9.3e18,
                -9_223_372_036_854_775_808.0, 1e300, 0.5,
            ]),
        ], 1..400)) {
            let (mut a, mut b) = (ValueCounts::default(), ValueCounts::default());
            for &x in &v {
                a.add(x);
                b.add_n(x, 1);
            }
            prop_assert_eq!(&a, &b);
            prop_assert_eq!(a.values(), b.values());
        }
    }

    /// A value added alone lands where `add_n` puts it, at the dense range's edges and for
    /// doubles a cast saturates on (±2⁶³, infinities, NaN) or that are not whole.
    #[test]
    fn a_value_added_alone_counts_as_with_add_n() {
        let two63 = 9_223_372_036_854_775_808.0;
        let edges = [
            two63,
            -two63,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            1e15,
            -1e15,
            1e15 - 1.0,
            0.5,
            -0.0,
            0.0,
            2.0,
            3.0,
            -7.0,
            4096.0,
        ];
        for start in [
            [0.0, 1.0, 2.0],
            [1e15 - 3.0, 1e15 - 2.0, 1e15 - 4.0],
            [-5.0, -4.0, -6.0],
        ] {
            for &x in &edges {
                let (mut one, mut n) = (ValueCounts::default(), ValueCounts::default());
                for v in start.into_iter().chain([x, start[1], x]) {
                    one.add(v);
                    n.add_n(v, 1);
                }
                assert_eq!(one, n, "{x} after {start:?}");
            }
        }
    }
}
