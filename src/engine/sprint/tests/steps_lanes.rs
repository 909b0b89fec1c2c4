//! More sprint steps on hand-built states (issue 16, mutation run 6), the lanes and the
//! order: the finish-snapping rule at a sprint's end, guess or wait, which items refinement
//! and ranking τ look at, the split and the item a conflict drops.

use super::super::{Run, TAG_SPLIT};
use super::{cold, quiet};
use crate::engine::trace::{Event, NoTrace};
use crate::engine::workspace::{Conflict, Workspace};
use crate::model::compiled::Model;
use crate::model::item::{Status, INTERNAL_ID};
use crate::random::RunKeys;

/// Execution's end of work: an item whose work ends within 10⁻⁹ of the sprint's hours past
/// the sprint's end is finished in it (rounding must not spill a sliver), one that needs an
/// hour more is not, and one left with at most FINISH_EPS (10⁻⁹ SP) is finished even when
/// that is more than the snap's time tolerance (a slow lane).
#[test]
fn work_ending_within_rounding_of_the_sprint_end_finishes_in_it() {
    let s = quiet("aligned");
    let model = Model::new(&s);
    let hours = model.sprint_hours;
    // (lane rate SP/h, points left at the start, finished?, points left after)
    let cases = [
        // 0.5·10⁻⁹ of the sprint's hours past its end (time tolerance 10⁻⁹ · hours).
        (0.5, 0.5 * hours * (1.0 + 0.5e-9), true, 0.0),
        // An hour past the end: 0.5 SP is left for the next sprint.
        (0.5, 0.5 * hours + 0.5, false, 0.5),
        // 10⁻³ SP/h: 5·10⁻¹⁰ SP is 5·10⁻⁷ h of work, over the time tolerance, under
        // FINISH_EPS.
        (1e-3, 1e-3 * hours + 5e-10, true, 0.0),
        // 10⁻³ SP/h and 10⁻⁸ SP left: 10⁻⁵ h, over both.
        (1e-3, 1e-3 * hours + 1e-8, false, 1e-8),
    ];
    for (n, &(rate, points, finished, left)) in cases.iter().enumerate() {
        let mut ws = Workspace::new();
        let mut quiet = NoTrace;
        let mut r = Run::new(&model, &RunKeys::new(47, n as u64), &mut ws, &mut quiet);
        r.sprint = 1;
        r.lane_rate = rate;
        let i = super::only_ready(&mut r);
        let it = &mut r.ws.items[i as usize];
        assert_eq!(it.questions, 0);
        it.remaining = points;
        r.ws.committed.clear();
        r.ws.committed.push(i);
        r.committed_from = 0;
        r.execute();
        let it = &r.ws.items[i as usize];
        assert_eq!(
            it.status == Status::Done,
            finished,
            "case {n}: rate {rate}, {points} SP: {:?} with {} left",
            it.status,
            it.remaining
        );
        if !finished {
            assert_eq!(it.status, Status::InProgress, "case {n}");
            assert!(
                (it.remaining - left).abs() < 1e-6 * left,
                "case {n}: {} left, want {left}",
                it.remaining
            );
        }
    }
}

/// 13.1a, guess or wait on a hand-built item: past guess_after_hours the lane stops waiting
/// (the wait returned is the threshold), the answer is still due at now + latency, and a
/// wrong guess (probability wrong_guess_per_ambiguity · ambiguity, here 0 or 1) adds the
/// lane's rate × (latency − threshold) of rework, at most the work left; the event tells the
/// hour within the sprint.
#[test]
fn a_guess_past_the_threshold_costs_the_lanes_rework_when_it_is_wrong() {
    let mut s = cold("aligned");
    s.team.guess_after_hours = 4.0;
    s.team.wrong_guess_per_ambiguity = 1.0;
    let model = Model::new(&s);
    let hours = model.sprint_hours;
    // (ambiguity, remaining, latency) → (wait, wrong, rework)
    let cases = [
        (1.0, 20.0, 10.0, 4.0, Some((true, 3.0))),
        (1.0, 2.0, 10.0, 4.0, Some((true, 2.0))),
        (0.0, 20.0, 10.0, 4.0, Some((false, 0.0))),
        (1.0, 20.0, 3.0, 3.0, None),
    ];
    for (n, &(ambiguity, remaining, latency, wait, guess)) in cases.iter().enumerate() {
        let mut ws = Workspace::new();
        let mut events = Vec::new();
        let mut r = Run::new(&model, &RunKeys::new(53, n as u64), &mut ws, &mut events);
        r.sprint = 2;
        r.lane_rate = 0.5;
        let i = r.ws.active[0];
        let it = &mut r.ws.items[i as usize];
        it.ambiguity = ambiguity;
        it.remaining = remaining;
        it.answer_at = 0.0;
        it.guess_rework = 0.0;
        let id = it.id;
        let now = 2.0 * hours + 7.5;
        let before = r.tracer.inner.len();
        let got = r.guess_or_wait(i, now, latency);
        assert_eq!(got, wait, "case {n}");
        let it = &r.ws.items[i as usize];
        let guessed: Vec<Event> = r.tracer.inner[before..]
            .iter()
            .filter(|e| matches!(e, Event::Guessed { .. }))
            .cloned()
            .collect();
        match guess {
            None => {
                assert!(guessed.is_empty(), "case {n}: {guessed:?}");
                assert_eq!(it.answer_at, 0.0);
                assert_eq!(it.remaining, remaining);
            }
            Some((wrong, rework)) => {
                assert_eq!(it.answer_at, now + latency, "case {n}");
                assert_eq!(it.remaining, remaining + rework, "case {n}");
                assert_eq!(it.guess_rework, rework, "case {n}");
                assert_eq!(guessed.len(), 1, "case {n}");
                let Event::Guessed {
                    sprint,
                    hour,
                    item,
                    wrong: w,
                    rework: rw,
                } = guessed[0]
                else {
                    unreachable!()
                };
                assert_eq!((sprint, item, w, rw), (2, id, wrong, rework), "case {n}");
                assert!((hour - 7.5).abs() < 1e-9, "case {n}: at {hour} h");
            }
        }
    }
}

/// Refinement spends the PO's hours only on unready items waiting in the planned part of
/// the order: ready items, unplanned work (ready or not) and items in progress are passed.
#[test]
fn refinement_passes_ready_items_unplanned_work_and_work_in_progress() {
    let mut s = cold("aligned");
    s.po.hours_per_sprint = 1000.0;
    s.po.strategy_share = 0.0;
    s.po.support_share = 0.0;
    s.po.refinement_hours = 0.1;
    s.backlog.refinement_factor = 0.6;
    s.backlog.split_rate = 0.0;
    s.roles.pm_override = 0.0;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut events = Vec::new();
    let mut r = Run::new(&model, &RunKeys::new(59, 0), &mut ws, &mut events);
    let mut want = Vec::new();
    let (mut kinds, mut n) = ([0; 4], 0);
    for &i in r.ws.active.clone().iter() {
        let it = &mut r.ws.items[i as usize];
        if it.status != Status::Waiting {
            continue;
        }
        it.ambiguity = 0.5;
        it.ready = n % 2 == 0;
        it.top = n % 3 == 0;
        if n % 5 == 0 {
            it.status = Status::InProgress;
        }
        let refined = !it.ready && !it.top && it.status == Status::Waiting;
        kinds[(it.ready as usize) * 2 + it.top as usize] += 1;
        want.push((i, refined));
        n += 1;
    }
    assert!(kinds.iter().all(|&k| k >= 3), "{kinds:?}");
    r.order_and_refine();
    for &(i, refined) in &want {
        let it = &r.ws.items[i as usize];
        let a = it.ambiguity;
        if refined {
            assert!((a - 0.3).abs() < 1e-12, "item {i} not refined: {a}");
        } else {
            assert_eq!(
                a, 0.5,
                "item {i} (ready {}, top {}, {:?}) refined",
                it.ready, it.top, it.status
            );
        }
    }
}

/// Ranking τ is measured over the items waiting in the planned part of the order only:
/// unplanned work and items in progress at the head of the order, with lower true scores
/// than the rest, leave an order that sorts the others by truth at τ = 1.
#[test]
fn ranking_tau_passes_unplanned_work_and_work_in_progress() {
    let mut s = cold("aligned");
    s.release.scope_first = false;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &RunKeys::new(61, 0), &mut ws, &mut quiet);
    let k = r.themes;
    let w = r.ws.world.market[..k].to_vec();
    let urgency = s.backlog.urgency.clone();
    let mut by_truth: Vec<(f64, u32)> = Vec::new();
    for &i in &r.ws.active {
        let it = &r.ws.items[i as usize];
        if it.status != Status::Waiting {
            continue;
        }
        let truth = crate::model::roles::true_score(it, &w, 0, &urgency) * it.size.max(0.1)
            / it.estimate.max(0.1);
        if truth > 0.0 {
            by_truth.push((truth, i));
        }
    }
    by_truth.sort_by(|a, b| b.0.total_cmp(&a.0));
    assert!(by_truth.len() >= 20, "{} items", by_truth.len());
    // The six lowest: top and waiting, top and in progress, in progress, two of each.
    let low: Vec<u32> = by_truth[by_truth.len() - 6..].iter().map(|e| e.1).collect();
    for (n, &i) in low.iter().enumerate() {
        let it = &mut r.ws.items[i as usize];
        it.in_scope = false;
        it.top = n < 4;
        if n >= 2 {
            it.status = Status::InProgress;
        }
    }
    let rest: Vec<u32> = by_truth[..by_truth.len() - 6].iter().map(|e| e.1).collect();
    for &i in &rest {
        r.ws.items[i as usize].in_scope = false;
        r.ws.items[i as usize].top = false;
    }
    r.ws.order.clear();
    r.ws.order.extend(low.iter().rev());
    r.ws.order.extend(&rest);
    r.t.tau_sum = 0.0;
    r.t.tau_n = 0;
    r.measure_order();
    assert_eq!(r.t.tau_n, 1);
    assert_eq!(r.t.tau_sum, 1.0);
}

/// A split (split_rate 1, split_into 3): the item keeps a third of its value, its perceived
/// values and its place, and two parts of its size join the backlog as new waiting items
/// with their own split ids; at split_rate 0 nothing splits, but the item is checked.
#[test]
fn a_split_divides_the_value_among_parts_of_the_same_size() {
    for rate in [1.0, 0.0] {
        let mut s = cold("aligned");
        s.backlog.split_rate = rate;
        s.backlog.split_into = 3;
        let model = Model::new(&s);
        let mut ws = Workspace::new();
        let mut quiet = NoTrace;
        let mut r = Run::new(&model, &RunKeys::new(67, 0), &mut ws, &mut quiet);
        let i =
            r.ws.active
                .iter()
                .copied()
                .find(|&i| {
                    let it = &r.ws.items[i as usize];
                    it.status == Status::Waiting
                        && it.is_backlog_work()
                        && !it.split_checked
                        && it.value != 0.0
                })
                .unwrap();
        let old = r.ws.items[i as usize];
        let (n_items, counter) = (r.ws.items.len(), r.t.split_counter);
        r.split(i);
        let it = r.ws.items[i as usize];
        assert!(it.split_checked);
        if rate == 0.0 {
            assert_eq!(r.ws.items.len(), n_items);
            assert_eq!((it.value, it.perceived), (old.value, old.perceived));
            continue;
        }
        assert_eq!(r.ws.items.len(), n_items + 2);
        assert!((it.value - old.value / 3.0).abs() <= 1e-12 * old.value.abs());
        assert!((it.perceived - old.perceived / 3.0).abs() <= 1e-12 * old.perceived.abs());
        assert!((it.pm_perceived - old.pm_perceived / 3.0).abs() <= 1e-12 * old.pm_perceived.abs());
        assert_eq!((it.id, it.size), (old.id, old.size));
        for (n, part) in r.ws.items[n_items..].iter().enumerate() {
            assert_eq!(part.id, INTERNAL_ID | TAG_SPLIT | (counter + n as u64));
            assert_eq!(part.status, Status::Waiting);
            assert_eq!(
                (part.size, part.remaining, part.work_done),
                (old.size, old.size, 0.0)
            );
            assert_eq!(part.value, it.value);
        }
    }
}

/// A conflict that injects work drops the lowest-scored item in progress of the planned
/// work: unplanned work in progress is never the one dropped, even with the lowest score.
#[test]
fn an_injected_conflict_drops_the_lowest_planned_item_in_progress() {
    let s = quiet("aligned");
    let model = Model::new(&s);
    let hours = model.sprint_hours;
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &RunKeys::new(71, 0), &mut ws, &mut quiet);
    r.sprint = 1;
    let work: Vec<u32> =
        r.ws.active
            .iter()
            .copied()
            .filter(|&i| r.ws.items[i as usize].status == Status::Waiting)
            .take(6)
            .collect();
    r.ws.committed.clear();
    // Scores 6, 5, …, 1: the two lowest are unplanned work, the lowest planned one has 3.
    for (n, &i) in work.iter().enumerate() {
        let it = &mut r.ws.items[i as usize];
        it.status = Status::InProgress;
        it.score = 6.0 - n as f64;
        it.top = n >= 4;
        r.ws.committed.push(i);
    }
    r.committed_from = 0;
    let c = Conflict {
        hour: 5.0,
        inject: true,
        delay: 0.0,
        index: 0,
    };
    r.apply_conflict(c, hours + 5.0);
    for (n, &i) in work.iter().enumerate() {
        let st = r.ws.items[i as usize].status;
        let want = if n == 3 {
            Status::Waiting
        } else {
            Status::InProgress
        };
        assert_eq!(st, want, "item {n} of score {}", 6 - n);
    }
}

/// The lanes' pull, past the sprint's work list: a waiting item the order offers is pulled
/// when it is ready, when it is the PM's top item, or both; not when it is neither.
#[test]
fn the_pull_takes_an_item_that_is_ready_or_on_top_or_both() {
    let s = quiet("aligned");
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &RunKeys::new(5, 0), &mut ws, &mut quiet);
    r.sprint = 1;
    let i = r.ws.active[0];
    for (ready, top) in [(true, true), (true, false), (false, true), (false, false)] {
        let it = &mut r.ws.items[i as usize];
        it.status = Status::Waiting;
        it.ready = ready;
        it.top = top;
        it.score = 1.0;
        it.blocked_until = 0.0;
        r.ws.committed.clear();
        r.committed_from = 0;
        r.ws.order.clear();
        r.ws.order.push(i);
        r.pull_cursor = 0;
        let got = r.next_item(0.0);
        if ready || top {
            assert_eq!(got, Ok(i), "ready {ready}, top {top}");
            assert_eq!(r.ws.committed, vec![i], "a pulled item joins the work list");
        } else {
            assert!(got.is_err(), "ready {ready}, top {top}: {got:?}");
        }
    }
}

/// The lanes' search of the work list by its bits (`free_bits`, at most 64 items) finds what
/// the search entry by entry finds: the same items in the same order as lanes take them, then
/// the same hour of the first blocked item's release, on lists of every length up to 64 with
/// items in lanes, done, blocked and free, with stale bits (an item that went into a lane or
/// was done behind the bits' back) and an item put back on the list (`back_on_list`).
#[test]
fn the_work_list_s_bits_find_what_the_entry_by_entry_search_finds() {
    use crate::model::item::NO_LANE;
    let s = quiet("aligned");
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &RunKeys::new(3, 0), &mut ws, &mut quiet);
    while r.ws.items.len() < 70 {
        let it = r.ws.items[0];
        r.ws.items.push(it);
    }
    let keys = RunKeys::new(11, 0);
    let now = 10.0;
    let mut searched = 0;
    for round in 0..400u64 {
        let u = |k: u64| keys.unit(crate::random::Source::Churn, round, k);
        let n = 1 + (u(0) * 64.0) as usize;
        let list: Vec<u32> = (0..n as u32).collect();
        for (k, it) in r.ws.items.iter_mut().take(n).enumerate() {
            let v = u(1 + k as u64);
            it.lane = if v < 0.2 { 1 } else { NO_LANE };
            it.status = [Status::Waiting, Status::InProgress, Status::Done][(v * 3.0) as usize];
            it.blocked_until = [0.0, now, 15.0, 12.0][(v * 1e3) as usize % 4];
        }
        r.ws.order.clear();
        // Both searches from the same state, lanes taking what they find.
        let start: Vec<_> = r.ws.items[..n].to_vec();
        let mut found = [Vec::new(), Vec::new()];
        for (by_bits, got) in found.iter_mut().enumerate() {
            r.ws.items[..n].copy_from_slice(&start);
            r.ws.committed.clear();
            r.ws.committed.extend_from_slice(&list);
            r.committed_from = 0;
            r.index_work_list();
            assert!(!r.wide, "{n} items fit the bits");
            r.wide = by_bits == 0;
            // Behind the bits' back: one item goes into a lane, one is done.
            let (a, b) = ((u(100) * n as f64) as usize, (u(101) * n as f64) as usize);
            r.ws.items[a].lane = 2;
            r.ws.items[b].status = Status::Done;
            for step in 0.. {
                match r.next_item(now) {
                    Ok(i) => {
                        got.push(Ok(i));
                        r.ws.items[i as usize].lane = 0;
                        if step == 1 {
                            // Taken back off its lane (blocked): it is found again.
                            r.ws.items[i as usize].lane = NO_LANE;
                            r.back_on_list(i);
                        }
                    }
                    Err(wake) => {
                        got.push(Err(wake));
                        break;
                    }
                }
            }
        }
        searched += found[0].len();
        assert_eq!(found[0], found[1], "round {round}, {n} items");
    }
    assert!(searched > 2_000, "the lanes took items: {searched}");
}

/// An item in a lane knows its place on the work list (`list_place`, the place its bit
/// stands for, which a lane's item put back sets without searching the list): indexed with
/// the list, pulled onto its end, and moved up one with the list when a conflict puts new
/// work in front of it.
#[test]
fn an_item_in_a_lane_knows_its_place_on_the_work_list() {
    let s = quiet("aligned");
    let model = Model::new(&s);
    let hours = model.sprint_hours;
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &RunKeys::new(5, 0), &mut ws, &mut quiet);
    r.sprint = 1;
    assert!(r.ws.lane_item.len() >= 2, "two lanes");
    let work: Vec<u32> =
        r.ws.active
            .iter()
            .copied()
            .filter(|&i| r.ws.items[i as usize].status == Status::Waiting)
            .take(3)
            .collect();
    for &i in &work {
        let it = &mut r.ws.items[i as usize];
        (it.ready, it.top, it.score, it.blocked_until) = (true, false, 1.0, 0.0);
    }
    // Two on the list, the first blocked; the third offered by the order.
    r.ws.committed.clear();
    r.ws.committed.extend_from_slice(&work[..2]);
    r.committed_from = 0;
    r.ws.items[work[0] as usize].blocked_until = hours + 10.0;
    r.ws.order.clear();
    r.ws.order.push(work[2]);
    r.pull_cursor = 0;
    r.index_work_list();
    let place = |r: &Run<NoTrace>, i: u32| r.ws.items[i as usize].list_place as usize;
    let mut lanes = Vec::new();
    for l in 0..2 {
        let i = r.next_item(hours + 1.0).expect("free work");
        r.ws.items[i as usize].lane = l as u8;
        r.ws.lane_item[l] = i;
        lanes.push(i);
    }
    assert_eq!(lanes, [work[1], work[2]], "by its bit, then pulled");
    assert_eq!((place(&r, work[1]), place(&r, work[2])), (1, 2));
    // New work in front: the lanes' items moved up one with the list.
    let c = Conflict {
        hour: 1.0,
        inject: true,
        delay: 0.0,
        index: 0,
    };
    r.apply_conflict(c, hours + 1.0);
    assert_eq!(r.ws.committed[1..], work[..]);
    for &i in &lanes {
        assert_eq!(
            r.ws.committed[place(&r, i)],
            i,
            "item {i} after the injection"
        );
    }
}
