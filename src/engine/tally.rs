//! Per-sprint counts of small whole values.
//!
//! In a plain throughput forecast (a fixed number of items, nothing that adds scope) the
//! backlog and ready-item counts of every sprint, and the velocity when items have a whole
//! size, are whole numbers from 0 to 255; in its plain case ([`throughput::Plain`]) the
//! points committed and done are too. Their per-sprint bands need only how often each
//! value occurs, so the aggregate counts them ([`Tally::add`], about 4 instructions a value)
//! instead of feeding each to its band's cell (about 20). A band's mean, the sum of whole
//! values over the count, is exact either way, and counts add up in any order; the quantiles
//! come from a sketch whose state depends only on the values (see `aggregate`). In `run`
//! the worker that simulated a batch counts it, into counts of its own added up at the end
//! (`aggregate::Counter`, through the driver's `Prepare` hook), outside the in-order delivery.

use super::metrics::{row_after_stop, series, N_SERIES};
use super::throughput;
use crate::model::compiled::Model;
use crate::scenario::ModelKind;

/// Values 0 to this (exclusive) are counted.
pub const SMALL: usize = 256;

/// The series of scenario `m` whose every value is a whole number below [`SMALL`], so that a
/// [`Tally`] can count them (none unless it is a plain throughput forecast).
pub fn counted_series(m: &Model) -> Vec<usize> {
    let s = &m.scenario;
    let items = s.backlog.initial_items as f64;
    // A fixed scope: no range, split, risk or growth, so items never exceed the initial count.
    let plain = s.simulation.model == ModelKind::Throughput
        && m.scope_growth.is_none()
        && throughput::keyed_sources(m).is_empty()
        && items < SMALL as f64;
    if !plain {
        return Vec::new();
    }
    let mut out = Vec::new();
    // A sprint's velocity is the points of the items it finished: at most items × size.
    if throughput::whole_size(m.item_size) && items * m.item_size < SMALL as f64 {
        out.push(series::VELOCITY);
        // In the plain case no item is left part-done at a sprint's end, so the points
        // committed and done are whole too, and at most items × size.
        if throughput::Plain::of(m).is_some() {
            out.extend([series::COMMITTED, series::DONE]);
        }
    }
    out.extend([series::BACKLOG_SIZE, series::READY_ITEMS]);
    out
}

/// The index of a whole value v from 0 to [`SMALL`] (exclusive): v itself. On x86_64, SSE2's
/// truncating conversion (one instruction, which may read v from memory itself), where a
/// cast saturates (five instructions with its NaN and range checks); elsewhere, adding 2⁵²
/// puts a whole v below 2⁵² in the low bits of the sum's mantissa, exactly. The mask spares
/// a bounds check: any other value gives some index below [`SMALL`].
#[inline(always)]
pub fn small_index(v: f64) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_cvttsd_si32, _mm_set_sd};
        // SAFETY: SSE2 is part of x86_64's baseline (every x86_64 processor has it), and
        // the conversion reads and writes nothing but its registers.
        (unsafe { _mm_cvttsd_si32(_mm_set_sd(v)) } as usize) & (SMALL - 1)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        const TWO_52: f64 = 4_503_599_627_370_496.0;
        (v + TWO_52).to_bits() as usize & (SMALL - 1)
    }
}

/// One scenario's counts of a [`Tally`] ([`Tally::parts`]).
#[derive(Debug)]
pub struct TallyPart<'a> {
    series: &'a [usize],
    counts: &'a mut [[u64; SMALL]],
}

impl TallyPart<'_> {
    /// Count one row as sprint `sprint`'s.
    #[inline]
    pub fn add_at(&mut self, sprint: usize, row: &[f64; N_SERIES]) {
        let k = self.series.len();
        let cells = &mut self.counts[sprint * k..(sprint + 1) * k];
        match (self.series, cells) {
            // The plain case, unrolled (as in `Tally::add`).
            (&[a, b, c, d, e], [ca, cb, cc, cd, ce]) => {
                count(ca, row[a]);
                count(cb, row[b]);
                count(cc, row[c]);
                count(cd, row[d]);
                count(ce, row[e]);
            }
            (series, cells) => {
                for (cell, &x) in cells.iter_mut().zip(series) {
                    count(cell, row[x]);
                }
            }
        }
    }
}

impl TallyPart<'_> {
    /// Count the row after a stop of a run whose last row, of sprint `sprint - 1`, is `last`
    /// (its after-stop row counts as sprint `sprint`'s): as [`TallyPart::add_at`] of
    /// [`row_after_stop`]`(last)`. In the plain case the flows (velocity, points committed
    /// and done: whole numbers, never NaN) count at 0 without building the row.
    #[inline]
    pub fn add_after_stop(&mut self, sprint: usize, last: &[f64; N_SERIES]) {
        use series::{BACKLOG_SIZE as B, COMMITTED as C, DONE as D, READY_ITEMS as R};
        let k = self.series.len();
        let cells = &mut self.counts[sprint * k..(sprint + 1) * k];
        match (self.series, cells) {
            (&[series::VELOCITY, C, D, B, R], [cv, cc, cd, cb, cr]) => {
                debug_assert!(!(last[series::VELOCITY].is_nan() || last[C].is_nan()));
                debug_assert!(!last[D].is_nan());
                cv[0] += 1;
                cc[0] += 1;
                cd[0] += 1;
                count(cb, last[B]);
                count(cr, last[R]);
            }
            _ => self.add_at(sprint, &row_after_stop(last)),
        }
    }
}

/// Count one value (whole and below [`SMALL`] by construction: see [`counted_series`]).
#[inline(always)]
fn count(cell: &mut [u64; SMALL], v: f64) {
    debug_assert!(v as usize as f64 == v && (v as usize) < SMALL, "{v}");
    cell[small_index(v)] += 1;
}

/// Count the rows of `runs` in `counts`, K series a sprint: series `at[i]` of sprint j in
/// `counts[j * K + i]`. (Inlined with constant places, a value costs three instructions.)
#[inline(always)]
fn count_rows<'r, const K: usize>(
    counts: &mut [[u64; SMALL]],
    runs: impl Iterator<Item = &'r [[f64; N_SERIES]]>,
    at: [usize; K],
) {
    let (counts, _) = counts.as_chunks_mut::<K>();
    for rows in runs {
        for (row, cells) in rows.iter().zip(counts.iter_mut()) {
            for (cell, &k) in cells.iter_mut().zip(&at) {
                count(cell, row[k]);
            }
        }
    }
}

/// Counts of the [`counted_series`] of each scenario, per sprint and value.
#[derive(Debug, Clone)]
pub struct Tally {
    /// Per scenario: the series counted (see [`counted_series`]).
    series: Vec<Vec<usize>>,
    /// Per scenario: `counts[s][sprint * series[s].len() + i][v]`, the runs whose series
    /// `series[s][i]` was v in that sprint.
    counts: Vec<Vec<[u64; SMALL]>>,
}

impl Tally {
    /// Empty counts for scenarios with `series[s]` counted over `sprints[s]` sprints.
    pub fn new(series: &[Vec<usize>], sprints: &[usize]) -> Tally {
        Tally {
            counts: series
                .iter()
                .zip(sprints)
                .map(|(k, &n)| vec![[0; SMALL]; n * k.len()])
                .collect(),
            series: series.to_vec(),
        }
    }

    /// Count the rows one run of scenario s wrote (sprint j in `rows[j]`).
    #[inline]
    pub fn add(&mut self, s: usize, rows: &[[f64; N_SERIES]]) {
        self.add_runs(s, std::iter::once(rows));
    }

    /// Count the rows of each of these runs of scenario s, as [`Tally::add`] one by one
    /// (the series told apart once for all of them).
    #[inline]
    pub fn add_runs<'r>(&mut self, s: usize, runs: impl Iterator<Item = &'r [[f64; N_SERIES]]>) {
        let (series, counts) = (self.series[s].as_slice(), &mut self.counts[s]);
        use series::VELOCITY as V;
        use series::{BACKLOG_SIZE as B, COMMITTED as C, DONE as D, READY_ITEMS as R};
        match *series {
            // The usual case: velocity, backlog and ready items, their places in a row known
            // (its values are read at fixed offsets).
            [V, B, R] => count_rows(counts, runs, [V, B, R]),
            [a, b, c] => count_rows(counts, runs, [a, b, c]),
            // The plain case: the model's five series.
            [V, C, D, B, R] => count_rows(counts, runs, [V, C, D, B, R]),
            [a, b, c, d, e] => count_rows(counts, runs, [a, b, c, d, e]),
            _ => {
                let k = series.len().max(1);
                for rows in runs {
                    for (row, cells) in rows.iter().zip(counts.chunks_exact_mut(k)) {
                        for (cell, &x) in cells.iter_mut().zip(series) {
                            count(cell, row[x]);
                        }
                    }
                }
            }
        }
    }

    /// Count one row of scenario s as sprint `sprint`'s (an after-stop row: see
    /// `aggregate`'s tails).
    #[inline]
    pub fn add_at(&mut self, s: usize, sprint: usize, row: &[f64; N_SERIES]) {
        TallyPart {
            series: &self.series[s],
            counts: &mut self.counts[s],
        }
        .add_at(sprint, row);
    }

    /// Each scenario's counts apart (to count them on different threads).
    pub fn parts(&mut self) -> impl Iterator<Item = TallyPart<'_>> {
        self.series
            .iter()
            .zip(self.counts.iter_mut())
            .map(|(series, counts)| TallyPart { series, counts })
    }

    /// Add `other`'s counts (of the same scenarios).
    pub fn merge(&mut self, other: &Tally) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            for (x, y) in a.iter_mut().flatten().zip(b.iter().flatten()) {
                *x += y;
            }
        }
    }

    /// Forget scenario s's counts (they have moved elsewhere).
    pub fn clear(&mut self, s: usize) {
        for c in self.counts[s].iter_mut() {
            c.fill(0);
        }
    }

    /// The series counted for scenario s.
    pub fn series(&self, s: usize) -> &[usize] {
        &self.series[s]
    }

    /// How many runs had value v (the index) in series `self.series(s)[i]` in `sprint`.
    pub fn counts(&self, s: usize, sprint: usize, i: usize) -> &[u64] {
        &self.counts[s][sprint * self.series[s].len() + i]
    }

    /// Sprints counted for scenario s.
    pub fn sprints(&self, s: usize) -> usize {
        match self.series[s].len() {
            0 => 0,
            k => self.counts[s].len() / k,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load::load_scenario;

    #[test]
    fn only_a_plain_forecast_of_fewer_than_256_items_has_small_whole_series() {
        let counted = |f: &dyn Fn(&mut crate::scenario::Scenario)| {
            let mut s = load_scenario("forecast").unwrap();
            f(&mut s);
            counted_series(&Model::new(&s))
        };
        let all = vec![
            series::VELOCITY,
            series::COMMITTED,
            series::DONE,
            series::BACKLOG_SIZE,
            series::READY_ITEMS,
        ];
        assert_eq!(counted(&|_| {}), all);
        assert_eq!(counted(&|s| s.backlog.initial_items = 255), all);
        // Not the plain case: an item may be left part-done, so the points committed and
        // done may be fractional.
        let whole = vec![series::VELOCITY, series::BACKLOG_SIZE, series::READY_ITEMS];
        assert_eq!(
            counted(&|s| s.team.capacity = crate::scenario::Dist::Uniform { min: 2.0, max: 8.0 }),
            whole
        );
        assert_eq!(
            counted(&|s| s.backlog.initial_items = 256),
            Vec::<usize>::new()
        );
        assert_eq!(
            counted(
                &|s| s.backlog.scope_growth = Some(crate::scenario::Dist::Constant { value: 1.0 })
            ),
            Vec::<usize>::new()
        );
        assert_eq!(
            counted(&|s| s.backlog.split_rate = 0.1),
            Vec::<usize>::new()
        );
        // Items of 3 points: 100 items may make a sprint's velocity 300.
        let three = |s: &mut crate::scenario::Scenario| {
            s.backlog.size = crate::scenario::Dist::Constant { value: 3.0 };
            s.backlog.initial_items = 100;
        };
        assert_eq!(counted(&three), [series::BACKLOG_SIZE, series::READY_ITEMS]);
        assert!(counted(&|s| s.simulation.model = ModelKind::Roles).is_empty());
        // Items of 2 points: 127 make at most 254 a sprint, 128 may make 256 (capacities
        // of odd points leave an item part-done: not the plain case).
        let two = |items: u32| {
            move |s: &mut crate::scenario::Scenario| {
                s.backlog.size = crate::scenario::Dist::Constant { value: 2.0 };
                s.backlog.initial_items = items;
            }
        };
        assert_eq!(counted(&two(127)), whole);
        assert_eq!(
            counted(&two(128)),
            [series::BACKLOG_SIZE, series::READY_ITEMS]
        );
    }

    /// Each scenario's counts are per sprint and series, value by value, in each way of
    /// adding a run (three series, five, or another number).
    #[test]
    fn counts_are_kept_per_sprint_and_series_for_any_number_of_series() {
        let series = vec![
            vec![series::VELOCITY, series::READY_ITEMS],
            vec![series::VELOCITY, series::BACKLOG_SIZE, series::READY_ITEMS],
            (0..5).collect(),
        ];
        let mut t = Tally::new(&series, &[2, 2, 2]);
        // Sprint j's series k is 10 j + k + 1: one value per cell.
        let mut rows = [[0.0; N_SERIES]; 2];
        for (j, row) in rows.iter_mut().enumerate() {
            for (k, x) in row.iter_mut().enumerate() {
                *x = (10 * j + k + 1) as f64;
            }
        }
        for (s, counted) in series.iter().enumerate() {
            t.add(s, &rows);
            assert_eq!(t.series(s), counted.as_slice());
            assert_eq!(t.sprints(s), 2);
            for j in 0..2 {
                for (i, &k) in counted.iter().enumerate() {
                    let c = t.counts(s, j, i);
                    assert_eq!(c.len(), SMALL);
                    assert_eq!(c[10 * j + k + 1], 1, "scenario {s} sprint {j} series {k}");
                    assert_eq!(
                        c.iter().sum::<u64>(),
                        1,
                        "scenario {s} sprint {j} series {k}"
                    );
                }
            }
        }
        // Merged counts add up cell by cell, a cell counted on one side only included:
        // here scenario 0's first sprint twice and its second once.
        let mut u = Tally::new(&series, &[2, 2, 2]);
        u.add(0, &rows[..1]);
        u.merge(&t);
        assert_eq!(u.counts(0, 0, 1)[1 + series::READY_ITEMS], 2);
        assert_eq!(u.counts(0, 1, 1)[11 + series::READY_ITEMS], 1);
        assert_eq!(u.counts(2, 1, 4)[15], 1);
    }

    #[test]
    fn the_small_index_of_a_whole_value_is_the_value() {
        for v in 0..SMALL {
            assert_eq!(small_index(v as f64), v);
        }
        // Anything else stays in bounds (and is never asked for).
        for x in [
            -1.0,
            0.5,
            255.5,
            256.0,
            1e300,
            f64::INFINITY,
            f64::NAN,
            -0.0,
        ] {
            assert!(small_index(x) < SMALL, "{x}");
        }
        assert_eq!(small_index(-0.0), 0);
    }

    /// A row counted at a sprint, through the tally or its scenario's part, counts as the
    /// same row among a run's rows at that sprint.
    #[test]
    fn a_row_counted_at_a_sprint_counts_as_that_sprints_row() {
        let series = vec![
            vec![series::VELOCITY, series::READY_ITEMS],
            (0..5).collect(),
        ];
        let mut rows = [[0.0; N_SERIES]; 3];
        for (j, row) in rows.iter_mut().enumerate() {
            for (k, x) in row.iter_mut().enumerate() {
                *x = (7 * j + k) as f64;
            }
        }
        let mut by_rows = Tally::new(&series, &[3, 3]);
        let mut at = Tally::new(&series, &[3, 3]);
        for s in 0..2 {
            by_rows.add(s, &rows);
            for (j, row) in rows.iter().enumerate() {
                if s == 0 {
                    at.add_at(s, j, row);
                } else {
                    at.parts().nth(s).unwrap().add_at(j, row);
                }
            }
        }
        for (s, counted) in series.iter().enumerate() {
            for j in 0..3 {
                for i in 0..counted.len() {
                    assert_eq!(by_rows.counts(s, j, i), at.counts(s, j, i), "{s} {j} {i}");
                }
            }
        }
        assert_eq!(at.counts(1, 2, 4)[18], 1);
    }

    #[test]
    fn counts_are_per_sprint_and_series_and_merge() {
        let series = vec![vec![series::BACKLOG_SIZE], vec![]];
        let mut t = Tally::new(&series, &[3, 4]);
        let mut rows = [[0.0; N_SERIES]; 2];
        rows[0][series::BACKLOG_SIZE] = 7.0;
        rows[1][series::BACKLOG_SIZE] = 255.0;
        t.add(0, &rows);
        t.add(0, &rows[..1]);
        let mut u = t.clone();
        u.merge(&t);
        assert_eq!(t.counts(0, 0, 0)[7], 2);
        assert_eq!(t.counts(0, 1, 0)[255], 1);
        assert_eq!(u.counts(0, 0, 0)[7], 4);
        assert_eq!(t.counts(0, 2, 0).iter().sum::<u64>(), 0);
        assert_eq!((t.sprints(0), t.sprints(1)), (3, 0));
        t.clear(0);
        assert_eq!(t.counts(0, 0, 0)[7], 0);
    }

    /// Every way of counting (the usual and plain series at their places, any three or five
    /// series, any other number) counts as a plain count by value would, over many runs of
    /// many lengths (none, shorter than the horizon, the horizon) and values from 0 to 255.
    #[test]
    fn every_way_of_counting_counts_as_counting_value_by_value() {
        use series::{BACKLOG_SIZE as B, COMMITTED as C, DONE as D, READY_ITEMS as R};
        use series::{CUMULATIVE_VALUE as Q, VELOCITY as V};
        let series = vec![
            vec![V, B, R],
            vec![R, V, B],
            vec![V, C, D, B, R],
            vec![R, D, V, B, C],
            vec![V, C, D, B, Q],
            vec![B, R],
            (0..N_SERIES).collect(),
        ];
        let sprints = 9;
        let mut state = 7u64;
        let mut next = || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            crate::random::mix(state)
        };
        // Runs of 0 to 9 rows, values 0 to 255 (both ends included at times).
        let runs: Vec<Vec<[f64; N_SERIES]>> = (0..300)
            .map(|_| {
                let len = next() as usize % (sprints + 1);
                (0..len)
                    .map(|_| {
                        std::array::from_fn(|_| match next() % 8 {
                            0 => 0.0,
                            1 => 255.0,
                            _ => (next() % SMALL as u64) as f64,
                        })
                    })
                    .collect()
            })
            .collect();
        let mut t = Tally::new(&series, &vec![sprints; series.len()]);
        for (s, counted) in series.iter().enumerate() {
            // Half the runs as one batch, the others one by one.
            let (batch, single) = runs.split_at(runs.len() / 2);
            t.add_runs(s, batch.iter().map(|r| r.as_slice()));
            for r in single {
                t.add(s, r);
            }
            let mut want = vec![[0u64; SMALL]; sprints * counted.len()];
            for r in &runs {
                for (j, row) in r.iter().enumerate() {
                    for (i, &k) in counted.iter().enumerate() {
                        want[j * counted.len() + i][row[k] as usize] += 1;
                    }
                }
            }
            for j in 0..sprints {
                for i in 0..counted.len() {
                    let got = t.counts(s, j, i);
                    assert_eq!(got, want[j * counted.len() + i], "{counted:?} {j} {i}");
                }
            }
        }
    }

    /// A run's after-stop row counts as [`row_after_stop`] of its last row counted at the
    /// sprint after it, for the plain case's five series and any others (last rows with
    /// flows of 0 and of other values, the backlog and ready items from 0 to 255).
    #[test]
    fn an_after_stop_row_counts_as_the_row_after_stop() {
        use series::{BACKLOG_SIZE as B, COMMITTED as C, DONE as D, READY_ITEMS as R};
        let series = vec![
            vec![series::VELOCITY, C, D, B, R],
            vec![series::VELOCITY, B, R],
            vec![R, D, series::VELOCITY, B, C],
            vec![B, R],
        ];
        let sprints = 6;
        let (mut fast, mut by_row) = (
            Tally::new(&series, &[sprints; 4]),
            Tally::new(&series, &[sprints; 4]),
        );
        for v in 0..SMALL {
            let mut last = [0.0; N_SERIES];
            for (k, x) in last.iter_mut().enumerate() {
                *x = ((v * 7 + k * 31) % SMALL) as f64;
            }
            let sprint = v % sprints;
            for (s, (mut a, mut b)) in fast.parts().zip(by_row.parts()).enumerate() {
                a.add_after_stop(sprint, &last);
                b.add_at(sprint, &row_after_stop(&last));
                assert_eq!(a.series, series[s].as_slice());
            }
        }
        for (s, counted) in series.iter().enumerate() {
            for j in 0..sprints {
                for i in 0..counted.len() {
                    assert_eq!(fast.counts(s, j, i), by_row.counts(s, j, i), "{s} {j} {i}");
                }
            }
        }
        assert_eq!(fast.counts(0, 1, 0)[0], (SMALL / sprints + 1) as u64);
    }
}
