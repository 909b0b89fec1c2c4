//! The throughput model (`simulation.model = "throughput"`, the `forecast` preset) against
//! the roles model with every friction off (`scenarios/examples/frictionless-roles.toml`):
//! run by run, the same completion sprints, lead times, velocities and commitments, to the
//! last bit.

use crate::common::{simulate_keeping, Files};
// The delivery metrics and series both models have: those the throughput model gives.
use backsim::engine::metrics::{
    idx, THROUGHPUT_METRICS as SHARED, THROUGHPUT_SERIES as SHARED_SERIES,
};
use backsim::scenario::{load_scenario, Scenario};

const FRICTIONLESS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/scenarios/examples/frictionless-roles.toml"
);

/// The scenario `common` as a throughput forecast (`NAME`) and on the frictionless roles model
/// (`NAME-roles`).
fn both_models(files: &Files, name: &str, common: &str) -> (Scenario, Scenario) {
    let text = |base: &str, name: &str| format!("extends = {base:?}\nname = \"{name}\"\n{common}");
    let roles = format!("{name}-roles");
    (
        files.scenario(name, &text("forecast", name)),
        files.scenario(&roles, &text(FRICTIONLESS, &roles)),
    )
}

/// Sums over committed items that finished: the roles model adds them in the order the
/// items were created, which depends on their values, so only these may differ in the
/// last bits. Everything else is the same to the bit.
fn rounding_may_differ(metric_or_series: &str) -> bool {
    matches!(metric_or_series, "say_do_ratio" | "done")
}

fn same(name: &str, a: f64, b: f64) -> bool {
    if rounding_may_differ(name) {
        (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
    } else {
        a.to_bits() == b.to_bits()
    }
}

#[test]
fn throughput_model_matches_the_frictionless_roles_model_run_by_run() {
    let files = Files::new();
    let cases = [
        // (capacity, items, size, sprints, stop at completion, planned sprint)
        (
            "{ dist = \"empirical\", values = [3, 7, 5, 6, 4, 8, 5, 6, 2, 7] }",
            120,
            1.0,
            104,
            true,
            20,
        ),
        ("{ dist = \"poisson\", mean = 7.5 }", 40, 1.0, 60, false, 5),
        (
            "{ dist = \"uniform\", min = 0.5, max = 9.5 }",
            30,
            2.5,
            40,
            true,
            8,
        ),
        (
            "{ dist = \"gamma\", mean = 6, cv = 0.6 }",
            25,
            0.3,
            30,
            false,
            2,
        ),
        // Censored: many runs do not finish within the horizon.
        (
            "{ dist = \"empirical\", values = [0, 1, 4, 9] }",
            60,
            1.0,
            16,
            true,
            10,
        ),
        // Whole items bigger than one point: the closed forms for whole sizes (the
        // commitment's room divided by the size, the window's running sum) take over.
        ("{ dist = \"poisson\", mean = 10 }", 45, 3.0, 40, false, 12),
        // A run of fresh items that ends within an ulp of the sprint's last 10⁻⁹: at a
        // capacity of 8.750000004375 points (= 8.75 · (1 + 5·10⁻¹⁰): 7 items of 2.5 in two
        // sprints, less 10⁻⁹ of a sprint's work), the second sprint's finish of the item in
        // progress and its three fresh items, summed item by item as the roles model's lane
        // sums them, end exactly at `hours − 10⁻⁹·hours`, so the next item does not start;
        // their product (t + 3 · hours per item) ends one ulp before and would start it.
        // The sum may be skipped only where its rounding cannot change the answer.
        (
            "{ dist = \"constant\", value = 8.750000004375 }",
            20,
            2.5,
            12,
            true,
            3,
        ),
    ];
    for (k, (capacity, items, size, sprints, stop, planned)) in cases.into_iter().enumerate() {
        // Each case its own velocity window (the commitment is the mean of the last ones).
        let window = [1, 3, 6, 2, 4, 5, 2][k];
        let common = format!(
            "[simulation]\nsprints = {sprints}\nstop_at_completion = {stop}\n[team]\nvelocity_window = {window}\ncapacity = {capacity}\n[backlog]\ninitial_items = {items}\nsize = {{ dist = \"constant\", value = {size} }}\n[release]\nplanned_sprint = {planned}\n"
        );
        let (throughput, roles) = both_models(&files, &format!("t{k}"), &common);
        let got = simulate_keeping(&[throughput, roles], 7 + k as u64, 400, &SHARED_SERIES);
        let mut censored = 0;
        for (r, (recs, kept)) in got.runs.iter().zip(&got.kept).enumerate() {
            let (t, o) = (&recs[0].metrics, &recs[1].metrics);
            censored += t[idx::COMPLETION_SPRINT].is_nan() as u32;
            for m in SHARED {
                assert!(
                    same(backsim::engine::METRICS[m].name, t[m], o[m]),
                    "case {k} run {}: {} throughput {} vs roles {}",
                    r + 1,
                    backsim::engine::METRICS[m].name,
                    t[m],
                    o[m]
                );
            }
            for (j, (a, b)) in kept[0].iter().zip(&kept[1]).enumerate() {
                assert_eq!(a.len(), b.len());
                for (sprint, (x, y)) in a.iter().zip(b).enumerate() {
                    assert!(
                        same(backsim::engine::SERIES[SHARED_SERIES[j]], *x, *y),
                        "case {k} run {} sprint {}: series {} throughput {x} vs roles {y}",
                        r + 1,
                        sprint + 1,
                        backsim::engine::SERIES[SHARED_SERIES[j]]
                    );
                }
            }
            // What the throughput model does not have is empty, not zero.
            assert!(t[idx::VALUE_EFFICIENCY].is_nan() && t[idx::RANKING_TAU].is_nan());
        }
        if k == 4 {
            assert!(censored > 20, "the short horizon censors runs ({censored})");
        }
    }
}

#[test]
fn a_roles_preset_cannot_become_a_throughput_forecast() {
    // The preset's own keys would have no effect: they are named (file, key and line errors
    // of single files are in the hardening corpus, tests/data/bad/throughput_*).
    let files = Files::new();
    let path = files.write(
        "g",
        "extends = \"aligned\"\n[simulation]\nmodel = \"throughput\"\n[backlog]\nsize = { dist = \"constant\", value = 1 }\n",
    );
    let err = format!("{:#}", load_scenario(path.to_str().unwrap()).unwrap_err());
    assert!(
        err.contains("scenarios/aligned.toml (built-in)")
            && err.contains("has no effect in a throughput forecast"),
        "{err}"
    );
}

/// Risks: the throughput model uses the roles model's draws (which risks strike, and when),
/// so with every friction off the two deliver the same items in the same sprints, run by run.
#[test]
fn risks_match_the_frictionless_roles_model_run_by_run() {
    let files = Files::new();
    let cases = [
        (
            "{ dist = \"empirical\", values = [4, 6, 5] }",
            50,
            "[[risks]]\nname = \"audit\"\nprobability = 0.4\nfirst_sprint = 2\nlast_sprint = 6\nadded_items = 9\n[[risks]]\nname = \"migration\"\nprobability = 0.7\nadded_items = 4\n",
        ),
        (
            "{ dist = \"empirical\", values = [3, 7, 5, 6, 4, 8, 5, 6, 2, 7] }",
            80,
            "[[risks]]\nname = \"late\"\nprobability = 0.5\nfirst_sprint = 10\nlast_sprint = 14\nadded_items = 12\n",
        ),
    ];
    let delivery = [idx::COMPLETION_SPRINT, idx::ITEMS_DONE, idx::POINTS_DONE];
    for (k, (capacity, items, risks)) in cases.into_iter().enumerate() {
        let common = format!(
            "[simulation]\nsprints = 60\n[team]\ncapacity = {capacity}\n[backlog]\ninitial_items = {items}\n{risks}"
        );
        let (throughput, roles) = both_models(&files, &format!("ts{k}"), &common);
        let got = simulate_keeping(&[throughput, roles], 3 + k as u64, 300, &[]);
        let mut grew = 0;
        for (r, recs) in got.runs.iter().enumerate() {
            let (t, o) = (&recs[0].metrics, &recs[1].metrics);
            grew += (t[idx::ITEMS_DONE] > items as f64) as u32;
            for m in delivery {
                assert!(
                    same(backsim::engine::METRICS[m].name, t[m], o[m]),
                    "case {k} run {}: {} throughput {} vs roles {}",
                    r + 1,
                    backsim::engine::METRICS[m].name,
                    t[m],
                    o[m]
                );
            }
        }
        assert!(grew > 50, "case {k}: a risk struck in {grew} runs only");
    }
}

/// Risk items and scope-growth items split on draws of their own, independent of each other
/// and of the initial items (each keyed by its own id). With capacity to spare every item is
/// done, so the parts added are B ~ Binomial(items, p) and their variance is items·p·(1 − p);
/// a shared key would make some splits move together and at least double the variance
/// (a risk item drawing as initial item j: 40 items pairwise equal give 4·40·p(1 − p); growth
/// items sharing one draw: 20²·p(1 − p)).
#[test]
fn risk_and_growth_items_split_independently() {
    let files = Files::new();
    let (p, runs) = (0.5, 3000u64);
    for (name, extra, items) in [
        (
            "risk",
            "[[risks]]\nname = \"audit\"\nprobability = 1.0\nfirst_sprint = 1\nlast_sprint = 1\nadded_items = 40\n",
            80.0,
        ),
        (
            "growth",
            "[simulation]\nsprints = 21\nstop_at_completion = false\n[backlog]\nscope_growth = { dist = \"constant\", value = 1 }\n",
            60.0,
        ),
    ] {
        let text = format!(
            "extends = \"forecast\"\nname = \"{name}\"\n{extra}[team]\ncapacity = {{ dist = \"constant\", value = 500 }}\n"
        );
        // TOML: the [backlog] keys go in one table.
        let text = if text.contains("[backlog]") {
            text.replace("[backlog]\n", "[backlog]\ninitial_items = 40\nsplit_rate = 0.5\nsplit_into = 2\n")
        } else {
            format!("{text}[backlog]\ninitial_items = 40\nsplit_rate = 0.5\nsplit_into = 2\n")
        };
        let s = files.scenario(name, &text);
        let got = crate::common::simulate(&[s], 4, runs);
        let extra: Vec<f64> = got
            .iter()
            .map(|recs| recs[0].metrics[idx::ITEMS_DONE] - items)
            .collect();
        let mean = extra.iter().sum::<f64>() / runs as f64;
        let var = extra.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (runs - 1) as f64;
        let (want_mean, want_var) = (items * p, items * p * (1.0 - p));
        // 4.5 SE of the mean; the sample variance's SE is about var·√(2/n) = 2.6 %.
        let se = (want_var / runs as f64).sqrt();
        assert!((mean - want_mean).abs() < 4.5 * se, "{name}: mean {mean} vs {want_mean}");
        assert!((var / want_var - 1.0).abs() < 0.12, "{name}: variance {var} vs {want_var}");
    }
}

/// Splits: each item splits with probability p into k parts when started, so a run's scope
/// is N + (k − 1)·B with B ~ Binomial(N, p), and a finished run did exactly its scope.
/// (The roles model splits only items it refines or plans, so it is no reference here.)
#[test]
fn split_scope_follows_the_binomial() {
    let files = Files::new();
    let (n, p, k) = (80u32, 0.3f64, 3u32);
    let s = files.scenario(
        "split",
        &format!(
            "extends = \"forecast\"\nname = \"split\"\n[simulation]\nsprints = 100\n[backlog]\ninitial_items = {n}\nsplit_rate = {p}\nsplit_into = {k}\n"
        ),
    );
    let runs = 4000;
    let got = crate::common::simulate(&[s], 9, runs);
    let mut sum = 0.0;
    let mut sum2 = 0.0;
    for recs in &got {
        let extra = recs[0].metrics[idx::ITEMS_DONE] - n as f64;
        assert_eq!(extra % (k - 1) as f64, 0.0, "parts come in k − 1 at a time");
        let b = extra / (k - 1) as f64;
        sum += b;
        sum2 += b * b;
    }
    let mean = sum / runs as f64;
    let var = sum2 / runs as f64 - mean * mean;
    let (want_mean, want_var) = (n as f64 * p, n as f64 * p * (1.0 - p));
    let se = (want_var / runs as f64).sqrt();
    assert!(
        (mean - want_mean).abs() < 4.0 * se,
        "mean {mean} vs {want_mean}"
    );
    assert!(
        (var / want_var - 1.0).abs() < 0.1,
        "variance {var} vs {want_var}"
    );
}

/// The exact case: constant capacity 6, 100 items that all split in two: 200
/// items at 6 a sprint are done in sprint ⌈200 / 6⌉ = 34. Scope growth of a constant 2
/// items a sprint from sprint 2: 6k ≥ 100 + 2(k − 1) first holds at k = 25. Split-rate
/// samples [2]: as if every item split in two.
#[test]
fn splits_growth_and_samples_give_the_exact_completion_sprint() {
    let files = Files::new();
    for (extra, want) in [
        ("split_rate = 1\nsplit_into = 2\n", 34.0),
        ("scope_growth = { dist = \"constant\", value = 2 }\n", 25.0),
        ("split_rate_samples = [2]\n", 34.0),
        ("split_rate_samples = [1]\n", 17.0),
    ] {
        let s = files.scenario(
            "exact",
            &format!(
                "extends = \"forecast\"\nname = \"exact\"\n[team]\ncapacity = {{ dist = \"constant\", value = 6 }}\n[backlog]\ninitial_items = 100\n{extra}"
            ),
        );
        let got = crate::common::simulate(&[s], 1, 50);
        for recs in &got {
            assert_eq!(recs[0].metrics[idx::COMPLETION_SPRINT], want, "{extra}");
        }
    }
}

/// A scope range: each run draws its item count. At a constant 6 a sprint, 60 items take
/// 10 sprints and 61 to 66 take 11: uniform 60..=66 gives sprint 10 in 1/7 of the runs.
#[test]
fn a_scope_range_draws_the_item_count_per_run() {
    let files = Files::new();
    for (range, p10, other) in [
        (
            "{ dist = \"uniform\", min = 60, max = 66 }",
            1.0 / 7.0,
            11.0,
        ),
        ("{ dist = \"empirical\", values = [12, 30] }", 0.0, 5.0),
    ] {
        let s = files.scenario(
            "range",
            &format!(
                "extends = \"forecast\"\nname = \"range\"\n[team]\ncapacity = {{ dist = \"constant\", value = 6 }}\n[backlog]\ninitial_items = {range}\n"
            ),
        );
        let runs = 7000;
        let got = crate::common::simulate(&[s], 2, runs);
        let mut tens = 0.0;
        for recs in &got {
            let c = recs[0].metrics[idx::COMPLETION_SPRINT];
            let done = recs[0].metrics[idx::ITEMS_DONE];
            if p10 > 0.0 {
                assert!(c == 10.0 || c == other, "{range}: sprint {c}");
                assert!((60.0..=66.0).contains(&done));
                tens += (c == 10.0) as u32 as f64;
            } else {
                assert!(c == 2.0 || c == other, "{range}: sprint {c}");
                tens += (c == 2.0) as u32 as f64;
            }
        }
        let want = if p10 > 0.0 { p10 } else { 0.5 };
        let share = tens / runs as f64;
        let se = (want * (1.0 - want) / runs as f64).sqrt();
        assert!(
            (share - want).abs() < 4.0 * se,
            "{range}: {share} vs {want}"
        );
    }
    // Not a range: named with file, key and line.
    let path = files.write(
        "bad",
        "extends = \"forecast\"\n[backlog]\ninitial_items = { dist = \"gamma\", mean = 50, cv = 0.2 }\n",
    );
    let err = format!(
        "{:#}",
        backsim::scenario::load_scenario(path.to_str().unwrap()).unwrap_err()
    );
    assert!(
        err.contains("bad.toml:3:")
            && err.contains("backlog.initial_items")
            && err.contains("scope range"),
        "{err}"
    );
}
