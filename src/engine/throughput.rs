//! The throughput model (`simulation.model = "throughput"`): N items of one size worked one
//! after another at the sprint's capacity, as the Monte Carlo throughput forecasters do.
//!
//! It is the roles model with every friction off, reduced to what a forecast needs: the same
//! capacity stream, the same commitment rule, the same work-conserving lane arithmetic (so
//! completion sprints and lead times match the roles model run by run, which a test checks),
//! but no world, values, order or quality. A replication costs a few hundred nanoseconds.

use super::metrics::{idx, series, RunRecord, N_METRICS, N_SERIES};
use super::run::{velocity_cv, Workspace, FINISH_EPS};
use super::streams::{RunKeys, Source};
use crate::model::compiled::Model;
use crate::model::team;

/// Simulate one replication of a throughput scenario into a record and `ws.series`.
pub fn simulate_throughput(m: &Model, keys: &RunKeys, ws: &mut Workspace) -> RunRecord {
    let s = &m.scenario;
    let sim = &s.simulation;
    let items = s.backlog.initial_items as u64;
    let size = m.item_size;
    let hours = m.sprint_hours;
    // A lane within rounding error of the sprint's end starts nothing (as in the roles model).
    let end_of_work = hours - 1e-9 * hours;
    let snap = 1e-9 * hours;
    let mut capacity = keys.stream(Source::Capacity);
    let (velocities, leads, rows) = ws.throughput_buffers();
    velocities.clear();
    leads.clear();
    rows.clear();

    let mut done = 0u64;
    // The next item in line: in progress (started) with `remaining` work, or waiting.
    let mut started = false;
    let mut remaining = size;
    let mut committed_total = 0.0;
    let mut done_committed_total = 0.0;
    let mut points_done = 0.0;
    let mut completion = None;
    for sprint in 0..sim.sprints {
        let raw = m.capacity.sample(&mut capacity).max(0.0);
        let rate = raw / hours;
        let commitment = team::commitment(velocities, m.mean_capacity, &s.team);

        // Planning: the item in progress continues; new items while they fit the commitment.
        let spill = if started {
            size * (remaining / size).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let mut points = spill;
        let waiting = items - done - started as u64;
        let mut committed_new = 0;
        while committed_new < waiting && points < commitment && points + size <= commitment {
            points += size;
            committed_new += 1;
        }
        committed_total += points;

        // Execution: one lane, items in turn; the arithmetic is the roles model's.
        let base = sprint as f64 * hours;
        let fresh = size / rate;
        let mut t = 0.0;
        let mut velocity = 0.0;
        let mut done_committed = 0.0;
        let mut finished_new = 0;
        if rate <= 0.0 && done < items {
            started = true; // The lane takes the next item, but makes no progress on it.
        }
        while rate > 0.0 && done < items && t < end_of_work {
            let dt_finish = if started {
                remaining.max(0.0) / rate
            } else {
                fresh
            };
            let dt_end = hours - t;
            let finish_at = if dt_finish <= dt_end || dt_finish - dt_end <= snap {
                let at = base + t + dt_finish;
                t += dt_finish;
                Some(at)
            } else {
                let left = (if started { remaining } else { size }) - rate * dt_end;
                let at = base + t + dt_end;
                t += dt_end;
                if left <= FINISH_EPS {
                    Some(at)
                } else {
                    started = true;
                    remaining = left;
                    None
                }
            };
            let Some(hour) = finish_at else { break };
            leads.push(hour / sim.hours_per_day);
            velocity += size;
            if started {
                done_committed += spill;
            } else {
                if finished_new < committed_new {
                    done_committed += size;
                }
                finished_new += 1;
            }
            started = false;
            remaining = size;
            done += 1;
        }
        velocities.push(velocity);
        points_done += velocity;
        done_committed_total += done_committed;
        let mut row = [f64::NAN; N_SERIES];
        row[series::VELOCITY] = velocity;
        row[series::COMMITTED] = points;
        row[series::DONE] = done_committed;
        row[series::BACKLOG_SIZE] = (items - done) as f64;
        row[series::READY_ITEMS] = (items - done - started as u64) as f64;
        rows.push(row);
        if done == items && completion.is_none() {
            completion = Some(sprint + 1);
            if sim.stop_at_completion {
                break; // The rows end here: see `metrics::row_after_stop`.
            }
        }
    }

    let mut out = [f64::NAN; N_METRICS];
    if let Some(c) = completion {
        out[idx::COMPLETION_SPRINT] = c as f64;
        out[idx::RELEASE_DELAY] = c as f64 - s.release.planned_sprint.unwrap_or(0) as f64;
    }
    // Items finish one after another: the lead times are already in ascending order.
    out[idx::LEAD_P50] = percentile_of_sorted(leads, 0.50);
    out[idx::LEAD_P85] = percentile_of_sorted(leads, 0.85);
    out[idx::SAY_DO] = if committed_total > 0.0 {
        done_committed_total / committed_total
    } else {
        f64::NAN
    };
    out[idx::VELOCITY_CV] = velocity_cv(velocities);
    out[idx::POINTS_DONE] = points_done;
    out[idx::ITEMS_DONE] = done as f64;
    RunRecord { metrics: out }
}

/// The p-quantile of ascending values, interpolated as `run::percentile_in_place` does.
fn percentile_of_sorted(v: &[f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let h = (v.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let frac = h - lo as f64;
    if frac == 0.0 || lo + 1 >= v.len() {
        return v[lo];
    }
    v[lo] + frac * (v[lo + 1] - v[lo])
}
