//! Step 3 of a sprint: strategy. The PM observes the market and hands the roadmap over to the
//! PO when due (without a PM the PO forms its own view); a roadmap shock drops items.

use super::Run;
use crate::engine::trace::{DropCause, Event, Tracer};
use crate::model::item::{Status, NO_LANE};
use crate::model::{market, roles};
use crate::random::Source;
use crate::scenario::mask;
use rand::RngExt;

impl<'a, T: Tracer> Run<'a, T> {
    /// Step 3: the PM observes the market and hands the roadmap over when due; without a PM
    /// the PO forms its own view. A sharp change of the PO's theme ranking is a roadmap shock.
    #[inline(never)]
    pub(super) fn strategy(&mut self) {
        let s = &self.m.scenario;
        let k = self.themes;
        let mut changed = false;
        // Stale roadmap off: the PO has the PM's current view every sprint (without a PM, the
        // view a PM would have: the market through the PM's misreading).
        let fresh = !self.m.mask.on(mask::STALE_ROADMAP);
        // The PO's theme ranking before this step (kept up to date whenever the view moves).
        self.ws.rank_a.copy_from_slice(&self.ws.po_rank);
        // Hand-overs keep their calendar from the first reported sprint.
        let due = |interval: u32| {
            (self.sprint as i64 - self.warmup as i64).rem_euclid(interval as i64) == 0
        };
        if s.pm.enabled {
            for j in 0..k {
                self.ws.pm_view[j] =
                    self.ws.world.market[self.sprint as usize * k + j] * self.pm_factor[j];
            }
            if due(s.pm.sync_interval) {
                roles::sync(&mut self.ws.po_view, &self.ws.pm_view, s.pm.sync_fidelity);
                changed = true;
            }
            if fresh {
                self.ws.po_view.copy_from_slice(&self.ws.pm_view);
            }
        } else {
            // Draw every sprint so the stream stays aligned whatever the interval.
            for j in 0..k {
                let z: f64 = self.po_insight.sample(rand_distr::StandardNormal);
                if due(s.po.solo_strategy_interval) {
                    self.ws.po_view[j] = self.ws.world.market[self.sprint as usize * k + j]
                        * (s.po.solo_insight_sigma * z).exp();
                    changed = true;
                }
                if fresh {
                    self.ws.po_view[j] =
                        self.ws.world.market[self.sprint as usize * k + j] * self.pm_factor[j];
                }
            }
        }
        // A hand-over (the calendar's) tells the release scope; the view changed.
        let hand_over = changed;
        changed |= fresh;
        if changed {
            market::ranks(&self.ws.po_view, &mut self.ws.po_rank);
            self.rescore_all = true;
        }
        if hand_over {
            self.hand_over_roadmap();
        }
        // Misalignment: how far the PO's theme ranking is from the PM's after this step. The
        // PM's ranking of this sprint stays for planning (neither view moves until then).
        self.misalignment = if s.pm.enabled {
            market::ranks(&self.ws.pm_view, &mut self.ws.pm_rank);
            market::rank_distance(&self.ws.pm_rank, &self.ws.po_rank)
        } else {
            0.0
        };
        if !changed || self.sprint == 0 {
            return;
        }
        let distance = market::rank_distance(&self.ws.rank_a, &self.ws.po_rank);
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
            if self.ws.po_rank[th] <= self.ws.rank_a[th] {
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
    pub(super) fn hand_over_roadmap(&mut self) {
        // Scope recognition off: the first hand-over tells the whole scope.
        let f = if self.m.mask.on(mask::SCOPE_RECOGNITION) {
            self.m.fidelity
        } else {
            1.0
        };
        // Items below `roadmap_upto` are known, out of scope or done, and stay so.
        let upto = self.roadmap_upto;
        let from = self.ws.active.partition_point(|&i| i < upto);
        let mut first_unknown = self.ws.items.len() as u32;
        for &i in &self.ws.active[from..] {
            let item = &mut self.ws.items[i as usize];
            // One branch for the three tests (`&`, not `&&`): which items the PO has yet to
            // learn about follows no pattern.
            if item.in_scope & !item.on_roadmap & (item.status != Status::Done) {
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

    /// Stop work on an item: its done work is waste and it goes back to the backlog, with
    /// what it waited (blocked hours) forgotten. A conflict's drop also takes it off the
    /// sprint's work list: it waits at least until the next planning. Quality is drawn once
    /// per item: an item dropped during its fix work keeps its defects, wrong build and fix
    /// points, and restarts with its whole size plus the fixes.
    pub(super) fn drop_item(&mut self, i: u32, cause: DropCause) {
        let item = &mut self.ws.items[i as usize];
        self.tracer.event(Event::Dropped {
            sprint: self.sprint,
            item: item.id,
            waste: item.work_done,
            cause,
        });
        self.t.waste += item.work_done;
        self.pull_cursor = 0;
        item.status = Status::Waiting;
        item.remaining = item.size + item.fix_points;
        item.guess_rework = 0.0;
        item.answer_at = 0.0;
        item.work_done = 0.0;
        item.next_question = 0;
        item.blocked_hours = 0.0;
        item.blocked_until = 0.0;
        if item.lane != NO_LANE {
            self.ws.lane_item[item.lane as usize] = u32::MAX;
            item.lane = NO_LANE;
        }
        if cause == DropCause::Conflict {
            item.dropped_in = self.sprint;
            // Off the work list, keeping the done head before `committed_from`.
            let before = self.ws.committed[..self.committed_from]
                .iter()
                .filter(|&&j| j == i)
                .count();
            self.ws.committed.retain(|&j| j != i);
            self.committed_from -= before;
        }
    }
}
