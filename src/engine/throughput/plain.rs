//! The plain-case lane of the throughput model: whole-number state for the simplest and
//! most common forecast ([`Plain`], [`play_plain`]).

use super::*;

/// Most entries of a [`Plain`]'s table of commitments (per window length and items done in
/// the window); past it the commitment is computed sprint by sprint.
const QUOTA_TABLE: usize = 4096;

/// The longest velocity window (`team.velocity_window`'s validated limit).
const MAX_WINDOW: usize = 64;

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
    /// window that finished w items in all, [`Plain::quota_of`] and one fewer (none below
    /// 0) for a sprint that starts with an item held. Empty when the table would exceed
    /// [`QUOTA_TABLE`] entries or a commitment is out of the closed form's range.
    quotas: Box<[[i64; 2]]>,
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
        let mut plain = Plain {
            draws,
            bootstrap,
            size,
            whole: size as i64,
            items: s.backlog.initial_items as i64,
            sprints: s.simulation.sprints as usize,
            window,
            factor,
            first: factor * m.mean_capacity,
            rows: [0; MAX_WINDOW + 2],
            quotas: Box::new([]),
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
                quotas.extend((0..=n * most).map(|w| {
                    let q = plain.quota_of(n, w as i64);
                    [q, (q - 1).max(0)]
                }));
            }
            // Only when every commitment is in the closed form's range (else none is
            // looked up, and those out of it are counted one by one).
            if quotas.iter().all(|q| q[0] >= 0) {
                plain.rows[window + 1..].fill(quotas.len() as u32);
                plain.quotas = quotas.into_boxed_slice();
            } else {
                plain.rows = [0; MAX_WINDOW + 2];
            }
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

    /// Whether the commitments are looked up in a table (for tests).
    #[cfg(test)]
    pub(super) fn has_table(&self) -> bool {
        !self.quotas.is_empty()
    }

    /// The table's row for a window of n sprints (empty without a table).
    #[inline(always)]
    fn quota_row(&self, n: usize) -> &[[i64; 2]] {
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

    /// One sprint of the second pass of [`play_plain_into`]: its plan and execution from the
    /// items done before it and by its end, with `lag` done before the window of its last
    /// `n` sprints (`quotas`: the table's row for n); its row and velocity written.
    #[inline(always)]
    fn plan<const UNIT: bool>(
        &self,
        p: &mut Pass,
        n: usize,
        quotas: &[[i64; 2]],
        (lag, after): (i64, i64),
        row: &mut [f64; N_SERIES],
        velocity: &mut f64,
    ) {
        // (Items of one point, the usual case, are compiled apart: no products.)
        let whole = if UNIT { 1 } else { self.whole };
        let (items, before) = (self.items, p.before);
        let finished = after - before;
        // Planning, as `play` plans with whole points: the item held, then new items while
        // they fit the commitment (factor × the mean velocity of the last n sprints).
        let in_window = before - lag;
        let held = p.started as i64;
        let spill = held * whole;
        let waiting = items - before - held;
        let committed_new = match quotas.get(in_window as usize) {
            Some(q) => q[p.started as usize].min(waiting),
            None => self.committed_by_hand(n, in_window, spill, waiting),
        };
        let points = spill + committed_new * whole;
        p.committed += points as f64;
        // Execution: the item held finishes first (a sprint with capacity has at least an
        // item's worth), then fresh ones; a sprint that finishes nothing with items left had
        // no capacity, and the lane takes the next item without progress on it.
        let done_committed = if finished > 0 {
            spill + (finished - held).min(committed_new) * whole
        } else {
            0
        };
        p.started = finished == 0 && before < items;
        let v = (finished * whole) as f64;
        *velocity = v;
        p.points_done += v;
        p.done_committed += done_committed as f64;
        put_row(
            row,
            [v, points as f64, done_committed as f64],
            items - after,
            p.started as i64,
        );
        p.before = after;
    }

    /// The second pass of [`play_plain_into`] over the `played` sprints: the first ones,
    /// whose window is shorter, then the others. `UNIT`: items of one point.
    #[inline(always)]
    fn second_pass<const UNIT: bool>(
        &self,
        played: usize,
        done_by: &[i64],
        rows: &mut [[f64; N_SERIES]],
        velocities: &mut [f64],
    ) -> Pass {
        let window = self.window;
        let mut p = Pass {
            started: false,
            before: 0,
            committed: 0.0,
            done_committed: 0.0,
            points_done: 0.0,
        };
        for sprint in 0..window.min(played) {
            let (row, v) = (&mut rows[sprint], &mut velocities[sprint]);
            let quotas = self.quota_row(sprint);
            self.plan::<UNIT>(&mut p, sprint, quotas, (0, done_by[sprint + 1]), row, v);
        }
        if played > window {
            let quotas = self.quota_row(window);
            let steady = rows[window..played]
                .iter_mut()
                .zip(&mut velocities[window..played])
                .zip(&done_by[window + 1..=played])
                .zip(&done_by[..played - window]);
            for (((row, v), &after), &lag) in steady {
                self.plan::<UNIT>(&mut p, window, quotas, (lag, after), row, v);
            }
        }
        p
    }

    /// The first pass of [`play_plain_into`]: the capacity values drawn (`draw()` a sprint)
    /// into `picks` and the items done by each sprint's end into `done_by[1..]`, up to
    /// completion. Returns the sprints played and the completion sprint.
    #[inline(always)]
    fn draw_sprints(
        &self,
        picks: &mut [u32],
        done_by: &mut [i64],
        mut draw: impl FnMut() -> u32,
    ) -> (usize, Option<u32>) {
        let mut done = 0i64;
        for (sprint, (pick, by)) in picks.iter_mut().zip(&mut done_by[1..]).enumerate() {
            let p = draw();
            *pick = p;
            done += self.draws[p as usize].items;
            if done >= self.items {
                *by = self.items;
                return (sprint + 1, Some(sprint as u32 + 1));
            }
            *by = done;
        }
        (picks.len(), None)
    }

    /// The sprint (1-based) in which a run of this case finishes its scope, if it does within
    /// the horizon: [`play_plain`]'s `COMPLETION_SPRINT` (a test checks it), from the same
    /// draws of the capacity stream. Every sprint finishes its capacity's worth of items or
    /// what is left (a sprint without capacity holds the next item, which the next sprint
    /// finishes first), so the planning does not matter.
    pub fn completion<R: rand::Rng>(&self, mut capacity: R) -> Option<u32> {
        let n_draws = self.draws.len() as u32;
        let mut done = 0i64;
        for sprint in 0..self.sprints {
            let pick = if self.bootstrap {
                capacity.random_range(0..n_draws)
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

/// What the second pass of [`play_plain_into`] carries from sprint to sprint.
struct Pass {
    /// Whether the lane holds the next item at the sprint's start (only after a sprint
    /// without capacity, and then none of it is done: its remaining work is the whole size).
    started: bool,
    /// Items done before the sprint.
    before: i64,
    committed: f64,
    done_committed: f64,
    points_done: f64,
}

/// [`play_plain`] with the record written into `record`; returns the rows written.
///
/// Two passes. Every sprint finishes its capacity's worth of items or what is left (a sprint
/// without capacity holds the next item, which the next sprint finishes first), whatever
/// was planned: the first pass draws the capacities and counts the items done by each
/// sprint's end, up to completion. The second plans each sprint from those counts (the
/// commitment, the item held) and writes its row.
#[inline(never)] // (Inlined in the driver's loop, it compiles to more instructions.)
pub fn play_plain_into<R: rand::Rng>(
    m: &Model,
    plain: &Plain,
    mut capacity: R,
    ws: &mut Workspace,
    rows: &mut [[f64; N_SERIES]],
    record: &mut RunRecord,
) -> usize {
    let sprints = plain.sprints;
    let rows = &mut rows[..sprints];
    // Per sprint: its velocity, the items done by its end (`done_by[s + 1]`; `done_by[0]`
    // is 0) and the capacity value drawn (for the finish hours).
    let (velocities, done_by, picks) = ws.plain_buffers(sprints);
    done_by[0] = 0;
    let (played, completion) = if plain.bootstrap {
        let n_draws = plain.draws.len() as u32;
        plain.draw_sprints(picks, done_by, || capacity.random_range(0..n_draws))
    } else {
        plain.draw_sprints(picks, done_by, || 0)
    };
    let done = done_by[played];

    let p = if plain.whole == 1 {
        plain.second_pass::<true>(played, done_by, rows, velocities)
    } else {
        plain.second_pass::<false>(played, done_by, rows, velocities)
    };
    let mut written = played;
    if completion.is_some() && !m.scenario.simulation.stop_at_completion {
        // Sprints after completion: nothing to commit or do, and the totals stay.
        for (row, v) in rows[played..].iter_mut().zip(&mut velocities[played..]) {
            put_row(row, [0.0; 3], 0, 0);
            *v = 0.0;
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
    // Item j finished in the first sprint s whose end saw more than j done: the k-th of that
    // sprint (k = j − done_by[s]) at hour base + t_k + step (t_0 = 0, t_(i+1) = t_i + step),
    // summed as `FinishRun::hour` sums it. The record asks for items in increasing order,
    // so the sprint is searched from the last one found.
    let hours = m.sprint_hours;
    let done_by = &done_by[..=played];
    let mut s = 0;
    let hour = |j: i64| {
        if j < done_by[s] {
            s = 0;
        }
        while done_by[s + 1] <= j {
            s += 1;
        }
        let step = plain.draws[picks[s] as usize].fresh;
        let mut t = 0.0;
        for _ in 0..j - done_by[s] {
            t += step;
        }
        s as f64 * hours + t + step
    };
    fill_record(&mut record.metrics, m, totals, &velocities[..written], hour);
    written
}
