//! The CSV files of a run (see docs/outputs.md) and `scenarios.toml`.

use crate::aggregate::Aggregate;
use crate::engine::metrics::{METRICS, N_METRICS, SERIES, THROUGHPUT_METRICS};
use crate::scenario::Scenario;
use std::fmt::Write as _;

/// The CSV cell formatter lives in the foundation ([`crate::format`]); re-exported for writers.
pub use crate::format::{fmt_num, push_num};

mod rows;
pub use rows::{push_run_row, CellCache, RowName, RunRows};

/// The metric columns of runs.csv for these scenarios: every metric, or only the
/// throughput model's when every scenario is a throughput forecast (a mixed run keeps the
/// union, which is every metric).
pub fn run_columns(scenarios: &[Scenario]) -> Vec<usize> {
    if !scenarios.is_empty()
        && scenarios
            .iter()
            .all(|s| s.simulation.model == crate::scenario::ModelKind::Throughput)
    {
        THROUGHPUT_METRICS.to_vec()
    } else {
        (0..N_METRICS).collect()
    }
}

/// The header of runs.csv with these metric columns (see [`run_columns`]).
pub fn runs_header(columns: &[usize]) -> String {
    let mut h = String::from("scenario,run");
    for &m in columns {
        h.push(',');
        h.push_str(METRICS[m].name);
    }
    h.push('\n');
    h
}

/// `distributions.csv`: per scenario and charted metric (see
/// [`crate::aggregate::DISTRIBUTION_METRICS`]), how many runs had each value, in ascending
/// order, then the runs without a value (an empty `value`).
pub fn distributions_csv(agg: &Aggregate, scenarios: &[Scenario]) -> String {
    let mut out = String::from("scenario,metric,value,count\n");
    for (s, sc) in scenarios.iter().enumerate() {
        for (k, &m) in crate::aggregate::DISTRIBUTION_METRICS.iter().enumerate() {
            let d = agg.distribution(s, k);
            for (x, c) in d.values() {
                out.push_str(&sc.name);
                out.push(',');
                out.push_str(METRICS[m].name);
                out.push(',');
                push_num(&mut out, x);
                out.push(',');
                out.push_str(itoa::Buffer::new().format(c));
                out.push('\n');
            }
            if d.none() > 0 {
                let _ = writeln!(out, "{},{},,{}", sc.name, METRICS[m].name, d.none());
            }
        }
    }
    out
}

/// Where a censored quantile is reported: `>H`.
pub fn censored_cell(scenario: &Scenario, metric: usize) -> String {
    let h = scenario.simulation.sprints as f64;
    let bound = if metric == 0 {
        h
    } else {
        h - scenario.release.planned_sprint.unwrap_or(0) as f64
    };
    format!(">{}", fmt_num(bound))
}

/// The date columns summary.csv has when a scenario has a calendar (after the others, so
/// every other column keeps its bytes): the date of the sprint each completion percentile
/// falls in (rounded up to whole sprints).
pub const DATE_COLUMNS: [&str; 8] = [
    "p5_date", "p10_date", "p25_date", "p50_date", "p75_date", "p85_date", "p90_date", "p95_date",
];

pub fn summary_csv(agg: &mut Aggregate, scenarios: &[Scenario]) -> String {
    let dated = scenarios.iter().any(|s| s.calendar().is_some());
    let mut out = String::from("scenario,metric,mean,sd,ci95_low,ci95_high,p5,p10,p25,p50,p75,p85,p90,p95,n,completed_share");
    if dated {
        for c in DATE_COLUMNS {
            out.push(',');
            out.push_str(c);
        }
    }
    out.push('\n');
    for (s, sc) in scenarios.iter().enumerate() {
        for (m, info) in METRICS.iter().enumerate() {
            let sum = agg.summary(s, m);
            let _ = write!(
                out,
                "{},{},{},{},{},{}",
                sc.name,
                info.name,
                fmt_num(sum.mean),
                fmt_num(sum.sd),
                fmt_num(sum.ci95.0),
                fmt_num(sum.ci95.1)
            );
            for q in sum.quantiles {
                out.push(',');
                if q.is_infinite() && info.censored {
                    out.push_str(&censored_cell(sc, m));
                } else {
                    out.push_str(&fmt_num(q));
                }
            }
            let _ = write!(out, ",{},{}", sum.n, fmt_num(sum.completed_share));
            if dated {
                let calendar = sc.calendar().filter(|_| m == 0);
                for q in sum.quantiles {
                    out.push(',');
                    if let Some(c) = &calendar {
                        if q.is_finite() {
                            let _ = write!(out, "{}", c.sprint_end(q.ceil().max(1.0) as u32));
                        }
                    }
                }
            }
            out.push('\n');
        }
    }
    out
}

pub fn compare_csv(agg: &Aggregate, scenarios: &[Scenario]) -> String {
    let mut out = String::from("scenario,baseline,metric,better_when,mean_diff,ci95_low,ci95_high,better_share,variance_reduction,n\n");
    let base = &scenarios[agg.baseline].name;
    for (s, sc) in scenarios.iter().enumerate() {
        for (m, info) in METRICS.iter().enumerate().take(N_METRICS) {
            let p = agg.pair(s, m);
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{}",
                sc.name,
                base,
                info.name,
                info.better.as_str(),
                fmt_num(p.mean_diff),
                fmt_num(p.ci95.0),
                fmt_num(p.ci95.1),
                fmt_num(p.better_share),
                fmt_num(p.variance_reduction),
                p.n
            );
        }
    }
    out
}

pub fn sprints_csv(agg: &mut Aggregate, scenarios: &[Scenario]) -> String {
    let mut out = String::from("scenario,sprint,series,mean,p10,p50,p90\n");
    for (s, sc) in scenarios.iter().enumerate() {
        for sprint in 0..agg.sprints(s) {
            for (k, name) in SERIES.iter().enumerate() {
                let (mean, p10, p50, p90) = agg.band(s, sprint, k);
                let _ = writeln!(
                    out,
                    "{},{},{},{},{},{},{}",
                    sc.name,
                    sprint + 1,
                    name,
                    fmt_num(mean),
                    fmt_num(p10),
                    fmt_num(p50),
                    fmt_num(p90)
                );
            }
        }
    }
    out
}

/// What was run, for `scenarios.toml`.
#[derive(Debug, Clone)]
pub struct RunMeta {
    pub version: String,
    pub command: String,
    pub seed: u64,
    pub runs: u64,
    pub baseline: String,
    pub date: String,
}

pub fn scenarios_toml(meta: &RunMeta, scenarios: &[Scenario]) -> anyhow::Result<String> {
    let mut run = toml::Table::new();
    run.insert("version".into(), meta.version.clone().into());
    run.insert("command".into(), meta.command.clone().into());
    run.insert("seed".into(), toml::Value::Integer(meta.seed as i64));
    run.insert("runs".into(), toml::Value::Integer(meta.runs as i64));
    run.insert("baseline".into(), meta.baseline.clone().into());
    run.insert("date".into(), meta.date.clone().into());
    let max_sprints = scenarios
        .iter()
        .map(|s| s.simulation.sprints)
        .max()
        .unwrap_or(0);
    run.insert("sprints".into(), toml::Value::Integer(max_sprints as i64));
    let mut doc = toml::Table::new();
    doc.insert("run".into(), toml::Value::Table(run));
    let mut list = Vec::new();
    for s in scenarios {
        list.push(toml::Value::Table(toml::Table::try_from(s)?));
    }
    doc.insert("scenario".into(), toml::Value::Array(list));
    Ok(format!(
        "# Written by backsim: the resolved scenarios of this run.\n{}",
        toml::to_string_pretty(&doc)?
    ))
}

/// A low estimate of the bytes `backsim run` writes (runs.csv dominates; a runs.csv row is
/// about 250 bytes), plus the charts and report when they are drawn. Used to refuse a run
/// whose results clearly cannot fit before any simulation.
pub fn estimated_output_bytes(runs: u64, scenarios: &[Scenario], charts: bool) -> u64 {
    let n = scenarios.len() as u64;
    let sprints: u64 = scenarios.iter().map(|s| s.simulation.sprints as u64).sum();
    let runs_csv = runs.saturating_mul(n).saturating_mul(150);
    let small = sprints * crate::engine::N_SERIES as u64 * 40 + n * 8_000;
    let drawn = if charts { 1 << 20 } else { 0 };
    runs_csv.saturating_add(small).saturating_add(drawn)
}

#[cfg(test)]
mod tests;
