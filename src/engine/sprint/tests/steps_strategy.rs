//! The strategy step (issue 16, mutation run 14c): hand-overs on their calendar and what
//! they tell the PO, roadmap shocks and what they strike, each against a value by hand or a
//! plain recomputation; a draw equal to its probability never fires.

use super::super::Run;
use super::cold;
use crate::engine::trace::Event;
use crate::engine::workspace::Workspace;
use crate::model::compiled::Model;
use crate::model::item::Status;
use crate::random::RunKeys;

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
