//! `backsim sensitivity`: which levers move a metric, and how much.
//!
//! - Tornado (default): each parameter with a sensitivity range (the built-in table in
//!   the lever table's ranges ([`crate::scenario::levers`]), overridden or extended by the scenario's
//!   `[sensitivity]` section) is set to its low and then its high end, one at a time, the
//!   others staying at the scenario's values. Every variant runs on the same worlds as the
//!   scenario (common random numbers), so the effect high − low is a paired difference with a
//!   tight CI, and a parameter the metric cannot depend on has an effect of exactly 0.
//! - Morris (`--method morris`): r one-at-a-time trajectories through a 4-level grid over
//!   all ranges at once; per parameter the elementary effects' mean μ, mean of absolute
//!   values μ* (importance) and standard deviation σ (non-linearity or interactions),
//!   in metric units per full range [Saltelli et al. 2008].

mod report;
pub mod table;
mod tornado;

use super::params::{self, Kind, Range};
use super::{metric_indices, summaries_of};
use crate::aggregate::{run_until, Feed, Precision};
use crate::engine::metrics::METRICS;
use crate::error::input_error;
use crate::format::fmt_num;
use crate::format::short;
use crate::output::charts::analysis as charts;
use crate::output::names;
use crate::output::publish::{set_names, Publisher, CHART_BYTES};
use crate::scenario::load::load_with_limits;
use crate::scenario::validate::Limits;
use crate::scenario::Scenario;
use crate::stats::Moments;
use anyhow::Result;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
pub use report::clarity;
use report::{report_html, sensitivity_csv, text_table};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Tornado,
    Morris,
}

#[derive(Debug, Clone)]
pub struct SensitivityOptions {
    pub scenario: String,
    pub metric: Option<String>,
    pub method: Method,
    /// Morris trajectories.
    pub trajectories: usize,
    pub run: super::AnalysisRun,
}

/// One parameter's result.
#[derive(Debug, Clone)]
pub struct Effect {
    pub key: String,
    pub low: f64,
    pub high: f64,
    /// Tornado: the metric's mean at the low and high ends, with the 95 % CI of the paired
    /// difference from the scenario as given, placed around that mean.
    pub at_low: (f64, f64, f64),
    pub at_high: (f64, f64, f64),
    /// Tornado: paired mean of high − low and its CI.
    pub effect: f64,
    /// Tornado: whether the low or the high end differs clearly (paired 95 % CI excludes 0)
    /// from the scenario as given.
    pub ends_clear: bool,
    /// Tornado: largest minus smallest of the means at low, as given and at high.
    pub spread: f64,
    pub effect_ci: (f64, f64),
    /// Morris: μ, μ*, σ of the elementary effects.
    pub mu: f64,
    pub mu_star: f64,
    pub sigma: f64,
}

impl Effect {
    /// What the ranking sorts by within its class (see [`Effect::rank_class`]): the spread of
    /// the three means (tornado) or μ* (Morris).
    pub fn importance(&self, method: Method) -> f64 {
        match method {
            Method::Tornado => self.spread,
            Method::Morris => self.mu_star,
        }
    }

    /// Tornado ranks clear effects first, then unclear ones, then exact zeros, each by
    /// spread, so a "no" never ranks above a "yes". Morris has one class.
    pub fn rank_class(&self, method: Method) -> u8 {
        match (method, clarity(self)) {
            (Method::Morris, _) => 0,
            (_, "yes") => 0,
            (_, "no") => 1,
            _ => 2,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SensitivityOutcome {
    pub method: Method,
    pub metric: usize,
    pub baseline: (f64, f64, f64),
    /// Sorted, most important first.
    pub effects: Vec<Effect>,
    pub runs: u64,
    pub files: Vec<PathBuf>,
}

fn set_all(base: &Scenario, values: &[(&str, f64)]) -> Result<Scenario> {
    let mut s = base.clone();
    for (k, v) in values {
        s = params::set(&s, k, *v).map_err(|e| input_error(format!("sensitivity range: {e:#}")))?;
    }
    Ok(s)
}

pub fn run(opts: &SensitivityOptions) -> Result<SensitivityOutcome> {
    let base = load_with_limits(&opts.scenario, &Limits::default())?;
    let metric = metric_indices(
        &opts.metric.iter().cloned().collect::<Vec<_>>(),
        &["value_efficiency"],
    )?;
    if metric.len() != 1 {
        return Err(input_error("sensitivity takes one --metric"));
    }
    let ranges = params::sensitivity_ranges(&base)?;
    if ranges.is_empty() {
        return Err(input_error(
            "no parameter has a sensitivity range (the scenario's [sensitivity] section switched them all off)",
        ));
    }
    let seed = opts.run.seed.unwrap_or(base.simulation.seed);
    let (runs, precision) = opts.run.runs_and_precision(&base)?;
    if opts.method == Method::Morris && opts.trajectories < 2 {
        return Err(input_error("--trajectories must be at least 2"));
    }
    let mut base = base;
    base.simulation.seed = seed;
    let (id, stem) = match opts.method {
        Method::Tornado => ("sensitivity-tornado", "sensitivity_tornado"),
        Method::Morris => ("sensitivity-morris", "sensitivity_morris"),
    };
    let names = set_names(
        &["sensitivity.csv", table::META_FILE, "report.html"],
        [stem.to_string()],
        (!opts.run.no_charts).then_some(opts.run.format),
    );
    let bytes = ranges.len() as u64 * 1024 + names.len() as u64 * CHART_BYTES;
    let owned = crate::output::publish::chart_names(stem, crate::output::ImageFormat::Both);
    let mut publisher = Publisher::open(&opts.run.out, &names, bytes)?.owning(owned);
    let design = Design {
        base: &base,
        ranges: &ranges,
        metric: &metric,
        runs,
        precision: precision.as_ref(),
        opts,
    };
    let (baseline, mut effects, used, met) = match opts.method {
        Method::Tornado => tornado::tornado(&design)?,
        Method::Morris => morris(&design)?,
    };
    effects.sort_by(|a, b| {
        a.rank_class(opts.method)
            .cmp(&b.rank_class(opts.method))
            .then(
                b.importance(opts.method)
                    .total_cmp(&a.importance(opts.method)),
            )
    });
    let m = metric[0];
    let name = METRICS[m].name;
    let csv = sensitivity_csv(opts.method, m, baseline.0, &effects, used);
    publisher.file("sensitivity.csv", csv.as_bytes())?;
    let meta = table::Meta {
        common: super::meta::Common {
            command: super::command_line(),
            seed,
            precision_met: met,
        },
        baseline_ci95: (baseline.1, baseline.2),
        clear_ends: effects
            .iter()
            .filter(|e| e.ends_clear)
            .map(|e| e.key.clone())
            .collect(),
    };
    publisher.file(table::META_FILE, meta.to_toml().as_bytes())?;
    // The chart and the report section are drawn from sensitivity.csv as written, as
    // `backsim plot` draws them.
    let written = table::Table::parse(
        &csv,
        &opts.run.out.join("sensitivity.csv"),
        &meta.clear_ends,
    )?;
    let (section, charts) = draw(
        &written,
        &meta,
        &opts.run.out,
        opts.run.format,
        !opts.run.no_charts,
    )?;
    let precision_text = meta.precision_note();
    publisher.report_section(id, &section)?;
    publisher.extend(charts);
    let published = publisher.commit()?;
    if !opts.run.quiet {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        write!(out, "{}", text_table(opts.method, name, baseline, &effects))?;
        writeln!(
            out,
            "{} × {} (seed {seed}){precision_text} written to {}",
            crate::words::count(effects.len() as u64, "parameter"),
            crate::words::count(used, "run"),
            opts.run.out.display()
        )?;
        if let Some(note) = &published.replaced {
            writeln!(out, "{note}")?;
        }
    }
    Ok(SensitivityOutcome {
        method: opts.method,
        metric: m,
        baseline,
        effects,
        runs: used,
        files: published.files,
    })
}

/// The report section of a sensitivity analysis and (with `charts`) its chart, pending in
/// `dir`, drawn from sensitivity.csv and sensitivity.toml as written: what the command and
/// `backsim plot` both draw.
pub fn draw(
    t: &table::Table,
    meta: &table::Meta,
    dir: &std::path::Path,
    format: crate::output::ImageFormat,
    with_chart: bool,
) -> Result<(String, Vec<crate::output::atomic::PendingFile>)> {
    let (method, effects) = (t.method, &t.effects);
    let name = METRICS[t.metric].name;
    let base = dir.join(t.chart_stem());
    let mut files = Vec::new();
    let mut svg = String::new();
    if with_chart {
        let drawn = match method {
            Method::Tornado => {
                let bars: Vec<charts::TornadoBar> = effects
                    .iter()
                    .map(|e| charts::TornadoBar {
                        label: format!("{} {}–{}", e.key, fmt_num(e.low), fmt_num(e.high)),
                        low: e.at_low,
                        high: e.at_high,
                        world: params::is_world(&e.key),
                        clear: clarity(e) == "yes",
                    })
                    .collect();
                charts::tornado(
                    &base,
                    &format!("What moves {}", names::label(name).to_lowercase()),
                    &format!(
                        "Mean {} (scenario as given: {})",
                        names::label(name).to_lowercase(),
                        short(t.baseline_mean)
                    ),
                    t.baseline_mean,
                    &bars,
                    format,
                )?
            }
            Method::Morris => {
                let pts: Vec<charts::ScatterPoint> = effects
                    .iter()
                    .map(|e| charts::ScatterPoint {
                        label: e.key.clone(),
                        x: e.mu_star,
                        y: e.sigma,
                        world: params::is_world(&e.key),
                    })
                    .collect();
                charts::scatter(
                    &base,
                    &format!("Morris screening of {}", names::label(name).to_lowercase()),
                    "right = important; up = non-linear or interacting with other levers",
                    &format!(
                        "μ* (mean |elementary effect|, {} per full range)",
                        names::label(name).to_lowercase()
                    ),
                    "σ of the elementary effects",
                    &pts,
                    format,
                )?
            }
        };
        files = drawn.files;
        svg = drawn.svg;
    }
    let section = report_html(
        method,
        t.metric,
        (t.baseline_mean, meta.baseline_ci95.0, meta.baseline_ci95.1),
        effects,
        t.runs,
        meta.common.seed,
        meta.precision_note(),
        &svg,
        &meta.common.command,
    );
    Ok((section, files))
}

type Found = ((f64, f64, f64), Vec<Effect>, u64, Option<bool>);

/// What a sensitivity method works on: the scenario (its seed set), the parameters' ranges,
/// the one metric, and how many runs (or to what precision).
pub(super) struct Design<'a> {
    pub base: &'a Scenario,
    pub ranges: &'a [Range],
    pub metric: &'a [usize],
    pub runs: u64,
    pub precision: Option<&'a Precision>,
    pub opts: &'a SensitivityOptions,
}

/// Every variant of `scenarios` (`base` first) on the same worlds (the scenario's seed),
/// fed to `feed`, under a progress bar.
fn evaluate_variants(d: &Design, scenarios: &[Scenario], feed: &mut dyn Feed) -> Result<()> {
    let Design {
        base,
        metric,
        runs,
        precision,
        opts,
        ..
    } = *d;
    let bar = opts.run.start(
        &format!(
            "sensitivity: {} × {}",
            crate::words::count(scenarios.len() as u64, "variant"),
            crate::words::count(runs, "run")
        ),
        scenarios.len(),
        runs,
        precision,
        base.simulation.sprints,
    )?;
    run_until(
        scenarios,
        base.simulation.seed,
        runs,
        precision,
        metric,
        feed,
        &|done| bar.set_position(done),
    )?;
    bar.finish_and_clear();
    Ok(())
}

/// Morris trajectories on a 4-level grid, steps of Δ = 2/3 upwards: (start in {0, 1/3}^k,
/// order of the steps) per trajectory.
pub fn morris_design(k: usize, r: usize, seed: u64) -> Vec<(Vec<f64>, Vec<usize>)> {
    const LEVELS: f64 = 4.0;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x3022_15ed_0a11);
    (0..r)
        .map(|_| {
            let start: Vec<f64> = (0..k)
                .map(|_| rng.random_range(0..2u32) as f64 / (LEVELS - 1.0))
                .collect();
            let mut order: Vec<usize> = (0..k).collect();
            for i in (1..k).rev() {
                let j = rng.random_range(0..=i);
                order.swap(i, j);
            }
            (start, order)
        })
        .collect()
}

fn morris(d: &Design) -> Result<Found> {
    let Design {
        base,
        ranges,
        metric,
        runs,
        precision,
        opts,
    } = *d;
    let k = ranges.len();
    let delta = 2.0 / 3.0;
    let design = morris_design(k, opts.trajectories, base.simulation.seed);
    let value = |i: usize, x: f64| {
        let r = &ranges[i];
        let v = r.low + x * (r.high - r.low);
        match params::kind_of(base, &r.key) {
            Ok(Kind::Integer) => v.round(),
            _ => v,
        }
    };
    let mut scenarios = vec![base.clone()];
    for (start, order) in &design {
        let mut x = start.clone();
        let point = |x: &[f64]| -> Result<Scenario> {
            let vals: Vec<(&str, f64)> = ranges
                .iter()
                .enumerate()
                .map(|(i, r)| (r.key.as_str(), value(i, x[i])))
                .collect();
            set_all(base, &vals)
        };
        scenarios.push(point(&x)?);
        for &i in order {
            x[i] += delta;
            scenarios.push(point(&x)?);
        }
    }
    announce(
        opts,
        &format!(
            "sensitivity (Morris): {}, {}, {}",
            crate::words::count(k as u64, "parameter"),
            crate::words::count_irregular(design.len() as u64, "trajectory", "trajectories"),
            crate::words::count(scenarios.len() as u64, "point")
        ),
        runs,
        precision.is_some(),
    );
    let mut c = summaries_of(&scenarios, metric, false);
    evaluate_variants(d, &scenarios, &mut c)?;
    let y = |s: usize| c.moments(s, metric[0]).mean();
    let mut ee: Vec<Moments> = vec![Moments::default(); k];
    let mut abs: Vec<Moments> = vec![Moments::default(); k];
    let mut s = 1;
    for (_, order) in &design {
        for &i in order {
            let e = (y(s + 1) - y(s)) / delta;
            if e.is_finite() {
                ee[i].add(e);
                abs[i].add(e.abs());
            }
            s += 1;
        }
        s += 1;
    }
    let b = c.moments(0, metric[0]);
    let (lo, hi) = b.ci95();
    let effects = ranges
        .iter()
        .enumerate()
        .map(|(i, r)| Effect {
            key: r.key.clone(),
            low: r.low,
            high: r.high,
            at_low: (f64::NAN, f64::NAN, f64::NAN),
            at_high: (f64::NAN, f64::NAN, f64::NAN),
            effect: f64::NAN,
            spread: f64::NAN,
            effect_ci: (f64::NAN, f64::NAN),
            ends_clear: false,
            mu: ee[i].mean(),
            mu_star: abs[i].mean(),
            sigma: ee[i].sd(),
        })
        .collect();
    Ok(((b.mean(), lo, hi), effects, c.replications, c.precision_met))
}

/// Tell the user what is about to run (unless quiet).
fn announce(opts: &SensitivityOptions, what: &str, runs: u64, sequential: bool) {
    if !opts.run.quiet {
        let until = if sequential {
            " per batch until the precision target"
        } else {
            ""
        };
        eprintln!("{what} × {}{until}", crate::words::count(runs, "run"));
    }
}
