//! The claims the tool exists to show (reference model, section 5), with common random
//! numbers: aligned roles beat every failure mode on value efficiency and release delay, and
//! each archetype shows its signature. Every claim is checked at each of three seeds (300
//! replications each), so none holds by the luck of one seed; each archetype's own
//! signature is judged on its own runs (against its own start, or against the others), not
//! by what aligned happens to do.

use crate::common::{column, paired, preset, simulate_keeping, Collect, Paired};
use backsim::engine::metrics::{idx, series, METRICS};

const ARCHETYPES: [&str; 4] = ["aligned", "siloed-pm", "overloaded-po", "blurred-roles"];

/// Velocity over the last quarter of the year.
const LATE_SPRINTS: usize = 6;

fn archetypes(seed: u64, runs: u64) -> Collect {
    let scenarios: Vec<_> = ARCHETYPES.iter().map(|n| preset(n)).collect();
    simulate_keeping(
        &scenarios,
        seed,
        runs,
        &[
            series::VELOCITY,
            series::ROADMAP_CHANGE,
            series::TECH_DEBT,
            series::PRIORITY_CHURN,
        ],
    )
}

/// Metric m of scenario s; censored completion and delay count as horizon + 1 (as in
/// compare.csv: a restricted mean).
fn values(c: &Collect, s: usize, m: usize) -> Vec<f64> {
    let col = column(&c.runs, s, m);
    if METRICS[m].censored {
        let sc = preset(ARCHETYPES[s]);
        let h = sc.simulation.sprints as f64 + 1.0;
        let fill = if m == idx::COMPLETION_SPRINT {
            h
        } else {
            h - sc.release.planned_sprint.unwrap_or(0) as f64
        };
        col.into_iter()
            .map(|x| if x.is_nan() { fill } else { x })
            .collect()
    } else {
        col
    }
}

fn diff(c: &Collect, a: usize, b: usize, m: usize) -> Paired {
    paired(&values(c, a, m), &values(c, b, m))
}

/// Positions of the kept series in `Collect::kept`.
const KEPT_VELOCITY: usize = 0;
const KEPT_ROADMAP: usize = 1;
const KEPT_DEBT: usize = 2;
const KEPT_CHURN: usize = 3;

/// Tech debt at the end of the horizon minus after the first sprint, per replication: the
/// debt a scenario built up over the year, judged against its own start.
fn debt_growth(c: &Collect, s: usize) -> Vec<f64> {
    c.kept
        .iter()
        .map(|r| {
            let d = &r[s][KEPT_DEBT];
            d[d.len() - 1] - d[0]
        })
        .collect()
}

/// Per replication: the mean of kept series `kept` (the change of the PO's theme ranking, or
/// the priority churn of its order) in hand-over sprints (every `interval` sprints from the
/// second hand-over) minus its mean in the other sprints.
fn sawtooth(c: &Collect, s: usize, kept: usize, interval: usize) -> Vec<f64> {
    c.kept
        .iter()
        .map(|r| {
            let change = &r[s][kept];
            let (mut on, mut n_on, mut off, mut n_off) = (0.0, 0.0, 0.0, 0.0);
            for (t, &x) in change.iter().enumerate().skip(1) {
                if t % interval == 0 {
                    on += x;
                    n_on += 1.0;
                } else {
                    off += x;
                    n_off += 1.0;
                }
            }
            on / n_on - off / n_off
        })
        .collect()
}

/// Mean velocity over sprints [from, to) of scenario s, per replication.
fn velocity(c: &Collect, s: usize, from: usize, to: usize) -> Vec<f64> {
    c.kept
        .iter()
        .map(|r| r[s][KEPT_VELOCITY][from..to].iter().sum::<f64>() / (to - from) as f64)
        .collect()
}

/// Late-year velocity minus mid-year velocity: negative when velocity falls late in the year.
fn velocity_trend(c: &Collect, s: usize) -> Vec<f64> {
    let n = c.kept[0][s][KEPT_VELOCITY].len();
    let late = velocity(c, s, n - LATE_SPRINTS, n);
    let mid = velocity(c, s, 4, 4 + LATE_SPRINTS);
    late.iter().zip(&mid).map(|(l, m)| l - m).collect()
}

fn late(c: &Collect, s: usize) -> Vec<f64> {
    let n = c.kept[0][s][KEPT_VELOCITY].len();
    velocity(c, s, n - LATE_SPRINTS, n)
}

/// Defects created per delivered point.
fn defect_density(c: &Collect, s: usize) -> Vec<f64> {
    let d = column(&c.runs, s, idx::DEFECTS);
    let p = column(&c.runs, s, idx::POINTS_DONE);
    d.iter().zip(&p).map(|(d, p)| d / p).collect()
}

/// Seeds and replications of the claims: every claim must hold, with a 95 % paired CI
/// excluding 0, at each seed.
const SEEDS: [u64; 3] = [2026, 1, 2];
const RUNS: u64 = 300;

/// One comparison of the four archetypes per seed, shared by the tests below.
fn shared() -> &'static [Collect] {
    static C: std::sync::OnceLock<Vec<Collect>> = std::sync::OnceLock::new();
    C.get_or_init(|| SEEDS.iter().map(|&seed| archetypes(seed, RUNS)).collect())
}

/// Run `claim` on the comparison of every seed.
fn at_every_seed(claim: impl Fn(&Collect)) {
    for (c, seed) in shared().iter().zip(SEEDS) {
        println!("--- seed {seed}");
        claim(c);
    }
}

const ALIGNED: usize = 0;
const SILOED: usize = 1;
const OVERLOADED: usize = 2;
const BLURRED: usize = 3;

/// `a` differs from `b` in the stated direction, with a 95 % paired CI that excludes 0.
fn assert_above(p: Paired, what: &str) {
    println!("{what}: {p}");
    assert!(p.lo > 0.0, "{what}: expected > 0, got {p}");
}

fn assert_below(p: Paired, what: &str) {
    println!("{what}: {p}");
    assert!(p.hi < 0.0, "{what}: expected < 0, got {p}");
}

fn name(s: usize) -> &'static str {
    ARCHETYPES[s]
}

/// `s` is the highest (or, with `lowest`, the lowest) of the four on metric m.
fn assert_extreme(c: &Collect, s: usize, m: usize, lowest: bool) {
    for o in (0..4).filter(|&o| o != s) {
        let p = diff(c, s, o, m);
        let what = format!("{} {} − {}", METRICS[m].name, name(s), name(o));
        if lowest {
            assert_below(p, &what);
        } else {
            assert_above(p, &what);
        }
    }
}

/// Pooled over the seeds: scenario s − aligned on metric m, every replication of every seed.
fn pooled(s: usize, m: usize) -> Paired {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for c in shared() {
        a.extend(values(c, s, m));
        b.extend(values(c, ALIGNED, m));
    }
    paired(&a, &b)
}

/// The product's claim "aligned roles deliver", as this build produces it (docs/model.md
/// §13.8). Every archetype releases later than aligned, at every seed. Value efficiency is
/// lower for overloaded-po at every seed, and for siloed-pm pooled over the seeds (its
/// misalignment churns and grows requirements, and its wrong builds cost redo work). Blurred
/// roles' gap is smaller (the PM's overrides put high-value items ahead of the release scope,
/// which pays for part of the debt and conflicts they cost) and needs more runs to show:
/// `blurred_roles_deliver_less_value_than_aligned`.
#[test]
fn aligned_releases_first_and_value_gaps_come_from_the_structure() {
    at_every_seed(|c| {
        for s in [SILOED, OVERLOADED, BLURRED] {
            assert_above(
                diff(c, s, ALIGNED, idx::RELEASE_DELAY),
                &format!("release_delay_sprints {} − aligned", name(s)),
            );
        }
        assert_below(
            diff(c, OVERLOADED, ALIGNED, idx::VALUE_EFFICIENCY),
            "value_efficiency overloaded-po − aligned",
        );
    });
    assert_below(
        pooled(SILOED, idx::VALUE_EFFICIENCY),
        "value_efficiency siloed-pm − aligned, pooled",
    );
}

/// Blurred roles deliver less value than aligned, by a small gap (about −0.006 of value
/// efficiency, docs/model.md §13.8): 2 000 runs at each of the three seeds, pooled, give a
/// paired 95 % interval below 0 and above −0.015 (−0.0061 [−0.0085, −0.0038]; smaller than
/// the siloed PM's and the overloaded PO's gaps). At a single seed 2 000 runs are not always
/// enough: at seeds 3 and 7 the interval reaches 0.
#[test]
fn blurred_roles_deliver_less_value_than_aligned() {
    let scenarios = [preset("aligned"), preset("blurred-roles")];
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for seed in SEEDS {
        let c = simulate_keeping(&scenarios, seed, 2000, &[]);
        let (x, y) = (
            values(&c, 1, idx::VALUE_EFFICIENCY),
            values(&c, 0, idx::VALUE_EFFICIENCY),
        );
        println!("--- seed {seed}: {}", paired(&x, &y));
        a.extend(x);
        b.extend(y);
    }
    let p = paired(&a, &b);
    assert_below(p, "value_efficiency blurred-roles − aligned, pooled");
    assert!(
        p.lo > -0.015,
        "blurred roles' value gap is no longer small: {p}"
    );
}

#[test]
fn aligned_has_the_lowest_rework() {
    at_every_seed(|c| assert_extreme(c, ALIGNED, idx::REWORK_SHARE, true));
}

#[test]
fn siloed_pm_signature() {
    at_every_seed(|c| {
        // Priorities drift: the PO's order agrees less with the true order (stale theme weights
        // between hand-overs, half of the PM's view lost at each).
        assert_below(
            diff(c, SILOED, ALIGNED, idx::RANKING_TAU),
            "ranking_tau siloed − aligned",
        );
        // More wrong builds: the most of all four.
        assert_extreme(c, SILOED, idx::WRONG_BUILD_RATE, false);
        // High-value work arrives later.
        assert_above(
            diff(c, SILOED, ALIGNED, idx::TOP_VALUE_LEAD),
            "top_value_lead_time_days siloed − aligned",
        );
        // A saw-tooth at each hand-over: the PO's priorities (theme ranking) stand still between
        // syncs and jump at each one, where aligned's move a little every sprint; the priority
        // churn of the order itself (series priority_churn) jumps with them (about +0.05
        // against aligned at each seed).
        let interval = preset("siloed-pm").pm.sync_interval as usize;
        assert_above(
            paired(
                &sawtooth(c, SILOED, KEPT_CHURN, interval),
                &sawtooth(c, ALIGNED, KEPT_CHURN, interval),
            ),
            "priority churn at hand-over sprints minus other sprints, siloed − aligned",
        );
        assert_above(
            paired(
                &sawtooth(c, SILOED, KEPT_ROADMAP, interval),
                &sawtooth(c, ALIGNED, KEPT_ROADMAP, interval),
            ),
            "roadmap change at hand-over sprints minus other sprints, siloed − aligned",
        );
    });
}

#[test]
fn overloaded_po_signature() {
    at_every_seed(|c| {
        // More unready work: the largest share of items committed although not ready (the
        // refinement shortfall leaves the ready buffer short of the commitment).
        assert_extreme(c, OVERLOADED, idx::UNREADY_SHARE, false);
        // The longest decision waits of all four (availability and the question queue).
        assert_extreme(c, OVERLOADED, idx::DECISION_WAIT, false);
        // More escaped defects per point and more rework than aligned (unready work is more
        // ambiguous).
        assert_above(
            diff(c, OVERLOADED, ALIGNED, idx::ESCAPED_PER_POINT),
            "escaped_defects_per_point overloaded − aligned",
        );
        assert_above(
            diff(c, OVERLOADED, ALIGNED, idx::REWORK_SHARE),
            "rework_share overloaded − aligned",
        );
        // Fewer enablers than aligned (strategic load and refinement shortfall make the PO
        // myopic), so more tech debt. Blurred roles skip even more enablers (the PM's overrides
        // rank by value, and enablers carry little), so these are not claimed as extremes.
        assert_below(
            diff(c, OVERLOADED, ALIGNED, idx::ENABLER_SHARE),
            "enabler_share overloaded − aligned",
        );
        assert_above(
            diff(c, OVERLOADED, ALIGNED, idx::TECH_DEBT_END),
            "tech_debt_end overloaded − aligned",
        );
        // Less velocity than aligned late in the year (debt drag and waits).
        assert_below(
            paired(&late(c, OVERLOADED), &late(c, ALIGNED)),
            "late-year velocity overloaded − aligned",
        );
        // Debt is roughly stable for aligned at steady state (issue 11): its change over the
        // year is within 2 points (about a tenth of its level) of 0. Overloaded-po's debt
        // settled higher during the warm-up (above); it does not rise within the year.
        let aligned_debt = paired(&debt_growth(c, ALIGNED), &vec![0.0; RUNS as usize]);
        println!("tech debt end − start, aligned (own): {aligned_debt}");
        assert!(
            aligned_debt.lo > -2.0 && aligned_debt.hi < 2.0,
            "aligned's debt is not stable: {aligned_debt}"
        );
    });
}

/// Blurred roles: two people steer one backlog. They lose the most capacity (conflicts and
/// escalations), keep the fewest promises, churn their priorities the most and have the most
/// variable velocity of all four, at every seed; decisions wait longer than for aligned
/// (though not as long as for the overloaded PO). At 2 000 runs, seed 42 (docs/model.md
/// §13.8): priority churn +0.029 against aligned (siloed-pm +0.010, overloaded-po −0.008),
/// velocity CV +0.048 (overloaded-po +0.018).
#[test]
fn blurred_roles_signature() {
    at_every_seed(|c| {
        assert_extreme(c, BLURRED, idx::CAPACITY_LOST, false);
        assert_extreme(c, BLURRED, idx::SAY_DO, true);
        assert_extreme(c, BLURRED, idx::PRIORITY_CHURN, false);
        assert_extreme(c, BLURRED, idx::VELOCITY_CV, false);
        assert_above(
            diff(c, BLURRED, ALIGNED, idx::DECISION_WAIT),
            "decision_wait_share blurred-roles − aligned",
        );
    });
}

/// Exploration: every metric's paired difference against aligned, for several seeds.
/// `cargo test --release --test it explore_signatures -- --ignored --nocapture`
#[test]
#[ignore = "exploration: prints paired differences across seeds"]
fn explore_signatures() {
    for seed in [1u64, 2, 3] {
        let c = archetypes(seed, 400);
        println!("=== seed {seed}");
        for (m, info) in METRICS.iter().enumerate() {
            for (s, name) in ARCHETYPES.iter().enumerate().skip(1) {
                println!("{:<28} {name:<14} {}", info.name, diff(&c, s, 0, m));
            }
        }
        for (s, name) in ARCHETYPES.iter().enumerate().skip(1) {
            println!(
                "{:<28} {name:<14} {}",
                "late_velocity",
                paired(&late(&c, s), &late(&c, 0))
            );
            println!(
                "{:<28} {name:<14} {}",
                "velocity_trend",
                paired(&velocity_trend(&c, s), &velocity_trend(&c, 0))
            );
            println!(
                "{:<28} {name:<14} {}",
                "debt_growth",
                paired(&debt_growth(&c, s), &debt_growth(&c, 0))
            );
            println!(
                "{:<28} {name:<14} {}",
                "defect_density",
                paired(&defect_density(&c, s), &defect_density(&c, 0))
            );
        }
        for (s, name) in ARCHETYPES.iter().enumerate() {
            let t = velocity_trend(&c, s);
            println!(
                "own velocity trend {name:<14} {:+.3}",
                crate::common::mean(&t)
            );
            let zero = vec![0.0; c.kept.len()];
            println!(
                "own debt growth    {name:<14} {}",
                paired(&debt_growth(&c, s), &zero)
            );
        }
        // Pairwise among the failure modes, for the "most/highest/lowest" claims.
        for (a, b) in [(2, 1), (2, 3), (3, 1), (3, 2)] {
            for m in [
                idx::DECISION_WAIT,
                idx::PRIORITY_CHURN,
                idx::CAPACITY_LOST,
                idx::VELOCITY_CV,
                idx::SAY_DO,
                idx::REWORK_SHARE,
                idx::DEFECTS,
                idx::ENABLER_SHARE,
                idx::TECH_DEBT_END,
                idx::WRONG_BUILD_RATE,
            ] {
                println!(
                    "{:<28} {:<14} - {:<14} {}",
                    METRICS[m].name,
                    ARCHETYPES[a],
                    ARCHETYPES[b],
                    diff(&c, a, b, m)
                );
            }
        }
    }
}

/// World variants of the claims' ranking (issue 11, "Must hold"): (name, TOML added to every
/// archetype). The table in docs/model.md is these variants at 1 000 runs.
const VARIANTS: &[(&str, &str)] = &[
    (
        "arrivals 3 a sprint",
        "[backlog]\narrivals_per_sprint = 3.0\n",
    ),
    (
        "arrivals 10 a sprint",
        "[backlog]\narrivals_per_sprint = 10.0\n",
    ),
    ("one lane", "[team]\nlanes = 1\n"),
    (
        "capacity 45",
        "[team]\ncapacity = { dist = \"gamma\", mean = 45.0, cv = 0.15 }\n",
    ),
    ("value sigma 0.75", "[backlog]\nvalue_sigma = 0.75\n"),
    (
        "calm market",
        "[market]\ndrift_sigma = 0.03\nshock_rate = 0.0\n",
    ),
    (
        "turbulent market",
        "[market]\ndrift_sigma = 0.2\nshock_rate = 0.25\n",
    ),
    ("52-sprint horizon", "[simulation]\nsprints = 52\n"),
];

/// In every world variant, aligned has the shortest release delay, each paired difference
/// with a 95 % CI that excludes 0 (400 runs; the smallest gap, capacity 45 for blurred
/// roles, is +2.5 [+2.3, +2.7] sprints). Value efficiency is printed, not asserted: this build does
/// not rank aligned first on it across the variants (docs/model.md §13.8 has the table).
#[test]
fn the_ranking_holds_across_world_variants() {
    let files = crate::common::Files::new();
    for (variant, extra) in VARIANTS {
        let scenarios: Vec<_> = ARCHETYPES
            .iter()
            .map(|p| {
                files.scenario(
                    &format!("{p}-{}", variant.replace(' ', "-")),
                    &format!("name = \"{p}\"\nextends = \"{p}\"\n{extra}"),
                )
            })
            .collect();
        let runs = crate::common::simulate(&scenarios, 7, 400);
        let c = Collect {
            runs,
            ..Collect::default()
        };
        for s in [SILOED, OVERLOADED, BLURRED] {
            let censored = |m: usize| -> Vec<f64> {
                let sc = &scenarios[s];
                let fill = sc.simulation.sprints as f64 + 1.0
                    - sc.release.planned_sprint.unwrap_or(0) as f64;
                column(&c.runs, s, m)
                    .into_iter()
                    .map(|x| if x.is_nan() { fill } else { x })
                    .collect()
            };
            let base = |m: usize| -> Vec<f64> {
                let sc = &scenarios[ALIGNED];
                let fill = sc.simulation.sprints as f64 + 1.0
                    - sc.release.planned_sprint.unwrap_or(0) as f64;
                column(&c.runs, ALIGNED, m)
                    .into_iter()
                    .map(|x| if x.is_nan() { fill } else { x })
                    .collect()
            };
            println!(
                "{variant}: value_efficiency {} − aligned: {}",
                name(s),
                paired(
                    &column(&c.runs, s, idx::VALUE_EFFICIENCY),
                    &column(&c.runs, ALIGNED, idx::VALUE_EFFICIENCY),
                )
            );
            assert_above(
                paired(&censored(idx::RELEASE_DELAY), &base(idx::RELEASE_DELAY)),
                &format!("{variant}: release_delay_sprints {} − aligned", name(s)),
            );
        }
    }
}

/// `backsim` itself, in `dir`.
fn backsim_cli(dir: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("backsim").unwrap();
    cmd.current_dir(dir).env_remove("RAYON_NUM_THREADS");
    cmd
}

/// One CSV file of a run as (key columns → row): `keys` name the columns that identify a row.
fn read_csv(
    path: &std::path::Path,
    keys: &[&str],
) -> std::collections::HashMap<Vec<String>, std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|line| {
            let row: std::collections::HashMap<String, String> = header
                .iter()
                .zip(line.split(','))
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect();
            (keys.iter().map(|k| row[*k].clone()).collect(), row)
        })
        .collect()
}

/// `x` with `decimals` decimals and a typographic minus; a value that rounds to 0 prints
/// unsigned.
fn fixed(x: f64, decimals: usize, plus: bool) -> String {
    let s = format!("{x:.decimals$}");
    let zero = s
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.');
    if zero {
        s.trim_start_matches('-').to_string()
    } else if plus && x > 0.0 {
        format!("+{s}")
    } else {
        s.replace('-', "−")
    }
}

/// docs/model.md §13.8's table: `backsim run --runs 2000 --seed 42`, each archetype against
/// aligned from compare.csv (the two must-hold rows with their 95 % intervals, bold when the
/// interval excludes 0), aligned's own mean from summary.csv.
fn archetype_table(dir: &std::path::Path) -> String {
    backsim_cli(dir)
        .args(["run", "--runs", "2000", "--seed", "42", "--no-charts", "-q"])
        .args(["--out", "o"])
        .assert()
        .success();
    let compare = read_csv(&dir.join("o/compare.csv"), &["scenario", "metric"]);
    let summary = read_csv(&dir.join("o/summary.csv"), &["scenario", "metric"]);
    // (label, metric, decimals, aligned's mean shown, with the interval)
    let rows: &[(&str, &str, usize, bool, bool)] = &[
        ("value efficiency", "value_efficiency", 3, true, true),
        (
            "release delay, restricted mean",
            "release_delay_sprints",
            2,
            true,
            true,
        ),
        ("decision wait share", "decision_wait_share", 3, true, false),
        ("rework share", "rework_share", 3, true, false),
        ("unready share", "unready_share", 3, false, false),
        ("priority churn", "priority_churn", 3, false, false),
        ("capacity lost", "capacity_lost_share", 3, false, false),
        ("say/do", "say_do_ratio", 3, false, false),
        ("velocity CV", "velocity_cv", 3, true, false),
        ("wrong-build rate", "wrong_build_rate", 3, false, false),
        ("ranking τ", "ranking_tau", 3, true, false),
        ("on-strategy share", "on_strategy_share", 3, true, false),
        ("enabler share", "enabler_share", 3, false, false),
        ("tech debt at the end", "tech_debt_end", 1, true, false),
    ];
    let num = |row: &std::collections::HashMap<String, String>, col: &str| -> f64 {
        row[col].parse().unwrap()
    };
    let mut t =
        String::from("| | siloed-pm | overloaded-po | blurred-roles |\n|---|---|---|---|\n");
    for &(label, metric, d, show_aligned, ci) in rows {
        let key = |s: &str| vec![s.to_string(), metric.to_string()];
        t += &format!("| {label}");
        if show_aligned {
            t += &format!(
                " (aligned {})",
                fixed(num(&summary[&key("aligned")], "mean"), d, false)
            );
        }
        t += " |";
        for s in &ARCHETYPES[1..] {
            let r = &compare[&key(s)];
            let mean = fixed(num(r, "mean_diff"), d, true);
            if ci {
                let (lo, hi) = (num(r, "ci95_low"), num(r, "ci95_high"));
                let cell = format!("{mean} [{}, {}]", fixed(lo, d, false), fixed(hi, d, false));
                if lo > 0.0 || hi < 0.0 {
                    t += &format!(" **{cell}** |");
                } else {
                    t += &format!(" {cell} |");
                }
            } else {
                t += &format!(" {mean} |");
            }
        }
        t += "\n";
    }
    t
}

/// docs/model.md §13.8's world-variants table: each of `VARIANTS` (and the base world) added
/// to every archetype as `name = "P"` / `extends = "P"`, the four run together with
/// `backsim run --runs 1000 --seed 42`, each archetype against aligned from compare.csv.
fn world_variants_table(dir: &std::path::Path) -> String {
    let mut t = String::from(
        "| world variant | Δ value eff. siloed | overloaded | blurred | Δ release delay siloed | overloaded | blurred |\n|---|---|---|---|---|---|---|\n",
    );
    for (variant, extra) in std::iter::once(&("base", "")).chain(VARIANTS) {
        let sub = dir.join(variant.replace(' ', "-"));
        std::fs::create_dir_all(&sub).unwrap();
        let files: Vec<String> = ARCHETYPES
            .iter()
            .map(|p| {
                let file = format!("{p}.toml");
                std::fs::write(
                    sub.join(&file),
                    format!("name = \"{p}\"\nextends = \"{p}\"\n{extra}"),
                )
                .unwrap();
                file
            })
            .collect();
        backsim_cli(&sub)
            .arg("run")
            .args(&files)
            .args(["--runs", "1000", "--seed", "42", "--no-charts", "-q"])
            .args(["--out", "o"])
            .assert()
            .success();
        let compare = read_csv(&sub.join("o/compare.csv"), &["scenario", "metric"]);
        t += &format!("| {variant}");
        for (metric, d) in [("value_efficiency", 4), ("release_delay_sprints", 2)] {
            for s in &ARCHETYPES[1..] {
                let r = &compare[&vec![s.to_string(), metric.to_string()]];
                let x = |col: &str| format!("{:+.d$}", r[col].parse::<f64>().unwrap());
                t += &format!(
                    " | {} [{}, {}]",
                    x("mean_diff"),
                    x("ci95_low"),
                    x("ci95_high")
                );
            }
        }
        t += " |\n";
    }
    t
}

/// docs/model.md §13.7's steady-state table: aligned's flow series, the mean over sprints 1–3
/// against the mean over sprints 17–26 of the `mean` column of sprints.csv from `backsim run
/// aligned --runs 1000 --seed 42`.
fn steady_table(dir: &std::path::Path) -> String {
    backsim_cli(dir)
        .args([
            "run",
            "aligned",
            "--runs",
            "1000",
            "--seed",
            "42",
            "--no-charts",
            "-q",
        ])
        .args(["--out", "steady"])
        .assert()
        .success();
    let sprints = read_csv(
        &dir.join("steady/sprints.csv"),
        &["scenario", "series", "sprint"],
    );
    let mean = |series: &str, from: usize, to: usize| -> f64 {
        (from..=to)
            .map(|t| {
                let key = vec!["aligned".to_string(), series.to_string(), t.to_string()];
                sprints[&key]["mean"].parse::<f64>().unwrap()
            })
            .sum::<f64>()
            / (to - from + 1) as f64
    };
    let mut t =
        String::from("| series | sprints 1–3 | sprints 17–26 | difference |\n|---|---|---|---|\n");
    for (label, series) in [
        ("velocity", "velocity"),
        ("committed", "committed"),
        ("decision wait (h a sprint)", "decision_wait_hours"),
        ("tech debt", "tech_debt"),
    ] {
        let (early, late) = (mean(series, 1, 3), mean(series, 17, 26));
        t += &format!(
            "| {label} | {early:.1} | {late:.1} | {} % |\n",
            fixed(100.0 * (early - late) / late, 1, true)
        );
    }
    t
}

/// The tables of docs/model.md §13.7 and §13.8 (between their markers) are what `backsim run`
/// gives at the stated runs and seed. `BACKSIM_BLESS=1` rewrites them.
#[test]
fn the_tables_of_model_md_13_7_and_13_8_are_this_builds() {
    let dir = tempfile::tempdir().unwrap();
    for (marker, table) in [
        ("steady", steady_table(dir.path())),
        ("archetypes", archetype_table(dir.path())),
        ("world-variants", world_variants_table(dir.path())),
    ] {
        crate::common::doc_block_is("docs/model.md", marker, &table, "");
    }
}
