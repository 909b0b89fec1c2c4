//! `backsim run`: simulate the scenarios side by side, write every file atomically, draw,
//! print the table.

use super::{image_format, shell_quote};
use crate::aggregate::{run_until_prepared, Aggregate, Chunk, Counter, Feed, Precision};
use crate::cli::RunArgs;
use crate::engine::driver::{Prepare, Replications};
use crate::error::input_error;
use crate::output::csv as out_csv;
use crate::output::forecast::Forecasts;
use crate::output::publish::Publisher;
use crate::scenario::load::load_with_limits;
use crate::scenario::presets::ARCHETYPES;
use crate::scenario::validate::Limits;
use crate::scenario::Scenario;
use anyhow::{Context, Result};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// First batch and batch size of `--precision` when `--runs` is not given.
pub const PRECISION_BATCH: u64 = 200;

fn metric_names(m: &[usize]) -> String {
    m.iter()
        .map(|&i| crate::engine::metrics::METRICS[i].name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Most scenarios in one comparison.
pub const MAX_SCENARIOS: usize = crate::aggregate::CHUNK;

/// What `run` produced.
#[derive(Debug)]
pub struct RunOutcome {
    pub files: Vec<PathBuf>,
    pub scenarios: Vec<Scenario>,
    pub runs: u64,
    pub seed: u64,
}

/// Options of a comparison run, validated.
struct RunPlan {
    scenarios: Vec<Scenario>,
    baseline: usize,
    runs: u64,
    seed: u64,
}

fn plan(args: &RunArgs) -> Result<RunPlan> {
    let limits = if args.allow_large {
        Limits::large()
    } else {
        Limits::default()
    };
    let specs: Vec<String> = if args.scenarios.is_empty() {
        ARCHETYPES.iter().map(|s| s.to_string()).collect()
    } else {
        args.scenarios.clone()
    };
    if specs.len() > MAX_SCENARIOS {
        return Err(input_error(format!(
            "{} scenarios given; a comparison holds at most {MAX_SCENARIOS}",
            specs.len()
        )));
    }
    let mut scenarios = Vec::new();
    for spec in &specs {
        let s = load_with_limits(spec, &limits)?;
        if let Some(prev) = scenarios.iter().position(|p: &Scenario| p.name == s.name) {
            return Err(input_error(format!(
                "{spec}: scenario name {:?} is already used by {}; names must be unique in a comparison (set `name` in the file)",
                s.name, specs[prev]
            )));
        }
        scenarios.push(s);
    }
    let baseline = match &args.baseline {
        None => 0,
        Some(name) => scenarios
            .iter()
            .position(|s| {
                &s.name == name
                    || specs
                        .iter()
                        .position(|x| x == name)
                        .is_some_and(|i| scenarios[i].name == s.name)
            })
            .ok_or_else(|| {
                input_error(format!(
                    "--baseline {name:?}: no such scenario in this run{} (scenarios: {})",
                    crate::words::did_you_mean(name, scenarios.iter().map(|s| s.name.as_str())),
                    scenarios
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?,
    };
    let runs = args.runs.unwrap_or(scenarios[baseline].simulation.runs);
    if runs == 0 {
        return Err(input_error("--runs must be at least 1"));
    }
    if runs > limits.max_runs {
        return Err(input_error(format!(
            "--runs {runs} is above the limit of {} (each run takes time); pass --allow-large to raise the limit deliberately",
            limits.max_runs
        )));
    }
    let seed = args.seed.unwrap_or(scenarios[baseline].simulation.seed);
    // The resolved scenarios record what was actually run.
    for s in scenarios.iter_mut() {
        s.resolve_runs(runs, seed);
    }
    Ok(RunPlan {
        scenarios,
        baseline,
        runs,
        seed,
    })
}

/// Streams runs.csv and feeds the aggregates, in replication order: what depends on the
/// order (the moments, sketches, pairs and distributions, and the writing); the rest a
/// [`RunPrep`] did for the batch.
struct RunSink<'a> {
    runs_file: &'a mut (dyn Write + Send),
    aggregate: &'a mut Aggregate,
}

impl Feed for RunSink<'_> {
    fn aggregate(&mut self) -> &mut Aggregate {
        self.aggregate
    }

    fn feed(&mut self, chunk: &Chunk, batch: &Replications) -> Result<()> {
        debug_assert!(chunk.first, "a comparison is one chunk");
        debug_assert!(batch.len == 0 || !batch.prepared().is_empty(), "prepared");
        self.aggregate.add_batch_uncounted(batch);
        // The batch's runs.csv rows, formatted by its RunPrep.
        self.runs_file
            .write_all(batch.prepared())
            .context("cannot write runs.csv")
    }
}

/// The work on a batch of `run` that does not depend on the order of the batches, done by
/// the worker that simulated it: runs.csv's rows (the sink writes them in order), and the
/// counts of the aggregate's tallies ([`Counter`]) and of the forecasts, per worker, added
/// up at the end ([`RunPrep::finish`]).
struct RunPrep {
    names: Vec<out_csv::RowName>,
    /// The metric columns of runs.csv ([`out_csv::run_columns`]).
    columns: Vec<usize>,
    parts: Vec<std::sync::Mutex<RunPart>>,
}

/// One worker's state of a [`RunPrep`].
struct RunPart {
    /// The cells this worker formatted lately.
    cells: out_csv::CellCache,
    counter: Counter,
    forecasts: Forecasts,
}

impl RunPrep {
    /// For `workers` workers (a worker past them shares another's state), counting for
    /// `aggregate` and `forecasts` (as yet empty).
    fn new(
        scenarios: &[Scenario],
        aggregate: &Aggregate,
        forecasts: &Forecasts,
        workers: usize,
    ) -> RunPrep {
        RunPrep {
            names: scenarios
                .iter()
                .map(|s| out_csv::RowName::new(&s.name))
                .collect(),
            columns: out_csv::run_columns(scenarios),
            parts: (0..workers.max(1))
                .map(|_| {
                    std::sync::Mutex::new(RunPart {
                        cells: out_csv::CellCache::new(),
                        counter: aggregate.counter(),
                        forecasts: forecasts.clone(),
                    })
                })
                .collect(),
        }
    }

    /// Add every worker's counts to `aggregate` and `forecasts` (which took the same
    /// batches in order through a [`RunSink`]).
    fn finish(self, aggregate: &mut Aggregate, forecasts: &mut Forecasts) {
        for part in self.parts {
            let part = part.into_inner().unwrap_or_else(|e| e.into_inner());
            aggregate.merge_counts(&part.counter);
            forecasts.merge(&part.forecasts);
        }
    }
}

impl Prepare for RunPrep {
    fn prepare(&self, worker: usize, batch: &Replications, out: &mut Vec<u8>) {
        let mut part = self.parts[worker % self.parts.len()]
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let RunPart {
            cells,
            counter,
            forecasts,
        } = &mut *part;
        let mut rows = out_csv::RunRows::new(out, cells);
        for j in 0..batch.len {
            let run = batch.start + j as u64 + 1;
            for (s, rec) in batch.records(j).iter().enumerate() {
                rows.push(&self.names[s], run, rec, &self.columns);
            }
        }
        drop(rows);
        counter.count(batch);
        forecasts.add_batch(batch);
    }
}

/// Simulate the plan's comparison (on the current thread pool): runs.csv's rows to `runs`,
/// in order, and every batch into `aggregate` and `forecasts`, the order-free part of the
/// work by the worker that simulated the batch ([`RunPrep`]).
fn simulate(
    plan: &RunPlan,
    precision: Option<&Precision>,
    precision_metrics: &[usize],
    runs: &mut (dyn Write + Send),
    (aggregate, forecasts): (&mut Aggregate, &mut Forecasts),
    progress: &dyn Fn(u64),
) -> Result<()> {
    // A state per worker of the driver (it has as many as threads, and two at least).
    let workers = rayon::current_num_threads().max(2);
    let prep = RunPrep::new(&plan.scenarios, aggregate, forecasts, workers);
    let mut sink = RunSink {
        runs_file: runs,
        aggregate,
    };
    run_until_prepared(
        &plan.scenarios,
        plan.seed,
        plan.runs,
        precision,
        precision_metrics,
        &mut sink,
        Some(&prep),
        progress,
    )?;
    prep.finish(aggregate, forecasts);
    Ok(())
}

/// The aggregate of a comparison of `scenarios` against `baseline`, empty: their horizons
/// and planned releases, and only the metrics and series of the throughput model for its
/// scenarios.
fn comparison_aggregate(scenarios: &[Scenario], baseline: usize) -> Aggregate {
    let (sprints, planned) = crate::aggregate::horizons(scenarios);
    let mut aggregate = Aggregate::new(&sprints, &planned, baseline);
    for (s, sc) in scenarios.iter().enumerate() {
        if sc.simulation.model == crate::scenario::ModelKind::Throughput {
            use crate::engine::metrics::{THROUGHPUT_METRICS, THROUGHPUT_SERIES};
            aggregate.only(s, &THROUGHPUT_METRICS, &THROUGHPUT_SERIES);
        }
    }
    aggregate
}

/// The files of a run's set: the tables, the forecast's when a scenario is a forecast, and
/// the charts in `charts` with the report unless `--no-charts`.
pub fn set_names(forecast: bool, charts: Option<crate::output::ImageFormat>) -> Vec<String> {
    let mut names: Vec<String> = [
        "runs.csv",
        "summary.csv",
        "compare.csv",
        "sprints.csv",
        "distributions.csv",
        "scenarios.toml",
    ]
    .map(String::from)
    .to_vec();
    if forecast {
        names.extend(["forecast.csv", "forecast_dist.csv"].map(String::from));
    }
    if let Some(formats) = charts {
        names.extend(crate::output::drawn_file_names(formats));
    }
    names
}

/// `backsim run`: simulate, write every file atomically, draw, print the table.
pub fn run(args: &RunArgs) -> Result<RunOutcome> {
    let mut plan = plan(args)?;
    for s in &plan.scenarios {
        super::check::print_warnings(s);
    }
    let precision = match args.precision {
        None => None,
        Some(t) => Some(Precision::new(
            t,
            args.max_runs,
            args.runs.unwrap_or(PRECISION_BATCH),
        )?),
    };
    let precision_metrics = crate::analysis::metric_indices(&args.metrics, &["value_efficiency"])?;
    let out = &args.out;
    crate::output::atomic::set_force(args.force);
    let forecast = plan
        .scenarios
        .iter()
        .any(crate::output::forecast::is_forecast);
    let names = set_names(
        forecast,
        (!args.no_charts).then(|| image_format(args.format)),
    );
    // Before any simulation: a refusal to replace the user's own files costs nothing.
    // What an earlier run's set may hold that this one does not write goes when it commits:
    // the forecast files, and (when this run draws) every chart (see Publisher::owning).
    let mut owned = vec!["forecast.csv".to_string(), "forecast_dist.csv".to_string()];
    if !args.no_charts {
        owned.extend(crate::output::chart_file_names(
            crate::output::ImageFormat::Both,
        ));
    }
    let mut publisher = Publisher::open(
        out,
        &names,
        out_csv::estimated_output_bytes(plan.runs, &plan.scenarios, !args.no_charts),
    )?
    .owning(owned);
    let interactive = std::io::stdout().is_terminal() && !args.quiet;

    let mut aggregate = comparison_aggregate(&plan.scenarios, plan.baseline);
    let mut forecasts = crate::output::forecast::Forecasts::new(&plan.scenarios);
    // The answers with shorter histories take a fixed number of runs whatever the main run
    // does (unless a precision target decides its length): with two threads or more they
    // are simulated beside it, in the time its two stages leave idle. The same numbers.
    let threads = args.threads.unwrap_or_else(rayon::current_num_threads);
    // Its chart, `forecast_inputs`, needs nothing else: drawn on the same thread, it leaves
    // the charts after the simulation one fewer to draw (see `early_inputs`).
    let mut history_beside = if forecasts.any() && precision.is_none() && threads >= 2 {
        let (scenarios, seed, runs) = (plan.scenarios.clone(), plan.seed, plan.runs);
        let meta = run_meta(&plan);
        let chart = (!args.no_charts).then(|| (out.clone(), image_format(args.format)));
        let spawned = std::thread::Builder::new()
            .name("backsim-history".into())
            .spawn(move || {
                let history = crate::analysis::history::history_length(&scenarios, seed, runs)?;
                let early = chart.and_then(|(out, formats)| {
                    early_inputs(&meta, &scenarios, &history, &out, formats)
                });
                anyhow::Ok((history, early))
            })
            .context("cannot start a worker thread")?;
        Some(spawned)
    } else {
        None
    };
    let mut early_charts = Vec::new();
    let mut runs_file = publisher.create("runs.csv")?;
    runs_file
        .writer()
        .write_all(out_csv::runs_header(&out_csv::run_columns(&plan.scenarios)).as_bytes())
        .context("cannot write runs.csv")?;

    let bar = crate::output::progress::bar(
        precision.map_or(plan.runs, |p| p.max_runs),
        !interactive,
        format!(
            "simulating {}",
            crate::words::count(plan.scenarios.len() as u64, "scenario")
        ),
    );
    let mut work = || -> Result<(u64, Option<bool>)> {
        let n = plan.scenarios.len() as u64;
        // runs.csv goes to disk as it is written: its sync at the end waits for little.
        let mut runs = runs_file
            .streaming(crate::output::atomic::writeback::WRITEBACK_CHUNK)
            .context("cannot write runs.csv")?;
        simulate(
            &plan,
            precision.as_ref(),
            &precision_metrics,
            &mut runs,
            (&mut aggregate, &mut forecasts),
            &|done| bar.set_position(done / n),
        )?;
        Ok((aggregate.replications, aggregate.precision_met))
    };
    let (used, met) = match args.threads {
        Some(0) => return Err(input_error("--threads must be at least 1")),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .context("cannot start worker threads")?
            .install(&mut work)?,
        None => work()?,
    };
    bar.finish_and_clear();
    // runs.csv is synced while the other files are made and the charts drawn.
    runs_file.sync_behind()?;
    plan.runs = used;
    for s in plan.scenarios.iter_mut() {
        s.simulation.runs = used;
    }

    let meta = run_meta(&plan);
    publisher.add(runs_file);
    publisher.file(
        "summary.csv",
        out_csv::summary_csv(&mut aggregate, &plan.scenarios).as_bytes(),
    )?;
    publisher.file(
        "compare.csv",
        out_csv::compare_csv(&aggregate, &plan.scenarios).as_bytes(),
    )?;
    publisher.file(
        "sprints.csv",
        out_csv::sprints_csv(&mut aggregate, &plan.scenarios).as_bytes(),
    )?;
    publisher.file(
        "distributions.csv",
        out_csv::distributions_csv(&aggregate, &plan.scenarios).as_bytes(),
    )?;
    if forecasts.any() {
        publisher.file(
            "forecast.csv",
            crate::output::forecast::forecast_csv(&forecasts, &plan.scenarios).as_bytes(),
        )?;
        // The forecast charts' counts, and the answers with shorter histories.
        let history = match history_beside.take() {
            Some(thread) => match thread.join() {
                Ok(done) => {
                    let (history, early) = done?;
                    early_charts.extend(early);
                    history
                }
                Err(panic) => std::panic::resume_unwind(panic),
            },
            None => {
                crate::analysis::history::history_length(&plan.scenarios, plan.seed, plan.runs)?
            }
        };
        publisher.file(
            "forecast_dist.csv",
            crate::output::forecast::forecast_dist_csv(&forecasts, &history, &plan.scenarios)
                .as_bytes(),
        )?;
    }
    publisher.file(
        "scenarios.toml",
        out_csv::scenarios_toml(&meta, &plan.scenarios)?.as_bytes(),
    )?;
    // Charts and report are drawn from the finished CSVs while they still have their
    // temporary names; then the whole set takes its names together, so an interruption at
    // any point leaves the earlier results as they were.
    if !args.no_charts {
        let results = crate::output::Results::read_files(out, &publisher.finished_paths()?)?;
        let charts = crate::output::draw_pending_early(
            &results,
            out,
            image_format(args.format),
            !args.fresh_report,
            early_charts,
        )?;
        publisher.extend(charts);
    }
    let published = publisher.commit()?;
    let (written, replaced) = (published.files, published.replaced);
    // New CSVs without charts: the charts and report of an earlier run no longer match them.
    let retired = if args.no_charts {
        crate::output::sections::retire_stale(
            out,
            &crate::output::drawn_file_names(crate::output::ImageFormat::Both),
        )?
    } else {
        Vec::new()
    };
    if !args.quiet {
        // A forecast answers in its own words; the roles model's table is for roles scenarios.
        if !plan
            .scenarios
            .iter()
            .all(crate::output::forecast::is_forecast)
        {
            println!(
                "{}",
                crate::output::table::render(&mut aggregate, &plan.scenarios)
            );
        }
        print!(
            "{}",
            crate::output::forecast::headline(&forecasts, &plan.scenarios)
        );
        let completion: Vec<(f64, f64)> = (0..plan.scenarios.len())
            .map(|s| {
                let q = aggregate.summary(s, 0).quantiles;
                (q[3], q[5])
            })
            .collect();
        print!(
            "{}",
            crate::output::forecast::completion_dates(&completion, &plan.scenarios)
        );
        if let Some(note) = replaced {
            println!("{note}");
        }
        if !retired.is_empty() {
            println!(
                "Removed the earlier charts and report, which no longer match the new CSVs (`backsim plot {}` draws them anew): {}",
                shell_quote(&out.display().to_string()),
                retired.join(", ")
            );
        }
        println!(
            "{} × {} (seed {}){} written to {}",
            crate::words::count(plan.runs, "run"),
            crate::words::count(plan.scenarios.len() as u64, "scenario"),
            plan.seed,
            match met {
                None => String::new(),
                Some(true) => format!(
                    ", runs used to reach ±{} % on {}",
                    args.precision.unwrap_or(0.0) * 100.0,
                    metric_names(&precision_metrics)
                ),
                Some(false) => format!(
                    ", precision ±{} % on {} NOT reached within --max-runs",
                    args.precision.unwrap_or(0.0) * 100.0,
                    metric_names(&precision_metrics)
                ),
            },
            out.display()
        );
    }
    Ok(RunOutcome {
        files: written,
        scenarios: plan.scenarios,
        runs: plan.runs,
        seed: plan.seed,
    })
}
/// What `scenarios.toml` says of the plan's run.
fn run_meta(plan: &RunPlan) -> out_csv::RunMeta {
    out_csv::RunMeta {
        version: env!("CARGO_PKG_VERSION").to_string(),
        command: crate::analysis::command_line(),
        seed: plan.seed,
        runs: plan.runs,
        baseline: plan.scenarios[plan.baseline].name.clone(),
        date: today(),
    }
}

/// `forecast_inputs`, drawn from what it needs only: the `scenarios.toml` and
/// `forecast_dist.csv` of a run with these answers by history length and no simulated run
/// yet, read back as the complete ones will be. The set takes it when its complete files
/// give the same chart ([`crate::output::EarlyChart::fits`]); none if it cannot be drawn
/// (the set then draws it).
fn early_inputs(
    meta: &out_csv::RunMeta,
    scenarios: &[Scenario],
    history: &[Option<crate::output::forecast::HistoryLength>],
    out: &std::path::Path,
    formats: crate::output::ImageFormat,
) -> Option<crate::output::EarlyChart> {
    let toml = out_csv::scenarios_toml(meta, scenarios).ok()?;
    let none = Forecasts::new(scenarios);
    let dist = crate::output::forecast::forecast_dist_csv(&none, history, scenarios);
    let results = crate::output::Results::of_texts(out, &toml, &dist).ok()?;
    let kind = crate::output::ChartKind::ForecastInputs;
    crate::output::EarlyChart::draw(kind, results, out, formats)
        .ok()
        .flatten()
}

/// Today's date (UTC) as YYYY-MM-DD, from the system clock (used only as a label).
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    crate::calendar::Date((secs / 86_400) as i32).to_string()
}

#[cfg(test)]
mod tests;
