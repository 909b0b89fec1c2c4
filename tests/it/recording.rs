//! Metric recording (`src/engine/sprint/recording.rs`, `src/engine/metrics.rs`): the run
//! metrics that follow from what a run tells, recomputed from its events with plain code
//! and the definitions of docs/outputs.md.

use crate::common::preset;
use backsim::engine::metrics::idx;
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
