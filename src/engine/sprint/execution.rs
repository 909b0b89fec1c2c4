//! Step 7 of a sprint: execution. Lanes pull work hour by hour, wait for decisions (and pay
//! the context-switch tax), meet conflicts, and finish items.

use super::planning::worth_doing;
use super::{Run, MAX_CONFLICTS, TAG_INJECTED};
use crate::engine::trace::{BlockCause, DropCause, Event, Tracer};
use crate::engine::workspace::Conflict;
use crate::model::item::{BacklogItem, Status, INTERNAL_ID, MAX_QUESTIONS, NO_LANE};
use crate::model::team::FINISH_EPS;
use crate::random::{poisson_from_unit, RunKeys, Source};
use rand_distr::{Distribution, LogNormal};

/// The `sub` of the keyed draw that decides whether a guess on question q is wrong:
/// `GUESS_DRAWS + q` of `Source::Questions` (below it: the question positions and latencies).
const GUESS_DRAWS: u64 = 64;

impl<'a, T: Tracer> Run<'a, T> {
    /// Step 7: ten days of work in lanes, in working hours. Lanes take committed items, then
    /// further ready items (work-conserving); questions block an item, its lane switches and
    /// pays the context-switch tax; conflicts strike at their hour.
    #[inline(never)]
    pub(super) fn execute(&mut self) {
        let s = &self.m.scenario;
        let hours = self.hours;
        let base = self.sprint as f64 * hours;
        self.draw_conflicts();
        self.pull_cursor = 0;
        self.index_work_list();
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
            for (j, &lt) in self.ws.lane_time[..lanes].iter().enumerate() {
                if lt < t {
                    t = lt;
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
                    self.back_on_list(current);
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
            // The first of finish, question, sprint end and conflict. The last two are after
            // t (the hours are finite and not NaN), so the order of the minima is free.
            let dt_other = min_of(dt_end, dt_conflict);
            let dt = if dt_finish <= dt_question {
                // Work that fits the sprint exactly (e.g. 6 SP of capacity on six 1-SP items)
                // finishes in it: rounding must not leave 1e-15 SP to spill into the next
                // sprint. (When the finish comes first, dt_finish − dt_other ≤ 0.)
                if dt_finish - dt_other <= 1e-9 * hours {
                    dt_finish
                } else {
                    dt_other
                }
            } else {
                min_of(dt_question, dt_other)
            };
            let progress = rate * dt;
            let item = &mut self.ws.items[i as usize];
            item.remaining -= progress;
            item.work_done += progress;
            self.t.worked += progress;
            self.ws.lane_time[l] = t + dt;
            let now = base + t + dt;
            if (dt == dt_finish && dt <= dt_question) || item.remaining <= FINISH_EPS {
                item.remaining = 0.0;
                if item.answer_at > now {
                    // Worked on a guess: it is done only when the answer confirms or
                    // corrects it (a wrong guess's rework is already in the item).
                    let wait = item.answer_at - now;
                    self.block(i, now, wait, BlockCause::Question);
                } else {
                    self.finish_item(i, now);
                }
            } else if dt == dt_question {
                item.next_question += 1;
                let (id, q) = (item.id, item.next_question);
                let po = &s.po;
                let latency = po.decision_latency_hours
                    * self.latency_factor(id, q, po.decision_latency_sigma)
                    / self.m.availability
                    * self.queue_factor;
                self.t.questions_sprint += 1;
                let wait = self.guess_or_wait(i, now, latency);
                self.block(i, now, wait, BlockCause::Question);
            }
        }
    }

    /// e^(σ·z) for the normal z of question `q` (1-based) of item `id`. A world item raises
    /// the same questions in every scenario of the world, so its draws are kept there.
    pub(super) fn latency_factor(&mut self, id: u64, q: u8, sigma: f64) -> f64 {
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

    /// Guess or wait (docs/model.md §13.1a; Ko, DeLine & Venolia 2007): the hours item `i`
    /// waits for the answer to the question it just reached, `latency` away. Past
    /// `team.guess_after_hours` the developer stops waiting and proceeds on a guess, wrong
    /// with probability min(1, `wrong_guess_per_ambiguity` × ambiguity) (a world draw keyed
    /// by item and question). The work done on a wrong guess until the answer arrives — the
    /// lane's rate × (latency − threshold), at most the rest of the item — is added to the
    /// item and counted as rework when it is done; the item is not done before the answer.
    pub(super) fn guess_or_wait(&mut self, i: u32, now: f64, latency: f64) -> f64 {
        let team = &self.m.scenario.team;
        let after = team.guess_after_hours;
        if after <= 0.0 || latency <= after {
            return latency;
        }
        let item = &mut self.ws.items[i as usize];
        item.answer_at = item.answer_at.max(now + latency);
        let q = item.next_question as usize;
        let p = (team.wrong_guess_per_ambiguity * item.ambiguity).min(1.0);
        let mut rework = 0.0;
        let wrong = p > 0.0
            && self
                .keys
                .unit(Source::Questions, item.id, GUESS_DRAWS + q as u64)
                < p;
        if wrong {
            rework = (self.lane_rate * (latency - after)).clamp(0.0, item.remaining.max(0.0));
            item.remaining += rework;
            item.guess_rework += rework;
        }
        self.tracer.event(Event::Guessed {
            sprint: self.sprint,
            hour: now - self.sprint as f64 * self.hours,
            item: item.id,
            wrong,
            rework,
        });
        after
    }

    /// Set the bits of the sprint's work list (`free_bits`) from its items, or mark it wide.
    pub(super) fn index_work_list(&mut self) {
        let list = &self.ws.committed[..];
        self.wide = list.len() > 64;
        let mut bits = 0u64;
        if !self.wide {
            let items = &mut self.ws.items[..];
            for (p, &i) in list.iter().enumerate() {
                let it = &mut items[i as usize];
                it.list_place = p as u8;
                bits |= (((it.lane == NO_LANE) & (it.status != Status::Done)) as u64) << p;
            }
        }
        self.free_bits = bits;
    }

    /// Item `i` left its lane, not done: the bit of its place on the work list is set. The
    /// place it went into the lane from (`list_place`: set when the list is indexed or the
    /// item pulled onto it, moved when work is put in front) is tested first: a search of
    /// the list ends at a place no predictor foresees. The search stays for an item put into
    /// a lane by other means (tests do).
    pub(super) fn back_on_list(&mut self, i: u32) {
        if !self.wide {
            let list = &self.ws.committed;
            let p = self.ws.items[i as usize].list_place as usize;
            let p = if list.get(p) == Some(&i) {
                Some(p)
            } else {
                list.iter().position(|&j| j == i)
            };
            if let Some(p) = p {
                self.free_bits |= 1 << p;
            }
        }
    }

    /// The next item for a free lane: committed work first (in order), then pulled from the
    /// order. Err carries the earliest time a blocked item frees up.
    #[inline(always)]
    pub(super) fn next_item(&mut self, now: f64) -> Result<u32, f64> {
        let sprint = self.sprint;
        let free = |it: &BacklogItem| free(it, now, sprint);
        if !self.wide {
            // Only the items in no lane and not done are looked at, by their bits, in the
            // list's order; a stale bit (the item went into a lane or is done) is cleared.
            let list = &self.ws.committed[..];
            let items = &self.ws.items[..];
            let mut bits = self.free_bits;
            let mut left = bits;
            while left != 0 {
                let p = left.trailing_zeros() as usize;
                left &= left - 1;
                let i = list[p];
                let it = &items[i as usize];
                if (it.lane != NO_LANE) | (it.status == Status::Done) {
                    bits &= !(1 << p);
                } else if it.blocked_until <= now {
                    // It goes into the caller's lane.
                    self.free_bits = bits & !(1 << p);
                    return Ok(i);
                }
            }
            self.free_bits = bits;
        } else {
            // Finished work stays finished: skip the finished head of the work list.
            let mut from = self.committed_from;
            while from < self.ws.committed.len()
                && self.ws.items[self.ws.committed[from] as usize].status == Status::Done
            {
                from += 1;
            }
            self.committed_from = from;
            for &i in &self.ws.committed[from..] {
                if free_on_list(&self.ws.items[i as usize], now, sprint) {
                    return Ok(i);
                }
            }
        }
        // Items before the cursor cannot be pulled any more this sprint: status only moves
        // forward (a drop resets the cursor). Past the part of the order worth doing none
        // can be pulled.
        let order = &self.ws.order[..self.worth_end.min(self.ws.order.len())];
        let items = &self.ws.items[..];
        let mut n = self.pull_cursor;
        while let Some(&i) = order.get(n) {
            n += 1;
            let it = &items[i as usize];
            if (it.status == Status::Waiting) & free(it) & (it.ready | it.top) & worth_doing(it) {
                self.pull_cursor = n;
                // Pulled work joins the sprint's work list (uncommitted: it is not say/do),
                // into the caller's lane (its bit stays clear).
                self.ws.committed.push(i);
                self.wide |= self.ws.committed.len() > 64;
                self.ws.items[i as usize].list_place = (self.ws.committed.len() - 1) as u8;
                return Ok(i);
            }
        }
        self.pull_cursor = n;
        let items = &self.ws.items;
        let mut wake = f64::INFINITY;
        let mut wait = |it: &BacklogItem| {
            if it.lane == NO_LANE && it.status != Status::Done && it.blocked_until > now {
                wake = wake.min(it.blocked_until);
            }
        };
        if !self.wide {
            let mut left = self.free_bits;
            while left != 0 {
                let p = left.trailing_zeros() as usize;
                left &= left - 1;
                wait(&items[self.ws.committed[p] as usize]);
            }
        } else {
            for &i in &self.ws.committed[self.committed_from..] {
                wait(&items[i as usize]);
            }
        }
        Err(wake)
    }

    /// Block an item for `hours`; its lane moves on and pays the context-switch tax.
    pub(super) fn block(&mut self, i: u32, now: f64, hours: f64, cause: BlockCause) {
        let sprint_end = (self.sprint as f64 + 1.0) * self.hours;
        let item = &mut self.ws.items[i as usize];
        self.tracer.event(Event::Blocked {
            sprint: self.sprint,
            hour: now - self.sprint as f64 * self.hours,
            item: item.id,
            hours,
            cause,
        });
        item.blocked_until = max_of(item.blocked_until, now) + hours;
        item.blocked_hours += hours;
        self.t.decision_wait_sprint += hours;
        if item.lane != NO_LANE {
            let l = item.lane as usize;
            item.lane = NO_LANE;
            self.ws.lane_item[l] = u32::MAX;
            let tax = self.m.scenario.team.context_switch_tax
                * min_of(hours, (sprint_end - now).max(0.0));
            self.ws.lane_time[l] = min_of(self.ws.lane_time[l] + tax, self.hours);
            self.t.context_lost += tax * self.lane_rate;
            self.back_on_list(i);
        }
    }

    pub(super) fn draw_conflicts(&mut self) {
        let r = &self.m.scenario.roles;
        self.ws.conflicts.clear();
        let rate = conflict_rate(r, self.misalignment);
        if rate <= 0.0 {
            return;
        }
        let mut g = self.keys.keyed(Source::Conflicts, self.sprint as u64, 0);
        let n = poisson_from_unit(g.unit(), rate).min(MAX_CONFLICTS as u32);
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
    pub(super) fn apply_conflict(&mut self, c: Conflict, now: f64) {
        // The planned items in progress (not the PM's top), in creation order.
        self.ws.gather_in_progress(|item| !item.top);
        let started = &self.ws.started;
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
            let item = BacklogItem::unplanned(id, self.sprint, self.m, &self.keys);
            self.tracer.event(Event::Injected {
                sprint: self.sprint,
                hour: now - self.sprint as f64 * self.hours,
                item: id,
                points: item.size,
            });
            let idx = self.push(item);
            self.ws.committed.insert(0, idx);
            self.committed_from = 0;
            // Every place moves up one (the lanes' items' too); the new item's is free.
            self.free_bits = self.free_bits << 1 | 1;
            self.wide |= self.ws.committed.len() > 64;
            for &j in &self.ws.lane_item {
                if j != u32::MAX {
                    let it = &mut self.ws.items[j as usize];
                    it.list_place = it.list_place.wrapping_add(1);
                }
            }
            if let Some((_, i)) = lowest {
                self.drop_item(i, DropCause::Conflict);
                // Off the work list: the places after it moved down.
                self.index_work_list();
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
}

/// `x.min(y)` for an x that is not NaN, as the compiler computes `f64::min` here: y if
/// y < x, else x (x when they are equal, zeros of either sign included). One `minsd`:
/// `f64::min` spends five more instructions on a NaN x, which the lanes' hours never are.
#[inline(always)]
fn min_of(x: f64, y: f64) -> f64 {
    debug_assert!(!x.is_nan());
    if y < x {
        y
    } else {
        x
    }
}

/// `x.max(y)` for an x that is not NaN, as the compiler computes `f64::max` here: y if
/// y > x, else x. One `maxsd` (see [`min_of`]).
#[inline(always)]
fn max_of(x: f64, y: f64) -> f64 {
    debug_assert!(!x.is_nan());
    if y > x {
        y
    } else {
        x
    }
}

/// Whether a lane may take item `it` at `now` in `sprint`: in no lane, not done, not blocked,
/// and not dropped by a conflict this sprint (it waits for the next planning). Tests without
/// branches (`&`, not `&&`): their outcomes follow no pattern.
#[inline(always)]
fn free(it: &BacklogItem, now: f64, sprint: u32) -> bool {
    (it.lane == NO_LANE)
        & (it.status != Status::Done)
        & (it.blocked_until <= now)
        & (it.dropped_in != sprint)
}

/// [`free`] for an item on the sprint's work list, its tests as bits of one word: joined by
/// `&`, the compiler still gives each its own branch, and on the work list (items in lanes,
/// blocked, done, in no order) those branches were the run's most mispredicted; one branch
/// tests them all. An item a conflict dropped has left the work list (`drop_item`) and is
/// pulled back onto it in no sprint of its drop, so the list's items need no test of it.
#[inline(always)]
fn free_on_list(it: &BacklogItem, now: f64, sprint: u32) -> bool {
    debug_assert!(it.dropped_in != sprint, "a dropped item on the work list");
    ((it.lane == NO_LANE) as u32
        | ((it.status != Status::Done) as u32) << 1
        | ((it.blocked_until <= now) as u32) << 2)
        == 0b111
}

/// Conflicting directives a sprint: the base rate, plus shared authority (the PM's override
/// probability) and misalignment d, each with its shared coefficient:
/// λ = conflicts_per_sprint + conflicts_per_override · pm_override + conflicts_per_misalignment · d,
/// at most 16 a sprint (the cap validation puts on the base rate).
pub(crate) fn conflict_rate(r: &crate::scenario::Roles, misalignment: f64) -> f64 {
    (r.conflicts_per_sprint
        + r.conflicts_per_override * r.pm_override
        + r.conflicts_per_misalignment * misalignment)
        .min(16.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The work list's test of a free item says what the general test says, for every mix of
    /// lane, status and blocking of an item not dropped this sprint (blocked until before, at
    /// and after the hour).
    #[test]
    fn the_work_list_s_free_test_is_the_general_one() {
        let now = 30.0;
        let mut n = 0;
        for lane in [NO_LANE, 0, 2] {
            for status in [Status::Waiting, Status::InProgress, Status::Done] {
                for blocked_until in [0.0, 29.5, now, 30.5, f64::INFINITY] {
                    for dropped_in in [crate::model::item::NOT_DROPPED, 3] {
                        let mut it = BacklogItem::for_test(1, 1.0, 2.0);
                        (it.lane, it.status, it.blocked_until) = (lane, status, blocked_until);
                        it.dropped_in = dropped_in;
                        assert_eq!(
                            free_on_list(&it, now, 4),
                            free(&it, now, 4),
                            "lane {lane}, {status:?}, blocked until {blocked_until}"
                        );
                        n += free(&it, now, 4) as u32;
                    }
                }
            }
        }
        assert_eq!(n, 2 * 2 * 3, "free: in no lane, not done, not blocked");
    }

    /// `min_of` and `max_of` are `f64::min` and `f64::max` bit for bit wherever x is not
    /// NaN: ordered pairs, equal values, infinities, and a NaN y. (Zeros of opposite signs,
    /// for which `f64::min` promises neither, never meet there: the hours are +0 or above.)
    #[test]
    fn min_of_and_max_of_are_min_and_max_bit_for_bit() {
        let v = [
            0.0,
            -0.0,
            1.5,
            -2.0,
            1e-300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            3.0,
        ];
        for &x in &v {
            for &y in v.iter().chain([f64::NAN].iter()) {
                if x == 0.0 && y == 0.0 && x.to_bits() != y.to_bits() {
                    continue;
                }
                assert_eq!(min_of(x, y).to_bits(), x.min(y).to_bits(), "min({x}, {y})");
                assert_eq!(max_of(x, y).to_bits(), x.max(y).to_bits(), "max({x}, {y})");
            }
        }
    }

    /// 13.5: λ = conflicts_per_sprint + k_o · pm_override + k_m · d, at most 16; every
    /// coefficient set here (the defaults may move).
    #[test]
    fn conflicts_rise_with_override_and_misalignment() {
        let r = crate::scenario::Roles {
            conflicts_per_sprint: 0.1,
            conflicts_per_override: 2.0,
            conflicts_per_misalignment: 1.5,
            pm_override: 0.0,
            ..crate::scenario::Roles::default()
        };
        // Base rate alone, then each term by hand.
        assert_eq!(conflict_rate(&r, 0.0), 0.1);
        assert!((conflict_rate(&r, 0.4) - (0.1 + 1.5 * 0.4)).abs() < 1e-12);
        let shared = crate::scenario::Roles {
            pm_override: 0.25,
            ..r.clone()
        };
        assert!((conflict_rate(&shared, 0.0) - (0.1 + 2.0 * 0.25)).abs() < 1e-12);
        assert!((conflict_rate(&shared, 0.4) - (0.1 + 0.5 + 0.6)).abs() < 1e-12);
        // The cap: 0.1 + 2·0.25 + 30·0.6 = 18.6 → 16.
        let wild = crate::scenario::Roles {
            conflicts_per_misalignment: 30.0,
            ..shared
        };
        assert_eq!(conflict_rate(&wild, 0.6), 16.0);
    }
}
