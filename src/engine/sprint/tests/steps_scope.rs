//! More sprint steps on hand-built states (issue 16, mutation run 6), the scope and what a
//! run records: risk items' ids, the roadmap scope after a warm-up, roadmap shocks, what
//! release counts on strategy, a finished item's defects, what planning passes, lead times
//! and the decision wait share.

use super::super::{Run, TAG_RISK};
use super::{cold, quiet};
use crate::engine::trace::NoTrace;
use crate::engine::workspace::Workspace;
use crate::model::compiled::Model;
use crate::model::item::{ItemKind, Status, INTERNAL_ID, NO_LANE};
use crate::random::RunKeys;

/// Two risks that strike in one sprint, each adding an item and one of points: every item
/// they add has an id of its own, in the risk id space.
#[test]
fn items_risks_add_have_ids_of_their_own() {
    let mut s = quiet("aligned");
    let risk = crate::scenario::Risk {
        name: "a".into(),
        probability: 1.0,
        first_sprint: 1,
        last_sprint: 1,
        added_items: 1,
        added_points: 3.0,
    };
    s.risks = vec![
        risk.clone(),
        crate::scenario::Risk {
            name: "b".into(),
            ..risk
        },
    ];
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &RunKeys::new(73, 0), &mut ws, &mut quiet);
    r.sprint = 0;
    r.risk_strikes[0] = 0;
    r.risk_strikes[1] = 0;
    let before = r.ws.items.len();
    r.arrive();
    let risky: Vec<u64> = r.ws.items[before..]
        .iter()
        .filter(|it| (it.id & !0xffff_ffff) == (INTERNAL_ID | TAG_RISK))
        .map(|it| it.id)
        .collect();
    assert_eq!(risky.len(), 4, "{risky:x?}");
    let mut ids: Vec<u64> = r.ws.items.iter().map(|it| it.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), r.ws.items.len(), "repeated ids: {risky:x?}");
    // Each risk's item of points is its own: 3 SP, id ending in 0xfffff.
    for it in r.ws.items[before..]
        .iter()
        .filter(|it| risky.contains(&it.id))
    {
        assert_eq!(it.id & 0xfffff == 0xfffff, it.size == 3.0, "{:x}", it.id);
    }
}

/// A roadmap scope defined at the end of a warm-up (sprint 3) takes the top items by true
/// score under sprint 3's market weights, greedily within its points; in some runs that is
/// another set than sprint 0's weights would give.
#[test]
fn a_roadmap_scope_after_a_warm_up_uses_that_sprints_market() {
    let mut s = cold("aligned");
    s.release.scope = crate::scenario::ReleaseScope::Roadmap;
    s.release.scope_points = 40.0;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut other = 0;
    for run in 0..20 {
        let mut quiet = NoTrace;
        let mut r = Run::new(&model, &RunKeys::new(79, run), &mut ws, &mut quiet);
        for it in r.ws.items.iter_mut() {
            it.in_scope = false;
        }
        r.t.scope_remaining = 0;
        r.sprint = 3;
        r.define_scope();
        let k = r.themes;
        let greedy = |sprint: usize| {
            let w = &r.ws.world.market[sprint * k..(sprint + 1) * k];
            let mut scored: Vec<(f64, usize)> =
                r.ws.items
                    .iter()
                    .enumerate()
                    .filter(|(_, it)| {
                        it.value > 0.0 && it.status != Status::Done && it.is_backlog_work()
                    })
                    .map(|(i, it)| {
                        let t = crate::model::roles::true_score(it, w, 3, &s.backlog.urgency);
                        (t, i)
                    })
                    .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let mut points = 0.0;
            let mut chosen = vec![false; r.ws.items.len()];
            for (_, i) in scored {
                let size = r.ws.items[i].size;
                if points + size <= 40.0 {
                    points += size;
                    chosen[i] = true;
                }
            }
            chosen
        };
        let want = greedy(3);
        let got: Vec<bool> = r.ws.items.iter().map(|it| it.in_scope).collect();
        assert_eq!(got, want, "run {run}");
        assert_eq!(
            r.t.scope_remaining,
            want.iter().filter(|&&b| b).count() as u32
        );
        other += (greedy(0) != want) as u32;
    }
    assert!(
        other > 0,
        "sprint 0's market chose the same scope in every run"
    );
}

/// §3.2, a roadmap shock (the PO's theme ranking moves more than shock_threshold at a
/// hand-over): on every theme that fell in the ranking, ready waiting items relapse to
/// ambiguity (1 + ready_threshold) / 2 and lose readiness with probability
/// shock_unready_probability, items in progress are dropped with shock_drop_probability
/// (both 1 here); items of themes that held or rose, and unready items, are left alone.
#[test]
fn a_roadmap_shock_unreadies_and_drops_the_work_of_themes_that_fell() {
    let mut s = cold("aligned");
    s.pm.sync_interval = 1;
    s.pm.sync_fidelity = 1.0;
    s.pm.shock_threshold = 0.0;
    s.pm.shock_unready_probability = 1.0;
    s.pm.shock_drop_probability = 1.0;
    s.backlog.ready_threshold = 0.3;
    let model = Model::new(&s);
    assert!(!model.all_ready);
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &RunKeys::new(83, 0), &mut ws, &mut quiet);
    r.sprint = 1;
    // The PO's view before: themes ranked in index order, the last one first.
    let k = r.themes;
    for (j, v) in r.ws.po_view.iter_mut().enumerate() {
        *v = (j + 1) as f64;
    }
    crate::model::market::ranks(&r.ws.po_view, &mut r.ws.po_rank);
    let before_rank = r.ws.po_rank.clone();
    let mut before = Vec::new();
    for (n, &i) in r.ws.active.clone().iter().enumerate() {
        let it = &mut r.ws.items[i as usize];
        if it.status == Status::Done || !it.is_backlog_work() {
            continue;
        }
        match n % 3 {
            0 => it.status = Status::InProgress,
            1 => {
                it.status = Status::Waiting;
                it.ready = true;
                it.ambiguity = 0.0;
            }
            _ => {
                it.status = Status::Waiting;
                it.ready = false;
                it.ambiguity = 0.1;
            }
        }
        before.push((i, *it));
    }
    r.strategy();
    let fell: Vec<bool> = (0..k).map(|j| r.ws.po_rank[j] > before_rank[j]).collect();
    assert!(fell.contains(&true) && fell.contains(&false), "{fell:?}");
    let mut seen = [0; 4];
    for &(i, old) in &before {
        let it = &r.ws.items[i as usize];
        let f = fell[old.theme as usize];
        match (f, old.status, old.ready) {
            (true, Status::InProgress, _) => {
                assert_eq!(it.status, Status::Waiting, "item {i} not dropped");
                seen[0] += 1;
            }
            (true, Status::Waiting, true) => {
                assert_eq!((it.ambiguity, it.ready), (0.65, false), "item {i}");
                seen[1] += 1;
            }
            _ => {
                assert_eq!(
                    (it.status, it.ready, it.ambiguity),
                    (old.status, old.ready, old.ambiguity),
                    "item {i} (fell {f}) changed"
                );
                seen[2 + f as usize] += 1;
            }
        }
    }
    assert!(seen.iter().all(|&n| n > 0), "{seen:?}");
}

/// Points on strategy at release: an item of the release scope, or one of positive true
/// value on its theme's market weight (weights are > 0); an item of negative or zero value
/// outside the scope is not, however small its loss beside the weight.
#[test]
fn released_points_are_on_strategy_in_the_scope_or_with_positive_value() {
    let s = quiet("aligned");
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &RunKeys::new(89, 0), &mut ws, &mut quiet);
    r.sprint = 2;
    let k = r.themes;
    r.push_series_committed(0.0, 0.0);
    let picks: Vec<u32> = r.ws.active.iter().copied().take(4).collect();
    let sizes = [1.0, 2.0, 4.0, 8.0];
    for (n, &i) in picks.iter().enumerate() {
        let it = &mut r.ws.items[i as usize];
        let w = r.ws.world.market[2 * k + it.theme as usize];
        assert!(w > 0.0);
        it.kind = ItemKind::Feature;
        it.status = Status::Done;
        it.wrong_build = false;
        it.size = sizes[n];
        it.in_scope = n == 0;
        // In scope at a loss; worth 2; a loss of half the weight; worth nothing.
        it.value = [-1.0, 2.0, -0.5 * w, 0.0][n];
    }
    r.t.scope_remaining = 10;
    r.t.on_strategy_points = 0.0;
    r.ws.finished.clear();
    r.ws.finished.extend_from_slice(&picks);
    r.release();
    assert_eq!(r.t.on_strategy_points, 1.0 + 2.0);
    assert_eq!(r.t.feature_points, 15.0);
    assert_eq!(r.t.scope_remaining, 9);
}

/// Finishing a feature counts its defects where they go: found later (bug work at the next
/// arrivals), escaped (reported by users later), in total; the item is done and frees its
/// lane. The counts are the quality model's draw for the item.
#[test]
fn a_finished_item_books_its_later_and_escaped_defects_and_frees_its_lane() {
    for found_later in [0.0, 0.5] {
        let mut s = quiet("aligned");
        s.quality.defects_per_point = 1.0;
        s.quality.found_in_sprint = 0.0;
        s.quality.found_later = found_later;
        let model = Model::new(&s);
        let mut ws = Workspace::new();
        let mut quiet = NoTrace;
        let mut r = Run::new(&model, &RunKeys::new(97, 0), &mut ws, &mut quiet);
        r.sprint = 1;
        r.pressure = 0.0;
        let i =
            r.ws.active
                .iter()
                .copied()
                .find(|&i| r.ws.items[i as usize].kind == ItemKind::Feature)
                .unwrap();
        let it = &mut r.ws.items[i as usize];
        it.size = 5.0;
        it.status = Status::InProgress;
        it.lane = 0;
        r.ws.lane_item[0] = i;
        let it = r.ws.items[i as usize];
        let d = crate::model::quality::defects_at_finish(
            it.id,
            it.size,
            it.ambiguity,
            0.0,
            &s.quality,
            &r.keys,
        );
        assert!(
            d.escaped > 0 && (found_later == 0.0 || d.later > 0),
            "{d:?}"
        );
        assert_eq!(d.in_sprint, 0);
        r.finish_item(i, model.sprint_hours + 3.0);
        assert_eq!(
            (
                r.t.defects,
                r.t.pending_later,
                r.t.pending_escaped,
                r.t.escaped
            ),
            (d.total(), d.later, d.escaped, d.escaped)
        );
        let it = &r.ws.items[i as usize];
        assert_eq!((it.status, it.lane), (Status::Done, NO_LANE));
        assert_eq!(r.ws.lane_item[0], u32::MAX);
        assert_eq!(r.ws.finished, [i]);
    }
}

/// Planning commits only waiting items the PO finds worth doing: an item in progress (it
/// continues as spillover, once) or done, of no worth, at the head of the order is passed.
#[test]
fn planning_passes_items_in_progress_or_done_whatever_their_worth() {
    let mut s = cold("aligned");
    s.backlog.split_rate = 0.0;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &RunKeys::new(101, 0), &mut ws, &mut quiet);
    r.order_and_refine();
    let picks: Vec<u32> =
        r.ws.order
            .iter()
            .copied()
            .filter(|&i| {
                let it = &r.ws.items[i as usize];
                !it.top && it.status == Status::Waiting
            })
            .take(2)
            .collect();
    let (a, b) = (picks[0], picks[1]);
    for (i, status) in [(a, Status::InProgress), (b, Status::Done)] {
        let it = &mut r.ws.items[i as usize];
        it.status = status;
        it.score = -1.0;
        it.in_scope = false;
        it.ready = true;
        it.remaining = 0.5 * it.size;
        assert!(!super::super::planning::worth_doing(it));
    }
    r.ws.committed.clear();
    r.ws.committed.push(a);
    r.ws.order.retain(|&i| i != a && i != b);
    r.ws.order.splice(0..0, [a, b]);
    r.plan();
    let count = |i: u32| r.ws.committed.iter().filter(|&&j| j == i).count();
    assert_eq!((count(a), count(b)), (1, 0));
    let it = &r.ws.items[a as usize];
    assert_eq!(it.committed_points, it.remaining_estimate());
    assert_eq!(r.ws.items[b as usize].committed_points, 0.0);
    assert!(
        r.ws.committed.len() > 2,
        "{} committed",
        r.ws.committed.len()
    );
}

/// Recording, the lead times and the decision-wait share on a hand-built end of run: four
/// delivered items of lead time (finish hour − created sprint · sprint hours) / hours a day =
/// 2, 5, 3 and 11 days give P50 = 4 and P85 = 8.3 (type 7); blocked hours 1 + 2 + 0 + 3 over
/// cycle times (finish − start) of 2 + 5 + 2 + 8 days; the top value decile's mean lead
/// time recomputed plainly (the four are its most valuable items).
#[test]
fn lead_times_and_the_decision_wait_share_follow_from_the_delivered_items() {
    let s = quiet("aligned");
    let model = Model::new(&s);
    let (h, d) = (model.sprint_hours, s.simulation.hours_per_day);
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &RunKeys::new(103, 0), &mut ws, &mut quiet);
    for _ in 0..s.simulation.sprints {
        r.push_series_committed(0.0, 0.0);
    }
    for it in r.ws.items.iter_mut() {
        it.status = Status::Waiting;
    }
    // The last four backlog items: the top decile by value is not the head of the list.
    let picks: Vec<u32> =
        r.ws.active
            .iter()
            .rev()
            .copied()
            .filter(|&i| r.ws.items[i as usize].is_backlog_work())
            .take(4)
            .collect();
    // (created sprint, start hour, finish hour, blocked hours)
    let cases = [
        (0, 0.0, 2.0 * d, 1.0),
        (1, h, h + 5.0 * d, 2.0),
        (2, 2.0 * h + d, 2.0 * h + 3.0 * d, 0.0),
        (0, 3.0 * d, 11.0 * d, 3.0),
    ];
    for (&i, &(created, start, finish, blocked)) in picks.iter().zip(&cases) {
        let it = &mut r.ws.items[i as usize];
        it.status = Status::Done;
        it.created = created;
        it.start_hour = start;
        it.finish_hour = finish;
        it.finish_sprint = (finish / h) as u32;
        it.blocked_hours = blocked;
        // The most valuable world items, so the top decile holds them.
        it.value = 1e6 + finish;
    }
    // The top decile's lead time: the ⌈n/10⌉ world items of highest true value, each from
    // its creation to its finish, or to the horizon when not done.
    let horizon = s.simulation.sprints as f64 * h;
    let mut world: Vec<(f64, f64)> =
        r.ws.items
            .iter()
            .filter(|it| it.id < INTERNAL_ID)
            .map(|it| {
                let end = if it.status == Status::Done {
                    it.finish_hour
                } else {
                    horizon
                };
                (it.value, (end - it.created as f64 * h) / d)
            })
            .collect();
    world.sort_by(|a, b| b.0.total_cmp(&a.0));
    let n_top = world.len().div_ceil(10);
    assert!(n_top >= 4, "{n_top}");
    let top_lead = world[..n_top].iter().map(|w| w.1).sum::<f64>() / n_top as f64;
    let m = r.finish(None).metrics;
    use crate::engine::metrics::idx;
    assert!(
        (m[idx::LEAD_P50] - 4.0).abs() < 1e-12,
        "{}",
        m[idx::LEAD_P50]
    );
    assert!(
        (m[idx::LEAD_P85] - 8.3).abs() < 1e-12,
        "{}",
        m[idx::LEAD_P85]
    );
    let top = m[idx::TOP_VALUE_LEAD];
    assert!(
        (top - top_lead).abs() < 1e-9 * top_lead,
        "{top} ≠ {top_lead}"
    );
    let share = 6.0 / (17.0 * d);
    assert!(
        (m[idx::DECISION_WAIT] - share).abs() < 1e-12,
        "{} ≠ {share}",
        m[idx::DECISION_WAIT]
    );
}
