//! Reading a `backsim run` output folder back (see `docs/outputs.md`, the contract).
//!
//! [`Results::read`] loads `scenarios.toml`, `summary.csv`, `compare.csv`, `sprints.csv` and
//! `distributions.csv` (and `forecast.csv` when there is one) and checks them; every problem
//! becomes an [`input_error`] naming the file and the line, so that `backsim plot` exits with
//! code 2 before anything is written. These are bounded summaries: `runs.csv` is never read,
//! except to rebuild the distributions of a folder written before `distributions.csv` existed
//! (streamed, in bounded memory).

use std::path::{Path, PathBuf};

use crate::error::input_error;

mod read;

use read::{
    distributions_from_runs, forecast_dist_from, read_compare, read_distributions, read_forecast,
    read_forecast_dist, read_scenarios, read_sprints, read_summary, scenarios_from,
};

/// The files a results folder must hold (`distributions.csv` may be replaced by `runs.csv`
/// in a folder written before it existed).
pub const RESULT_FILES: [&str; 5] = [
    "scenarios.toml",
    "summary.csv",
    "compare.csv",
    "sprints.csv",
    "distributions.csv",
];

/// Everything `backsim run` wrote, read back.
#[derive(Debug, Clone)]
pub struct Results {
    pub dir: PathBuf,
    pub run: RunInfo,
    /// In run order: the position decides a scenario's colour in every chart.
    pub scenarios: Vec<ScenarioInfo>,
    /// `distributions.csv`: the charted metrics' distributions.
    pub distributions: Vec<DistRow>,
    pub summary: Vec<SummaryRow>,
    pub compare: Vec<CompareRow>,
    pub sprints: Vec<SprintRow>,
    /// `forecast.csv`, when the run had a throughput scenario (else empty).
    pub forecast: Vec<ForecastRow>,
    /// `forecast_dist.csv`: the counts behind the forecast charts (else empty).
    pub forecast_dist: Vec<ForecastDistRow>,
}

/// One row of `forecast_dist.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastDistRow {
    pub scenario: String,
    /// `done_in`, `not_done`, `items_by_target`, `history_runs` or `history_pNN`.
    pub series: String,
    pub x: Option<f64>,
    /// A count, or a sprint (`>H` when not within the horizon).
    pub value: Pct,
}

/// One row of `forecast.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastRow {
    pub scenario: String,
    /// `when` or `how_many`.
    pub question: String,
    pub confidence: u32,
    /// A sprint number, or `>H` when not reached within the horizon.
    pub sprint: String,
    /// `YYYY-MM-DD`, or empty without a calendar.
    pub date: String,
    pub items: Option<f64>,
}

/// The `[run]` table of `scenarios.toml`.
#[derive(Debug, Clone, Default)]
pub struct RunInfo {
    pub version: String,
    pub command: String,
    pub seed: String,
    pub runs: Option<i64>,
    pub baseline: String,
    pub date: String,
    /// The horizon in sprints.
    pub sprints: Option<i64>,
}

/// One `[[scenario]]` table: name, description and the full resolved parameters.
#[derive(Debug, Clone)]
pub struct ScenarioInfo {
    pub name: String,
    pub description: String,
    pub table: toml::Table,
}

/// One row of `distributions.csv`: `count` runs of `scenario` had `value` of `metric`
/// (`None`: no value, e.g. not done within the horizon).
#[derive(Debug, Clone, PartialEq)]
pub struct DistRow {
    pub scenario: String,
    pub metric: String,
    pub value: Option<f64>,
    pub count: u64,
}

/// A summary percentile: a number, or `>H` when it falls among censored runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pct {
    Value(f64),
    Beyond(f64),
}

impl Pct {
    pub fn value(self) -> Option<f64> {
        match self {
            Pct::Value(v) => Some(v),
            Pct::Beyond(_) => None,
        }
    }
}

/// The percentile columns of `summary.csv`, in file order.
pub const PERCENTILES: [&str; 9] = ["p5", "p10", "p25", "p50", "p75", "p85", "p90", "p95", ""];

/// `summary.csv`: one row per scenario × metric.
#[derive(Debug, Clone)]
pub struct SummaryRow {
    pub scenario: String,
    pub metric: String,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub ci95_low: Option<f64>,
    pub ci95_high: Option<f64>,
    /// p5, p10, p25, p50, p75, p85, p90, p95.
    pub pct: [Option<Pct>; 8],
    pub n: Option<f64>,
    pub completed_share: Option<f64>,
}

impl SummaryRow {
    pub fn p50(&self) -> Option<Pct> {
        self.pct[3]
    }
    pub fn p85(&self) -> Option<Pct> {
        self.pct[5]
    }
}

/// Which direction of a metric is good, from `better_when` in `compare.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BetterWhen {
    Lower,
    Higher,
}

/// `compare.csv`: one row per scenario × metric against the baseline.
#[derive(Debug, Clone)]
pub struct CompareRow {
    pub scenario: String,
    pub baseline: String,
    pub metric: String,
    pub better_when: BetterWhen,
    pub mean_diff: Option<f64>,
    pub ci95_low: Option<f64>,
    pub ci95_high: Option<f64>,
    pub better_share: Option<f64>,
    pub variance_reduction: Option<f64>,
    pub n: Option<f64>,
}

/// How a paired difference reads: its whole CI on the better side, the worse side, or across 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Better,
    Worse,
    Unclear,
}

impl CompareRow {
    pub fn verdict(&self) -> Verdict {
        let (Some(lo), Some(hi)) = (self.ci95_low, self.ci95_high) else {
            return Verdict::Unclear;
        };
        let (better_side, worse_side) = match self.better_when {
            BetterWhen::Higher => (lo > 0.0, hi < 0.0),
            BetterWhen::Lower => (hi < 0.0, lo > 0.0),
        };
        if better_side {
            Verdict::Better
        } else if worse_side {
            Verdict::Worse
        } else {
            Verdict::Unclear
        }
    }
}

/// `sprints.csv`: per-sprint bands across replications.
#[derive(Debug, Clone)]
pub struct SprintRow {
    pub scenario: String,
    pub sprint: u64,
    pub series: String,
    pub mean: Option<f64>,
    pub p10: Option<f64>,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
}

/// Per-run metrics the charts need: a `runs.csv` read in place of `distributions.csv` must
/// have these columns (`value_efficiency` is read when present).
pub const REQUIRED_RUN_METRICS: [&str; 2] = ["completion_sprint", "release_delay_sprints"];

impl Results {
    /// Read and check a results folder. Errors are input errors (exit code 2).
    pub fn read(dir: &Path) -> anyhow::Result<Results> {
        Self::read_files(dir, &|f| dir.join(f))
    }

    /// Read the results whose files are at `path(name)` (e.g. still under their temporary
    /// names); `dir` is the folder they belong to.
    pub fn read_files(dir: &Path, path: &dyn Fn(&str) -> PathBuf) -> anyhow::Result<Results> {
        if !dir.is_dir() {
            return Err(input_error(format!(
                "{}: no such folder (expected the output folder of `backsim run`)",
                dir.display()
            )));
        }
        let from_runs = !path("distributions.csv").is_file() && path("runs.csv").is_file();
        let missing: Vec<&str> = RESULT_FILES
            .iter()
            .copied()
            .filter(|f| !(path(f).is_file() || from_runs && *f == "distributions.csv"))
            .collect();
        if missing.len() == RESULT_FILES.len() {
            return Err(input_error(format!(
                "{}: no backsim results here (expected {})",
                dir.display(),
                RESULT_FILES.join(", ")
            )));
        }
        if let Some(f) = missing.first() {
            return Err(input_error(format!(
                "{}: missing (a results folder holds {})",
                path(f).display(),
                RESULT_FILES.join(", ")
            )));
        }

        let (run, scenarios) = read_scenarios(&path("scenarios.toml"))?;
        let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
        // sprints.csv, the longest to read, beside the others (errors in the same order).
        let (runs_csv, distributions_csv) = (path("runs.csv"), path("distributions.csv"));
        let (summary_csv, compare_csv) = (path("summary.csv"), path("compare.csv"));
        let sprints_csv = path("sprints.csv");
        let (sprints, (distributions, summary, compare)) = rayon::join(
            || read_sprints(&sprints_csv, &names),
            || {
                let distributions = if from_runs {
                    distributions_from_runs(&runs_csv, &names)
                } else {
                    read_distributions(&distributions_csv, &names)
                };
                let summary = read_summary(&summary_csv, &names);
                (distributions, summary, read_compare(&compare_csv, &names))
            },
        );
        let (distributions, summary, compare) = (distributions?, summary?, compare?);
        let sprints = sprints?;
        // The forecast files are optional: read them only if they belong to the set of
        // scenarios.toml, never a stale one an earlier run left in the folder.
        let on_disk = |f: &str| path(f) == dir.join(f);
        let in_set = |f: &str| {
            if !on_disk(f) {
                true // Being published with this set.
            } else if !on_disk("scenarios.toml") {
                false // From an earlier set, while a new one is being published.
            } else {
                crate::output::atomic::same_set(dir, f, "scenarios.toml")
            }
        };
        let forecast = if in_set("forecast.csv") && path("forecast.csv").is_file() {
            read_forecast(&path("forecast.csv"), &names)?
        } else {
            Vec::new()
        };
        let forecast_dist = if in_set("forecast_dist.csv") && path("forecast_dist.csv").is_file() {
            read_forecast_dist(&path("forecast_dist.csv"), &names)?
        } else {
            Vec::new()
        };
        Ok(Results {
            dir: dir.to_path_buf(),
            run,
            scenarios,
            distributions,
            summary,
            compare,
            sprints,
            forecast,
            forecast_dist,
        })
    }

    /// The part of a results folder in `dir` that its `scenarios.toml` and
    /// `forecast_dist.csv`, given as text, hold, read as [`Results::read`] reads them (the
    /// other files' rows empty): what a chart drawn from them alone needs (see
    /// `output::EarlyChart`).
    pub fn of_texts(
        dir: &Path,
        scenarios_toml: &str,
        forecast_dist: &str,
    ) -> anyhow::Result<Results> {
        let (run, scenarios) = scenarios_from(scenarios_toml, &dir.join("scenarios.toml"))?;
        let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
        let forecast_dist = forecast_dist_from(
            &dir.join("forecast_dist.csv"),
            forecast_dist.as_bytes(),
            &names,
        )?;
        Ok(Results {
            dir: dir.to_path_buf(),
            run,
            scenarios,
            distributions: Vec::new(),
            summary: Vec::new(),
            compare: Vec::new(),
            sprints: Vec::new(),
            forecast: Vec::new(),
            forecast_dist,
        })
    }

    /// Whether every scenario is a throughput forecast (`simulation.model = "throughput"`).
    pub fn forecast_only(&self) -> bool {
        !self.scenarios.is_empty()
            && self.scenarios.iter().all(|s| {
                s.table
                    .get("simulation")
                    .and_then(|t| t.get("model"))
                    .and_then(|m| m.as_str())
                    == Some("throughput")
            })
    }

    /// Index of a scenario in run order (its colour), if known.
    pub fn scenario_index(&self, name: &str) -> Option<usize> {
        self.scenarios.iter().position(|s| s.name == name)
    }

    /// The distribution of a charted metric in one scenario: (value, runs) in ascending
    /// order of value, then (None, runs without a value) if any.
    pub fn distribution(&self, scenario: &str, metric: &str) -> Vec<(Option<f64>, u64)> {
        let mut v: Vec<(Option<f64>, u64)> = self
            .distributions
            .iter()
            .filter(|d| d.scenario == scenario && d.metric == metric)
            .map(|d| (d.value, d.count))
            .collect();
        v.sort_by(|a, b| match (a.0, b.0) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (x, y) => y.is_some().cmp(&x.is_some()),
        });
        v
    }

    pub fn summary_row(&self, scenario: &str, metric: &str) -> Option<&SummaryRow> {
        self.summary
            .iter()
            .find(|r| r.scenario == scenario && r.metric == metric)
    }

    pub fn compare_row(&self, scenario: &str, metric: &str) -> Option<&CompareRow> {
        self.compare
            .iter()
            .find(|r| r.scenario == scenario && r.metric == metric)
    }

    /// The rows of one sprint series for one scenario, by sprint.
    pub fn sprint_series(&self, scenario: &str, series: &str) -> Vec<&SprintRow> {
        let mut v: Vec<&SprintRow> = self
            .sprints
            .iter()
            .filter(|r| r.scenario == scenario && r.series == series)
            .collect();
        v.sort_by_key(|r| r.sprint);
        v
    }

    /// The horizon in sprints: `[run].sprints`, else the last sprint seen.
    pub fn horizon(&self) -> u64 {
        if let Some(h) = self.run.sprints.filter(|h| *h > 0) {
            return h as u64;
        }
        let from_sprints = self.sprints.iter().map(|r| r.sprint).max().unwrap_or(0);
        let from_runs = self
            .distributions
            .iter()
            .filter(|d| d.metric == "completion_sprint")
            .filter_map(|d| d.value)
            .fold(0.0f64, f64::max) as u64;
        from_sprints.max(from_runs).max(1)
    }

    /// Metrics in `compare.csv`, in file order, without duplicates.
    pub fn compare_metrics(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for r in &self.compare {
            if !out.contains(&r.metric.as_str()) {
                out.push(&r.metric);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixture;
    use std::fs;

    #[test]
    fn reads_fixture() {
        let dir = tempfile::tempdir().unwrap();
        fixture::write(dir.path(), 3, 40).unwrap();
        let r = Results::read(dir.path()).unwrap();
        assert_eq!(r.scenarios.len(), 3);
        assert_eq!(r.run.baseline, r.scenarios[0].name);
        let runs = |s: usize, m: &str| -> u64 {
            r.distribution(&r.scenarios[s].name, m)
                .iter()
                .map(|d| d.1)
                .sum()
        };
        assert_eq!(
            runs(0, "completion_sprint") + runs(2, "value_efficiency"),
            80
        );
        assert!(r
            .summary
            .iter()
            .any(|s| matches!(s.p85(), Some(Pct::Beyond(_)))));
        let done = r.distribution(&r.scenarios[1].name, "completion_sprint");
        assert_eq!(done.last().unwrap().0, None, "{done:?}");
        // The same distributions from runs.csv, in a folder without distributions.csv.
        fs::remove_file(dir.path().join("distributions.csv")).unwrap();
        let old = Results::read(dir.path()).unwrap();
        assert_eq!(old.distributions, r.distributions);
    }

    #[test]
    fn bad_number_names_file_line_column() {
        let dir = tempfile::tempdir().unwrap();
        fixture::write(dir.path(), 2, 10).unwrap();
        let p = dir.path().join("summary.csv");
        let text = fs::read_to_string(&p).unwrap();
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        let mut cells: Vec<String> = lines[6].split(',').map(String::from).collect();
        cells[2] = "abc".into();
        lines[6] = cells.join(",");
        fs::write(&p, lines.join("\n")).unwrap();
        let err = Results::read(dir.path()).unwrap_err();
        let msg = format!("{err:#}");
        assert!(
            msg.ends_with("summary.csv:7: column 'mean': expected a number, got \"abc\""),
            "{msg}"
        );
        assert_eq!(crate::error::exit_code(&err), 2);
    }

    #[test]
    fn verdict_follows_better_when() {
        let mut row = CompareRow {
            scenario: "a".into(),
            baseline: "b".into(),
            metric: "m".into(),
            better_when: BetterWhen::Lower,
            mean_diff: Some(-1.0),
            ci95_low: Some(-2.0),
            ci95_high: Some(-0.5),
            better_share: None,
            variance_reduction: None,
            n: None,
        };
        assert_eq!(row.verdict(), Verdict::Better);
        row.better_when = BetterWhen::Higher;
        assert_eq!(row.verdict(), Verdict::Worse);
        row.ci95_high = Some(0.5);
        assert_eq!(row.verdict(), Verdict::Unclear);
    }
}
