//! Tests of the sketch's loops at the integer store's bounds.

use super::*;

/// Integers at the edge of what the integer store keeps (magnitudes up to 9e15, and just
/// past it), around the ends of its range, and doubles that are not integers (or that a
/// cast saturates on: ±2⁶³, infinities, NaN) go where they would one by one.
#[test]
fn values_at_the_integer_stores_bounds_go_where_they_would_one_by_one() {
    const E: f64 = 9e15;
    let edges = [
        E - 3.0,
        E - 2.0,
        E - 1.0,
        E,
        E + 1.0,
        E - 1.5,
        -E + 1.0,
        -E + 2.0,
        -E,
        -E - 1.0,
        9_223_372_036_854_775_808.0,
        -9_223_372_036_854_775_808.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        1e-300,
        -0.0,
        0.0,
        1.0,
        -1.0,
    ];
    // The store's range near +9e15, near -9e15 or near 0, reached past a cap of 3.
    for start in [
        [E - 3.0, E - 2.0, E - 1.0],
        [-E + 2.0, -E + 1.0, -E + 3.0],
        [0.0, 1.0, 2.0],
    ] {
        for &x in &edges {
            for skip_nan in [false, true] {
                let (mut one, mut all) = (QuantileSketch::new(3), QuantileSketch::new(3));
                let mut xs = start.to_vec();
                xs.extend([start[0], x, start[1], x, start[2]]);
                for &v in &xs {
                    if !(skip_nan && v.is_nan()) {
                        one.add(v);
                    }
                }
                all.add_all(&xs, skip_nan);
                let kind = |s: &QuantileSketch| match &s.store {
                    Store::Exact(_) => 0,
                    Store::Integers { base, counts } => {
                        assert!(counts.iter().sum::<u64>() > 0);
                        1 + (*base as f64 == start[0].min(start[1]).min(start[2])) as u8
                    }
                    Store::Log(_) => 3,
                };
                assert_eq!(kind(&one), kind(&all), "{x} after {start:?}");
                assert_eq!(one.total(), all.total(), "{x} after {start:?}");
                for p in [0.0, 0.2, 0.5, 0.8, 1.0] {
                    let (a, b) = (one.quantile(p), all.quantile(p));
                    assert_eq!(a.to_bits(), b.to_bits(), "{x} after {start:?} at {p}");
                }
            }
        }
    }
}

/// `truncated` is `as i64` wherever the integer loop can tell: the same doubles are whole
/// by it (but 2⁶³, beyond any store's range), with the same integer.
#[test]
fn truncation_is_the_cast_where_the_double_is_whole() {
    let two63 = 9_223_372_036_854_775_808.0;
    let mut xs = vec![
        f64::NAN,
        -f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        two63,
        -two63,
        two63 - 1024.0,
        -two63 + 1024.0,
        1e300,
        -1e300,
        9e15,
        -9e15,
        0.0,
        -0.0,
        0.5,
        -0.5,
        1.5,
        -2.5,
        f64::MIN_POSITIVE,
        5e-324,
    ];
    let mut state = 11u64;
    for _ in 0..100_000 {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let bits = crate::random::mix(state);
        xs.push(f64::from_bits(bits));
        xs.push((bits % 20_001) as f64 - 10_000.0);
        xs.push(((bits >> 11) as f64) * [1.0, -1.0][(bits & 1) as usize]);
    }
    for x in xs {
        let (t, c) = (crate::stats::truncated(x), x as i64);
        if x == two63 {
            assert!(t as f64 != x && c as f64 == x);
            continue;
        }
        assert_eq!(t as f64 == x, c as f64 == x, "{x:e}");
        if c as f64 == x {
            assert_eq!(t, c, "{x:e}");
        }
    }
}
