//! The sprint steps on hand-built states: refinement's hours, the PM override's order,
//! planning's ready buffer and watch list, worth doing, in-sprint fixes and the solo PO's
//! review, each against a value by hand or a plain recomputation.

use super::super::Run;
use super::{cold, quiet};
use crate::engine::trace::{Event, NoTrace};
use crate::engine::workspace::Workspace;
use crate::model::compiled::Model;
use crate::model::item::Status;
use crate::random::RunKeys;

/// A run at sprint 0 of `s`, untraced, for a test to set up by hand.
fn fresh_run<'a>(
    model: &'a Model,
    ws: &'a mut Workspace,
    events: &'a mut Vec<Event>,
    run: u64,
) -> Run<'a, Vec<Event>> {
    Run::new(model, &RunKeys::new(41, run), ws, events)
}

/// Refinement: the PO refines from the top of the order with the hours strategy and team
/// support leave, h = hours · (1 − strategy − support); an item of ambiguity a costs
/// refinement_hours · (1 + a), and refinement stops at the first item it cannot pay for.
#[test]
fn the_po_refines_with_the_hours_strategy_and_support_leave() {
    // 40 h a sprint, 2 h · (1 + 0.5) = 3 h an item: (strategy, support) → items refined.
    for (strategy, support, want) in [(0.25, 0.25, 6), (0.5, 0.25, 3), (0.1, 0.1, 10)] {
        let mut s = cold("aligned");
        s.po.hours_per_sprint = 40.0;
        s.po.strategy_share = strategy;
        s.po.support_share = support;
        s.po.refinement_hours = 2.0;
        s.backlog.refinement_factor = 0.6;
        s.backlog.split_rate = 0.0;
        s.roles.pm_override = 0.0;
        let model = Model::new(&s);
        let mut ws = Workspace::new();
        let mut events = Vec::new();
        let mut r = fresh_run(&model, &mut ws, &mut events, 0);
        let mut waiting = 0;
        for it in r.ws.items.iter_mut() {
            if it.status == Status::Waiting && !it.top {
                it.ready = false;
                it.ambiguity = 0.5;
                waiting += 1;
            }
        }
        assert!(waiting > 20, "{waiting} items to refine");
        r.order_and_refine();
        let refined: Vec<f64> =
            r.ws.items
                .iter()
                .filter(|it| !it.top && it.ambiguity != 0.5)
                .map(|it| it.ambiguity)
                .collect();
        assert_eq!(
            refined.len(),
            want,
            "strategy {strategy}, support {support}: {refined:?}"
        );
        // Each refined once: 0.5 · 0.6.
        assert!(refined.iter().all(|&a| (a - 0.3).abs() < 1e-12));
        // From the top of the order: the first `want` unready items of it.
        for (n, &i) in
            r.ws.order
                .iter()
                .filter(|&&i| !r.ws.items[i as usize].top)
                .enumerate()
        {
            let it = &r.ws.items[i as usize];
            assert_eq!(it.ambiguity != 0.5, n < want, "place {n} of the order");
        }
    }
}

/// The PM override: unplanned work stays first; the first `override_top` places of the
/// planned part go to the PM's best items by its own score (highest first), the others keep
/// the PO's order. Checked against a plain sort of every planned item.
#[test]
fn the_pm_override_puts_its_own_top_items_first_in_its_order() {
    let mut s = cold("blurred-roles");
    s.pm.override_top = 5;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    for run in 0..6 {
        let mut events = Vec::new();
        let mut r = fresh_run(&model, &mut ws, &mut events, run);
        let themes = r.ws.pm_view.len();
        for (j, v) in r.ws.pm_view.iter_mut().enumerate() {
            *v = 1.0 + ((j * 7 + run as usize) % themes) as f64;
        }
        // The PO's order: the waiting items, the two first made unplanned work.
        let mut order: Vec<u32> =
            r.ws.active
                .iter()
                .copied()
                .filter(|&i| r.ws.items[i as usize].status == Status::Waiting)
                .collect();
        order.reverse();
        for it in r.ws.items.iter_mut() {
            it.top = false;
        }
        for &i in &order[..2] {
            r.ws.items[i as usize].top = true;
        }
        r.ws.order.clone_from(&order);
        r.pm_override();
        let planned = &order[2..];
        let mut by_pm: Vec<(f64, u32)> = planned
            .iter()
            .map(|&i| {
                (
                    crate::model::roles::pm_score(&r.ws.items[i as usize], &r.ws.pm_view),
                    i,
                )
            })
            .collect();
        by_pm.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let picks: Vec<u32> = by_pm[..5].iter().map(|&(_, i)| i).collect();
        let mut want = order[..2].to_vec();
        want.extend(&picks);
        want.extend(planned.iter().filter(|i| !picks.contains(i)));
        assert!(planned.len() > 20);
        assert_ne!(
            picks,
            planned[..5].to_vec(),
            "run {run}: nothing to reorder"
        );
        assert_eq!(r.ws.order, want, "run {run}");
    }
}

/// Planning's ready buffer holds only waiting, ready, planned items the PO finds worth
/// doing. With p₀ = 0 and k_u = 1: nothing ready against the open commitment takes every
/// unready item that fits (p = 1); a buffer of ready items takes none (p = 0).
#[test]
fn planning_pulls_unready_work_only_when_the_ready_buffer_is_short() {
    let mut s = cold("aligned");
    s.po.take_unready = 0.0;
    s.po.unready_per_buffer_shortfall = 1.0;
    s.backlog.split_rate = 0.0;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    for (ready, run) in [(false, 0), (true, 0), (false, 1), (true, 1)] {
        let mut events = Vec::new();
        let mut r = fresh_run(&model, &mut ws, &mut events, run);
        r.order_and_refine();
        for it in r.ws.items.iter_mut() {
            if it.status == Status::Waiting && !it.top {
                it.ready = ready;
            }
        }
        r.plan();
        assert!(
            r.t.committed_items > 2,
            "ready {ready}: {:?}",
            r.t.committed_items
        );
        let want = if ready { 0 } else { r.t.committed_items };
        assert_eq!(r.t.committed_unready, want, "ready {ready}, run {run}");
        // The watch list for priority churn: the first ready planned items left waiting
        // that the PO finds worth doing, in the order.
        let watch: Vec<u32> =
            r.ws.order
                .iter()
                .copied()
                .filter(|&i| {
                    let it = &r.ws.items[i as usize];
                    !it.top
                        && it.status == Status::Waiting
                        && it.ready
                        && it.committed_points == 0.0
                        && super::super::planning::worth_doing(it)
                })
                .take(super::super::CHURN_TOP)
                .collect();
        assert_eq!(r.ws.prev_top, watch, "ready {ready}, run {run}");
        assert_eq!(watch.len(), if ready { super::super::CHURN_TOP } else { 0 });
    }
}

/// Worth doing: unplanned work and the release scope always; other items only when the PO
/// believes they are worth something (a score above 0, not at 0).
#[test]
fn worth_doing_needs_a_positive_score_outside_the_scope() {
    use super::super::planning::worth_doing;
    let s = cold("aligned");
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let r = Run::new(&model, &RunKeys::new(43, 0), &mut ws, &mut quiet);
    let mut it = r.ws.items[0];
    for (top, in_scope, score, want) in [
        (false, false, 0.0, false),
        (false, false, -1.0, false),
        (false, false, 1e-9, true),
        (false, true, 0.0, true),
        (true, false, -1.0, true),
    ] {
        (it.top, it.in_scope, it.score) = (top, in_scope, score);
        assert_eq!(
            worth_doing(&it),
            want,
            "top {top}, scope {in_scope}, score {score}"
        );
    }
}

/// Step 8: defects found in the sprint add fix_points each to the finishing item, which
/// stays with its lane until the fixes are worked; when it finishes again it is done and
/// its fixes count as rework.
#[test]
fn in_sprint_defects_add_their_fix_work_to_the_item() {
    let mut s = cold("aligned");
    s.quality.defects_per_point = 0.3;
    s.quality.found_in_sprint = 1.0;
    s.quality.found_later = 0.0;
    s.quality.bad_fix_probability = 0.0;
    s.quality.fix_points = 1.5;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut events = Vec::new();
    let mut r = fresh_run(&model, &mut ws, &mut events, 0);
    r.sprint = 2;
    let now = 2.5 * r.hours;
    let (mut with, mut without) = (0, 0);
    let candidates: Vec<u32> =
        r.ws.active
            .iter()
            .copied()
            .filter(|&i| r.ws.items[i as usize].is_backlog_work())
            .take(40)
            .collect();
    for i in candidates {
        let it = &mut r.ws.items[i as usize];
        it.status = Status::InProgress;
        it.remaining = 0.0;
        let before = r.tracer.inner.len();
        let rework = r.t.rework;
        r.finish_item(i, now);
        let found = r.tracer.inner[before..]
            .iter()
            .find_map(|e| match *e {
                Event::Finished { in_sprint, .. } => Some(in_sprint),
                _ => None,
            })
            .expect("a finish event");
        let it = &r.ws.items[i as usize];
        if found == 0 {
            without += 1;
            assert_eq!(it.status, Status::Done);
            continue;
        }
        with += 1;
        let fix = found as f64 * 1.5;
        assert_ne!(it.status, Status::Done, "the lane works the fixes first");
        assert!((it.remaining - fix).abs() < 1e-12, "{} left", it.remaining);
        assert!((it.fix_points - fix).abs() < 1e-12);
        // Finished again: done, no new defects, the fixes are rework.
        r.finish_item(i, now + 1.0);
        let it = &r.ws.items[i as usize];
        assert_eq!(it.status, Status::Done);
        assert!((r.t.rework - rework - fix).abs() < 1e-9);
    }
    assert!(
        with > 5 && without > 0,
        "{with} with fixes, {without} without"
    );
}

/// Without a PM the PO reviews its own view every `solo_strategy_interval` sprints: each
/// theme's weight is the market's times e^(σz), z the sprint's normal draws of the PO's
/// insight stream (drawn every sprint, after the k of the first view, e^(σz) itself).
#[test]
fn the_solo_po_reviews_the_market_through_its_own_noise() {
    use crate::random::Source;
    use rand::RngExt;
    let mut s = cold("overloaded-po");
    assert!(!s.pm.enabled);
    s.po.solo_strategy_interval = 3;
    s.po.solo_insight_sigma = 0.5;
    let model = Model::new(&s);
    let keys = RunKeys::new(47, 2);
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &keys, &mut ws, &mut quiet);
    let k = r.ws.po_view.len();
    let mut z = keys.stream(Source::PoInsight);
    let mut draws = |n: usize| -> Vec<f64> {
        (0..n)
            .map(|_| z.sample::<f64, _>(rand_distr::StandardNormal))
            .collect()
    };
    for (j, z) in draws(k).into_iter().enumerate() {
        assert!(
            (r.ws.po_view[j] - (0.5 * z).exp()).abs() < 1e-12,
            "first view"
        );
    }
    let mut reviews = 0;
    for sprint in 0..8u32 {
        r.sprint = sprint;
        let before = r.ws.po_view.clone();
        r.strategy();
        let zs = draws(k);
        if sprint % 3 != 0 {
            assert_eq!(r.ws.po_view, before, "sprint {sprint}: no review");
            continue;
        }
        reviews += 1;
        for (j, z) in zs.iter().enumerate() {
            let want = r.ws.world.market[sprint as usize * k + j] * (0.5 * z).exp();
            assert!(
                (r.ws.po_view[j] - want).abs() < 1e-12 * want,
                "sprint {sprint}, theme {j}: {} against {want}",
                r.ws.po_view[j]
            );
        }
    }
    assert_eq!(reviews, 3);
}

/// The end of the warm-up starts the run's totals again but keeps what later sprints still
/// owe and what keys their draws and ids: defects still to surface (escaped and found
/// later), how many escaped defects were reported (the index of each one's discovery draw),
/// the bug, redo and split counters (ids), and the last sprint's questions (the next
/// sprint's queue).
#[test]
fn the_end_of_the_warm_up_keeps_what_keys_later_draws() {
    let mut s = cold("aligned");
    s.simulation.warmup_sprints = 3;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut events = Vec::new();
    let mut r = fresh_run(&model, &mut ws, &mut events, 0);
    r.t.pending_escaped = 3;
    r.t.pending_later = 4;
    r.t.escaped_reported = 5;
    r.t.bug_counter = 6;
    r.t.redo_counter = 7;
    r.t.split_counter = 8;
    r.t.questions_sprint = 9;
    // Totals of the warm-up, not reported.
    r.t.items_done = 10;
    r.t.defects = 11;
    r.t.worked = 12.0;
    r.end_warmup();
    let t = &r.t;
    assert_eq!(
        (t.pending_escaped, t.pending_later, t.escaped_reported),
        (3, 4, 5)
    );
    assert_eq!((t.bug_counter, t.redo_counter, t.split_counter), (6, 7, 8));
    assert_eq!(t.questions_sprint, 9);
    assert_eq!((t.items_done, t.defects, t.worked), (0, 0, 0.0));
}

/// Items the run adds (bugs here) get their own churn and planning keys from the run's keys
/// and their id, so two of them never share a draw; world items keep the keys their world
/// gave them.
#[test]
fn added_items_draw_with_keys_of_their_own_id() {
    use crate::random::Source;
    let s = cold("aligned");
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut events = Vec::new();
    let keys = RunKeys::new(41, 3);
    let mut r = fresh_run(&model, &mut ws, &mut events, 3);
    let world: Vec<(u64, u64)> =
        r.ws.items
            .iter()
            .map(|it| (it.churn_key, it.plan_key))
            .collect();
    let first = r.ws.items.len();
    r.add_bug(2.0, false);
    r.add_bug(3.0, true);
    let bugs = &r.ws.items[first..];
    assert_eq!(bugs.len(), 2);
    for it in bugs {
        assert_eq!(it.churn_key, keys.subject_key(Source::Churn, it.id));
        assert_eq!(it.plan_key, keys.subject_key(Source::Planning, it.id));
    }
    assert_ne!(bugs[0].churn_key, bugs[1].churn_key);
    assert_ne!(bugs[0].plan_key, bugs[1].plan_key);
    for (it, &(churn, plan)) in r.ws.items[..first].iter().zip(&world) {
        assert_eq!((it.churn_key, it.plan_key), (churn, plan), "item {}", it.id);
    }
}

/// Step 7, the lanes' clock: with work for every lane and nothing to stop it (no questions,
/// no conflicts), each lane works the whole sprint and not an hour past its end, so the work
/// done is lanes × rate × hours; a lane with nothing to do waits for the first blocked item
/// to free up and works it from that hour on.
#[test]
fn lanes_work_the_whole_sprint_and_wait_for_blocked_work() {
    let s = quiet("aligned");
    let model = Model::new(&s);
    let hours = model.sprint_hours;
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &RunKeys::new(43, 0), &mut ws, &mut quiet);
    r.sprint = 1;
    r.lane_rate = 0.5;
    let lanes = r.ws.lane_item.len();
    assert!(lanes >= 2, "{lanes} lanes");
    let work: Vec<u32> =
        r.ws.active
            .iter()
            .copied()
            .filter(|&i| r.ws.items[i as usize].is_backlog_work())
            .collect();
    let total: f64 = work.iter().map(|&i| r.ws.items[i as usize].remaining).sum();
    let capacity = lanes as f64 * 0.5 * hours;
    assert!(total > 2.0 * capacity, "{total} points for {capacity}");
    r.ws.committed.clear();
    r.ws.committed.extend_from_slice(&work);
    r.committed_from = 0;
    r.execute();
    assert!(
        (r.t.worked - capacity).abs() < 1e-9 * capacity,
        "worked {} of {capacity}",
        r.t.worked
    );
    assert!(r
        .ws
        .lane_time
        .iter()
        .all(|&t| (t - hours).abs() < 1e-9 * hours));

    // One item, blocked until 10 h into the sprint; nothing else can be pulled.
    let mut ws = Workspace::new();
    let mut r = Run::new(&model, &RunKeys::new(43, 1), &mut ws, &mut quiet);
    r.sprint = 1;
    r.lane_rate = 0.5;
    let base = hours;
    for it in r.ws.items.iter_mut() {
        it.ready = false;
        it.top = false;
    }
    let i = work[0];
    let it = &mut r.ws.items[i as usize];
    it.ready = true;
    it.remaining = 1000.0;
    it.blocked_until = base + 10.0;
    r.ws.committed.clear();
    r.ws.committed.push(i);
    r.committed_from = 0;
    r.execute();
    let want = 0.5 * (hours - 10.0);
    assert!(
        (r.t.worked - want).abs() < 1e-9,
        "worked {}, want 0.5 × ({hours} − 10)",
        r.t.worked
    );
    assert!((r.ws.items[i as usize].remaining - (1000.0 - want)).abs() < 1e-9);
}

/// 13.1's latency noise: question q of world item `id` waits e^(σz), z the item's own
/// normal draw keyed by (item, 1 + q), whatever order the questions are asked in (the draws
/// are kept per item and question in the world); a blocked item's event tells the hour
/// within its sprint.
#[test]
fn each_question_has_its_own_latency_draw_and_its_block_its_hour() {
    use crate::engine::trace::BlockCause;
    use crate::random::Source;
    let s = cold("aligned");
    let model = Model::new(&s);
    let hours = model.sprint_hours;
    let mut ws = Workspace::new();
    let mut events = Vec::new();
    let keys = RunKeys::new(41, 5);
    let mut r = fresh_run(&model, &mut ws, &mut events, 5);
    let sigma = 0.7;
    let ids: Vec<u64> = r.ws.items.iter().take(6).map(|it| it.id).collect();
    // Asked in an order that mixes items and questions, twice (the second time from the
    // kept draws).
    for _ in 0..2 {
        for q in [3u8, 1, 2] {
            for &id in ids.iter().rev() {
                let want = (sigma * keys.keyed(Source::Questions, id, 1 + q as u64).normal()).exp();
                let got = r.latency_factor(id, q, sigma);
                assert!(
                    (got - want).abs() < 1e-12,
                    "item {id}, question {q}: {got} ≠ {want}"
                );
            }
        }
    }
    r.sprint = 3;
    let i = r.ws.active[0];
    let before = r.tracer.inner.len();
    r.block(i, 3.0 * hours + 12.5, 4.0, BlockCause::Question);
    let hour = r.tracer.inner[before..]
        .iter()
        .find_map(|e| match *e {
            Event::Blocked { hour, .. } => Some(hour),
            _ => None,
        })
        .expect("a block event");
    assert!(
        (hour - 12.5).abs() < 1e-9,
        "blocked at {hour} h of the sprint"
    );
}
