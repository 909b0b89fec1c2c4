//! `backsim sweep`: one scenario at many values of one or more parameters.
//!
//! One or two `--param` give a full grid (first parameter slowest); more than two, or
//! `--samples N`, give a Latin hypercube design over the parameters' ranges. Every point is
//! simulated on the same worlds (same seed and replications: common random numbers), so the
//! differences between points are the parameters' doing, not noise. A point's numbers are
//! exactly those a plain `backsim run` of the scenario with that value writes to summary.csv.

mod report;

use super::params::{self, Kind, ParamSpec};
use super::{evaluate, metric_indices};
use crate::aggregate::Aggregate;
use crate::engine::metrics::{Better, METRICS};
use crate::error::input_error;
use crate::format::fmt_num;
use crate::format::short;
use crate::output::charts::analysis as charts;
use crate::output::csv::censored_cell;
use crate::output::names;
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
        s.simulation.seed = seed;
        s.simulation.runs = runs;
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
        &["sweep.csv", "report.html"],
        metrics
            .iter()
            .map(|&m| format!("sweep_{}", METRICS[m].name)),
        (!opts.run.no_charts).then_some(opts.run.format),
    );
    let bytes = (points.len() * metrics.len()) as u64 * 256 + names.len() as u64 * CHART_BYTES;
    let mut publisher = Publisher::open(&opts.run.out, &names, bytes)?;
    // The scenario as given runs last, on the same worlds, so that every point can be
    // compared with it pair by pair (its own numbers are not a row of sweep.csv).
    let mut given = base.clone();
    given.simulation.seed = seed;
    given.simulation.runs = runs;
    scenarios.push(given);
    let mut c = evaluate(
        &scenarios,
        seed,
        runs,
        precision.as_ref(),
        &metrics,
        true,
        &|done| bar.set_position(done),
    )?;
    bar.finish_and_clear();
    let given = scenarios.pop().expect("the scenario as given");

    let (csv, means) = sweep_csv(&mut c, &specs, &points, &scenarios, &given);
    publisher.file("sweep.csv", csv.as_bytes())?;
    let mut svgs = Vec::new();
    let mut charts = Vec::new();
    if !opts.run.no_charts {
        for (k, &m) in metrics.iter().enumerate() {
            let name = METRICS[m].name;
            let chart_base = opts.run.out.join(format!("sweep_{name}"));
            let drawn = match (design, specs.len()) {
                (Design::Grid, 1) => {
                    let g = points.len();
                    let pts: Vec<charts::SweepPoint> = (0..points.len())
                        .map(|i| {
                            let s = c.summary(i, m);
                            let values = c.values();
                            let pg = paired_to_given(
                                &values[i][k],
                                &values[g][k],
                                m,
                                &scenarios[i],
                                &given,
                            );
                            charts::SweepPoint {
                                x: points[i][0],
                                mean: s.mean,
                                lo: s.ci95.0,
                                hi: s.ci95.1,
                                diff: (pg.mean_diff, pg.ci95.0, pg.ci95.1),
                                completed: s.observed as f64 / c.replications.max(1) as f64,
                            }
                        })
                        .collect();
                    charts::sweep_line(
                        &chart_base,
                        &format!(
                            "{} vs {}",
                            names::label(name),
                            names::param_label(&specs[0].key)
                        ),
                        &specs[0].key,
                        &format!("{} ({})", names::label(name), names::unit(name)),
                        &pts,
                        opts.run.format,
                    )?
                }
                (Design::Grid, _) => {
                    let (xs, ys) = (&specs[0].values, &specs[1].values);
                    let values: Vec<Vec<f64>> = (0..xs.len())
                        .map(|i| (0..ys.len()).map(|j| means[i * ys.len() + j][k]).collect())
                        .collect();
                    charts::sweep_heat(
                        &chart_base,
                        &format!("{name}: {} × {}", specs[0].key, specs[1].key),
                        &specs[0].key,
                        &specs[1].key,
                        xs,
                        ys,
                        &values,
                        METRICS[m].better == Better::Higher,
                        opts.run.format,
                    )?
                }
                (Design::LatinHypercube, _) => {
                    // Against the parameter whose rank correlation with the metric is largest.
                    let (p, rho) = strongest(&points, &means, k, specs.len());
                    let pts: Vec<charts::ScatterPoint> = (0..points.len())
                        .map(|i| charts::ScatterPoint {
                            label: String::new(),
                            x: points[i][p],
                            y: means[i][k],
                            world: false,
                        })
                        .collect();
                    charts::scatter(
                        &chart_base,
                        &format!("{name} vs {} (Latin hypercube)", specs[p].key),
                        &format!(
                            "{} sampled points; the strongest of {} parameters (Spearman ρ = {:.2})",
                            points.len(),
                            specs.len(),
                            rho
                        ),
                        &specs[p].key,
                        name,
                        &pts,
                        opts.run.format,
                    )?
                }
            };
            svgs.push((name, drawn.svg));
            charts.extend(drawn.files);
        }
    }
    let section = report_html(&specs, design, &points, &metrics, &means, &c, seed, &svgs);
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

/// ", precision met" or ", precision NOT met within --max-runs".
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

/// sweep.csv and the means (point × metric).
/// A sweep point against the scenario as given, replication by replication.
#[derive(Debug, Clone, Copy)]
pub struct PairedToGiven {
    pub mean_diff: f64,
    pub ci95: (f64, f64),
    /// Share of paired replications in which the point did better (ties count half).
    pub better_share: f64,
}

/// Paired difference of point − given over replications, censored values counting as the
/// horizon + 1 (like compare.csv: a restricted mean), with its 95 % t interval.
pub fn paired_to_given(
    point: &[f64],
    given: &[f64],
    m: usize,
    point_scenario: &Scenario,
    given_scenario: &Scenario,
) -> PairedToGiven {
    let fill = |s: &Scenario| {
        let h = s.simulation.sprints as f64 + 1.0;
        if m == 0 {
            h
        } else {
            h - s.release.planned_sprint.unwrap_or(0) as f64
        }
    };
    let comparable = |x: f64, s: &Scenario| {
        if x.is_nan() && METRICS[m].censored {
            fill(s)
        } else {
            x
        }
    };
    let mut d = crate::stats::Moments::default();
    let mut better = 0u64;
    for (&x, &y) in point.iter().zip(given) {
        let (x, y) = (comparable(x, point_scenario), comparable(y, given_scenario));
        if x.is_nan() || y.is_nan() {
            continue;
        }
        d.add(x - y);
        better += crate::aggregate::better_halves(x, y, METRICS[m].better);
    }
    let ci95 = if d.n >= 2 && d.sd() == 0.0 {
        (d.mean(), d.mean())
    } else {
        d.ci95()
    };
    PairedToGiven {
        mean_diff: d.mean(),
        ci95,
        better_share: if d.n > 0 {
            better as f64 / (2 * d.n) as f64
        } else {
            f64::NAN
        },
    }
}
