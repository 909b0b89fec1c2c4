#[test]
fn digit_count_counts_the_digits() {
    let by_powers = |v: u64| (1..20).take_while(|&n| v >= POW10_U64[n]).count() + 1;
    let mut values = vec![0, 1, 9, u64::MAX, u64::MAX - 1];
    for p in POW10_U64 {
        values.extend([p - 1, p, p + 1, p.saturating_mul(3)]);
    }
    values.extend((0..100_000u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (i % 64)));
    for v in values {
        assert_eq!(digit_count(v), by_powers(v), "{v}");
        assert_eq!(digit_count(v), v.to_string().len(), "{v}");
    }
}

use super::*;

#[test]
fn a_percentage_rounding_to_zero_from_below_prints_without_a_sign() {
    assert_eq!(whole_percentage(-0.4), "0 %");
    assert_eq!(whole_percentage(-0.0), "0 %");
    assert_eq!(whole_percentage(-0.6), "-1 %");
    assert_eq!(whole_percentage(37.2), "37 %");
    assert_eq!(whole_percent(-0.004), "0 %");
    assert_eq!(whole_percent(0.37), "37 %");
    assert_eq!(whole_percent(-0.2), "-20 %");
}

#[test]
fn ticks_have_few_digits_no_trailing_zeros_and_no_minus_zero() {
    for (v, want) in [
        (0.0, "0"),
        (-0.0, "0"),
        (-1e-17, "0"),
        (-0.00001, "0"),
        (0.00001, "0"),
        (0.005, "0.005"),
        (-0.25, "-0.25"),
        (0.1, "0.1"),
        (2.5, "2.5"),
        (12.25, "12.2"),
        // A fourth, third and second decimal where trimming can't hide one too many or
        // too few (each band's own number of decimals).
        (0.001234, "0.0012"),
        (-0.001234, "-0.0012"),
        (0.12345, "0.123"),
        (2.3456, "2.35"),
        (-40.0, "-40"),
        (999.96, "1000"),
        (1500.4, "1500"),
        (-2000.0, "-2000"),
    ] {
        assert_eq!(tick(v), want, "tick({v})");
    }
    assert_eq!(six_decimals(-0.0000001), "0");
    assert_eq!(six_decimals(1.25), "1.25");
    assert_eq!(six_decimals(3.0), "3");
}

#[test]
fn a_share_of_runs_reads_100_or_0_only_when_it_is() {
    assert_eq!(share_of_runs(1.0), "100 %");
    assert_eq!(share_of_runs(0.0), "0 %");
    assert_eq!(share_of_runs(0.674), "67 %");
    assert_eq!(share_of_runs(0.994), "99 %");
    assert_eq!(share_of_runs(0.996), "99.6 %");
    assert_eq!(share_of_runs(0.9996), ">99.9 %");
    assert_eq!(share_of_runs(0.004), "0.4 %");
    assert_eq!(share_of_runs(0.006), "1 %");
    assert_eq!(share_of_runs(0.0004), "<0.1 %");
}

#[test]
fn interval_cells_show_a_narrow_interval_with_significant_digits() {
    // By size when the interval is at least one unit of the last decimal.
    assert_eq!(
        interval_cells(0.744, 0.734, 0.754),
        ["0.74", "0.73", "0.75"]
    );
    assert_eq!(
        interval_cells(14.83, 14.49, 15.17),
        ["14.8", "14.5", "15.2"]
    );
    assert_eq!(interval_cells(123.4, 120.0, 127.0), ["123", "120", "127"]);
    // Narrower: the half-width gets two significant digits below a leading 355 (0.0024,
    // 0.0015), one from there on (0.009).
    assert_eq!(
        interval_cells(-0.0019, -0.0043, 0.0004),
        ["-0.0019", "-0.0043", "0.0004"]
    );
    assert_eq!(
        interval_cells(0.0623, 0.0608, 0.0638),
        ["0.0623", "0.0608", "0.0638"]
    );
    assert_eq!(
        interval_cells(0.744, 0.735, 0.753),
        ["0.744", "0.735", "0.753"]
    );
    // Never more than six decimals; no "-0"; a zero-width interval stays by size.
    assert_eq!(
        interval_cells(1e-9, 0.0, 2e-9),
        ["0.000000", "0.000000", "0.000000"]
    );
    assert_eq!(
        interval_cells(-0.0001, -0.00012, -0.00008),
        ["-0.000100", "-0.000120", "-0.000080"]
    );
    assert_eq!(interval_cells(0.5, 0.5, 0.5), ["0.50", "0.50", "0.50"]);
    // A mean that would read 0 at the size's decimals gets the rule's: the run table showed
    // blurred-roles' value efficiency gap, -0.0038 [-0.0152, 0.0076], as "0.00 [-0.02, 0.01]".
    assert_eq!(
        interval_cells(-0.0038, -0.0152, 0.0076),
        ["-0.004", "-0.015", "0.008"]
    );
    assert_eq!(
        interval_cells(0.0, -0.0152, 0.0076),
        ["0.00", "-0.02", "0.01"]
    );
    assert_eq!(
        interval_cells(-0.04, -0.0552, -0.0248),
        ["-0.04", "-0.06", "-0.02"]
    );
    assert_eq!(
        interval_cells(f64::NAN, f64::NAN, f64::NAN),
        ["–", "–", "–"]
    );
    assert_eq!(
        interval_cells(30.0, 29.0, f64::INFINITY),
        ["30.0", "29.0", ">H"]
    );
}

#[test]
fn four_digits_keep_a_value_apart_from_a_nearby_bound() {
    assert_eq!(four_digits(1.19495), "1.195");
    assert_eq!(four_digits(0.05899), "0.0590");
    assert_eq!(four_digits(-0.02812), "-0.0281");
    assert_eq!(four_digits(12.3456), "12.35");
    assert_eq!(four_digits(f64::NAN), "–");
}

#[test]
fn a_four_digit_interval_reads_value_then_bounds_and_none_without_a_value() {
    assert_eq!(
        four_digit_interval(1.19495, (1.1, 12.3456)).as_deref(),
        Some("1.195 [1.100, 12.35]")
    );
    assert_eq!(four_digit_interval(f64::NAN, (0.0, 1.0)), None);
}

#[test]
fn numbers_are_short_and_plain() {
    assert_eq!(fmt_num(f64::NAN), "");
    assert_eq!(fmt_num(1.0), "1");
    assert_eq!(fmt_num(0.123456789), "0.123457");
    assert_eq!(fmt_num(1234567.0), "1234567");
    assert_eq!(fmt_num(9.9999999), "10");
    assert_eq!(fmt_num(0.5), "0.5");
    assert_eq!(fmt_num(-0.0000001234), "-0.0000001234");
    assert_eq!(fmt_num(-0.0), "0");
    assert_eq!(fmt_num(0.00001), "0.00001");
    assert_eq!(fmt_num(-2.5), "-2.5");
    assert_eq!(fmt_num(999999.5), "1000000");
}

#[test]
fn ties_of_binary_fractions_round_to_even_as_the_exact_formatter() {
    assert_eq!(fmt_num(10.03125), "10.0312");
    assert_eq!(fmt_num(10.09375), "10.0938");
    assert_eq!(fmt_num(-64.15625), "-64.1562");
    assert_eq!(fmt_num(1.0000005), fmt_num_exact(1.0000005));
    // Millions of lead-time-like values (hours over 8, sums of 40 / capacity steps):
    // every tie, near-tie and plain value as the exact formatter writes it.
    let mut checked = 0;
    for denominator in [8.0, 16.0, 32.0, 64.0, 128.0, 1024.0, 3.0, 24.0, 56.0] {
        for k in 0..300_000u64 {
            let x = k as f64 / denominator;
            assert_eq!(fmt_num(x), fmt_num_exact(x), "{x:e}");
            assert_eq!(via_bytes(x), fmt_num_exact(x), "{x:e}");
            checked += 1;
        }
    }
    assert!(checked > 2_500_000);
}

/// [`push_num_bytes`] after some text, as a string (the text checked to stay).
fn via_bytes(x: f64) -> String {
    let mut out = b"a,".to_vec();
    push_num_bytes(&mut out, x);
    assert_eq!(&out[..2], b"a,");
    String::from_utf8(out[2..].to_vec()).unwrap()
}

#[test]
fn the_byte_writer_writes_what_push_num_writes() {
    for x in [
        f64::NAN,
        0.0,
        -0.0,
        1.0,
        -1.0,
        9.0,
        10.0,
        99.0,
        100.0,
        -120.0,
        8999999999999999.0,
        9e15,
        1e300,
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.5,
        -0.05,
        1e-9,
        1e-10,
        123456.5,
        0.000123456789,
        52.375,
        0.838709677,
    ] {
        assert_eq!(via_bytes(x), fmt_num(x), "{x:e}");
    }
    for v in [0, 1, 9, 10, 99, 100, 101, 999, 1000, 12345, u64::MAX] {
        let mut out = b"x".to_vec();
        push_whole_bytes(&mut out, v);
        assert_eq!(out, format!("x{v}").into_bytes());
    }
}

proptest::proptest! {
    #[test]
    fn the_byte_writer_writes_whole_numbers_and_any_double_as_push_num(bits in proptest::num::u64::ANY, v in proptest::num::u64::ANY, w in 0u64..100_000) {
        let x = f64::from_bits(bits);
        proptest::prop_assert_eq!(via_bytes(x), fmt_num(x), "{:e}", x);
        for v in [v, w] {
            let mut out = Vec::new();
            push_whole_bytes(&mut out, v);
            proptest::prop_assert_eq!(out, v.to_string().into_bytes());
            proptest::prop_assert_eq!(via_bytes(v as f64), fmt_num(v as f64));
            proptest::prop_assert_eq!(via_bytes(-(w as f64) / 64.0), fmt_num(-(w as f64) / 64.0));
        }
    }

    /// The fast path writes exactly what the exact formatter writes.
    #[test]
    fn fast_numbers_are_exact(mantissa in -1_000_000_000i64..1_000_000_000, exp in -14i32..14, tweak in -3i64..3) {
        let x = mantissa as f64 * 10f64.powi(exp);
        let x = f64::from_bits((x.to_bits() as i64 + tweak) as u64);
        proptest::prop_assert_eq!(fmt_num(x), fmt_num_exact(x), "{:e}", x);
        proptest::prop_assert_eq!(via_bytes(x), fmt_num_exact(x), "{:e}", x);
    }

    #[test]
    fn fast_halves_are_exact(k in 0u64..10_000_000, decimals in 0usize..8) {
        // Values that sit on (or next to) a tie of the last kept digit.
        let x = (k as f64 + 0.5) / 10f64.powi(decimals as i32);
        for y in [x, x.next_up(), x.next_down(), -x] {
            proptest::prop_assert_eq!(fmt_num(y), fmt_num_exact(y), "{:e}", y);
        proptest::prop_assert_eq!(via_bytes(y), fmt_num_exact(y), "{:e}", y);
        }
    }

    #[test]
    fn fast_binary_fractions_are_exact(k in 0u64..1 << 40, shift in 0i32..40) {
        // Exact products of a power of ten, and exact decimal ties among them.
        let x = k as f64 / 2f64.powi(shift);
        for y in [x, x.next_up(), x.next_down(), -x] {
            proptest::prop_assert_eq!(fmt_num(y), fmt_num_exact(y), "{:e}", y);
        proptest::prop_assert_eq!(via_bytes(y), fmt_num_exact(y), "{:e}", y);
        }
    }

    #[test]
    fn fast_decades_are_exact(e in -12i32..18, ulps in -4i64..4, scale in 0.9f64..1.1) {
        // Around powers of ten, where the magnitude changes.
        for base in [10f64.powi(e), 10f64.powi(e) * scale] {
            let y = f64::from_bits((base.to_bits() as i64 + ulps) as u64);
            proptest::prop_assert_eq!(fmt_num(y), fmt_num_exact(y), "{:e}", y);
        proptest::prop_assert_eq!(via_bytes(y), fmt_num_exact(y), "{:e}", y);
        }
    }
}

#[test]
fn interval_texts_give_the_mean_and_its_bounds_one_precision() {
    // The report read "0.73 (0.715 to 0.745)", "31 (29.8 to 32.2)", "+0.05 (+0.0487 to
    // +0.0513)": the mean lost the trailing zeros its interval keeps.
    assert_eq!(
        interval_texts(0.73, 0.715, 0.745),
        ["0.730", "0.715", "0.745"]
    );
    assert_eq!(interval_texts(31.0, 29.8, 32.2), ["31.0", "29.8", "32.2"]);
    assert_eq!(
        interval_texts(0.05, 0.0487, 0.0513),
        ["0.0500", "0.0487", "0.0513"]
    );
    // One significant digit of the half-width from a leading 355 on (0.0008, 0.7).
    assert_eq!(
        interval_texts(0.0565, 0.0557, 0.0573),
        ["0.0565", "0.0557", "0.0573"]
    );
    assert_eq!(interval_texts(20.4, 19.7, 21.1), ["20.4", "19.7", "21.1"]);
    // Never fewer decimals than the terminal's for the size: 4.31 [3.86, 4.76] there.
    assert_eq!(interval_texts(4.31, 3.86, 4.76), ["4.31", "3.86", "4.76"]);
    // A wide interval: whole numbers, never negative decimals.
    assert_eq!(interval_texts(-74.4, -208.0, 59.1), ["-74", "-208", "59"]);
    // A mean that rounds to zero has no sign; at most six decimals.
    assert_eq!(
        interval_texts(-0.0004, -0.015, 0.008),
        ["0.000", "-0.015", "0.008"]
    );
    assert_eq!(
        interval_texts(1e-9, 0.0, 2e-9),
        ["0.000000", "0.000000", "0.000000"]
    );
    // No width: each number on its own.
    assert_eq!(interval_texts(0.0, 0.0, 0.0), ["0", "0", "0"]);
    assert_eq!(interval_texts(2.5, f64::NAN, f64::NAN)[0], "2.5");
}
