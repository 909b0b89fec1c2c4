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
//! [`evaluate`] is the shared engine of sweep and sensitivity: it runs any list of scenarios
//! with one seed (in comparisons of at most 64 scenarios; replication r is the same world in
//! every one of them), optionally in batches until a precision target is met, and keeps per
//! scenario and metric the moments, a quantile sketch, the paired difference from a reference
//! scenario (if asked; streamed, so memory does not grow with the runs) and (if asked) every
//! value.

pub mod attribute;
pub mod calibrate;
pub mod history;
pub mod validate;
pub use crate::scenario::params;
pub mod sensitivity;
pub mod sweep;
pub mod trace;
pub mod tracker;

use crate::aggregate::{comparable_value, Pair, PairSummary, METRIC_EXACT_CAP};
use crate::engine::driver::{Comparison, ReplicationSink};
use crate::engine::metrics::{RunRecord, N_SERIES};
use crate::scenario::Scenario;
use crate::stats::{Moments, QuantileSketch};
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

/// Most scenarios one engine comparison simulates together (its oracle table holds 64).
pub const CHUNK: usize = 64;

/// The sequential rule: add batches of `batch` replications until every chosen metric's
/// 95 % CI half-width is at most `target` × |mean|, or `max_runs` is reached.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Precision {
    pub target: f64,
    pub max_runs: u64,
    pub batch: u64,
}

impl Precision {
    /// Check the options; `batch` is the first batch too.
    pub fn new(target: f64, max_runs: u64, batch: u64) -> Result<Precision> {
        if !(target > 0.0 && target < 1.0) {
            return Err(crate::error::input_error(format!(
                "--precision {target}: must be a relative half-width in (0, 1), e.g. 0.05 for ±5 % of the mean"
            )));
        }
        if batch < 2 {
            return Err(crate::error::input_error(
                "--runs must be at least 2 with --precision (it is the batch size)",
            ));
        }
        if max_runs < batch {
            return Err(crate::error::input_error(format!(
                "--max-runs {max_runs} is below the first batch of {batch} runs"
            )));
        }
        Ok(Precision {
            target,
            max_runs,
            batch,
        })
    }

    /// Whether a mean is known well enough.
    pub fn met(&self, m: &Moments) -> bool {
        m.n >= 2 && {
            let hw = m.half_width();
            hw.is_finite() && hw <= self.target * m.mean().abs()
        }
    }
}

/// Mean, CI and quantiles of one metric at one point, formatted like `summary.csv`.
#[derive(Debug, Clone, Copy)]
pub struct PointSummary {
    pub mean: f64,
    pub ci95: (f64, f64),
    pub p50: f64,
    pub p85: f64,
    pub n: u64,
}

/// What [`evaluate`] collected.
#[derive(Debug, Clone)]
pub struct Collected {
    pub metrics: Vec<usize>,
    moments: Vec<Vec<Moments>>,
    sketches: Vec<Vec<QuantileSketch>>,
    /// `values[s][k][r]` when kept: metric `metrics[k]` of scenario s in replication r.
    pub values: Option<Vec<Vec<Vec<f64>>>>,
    /// With a reference scenario: `paired[s][k]`, scenario s against it replication by
    /// replication (censored values counting as the horizon + 1, like `compare.csv`).
    paired: Vec<Vec<Pair>>,
    reference: Option<usize>,
    pub runs: u64,
    /// Whether the precision target (if any) was met.
    pub precision_met: Option<bool>,
    /// Per scenario: the value a run that did not finish counts as in the mean of
    /// completion (index 0) and release delay (1): the horizon + 1, a restricted mean.
    fills: Vec<[f64; 2]>,
}

impl Collected {
    fn new(n: usize, metrics: &[usize], keep: bool, reference: Option<usize>) -> Self {
        Collected {
            metrics: metrics.to_vec(),
            moments: vec![vec![Moments::default(); metrics.len()]; n],
            sketches: vec![vec![QuantileSketch::new(METRIC_EXACT_CAP); metrics.len()]; n],
            values: keep.then(|| vec![vec![Vec::new(); metrics.len()]; n]),
            paired: match reference {
                Some(_) => vec![vec![Pair::default(); metrics.len()]; n],
                None => Vec::new(),
            },
            reference,
            runs: 0,
            precision_met: None,
            fills: vec![[f64::NAN; 2]; n],
        }
    }

    pub fn moments(&self, s: usize, k: usize) -> &Moments {
        &self.moments[s][k]
    }

    /// Scenario s against the reference scenario (see [`evaluate`]), chosen metric k: the
    /// paired difference s − reference, its 95 % CI and the share of runs s did better.
    pub fn paired(&self, s: usize, k: usize) -> PairSummary {
        assert!(self.reference.is_some(), "evaluate was given no reference");
        self.paired[s][k].summary()
    }

    /// Summary of scenario s, chosen metric k (same numbers as `summary.csv`: restricted
    /// means for censored metrics, inverse-CDF percentiles for integer ones).
    pub fn summary(&mut self, s: usize, k: usize) -> PointSummary {
        let m = &self.moments[s][k];
        let sk = &mut self.sketches[s][k];
        let integer = crate::engine::metrics::METRICS[self.metrics[k]].integer;
        let mut q = |p| {
            if integer {
                sk.quantile_inverse_cdf(p)
            } else {
                sk.quantile(p)
            }
        };
        PointSummary {
            mean: m.mean(),
            ci95: m.ci95(),
            p50: q(0.50),
            p85: q(0.85),
            // Runs with a value (the restricted mean also counts the unfinished ones).
            n: sk.count(),
        }
    }
}

struct ChunkSink<'a> {
    c: &'a mut Collected,
    /// The scenarios of the chunk, in its order.
    members: &'a [usize],
    /// Whether this chunk counts the reference's own numbers (it runs in every chunk, for the
    /// pairs, but is counted once).
    owns_reference: bool,
}

impl ReplicationSink for ChunkSink<'_> {
    fn replication(
        &mut self,
        _replication: u64,
        records: &[RunRecord],
        _series: &[&[[f64; N_SERIES]]],
    ) -> Result<()> {
        let reference = self.c.reference;
        let at = reference.and_then(|g| self.members.iter().position(|&s| s == g));
        for (j, rec) in records.iter().enumerate() {
            let s = self.members[j];
            if let (Some(g), Some(at)) = (reference, at) {
                if s != g {
                    for (k, &m) in self.c.metrics.iter().enumerate() {
                        let x = comparable_value(&self.c.fills[s], m, rec.metrics[m]);
                        let y = comparable_value(&self.c.fills[g], m, records[at].metrics[m]);
                        let better = crate::engine::metrics::METRICS[m].better;
                        self.c.paired[s][k].add(x, y, better);
                    }
                } else if !self.owns_reference {
                    continue;
                }
            }
            for (k, &m) in self.c.metrics.iter().enumerate() {
                let x = rec.metrics[m];
                if !x.is_nan() {
                    self.c.moments[s][k].add(x);
                } else if crate::engine::metrics::METRICS[m].censored {
                    self.c.moments[s][k].add(self.c.fills[s][m.min(1)]);
                }
                self.c.sketches[s][k].add(x);
                if let Some(v) = self.c.values.as_mut() {
                    v[s][k].push(x);
                }
            }
        }
        Ok(())
    }
}

/// The chunks [`evaluate`] simulates together: the scenarios in order, at most [`CHUNK`] a
/// chunk; with a reference, at most `CHUNK - 1` others and the reference last in every chunk
/// (so that each pair meets in one replication's records).
fn chunk_members(n: usize, reference: Option<usize>) -> Vec<Vec<usize>> {
    match reference {
        None => (0..n)
            .collect::<Vec<_>>()
            .chunks(CHUNK)
            .map(<[usize]>::to_vec)
            .collect(),
        Some(g) => {
            let others: Vec<usize> = (0..n).filter(|&s| s != g).collect();
            let mut chunks: Vec<Vec<usize>> = others
                .chunks(CHUNK - 1)
                .map(|ch| ch.iter().copied().chain([g]).collect())
                .collect();
            if chunks.is_empty() {
                chunks.push(vec![g]);
            }
            chunks
        }
    }
}

/// Run `scenarios` on the same worlds (`seed`, replications 0..runs, or batches under
/// `precision`), keeping the chosen metrics. `progress(done)` is called after each batch of
/// the engine with the replications done summed over the scenarios.
pub fn evaluate(
    scenarios: &[Scenario],
    seed: u64,
    runs: u64,
    precision: Option<&Precision>,
    metrics: &[usize],
    keep_values: bool,
    progress: &dyn Fn(u64),
) -> Result<Collected> {
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
/// ([`Collected::paired`]), streamed: memory does not grow with the runs.
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
) -> Result<Collected> {
    let reference = reference.filter(|&g| g < scenarios.len());
    let mut c = Collected::new(scenarios.len(), metrics, keep_values, reference);
    for (fill, s) in c.fills.iter_mut().zip(scenarios) {
        let after = s.simulation.sprints as f64 + 1.0;
        *fill = [after, after - s.release.planned_sprint.unwrap_or(0) as f64];
    }
    // (members, whether it counts the reference, scenarios counted before it, engine).
    let mut counted = 0;
    let comparisons: Vec<(Vec<usize>, bool, usize, Comparison)> =
        chunk_members(scenarios.len(), reference)
            .into_iter()
            .enumerate()
            .map(|(i, members)| {
                let chunk: Vec<Scenario> = members.iter().map(|&s| scenarios[s].clone()).collect();
                let owns = i == 0;
                let before = counted;
                counted += members.len() - usize::from(reference.is_some() && !owns);
                let cmp = Comparison::new(&chunk, seed, runs);
                (members, owns, before, cmp)
            })
            .collect();
    let n = scenarios.len() as u64;
    let (mut start, mut end) = (0, precision.map_or(runs, |p| p.batch));
    loop {
        for (members, owns, offset, cmp) in &comparisons {
            let mut sink = ChunkSink {
                c: &mut c,
                members,
                owns_reference: *owns,
            };
            let len = (members.len() - usize::from(reference.is_some() && !owns)) as u64;
            // Replications × variants done: the earlier batches, the earlier chunks of this
            // batch, then this chunk's share.
            let before = start * n + (end - start) * *offset as u64;
            cmp.run_range(start, end, &mut sink, &|after| {
                progress(before + (after - start) * len)
            })?;
        }
        c.runs = end;
        let Some(p) = precision else { break };
        let met = c.moments.iter().flatten().all(|m| p.met(m));
        c.precision_met = Some(met);
        if met || end >= p.max_runs {
            break;
        }
        start = end;
        end = (end + p.batch).min(p.max_runs);
    }
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
    format!(
        "<pre class=\"cmd\"><code>{}</code></pre>\n",
        crate::output::report::esc(&command_line())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let values = c.values.as_ref().unwrap();
        for s in 0..n {
            for (k, &m) in metrics.iter().enumerate() {
                assert_eq!(c.moments(s, k).n, runs, "scenario {s} counted once");
                if s == g {
                    continue;
                }
                let mut p = Pair::default();
                for (&x, &y) in values[s][k].iter().zip(&values[g][k]) {
                    let (x, y) = (
                        comparable_value(&c.fills[s], m, x),
                        comparable_value(&c.fills[g], m, y),
                    );
                    p.add(x, y, METRICS[m].better);
                }
                let (want, got) = (p.summary(), c.paired(s, k));
                assert_eq!(
                    (want.mean_diff, want.ci95, want.better_share),
                    (got.mean_diff, got.ci95, got.better_share),
                    "scenario {s}, metric {m}"
                );
                assert_eq!(got.n, runs);
            }
        }
        // Scenario 0 has 38 fewer items than the reference: done sooner in most runs.
        assert!(c.paired(0, 0).mean_diff < 0.0 && c.paired(0, 0).better_share > 0.9);
    }

    #[test]
    fn the_reference_is_last_in_every_chunk_and_the_chunks_hold_every_scenario_once() {
        let chunks = chunk_members(2 * CHUNK, Some(5));
        assert_eq!(chunks.len(), 3);
        assert!(chunks
            .iter()
            .all(|c| c.len() <= CHUNK && c.last() == Some(&5)));
        let mut all: Vec<usize> = chunks
            .iter()
            .flat_map(|c| c[..c.len() - 1].to_vec())
            .collect();
        all.push(5);
        all.sort();
        assert_eq!(all, (0..2 * CHUNK).collect::<Vec<_>>());
        assert_eq!(
            chunk_members(70, None)
                .iter()
                .map(Vec::len)
                .collect::<Vec<_>>(),
            [64, 6]
        );
    }
}
