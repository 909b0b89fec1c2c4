//! Sprint steps on hand-built states, what they produce (issue 16, mutation run 10): a
//! finish's hour, the release delay, a wrong build's release, the PM's view, a roadmap
//! shock, a dropped item's restart, the integer metrics, the latency draw per scenario,
//! escaped defects' reports and injected items' ids.

use super::super::Run;
use super::quiet;
use crate::engine::trace::Event;
use crate::engine::workspace::Workspace;
use crate::model::compiled::Model;
use crate::model::item::{Status, INTERNAL_ID};
use crate::random::{RunKeys, Source};

/// A finished item's event tells the hour within its sprint.
#[test]
fn a_finish_is_told_at_its_hour_within_the_sprint() {
    let s = quiet("aligned");
    let model = Model::new(&s);
    let hours = model.sprint_hours;
    let mut ws = Workspace::new();
    let mut events = Vec::new();
    let mut r = Run::new(&model, &RunKeys::new(113, 0), &mut ws, &mut events);
    r.sprint = 3;
    let i = r.ws.active[0];
    r.ws.items[i as usize].status = Status::InProgress;
    r.finish_item(i, 3.0 * hours + 6.5);
    let hour = r
        .tracer
        .inner
        .iter()
        .find_map(|e| match *e {
            Event::Finished { hour, .. } => Some(hour),
            _ => None,
        })
        .expect("a finish event");
    assert!(
        (hour - 6.5).abs() < 1e-9,
        "finished at {hour} h of the sprint"
    );
}

/// The release delay is the completion sprint less the planned sprint: done in sprint 10
/// against a plan of 8, two sprints late.
#[test]
fn the_release_delay_is_completion_less_the_plan() {
    use crate::engine::metrics::idx;
    let mut s = quiet("aligned");
    s.release.planned_sprint = Some(8);
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut events = Vec::new();
    let mut r = Run::new(&model, &RunKeys::new(127, 0), &mut ws, &mut events);
    for _ in 0..s.simulation.sprints {
        r.push_series_committed(0.0, 0.0);
    }
    r.t.completion = Some(10);
    let m = r.finish(None).metrics;
    assert_eq!(m[idx::COMPLETION_SPRINT], 10.0);
    assert_eq!(m[idx::RELEASE_DELAY], 2.0);
}

/// Release counts builds and wrong builds (the wrong-build rate's numerator and
/// denominator): of a feature built right and one built wrong, 2 builds, 1 wrong; only the
/// right one starts its value flowing (its value on its theme, from the next sprint).
#[test]
fn release_counts_a_wrong_build_and_releases_no_value_for_it() {
    use crate::model::item::{ItemKind, Urgency};
    let s = quiet("aligned");
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut events = Vec::new();
    let mut r = Run::new(&model, &RunKeys::new(131, 0), &mut ws, &mut events);
    r.sprint = 2;
    let k = r.themes;
    r.push_series_committed(0.0, 0.0);
    let picks: Vec<u32> = r.ws.active.iter().copied().take(2).collect();
    for (n, &i) in picks.iter().enumerate() {
        let it = &mut r.ws.items[i as usize];
        it.kind = ItemKind::Feature;
        it.status = Status::Done;
        it.urgency = Urgency::Standard;
        it.theme = n as u16;
        it.value = 3.0;
        it.wrong_build = n == 1;
    }
    r.t.scope_remaining = 10;
    r.t.builds = 0;
    r.t.wrong_builds = 0;
    r.ws.flow_coef.iter_mut().for_each(|c| *c = 0.0);
    r.ws.finished.clear();
    r.ws.finished.extend_from_slice(&picks);
    r.release();
    assert_eq!((r.t.builds, r.t.wrong_builds), (2, 1));
    assert_eq!(
        r.ws.flow_coef[3 * k],
        3.0,
        "the right build flows from sprint 3"
    );
    assert_eq!(r.ws.flow_coef[3 * k + 1], 0.0, "the wrong build does not");
}

/// The PM's view of a sprint is the market's weights through the PM's persistent misreading,
/// market · e^(σz) with z the run's first k normals of `Source::PmInsight`; with the stale
/// roadmap off, a PO without a PM has that view every sprint.
#[test]
fn the_pms_view_is_the_market_through_its_misreading() {
    use crate::scenario::mask::{MechanismMask, STALE_ROADMAP};
    use rand::RngExt;
    let mut led = quiet("aligned");
    led.pm.insight_sigma = 0.4;
    assert!(led.pm.enabled);
    let mut solo = quiet("overloaded-po");
    solo.pm.insight_sigma = 0.4;
    assert!(!solo.pm.enabled);
    let players: Vec<usize> = (0..8).filter(|&i| i != STALE_ROADMAP).collect();
    solo.mechanisms = MechanismMask::of_subset(&players, (1 << players.len()) - 1);
    for (s, pm) in [(led, true), (solo, false)] {
        let model = Model::new(&s);
        let keys = RunKeys::new(137, 1);
        let mut ws = Workspace::new();
        let mut events = Vec::new();
        let mut r = Run::new(&model, &keys, &mut ws, &mut events);
        let k = r.themes;
        let mut insight = keys.stream(Source::PmInsight);
        let factor: Vec<f64> = (0..k)
            .map(|_| {
                let z: f64 = insight.sample(rand_distr::StandardNormal);
                (0.4 * z).exp()
            })
            .collect();
        for sprint in 1..4u32 {
            r.sprint = sprint;
            r.strategy();
            let view = if pm { &r.ws.pm_view } else { &r.ws.po_view };
            for j in 0..k {
                let want = r.ws.world.market[sprint as usize * k + j] * factor[j];
                assert!(
                    (view[j] - want).abs() < 1e-12 * want,
                    "PM {pm}, sprint {sprint}, theme {j}: {} against {want}",
                    view[j]
                );
            }
        }
    }
}

/// A roadmap shock acts on backlog work only: bugs in progress or ready on a theme that fell
/// stay as they were, while the features of that theme are dropped or unreadied.
#[test]
fn a_roadmap_shock_leaves_bug_work_alone() {
    use crate::model::item::ItemKind;
    let mut s = quiet("aligned");
    s.pm.sync_interval = 1;
    s.pm.sync_fidelity = 1.0;
    s.pm.shock_threshold = 0.0;
    s.pm.shock_unready_probability = 1.0;
    s.pm.shock_drop_probability = 1.0;
    s.backlog.ready_threshold = 0.3;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut events = Vec::new();
    let mut r = Run::new(&model, &RunKeys::new(83, 0), &mut ws, &mut events);
    r.sprint = 1;
    for (j, v) in r.ws.po_view.iter_mut().enumerate() {
        *v = (j + 1) as f64;
    }
    crate::model::market::ranks(&r.ws.po_view, &mut r.ws.po_rank);
    let before_rank = r.ws.po_rank.clone();
    let work: Vec<u32> = r.ws.active.clone();
    for (n, &i) in work.iter().enumerate() {
        let it = &mut r.ws.items[i as usize];
        it.status = if n % 2 == 0 {
            Status::InProgress
        } else {
            Status::Waiting
        };
        it.ready = true;
        it.ambiguity = 0.0;
        if n % 4 < 2 {
            it.kind = ItemKind::Bug;
        }
    }
    r.strategy();
    let k = r.themes;
    let fell: Vec<bool> = (0..k).map(|j| r.ws.po_rank[j] > before_rank[j]).collect();
    let (mut bugs, mut features) = (0, 0);
    for (n, &i) in work.iter().enumerate() {
        let it = &r.ws.items[i as usize];
        if !fell[it.theme as usize] {
            continue;
        }
        let untouched = it.status
            == if n % 2 == 0 {
                Status::InProgress
            } else {
                Status::Waiting
            }
            && it.ready;
        if it.kind == ItemKind::Bug {
            assert!(
                untouched,
                "bug {n} changed: {:?}, ready {}",
                it.status, it.ready
            );
            bugs += 1;
        } else {
            assert!(!untouched, "feature {n} untouched");
            features += 1;
        }
    }
    assert!(bugs > 0 && features > 0, "{bugs} bugs, {features} features");
}

/// A dropped item restarts with its whole size plus the fix work its defects added (quality
/// is drawn once): 5 SP with 2 SP of fixes, 3 SP done, restarts with 7 SP, the 3 SP wasted.
#[test]
fn a_dropped_item_restarts_with_its_size_and_its_fixes() {
    use crate::engine::trace::DropCause;
    let s = quiet("aligned");
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut events = Vec::new();
    let mut r = Run::new(&model, &RunKeys::new(139, 0), &mut ws, &mut events);
    r.sprint = 1;
    let i = r.ws.active[0];
    let it = &mut r.ws.items[i as usize];
    it.status = Status::InProgress;
    it.size = 5.0;
    it.fix_points = 2.0;
    it.work_done = 3.0;
    it.remaining = 4.0;
    r.t.waste = 0.0;
    r.drop_item(i, DropCause::RoadmapShock);
    let it = &r.ws.items[i as usize];
    assert_eq!(
        (it.status, it.remaining, it.work_done),
        (Status::Waiting, 7.0, 0.0)
    );
    assert_eq!(r.t.waste, 3.0);
}

/// The metrics whose percentiles are by the inverse CDF (docs/outputs.md: the integer
/// metrics) are exactly completion_sprint, release_delay_sprints, items_done, defects and
/// escaped_defects; the first two are the censored ones.
#[test]
fn the_integer_metrics_are_those_outputs_md_lists() {
    use crate::engine::metrics::METRICS;
    let integer: Vec<&str> = METRICS
        .iter()
        .filter(|m| m.integer)
        .map(|m| m.name)
        .collect();
    assert_eq!(
        integer,
        [
            "completion_sprint",
            "release_delay_sprints",
            "items_done",
            "defects",
            "escaped_defects"
        ]
    );
    let censored: Vec<&str> = METRICS
        .iter()
        .filter(|m| m.censored)
        .map(|m| m.name)
        .collect();
    assert_eq!(censored, ["completion_sprint", "release_delay_sprints"]);
}

/// A world item's question keeps its normal z for every scenario of the world, and its
/// latency factor follows each scenario's σ: asked at σ = 0.7, then 0.3, then 0.7 again,
/// e^(0.7z), e^(0.3z), e^(0.7z).
#[test]
fn a_kept_latency_draw_follows_each_scenarios_sigma() {
    let s = quiet("aligned");
    let model = Model::new(&s);
    let keys = RunKeys::new(149, 0);
    let mut ws = Workspace::new();
    let mut events = Vec::new();
    let mut r = Run::new(&model, &keys, &mut ws, &mut events);
    let id = r.ws.items[0].id;
    assert!(id < INTERNAL_ID);
    let z = keys.keyed(Source::Questions, id, 3).normal();
    assert!(z.abs() > 0.01, "z = {z}");
    for sigma in [0.7, 0.3, 0.7] {
        let got = r.latency_factor(id, 2, sigma);
        let want = (sigma * z).exp();
        assert!(
            (got - want).abs() < 1e-12,
            "σ {sigma}: {got} against {want}"
        );
    }
}

/// Escaped defects are reported by users over the sprints: each pending one is reported in
/// a sprint when its keyed uniform (`Source::EscapedDiscovery`, the count reported before it,
/// the sprint) is below the discovery rate, and becomes bug work of fix_points ×
/// escaped_multiplier; the count reported goes on across sprints (the next draws' keys).
#[test]
fn escaped_defects_are_reported_at_the_discovery_rate_by_their_keyed_draws() {
    let mut s = quiet("aligned");
    s.quality.escaped_discovery_rate = 0.5;
    s.quality.fix_points = 1.5;
    s.quality.escaped_multiplier = 4.0;
    let model = Model::new(&s);
    let keys = RunKeys::new(151, 0);
    let mut ws = Workspace::new();
    let mut events = Vec::new();
    let mut r = Run::new(&model, &keys, &mut ws, &mut events);
    r.t.pending_escaped = 12;
    let (mut reported_before, mut total) = (0u32, 0u32);
    for sprint in 1..5u32 {
        r.sprint = sprint;
        let pending = r.t.pending_escaped;
        let want = (0..pending)
            .filter(|&j| {
                let n = reported_before as u64 + j as u64;
                keys.unit(Source::EscapedDiscovery, n, sprint as u64) < 0.5
            })
            .count() as u32;
        let before = r.tracer.inner.len();
        r.arrive();
        let bugs: Vec<f64> = r.tracer.inner[before..]
            .iter()
            .filter_map(|e| match *e {
                Event::BugAdded {
                    points,
                    escaped: true,
                    ..
                } => Some(points),
                _ => None,
            })
            .collect();
        assert_eq!(bugs, vec![6.0; want as usize], "sprint {sprint}");
        reported_before += want;
        total += want;
        assert_eq!(r.t.escaped_reported, reported_before, "sprint {sprint}");
        assert_eq!(r.t.pending_escaped, 12 - total, "sprint {sprint}");
    }
    assert!(total > 0 && total < 12, "{total} of 12 reported");
}

/// Items conflicts inject have ids of their own, across conflicts of a sprint and across
/// sprints.
#[test]
fn injected_items_have_ids_of_their_own() {
    let s = quiet("aligned");
    let model = Model::new(&s);
    let hours = model.sprint_hours;
    let mut ws = Workspace::new();
    let mut events = Vec::new();
    let mut r = Run::new(&model, &RunKeys::new(157, 0), &mut ws, &mut events);
    for sprint in 1..4u32 {
        r.sprint = sprint;
        for index in 0..3u32 {
            let c = crate::engine::workspace::Conflict {
                hour: 1.0,
                inject: true,
                delay: 0.0,
                index,
            };
            r.apply_conflict(c, sprint as f64 * hours + 1.0);
        }
    }
    let injected: Vec<u64> = r
        .tracer
        .inner
        .iter()
        .filter_map(|e| match *e {
            Event::Injected { item, .. } => Some(item),
            _ => None,
        })
        .collect();
    assert_eq!(injected.len(), 9);
    let mut ids: Vec<u64> = r.ws.items.iter().map(|it| it.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), r.ws.items.len(), "repeated ids: {injected:x?}");
}
