//! The metric cells of an aggregate and the kernels that feed a batch to its cells and
//! tallies: one metric at a time into the cells ([`add_metrics`]), the small whole values
//! of the series into the tally ([`count_whole`]), and the after-stop rows into the tails
//! ([`add_tails`]).

use super::sprint_cell::SprintCell;
use crate::engine::driver::Replications;
use crate::engine::metrics::{row_after_stop, METRICS, N_METRICS, N_SERIES, SMALL_ROW_SERIES};
use crate::engine::tally::{Tally, TallyPart};
use crate::stats::{Moments, QuantileSketch};

#[derive(Debug, Clone)]
pub(super) struct Cell {
    /// Every run with a value; for a censored metric also the censored runs, each at the
    /// horizon + 1 (a restricted mean).
    pub(super) moments: Moments,
    pub(super) sketch: QuantileSketch,
    /// Runs without a value for a metric that is not censored.
    pub(super) missing: u64,
    /// Runs of a censored metric that did not finish within the horizon.
    pub(super) censored: u64,
}

impl Cell {
    pub(super) fn new(cap: usize) -> Self {
        Cell {
            moments: Moments::default(),
            // A metric's sketch takes a value per run: past the cap, fractional values
            // repeat, and their log buckets are remembered.
            sketch: QuantileSketch::new(cap).with_bucket_cache(),
            missing: 0,
            censored: 0,
        }
    }

    /// Add runs' values, in order. NaN is "did not finish" for a censored metric: it counts
    /// at `fill` (the horizon + 1) in the mean and beyond every value in the quantiles. For
    /// other metrics NaN is "no value": left out, counted only in `completed_share`.
    pub(super) fn add_all(&mut self, xs: &[f64], censored: bool, fill: f64) {
        let mut rest = xs;
        loop {
            // The values up to a NaN, then the NaN.
            let taken = self.moments.add_until_nan(rest);
            let Some(rest_after) = rest.get(taken + 1..) else {
                break;
            };
            if censored {
                self.moments.add(fill);
                self.censored += 1;
            } else {
                self.missing += 1;
            }
            rest = rest_after;
        }
        // The sketch takes the same values but a missing one (NaN of a metric that is not
        // censored).
        self.sketch.add_all(xs, !censored);
    }
}

/// Scenario s's metric cells take the batch's values: those of `only` (its model's), metric
/// by metric, each cell its values in replication order; those of `absent` count the runs
/// as without a value.
#[inline(never)]
pub(super) fn add_metrics(
    cells: &mut [Cell],
    batch: &Replications,
    s: usize,
    only: &[usize],
    absent: &[usize],
    fill: [f64; 2],
) {
    for &m in absent {
        debug_assert!(!METRICS[m].censored);
        cells[m].missing += batch.len as u64;
    }
    // Up to this many runs at a time (their records looked up once), metric by metric: a
    // metric's values, which its cell takes in replication order.
    const RUNS: usize = 64;
    assert!(only.len() <= N_METRICS, "a metric given twice");
    // The values of `only`'s metrics, one after the other (written, not zeroed first).
    let mut xs: Vec<f64> = Vec::with_capacity(only.len() * RUNS);
    let mut moments = [Moments::default(); N_METRICS];
    for first in (0..batch.len).step_by(RUNS) {
        let mut records = [&batch.records(first)[s]; RUNS];
        let records = &mut records[..(batch.len - first).min(RUNS)];
        for (j, r) in (first..).zip(records.iter_mut()) {
            *r = &batch.records(j)[s];
        }
        let len = records.len();
        xs.clear();
        for &m in only {
            xs.extend(records.iter().map(|r| r.metrics[m]));
        }
        let mut views: [&[f64]; N_METRICS] = [&[]; N_METRICS];
        for (v, xs) in views.iter_mut().zip(xs.chunks_exact(len)) {
            *v = xs;
        }
        let views = &views[..only.len()];
        // Without a NaN (the usual case), the metrics' means and variances together (their
        // divisions overlap), then each sketch: the same as cell by cell.
        let moments = &mut moments[..only.len()];
        for (mo, &m) in moments.iter_mut().zip(only) {
            *mo = cells[m].moments;
        }
        if Moments::add_interleaved(moments, views) {
            for ((mo, &m), xs) in moments.iter().zip(only).zip(views) {
                let cell = &mut cells[m];
                cell.moments = *mo;
                cell.sketch.add_all(xs, !METRICS[m].censored);
            }
            continue;
        }
        for (&m, xs) in only.iter().zip(views) {
            let (cell, censored, fill) = (&mut cells[m], METRICS[m].censored, fill[m.min(1)]);
            cell.add_all(xs, censored, fill);
        }
    }
}

/// The tally counts the rows of the scenarios with series of small whole values (`whole[s]`,
/// all of the tally's or none).
#[inline(never)]
pub(super) fn count_whole(tally: &mut Tally, whole: &[Vec<usize>], batch: &Replications) {
    for (s, whole) in whole.iter().enumerate() {
        if batch.has_small_rows() && whole[..] == SMALL_ROW_SERIES {
            // The batch's small rows, read as they are (not made into doubles).
            tally.add_small_runs(s, (0..batch.len).filter_map(|j| batch.small_rows(j, s)));
        } else if !whole.is_empty() {
            tally.add_runs(s, (0..batch.len).map(|j| batch.rows(j, s)));
        }
    }
}

/// Per scenario, the series of `batch` that the tally counts: those the batch says are
/// small whole numbers (see [`Replications::small_whole`]) among the scenario's
/// `series_of`, all of the tally's or none. The tally (and `tail`, empty alike) is created
/// by the first batch that has any.
pub(super) fn counted_whole(
    series_of: &[Vec<usize>],
    sprints: &[usize],
    tally: &mut Option<Tally>,
    tail: &mut Option<Tally>,
    batch: &Replications,
) -> Vec<Vec<usize>> {
    let mut whole: Vec<Vec<usize>> = series_of
        .iter()
        .enumerate()
        .map(|(s, of)| {
            let mut whole = batch.small_whole(s).to_vec();
            whole.retain(|k| of.contains(k));
            whole
        })
        .collect();
    if tally.is_none() && whole.iter().any(|c| !c.is_empty()) {
        // (Both made empty: a second `Tally::new` instead of a clone copies nothing, and
        // the pages of counts no run reaches are never touched.)
        *tally = Some(Tally::new(&whole, sprints));
        *tail = Some(Tally::new(&whole, sprints));
    }
    if let Some(t) = tally {
        for (s, whole) in whole.iter_mut().enumerate() {
            if whole.as_slice() != t.series(s) {
                whole.clear(); // All or none (the tally counts a scenario's series together).
            }
        }
    }
    whole
}

/// Scenario s's runs that stopped before the horizon add their after-stop row to the tail
/// of the sprint they stopped before: series `only` to its cells one by one, and the
/// tally's series to `counted` if given.
#[inline(never)]
pub(super) fn add_tails(
    tail: &mut [SprintCell],
    mut counted: Option<TallyPart>,
    batch: &Replications,
    s: usize,
    horizon: usize,
    only: &[usize],
) {
    for j in 0..batch.len {
        let a = batch.written(j, s);
        if let Some(last) = (a < horizon).then(|| batch.last_row(j, s)).flatten() {
            let row = row_after_stop(&last);
            if let Some(c) = counted.as_mut() {
                c.add_at(a, &row);
            }
            let cells = &mut tail[a * N_SERIES..(a + 1) * N_SERIES];
            for &k in only {
                cells[k].add(row[k]);
            }
        }
    }
}
