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

use super::metrics::{row_after_stop, series, SmallRow, N_SERIES, SMALL_ROW_SERIES};
use super::throughput;
use crate::model::compiled::Model;
use crate::scenario::ModelKind;

/// Values 0 to this (exclusive) are counted.
pub const SMALL: usize = 256;

/// A series' counts in one sprint: those of values 0 to [`SMALL`] (exclusive) and a cache
/// line more, always 0 (no index reaches them). Exactly [`SMALL`] counts (2 KiB) would put
/// the arrays of a sprint's series 2 KiB apart, so the counts of the values common to all
/// of them (0 to 15, the first two lines of each array) would fall in the same two or three
/// sets of the L1 data cache and collide there (and 4 KiB apart, in the low address bits
/// the processor's store-to-load forwarding looks at): on this project's machines the
/// plain case's counting ran at a third of an instruction a cycle. 33 lines apart (an odd
/// number), they spread over every set.
const PADDED: usize = SMALL + 8;
const _: () = assert!(
    (PADDED * 8).is_multiple_of(64) && !(PADDED * 8 / 64).is_multiple_of(2),
    "an odd number of lines"
);

/// The counts of one series in one sprint (see [`PADDED`]).
pub(crate) type Counts = [u64; PADDED];

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
    counts: &'a mut [Counts],
}

impl TallyPart<'_> {
    /// Count one row as sprint `sprint`'s.
    #[inline]
    pub fn add_at(&mut self, sprint: usize, row: &[f64; N_SERIES]) {
        match self.sprint(sprint) {
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

    /// The series and the counts of sprint `sprint`.
    #[inline(always)]
    fn sprint(&mut self, sprint: usize) -> (&[usize], &mut [Counts]) {
        let k = self.series.len();
        (self.series, &mut self.counts[sprint * k..(sprint + 1) * k])
    }

    /// Count the row after a stop of a run whose last row, of sprint `sprint - 1`, is `last`
    /// (its after-stop row counts as sprint `sprint`'s): as [`TallyPart::add_at`] of
    /// [`row_after_stop`]`(last)`. In the plain case the flows (velocity, points committed
    /// and done: whole numbers, never NaN) count at 0 without building the row.
    #[inline]
    pub fn add_after_stop(&mut self, sprint: usize, last: &[f64; N_SERIES]) {
        use series::{BACKLOG_SIZE as B, COMMITTED as C, DONE as D, READY_ITEMS as R};
        match self.sprint(sprint) {
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

impl TallyPart<'_> {
    /// [`TallyPart::add_after_stop`] of a last row that is a [`SmallRow`]: in the plain
    /// case the backlog and ready items counted from its bytes.
    #[inline]
    pub fn add_after_stop_small(&mut self, sprint: usize, last: SmallRow) {
        use series::{BACKLOG_SIZE as B, COMMITTED as C, DONE as D, READY_ITEMS as R};
        match self.sprint(sprint) {
            (&[series::VELOCITY, C, D, B, R], [cv, cc, cd, cb, cr]) => {
                cv[0] += 1;
                cc[0] += 1;
                cd[0] += 1;
                cb[last.get(B) as usize] += 1;
                cr[last.get(R) as usize] += 1;
            }
            _ => self.add_after_stop(sprint, &last.wide()),
        }
    }
}

/// Count one value (whole and below [`SMALL`] by construction: see [`counted_series`]).
#[inline(always)]
fn count(cell: &mut Counts, v: f64) {
    debug_assert!(v as usize as f64 == v && (v as usize) < SMALL, "{v}");
    cell[small_index(v)] += 1;
}

/// Count the rows of `runs` in `counts`, K series a sprint: series `at[i]` of sprint j in
/// `counts[j * K + i]`. (Inlined with constant places, a value costs three instructions.)
#[inline(always)]
fn count_rows<'r, const K: usize>(
    counts: &mut [Counts],
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

/// [`count_rows`] of the plain case's five series, the first five of a row (velocity,
/// points committed and done, backlog and ready items): the first four converted by one
/// AVX instruction (the same truncating conversion as [`small_index`]'s, lane by lane) and
/// each index taken as its lane's low byte (`pextrb`: the mask for free). The same counts,
/// whatever the values: about 16 instructions a sprint where the scalar way takes 19.
///
/// # Safety
/// The processor must have AVX.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn count_plain_avx<'r>(
    counts: &mut [Counts],
    runs: impl Iterator<Item = &'r [[f64; N_SERIES]]>,
) {
    use std::arch::x86_64::{_mm256_cvttpd_epi32, _mm256_loadu_pd, _mm_extract_epi8};
    const { assert!(series::VELOCITY == 0 && series::COMMITTED == 1 && series::DONE == 2) };
    const { assert!(series::BACKLOG_SIZE == 3 && series::READY_ITEMS == 4) };
    let (counts, _) = counts.as_chunks_mut::<5>();
    for rows in runs {
        for (row, [cv, cc, cd, cb, cr]) in rows.iter().zip(counts.iter_mut()) {
            // SAFETY: reads the row's first four doubles (it has N_SERIES ≥ 5).
            let four = _mm256_cvttpd_epi32(unsafe { _mm256_loadu_pd(row.as_ptr()) });
            cv[_mm_extract_epi8::<0>(four) as usize & (SMALL - 1)] += 1;
            cc[_mm_extract_epi8::<4>(four) as usize & (SMALL - 1)] += 1;
            cd[_mm_extract_epi8::<8>(four) as usize & (SMALL - 1)] += 1;
            cb[_mm_extract_epi8::<12>(four) as usize & (SMALL - 1)] += 1;
            count(cr, row[series::READY_ITEMS]);
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
    counts: Vec<Vec<Counts>>,
}

impl Tally {
    /// Empty counts for scenarios with `series[s]` counted over `sprints[s]` sprints.
    pub fn new(series: &[Vec<usize>], sprints: &[usize]) -> Tally {
        Tally {
            counts: series
                .iter()
                .zip(sprints)
                .map(|(k, &n)| vec![[0; PADDED]; n * k.len()])
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
            // The plain case: the model's five series, the first four converted together
            // where the processor has AVX.
            [V, C, D, B, R] => {
                #[cfg(target_arch = "x86_64")]
                if std::arch::is_x86_feature_detected!("avx") {
                    // SAFETY: the processor has AVX (just checked), all the function asks.
                    return unsafe { count_plain_avx(counts, runs) };
                }
                count_rows(counts, runs, [V, C, D, B, R])
            }
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

    /// [`Tally::add_runs`] of runs whose rows are [`SmallRow`]s, for a scenario whose series
    /// counted are a small row's ([`SMALL_ROW_SERIES`], the plain case's): each byte is
    /// its value's index, with nothing to convert or mask.
    #[inline]
    pub fn add_small_runs<'r>(&mut self, s: usize, runs: impl Iterator<Item = &'r [SmallRow]>) {
        assert_eq!(
            self.series[s], SMALL_ROW_SERIES,
            "the series a small row holds"
        );
        let (counts, _) = self.counts[s].as_chunks_mut::<5>();
        for rows in runs {
            for (row, [cv, cc, cd, cb, cr]) in rows.iter().zip(counts.iter_mut()) {
                let [v, c, d, b, r, ..] = row.0;
                cv[v as usize] += 1;
                cc[c as usize] += 1;
                cd[d as usize] += 1;
                cb[b as usize] += 1;
                cr[r as usize] += 1;
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
            // Array by array (a flattened iterator of all the counts compiles to a loop of
            // about 19 instructions a count; this one is vectorized).
            for (a, b) in a.iter_mut().zip(b) {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
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
        &self.counts[s][sprint * self.series[s].len() + i][..SMALL]
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
#[path = "tally_tests.rs"]
mod tests;
