//! The order and the roadmap (issue 16, mutation run 14c): the order kept from sprint to
//! sprint against every item's score recomputed plainly, refinement's last hour, the PM
//! override's switches, and the strategy step's views, shocks and hand-overs, each against
//! a value by hand or a plain recomputation.

use super::super::ordering::descending_key;
use super::super::Run;
use super::cold;
use crate::engine::trace::Event;
use crate::engine::workspace::Workspace;
use crate::model::compiled::Model;
use crate::model::item::{urgency_weight, Status};
use crate::model::roles;
use crate::random::RunKeys;

/// The order the PO keeps from sprint to sprint (last sprint's keys, rescored only when the
/// view, the date or the perceived value moved) is at every ordering the order of every
/// open item by its score of this sprint, computed from scratch: this sprint's urgency
/// weight (fixed dates move it without a hand-over), this sprint's view, the perceived
/// value after a split. Checked before refinement can split anything more.
#[test]
fn the_kept_order_is_the_order_of_this_sprints_scores() {
    let mut s = cold("siloed-pm");
    // Many fixed dates, splits, hand-overs every 6 sprints (the view stands between them).
    s.backlog.urgency.standard = 0.25;
    s.backlog.urgency.decaying = 0.1;
    s.backlog.urgency.short_window = 0.1;
    s.backlog.urgency.fixed_date = 0.55;
    s.backlog.split_rate = 0.5;
    s.backlog.split_into = 3;
    s.simulation.sprints = 24;
    let model = Model::new(&s);
    let mix = s.backlog.urgency.clone();
    let mut ws = Workspace::new();
    // Sprints without a hand-over; kept keys of dated items the date moved, of dated items a
    // hand-over moved, of split items.
    let (mut standing, mut dated_moved, mut splits, mut handover_dated) = (0, 0, 0, 0);
    for run in 0..4 {
        let mut events: Vec<Event> = Vec::new();
        let mut r = Run::new(&model, &RunKeys::new(71, run), &mut ws, &mut events);
        for sprint in 0..s.simulation.sprints {
            r.sprint = sprint;
            r.arrive();
            r.churn();
            r.strategy();
            let rescore_all = r.rescore_all;
            let before: Vec<(u64, u32)> = r.ws.ranked.clone();
            let split_before: Vec<bool> = r.ws.rank_in.iter().map(|x| x.stale).collect();
            let perceived: Vec<f64> = r.ws.items.iter().map(|it| it.perceived).collect();
            r.order_and_refine();
            // What refinement split after the ordering is rescored at the next one.
            let split_now: Vec<bool> = r.ws.rank_in.iter().map(|x| x.stale).collect();
            let mut want: Vec<(u64, u32)> = Vec::new();
            // The parts split off after the ordering join the next one.
            for (i, it) in r.ws.items.iter().enumerate().take(perceived.len()) {
                if it.status == Status::Done {
                    continue;
                }
                let mut plain = *it;
                if split_now[i] {
                    // Split after the ordering: its score is the one before the split.
                    plain.perceived = perceived[i];
                }
                let w = urgency_weight(it.urgency, sprint, &mix);
                let score = roles::po_score_weighted(
                    &plain,
                    &r.ws.po_view,
                    w,
                    model.myopia,
                    s.release.scope_first,
                );
                want.push((descending_key(score), i as u32));
            }
            want.sort_unstable();
            assert_eq!(r.ws.ranked, want, "run {run}, sprint {sprint}");
            // What the case exercised: kept keys that had to move.
            if !rescore_all {
                standing += 1;
            }
            for &(key, i) in &before {
                let it = &r.ws.items[i as usize];
                let now = want.iter().find(|e| e.1 == i).map(|e| e.0);
                if now.is_some_and(|k| k != key) {
                    if matches!(it.urgency, crate::model::item::Urgency::FixedDate { .. }) {
                        if rescore_all {
                            handover_dated += 1;
                        } else {
                            dated_moved += 1;
                        }
                    }
                    if split_before[i as usize] {
                        splits += 1;
                    }
                }
            }
            r.plan();
            r.execute();
            r.release();
        }
    }
    // 80, 717, 957 and 235 on this build.
    assert!(standing > 60, "{standing} sprints without a hand-over");
    assert!(
        dated_moved > 200,
        "{dated_moved} dated keys moved by the date"
    );
    assert!(
        handover_dated > 200,
        "{handover_dated} dated keys moved at hand-overs"
    );
    assert!(splits > 50, "{splits} split items rescored");
}

/// Refinement spends its hours to the last one: 40 h · (1 − 0.25 − 0.25) = 20 h pays for
/// exactly eight items at 2 h · (1 + 0.25) = 2.5 h (the eighth leaves 0 h, enough for it);
/// each refined item's ambiguity becomes 0.25 · 0.6 = 0.15, ready at a threshold of 0.15
/// (ready means at most the threshold), and an item refined for the first time is checked
/// for a split (split rate 1: it splits in two), one checked before is not split again.
#[test]
fn refinement_spends_its_last_hour_and_splits_only_unchecked_items() {
    let mut s = cold("aligned");
    s.po.hours_per_sprint = 40.0;
    s.po.strategy_share = 0.25;
    s.po.support_share = 0.25;
    s.po.refinement_hours = 2.0;
    s.backlog.refinement_factor = 0.6;
    s.backlog.ready_threshold = 0.15;
    s.backlog.split_rate = 1.0;
    s.backlog.split_into = 2;
    s.roles.pm_override = 0.0;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    for run in 0..3 {
        let mut events: Vec<Event> = Vec::new();
        let mut r = Run::new(&model, &RunKeys::new(73, run), &mut ws, &mut events);
        let mut waiting = 0;
        for (i, it) in r.ws.items.iter_mut().enumerate() {
            if it.status == Status::Waiting && !it.top {
                it.ready = false;
                it.ambiguity = 0.25;
                // Every other item was refined (and checked for a split) before.
                it.split_checked = i % 2 == 1;
                waiting += 1;
            }
        }
        assert!(waiting > 20, "{waiting} items to refine");
        let n_before = r.ws.items.len();
        r.order_and_refine();
        let unready: Vec<u32> =
            r.ws.order
                .iter()
                .copied()
                .filter(|&i| !r.ws.items[i as usize].top)
                .collect();
        let mut unchecked = 0;
        for (n, &i) in unready.iter().enumerate() {
            let it = &r.ws.items[i as usize];
            if n < 8 {
                assert_eq!(it.ambiguity, 0.15, "run {run}: place {n} refined");
                assert!(it.ready, "run {run}: place {n} ready at the threshold");
                assert!(it.split_checked);
                if i % 2 == 0 {
                    unchecked += 1;
                }
            } else {
                assert_eq!(it.ambiguity, 0.25, "run {run}: place {n} not refined");
                assert!(!it.ready);
                assert_eq!(it.split_checked, i % 2 == 1, "run {run}: place {n}");
            }
        }
        assert!(
            unchecked > 0 && unchecked < 8,
            "run {run}: {unchecked} of 8"
        );
        // One part for each item refined for the first time, none for the others.
        assert_eq!(r.ws.items.len(), n_before + unchecked, "run {run}");
    }
}

/// The PM override needs a PM, a positive `pm_override` and the mechanism on: at
/// `pm_override` = 1 a PM overrides every sprint; a PO without a PM, or a PM with the
/// override switched off (`backsim attribute`'s mask), never reorders, and the order stays
/// the PO's.
#[test]
fn only_a_pm_with_the_override_on_reorders() {
    use crate::scenario::mask::{MechanismMask, OVERRIDE};
    let mut on = cold("blurred-roles");
    on.roles.pm_override = 1.0;
    let mut solo = on.clone();
    solo.pm.enabled = false;
    let mut off = on.clone();
    let players: Vec<usize> = (0..8).filter(|&i| i != OVERRIDE).collect();
    off.mechanisms = MechanismMask::of_subset(&players, (1 << players.len()) - 1);
    for (s, want) in [(on, true), (solo, false), (off, false)] {
        let model = Model::new(&s);
        let mut ws = Workspace::new();
        let mut events: Vec<Event> = Vec::new();
        let mut r = Run::new(&model, &RunKeys::new(79, 0), &mut ws, &mut events);
        let mut reordered = 0;
        for sprint in 0..12u32 {
            r.sprint = sprint;
            let before = r.tracer.inner.len();
            r.order_and_refine();
            let told = r.tracer.inner[before..]
                .iter()
                .any(|e| matches!(*e, Event::Override { sprint: at } if at == sprint));
            assert_eq!(told, want, "PM {}, sprint {sprint}", s.pm.enabled);
            // The PO's order is the ranked one; an override changes its planned head.
            let po: Vec<u32> = r.ws.ranked.iter().map(|&(_, i)| i).collect();
            reordered += (r.ws.order != po) as u32;
        }
        if want {
            assert!(reordered > 6, "{reordered} of 12 sprints reordered");
        } else {
            assert_eq!(reordered, 0);
        }
    }
}

/// 13.7 draw by draw: at each hand-over an open release-scope item the PO does not yet know
/// to be on the roadmap becomes known exactly when its keyed uniform (`RoadmapHandover`,
/// its id, the sprint) is below f; a known item stays known, an item out of the scope or
/// done is not told. Two hand-overs (sprints 1 and 7) at f = 0.5, some scope items done
/// between them.
#[test]
fn a_hand_over_tells_each_scope_item_whose_draw_is_below_the_fidelity() {
    use crate::random::Source;
    let mut s = cold("siloed-pm");
    s.pm.sync_fidelity = 0.5;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let (mut told, mut kept, mut untold) = (0, 0, 0);
    for run in 0..6 {
        let keys = RunKeys::new(89, run);
        let mut events: Vec<Event> = Vec::new();
        let mut r = Run::new(&model, &keys, &mut ws, &mut events);
        for (hand_over, sprint) in [1u32, 7].into_iter().enumerate() {
            if hand_over == 1 {
                // Every fifth scope item is done before the second hand-over.
                for (n, it) in r.ws.items.iter_mut().filter(|it| it.in_scope).enumerate() {
                    if n % 5 == 0 && !it.on_roadmap {
                        it.status = Status::Done;
                    }
                }
            }
            let before = r.ws.items.clone();
            r.sprint = sprint;
            r.hand_over_roadmap();
            for (old, it) in before.iter().zip(&r.ws.items) {
                let open = old.in_scope && !old.on_roadmap && old.status != Status::Done;
                let want = if open {
                    keys.unit(Source::RoadmapHandover, old.id, sprint as u64) < 0.5
                } else {
                    old.on_roadmap
                };
                assert_eq!(
                    it.on_roadmap, want,
                    "run {run}, sprint {sprint}, item {}",
                    old.id
                );
                match (open, want) {
                    (true, true) => told += 1,
                    (true, false) => untold += 1,
                    (false, _) => kept += old.on_roadmap as u32,
                }
            }
        }
    }
    assert!(
        told > 50 && untold > 50 && kept > 50,
        "{told} told, {untold} not, {kept} kept"
    );
}

/// 13.5 draw by draw, at probabilities of one half: when a hand-over demotes a theme, each
/// ready waiting item of it relapses exactly when its keyed uniform (`RoadmapShock`, its id,
/// the sprint) is below `shock_unready_probability`, and each item in progress is dropped
/// exactly when that draw is below `shock_drop_probability`; the others stay as they were.
#[test]
fn a_roadmap_shock_strikes_the_items_whose_draws_are_below_its_probabilities() {
    use crate::random::Source;
    let mut s = cold("aligned");
    s.pm.sync_interval = 1;
    s.pm.sync_fidelity = 1.0;
    s.pm.shock_threshold = 0.0;
    s.pm.shock_unready_probability = 0.5;
    s.pm.shock_drop_probability = 0.4;
    s.backlog.ready_threshold = 0.3;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    // (relapsed, kept ready, dropped, kept in progress) on demoted themes.
    let mut seen = [0; 4];
    for run in 0..6 {
        let keys = RunKeys::new(97, run);
        let mut events: Vec<Event> = Vec::new();
        let mut r = Run::new(&model, &keys, &mut ws, &mut events);
        r.sprint = 2;
        for (j, v) in r.ws.po_view.iter_mut().enumerate() {
            *v = (j + 1) as f64;
        }
        crate::model::market::ranks(&r.ws.po_view, &mut r.ws.po_rank);
        let rank = r.ws.po_rank.clone();
        for (n, &i) in r.ws.active.clone().iter().enumerate() {
            let it = &mut r.ws.items[i as usize];
            if it.is_backlog_work() && it.status != Status::Done {
                it.status = if n % 2 == 0 {
                    Status::InProgress
                } else {
                    Status::Waiting
                };
                it.ready = true;
                it.ambiguity = 0.0;
            }
        }
        let before = r.ws.items.clone();
        r.strategy();
        for (old, it) in before.iter().zip(&r.ws.items) {
            let th = old.theme as usize;
            let demoted = r.ws.po_rank[th] > rank[th];
            let u = keys.unit(Source::RoadmapShock, old.id, 2);
            if !demoted || !old.is_backlog_work() || old.status == Status::Done {
                assert_eq!((it.status, it.ready), (old.status, old.ready));
                continue;
            }
            if old.status == Status::InProgress {
                let dropped = u < 0.4;
                let want = if dropped {
                    Status::Waiting
                } else {
                    Status::InProgress
                };
                assert_eq!(it.status, want, "run {run}, item {}: u = {u}", old.id);
                seen[2 + !dropped as usize] += 1;
            } else {
                let relapse = u < 0.5;
                assert_eq!(it.ready, !relapse, "run {run}, item {}: u = {u}", old.id);
                let amb = if relapse { 0.65 } else { 0.0 };
                assert_eq!(it.ambiguity, amb);
                seen[!relapse as usize] += 1;
            }
        }
    }
    assert!(seen.iter().all(|&n| n > 5), "{seen:?}");
}

/// A hand-over is a shock only when the PO's theme ranking moved by more than
/// `shock_threshold`: at a threshold equal to the distance it moved, no shock (nothing is
/// dropped or unreadied); just below it, a shock. The Handover event tells the distance.
#[test]
fn a_shock_needs_a_distance_above_the_threshold() {
    let mut s = cold("aligned");
    s.pm.sync_interval = 1;
    s.pm.sync_fidelity = 1.0;
    s.pm.shock_unready_probability = 1.0;
    s.pm.shock_drop_probability = 1.0;
    // The distance the hand-over of sprint 2 moves the ranking by, at a zero threshold.
    let setup = |r: &mut Run<'_, Vec<Event>>| {
        r.sprint = 2;
        for (j, v) in r.ws.po_view.iter_mut().enumerate() {
            *v = (j + 1) as f64;
        }
        crate::model::market::ranks(&r.ws.po_view, &mut r.ws.po_rank);
        for &i in &r.ws.active {
            let it = &mut r.ws.items[i as usize];
            it.ready = true;
            it.ambiguity = 0.0;
        }
    };
    let shocked = |threshold: f64| -> (f64, bool, usize) {
        let mut s = s.clone();
        s.pm.shock_threshold = threshold;
        let model = Model::new(&s);
        let mut ws = Workspace::new();
        let mut events: Vec<Event> = Vec::new();
        let mut r = Run::new(&model, &RunKeys::new(101, 0), &mut ws, &mut events);
        setup(&mut r);
        r.strategy();
        let unready = r.ws.items.iter().filter(|it| !it.ready).count();
        let (distance, shock) = r
            .tracer
            .inner
            .iter()
            .find_map(|e| match *e {
                Event::Handover {
                    sprint: 2,
                    distance,
                    shock,
                    ..
                } => Some((distance, shock)),
                _ => None,
            })
            .expect("a hand-over in sprint 2");
        (distance, shock, unready)
    };
    let (d, shock, unready) = shocked(0.0);
    assert!(
        d > 0.0 && d < 1.0 && shock && unready > 0,
        "{d} {shock} {unready}"
    );
    assert_eq!(shocked(d), (d, false, 0));
    let below = shocked(d - 1e-9);
    assert_eq!((below.0, below.1), (d, true));
    assert_eq!(below.2, unready);
}

/// A sprint without a hand-over moves nothing and tells nothing: with the roadmap synced
/// every 3 sprints, Handover events come exactly at sprints 3, 6 and 9 (the first sprint's
/// hand-over is the starting point, never a shock), each with the Kendall distance between
/// the PO's theme ranking before and after, which the run keeps as the sprint's roadmap
/// change; between them the ranking and the change stay put.
#[test]
fn hand_overs_are_told_on_their_calendar_with_the_rankings_distance() {
    let mut s = cold("siloed-pm");
    s.pm.sync_interval = 3;
    s.pm.sync_fidelity = 0.6;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut moved = 0;
    for run in 0..4 {
        let mut events: Vec<Event> = Vec::new();
        let mut r = Run::new(&model, &RunKeys::new(103, run), &mut ws, &mut events);
        for sprint in 0..11u32 {
            r.sprint = sprint;
            r.roadmap_change = 0.0;
            let rank = r.ws.po_rank.clone();
            let n = r.tracer.inner.len();
            r.strategy();
            let told: Vec<(f64, bool)> = r.tracer.inner[n..]
                .iter()
                .filter_map(|e| match *e {
                    Event::Handover {
                        distance, shock, ..
                    } => Some((distance, shock)),
                    _ => None,
                })
                .collect();
            let d = crate::model::market::rank_distance(&rank, &r.ws.po_rank);
            if sprint % 3 == 0 && sprint > 0 {
                assert_eq!(told, vec![(d, d > s.pm.shock_threshold)], "sprint {sprint}");
                assert_eq!(r.roadmap_change, d);
                moved += (d > 0.0) as u32;
            } else {
                assert!(told.is_empty(), "run {run}, sprint {sprint}: {told:?}");
                assert_eq!(r.roadmap_change, 0.0);
                if sprint > 0 {
                    assert_eq!(r.ws.po_rank, rank, "sprint {sprint}");
                }
            }
        }
    }
    assert!(moved > 4, "{moved} hand-overs moved the ranking");
}

/// Hand-overs keep their calendar from the first reported sprint: after a warm-up of one
/// sprint, a hand-over every 3 sprints comes at sprints 1, 4, 7 and 10 (sprint − warm-up a
/// multiple of 3), not at 2, 5 and 8, where sprint + warm-up would put them.
#[test]
fn hand_overs_count_their_calendar_from_the_end_of_the_warm_up() {
    let mut s = cold("siloed-pm");
    s.pm.sync_interval = 3;
    s.simulation.warmup_sprints = 1;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut events: Vec<Event> = Vec::new();
    let mut r = Run::new(&model, &RunKeys::new(109, 0), &mut ws, &mut events);
    assert_eq!(r.warmup, 1);
    let mut told = Vec::new();
    for sprint in 1..11u32 {
        r.sprint = sprint;
        let n = r.tracer.inner.len();
        r.strategy();
        if r.tracer.inner[n..]
            .iter()
            .any(|e| matches!(*e, Event::Handover { .. }))
        {
            told.push(sprint);
        }
    }
    assert_eq!(told, vec![1, 4, 7, 10]);
}

/// Dropping an item (`drop_item`): it frees its lane; a conflict's drop also takes it off
/// the sprint's work list (each place it holds) and moves the done head's mark back by the
/// places it held before it, and keeps the sprint it was dropped in; a roadmap shock's drop
/// leaves the list, the mark and `dropped_in` alone.
#[test]
fn a_dropped_item_frees_its_lane_and_a_conflict_takes_it_off_the_work_list() {
    use crate::engine::trace::DropCause;
    use crate::model::item::NO_LANE;
    let s = cold("aligned");
    let model = Model::new(&s);
    for cause in [DropCause::Conflict, DropCause::RoadmapShock] {
        let mut ws = Workspace::new();
        let mut events: Vec<Event> = Vec::new();
        let mut r = Run::new(&model, &RunKeys::new(107, 0), &mut ws, &mut events);
        r.sprint = 5;
        let a: Vec<u32> = r.ws.active[..4].to_vec();
        let i = a[1];
        let it = &mut r.ws.items[i as usize];
        it.status = Status::InProgress;
        it.lane = 1;
        it.dropped_in = 0;
        r.ws.lane_item[1] = i;
        // The work list: a done head of three (one of them the item), then the rest.
        r.ws.committed.clear();
        r.ws.committed.extend([a[0], i, a[2], i, a[3]]);
        r.committed_from = 3;
        r.drop_item(i, cause);
        let it = &r.ws.items[i as usize];
        assert_eq!((it.lane, r.ws.lane_item[1]), (NO_LANE, u32::MAX));
        assert_eq!(it.status, Status::Waiting);
        if cause == DropCause::Conflict {
            assert_eq!(r.ws.committed, vec![a[0], a[2], a[3]]);
            assert_eq!(r.committed_from, 2);
            assert_eq!(it.dropped_in, 5);
        } else {
            assert_eq!(r.ws.committed, vec![a[0], i, a[2], i, a[3]]);
            assert_eq!(r.committed_from, 3);
            assert_eq!(it.dropped_in, 0);
        }
    }
}

/// Ranking τ is measured at each ordering from the first reported sprint on: none in a
/// warm-up of 2 sprints, one a sprint after it, the run's sum that of each sprint's τ of
/// the top of the order.
#[test]
fn ranking_tau_is_measured_from_the_end_of_the_warm_up() {
    let mut s = cold("aligned");
    s.simulation.warmup_sprints = 2;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut events: Vec<Event> = Vec::new();
    let mut r = Run::new(&model, &RunKeys::new(109, 0), &mut ws, &mut events);
    assert_eq!(r.warmup, 2);
    let mut sum = 0.0;
    for sprint in 0..6u32 {
        r.sprint = sprint;
        r.order_and_refine();
        assert_eq!(r.t.tau_n, sprint.saturating_sub(1), "after sprint {sprint}");
        if sprint >= 2 {
            sum += roles::order_tau(&r.ws.tau_scores).expect("a τ");
        }
        assert_eq!(r.t.tau_sum, sum, "after sprint {sprint}");
    }
    assert!(sum > 0.5, "τ summed over 4 sprints: {sum}");
}

/// A keyed uniform is a multiple of 2⁻⁵³ in [0, 1), and an event of probability p happens
/// when the draw is *below* p: then P = p exactly for a p on that grid (`≤` would give p +
/// 2⁻⁵³). So a probability set to the very draw does not fire, the next float above it
/// does: the PM override of a sprint, a hand-over telling a scope item, a shock unreadying
/// a ready item.
#[test]
fn a_draw_equal_to_its_probability_does_not_fire() {
    use crate::random::Source;
    let above = |u: f64| f64::from_bits(u.to_bits() + 1);
    // The override at sprint 4.
    let keys = RunKeys::new(113, 0);
    let u = keys.unit(Source::Override, 0, 4);
    assert!(u > 0.0 && u < 1.0);
    for (p, want) in [(u, false), (above(u), true)] {
        let mut s = cold("blurred-roles");
        s.roles.pm_override = p;
        let model = Model::new(&s);
        let mut ws = Workspace::new();
        let mut events: Vec<Event> = Vec::new();
        let mut r = Run::new(&model, &keys, &mut ws, &mut events);
        r.sprint = 4;
        r.order_and_refine();
        let told = r
            .tracer
            .inner
            .iter()
            .any(|e| matches!(*e, Event::Override { sprint: 4 }));
        assert_eq!(told, want, "pm_override at the draw {u} (+ {})", want as u8);
    }
    // A hand-over at sprint 1: the first scope item, at a fidelity of its own draw.
    let keys = RunKeys::new(127, 0);
    let first_scope = |f: f64| -> (u64, bool) {
        let mut s = cold("siloed-pm");
        s.pm.sync_fidelity = f;
        let model = Model::new(&s);
        let mut ws = Workspace::new();
        let mut events: Vec<Event> = Vec::new();
        let mut r = Run::new(&model, &keys, &mut ws, &mut events);
        r.sprint = 1;
        r.hand_over_roadmap();
        let it = r.ws.items.iter().find(|it| it.in_scope).expect("a scope");
        (it.id, it.on_roadmap)
    };
    let (id, _) = first_scope(0.5);
    let u = keys.unit(Source::RoadmapHandover, id, 1);
    assert_eq!(first_scope(u), (id, false), "fidelity at the draw {u}");
    assert_eq!(first_scope(above(u)), (id, true));
    // A shock at sprint 2 (the setup of the shock test above): a ready item of a demoted
    // theme, at an unready probability of its own draw.
    let keys = RunKeys::new(131, 0);
    let (id, ..) = *shock_at_sprint_2(&keys, 0.5, 0.0, false)
        .iter()
        .find(|e| e.1)
        .expect("an item of a demoted theme");
    let u = keys.unit(Source::RoadmapShock, id, 2);
    for (p, ready) in [(u, true), (above(u), false)] {
        let got = shock_at_sprint_2(&keys, p, 0.0, false);
        let e = got.iter().find(|e| e.0 == id).unwrap();
        assert_eq!(
            (e.1, e.2),
            (true, ready),
            "unready probability {p}, draw {u}"
        );
    }
}

/// A roadmap shock at sprint 2 after hand-overs every sprint at full fidelity (threshold 0,
/// the PO's view of theme j at j + 1, so that themes move), every item ready: (id, demoted,
/// still ready, dropped by the shock) of each backlog item waiting before it, put in
/// progress first if `in_progress`.
fn shock_at_sprint_2(
    keys: &RunKeys,
    p_unready: f64,
    p_drop: f64,
    in_progress: bool,
) -> Vec<(u64, bool, bool, bool)> {
    use crate::engine::trace::DropCause;
    let mut s = cold("aligned");
    s.pm.sync_interval = 1;
    s.pm.sync_fidelity = 1.0;
    s.pm.shock_threshold = 0.0;
    s.pm.shock_unready_probability = p_unready;
    s.pm.shock_drop_probability = p_drop;
    s.backlog.ready_threshold = 0.3;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut events: Vec<Event> = Vec::new();
    let mut r = Run::new(&model, keys, &mut ws, &mut events);
    r.sprint = 2;
    for (j, v) in r.ws.po_view.iter_mut().enumerate() {
        *v = (j + 1) as f64;
    }
    crate::model::market::ranks(&r.ws.po_view, &mut r.ws.po_rank);
    let rank = r.ws.po_rank.clone();
    let mut ids = Vec::new();
    for it in r.ws.items.iter_mut() {
        it.ready = true;
        it.ambiguity = 0.0;
        if it.is_backlog_work() && it.status == Status::Waiting {
            ids.push(it.id);
            if in_progress {
                it.status = Status::InProgress;
            }
        }
    }
    r.strategy();
    ids.into_iter()
        .map(|id| {
            let it = r.ws.items.iter().find(|it| it.id == id).unwrap();
            let th = it.theme as usize;
            let dropped = r.tracer.inner.iter().any(|e| {
                matches!(*e, Event::Dropped { item, cause: DropCause::RoadmapShock, .. } if item == id)
            });
            (id, r.ws.po_rank[th] > rank[th], it.ready, dropped)
        })
        .collect()
}

/// A roadmap shock drops an item in progress of a demoted theme when the item's keyed draw
/// is below `shock_drop_probability`, and not at the draw itself: the shock above with the
/// waiting backlog items put in progress and the drop probability set to the first demoted
/// item's own draw, then to the next float above it.
#[test]
fn a_shock_drops_work_in_progress_only_below_the_drop_probability() {
    use crate::random::Source;
    let above = |u: f64| f64::from_bits(u.to_bits() + 1);
    let keys = RunKeys::new(131, 0);
    let (id, ..) = *shock_at_sprint_2(&keys, 0.0, 0.5, true)
        .iter()
        .find(|e| e.1)
        .expect("an item of a demoted theme");
    let u = keys.unit(Source::RoadmapShock, id, 2);
    for (p, dropped) in [(u, false), (above(u), true)] {
        let got = shock_at_sprint_2(&keys, 0.0, p, true);
        let e = got.iter().find(|e| e.0 == id).unwrap();
        assert_eq!(
            (e.1, e.3),
            (true, dropped),
            "drop probability {p}, draw {u}"
        );
    }
}
