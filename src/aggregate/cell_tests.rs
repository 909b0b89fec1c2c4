//! Tests of `aggregate`'s metric cells.

use super::*;

/// A cell takes a batch's values as it would one by one: the moments to the bit, NaN as
/// censored (at the fill) or missing, the sketch the same; over batches with NaN anywhere
/// (first, last, in a row, none), values that repeat, and past the sketch's cap.
#[test]
fn a_cell_takes_values_at_once_as_one_by_one() {
    let mut state = 5u64;
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        crate::random::mix(state)
    };
    for censored in [false, true] {
        let fill = 53.0;
        let (mut all, mut one) = (Cell::new(40), Cell::new(40));
        for batch in 0..400 {
            let len = next() as usize % 66;
            let xs: Vec<f64> = (0..len)
                .map(|_| match next() % 8 {
                    0 | 1 => f64::NAN,
                    2 => -0.0,
                    3 => fill,
                    _ => (next() % 30) as f64 * if batch % 2 == 0 { 1.0 } else { 0.25 },
                })
                .collect();
            all.add_all(&xs, censored, fill);
            for &x in &xs {
                if !x.is_nan() {
                    one.moments.add(x);
                } else if censored {
                    one.moments.add(fill);
                    one.censored += 1;
                } else {
                    one.missing += 1;
                }
                if !x.is_nan() || censored {
                    one.sketch.add(x);
                }
            }
            assert_eq!(all.moments.n, one.moments.n);
            assert_eq!(all.moments.mean().to_bits(), one.moments.mean().to_bits());
            assert_eq!(all.moments.sd().to_bits(), one.moments.sd().to_bits());
            assert_eq!((all.missing, all.censored), (one.missing, one.censored));
            assert_eq!(all.sketch.total(), one.sketch.total());
        }
        for p in SUMMARY_QUANTILES {
            let (a, b) = (all.sketch.quantile(p), one.sketch.quantile(p));
            assert_eq!(a.to_bits(), b.to_bits(), "{p}");
        }
    }
}
