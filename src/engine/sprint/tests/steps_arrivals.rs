//! Steps 1–2 and the run's bookkeeping around the steps, on hand-built states (issue 16,
//! mutation run 14a): the ids of the items a run adds, what arrivals add (market shocks told
//! in their sprint, a risk's items, bug work of defects found later or reported by users),
//! what churn leaves alone, the release scope (the whole initial backlog, a roadmap that fills
//! its points exactly), the warm-up as traces tell it, the rows after an early stop, and
//! metrics found by name.

use super::super::{simulate_roles, Run};
use super::{cold, quiet};
use crate::engine::metrics::{metric_index, row_after_stop, METRICS};
use crate::engine::trace::{Event, NoTrace};
use crate::engine::workspace::Workspace;
use crate::model::compiled::Model;
use crate::model::item::{ItemKind, Status, INTERNAL_ID};
use crate::random::{RunKeys, Source};
use crate::scenario::ReleaseScope;

/// Every metric is found by its name at its place in the output order; an unknown name is
/// not found (the output tables, sweeps and sensitivity tables look metrics up this way).
#[test]
fn a_metric_is_found_by_its_name_at_its_column() {
    for (i, m) in METRICS.iter().enumerate() {
        assert_eq!(metric_index(m.name), Some(i), "{}", m.name);
    }
    assert_eq!(metric_index("velocity"), None);
    assert_eq!(metric_index(""), None);
}

/// Bug work, split parts and redos carry the ids the trace's item labels decode
/// (docs/outputs.md: `bug-N`, `split-N`, `redo-N`): `INTERNAL_ID | 1 << 32 | n`,
/// `INTERNAL_ID | 5 << 32 | n` and `INTERNAL_ID | 4 << 32 | n`, n counting from 0 in the
/// run, written out here rather than taken from the tags.
#[test]
fn bug_work_split_parts_and_redos_carry_the_ids_the_trace_labels_decode() {
    let mut s = quiet("aligned");
    s.backlog.split_rate = 1.0;
    s.backlog.split_into = 3;
    // Every build wrong: each finished feature asks for a redo.
    s.quality.wrong_build_base = 1.0;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &RunKeys::new(151, 0), &mut ws, &mut quiet);
    r.sprint = 2;
    let before = r.ws.items.len();
    r.add_bug(2.0, false);
    r.add_bug(5.0, true);
    let i =
        r.ws.active
            .iter()
            .copied()
            .find(|&i| r.ws.items[i as usize].is_backlog_work())
            .unwrap();
    r.split(i);
    let kind = r.ws.items[i as usize].kind;
    // The split item and its first part finish: two wrong builds.
    let part = r.ws.items.len() as u32 - 2;
    r.finish_item(i, 3.0);
    r.finish_item(part, 4.0);
    let got: Vec<(u64, ItemKind)> = r.ws.items[before..]
        .iter()
        .map(|it| (it.id, it.kind))
        .collect();
    assert_eq!(
        got,
        [
            (INTERNAL_ID | (1 << 32), ItemKind::Bug),
            (INTERNAL_ID | (1 << 32) | 1, ItemKind::Bug),
            (INTERNAL_ID | (5 << 32), kind),
            (INTERNAL_ID | (5 << 32) | 1, kind),
            (INTERNAL_ID | (4 << 32), ItemKind::Redo),
            (INTERNAL_ID | (4 << 32) | 1, ItemKind::Redo),
        ],
        "{got:x?}"
    );
}

/// Churn changes only backlog work not yet done: at p = 1 every waiting feature or enabler
/// changes; a done one and bug work, waiting or done, do not.
#[test]
fn churn_leaves_done_items_and_bug_work_alone() {
    let mut s = quiet("aligned");
    s.roles.churn_probability = 1.0;
    s.roles.churn_ambiguity = 0.1;
    s.roles.churn_growth = 0.5;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut events = Vec::new();
    let mut r = Run::new(&model, &RunKeys::new(197, 0), &mut ws, &mut events);
    r.sprint = 1;
    r.add_bug(2.0, false);
    r.add_bug(3.0, false);
    for (n, it) in r.ws.items.iter_mut().enumerate() {
        if n % 3 == 0 && it.is_backlog_work() {
            it.status = Status::Done;
        }
    }
    let last = r.ws.items.len() - 1;
    r.ws.items[last].status = Status::Done;
    let before = r.ws.items.clone();
    r.churn();
    let mut changed = 0;
    for (old, new) in before.iter().zip(&r.ws.items) {
        let eligible = old.is_backlog_work() && old.status != Status::Done;
        let want = if eligible { old.size * 1.5 } else { old.size };
        assert_eq!(new.size, want, "{:?} {:?}", old.kind, old.status);
        changed += eligible as u32;
    }
    let churned = r
        .tracer
        .inner
        .iter()
        .filter(|e| matches!(e, Event::Churned { .. }))
        .count();
    assert_eq!(churned as u32, changed);
    assert!(changed > 10 && (changed as usize) < before.len() - 5);
}

/// Arrivals tell the market shocks of their own sprint, and only those (the world's list
/// holds every sprint's).
#[test]
fn arrivals_tell_the_market_shocks_of_their_sprint() {
    let s = quiet("aligned");
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut events = Vec::new();
    let mut r = Run::new(&model, &RunKeys::new(157, 0), &mut ws, &mut events);
    r.ws.world.shocks = vec![(2, 0, 1.5), (3, 1, 0.5), (3, 2, 2.0), (4, 0, 0.7)];
    r.sprint = 3;
    r.arrive();
    let told: Vec<(u32, u16, f64)> = r
        .tracer
        .inner
        .iter()
        .filter_map(|e| match *e {
            Event::MarketShock {
                sprint,
                theme,
                factor,
            } => Some((sprint, theme, factor)),
            _ => None,
        })
        .collect();
    assert_eq!(told, [(3, 1, 0.5), (3, 2, 2.0)]);
}

/// A risk that adds items and no points adds exactly its items (no item of 0 SP for the
/// points it does not add).
#[test]
fn a_risk_without_points_adds_only_its_items() {
    let mut s = quiet("aligned");
    s.backlog.arrivals_per_sprint = 0.0;
    s.risks = vec![crate::scenario::Risk {
        name: "a".into(),
        probability: 1.0,
        first_sprint: 1,
        last_sprint: 1,
        added_items: 2,
        added_points: 0.0,
    }];
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &RunKeys::new(163, 0), &mut ws, &mut quiet);
    r.sprint = 2;
    r.risk_strikes[0] = 2;
    let before = r.ws.items.len();
    let scope = r.t.scope_remaining;
    r.arrive();
    let added: Vec<u64> = r.ws.items[before..].iter().map(|it| it.id).collect();
    let id = |j: u64| INTERNAL_ID | (2 << 32) | j;
    assert_eq!(added, [id(0), id(1)], "{added:x?}");
    assert!(r.ws.items[before..].iter().all(|it| it.size > 0.0));
    assert_eq!(r.t.scope_remaining, scope + 2);
}

/// Each defect found later becomes, at the next arrivals, bug work of fix_points ×
/// later_multiplier (2 × 3 = 6 SP), not escaped; the count waiting is cleared.
#[test]
fn defects_found_later_become_bug_work_of_the_later_multiplier() {
    let mut s = quiet("aligned");
    s.backlog.arrivals_per_sprint = 0.0;
    s.quality.fix_points = 2.0;
    s.quality.later_multiplier = 3.0;
    s.quality.escaped_multiplier = 7.0;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut events = Vec::new();
    let mut r = Run::new(&model, &RunKeys::new(167, 0), &mut ws, &mut events);
    r.sprint = 2;
    r.t.pending_later = 3;
    let before = r.ws.items.len();
    r.arrive();
    let bugs: Vec<(ItemKind, f64)> = r.ws.items[before..]
        .iter()
        .map(|it| (it.kind, it.size))
        .collect();
    assert_eq!(bugs, [(ItemKind::Bug, 6.0); 3]);
    assert_eq!(r.t.pending_later, 0);
    let told: Vec<(f64, bool)> = r
        .tracer
        .inner
        .iter()
        .filter_map(|e| match *e {
            Event::BugAdded {
                points, escaped, ..
            } => Some((points, escaped)),
            _ => None,
        })
        .collect();
    assert_eq!(told, [(6.0, false); 3]);
}

/// Users report an escaped defect when its keyed draw is strictly below the discovery rate:
/// with the rate set to one defect's own draw, that defect stays unreported, those with a
/// lower draw are reported (the draws numbered from the count reported before).
#[test]
fn an_escaped_defect_whose_draw_equals_the_rate_stays_unreported() {
    let keys = RunKeys::new(173, 0);
    let (sprint, reported_before, pending) = (4u32, 10u32, 6u32);
    let draws: Vec<f64> = (0..pending)
        .map(|j| keys.unit(Source::EscapedDiscovery, (reported_before + j) as u64, 4))
        .collect();
    let mut sorted = draws.clone();
    sorted.sort_by(f64::total_cmp);
    // The third lowest draw as the rate: two below it.
    let rate = sorted[2];
    assert!(sorted[1] < rate && rate < sorted[3], "{draws:?}");
    let mut s = quiet("aligned");
    s.backlog.arrivals_per_sprint = 0.0;
    s.quality.escaped_discovery_rate = rate;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &keys, &mut ws, &mut quiet);
    r.sprint = sprint;
    r.t.pending_escaped = pending;
    r.t.escaped_reported = reported_before;
    let before = r.ws.items.len();
    r.arrive();
    let bugs = r.ws.items[before..]
        .iter()
        .filter(|it| it.kind == ItemKind::Bug)
        .count();
    assert_eq!(bugs, 2);
    assert_eq!(
        (r.t.pending_escaped, r.t.escaped_reported),
        (pending - 2, reported_before + 2)
    );
}

/// The initial-backlog scope (chosen again at the end of a warm-up): every feature and
/// enabler not yet done, and nothing else (no bug work, nothing done); the count to do is
/// theirs.
#[test]
fn the_initial_backlog_scope_is_the_backlog_work_not_yet_done() {
    let mut s = cold("aligned");
    s.release.scope = ReleaseScope::InitialBacklog;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &RunKeys::new(179, 0), &mut ws, &mut quiet);
    r.sprint = 3;
    r.add_bug(2.0, false);
    r.add_bug(3.0, true);
    for (n, it) in r.ws.items.iter_mut().enumerate() {
        it.in_scope = false;
        if n % 4 == 1 {
            it.status = Status::Done;
        }
    }
    r.t.scope_remaining = 0;
    r.define_scope();
    let want: Vec<bool> =
        r.ws.items
            .iter()
            .map(|it| it.status != Status::Done && it.is_backlog_work())
            .collect();
    let got: Vec<bool> = r.ws.items.iter().map(|it| it.in_scope).collect();
    assert_eq!(got, want);
    let n = want.iter().filter(|&&b| b).count() as u32;
    assert!(n > 10 && (n as usize) < r.ws.items.len() - 2, "{n}");
    assert_eq!(r.t.scope_remaining, n);
}

/// A roadmap scope of exactly the points of its top items (by true score) takes them: an
/// item that fills the scope to the point is in it.
#[test]
fn a_roadmap_scope_filled_exactly_takes_its_last_item() {
    for top in [1usize, 2] {
        let mut s = cold("aligned");
        s.release.scope = ReleaseScope::Roadmap;
        let model = Model::new(&s);
        let mut ws = Workspace::new();
        let mut quiet = NoTrace;
        let mut r = Run::new(&model, &RunKeys::new(181, 0), &mut ws, &mut quiet);
        let k = r.themes;
        let w = r.ws.world.market[..k].to_vec();
        let mut scored: Vec<(f64, usize)> =
            r.ws.items
                .iter()
                .enumerate()
                .filter(|(_, it)| it.value > 0.0 && it.is_backlog_work())
                .map(|(i, it)| {
                    let t = crate::model::roles::true_score(it, &w, 0, &s.backlog.urgency);
                    (t, i)
                })
                .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let chosen: Vec<usize> = scored[..top].iter().map(|&(_, i)| i).collect();
        let points = chosen.iter().fold(0.0, |p, &i| p + r.ws.items[i].size);
        assert!(r.ws.items.iter().all(|it| it.size > 0.0));
        s.release.scope_points = points;
        let model = Model::new(&s);
        r.m = &model;
        for it in r.ws.items.iter_mut() {
            it.in_scope = false;
        }
        r.t.scope_remaining = 0;
        r.define_scope();
        let got: Vec<usize> = (0..r.ws.items.len())
            .filter(|&i| r.ws.items[i].in_scope)
            .collect();
        let mut want = chosen.clone();
        want.sort_unstable();
        assert_eq!(got, want, "top {top}, {points} SP");
        assert_eq!(r.t.scope_remaining, top as u32);
    }
}

/// The sprints of a traced run with a warm-up: warm-up sprints are not told, the first
/// after it is sprint 0, and the warm-up's value is told once, in that sprint; a run
/// without a warm-up tells no warm-up value.
#[test]
fn traces_number_sprints_from_the_end_of_the_warm_up() {
    for warmup in [0u32, 2] {
        let mut s = quiet("aligned");
        s.simulation.sprints = 4;
        s.simulation.warmup_sprints = warmup;
        let model = Model::new(&s);
        let mut ws = Workspace::new();
        let mut events: Vec<Event> = Vec::new();
        simulate_roles(&model, &RunKeys::new(191, 0), None, &mut ws, &mut events);
        let ends: Vec<u32> = events
            .iter()
            .filter_map(|e| match *e {
                Event::SprintEnd { sprint, .. } => Some(sprint),
                _ => None,
            })
            .collect();
        assert_eq!(ends, [0, 1, 2, 3], "warm-up {warmup}");
        assert!(events.iter().all(|e| e.sprint() < 4), "warm-up {warmup}");
        let warm: Vec<u32> = events
            .iter()
            .filter_map(|e| match *e {
                Event::WarmupValue { sprint, .. } => Some(sprint),
                _ => None,
            })
            .collect();
        let want: &[u32] = if warmup > 0 { &[0] } else { &[] };
        assert_eq!(warm, want, "warm-up {warmup}");
    }
}

/// A run that stops at completion still has a row for every sprint: the rows after the
/// completion sprint are the row after a stop of that sprint's row, exactly as many as the
/// sprints left.
#[test]
fn a_run_stopped_at_completion_fills_every_sprint_left() {
    let mut s = quiet("aligned");
    s.simulation.sprints = 12;
    s.simulation.stop_at_completion = true;
    s.backlog.initial_items = 6;
    s.backlog.arrivals_per_sprint = 0.0;
    s.risks.clear();
    s.release.scope = ReleaseScope::InitialBacklog;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &RunKeys::new(193, 0), &mut ws, &mut quiet);
    r.play();
    // Completion is counted from 1: its row is at done − 1.
    let done = r.t.completion.expect("six items done in twelve sprints") as usize - 1;
    assert!(done + 2 < 12, "completion in sprint {done} (from 0)");
    let rows = &r.ws.series;
    assert_eq!(rows.len(), 12);
    let after = row_after_stop(&rows[done]);
    for (n, row) in rows.iter().enumerate().skip(done + 1) {
        let same = row
            .iter()
            .zip(&after)
            .all(|(a, b)| a.to_bits() == b.to_bits());
        assert!(same, "row {n}: {row:?}, want {after:?}");
    }
    assert!(rows[done][0] > 0.0 && after[0] == 0.0);
}

/// Churn's draw against its probability at the edge: an item whose draw's uniform u is
/// exactly p does not change (u < p, as every keyed draw is compared); at the next double
/// above u it does.
#[test]
fn churn_changes_an_item_whose_draw_is_below_p_not_at_it() {
    let key = 0x9e37_79b9_7f4a_7c15u64;
    let u = crate::random::keyed_from(key, 1).unit();
    for (p, changes) in [(u, false), (u.next_up(), true)] {
        let mut s = quiet("aligned");
        (s.roles.churn_probability, s.roles.churn_per_misalignment) = (p, 0.0);
        let model = Model::new(&s);
        let mut ws = Workspace::new();
        let mut quiet = NoTrace;
        let mut r = Run::new(&model, &RunKeys::new(199, 0), &mut ws, &mut quiet);
        r.sprint = 1;
        let i =
            r.ws.items
                .iter()
                .position(|it| it.is_backlog_work())
                .unwrap();
        for (n, it) in r.ws.items.iter_mut().enumerate() {
            if n != i {
                it.status = Status::Done;
            }
        }
        r.ws.items[i].status = Status::Waiting;
        r.ws.items[i].churn_key = key;
        r.churn();
        assert_eq!(r.ws.churned.len(), changes as usize, "p = {p:e}, u = {u:e}");
    }
}
