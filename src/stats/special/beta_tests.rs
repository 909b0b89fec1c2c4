//! Tests of the incomplete beta function and its quantile: the set-up-once and paired forms
//! give the bits of the plain ones.

use super::*;

/// The quantile as it was written before [`BetaQuantile`]: every term recomputed at
/// each step. The set-up-once version must give the same bits (results per seed).
fn beta_quantile_recomputed(a: f64, b: f64, p: f64) -> f64 {
    let ln_beta = ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b);
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    let mut x = (a / (a + b)).clamp(1e-6, 1.0 - 1e-6);
    for _ in 0..200 {
        let f = beta_i(a, b, x) - p;
        if f.abs() < 1e-14 {
            break;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let density = ((a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln() - ln_beta).exp();
        let mut next = x - f / density;
        if !(next > lo && next < hi && next.is_finite()) {
            next = 0.5 * (lo + hi);
        }
        if (next - x).abs() < 1e-13 {
            x = next;
            break;
        }
        x = next;
    }
    x
}

#[test]
fn set_up_once_quantile_gives_the_same_bits() {
    for (a, b) in [
        (2.0, 5.0),
        (0.5, 0.5),
        (1.5, 1.5),
        (8.0, 2.0),
        (2.0, 3.0),
        (0.3, 4.0),
    ] {
        let q = BetaQuantile::new(a, b);
        for k in 1..500 {
            let p = k as f64 / 500.0 - 1e-3 * (k % 7) as f64;
            assert_eq!(
                q.at(p).to_bits(),
                beta_quantile_recomputed(a, b, p).to_bits(),
                "Beta({a}, {b}) at {p}"
            );
        }
    }
}

/// The continued fraction as it was written before its zero steps were skipped: every
/// Lentz step taken.
fn beta_cf_every_step(a: f64, b: f64, x: f64) -> f64 {
    let tiny = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < tiny {
        d = tiny;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..300 {
        let m = m as f64;
        let m2 = 2.0 * m;
        h *= lentz_step(m * (b - m) * x / ((qam + m2) * (a + m2)), &mut c, &mut d);
        let del = lentz_step(
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
            &mut c,
            &mut d,
        );
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// A whole-number b makes one Lentz step's numerator 0; skipping it (and taking the next
/// step from c = d = 1) gives the same bits (whole and other shapes, both sides of the
/// fraction, x across (0, 1)).
#[test]
fn skipping_the_zero_step_of_the_fraction_gives_the_same_bits() {
    let shapes = [
        0.3, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 7.0, 8.0, 20.0, 299.0, 1e5,
    ];
    let mut skipped = 0;
    for &a in &shapes {
        for &b in &shapes {
            for k in 1..400 {
                let x = k as f64 / 400.0 - 1e-4 * (k % 13) as f64;
                assert_eq!(
                    beta_cf(a, b, x).to_bits(),
                    beta_cf_every_step(a, b, x).to_bits(),
                    "beta_cf({a}, {b}, {x})"
                );
                skipped += (b == b.trunc() && b < 300.0) as u32;
            }
        }
    }
    assert!(skipped > 0);
}

/// The fraction with its first steps' terms set up ([`CfStep::table`], as a
/// [`BetaQuantile`] keeps them) gives the bits of the fraction computing every term at its
/// step: shapes whose fraction ends within the set-up steps and beyond them (large shapes),
/// whole and not, x across (0, 1); and the quantile of Beta(2, 2) (the default ambiguity)
/// gives the bits of the quantile as first written.
#[test]
fn set_up_terms_of_the_fraction_give_the_same_bits() {
    let shapes = [
        0.3, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 5.0, 8.0, 20.0, 299.0, 1e5,
    ];
    let mut beyond = 0;
    for &a in &shapes {
        for &b in &shapes {
            let table = CfStep::table(a, b);
            for k in 1..300 {
                let x = k as f64 / 300.0 - 1e-4 * (k % 13) as f64;
                let want = beta_cf_every_step(a, b, x).to_bits();
                assert_eq!(
                    beta_cf_with(a, b, x, &table).to_bits(),
                    want,
                    "Beta({a}, {b}) at {x}"
                );
                assert_eq!(beta_cf(a, b, x).to_bits(), want, "Beta({a}, {b}) at {x}");
                // Steps past the table: its last term's factor is not yet 1.
                let t = table[CF_STEPS - 1];
                let aa = t.even * x / t.even_den;
                beyond += (aa.abs() > 1e-3) as u32;
            }
        }
    }
    assert!(beyond > 10_000, "{beyond}");
    let q = BetaQuantile::new(2.0, 2.0);
    for k in 0..3000 {
        let p = (k as f64 + 0.5) / 3000.0;
        assert_eq!(
            q.at(p).to_bits(),
            beta_quantile_recomputed(2.0, 2.0, p).to_bits(),
            "Beta(2, 2) at {p}"
        );
    }
}

/// Two quantiles side by side give the bits of one at a time: Newton shapes and closed
/// forms, probabilities inside (0, 1) and at or beyond its ends, pairs whose steps end
/// together or apart.
#[test]
fn quantiles_in_pairs_give_the_bits_of_one_at_a_time() {
    let ps: Vec<f64> = (0..300)
        .map(|k| k as f64 / 299.0 - 1e-3 * (k % 5) as f64)
        .chain([0.0, 1.0, -0.5, 1.5, 1e-300, 1.0 - 1e-16])
        .collect();
    for (a, b) in [
        (2.0, 2.0),
        (2.0, 5.0),
        (0.5, 0.5),
        (8.0, 2.0),
        (1.0, 3.0),
        (3.0, 1.0),
    ] {
        let q = BetaQuantile::new(a, b);
        for (k, &p) in ps.iter().enumerate() {
            let r = ps[(k * 37 + 11) % ps.len()];
            let (x, y) = q.at2(p, r);
            assert_eq!(x.to_bits(), q.at(p).to_bits(), "Beta({a}, {b}) at {p}");
            assert_eq!(y.to_bits(), q.at(r).to_bits(), "Beta({a}, {b}) at {r}");
        }
    }
}

#[test]
fn incomplete_beta_matches_closed_forms() {
    for x in [0.01, 0.2, 0.5, 0.77, 0.99] {
        // I_x(2, 2) = 3x² − 2x³; I_x(1, 3) = 1 − (1 − x)³; I_x(3, 1) = x³.
        assert!((beta_i(2.0, 2.0, x) - (3.0 * x * x - 2.0 * x * x * x)).abs() < 1e-12);
        assert!((beta_i(1.0, 3.0, x) - (1.0 - (1.0 - x).powi(3))).abs() < 1e-12);
        assert!((beta_i(3.0, 1.0, x) - x.powi(3)).abs() < 1e-12);
        // Symmetry: I_x(a, b) = 1 − I_{1−x}(b, a).
        assert!((beta_i(2.5, 0.7, x) - (1.0 - beta_i(0.7, 2.5, 1.0 - x))).abs() < 1e-12);
    }
}

/// The side of the continued fraction: below x = (a + 1) / (a + b + 2) it is taken for
/// I_x(a, b), above it for I_{1−x}(b, a). Just below that point, for a ≫ b, the other
/// side's fraction has not converged in its 299 steps: at a = 10⁵, b = 0.01 and
/// x = 0.99998 (inside [a, a + 1] / (a + b + 2)) it is off by 5e-7, where the right side
/// is within 3e-10 of the exact value (mpmath, 40 digits; the rest is ln Γ's rounding at
/// 10⁵).
#[test]
fn incomplete_beta_takes_the_side_where_its_fraction_converges() {
    let (a, b, x) = (1e5, 0.01, 0.99998);
    assert!(x > a / (a + b + 2.0) && x < (a + 1.0) / (a + b + 2.0));
    let want = 4.966_576_158_963_068e-4;
    assert!(
        (beta_i(a, b, x) / want - 1.0).abs() < 1e-8,
        "{}",
        beta_i(a, b, x)
    );
    // The mirror case sits on the other side of its own switch point.
    assert!((beta_i(b, a, 1.0 - x) - (1.0 - want)).abs() < 1e-12);
}

/// Lentz's guard: a step whose 1 + aa·d and 1 + aa / c cancel to exactly 0 (aa = −1
/// from c = d = 1) puts 1e-300 in their place, so the factor is 1e-300 / 1e-300 = 1 and
/// the ratios stay finite, not 0 · ∞.
#[test]
fn a_lentz_step_that_cancels_to_zero_stays_finite() {
    let (mut c, mut d) = (1.0, 1.0);
    let f = lentz_step(-1.0, &mut c, &mut d);
    assert_eq!(c, 1e-300);
    assert_eq!(d, 1.0 / 1e-300);
    assert!((f - 1.0).abs() < 1e-15, "{f}");
    // An ordinary step: d = 1 / (1 + ½·1), c = 1 + ½ / 1.
    let (mut c, mut d) = (1.0, 1.0);
    assert!((lentz_step(0.5, &mut c, &mut d) - 1.0).abs() < 1e-15);
    assert_eq!((c, d), (1.5, 1.0 / 1.5));
}

#[test]
fn beta_quantile_inverts_the_cdf() {
    for (a, b) in [
        (2.0, 5.0),
        (0.5, 0.5),
        (1.5, 1.5),
        (8.0, 2.0),
        (1.0, 4.0),
        (3.0, 1.0),
    ] {
        for p in [1e-6, 0.01, 0.3, 0.5, 0.9, 0.999] {
            let x = beta_quantile(a, b, p);
            assert!((0.0..=1.0).contains(&x));
            assert!(
                (beta_i(a, b, x) - p).abs() < 1e-9,
                "Beta({a}, {b}) at {p}: {x}"
            );
        }
    }
    for p in [0.0, 0.123, 0.5, 0.999] {
        assert_eq!(beta_quantile(1.0, 1.0, p).to_bits(), p.to_bits());
    }
}

/// At its switch point x = (a + 1) / (a + b + 2) exactly, the incomplete beta takes the
/// upper side, 1 − I_{1−x}(b, a): the two sides differ there in their last bits, and Beta(2,
/// 2)'s quantile (the default ambiguity) starts its Newton steps at that very point, its
/// mean 1/2 (results per seed).
#[test]
fn incomplete_beta_at_its_switch_point_takes_the_upper_side() {
    let mut differ = 0;
    for (a, b) in [
        (2.0, 2.0),
        (1.0, 1.0),
        (2.0, 4.0),
        (3.0, 3.0),
        (4.0, 2.0),
        (6.0, 2.0),
    ] {
        let x: f64 = (a + 1.0) / (a + b + 2.0);
        let c = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b);
        let front = (c + a * x.ln() + b * (1.0 - x).ln()).exp();
        let upper = 1.0 - front * beta_cf(b, a, 1.0 - x) / b;
        let lower = front * beta_cf(a, b, x) / a;
        assert_eq!(
            beta_i(a, b, x).to_bits(),
            upper.to_bits(),
            "Beta({a}, {b}) at {x}"
        );
        differ += (lower.to_bits() != upper.to_bits()) as u32;
    }
    assert!(differ > 0, "the sides differ in their bits somewhere");
}
