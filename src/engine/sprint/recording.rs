//! Recording a run's metrics: the run's totals turned into its [`RunRecord`].

use super::Run;
use crate::engine::metrics::{idx, series, velocity_cv, RunRecord, N_METRICS};
use crate::engine::trace::Tracer;
use crate::model::item::{Status, INTERNAL_ID};

impl<'a, T: Tracer> Run<'a, T> {
    /// Value flows, and the run's metrics.
    pub(super) fn finish(self, oracle_value: Option<f64>) -> RunRecord {
        let s = &self.m.scenario;
        let ws = self.ws;
        let t = &self.t;
        let k = self.themes;
        let hours = self.hours;
        let day = s.simulation.hours_per_day;
        let sprints = s.simulation.sprints as usize;
        let warmup = self.warmup as usize;

        // Value: per theme, the running sum of active coefficients times the weight.
        let mut value = 0.0;
        let discount = 1.0 / (1.0 + s.simulation.discount_rate);
        let mut d = 1.0;
        let mut active = [0.0f64; 64];
        // The value the product earns in the reported sprints and the tail, from everything
        // released so far (warm-up releases included: they are the product the year starts
        // with, and a team that delivered well before sprint 1 keeps earning from it).
        for sprint in 0..self.flow_len {
            let mut flow = 0.0;
            let coef = &ws.flow_coef[sprint * k..(sprint + 1) * k];
            let weights = &ws.world.market[sprint * k..(sprint + 1) * k];
            for ((a, c), w) in active.iter_mut().zip(coef).zip(weights) {
                *a += c;
                flow += *a * w;
            }
            if sprint < warmup {
                continue;
            }
            value += flow * d;
            d *= discount;
            if sprint - warmup < sprints {
                ws.series[sprint - warmup][series::CUMULATIVE_VALUE] = value;
            }
        }

        let mut out = [f64::NAN; N_METRICS];
        let planned = s.release.planned_sprint.unwrap_or(0) as f64;
        if let Some(c) = t.completion {
            out[idx::COMPLETION_SPRINT] = c as f64;
            out[idx::RELEASE_DELAY] = c as f64 - planned;
        }
        // Lead times of delivered backlog work, and decision wait over cycle time; with them
        // the world items for the top decile by true value (lead time censored at the
        // horizon). One pass over the items: the backlog outgrows the cache, so a second
        // pass would fetch every item again.
        ws.lead.clear();
        ws.by_value.clear();
        let mut blocked = 0.0;
        let mut cycle = 0.0;
        for (i, item) in ws.items.iter().enumerate() {
            let done = item.status == Status::Done;
            let reported = item.finish_sprint >= self.warmup;
            if done && item.is_backlog_work() && reported {
                ws.lead
                    .push((item.finish_hour - item.created as f64 * hours) / day);
                blocked += item.blocked_hours;
                cycle += item.finish_hour - item.start_hour;
            }
            let before = done && !reported;
            if item.id < INTERNAL_ID && !before {
                ws.by_value.push((item.value, i as u32));
            }
        }
        out[idx::LEAD_P50] = percentile_in_place(&mut ws.lead, 0.50);
        out[idx::LEAD_P85] = percentile_in_place(&mut ws.lead, 0.85);
        out[idx::DECISION_WAIT] = ratio(blocked.min(cycle), cycle);
        let n_top = ws.by_value.len().div_ceil(10);
        if n_top > 0 {
            let by = |a: &(f64, u32), b: &(f64, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
            if ws.by_value.len() > n_top {
                ws.by_value.select_nth_unstable_by(n_top - 1, by);
            }
            let horizon = (warmup + sprints) as f64 * hours;
            let sum: f64 = ws.by_value[..n_top]
                .iter()
                .map(|&(_, i)| {
                    let it = &ws.items[i as usize];
                    let end = if it.status == Status::Done {
                        it.finish_hour
                    } else {
                        horizon
                    };
                    (end - it.created as f64 * hours) / day
                })
                .sum();
            out[idx::TOP_VALUE_LEAD] = sum / n_top as f64;
        }
        // After a warm-up, work done before sprint 1 can be wasted in the year (an item
        // started in the warm-up and dropped later), so the share is capped at 1.
        let lost = ratio(t.context_lost + t.waste + t.rework, t.nominal_capacity);
        out[idx::CAPACITY_LOST] = if lost > 1.0 { 1.0 } else { lost };
        out[idx::SAY_DO] = ratio(t.done_committed_total, t.committed_total);
        out[idx::VELOCITY_CV] = velocity_cv(&ws.velocities[self.reported_from..]);
        out[idx::VALUE_REALIZED] = value;
        let oracle = oracle_value.unwrap_or(value);
        out[idx::VALUE_EFFICIENCY] = if oracle > 0.0 {
            value / oracle
        } else {
            f64::NAN
        };
        out[idx::COST_OF_DELAY] = oracle - value;
        let points = t.feature_points + t.enabler_points;
        out[idx::ESCAPED_PER_POINT] = ratio(t.escaped as f64, points);
        // Capped at 1 for the same reason as the capacity lost (warm-up work reworked).
        let rework = ratio(t.rework, t.worked);
        out[idx::REWORK_SHARE] = if rework > 1.0 { 1.0 } else { rework };
        out[idx::WRONG_BUILD_RATE] = ratio(t.wrong_builds as f64, t.builds as f64);
        out[idx::ON_STRATEGY] = ratio(t.on_strategy_points, points);
        out[idx::RANKING_TAU] = ratio(t.tau_sum, t.tau_n as f64);
        out[idx::PRIORITY_CHURN] = ratio(t.churn_sum, t.churn_n as f64);
        out[idx::TECH_DEBT_END] = self.debt;
        out[idx::ENABLER_SHARE] = ratio(t.enabler_points, points);
        out[idx::POINTS_DONE] = points;
        out[idx::ITEMS_DONE] = t.items_done as f64;
        out[idx::DEFECTS] = t.defects as f64;
        out[idx::ESCAPED] = t.escaped as f64;
        out[idx::UNREADY_SHARE] = ratio(t.committed_unready as f64, t.committed_items as f64);
        RunRecord { metrics: out }
    }
}

pub(super) fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        f64::NAN
    }
}

/// The p-quantile (linear interpolation between order statistics) of `v`, reordering it.
pub(super) fn percentile_in_place(v: &mut [f64], p: f64) -> f64 {
    let mut lower: Option<usize> = None;
    crate::stats::quantile_by(v.len() as u64, p, |k| match lower {
        // Selecting the lower neighbour leaves everything above it after it.
        None => {
            lower = Some(k as usize);
            *v.select_nth_unstable_by(k as usize, |x, y| x.total_cmp(y))
                .1
        }
        Some(lo) => v[lo + 1..].iter().cloned().fold(f64::INFINITY, f64::min),
    })
}
