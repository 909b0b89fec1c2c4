//! The throughput model (`simulation.model = "throughput"`, the `forecast` preset) against
//! the roles model with every friction off (`scenarios/examples/frictionless-roles.toml`):
//! run by run, the same completion sprints, lead times, velocities and commitments, to the
//! last bit.

use crate::common::{simulate_keeping, Files};
use backsim::engine::metrics::{idx, series};
use backsim::scenario::load_scenario;

const FRICTIONLESS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/scenarios/examples/frictionless-roles.toml"
);

/// The delivery metrics both models have.
const SHARED: [usize; 8] = [
    idx::COMPLETION_SPRINT,
    idx::RELEASE_DELAY,
    idx::LEAD_P50,
    idx::LEAD_P85,
    idx::SAY_DO,
    idx::VELOCITY_CV,
    idx::POINTS_DONE,
    idx::ITEMS_DONE,
];
const SHARED_SERIES: [usize; 5] = [
    series::VELOCITY,
    series::COMMITTED,
    series::DONE,
    series::BACKLOG_SIZE,
    series::READY_ITEMS,
];

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
    ];
    for (k, (capacity, items, size, sprints, stop, planned)) in cases.into_iter().enumerate() {
        let common = format!(
            "[simulation]\nsprints = {sprints}\nstop_at_completion = {stop}\n[team]\ncapacity = {capacity}\n[backlog]\ninitial_items = {items}\nsize = {{ dist = \"constant\", value = {size} }}\n[release]\nplanned_sprint = {planned}\n"
        );
        let throughput = files.scenario(
            &format!("t{k}"),
            &format!("extends = \"forecast\"\nname = \"t{k}\"\n{common}"),
        );
        let roles = files.scenario(
            &format!("r{k}"),
            &format!("extends = {FRICTIONLESS:?}\nname = \"r{k}\"\n{common}"),
        );
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
