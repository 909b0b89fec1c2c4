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
//! [`Aggregate`] that keeps per scenario the summaries of the chosen metrics, (if asked) every
//! value and ([`evaluate_paired`]) the paired difference from a reference scenario (streamed,
//! so memory does not grow with the runs).

pub mod attribute;
pub mod calibrate;
pub mod history;
pub mod meta;
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
    evaluate_paired(
        scenarios,
        seed,
        runs,
        precision,
        metrics,
        keep_values,
        None,
        progress,
    )
}

/// [`evaluate`]; with `reference`, every other scenario's paired difference from it too
/// ([`Aggregate::pair`]), streamed: memory does not grow with the runs.
#[allow(clippy::too_many_arguments)]
pub fn evaluate_paired(
    scenarios: &[Scenario],
    seed: u64,
    runs: u64,
    precision: Option<&Precision>,
    metrics: &[usize],
    keep_values: bool,
    reference: Option<usize>,
    progress: &dyn Fn(u64),
) -> Result<Aggregate> {
    let mut c = summaries_of(scenarios, metrics, keep_values);
    if let Some(g) = reference.filter(|&g| g < scenarios.len()) {
        c = c.paired_with(g);
    }
    run_until(scenarios, seed, runs, precision, metrics, &mut c, progress)?;
    Ok(c)
}

/// An empty [`Aggregate::summaries`] of `scenarios` (their horizons and planned releases)
/// for `metrics`, every value kept with `keep_values`.
pub fn summaries_of(scenarios: &[Scenario], metrics: &[usize], keep_values: bool) -> Aggregate {
    let (sprints, planned) = crate::aggregate::horizons(scenarios);
    Aggregate::summaries(&sprints, &planned, metrics, keep_values)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::{censored_fill, comparable_value, Pair, CHUNK};
    use crate::engine::metrics::{metric_index, METRICS};

    /// The streamed pairs equal the pairs of the kept values, across chunks (more scenarios
    /// than one engine comparison holds), and the reference, simulated in every chunk, counts
    /// once.
    #[test]
    fn streamed_pairs_equal_the_pairs_of_every_value_across_chunks() {
        let base = crate::scenario::load::load_scenario("forecast").unwrap();
        let n = CHUNK + 9;
        let scenarios: Vec<Scenario> = (0..n)
            .map(|i| params::set(&base, "backlog.initial_items", 30.0 + i as f64).unwrap())
            .collect();
        let metrics: Vec<usize> = ["completion_sprint", "items_done"]
            .iter()
            .map(|m| metric_index(m).unwrap())
            .collect();
        let (runs, g) = (40, n - 1);
        let c =
            evaluate_paired(&scenarios, 7, runs, None, &metrics, true, Some(g), &|_| {}).unwrap();
        assert_eq!(c.replications, runs);
        let fill = |s: &Scenario| {
            censored_fill(
                s.simulation.sprints as usize,
                s.release.planned_sprint.unwrap_or(0) as f64,
            )
        };
        let values = c.values();
        for s in 0..n {
            for (k, &m) in metrics.iter().enumerate() {
                assert_eq!(c.moments(s, m).n, runs, "scenario {s} counted once");
                assert_eq!(values[s][k].len(), runs as usize, "scenario {s} kept once");
                if s == g {
                    continue;
                }
                let mut p = Pair::default();
                for (&x, &y) in values[s][k].iter().zip(&values[g][k]) {
                    let (x, y) = (
                        comparable_value(&fill(&scenarios[s]), m, x),
                        comparable_value(&fill(&scenarios[g]), m, y),
                    );
                    p.add(x, y, METRICS[m].better);
                }
                let (want, got) = (p.summary(), c.pair(s, m));
                assert_eq!(
                    (want.mean_diff, want.ci95, want.better_share),
                    (got.mean_diff, got.ci95, got.better_share),
                    "scenario {s}, metric {m}"
                );
                assert_eq!(got.n, runs);
            }
        }
        // Scenario 0 has 38 fewer items than the reference: done sooner in most runs.
        let p0 = c.pair(0, metrics[0]);
        assert!(p0.mean_diff < 0.0 && p0.better_share > 0.9);
        // The reference against itself: n differences of 0.
        assert_eq!(
            (c.pair(g, metrics[0]).mean_diff, c.pair(g, metrics[0]).n),
            (0.0, runs)
        );
    }
}
