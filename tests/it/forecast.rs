//! The forecast questions and the calendar, against exact answers.
//!
//! With items of size 1 and whole-number capacities, the throughput model finishes exactly
//! the sprint's capacity draw each sprint, so the items done by sprint K are the sum of K
//! independent draws from the history: its exact distribution is a convolution (DP), and
//! the completion sprint's CDF is P(T ≤ k) = P(S_k ≥ N).

use crate::common::Files;
use assert_cmd::Command;
use backsim::engine::driver::{Comparison, Replications, Sink};
use backsim::output::forecast::Forecasts;
use backsim::scenario::Scenario;

const HISTORY: [u64; 10] = [3, 7, 5, 6, 4, 8, 5, 6, 2, 7];

struct Tally(Forecasts);

impl Sink for Tally {
    fn replications(&mut self, batch: &Replications) -> anyhow::Result<()> {
        self.0.add_batch(batch);
        Ok(())
    }
}

fn forecast(s: &Scenario, runs: u64, seed: u64) -> Forecasts {
    let scenarios = [s.clone()];
    let mut sink = Tally(Forecasts::new(&scenarios));
    Comparison::new(&scenarios, seed, runs)
        .run(&mut sink, &|_| {})
        .unwrap();
    sink.0
}

/// P(S_k = n) for k = 0..=sprints: the exact distribution of the sum of k draws.
fn sum_distributions(sprints: usize) -> Vec<Vec<f64>> {
    let max = *HISTORY.iter().max().unwrap() as usize;
    let p = 1.0 / HISTORY.len() as f64;
    let mut out = vec![vec![1.0]];
    for k in 1..=sprints {
        let prev = &out[k - 1];
        let mut next = vec![0.0; prev.len() + max];
        for (n, &q) in prev.iter().enumerate() {
            for &h in &HISTORY {
                next[n + h as usize] += q * p;
            }
        }
        out.push(next);
    }
    out
}

fn throughput(files: &Files, name: &str, items: u32, sprints: u32, extra: &str) -> Scenario {
    files.scenario(
        name,
        &format!(
            "extends = \"forecast\"\nname = \"{name}\"\n[simulation]\nsprints = {sprints}\n[team]\ncapacity = {{ dist = \"empirical\", values = {HISTORY:?} }}\n[backlog]\ninitial_items = {items}\n{extra}"
        ),
    )
}

#[test]
fn how_many_matches_the_exact_distribution_of_the_sum_of_k_draws() {
    let files = Files::new();
    for k in [1u32, 4, 10] {
        let s = throughput(
            &files,
            &format!("h{k}"),
            10_000,
            12,
            &format!("[forecast]\ntarget_sprint = {k}\n"),
        );
        let f = forecast(&s, 20_000, 11 + k as u64);
        let t = f.tally(0).unwrap();
        let exact = &sum_distributions(k as usize)[k as usize];
        for c in [50u32, 70, 85, 95] {
            // The exact lower quantile: the largest n with P(S_K ≥ n) ≥ c.
            let mut at_least = 0.0;
            let mut want = 0;
            for n in (0..exact.len()).rev() {
                at_least += exact[n];
                if at_least >= c as f64 / 100.0 - 1e-12 {
                    want = n as u64;
                    break;
                }
            }
            let got = t.how_many(c).unwrap();
            assert!(
                got.abs_diff(want) <= 1,
                "K = {k}, {c} %: simulated {got} items, exact {want}"
            );
        }
    }
}

#[test]
fn the_when_cdf_matches_the_exact_dp() {
    let files = Files::new();
    let (items, sprints) = (60u32, 30u32);
    let s = throughput(&files, "w", items, sprints, "");
    let runs = 20_000u64;
    let f = forecast(&s, runs, 5);
    let t = f.tally(0).unwrap();
    let dist = sum_distributions(sprints as usize);
    let mut ks: f64 = 0.0;
    for (k, share) in t.cdf() {
        let exact: f64 = dist[k as usize].iter().skip(items as usize).sum();
        ks = ks.max((share - exact).abs());
    }
    // The 1 % critical value of the one-sample KS statistic: 1.628 / √n.
    let critical = 1.628 / (runs as f64).sqrt();
    assert!(ks < critical, "KS distance {ks} ≥ {critical}");
    assert_eq!(t.censored(), 0);
    // `when` is the inverse of the simulated CDF, in whole sprints.
    for c in [50u32, 70, 85, 95] {
        let k = t.when(c).unwrap();
        assert!(t.probability_by(k) * 100.0 >= c as f64);
        assert!(t.probability_by(k - 1) * 100.0 < c as f64);
    }
}

fn run_cli(dir: &std::path::Path, scenario: &std::path::Path, runs: u32) -> std::process::Output {
    Command::cargo_bin("backsim")
        .unwrap()
        .current_dir(dir)
        .args(["run", scenario.to_str().unwrap(), "--no-charts", "--runs"])
        .arg(runs.to_string())
        .args(["--out", "out"])
        .output()
        .unwrap()
}

#[test]
fn forecast_csv_gives_dates_by_the_calendar() {
    let files = Files::new();
    for (holidays, date) in [("[]", "2027-05-21"), ("[\"2027-01-06\"]", "2027-05-24")] {
        let path = files.write(
            "cal",
            &format!(
                "extends = \"forecast\"\nname = \"cal\"\n[calendar]\nstart = \"2027-01-04\"\nholidays = {holidays}\n[forecast]\ntarget_sprint = 20\n[backlog]\ninitial_items = 300\n"
            ),
        );
        let out = run_cli(files.dir.path(), &path, 200);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let csv = std::fs::read_to_string(files.dir.path().join("out/forecast.csv")).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "scenario,question,confidence,sprint,date,items");
        let how_many: Vec<&str> = lines
            .iter()
            .filter(|l| l.contains(",how_many,"))
            .copied()
            .collect();
        assert_eq!(how_many.len(), 4);
        for (l, c) in how_many.iter().zip([50, 70, 85, 95]) {
            assert!(
                l.starts_with(&format!("cal,how_many,{c},20,{date},")),
                "{l}"
            );
        }
        assert!(
            stdout.contains("how many items by week 20 (") && stdout.contains(date),
            "{stdout}"
        );
        // The when rows: dates are the calendar's dates of their sprints.
        let summary = std::fs::read_to_string(files.dir.path().join("out/summary.csv")).unwrap();
        assert!(summary.lines().next().unwrap().ends_with("completed_share,p5_date,p10_date,p25_date,p50_date,p75_date,p85_date,p90_date,p95_date"));
        // The roles table is not printed for a forecast: no "value eff.".
        assert!(!stdout.contains("value eff."), "{stdout}");
    }
}

#[test]
fn bad_dates_are_named_with_file_key_and_line() {
    let files = Files::new();
    let cases = [
        (
            "[calendar]\nstart = \"2027-02-30\"\n",
            "calendar.start",
            "not a day of the calendar",
        ),
        (
            "[calendar]\nstart = \"04/01/2027\"\n",
            "calendar.start",
            "expected YYYY-MM-DD",
        ),
        (
            "[forecast]\ntarget_date = \"2027-05-21\"\n",
            "forecast.target_date",
            "needs a calendar",
        ),
        (
            "[calendar]\nstart = \"2027-01-04\"\n[forecast]\ntarget_date = \"2030-01-01\"\n",
            "forecast.target_date",
            "after the horizon",
        ),
        (
            "[forecast]\ntarget_sprint = 500\n",
            "forecast.target_sprint",
            "after the horizon",
        ),
    ];
    for (text, key, words) in cases {
        let path = files.write("bad", &format!("extends = \"forecast\"\n{text}"));
        let err = format!(
            "{:#}",
            backsim::scenario::load_scenario(path.to_str().unwrap()).unwrap_err()
        );
        assert!(
            err.contains("bad.toml:") && err.contains(key) && err.contains(words),
            "{text}: {err}"
        );
    }
    // The roles model has no forecast questions.
    let path = files.write("roles", "[forecast]\ntarget_sprint = 3\n");
    let err = format!(
        "{:#}",
        backsim::scenario::load_scenario(path.to_str().unwrap()).unwrap_err()
    );
    assert!(err.contains("simulation.model = \"throughput\""), "{err}");
}

#[test]
fn throughput_only_keys_are_refused_elsewhere_and_named() {
    let files = Files::new();
    let cases = [
        (
            "[backlog]\nscope_growth = { dist = \"poisson\", mean = 2 }\n",
            "backlog.scope_growth",
            "throughput-model key",
        ),
        (
            "[backlog]\nsplit_rate_samples = [1.2]\n",
            "backlog.split_rate_samples",
            "throughput-model key",
        ),
        (
            "extends = \"forecast\"\n[[risks]]\nname = \"x\"\nprobability = 0.5\nadded_points = 3\n",
            "risks[0].added_points",
            "added_items",
        ),
        (
            "extends = \"forecast\"\n[backlog]\nsplit_rate_samples = [0]\n",
            "backlog.split_rate_samples[0]",
            "(0, 100]",
        ),
    ];
    for (text, key, words) in cases {
        let path = files.write("bad", text);
        let err = format!(
            "{:#}",
            backsim::scenario::load_scenario(path.to_str().unwrap()).unwrap_err()
        );
        assert!(
            err.contains("bad.toml:") && err.contains(key) && err.contains(words),
            "{text}: {err}"
        );
    }
}

#[test]
fn a_forecast_report_speaks_the_forecast_s_words() {
    let files = Files::new();
    let path = files.write(
        "cal",
        "extends = \"forecast\"\nname = \"cal\"\n[calendar]\nstart = \"2027-01-04\"\n[forecast]\ntarget_sprint = 8\npromise_date = \"2027-03-12\"\n",
    );
    let out = Command::cargo_bin("backsim")
        .unwrap()
        .current_dir(files.dir.path())
        .args([
            "run",
            path.to_str().unwrap(),
            "--runs",
            "300",
            "--out",
            "out",
            "-q",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(files.dir.path().join("out/report.html")).unwrap();
    // 2027-03-12 is the end of sprint 10 (5-day sprints from Monday 2027-01-04).
    assert!(
        html.contains("The promise was week 10 (2027-03-12)"),
        "{html}"
    );
    assert!(html.contains("<h2 id=\"forecast\">Forecast</h2>") && html.contains("how many?"));
    assert!(html.contains("with 85 % confidence"));
    for absent in [
        "soonest",
        "Key metrics per scenario",
        "id=\"value_efficiency\"",
        "id=\"quality\"",
        "id=\"flow_tech_debt\"",
        "id=\"compare_forest\"",
    ] {
        assert!(!html.contains(absent), "{absent} in the report");
    }
    // The forecast's own CDF, with dates, replaces the roles model's done-by-sprint chart.
    assert!(html.contains("id=\"forecast_when\"") && !html.contains("id=\"done_by_sprint\""));
}
