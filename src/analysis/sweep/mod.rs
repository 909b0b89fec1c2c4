//! `backsim sweep`: one scenario at many values of one or more parameters.
//!
//! One or two `--param` give a full grid (first parameter slowest); more than two, or
//! `--samples N`, give a Latin hypercube design over the parameters' ranges. Every point is
//! simulated on the same worlds (same seed and replications: common random numbers), so the
//! differences between points are the parameters' doing, not noise. A point's numbers are
//! exactly those a plain `backsim run` of the scenario with that value writes to summary.csv.

mod report;
pub mod table;

use super::params::{self, Kind, ParamSpec};
use super::{evaluate_paired, metric_indices};
use crate::aggregate::Aggregate;
use crate::engine::metrics::METRICS;
use crate::error::input_error;
use crate::format::fmt_num;
use crate::format::short;
use crate::output::csv::censored_cell;
use crate::output::publish::{set_names, Publisher, CHART_BYTES};
use crate::output::report::esc;
use crate::scenario::load::load_with_limits;
use crate::scenario::validate::Limits;
use crate::scenario::Scenario;
use anyhow::Result;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;
use std::path::PathBuf;

use report::{report_html, sweep_csv, text_table};

/// Most points in one sweep.
pub const MAX_POINTS: usize = 2_000;
/// Metrics shown when `--metric` is not given.
pub const DEFAULT_METRICS: [&str; 3] = [
    "value_efficiency",
    "release_delay_sprints",
    "decision_wait_share",
];

/// Validated-to-be options of a sweep.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    pub scenario: String,
    pub params: Vec<String>,
    pub samples: Option<usize>,
    pub metrics: Vec<String>,
    pub run: super::AnalysisRun,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Design {
    Grid,
    LatinHypercube,
}

/// What a sweep computed.
#[derive(Debug, Clone)]
pub struct SweepOutcome {
    pub design: Design,
    pub params: Vec<ParamSpec>,
    /// points[i][p]: value of parameter p at point i.
    pub points: Vec<Vec<f64>>,
    pub metrics: Vec<usize>,
    /// means[i][k]: mean of metric k at point i.
    pub means: Vec<Vec<f64>>,
    pub runs: u64,
    pub seed: u64,
    pub files: Vec<PathBuf>,
}

/// The grid's points, first parameter slowest.
fn grid(params: &[ParamSpec]) -> Vec<Vec<f64>> {
    let mut out: Vec<Vec<f64>> = vec![vec![]];
    for p in params {
        out = out
            .into_iter()
            .flat_map(|pt| {
                p.values.iter().map(move |v| {
                    let mut q = pt.clone();
                    q.push(*v);
                    q
                })
            })
            .collect();
    }
    out
}

/// A Latin hypercube of `n` points over the parameters' [low, high], seeded.
pub fn latin_hypercube(params: &[ParamSpec], n: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x1a71_c0be_5eed);
    let mut points = vec![Vec::with_capacity(params.len()); n];
    for p in params {
        let mut strata: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = rng.random_range(0..=i);
            strata.swap(i, j);
        }
        for (pt, s) in points.iter_mut().zip(strata) {
            let u = (s as f64 + rng.random::<f64>()) / n as f64;
            let mut v = p.low + (p.high - p.low) * u;
            if p.kind == Kind::Integer {
                v = v.round();
            } else {
                v = fmt_num(v).parse().unwrap_or(v);
            }
            pt.push(v);
        }
    }
    points
}

/// Run a sweep and write its files.
pub fn run(opts: &SweepOptions) -> Result<SweepOutcome> {
    let base = load_with_limits(&opts.scenario, &Limits::default())?;
    if opts.params.is_empty() {
        return Err(input_error(
            "sweep needs at least one --param KEY=SPEC (e.g. --param pm.sync_interval=1,2,4,8)",
        ));
    }
    let specs = opts
        .params
        .iter()
        .map(|a| params::parse_param(&base, a))
        .collect::<Result<Vec<_>>>()?;
    for (i, p) in specs.iter().enumerate() {
        if specs[..i].iter().any(|q| q.key == p.key) {
            return Err(input_error(format!(
                "--param {}: given twice; give each key once",
                p.key
            )));
        }
    }
    let metrics = metric_indices(&opts.metrics, &DEFAULT_METRICS)?;
    let seed = opts.run.seed.unwrap_or(base.simulation.seed);
    let design = if specs.len() <= 2 && opts.samples.is_none() {
        Design::Grid
    } else {
        Design::LatinHypercube
    };
    let points = match design {
        Design::Grid => grid(&specs),
        Design::LatinHypercube => {
            let n = opts.samples.unwrap_or(10 * specs.len());
            if n < 2 {
                return Err(input_error("--samples must be at least 2"));
            }
            for p in &specs {
                if p.high <= p.low {
                    return Err(input_error(format!(
                        "--param {}: a Latin hypercube needs a range LOW:HIGH with LOW < HIGH",
                        p.key
                    )));
                }
            }
            latin_hypercube(&specs, n, seed)
        }
    };
    if points.len() > MAX_POINTS {
        return Err(input_error(format!(
            "the sweep has {} points; at most {MAX_POINTS} (use fewer values or --samples)",
            points.len()
        )));
    }
    let (runs, precision) = opts.run.runs_and_precision(&base)?;
    let mut scenarios = Vec::with_capacity(points.len());
    for pt in &points {
        let mut s = base.clone();
        for (p, v) in specs.iter().zip(pt) {
            s = params::set(&s, &p.key, *v)
                .map_err(|e| input_error(format!("point {}: {e:#}", describe_point(&specs, pt))))?;
        }
        s.resolve_runs(runs, seed);
        scenarios.push(s);
    }
    if !opts.run.quiet {
        for p in &specs {
            for n in &p.notes {
                eprintln!("note: {n}");
            }
        }
        eprintln!(
            "sweep: {} × {}{} ({} design, seed {seed})",
            crate::words::count(points.len() as u64, "point"),
            crate::words::count(runs, "run"),
            if precision.is_some() {
                " per batch until the precision target"
            } else {
                ""
            },
            match design {
                Design::Grid => "grid",
                Design::LatinHypercube => "Latin hypercube",
            }
        );
    }
    let bar = opts.run.start(
        &format!(
            "sweep: {} × {}",
            crate::words::count(points.len() as u64, "point"),
            crate::words::count(runs, "run")
        ),
        // Every point, and the scenario as given.
        scenarios.len() + 1,
        runs,
        precision.as_ref(),
        base.simulation.sprints,
    )?;
    let names = set_names(
        &["sweep.csv", table::META_FILE, "report.html"],
        metrics
            .iter()
            .map(|&m| format!("sweep_{}", METRICS[m].name)),
        (!opts.run.no_charts).then_some(opts.run.format),
    );
    let bytes = (points.len() * metrics.len()) as u64 * 256 + names.len() as u64 * CHART_BYTES;
    let mut publisher = Publisher::open(&opts.run.out, &names, bytes)?.owning(chart_names_all());
    // The scenario as given runs last, on the same worlds, so that every point can be
    // compared with it pair by pair (its own numbers are not a row of sweep.csv).
    let mut given = base.clone();
    given.resolve_runs(runs, seed);
    scenarios.push(given);
    let mut c = evaluate_paired(
        &scenarios,
        seed,
        runs,
        precision.as_ref(),
        &metrics,
        false,
        Some(scenarios.len() - 1),
        &|done| bar.set_position(done),
    )?;
    bar.finish_and_clear();
    scenarios.pop().expect("the scenario as given");

    let (csv, means) = sweep_csv(&mut c, &specs, &points, &scenarios);
    publisher.file("sweep.csv", csv.as_bytes())?;
    let meta = table::Meta {
        common: super::meta::Common {
            command: super::command_line(),
            seed,
            precision_met: c.precision_met,
        },
        design,
    };
    publisher.file(table::META_FILE, meta.to_toml().as_bytes())?;
    // The charts and the report section are drawn from sweep.csv as written, as `backsim
    // plot` draws them.
    let written = table::Table::parse(&csv, &opts.run.out.join("sweep.csv"))?;
    let (section, charts) = draw(
        &written,
        &meta,
        &opts.run.out,
        opts.run.format,
        !opts.run.no_charts,
    )?;
    publisher.report_section("sweep", &section)?;
    publisher.extend(charts);
    let published = publisher.commit()?;
    if !opts.run.quiet {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        write!(out, "{}", text_table(&specs, &points, &metrics, &mut c))?;
        writeln!(
            out,
            "{} × {} (seed {seed}){} written to {}",
            crate::words::count(points.len() as u64, "point"),
            crate::words::count(c.replications, "run"),
            precision_note(&c),
            opts.run.out.display()
        )?;
        if let Some(note) = &published.replaced {
            writeln!(out, "{note}")?;
        }
    }
    Ok(SweepOutcome {
        design,
        params: specs,
        points,
        metrics,
        means,
        runs: c.replications,
        seed,
        files: published.files,
    })
}

/// The report section of a sweep and (with `charts`) its charts, pending in `dir`, drawn from
/// sweep.csv and sweep.toml as written: what the command and `backsim plot` both draw.
pub fn draw(
    t: &table::Table,
    meta: &table::Meta,
    dir: &std::path::Path,
    format: crate::output::ImageFormat,
    charts: bool,
) -> Result<(String, Vec<crate::output::atomic::PendingFile>)> {
    let drawn = if charts {
        table::draw_charts(t, meta.design, dir, format)?
    } else {
        Vec::new()
    };
    let mut files = Vec::new();
    let mut svgs = Vec::new();
    for (name, d) in drawn {
        files.extend(d.files);
        svgs.push((name, d.svg));
    }
    Ok((report_html(t, meta, &svgs), files))
}

/// ", precision met" or ", precision NOT met within --max-runs".
/// Every chart a sweep may draw (one per metric) in both formats: a new sweep replaces the
/// earlier one's section of the report, so a chart of the earlier sweep it does not draw goes
/// ([`Publisher::owning`]).
pub fn chart_names_all() -> Vec<String> {
    METRICS
        .iter()
        .flat_map(|m| {
            crate::output::publish::chart_names(
                &format!("sweep_{}", m.name),
                crate::output::ImageFormat::Both,
            )
        })
        .collect()
}

pub fn precision_note(c: &Aggregate) -> &'static str {
    match c.precision_met {
        None => "",
        Some(true) => ", precision target met",
        Some(false) => ", precision target NOT met within --max-runs",
    }
}

fn describe_point(specs: &[ParamSpec], pt: &[f64]) -> String {
    specs
        .iter()
        .zip(pt)
        .map(|(p, v)| format!("{}={}", p.key, fmt_num(*v)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Ranks (average ranks for ties).
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|a, b| v[*a].total_cmp(&v[*b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        for &t in &idx[i..=j] {
            r[t] = (i + j) as f64 / 2.0;
        }
        i = j + 1;
    }
    r
}

/// Spearman rank correlation.
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    let (rx, ry) = (ranks(x), ranks(y));
    let n = x.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx).powi(2);
        syy += (b - my).powi(2);
    }
    if sxx == 0.0 || syy == 0.0 {
        0.0
    } else {
        sxy / (sxx * syy).sqrt()
    }
}

fn strongest(points: &[Vec<f64>], means: &[Vec<f64>], k: usize, np: usize) -> (usize, f64) {
    let y: Vec<f64> = means.iter().map(|m| m[k]).collect();
    (0..np)
        .map(|p| {
            let x: Vec<f64> = points.iter().map(|pt| pt[p]).collect();
            (p, spearman(&x, &y))
        })
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
        .unwrap_or((0, 0.0))
}
