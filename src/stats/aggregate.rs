//! The aggregation of a comparison: per scenario and metric a summary (mean with its t
//! interval and quantiles), per scenario and metric a paired comparison with the baseline,
//! and per scenario, sprint and series a band. Fed one replication at a time, in order.

use super::{Moments, QuantileSketch};
use crate::engine::metrics::{Better, RunRecord, METRICS, N_METRICS, N_SERIES};

/// Values kept exactly per metric before the sketch compresses them.
pub const METRIC_EXACT_CAP: usize = 16_384;
/// The same for per-sprint series (there are many more of them).
const SERIES_EXACT_CAP: usize = 1_024;

/// The quantiles written to summary.csv.
pub const SUMMARY_QUANTILES: [f64; 8] = [0.05, 0.10, 0.25, 0.50, 0.75, 0.85, 0.90, 0.95];

#[derive(Debug, Clone)]
struct Cell {
    moments: Moments,
    sketch: QuantileSketch,
    /// Runs without a value for a metric that is not censored.
    missing: u64,
}

impl Cell {
    fn new(cap: usize) -> Self {
        Cell {
            moments: Moments::default(),
            sketch: QuantileSketch::new(cap),
            missing: 0,
        }
    }

    /// Add a run's value; NaN is censored (beyond every value) for censored metrics, and
    /// "no value" otherwise: left out of the quantiles, counted only in `completed_share`.
    fn add(&mut self, x: f64, censored: bool) {
        if !x.is_nan() {
            self.moments.add(x);
        } else if !censored {
            self.missing += 1;
            return;
        }
        self.sketch.add(x);
    }
}

#[derive(Debug, Clone, Default)]
struct Pair {
    diff: Moments,
    scenario: Moments,
    baseline: Moments,
    better: u64,
}

#[derive(Debug, Clone, Copy)]
pub struct MetricSummary {
    pub mean: f64,
    pub sd: f64,
    pub ci95: (f64, f64),
    /// At [`SUMMARY_QUANTILES`]; +∞ where the quantile falls among censored runs.
    pub quantiles: [f64; 8],
    pub n: u64,
    pub completed_share: f64,
}

#[derive(Debug, Clone, Copy)]
pub struct PairSummary {
    pub mean_diff: f64,
    pub ci95: (f64, f64),
    pub better_share: f64,
    pub variance_reduction: f64,
    pub n: u64,
}

/// Aggregates of a whole comparison.
#[derive(Debug, Clone)]
pub struct Aggregate {
    pub baseline: usize,
    /// Per scenario: the value a censored completion / delay counts as in comparisons.
    censored_fill: Vec<[f64; 2]>,
    sprints: Vec<usize>,
    metrics: Vec<Vec<Cell>>,
    pairs: Vec<Vec<Pair>>,
    series: Vec<Vec<Cell>>,
    pub replications: u64,
}

impl Aggregate {
    /// `sprints[s]` and `planned[s]` are scenario s's horizon and planned release sprint.
    pub fn new(sprints: &[usize], planned: &[f64], baseline: usize) -> Self {
        let n = sprints.len();
        Aggregate {
            baseline,
            censored_fill: (0..n)
                .map(|s| {
                    [
                        sprints[s] as f64 + 1.0,
                        sprints[s] as f64 + 1.0 - planned[s],
                    ]
                })
                .collect(),
            sprints: sprints.to_vec(),
            metrics: (0..n)
                .map(|_| {
                    (0..N_METRICS)
                        .map(|_| Cell::new(METRIC_EXACT_CAP))
                        .collect()
                })
                .collect(),
            pairs: (0..n).map(|_| vec![Pair::default(); N_METRICS]).collect(),
            series: (0..n)
                .map(|s| {
                    (0..sprints[s] * N_SERIES)
                        .map(|_| Cell::new(SERIES_EXACT_CAP))
                        .collect()
                })
                .collect(),
            replications: 0,
        }
    }

    /// Add one replication: a record per scenario and its per-sprint rows.
    pub fn add(&mut self, records: &[RunRecord], series: &[&[[f64; N_SERIES]]]) {
        self.replications += 1;
        for (s, rec) in records.iter().enumerate() {
            for (m, &x) in rec.metrics.iter().enumerate() {
                self.metrics[s][m].add(x, METRICS[m].censored);
            }
            for (sprint, row) in series[s].iter().enumerate().take(self.sprints[s]) {
                for (k, &x) in row.iter().enumerate() {
                    self.series[s][sprint * N_SERIES + k].add(x, false);
                }
            }
        }
        let b = self.baseline;
        for s in 0..records.len() {
            for (m, info) in METRICS.iter().enumerate() {
                let (x, y) = (
                    self.comparable(s, m, records[s].metrics[m]),
                    self.comparable(b, m, records[b].metrics[m]),
                );
                if x.is_nan() || y.is_nan() {
                    continue;
                }
                let p = &mut self.pairs[s][m];
                let d = x - y;
                p.diff.add(d);
                p.scenario.add(x);
                p.baseline.add(y);
                let better = match info.better {
                    Better::Higher => d > 0.0,
                    Better::Lower => d < 0.0,
                };
                p.better += better as u64;
            }
        }
    }

    /// Censored values count as the horizon + 1 in comparisons (a restricted mean).
    fn comparable(&self, s: usize, m: usize, x: f64) -> f64 {
        if x.is_nan() && METRICS[m].censored {
            self.censored_fill[s][m.min(1)]
        } else {
            x
        }
    }

    pub fn summary(&mut self, s: usize, m: usize) -> MetricSummary {
        let cell = &mut self.metrics[s][m];
        let mut quantiles = [f64::NAN; 8];
        for (q, p) in quantiles.iter_mut().zip(SUMMARY_QUANTILES) {
            *q = cell.sketch.quantile(p);
        }
        let total = cell.sketch.total() + cell.missing;
        MetricSummary {
            mean: cell.moments.mean(),
            sd: cell.moments.sd(),
            ci95: cell.moments.ci95(),
            quantiles,
            n: cell.moments.n,
            completed_share: if total > 0 {
                cell.moments.n as f64 / total as f64
            } else {
                f64::NAN
            },
        }
    }

    pub fn pair(&self, s: usize, m: usize) -> PairSummary {
        let p = &self.pairs[s][m];
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
                p.better as f64 / p.diff.n as f64
            } else {
                f64::NAN
            },
            variance_reduction: vr,
            n: p.diff.n,
        }
    }

    /// (mean, p10, p50, p90) of one series in one sprint across replications.
    pub fn band(&mut self, s: usize, sprint: usize, series: usize) -> (f64, f64, f64, f64) {
        let cell = &mut self.series[s][sprint * N_SERIES + series];
        (
            cell.moments.mean(),
            cell.sketch.quantile(0.10),
            cell.sketch.quantile(0.50),
            cell.sketch.quantile(0.90),
        )
    }

    pub fn sprints(&self, s: usize) -> usize {
        self.sprints[s]
    }

    pub fn scenario_count(&self) -> usize {
        self.sprints.len()
    }
}
