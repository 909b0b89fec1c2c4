//! The roles model: one replication, a year of sprints for one scenario, in the order of the
//! reference model (section 4). [`Run::play`] names the steps; each lives in its own file:
//!
//! - steps 1–2, [`arrivals`]: new items, risks and bug work; requirement churn.
//! - step 3, [`strategy`]: the PM observes the market and hands the roadmap over to the PO.
//! - steps 4–5, [`ordering`]: the PO orders and refines the backlog; the PM may override the top.
//! - step 6, [`planning`]: the team commits to the top of the order.
//! - step 7, [`execution`]: lanes pull work, wait for decisions and meet conflicts.
//! - step 8, [`quality`]: what a finished item brings: defects, bad fixes, wrong builds.
//! - step 9, [`release`]: value starts flowing, debt moves, the sprint's series are kept.
//!
//! At the end, [`recording`] turns the run's totals into its [`RunRecord`].
//!
//! All buffers live in the thread's [`Workspace`], so the sprint loop does not allocate.

mod arrivals;
mod execution;
mod ordering;
mod planning;
mod quality;
mod recording;
mod release;
mod strategy;
#[cfg(test)]
mod tests;

use super::metrics::{row_after_stop, RunRecord};
use super::trace::{Event, Tracer};
use super::workspace::{RankIn, Workspace};
use crate::model::compiled::Model;
use crate::model::item::{urgency_weight, BacklogItem, Status, Urgency, INTERNAL_ID};
use crate::model::roles;
use crate::random::{RunKeys, Source};
use crate::scenario::mask;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// The next ready items left waiting after planning; those the next sprint's planning does
/// not take were pushed aside (priority churn).
const CHURN_TOP: usize = 5;
/// Items at the top of the order over which ranking τ is measured.
const TAU_TOP: usize = 20;
/// Conflicts kept per sprint (validation caps the rate well below).
const MAX_CONFLICTS: usize = 64;

// Id spaces for items that are not world items.
const TAG_BUG: u64 = 1 << 32;
const TAG_RISK: u64 = 2 << 32;
const TAG_INJECTED: u64 = 3 << 32;
const TAG_REDO: u64 = 4 << 32;
const TAG_SPLIT: u64 = 5 << 32;

/// Running totals of one replication.
#[derive(Debug, Default)]
struct Tally {
    nominal_capacity: f64,
    worked: f64,
    context_lost: f64,
    waste: f64,
    rework: f64,
    committed_total: f64,
    done_committed_total: f64,
    feature_points: f64,
    enabler_points: f64,
    on_strategy_points: f64,
    items_done: u32,
    /// Feature, enabler and redo items built (the denominator of the wrong-build rate).
    builds: u32,
    /// Planned items committed, and those of them not ready when committed.
    committed_items: u32,
    committed_unready: u32,
    wrong_builds: u32,
    defects: u32,
    escaped: u32,
    pending_escaped: u32,
    pending_later: u32,
    escaped_reported: u32,
    tau_sum: f64,
    tau_n: u32,
    churn_sum: f64,
    churn_n: u32,
    scope_remaining: u32,
    completion: Option<u32>,
    bug_counter: u64,
    redo_counter: u64,
    split_counter: u64,
    decision_wait_sprint: f64,
    questions_sprint: u32,
}

/// Play one replication of the roles model.
pub(super) fn simulate_roles<T: Tracer>(
    model: &Model,
    keys: &RunKeys,
    oracle_value: Option<f64>,
    ws: &mut Workspace,
    tracer: &mut T,
) -> RunRecord {
    let mut run = Run::new(model, keys, ws, tracer);
    run.play();
    run.finish(oracle_value)
}

/// The run's tracer behind the warm-up: events of warm-up sprints are not told, the others
/// carry the reported sprint (0 = the first sprint after the warm-up).
struct Gate<'a, T: Tracer> {
    inner: &'a mut T,
    warmup: u32,
}

impl<T: Tracer> Gate<'_, T> {
    #[inline(always)]
    fn event(&mut self, mut e: Event) {
        if T::ON {
            let s = e.sprint_mut();
            if *s < self.warmup {
                return;
            }
            *s -= self.warmup;
            self.inner.event(e);
        }
    }
}

/// A new item's entry in the ranking's inputs: its urgency weight and deadline.
#[inline(always)]
fn rank_in(item: &BacklogItem, u: &crate::scenario::UrgencyMix) -> RankIn {
    let (weight, deadline) = match item.urgency {
        // A fixed-date item's weight is the dated table's (× 1).
        Urgency::FixedDate { deadline } => (1.0, deadline),
        u_ => (urgency_weight(u_, 0, u), ordering::NO_DEADLINE),
    };
    RankIn {
        weight,
        deadline,
        stale: false,
    }
}

struct Run<'a, T: Tracer> {
    tracer: Gate<'a, T>,
    /// Warm-up sprints: internal sprint `warmup` is the first reported sprint.
    warmup: u32,
    /// Normalised Kendall distance between the PM's and the PO's theme rankings after this
    /// sprint's strategy step (0 without a PM).
    misalignment: f64,
    m: &'a Model,
    keys: RunKeys,
    ws: &'a mut Workspace,
    t: Tally,
    sprint: u32,
    debt: f64,
    hours: f64,
    themes: usize,
    flow_len: usize,
    capacity: ChaCha8Rng,
    po_insight: ChaCha8Rng,
    risk_strikes: [u32; 32],
    pressure: f64,
    lane_rate: f64,
    /// Decision latency multiplier from the PO's question load in the previous sprint.
    queue_factor: f64,
    /// Position in the order from which lanes look for work to pull.
    pull_cursor: usize,
    /// No item of the order from this position on is worth doing (set by planning for the
    /// sprint's order; the whole order before the first planning).
    worth_end: usize,
    /// How far the PO's theme ranking moved this sprint (normalised Kendall distance).
    roadmap_change: f64,
    /// Every item below this index is on the PO's roadmap, out of scope or done.
    roadmap_upto: u32,
    /// The sprint's work list (`Workspace::committed`) before this position is done.
    committed_from: usize,
    /// One bit per position of the sprint's work list: set for every item on it in no lane
    /// and not done (set bits may be stale: a lane checks the item), while the list holds at
    /// most 64 items; see `wide`.
    free_bits: u64,
    /// The work list outgrew `free_bits` this sprint: lanes search it entry by entry.
    wide: bool,
    /// Velocities before this index belong to the warm-up.
    reported_from: usize,
    /// The PM's persistent misreading of each theme (a factor e^bias), drawn once per run.
    pm_factor: [f64; 64],
    /// The PO's view changed (or the scope did) since the last ordering: rescore every item.
    rescore_all: bool,
}

impl<'a, T: Tracer> Run<'a, T> {
    fn new(m: &'a Model, keys: &RunKeys, ws: &'a mut Workspace, tracer: &'a mut T) -> Run<'a, T> {
        let s = &m.scenario;
        let themes = s.market.themes as usize;
        let warmup = m.warmup;
        let flow_len = (warmup + s.simulation.sprints + s.simulation.value_tail_sprints) as usize;
        ws.world.prepare(m, keys);
        ws.items.clear();
        ws.ranked.clear();
        ws.ranked_upto = 0;
        ws.rank_in.clear();
        ws.active.clear();
        ws.finished.clear();
        ws.committed.clear();
        ws.planned.clear();
        ws.pm_view.clear();
        ws.pm_view.resize(themes, 1.0);
        ws.po_view.clear();
        ws.po_view.resize(themes, 1.0);
        for v in [&mut ws.rank_a, &mut ws.pm_rank, &mut ws.po_rank] {
            v.clear();
            v.resize(themes, 0);
        }
        ws.prev_top.clear();
        ws.velocities.clear();
        ws.flow_coef.clear();
        ws.flow_coef.resize((flow_len + 2) * themes, 0.0);
        ws.series.clear();
        ws.lane_item.clear();
        ws.lane_item.resize(s.team.lanes as usize, u32::MAX);
        ws.lane_time.clear();
        ws.lane_time.resize(s.team.lanes as usize, 0.0);
        let mut po_insight = keys.stream(Source::PoInsight);
        // The PO's initial strategic view, before any roadmap hand-over.
        for v in ws.po_view.iter_mut() {
            let z: f64 = po_insight.sample(rand_distr::StandardNormal);
            *v = (s.po.solo_insight_sigma * z).exp();
        }
        crate::model::market::ranks(&ws.po_view, &mut ws.po_rank);
        let mut pm_insight = keys.stream(Source::PmInsight);
        let mut pm_factor = [1.0; 64];
        for b in pm_factor.iter_mut().take(themes) {
            let z: f64 = pm_insight.sample(rand_distr::StandardNormal);
            *b = (s.pm.insight_sigma * z).exp();
        }
        let risk_strikes = super::world::risk_strikes(s, keys, warmup);
        let mut run = Run {
            tracer: Gate {
                inner: tracer,
                warmup,
            },
            warmup,
            misalignment: 0.0,
            m,
            keys: *keys,
            ws,
            t: Tally::default(),
            sprint: 0,
            debt: s.team.initial_debt,
            hours: m.sprint_hours,
            themes,
            flow_len,
            capacity: keys.stream(Source::Capacity),
            po_insight,
            risk_strikes,
            pressure: 0.0,
            lane_rate: 0.0,
            queue_factor: 1.0,
            pull_cursor: 0,
            worth_end: usize::MAX,
            roadmap_change: 0.0,
            roadmap_upto: 0,
            reported_from: 0,
            committed_from: 0,
            free_bits: 0,
            wide: true,
            pm_factor,
            rescore_all: true,
        };
        run.add_world_items(0);
        if warmup == 0 {
            run.define_scope();
        }
        run
    }

    /// The world items created in `sprint`, as this scenario sees them. Returns their count.
    fn add_world_items(&mut self, sprint: u32) -> u32 {
        let range = self.ws.world.created_in(sprint);
        let n = range.len();
        // Perceived in the world's copy (which keeps the perceived values for the next
        // scenario of the same value skill), copied (world items come with their draw keys,
        // made once per world) and booked in creation order, one item at a time: one pass
        // over items still in the cache.
        let ws = &mut *self.ws;
        ws.items.reserve(n);
        ws.active.reserve(n);
        ws.rank_in.reserve(n);
        for item in ws.world.items[range].iter_mut() {
            item.perceive(self.m);
            ws.items.extend_from_slice(std::slice::from_ref(item));
            let i = ws.items.len() - 1;
            // World items are born out of scope (the release scope is chosen on the run's
            // own copies), so they add nothing to `scope_remaining`.
            debug_assert!(!item.in_scope, "a world item in the release scope");
            ws.active.push(i as u32);
            ws.rank_in
                .push(rank_in(item, &self.m.scenario.backlog.urgency));
        }
        n as u32
    }

    fn push(&mut self, mut item: BacklogItem) -> u32 {
        if item.id >= INTERNAL_ID {
            // World items come with their keys (made once per world); the others are new.
            item.set_draw_keys(&self.keys);
        }
        self.ws.items.push(item);
        self.pushed()
    }

    /// Book the item just pushed onto `ws.items`; returns its index.
    #[inline]
    fn pushed(&mut self) -> u32 {
        self.book(self.ws.items.len() - 1)
    }

    /// Book the new item at index `i` (the last of `ws.items` or, for a block of new items,
    /// the next one in creation order): the active list, its urgency weight and deadline.
    #[inline]
    fn book(&mut self, i: usize) -> u32 {
        let item = &self.ws.items[i];
        if item.in_scope {
            self.t.scope_remaining += 1;
        }
        let i = i as u32;
        self.ws.active.push(i);
        let r = rank_in(item, &self.m.scenario.backlog.urgency);
        self.ws.rank_in.push(r);
        i
    }

    /// The release scope: the whole initial backlog, or the top initial items by true CD3 up
    /// to `scope_points` (a roadmap chosen with hindsight at sprint 0).
    fn define_scope(&mut self) {
        let s = &self.m.scenario;
        match s.release.scope {
            crate::scenario::ReleaseScope::InitialBacklog => {
                let mut n = 0;
                for item in self.ws.items.iter_mut() {
                    if item.status != Status::Done && item.is_backlog_work() {
                        item.in_scope = true;
                        n += 1;
                    }
                }
                self.t.scope_remaining = n;
            }
            crate::scenario::ReleaseScope::Roadmap => {
                let now = self.sprint;
                let k = self.themes;
                let w = &self.ws.world.market[now as usize * k..(now as usize + 1) * k];
                self.ws.scored.clear();
                for (i, item) in self.ws.items.iter().enumerate() {
                    if item.value > 0.0 && item.status != Status::Done && item.is_backlog_work() {
                        self.ws.scored.push((
                            roles::true_score(item, w, now, &s.backlog.urgency),
                            i as u32,
                        ));
                    }
                }
                self.ws
                    .scored
                    .sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                let mut points = 0.0;
                for &(_, i) in &self.ws.scored {
                    let item = &mut self.ws.items[i as usize];
                    if points + item.size > s.release.scope_points {
                        continue;
                    }
                    points += item.size;
                    item.in_scope = true;
                    self.t.scope_remaining += 1;
                }
            }
        }
    }

    fn play(&mut self) {
        let end = self.warmup + self.m.scenario.simulation.sprints;
        for sprint in 0..end {
            self.sprint = sprint;
            if sprint == self.warmup && sprint > 0 {
                self.end_warmup();
            }
            self.t.decision_wait_sprint = 0.0;
            self.roadmap_change = 0.0;
            self.queue_factor = if self.m.mask.on(mask::LATENCY) {
                queue_factor(self.t.questions_sprint, &self.m.scenario.po)
            } else {
                1.0
            };
            self.t.questions_sprint = 0;
            self.arrive();
            self.churn();
            self.strategy();
            self.order_and_refine();
            self.plan();
            self.execute();
            self.release();
            if self.m.scenario.simulation.stop_at_completion && self.t.completion.is_some() {
                self.fill_after_stop();
                break;
            }
        }
    }

    /// The warm-up is over: what it did is not reported. The run's totals start again (bug
    /// work and defects still to surface are kept), the series and velocities reported start
    /// here, and the release scope is chosen from the backlog as it now stands.
    fn end_warmup(&mut self) {
        let t = std::mem::take(&mut self.t);
        self.t = Tally {
            pending_escaped: t.pending_escaped,
            pending_later: t.pending_later,
            escaped_reported: t.escaped_reported,
            bug_counter: t.bug_counter,
            redo_counter: t.redo_counter,
            split_counter: t.split_counter,
            questions_sprint: t.questions_sprint,
            ..Tally::default()
        };
        self.ws.series.clear();
        self.reported_from = self.ws.velocities.len();
        if T::ON {
            let value = self.warmup_value();
            self.tracer.event(Event::WarmupValue {
                sprint: self.warmup,
                value,
            });
        }
        self.roadmap_upto = 0;
        self.define_scope();
        // The scope moved: scores with it.
        self.rescore_all = true;
    }

    /// What the warm-up's releases realize from the first reported sprint on (for traces):
    /// at the end of the warm-up the flow coefficients hold only theirs.
    fn warmup_value(&self) -> f64 {
        let k = self.themes;
        let discount = 1.0 / (1.0 + self.m.scenario.simulation.discount_rate);
        let mut active = [0.0f64; 64];
        let (mut value, mut d) = (0.0, 1.0);
        for sprint in 0..self.flow_len {
            let coef = &self.ws.flow_coef[sprint * k..(sprint + 1) * k];
            let weights = &self.ws.world.market[sprint * k..(sprint + 1) * k];
            let mut flow = 0.0;
            for ((a, c), w) in active.iter_mut().zip(coef).zip(weights) {
                *a += c;
                flow += *a * w;
            }
            if sprint >= self.warmup as usize {
                value += flow * d;
                d *= discount;
            }
        }
        value
    }

    /// After an early stop, the remaining sprints repeat the final state with no work done.
    /// (Rows are written out in full: cumulative value keeps flowing after the stop.)
    fn fill_after_stop(&mut self) {
        let sprints = self.m.scenario.simulation.sprints as usize;
        let last = row_after_stop(self.ws.series.last().expect("at least one sprint"));
        while self.ws.series.len() < sprints {
            self.ws.series.push(last);
        }
    }
}

/// 1 / (1 − load): questions of the last sprint × answer hours over the PO's support hours.
fn queue_factor(questions: u32, po: &crate::scenario::Po) -> f64 {
    let support = po.hours_per_sprint * po.support_share;
    let demand = questions as f64 * po.answer_hours;
    if demand <= 0.0 {
        return 1.0;
    }
    let load = if support > 0.0 {
        (demand / support).min(0.9)
    } else {
        0.9
    };
    1.0 / (1.0 - load)
}
