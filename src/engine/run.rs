//! One replication: a year of sprints for one scenario, in the order of the reference model
//! (section 4). All buffers live in a [`Workspace`] that a thread reuses from run to run, so
//! the sprint loop does not allocate once the buffers have grown to size.

use super::metrics::{idx, row_after_stop, series, RunRecord, N_METRICS, N_SERIES};
use super::trace::{BlockCause, DropCause, Event, NoTrace, Tracer};
use super::world::World;
use crate::model::compiled::Model;
use crate::model::item::{
    delay_factor, BacklogItem, ItemKind, Status, INTERNAL_ID, MAX_QUESTIONS, NO_LANE,
};
use crate::model::{market, quality, roles, team};
use crate::random::{keyed_from, poisson_from_unit, RunKeys, Source};
use crate::scenario::ModelKind;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal};

/// Work below this many points counts as finished (rounding of hours × rate).
pub(super) const FINISH_EPS: f64 = 1e-9;
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

#[derive(Debug, Clone, Copy, Default)]
struct Conflict {
    hour: f64,
    inject: bool,
    delay: f64,
    index: u32,
}

/// Reusable buffers of one thread.
#[derive(Debug, Default)]
pub struct Workspace {
    world: World,
    items: Vec<BacklogItem>,
    /// Indices of items not done, in creation order.
    active: Vec<u32>,
    /// Indices of items finished this sprint.
    finished: Vec<u32>,
    pm_view: Vec<f64>,
    po_view: Vec<f64>,
    rank_a: Vec<u8>,
    rank_b: Vec<u8>,
    true_rank: Vec<u8>,
    scored: Vec<(f64, u32)>,
    /// The PM's picks when it overrides the order.
    pm_top: Vec<(f64, u32)>,
    /// The order as (descending sort key, index), kept from sprint to sprint: scores move
    /// little between sprints, so re-sorting it by insertion is nearly linear.
    ranked: Vec<(u64, u32)>,
    /// Items with an index below this are in `ranked` (or done).
    ranked_upto: u32,
    order: Vec<u32>,
    committed: Vec<u32>,
    prev_top: Vec<u32>,
    velocities: Vec<f64>,
    flow_coef: Vec<f64>,
    /// True scores of the top of the order, in the PO's order (for ranking τ).
    tau_scores: Vec<f64>,
    lead: Vec<f64>,
    by_value: Vec<(f64, u32)>,
    lane_item: Vec<u32>,
    lane_time: Vec<f64>,
    conflicts: Vec<Conflict>,
    /// Planned items in progress, in creation order (for conflicts).
    started: Vec<u32>,
    /// Per-sprint series of the last run, one row per sprint.
    pub series: Vec<[f64; N_SERIES]>,
    /// When the items of a throughput run finished.
    finish_runs: Vec<super::throughput::FinishRun>,
}

impl Workspace {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every item of the last run, done or not (for checks and tests).
    pub fn items(&self) -> &[BacklogItem] {
        &self.items
    }

    /// Velocities, finish hours and series rows, for the throughput model.
    pub(super) fn throughput_buffers(
        &mut self,
    ) -> (
        &mut Vec<f64>,
        &mut Vec<super::throughput::FinishRun>,
        &mut Vec<[f64; N_SERIES]>,
    ) {
        (
            &mut self.velocities,
            &mut self.finish_runs,
            &mut self.series,
        )
    }
}

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

/// Simulate one replication of `model`. `oracle_value` is the oracle's realized value on the
/// same world (for value efficiency); None when this run is the oracle.
pub fn simulate(
    model: &Model,
    keys: &RunKeys,
    oracle_value: Option<f64>,
    ws: &mut Workspace,
) -> RunRecord {
    simulate_traced(model, keys, oracle_value, ws, &mut NoTrace)
}

/// [`simulate`], telling `tracer` what happens.
pub fn simulate_traced<T: Tracer>(
    model: &Model,
    keys: &RunKeys,
    oracle_value: Option<f64>,
    ws: &mut Workspace,
    tracer: &mut T,
) -> RunRecord {
    if model.scenario.simulation.model == ModelKind::Throughput {
        return super::throughput::simulate_throughput(model, keys, ws);
    }
    let mut run = Run::new(model, keys, ws, tracer);
    run.play();
    run.finish(oracle_value)
}

struct Run<'a, T: Tracer> {
    tracer: &'a mut T,
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
    /// How far the PO's theme ranking moved this sprint (normalised Kendall distance).
    roadmap_change: f64,
    /// Every item below this index is on the PO's roadmap, out of scope or done.
    roadmap_upto: u32,
    /// The sprint's work list (`Workspace::committed`) before this position is done.
    committed_from: usize,
    /// The PM's persistent misreading of each theme (a factor e^bias), drawn once per run.
    pm_factor: [f64; 64],
}

impl<'a, T: Tracer> Run<'a, T> {
    fn new(m: &'a Model, keys: &RunKeys, ws: &'a mut Workspace, tracer: &'a mut T) -> Run<'a, T> {
        let s = &m.scenario;
        let themes = s.market.themes as usize;
        let flow_len = (s.simulation.sprints + s.simulation.value_tail_sprints) as usize;
        ws.world.prepare(m, keys);
        ws.items.clear();
        ws.ranked.clear();
        ws.ranked_upto = 0;
        ws.active.clear();
        ws.finished.clear();
        ws.pm_view.clear();
        ws.pm_view.resize(themes, 1.0);
        ws.po_view.clear();
        ws.po_view.resize(themes, 1.0);
        for v in [&mut ws.rank_a, &mut ws.rank_b, &mut ws.true_rank] {
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
        let mut pm_insight = keys.stream(Source::PmInsight);
        let mut pm_factor = [1.0; 64];
        for b in pm_factor.iter_mut().take(themes) {
            let z: f64 = pm_insight.sample(rand_distr::StandardNormal);
            *b = (s.pm.insight_sigma * z).exp();
        }
        let mut risk_strikes = [u32::MAX; 32];
        for (i, risk) in s.risks.iter().enumerate().take(32) {
            if keys.unit(Source::Risks, i as u64, 0) < risk.probability {
                let first = risk.first_sprint.saturating_sub(1);
                let last = risk
                    .last_sprint
                    .saturating_sub(1)
                    .min(s.simulation.sprints - 1);
                if first <= last {
                    let span = (last - first + 1) as f64;
                    risk_strikes[i] = first
                        + ((keys.unit(Source::Risks, i as u64, 1) * span) as u32).min(last - first);
                }
            }
        }
        let mut run = Run {
            tracer,
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
            roadmap_change: 0.0,
            roadmap_upto: 0,
            committed_from: 0,
            pm_factor,
        };
        run.add_world_items(0);
        run.define_scope();
        run
    }

    /// The world items created in `sprint`, as this scenario sees them. Returns their count.
    fn add_world_items(&mut self, sprint: u32) -> u32 {
        let range = self.ws.world.created_in(sprint);
        let n = range.len() as u32;
        for j in range {
            let mut item = self.ws.world.items[j].clone();
            item.perceive(self.m);
            self.push(item);
        }
        n
    }

    fn push(&mut self, mut item: BacklogItem) -> u32 {
        if item.id >= INTERNAL_ID {
            // World items come with their keys (made once per world); the others are new.
            item.set_draw_keys(&self.keys);
        }
        if item.in_scope {
            self.t.scope_remaining += 1;
        }
        self.ws.items.push(item);
        let i = (self.ws.items.len() - 1) as u32;
        self.ws.active.push(i);
        i
    }

    /// The release scope: the whole initial backlog, or the top initial items by true CD3 up
    /// to `scope_points` (a roadmap chosen with hindsight at sprint 0).
    fn define_scope(&mut self) {
        let s = &self.m.scenario;
        match s.release.scope {
            crate::scenario::ReleaseScope::InitialBacklog => {
                for item in self.ws.items.iter_mut() {
                    item.in_scope = true;
                }
                self.t.scope_remaining = self.ws.items.len() as u32;
            }
            crate::scenario::ReleaseScope::Roadmap => {
                let w = &self.ws.world.market[..self.themes];
                self.ws.scored.clear();
                for (i, item) in self.ws.items.iter().enumerate() {
                    if item.value > 0.0 {
                        self.ws
                            .scored
                            .push((roles::true_score(item, w, 0, &s.backlog.urgency), i as u32));
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
        for sprint in 0..self.m.scenario.simulation.sprints {
            self.sprint = sprint;
            self.t.decision_wait_sprint = 0.0;
            self.roadmap_change = 0.0;
            self.queue_factor = queue_factor(self.t.questions_sprint, &self.m.scenario.po);
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

    /// After an early stop, the remaining sprints repeat the final state with no work done.
    /// (Rows are written out in full: cumulative value keeps flowing after the stop.)
    fn fill_after_stop(&mut self) {
        let sprints = self.m.scenario.simulation.sprints as usize;
        let last = row_after_stop(self.ws.series.last().expect("at least one sprint"));
        while self.ws.series.len() < sprints {
            self.ws.series.push(last);
        }
    }

    /// Step 1: new items, risks that strike, and bug work from defects found since.
    #[inline(never)]
    fn arrive(&mut self) {
        let s = &self.m.scenario;
        if T::ON {
            for &(sprint, theme, factor) in &self.ws.world.shocks {
                if sprint == self.sprint {
                    self.tracer.event(Event::MarketShock {
                        sprint,
                        theme,
                        factor,
                    });
                }
            }
        }
        if self.sprint > 0 && s.backlog.arrivals_per_sprint > 0.0 {
            let n = self.add_world_items(self.sprint);
            self.tracer.event(Event::Arrived {
                sprint: self.sprint,
                count: n,
            });
        }
        for i in 0..s.risks.len().min(32) {
            if self.risk_strikes[i] != self.sprint {
                continue;
            }
            let risk = &s.risks[i];
            self.tracer.event(Event::RiskStruck {
                sprint: self.sprint,
                risk: i as u16,
            });
            for j in 0..risk.added_items as u64 {
                let mut item = BacklogItem::new(
                    INTERNAL_ID | TAG_RISK | ((i as u64) << 20) | j,
                    self.sprint,
                    self.m,
                    &self.keys,
                );
                item.make_unplanned();
                item.in_scope = true;
                self.push(item);
            }
            if risk.added_points > 0.0 {
                let mut item = BacklogItem::new(
                    INTERNAL_ID | TAG_RISK | ((i as u64) << 20) | 0xfffff,
                    self.sprint,
                    self.m,
                    &self.keys,
                );
                item.size = risk.added_points;
                item.estimate = risk.added_points;
                item.remaining = risk.added_points;
                item.make_unplanned();
                item.in_scope = true;
                self.push(item);
            }
        }
        let q = &s.quality;
        // Defects found later: bug work now.
        for _ in 0..std::mem::take(&mut self.t.pending_later) {
            self.add_bug(q.fix_points * q.later_multiplier, false);
        }
        // Escaped defects are reported by users over the following sprints.
        let pending = self.t.pending_escaped;
        let mut reported = 0;
        for j in 0..pending {
            let n = self.t.escaped_reported as u64 + j as u64;
            if self
                .keys
                .unit(Source::EscapedDiscovery, n, self.sprint as u64)
                < q.escaped_discovery_rate
            {
                reported += 1;
            }
        }
        for _ in 0..reported {
            self.add_bug(q.fix_points * q.escaped_multiplier, true);
        }
        self.t.pending_escaped -= reported;
        self.t.escaped_reported += reported;
    }

    fn add_bug(&mut self, points: f64, escaped: bool) {
        let id = INTERNAL_ID | TAG_BUG | self.t.bug_counter;
        self.tracer.event(Event::BugAdded {
            sprint: self.sprint,
            item: id,
            points,
            escaped,
        });
        self.t.bug_counter += 1;
        self.push(BacklogItem::bug(id, self.sprint, points));
    }

    /// Step 2: requirement churn. A waiting item that changes gains ambiguity and loses
    /// readiness; an item in progress also loses part of its done work to rework.
    #[inline(never)]
    fn churn(&mut self) {
        let r = &self.m.scenario.roles;
        if r.churn_probability <= 0.0 {
            return;
        }
        let threshold = self.m.scenario.backlog.ready_threshold;
        for &i in &self.ws.active {
            let item = &mut self.ws.items[i as usize];
            if item.status == Status::Done || !item.is_backlog_work() {
                continue;
            }
            if keyed_from(item.churn_key, self.sprint as u64).unit() >= r.churn_probability {
                continue;
            }
            item.ambiguity = (item.ambiguity + r.churn_ambiguity).min(1.0);
            item.ready = self.m.all_ready || item.ambiguity <= threshold;
            let mut lost = 0.0;
            if item.status == Status::InProgress {
                lost = r.churn_rework_share * item.work_done;
                item.work_done -= lost;
                item.remaining += lost;
                self.t.rework += lost;
            }
            self.tracer.event(Event::Churned {
                sprint: self.sprint,
                item: item.id,
                rework: lost,
            });
        }
    }

    /// Step 3: the PM observes the market and hands the roadmap over when due; without a PM
    /// the PO forms its own view. A sharp change of the PO's theme ranking is a roadmap shock.
    #[inline(never)]
    fn strategy(&mut self) {
        let s = &self.m.scenario;
        let k = self.themes;
        let mut changed = false;
        market::ranks(&self.ws.po_view, &mut self.ws.rank_a);
        if s.pm.enabled {
            for j in 0..k {
                self.ws.pm_view[j] =
                    self.ws.world.market[self.sprint as usize * k + j] * self.pm_factor[j];
            }
            if self.sprint.is_multiple_of(s.pm.sync_interval) {
                roles::sync(&mut self.ws.po_view, &self.ws.pm_view, s.pm.sync_fidelity);
                changed = true;
            }
        } else {
            // Draw every sprint so the stream stays aligned whatever the interval.
            for j in 0..k {
                let z: f64 = self.po_insight.sample(rand_distr::StandardNormal);
                if self.sprint.is_multiple_of(s.po.solo_strategy_interval) {
                    self.ws.po_view[j] = self.ws.world.market[self.sprint as usize * k + j]
                        * (s.po.solo_insight_sigma * z).exp();
                    changed = true;
                }
            }
        }
        if changed {
            self.hand_over_roadmap();
        }
        if !changed || self.sprint == 0 {
            return;
        }
        market::ranks(&self.ws.po_view, &mut self.ws.rank_b);
        let distance = market::rank_distance(&self.ws.rank_a, &self.ws.rank_b);
        self.roadmap_change = distance;
        let shock = distance > s.pm.shock_threshold;
        self.tracer.event(Event::Handover {
            sprint: self.sprint,
            from_pm: s.pm.enabled,
            distance,
            shock,
        });
        if !shock {
            return;
        }
        let (p_unready, p_drop) = (s.pm.shock_unready_probability, s.pm.shock_drop_probability);
        let relapse = (1.0 + s.backlog.ready_threshold) / 2.0;
        for n in 0..self.ws.active.len() {
            let i = self.ws.active[n] as usize;
            let item = &self.ws.items[i];
            if item.status == Status::Done || !item.is_backlog_work() {
                continue;
            }
            let th = item.theme as usize;
            if self.ws.rank_b[th] <= self.ws.rank_a[th] {
                continue;
            }
            let u = self
                .keys
                .unit(Source::RoadmapShock, item.id, self.sprint as u64);
            match item.status {
                Status::Waiting if item.ready && u < p_unready => {
                    let item = &mut self.ws.items[i];
                    item.ambiguity = item.ambiguity.max(relapse);
                    item.ready = self.m.all_ready;
                }
                Status::InProgress if u < p_drop => {
                    self.drop_item(i as u32, DropCause::RoadmapShock)
                }
                _ => {}
            }
        }
    }

    /// At each hand-over, each release-scope item the PO does not yet know to be on the
    /// roadmap becomes known with probability f (the hand-over's fidelity).
    fn hand_over_roadmap(&mut self) {
        let f = self.m.fidelity;
        // Items below `roadmap_upto` are known, out of scope or done, and stay so.
        let upto = self.roadmap_upto;
        let from = self.ws.active.partition_point(|&i| i < upto);
        let mut first_unknown = self.ws.items.len() as u32;
        for &i in &self.ws.active[from..] {
            let item = &mut self.ws.items[i as usize];
            if item.in_scope && !item.on_roadmap && item.status != Status::Done {
                item.on_roadmap = f >= 1.0
                    || self
                        .keys
                        .unit(Source::RoadmapHandover, item.id, self.sprint as u64)
                        < f;
                if !item.on_roadmap {
                    first_unknown = first_unknown.min(i);
                }
            }
        }
        self.roadmap_upto = first_unknown;
    }

    /// Stop work on an item: its done work is waste and it goes back to the backlog.
    fn drop_item(&mut self, i: u32, cause: DropCause) {
        let item = &mut self.ws.items[i as usize];
        self.tracer.event(Event::Dropped {
            sprint: self.sprint,
            item: item.id,
            waste: item.work_done,
            cause,
        });
        self.t.waste += item.work_done;
        self.pull_cursor = 0;
        item.fix_points = 0.0;
        item.status = Status::Waiting;
        item.remaining = item.size;
        item.work_done = 0.0;
        item.next_question = 0;
        item.quality_checked = false;
        if item.lane != NO_LANE {
            self.ws.lane_item[item.lane as usize] = u32::MAX;
            item.lane = NO_LANE;
        }
    }

    /// Steps 4–5: the PO orders the backlog (the window planning can reach), refines from the
    /// top with the hours left after strategy and support; in blurred roles the PM may
    /// override the top of the order.
    #[inline(never)]
    fn order_and_refine(&mut self) {
        let s = &self.m.scenario;
        let now = self.sprint;
        let items = &mut self.ws.items;
        let score = |item: &mut BacklogItem, view: &[f64]| {
            item.score = roles::po_score(
                item,
                view,
                now,
                &s.backlog.urgency,
                s.po.myopia,
                s.release.scope_first,
            );
            descending_key(item.score)
        };
        // Last sprint's order, rescored, then the items that came since.
        let view = &self.ws.po_view;
        let ranked = &mut self.ws.ranked;
        let mut kept = 0;
        for r in 0..ranked.len() {
            let i = ranked[r].1;
            let item = &mut items[i as usize];
            if item.status != Status::Done {
                ranked[kept] = (score(item, view), i);
                kept += 1;
            }
        }
        ranked.truncate(kept);
        insertion_sort(ranked);
        // New items go anywhere in the order: binary search and one block move each.
        let first_new = self.ws.ranked_upto as usize;
        for (i, item) in items.iter_mut().enumerate().skip(first_new) {
            if item.status != Status::Done {
                let e = (score(item, view), i as u32);
                let at = ranked.partition_point(|x| *x < e);
                ranked.insert(at, e);
            }
        }
        self.ws.ranked_upto = items.len() as u32;
        self.ws.order.clear();
        self.ws.order.extend(self.ws.ranked.iter().map(|&(_, i)| i));

        if s.pm.enabled
            && s.roles.pm_override > 0.0
            && self.keys.unit(Source::Override, 0, now as u64) < s.roles.pm_override
        {
            self.pm_override();
            self.tracer.event(Event::Override { sprint: now });
        }
        self.measure_order();

        // Refinement from the top of the order.
        let mut hours =
            s.po.hours_per_sprint * (1.0 - s.po.strategy_share - s.po.support_share).max(0.0);
        let b = &s.backlog;
        for n in 0..self.ws.order.len() {
            let i = self.ws.order[n] as usize;
            let item = &mut self.ws.items[i];
            if item.ready || item.top || item.status != Status::Waiting {
                continue;
            }
            let cost = s.po.refinement_hours * (1.0 + item.ambiguity);
            if hours < cost {
                break;
            }
            hours -= cost;
            item.ambiguity *= b.refinement_factor;
            item.ready = item.ambiguity <= b.ready_threshold;
            if !item.split_checked {
                self.split(i as u32);
            }
        }
    }

    /// The item at position `n` of the order.
    #[inline]
    fn order_at(&self, n: usize) -> Option<u32> {
        self.ws.order.get(n).copied()
    }

    /// The PM puts its own top items first (priority churn in blurred roles).
    fn pm_override(&mut self) {
        let top = (self.m.scenario.pm.override_top as usize).min(self.ws.order.len());
        if top == 0 {
            return;
        }
        // Keep unplanned work first; reorder the planned part by the PM's score.
        let start = self
            .ws
            .order
            .iter()
            .position(|&i| !self.ws.items[i as usize].top)
            .unwrap_or(self.ws.order.len());
        let items = &self.ws.items;
        let pm_view = &self.ws.pm_view;
        let planned = &mut self.ws.order[start..];
        let top = top.min(planned.len());
        if top == 0 {
            return;
        }
        // The PM's top items by (PM score descending, index): a small sorted buffer, as the
        // selection keeps few.
        let best = &mut self.ws.pm_top;
        best.clear();
        let better = |a: (f64, u32), b: (f64, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).is_lt();
        for &i in planned.iter() {
            let e = (pm_key(items, pm_view, i), i);
            if best.len() == top {
                if !better(e, best[top - 1]) {
                    continue;
                }
                best.pop();
            }
            let mut j = best.len();
            best.push(e);
            while j > 0 && better(e, best[j - 1]) {
                best[j] = best[j - 1];
                j -= 1;
            }
            best[j] = e;
        }
        // The rest keeps the PO's order: `planned` is sorted by it already, so drop the PM's
        // picks and keep the others in place.
        let mut w = planned.len();
        for r in (0..planned.len()).rev() {
            let i = planned[r];
            if !best.iter().any(|&(_, b)| b == i) {
                w -= 1;
                planned[w] = i;
            }
        }
        debug_assert_eq!(w, top);
        for (slot, &(_, i)) in planned[..top].iter_mut().zip(best.iter()) {
            *slot = i;
        }
    }

    /// Ranking τ against the true order, and churn of the top of the order.
    #[inline(never)]
    fn measure_order(&mut self) {
        let s = &self.m.scenario;
        let k = self.themes;
        let weights =
            &self.ws.world.market[self.sprint as usize * k..(self.sprint as usize + 1) * k];
        self.ws.tau_scores.clear();
        for &i in self.ws.order.iter() {
            let item = &self.ws.items[i as usize];
            if item.top || item.status != Status::Waiting {
                continue;
            }
            if self.ws.tau_scores.len() == TAU_TOP {
                break;
            }
            self.ws.tau_scores.push(roles::true_score(
                item,
                weights,
                self.sprint,
                &s.backlog.urgency,
            ));
        }
        if let Some(tau) = roles::order_tau(&self.ws.tau_scores) {
            self.t.tau_sum += tau;
            self.t.tau_n += 1;
        }
    }

    /// Refinement may show that an item is really several: it becomes `split_into` items of
    /// the same size and value share (as the throughput forecasters' split rate).
    fn split(&mut self, i: u32) {
        let b = &self.m.scenario.backlog;
        self.ws.items[i as usize].split_checked = true;
        if b.split_rate <= 0.0 {
            return;
        }
        let id = self.ws.items[i as usize].id;
        if self.keys.unit(Source::Split, id, 0) >= b.split_rate {
            return;
        }
        let k = b.split_into as f64;
        self.ws.items[i as usize].value /= k;
        self.ws.items[i as usize].perceived /= k;
        self.ws.items[i as usize].pm_perceived /= k;
        for _ in 1..b.split_into {
            let mut part = self.ws.items[i as usize].clone();
            part.id = INTERNAL_ID | TAG_SPLIT | self.t.split_counter;
            self.t.split_counter += 1;
            part.status = Status::Waiting;
            part.remaining = part.size;
            part.work_done = 0.0;
            self.push(part);
        }
    }

    /// Step 6: planning by yesterday's weather. Spillover and unplanned work first, then the
    /// order while the estimates fit; unready items only with probability take_unready.
    #[inline(never)]
    fn plan(&mut self) {
        let s = &self.m.scenario;
        let raw = self.m.capacity.sample(&mut self.capacity).max(0.0);
        self.t.nominal_capacity += raw;
        let cap = team::effective_capacity(raw, self.debt, &s.team);
        self.lane_rate = cap / (s.team.lanes as f64 * self.hours);
        let commitment = team::commitment(
            &self.ws.velocities,
            self.m.mean_capacity
                * (1.0 - (s.team.debt_drag_per_point * self.debt).min(s.team.max_debt_drag)),
            &s.team,
        );
        self.ws.committed.clear();
        self.committed_from = 0;
        let mut points = 0.0;
        // Spillover: work in progress continues.
        for &i in &self.ws.active {
            let item = &mut self.ws.items[i as usize];
            item.committed_points = 0.0;
            if item.status == Status::InProgress {
                item.committed_points = item.remaining_estimate();
                points += item.committed_points;
                self.ws.committed.push(i);
            }
        }
        let misaligned =
            s.pm.enabled && s.roles.misalignment_ambiguity > 0.0 && s.pm.sync_fidelity < 1.0;
        if misaligned {
            market::ranks(&self.ws.pm_view, &mut self.ws.rank_a);
            market::ranks(&self.ws.po_view, &mut self.ws.rank_b);
        }
        let mut n = 0;
        while let Some(i) = self.order_at(n) {
            let i = i as usize;
            n += 1;
            let item = &self.ws.items[i];
            if item.status != Status::Waiting || !worth_doing(item) {
                continue;
            }
            let est = item.estimate;
            if !item.top {
                if points >= commitment {
                    break;
                }
                if points + est > commitment {
                    continue;
                }
                if !item.ready
                    && keyed_from(item.plan_key, self.sprint as u64).unit() >= s.po.take_unready
                {
                    continue;
                }
            }
            if !item.split_checked {
                self.split(i as u32);
            }
            let item = &mut self.ws.items[i];
            // Readiness as the PO took it (misalignment below adds ambiguity afterwards).
            let taken_unready = !item.top && !item.ready;
            if misaligned
                && !item.top
                && self.ws.rank_a[item.theme as usize] != self.ws.rank_b[item.theme as usize]
            {
                item.ambiguity = (item.ambiguity
                    + (1.0 - s.pm.sync_fidelity) * s.roles.misalignment_ambiguity)
                    .min(1.0);
                item.ready = self.m.all_ready || item.ambiguity <= s.backlog.ready_threshold;
            }
            item.committed_points = item.estimate;
            points += item.estimate;
            self.ws.committed.push(i as u32);
            if !item.top {
                self.t.committed_items += 1;
                self.t.committed_unready += taken_unready as u32;
            }
            self.tracer.event(Event::Committed {
                sprint: self.sprint,
                item: item.id,
                kind: item.kind,
                points: item.estimate,
                ready: item.ready,
            });
        }
        // Priority churn: the next ready items of last sprint's order that this planning
        // passed over although they were still waiting.
        let mut churn = 0.0;
        if !self.ws.prev_top.is_empty() {
            let pushed = self.ws.prev_top.iter().filter(|&&i| {
                let it = &self.ws.items[i as usize];
                it.status == Status::Waiting && it.committed_points == 0.0
            });
            churn = pushed.count() as f64 / self.ws.prev_top.len() as f64;
            self.t.churn_sum += churn;
            self.t.churn_n += 1;
        }
        // What is next up after this planning: the first ready items left waiting.
        self.ws.prev_top.clear();
        for n in 0..self.ws.order.len() {
            let i = self.ws.order[n];
            let it = &self.ws.items[i as usize];
            if !it.top
                && it.status == Status::Waiting
                && it.ready
                && it.committed_points == 0.0
                && worth_doing(it)
            {
                self.ws.prev_top.push(i);
                if self.ws.prev_top.len() == CHURN_TOP {
                    break;
                }
            }
        }
        self.tracer.event(Event::Planned {
            sprint: self.sprint,
            capacity: cap,
            commitment,
            committed: points,
            items: self.ws.committed.len() as u32,
        });
        self.pressure = if commitment > 0.0 {
            (points / commitment - 1.0).max(0.0)
        } else {
            0.0
        };
        self.t.committed_total += points;
        self.push_series_committed(points, churn);
    }

    fn push_series_committed(&mut self, committed: f64, churn: f64) {
        let mut row = [0.0; N_SERIES];
        row[series::COMMITTED] = committed;
        row[series::PRIORITY_CHURN] = churn;
        row[series::ROADMAP_CHANGE] = self.roadmap_change;
        self.ws.series.push(row);
    }

    /// Step 7: ten days of work in lanes, in working hours. Lanes take committed items, then
    /// further ready items (work-conserving); questions block an item, its lane switches and
    /// pays the context-switch tax; conflicts strike at their hour.
    #[inline(never)]
    fn execute(&mut self) {
        let s = &self.m.scenario;
        let hours = self.hours;
        let base = self.sprint as f64 * hours;
        self.draw_conflicts();
        self.pull_cursor = 0;
        for t in self.ws.lane_time.iter_mut() {
            *t = 0.0;
        }
        let mut next_conflict = 0;
        let lanes = self.ws.lane_item.len();
        let mut guard = 0u64;
        loop {
            guard += 1;
            if guard > 1_000_000 {
                break; // Defensive: a sprint never needs this many events.
            }
            // The lane that is free earliest.
            let mut l = usize::MAX;
            // A lane within rounding error of the sprint's end is done: it must not start a
            // sliver of 1e-15 SP that then spills into the next sprint.
            let mut t = hours - 1e-9 * hours;
            for j in 0..lanes {
                if self.ws.lane_time[j] < t {
                    t = self.ws.lane_time[j];
                    l = j;
                }
            }
            if l == usize::MAX {
                break;
            }
            while next_conflict < self.ws.conflicts.len()
                && self.ws.conflicts[next_conflict].hour <= t
            {
                let c = self.ws.conflicts[next_conflict];
                next_conflict += 1;
                self.apply_conflict(c, base + c.hour);
            }
            let conflict_at = self
                .ws
                .conflicts
                .get(next_conflict)
                .map_or(hours, |c| c.hour);
            let now = base + t;
            let current = self.ws.lane_item[l];
            let i = if current != u32::MAX && self.ws.items[current as usize].blocked_until <= now {
                current
            } else {
                if current != u32::MAX {
                    self.ws.items[current as usize].lane = NO_LANE;
                    self.ws.lane_item[l] = u32::MAX;
                }
                match self.next_item(now) {
                    Ok(i) => {
                        let item = &mut self.ws.items[i as usize];
                        item.lane = l as u8;
                        self.ws.lane_item[l] = i;
                        if item.status == Status::Waiting {
                            item.start(now, self.m, &self.keys);
                            self.tracer.event(Event::Started {
                                sprint: self.sprint,
                                hour: t,
                                item: item.id,
                                kind: item.kind,
                                questions: item.questions,
                            });
                        }
                        i
                    }
                    Err(wake) => {
                        // Nothing to do: wait for a blocked item, a conflict, or the sprint end.
                        let wake = (wake - base).min(conflict_at).min(hours);
                        self.ws.lane_time[l] = if wake > t { wake } else { hours };
                        continue;
                    }
                }
            };
            let rate = self.lane_rate;
            if rate <= 0.0 {
                self.ws.lane_time[l] = conflict_at.max(t).min(hours);
                if self.ws.lane_time[l] <= t {
                    self.ws.lane_time[l] = hours;
                }
                continue;
            }
            let item = &self.ws.items[i as usize];
            let dt_finish = item.remaining.max(0.0) / rate;
            let dt_question = if (item.next_question as usize) < item.questions as usize {
                ((item.question_at[item.next_question as usize] as f64 * item.size
                    - item.work_done)
                    / rate)
                    .max(0.0)
            } else {
                f64::INFINITY
            };
            let dt_end = hours - t;
            let dt_conflict = if conflict_at > t {
                conflict_at - t
            } else {
                f64::INFINITY
            };
            let mut dt = dt_finish.min(dt_question).min(dt_end).min(dt_conflict);
            // Work that fits the sprint exactly (e.g. 6 SP of capacity on six 1-SP items)
            // finishes in it: rounding must not leave 1e-15 SP to spill into the next sprint.
            if dt < dt_finish && dt_finish <= dt_question && dt_finish - dt <= 1e-9 * hours {
                dt = dt_finish;
            }
            let progress = rate * dt;
            let item = &mut self.ws.items[i as usize];
            item.remaining -= progress;
            item.work_done += progress;
            self.t.worked += progress;
            self.ws.lane_time[l] = t + dt;
            let now = base + t + dt;
            if (dt == dt_finish && dt <= dt_question) || item.remaining <= FINISH_EPS {
                item.remaining = 0.0;
                self.finish_item(i, now);
            } else if dt == dt_question {
                item.next_question += 1;
                let (id, q) = (item.id, item.next_question);
                let po = &s.po;
                let latency = po.decision_latency_hours
                    * self.latency_factor(id, q, po.decision_latency_sigma)
                    / self.m.availability
                    * self.queue_factor;
                self.t.questions_sprint += 1;
                self.block(i, now, latency, BlockCause::Question);
            }
        }
    }

    /// e^(σ·z) for the normal z of question `q` (1-based) of item `id`. A world item raises
    /// the same questions in every scenario of the world, so its draws are kept there.
    fn latency_factor(&mut self, id: u64, q: u8, sigma: f64) -> f64 {
        let draw = |keys: &RunKeys| keys.keyed(Source::Questions, id, 1 + q as u64).normal();
        if id >= INTERNAL_ID {
            return (sigma * draw(&self.keys)).exp();
        }
        let slot = &mut self.ws.world.question_draws[id as usize * MAX_QUESTIONS + q as usize - 1];
        if slot.z.is_nan() {
            slot.z = draw(&self.keys);
        } else if slot.sigma.to_bits() == sigma.to_bits() {
            return slot.factor;
        }
        slot.sigma = sigma;
        slot.factor = (sigma * slot.z).exp();
        slot.factor
    }

    /// The next item for a free lane: committed work first (in order), then pulled from the
    /// order. Err carries the earliest time a blocked item frees up.
    #[inline(never)]
    fn next_item(&mut self, now: f64) -> Result<u32, f64> {
        let free = |it: &BacklogItem| {
            it.lane == NO_LANE && it.status != Status::Done && it.blocked_until <= now
        };
        // Finished work stays finished: skip the finished head of the work list.
        let mut from = self.committed_from;
        while from < self.ws.committed.len()
            && self.ws.items[self.ws.committed[from] as usize].status == Status::Done
        {
            from += 1;
        }
        self.committed_from = from;
        for &i in &self.ws.committed[from..] {
            if free(&self.ws.items[i as usize]) {
                return Ok(i);
            }
        }
        // Items before the cursor cannot be pulled any more this sprint: status only moves
        // forward (a drop resets the cursor).
        while let Some(i) = self.order_at(self.pull_cursor) {
            self.pull_cursor += 1;
            let it = &self.ws.items[i as usize];
            if it.status == Status::Waiting && free(it) && (it.ready || it.top) && worth_doing(it) {
                // Pulled work joins the sprint's work list (uncommitted: it is not say/do).
                self.ws.committed.push(i);
                return Ok(i);
            }
        }
        let items = &self.ws.items;
        let mut wake = f64::INFINITY;
        for &i in &self.ws.committed[self.committed_from..] {
            let it = &items[i as usize];
            if it.lane == NO_LANE && it.status != Status::Done && it.blocked_until > now {
                wake = wake.min(it.blocked_until);
            }
        }
        Err(wake)
    }

    /// Block an item for `hours`; its lane moves on and pays the context-switch tax.
    fn block(&mut self, i: u32, now: f64, hours: f64, cause: BlockCause) {
        let sprint_end = (self.sprint as f64 + 1.0) * self.hours;
        let item = &mut self.ws.items[i as usize];
        self.tracer.event(Event::Blocked {
            sprint: self.sprint,
            hour: now - self.sprint as f64 * self.hours,
            item: item.id,
            hours,
            cause,
        });
        item.blocked_until = item.blocked_until.max(now) + hours;
        item.blocked_hours += hours;
        self.t.decision_wait_sprint += hours;
        if item.lane != NO_LANE {
            let l = item.lane as usize;
            item.lane = NO_LANE;
            self.ws.lane_item[l] = u32::MAX;
            let tax =
                self.m.scenario.team.context_switch_tax * hours.min((sprint_end - now).max(0.0));
            self.ws.lane_time[l] = (self.ws.lane_time[l] + tax).min(self.hours);
            self.t.context_lost += tax * self.lane_rate;
        }
    }

    fn draw_conflicts(&mut self) {
        let r = &self.m.scenario.roles;
        self.ws.conflicts.clear();
        if r.conflicts_per_sprint <= 0.0 {
            return;
        }
        let mut g = self.keys.keyed(Source::Conflicts, self.sprint as u64, 0);
        let n = poisson_from_unit(g.unit(), r.conflicts_per_sprint).min(MAX_CONFLICTS as u32);
        let delay = LogNormal::new(r.escalation_hours.max(1e-9).ln(), r.escalation_sigma)
            .expect("validated");
        for j in 0..n {
            let hour = g.unit() * self.hours;
            let inject = g.unit() < r.conflict_inject_share;
            let d = delay.sample(&mut g);
            self.ws.conflicts.push(Conflict {
                hour,
                inject,
                delay: if r.escalation_hours > 0.0 { d } else { 0.0 },
                index: j,
            });
        }
        self.ws
            .conflicts
            .sort_unstable_by(|a, b| a.hour.total_cmp(&b.hour).then(a.index.cmp(&b.index)));
    }

    /// A conflicting directive: inject an unplanned item and drop the lowest item in
    /// progress, or escalate an item in progress (it waits).
    #[inline(never)]
    fn apply_conflict(&mut self, c: Conflict, now: f64) {
        // Every item in progress is on the sprint's work list (spillover, started or pulled):
        // look there, in creation order, rather than through the whole backlog.
        let started = &mut self.ws.started;
        started.clear();
        for &i in &self.ws.committed {
            let item = &self.ws.items[i as usize];
            if item.status == Status::InProgress && !item.top {
                started.push(i);
            }
        }
        started.sort_unstable();
        started.dedup();
        let mut lowest: Option<(f64, u32)> = None;
        for &i in started.iter() {
            let score = self.ws.items[i as usize].score;
            if lowest.is_none_or(|(s, _)| score < s) {
                lowest = Some((score, i));
            }
        }
        let in_progress = started.len() as u32;
        if c.inject {
            let id = INTERNAL_ID | TAG_INJECTED | ((self.sprint as u64) << 8) | c.index as u64;
            let mut item = BacklogItem::new(id, self.sprint, self.m, &self.keys);
            item.make_unplanned();
            self.tracer.event(Event::Injected {
                sprint: self.sprint,
                hour: now - self.sprint as f64 * self.hours,
                item: id,
                points: item.size,
            });
            let idx = self.push(item);
            self.ws.committed.insert(0, idx);
            self.committed_from = 0;
            if let Some((_, i)) = lowest {
                self.drop_item(i, DropCause::Conflict);
            }
        } else if in_progress > 0 {
            let pick =
                (self
                    .keys
                    .unit(Source::Conflicts, self.sprint as u64, 1000 + c.index as u64)
                    * in_progress as f64) as u32;
            let i = self.ws.started[pick.min(in_progress - 1) as usize];
            self.block(i, now, c.delay, BlockCause::Escalation);
        }
    }

    /// Step 8: quality at finish. In-sprint defects add fix work to the item; the others
    /// become bug work later; a wrong build delivers no value and needs a redo.
    #[inline(never)]
    fn finish_item(&mut self, i: u32, now: f64) {
        let q = &self.m.scenario.quality;
        let item = &mut self.ws.items[i as usize];
        if !item.quality_checked {
            item.quality_checked = true;
            let hour = now - self.sprint as f64 * self.hours;
            if item.kind == ItemKind::Bug {
                let bad = quality::bad_fix(item.id, q, &self.keys);
                if bad {
                    self.t.defects += 1;
                    self.t.pending_later += 1;
                }
                self.tracer.event(Event::Finished {
                    sprint: self.sprint,
                    hour,
                    item: item.id,
                    kind: item.kind,
                    in_sprint: 0,
                    later: bad as u32,
                    escaped: 0,
                    wrong_build: false,
                });
            } else {
                let d = quality::defects_at_finish(
                    item.id,
                    item.size,
                    item.ambiguity,
                    self.pressure,
                    q,
                    &self.keys,
                );
                self.t.defects += d.total();
                self.t.pending_later += d.later;
                self.t.pending_escaped += d.escaped;
                self.t.escaped += d.escaped;
                item.wrong_build =
                    quality::wrong_build(item.id, item.ambiguity, self.m.fidelity, q, &self.keys);
                self.tracer.event(Event::Finished {
                    sprint: self.sprint,
                    hour,
                    item: item.id,
                    kind: item.kind,
                    in_sprint: d.in_sprint,
                    later: d.later,
                    escaped: d.escaped,
                    wrong_build: item.wrong_build,
                });
                if d.in_sprint > 0 && q.fix_points > 0.0 {
                    let fix = d.in_sprint as f64 * q.fix_points;
                    item.remaining += fix;
                    // Rework once worked: fixes cut off by the horizon were never done.
                    item.fix_points += fix;
                    return; // The lane keeps working on the fixes.
                }
            }
        }
        item.status = Status::Done;
        item.finish_hour = now;
        item.finish_sprint = self.sprint;
        self.ws.finished.push(i);
        if item.lane != NO_LANE {
            self.ws.lane_item[item.lane as usize] = u32::MAX;
            item.lane = NO_LANE;
        }
        if item.kind == ItemKind::Redo {
            self.t.rework += item.size;
        }
        self.t.rework += std::mem::take(&mut item.fix_points);
        if item.wrong_build {
            let share = q.redo_share;
            let factor = self.m.scenario.backlog.refinement_factor;
            let id = INTERNAL_ID | TAG_REDO | self.t.redo_counter;
            self.t.redo_counter += 1;
            let redo = BacklogItem::redo(
                &self.ws.items[i as usize],
                i,
                id,
                self.sprint,
                share,
                factor,
            );
            self.push(redo);
        }
    }

    /// Step 9: release at sprint end. Value starts flowing next sprint; tech debt moves;
    /// velocity and the sprint's series are recorded.
    #[inline(never)]
    fn release(&mut self) {
        let s = &self.m.scenario;
        let k = self.themes;
        let now = self.sprint;
        market::ranks(
            &self.ws.world.market[now as usize * k..(now as usize + 1) * k],
            &mut self.ws.true_rank,
        );
        let top_half = (k / 2).max(1) as u8;
        let mut velocity = 0.0;
        let mut done_committed = 0.0;
        let mut feature = 0.0;
        let mut enabler = 0.0;
        // In creation order, so sums do not depend on the order of finishing.
        self.ws.finished.sort_unstable();
        for n in 0..self.ws.finished.len() {
            let i = self.ws.finished[n] as usize;
            let item = &self.ws.items[i];
            velocity += item.estimate;
            done_committed += item.committed_points;
            if item.in_scope {
                self.t.scope_remaining -= 1;
            }
            let mut released_value = 0.0;
            let mut released_points = 0.0;
            match item.kind {
                ItemKind::Bug => {}
                ItemKind::Feature | ItemKind::Enabler | ItemKind::Redo => {
                    let size = if item.kind == ItemKind::Redo {
                        0.0
                    } else {
                        item.size
                    };
                    if item.kind == ItemKind::Enabler {
                        enabler += size;
                    } else {
                        feature += size;
                    }
                    released_points = size;
                    self.t.builds += 1;
                    if item.kind != ItemKind::Redo {
                        self.t.items_done += 1;
                        if self.ws.true_rank[item.theme as usize] < top_half {
                            self.t.on_strategy_points += item.size;
                        }
                    }
                    if item.wrong_build {
                        self.t.wrong_builds += 1;
                    } else {
                        let (factor, window) =
                            delay_factor(item.urgency, item.created, now, &s.backlog.urgency);
                        let start = now as usize + 1;
                        let end = window
                            .map_or(self.flow_len, |w| (start + w as usize).min(self.flow_len));
                        if start < end {
                            let a = item.value * factor;
                            self.ws.flow_coef[start * k + item.theme as usize] += a;
                            self.ws.flow_coef[end * k + item.theme as usize] -= a;
                            if T::ON {
                                released_value = a * self.flow_weight(item.theme, start, end);
                            }
                        }
                    }
                }
            }
            if T::ON {
                let item = &self.ws.items[i];
                self.tracer.event(Event::Released {
                    sprint: now,
                    item: item.id,
                    kind: item.kind,
                    points: released_points,
                    value: released_value,
                    wrong_build: item.wrong_build,
                    in_scope: item.in_scope,
                });
            }
        }
        self.t.feature_points += feature;
        self.t.enabler_points += enabler;
        self.t.done_committed_total += done_committed;
        self.debt = team::debt_after(self.debt, feature, enabler, &s.team);
        self.ws.velocities.push(velocity);
        if self.t.scope_remaining == 0 && self.t.completion.is_none() {
            self.t.completion = Some(now + 1);
            self.tracer.event(Event::ScopeComplete { sprint: now });
        }
        self.ws.finished.clear();
        let items = &self.ws.items;
        let mut ready = 0u32;
        self.ws.active.retain(|&i| {
            let it = &items[i as usize];
            ready += (it.ready && it.status == Status::Waiting) as u32;
            it.status != Status::Done
        });
        let backlog = self.ws.active.len() as f64;
        let ready = ready as f64;
        let row = self.ws.series.last_mut().expect("planned this sprint");
        row[series::VELOCITY] = velocity;
        row[series::DONE] = done_committed;
        row[series::BACKLOG_SIZE] = backlog;
        row[series::READY_ITEMS] = ready;
        row[series::ESCAPED_DEFECTS] = self.t.escaped as f64;
        row[series::DECISION_WAIT] = self.t.decision_wait_sprint;
        row[series::TECH_DEBT] = self.debt;
        self.tracer.event(Event::SprintEnd {
            sprint: now,
            velocity,
            done: done_committed,
            tech_debt: self.debt,
            backlog: backlog as u32,
        });
    }

    /// Σ w_theme(t) · discount^t over sprints [start, end): what one unit of value flowing
    /// from `start` realizes (for traces; the run itself sums flows once at the end).
    fn flow_weight(&self, theme: u16, start: usize, end: usize) -> f64 {
        let k = self.themes;
        let discount = 1.0 / (1.0 + self.m.scenario.simulation.discount_rate);
        (start..end)
            .map(|t| self.ws.world.market[t * k + theme as usize] * discount.powi(t as i32))
            .sum()
    }

    /// Value flows, and the run's metrics.
    fn finish(self, oracle_value: Option<f64>) -> RunRecord {
        let s = &self.m.scenario;
        let ws = self.ws;
        let t = &self.t;
        let k = self.themes;
        let hours = self.hours;
        let day = s.simulation.hours_per_day;
        let sprints = s.simulation.sprints as usize;

        // Value: per theme, the running sum of active coefficients times the weight.
        let mut value = 0.0;
        let discount = 1.0 / (1.0 + s.simulation.discount_rate);
        let mut d = 1.0;
        let mut active = [0.0f64; 64];
        for sprint in 0..self.flow_len {
            let mut flow = 0.0;
            let coef = &ws.flow_coef[sprint * k..(sprint + 1) * k];
            let weights = &ws.world.market[sprint * k..(sprint + 1) * k];
            for ((a, c), w) in active.iter_mut().zip(coef).zip(weights) {
                *a += c;
                flow += *a * w;
            }
            value += flow * d;
            d *= discount;
            if sprint < sprints {
                ws.series[sprint][series::CUMULATIVE_VALUE] = value;
            }
        }

        let mut out = [f64::NAN; N_METRICS];
        let planned = s.release.planned_sprint.unwrap_or(0) as f64;
        if let Some(c) = t.completion {
            out[idx::COMPLETION_SPRINT] = c as f64;
            out[idx::RELEASE_DELAY] = c as f64 - planned;
        }
        // Lead times of delivered backlog work, and decision wait over cycle time.
        ws.lead.clear();
        let mut blocked = 0.0;
        let mut cycle = 0.0;
        for item in &ws.items {
            if item.status == Status::Done && item.is_backlog_work() {
                ws.lead
                    .push((item.finish_hour - item.created as f64 * hours) / day);
                blocked += item.blocked_hours;
                cycle += item.finish_hour - item.start_hour;
            }
        }
        out[idx::LEAD_P50] = percentile_in_place(&mut ws.lead, 0.50);
        out[idx::LEAD_P85] = percentile_in_place(&mut ws.lead, 0.85);
        out[idx::DECISION_WAIT] = ratio(blocked.min(cycle), cycle);
        // Top decile of world items by true value, lead time censored at the horizon.
        ws.by_value.clear();
        for (i, item) in ws.items.iter().enumerate() {
            if item.id < INTERNAL_ID {
                ws.by_value.push((item.value, i as u32));
            }
        }
        let n_top = ws.by_value.len().div_ceil(10);
        if n_top > 0 {
            let by = |a: &(f64, u32), b: &(f64, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
            if ws.by_value.len() > n_top {
                ws.by_value.select_nth_unstable_by(n_top - 1, by);
            }
            let horizon = sprints as f64 * hours;
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
        out[idx::CAPACITY_LOST] = ratio(t.context_lost + t.waste + t.rework, t.nominal_capacity);
        out[idx::SAY_DO] = ratio(t.done_committed_total, t.committed_total);
        out[idx::VELOCITY_CV] = velocity_cv(&ws.velocities);
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
        out[idx::REWORK_SHARE] = ratio(t.rework, t.worked);
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

/// Whether the PO would spend the team's time on an item: unplanned work and the release
/// scope always; other items only when the PO believes they are worth something.
#[inline]
fn worth_doing(item: &BacklogItem) -> bool {
    item.top || item.in_scope || item.score > 0.0
}

/// Sort by insertion: linear on the nearly sorted order of the previous sprint. Entries are
/// distinct (the index is unique).
fn insertion_sort(v: &mut [(u64, u32)]) {
    /// Steps taken one by one before a far move switches to binary search and one block move
    /// (when a theme's weight moves, its items move far).
    const NEAR: usize = 3;
    for i in 1..v.len() {
        let x = v[i];
        if v[i - 1] < x {
            continue;
        }
        let mut j = i;
        while j > 0 && i - j < NEAR && v[j - 1] > x {
            v[j] = v[j - 1];
            j -= 1;
        }
        if j > 0 && v[j - 1] > x {
            // v[j + 1..=i] holds the old v[j..i]; move the rest of the way as one block.
            let to = v[..j].partition_point(|e| *e < x);
            v.copy_within(to..j, to + 1);
            j = to;
        }
        v[j] = x;
    }
}

/// A key whose ascending order is the descending order of `score` (IEEE total order).
#[inline]
fn descending_key(score: f64) -> u64 {
    let bits = score.to_bits();
    let ascending = if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    };
    !ascending
}

fn pm_key(items: &[BacklogItem], pm_view: &[f64], i: u32) -> f64 {
    roles::pm_score(&items[i as usize], pm_view)
}

/// Coefficient of variation of the sprint velocities (none for fewer than two sprints or
/// no work).
pub(super) fn velocity_cv(velocities: &[f64]) -> f64 {
    let n = velocities.len() as f64;
    let mean = velocities.iter().sum::<f64>() / n;
    if n > 1.0 && mean > 0.0 {
        let var = velocities.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        var.sqrt() / mean
    } else {
        f64::NAN
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        f64::NAN
    }
}

/// The p-quantile (linear interpolation between order statistics) of `v`, reordering it.
pub fn percentile_in_place(v: &mut [f64], p: f64) -> f64 {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::metrics::idx;
    use crate::scenario::load_scenario;

    #[test]
    fn insertion_sort_sorts_near_and_far_moves() {
        let keys = RunKeys::new(1, 2);
        for n in [0usize, 1, 2, 9, 40, 300] {
            let mut v: Vec<(u64, u32)> = (0..n as u32)
                .map(|i| {
                    let u = keys.unit(Source::Churn, i as u64, n as u64);
                    // Mostly sorted, some far moves, many equal keys.
                    let key = if u < 0.2 {
                        (u * 1e3) as u64
                    } else {
                        i as u64 / 3
                    };
                    (key, i)
                })
                .collect();
            let mut expected = v.clone();
            expected.sort_unstable();
            insertion_sort(&mut v);
            assert_eq!(v, expected, "n = {n}");
        }
    }

    /// Draws kept in the shared world (question latencies) give what fresh draws give,
    /// whatever scenario used the world first.
    #[test]
    fn shared_world_draws_match_fresh_ones() {
        let presets = ["blurred-roles", "overloaded-po", "aligned"];
        let models: Vec<Model> = presets
            .iter()
            .map(|p| Model::new(&load_scenario(p).unwrap()))
            .collect();
        let mut shared = Workspace::new();
        for r in 0..4 {
            let keys = RunKeys::new(5, r);
            for m in &models {
                let reused = simulate(m, &keys, None, &mut shared);
                let fresh = simulate(m, &keys, None, &mut Workspace::new());
                assert_eq!(reused, fresh, "{} run {r}", m.scenario.name);
            }
        }
    }

    /// The events of a run add up to its record: value, points, defects.
    #[test]
    fn trace_adds_up_to_the_record() {
        for preset in ["aligned", "blurred-roles", "overloaded-po"] {
            let model = Model::new(&load_scenario(preset).unwrap());
            let mut ws = Workspace::new();
            for r in 0..5 {
                let keys = RunKeys::new(9, r);
                let mut events = Vec::new();
                let rec = simulate_traced(&model, &keys, None, &mut ws, &mut events);
                let plain = simulate(&model, &keys, None, &mut ws);
                assert_eq!(rec, plain, "tracing must not change the run");
                let (mut value, mut points, mut defects) = (0.0, 0.0, 0u32);
                for e in &events {
                    match *e {
                        Event::Released {
                            value: v,
                            points: p,
                            ..
                        } => {
                            value += v;
                            points += p;
                        }
                        Event::Finished {
                            in_sprint,
                            later,
                            escaped,
                            ..
                        } => defects += in_sprint + later + escaped,
                        _ => {}
                    }
                }
                let m = rec.metrics;
                assert!(
                    (value - m[idx::VALUE_REALIZED]).abs()
                        <= 1e-9 * m[idx::VALUE_REALIZED].abs().max(1.0),
                    "{preset}: {value} vs {}",
                    m[idx::VALUE_REALIZED]
                );
                assert!((points - m[idx::POINTS_DONE]).abs() < 1e-9, "{preset}");
                assert_eq!(defects as f64, m[idx::DEFECTS], "{preset}");
            }
        }
    }
}
