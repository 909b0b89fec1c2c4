//! Step 6 of a sprint: planning by yesterday's weather. Spillover and unplanned work first,
//! then the order while the estimates fit.

use super::{Run, CHURN_TOP};
use crate::engine::metrics::{series, N_SERIES};
use crate::engine::trace::{Event, Tracer};
use crate::model::item::{BacklogItem, Status};
use crate::model::team;
use crate::random::keyed_from;

impl<'a, T: Tracer> Run<'a, T> {
    /// Step 6: planning by yesterday's weather. Spillover and unplanned work first, then the
    /// order while the estimates fit; unready items only with probability take_unready.
    #[inline(never)]
    pub(super) fn plan(&mut self) {
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
        // Last sprint's commitments are forgotten: only the items it committed (spillover
        // included) hold points.
        for &i in &self.ws.planned {
            self.ws.items[i as usize].committed_points = 0.0;
        }
        self.ws.planned.clear();
        // Spillover: work in progress continues, in creation order.
        self.ws.gather_in_progress(|_| true);
        let spill = &self.ws.started;
        self.ws.committed.clear();
        self.committed_from = 0;
        let mut points = 0.0;
        for &i in spill.iter() {
            let item = &mut self.ws.items[i as usize];
            item.committed_points = item.remaining_estimate();
            points += item.committed_points;
            self.ws.committed.push(i);
        }
        self.ws.planned.extend_from_slice(&self.ws.committed);
        // The ready buffer against the commitment still open: when it runs short, the team
        // pulls in unready work to fill the sprint.
        let open = (commitment - points).max(0.0);
        // The passes below read the items and the order through local slices, so the loop
        // holds their addresses and lengths in registers instead of reloading them from the
        // workspace at every step. None of them takes an item not worth doing: they stop at
        // the order's tail of such items (the lowest scores), and so do the lanes' pulls.
        self.worth_end = worth_end(&self.ws.items, &self.ws.order);
        let misaligned =
            s.pm.enabled && s.roles.misalignment_ambiguity > 0.0 && s.pm.sync_fidelity < 1.0;
        // The probability of taking an unready item, from the ready buffer as planning found
        // it. Only an unready item that fits needs it: it is worked out then, unless
        // misalignment may make committed items unready first (then here, before any pick).
        let before_picks = |ws: &crate::engine::workspace::Workspace, we: usize| {
            take_unready_from(&ws.items, &ws.order[..we], open, &s.po)
        };
        let mut take = misaligned.then(|| before_picks(self.ws, self.worth_end));
        // `misaligned` implies a PM: the strategy step ranked both views of this sprint.
        let mut n = 0;
        while let Some((next, i)) = next_pick_with(
            &self.ws.items,
            &self.ws.order[..self.worth_end],
            n,
            points,
            commitment,
            || *take.get_or_insert_with(|| before_picks(self.ws, self.worth_end)),
            self.sprint,
        ) {
            let i = i as usize;
            n = next;
            if !self.ws.items[i].split_checked {
                self.split(i as u32);
            }
            let item = &mut self.ws.items[i];
            // Readiness as the PO took it (misalignment below adds ambiguity afterwards).
            let taken_unready = !item.top && !item.ready;
            if misaligned
                && !item.top
                && self.ws.pm_rank[item.theme as usize] != self.ws.po_rank[item.theme as usize]
            {
                item.ambiguity = (item.ambiguity
                    + (1.0 - s.pm.sync_fidelity) * s.roles.misalignment_ambiguity)
                    .min(1.0);
                item.ready = self.m.all_ready || item.ambiguity <= s.backlog.ready_threshold;
            }
            item.committed_points = item.estimate;
            points += item.estimate;
            self.ws.committed.push(i as u32);
            self.ws.planned.push(i as u32);
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
        let items = &self.ws.items[..];
        let mut next_up = [0u32; CHURN_TOP];
        let mut found = 0;
        for &i in &self.ws.order[..self.worth_end] {
            let it = &items[i as usize];
            let next = !it.top
                & (it.status == Status::Waiting)
                & it.ready
                & (it.committed_points == 0.0)
                & worth_doing(it);
            // Written, and kept when it is next up (no branch on the outcome).
            next_up[found] = i;
            found += next as usize;
            if found == CHURN_TOP {
                break;
            }
        }
        self.ws.prev_top.clear();
        self.ws.prev_top.extend_from_slice(&next_up[..found]);
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

    pub(super) fn push_series_committed(&mut self, committed: f64, churn: f64) {
        let mut row = [0.0; N_SERIES];
        row[series::COMMITTED] = committed;
        row[series::PRIORITY_CHURN] = churn;
        row[series::ROADMAP_CHANGE] = self.roadmap_change;
        self.ws.series.push(row);
    }
}

/// The next item planning commits, from position `n` of the order on: `(position after it,
/// index)`, or None when the commitment is full or the order exhausted. Unplanned work is
/// taken whatever its size; other items while their estimate fits, unready ones only with
/// probability `take_unready` (the item's planning draw of this sprint).
#[cfg(test)]
fn next_pick(
    items: &[BacklogItem],
    order: &[u32],
    n: usize,
    points: f64,
    commitment: f64,
    take_unready: f64,
    sprint: u32,
) -> Option<(usize, u32)> {
    next_pick_with(items, order, n, points, commitment, || take_unready, sprint)
}

/// [`next_pick`] with `take_unready` asked for only when an unready item fits.
#[inline]
fn next_pick_with(
    items: &[BacklogItem],
    order: &[u32],
    mut n: usize,
    points: f64,
    commitment: f64,
    mut take_unready: impl FnMut() -> f64,
    sprint: u32,
) -> Option<(usize, u32)> {
    let full = points >= commitment;
    while let Some(&i) = order.get(n) {
        n += 1;
        let item = &items[i as usize];
        // Most items are passed over as too large for what is left: that test first, then
        // the others (not waiting, not worth doing).
        let too_large = points + item.estimate > commitment;
        if too_large & !(item.top | full) {
            continue;
        }
        if !((item.status == Status::Waiting) & worth_doing(item)) {
            continue;
        }
        if !item.top {
            if full {
                return None;
            }
            if !item.ready && keyed_from(item.plan_key, sprint as u64).unit() >= take_unready() {
                continue;
            }
        }
        return Some((n, i));
    }
    None
}

/// The end of the part of `order` worth doing: no item from this position on is
/// ([`worth_doing`]). The order puts the lowest scores last, so the items not worth doing
/// (score at most 0, neither unplanned work nor in the release scope) are mostly its tail.
fn worth_end(items: &[BacklogItem], order: &[u32]) -> usize {
    order
        .iter()
        .rposition(|&i| worth_doing(&items[i as usize]))
        .map_or(0, |p| p + 1)
}

/// [`take_unready`] for the ready buffer of `order` (the part worth doing): the estimates of
/// the ready items waiting (not unplanned work), summed in order until they cover `open`.
fn take_unready_from(
    items: &[BacklogItem],
    order: &[u32],
    open: f64,
    po: &crate::scenario::Po,
) -> f64 {
    let mut ready_points = 0.0;
    for &i in order {
        if ready_points >= open {
            break;
        }
        let it = &items[i as usize];
        // + estimate × 1 or × 0 (the same sum: estimates are finite), without a branch.
        let ready = (it.status == Status::Waiting) & it.ready & !it.top & worth_doing(it);
        ready_points += it.estimate * ready as u8 as f64;
    }
    take_unready(po, ready_points, open)
}

/// The probability of taking an unready item: the base rises towards 1 with the share of the
/// open commitment the ready buffer lacks, p = p₀ + (1 − p₀) · k_u · max(0, 1 − ready / open).
pub(crate) fn take_unready(po: &crate::scenario::Po, ready_points: f64, open: f64) -> f64 {
    let shortfall = if open > 0.0 {
        (1.0 - ready_points / open).clamp(0.0, 1.0)
    } else {
        0.0
    };
    po.take_unready + (1.0 - po.take_unready) * po.unready_per_buffer_shortfall * shortfall
}

/// Whether the PO would spend the team's time on an item: unplanned work and the release
/// scope always; other items only when the PO believes they are worth something.
#[inline]
pub(super) fn worth_doing(item: &BacklogItem) -> bool {
    item.top | item.in_scope | (item.score > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Planning's pick, step by step: items not waiting or not worth doing are passed over,
    /// unplanned work is taken whatever its size, other items while their estimate fits
    /// (a smaller one further down still may), and the first waiting item worth doing met
    /// with the commitment full ends the planning; an unready item is taken only when its
    /// planning draw of the sprint falls below `take_unready`.
    #[test]
    fn planning_picks_in_order_while_the_estimates_fit() {
        let item = |id: u64, size: f64| {
            let mut it = BacklogItem::for_test(id, 1.0, size);
            it.score = 1.0;
            it
        };
        let mut items = vec![
            item(0, 5.0), // done: passed over
            item(1, 8.0), // unplanned work: taken whatever its size
            item(2, 3.0), // worth nothing: passed over
            item(3, 5.0), // fits an empty commitment of 6
            item(4, 8.0), // does not fit
            item(5, 1.0), // fits
        ];
        items[0].status = Status::Done;
        items[1].top = true;
        items[2].score = -1.0;
        let order = [0u32, 1, 2, 3, 4, 5];
        // Points already committed: 0, commitment 6.
        assert_eq!(next_pick(&items, &order, 0, 0.0, 6.0, 0.0, 3), Some((2, 1)));
        assert_eq!(next_pick(&items, &order, 2, 0.0, 6.0, 0.0, 3), Some((4, 3)));
        assert_eq!(next_pick(&items, &order, 4, 5.0, 6.0, 0.0, 3), Some((6, 5)));
        assert_eq!(next_pick(&items, &order, 6, 6.0, 6.0, 0.0, 3), None);
        // Full: the next waiting item worth doing ends the planning, even one that would fit.
        assert_eq!(next_pick(&items, &order, 2, 6.0, 6.0, 0.0, 3), None);
        // Full, but unplanned work further down is still taken.
        assert_eq!(next_pick(&items, &order, 0, 7.0, 6.0, 0.0, 3), Some((2, 1)));
        // An unready item: taken with probability take_unready, by its own draw.
        items[3].ready = false;
        assert_eq!(next_pick(&items, &order, 2, 0.0, 6.0, 0.0, 3), Some((6, 5)));
        assert_eq!(next_pick(&items, &order, 2, 0.0, 6.0, 1.0, 3), Some((4, 3)));
        let draw = keyed_from(items[3].plan_key, 3).unit();
        let expect = if draw < 0.5 {
            Some((4, 3))
        } else {
            Some((6, 5))
        };
        assert_eq!(next_pick(&items, &order, 2, 0.0, 6.0, 0.5, 3), expect);
    }

    /// The part of the order worth doing ends after its last item worth doing, whatever
    /// lies before it (an item in scope or unplanned work of score at most 0 is worth doing,
    /// one not worth doing may stand among those that are); an order with none has none.
    #[test]
    fn the_order_worth_doing_ends_after_its_last_such_item() {
        let item = |id: u64, score: f64| {
            let mut it = BacklogItem::for_test(id, 1.0, 1.0);
            it.score = score;
            it
        };
        let mut items: Vec<BacklogItem> = [2.0, -1.0, 0.0, -3.0, 0.5, -2.0]
            .iter()
            .enumerate()
            .map(|(k, &s)| item(k as u64, s))
            .collect();
        assert_eq!(worth_end(&items, &[0, 1, 2, 3, 4, 5]), 5);
        assert_eq!(worth_end(&items, &[4, 0, 1, 2, 3, 5]), 2);
        assert_eq!(worth_end(&items, &[1, 2, 3, 5]), 0);
        assert_eq!(worth_end(&items, &[]), 0);
        items[3].in_scope = true;
        assert_eq!(worth_end(&items, &[4, 0, 1, 2, 3, 5]), 5);
        items[3].in_scope = false;
        items[5].top = true;
        assert_eq!(worth_end(&items, &[4, 0, 1, 2, 3, 5]), 6);
    }

    /// Planning asks for `take_unready` only when an unready item (not unplanned work) is
    /// waiting, worth doing and fits; the ready buffer behind it sums the ready items'
    /// estimates in order until they cover what is open (unready, unplanned, not waiting or
    /// not worth doing: not counted).
    #[test]
    fn take_unready_is_worked_out_only_for_an_unready_item_that_fits() {
        let item = |id: u64, size: f64| {
            let mut it = BacklogItem::for_test(id, 1.0, size);
            it.score = 1.0;
            it
        };
        let mut items: Vec<BacklogItem> = [3.0, 5.0, 2.0, 4.0, 8.0, 1.0]
            .iter()
            .enumerate()
            .map(|(k, &e)| item(k as u64, e))
            .collect();
        items[1].ready = false;
        let order = [0u32, 1, 2, 3, 4, 5];
        let asked = std::cell::Cell::new(0);
        let pick = |n: usize, points: f64, take: f64| {
            let ask = || {
                asked.set(asked.get() + 1);
                take
            };
            next_pick_with(&items, &order, n, points, 6.0, ask, 3)
        };
        // Item 0 fits: no unready item met.
        assert_eq!(pick(0, 0.0, 0.0), Some((1, 0)));
        // The unready item 1 (5 SP) does not fit 3 + 5 > 6: not asked; item 2 is taken.
        assert_eq!(pick(1, 3.0, 0.0), Some((3, 2)));
        assert_eq!(asked.get(), 0);
        // With room for it: asked once, and it is passed over (0) or taken (1).
        assert_eq!(pick(1, 0.0, 0.0), Some((3, 2)));
        assert_eq!(pick(1, 0.0, 1.0), Some((2, 1)));
        assert_eq!(asked.get(), 2);
        let po = crate::scenario::Po::default();
        let take = |items: &[BacklogItem], open: f64| take_unready_from(items, &order, open, &po);
        // Ready and waiting: 3 (item 0), then 2 (item 2) covers 5 = open.
        assert_eq!(take(&items, 5.0), take_unready(&po, 5.0, 5.0));
        assert_eq!(take(&items, 6.0), take_unready(&po, 9.0, 6.0));
        items[2].status = Status::InProgress;
        items[3].top = true;
        items[4].score = -1.0;
        assert_eq!(take(&items, 6.0), take_unready(&po, 4.0, 6.0));
    }

    /// 13.3: p = p₀ + (1 − p₀) · k_u · max(0, 1 − ready / open), coefficients set here.
    #[test]
    fn unready_work_is_pulled_in_when_the_ready_buffer_runs_short() {
        let po = crate::scenario::Po {
            take_unready: 0.1,
            unready_per_buffer_shortfall: 0.5,
            ..crate::scenario::Po::default()
        };
        // A full buffer (or nothing open) leaves the base.
        assert_eq!(take_unready(&po, 30.0, 25.0), 0.1);
        assert_eq!(take_unready(&po, 25.0, 25.0), 0.1);
        assert_eq!(take_unready(&po, 0.0, 0.0), 0.1);
        // 10 of 25 ready: shortfall 0.6 → 0.1 + 0.9 · 0.5 · 0.6 = 0.37.
        assert!((take_unready(&po, 10.0, 25.0) - 0.37).abs() < 1e-12);
        // Nothing ready: 0.1 + 0.45 = 0.55.
        assert!((take_unready(&po, 0.0, 25.0) - 0.55).abs() < 1e-12);
        // At k_u = 1 an empty buffer takes every unready item.
        let eager = crate::scenario::Po {
            unready_per_buffer_shortfall: 1.0,
            ..po
        };
        assert!((take_unready(&eager, 0.0, 25.0) - 1.0).abs() < 1e-12);
    }
}
