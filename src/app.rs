//! The commands: CLI arguments turned into validated options, then the work, then the exit
//! code. `main.rs` only parses the command line and calls [`main`].

use crate::aggregate::Aggregate;
use crate::cli::{Cli, Command, Format, RunArgs, SensitivityArgs, SensitivityMethod, SweepArgs};
use crate::engine::driver::{Comparison, Replications, Sink};
use crate::error::{exit_code, input_error};
use crate::output::atomic::{commit_all, prepare_dir, write_file, PendingFile};
use crate::output::csv as out_csv;
use crate::scenario::load::load_with_limits;
use crate::scenario::presets::{self, ARCHETYPES};
use crate::scenario::validate::Limits;
use crate::scenario::Scenario;
use anyhow::{Context, Result};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

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

/// Run a parsed command line; returns the process exit code.
pub fn main(cli: Cli) -> i32 {
    crate::output::atomic::set_force(match &cli.command {
        Some(Command::Run(a)) => a.force,
        Some(Command::Sweep(a)) => a.common.force,
        Some(Command::Sensitivity(a)) => a.common.force,
        Some(Command::Attribute(a)) => a.force,
        Some(Command::Validate(a)) => a.force,
        Some(Command::Plot { force, .. })
        | Some(Command::Trace { force, .. })
        | Some(Command::Calibrate { force, .. }) => *force,
        _ => false,
    });
    crate::output::charts::set_projector(cli.theme == crate::cli::Theme::Projector);
    let result = match cli.command {
        None => run(&RunArgs::default()).map(|_| ()),
        Some(Command::Run(args)) => run(&args).map(|_| ()),
        Some(Command::Check { files, allow_large }) => check(&files, allow_large),
        Some(Command::Scenarios) => list_scenarios(),
        Some(Command::Init { name, extends }) => init(&name, &extends),
        Some(Command::Plot { dir, format, .. }) => plot(&dir, format),
        Some(Command::Sweep(args)) => sweep(&args).map(|_| ()),
        Some(Command::Sensitivity(args)) => sensitivity(&args).map(|_| ()),
        Some(Command::Attribute(args)) => attribute(&args).map(|_| ()),
        Some(Command::Validate(args)) => validate(&args).map(|_| ()),
        Some(Command::Calibrate {
            history,
            out,
            quiet,
            date_format,
            period,
            sprint_days,
            since,
            last,
            strict,
            ..
        }) => crate::analysis::calibrate::run(&crate::analysis::calibrate::CalibrateOptions {
            history,
            out,
            quiet,
            items: crate::analysis::calibrate::ItemOptions {
                date_format,
                period: match period {
                    crate::cli::PeriodArg::Day => crate::analysis::tracker::Period::Day,
                    crate::cli::PeriodArg::Week => crate::analysis::tracker::Period::Week,
                    crate::cli::PeriodArg::Sprint => {
                        crate::analysis::tracker::Period::Sprint { days: sprint_days }
                    }
                },
                since,
                last,
                strict,
            },
        })
        .map(|_| ()),
        Some(Command::Trace {
            scenario,
            run,
            metric,
            compare,
            sprints,
            seed,
            out,
            quiet,
            ..
        }) => crate::analysis::trace::run(&crate::analysis::trace::TraceOptions {
            scenario,
            compare,
            run,
            metric: Some(metric),
            sprints,
            seed,
            out,
            quiet,
        })
        .map(|_| ()),
        Some(Command::Serve {
            scenarios,
            port,
            host,
        }) => crate::serve::run(&crate::serve::ServeOptions {
            scenarios,
            host,
            port,
        }),
        Some(Command::Workshop { out, quiet }) => {
            crate::workshop::run(&crate::workshop::WorkshopOptions { out, quiet }, &|args| {
                run(args).map(|o| o.files)
            })
            .map(|_| ())
        }
        Some(Command::Completions { shell }) => {
            use clap::CommandFactory;
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "backsim",
                &mut std::io::stdout(),
            );
            Ok(())
        }
    };
    match result {
        Ok(()) => 0,
        Err(err) => {
            // A folder this command created and left empty goes.
            crate::output::atomic::remove_new_empty_dirs();
            // A closed pipe (`backsim check x | head`) is not an error worth a message.
            if err.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return 0;
            }
            eprintln!("error: {err:#}");
            exit_code(&err)
        }
    }
}

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

fn image_format(format: Format) -> crate::output::ImageFormat {
    match format {
        Format::Png => crate::output::ImageFormat::Png,
        Format::Svg => crate::output::ImageFormat::Svg,
        Format::Both => crate::output::ImageFormat::Both,
    }
}

/// `backsim sweep`.
pub fn sweep(args: &SweepArgs) -> Result<crate::analysis::sweep::SweepOutcome> {
    crate::analysis::sweep::run(&crate::analysis::sweep::SweepOptions {
        scenario: args.scenario.clone(),
        params: args.params.clone(),
        samples: args.samples,
        metrics: args.metrics.clone(),
        run: analysis_run(&args.common),
    })
}

/// `backsim sensitivity`.
pub fn sensitivity(
    args: &SensitivityArgs,
) -> Result<crate::analysis::sensitivity::SensitivityOutcome> {
    use crate::analysis::sensitivity::{run, Method, SensitivityOptions};
    run(&SensitivityOptions {
        scenario: args.scenario.clone(),
        metric: args.metric.clone(),
        method: match args.method {
            SensitivityMethod::Tornado => Method::Tornado,
            SensitivityMethod::Morris => Method::Morris,
        },
        trajectories: args.trajectories,
        run: analysis_run(&args.common),
    })
}

/// `backsim attribute`.
pub fn attribute(
    args: &crate::cli::AttributeArgs,
) -> Result<crate::analysis::attribute::AttributeOutcome> {
    use crate::analysis::attribute::{run, AttributeOptions};
    run(&AttributeOptions {
        scenario: args.scenario.clone(),
        baseline: args.baseline.clone(),
        metrics: args.metrics.clone(),
        merge: args.merge.clone(),
        run: crate::analysis::AnalysisRun {
            runs: Some(args.runs),
            seed: args.seed,
            precision: None,
            max_runs: args.runs,
            out: args.out.clone(),
            format: image_format(args.format),
            no_charts: args.no_charts,
            quiet: args.quiet,
            allow_large: args.allow_large,
        },
    })
}

/// `backsim validate`.
pub fn validate(
    args: &crate::cli::ValidateArgs,
) -> Result<crate::analysis::validate::ValidateOutcome> {
    crate::analysis::validate::run(&crate::analysis::validate::ValidateOptions {
        runs: args.runs,
        seed: args.seed,
        threads: args.threads,
        out: args.out.clone(),
        format: image_format(args.format),
        no_charts: args.no_charts,
        quiet: args.quiet,
    })
}

/// The options sweep and sensitivity share, from their shared arguments.
fn analysis_run(c: &crate::cli::AnalysisArgs) -> crate::analysis::AnalysisRun {
    crate::analysis::AnalysisRun {
        runs: c.runs,
        seed: c.seed,
        precision: c.precision,
        max_runs: c.max_runs,
        out: c.out.clone(),
        format: image_format(c.format),
        no_charts: c.no_charts,
        quiet: c.quiet,
        allow_large: c.allow_large,
    }
}

/// Charts and report from the folder's CSVs.
fn draw(dir: &Path, format: Format) -> Result<Vec<PathBuf>> {
    Ok(crate::output::plot_dir(dir, image_format(format))?.files)
}

fn plot(dir: &Path, format: Format) -> Result<()> {
    crate::output::atomic::take_replaced();
    let files = draw(dir, format)?;
    if let Some(note) = crate::output::atomic::replaced_note(dir) {
        println!("{note}");
    }
    println!(
        "{} written to {}",
        crate::words::count(files.len() as u64, "file"),
        dir.display()
    );
    Ok(())
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

/// `backsim check`: validate and print each file resolved.
fn check(files: &[String], allow_large: bool) -> Result<()> {
    let limits = if allow_large {
        Limits::large()
    } else {
        Limits::default()
    };
    let mut stdout = std::io::stdout().lock();
    for spec in files {
        let s = load_with_limits(spec, &limits)?;
        let text = toml::to_string_pretty(&s).context("cannot print the scenario")?;
        writeln!(stdout, "# {spec}: ok (resolved)\n{text}")?;
    }
    Ok(())
}

fn list_scenarios() -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "Built-in presets (use a name wherever a scenario file is expected, or `extends = \"NAME\"`):")?;
    for name in presets::names() {
        let s = crate::scenario::load_scenario(name)?;
        writeln!(stdout, "  {name:<15} {}", s.description)?;
    }
    Ok(())
}

/// `backsim init`: a commented starter file; never overwrites.
fn init(name: &str, extends: &str) -> Result<()> {
    if presets::find(extends).is_none() {
        return Err(input_error(format!(
            "--extends {extends:?}: no such preset{} (presets: {})",
            crate::words::did_you_mean(extends, presets::names()),
            presets::names().join(", ")
        )));
    }
    let path = if name.ends_with(".toml") {
        PathBuf::from(name)
    } else {
        PathBuf::from(format!("{name}.toml"))
    };
    let stem = path
        .file_stem()
        .map_or(name.to_string(), |s| s.to_string_lossy().into_owned());
    if stem.trim().is_empty() || stem.contains([',', '"']) {
        return Err(input_error(format!(
            "{name:?}: a scenario name must be non-empty and hold no commas or quotes"
        )));
    }
    if path.exists() {
        return Err(input_error(format!(
            "{}: already exists; backsim init never overwrites a file",
            path.display()
        )));
    }
    let throughput = crate::scenario::load_scenario(extends)?.simulation.model
        == crate::scenario::ModelKind::Throughput;
    let shown = shell_quote(&path.display().to_string());
    let text = if throughput {
        throughput_starter(&stem, &shown, extends)
    } else {
        starter(&stem, &shown, extends)
    };
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| input_error(format!("{}: cannot create: {e}", path.display())))?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!(
        "wrote {} (extends {extends}); try: backsim check {shown} && backsim run {extends} {shown}",
        path.display(),
    );
    Ok(())
}

/// `word` as one shell word: unchanged when it holds only safe characters, else in single
/// quotes (`my team.toml` becomes `'my team.toml'`).
pub fn shell_quote(word: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "._-/+=:,@%".contains(c);
    if !word.is_empty() && word.chars().all(safe) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The text of a starter file for a throughput forecast: only the keys that model reads.
pub fn throughput_starter(name: &str, shown: &str, extends: &str) -> String {
    format!(
        r#"# A backsim throughput forecast: "when will these items be done?". Set only what differs
# from the scenario it extends; `backsim check {shown}` shows the resolved scenario,
# docs/scenario-format.md every key. A forecast reads [simulation] and the keys below only.
name = "{name}"
description = "What this forecast is about, in one line."
extends = "{extends}"

[simulation]
# runs = 10000         # replications
# sprints = 104        # horizon: the forecast stops at the last item or here
# seed = 42

[backlog]
initial_items = 50     # the items still to do
# size = {{ dist = "constant", value = 1 }}   # items of one size: the forecast counts items

[team]
# Items finished per sprint in the team's recent history, drawn at random each sprint:
# capacity = {{ dist = "empirical", values = [3, 7, 5, 6, 4, 8, 5, 6, 2, 7] }}
"#
    )
}

/// The text of a starter scenario file.
pub fn starter(name: &str, shown: &str, extends: &str) -> String {
    format!(
        r#"# A backsim scenario. Set only what differs from the scenario it extends;
# `backsim check {shown}` shows the resolved scenario, docs/scenario-format.md every key.
name = "{name}"
description = "What this scenario shows, in one line."
extends = "{extends}"

[simulation]
# runs = 1000          # replications
# sprints = 26         # two-week sprints in the horizon (one year)
# seed = 42

[team]
# capacity = {{ dist = "gamma", mean = 30, cv = 0.15 }}   # story points per sprint
# lanes = 3

[pm]
# sync_interval = 1    # sprints between roadmap hand-overs from PM to PO
# sync_fidelity = 0.9  # how much of the PM's view reaches the PO (0..1)

[po]
# strategy_share = 0.15          # share of the PO's 80 h spent on strategy
# support_share = 0.35           # share spent with the team (answers questions)
# decision_latency_hours = 1.0   # median wait for a decision
# value_skill = 0.35             # correlation of perceived with true value

[roles]
# pm_override = 0.0              # chance per sprint that the PM reorders the top
# conflicts_per_sprint = 0.1
# churn_probability = 0.02

[release]
# scope = "roadmap"              # or "initial_backlog"
# scope_points = 120
# planned_sprint = 6

# [[risks]]
# name = "key person leaves"
# probability = 0.2
# first_sprint = 5
# last_sprint = 15
# added_points = 20
"#
    )
}
