//! The steady state (issue 11, point 5): runs start after `simulation.warmup_sprints` sprints
//! played on the same streams and not reported, so the first sprints of the year look like
//! the last ones. For `aligned`, each flow series' mean over sprints 1–3 is within 10 % of its
//! mean over sprints 17–26.

use crate::common::{preset, simulate_keeping};
use backsim::engine::metrics::series;

const RUNS: u64 = 400;
const SEED: u64 = 11;

/// (mean over sprints 1–3, mean over sprints 17–26) of each kept series, across runs.
fn early_and_late(s: backsim::scenario::Scenario, keep: &[usize]) -> Vec<(f64, f64)> {
    let c = simulate_keeping(&[s], SEED, RUNS, keep);
    (0..keep.len())
        .map(|j| {
            let (mut early, mut late) = (0.0, 0.0);
            for r in &c.kept {
                let x = &r[0][j];
                early += x[0..3].iter().sum::<f64>() / 3.0;
                late += x[16..26].iter().sum::<f64>() / 10.0;
            }
            (early / RUNS as f64, late / RUNS as f64)
        })
        .collect()
}

fn assert_within(name: &str, (early, late): (f64, f64), tol: f64) {
    let rel = (early - late).abs() / late.abs();
    println!(
        "{name}: sprints 1–3 {early:.3}, sprints 17–26 {late:.3}, {:.1} %",
        100.0 * rel
    );
    assert!(
        rel <= tol,
        "{name}: sprints 1–3 mean {early:.3} vs 17–26 mean {late:.3} ({:.1} %)",
        100.0 * rel
    );
}

#[test]
fn aligned_flows_start_in_a_steady_state() {
    let keep = [series::VELOCITY, series::COMMITTED, series::TECH_DEBT];
    let got = early_and_late(preset("aligned"), &keep);
    for (name, m) in ["velocity", "committed", "tech debt"].iter().zip(got) {
        assert_within(name, m, 0.10);
    }
}

/// Decision wait settles too; the release push of sprints 1–5 (the release scope goes first,
/// and its items were refined while they waited) lowers it by about 15 % (13.1 against 15.3 h
/// a sprint at 1000 runs, docs/model.md §13.7), so it is checked
/// on `aligned` without the release-scope-first policy, which is otherwise the same team.
#[test]
fn aligned_decision_wait_starts_in_a_steady_state() {
    let mut s = preset("aligned");
    s.release.scope_first = false;
    let got = early_and_late(s, &[series::DECISION_WAIT, series::VELOCITY]);
    assert_within("decision wait (no release push)", got[0], 0.10);
    assert_within("velocity (no release push)", got[1], 0.10);
}

/// Without the warm-up the same team starts cold: sprint 1 velocity far below the late mean.
/// (What the warm-up is for; it fails if warm-up sprints stop being played.)
#[test]
fn a_cold_start_is_not_a_steady_state() {
    let mut s = preset("aligned");
    s.simulation.warmup_sprints = 0;
    s.release.scope_first = false;
    let got = early_and_late(s, &[series::VELOCITY]);
    let (early, late) = got[0];
    assert!(early < 0.9 * late, "cold start {early} vs {late}");
}
