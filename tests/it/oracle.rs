//! The oracle: every column of `summary.csv`, `compare.csv` and `sprints.csv` (and every cell
//! of `runs.csv`; of `sweep.csv`; the tornado columns of `sensitivity.csv`) recomputed from per-run data with deliberately plain code, and compared with
//! what `backsim run` printed, within the printed rounding (6 significant digits).
//!
//! It shares no code with `src/stats`: quantiles by sorting (type 7 for continuous metrics,
//! the inverse CDF for integer ones, as docs/outputs.md documents), variances in two passes,
//! Student t quantiles from the closed-form t CDF of integer degrees of freedom, differences
//! paired by run (ties within 1e-9 of the scale count half in better_share), and the
//! documented censoring rule (a censored completion counts as +∞ in quantiles and as the
//! horizon + 1 in means, intervals and comparisons: a restricted mean; a run that stopped at
//! completion counts in every later sprint with its final state and no work). Which metric is better when, and which ones are censored, is written out here from
//! docs/outputs.md rather than taken from the library. The per-run values and per-sprint
//! series come from the engine's public API (`Comparison` with the same seed), and are
//! themselves checked against `runs.csv`.

use super::common::Files;
use assert_cmd::Command;
use backsim::engine::driver::{Comparison, ReplicationSink};
use backsim::engine::{RunRecord, N_SERIES};
use backsim::scenario::{load_scenario, Scenario};
use std::collections::HashMap;
use std::path::Path;

/// (metric, better when, censored), in the order of docs/outputs.md.
const METRICS: [(&str, &str, bool); 25] = [
    ("completion_sprint", "lower", true),
    ("release_delay_sprints", "lower", true),
    ("lead_time_p50_days", "lower", false),
    ("lead_time_p85_days", "lower", false),
    ("top_value_lead_time_days", "lower", false),
    ("decision_wait_share", "lower", false),
    ("capacity_lost_share", "lower", false),
    ("say_do_ratio", "higher", false),
    ("velocity_cv", "lower", false),
    ("value_realized", "higher", false),
    ("value_efficiency", "higher", false),
    ("cost_of_delay", "lower", false),
    ("escaped_defects_per_point", "lower", false),
    ("rework_share", "lower", false),
    ("wrong_build_rate", "lower", false),
    ("on_strategy_share", "higher", false),
    ("ranking_tau", "higher", false),
    ("priority_churn", "lower", false),
    ("tech_debt_end", "lower", false),
    ("enabler_share", "higher", false),
    ("points_done", "higher", false),
    ("items_done", "higher", false),
    ("defects", "lower", false),
    ("escaped_defects", "lower", false),
    ("unready_share", "lower", false),
];

/// The series of sprints.csv, in order, and whether a stopped run's later sprints count 0
/// (a flow: "no work") rather than the final state.
const SERIES: [(&str, bool); 11] = [
    ("velocity", true),
    ("committed", true),
    ("done", true),
    ("backlog_size", false),
    ("ready_items", false),
    ("cumulative_value", false),
    ("escaped_defects", false),
    ("decision_wait_hours", true),
    ("tech_debt", false),
    ("priority_churn", true),
    ("roadmap_change", false),
];

/// Per-run data of a comparison: `metrics[s][r][m]`, `rows[s][r][sprint][k]` (rows end early
/// for a run that stopped at completion).
#[derive(Default)]
struct PerRun {
    metrics: Vec<Vec<Vec<f64>>>,
    rows: Vec<Vec<Vec<[f64; N_SERIES]>>>,
}

impl ReplicationSink for PerRun {
    fn replication(
        &mut self,
        _replication: u64,
        records: &[RunRecord],
        series: &[&[[f64; N_SERIES]]],
    ) -> anyhow::Result<()> {
        if self.metrics.is_empty() {
            self.metrics = vec![Vec::new(); records.len()];
            self.rows = vec![Vec::new(); records.len()];
        }
        for (s, rec) in records.iter().enumerate() {
            self.metrics[s].push(rec.metrics.to_vec());
            self.rows[s].push(series[s].to_vec());
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Plain statistics.

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.iter().sum::<f64>() / v.len() as f64
}

/// Sample variance in two passes (NaN below two values).
fn variance(v: &[f64]) -> f64 {
    if v.len() < 2 {
        return f64::NAN;
    }
    let m = mean(v);
    v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() - 1) as f64
}

/// Integer metrics of docs/outputs.md: their percentiles are by the inverse CDF.
const INTEGER: [&str; 5] = [
    "completion_sprint",
    "release_delay_sprints",
    "items_done",
    "defects",
    "escaped_defects",
];

/// The smallest value t of `v` with #{x ≤ t} ≥ p·n, by counting (+∞ sorts last).
fn quantile_inverse_cdf(v: &[f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let need = p * v.len() as f64;
    for &t in &v {
        let at_most = v.iter().filter(|&&x| x <= t).count() as f64;
        if at_most >= need - 1e-9 {
            return t;
        }
    }
    *v.last().unwrap()
}

/// Type-7 quantile of `v` (sorted here); +∞ values sort last, and an interpolation that
/// touches one is +∞.
fn quantile7(v: &[f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let h = (v.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let frac = h - lo as f64;
    if frac == 0.0 {
        return v[lo];
    }
    let (a, b) = (v[lo], v[lo + 1]);
    if a.is_infinite() || b.is_infinite() {
        return f64::INFINITY;
    }
    a * (1.0 - frac) + b * frac
}

/// Student t CDF for integer degrees of freedom `df`, by the closed forms of Abramowitz &
/// Stegun 26.7.3 (odd) and 26.7.4 (even).
fn t_cdf(t: f64, df: u64) -> f64 {
    let nu = df as f64;
    let theta = (t / nu.sqrt()).atan();
    let (s, c) = (theta.sin(), theta.cos());
    let c2 = c * c;
    if df % 2 == 1 {
        let mut a = 0.0;
        if df > 1 {
            // cos θ (1 + 2/3 cos² + 2·4/(3·5) cos⁴ + ... up to cos^(ν−3)).
            let (mut term, mut sum) = (1.0, 1.0);
            let mut k = 2.0;
            while k <= nu - 3.0 {
                term *= k / (k + 1.0) * c2;
                sum += term;
                k += 2.0;
            }
            a = s * c * sum;
        }
        0.5 + (theta + a) / std::f64::consts::PI
    } else {
        // sin θ (1 + 1/2 cos² + 1·3/(2·4) cos⁴ + ... up to cos^(ν−2)).
        let (mut term, mut sum) = (1.0, 1.0);
        let mut k = 1.0;
        while k <= nu - 3.0 {
            term *= k / (k + 1.0) * c2;
            sum += term;
            k += 2.0;
        }
        0.5 + 0.5 * s * sum
    }
}

/// The 97.5 % quantile of Student's t, by bisection of [`t_cdf`].
fn t975(df: u64) -> f64 {
    let (mut lo, mut hi) = (0.0, 100.0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if t_cdf(mid, df) < 0.975 {
            lo = mid
        } else {
            hi = mid
        }
    }
    0.5 * (lo + hi)
}

/// Mean with its 95 % t interval; NaN where undefined.
fn mean_ci(v: &[f64]) -> (f64, f64, f64) {
    let m = mean(v);
    if v.len() < 2 {
        return (m, f64::NAN, f64::NAN);
    }
    let half = t975(v.len() as u64 - 1) * variance(v).sqrt() / (v.len() as f64).sqrt();
    (m, m - half, m + half)
}

// ---------------------------------------------------------------------------------------
// Reading what was printed.

/// A CSV file as rows of cells keyed by header (no quoting is needed in these files).
fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            assert_eq!(cells.len(), header.len(), "{}: {l}", path.display());
            header
                .iter()
                .cloned()
                .zip(cells.iter().map(|c| c.to_string()))
                .collect()
        })
        .collect()
}

/// What a cell should say: a number (NaN = empty), or `>H` for a censored quantile.
#[derive(Debug, Clone, Copy)]
enum Want {
    Num(f64),
    Beyond(f64),
}

/// Does `cell` print `want` within 6 significant digits?
fn prints(cell: &str, want: Want) -> bool {
    match want {
        Want::Beyond(h) => cell.strip_prefix('>').and_then(|x| x.parse::<f64>().ok()) == Some(h),
        Want::Num(x) if x.is_nan() => cell.is_empty(),
        Want::Num(x) => match cell.parse::<f64>() {
            // Half a unit of the 6th significant digit, plus the few ulps by which plain
            // arithmetic and the library's running sums may differ.
            Ok(y) => (y - x).abs() <= 5e-6 * x.abs().max(y.abs()) + 1e-9,
            Err(_) => false,
        },
    }
}

#[track_caller]
fn check(errors: &mut Vec<String>, what: &str, cell: &str, want: Want) {
    if !prints(cell, want) {
        errors.push(format!("{what}: printed {cell:?}, oracle {want:?}"));
    }
}

/// Check the three cells `mean_col`, `ci95_low` and `ci95_high` of `row` against the mean of
/// `values` and its 95 % t interval.
#[track_caller]
fn check_mean_ci(
    errors: &mut Vec<String>,
    what: &dyn Fn(&str) -> String,
    row: &HashMap<String, String>,
    mean_col: &str,
    values: &[f64],
) {
    let (mu, lo, hi) = mean_ci(values);
    for (col, want) in [(mean_col, mu), ("ci95_low", lo), ("ci95_high", hi)] {
        check(errors, &what(col), &row[col], Want::Num(want));
    }
}

/// A metric's runs as the documented censoring rule reads them: (the runs with a value, the
/// restricted values (a censored run, NaN, counts as `fill`: the horizon + 1, for the delay
/// minus the planned sprint), the quantile pool (a censored run sits beyond every value, +∞;
/// runs without a value of an uncensored metric are left out)).
fn censoring(all: &[f64], censored: bool, fill: f64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let with_value: Vec<f64> = all.iter().copied().filter(|x| !x.is_nan()).collect();
    if !censored {
        return (with_value.clone(), with_value.clone(), with_value);
    }
    let fill_with = |v: f64| {
        all.iter()
            .map(|&x| if x.is_nan() { v } else { x })
            .collect()
    };
    (with_value, fill_with(fill), fill_with(f64::INFINITY))
}

/// Check the percentile cells `cols` of `row` against `pool`: inverse CDF for integer metrics,
/// type 7 otherwise; a quantile among censored runs prints `>bound`.
#[track_caller]
fn check_quantiles(
    errors: &mut Vec<String>,
    what: &dyn Fn(&str) -> String,
    row: &HashMap<String, String>,
    cols: &[(&str, f64)],
    pool: &[f64],
    integer: bool,
    bound: f64,
) {
    for &(col, p) in cols {
        let q = if integer {
            quantile_inverse_cdf(pool, p)
        } else {
            quantile7(pool, p)
        };
        let want = if q.is_infinite() {
            Want::Beyond(bound)
        } else {
            Want::Num(q)
        };
        check(errors, &what(col), &row[col], want);
    }
}

// ---------------------------------------------------------------------------------------

/// Run `backsim run ARGS --seed SEED --runs RUNS` into a temp folder and recompute every
/// column of its CSVs. `scenarios` are the same scenarios, loaded, for the per-run data.
fn oracle(args: &[&str], seed: u64, runs: u64) {
    let out = tempfile::tempdir().unwrap();
    Command::cargo_bin("backsim")
        .unwrap()
        .arg("run")
        .args(args)
        .args(["--seed", &seed.to_string(), "--runs", &runs.to_string()])
        .args(["--quiet", "--no-charts", "--threads", "2", "--out"])
        .arg(out.path())
        .assert()
        .success();

    let scenarios: Vec<Scenario> = args
        .iter()
        .map(|a| load_scenario(a).unwrap_or_else(|e| panic!("{a}: {e:#}")))
        .collect();
    let mut data = PerRun::default();
    Comparison::new(&scenarios, seed, runs)
        .run(&mut data, &|_| {})
        .expect("comparison runs");
    let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
    let horizon: Vec<f64> = scenarios
        .iter()
        .map(|s| s.simulation.sprints as f64)
        .collect();
    let planned: Vec<f64> = scenarios
        .iter()
        .map(|s| s.release.planned_sprint.unwrap_or(0) as f64)
        .collect();
    let base = 0;
    assert!(
        data.metrics.iter().flatten().any(|r| r[0].is_nan()),
        "the comparison should have censored runs"
    );
    let mut errors = Vec::new();
    let dir = out.path();

    // runs.csv: the per-run data the oracle starts from is what was printed.
    let runs_csv = read_csv(&dir.join("runs.csv"));
    assert_eq!(runs_csv.len(), names.len() * runs as usize);
    for row in &runs_csv {
        let s = names.iter().position(|n| *n == row["scenario"]).unwrap();
        let r: usize = row["run"].parse::<usize>().unwrap() - 1;
        for (m, (metric, _, _)) in METRICS.iter().enumerate() {
            let what = format!("runs.csv {} run {} {metric}", names[s], r + 1);
            // A run of throughput forecasts only has that model's columns: an absent
            // column must be one the oracle has no value for.
            let Some(cell) = row.get(*metric) else {
                if !data.metrics[s][r][m].is_nan() {
                    errors.push(format!("{what}: no column, the oracle has a value"));
                }
                continue;
            };
            check(&mut errors, &what, cell, Want::Num(data.metrics[s][r][m]));
        }
    }

    // summary.csv
    let summary = read_csv(&dir.join("summary.csv"));
    assert_eq!(summary.len(), names.len() * METRICS.len());
    let quantile_cols = [
        ("p5", 0.05),
        ("p10", 0.10),
        ("p25", 0.25),
        ("p50", 0.50),
        ("p75", 0.75),
        ("p85", 0.85),
        ("p90", 0.90),
        ("p95", 0.95),
    ];
    for (i, row) in summary.iter().enumerate() {
        let (s, m) = (i / METRICS.len(), i % METRICS.len());
        let (metric, _, censored) = METRICS[m];
        assert_eq!(
            (row["scenario"].as_str(), row["metric"].as_str()),
            (names[s], metric)
        );
        let all: Vec<f64> = data.metrics[s].iter().map(|r| r[m]).collect();
        let delay_shift = if m == 0 { 0.0 } else { planned[s] };
        let (with_value, restricted, pool) =
            censoring(&all, censored, horizon[s] + 1.0 - delay_shift);
        let what = |col: &str| format!("summary.csv {} {metric} {col}", names[s]);
        check_mean_ci(&mut errors, &what, row, "mean", &restricted);
        let sd = variance(&restricted).sqrt();
        check(&mut errors, &what("sd"), &row["sd"], Want::Num(sd));
        let bound = horizon[s] - delay_shift;
        let integer = INTEGER.contains(&metric);
        check_quantiles(
            &mut errors,
            &what,
            row,
            &quantile_cols,
            &pool,
            integer,
            bound,
        );
        check(
            &mut errors,
            &what("n"),
            &row["n"],
            Want::Num(restricted.len() as f64),
        );
        let share = with_value.len() as f64 / runs as f64;
        check(
            &mut errors,
            &what("completed_share"),
            &row["completed_share"],
            Want::Num(share),
        );
    }

    // compare.csv: every scenario against the first, paired by run.
    let compare = read_csv(&dir.join("compare.csv"));
    assert_eq!(compare.len(), names.len() * METRICS.len());
    for (i, row) in compare.iter().enumerate() {
        let (s, m) = (i / METRICS.len(), i % METRICS.len());
        let (metric, better_when, censored) = METRICS[m];
        assert_eq!(
            (
                row["scenario"].as_str(),
                row["baseline"].as_str(),
                row["metric"].as_str()
            ),
            (names[s], names[base], metric)
        );
        let what = |col: &str| format!("compare.csv {} {metric} {col}", names[s]);
        if row["better_when"] != better_when {
            errors.push(format!("{}: {}", what("better_when"), row["better_when"]));
        }
        // A censored completion counts as its own scenario's horizon + 1 (delay: minus
        // the planned sprint).
        let fill = |sc: usize, x: f64| {
            if censored && x.is_nan() {
                horizon[sc] + 1.0 - if m == 0 { 0.0 } else { planned[sc] }
            } else {
                x
            }
        };
        let (mut xs, mut ys, mut ds) = (Vec::new(), Vec::new(), Vec::new());
        let mut better = 0;
        for r in 0..runs as usize {
            let x = fill(s, data.metrics[s][r][m]);
            let y = fill(base, data.metrics[base][r][m]);
            if x.is_nan() || y.is_nan() {
                continue;
            }
            xs.push(x);
            ys.push(y);
            ds.push(x - y);
            // Better counts 2 halves, a tie (within 1e-9 of the larger magnitude) 1.
            let wins = if better_when == "higher" {
                x > y
            } else {
                x < y
            };
            better += if (x - y).abs() <= 1e-9 * x.abs().max(y.abs()) {
                1
            } else {
                2 * wins as usize
            };
        }
        let (md, lo, hi) = mean_ci(&ds);
        check(
            &mut errors,
            &what("mean_diff"),
            &row["mean_diff"],
            Want::Num(md),
        );
        check(
            &mut errors,
            &what("ci95_low"),
            &row["ci95_low"],
            Want::Num(lo),
        );
        check(
            &mut errors,
            &what("ci95_high"),
            &row["ci95_high"],
            Want::Num(hi),
        );
        let share = if ds.is_empty() {
            f64::NAN
        } else {
            better as f64 / (2 * ds.len()) as f64
        };
        check(
            &mut errors,
            &what("better_share"),
            &row["better_share"],
            Want::Num(share),
        );
        let vd = variance(&ds);
        let vr = if vd > 0.0 {
            (variance(&xs) + variance(&ys)) / vd
        } else {
            f64::NAN
        };
        let vr_cell = &row["variance_reduction"];
        check(
            &mut errors,
            &what("variance_reduction"),
            vr_cell,
            Want::Num(vr),
        );
        check(
            &mut errors,
            &what("n"),
            &row["n"],
            Want::Num(ds.len() as f64),
        );
    }

    // sprints.csv: a run that stopped counts in every later sprint with its final state and
    // no work.
    let sprints = read_csv(&dir.join("sprints.csv"));
    let expected_rows: f64 = horizon.iter().map(|h| h * SERIES.len() as f64).sum();
    assert_eq!(sprints.len() as f64, expected_rows);
    let mut i = 0;
    for (s, name) in names.iter().enumerate() {
        for j in 0..horizon[s] as usize {
            for (k, (series, flow)) in SERIES.iter().enumerate() {
                let row = &sprints[i];
                i += 1;
                assert_eq!(
                    (
                        row["scenario"].as_str(),
                        row["sprint"].as_str(),
                        row["series"].as_str()
                    ),
                    (*name, (j + 1).to_string().as_str(), *series)
                );
                let values: Vec<f64> = data.rows[s]
                    .iter()
                    .map(|rows| {
                        if j < rows.len() {
                            rows[j][k]
                        } else {
                            let last = rows.last().expect("a run has a sprint")[k];
                            if *flow && !last.is_nan() {
                                0.0
                            } else {
                                last
                            }
                        }
                    })
                    .filter(|x| !x.is_nan())
                    .collect();
                let what =
                    |col: &str| format!("sprints.csv {name} sprint {} {series} {col}", j + 1);
                check(
                    &mut errors,
                    &what("mean"),
                    &row["mean"],
                    Want::Num(mean(&values)),
                );
                for (col, p) in [("p10", 0.10), ("p50", 0.50), ("p90", 0.90)] {
                    let want = Want::Num(quantile7(&values, p));
                    check(&mut errors, &what(col), &row[col], want);
                }
            }
        }
    }

    assert!(
        errors.is_empty(),
        "{} cells differ from the oracle; the first ones:\n{}",
        errors.len(),
        errors[..errors.len().min(30)].join("\n")
    );
}

/// The oracle's own t quantiles against published tables (so a slip in `t_cdf` cannot
/// make the oracle agree with a wrong interval).
#[test]
fn t_quantiles_of_the_oracle_match_tables() {
    for (df, t) in [
        (1, 12.706205),
        (2, 4.302653),
        (5, 2.570582),
        (10, 2.228139),
        (11, 2.200985),
        (30, 2.042272),
        (100, 1.983972),
        (299, 1.967930),
    ] {
        assert!((t975(df) - t).abs() < 2e-6, "df {df}: {}", t975(df));
    }
}

/// The four presets and an example, with censored runs (siloed-pm misses its horizon in
/// some runs), compared with aligned.
#[test]
fn every_column_of_a_role_comparison_matches_the_oracle() {
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/examples/faster-decisions.toml"
    );
    oracle(
        &[
            "aligned",
            "siloed-pm",
            "overloaded-po",
            "blurred-roles",
            example,
        ],
        20_260_516,
        300,
    );
}

/// The throughput model: the `forecast` preset against a shorter-horizon variant that
/// censors some runs (other horizon and planned sprint than the baseline, so each
/// scenario's censored value is its own), and metrics the model has no values for.
#[test]
fn every_column_of_a_forecast_comparison_matches_the_oracle() {
    let files = Files::new();
    let short = files.write(
        "forecast-short",
        "name = \"forecast-short\"\nextends = \"forecast\"\n\
         [simulation]\nsprints = 10\n[release]\nplanned_sprint = 8\n",
    );
    oracle(&["forecast", short.to_str().unwrap()], 11, 300);
}

/// sweep.csv: each point recomputed from a plain comparison of the scenario at that value
/// (a scenario file that `extends` the preset and sets the key, not the sweep's own
/// parameter code) against the scenario as given, on the same seed and runs; siloed-pm has
/// censored runs, so the restricted-mean fill of the paired columns is exercised.
#[test]
fn every_column_of_a_sweep_matches_the_oracle() {
    let (seed, runs) = (5u64, 200u64);
    let values = [1.0, 6.0];
    let chosen = [
        "completion_sprint",
        "release_delay_sprints",
        "value_efficiency",
        "decision_wait_share",
        "defects",
    ];
    let out = tempfile::tempdir().unwrap();
    let mut cmd = Command::cargo_bin("backsim").unwrap();
    cmd.args(["sweep", "siloed-pm", "--param", "pm.sync_interval=1,6"])
        .args(["--seed", &seed.to_string(), "--runs", &runs.to_string()])
        .args(["--quiet", "--no-charts", "--out"])
        .arg(out.path());
    for m in chosen {
        cmd.args(["--metric", m]);
    }
    cmd.assert().success();
    let rows = read_csv(&out.path().join("sweep.csv"));
    assert_eq!(rows.len(), values.len() * chosen.len());

    let files = Files::new();
    let given = load_scenario("siloed-pm").unwrap();
    let horizon = given.simulation.sprints as f64;
    let planned = given.release.planned_sprint.unwrap_or(0) as f64;
    let mut errors = Vec::new();
    let mut censored_seen = false;
    for (i, v) in values.iter().enumerate() {
        let path = files.write(
            &format!("point{i}"),
            &format!("name = \"point\"\nextends = \"siloed-pm\"\n[pm]\nsync_interval = {v}\n"),
        );
        let point = load_scenario(path.to_str().unwrap()).unwrap();
        assert_eq!(point.simulation.sprints as f64, horizon);
        let mut data = PerRun::default();
        Comparison::new(&[point, given.clone()], seed, runs)
            .run(&mut data, &|_| {})
            .expect("comparison runs");
        for (k, metric) in chosen.iter().enumerate() {
            let row = &rows[i * chosen.len() + k];
            assert_eq!(row["point"], (i + 1).to_string());
            assert_eq!(row["pm.sync_interval"].parse::<f64>().ok(), Some(*v));
            assert_eq!(row["metric"], *metric);
            let m = METRICS.iter().position(|x| x.0 == *metric).unwrap();
            let (_, better_when, censored) = METRICS[m];
            let what = |col: &str| format!("sweep.csv point {} {metric} {col}", i + 1);
            let all: Vec<f64> = data.metrics[0].iter().map(|r| r[m]).collect();
            censored_seen |= censored && all.iter().any(|x| x.is_nan());
            let delay_shift = if m == 0 { 0.0 } else { planned };
            let (with_value, restricted, pool) =
                censoring(&all, censored, horizon + 1.0 - delay_shift);
            check_mean_ci(&mut errors, &what, row, "mean", &restricted);
            let bound = horizon - delay_shift;
            let cols = [("p50", 0.50), ("p85", 0.85)];
            let integer = INTEGER.contains(metric);
            check_quantiles(&mut errors, &what, row, &cols, &pool, integer, bound);
            let n = with_value.len() as f64;
            check(&mut errors, &what("n"), &row["n"], Want::Num(n));
            check(
                &mut errors,
                &what("runs"),
                &row["runs"],
                Want::Num(runs as f64),
            );
            let share = n / runs as f64;
            check(
                &mut errors,
                &what("completed_share"),
                &row["completed_share"],
                Want::Num(share),
            );
            // Paired with the scenario as given, run by run; a censored value counts as the
            // horizon + 1 (delay: minus the planned sprint); better counts two halves, a tie
            // (within 1e-9 of the larger magnitude) one.
            let fill = |x: f64| {
                if censored && x.is_nan() {
                    horizon + 1.0 - if m == 0 { 0.0 } else { planned }
                } else {
                    x
                }
            };
            let (mut ds, mut better) = (Vec::new(), 0usize);
            for r in 0..runs as usize {
                let (x, y) = (fill(data.metrics[0][r][m]), fill(data.metrics[1][r][m]));
                if x.is_nan() || y.is_nan() {
                    continue;
                }
                ds.push(x - y);
                let wins = if better_when == "higher" {
                    x > y
                } else {
                    x < y
                };
                better += if (x - y).abs() <= 1e-9 * x.abs().max(y.abs()) {
                    1
                } else {
                    2 * wins as usize
                };
            }
            let (md, dlo, dhi) = mean_ci(&ds);
            check(
                &mut errors,
                &what("diff_vs_given"),
                &row["diff_vs_given"],
                Want::Num(md),
            );
            check(
                &mut errors,
                &what("diff_ci95_low"),
                &row["diff_ci95_low"],
                Want::Num(dlo),
            );
            check(
                &mut errors,
                &what("diff_ci95_high"),
                &row["diff_ci95_high"],
                Want::Num(dhi),
            );
            let bs = better as f64 / (2 * ds.len()) as f64;
            check(
                &mut errors,
                &what("better_share"),
                &row["better_share"],
                Want::Num(bs),
            );
        }
    }
    assert!(censored_seen, "the sweep should have censored runs");
    assert!(
        errors.is_empty(),
        "{} cells differ from the oracle; the first ones:\n{}",
        errors.len(),
        errors[..errors.len().min(30)].join("\n")
    );
}

/// sensitivity.csv (tornado): for two levers, the variants at the printed low and high ends
/// are written as scenario files that `extends` the preset and set the key, run in one plain
/// comparison with the scenario as given, and every tornado column recomputed: the means,
/// each variant's interval (the 95 % CI of its paired difference from the scenario, placed
/// around its own mean), the paired effect high − low with its interval, and the spread.
#[test]
fn tornado_columns_of_sensitivity_csv_match_the_oracle() {
    let (seed, runs) = (9u64, 120u64);
    let out = tempfile::tempdir().unwrap();
    Command::cargo_bin("backsim")
        .unwrap()
        .args(["sensitivity", "aligned", "--metric", "value_efficiency"])
        .args(["--seed", &seed.to_string(), "--runs", &runs.to_string()])
        .args(["--quiet", "--no-charts", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let rows = read_csv(&out.path().join("sensitivity.csv"));
    let m = METRICS
        .iter()
        .position(|x| x.0 == "value_efficiency")
        .unwrap();
    let files = Files::new();
    let given = load_scenario("aligned").unwrap();
    let mut errors = Vec::new();
    for (key, section, field, integer) in [
        ("pm.sync_interval", "pm", "sync_interval", true),
        ("po.myopia", "po", "myopia", false),
    ] {
        let row = rows
            .iter()
            .find(|r| r["parameter"] == key)
            .unwrap_or_else(|| panic!("sensitivity.csv has no row for {key}"));
        assert_eq!(row["method"], "tornado");
        assert_eq!(row["metric"], "value_efficiency");
        let ends: Vec<f64> = ["low", "high"]
            .iter()
            .map(|c| row[*c].parse::<f64>().unwrap())
            .collect();
        assert!(ends[0] < ends[1], "{key}: {ends:?}");
        let variant = |i: usize| {
            let v = if integer {
                format!("{}", ends[i] as i64)
            } else {
                format!("{:?}", ends[i])
            };
            let path = files.write(
                &format!("{field}-{i}"),
                &format!("name = \"v{i}\"\nextends = \"aligned\"\n[{section}]\n{field} = {v}\n"),
            );
            load_scenario(path.to_str().unwrap()).unwrap()
        };
        let mut data = PerRun::default();
        Comparison::new(&[given.clone(), variant(0), variant(1)], seed, runs)
            .run(&mut data, &|_| {})
            .expect("comparison runs");
        let col = |s: usize| -> Vec<f64> { data.metrics[s].iter().map(|r| r[m]).collect() };
        let own = |s: usize| -> Vec<f64> { col(s).into_iter().filter(|x| !x.is_nan()).collect() };
        // Paired b − a over the runs where both have a value.
        let paired = |a: usize, b: usize| -> (f64, f64, f64) {
            let d: Vec<f64> = col(a)
                .iter()
                .zip(col(b))
                .filter(|(x, y)| !x.is_nan() && !y.is_nan())
                .map(|(x, y)| y - x)
                .collect();
            mean_ci(&d)
        };
        let what = |c: &str| format!("sensitivity.csv {key} {c}");
        let base_mean = mean(&own(0));
        check(
            &mut errors,
            &what("baseline_mean"),
            &row["baseline_mean"],
            Want::Num(base_mean),
        );
        let mut means = vec![base_mean];
        for (s, end) in [(1, "low"), (2, "high")] {
            let mu = mean(&own(s));
            means.push(mu);
            let (d, lo, hi) = paired(0, s);
            let at = |c: &str| format!("{c}_at_{end}");
            check(
                &mut errors,
                &what(&at("mean")),
                &row[&at("mean")],
                Want::Num(mu),
            );
            check(
                &mut errors,
                &what(&at("ci95_low")),
                &row[&at("ci95_low")],
                Want::Num(mu + lo - d),
            );
            check(
                &mut errors,
                &what(&at("ci95_high")),
                &row[&at("ci95_high")],
                Want::Num(mu + hi - d),
            );
        }
        let (e, elo, ehi) = paired(1, 2);
        check(&mut errors, &what("effect"), &row["effect"], Want::Num(e));
        check(
            &mut errors,
            &what("effect_ci95_low"),
            &row["effect_ci95_low"],
            Want::Num(elo),
        );
        check(
            &mut errors,
            &what("effect_ci95_high"),
            &row["effect_ci95_high"],
            Want::Num(ehi),
        );
        let spread = means.iter().cloned().fold(f64::MIN, f64::max)
            - means.iter().cloned().fold(f64::MAX, f64::min);
        check(
            &mut errors,
            &what("spread"),
            &row["spread"],
            Want::Num(spread),
        );
        check(
            &mut errors,
            &what("runs"),
            &row["runs"],
            Want::Num(runs as f64),
        );
        assert!(e.abs() > 0.0, "{key}: the lever moves the metric");
    }
    assert!(
        errors.is_empty(),
        "{} cells differ from the oracle:\n{}",
        errors.len(),
        errors.join("\n")
    );
}

mod analysis;
