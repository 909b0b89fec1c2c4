//! The one accumulator of the program. A comparison (`run`, the live page) keeps per
//! scenario and metric a summary (mean with its t interval and quantiles), per scenario and
//! metric a paired comparison with the baseline, and per scenario, sprint and series a band;
//! an analysis of many variants (sweep, sensitivity, attribute, validate, trace) keeps only
//! the summaries of its chosen metrics, and every value if asked. Fed a batch of
//! replications at a time, in replication order, by [`run_until`] (the one loop, with the
//! sequential precision rule).

mod counter;
mod kernels;
mod paired;
mod sequential;
mod sprint_cell;
pub use counter::Counter;
use kernels::{add_metrics, add_tails, count_whole, counted_whole, Cell};
use paired::comparable;
pub use paired::{
    better_halves, censored_fill, comparable_value, Pair, PairSummary, TIE_TOLERANCE,
};
pub use sequential::{chunk_members, run_until, run_until_prepared, Chunk, Feed, Precision, CHUNK};
use sprint_cell::{Band, SprintCell};

use crate::engine::driver::Replications;
use crate::engine::metrics::{idx, METRICS, N_METRICS, N_SERIES};
use crate::engine::tally::Tally;
use crate::stats::{Moments, ValueCounts};

/// The metrics whose whole distribution the charts draw (`distributions.csv`), in file order.
pub const DISTRIBUTION_METRICS: [usize; 3] = [
    idx::COMPLETION_SPRINT,
    idx::RELEASE_DELAY,
    idx::VALUE_EFFICIENCY,
];

/// Values kept exactly per metric before the sketch compresses them.
pub const METRIC_EXACT_CAP: usize = 16_384;

/// The quantiles written to summary.csv.
pub const SUMMARY_QUANTILES: [f64; 8] = [0.05, 0.10, 0.25, 0.50, 0.75, 0.85, 0.90, 0.95];

/// Each scenario's horizon (sprints) and planned release sprint (0 without one): what
/// [`Aggregate::new`] and [`Aggregate::summaries`] take.
pub fn horizons(scenarios: &[crate::scenario::Scenario]) -> (Vec<usize>, Vec<f64>) {
    let sprints = scenarios
        .iter()
        .map(|s| s.simulation.sprints as usize)
        .collect();
    let planned = scenarios
        .iter()
        .map(|s| s.release.planned_sprint.unwrap_or(0) as f64)
        .collect();
    (sprints, planned)
}

#[derive(Debug, Clone, Copy)]
pub struct MetricSummary {
    pub mean: f64,
    pub sd: f64,
    pub ci95: (f64, f64),
    /// At [`SUMMARY_QUANTILES`]; +∞ where the quantile falls among censored runs.
    pub quantiles: [f64; 8],
    pub n: u64,
    /// Runs with a value (`n` less the censored runs counted at the horizon + 1).
    pub observed: u64,
    pub completed_share: f64,
}

impl MetricSummary {
    /// The quantile at `p`, one of [`SUMMARY_QUANTILES`].
    pub fn quantile(&self, p: f64) -> f64 {
        let at = SUMMARY_QUANTILES
            .iter()
            .position(|&q| q == p)
            .expect("one of SUMMARY_QUANTILES");
        self.quantiles[at]
    }
}

/// Aggregates of a whole comparison, or the summaries of an analysis's variants.
#[derive(Debug, Clone)]
pub struct Aggregate {
    pub baseline: usize,
    /// Whether paired comparisons, per-sprint bands and distributions are kept (a
    /// comparison's whole set: [`Aggregate::new`]) or only each metric's summary
    /// ([`Aggregate::summaries`]).
    full: bool,
    /// Per scenario: the value a censored completion / delay counts as in comparisons.
    censored_fill: Vec<[f64; 2]>,
    sprints: Vec<usize>,
    metrics: Vec<Vec<Cell>>,
    pairs: Vec<Vec<Pair>>,
    series: Vec<Vec<SprintCell>>,
    /// Per scenario, the distribution of each of [`DISTRIBUTION_METRICS`] (for the charts).
    distributions: Vec<[ValueCounts; 3]>,
    /// `tails[s][a * N_SERIES + k]`: series k of the runs whose rows ended before sprint a
    /// (an early stop); each such run counts its after-stop row once here instead of once per
    /// remaining sprint, and the bands add it back for every sprint from a on.
    tails: Vec<Vec<SprintCell>>,
    /// Per scenario: the metrics and series it keeps that its model can give a value.
    metrics_of: Vec<Vec<usize>>,
    series_of: Vec<Vec<usize>>,
    /// Per scenario: the metrics it keeps that its model never gives a value, counted as
    /// runs without one without being looked at.
    absent: Vec<Vec<usize>>,
    /// The metrics summarised (every metric in a comparison's whole set).
    summarised: Vec<usize>,
    /// The metrics whose every value is kept, and `values[s][k][r]`: metric `kept[k]` of
    /// scenario s in replication r (empty when no value is kept).
    kept: Vec<usize>,
    values: Vec<Vec<Vec<f64>>>,
    /// Bands per scenario, computed when first asked for after the last `add`.
    bands: Vec<Vec<Band>>,
    /// Per-sprint counts of the series of small whole values ([`Replications::small_whole`]),
    /// which the bands take when computed; created by the first batch that has any.
    tally: Option<Tally>,
    /// The tails' counts of the same series ([`Aggregate::tails`] takes them when bands are
    /// computed): an after-stop row of small whole values is counted, as the rows are.
    tail_tally: Option<Tally>,
    pub replications: u64,
    /// Whether the precision target of [`run_until`] was met (None: no target).
    pub precision_met: Option<bool>,
}

/// Scenario s's counts in `tally` (if any) moved into its `cells` (sprint j's series k at
/// j · N_SERIES + k), as if added one by one (see `SprintCell::absorb`); the tally is left
/// empty for s.
fn absorb(tally: Option<&mut Tally>, cells: &mut [SprintCell], s: usize) {
    let Some(tally) = tally else { return };
    for (i, &k) in tally.series(s).iter().enumerate() {
        for sprint in 0..tally.sprints(s) {
            cells[sprint * N_SERIES + k].absorb(tally.counts(s, sprint, i));
        }
    }
    tally.clear(s);
}

fn series_cells(sprints: usize) -> Vec<SprintCell> {
    (0..sprints * N_SERIES).map(|_| SprintCell::new()).collect()
}

impl Aggregate {
    /// A comparison's whole set: every metric's summary, the paired comparisons with
    /// `baseline`, the per-sprint bands and the charted distributions. `sprints[s]` and
    /// `planned[s]` are scenario s's horizon and planned release sprint.
    pub fn new(sprints: &[usize], planned: &[f64], baseline: usize) -> Self {
        let n = sprints.len();
        Aggregate {
            full: true,
            pairs: (0..n).map(|_| vec![Pair::default(); N_METRICS]).collect(),
            series: (0..n).map(|s| series_cells(sprints[s])).collect(),
            distributions: vec![Default::default(); n],
            series_of: vec![(0..N_SERIES).collect(); n],
            tails: (0..n).map(|s| series_cells(sprints[s])).collect(),
            ..Self::summaries(sprints, planned, &(0..N_METRICS).collect::<Vec<_>>(), false)
        }
        .with_baseline(baseline)
    }

    /// An analysis's variants: only the summaries of `metrics` (by [`METRICS`] index), and
    /// with `keep_values` every value of them in replication order ([`Aggregate::values`]).
    pub fn summaries(
        sprints: &[usize],
        planned: &[f64],
        metrics: &[usize],
        keep_values: bool,
    ) -> Self {
        let n = sprints.len();
        Aggregate {
            baseline: 0,
            full: false,
            censored_fill: (0..n)
                .map(|s| censored_fill(sprints[s], planned[s]))
                .collect(),
            sprints: sprints.to_vec(),
            metrics: (0..n)
                .map(|_| {
                    (0..N_METRICS)
                        .map(|_| Cell::new(METRIC_EXACT_CAP))
                        .collect()
                })
                .collect(),
            pairs: Vec::new(),
            series: Vec::new(),
            distributions: Vec::new(),
            metrics_of: vec![metrics.to_vec(); n],
            summarised: metrics.to_vec(),
            series_of: vec![Vec::new(); n],
            absent: vec![Vec::new(); n],
            kept: if keep_values {
                metrics.to_vec()
            } else {
                Vec::new()
            },
            values: if keep_values {
                vec![vec![Vec::new(); metrics.len()]; n]
            } else {
                Vec::new()
            },
            tails: Vec::new(),
            bands: vec![Vec::new(); n],
            tally: None,
            tail_tally: None,
            replications: 0,
            precision_met: None,
        }
    }

    fn with_baseline(mut self, baseline: usize) -> Self {
        self.baseline = baseline;
        self
    }

    /// An analysis's summaries ([`Aggregate::summaries`]) that also pair every scenario with
    /// scenario `reference` replication by replication ([`Aggregate::pair`]), streamed: no
    /// value is kept for it. [`run_until`] then simulates the reference last in every
    /// comparison (see [`chunk_members`]).
    pub fn paired_with(mut self, reference: usize) -> Self {
        assert!(!self.full, "a comparison pairs with its baseline already");
        assert!(reference < self.sprints.len());
        self.pairs = (0..self.sprints.len())
            .map(|_| vec![Pair::default(); N_METRICS])
            .collect();
        self.with_baseline(reference)
    }

    /// The scenario an analysis's summaries are paired with ([`Aggregate::paired_with`]).
    pub fn reference(&self) -> Option<usize> {
        (!self.full && !self.pairs.is_empty()).then_some(self.baseline)
    }

    /// Declare that scenario s only ever has values for `metrics` and `series` (its model's:
    /// see [`crate::engine::metrics::THROUGHPUT_METRICS`]); the others are counted as runs
    /// without a value without being looked at. Results are the same, in less time.
    pub fn only(&mut self, s: usize, metrics: &[usize], series: &[usize]) {
        let (has, hasnt) = self.metrics_of[s].iter().partition(|m| metrics.contains(m));
        (self.metrics_of[s], self.absent[s]) = (has, hasnt);
        self.series_of[s].retain(|k| series.contains(k));
    }

    /// The metrics summarised, in the order asked for.
    pub fn summarised(&self) -> &[usize] {
        &self.summarised
    }

    /// The moments of metric m in scenario s (censored runs counted at the horizon + 1).
    pub fn moments(&self, s: usize, m: usize) -> &Moments {
        &self.metrics[s][m].moments
    }

    /// The metrics whose values are kept ([`Aggregate::summaries`] with `keep_values`).
    pub fn kept(&self) -> &[usize] {
        &self.kept
    }

    /// Every kept value: `values()[s][k][r]` is metric `kept()[k]` of scenario s in
    /// replication r (NaN where the run has none).
    pub fn values(&self) -> &[Vec<Vec<f64>>] {
        &self.values
    }

    /// Every value of metric `m` (kept) in scenario s, in replication order.
    pub fn metric_values(&self, s: usize, m: usize) -> &[f64] {
        let k = self
            .kept
            .iter()
            .position(|&x| x == m)
            .expect("a kept metric");
        &self.values[s][k]
    }

    /// Whether every scenario's mean of each of `metrics` is known to `p`'s target.
    pub fn precise(&self, p: &Precision, metrics: &[usize]) -> bool {
        self.metrics
            .iter()
            .all(|cells| metrics.iter().all(|&m| p.met(&cells[m].moments)))
    }

    /// Add a batch of replications, in order, on the thread pool. Rows may end before the
    /// horizon (a run stopped at completion): the remaining sprints then repeat
    /// [`row_after_stop`] of the last row. Every cell takes its values one by one in
    /// replication order, so results do not depend on the thread count or the batching.
    pub fn add_batch(&mut self, batch: &Replications) {
        let members: Vec<usize> = (0..batch.scenario_count()).collect();
        self.add_chunk(
            &Chunk {
                members: &members,
                first: true,
            },
            batch,
        );
    }

    /// [`Aggregate::add_batch`] for a batch whose scenario j is this aggregate's
    /// `chunk.members[j]`: an analysis simulates its variants in comparisons of at most
    /// [`CHUNK`], each covering the same replications (the first one counts them; the
    /// reference of [`Aggregate::paired_with`], simulated in every one, is counted in the
    /// first and paired with in each). Only the summaries of an analysis
    /// ([`Aggregate::summaries`]) take more than one chunk.
    pub fn add_chunk(&mut self, chunk: &Chunk, batch: &Replications) {
        self.add_chunk_counting(chunk, batch, true);
    }

    /// [`Aggregate::add_batch`] but for the counts of a [`Counter`] (the tally's and the
    /// tail tally's), which a counter of this aggregate takes instead, in any order, and
    /// [`Aggregate::merge_counts`] adds: the order-free part of the work, done elsewhere.
    pub fn add_batch_uncounted(&mut self, batch: &Replications) {
        let members: Vec<usize> = (0..batch.scenario_count()).collect();
        let chunk = Chunk {
            members: &members,
            first: true,
        };
        self.add_chunk_counting(&chunk, batch, false);
    }

    /// [`Aggregate::add_chunk`], counting the small whole values in the tallies or not.
    fn add_chunk_counting(&mut self, chunk: &Chunk, batch: &Replications, count: bool) {
        /// Sprints per task: enough work to pay for the task.
        const SPRINTS_PER_TASK: usize = 4;
        let n = self.sprints.len();
        assert_eq!(chunk.members.len(), batch.scenario_count());
        assert!(
            !self.full || (chunk.first && chunk.members.iter().copied().eq(0..n)),
            "a comparison is one batch"
        );
        // Where each of the aggregate's scenarios is in the batch, if it is.
        let mut at = vec![None; n];
        for (j, &s) in chunk.members.iter().enumerate() {
            at[s] = Some(j);
        }
        // Scenarios whose own numbers this batch adds (a reference repeated for its pairs
        // is counted in the first chunk only).
        let counted: Vec<Option<usize>> = (0..n)
            .map(|s| at[s].filter(|_| chunk.first || self.reference() != Some(s)))
            .collect();
        if chunk.first {
            self.replications += batch.len as u64;
        }
        for b in self.bands.iter_mut() {
            b.clear();
        }
        // Per scenario, the series whose values feed the bands one by one; those of small
        // whole values are counted in the tally instead (and their after-stop rows in the
        // tail tally).
        // (A batch that does not say, as the live page's, feeds every value one by one:
        // whole values sum exactly, so the counts and the cells still add up to the same.)
        let whole = counted_whole(
            &self.series_of[..self.series.len()],
            &self.sprints,
            &mut self.tally,
            &mut self.tail_tally,
            batch,
        );
        let uncounted: Vec<Vec<usize>> = (0..self.series.len())
            .map(|s| {
                let mut only = self.series_of[s].clone();
                only.retain(|k| !whole[s].contains(k));
                only
            })
            .collect();
        let (uncounted, whole) = (&uncounted, &whole);
        let Aggregate {
            baseline,
            censored_fill,
            sprints,
            metrics,
            pairs,
            series,
            tails,
            distributions,
            metrics_of,
            series_of,
            absent,
            kept,
            values,
            tally,
            tail_tally,
            ..
        } = self;
        let (baseline, censored_fill, sprints) = (*baseline, &*censored_fill, &*sprints);
        let (metrics_of, series_of, absent, kept) = (&*metrics_of, &*series_of, &*absent, &*kept);
        let (at, counted) = (&at, &counted);
        let mut distributions = distributions.iter_mut();
        let mut values = values.iter_mut();
        rayon::scope(|scope| {
            for (g, cells) in metrics.iter_mut().enumerate() {
                let dists = distributions.next();
                let values = values.next();
                let Some(s) = counted[g] else { continue };
                let (only, fill) = (&metrics_of[g], censored_fill[g]);
                let absent = &absent[g];
                scope.spawn(move |_| {
                    add_metrics(cells, batch, s, only, absent, fill);
                    if let Some(values) = values {
                        for (v, &m) in values.iter_mut().zip(kept) {
                            v.extend((0..batch.len).map(|j| batch.records(j)[s].metrics[m]));
                        }
                    }
                    if let Some(dists) = dists {
                        for (d, &m) in dists.iter_mut().zip(&DISTRIBUTION_METRICS) {
                            if only.contains(&m) {
                                for j in 0..batch.len {
                                    d.add(batch.records(j)[s].metrics[m]);
                                }
                            } else {
                                d.add_n(f64::NAN, batch.len as u64);
                            }
                        }
                    }
                });
            }
            for (s, pairs) in pairs.iter_mut().enumerate() {
                if s == baseline {
                    continue; // Against itself every difference is 0: see `pair`.
                }
                let (Some(i), Some(b)) = (at[s], at[baseline]) else {
                    continue; // Paired in the chunk that holds it.
                };
                // A metric without values in either scenario pairs nothing.
                let both: Vec<usize> = (0..N_METRICS)
                    .filter(|m| metrics_of[s].contains(m) && metrics_of[baseline].contains(m))
                    .collect();
                scope.spawn(move |_| {
                    for j in 0..batch.len {
                        let recs = batch.records(j);
                        for &m in &both {
                            let p = &mut pairs[m];
                            let x = comparable(censored_fill, s, m, recs[i].metrics[m]);
                            let y = comparable(censored_fill, baseline, m, recs[b].metrics[m]);
                            p.add(x, y, METRICS[m].better);
                        }
                    }
                });
            }
            for (s, cells) in series.iter_mut().enumerate() {
                let chunk = SPRINTS_PER_TASK * N_SERIES;
                let only = &uncounted[s];
                if only.is_empty() {
                    continue; // Every series counted (a plain forecast): nothing to feed.
                }
                for (c, cells) in cells.chunks_mut(chunk).enumerate() {
                    let first = c * SPRINTS_PER_TASK;
                    scope.spawn(move |_| {
                        for j in 0..batch.len {
                            let rows = batch.rows(j, s);
                            let rows = &rows[first.min(rows.len())..];
                            let (sprint_cells, _) = cells.as_chunks_mut::<N_SERIES>();
                            for (cells, row) in sprint_cells.iter_mut().zip(rows) {
                                for &k in only {
                                    cells[k].add(row[k]);
                                }
                            }
                        }
                    });
                }
            }
            if let Some(tally) = tally.as_mut().filter(|_| count) {
                scope.spawn(move |_| count_whole(tally, whole, batch));
            }
            let mut tail_parts = tail_tally.as_mut().filter(|_| count).map(|t| t.parts());
            for (s, tail) in tails.iter_mut().enumerate() {
                let horizon = sprints[s];
                // The counted series to the tail tally (when this batch's are counted and
                // the counts are taken here), the others one by one.
                let part = tail_parts.as_mut().and_then(|p| p.next());
                let (counted, only) = match whole[s].is_empty() {
                    false => (part, &uncounted[s]),
                    true => (None, &series_of[s]),
                };
                if counted.is_none() && only.is_empty() {
                    continue; // Every series counted elsewhere.
                }
                scope.spawn(move |_| add_tails(tail, counted, batch, s, horizon, only));
            }
        });
    }

    /// Mean, SD and interval over every run with a value, censored runs of a censored metric
    /// counting at the horizon + 1 (a restricted mean); quantiles with the censored beyond
    /// every value (+∞), by the inverse CDF for integer metrics.
    pub fn summary(&mut self, s: usize, m: usize) -> MetricSummary {
        let cell = &mut self.metrics[s][m];
        let mut quantiles = [f64::NAN; 8];
        for (q, p) in quantiles.iter_mut().zip(SUMMARY_QUANTILES) {
            *q = if METRICS[m].integer {
                cell.sketch.quantile_inverse_cdf(p)
            } else {
                cell.sketch.quantile(p)
            };
        }
        let total = cell.sketch.total() + cell.missing;
        let observed = cell.moments.n - cell.censored;
        MetricSummary {
            mean: cell.moments.mean(),
            sd: cell.moments.sd(),
            ci95: cell.moments.ci95(),
            quantiles,
            n: cell.moments.n,
            observed,
            completed_share: if total > 0 {
                observed as f64 / total as f64
            } else {
                f64::NAN
            },
        }
    }

    /// Scenario s against the baseline in metric m, replication by replication.
    pub fn pair(&self, s: usize, m: usize) -> PairSummary {
        if s == self.baseline {
            Pair::itself(self.metrics[s][m].moments.n).summary()
        } else {
            self.pairs[s][m].summary()
        }
    }

    /// (mean, p10, p50, p90) of one series in one sprint across replications.
    pub fn band(&mut self, s: usize, sprint: usize, series: usize) -> Band {
        if self.bands[s].is_empty() {
            self.bands[s] = self.compute_bands(s);
        }
        self.bands[s][sprint * N_SERIES + series]
    }

    /// Every band of scenario s: a sprint's values plus the after-stop rows of the runs that
    /// had stopped by then.
    fn compute_bands(&mut self, s: usize) -> Vec<Band> {
        // The counted series: the tally's counts so far move into the cells, and those of
        // their after-stop rows into the tails.
        absorb(self.tally.as_mut(), &mut self.series[s], s);
        absorb(self.tail_tally.as_mut(), &mut self.tails[s], s);
        let sprints = self.sprints[s];
        let (cells, tails) = (&self.series[s], &self.tails[s]);
        // The series are independent of one another: in parallel, one a task.
        use rayon::prelude::*;
        let columns: Vec<Vec<Band>> = (0..N_SERIES)
            .into_par_iter()
            .map(|k| {
                let mut stopped = SprintCell::new();
                let mut any = false;
                (0..sprints)
                    .map(|j| {
                        let at = j * N_SERIES + k;
                        let tail = &tails[at];
                        if tail.count() > 0 {
                            stopped.merge(tail);
                            any = true;
                        }
                        if any {
                            let mut cell = cells[at].clone();
                            cell.merge(&stopped);
                            cell.band()
                        } else {
                            cells[at].band()
                        }
                    })
                    .collect()
            })
            .collect();
        let mut out = vec![(f64::NAN, f64::NAN, f64::NAN, f64::NAN); sprints * N_SERIES];
        for (k, column) in columns.into_iter().enumerate() {
            for (j, band) in column.into_iter().enumerate() {
                out[j * N_SERIES + k] = band;
            }
        }
        out
    }

    /// The distribution of `DISTRIBUTION_METRICS[k]` in scenario s.
    pub fn distribution(&self, s: usize, k: usize) -> &ValueCounts {
        &self.distributions[s][k]
    }

    pub fn sprints(&self, s: usize) -> usize {
        self.sprints[s]
    }

    pub fn scenario_count(&self) -> usize {
        self.sprints.len()
    }
}

#[cfg(test)]
mod cell_tests;
#[cfg(test)]
mod tests;
