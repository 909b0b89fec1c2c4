//! The workshop-tuning commands end to end: sweep, sensitivity, trace, calibrate, --precision.
//! Small run counts: each test takes a second or so.

use std::fs;
use std::path::Path;

use backsim::analysis::calibrate::{self, Family};
use backsim::analysis::sensitivity::{self, Method, SensitivityOptions};
use backsim::analysis::sweep::{self, SweepOptions};
use backsim::analysis::trace;
use backsim::analysis::AnalysisRun;
use backsim::cli::RunArgs;
use backsim::commands::trace::{self as trace_command, TraceOptions};
use backsim::error::exit_code;
use backsim::output::ImageFormat;

/// Quiet, no charts, `runs` runs into `dir`.
fn quiet_run(dir: &Path, runs: u64) -> AnalysisRun {
    AnalysisRun {
        runs: Some(runs),
        seed: None,
        precision: None,
        max_runs: 10_000,
        out: dir.to_path_buf(),
        format: ImageFormat::Png,
        no_charts: true,
        quiet: true,
        allow_large: false,
    }
}

fn sweep_opts(
    dir: &Path,
    scenario: &str,
    params: &[&str],
    metrics: &[&str],
    runs: u64,
) -> SweepOptions {
    SweepOptions {
        scenario: scenario.into(),
        params: params.iter().map(|s| s.to_string()).collect(),
        samples: None,
        metrics: metrics.iter().map(|s| s.to_string()).collect(),
        run: quiet_run(dir, runs),
    }
}

fn sens_opts(
    dir: &Path,
    scenario: &str,
    metric: &str,
    method: Method,
    runs: u64,
) -> SensitivityOptions {
    SensitivityOptions {
        scenario: scenario.into(),
        metric: Some(metric.into()),
        method,
        trajectories: 3,
        run: quiet_run(dir, runs),
    }
}

fn plain_run(dir: &Path, scenarios: &[&str], runs: u64) {
    backsim::commands::run::run(&RunArgs {
        scenarios: scenarios.iter().map(|s| s.to_string()).collect(),
        runs: Some(runs),
        out: dir.to_path_buf(),
        quiet: true,
        no_charts: true,
        ..Default::default()
    })
    .unwrap();
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn sweep_decision_latency_raises_decision_wait_monotonically() {
    let dir = tempfile::tempdir().unwrap();
    let out = sweep::run(&sweep_opts(
        dir.path(),
        "aligned",
        &["po.decision_latency_hours=1,2,4,8"],
        &["decision_wait_share"],
        30,
    ))
    .unwrap();
    let means: Vec<f64> = out.means.iter().map(|m| m[0]).collect();
    assert_eq!(means.len(), 4);
    for w in means.windows(2) {
        assert!(
            w[1] > w[0],
            "decision wait must rise with latency: {means:?}"
        );
    }
    assert!(dir.path().join("sweep.csv").exists());
    assert!(dir.path().join("report.html").exists());
}

#[test]
fn a_sweep_point_is_byte_for_byte_a_plain_run() {
    let dir = tempfile::tempdir().unwrap();
    let metrics = [
        "value_efficiency",
        "completion_sprint",
        "release_delay_sprints",
        "lead_time_p85_days",
    ];
    sweep::run(&sweep_opts(
        dir.path(),
        "aligned",
        &["pm.sync_interval=1,3"],
        &metrics,
        25,
    ))
    .unwrap();
    let scenario = dir.path().join("sync3.toml");
    fs::write(
        &scenario,
        "extends = \"aligned\"\n[pm]\nsync_interval = 3\n",
    )
    .unwrap();
    let plain = dir.path().join("plain");
    plain_run(&plain, &[scenario.to_str().unwrap()], 25);

    let sweep_rows = csv_rows(&dir.path().join("sweep.csv"));
    // point,pm.sync_interval,metric,mean,ci95_low,ci95_high,p50,p85,n,runs
    assert_eq!(
        sweep_rows[0][3..8],
        ["mean", "ci95_low", "ci95_high", "p50", "p85"]
    );
    let summary = csv_rows(&plain.join("summary.csv"));
    // scenario,metric,mean,sd,ci95_low,ci95_high,p5,p10,p25,p50,p75,p85,...
    for m in metrics {
        let s = sweep_rows
            .iter()
            .find(|r| r[1] == "3" && r[2] == m)
            .unwrap_or_else(|| panic!("no sweep row for {m}"));
        let p = summary.iter().find(|r| r[1] == m).unwrap();
        let plain_cells = [&p[2], &p[4], &p[5], &p[9], &p[11]];
        let sweep_cells = [&s[3], &s[4], &s[5], &s[6], &s[7]];
        assert_eq!(sweep_cells, plain_cells, "{m}");
    }
    // Running the sweep again replaces its report section instead of adding a second one.
    sweep::run(&sweep_opts(
        dir.path(),
        "aligned",
        &["pm.sync_interval=1,3"],
        &metrics,
        5,
    ))
    .unwrap();
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert_eq!(html.matches("<!-- backsim:sweep -->").count(), 1);
}

#[test]
fn latin_hypercube_covers_each_stratum_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = sweep_opts(
        dir.path(),
        "aligned",
        &[
            "po.myopia=0:0.6",
            "po.take_unready=0:0.5",
            "roles.churn_probability=0:0.08",
        ],
        &["value_efficiency"],
        4,
    );
    o.samples = Some(8);
    let out = sweep::run(&o).unwrap();
    assert_eq!(out.design, sweep::Design::LatinHypercube);
    assert_eq!(out.points.len(), 8);
    for (p, spec) in out.params.iter().enumerate() {
        let mut strata: Vec<usize> = out
            .points
            .iter()
            .map(|pt| {
                (((pt[p] - spec.low) / (spec.high - spec.low)) * 8.0)
                    .floor()
                    .min(7.0) as usize
            })
            .collect();
        strata.sort();
        assert_eq!(strata, (0..8).collect::<Vec<_>>(), "{}", spec.key);
    }
}

#[test]
fn bad_params_name_the_key_and_what_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[&str]); 5] = [
        (
            "pm.sync_intervall=1,2",
            &["pm.sync_intervall", "pm.sync_interval"],
        ),
        (
            "po.strategy_share=0.1,1.5",
            &["po.strategy_share = 1.5", "[0, 1]"],
        ),
        (
            "pm.sync_interval=1:x",
            &["\"x\" is not a number", "accepted"],
        ),
        ("pm.sync_interval", &["expected KEY=SPEC", "LOW:HIGH:STEP"]),
        ("team.capacity=1,2", &["team.capacity", "is a table"]),
    ];
    for (param, expect) in cases {
        let err = sweep::run(&sweep_opts(dir.path(), "aligned", &[param], &[], 2)).unwrap_err();
        let msg = format!("{err:#}");
        assert_eq!(exit_code(&err), 2, "{msg}");
        for e in expect {
            assert!(msg.contains(e), "{param}: {msg:?} should contain {e:?}");
        }
    }
}

#[test]
fn sensitivity_gives_exact_zero_to_irrelevant_levers_and_ranks_the_dominant_first() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    // planned_sprint only moves release_delay; the discount rate only moves value.
    fs::write(
        &scenario,
        "extends = \"aligned\"\n[sensitivity]\n\"release.planned_sprint\" = [2, 12]\n\"simulation.discount_rate\" = { low = 0, high = 0.05 }\n",
    )
    .unwrap();
    let s = scenario.to_str().unwrap();
    let out = sensitivity::run(&sens_opts(
        dir.path(),
        s,
        "points_done",
        Method::Tornado,
        12,
    ))
    .unwrap();
    for key in ["release.planned_sprint", "simulation.discount_rate"] {
        let e = out.effects.iter().find(|e| e.key == key).unwrap();
        assert_eq!(e.effect, 0.0, "{key}");
        assert_eq!(e.effect_ci, (0.0, 0.0), "{key}");
        assert_eq!(e.spread, 0.0, "{key}");
    }
    assert!(out.effects.iter().any(|e| e.effect != 0.0));

    let out = sensitivity::run(&sens_opts(
        dir.path(),
        "aligned",
        "decision_wait_share",
        Method::Tornado,
        12,
    ))
    .unwrap();
    assert_eq!(out.effects[0].key, "po.decision_latency_hours");
    assert!(out.effects[0].effect > 0.0);
    let csv = fs::read_to_string(dir.path().join("sensitivity.csv")).unwrap();
    assert!(csv
        .lines()
        .nth(1)
        .unwrap()
        .contains("po.decision_latency_hours"));
}

#[test]
fn morris_screens_every_range_and_gives_zero_to_irrelevant_levers() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    fs::write(
        &scenario,
        "extends = \"aligned\"\n[sensitivity]\n\"release.planned_sprint\" = [2, 12]\n",
    )
    .unwrap();
    let out = sensitivity::run(&sens_opts(
        dir.path(),
        scenario.to_str().unwrap(),
        "points_done",
        Method::Morris,
        4,
    ))
    .unwrap();
    assert_eq!(out.effects.len(), 23); // 22 default ranges + the scenario's own
    let e = out
        .effects
        .iter()
        .find(|e| e.key == "release.planned_sprint")
        .unwrap();
    assert_eq!((e.mu_star, e.sigma), (0.0, 0.0));
    assert!(out.effects[0].mu_star > 0.0);
    for w in out.effects.windows(2) {
        assert!(w[0].mu_star >= w[1].mu_star);
    }
}

#[test]
fn bad_sensitivity_sections_are_rejected_with_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    for (body, expect) in [
        ("\"pm.nope\" = [1, 2]", "pm.nope"),
        ("\"po.myopia\" = [0.5, 0.1]", "low ≤ high"),
        ("\"po.myopia\" = [0.5]", "[low, high]"),
    ] {
        fs::write(
            &scenario,
            format!("extends = \"aligned\"\n[sensitivity]\n{body}\n"),
        )
        .unwrap();
        let err = backsim::scenario::load_scenario(scenario.to_str().unwrap()).unwrap_err();
        let msg = format!("{err:#}");
        assert_eq!(exit_code(&err), 2);
        assert!(msg.contains(expect), "{msg}");
    }
}

/// (points, value, defects) summed over the trace.csv rows of one scenario.
fn trace_totals(csv: &str, scenario: &str) -> (f64, f64, f64) {
    let (mut points, mut value, mut defects) = (0.0, 0.0, 0.0);
    for line in csv.lines().skip(1) {
        let cols: Vec<&str> = line.splitn(6, ',').collect();
        if cols[0] != scenario {
            continue;
        }
        let field = |name: &str| -> f64 {
            cols[5]
                .split("; ")
                .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
                .unwrap()
                .parse()
                .unwrap()
        };
        match cols[3] {
            "released" => {
                points += field("points");
                value += field("value");
            }
            // What the warm-up's releases earn in the reported year.
            "warmup_value" => value += field("value"),
            "finished" => {
                defects +=
                    field("defects_in_sprint") + field("defects_later") + field("defects_escaped")
            }
            _ => {}
        }
    }
    (points, value, defects)
}

#[test]
fn the_events_of_run_k_add_up_to_its_row_in_runs_csv() {
    let dir = tempfile::tempdir().unwrap();
    plain_run(dir.path(), &["aligned", "siloed-pm"], 3);
    let runs = csv_rows(&dir.path().join("runs.csv"));
    let col = |name: &str| runs[0].iter().position(|h| h == name).unwrap();
    let out = trace_command::run(&TraceOptions {
        scenario: "aligned".into(),
        compare: Some("siloed-pm".into()),
        run: trace::RunPick::Number(2),
        metric: None,
        sprints: None,
        seed: None,
        out: dir.path().to_path_buf(),
        quiet: true,
    })
    .unwrap();
    let csv = fs::read_to_string(dir.path().join("trace.csv")).unwrap();
    for name in ["aligned", "siloed-pm"] {
        let row = runs.iter().find(|r| r[0] == name && r[1] == "2").unwrap();
        let get = |c: &str| row[col(c)].parse::<f64>().unwrap();
        let (points, value, defects) = trace_totals(&csv, name);
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-4 * b.abs().max(1.0);
        assert!(
            close(points, get("points_done")),
            "{name}: {points} vs {}",
            get("points_done")
        );
        assert!(
            close(value, get("value_realized")),
            "{name}: {value} vs {}",
            get("value_realized")
        );
        assert_eq!(defects, get("defects"), "{name}");
    }
    assert_eq!(out.stories.len(), 2);
    let md = fs::read_to_string(dir.path().join("trace.md")).unwrap();
    assert!(md.contains("| the year in numbers | aligned | siloed-pm |"));
    assert!(md.contains("## Sprint 26"));
    // Spill-over is told apart from the new commitment.
    assert!(md.contains("SP carried over (work in progress from last sprint"));
    assert!(md.contains("The stories part in sprint") || md.contains("same items in every sprint"));

    // A window, and bad windows.
    let o = TraceOptions {
        scenario: "aligned".into(),
        compare: None,
        run: trace::RunPick::Number(2),
        metric: None,
        sprints: Some("3:4".into()),
        seed: None,
        out: dir.path().to_path_buf(),
        quiet: true,
    };
    let out = trace_command::run(&o).unwrap();
    assert!(out.markdown.contains("## Sprint 3") && !out.markdown.contains("## Sprint 5"));
    // In the report the story is HTML tables, not a <pre> of Markdown.
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    let section = &html[html.find("<!-- backsim:trace -->").unwrap()..];
    assert!(section.contains("<table class=\"story\">"));
    assert!(!section.contains("<pre class=\"story\">") && !section.contains("|---|"));
    assert!(section.contains("<h3>Sprint 3</h3>"));
    assert!(html.contains("<a href=\"#trace\">"));
    // The typical run: named and explained.
    let typical = trace_command::run(&TraceOptions {
        run: trace::RunPick::Typical,
        metric: Some("value_efficiency".into()),
        ..o.clone()
    })
    .unwrap();
    assert!(typical.markdown.contains("is the typical run"));
    for bad in ["0:2", "4:3", "1:99", "x"] {
        let err = trace_command::run(&TraceOptions {
            sprints: Some(bad.into()),
            ..o.clone()
        })
        .unwrap_err();
        assert_eq!(exit_code(&err), 2, "{bad}");
    }
}

#[test]
fn calibrate_recovers_a_known_gamma() {
    use rand::SeedableRng;
    use rand_distr::{Distribution, Gamma};
    // Gamma with mean 30 and CV 0.2: shape 25, scale 1.2.
    let g = Gamma::new(25.0, 1.2).unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut text = String::from("sprint,completed,committed\n");
    for i in 1..=200 {
        text.push_str(&format!("{i},{},30\n", g.sample(&mut rng)));
    }
    let history = calibrate::parse_history(&text, "gamma.csv").unwrap();
    let c = calibrate::calibrate(&history).unwrap();
    let gamma = c.fits.iter().find(|f| f.family == Family::Gamma).unwrap();
    // The maximum-likelihood gamma's mean is the sample mean itself (not just near 30).
    let values: Vec<f64> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse::<f64>().unwrap())
        .collect();
    let sample_mean = values.iter().sum::<f64>() / values.len() as f64;
    assert!(
        (gamma.mean - sample_mean).abs() <= 1e-12 * sample_mean,
        "mean {} vs the sample's {sample_mean}",
        gamma.mean
    );
    // Standard errors with n = 200: mean 30 · 0.2 / √200 ≈ 0.42; CV ≈ 0.2 / √400 = 0.01.
    assert!(
        (gamma.mean - 30.0).abs() < 3.0 * 0.43,
        "mean {}",
        gamma.mean
    );
    assert!((gamma.cv - 0.2).abs() < 3.0 * 0.011, "cv {}", gamma.cv);
    assert!(gamma.ks < 0.1, "KS {}", gamma.ks);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    assert!(c.team_toml.contains("dist = \"empirical\""));
    assert!(
        c.team_toml.contains("dist = \"gamma\"") || c.team_toml.contains("dist = \"lognormal\"")
    );
    // The section is a valid scenario.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("team.toml");
    fs::write(&f, &c.team_toml).unwrap();
    backsim::scenario::load_scenario(f.to_str().unwrap()).unwrap();
}

#[test]
fn calibrate_rejects_malformed_and_short_histories_and_warns_on_trends() {
    for (text, expect) in [
        ("sprint,completed\n1,20\n2,22\n3,21\n", "at least 5"),
        ("sprint,done\n1,20\n", "sprint, completed"),
        (
            "sprint,completed\n1,20\n2,abc\n3,2\n4,3\n5,4\n",
            "h.csv:3: completed = \"abc\" is not a number",
        ),
        ("sprint,completed\n1,20\n2,-3\n3,2\n4,3\n5,4\n", "≥ 0"),
        (
            "sprint,completed\n1,20\n1,21\n3,2\n4,3\n5,4\n",
            "appears twice",
        ),
        ("", "sprint, completed"),
        // Beyond a scenario's numbers: said on the row, not as an internal error or a
        // message about the [team] section without a line.
        (
            "sprint,completed\n1,20\n2,1e308\n3,2\n4,3\n5,4\n",
            "h.csv:3: completed = 1e308 is above 1e9",
        ),
        (
            "sprint,completed\n1,20\n2,2e9\n3,2\n4,3\n5,4\n",
            "h.csv:3: completed = 2e9 is above 1e9",
        ),
        (
            "sprint,completed,committed\n1,20,20\n2,20,1e-12\n3,2,2\n4,3,3\n5,4,4\n",
            "h.csv:3: committed = 1e-12 is below 1e-9",
        ),
    ] {
        let err = calibrate::parse_history(text, "h.csv").unwrap_err();
        assert_eq!(exit_code(&err), 2);
        let msg = format!("{err:#}");
        assert!(msg.contains(expect), "{msg:?} should contain {expect:?}");
    }
    let rising: String = std::iter::once("sprint,completed\n".to_string())
        .chain((1..=12).map(|i| format!("{i},{}\n", 10 + 2 * i + (i % 3))))
        .collect();
    let c = calibrate::calibrate(&calibrate::parse_history(&rising, "r.csv").unwrap()).unwrap();
    assert!(
        c.warnings.iter().any(|w| w.starts_with("trend")),
        "{:?}",
        c.warnings
    );
    let outlier = "sprint,completed\n1,20\n2,21\n3,19\n4,22\n5,20\n6,80\n7,21\n8,20\n9,19\n10,21\n";
    let c = calibrate::calibrate(&calibrate::parse_history(outlier, "o.csv").unwrap()).unwrap();
    assert!(
        c.warnings.iter().any(|w| w.contains("sprint 6 (80)")),
        "{:?}",
        c.warnings
    );
}

#[test]
fn precision_runs_deterministic_batches_and_equals_a_plain_run_of_that_length() {
    let dir = tempfile::tempdir().unwrap();
    let seq = dir.path().join("seq");
    let outcome = backsim::commands::run::run(&RunArgs {
        scenarios: vec!["aligned".into()],
        runs: Some(10),
        precision: Some(0.05),
        max_runs: 200,
        metrics: vec!["value_efficiency".into()],
        out: seq.clone(),
        quiet: true,
        no_charts: true,
        ..Default::default()
    })
    .unwrap();
    assert!(outcome.runs > 10 && outcome.runs.is_multiple_of(10) && outcome.runs <= 200);
    let plain = dir.path().join("plain");
    plain_run(&plain, &["aligned"], outcome.runs);
    assert_eq!(
        fs::read(seq.join("summary.csv")).unwrap(),
        fs::read(plain.join("summary.csv")).unwrap()
    );
    // The half-width target holds at the end.
    let summary = csv_rows(&seq.join("summary.csv"));
    let r = summary.iter().find(|r| r[1] == "value_efficiency").unwrap();
    let v: Vec<f64> = [2, 4, 5].iter().map(|&i| r[i].parse().unwrap()).collect();
    assert!((v[2] - v[1]) / 2.0 <= 0.05 * v[0]);

    // Sweep with --precision reports the runs it used.
    let mut o = sweep_opts(
        dir.path(),
        "aligned",
        &["po.support_share=0.2,0.35"],
        &["value_efficiency"],
        10,
    );
    o.run.precision = Some(0.05);
    o.run.max_runs = 200;
    let out = sweep::run(&o).unwrap();
    assert!(out.runs >= 10 && out.runs <= 200);
    let rows = csv_rows(&dir.path().join("sweep.csv"));
    let runs = rows[0].iter().position(|h| h == "runs").unwrap();
    assert_eq!(rows[1][runs], out.runs.to_string());
}

#[test]
fn cli_commands_exit_2_on_bad_input() {
    use assert_cmd::Command;
    use predicates::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::cargo_bin("backsim")
            .unwrap()
            .current_dir(dir.path())
            .args(args)
            .assert()
    };
    run(&["sweep", "aligned", "--param", "pm.nope=1,2", "--runs", "2"])
        .code(2)
        .stderr(
            predicates::str::contains("pm.nope").and(predicates::str::contains("pm.sync_interval")),
        );
    run(&["sensitivity", "aligned", "--metric", "nope", "--runs", "2"])
        .code(2)
        .stderr(predicates::str::contains("no such metric"));
    run(&["trace", "aligned", "--run", "0"]).code(2);
    run(&["calibrate", "missing.csv"]).code(2);
    run(&["run", "aligned", "--precision", "2", "--runs", "5"]).code(2);
}

#[test]
fn sweep_paired_columns_are_compare_csv_of_a_plain_run() {
    let dir = tempfile::tempdir().unwrap();
    // A short horizon so that release delay is censored in some runs.
    let given = dir.path().join("given.toml");
    fs::write(
        &given,
        "name = \"given\"\nextends = \"siloed-pm\"\n[simulation]\nsprints = 9\n",
    )
    .unwrap();
    let metrics = ["on_strategy_share", "release_delay_sprints"];
    sweep::run(&sweep_opts(
        dir.path(),
        given.to_str().unwrap(),
        &["pm.sync_interval=1:8:3"],
        &metrics,
        40,
    ))
    .unwrap();
    let rows = csv_rows(&dir.path().join("sweep.csv"));
    let head = &rows[0];
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    // Both ends included: 1, 4, 7 and 8.
    let xs: Vec<&str> = rows[1..]
        .iter()
        .filter(|r| r[col("metric")] == metrics[0])
        .map(|r| r[1].as_str())
        .collect();
    assert_eq!(xs, ["1", "4", "7", "8"]);

    let point = dir.path().join("point.toml");
    fs::write(
        &point,
        format!(
            "name = \"point\"\nextends = {:?}\n[pm]\nsync_interval = 1\n",
            given.to_str().unwrap()
        ),
    )
    .unwrap();
    let plain = dir.path().join("plain");
    plain_run(
        &plain,
        &[given.to_str().unwrap(), point.to_str().unwrap()],
        40,
    );
    let compare = csv_rows(&plain.join("compare.csv"));
    let summary = csv_rows(&plain.join("summary.csv"));
    let num = |s: &str| s.parse::<f64>().unwrap();
    let mut censored = false;
    for m in metrics {
        let s = rows
            .iter()
            .find(|r| r[1] == "1" && r[col("metric")] == m)
            .unwrap();
        // scenario,baseline,metric,better_when,mean_diff,ci95_low,ci95_high,better_share
        let c = compare
            .iter()
            .find(|r| r[0] == "point" && r[2] == m)
            .unwrap_or_else(|| panic!("no compare row for {m}: {compare:?}"));
        for (sweep_col, k) in [
            ("diff_vs_given", 4),
            ("diff_ci95_low", 5),
            ("diff_ci95_high", 6),
            ("better_share", 7),
        ] {
            let (a, b) = (num(&s[col(sweep_col)]), num(&c[k]));
            assert!(
                (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                "{m} {sweep_col}: sweep {a}, compare {b}"
            );
        }
        let done = summary
            .iter()
            .find(|r| r[0] == "point" && r[1] == m)
            .unwrap();
        assert_eq!(num(&s[col("completed_share")]), num(&done[15]), "{m}");
        censored |= num(&done[15]) < 1.0;
    }
    assert!(censored, "the test needs a censored point");
}

#[test]
fn tornado_intervals_contain_their_bars_and_clear_effects_rank_first() {
    let dir = tempfile::tempdir().unwrap();
    // A short horizon: release delay is censored in some runs of some variants, which made
    // the paired interval and the bar disagree.
    let s = dir.path().join("s.toml");
    fs::write(&s, "extends = \"siloed-pm\"\n[simulation]\nsprints = 12\n").unwrap();
    let out = sensitivity::run(&sens_opts(
        dir.path(),
        s.to_str().unwrap(),
        "release_delay_sprints",
        Method::Tornado,
        30,
    ))
    .unwrap();
    let mut checked = 0;
    for e in &out.effects {
        for (end, what) in [(e.at_low, "low"), (e.at_high, "high")] {
            // (An interval is empty only with fewer than two paired finished runs.)
            if end.0.is_finite() && end.1.is_finite() {
                checked += 1;
                assert!(
                    end.1 <= end.0 + 1e-12 && end.0 <= end.2 + 1e-12,
                    "{} at {what}: bar {} outside its interval {}–{}",
                    e.key,
                    end.0,
                    end.1,
                    end.2
                );
            }
        }
    }
    assert!(checked > 30, "{checked} intervals");
    let classes: Vec<u8> = out
        .effects
        .iter()
        .map(|e| e.rank_class(Method::Tornado))
        .collect();
    assert!(classes.windows(2).all(|w| w[0] <= w[1]), "{classes:?}");
    for w in out.effects.windows(2) {
        if w[0].rank_class(Method::Tornado) == w[1].rank_class(Method::Tornado) {
            assert!(w[0].spread >= w[1].spread);
        }
    }
    assert!(classes.contains(&0));
    // The table says the same as the ranks.
    let csv = csv_rows(&dir.path().join("sensitivity.csv"));
    assert_eq!(csv[1][3], out.effects[0].key);
}

/// `out` with a report.html that cannot be replaced: a folder backsim thinks it wrote (listed
/// in the manifest, so it passes the checks made before work) that holds a file.
fn folder_where_the_report_goes(dir: &Path) -> std::path::PathBuf {
    let out = dir.join("out");
    fs::create_dir_all(out.join("report.html")).unwrap();
    fs::write(out.join("report.html").join("keep"), "x").unwrap();
    fs::write(
        out.join(backsim::output::atomic::MANIFEST),
        "# backsim\nreport.html\n",
    )
    .unwrap();
    out
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_failure_at_the_report_leaves_no_chart_and_no_csv_of_sweep_or_sensitivity() {
    let dir = tempfile::tempdir().unwrap();
    let out = folder_where_the_report_goes(dir.path());
    let before = names_in(&out);
    let mut opts = sweep_opts(
        &out,
        "aligned",
        &["pm.sync_interval=1,4"],
        &["value_efficiency"],
        4,
    );
    opts.run.no_charts = false;
    opts.run.format = ImageFormat::Svg;
    let err = sweep::run(&opts).unwrap_err();
    assert!(format!("{err:#}").contains("report.html"), "{err:#}");
    assert_eq!(names_in(&out), before, "no part of the sweep's set");

    for method in [Method::Tornado, Method::Morris] {
        let mut opts = sens_opts(&out, "aligned", "value_efficiency", method, 4);
        opts.run.no_charts = false;
        opts.run.format = ImageFormat::Svg;
        opts.trajectories = 2;
        let err = sensitivity::run(&opts).unwrap_err();
        assert!(format!("{err:#}").contains("report.html"), "{err:#}");
        assert_eq!(names_in(&out), before, "no part of {method:?}'s set");
    }
}

/// The SVG charts in `dir`, by name.
fn svgs_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "svg"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&p).unwrap())
        })
        .collect();
    v.sort();
    v
}

#[test]
fn plot_redraws_sweep_and_sensitivity_folders_byte_for_byte_from_their_summaries() {
    use backsim::cli::Format;
    let root = tempfile::tempdir().unwrap();
    let with_charts = |mut run: AnalysisRun| {
        run.no_charts = false;
        run.format = ImageFormat::Svg;
        run
    };
    let mut folders = Vec::new();
    for (name, params, samples) in [
        ("line", vec!["pm.sync_interval=1,2,4"], None),
        (
            "heat",
            vec![
                "po.decision_latency_hours=1,4",
                "po.support_share=0.2,0.3,0.4",
            ],
            None,
        ),
        (
            "lhs",
            vec!["po.myopia=0:0.6", "po.take_unready=0:0.5"],
            Some(6),
        ),
    ] {
        let dir = root.path().join(name);
        let mut o = sweep_opts(&dir, "aligned", &params, &[], 12);
        o.samples = samples;
        o.run = with_charts(o.run);
        sweep::run(&o).unwrap();
        folders.push(dir);
    }
    for (name, method) in [("tornado", Method::Tornado), ("morris", Method::Morris)] {
        let dir = root.path().join(name);
        let mut o = sens_opts(&dir, "aligned", "value_efficiency", method, 8);
        o.run = with_charts(o.run);
        sensitivity::run(&o).unwrap();
        folders.push(dir);
    }
    for dir in &folders {
        let before = svgs_in(dir);
        let report = fs::read_to_string(dir.join("report.html")).unwrap();
        assert!(!before.is_empty(), "{}", dir.display());
        for (name, _) in &before {
            fs::remove_file(dir.join(name)).unwrap();
        }
        backsim::commands::plot::draw(dir, Format::Svg).unwrap();
        let after = svgs_in(dir);
        assert_eq!(
            before.iter().map(|c| &c.0).collect::<Vec<_>>(),
            after.iter().map(|c| &c.0).collect::<Vec<_>>(),
            "{}",
            dir.display()
        );
        for (b, a) in before.iter().zip(&after) {
            assert!(b.1 == a.1, "{}: {} differs", dir.display(), b.0);
        }
        assert_eq!(
            fs::read_to_string(dir.join("report.html")).unwrap(),
            report,
            "{}",
            dir.display()
        );
    }
    // Without its sweep.toml a sweep folder cannot be drawn: the error names the file.
    fs::remove_file(folders[0].join("sweep.toml")).unwrap();
    let err = backsim::commands::plot::draw(&folders[0], Format::Svg).unwrap_err();
    assert!(
        format!("{err:#}").contains("sweep.toml: missing"),
        "{err:#}"
    );
    assert_eq!(exit_code(&err), 2);
}

#[test]
fn plot_of_a_run_folder_holding_a_sweep_redraws_both_into_one_report() {
    use backsim::cli::Format;
    let dir = tempfile::tempdir().unwrap();
    plain_run(dir.path(), &["aligned", "siloed-pm"], 20);
    let mut o = sweep_opts(dir.path(), "aligned", &["pm.sync_interval=1,2"], &[], 10);
    o.run.no_charts = false;
    o.run.format = ImageFormat::Svg;
    sweep::run(&o).unwrap();
    let files = backsim::commands::plot::draw(dir.path(), Format::Svg).unwrap();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.contains(&"compare_forest.svg".to_string()),
        "{names:?}"
    );
    assert!(names.contains(&"sweep_value_efficiency.svg".to_string()));
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert_eq!(html.matches("<!-- backsim:sweep -->").count(), 1);
    assert!(html.contains("Key metrics per scenario"));
    assert!(html.contains("<figure id=\"sweep_value_efficiency\">"));
}
