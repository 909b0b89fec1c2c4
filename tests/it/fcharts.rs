//! The forecast's own charts and report, and calibrate's fit chart: which files a run draws,
//! the counts they are drawn from against `forecast.csv`, the report's words, and the KS
//! distances of `calibration.csv` recomputed.

use crate::common::Files;
use std::path::Path;

const FORECAST: &str = "extends = \"forecast\"\nname = \"cal\"\n[team]\ncapacity = { dist = \"empirical\", values = [4, 7, 5, 6, 3, 8, 5, 6, 2, 7, 6, 5] }\n[backlog]\ninitial_items = 60\n[calendar]\nstart = \"2027-01-04\"\n[forecast]\ntarget_sprint = 6\npromise_date = \"2027-03-12\"\n";

fn run(dir: &Path, args: &[&str]) {
    crate::common::backsim_ok(dir, args);
}

fn csv(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn a_forecast_run_draws_the_forecast_charts_and_no_roles_chart() {
    let files = Files::new();
    let path = files.write("cal", FORECAST);
    let p = path.to_str().unwrap();
    let dir = files.dir.path();
    // A roles run first, into the same folder: its roles charts must go with the forecast.
    run(
        dir,
        &["run", "aligned", "--runs", "30", "--out", "out", "-q"],
    );
    assert!(dir.join("out/value_efficiency.png").exists());
    assert!(!dir.join("out/forecast_when.png").exists());
    run(dir, &["run", p, "--runs", "400", "--out", "out", "-q"]);
    let out = dir.join("out");
    for stem in [
        "forecast_when",
        "forecast_how_many",
        "forecast_inputs",
        "flow_velocity",
    ] {
        for ext in ["png", "svg"] {
            let f = out.join(format!("{stem}.{ext}"));
            assert!(f.metadata().is_ok_and(|m| m.len() > 0), "{stem}.{ext}");
        }
    }
    for stem in [
        "value_efficiency",
        "cumulative_value",
        "quality",
        "flow_decision_wait",
        "flow_tech_debt",
        "flow_priority_churn",
        "flow_roadmap_change",
        "done_by_sprint",
        "delay_cdf",
    ] {
        for ext in ["png", "svg"] {
            assert!(!out.join(format!("{stem}.{ext}")).exists(), "{stem}.{ext}");
        }
    }
    // The report: the forecast's words, its charts, no roles section, no empty box.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for present in [
        "id=\"forecast_when\"",
        "id=\"forecast_how_many\"",
        "id=\"forecast_inputs\"",
        "How much the answer hangs on the history's length",
        "horizon 104 weeks",
        "<th>Week</th>",
        "Throughput: items finished per week",
    ] {
        assert!(html.contains(present), "{present} not in the report");
    }
    for absent in [
        "soonest",
        "Key metrics per scenario",
        "Say/do",
        "say/do",
        "Value efficiency",
        "value efficiency",
        "escaped",
        "decision",
        "Paired differences",
        "baseline",
        "Where the scenarios differ",
        "story points",
        "Story points",
        "No value",
        "does not model it",
        "id=\"done_by_sprint\"",
        "Commitment",
    ] {
        assert!(!html.contains(absent), "{absent:?} in a forecast's report");
    }
    // Every chart of the report is one that was drawn.
    assert_eq!(html.matches("<figure").count(), 4);
    // The dates are under the week numbers, and the promise is in the chart's legend.
    let when = std::fs::read_to_string(out.join("forecast_when.svg")).unwrap();
    assert!(when.contains("promise: week 10 (12 Mar 2027)"), "promise");
    assert!(when.contains("12 Mar"));
    // Without a target there is no how-many chart, and `plot` redraws the same set.
    let path = files.write("plain", &FORECAST.replace("target_sprint = 6\n", ""));
    run(
        dir,
        &[
            "run",
            path.to_str().unwrap(),
            "--runs",
            "200",
            "--out",
            "plain",
            "-q",
        ],
    );
    assert!(!dir.join("plain/forecast_how_many.png").exists());
    assert!(dir.join("plain/forecast_when.png").exists());
    let before = std::fs::read(dir.join("plain/forecast_inputs.svg")).unwrap();
    run(dir, &["plot", "plain"]);
    assert_eq!(
        std::fs::read(dir.join("plain/forecast_inputs.svg")).unwrap(),
        before
    );
    assert!(!dir.join("plain/forecast_how_many.png").exists());
}

#[test]
fn forecast_dist_holds_the_counts_behind_forecast_csv() {
    let files = Files::new();
    let path = files.write("cal", FORECAST);
    let dir = files.dir.path();
    run(
        dir,
        &[
            "run",
            path.to_str().unwrap(),
            "--runs",
            "700",
            "--out",
            "out",
            "-q",
        ],
    );
    let dist = csv(&dir.join("out/forecast_dist.csv"));
    let answers = csv(&dir.join("out/forecast.csv"));
    let series = |name: &str| -> Vec<(String, String)> {
        dist.iter()
            .filter(|r| r[1] == name)
            .map(|r| (r[2].clone(), r[3].clone()))
            .collect()
    };
    // Runs per completion sprint, and the runs not done: 700 in all.
    let done: Vec<(u32, u64)> = series("done_in")
        .iter()
        .map(|(k, n)| (k.parse().unwrap(), n.parse().unwrap()))
        .collect();
    let not_done: u64 = series("not_done")[0].1.parse().unwrap();
    assert_eq!(done.iter().map(|d| d.1).sum::<u64>() + not_done, 700);
    let by_target: Vec<(u64, u64)> = series("items_by_target")
        .iter()
        .map(|(n, c)| (n.parse().unwrap(), c.parse().unwrap()))
        .collect();
    assert_eq!(by_target.iter().map(|d| d.1).sum::<u64>(), 700);
    for row in &answers {
        let c: u64 = row[2].parse().unwrap();
        if row[1] == "when" {
            // The smallest k with at least c % of the runs done by it.
            let mut acc = 0;
            let k = done
                .iter()
                .find(|(_, n)| {
                    acc += n;
                    acc * 100 >= c * 700
                })
                .map(|d| d.0.to_string())
                .unwrap();
            assert_eq!(row[3], k, "when {c}");
        } else {
            // The largest n that at least c % of the runs reached.
            let n = by_target
                .iter()
                .map(|d| d.0)
                .filter(|&n| {
                    let at_least: u64 = by_target.iter().filter(|d| d.0 >= n).map(|d| d.1).sum();
                    at_least * 100 >= c * 700
                })
                .max()
                .unwrap();
            assert_eq!(row[5], n.to_string(), "how many {c}");
        }
    }
    // With the whole history (k = 12) the answers are forecast.csv's: same worlds, same runs.
    assert_eq!(series("history_runs"), vec![("12".into(), "700".into())]);
    for c in [50, 85, 95] {
        let ks: Vec<String> = series(&format!("history_p{c}"))
            .into_iter()
            .map(|x| x.0)
            .collect();
        assert_eq!(ks, ["4", "6", "8", "10", "12"]);
        let whole = series(&format!("history_p{c}"))
            .into_iter()
            .find(|x| x.0 == "12")
            .unwrap()
            .1;
        let answer = answers
            .iter()
            .find(|r| r[1] == "when" && r[2] == c.to_string())
            .unwrap();
        assert_eq!(whole, answer[3], "P{c} with the whole history");
    }
}

/// The normal CDF by a plain series (Abramowitz–Stegun 7.1.26 is too coarse for 1e-6).
fn normal_cdf(z: f64) -> f64 {
    // erf by its Taylor series, fine for |z| < 6.
    let x = z / std::f64::consts::SQRT_2;
    let (mut term, mut sum, mut n) = (x, x, 0.0);
    while term.abs() > 1e-17 {
        n += 1.0;
        term *= -x * x / n;
        sum += term / (2.0 * n + 1.0);
    }
    0.5 * (1.0 + 2.0 / std::f64::consts::PI.sqrt() * sum)
}

#[test]
fn calibrate_draws_the_fit_chart_and_its_ks_values_recompute() {
    let files = Files::new();
    let dir = files.dir.path();
    std::fs::write(
        dir.join("h.csv"),
        "sprint,completed\n1,31\n2,27\n3,35\n4,22\n5,30\n6,28\n7,40\n8,26\n9,33\n10,29\n11,24\n12,31\n",
    )
    .unwrap();
    run(dir, &["calibrate", "h.csv", "--out", "cal", "-q"]);
    let out = dir.join("cal");
    for f in ["calibration_fit.png", "calibration_fit.svg", "report.html"] {
        assert!(out.join(f).exists(), "{f}");
    }
    let rows = csv(&out.join("calibration.csv"));
    let mut x = [
        31.0, 27.0, 35.0, 22.0, 30.0, 28.0, 40.0, 26.0, 33.0, 29.0, 24.0, 31.0,
    ];
    x.sort_by(f64::total_cmp);
    let n = x.len() as f64;
    // The KS distance of the normal fit, by brute force: the largest gap on both sides of
    // every step of the empirical CDF.
    let normal = rows.iter().find(|r| r[0] == "normal").unwrap();
    let (m, sd): (f64, f64) = (normal[3].parse().unwrap(), normal[4].parse().unwrap());
    let mut ks: f64 = 0.0;
    for (i, &v) in x.iter().enumerate() {
        let f = normal_cdf((v - m) / sd);
        let below = x.iter().filter(|&&w| w < v).count() as f64 / n;
        let upto = x.iter().filter(|&&w| w <= v).count() as f64 / n;
        ks = ks.max((f - below).abs()).max((f - upto).abs());
        let _ = i;
    }
    let written: f64 = normal[6].parse().unwrap();
    assert!((written - ks).abs() < 1e-5, "normal KS {written} vs {ks}");
    // Every fit's KS is in the chart's legend and the report's table.
    let svg = std::fs::read_to_string(out.join("calibration_fit.svg")).unwrap();
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for r in rows.iter().filter(|r| r[0] != "empirical") {
        let ks: f64 = r[6].parse().unwrap();
        let label = format!(
            "{}{}: KS {ks:.3}",
            r[0],
            if r[7] == "true" { " (best)" } else { "" }
        );
        assert!(svg.contains(&label), "{label} not in the chart");
        assert!(
            html.contains(&format!("{ks:.3}")),
            "{ks:.3} not in the report"
        );
    }
    assert!(html.contains("id=\"calibrate\"") && html.contains("<figure id=\"calibration_fit\""));
    // --no-charts: the files of the fit only.
    run(
        dir,
        &["calibrate", "h.csv", "--out", "bare", "-q", "--no-charts"],
    );
    assert!(!dir.join("bare/calibration_fit.png").exists());
    assert!(!dir.join("bare/report.html").exists());
    assert!(dir.join("bare/calibration.csv").exists());
}
