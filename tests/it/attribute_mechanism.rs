//! `backsim attribute --by mechanism`: the engine's mechanism switches. All on is the engine
//! of `backsim run`; each switch removes its mechanism's effect and nothing else; the direct
//! part and the Shapley contributions add up to `backsim run`'s paired difference.

use backsim::analysis::attribute::{self, AttributeOptions, AttributeOutcome, By, DIRECT};
use backsim::analysis::{evaluate, AnalysisRun};
use backsim::cli::RunArgs;
use backsim::engine::metrics::{idx, METRICS};
use backsim::format::fmt_num;
use backsim::output::ImageFormat;
use backsim::scenario::load::load_scenario;
use backsim::scenario::mask::{self, MechanismMask, ENGINE_MECHANISMS};
use backsim::scenario::Scenario;
use std::path::Path;

fn opts(dir: &Path, scenario: &str, metrics: &[&str], runs: u64, seed: u64) -> AttributeOptions {
    AttributeOptions {
        scenario: scenario.into(),
        baseline: "aligned".into(),
        metrics: metrics.iter().map(|s| s.to_string()).collect(),
        merge: Vec::new(),
        by: By::Mechanism,
        run: AnalysisRun {
            runs: Some(runs),
            seed: Some(seed),
            precision: None,
            max_runs: runs,
            out: dir.to_path_buf(),
            format: ImageFormat::Png,
            no_charts: true,
            quiet: true,
            allow_large: false,
        },
    }
}

const METRICS_USED: [usize; 6] = [
    idx::VALUE_EFFICIENCY,
    idx::RELEASE_DELAY,
    idx::DECISION_WAIT,
    idx::UNREADY_SHARE,
    idx::TECH_DEBT_END,
    idx::CAPACITY_LOST,
];

/// Every metric of METRICS_USED in every run, for each scenario.
fn values(scenarios: &[Scenario], runs: u64) -> Vec<Vec<Vec<f64>>> {
    evaluate(scenarios, 11, runs, None, &METRICS_USED, true, &|_| {})
        .unwrap()
        .values()
        .to_vec()
}

fn with_mask(s: &Scenario, mask: MechanismMask) -> Scenario {
    let mut s = s.clone();
    s.mechanisms = mask;
    s
}

fn all_but(i: usize) -> MechanismMask {
    MechanismMask(MechanismMask::ALL.0 & !(1 << i))
}

fn same(a: &[Vec<f64>], b: &[Vec<f64>]) -> bool {
    a.iter()
        .flatten()
        .zip(b.iter().flatten())
        .all(|(x, y)| x.to_bits() == y.to_bits())
}

#[test]
fn every_switch_removes_its_mechanism_where_it_acts_and_nothing_where_it_cannot() {
    // Where each mechanism acts (its switch changes the runs) and where it cannot act (the
    // switch changes nothing, bit for bit): unready pull needs a refinement shortfall
    // (aligned has none), the override a PM who overrides, scope recognition a lossy
    // hand-over (the frictionless example hands over with fidelity 1).
    let acts: [(usize, &str); 8] = [
        (mask::LATENCY, "overloaded-po"),
        (mask::MYOPIA, "overloaded-po"),
        (mask::UNREADY, "overloaded-po"),
        (mask::STALE_ROADMAP, "siloed-pm"),
        (mask::CHURN_CONFLICTS, "blurred-roles"),
        (mask::DEBT, "overloaded-po"),
        (mask::SCOPE_RECOGNITION, "siloed-pm"),
        (mask::OVERRIDE, "blurred-roles"),
    ];
    let runs = 12;
    for (i, name) in acts {
        let s = load_scenario(name).unwrap();
        let v = values(&[s.clone(), with_mask(&s, all_but(i))], runs);
        assert!(
            !same(&v[0], &v[1]),
            "{}: switching it off changes nothing in {name}",
            ENGINE_MECHANISMS[i].name
        );
    }
    let aligned = load_scenario("aligned").unwrap();
    for i in [mask::UNREADY, mask::OVERRIDE] {
        let v = values(&[aligned.clone(), with_mask(&aligned, all_but(i))], runs);
        assert!(
            same(&v[0], &v[1]),
            "{} off changes aligned, where it cannot act",
            ENGINE_MECHANISMS[i].name
        );
    }
    // Scope recognition with a perfect hand-over every sprint: every scope item is known
    // at the first hand-over either way.
    let mut perfect = aligned.clone();
    perfect.pm.sync_fidelity = 1.0;
    let v = values(
        &[
            perfect.clone(),
            with_mask(&perfect, all_but(mask::SCOPE_RECOGNITION)),
        ],
        runs,
    );
    assert!(same(&v[0], &v[1]), "scope recognition off at fidelity 1");
    // Tech debt off: the debt at the end is the initial debt, whatever the team does.
    let o = load_scenario("overloaded-po").unwrap();
    let v = values(&[with_mask(&o, all_but(mask::DEBT))], runs);
    let k = METRICS_USED
        .iter()
        .position(|&m| m == idx::TECH_DEBT_END)
        .unwrap();
    assert!(v[0][k].iter().all(|&d| d == o.team.initial_debt));
    // Unready pull off: only the base take-unready rate (0.1) pulls unready work in, so the
    // overloaded PO commits fewer unready items (most of its tenth comes from the base rate
    // once the ready buffer is empty; the pull adds a little).
    let k = METRICS_USED
        .iter()
        .position(|&m| m == idx::UNREADY_SHARE)
        .unwrap();
    let v = values(&[o.clone(), with_mask(&o, all_but(mask::UNREADY))], runs);
    let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
    let (with, without) = (mean(&v[0][k]), mean(&v[1][k]));
    assert!(with > 0.05 && without < with, "{with} vs {without}");
}

#[test]
fn mechanisms_switched_off_in_both_arms_of_one_scenario_give_exactly_nothing() {
    // Scenario = baseline: every subset's paired difference is 0 in every run, so every
    // row is exactly 0.
    let s = load_scenario("blurred-roles").unwrap();
    let players = attribute::engine_players(&s, &s);
    assert_eq!(players.len(), 8);
    let variants = attribute::mechanism_variants(&s, &s, &players);
    assert_eq!(variants.len(), 512);
    let v = values(&variants, 3);
    for a in attribute::attribute_mechanism_runs(&variants, 8, &METRICS_USED, &v) {
        for c in a.contributions.iter().chain([&a.total]) {
            assert_eq!((c.mean, c.ci95), (0.0, (0.0, 0.0)));
        }
    }
}

fn assert_adds_up(o: &AttributeOutcome) {
    for a in &o.metrics {
        let sum: f64 = a.contributions.iter().map(|s| s.mean).sum();
        let scale = a.total.mean.abs().max(a.baseline_mean.abs()).max(1.0);
        assert!(
            (sum - a.total.mean).abs() <= 1e-9 * scale,
            "{} {}: rows sum to {sum}, total {}",
            o.scenario,
            METRICS[a.metric].name,
            a.total.mean
        );
    }
}

#[test]
fn all_on_is_backsim_run_and_the_rows_add_up_to_its_paired_difference() {
    let dir = tempfile::tempdir().unwrap();
    let (runs, seed) = (24, 7);
    backsim::commands::run::run(&RunArgs {
        scenarios: vec!["aligned".into(), "siloed-pm".into()],
        runs: Some(runs),
        seed: Some(seed),
        out: dir.path().join("run"),
        quiet: true,
        no_charts: true,
        ..Default::default()
    })
    .unwrap();
    let metrics = ["value_efficiency", "release_delay_sprints", "ranking_tau"];
    let o = attribute::run(&opts(
        &dir.path().join("attr"),
        "siloed-pm",
        &metrics,
        runs,
        seed,
    ))
    .unwrap();
    let names: Vec<&str> = o.players.iter().map(|p| p.name.as_str()).collect();
    // No PM overrides in either: the override is a null player, left out.
    assert_eq!(names[0], DIRECT);
    assert_eq!(names.len(), 8);
    assert!(!names.contains(&"PM override"));
    assert_eq!(o.variants, 2 << 7);
    assert_adds_up(&o);
    let compare = std::fs::read_to_string(dir.path().join("run/compare.csv")).unwrap();
    for a in &o.metrics {
        let name = METRICS[a.metric].name;
        let row: Vec<&str> = compare
            .lines()
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|r| r[0] == "siloed-pm" && r[2] == name)
            .unwrap();
        assert_eq!(
            [
                fmt_num(a.total.mean),
                fmt_num(a.total.ci95.0),
                fmt_num(a.total.ci95.1)
            ],
            [row[4], row[5], row[6]],
            "{name}: the total with every mechanism on is compare.csv's"
        );
    }
    // attribution.csv keeps its columns: the direct row, one per mechanism, the total.
    let csv = std::fs::read_to_string(dir.path().join("attr/attribution.csv")).unwrap();
    assert_eq!(
        csv.lines().count(),
        1 + metrics.len() * (o.players.len() + 1)
    );
    assert!(csv.contains("siloed-pm,aligned,value_efficiency,direct,"));
    assert!(csv.contains("siloed-pm,aligned,release_delay_sprints,scope recognition,"));
}

#[test]
fn siloed_pms_release_delay_runs_through_scope_recognition() {
    // Both arms with scope recognition off (every other mechanism on): the siloed PO knows
    // the whole scope from the first hand-over, as aligned's does, and the delay all but
    // goes; by Shapley, scope recognition carries most of it.
    let aligned = load_scenario("aligned").unwrap();
    let siloed = load_scenario("siloed-pm").unwrap();
    let off = all_but(mask::SCOPE_RECOGNITION);
    let runs = 40;
    let v = values(
        &[
            aligned.clone(),
            siloed.clone(),
            with_mask(&aligned, off),
            with_mask(&siloed, off),
        ],
        runs,
    );
    let k = METRICS_USED
        .iter()
        .position(|&m| m == idx::RELEASE_DELAY)
        .unwrap();
    let mean_diff = |a: usize, b: usize| {
        let fill = siloed.simulation.sprints as f64 + 1.0
            - siloed.release.planned_sprint.unwrap_or(0) as f64;
        let f = |x: f64| if x.is_nan() { fill } else { x };
        (0..runs as usize)
            .map(|r| f(v[b][k][r]) - f(v[a][k][r]))
            .sum::<f64>()
            / runs as f64
    };
    let on = mean_diff(0, 1);
    let without = mean_diff(2, 3);
    assert!(on > 10.0, "siloed-pm's delay with every mechanism on: {on}");
    assert!(
        without.abs() < 0.2 * on,
        "without scope recognition: {without} of {on}"
    );
}

/// Every ordering of `n` players, by plain recursion.
fn orders(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![Vec::new()];
    }
    let mut out = Vec::new();
    for o in orders(n - 1) {
        for at in 0..=o.len() {
            let mut p = o.clone();
            p.insert(at, n - 1);
            out.push(p);
        }
    }
    out
}

#[test]
fn mechanism_contributions_match_plain_shapley_over_every_order() {
    // Independent of the library's subset weights and variant list: the masks are built bit
    // by bit here, both arms simulated, and each mechanism's value is its marginal effect on
    // the paired difference averaged over all 7! orders of switching the mechanisms on.
    let (runs, seed) = (6u64, 5u64);
    let dir = tempfile::tempdir().unwrap();
    let o = attribute::run(&opts(
        dir.path(),
        "siloed-pm",
        &["release_delay_sprints", "ranking_tau"],
        runs,
        seed,
    ))
    .unwrap();
    let aligned = load_scenario("aligned").unwrap();
    let siloed = load_scenario("siloed-pm").unwrap();
    let mechs: Vec<usize> = (0..8).filter(|&i| i != mask::OVERRIDE).collect();
    let mut scenarios = Vec::new();
    for bits in 0u32..128 {
        let mut m = 0u8;
        for (j, &i) in mechs.iter().enumerate() {
            if bits & (1 << j) != 0 {
                m |= 1 << i;
            }
        }
        for s in [&aligned, &siloed] {
            let mut v = s.clone();
            v.mechanisms = MechanismMask(m);
            v.simulation.seed = seed;
            v.simulation.runs = runs;
            scenarios.push(v);
        }
    }
    let metrics = [idx::RELEASE_DELAY, idx::RANKING_TAU];
    let vals = evaluate(&scenarios, seed, runs, None, &metrics, true, &|_| {})
        .unwrap()
        .values()
        .to_vec();
    let fill =
        siloed.simulation.sprints as f64 + 1.0 - siloed.release.planned_sprint.unwrap_or(0) as f64;
    let all_orders = orders(7);
    assert_eq!(all_orders.len(), 5040);
    for (k, a) in o.metrics.iter().enumerate() {
        let f = |bits: usize, r: usize| {
            let v = |x: f64| if x.is_nan() { fill } else { x };
            v(vals[2 * bits + 1][k][r]) - v(vals[2 * bits][k][r])
        };
        let mut phi = [0.0; 7];
        let mut direct = 0.0;
        for r in 0..runs as usize {
            direct += f(0, r) / runs as f64;
            for ord in &all_orders {
                let mut bits = 0;
                for &p in ord {
                    let before = f(bits, r);
                    bits |= 1 << p;
                    phi[p] += (f(bits, r) - before) / (5040.0 * runs as f64);
                }
            }
        }
        let tol = 1e-9 * a.total.mean.abs().max(1.0);
        assert!((a.contributions[0].mean - direct).abs() <= tol, "direct");
        for j in 0..7 {
            assert!(
                (a.contributions[j + 1].mean - phi[j]).abs() <= tol,
                "{} on {}: {} vs plain {}",
                ENGINE_MECHANISMS[mechs[j]].name,
                METRICS[a.metric].name,
                a.contributions[j + 1].mean,
                phi[j]
            );
        }
    }
}

#[test]
fn the_override_plays_when_either_scenario_has_a_pm_who_overrides() {
    // The PM override is a null player only when neither side overrides: blurred-roles
    // (pm_override 0.5) against aligned (0) needs it, whichever is the baseline.
    let blurred = load_scenario("blurred-roles").unwrap();
    let aligned = load_scenario("aligned").unwrap();
    let siloed = load_scenario("siloed-pm").unwrap();
    let all: Vec<usize> = (0..ENGINE_MECHANISMS.len()).collect();
    let without: Vec<usize> = all
        .iter()
        .copied()
        .filter(|&i| i != mask::OVERRIDE)
        .collect();
    assert_eq!(attribute::engine_players(&blurred, &aligned), all);
    assert_eq!(attribute::engine_players(&aligned, &blurred), all);
    assert_eq!(attribute::engine_players(&blurred, &blurred), all);
    assert_eq!(attribute::engine_players(&siloed, &aligned), without);
    // A PM who would override but is absent does not.
    let mut solo = blurred.clone();
    solo.pm.enabled = false;
    assert_eq!(attribute::engine_players(&solo, &aligned), without);
}
