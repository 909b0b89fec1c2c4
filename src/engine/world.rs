//! The world of one replication: the market's true theme weights and every world backlog
//! item (the initial backlog and all arrivals). It depends only on the world's parameters
//! and the replication's streams, so the scenarios of a comparison and their oracle, which
//! share both, generate it once and each take a copy.

use crate::model::compiled::Model;
use crate::model::item::{BacklogItem, MAX_QUESTIONS};
use crate::model::market;
use crate::random::{RunKeys, Source};
use rand_distr::{Distribution, Poisson};
use std::sync::Arc;

/// The sprint (0-based) in which each of the first 32 risks strikes in this replication, or
/// `u32::MAX` for a risk that does not: whether it strikes, then where in its window, from
/// the `Risks` stream. The roles and the throughput model draw them alike, so a forecast's
/// risks strike when its frictionless roles twin's do. `warmup` shifts the window by the
/// roles model's warm-up sprints (0 for the throughput model).
pub(crate) fn risk_strikes(
    s: &crate::scenario::Scenario,
    keys: &RunKeys,
    warmup: u32,
) -> [u32; 32] {
    let mut strikes = [u32::MAX; 32];
    for (i, risk) in s.risks.iter().enumerate().take(32) {
        if keys.unit(Source::Risks, i as u64, 0) < risk.probability {
            let first = risk.first_sprint.saturating_sub(1);
            let last = risk
                .last_sprint
                .saturating_sub(1)
                .min(s.simulation.sprints - 1);
            let (first, last) = (first + warmup, last + warmup);
            if first <= last {
                let span = (last - first + 1) as f64;
                strikes[i] = first
                    + ((keys.unit(Source::Risks, i as u64, 1) * span) as u32).min(last - first);
            }
        }
    }
    strikes
}

#[derive(Debug, Default)]
pub struct World {
    key: Option<(Arc<str>, RunKeys)>,
    /// True theme weights, row-major sprint × theme, over the horizon plus the value tail.
    pub market: Vec<f64>,
    /// Market shocks as (sprint, theme, factor).
    pub shocks: Vec<(u32, u16, f64)>,
    /// World items in order of creation.
    pub items: Vec<BacklogItem>,
    /// `items[sprint_start[s]..sprint_start[s + 1]]` were created in sprint s.
    pub sprint_start: Vec<u32>,
    /// Per world item (by id) and question, the decision latency draw, made on first use:
    /// every scenario of the world draws the same one.
    pub question_draws: Vec<QuestionDraw>,
}

/// A question's latency normal z, and e^(σ·z) for the last σ asked (z NaN: not drawn yet).
#[derive(Debug, Clone, Copy)]
pub struct QuestionDraw {
    pub z: f64,
    pub sigma: f64,
    pub factor: f64,
}

impl QuestionDraw {
    const NONE: QuestionDraw = QuestionDraw {
        z: f64::NAN,
        sigma: f64::NAN,
        factor: f64::NAN,
    };
}

impl World {
    /// Make this the world of `model` in the replication of `keys` (a no-op if it already is).
    pub fn prepare(&mut self, m: &Model, keys: &RunKeys) {
        if let Some((k, rk)) = &self.key {
            if rk == keys && (Arc::ptr_eq(k, &m.world_key) || **k == *m.world_key) {
                return;
            }
        }
        let s = &m.scenario;
        let sprints = (m.warmup + s.simulation.sprints) as usize;
        let flow_len = sprints + s.simulation.value_tail_sprints as usize;
        let mut market_rng = keys.stream(Source::Market);
        market::generate(
            &s.market,
            flow_len.max(sprints) + 1,
            &mut market_rng,
            &mut self.market,
            &mut self.shocks,
        );
        self.items.clear();
        self.sprint_start.clear();
        self.sprint_start.push(0);
        let mut next_id = 0u64;
        for _ in 0..s.backlog.initial_items {
            self.items.push(BacklogItem::world(next_id, 0, m, keys));
            next_id += 1;
        }
        let mut arrivals = keys.stream(Source::Arrivals);
        let rate = (s.backlog.arrivals_per_sprint > 0.0)
            .then(|| Poisson::new(s.backlog.arrivals_per_sprint).expect("validated"));
        for sprint in 1..sprints as u32 {
            self.sprint_start.push(self.items.len() as u32);
            if let Some(p) = &rate {
                let n = p.sample(&mut arrivals) as u64;
                for _ in 0..n {
                    self.items
                        .push(BacklogItem::world(next_id, sprint, m, keys));
                    next_id += 1;
                }
            }
        }
        self.sprint_start.push(self.items.len() as u32);
        self.question_draws.clear();
        self.question_draws
            .resize(self.items.len() * MAX_QUESTIONS, QuestionDraw::NONE);
        self.key = Some((m.world_key.clone(), *keys));
    }

    /// The world items created in `sprint`.
    pub fn created_in(&self, sprint: u32) -> std::ops::Range<usize> {
        self.sprint_start[sprint as usize] as usize..self.sprint_start[sprint as usize + 1] as usize
    }
}
