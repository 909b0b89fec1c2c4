//! Workshop tuning: many variants of one scenario, and the story of one run.
//!
//! - [`params`]: dotted-key get/set on a scenario (`pm.sync_interval`, `team.capacity.cv`),
//!   sensitivity ranges, `--param KEY=SPEC` parsing.
//! - [`sweep`]: a grid (one or two parameters) or a Latin hypercube design, every point on
//!   the same worlds (common random numbers), summarised per point and metric.
//! - [`sensitivity`]: one-at-a-time tornado with paired CIs, and Morris screening.
//! - [`trace`]: the events of replication K told sprint by sprint, optionally beside the
//!   same replication of another scenario.
//! - [`calibrate`]: a team's sprint history turned into a `[team]` capacity.
//!
//! [`evaluate`] is the shared front of the analyses: it runs any list of scenarios with one
//! seed through [`crate::aggregate::run_until`] (replication r is the same world in every one
//! of them), optionally in batches until a precision target is met, into an
//! [`Aggregate`] that keeps per scenario the summaries of the chosen metrics and (if asked)
//! every value.

pub mod attribute;
pub mod calibrate;
pub mod history;
pub mod validate;
pub use crate::scenario::params;
pub mod sensitivity;
pub mod sweep;
pub mod trace;
pub mod tracker;

use crate::aggregate::{run_until, Aggregate, Precision};
use crate::scenario::Scenario;
use anyhow::Result;
use std::path::Path;

/// What sweep and sensitivity take besides their own options: how many runs, which seed, the
/// sequential rule, and where and how to write.
#[derive(Debug, Clone)]
pub struct AnalysisRun {
    pub runs: Option<u64>,
    pub seed: Option<u64>,
    pub precision: Option<f64>,
    pub max_runs: u64,
    pub out: std::path::PathBuf,
    pub format: crate::output::ImageFormat,
    pub no_charts: bool,
    pub quiet: bool,
    /// Accept more than [`crate::output::progress::LARGE_REPLICATIONS`] replications.
    pub allow_large: bool,
}

impl AnalysisRun {
    /// Runs per variant (`--runs`, else the scenario's), and the sequential rule if asked.
    pub fn runs_and_precision(&self, base: &Scenario) -> Result<(u64, Option<Precision>)> {
        let runs = self.runs.unwrap_or(base.simulation.runs);
        if runs == 0 {
            return Err(crate::error::input_error("--runs must be at least 1"));
        }
        let precision = self
            .precision
            .map(|t| Precision::new(t, self.max_runs, runs))
            .transpose()?;
        Ok((runs, precision))
    }

    /// Before the work: refuse it above a few million replications unless `--allow-large`
    /// (saying how long it would take), and a progress bar over all `variants`.
    pub fn start(
        &self,
        what: &str,
        variants: usize,
        runs: u64,
        precision: Option<&Precision>,
        sprints: u32,
    ) -> Result<indicatif::ProgressBar> {
        let per_variant = precision.map_or(runs, |p| p.max_runs);
        let total = per_variant.saturating_mul(variants as u64);
        crate::output::progress::check_large(
            what,
            total,
            u64::from(sprints),
            self.allow_large,
            self.quiet,
        )?;
        Ok(crate::output::progress::bar(
            total,
            self.quiet,
            format!("{what}:"),
        ))
    }
}

/// Run `scenarios` on the same worlds (`seed`, replications 0..runs, or batches under
/// `precision`), keeping the summaries of `metrics` and, with `keep_values`, every value of
/// them. `progress(done)` is called after each batch of the engine with the replications
/// done summed over the scenarios.
pub fn evaluate(
    scenarios: &[Scenario],
    seed: u64,
    runs: u64,
    precision: Option<&Precision>,
    metrics: &[usize],
    keep_values: bool,
    progress: &dyn Fn(u64),
) -> Result<Aggregate> {
    let sprints: Vec<usize> = scenarios
        .iter()
        .map(|s| s.simulation.sprints as usize)
        .collect();
    let planned: Vec<f64> = scenarios
        .iter()
        .map(|s| s.release.planned_sprint.unwrap_or(0) as f64)
        .collect();
    let mut c = Aggregate::summaries(&sprints, &planned, metrics, keep_values);
    run_until(scenarios, seed, runs, precision, metrics, &mut c, progress)?;
    Ok(c)
}

/// Resolve `--metric` names (default: `default`) into metric indices.
pub fn metric_indices(names: &[String], default: &[&str]) -> Result<Vec<usize>> {
    use crate::engine::metrics::{metric_index, METRICS};
    let names: Vec<String> = if names.is_empty() {
        default.iter().map(|s| s.to_string()).collect()
    } else {
        names
            .iter()
            .flat_map(|n| n.split(','))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let mut out = Vec::new();
    for n in &names {
        let i = metric_index(n).ok_or_else(|| {
            let names = METRICS.iter().map(|m| m.name);
            crate::error::input_error(match crate::words::nearest(n, names.clone()) {
                Some(near) => format!("--metric {n:?}: no such metric; did you mean `{near}`?"),
                None => format!(
                    "--metric {n:?}: no such metric (metrics: {})",
                    names.collect::<Vec<_>>().join(", ")
                ),
            })
        })?;
        if !out.contains(&i) {
            out.push(i);
        }
    }
    Ok(out)
}

/// The command line as typed, with the program shown by its name only.
pub fn command_line() -> String {
    std::env::args()
        .enumerate()
        .map(|(i, a)| {
            let a = if i == 0 {
                Path::new(&a)
                    .file_name()
                    .map_or(a.clone(), |n| n.to_string_lossy().into_owned())
            } else {
                a
            };
            if a.contains(' ') {
                format!("{a:?}")
            } else {
                a
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `<pre>` of the command line that produced a section.
pub fn command_html() -> String {
    crate::output::report::command_block(&command_line())
}
