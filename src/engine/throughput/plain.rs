//! The plain-case lane of the throughput model: whole-number state for the simplest and
//! most common forecast ([`Plain`], [`play_plain`]).

use super::*;
use crate::random::{PairCursor, UniformIndex};

/// Most entries of a [`Plain`]'s table of commitments (per window length and items done in
/// the window); past it the commitment is computed sprint by sprint.
const QUOTA_TABLE: usize = 4096;

/// The longest velocity window (`team.velocity_window`'s validated limit).
const MAX_WINDOW: usize = 64;

/// Most capacity values of the fast case ([`Plain::fast`]): their items are looked up in a
/// table of this many entries, with no bounds to check.
const FAST_DRAWS: usize = 256;

/// The plain case, the simplest and most common forecast: a fixed scope of items of one
/// whole size (no range, split, risk or growth), and a capacity that is bootstrapped from
/// (or fixed at) whole multiples of the item size. Every sprint then finishes exactly its
/// capacity's worth of items: the lane never holds a part-done item except after a sprint
/// without capacity (when it has taken the next item and done none of it), so the state is
/// whole numbers and [`play_plain`] needs none of [`play`]'s per-sprint generality. It gives
/// the same bits (a test checks it run by run against [`play`]).
#[derive(Debug, Clone)]
pub struct Plain {
    /// Per capacity value (the bootstrap's samples in order, or the one fixed value).
    draws: Box<[PlainDraw]>,
    /// A bootstrap (one draw per sprint), or a fixed capacity (no draw).
    bootstrap: bool,
    /// The item size in points, and the same as a whole number.
    size: f64,
    whole: i64,
    /// The scope (items), the horizon (sprints) and the velocity window (sprints).
    items: i64,
    sprints: usize,
    window: usize,
    /// The commitment factor, and the first sprint's commitment (factor × mean capacity).
    factor: f64,
    first: f64,
    /// Per window length n (0 to `window`): where its row of `quotas` starts (and ends, at
    /// `rows[n + 1]`; all 0 without a table).
    rows: [u32; MAX_WINDOW + 2],
    /// `quotas[rows[n] + w]`: the items committed beside those held after n sprints in the
    /// window that finished w items in all, [`Plain::quota_of`] (one fewer, none below 0,
    /// for a sprint that starts with an item held). Empty when the table would exceed
    /// [`QUOTA_TABLE`] entries or a commitment is out of the closed form's range.
    quotas: Box<[i64]>,
    /// In the fast case: the quotas of a full window (`quotas`' row for `window`), then 0s
    /// up to [`QUOTA_TABLE`] entries (a window's items done, below that, are looked up with
    /// no bounds to check). Else empty.
    steady: Box<[i64]>,
    /// Per capacity value: the items it finishes (`draws[i].items`, apart for the loop),
    /// then 0s up to [`FAST_DRAWS`] entries at least.
    items_of: Box<[i64]>,
    /// Whether no capacity value finishes no item (so no sprint starts with an item held),
    /// every sum of points the record takes is below 2⁵³ (so summed as whole numbers, it is
    /// the same as summed as `f64` sprint by sprint), there are at most [`FAST_DRAWS`]
    /// values and the commitments are looked up in a table: [`Plain::play_sprints`]'s fast
    /// case.
    fast: bool,
    /// The bootstrap's draw of a capacity value's index.
    index: UniformIndex,
    /// The sums of the items' finish hours per capacity value, and the hours of a day.
    finish: FinishTable,
}

/// One capacity value of the plain case, with what [`play`] derives from it.
#[derive(Debug, Clone, Copy)]
struct PlainDraw {
    /// Items it finishes (the value over the item size, a whole number).
    items: i64,
    /// The lane's hours per item (as [`play`] computes them: size / (value / hours)).
    fresh: f64,
}

impl Plain {
    /// The plain case of a throughput scenario, if it is one (see [`Plain`]).
    pub fn of(m: &Model) -> Option<Plain> {
        let s = &m.scenario;
        let size = m.item_size;
        let hours = m.sprint_hours;
        let plain_scope = s.simulation.model == crate::scenario::ModelKind::Throughput
            && m.scope_growth.is_none()
            && keyed_sources(m).is_empty()
            && whole_size(size);
        if !(plain_scope && hours.is_finite() && hours > 0.0) {
            return None;
        }
        let (values, bootstrap): (&[f64], bool) = match &m.capacity {
            Sampler::Empirical(values) => (values, true),
            Sampler::Constant(value) => (std::slice::from_ref(value), false),
            _ => return None,
        };
        let draws = values
            .iter()
            .map(|&v| {
                let raw = v.max(0.0);
                let items = raw / size;
                // Whole multiples of the size, few enough items that a sprint's finish hours
                // add up to its end well within the lane's tolerance (10⁻⁹ of the hours):
                // then no item is ever left part-done at a sprint's end.
                let plain = raw.is_finite() && items < 1e6 && (items as i64) as f64 == items;
                plain.then(|| PlainDraw {
                    items: items as i64,
                    fresh: size / (raw / hours),
                })
            })
            .collect::<Option<Box<[PlainDraw]>>>()?;
        if draws.is_empty() || draws.len() >= u32::MAX as usize {
            return None;
        }
        let factor = s.team.commitment_factor;
        let window = (s.team.velocity_window as usize).clamp(1, MAX_WINDOW);
        let items = s.backlog.initial_items as i64;
        let sprints = s.simulation.sprints as usize;
        // A run's committed points are at most the scope's points a sprint.
        let most_points = (items as u64)
            .checked_mul(size as u64)
            .and_then(|p| p.checked_mul(sprints as u64));
        let fast = draws.iter().all(|d| d.items > 0)
            && most_points.is_some_and(|p| p < 1 << 53)
            && draws.len() <= FAST_DRAWS;
        let index = UniformIndex::new(draws.len() as u32);
        let finish = FinishTable::of(&draws, items, s.simulation.hours_per_day);
        let mut items_of: Vec<i64> = draws.iter().map(|d| d.items).collect();
        items_of.resize(items_of.len().max(FAST_DRAWS), 0);
        let items_of = items_of.into_boxed_slice();
        let mut plain = Plain {
            draws,
            bootstrap,
            size,
            whole: size as i64,
            items,
            sprints,
            window,
            factor,
            first: factor * m.mean_capacity,
            rows: [0; MAX_WINDOW + 2],
            quotas: Box::new([]),
            steady: Box::new([]),
            items_of,
            fast,
            index,
            finish,
        };
        // The table: row n holds the quotas for 0 to n × (most items a sprint) items done.
        let most = plain.draws.iter().map(|d| d.items).max().unwrap_or(0) as usize;
        let len = (0..=window).try_fold(0usize, |at, n| {
            let next = at.checked_add(n.checked_mul(most)?.checked_add(1)?)?;
            (next <= QUOTA_TABLE).then_some(next)
        });
        if let Some(len) = len {
            let mut quotas = Vec::with_capacity(len);
            for n in 0..=window {
                plain.rows[n] = quotas.len() as u32;
                quotas.extend((0..=n * most).map(|w| plain.quota_of(n, w as i64)));
            }
            // Only when every commitment is in the closed form's range (else none is
            // looked up, and those out of it are counted one by one).
            if quotas.iter().all(|&q| q >= 0) {
                plain.rows[window + 1..].fill(quotas.len() as u32);
                plain.quotas = quotas.into_boxed_slice();
            } else {
                plain.rows = [0; MAX_WINDOW + 2];
            }
        }
        plain.fast &= plain.has_table();
        if plain.fast {
            let mut steady = plain.quota_row(window).to_vec();
            steady.resize(QUOTA_TABLE, 0);
            plain.steady = steady.into_boxed_slice();
        }
        Some(plain)
    }

    /// The sprint's commitment when the last `n` sprints (at most the window; none in the
    /// first sprint) finished `w` items in all: `team::commitment` for whole velocities.
    #[inline]
    fn commitment(&self, n: usize, w: i64) -> f64 {
        match n {
            0 => self.first,
            n => self.factor * ((w * self.whole) as f64 / n as f64),
        }
    }

    /// How many whole items the commitment holds, ⌊commitment⌋ / size, when it is within the
    /// closed form's range ([0, 10¹⁵)); else -1 (the items are counted one by one). With an
    /// item held (of the whole size) one fewer fit, and never fewer than none.
    #[inline]
    fn quota_of(&self, n: usize, w: i64) -> i64 {
        let c = self.commitment(n, w);
        if (0.0..1e15).contains(&c) {
            c as i64 / self.whole
        } else {
            -1
        }
    }

    /// Whether every value of a run's rows (velocity, points committed and done, backlog
    /// and ready items) is a whole number below 256, so that its rows may be
    /// [`SmallRow`]s: none exceeds the scope's points (the items times their whole size).
    pub fn small_rows(&self) -> bool {
        self.items.checked_mul(self.whole).is_some_and(|p| p < 256)
    }

    /// Whether the commitments are looked up in a table.
    pub(super) fn has_table(&self) -> bool {
        !self.quotas.is_empty()
    }

    /// Whether the runs take the fast case (for tests).
    #[cfg(test)]
    pub(super) fn is_fast(&self) -> bool {
        self.fast
    }

    /// The table's row for a window of n sprints (empty without a table).
    #[inline(always)]
    fn quota_row(&self, n: usize) -> &[i64] {
        &self.quotas[self.rows[n] as usize..self.rows[n + 1] as usize]
    }

    /// The items committed beside the one held (`spill` points of it) after n sprints in the
    /// window that finished w items, without the table: as `play` commits them (closed
    /// within [0, 10¹⁵), else one by one).
    #[cold]
    fn committed_by_hand(&self, n: usize, w: i64, spill: i64, waiting: i64) -> i64 {
        let quota = self.quota_of(n, w);
        if quota >= 0 {
            // ⌊(⌊c⌋ − spill)⁺ / size⌋ with spill 0 or the size: the quota, or one fewer.
            return (if spill > 0 { (quota - 1).max(0) } else { quota }).min(waiting);
        }
        let commitment = self.commitment(n, w);
        let (mut points, mut k) = (spill as f64, 0);
        while k < waiting && points < commitment && points + self.size <= commitment {
            points += self.size;
            k += 1;
        }
        k
    }

    /// One sprint of [`play_plain_into`]: its plan and execution from the items done before
    /// it (`p.before`) and by its end (`after`), with `lag` done before the window of its
    /// last `n` sprints (`quotas`: the table's row for n); its row written. `UNIT`: items of one point; `FAST`: [`Plain::fast`] (no sprint ever holds
    /// an item at its start, and the points are summed as whole numbers).
    #[inline(always)]
    fn sprint<const UNIT: bool, const FAST: bool>(
        &self,
        p: &mut Pass,
        (n, quotas): (usize, &[i64]),
        (lag, after): (i64, i64),
        row: &mut impl PlainRow,
    ) {
        // (Items of one point, the usual case, are compiled apart: no products.)
        let whole = if UNIT { 1 } else { self.whole };
        let (items, before) = (self.items, p.before);
        let finished = after - before;
        // Planning, as `play` plans with whole points: the item held, then new items while
        // they fit the commitment (factor × the mean velocity of the last n sprints).
        let in_window = before - lag;
        let started = !FAST && p.started;
        let held = started as i64;
        let spill = held * whole;
        let waiting = items - before - held;
        let committed_new = match quotas.get(in_window as usize) {
            // (In the fast case no item is held, and the table holds no quota below 0.)
            Some(&q) => if FAST { q } else { (q - held).max(0) }.min(waiting),
            None => self.committed_by_hand(n, in_window, spill, waiting),
        };
        let points = spill + committed_new * whole;
        // Execution: the item held finishes first (a sprint with capacity has at least an
        // item's worth), then fresh ones; a sprint that finishes nothing with items left had
        // no capacity, and the lane takes the next item without progress on it.
        let done_committed = if FAST || finished > 0 {
            spill + (finished - held).min(committed_new) * whole
        } else {
            0
        };
        let v = finished * whole;
        if FAST {
            p.whole_committed += points;
            p.whole_done_committed += done_committed;
        } else {
            p.started = finished == 0 && before < items;
            p.committed += points as f64;
            p.done_committed += done_committed as f64;
            p.points_done += v as f64;
        }
        let started = (!FAST && p.started) as i64;
        row.put([v, points, done_committed], items - after, started);
        p.before = after;
    }

    /// The sprints of [`play_plain_into`] up to completion (or the horizon): the capacity
    /// values picked (`draws`, a sprint) into `picks`, the items left by each sprint's end
    /// into `left_by[1..]` and the rows written. The first sprints, whose window is shorter,
    /// then the others. Returns the sprints played, the completion sprint and the totals.
    #[inline(always)]
    fn play_sprints<const UNIT: bool, const FAST: bool>(
        &self,
        rows: &mut [impl PlainRow],
        left_by: &mut [i64],
        picks: &mut [u32],
        mut draws: impl Draws,
    ) -> (usize, Option<u32>, Pass) {
        let (sprints, window, items) = (self.sprints, self.window, self.items);
        let rows = &mut rows[..sprints];
        let (left_by, picks) = (&mut left_by[..=sprints], &mut picks[..sprints]);
        let mut p = Pass {
            started: false,
            before: 0,
            committed: 0.0,
            done_committed: 0.0,
            points_done: 0.0,
            whole_committed: 0,
            whole_done_committed: 0,
        };
        // Every sprint finishes its capacity's worth of items or what is left: the last one
        // (that ends the scope) is played apart.
        let head = window.min(sprints);
        for sprint in 0..head {
            let pick = draws.pick(picks, sprint);
            let quotas = (sprint, self.quota_row(sprint));
            let after = p.before + self.items_of::<FAST>(pick);
            if after >= items {
                self.sprint::<UNIT, FAST>(&mut p, quotas, (0, items), &mut rows[sprint]);
                left_by[sprint + 1] = 0;
                return (
                    sprint + 1,
                    Some(sprint as u32 + 1),
                    p.totals::<FAST>(self.whole),
                );
            }
            self.sprint::<UNIT, FAST>(&mut p, quotas, (0, after), &mut rows[sprint]);
            left_by[sprint + 1] = items - after;
        }
        if FAST {
            return self.play_fast::<UNIT>(rows, left_by, picks, draws, p);
        }
        // The others: each sprint's lag (the items done before its window) is the count by
        // the end of the sprint `window` before it (cells: read and written in one pass).
        let quotas = (window, self.quota_row(window));
        let left_by = std::cell::Cell::from_mut(left_by).as_slice_of_cells();
        let steady = rows[head..]
            .iter_mut()
            .zip(left_by)
            .zip(&left_by[head + 1..]);
        for (sprint, ((row, lag), by)) in (head..).zip(steady) {
            let pick = draws.pick(picks, sprint);
            let after = p.before + self.items_of::<FAST>(pick);
            let lag = items - lag.get();
            if after >= items {
                self.sprint::<UNIT, FAST>(&mut p, quotas, (lag, items), row);
                by.set(0);
                return (
                    sprint + 1,
                    Some(sprint as u32 + 1),
                    p.totals::<FAST>(self.whole),
                );
            }
            self.sprint::<UNIT, FAST>(&mut p, quotas, (lag, after), row);
            by.set(items - after);
        }
        (sprints, None, p.totals::<FAST>(self.whole))
    }

    /// The items a capacity value finishes (in the fast case the value drawn is below
    /// [`FAST_DRAWS`]: the remainder is the value itself, with no bounds to check).
    #[inline(always)]
    fn items_of<const FAST: bool>(&self, pick: u32) -> i64 {
        if FAST {
            let table: &[i64; FAST_DRAWS] = self.items_of[..FAST_DRAWS].try_into().expect("padded");
            table[pick as usize % FAST_DRAWS]
        } else {
            self.items_of[pick as usize]
        }
    }

    /// The sprints of [`Plain::play_sprints`] after the first `window` ones, in the fast
    /// case ([`Plain::fast`]): [`Plain::sprint`] with the state held as the items left
    /// (`left`: the items waiting, no item ever held), a full window's commitments looked
    /// up in `steady`, the sums kept in items and the picks taken a drawn run at a time.
    /// The sprint that ends the scope is played by [`Plain::sprint`].
    #[inline(always)]
    fn play_fast<const UNIT: bool>(
        &self,
        rows: &mut [impl PlainRow],
        left_by: &mut [i64],
        picks: &mut [u32],
        mut draws: impl Draws,
        mut p: Pass,
    ) -> (usize, Option<u32>, Pass) {
        let (sprints, window, items) = (self.sprints, self.window, self.items);
        let whole = if UNIT { 1 } else { self.whole };
        let steady: &[i64; QUOTA_TABLE] = self.steady[..].try_into().expect("a table");
        let mut left = items - p.before;
        let (mut committed, mut done_committed) = (0i64, 0i64);
        let mut last = None;
        let mut sprint = window;
        let cells = std::cell::Cell::from_mut(left_by).as_slice_of_cells();
        'runs: while sprint < sprints {
            let end = draws.ready(picks, sprint);
            // (Sliced alike and indexed by one count: no bounds to check.)
            let rows = &mut rows[sprint..end];
            let picks = &picks[sprint..end];
            let lags = &cells[sprint - window..end - window];
            let bys = &cells[sprint + 1..end + 1];
            for i in 0..rows.len() {
                let (row, lag, by) = (&mut rows[i], lags[i].get(), &bys[i]);
                let finished = self.items_of::<true>(picks[i]);
                let after = left - finished;
                if after <= 0 {
                    last = Some((sprint + i, lag));
                    break 'runs;
                }
                // The items done in the window, and committed: the quota, or what is left.
                let in_window = lag - left;
                let committed_new = steady[in_window as usize % QUOTA_TABLE].min(left);
                let done = finished.min(committed_new);
                row.put([finished, committed_new, done].map(|x| x * whole), after, 0);
                by.set(after);
                committed += committed_new;
                done_committed += done;
                left = after;
            }
            sprint = end;
        }
        p.before = items - left;
        p.whole_committed += committed * whole;
        p.whole_done_committed += done_committed * whole;
        let Some((s, lag)) = last else {
            return (sprints, None, p.totals::<true>(self.whole));
        };
        let quotas = (window, self.quota_row(window));
        self.sprint::<UNIT, true>(&mut p, quotas, (items - lag, items), &mut rows[s]);
        cells[s + 1].set(0);
        (s + 1, Some(s as u32 + 1), p.totals::<true>(self.whole))
    }

    /// The sprint (1-based) in which a run of this case finishes its scope, if it does within
    /// the horizon: [`play_plain`]'s `COMPLETION_SPRINT` (a test checks it), from the same
    /// draws of the capacity stream. Every sprint finishes its capacity's worth of items or
    /// what is left (a sprint without capacity holds the next item, which the next sprint
    /// finishes first), so the planning does not matter.
    pub fn completion<R: rand::Rng>(&self, mut capacity: R) -> Option<u32> {
        let mut done = 0i64;
        for sprint in 0..self.sprints {
            let pick = if self.bootstrap {
                self.index.sample(&mut capacity)
            } else {
                0
            };
            done += self.draws[pick as usize].items;
            if done >= self.items {
                return Some(sprint as u32 + 1);
            }
        }
        None
    }
}

/// [`play`] for the plain case ([`Plain`]): the same arguments, the same record and rows to
/// the bit, with whole-number state. The capacity stream is drawn from as [`play`] draws
/// (one bootstrap index a sprint, nothing for a fixed capacity).
pub fn play_plain<R: rand::Rng>(
    m: &Model,
    plain: &Plain,
    capacity: R,
    ws: &mut Workspace,
    rows: &mut [[f64; N_SERIES]],
) -> (RunRecord, usize) {
    let mut record = RunRecord {
        metrics: [f64::NAN; N_METRICS],
    };
    let n = play_plain_into(m, plain, capacity, ws, rows, &mut record);
    (record, n)
}

/// What [`play_plain_into`] carries from sprint to sprint.
struct Pass {
    /// Whether the lane holds the next item at the sprint's start (only after a sprint
    /// without capacity, and then none of it is done: its remaining work is the whole size).
    started: bool,
    /// Items done before the sprint.
    before: i64,
    /// The points committed, done of them, and done, summed as `play` sums them.
    committed: f64,
    done_committed: f64,
    points_done: f64,
    /// In the fast case ([`Plain::fast`]): the points committed and done of them, summed
    /// as whole numbers.
    whole_committed: i64,
    whole_done_committed: i64,
}

impl Pass {
    /// With the sums as `f64`: in the fast case, the whole sums (exact, so the same as
    /// summed as `f64`), and the points done all those of the items done.
    #[inline(always)]
    fn totals<const FAST: bool>(mut self, whole: i64) -> Pass {
        if FAST {
            self.committed = self.whole_committed as f64;
            self.done_committed = self.whole_done_committed as f64;
            self.points_done = (self.before * whole) as f64;
        }
        self
    }
}

/// [`play_plain`] with the record written into `record`; returns the rows written.
///
/// One pass over the sprints up to completion. Every sprint finishes its capacity's worth
/// of items or what is left (a sprint without capacity holds the next item, which the next
/// sprint finishes first), whatever was planned: each sprint draws its capacity, counts the
/// items done by its end, plans (the commitment from the items done in the window, the item
/// held) and writes its row.
#[inline(never)] // (Inlined in the driver's loop, it compiles to more instructions.)
pub fn play_plain_into<R: rand::Rng, Row: PlainRow>(
    m: &Model,
    plain: &Plain,
    mut capacity: R,
    ws: &mut Workspace,
    rows: &mut [Row],
    record: &mut RunRecord,
) -> usize {
    let (left_by, picks) = ws.plain_buffers(plain.sprints);
    let index = plain.index;
    let draws = OneByOne(|| index.sample(&mut capacity));
    play_body(m, plain, (left_by, picks), draws, rows, record)
}

/// The body of [`play_plain_into`] and [`play_plain_pair`], from the buffers (the items left
/// by each sprint's end, and the capacity value picked a sprint: at least as many as
/// sprints) and the draws (none for a fixed capacity).
#[inline(always)]
fn play_body<Row: PlainRow>(
    m: &Model,
    plain: &Plain,
    (left_by, picks): (&mut [i64], &mut [u32]),
    draws: impl Draws,
    rows: &mut [Row],
    record: &mut RunRecord,
) -> usize {
    let sprints = plain.sprints;
    assert!(Row::holds(plain), "the rows hold the lane's values");
    let rows = &mut rows[..sprints];
    // Per sprint: the items left by its end (`left_by[s + 1]`; `left_by[0]` is the scope)
    // and the capacity value drawn (for the finish hours).
    let (left_by, picks) = (&mut left_by[..=sprints], &mut picks[..sprints]);
    left_by[0] = plain.items;
    let (played, completion, p) = match (plain.bootstrap, plain.fast, plain.whole == 1) {
        (true, true, true) => plain.play_sprints::<true, true>(rows, left_by, picks, draws),
        (true, true, false) => plain.play_sprints::<false, true>(rows, left_by, picks, draws),
        (true, false, true) => plain.play_sprints::<true, false>(rows, left_by, picks, draws),
        (true, false, false) => plain.play_sprints::<false, false>(rows, left_by, picks, draws),
        // A fixed capacity (the draws always 0).
        (false, _, _) => plain.play_sprints::<false, false>(rows, left_by, picks, draws),
    };
    let done = plain.items - left_by[played];
    let mut written = played;
    if completion.is_some() && !m.scenario.simulation.stop_at_completion {
        // Sprints after completion: nothing to commit or do, and the totals stay.
        for row in &mut rows[played..] {
            row.put([0; 3], 0, 0);
        }
        written = sprints;
    }
    let totals = Totals {
        completion,
        done,
        committed: p.committed,
        done_committed: p.done_committed,
        points_done: p.points_done,
    };
    let rows = &rows[..written];
    let cv = velocity_cv(rows, p.points_done);
    let finish = Finish {
        left_by: &left_by[..=played],
        items: plain.items,
        picks,
        draws: &plain.draws,
        hours: m.sprint_hours,
    };
    let leads = finish.leads(done, &plain.finish);
    fill_record(&mut record.metrics, m, totals, cv, leads);
    written
}

mod draws;
mod finish;
mod rows;
pub use draws::play_plain_pair;
use draws::{Draws, OneByOne};
use finish::{velocity_cv, Finish, FinishTable};
pub use rows::PlainRow;

#[cfg(test)]
mod finish_tests;
