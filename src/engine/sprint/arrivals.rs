//! Steps 1 and 2 of a sprint: arrivals (new items, risks that strike, bug work from defects
//! found since) and requirement churn (a changed item gains ambiguity, loses readiness and
//! part of its done work).

use super::{Run, TAG_BUG, TAG_RISK};
use crate::engine::trace::{Event, Tracer};
use crate::model::item::{BacklogItem, Status, INTERNAL_ID};
use crate::random::{keyed_from, Source};

impl<'a, T: Tracer> Run<'a, T> {
    /// Step 1: new items, risks that strike, and bug work from defects found since.
    #[inline(never)]
    pub(super) fn arrive(&mut self) {
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
                let mut item = BacklogItem::unplanned(
                    INTERNAL_ID | TAG_RISK | ((i as u64) << 20) | j,
                    self.sprint,
                    self.m,
                    &self.keys,
                );
                item.in_scope = true;
                self.push(item);
            }
            if risk.added_points > 0.0 {
                let mut item = BacklogItem::unplanned(
                    INTERNAL_ID | TAG_RISK | ((i as u64) << 20) | 0xfffff,
                    self.sprint,
                    self.m,
                    &self.keys,
                );
                item.size = risk.added_points;
                item.estimate = risk.added_points;
                item.remaining = risk.added_points;
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

    pub(super) fn add_bug(&mut self, points: f64, escaped: bool) {
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

    /// Step 2: requirement churn, p = churn_probability × (1 + churn_per_misalignment × d),
    /// d the PM–PO misalignment. A waiting item that changes gains ambiguity and loses
    /// readiness; an item in progress also loses part of its done work to rework. Every
    /// change grows the item by `churn_growth` of its size (scope growth).
    #[inline(never)]
    pub(super) fn churn(&mut self) {
        let r = &self.m.scenario.roles;
        // Requirements move more when the PO's priorities stand apart from the PM's (the
        // misalignment after last sprint's hand-over).
        let p = churn_probability(r, self.misalignment);
        if p <= 0.0 {
            return;
        }
        let threshold = self.m.scenario.backlog.ready_threshold;
        let below = churn_threshold(p);
        let sprint = self.sprint as u64;
        // The draws first (a tight pass over every active item), then what the few changes
        // do, in the same order.
        let ws = &mut *self.ws;
        let items = &ws.items[..];
        ws.churned.clear();
        for &i in &ws.active {
            let item = &items[i as usize];
            if (item.status == Status::Done) | !item.is_backlog_work() {
                continue;
            }
            if churn_word(item.churn_key, sprint) >> 11 < below {
                ws.churned.push(i);
            }
        }
        for n in 0..self.ws.churned.len() {
            let item = &mut self.ws.items[self.ws.churned[n] as usize];
            item.ambiguity = (item.ambiguity + r.churn_ambiguity).min(1.0);
            item.ready = self.m.all_ready || item.ambiguity <= threshold;
            let mut lost = 0.0;
            if item.status == Status::InProgress {
                lost = r.churn_rework_share * item.work_done;
                item.work_done -= lost;
                item.remaining += lost;
                self.t.rework += lost;
            }
            // Scope growth: the changed requirement asks for more (unestimated) work.
            let growth = r.churn_growth * item.size;
            item.size += growth;
            item.remaining += growth;
            self.tracer.event(Event::Churned {
                sprint: self.sprint,
                item: item.id,
                rework: lost,
                growth,
            });
        }
    }
}

/// The word of the churn draw of an item (its `churn_key`) in `sprint`: the draw's uniform
/// ([`crate::random::Keyed::unit`]) is k·2⁻⁵³ for k = word >> 11.
#[inline(always)]
pub(super) fn churn_word(churn_key: u64, sprint: u64) -> u64 {
    keyed_from(churn_key, sprint).next_u64()
}

/// The bound on a churn draw's k for probability p in (0, 1]: the uniform k·2⁻⁵³ is below
/// p exactly when k is below ⌈p·2⁵³⌉ (k·2⁻⁵³ and p·2⁵³ are exact: scaling by a power of two;
/// an integer is below a real x when it is below ⌈x⌉), so the draw is compared as an integer.
#[inline]
pub(super) fn churn_threshold(p: f64) -> u64 {
    (p * (1u64 << 53) as f64).ceil() as u64
}

/// 13.4: the chance a requirement changes in a sprint,
/// p = churn_probability × (1 + churn_per_misalignment × d), at most 1.
pub(super) fn churn_probability(r: &crate::scenario::Roles, misalignment: f64) -> f64 {
    (r.churn_probability * (1.0 + r.churn_per_misalignment * misalignment)).min(1.0)
}
