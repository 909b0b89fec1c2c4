//! Step 9 of a sprint: release. Value starts flowing, tech debt moves, and the sprint's
//! velocity and series are recorded.

use super::Run;
use crate::engine::metrics::series;
use crate::engine::trace::{Event, Tracer};
use crate::model::item::{delay_factor, ItemKind, Status};
use crate::model::team;

impl<'a, T: Tracer> Run<'a, T> {
    /// Step 9: release at sprint end. Value starts flowing next sprint; tech debt moves;
    /// velocity and the sprint's series are recorded.
    #[inline(never)]
    pub(super) fn release(&mut self) {
        let s = &self.m.scenario;
        let k = self.themes;
        let now = self.sprint;
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
                        // On strategy: the release roadmap, or an item worth its cost to
                        // the market now (positive true value on a theme of weight > 0).
                        if item.in_scope
                            || item.value
                                * self.ws.world.market[now as usize * k + item.theme as usize]
                                > 0.0
                        {
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
        self.debt = team::debt_after(self.debt, feature, enabler, self.pressure, &s.team);
        self.ws.velocities.push(velocity);
        if self.t.scope_remaining == 0 && self.t.completion.is_none() && now >= self.warmup {
            self.t.completion = Some(now + 1 - self.warmup);
            self.tracer.event(Event::ScopeComplete { sprint: now });
        }
        self.ws.finished.clear();
        // Drop the finished items from the active list, counting the ready ones. Every entry
        // is written and the write position moves by whether the item is still active: no
        // branch on an outcome that follows no pattern.
        // Local slices: the loop's stores into the active list could otherwise be the
        // vectors' own lengths and addresses for all the compiler knows, which it would
        // reload at every step.
        let items = &self.ws.items[..];
        let slots = &mut self.ws.active[..];
        let mut ready = 0u32;
        let mut kept = 0;
        for r in 0..slots.len() {
            let i = slots[r];
            let it = &items[i as usize];
            ready += (it.ready & (it.status == Status::Waiting)) as u32;
            slots[kept] = i;
            kept += (it.status != Status::Done) as usize;
        }
        self.ws.active.truncate(kept);
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
    pub(super) fn flow_weight(&self, theme: u16, start: usize, end: usize) -> f64 {
        let k = self.themes;
        let discount = 1.0 / (1.0 + self.m.scenario.simulation.discount_rate);
        (start..end)
            .map(|t| {
                self.ws.world.market[t * k + theme as usize]
                    * discount.powi(t as i32 - self.warmup as i32)
            })
            .sum()
    }
}
