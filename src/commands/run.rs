//! `backsim run`: simulate the scenarios side by side, write every file atomically, draw,
//! print the table.

use super::{image_format, shell_quote};
use crate::aggregate::Aggregate;
use crate::cli::RunArgs;
use crate::engine::driver::{Comparison, Replications, Sink};
use crate::error::input_error;
use crate::output::atomic::{commit_all, prepare_dir, write_file, PendingFile};
use crate::output::csv as out_csv;
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
pub const MAX_SCENARIOS: usize = 64;

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
        s.simulation.runs = runs;
        s.simulation.seed = seed;
    }
    Ok(RunPlan {
        scenarios,
        baseline,
        runs,
        seed,
    })
}

/// Streams runs.csv and feeds the aggregates, in replication order.
struct RunSink<'a> {
    names: Vec<String>,
    runs_file: &'a mut PendingFile,
    aggregate: &'a mut Aggregate,
    forecasts: &'a mut crate::output::forecast::Forecasts,
    /// runs.csv text of a batch, a block of replications per string (reused).
    blocks: Vec<String>,
}

/// Replications whose runs.csv rows one task formats.
const ROWS_PER_TASK: usize = 32;

impl Sink for RunSink<'_> {
    fn replications(&mut self, batch: &Replications) -> Result<()> {
        use rayon::prelude::*;
        let blocks = batch.len.div_ceil(ROWS_PER_TASK);
        if self.blocks.len() < blocks {
            self.blocks.resize(blocks, String::new());
        }
        let names = &self.names;
        // Format the rows and aggregate at the same time, both on the pool.
        rayon::join(
            || {
                self.blocks[..blocks]
                    .par_iter_mut()
                    .enumerate()
                    .for_each(|(b, text)| {
                        text.clear();
                        let rows = b * ROWS_PER_TASK..((b + 1) * ROWS_PER_TASK).min(batch.len);
                        for j in rows {
                            let run = batch.start + j as u64 + 1;
                            for (s, rec) in batch.records(j).iter().enumerate() {
                                out_csv::push_run_row(text, &names[s], run, rec);
                            }
                        }
                    })
            },
            || {
                self.aggregate.add_batch(batch);
                self.forecasts.add_batch(batch);
            },
        );
        let w = self.runs_file.writer();
        for text in &self.blocks[..blocks] {
            w.write_all(text.as_bytes())
                .context("cannot write runs.csv")?;
        }
        Ok(())
    }
}

/// `backsim run`: simulate, write every file atomically, draw, print the table.
pub fn run(args: &RunArgs) -> Result<RunOutcome> {
    let mut plan = plan(args)?;
    for s in &plan.scenarios {
        super::check::print_warnings(s);
    }
    let precision = match args.precision {
        None => None,
        Some(t) => Some(crate::analysis::Precision::new(
            t,
            args.max_runs,
            args.runs.unwrap_or(PRECISION_BATCH),
        )?),
    };
    let precision_metrics = crate::analysis::metric_indices(&args.metrics, &["value_efficiency"])?;
    let out = &args.out;
    if !args.no_charts {
        crate::output::check_chartable(plan.runs, plan.scenarios.len(), args.allow_large)?;
    }
    crate::output::atomic::set_force(args.force);
    let mut names: Vec<String> = [
        "runs.csv",
        "summary.csv",
        "compare.csv",
        "sprints.csv",
        "scenarios.toml",
    ]
    .map(String::from)
    .to_vec();
    if !args.no_charts {
        names.extend(crate::output::drawn_file_names(image_format(args.format)));
    }
    // Before any simulation: a refusal to replace the user's own files costs nothing.
    crate::output::atomic::check_replaceable(out, &names)?;
    prepare_dir(out)?;
    crate::output::atomic::ensure_space(
        out,
        out_csv::estimated_output_bytes(plan.runs, &plan.scenarios, !args.no_charts),
    )?;
    let interactive = std::io::stdout().is_terminal() && !args.quiet;

    let comparison = Comparison::new(&plan.scenarios, plan.seed, plan.runs);
    let sprints: Vec<usize> = plan
        .scenarios
        .iter()
        .map(|s| s.simulation.sprints as usize)
        .collect();
    let planned: Vec<f64> = plan
        .scenarios
        .iter()
        .map(|s| s.release.planned_sprint.unwrap_or(0) as f64)
        .collect();
    let mut aggregate = Aggregate::new(&sprints, &planned, plan.baseline);
    let mut forecasts = crate::output::forecast::Forecasts::new(&plan.scenarios);
    let mut runs_file = PendingFile::create(&out.join("runs.csv"))?;
    runs_file
        .writer()
        .write_all(out_csv::runs_header().as_bytes())
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
        let mut sink = RunSink {
            names: plan.scenarios.iter().map(|s| s.name.clone()).collect(),
            runs_file: &mut runs_file,
            aggregate: &mut aggregate,
            forecasts: &mut forecasts,
            blocks: Vec::new(),
        };
        let Some(p) = precision else {
            comparison.run(&mut sink, &|done| bar.set_position(done))?;
            return Ok((plan.runs, None));
        };
        // The sequential rule: batches of replications until every chosen metric's mean is
        // known to ±target (95 % CI half-width) in every scenario, or the cap.
        let (mut start, mut end) = (0, p.batch);
        loop {
            comparison.run_range(start, end, &mut sink, &|done| bar.set_position(done))?;
            let met = (0..plan.scenarios.len()).all(|s| {
                precision_metrics.iter().all(|&m| {
                    let sum = sink.aggregate.summary(s, m);
                    let half = (sum.ci95.1 - sum.ci95.0) / 2.0;
                    sum.n >= 2 && half.is_finite() && half <= p.target * sum.mean.abs()
                })
            });
            if met || end >= p.max_runs {
                return Ok((end, Some(met)));
            }
            start = end;
            end = (end + p.batch).min(p.max_runs);
        }
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
    plan.runs = used;
    for s in plan.scenarios.iter_mut() {
        s.simulation.runs = used;
    }

    let meta = out_csv::RunMeta {
        version: env!("CARGO_PKG_VERSION").to_string(),
        command: crate::analysis::command_line(),
        seed: plan.seed,
        runs: plan.runs,
        baseline: plan.scenarios[plan.baseline].name.clone(),
        date: today(),
    };
    let mut files = vec![runs_file];
    files.push(write_file(
        &out.join("summary.csv"),
        out_csv::summary_csv(&mut aggregate, &plan.scenarios).as_bytes(),
    )?);
    files.push(write_file(
        &out.join("compare.csv"),
        out_csv::compare_csv(&aggregate, &plan.scenarios).as_bytes(),
    )?);
    files.push(write_file(
        &out.join("sprints.csv"),
        out_csv::sprints_csv(&mut aggregate, &plan.scenarios).as_bytes(),
    )?);
    if forecasts.any() {
        files.push(write_file(
            &out.join("forecast.csv"),
            crate::output::forecast::forecast_csv(&forecasts, &plan.scenarios).as_bytes(),
        )?);
    }
    files.push(write_file(
        &out.join("scenarios.toml"),
        out_csv::scenarios_toml(&meta, &plan.scenarios)?.as_bytes(),
    )?);
    // Charts and report are drawn from the finished CSVs while they still have their
    // temporary names; then the whole set takes its names together, so an interruption at
    // any point leaves the earlier results as they were.
    if !args.no_charts {
        for f in files.iter_mut() {
            f.finish()?;
        }
        let temp_of = |name: &str| {
            files
                .iter()
                .find(|f| f.target().file_name().is_some_and(|n| n == name))
                .map_or_else(|| out.join(name), |f| f.temp().to_path_buf())
        };
        let results = crate::output::Results::read_files(out, &temp_of)?;
        let charts = crate::output::draw_pending_with(
            &results,
            out,
            image_format(args.format),
            !args.fresh_report,
        )?;
        files.extend(charts);
    }
    let written = commit_all(files)?;
    let replaced = crate::output::atomic::replaced_note(out);
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
/// Today's date (UTC) as YYYY-MM-DD, from the system clock (used only as a label).
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let days = secs.div_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    format!("{:04}-{:02}-{:02}", if m <= 2 { y + 1 } else { y }, m, d)
}
