//! Metric recording (`src/engine/sprint/recording.rs`, `src/engine/metrics.rs`): the run
//! metrics that follow from what a run tells, recomputed from its events with plain code
//! and the definitions of docs/outputs.md.

use crate::common::{preset, simulate_keeping};
use backsim::engine::metrics::{idx, series, Better, METRICS};
use backsim::engine::trace::Event;
use backsim::engine::{simulate_traced, Workspace};
use backsim::model::compiled::Model;
use backsim::model::item::{ItemKind, INTERNAL_ID};
use backsim::random::RunKeys;

/// Tags of the ids of items that are not world items (unplanned work: risks, injected).
const TAG_RISK: u64 = 2;
const TAG_INJECTED: u64 = 3;

fn close(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0) || (got.is_nan() && want.is_nan()),
        "{what}: recorded {got}, from the events {want}"
    );
}

#[test]
fn run_metrics_follow_from_the_events() {
    let mut checked_completion = 0;
    for name in ["aligned", "siloed-pm", "overloaded-po", "blurred-roles"] {
        let mut s = preset(name);
        s.simulation.warmup_sprints = 0;
        // Readiness at commitment is what the event tells (no ambiguity added after it).
        s.roles.misalignment_ambiguity = 0.0;
        s.release.planned_sprint = Some(9);
        let model = Model::new(&s);
        let mut ws = Workspace::new();
        for run in 0..4 {
            let mut events = Vec::new();
            let rec = simulate_traced(&model, &RunKeys::new(21, run), None, &mut ws, &mut events);
            let m = rec.metrics;
            let mut velocities = Vec::new();
            let (mut done, mut committed, mut debt) = (0.0, 0.0, f64::NAN);
            let (mut feature, mut enabler, mut items, mut builds, mut wrong) = (0.0, 0.0, 0, 0, 0);
            let (mut escaped, mut planned, mut unready) = (0u32, 0u32, 0u32);
            let mut completion = None;
            let mut churn_rework = 0.0;
            for e in &events {
                match *e {
                    Event::Planned { committed: c, .. } => committed += c,
                    Event::Committed {
                        item, kind, ready, ..
                    } => {
                        let tag = (item & !INTERNAL_ID) >> 32;
                        let unplanned =
                            item >= INTERNAL_ID && (tag == TAG_RISK || tag == TAG_INJECTED);
                        if matches!(kind, ItemKind::Feature | ItemKind::Enabler) && !unplanned {
                            planned += 1;
                            unready += !ready as u32;
                        }
                    }
                    Event::Finished { escaped: x, .. } => escaped += x,
                    Event::Churned { rework: x, .. } => churn_rework += x,
                    Event::Released {
                        kind,
                        points,
                        wrong_build,
                        ..
                    } => {
                        match kind {
                            ItemKind::Feature => feature += points,
                            ItemKind::Enabler => enabler += points,
                            _ => {}
                        }
                        if kind != ItemKind::Bug {
                            builds += 1;
                            wrong += wrong_build as u32;
                        }
                        if matches!(kind, ItemKind::Feature | ItemKind::Enabler) {
                            items += 1;
                        }
                    }
                    Event::ScopeComplete { sprint } => completion = Some(sprint + 1),
                    Event::SprintEnd {
                        velocity,
                        done: d,
                        tech_debt,
                        ..
                    } => {
                        velocities.push(velocity);
                        done += d;
                        debt = tech_debt;
                    }
                    _ => {}
                }
            }
            let what = |m: &str| format!("{name} run {run}: {m}");
            let n = velocities.len() as f64;
            assert!(n >= 2.0);
            let mean = velocities.iter().sum::<f64>() / n;
            let sd = (velocities
                .iter()
                .map(|v| (v - mean) * (v - mean))
                .sum::<f64>()
                / (n - 1.0))
                .sqrt();
            close(&what("velocity_cv"), m[idx::VELOCITY_CV], sd / mean);
            close(&what("say_do"), m[idx::SAY_DO], done / committed);
            close(&what("tech_debt_end"), m[idx::TECH_DEBT_END], debt);
            let points = feature + enabler;
            close(&what("points_done"), m[idx::POINTS_DONE], points);
            close(
                &what("enabler_share"),
                m[idx::ENABLER_SHARE],
                enabler / points,
            );
            close(&what("items_done"), m[idx::ITEMS_DONE], items as f64);
            close(&what("escaped"), m[idx::ESCAPED], escaped as f64);
            close(
                &what("escaped_per_point"),
                m[idx::ESCAPED_PER_POINT],
                escaped as f64 / points,
            );
            close(
                &what("wrong_build_rate"),
                m[idx::WRONG_BUILD_RATE],
                wrong as f64 / builds as f64,
            );
            close(
                &what("unready_share"),
                m[idx::UNREADY_SHARE],
                unready as f64 / planned as f64,
            );
            // Rework over the points worked: a share, above 0 when churn cost done work
            // (the points worked are not told; they are at least the points released).
            let rework = m[idx::REWORK_SHARE];
            assert!((0.0..=1.0).contains(&rework), "{}", what("rework_share"));
            assert!(
                churn_rework == 0.0 || rework > 0.0,
                "{}",
                what("rework_share with churn")
            );
            // Shares are shares; the lead times of the top-value decile exist.
            let wait = m[idx::DECISION_WAIT];
            assert!(
                (0.0..=1.0).contains(&wait),
                "{}",
                what("decision_wait_share")
            );
            let top = m[idx::TOP_VALUE_LEAD];
            assert!(top.is_finite() && top > 0.0, "{}", what("top_value_lead"));
            let (p50, p85) = (m[idx::LEAD_P50], m[idx::LEAD_P85]);
            assert!(p50 > 0.0 && p50 <= p85, "{}", what("lead times"));
            match completion {
                Some(c) => {
                    checked_completion += 1;
                    close(
                        &what("completion_sprint"),
                        m[idx::COMPLETION_SPRINT],
                        c as f64,
                    );
                    close(
                        &what("release_delay"),
                        m[idx::RELEASE_DELAY],
                        c as f64 - 9.0,
                    );
                }
                None => {
                    assert!(m[idx::COMPLETION_SPRINT].is_nan(), "{}", what("censored"));
                    assert!(m[idx::RELEASE_DELAY].is_nan(), "{}", what("censored"));
                }
            }
        }
    }
    assert!(checked_completion > 0, "no run completed its scope");
}

/// Items keep distinct ids through the warm-up (bug, redo, split and injected ids; counters carry over:
/// an id keys the item's draws), and the release completes in the sprint its last scope
/// item is released, with every scope item released by then.
#[test]
fn ids_stay_unique_and_the_release_completes_with_its_last_scope_item() {
    let mut completed = 0;
    for name in ["aligned", "blurred-roles"] {
        let mut s = preset(name);
        s.simulation.warmup_sprints = 6;
        s.risks.clear();
        // Split items get ids of their own too.
        s.backlog.split_rate = 0.3;
        s.backlog.split_into = 3;
        let model = Model::new(&s);
        let mut ws = Workspace::new();
        for run in 0..4 {
            let mut events = Vec::new();
            simulate_traced(&model, &RunKeys::new(5, run), None, &mut ws, &mut events);
            let mut ids: Vec<u64> = ws.items().iter().map(|it| it.id).collect();
            let n = ids.len();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), n, "{name} run {run}: duplicate item ids");
            let scope = ws
                .items()
                .iter()
                .filter(|it| it.in_scope && it.finish_sprint >= 6)
                .count();
            let mut released = 0;
            let mut last = None;
            let mut complete = None;
            for e in &events {
                match *e {
                    Event::Released {
                        sprint,
                        in_scope: true,
                        ..
                    } => {
                        released += 1;
                        last = Some(sprint);
                    }
                    Event::ScopeComplete { sprint } => complete = Some(sprint),
                    _ => {}
                }
            }
            if let Some(c) = complete {
                completed += 1;
                assert_eq!(Some(c), last, "{name} run {run}: completion");
                assert_eq!(released, scope, "{name} run {run}: scope items released");
            }
        }
    }
    assert!(completed > 0, "no run completed its scope");
}

/// `better_when` as the CSVs and the API print it.
#[test]
fn better_when_prints_as_documented() {
    assert_eq!(Better::Higher.as_str(), "higher");
    assert_eq!(Better::Lower.as_str(), "lower");
    let value = METRICS.iter().find(|m| m.name == "value_realized").unwrap();
    assert_eq!(value.better.as_str(), "higher");
    let delay = METRICS
        .iter()
        .find(|m| m.name == "lead_time_p50_days")
        .unwrap();
    assert_eq!(delay.better.as_str(), "lower");
}

/// The cumulative value is written in every reported sprint, after a warm-up too (its
/// releases flow from sprint 1 on, so no row is left at zero).
#[test]
fn cumulative_value_is_written_in_every_sprint_after_a_warm_up() {
    let mut s = preset("aligned");
    s.simulation.warmup_sprints = 12;
    let sprints = s.simulation.sprints as usize;
    let c = simulate_keeping(&[s], 8, 6, &[series::CUMULATIVE_VALUE]);
    for (r, run) in c.kept.iter().enumerate() {
        let v = &run[0][0];
        assert_eq!(v.len(), sprints);
        assert!(
            v.iter().all(|&x| x != 0.0 && x.is_finite()),
            "run {r}: cumulative value {v:?}"
        );
    }
}
