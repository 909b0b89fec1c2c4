//! The plain-case lane of the throughput model: whole-number state for the simplest and
//! most common forecast ([`Plain`], [`play_plain`]).

use super::*;

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
