//! Identity cases (reference model, section 8): perfect information and no friction give a
//! value efficiency of exactly 1; a world without noise gives zero variance across runs; a
//! scenario compared with itself under common random numbers gives zero differences.

use crate::common::{column, preset, sd, simulate, Files};
use backsim::engine::metrics::{idx, METRICS, N_METRICS};

/// Every friction and every source of misinformation off, on the full `aligned` world
/// (six drifting themes with shocks, arrivals, the urgency mix, enablers, three lanes); the
/// release scope is not put first, so the PO orders by the true CD3 score alone, and every
/// item has a positive value (zero-value items tie, and τ counts ties as neither).
const PERFECT: &str = r#"
name = "perfect"
extends = "aligned"

[release]
scope_first = false

[team]
initial_debt = 0.0
debt_per_feature_point = 0.0
debt_paid_per_enabler_point = 0.0
debt_drag_per_point = 0.0
context_switch_tax = 0.0

[backlog]
positive_value_share = 1.0
zero_value_share = 0.0
estimate_bias = 1.0
estimate_sigma = 0.0
estimate_sigma_per_ambiguity = 0.0
fibonacci = false
ambiguity = { dist = "constant", value = 0 }
split_rate = 0.0

[pm]
insight_sigma = 0.0
sync_interval = 1
sync_fidelity = 1.0
shock_unready_probability = 0.0
shock_drop_probability = 0.0

[po]
value_skill = 1.0
myopia = 0.0
myopia_per_strategy_share = 0.0
myopia_per_refinement_shortfall = 0.0
take_unready = 1.0
questions_base = 0.0
questions_per_ambiguity = 0.0

[roles]
pm_override = 0.0
conflicts_per_sprint = 0.0
churn_probability = 0.0
misalignment_ambiguity = 0.0

[quality]
defects_per_point = 0.0
wrong_build_base = 0.0
wrong_build_ambiguity = 0.0
"#;

/// Perfect information without friction, checked by identities that do not involve the
/// oracle run (whose settings the scenario above mirrors, so efficiency = 1 alone would only
/// retest that the oracle equals itself): nothing is lost, reworked, built wrong, found
/// defective or waited for; the PO's order is the true order (Kendall τ = 1 in every run);
/// and then, as a consequence, value efficiency is 1 and cost of delay 0. The control below
/// shows the same checks fail once one source of misinformation is back.
#[test]
fn perfect_information_without_friction_has_value_efficiency_one() {
    let files = Files::new();
    let s = files.scenario("perfect", PERFECT);
    let runs = simulate(&[s], 5, 300);
    for (m, want) in [
        (idx::CAPACITY_LOST, 0.0),
        (idx::REWORK_SHARE, 0.0),
        (idx::WRONG_BUILD_RATE, 0.0),
        (idx::DEFECTS, 0.0),
        (idx::ESCAPED, 0.0),
        (idx::DECISION_WAIT, 0.0),
        (idx::TECH_DEBT_END, 0.0),
        (idx::RANKING_TAU, 1.0),
    ] {
        for (r, x) in column(&runs, 0, m).iter().enumerate() {
            assert!(
                *x == want || (x.is_nan() && m != idx::RANKING_TAU && m != idx::DEFECTS),
                "run {}: {} = {x}, want {want}",
                r + 1,
                METRICS[m].name
            );
        }
    }
    let eff = column(&runs, 0, idx::VALUE_EFFICIENCY);
    let with_value = eff.iter().filter(|x| !x.is_nan()).count();
    assert!(
        with_value >= 290,
        "only {with_value} of 300 runs have an oracle value > 0"
    );
    for (r, e) in eff.iter().enumerate() {
        assert!(
            e.is_nan() || *e == 1.0,
            "run {}: value efficiency {e}",
            r + 1
        );
    }
    for (r, c) in column(&runs, 0, idx::COST_OF_DELAY).iter().enumerate() {
        assert_eq!(*c, 0.0, "run {}: cost of delay {c}", r + 1);
    }
}

/// The controls. With the estimates noisy again (σ = 0.5) the PO orders by wrong sizes, so
/// value efficiency < 1 in most runs; τ stays 1 in every run, because it judges the PO's
/// view of value against the team's own estimates (it measures judgement, not estimation
/// error). With a PO whose value skill is short of 1, τ < 1 in almost every run.
#[test]
fn perfect_world_with_noisy_estimates_fails_the_identities() {
    let files = Files::new();
    let below = |runs: &[Vec<backsim::engine::RunRecord>], m: usize| {
        column(runs, 0, m)
            .iter()
            .filter(|x| !x.is_nan() && **x < 1.0)
            .count()
    };
    let text = PERFECT.replace("estimate_sigma = 0.0", "estimate_sigma = 0.5");
    let runs = simulate(&[files.scenario("noisy", &text)], 5, 100);
    assert_eq!(
        below(&runs, idx::RANKING_TAU),
        0,
        "tau < 1 with exact values"
    );
    assert!(
        below(&runs, idx::VALUE_EFFICIENCY) >= 50,
        "efficiency < 1 in {} of 100",
        below(&runs, idx::VALUE_EFFICIENCY)
    );
    let text = PERFECT.replace("value_skill = 1.0", "value_skill = 0.8");
    let runs = simulate(&[files.scenario("unskilled", &text)], 5, 100);
    assert!(
        below(&runs, idx::RANKING_TAU) >= 90,
        "tau < 1 in {} of 100",
        below(&runs, idx::RANKING_TAU)
    );
}

/// No randomness at all: constant capacity and sizes, one theme without drift or shocks, no
/// arrivals, every item of value 1 and standard urgency, no enablers; the frictions that
/// stay on (refinement, commitment, tech debt, context switching) are deterministic.
const ZERO_NOISE: &str = r#"
name = "zero-noise"
extends = "aligned"

[simulation]
sprints = 20
value_tail_sprints = 10
warmup_sprints = 0

[team]
capacity = { dist = "constant", value = 17.5 }
lanes = 2

[backlog]
initial_items = 45
arrivals_per_sprint = 0.0
size = { dist = "constant", value = 2.5 }
enabler_share = 0.0
positive_value_share = 1.0
zero_value_share = 0.0
value_sigma = 0.0
urgency = { standard = 1.0, decaying = 0.0, short_window = 0.0, fixed_date = 0.0 }
estimate_sigma = 0.0
estimate_sigma_per_ambiguity = 0.0
ambiguity = { dist = "constant", value = 0.6 }

[market]
themes = 1
drift_sigma = 0.0
shock_rate = 0.0

[pm]
insight_sigma = 0.0
sync_fidelity = 1.0

[po]
belief_sigma = 0.0
take_unready = 0.0
questions_base = 0.0
questions_per_ambiguity = 0.0

[roles]
pm_override = 0.0
conflicts_per_sprint = 0.0
churn_probability = 0.0

[quality]
defects_per_point = 0.0
wrong_build_base = 0.0
wrong_build_ambiguity = 0.0
"#;

#[test]
fn zero_noise_gives_zero_variance_across_runs() {
    let files = Files::new();
    let s = files.scenario("zero-noise", ZERO_NOISE);
    let runs = simulate(&[s], 9, 40);
    for (m, info) in METRICS.iter().enumerate() {
        let col = column(&runs, 0, m);
        let first = col[0];
        for (r, x) in col.iter().enumerate() {
            assert!(
                x.to_bits() == first.to_bits() || (x.is_nan() && first.is_nan()),
                "{}: run {} gives {x}, run 1 gives {first}",
                info.name,
                r + 1
            );
        }
    }
    // The world is not trivial: work was done and the release finished.
    assert!(runs[0][0].metrics[idx::ITEMS_DONE] > 0.0);
    assert!(runs[0][0].metrics[idx::COMPLETION_SPRINT].is_finite());
}

/// A scenario and an identical copy under another name, in one comparison: every record is
/// the same, replication by replication.
#[test]
fn a_scenario_against_its_copy_is_identical_in_every_run() {
    let files = Files::new();
    let copy = files.scenario("copy", "name = \"aligned-copy\"\nextends = \"aligned\"\n");
    let runs = simulate(&[preset("aligned"), copy], 21, 200);
    for (r, rec) in runs.iter().enumerate() {
        for (m, info) in METRICS.iter().enumerate() {
            let (a, b) = (rec[0].metrics[m], rec[1].metrics[m]);
            assert!(
                a.to_bits() == b.to_bits(),
                "run {} {}: {a} vs {b}",
                r + 1,
                info.name
            );
        }
    }
}

/// The same through the CLI: in compare.csv every paired difference of the copy against the
/// baseline is exactly 0 with the interval [0, 0], and nobody is better in any replication.
#[test]
fn compare_csv_of_a_scenario_against_its_copy_is_all_zero() {
    let files = Files::new();
    files.write("copy", "name = \"aligned-copy\"\nextends = \"aligned\"\n");
    assert_cmd::Command::cargo_bin("backsim")
        .unwrap()
        .current_dir(files.dir.path())
        .args([
            "run",
            "aligned",
            "copy.toml",
            "--runs",
            "80",
            "--no-charts",
            "--quiet",
        ])
        .assert()
        .success();
    let text = std::fs::read_to_string(files.dir.path().join("output/compare.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let mut rows = 0;
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        rows += 1;
        for name in ["mean_diff", "ci95_low", "ci95_high"] {
            assert_eq!(
                cells[col(name)].parse::<f64>().ok(),
                Some(0.0),
                "{name} in {line}"
            );
        }
        // Every run ties with its copy, and ties count half.
        assert_eq!(
            cells[col("better_share")].parse::<f64>().ok(),
            Some(0.5),
            "better_share in {line}"
        );
        assert_eq!(cells[col("n")], "80", "{line}");
    }
    // Both scenarios (the baseline against itself too) on every metric.
    assert_eq!(rows, 2 * N_METRICS);
    assert!(text.contains("\naligned-copy,aligned,value_efficiency,"));
}

/// Common random numbers reach inside an item: the ambiguity distribution written as
/// `beta(1, 1)` or as the same-shaped `uniform(0, 1)` gives paired differences in value
/// efficiency that are all zero or at least ten times narrower than independent runs.
#[test]
fn the_same_ambiguity_shape_written_twice_gives_the_same_runs() {
    let files = Files::new();
    let beta = files.scenario(
        "amb-beta",
        "name = \"amb-beta\"\nextends = \"aligned\"\n[backlog]\nambiguity = { dist = \"beta\", a = 1, b = 1 }\n",
    );
    let uniform = files.scenario(
        "amb-uniform",
        "name = \"amb-uniform\"\nextends = \"aligned\"\n[backlog]\nambiguity = { dist = \"uniform\", min = 0, max = 1 }\n",
    );
    let runs = simulate(&[beta, uniform], 21, 300);
    let a = column(&runs, 0, idx::VALUE_EFFICIENCY);
    let b = column(&runs, 1, idx::VALUE_EFFICIENCY);
    let d: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x - y).collect();
    if d.iter().all(|&x| x == 0.0) {
        return;
    }
    let var = |xs: &[f64]| sd(xs).powi(2);
    let vr = (var(&a) + var(&b)) / var(&d);
    assert!(vr >= 10.0, "variance reduction {vr:.2}");
}

/// The metrics measure what they say: with perfect information (perfect PM insight and
/// hand-overs, value skill 1, no belief noise, churn or conflicts) the PO's order agrees
/// with the true one (ranking τ ≥ 0.9), value efficiency is at least 0.97, and the
/// on-strategy share is the highest of every preset.
#[test]
fn perfect_information_ranks_highest_on_its_own_metrics() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/examples/perfect-information.toml"
    );
    let perfect = backsim::scenario::load_scenario(path).expect("example loads");
    let names = ["aligned", "siloed-pm", "overloaded-po", "blurred-roles"];
    let mut scenarios = vec![perfect];
    scenarios.extend(names.iter().map(|n| preset(n)));
    let runs = simulate(&scenarios, 17, 300);
    let avg = |s: usize, m: usize| {
        let v: Vec<f64> = column(&runs, s, m)
            .into_iter()
            .filter(|x| !x.is_nan())
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    let tau = avg(0, idx::RANKING_TAU);
    let eff = avg(0, idx::VALUE_EFFICIENCY);
    assert!(tau >= 0.9, "perfect information: ranking tau {tau:.3}");
    assert!(
        eff >= 0.97,
        "perfect information: value efficiency {eff:.3}"
    );
    let on = avg(0, idx::ON_STRATEGY);
    for (s, name) in names.iter().enumerate() {
        let other = avg(s + 1, idx::ON_STRATEGY);
        assert!(
            on > other,
            "on_strategy_share: perfect information {on:.3}, {name} {other:.3}"
        );
    }
}
