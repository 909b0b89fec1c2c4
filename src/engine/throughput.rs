//! The throughput model (`simulation.model = "throughput"`): N items of one size worked one
//! after another at the sprint's capacity, as the Monte Carlo throughput forecasters do.
//!
//! It is the roles model with every friction off, reduced to what a forecast needs: the same
//! capacity stream, the same commitment rule, the same work-conserving lane arithmetic (so
//! completion sprints and lead times match the roles model run by run, which a test checks),
//! but no world, values, order or quality. A replication costs about 1.5 µs.

use super::metrics::{idx, series, velocity_cv, RunRecord, N_METRICS, N_SERIES};
use super::workspace::{FinishRun, Workspace};
use crate::model::compiled::Model;
use crate::model::team::{self, FINISH_EPS};
use crate::random::{RunKeys, Source};
use crate::scenario::dist::Sampler;
use crate::stats::quantile_by;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// What the scope of a throughput run is made of. Splits use the roles model's draws
/// (`Source::Split` keyed by the item's id, one draw per item), risks its strike sprints
/// (`Source::Risks`), so that a frictionless roles scenario with the same risks delivers
/// the same items in the same sprints (the roles model splits only the items it refines or
/// plans, so splits are checked against exact cases instead); split-rate samples, a scope
/// range and scope growth are the throughput model's own (`Source::Planning`, `Arrivals`).
struct Scope {
    initial: i64,
    /// Per risk (at most 32): the 0-based sprint it strikes in, or `u32::MAX`.
    strikes: [u32; 32],
    growth: Option<rand_chacha::ChaCha8Rng>,
}

/// Ids of risk items as the roles model numbers them (for their split draws).
const RISK_ID: u64 = crate::model::item::INTERNAL_ID | (2 << 32);
/// Ids of the items scope growth adds (the roles model has no such items): `GROWTH_ID | j`
/// for the j-th item of a sprint, the sprint being the draw's second key (packed into the id
/// it would run into the tag bits above 4 096 sprints, and sprint 8 193 would reuse sprint
/// 1's draws).
const GROWTH_ID: u64 = crate::model::item::INTERNAL_ID | (6 << 32);

impl Scope {
    fn new(m: &Model, keys: &RunKeys) -> Scope {
        let s = &m.scenario;
        let b = &s.backlog;
        let mut base = match &b.initial_items_range {
            None => b.initial_items as u64,
            Some(r) => scope_draw(r, keys.unit(Source::Planning, 1, 0)),
        };
        if !b.split_rate_samples.is_empty() {
            let u = keys.unit(Source::Planning, 0, 0);
            let k = ((u * b.split_rate_samples.len() as f64) as usize)
                .min(b.split_rate_samples.len() - 1);
            base = (base as f64 * b.split_rate_samples[k]).round().max(1.0) as u64;
        }
        let initial = if b.split_rate > 0.0 {
            (0..base).map(|id| splits(m, keys, id, 0)).sum::<i64>()
        } else {
            base as i64
        };
        let strikes = super::world::risk_strikes(s, keys, 0);
        Scope {
            initial,
            strikes,
            growth: m
                .scope_growth
                .as_ref()
                .map(|_| keys.stream(Source::Arrivals)),
        }
    }

    /// Items added to the scope at the start of `sprint` (0-based): scope growth (from the
    /// second sprint on, as the roles model's arrivals) and the risks that strike.
    #[inline]
    fn added_in(&mut self, m: &Model, sprint: u32, keys: &RunKeys) -> i64 {
        let mut added = 0;
        if sprint > 0 {
            if let (Some(rng), Some(growth)) = (self.growth.as_mut(), &m.scope_growth) {
                let n = growth.sample(rng).round().max(0.0) as u64;
                for j in 0..n {
                    added += splits(m, keys, GROWTH_ID | j, sprint as u64);
                }
            }
        }
        if !m.scenario.risks.is_empty() {
            for (i, risk) in m.scenario.risks.iter().enumerate().take(32) {
                if self.strikes[i] == sprint {
                    for j in 0..risk.added_items as u64 {
                        added += splits(m, keys, RISK_ID | ((i as u64) << 20) | j, 0);
                    }
                }
            }
        }
        added
    }
}

/// The item count of a scope range for a uniform draw `u` in [0, 1): whole numbers from
/// ⌈min⌉ to ⌊max⌋ equally likely, or one of the empirical values (rounded).
fn scope_draw(r: &crate::scenario::Dist, u: f64) -> u64 {
    use crate::scenario::Dist;
    let pick = |lo: f64, n: f64| lo + (u * n).floor().min(n - 1.0);
    let x = match r {
        Dist::Uniform { min, max } => {
            let lo = min.ceil();
            pick(lo, max.floor() - lo + 1.0)
        }
        Dist::Empirical { values } => values[pick(0.0, values.len() as f64) as usize].round(),
        Dist::Constant { value } => value.round(),
        _ => unreachable!("validated: a scope range is uniform, empirical or constant"),
    };
    x.max(0.0) as u64
}

/// 1, or `split_into` when the item with this id splits (one draw per item).
#[inline]
fn splits(m: &Model, keys: &RunKeys, id: u64, index: u64) -> i64 {
    let b = &m.scenario.backlog;
    if b.split_rate > 0.0 && keys.unit(Source::Split, id, index) < b.split_rate {
        b.split_into as i64
    } else {
        1
    }
}

/// The sources whose keyed draws a throughput scenario makes (none for a plain forecast):
/// the fast lane computes only these keys ([`RunKeys::for_sources`]).
pub fn keyed_sources(m: &Model) -> Vec<Source> {
    let b = &m.scenario.backlog;
    let mut out = Vec::new();
    if b.initial_items_range.is_some() || !b.split_rate_samples.is_empty() {
        out.push(Source::Planning);
    }
    if b.split_rate > 0.0 {
        out.push(Source::Split);
    }
    if !m.scenario.risks.is_empty() {
        out.push(Source::Risks);
    }
    out
}

/// Whether items of this size have whole points (unit items above all), so that sums of
/// points are exact and the item-by-item loops of [`play`] have closed forms.
pub fn whole_size(size: f64) -> bool {
    (1.0..1e9).contains(&size) && (size as i64) as f64 == size
}

/// Simulate one replication of a throughput scenario into a record and `ws.series`.
pub fn simulate_throughput(m: &Model, keys: &RunKeys, ws: &mut Workspace) -> RunRecord {
    let mut rows = std::mem::take(&mut ws.series);
    rows.clear();
    rows.resize(m.scenario.simulation.sprints as usize, [f64::NAN; N_SERIES]);
    let (record, n) = play(m, keys, keys.stream(Source::Capacity), ws, &mut rows);
    rows.truncate(n);
    ws.series = rows;
    record
}

/// The fast lane: one replication with its capacity stream given (made from a template,
/// see [`crate::random::RunKeys::stream_from`]), its rows written straight into `rows` (at
/// least a row per sprint of the horizon, NaN in every series but the model's
/// [`super::metrics::THROUGHPUT_SERIES`], which are the only ones written). Returns the
/// record and the number of rows written (fewer than the horizon when the run stopped at
/// completion).
///
/// Work is counted per sprint rather than per item: the item in progress finishes if its
/// remaining work fits the sprint's capacity, then as many fresh items as fit, then the next
/// one starts if any time is left. The tolerances are the roles model's (a finish within
/// 10⁻⁹ of the sprint's hours counts, no item starts in its last 10⁻⁹), so the counts agree
/// with the roles model's event-by-event lanes, and finish hours, summed as its lane sums
/// them, agree to the bit.
pub fn play(
    m: &Model,
    keys: &RunKeys,
    mut capacity: ChaCha8Rng,
    ws: &mut Workspace,
    rows: &mut [[f64; N_SERIES]],
) -> (RunRecord, usize) {
    let s = &m.scenario;
    let sim = &s.simulation;
    // Counts are i64: converting them to f64 is one instruction (u64 takes several).
    // The scope: the initial items, times a split-rate sample, plus the parts of items that
    // split; scope growth and risks add to it sprint by sprint (see `Scope`).
    let mut scope = Scope::new(m, keys);
    let mut items = scope.initial;
    let size = m.item_size;
    // Whole item sizes (unit items above all): points are whole numbers, sums of them exact,
    // so the item-by-item loops below have closed forms that give the same bits.
    let whole = whole_size(size);
    let hours = m.sprint_hours;
    // A lane within rounding error of the sprint's end starts nothing (as in the roles model).
    let end_of_work = hours - 1e-9 * hours;
    let (velocities, finishes) = ws.throughput_buffers();
    velocities.clear();
    finishes.clear();
    let mut written = 0;
    // With whole item sizes every velocity is a whole number: the sum of the last `window`
    // ones is kept as it goes (exact, so the same as `team::commitment`'s sum).
    let window = s.team.velocity_window as usize;
    let mut window_sum = 0i64;

    let mut done = 0i64;
    // The next item in line: in progress (started) with `remaining` work, or waiting.
    let mut started = false;
    let mut remaining = size;
    let mut committed_total = 0.0;
    let mut done_committed_total = 0.0;
    let mut points_done = 0.0;
    let mut completion = None;
    for sprint in 0..sim.sprints {
        items += scope.added_in(m, sprint, keys);
        let raw = match &m.capacity {
            // The bootstrap, inline: the same draw as `Sampler::sample`'s.
            Sampler::Empirical(values) => {
                values[capacity.random_range(0..values.len() as u32) as usize]
            }
            other => other.sample(&mut capacity),
        }
        .max(0.0);
        let rate = raw / hours;
        let commitment = if whole {
            // `team::commitment` without the window's rescan: whole velocities sum exactly.
            match velocities.len().min(window) {
                0 => s.team.commitment_factor * m.mean_capacity,
                n => s.team.commitment_factor * (window_sum as f64 / n as f64),
            }
        } else {
            team::commitment(velocities, m.mean_capacity, &s.team)
        };

        // Planning: the item in progress continues; new items while they fit the commitment.
        let spill = if started {
            size * (remaining / size).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let mut points = spill;
        let waiting = items - done - started as i64;
        let mut committed_new = 0;
        // (Casts, not `floor` or `fract`: without SSE4.1 those are library calls.)
        let whole_points = points as i64;
        if whole
            && whole_points as f64 == points
            && (0.0..1e15).contains(&points)
            && (0.0..1e15).contains(&commitment)
        {
            // The loop below, closed: the largest n with points + n·size ≤ commitment, all
            // in exact integer arithmetic (so points + n·size is the loop's sum). Truncation
            // is the floor for commitment ≥ 0.
            let room = (commitment as i64 - whole_points).max(0);
            let per = if size == 1.0 {
                room
            } else {
                room / size as i64
            };
            committed_new = per.min(waiting).max(0);
            if committed_new > 0 {
                points += (committed_new as f64) * size;
            }
        } else {
            while committed_new < waiting && points < commitment && points + size <= commitment {
                points += size;
                committed_new += 1;
            }
        }
        committed_total += points;

        // Execution: `avail` points of work left in the sprint, the lane at hour `t`. Counts
        // come from the points; hours are summed item by item as the roles model's lane does,
        // so finish hours (and lead times) are the same to the last bit.
        let base = sprint as f64 * hours;
        let slack = (1e-9 * raw).max(FINISH_EPS);
        let mut avail = raw;
        let mut t = 0.0;
        let mut velocity = 0.0;
        let mut done_committed = 0.0;
        if done < items && rate <= 0.0 {
            started = true; // The lane takes the next item, but makes no progress on it.
        } else if done < items {
            if started {
                if remaining - avail <= slack {
                    let dt = remaining / rate;
                    finishes.push(FinishRun {
                        first: done,
                        count: 1,
                        base,
                        t0: 0.0,
                        step: dt,
                    });
                    t = dt;
                    avail -= remaining;
                    done += 1;
                    velocity += size;
                    done_committed += spill;
                    started = false;
                    remaining = size;
                } else {
                    remaining -= rate * hours;
                    avail = 0.0;
                }
            }
            if !started && done < items {
                // Truncation is the floor here (a negative count is clamped to 0).
                let fit = (((avail + slack) / size) as i64).clamp(0, items - done);
                if fit > 0 {
                    let fresh = size / rate;
                    finishes.push(FinishRun {
                        first: done,
                        count: fit,
                        base,
                        t0: t,
                        step: fresh,
                    });
                    // `t` from here on only decides whether the next item starts (t before
                    // the end of the sprint) and, if so, its remaining work. When this run
                    // ends the scope, or ends past the end of the sprint by more than the
                    // rounding of the sum (at most fit + 2 half-ulps of it), neither is
                    // asked: the item-by-item sum is skipped.
                    let approx = t + fit as f64 * fresh;
                    if done + fit == items
                        || approx - (fit as f64 + 4.0) * approx * 4e-16 > end_of_work
                    {
                        t = approx;
                    } else {
                        for _ in 0..fit {
                            t += fresh;
                        }
                    }
                    if whole {
                        velocity += fit as f64 * size; // Exact: whole numbers below 2⁵³.
                    } else {
                        for _ in 0..fit {
                            velocity += size;
                        }
                    }
                    done += fit;
                    done_committed += fit.min(committed_new) as f64 * size;
                }
                // The lane starts the next item unless the sprint is (within rounding) over.
                if done < items && t < end_of_work {
                    started = true;
                    remaining = size - rate * (hours - t);
                }
            }
        }
        velocities.push(velocity);
        if whole {
            window_sum += velocity as i64;
            if velocities.len() > window {
                window_sum -= velocities[velocities.len() - 1 - window] as i64;
            }
        }
        points_done += velocity;
        done_committed_total += done_committed;
        // The model's series only: the others are NaN already (see above).
        put_row(
            &mut rows[written],
            [velocity, points, done_committed],
            items - done,
            started as i64,
        );
        written += 1;
        if done == items && completion.is_none() {
            completion = Some(sprint + 1);
            if sim.stop_at_completion {
                break; // The rows end here: see `metrics::row_after_stop`.
            }
        }
    }

    let totals = Totals {
        completion,
        done,
        committed: committed_total,
        done_committed: done_committed_total,
        points_done,
    };
    (record(m, totals, velocities, finishes), written)
}

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
        (!draws.is_empty() && draws.len() < u32::MAX as usize).then_some(Plain {
            draws,
            bootstrap,
            size,
            whole: size as i64,
        })
    }
}

/// [`play`] for the plain case ([`Plain`]): the same arguments, the same record and rows to
/// the bit, with whole-number state. The capacity stream is drawn from as [`play`] draws
/// (one bootstrap index a sprint, nothing for a fixed capacity).
pub fn play_plain(
    m: &Model,
    plain: &Plain,
    mut capacity: ChaCha8Rng,
    ws: &mut Workspace,
    rows: &mut [[f64; N_SERIES]],
) -> (RunRecord, usize) {
    let s = &m.scenario;
    let sim = &s.simulation;
    let items = s.backlog.initial_items as i64;
    let (size, whole) = (plain.size, plain.whole);
    let hours = m.sprint_hours;
    let (velocities, finishes) = ws.throughput_buffers();
    velocities.clear();
    finishes.clear();
    let window = s.team.velocity_window as usize;
    let mut window_sum = 0i64;
    // The velocities in the window (at most `window`), and the first commitment.
    let mut in_window = 0usize;
    let factor = s.team.commitment_factor;
    let first_commitment = factor * m.mean_capacity;
    let mut done = 0i64;
    // Whether the lane holds the next item: only after a sprint without capacity, and then
    // none of it is done (its remaining work is the whole size).
    let mut started = false;
    let mut written = 0;
    let (mut committed_total, mut done_committed_total, mut points_done) = (0.0, 0.0, 0.0);
    let mut completion = None;
    let n_draws = plain.draws.len() as u32;
    for sprint in 0..sim.sprints {
        let draw = if plain.bootstrap {
            plain.draws[capacity.random_range(0..n_draws) as usize]
        } else {
            plain.draws[0]
        };
        // Planning, as `play` plans with whole points: the item held, then new items while
        // they fit the commitment.
        let commitment = match in_window {
            0 => first_commitment,
            n => factor * (window_sum as f64 / n as f64),
        };
        let spill = if started { whole } else { 0 };
        let waiting = items - done - started as i64;
        let committed_new = if (0.0..1e15).contains(&commitment) {
            let room = (commitment as i64 - spill).max(0);
            let per = if whole == 1 { room } else { room / whole };
            per.min(waiting).max(0)
        } else {
            // `play`'s loop for a commitment out of the closed form's range.
            let (mut points, mut n) = (spill as f64, 0);
            while n < waiting && points < commitment && points + size <= commitment {
                points += size;
                n += 1;
            }
            n
        };
        let points = spill + committed_new * whole;
        committed_total += points as f64;

        // Execution: the item held finishes first (it is all left to do, and a sprint with
        // capacity has at least an item's worth), then as many fresh items as the capacity
        // holds; the last ends the sprint (within rounding), so none is left part-done.
        let base = sprint as f64 * hours;
        let mut finished = 0;
        let mut done_committed = 0;
        if done < items && draw.items == 0 {
            started = true; // The lane takes the next item, but makes no progress on it.
        } else if done < items {
            let mut t = 0.0;
            let mut avail = draw.items;
            if started {
                finishes.push(FinishRun {
                    first: done,
                    count: 1,
                    base,
                    t0: 0.0,
                    step: draw.fresh,
                });
                t = draw.fresh;
                avail -= 1;
                done += 1;
                finished += 1;
                done_committed += spill;
                started = false;
            }
            let fit = avail.min(items - done);
            if fit > 0 {
                finishes.push(FinishRun {
                    first: done,
                    count: fit,
                    base,
                    t0: t,
                    step: draw.fresh,
                });
                done += fit;
                finished += fit;
                done_committed += fit.min(committed_new) * whole;
            }
        }
        let velocity = finished * whole;
        velocities.push(velocity as f64);
        window_sum += velocity;
        if in_window == window {
            window_sum -= velocities[velocities.len() - 1 - window] as i64;
        } else {
            in_window += 1;
        }
        points_done += velocity as f64;
        done_committed_total += done_committed as f64;
        put_row(
            &mut rows[written],
            [velocity as f64, points as f64, done_committed as f64],
            items - done,
            started as i64,
        );
        written += 1;
        if done == items && completion.is_none() {
            completion = Some(sprint + 1);
            if sim.stop_at_completion {
                break;
            }
        }
    }
    let totals = Totals {
        completion,
        done,
        committed: committed_total,
        done_committed: done_committed_total,
        points_done,
    };
    (record(m, totals, velocities, finishes), written)
}

/// A sprint's row of the series both lanes write: velocity, committed and done points, the
/// items left and, of them, those not started.
#[inline(always)]
fn put_row(row: &mut [f64], [velocity, committed, done]: [f64; 3], left: i64, started: i64) {
    row[series::VELOCITY] = velocity;
    row[series::COMMITTED] = committed;
    row[series::DONE] = done;
    row[series::BACKLOG_SIZE] = left as f64;
    row[series::READY_ITEMS] = (left - started) as f64;
}

/// What a run adds up to, for its record.
struct Totals {
    completion: Option<u32>,
    done: i64,
    committed: f64,
    done_committed: f64,
    points_done: f64,
}

/// The run's record from its totals, velocities and finish runs (both lanes).
fn record(m: &Model, t: Totals, velocities: &[f64], finishes: &[FinishRun]) -> RunRecord {
    let s = &m.scenario;
    let sim = &s.simulation;
    let (completion, done) = (t.completion, t.done);
    let mut out = [f64::NAN; N_METRICS];
    if let Some(c) = completion {
        out[idx::COMPLETION_SPRINT] = c as f64;
        out[idx::RELEASE_DELAY] = c as f64 - s.release.planned_sprint.unwrap_or(0) as f64;
    }
    let lead = |j: i64| -> f64 {
        let r = &finishes[finishes.partition_point(|r| r.first + r.count <= j)];
        r.hour(j - r.first) / sim.hours_per_day
    };
    // Items finish one after another: the k-th smallest lead time is item k's.
    out[idx::LEAD_P50] = quantile_by(done as u64, 0.50, |k| lead(k as i64));
    out[idx::LEAD_P85] = quantile_by(done as u64, 0.85, |k| lead(k as i64));
    out[idx::SAY_DO] = if t.committed > 0.0 {
        t.done_committed / t.committed
    } else {
        f64::NAN
    };
    out[idx::VELOCITY_CV] = velocity_cv(velocities);
    out[idx::POINTS_DONE] = t.points_done;
    out[idx::ITEMS_DONE] = done as f64;
    RunRecord { metrics: out }
}

#[cfg(test)]
mod growth_tests {
    use super::*;
    use crate::scenario::load::load_scenario;

    /// Scope growth's split draws are keyed by sprint and item, with no overlap at any sprint
    /// the limits allow (20 000 with `--allow-large`): sprint 8 193's growth items once reused
    /// sprint 1's draws, and sprint 1's differ from sprint 2's.
    #[test]
    fn growth_items_of_different_sprints_split_on_their_own_draws() {
        let mut s = load_scenario("forecast").unwrap();
        s.backlog.split_rate = 0.5;
        s.backlog.scope_growth = Some(crate::scenario::Dist::Constant { value: 1.0 });
        let m = Model::new(&s);
        let (mut same_far, mut same_near) = (0, 0);
        for r in 0..400 {
            let keys = RunKeys::new(7, r);
            let mut scope = Scope::new(&m, &keys);
            let mut at = |sprint: u32| scope.added_in(&m, sprint, &keys);
            let (one, two, far) = (at(1), at(2), at(8193));
            same_far += (one == far) as u32;
            same_near += (one == two) as u32;
        }
        // Independent draws agree in half the runs (SD 10 of 400); the same draw in all.
        for (what, same) in [("8193", same_far), ("2", same_near)] {
            assert!(
                (140..260).contains(&same),
                "sprint 1 and sprint {what} split alike in {same} of 400 runs"
            );
        }
    }
}

#[cfg(test)]
mod plain_tests {
    use super::*;
    use crate::scenario::load::load_scenario;
    use crate::scenario::{Dist, Scenario};
    use proptest::prelude::*;

    fn forecast(f: impl FnOnce(&mut Scenario)) -> Model {
        let mut s = load_scenario("forecast").unwrap();
        f(&mut s);
        Model::new(&s)
    }

    fn empirical(values: &[f64]) -> Dist {
        Dist::Empirical {
            values: values.to_vec(),
        }
    }

    /// Both lanes on replication r: records and rows, bit for bit.
    fn same_bits(m: &Model, plain: &Plain, seed: u64, r: u64) {
        let keys = RunKeys::new(seed, r);
        let horizon = m.scenario.simulation.sprints as usize;
        let mut ws = Workspace::new();
        let mut a = vec![[f64::NAN; N_SERIES]; horizon];
        let mut b = a.clone();
        let (ra, na) = play(m, &keys, keys.stream(Source::Capacity), &mut ws, &mut a);
        let (rb, nb) = play_plain(m, plain, keys.stream(Source::Capacity), &mut ws, &mut b);
        assert_eq!(na, nb, "rows, replication {r}");
        let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&ra.metrics),
            bits(&rb.metrics),
            "record, replication {r}"
        );
        assert_eq!(
            bits(a.as_flattened()),
            bits(b.as_flattened()),
            "rows, replication {r}"
        );
    }

    #[test]
    fn the_plain_case_is_a_fixed_scope_of_whole_items_at_whole_capacities() {
        let plain = |f: &dyn Fn(&mut Scenario)| Plain::of(&forecast(f)).is_some();
        assert!(plain(&|_| {}));
        assert!(plain(&|s| s.team.capacity = Dist::Constant { value: 7.0 }));
        assert!(plain(&|s| s.team.capacity = empirical(&[0.0, 3.0, 9.0])));
        assert!(plain(&|s| {
            s.backlog.size = Dist::Constant { value: 2.0 };
            s.team.capacity = empirical(&[0.0, 4.0, 6.0]);
        }));
        // A capacity that leaves an item part-done at a sprint's end, or drawn otherwise.
        assert!(!plain(&|s| s.team.capacity = empirical(&[3.5, 4.0])));
        assert!(!plain(&|s| {
            s.backlog.size = Dist::Constant { value: 2.0 };
            s.team.capacity = empirical(&[3.0, 4.0]);
        }));
        assert!(!plain(&|s| s.team.capacity = Dist::Constant { value: 2e6 }));
        assert!(!plain(
            &|s| s.team.capacity = Dist::Uniform { min: 2.0, max: 8.0 }
        ));
        // Anything that changes the scope, or items of a fractional size.
        assert!(!plain(&|s| s.backlog.split_rate = 0.2));
        assert!(!plain(
            &|s| s.backlog.scope_growth = Some(Dist::Constant { value: 1.0 })
        ));
        assert!(!plain(
            &|s| s.backlog.initial_items_range = Some(empirical(&[40.0, 60.0]))
        ));
        assert!(!plain(&|s| s.backlog.size = Dist::Constant { value: 1.5 }));
        assert!(!plain(
            &|s| s.simulation.model = crate::scenario::ModelKind::Roles
        ));
    }

    #[test]
    fn the_plain_lane_gives_the_bits_of_the_general_lane_on_the_shipped_forecasts() {
        let peer = load_scenario(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/benches/peer/forecast-120.toml"
        ))
        .unwrap();
        let team = load_scenario(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/examples/team-forecast.toml"
        ))
        .unwrap();
        for s in [load_scenario("forecast").unwrap(), peer, team] {
            let m = Model::new(&s);
            let plain = Plain::of(&m).expect("a plain forecast");
            for r in 0..2000 {
                same_bits(&m, &plain, 7, r);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn the_plain_lane_gives_the_bits_of_the_general_lane(
            caps in prop::collection::vec(0u32..12, 1..8),
            fixed in any::<bool>(),
            size in 1u32..4,
            items in 0u32..400,
            sprints in 1u32..80,
            stop in any::<bool>(),
            window in 1u32..8,
            factor in prop::sample::select(vec![0.0, 0.5, 0.9, 1.0, 1.3, 3.0, 1e16]),
            sprint_days in 1u32..15,
            seed in any::<u64>(),
        ) {
            let m = forecast(|s| {
                let values: Vec<f64> = caps.iter().map(|&c| (c * size) as f64).collect();
                s.team.capacity = if fixed {
                    Dist::Constant { value: values[0] }
                } else {
                    empirical(&values)
                };
                s.backlog.size = Dist::Constant { value: size as f64 };
                s.backlog.initial_items = items;
                s.simulation.sprints = sprints;
                s.simulation.stop_at_completion = stop;
                s.simulation.sprint_days = sprint_days;
                s.team.velocity_window = window;
                s.team.commitment_factor = factor;
            });
            let plain = Plain::of(&m).expect("a plain forecast");
            for r in 0..20 {
                same_bits(&m, &plain, seed, r);
            }
        }
    }
}
