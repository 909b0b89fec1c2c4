//! Paired comparisons with the baseline: replication r of a scenario against replication r
//! of the baseline (the same world), censored runs counted at the horizon + 1.

use crate::engine::metrics::{Better, METRICS};
use crate::stats::Moments;

/// One scenario's paired differences from the baseline in one metric: the difference's,
/// both sides' moments and the wins (bounded: it keeps no values).
#[derive(Debug, Clone, Default)]
pub struct Pair {
    pub(super) diff: Moments,
    pub(super) scenario: Moments,
    pub(super) baseline: Moments,
    /// Twice the runs in which the scenario did better, ties counting 1 (half a win).
    pub(super) better_halves: u64,
}

/// Relative size of a difference that counts as a tie in `better_share`: floating-point
/// noise (sums in another order) is no win.
pub const TIE_TOLERANCE: f64 = 1e-9;

/// 2 if the scenario's x beats the baseline's y, 1 for a tie (|x − y| ≤ 1e-9 × the larger
/// magnitude), 0 if it did worse.
#[inline]
pub fn better_halves(x: f64, y: f64, better: Better) -> u64 {
    let d = x - y;
    if d.abs() <= TIE_TOLERANCE * x.abs().max(y.abs()) {
        return 1;
    }
    2 * match better {
        Better::Higher => d > 0.0,
        Better::Lower => d < 0.0,
    } as u64
}

impl Pair {
    /// A scenario's value x against the baseline's y (skipped if either has none).
    #[inline]
    pub fn add(&mut self, x: f64, y: f64, better: Better) {
        if x.is_nan() || y.is_nan() {
            return;
        }
        self.diff.add(x - y);
        self.scenario.add(x);
        self.baseline.add(y);
        self.better_halves += better_halves(x, y, better);
    }
}

/// Censored values count as the horizon + 1 in comparisons (a restricted mean).
#[inline]
pub(super) fn comparable(censored_fill: &[[f64; 2]], s: usize, m: usize, x: f64) -> f64 {
    comparable_value(&censored_fill[s], m, x)
}

/// What a censored completion sprint and release delay count as in a paired comparison of
/// a scenario with `sprints` sprints and its release planned for sprint `planned`.
pub fn censored_fill(sprints: usize, planned: f64) -> [f64; 2] {
    [sprints as f64 + 1.0, sprints as f64 + 1.0 - planned]
}

/// A run's value of metric `m` as paired comparisons count it: a censored value (NaN of a
/// censored metric) is `fill` ([`censored_fill`]), anything else stays as it is.
#[inline]
pub fn comparable_value(fill: &[f64; 2], m: usize, x: f64) -> f64 {
    if x.is_nan() && METRICS[m].censored {
        fill[m.min(1)]
    } else {
        x
    }
}

/// A scenario's paired comparison with the baseline in one metric.
#[derive(Debug, Clone, Copy)]
pub struct PairSummary {
    pub mean_diff: f64,
    pub ci95: (f64, f64),
    pub better_share: f64,
    pub variance_reduction: f64,
    pub n: u64,
}

impl Pair {
    /// A metric's n comparable values paired with themselves (the baseline against
    /// itself): n differences of exactly 0, all ties.
    pub(super) fn itself(n: u64) -> Pair {
        Pair {
            diff: Moments::zeros(n),
            better_halves: n,
            ..Pair::default()
        }
    }

    /// The mean difference with its interval, the share of runs better, the variance
    /// reduction of pairing.
    pub fn summary(&self) -> PairSummary {
        let p = self;
        let vd = p.diff.variance();
        let vr = if vd > 0.0 {
            (p.scenario.variance() + p.baseline.variance()) / vd
        } else {
            f64::NAN
        };
        let (lo, hi) = if p.diff.n >= 2 && p.diff.sd() == 0.0 {
            (p.diff.mean(), p.diff.mean())
        } else {
            p.diff.ci95()
        };
        PairSummary {
            mean_diff: p.diff.mean(),
            ci95: (lo, hi),
            better_share: if p.diff.n > 0 {
                p.better_halves as f64 / (2 * p.diff.n) as f64
            } else {
                f64::NAN
            },
            variance_reduction: vr,
            n: p.diff.n,
        }
    }
}
