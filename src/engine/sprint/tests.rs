//! The mechanisms of docs/model.md §13 that act on the run's private state, each pinned in
//! direction and size against a hand computation. Every coefficient a test relies on is set
//! here (the defaults may be recalibrated). The others are in `tests/it/mechanisms.rs`
//! (latency, conflicts and debt through traced runs) and next to their equations.

use super::arrivals::churn_probability;
use super::{queue_factor, Run};
use crate::engine::trace::{Event, NoTrace};
use crate::engine::workspace::Workspace;
use crate::model::compiled::Model;
use crate::model::item::Status;
use crate::random::RunKeys;
use crate::scenario::{load_scenario, Po, Roles, Scenario};

mod steps;
mod steps_arrivals;
mod steps_decisions;
mod steps_draws;
mod steps_finish;
mod steps_lane_hours;
mod steps_lanes;
mod steps_order;
mod steps_outcomes;
mod steps_planning;
mod steps_records;
mod steps_scope;
mod steps_strategy;
mod steps_work_list;

/// Within 4.5 standard errors of a share p over n trials.
fn share_close(what: &str, hits: u32, n: u32, p: f64) {
    let got = hits as f64 / n as f64;
    let se = (p * (1.0 - p) / n as f64).sqrt();
    assert!(
        (got - p).abs() < 4.5 * se,
        "{what}: {hits} of {n} = {got:.4}, want {p} (SE {se:.4})"
    );
}

fn cold(preset: &str) -> Scenario {
    let mut s = load_scenario(preset).expect("preset");
    s.simulation.warmup_sprints = 0;
    s
}

/// One lane, two conflicts a sprint on average, every one injecting an item: the set-up of
/// the tests of a conflict's hour (the rest as `quiet`, but with conflicts).
fn one_lane_injecting_conflicts() -> Scenario {
    let mut s = quiet("aligned");
    s.team.lanes = 1;
    s.roles.conflicts_per_sprint = 2.0;
    s.roles.conflict_inject_share = 1.0;
    s
}

/// A scenario whose sprint has no questions, conflicts or override: lanes just work.
fn quiet(preset: &str) -> Scenario {
    let mut s = cold(preset);
    s.po.questions_base = 0.0;
    s.po.questions_per_ambiguity = 0.0;
    s.roles.conflicts_per_sprint = 0.0;
    s.roles.conflicts_per_override = 0.0;
    s.roles.conflicts_per_misalignment = 0.0;
    s.roles.pm_override = 0.0;
    s.quality.defects_per_point = 0.0;
    s.quality.fix_points = 0.0;
    s
}

/// Makes one item the only one the lanes may pull: every item unready and off the top, then
/// the first backlog work item on the active list ready. Returns that item.
fn only_ready<T: crate::engine::trace::Tracer>(r: &mut Run<'_, T>) -> u32 {
    for it in r.ws.items.iter_mut() {
        it.ready = false;
        it.top = false;
    }
    let i =
        r.ws.active
            .iter()
            .copied()
            .find(|&i| r.ws.items[i as usize].is_backlog_work())
            .unwrap();
    r.ws.items[i as usize].ready = true;
    i
}

/// 13.1, the queue: 1 / (1 − min(0.9, questions × answer_hours / (PO hours × support))).
#[test]
fn queue_factor_is_one_over_one_minus_the_load() {
    let po = Po {
        hours_per_sprint: 80.0,
        support_share: 0.25,
        answer_hours: 2.0,
        ..Po::default()
    };
    // 20 support hours a sprint.
    assert_eq!(queue_factor(0, &po), 1.0);
    // 1 question: load 0.1 → 1/0.9.
    assert!((queue_factor(1, &po) - 1.0 / 0.9).abs() < 1e-12);
    // 5 questions: load 0.5 → 2.
    assert!((queue_factor(5, &po) - 2.0).abs() < 1e-12);
    // 9 questions: load 0.9 exactly, the cap → 10; beyond it still 10.
    assert!((queue_factor(9, &po) - 10.0).abs() < 1e-9);
    assert!((queue_factor(100, &po) - 10.0).abs() < 1e-9);
    // No support hours at all: the cap.
    let absent = Po {
        support_share: 0.0,
        ..po.clone()
    };
    assert!((queue_factor(1, &absent) - 10.0).abs() < 1e-9);
    // No answer time: no queue.
    let instant = Po {
        answer_hours: 0.0,
        ..po
    };
    assert_eq!(queue_factor(50, &instant), 1.0);
}

/// 13.4, the equation: p = churn_probability · (1 + k_c · d), at most 1.
#[test]
fn churn_probability_rises_with_misalignment() {
    let r = Roles {
        churn_probability: 0.05,
        churn_per_misalignment: 3.0,
        ..Roles::default()
    };
    assert_eq!(churn_probability(&r, 0.0), 0.05);
    assert!((churn_probability(&r, 0.5) - 0.125).abs() < 1e-12);
    assert!((churn_probability(&r, 1.0) - 0.2).abs() < 1e-12);
    let wild = Roles {
        churn_probability: 0.4,
        ..r
    };
    assert_eq!(churn_probability(&wild, 1.0), 1.0);
}

/// 13.4 in the run: each waiting or started backlog item changes with probability p; a
/// change adds `churn_ambiguity` (at most 1), re-decides readiness, and a started item loses
/// `churn_rework_share` of its done work to rework; every change grows the item by
/// `churn_growth` of its size (13.4a).
#[test]
fn churn_changes_items_at_its_rate_and_costs_rework() {
    let mut s = cold("aligned");
    s.roles.churn_probability = 0.05;
    s.roles.churn_per_misalignment = 3.0;
    s.roles.churn_ambiguity = 0.3;
    s.roles.churn_rework_share = 0.4;
    s.roles.churn_growth = 0.25;
    s.backlog.ready_threshold = 0.5;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    for (d, p) in [(0.0, 0.05), (0.5, 0.125)] {
        let (mut changed, mut eligible, mut started_changed) = (0u32, 0u32, 0u32);
        for run in 0..60 {
            let mut events: Vec<Event> = Vec::new();
            let mut r = Run::new(&model, &RunKeys::new(17, run), &mut ws, &mut events);
            r.misalignment = d;
            r.sprint = 3;
            // Every third item is in progress with 2 points done.
            for (n, &i) in r.ws.active.iter().enumerate() {
                let it = &mut r.ws.items[i as usize];
                if n % 3 == 0 && it.is_backlog_work() {
                    it.status = Status::InProgress;
                    it.work_done = 2.0;
                    it.remaining = it.size;
                }
            }
            let before: Vec<_> = r.ws.items.clone();
            let rework_before = r.t.rework;
            r.churn();
            let mut rework = 0.0;
            let mut churned = std::collections::HashMap::new();
            for e in r.tracer.inner.iter() {
                if let Event::Churned {
                    item,
                    rework: x,
                    growth,
                    ..
                } = *e
                {
                    churned.insert(item, (x, growth));
                }
            }
            for (old, new) in before.iter().zip(&r.ws.items) {
                if !old.is_backlog_work() || old.status == Status::Done {
                    assert!(!churned.contains_key(&old.id));
                    continue;
                }
                eligible += 1;
                let Some(&(lost, growth)) = churned.get(&old.id) else {
                    assert_eq!(new.ambiguity, old.ambiguity, "unchanged item moved");
                    assert_eq!(new.work_done, old.work_done);
                    assert_eq!(new.size, old.size);
                    continue;
                };
                assert!((growth - 0.25 * old.size).abs() < 1e-12, "growth {growth}");
                assert!((new.size - (old.size + growth)).abs() < 1e-12);
                changed += 1;
                let amb = (old.ambiguity + 0.3).min(1.0);
                assert!((new.ambiguity - amb).abs() < 1e-12);
                assert_eq!(new.ready, amb <= 0.5);
                if old.status == Status::InProgress {
                    started_changed += 1;
                    assert!(
                        (lost - 0.8).abs() < 1e-12,
                        "0.4 × 2 points lost, not {lost}"
                    );
                    assert!((new.work_done - 1.2).abs() < 1e-12);
                    assert!((new.remaining - (old.remaining + 0.8 + growth)).abs() < 1e-12);
                } else {
                    assert_eq!(lost, 0.0);
                    assert!((new.remaining - (old.remaining + growth)).abs() < 1e-12);
                }
                rework += lost;
            }
            assert!((r.t.rework - rework_before - rework).abs() < 1e-9);
        }
        share_close(&format!("churn at d = {d}"), changed, eligible, p);
        assert!(
            started_changed > 10,
            "{started_changed} started items changed"
        );
    }
}

/// 13.7: at each hand-over every release-scope item the PO does not know to be on the
/// roadmap becomes known with probability f: f of the scope after one, 1 − (1 − f)² after two.
#[test]
fn a_hand_over_tells_the_po_each_scope_item_with_its_fidelity() {
    for f in [0.5, 0.3] {
        let mut s = cold("siloed-pm");
        s.pm.enabled = true;
        s.pm.sync_fidelity = f;
        let model = Model::new(&s);
        assert_eq!(model.fidelity, f);
        let mut ws = Workspace::new();
        let (mut scope, mut known1, mut known2) = (0u32, 0u32, 0u32);
        for run in 0..80 {
            let mut quiet = NoTrace;
            let mut r = Run::new(&model, &RunKeys::new(23, run), &mut ws, &mut quiet);
            let in_scope =
                |r: &Run<'_, _>| r.ws.items.iter().filter(|it| it.in_scope).count() as u32;
            let known = |r: &Run<'_, _>| {
                r.ws.items
                    .iter()
                    .filter(|it| it.in_scope && it.on_roadmap)
                    .count() as u32
            };
            assert_eq!(known(&r), 0, "nothing is known before the first hand-over");
            scope += in_scope(&r);
            r.sprint = 1;
            r.hand_over_roadmap();
            known1 += known(&r);
            // Everything below the mark is known (or out of scope); the first unknown is at it.
            let upto = r.roadmap_upto as usize;
            assert!(r.ws.items[..upto.min(r.ws.items.len())]
                .iter()
                .all(|it| !it.in_scope || it.on_roadmap));
            if upto < r.ws.items.len() {
                assert!(r.ws.items[upto].in_scope && !r.ws.items[upto].on_roadmap);
            }
            r.sprint = 7;
            r.hand_over_roadmap();
            known2 += known(&r);
        }
        assert!(scope > 500, "{scope} scope items");
        share_close(&format!("f = {f}, one hand-over"), known1, scope, f);
        share_close(
            &format!("f = {f}, two hand-overs"),
            known2,
            scope,
            1.0 - (1.0 - f) * (1.0 - f),
        );
    }
    // f = 1: all at once.
    let mut s = cold("aligned");
    s.pm.enabled = true;
    s.pm.sync_fidelity = 1.0;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &RunKeys::new(23, 0), &mut ws, &mut quiet);
    r.hand_over_roadmap();
    assert!(r.ws.items.iter().all(|it| !it.in_scope || it.on_roadmap));
    assert_eq!(r.roadmap_upto as usize, r.ws.items.len());
}

/// The roadmap release scope: the top initial items by true CD3 while they fit
/// `scope_points` (greedy, skipping what does not fit), each counted once.
#[test]
fn the_roadmap_scope_fills_its_points_greedily() {
    let mut s = cold("aligned");
    s.release.scope = crate::scenario::ReleaseScope::Roadmap;
    s.release.scope_points = 60.0;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    for run in 0..20 {
        let mut quiet = NoTrace;
        let r = Run::new(&model, &RunKeys::new(29, run), &mut ws, &mut quiet);
        let items = &r.ws.items;
        let points: f64 = items
            .iter()
            .filter(|it| it.in_scope)
            .map(|it| it.size)
            .sum();
        let n = items.iter().filter(|it| it.in_scope).count() as u32;
        assert_eq!(r.t.scope_remaining, n);
        assert!(points <= 60.0 + 1e-9, "{points} points in scope");
        // Greedy: every candidate left out did not fit when its turn came, so it is larger
        // than what is left now.
        for it in items.iter().filter(|it| !it.in_scope && it.value > 0.0) {
            assert!(
                points + it.size > 60.0,
                "item of {} points left out",
                it.size
            );
        }
        assert!(n > 0);
    }
}

/// A blocked item frees its lane, which pays the context-switch tax on the part of the wait
/// inside the sprint: lane time + tax · min(wait, sprint end − now), at most the sprint end;
/// the capacity lost is that tax times the lane's rate.
#[test]
fn a_block_frees_the_lane_and_charges_the_tax_inside_the_sprint() {
    use crate::engine::trace::BlockCause;
    let mut s = cold("aligned");
    s.team.context_switch_tax = 0.25;
    let model = Model::new(&s);
    let hours = model.sprint_hours;
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &RunKeys::new(31, 0), &mut ws, &mut quiet);
    r.sprint = 2;
    r.lane_rate = 0.5;
    let base = 2.0 * hours;
    // (lane time, wait): the wait ends inside the sprint, then past its end.
    for (k, (at, wait, tax)) in [(10.0, 4.0, 1.0), (hours - 10.0, 20.0, 2.5)]
        .into_iter()
        .enumerate()
    {
        let i = k as u32;
        r.ws.items[k].lane = 0;
        r.ws.items[k].blocked_until = 0.0;
        r.ws.lane_item[0] = i;
        r.ws.lane_time[0] = at;
        let (lost, waited) = (r.t.context_lost, r.t.decision_wait_sprint);
        r.block(i, base + at, wait, BlockCause::Question);
        let it = &r.ws.items[k];
        assert_eq!(it.lane, crate::model::item::NO_LANE);
        assert_eq!(r.ws.lane_item[0], u32::MAX);
        assert!((it.blocked_until - (base + at + wait)).abs() < 1e-9);
        assert!((it.blocked_hours - wait).abs() < 1e-12);
        assert!((r.t.decision_wait_sprint - waited - wait).abs() < 1e-12);
        assert!(
            (r.ws.lane_time[0] - (at + tax)).abs() < 1e-9,
            "lane at {} h, want {at} + {tax}",
            r.ws.lane_time[0]
        );
        assert!((r.t.context_lost - lost - tax * 0.5).abs() < 1e-12);
    }
}
