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

/// The run's record from its totals, velocities and finish runs (the general lane).
fn record(m: &Model, t: Totals, velocities: &[f64], finishes: &[FinishRun]) -> RunRecord {
    let mut out = RunRecord {
        metrics: [f64::NAN; N_METRICS],
    };
    let hour = |j: i64| {
        let r = &finishes[finishes.partition_point(|r| r.first + r.count <= j)];
        r.hour(j - r.first)
    };
    let leads = lead_quantiles(m, t.done, hour);
    fill_record(&mut out.metrics, m, t, velocity_cv(velocities), leads);
    out
}

/// The lead times (in days) of a run's record, P50 and P85, from `hour(j)`, the hour at
/// which item j (0-based, in the order finished) finished.
fn lead_quantiles(m: &Model, done: i64, mut hour: impl FnMut(i64) -> f64) -> [f64; 2] {
    let mut lead = |j: i64| -> f64 { hour(j) / m.scenario.simulation.hours_per_day };
    // Items finish one after another: the k-th smallest lead time is item k's.
    [
        quantile_by(done as u64, LEAD_QUANTILES[0], |k| lead(k as i64)),
        quantile_by(done as u64, LEAD_QUANTILES[1], |k| lead(k as i64)),
    ]
}

/// The quantiles of the lead times a record holds (`LEAD_P50`, `LEAD_P85`).
const LEAD_QUANTILES: [f64; 2] = [0.50, 0.85];

/// A run's record (both lanes) from its totals, the coefficient of variation of its
/// velocities (`metrics::velocity_cv`) and its lead-time quantiles ([`lead_quantiles`]).
#[inline]
fn fill_record(
    out: &mut [f64; N_METRICS],
    m: &Model,
    t: Totals,
    velocity_cv: f64,
    [lead_p50, lead_p85]: [f64; 2],
) {
    let s = &m.scenario;
    let (completion, done) = (t.completion, t.done);
    *out = [f64::NAN; N_METRICS];
    if let Some(c) = completion {
        out[idx::COMPLETION_SPRINT] = c as f64;
        out[idx::RELEASE_DELAY] = c as f64 - s.release.planned_sprint.unwrap_or(0) as f64;
    }
    out[idx::LEAD_P50] = lead_p50;
    out[idx::LEAD_P85] = lead_p85;
    out[idx::SAY_DO] = if t.committed > 0.0 {
        t.done_committed / t.committed
    } else {
        f64::NAN
    };
    out[idx::VELOCITY_CV] = velocity_cv;
    out[idx::POINTS_DONE] = t.points_done;
    out[idx::ITEMS_DONE] = done as f64;
}

mod plain;
pub use plain::{play_plain, play_plain_into, play_plain_pair, Plain, PlainRow};

#[cfg(test)]
mod edge_tests;
#[cfg(test)]
mod exact_tests;
#[cfg(test)]
mod growth_tests;
#[cfg(test)]
mod plain_tests;
