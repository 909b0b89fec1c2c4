//! Running mean and variance (Welford), fed in a fixed order so results are reproducible,
//! and Student t quantiles for 95 % intervals.

/// Welford's step: the mean and the sum of squared deviations after adding x as the n-th
/// value (n counted with x).
#[inline(always)]
fn welford(n: f64, mean: f64, m2: f64, x: f64) -> (f64, f64) {
    let d = x - mean;
    let next = mean + d / n;
    (next, m2 + d * (x - next))
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Moments {
    pub n: u64,
    mean: f64,
    m2: f64,
}

impl Moments {
    #[inline]
    pub fn add(&mut self, x: f64) {
        if x == self.mean {
            // Welford would add exactly 0 to mean and m2: skip the division.
            self.n += 1;
            return;
        }
        self.n += 1;
        (self.mean, self.m2) = welford(self.n as f64, self.mean, self.m2, x);
    }

    /// [`Moments::add`] each of `xs` in order up to the first NaN (left out): how many were
    /// added. The same bits as one by one, with the state in registers and the count also
    /// kept as a double (exact below 2⁵³: no conversion per value).
    #[inline]
    pub fn add_until_nan(&mut self, xs: &[f64]) -> usize {
        if self.n > (1 << 53) - xs.len() as u64 {
            // Counts this large are never reached; value by value all the same.
            let taken = xs.iter().position(|x| x.is_nan()).unwrap_or(xs.len());
            xs[..taken].iter().for_each(|&x| self.add(x));
            return taken;
        }
        let (mut n, mut mean, mut m2) = (self.n as f64, self.mean, self.m2);
        let mut taken = xs.len();
        for (i, &x) in xs.iter().enumerate() {
            if x.is_nan() {
                taken = i;
                break;
            }
            n += 1.0;
            if x == mean {
                continue; // As `add`: no division.
            }
            (mean, m2) = welford(n, mean, m2, x);
        }
        (self.n, self.mean, self.m2) = (self.n + taken as u64, mean, m2);
        taken
    }

    /// [`Moments::add_until_nan`] of `xs[k]` to `moments[k]` for every k, when none of the
    /// values is NaN and all `xs[k]` have the same length (false, and nothing added, if
    /// not): the same bits, the sums fed in turn (value i of each before value i + 1 of
    /// any), so that their divisions overlap instead of each waiting for the one before.
    pub fn add_interleaved(moments: &mut [Moments], xs: &[&[f64]]) -> bool {
        let len = xs.first().map_or(0, |x| x.len());
        let fits = |m: &Moments| m.n <= (1 << 53) - len as u64;
        // (No early exit: the scan for NaN is a few vector instructions a value.)
        let nan = |x: &[f64]| x.iter().fold(false, |nan, v| nan | v.is_nan());
        if moments.len() != xs.len()
            || !moments.iter().all(fits)
            || xs.iter().any(|x| x.len() != len || nan(x))
        {
            return false;
        }
        // Four sums at a time, each as `add_until_nan` keeps it: (n as a double, mean, m2).
        // The last group's missing sums take the first's values, and are not kept.
        const K: usize = 4;
        for (moments, xs) in moments.chunks_mut(K).zip(xs.chunks(K)) {
            let cols: [&[f64]; K] = std::array::from_fn(|k| &xs.get(k).unwrap_or(&xs[0])[..len]);
            let (mut n, mut mean, mut m2) = ([0.0; K], [0.0; K], [0.0; K]);
            for (k, m) in moments.iter().enumerate() {
                (n[k], mean[k], m2[k]) = (m.n as f64, m.mean, m.m2);
            }
            // Value i of sum k: indexes, so that the four sums stay in registers.
            #[allow(clippy::needless_range_loop)]
            for i in 0..len {
                for k in 0..K {
                    let x = cols[k][i];
                    n[k] += 1.0;
                    // As `add`, but without a branch: where x is the mean, the sums as
                    // they were (Welford's step would add exactly 0; its result is dropped).
                    let (next_mean, next_m2) = welford(n[k], mean[k], m2[k], x);
                    let same = x == mean[k];
                    mean[k] = if same { mean[k] } else { next_mean };
                    m2[k] = if same { m2[k] } else { next_m2 };
                }
            }
            for (k, m) in moments.iter_mut().enumerate() {
                (m.n, m.mean, m.m2) = (m.n + len as u64, mean[k], m2[k]);
            }
        }
        true
    }

    /// n values that are all 0.
    pub fn zeros(n: u64) -> Moments {
        Moments {
            n,
            mean: 0.0,
            m2: 0.0,
        }
    }

    /// Add everything `other` holds (Chan et al.'s parallel update).
    pub fn merge(&mut self, other: &Moments) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let n = self.n + other.n;
        let d = other.mean - self.mean;
        self.mean += d * (other.n as f64 / n as f64);
        self.m2 += other.m2 + d * d * (self.n as f64 * other.n as f64 / n as f64);
        self.n = n;
    }

    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.mean
        }
    }

    /// Sample variance (n − 1).
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            f64::NAN
        } else {
            (self.m2 / (self.n - 1) as f64).max(0.0)
        }
    }

    pub fn sd(&self) -> f64 {
        self.variance().sqrt()
    }

    /// 95 % t confidence interval of the mean (the mean itself when the SD is 0).
    pub fn ci95(&self) -> (f64, f64) {
        if self.n < 2 {
            return (f64::NAN, f64::NAN);
        }
        let half = t_quantile_975(self.n - 1) * self.sd() / (self.n as f64).sqrt();
        (self.mean - half, self.mean + half)
    }

    pub fn half_width(&self) -> f64 {
        let (lo, hi) = self.ci95();
        (hi - lo) / 2.0
    }
}

/// The 97.5 % quantile of Student's t with `df` degrees of freedom.
pub fn t_quantile_975(df: u64) -> f64 {
    const SMALL: [f64; 11] = [
        f64::NAN,
        12.706204736,
        4.302652730,
        3.182446305,
        2.776445105,
        2.570581836,
        2.446911851,
        2.364624252,
        2.306004135,
        2.262157163,
        2.228138852,
    ];
    if df == 0 {
        return f64::NAN;
    }
    if (df as usize) < SMALL.len() {
        return SMALL[df as usize];
    }
    // Cornish–Fisher expansion around the normal quantile; error < 1e-4 for df > 10.
    let z: f64 = 1.959963984540054;
    let v = df as f64;
    let z3 = z.powi(3);
    let z5 = z.powi(5);
    let z7 = z.powi(7);
    let z9 = z.powi(9);
    z + (z3 + z) / (4.0 * v)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * v * v)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * v.powi(3))
        + (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / (92160.0 * v.powi(4))
}

#[cfg(test)]
mod tests {
    #[test]
    fn merged_moments_equal_sequential_ones() {
        let xs: Vec<f64> = (0..1000).map(|i| ((i * 37) % 101) as f64 * 0.3).collect();
        let mut one = Moments::default();
        let (mut a, mut b) = (Moments::default(), Moments::default());
        for (i, &x) in xs.iter().enumerate() {
            one.add(x);
            if i < 300 {
                a.add(x)
            } else {
                b.add(x)
            }
        }
        a.merge(&b);
        assert_eq!(a.n, one.n);
        assert!((a.mean() - one.mean()).abs() < 1e-12);
        assert!((a.variance() - one.variance()).abs() < 1e-9);
    }

    #[test]
    fn interleaved_sums_equal_each_fed_alone() {
        // Bit by bit against add_until_nan, sum by sum: repeated means, signed zeros,
        // infinities, a state already holding values, and more sums than a group holds.
        let mut state = 11u64;
        let mut next = || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            crate::random::mix(state)
        };
        let special = [
            0.0,
            -0.0,
            1.5,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e300,
            -2.0,
        ];
        for k in [1, 3, 8, 25, 40] {
            for len in [0, 1, 7, 64] {
                let xs: Vec<Vec<f64>> = (0..k)
                    .map(|_| {
                        (0..len)
                            .map(|_| match next() % 4 {
                                0 => special[next() as usize % special.len()],
                                1 => (next() % 5) as f64,
                                _ => f64::from_bits(next() >> 2) * 1e-200,
                            })
                            .collect()
                    })
                    .collect();
                let mut start: Vec<Moments> = (0..k).map(|_| Moments::default()).collect();
                for (i, m) in start.iter_mut().enumerate() {
                    (0..i % 3).for_each(|j| m.add(j as f64 * 0.5));
                }
                let mut want = start.clone();
                for (m, xs) in want.iter_mut().zip(&xs) {
                    assert_eq!(m.add_until_nan(xs), xs.len());
                }
                let mut got = start.clone();
                let views: Vec<&[f64]> = xs.iter().map(|x| x.as_slice()).collect();
                assert!(Moments::add_interleaved(&mut got, &views));
                for (g, w) in got.iter().zip(&want) {
                    assert_eq!(g.n, w.n);
                    assert_eq!(g.mean.to_bits(), w.mean.to_bits(), "{k} {len}");
                    assert_eq!(g.m2.to_bits(), w.m2.to_bits(), "{k} {len}");
                }
                // A NaN anywhere, or lengths that differ: false, and nothing added.
                if len > 0 && k > 1 {
                    let mut with_nan = xs.clone();
                    with_nan[k / 2][len / 2] = f64::NAN;
                    let views: Vec<&[f64]> = with_nan.iter().map(|x| x.as_slice()).collect();
                    let mut got = start.clone();
                    assert!(!Moments::add_interleaved(&mut got, &views));
                    assert_eq!(got, start);
                    let mut views: Vec<&[f64]> = xs.iter().map(|x| x.as_slice()).collect();
                    views[k - 1] = &views[k - 1][1..];
                    assert!(!Moments::add_interleaved(&mut got, &views));
                    assert_eq!(got, start);
                }
            }
        }
    }

    #[test]
    fn repeated_means_skip_nothing() {
        // The shortcut for a value equal to the mean gives Welford's exact bits.
        let mut m = Moments::default();
        for x in [0.0, -0.0, 0.0, 3.0, 1.5, 1.5, 2.0] {
            m.add(x);
        }
        let (mut n, mut mean, mut m2) = (0u64, 0.0f64, 0.0f64);
        for x in [0.0f64, -0.0, 0.0, 3.0, 1.5, 1.5, 2.0] {
            n += 1;
            let d = x - mean;
            mean += d / n as f64;
            m2 += d * (x - mean);
        }
        assert_eq!(m.mean().to_bits(), mean.to_bits());
        assert_eq!(m.variance().to_bits(), (m2 / (n - 1) as f64).to_bits());
    }

    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        for (df, t) in [
            (5, 2.570582),
            (10, 2.228139),
            (30, 2.042272),
            (100, 1.983972),
            (1000, 1.962339),
        ] {
            assert!(
                (t_quantile_975(df) - t).abs() < 1e-4,
                "df {df}: {}",
                t_quantile_975(df)
            );
        }
    }

    #[test]
    fn moments_of_a_small_sample() {
        let mut m = Moments::default();
        for x in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
            m.add(x);
        }
        assert!((m.mean() - 5.0).abs() < 1e-12);
        assert!((m.variance() - 32.0 / 7.0).abs() < 1e-12);
    }

    /// The interval of a hand-computed sample: 1, 2, 3 has mean 2, sd 1 and n − 1 = 2
    /// degrees of freedom, so the half-width is t(0.975, 2) / √3 = 4.302653 / 1.732051.
    #[test]
    fn interval_of_a_small_sample_uses_n_minus_one_degrees() {
        let mut m = Moments::default();
        for x in [1.0, 2.0, 3.0] {
            m.add(x);
        }
        let half = 4.302652730 / 3f64.sqrt();
        let (lo, hi) = m.ci95();
        assert!((lo - (2.0 - half)).abs() < 1e-9 && (hi - (2.0 + half)).abs() < 1e-9);
        assert!((m.half_width() - half).abs() < 1e-9, "{}", m.half_width());
        assert!((m.sd() - 1.0).abs() < 1e-12);
        // Fewer than two values have no interval; a constant sample a zero-width one.
        let one = Moments {
            n: 1,
            mean: 5.0,
            m2: 0.0,
        };
        assert!(one.ci95().0.is_nan() && one.half_width().is_nan());
        // Two values have one: 1, 3 has sd √2, so the half-width is t(0.975, 1) = 12.706205.
        let mut two = Moments::default();
        two.add(1.0);
        two.add(3.0);
        let (lo, hi) = two.ci95();
        assert!(
            (lo - (2.0 - 12.706204736)).abs() < 1e-9 && (hi - (2.0 + 12.706204736)).abs() < 1e-9
        );
        assert_eq!(Moments::zeros(4).ci95(), (0.0, 0.0));
        assert_eq!(Moments::zeros(4).half_width(), 0.0);
    }

    /// Every entry of the small-df table, and the expansion just past it, against published
    /// values of t(0.975, df).
    #[test]
    fn t_table_and_expansion() {
        let published = [
            12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004,
            2.262157, 2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.131450,
        ];
        for (i, t) in published.iter().enumerate() {
            let df = i as u64 + 1;
            assert!(
                (t_quantile_975(df) - t).abs() < 1e-5,
                "df {df}: {}",
                t_quantile_975(df)
            );
        }
        assert!(t_quantile_975(0).is_nan());
    }

    /// The expansion's error is of order v⁻⁵ (its last term is the v⁻⁴ one): against exact
    /// t(0.975, df) (mpmath, 30 digits: the root of the t CDF through the incomplete beta),
    /// it stays within 6e-6 · (11 / df)⁵ — 4.9e-6 at df 11, 3e-8 at 30, 3e-14 at 480. A
    /// wrong v⁻⁴ coefficient leaves an error shrinking only as v⁻⁴ (1.6e-7 at 30 for
    /// 1920·z³ as 1920 / z³; 1.6e-13 at 480 for 945·z as 945 + z).
    #[test]
    fn expansion_error_shrinks_as_the_fifth_power_of_df() {
        for (df, exact) in [
            (11, 2.200_985_160_091_64),
            (15, 2.131_449_545_559_775_7),
            (20, 2.085_963_447_265_865),
            (30, 2.042_272_456_301_238),
            (60, 2.000_297_822_014_260_5),
            (120, 1.979_930_405_082_441),
            (240, 1.969_897_635_076_692_1),
            (480, 1.964_918_489_838_455),
        ] {
            let err = t_quantile_975(df) - exact;
            let bound = 6e-6 * (11.0 / df as f64).powi(5);
            assert!(
                err.abs() <= bound,
                "df {df}: error {err:e}, bound {bound:e}"
            );
        }
    }

    /// Merging: both sides empty, one side empty, and the pooled variance by hand.
    #[test]
    fn merge_by_hand() {
        let mut a = Moments::default();
        a.merge(&Moments::default());
        assert_eq!(a.n, 0);
        let mut b = Moments::default();
        for x in [1.0, 3.0] {
            b.add(x);
        }
        a.merge(&b);
        assert_eq!(a, b);
        let mut c = Moments::default();
        for x in [5.0, 7.0, 9.0] {
            c.add(x);
        }
        b.merge(&Moments::default());
        b.merge(&c);
        // 1, 3, 5, 7, 9: mean 5, variance 10.
        assert_eq!(b.n, 5);
        assert!((b.mean() - 5.0).abs() < 1e-12 && (b.variance() - 10.0).abs() < 1e-12);
    }

    /// Values added up to a NaN at once are added one by one, to the bit: values that
    /// equal the mean (no division), -0.0 and 0.0, infinities, large and tiny ones, a NaN
    /// anywhere (or none), from a fresh state, a running one, and one of a count near 2⁵³
    /// (value by value).
    #[test]
    fn values_added_up_to_a_nan_are_added_one_by_one() {
        let pool = [
            3.0,
            3.0,
            -0.0,
            0.0,
            0.1,
            1e300,
            -1e-300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            7.25,
            f64::NAN,
            22.0,
            21.0,
            21.0,
            -5.5,
        ];
        let mut state = 11u64;
        let mut next = || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            crate::random::mix(state)
        };
        for case in 0..3000 {
            let len = next() as usize % 70;
            let xs: Vec<f64> = (0..len)
                .map(|_| match next() % 4 {
                    0 => pool[next() as usize % pool.len()],
                    1 => (next() % 50) as f64,
                    _ => f64::from_bits(next()),
                })
                .filter(|x| !x.is_nan() || case % 3 == 0)
                .collect();
            let start = match case % 4 {
                0 => Moments::default(),
                1 => Moments {
                    n: 5,
                    mean: 3.0,
                    m2: 2.5,
                },
                2 => Moments {
                    n: (1 << 53) - 3,
                    mean: 0.5,
                    m2: 1.0,
                },
                _ => Moments {
                    n: 1,
                    mean: -0.0,
                    m2: 0.0,
                },
            };
            let (mut one, mut all) = (start, start);
            let taken = all.add_until_nan(&xs);
            let want = xs.iter().position(|x| x.is_nan()).unwrap_or(xs.len());
            assert_eq!(taken, want, "case {case}");
            for &x in &xs[..want] {
                one.add(x);
            }
            assert_eq!(one.n, all.n, "case {case}");
            assert_eq!(one.mean.to_bits(), all.mean.to_bits(), "case {case}");
            assert_eq!(one.m2.to_bits(), all.m2.to_bits(), "case {case}");
        }
    }
}
