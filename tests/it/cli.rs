//! The command line end to end, each test in its own temp folder as working directory.

use assert_cmd::Command;
use backsim::output::ChartKind;
use predicates::prelude::*;
use std::path::Path;

fn backsim(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("backsim").unwrap();
    cmd.current_dir(dir).env_remove("RAYON_NUM_THREADS");
    cmd
}

/// The docs: docs/outputs.md, read at test time so that the test follows the documentation.
fn outputs_md() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/outputs.md")).unwrap()
}

/// The section of outputs.md that starts with the heading naming `file`.
fn section(md: &str, file: &str) -> String {
    let start = md
        .find(&format!("## `{file}`"))
        .unwrap_or_else(|| panic!("docs/outputs.md has no section for {file}"));
    let rest = &md[start + 3..];
    rest[..rest.find("\n## ").unwrap_or(rest.len())].to_string()
}

/// The documented header of a CSV: `scenario,...` in backticks, or for runs.csv
/// `scenario,run,` then the first column of the metric table.
fn documented_header(file: &str) -> String {
    let md = outputs_md();
    let sec = section(&md, file);
    if file == "runs.csv" {
        let mut cols = vec!["scenario".to_string(), "run".to_string()];
        for line in sec.lines() {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            if cells.len() > 2 && !cells[1].is_empty() && cells[1] != "column" {
                if cells[1].starts_with("---") {
                    continue;
                }
                cols.push(cells[1].to_string());
            }
        }
        cols.join(",")
    } else {
        let i = sec.find("`scenario,").expect("a backticked header");
        let rest = &sec[i + 1..];
        rest[..rest.find('`').unwrap()].to_string()
    }
}

fn documented_series() -> Vec<String> {
    let md = outputs_md();
    let sec = section(&md, "sprints.csv");
    let after = &sec[sec.find("`series` one of").unwrap()..];
    after
        .split('`')
        .skip(3)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

fn first_line(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string()
}

/// The documented columns of runs.csv for a run of throughput scenarios only: the
/// backticked list in the runs.csv section that starts with `scenario,run,`.
fn documented_throughput_header() -> String {
    let md = outputs_md();
    let sec = section(&md, "runs.csv");
    let i = sec
        .find("`scenario,run,completion")
        .expect("the throughput model's columns");
    let rest = &sec[i + 1..];
    rest[..rest.find('`').unwrap()].to_string()
}

/// Every output file exists in `out`, with the documented columns.
fn assert_outputs(out: &Path, scenarios: &[&str], runs: usize, charts: bool) {
    for file in [
        "summary.csv",
        "compare.csv",
        "sprints.csv",
        "distributions.csv",
    ] {
        assert_eq!(
            first_line(&out.join(file)),
            documented_header(file),
            "{file} header"
        );
    }
    let throughput_only = scenarios.iter().all(|s| *s == "forecast");
    let runs_header = if throughput_only {
        documented_throughput_header()
    } else {
        documented_header("runs.csv")
    };
    assert_eq!(
        first_line(&out.join("runs.csv")),
        runs_header,
        "runs.csv header"
    );
    // The throughput model's columns are the columns it gives values (the code's list).
    if throughput_only {
        let code: Vec<&str> = backsim::engine::metrics::THROUGHPUT_METRICS
            .iter()
            .map(|&m| backsim::engine::METRICS[m].name)
            .collect();
        assert_eq!(runs_header, format!("scenario,run,{}", code.join(",")));
    }
    // distributions.csv: every documented metric, each scenario's counts adding up to runs.
    let dist = std::fs::read_to_string(out.join("distributions.csv")).unwrap();
    for s in scenarios {
        for m in [
            "completion_sprint",
            "release_delay_sprints",
            "value_efficiency",
        ] {
            let n: usize = dist
                .lines()
                .filter(|l| l.starts_with(&format!("{s},{m},")))
                .map(|l| l.rsplit(',').next().unwrap().parse::<usize>().unwrap())
                .sum();
            assert_eq!(n, runs, "distributions.csv {s} {m}");
        }
    }
    let runs_csv = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    assert_eq!(runs_csv.lines().count(), 1 + runs * scenarios.len());
    let width = runs_header.split(',').count();
    for line in runs_csv.lines() {
        assert_eq!(line.split(',').count(), width, "runs.csv row {line}");
    }
    let sprints_csv = std::fs::read_to_string(out.join("sprints.csv")).unwrap();
    let mut series: Vec<String> = sprints_csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap().to_string())
        .collect();
    series.sort();
    series.dedup();
    let mut want = documented_series();
    want.sort();
    assert_eq!(series, want, "sprints.csv series");
    let toml = std::fs::read_to_string(out.join("scenarios.toml")).unwrap();
    assert!(toml.contains("[run]"));
    assert_eq!(toml.matches("[[scenario]]").count(), scenarios.len());
    for s in scenarios {
        assert!(
            runs_csv.contains(&format!("\n{s},1,")),
            "runs.csv lacks {s}"
        );
    }
    if charts {
        let results = backsim::output::Results::read(out).unwrap();
        for kind in ChartKind::applying(&results) {
            for ext in ["png", "svg"] {
                let f = out.join(format!("{}.{ext}", kind.file_stem()));
                assert!(
                    f.metadata().map(|m| m.len() > 0).unwrap_or(false),
                    "{} missing",
                    f.display()
                );
            }
        }
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        assert!(html.contains("<html") || html.contains("<!DOCTYPE"));
    }
}

const ARCHETYPES: [&str; 4] = ["aligned", "siloed-pm", "overloaded-po", "blurred-roles"];

#[test]
fn run_writes_every_documented_file() {
    let tmp = tempfile::tempdir().unwrap();
    backsim(tmp.path())
        .args(["run", "--runs", "50"])
        .assert()
        .success();
    assert_outputs(&tmp.path().join("output"), &ARCHETYPES, 50, true);
}

/// A throughput forecast draws its own charts and none of what it does not model (no empty
/// boxes: value, quality, debt …), and the charts it draws are not notes of absence.
#[test]
fn a_forecast_run_writes_every_file_and_only_its_charts() {
    let tmp = tempfile::tempdir().unwrap();
    backsim(tmp.path())
        .args(["run", "forecast", "--runs", "50"])
        .assert()
        .success();
    let out = tmp.path().join("output");
    assert_outputs(&out, &["forecast"], 50, true);
    for (chart, drawn) in [
        ("value_efficiency", false),
        ("quality", false),
        ("flow_tech_debt", false),
        ("delay_cdf", false),
        ("done_by_sprint", false),
        ("forecast_when", true),
        ("forecast_inputs", true),
        ("flow_velocity", true),
    ] {
        let svg = std::fs::read_to_string(out.join(format!("{chart}.svg")));
        assert_eq!(svg.is_ok(), drawn, "{chart}.svg");
        if let Ok(svg) = svg {
            assert!(!svg.contains("does not model it"), "{chart}.svg");
        }
    }
}

/// `--precision`: batches of `--runs` until the mean is known to the target, the runs used
/// recorded in runs.csv and scenarios.toml; a target out of reach stops at `--max-runs`.
#[test]
fn run_precision_adds_batches_until_the_target_or_the_cap() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |target: &str, max: &str, out: &str| {
        let o = backsim(tmp.path())
            .args(["run", "forecast", "--runs", "20", "--precision", target])
            .args(["--max-runs", max, "--metric", "completion_sprint"])
            .args(["--no-charts", "--out", out])
            .assert()
            .success();
        let stdout = String::from_utf8(o.get_output().stdout.clone()).unwrap();
        let runs = std::fs::read_to_string(tmp.path().join(out).join("runs.csv"))
            .unwrap()
            .lines()
            .count()
            - 1;
        let toml = std::fs::read_to_string(tmp.path().join(out).join("scenarios.toml")).unwrap();
        assert!(toml.contains(&format!("runs = {runs}\n")), "{toml}");
        (runs, stdout)
    };
    let (runs, stdout) = run("0.02", "4000", "met");
    assert!(runs > 20 && runs < 4000 && runs % 20 == 0, "{runs} runs");
    assert!(
        stdout.contains("runs used to reach ±2 % on completion_sprint"),
        "{stdout}"
    );
    let (runs, stdout) = run("0.0001", "60", "capped");
    assert_eq!(runs, 60);
    assert!(stdout.contains("NOT reached within --max-runs"), "{stdout}");
}

#[test]
fn no_arguments_runs_the_default_comparison_into_output() {
    let tmp = tempfile::tempdir().unwrap();
    backsim(tmp.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("written to output"));
    let runs = backsim::scenario::load_scenario("aligned")
        .unwrap()
        .simulation
        .runs as usize;
    assert_outputs(&tmp.path().join("output"), &ARCHETYPES, runs, true);
}

#[test]
fn check_prints_the_resolved_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("mine.toml"),
        "extends = \"siloed-pm\"\n[team]\nlanes = 2\n",
    )
    .unwrap();
    backsim(tmp.path())
        .args(["check", "mine.toml", "aligned"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("# mine.toml: ok (resolved)")
                .and(predicate::str::contains("name = \"mine\""))
                .and(predicate::str::contains("lanes = 2"))
                .and(predicate::str::contains("sync_interval = 6"))
                .and(predicate::str::contains("# aligned: ok (resolved)"))
                .and(predicate::str::contains("[simulation]")),
        );
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        1,
        "check writes nothing"
    );
}

#[test]
fn init_writes_a_valid_file_and_never_overwrites() {
    let tmp = tempfile::tempdir().unwrap();
    backsim(tmp.path())
        .args(["init", "my-team"])
        .assert()
        .success();
    let path = tmp.path().join("my-team.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    backsim(tmp.path())
        .args(["check", "my-team.toml"])
        .assert()
        .success()
        .stdout(predicate::str::contains("name = \"my-team\""));
    backsim(tmp.path())
        .args(["init", "my-team"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("my-team.toml").and(predicate::str::contains("exists")));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn scenarios_lists_the_five_presets() {
    let tmp = tempfile::tempdir().unwrap();
    let out = backsim(tmp.path()).arg("scenarios").assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for p in ARCHETYPES.iter().chain(&["forecast"]) {
        assert!(
            text.lines().any(|l| l.trim_start().starts_with(p)),
            "{p} not listed:\n{text}"
        );
    }
}

#[test]
fn version_help_and_completions() {
    let tmp = tempfile::tempdir().unwrap();
    backsim(tmp.path())
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "backsim {}",
            env!("CARGO_PKG_VERSION")
        )));
    backsim(tmp.path()).arg("--help").assert().success().stdout(
        predicate::str::contains("Usage")
            .and(predicate::str::contains("run"))
            .and(predicate::str::contains("check")),
    );
    backsim(tmp.path())
        .args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("_backsim").and(predicate::str::contains("complete")));
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

/// A bad scenario: exit 2, a message naming the file, the key path and the line, and no
/// output written.
fn assert_bad(files: &[(&str, &str)], run: &str, needles: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = tmp.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    for cmd in [vec!["run", "--runs", "5", run], vec!["check", run]] {
        let out = backsim(tmp.path()).args(&cmd).assert().code(2);
        let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
        for n in needles {
            assert!(err.contains(n), "{cmd:?}: {n:?} not in the message:\n{err}");
        }
        assert!(
            !tmp.path().join("output").exists(),
            "{cmd:?} wrote output for bad input"
        );
    }
}

#[test]
fn unknown_key() {
    assert_bad(
        &[(
            "bad.toml",
            "extends = \"aligned\"\n[team]\nlanes = 2\ncapacityy = 3\n",
        )],
        "bad.toml",
        &["bad.toml:4:", "team.capacityy", "capacityy"],
    );
}

#[test]
fn wrong_type() {
    assert_bad(
        &[("bad.toml", "[team]\nlanes = \"three\"\n")],
        "bad.toml",
        &["bad.toml:2:", "team.lanes"],
    );
}

#[test]
fn negative_sd() {
    assert_bad(
        &[(
            "bad.toml",
            "[backlog]\ninitial_items = 10\n[team]\ncapacity = { dist = \"normal\", mean = 30, sd = -1 }\n",
        )],
        "bad.toml",
        &["bad.toml:4:", "team.capacity.sd", "≥ 0"],
    );
}

#[test]
fn probability_outside_unit_interval() {
    assert_bad(
        &[(
            "bad.toml",
            "extends = \"aligned\"\n\n[roles]\nchurn_probability = 1.5\n",
        )],
        "bad.toml",
        &["bad.toml:4:", "roles.churn_probability", "[0, 1]"],
    );
}

#[test]
fn zero_sprints() {
    assert_bad(
        &[("bad.toml", "[simulation]\nsprints = 0\n")],
        "bad.toml",
        &["bad.toml:2:", "simulation.sprints"],
    );
}

#[test]
fn empty_empirical_list() {
    assert_bad(
        &[(
            "bad.toml",
            "extends = \"forecast\"\n[team]\ncapacity = { dist = \"empirical\", values = [] }\n",
        )],
        "bad.toml",
        &["bad.toml:3:", "team.capacity.values"],
    );
}

#[test]
fn extends_cycle() {
    assert_bad(
        &[
            ("a.toml", "name = \"a\"\nextends = \"b.toml\"\n"),
            ("b.toml", "name = \"b\"\n\nextends = \"a.toml\"\n"),
        ],
        "a.toml",
        &["b.toml:3:", "extends", "cycle"],
    );
}

#[test]
fn missing_extends_target() {
    assert_bad(
        &[("bad.toml", "name = \"x\"\nextends = \"nowhere.toml\"\n")],
        "bad.toml",
        &["bad.toml:2:", "extends", "nowhere.toml"],
    );
    assert_bad(
        &[("bad.toml", "name = \"x\"\nextends = \"no-such-preset\"\n")],
        "bad.toml",
        &["bad.toml:2:", "extends", "no-such-preset"],
    );
}

#[test]
fn missing_file() {
    assert_bad(&[], "missing.toml", &["missing.toml"]);
}

#[test]
fn directory_given_as_file() {
    assert_bad(
        &[("dir.toml/inner.toml", "name = \"x\"\n")],
        "dir.toml",
        &["dir.toml", "directory"],
    );
}

#[test]
fn plot_redraws_the_same_charts_and_report_from_the_csvs() {
    let dir = tempfile::tempdir().unwrap();
    backsim(dir.path())
        .args(["run", "aligned", "siloed-pm", "--runs", "40", "--quiet"])
        .assert()
        .success();
    let out = dir.path().join("output");
    let mut drawn: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("png" | "svg" | "html")
            )
        })
        .collect();
    drawn.sort();
    let results = backsim::output::Results::read(&out).unwrap();
    assert_eq!(
        drawn.len(),
        2 * ChartKind::applying(&results).len() + 1,
        "{drawn:?}"
    );
    let before: Vec<Vec<u8>> = drawn.iter().map(|p| std::fs::read(p).unwrap()).collect();
    for p in &drawn {
        std::fs::remove_file(p).unwrap();
    }
    backsim(dir.path())
        .args(["plot", "output"])
        .assert()
        .success();
    for (p, bytes) in drawn.iter().zip(&before) {
        assert_eq!(
            &std::fs::read(p).unwrap(),
            bytes,
            "{} differs after plot",
            p.display()
        );
    }
}

/// `plot` draws from the bounded summaries: a run folder without runs.csv still gets every
/// chart, and they are the very files `run` drew (a mixed roles and forecast run).
#[test]
fn plot_without_runs_csv_draws_the_charts_run_drew() {
    let tmp = tempfile::tempdir().unwrap();
    backsim(tmp.path())
        .args(["run", "aligned", "forecast", "--runs", "40", "-q"])
        .assert()
        .success();
    let out = tmp.path().join("output");
    let charts = |dir: &Path| -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "png" || e == "svg"))
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read(&p).unwrap())
            })
            .collect();
        v.sort();
        v
    };
    let drawn = charts(&out);
    // Every chart but the how-many one (the forecast has no target), as PNG and SVG.
    assert_eq!(drawn.len(), 2 * (ChartKind::ALL.len() - 1));
    assert!(!drawn.iter().any(|c| c.0.starts_with("forecast_how_many")));
    std::fs::remove_file(out.join("runs.csv")).unwrap();
    for (name, _) in &drawn {
        std::fs::remove_file(out.join(name)).unwrap();
    }
    backsim(tmp.path())
        .args(["plot", "output"])
        .assert()
        .success();
    let redrawn = charts(&out);
    assert_eq!(
        drawn.iter().map(|c| &c.0).collect::<Vec<_>>(),
        redrawn.iter().map(|c| &c.0).collect::<Vec<_>>()
    );
    for (a, b) in drawn.iter().zip(&redrawn) {
        assert!(a.1 == b.1, "{} differs between run and plot", a.0);
    }
}

/// Silent traps are named on stderr by `check` and `run`, which still succeed: a PO time
/// split that leaves refinement too little time for the arrivals, and a lever outside the
/// range where its mechanism was calibrated. The defaults warn about nothing.
#[test]
fn check_and_run_warn_about_silent_traps_without_failing() {
    let dir = tempfile::tempdir().unwrap();
    backsim(dir.path())
        .args(["check", "aligned"])
        .assert()
        .success()
        .stderr(predicate::str::contains("warning").not());
    std::fs::write(
        dir.path().join("busy.toml"),
        "name = \"busy\"\nextends = \"aligned\"\n[po]\nstrategy_share = 0.15\nsupport_share = 0.6\n",
    )
    .unwrap();
    backsim(dir.path())
        .args(["check", "busy.toml"])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("warning: busy: the PO's time split")
                .and(predicate::str::contains("for refinement"))
                .and(predicate::str::contains(
                    "po.support_share = 0.6 is outside",
                )),
        );
    std::fs::write(
        dir.path().join("bossy.toml"),
        "name = \"bossy\"\nextends = \"blurred-roles\"\n[roles]\npm_override = 0.9\n",
    )
    .unwrap();
    backsim(dir.path())
        .args([
            "run",
            "aligned",
            "bossy.toml",
            "--runs",
            "20",
            "--no-charts",
            "-q",
            "--out",
            "o",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: bossy: roles.pm_override = 0.9 is outside 0–0.6",
        ));
    assert!(dir.path().join("o/summary.csv").exists());
}
