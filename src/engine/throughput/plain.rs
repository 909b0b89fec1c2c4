//! The plain-case lane of the throughput model: whole-number state for the simplest and
//! most common forecast ([`Plain`], [`play_plain`]).

use super::*;

/// Most entries of a [`Plain`]'s table of commitments (per window length and items done in
/// the window); past it the commitment is computed sprint by sprint.
const QUOTA_TABLE: usize = 4096;

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
    /// Per window length n (0 to `window`): where its row of `quotas` starts.
    rows: [u32; 65],
    /// `quotas[rows[n] + w]`: [`Plain::quota`] after n sprints in the window that finished
    /// w items in all (empty when the table would exceed [`QUOTA_TABLE`] entries).
    quotas: Box<[i64]>,
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
        let window = (s.team.velocity_window as usize).clamp(1, 64);
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
            rows: [0; 65],
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
                quotas.extend((0..=n * most).map(|w| plain.quota_of(n, w as i64)));
            }
            plain.quotas = quotas.into_boxed_slice();
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

    /// [`Plain::quota_of`], from the table when there is one.
    #[inline(always)]
    fn quota(&self, n: usize, w: i64) -> i64 {
        match self.quotas.get(self.rows[n] as usize + w as usize) {
            Some(&q) => q,
            None => self.quota_of(n, w),
        }
    }

    /// The items committed beside the one held (`spill` points of it) when the commitment is
    /// out of the closed form's range: `play`'s loop.
    #[cold]
    fn committed_one_by_one(&self, n: usize, w: i64, spill: i64, waiting: i64) -> i64 {
        let commitment = self.commitment(n, w);
        let (mut points, mut k) = (spill as f64, 0);
        while k < waiting && points < commitment && points + self.size <= commitment {
            points += self.size;
            k += 1;
        }
        k
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

/// [`play_plain`] with the record written into `record`; returns the rows written.
///
/// Two passes. Every sprint finishes its capacity's worth of items or what is left (a sprint
/// without capacity holds the next item, which the next sprint finishes first), whatever
/// was planned: the first pass draws the capacities and counts the items done by each
/// sprint's end, up to completion. The second plans each sprint from those counts (the
/// commitment, the item held) and writes its row.
pub fn play_plain_into<R: rand::Rng>(
    m: &Model,
    plain: &Plain,
    mut capacity: R,
    ws: &mut Workspace,
    rows: &mut [[f64; N_SERIES]],
    record: &mut RunRecord,
) -> usize {
    let (items, whole, window, sprints) = (plain.items, plain.whole, plain.window, plain.sprints);
    let rows = &mut rows[..sprints];
    // Per sprint: its velocity, the items done by its end (`done_by[s + 1]`; `done_by[0]`
    // is 0) and the capacity value drawn (for the finish hours).
    let (velocities, done_by, picks) = ws.plain_buffers(sprints);
    let n_draws = plain.draws.len() as u32;

    // The draws, and the items done by each sprint's end.
    let mut done = 0i64;
    let mut played = sprints;
    let mut completion = None;
    done_by[0] = 0;
    for sprint in 0..sprints {
        let pick = if plain.bootstrap {
            capacity.random_range(0..n_draws)
        } else {
            0
        };
        picks[sprint] = pick;
        done = (done + plain.draws[pick as usize].items).min(items);
        done_by[sprint + 1] = done;
        if done == items {
            completion = Some(sprint as u32 + 1);
            played = sprint + 1;
            break;
        }
    }

    // The plan and the rows. `started`: whether the lane holds the next item at the
    // sprint's start (only after a sprint without capacity, and then none of it is done: its
    // remaining work is the whole size).
    let mut started = false;
    let (mut committed_total, mut done_committed_total, mut points_done) = (0.0, 0.0, 0.0);
    let mut before = 0i64; // Items done before the sprint.
    for sprint in 0..played {
        let after = done_by[sprint + 1];
        let finished = after - before;
        // Planning, as `play` plans with whole points: the item held, then new items while
        // they fit the commitment (factor × the mean velocity of the last n sprints).
        let n = sprint.min(window);
        let in_window = before - done_by[sprint - n];
        let held = started as i64;
        let spill = held * whole;
        let waiting = items - before - held;
        let quota = plain.quota(n, in_window);
        let committed_new = if quota >= 0 {
            // ⌊(⌊c⌋ − spill)⁺ / size⌋ with spill 0 or the size: the quota, or one fewer.
            (if started { (quota - 1).max(0) } else { quota }).min(waiting)
        } else {
            plain.committed_one_by_one(n, in_window, spill, waiting)
        };
        let points = spill + committed_new * whole;
        committed_total += points as f64;
        // Execution: the item held finishes first (a sprint with capacity has at least an
        // item's worth), then fresh ones; a sprint that finishes nothing with items left had
        // no capacity, and the lane takes the next item without progress on it.
        let done_committed = if finished > 0 {
            spill + (finished - held).min(committed_new) * whole
        } else {
            0
        };
        started = finished == 0 && before < items;
        let velocity = (finished * whole) as f64;
        velocities[sprint] = velocity;
        points_done += velocity;
        done_committed_total += done_committed as f64;
        put_row(
            &mut rows[sprint],
            [velocity, points as f64, done_committed as f64],
            items - after,
            started as i64,
        );
        before = after;
    }
    let mut written = played;
    if completion.is_some() && !m.scenario.simulation.stop_at_completion {
        // Sprints after completion: nothing to commit or do, and the totals stay.
        for s in played..sprints {
            put_row(&mut rows[s], [0.0; 3], 0, 0);
            velocities[s] = 0.0;
        }
        written = sprints;
    }
    let totals = Totals {
        completion,
        done,
        committed: committed_total,
        done_committed: done_committed_total,
        points_done,
    };
    // Item j finished in the first sprint s whose end saw more than j done: the k-th of that
    // sprint (k = j − done_by[s]) at hour base + t_k + step (t_0 = 0, t_(i+1) = t_i + step),
    // summed as `FinishRun::hour` sums it.
    let hours = m.sprint_hours;
    let by_end = &done_by[1..=played];
    let hour = |j: i64| {
        let s = by_end.partition_point(|&d| d <= j);
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
