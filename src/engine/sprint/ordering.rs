//! Steps 4 and 5 of a sprint: ordering and refinement. The PO orders the backlog by its view
//! and refines from the top; in blurred roles the PM may override the top. The order's
//! quality is measured, and large items are split.

use super::{Run, TAG_SPLIT, TAU_TOP};
use crate::engine::trace::{Event, Tracer};
use crate::engine::workspace::RankIn;
use crate::model::item::{BacklogItem, Status, INTERNAL_ID};
use crate::model::roles::{self, PoScoring, TAU_SLOTS};
use crate::random::Source;

impl<'a, T: Tracer> Run<'a, T> {
    /// Steps 4–5: the PO orders the backlog (the window planning can reach), refines from the
    /// top with the hours left after strategy and support; in blurred roles the PM may
    /// override the top of the order.
    #[inline(never)]
    pub(super) fn order_and_refine(&mut self) {
        let s = &self.m.scenario;
        let myopia = self.m.myopia;
        let now = self.sprint;
        let items = &mut self.ws.items;
        let late = s.backlog.urgency.late_factor;
        let scope_first = s.release.scope_first;
        let score = Scoring {
            now,
            dated: dated_weights(late),
            po: PoScoring::new(myopia, scope_first),
        };
        // Last sprint's order, rescored, then the items that came since. A score changes only
        // with the PO's view (a hand-over), the date (fixed-date urgency) or the perceived
        // value (a split): when the view stands, the other items keep last sprint's score.
        let view = &self.ws.po_view;
        let ranked = &mut self.ws.ranked;
        let rank_in = &mut self.ws.rank_in;
        let rescore_all = std::mem::take(&mut self.rescore_all);
        let kept = rescore_order(ranked, items, rank_in, view, &score, rescore_all);
        ranked.truncate(kept);
        insertion_sort(ranked);
        // New items go anywhere in the order: sorted among themselves, then merged in.
        let first_new = self.ws.ranked_upto as usize;
        let fresh = &mut self.ws.fresh;
        score_new(items, rank_in, first_new, view, &score, fresh);
        merge_in(ranked, fresh);
        self.ws.ranked_upto = items.len() as u32;
        self.ws.order.clear();
        self.ws.order.extend(self.ws.ranked.iter().map(|&(_, i)| i));

        if s.pm.enabled
            && s.roles.pm_override > 0.0
            && self.m.mask.on(crate::scenario::mask::OVERRIDE)
            && self.keys.unit(Source::Override, 0, now as u64) < s.roles.pm_override
        {
            self.pm_override();
            self.tracer.event(Event::Override { sprint: now });
        }
        // Ranking τ of the warm-up is not reported (the run's totals restart after it).
        if now >= self.warmup {
            self.measure_order();
        }

        // Refinement from the top of the order.
        let mut hours =
            s.po.hours_per_sprint * (1.0 - s.po.strategy_share - s.po.support_share).max(0.0);
        let b = &s.backlog;
        let mut from = 0;
        while let Some(n) = next_to_refine(&self.ws.order, &self.ws.items, from) {
            from = n + 1;
            let i = self.ws.order[n] as usize;
            let item = &mut self.ws.items[i];
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

    /// The PM puts its own top items first (priority churn in blurred roles).
    pub(super) fn pm_override(&mut self) {
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
        let better = |a: (f64, u32, u32), b: (f64, u32, u32)| {
            b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).is_lt()
        };
        for (at, &i) in planned.iter().enumerate() {
            let e = (pm_key(items, pm_view, i), i, at as u32);
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
        // picks (marked where they stand; no index is `u32::MAX`) and keep the others in place.
        for &(_, _, at) in best.iter() {
            planned[at as usize] = u32::MAX;
        }
        let mut w = planned.len();
        for r in (0..planned.len()).rev() {
            let i = planned[r];
            if i != u32::MAX {
                w -= 1;
                planned[w] = i;
            }
        }
        debug_assert_eq!(w, top);
        for (slot, &(_, i, _)) in planned[..top].iter_mut().zip(best.iter()) {
            *slot = i;
        }
    }

    /// Ranking τ against the true order, and churn of the top of the order.
    #[inline(never)]
    pub(super) fn measure_order(&mut self) {
        let s = &self.m.scenario;
        let k = self.themes;
        let now = self.sprint;
        let weights = &self.ws.world.market[now as usize * k..(now as usize + 1) * k];
        let dated = dated_weights(s.backlog.urgency.late_factor);
        // The release scope first when the scenario works scope first (1e12 × 1 or × 0: the
        // scope follows no pattern in the order), as a lookup by the item's flag.
        let scope_first = s.release.scope_first as u8 as f64;
        let scope = [0.0 * 1e12, scope_first * 1e12];
        // An item of no true value has a true score of ±0 (left out below) when the theme
        // weights are finite: 0 × a finite weight is ±0, and so are the steps by the urgency
        // weight (finite: the scenario's reals are validated finite) and by the sizes (at
        // least 0.1). Such an item is passed over without its score (about half the items
        // at the top are of no value).
        let no_value_is_zero = weights.iter().all(|w| w.is_finite());
        let items: &[BacklogItem] = &self.ws.items;
        let rank_in = &self.ws.rank_in[..items.len()];
        const { assert!(TAU_TOP + 3 <= TAU_SLOTS) };
        let tau_scores = &mut self.ws.tau_scores;
        tau_scores.clear();
        tau_scores.resize(TAU_SLOTS, f64::NAN);
        let slots: &mut [f64; TAU_SLOTS] = (&mut tau_scores[..]).try_into().expect("TAU_SLOTS");
        let mut n = 0;
        for &i in self.ws.order.iter() {
            let item = &items[i as usize];
            if item.top | (item.status != Status::Waiting) {
                continue;
            }
            if (item.value == 0.0) & no_value_is_zero {
                continue;
            }
            // The order perfect information would give under the same policy: true CD3,
            // the release scope first when the scenario works scope first.
            // Items of no value tie in the truth: there is nothing to order among them.
            // True value and weights over the team's estimate: the PO orders by estimates,
            // so τ measures the PO's judgement of value, not the team's estimation error.
            // The urgency weight is the item's entry's (the same bits as `true_score`'s).
            let info = &rank_in[i as usize];
            let weight = weight_at(info.weight, info.deadline, now, &dated);
            let truth = roles::true_score_weighted(item, weights, weight) * item.size.max(0.1)
                / item.estimate.max(0.1);
            // Written, and kept when it is not 0 (no branch: values follow no pattern).
            slots[n % TAU_SLOTS] = scope[item.in_scope as usize] + truth;
            n += (truth != 0.0) as usize;
            if n == TAU_TOP {
                break;
            }
        }
        // The slot past the last score may hold one left out.
        slots[n % TAU_SLOTS] = f64::NAN;
        let tau = roles::order_tau_padded(slots, n);
        tau_scores.truncate(n);
        if let Some(tau) = tau {
            self.t.tau_sum += tau;
            self.t.tau_n += 1;
        }
    }

    /// Refinement may show that an item is really several: it becomes `split_into` items of
    /// the same size and value share (as the throughput forecasters' split rate).
    ///
    /// Inlined where it is called: when the scenario splits nothing (most do), all it does is
    /// mark the item checked.
    #[inline]
    pub(super) fn split(&mut self, i: u32) {
        self.ws.items[i as usize].split_checked = true;
        if self.m.scenario.backlog.split_rate <= 0.0 {
            return;
        }
        self.split_drawn(i);
    }

    /// [`Run::split`] for a scenario that splits: the item's draw, then its parts.
    #[inline(never)]
    fn split_drawn(&mut self, i: u32) {
        let b = &self.m.scenario.backlog;
        let id = self.ws.items[i as usize].id;
        if self.keys.unit(Source::Split, id, 0) >= b.split_rate {
            return;
        }
        let k = b.split_into as f64;
        self.ws.items[i as usize].value /= k;
        self.ws.items[i as usize].perceived /= k;
        // Its score moves with its perceived value: rescore it at the next ordering.
        self.ws.rank_in[i as usize].stale = true;
        self.ws.items[i as usize].pm_perceived /= k;
        for _ in 1..b.split_into {
            let mut part = self.ws.items[i as usize];
            part.id = INTERNAL_ID | TAG_SPLIT | self.t.split_counter;
            self.t.split_counter += 1;
            part.status = Status::Waiting;
            // Not committed (the original's points are last sprint's, forgotten at planning).
            part.committed_points = 0.0;
            part.remaining = part.size;
            part.work_done = 0.0;
            self.push(part);
        }
    }
}

/// The position, from `from` on, of the next item of the order refinement can take: waiting,
/// not ready, not unplanned work. A search over slices, so the pass over the order (most of
/// it when the PO has hours to spare) reads no vector's length or address per entry.
#[inline]
fn next_to_refine(order: &[u32], items: &[BacklogItem], from: usize) -> Option<usize> {
    let rest = order.get(from..)?;
    let skip = rest.iter().position(|&i| {
        let item = &items[i as usize];
        !(item.ready | item.top | (item.status != Status::Waiting))
    })?;
    Some(from + skip)
}

/// Sort by insertion: linear on the nearly sorted order of the previous sprint. Entries are
/// distinct (the index is unique).
pub(super) fn insertion_sort(v: &mut [(u64, u32)]) {
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

/// Last sprint's order rescored where a score can have moved (every entry when `all`), and
/// compacted over the items done since the last ordering: returns how many entries are kept
/// at the front of `ranked`. Slices, not the workspace's vectors, so the compiler knows that
/// writing a score moves no vector and reads their lengths once.
#[inline(never)]
fn rescore_order(
    ranked: &mut [(u64, u32)],
    items: &mut [BacklogItem],
    rank_in: &mut [RankIn],
    view: &[f64],
    score: &Scoring,
    all: bool,
) -> usize {
    if all {
        rescore_pass::<true>(ranked, items, rank_in, view, score)
    } else {
        rescore_pass::<false>(ranked, items, rank_in, view, score)
    }
}

/// [`rescore_order`] with `all` known to the compiler (no test per entry when it holds).
#[inline(always)]
fn rescore_pass<const ALL: bool>(
    ranked: &mut [(u64, u32)],
    items: &mut [BacklogItem],
    rank_in: &mut [RankIn],
    view: &[f64],
    score: &Scoring,
) -> usize {
    // Every item has its entry: as long as `items`, one bounds check serves both.
    let rank_in = &mut rank_in[..items.len()];
    let mut kept = 0;
    for r in 0..ranked.len() {
        let (key, i) = ranked[r];
        let (item, info) = (&mut items[i as usize], &mut rank_in[i as usize]);
        let fresh = ALL | (info.deadline != NO_DEADLINE) | info.stale;
        ranked[kept] = (
            if fresh {
                score.key(item, info, view)
            } else {
                key
            },
            i,
        );
        // Items done since the last ordering leave it: the entry is written whatever the
        // status (a done item's score is read nowhere), the position moves only past the
        // others, so no branch on an outcome that follows no pattern.
        kept += (item.status != Status::Done) as usize;
        info.stale = false;
    }
    kept
}

/// The entries of the items that came since the last ordering (from index `first`), scored,
/// into `fresh`. Slices, as in [`rescore_order`]: growing `fresh` moves no item.
fn score_new(
    items: &mut [BacklogItem],
    rank_in: &mut [RankIn],
    first: usize,
    view: &[f64],
    score: &Scoring,
    fresh: &mut Vec<(u64, u32)>,
) {
    fresh.clear();
    // Every item has its entry: as long as `items`.
    let rank_in = &mut rank_in[first..items.len()];
    let items = &mut items[first..];
    for (j, (item, info)) in items.iter_mut().zip(rank_in.iter_mut()).enumerate() {
        if item.status != Status::Done {
            fresh.push((score.key(item, info, view), (first + j) as u32));
        }
        info.stale = false;
    }
}

/// What a PO's score needs besides the item and the view.
struct Scoring {
    now: u32,
    /// A fixed-date item's weights ([`dated_weights`]).
    dated: [f64; 8],
    po: PoScoring,
}

impl Scoring {
    /// Set the item's score (`info` is its entry beside it); returns its key in the order.
    #[inline(always)]
    fn key(&self, item: &mut BacklogItem, info: &RankIn, view: &[f64]) -> u64 {
        let weight = weight_at(info.weight, info.deadline, self.now, &self.dated);
        item.score = self.po.score(item, view, weight);
        descending_key(item.score)
    }
}

/// `deadline` of an item whose urgency does not move with the date.
pub(super) const NO_DEADLINE: u32 = u32::MAX;

/// A fixed-date item's urgency weight by how far ahead its deadline stands, clamped to
/// [−1, 5] and shifted by 1: passed (late), within 4 sprints (2.5), further (1; also the
/// entry of an item without a deadline, whose weight is its constant × 1). The last entry
/// pads the table to a power of two.
#[inline]
pub(super) fn dated_weights(late_factor: f64) -> [f64; 8] {
    [late_factor, 2.5, 2.5, 2.5, 2.5, 2.5, 1.0, 1.0]
}

/// The urgency weight at sprint `now` of an item whose weight is `constant` (no deadline) or
/// set by its fixed-date `deadline` (`constant` is then 1), as
/// [`crate::model::item::urgency_weight`] gives it (`dated` from [`dated_weights`]), chosen
/// without branches (an item's urgency profile follows no pattern in the order).
#[inline]
pub(super) fn weight_at(constant: f64, deadline: u32, now: u32, dated: &[f64; 8]) -> f64 {
    // How far ahead the deadline stands, as an index: a clamp and a lookup, not a choice (the
    // compiler turns choices into branches). `NO_DEADLINE` stands far ahead of any sprint.
    let ahead = (deadline as i64 - now as i64).clamp(-1, 5) + 1;
    // × 1 is exact: an item without a deadline keeps its constant, a fixed-date item (whose
    // constant is 1) takes the dated weight.
    constant * dated[ahead as usize & 7]
}

/// Merge `fresh` (any order) into the sorted `ranked`: the sorted union, as inserting each
/// entry at its place would give (entries are distinct: the index is unique).
pub(super) fn merge_in(ranked: &mut Vec<(u64, u32)>, fresh: &mut [(u64, u32)]) {
    if fresh.is_empty() {
        return;
    }
    fresh.sort_unstable();
    let (n, m) = (ranked.len(), fresh.len());
    ranked.resize(n + m, (0, 0));
    // From the back: each fresh entry finds its place by binary search among the entries not
    // yet moved, and those after it move up as one block.
    let mut end = n;
    for b in (0..m).rev() {
        let e = fresh[b];
        let at = ranked[..end].partition_point(|x| *x < e);
        ranked.copy_within(at..end, at + b + 1);
        ranked[at + b] = e;
        end = at;
    }
}

/// A key whose ascending order is the descending order of `score` (IEEE total order).
#[inline]
pub(super) fn descending_key(score: f64) -> u64 {
    let bits = score.to_bits();
    let ascending = if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    };
    !ascending
}

pub(super) fn pm_key(items: &[BacklogItem], pm_view: &[f64], i: u32) -> f64 {
    roles::pm_score(&items[i as usize], pm_view)
}

#[cfg(test)]
mod tests;
