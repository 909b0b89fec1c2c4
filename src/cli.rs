//! The command line: clap types only. [`crate::app`] hands them to their command in
//! [`crate::commands`].

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "backsim",
    version,
    about = "Monte Carlo simulator of backlog prioritization under PM/PO role scenarios",
    long_about = "backsim simulates many replications of a year of sprints for each scenario and shows, \
with numbers and charts, what happens to delivery when Product Manager and Product Owner roles are \
aligned, siloed, overloaded or blurred. It also forecasts \"when will these N items be done?\" from \
historical throughput.\n\nWith no command it runs the built-in comparison of the four archetypes into output/.",
    after_help = "Examples:\n  backsim                                   compare the four archetypes into output/\n  backsim run aligned my-team.toml --runs 5000\n  backsim init my-team && backsim check my-team.toml\n  backsim plot output --format svg\n  backsim plot output --theme projector     large type and thick lines for a room"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Look of the charts and the report: `default`, or `projector` (large type, thick lines
    /// for a room: charts drawn on a smaller canvas, so text and lines fill more of it)
    #[arg(long, global = true, value_enum, default_value_t = Theme::Default)]
    pub theme: Theme,
}

/// `--seed`: a whole number up to [`crate::scenario::MAX_SEED`].
fn seed_arg(text: &str) -> Result<u64, String> {
    let seed: u64 = text.parse().map_err(|e| {
        format!(
            "{e} (a seed is a whole number from 0 to {})",
            crate::scenario::MAX_SEED
        )
    })?;
    crate::scenario::check_seed(seed)
}

/// Most worker threads: past about a thousand, starting them costs more than any run (5000
/// took 24 s for 3 runs, 100 000 did not finish), and results do not depend on the count.
pub const MAX_THREADS: usize = 1024;

/// `--threads`: 1 to [`MAX_THREADS`], checked before any scenario is read.
fn threads_arg(text: &str) -> Result<usize, String> {
    let n: usize = text.parse().map_err(|e| format!("{e}"))?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    match n {
        0 => Err("must be at least 1".into()),
        n if n > MAX_THREADS => Err(format!(
            "above the limit of {MAX_THREADS}; this machine has {} (more \
             threads than cores add only overhead, and results do not depend on the count)",
            crate::words::count(cores as u64, "core")
        )),
        n => Ok(n),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Theme {
    #[default]
    Default,
    Projector,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate scenarios and write CSVs, charts and a report
    Run(RunArgs),
    /// Validate scenario files and print each resolved (after extends and defaults) as TOML
    Check {
        /// Scenario files or preset names
        #[arg(required = true)]
        files: Vec<String>,
        /// Accept sizes above the safety limits
        #[arg(long)]
        allow_large: bool,
    },
    /// List the built-in presets
    Scenarios,
    /// Write a commented starter scenario file NAME.toml (never overwrites)
    Init {
        /// Name of the scenario (the file is NAME.toml unless NAME ends in .toml)
        name: String,
        /// Preset to extend
        #[arg(long, default_value = "aligned")]
        extends: String,
    },
    /// Redraw every chart and the report from the summaries in DIR (a run's CSVs and scenarios.toml, a sweep's or a sensitivity analysis's CSV and TOML)
    Plot {
        /// A folder written by `backsim run`, `sweep` or `sensitivity`
        #[arg(default_value = "output")]
        dir: PathBuf,
        /// Image formats to write
        #[arg(long, value_enum, default_value_t = Format::Both)]
        format: Format,
        /// Replace files of the same names even if backsim did not write them
        #[arg(long)]
        force: bool,
    },
    /// Sweep parameters over a grid or a Latin hypercube (same worlds at every point)
    Sweep(SweepArgs),
    /// Which parameters move a metric: one-at-a-time tornado, or Morris screening
    Sensitivity(SensitivityArgs),
    /// Why does a scenario differ from the baseline? Exact Shapley contributions per mechanism
    Attribute(AttributeArgs),
    /// Check the model against published evidence: the ten stylized facts, each by experiment
    Validate(ValidateArgs),
    /// Tell the story of one run sprint by sprint (optionally beside another scenario's)
    #[command(
        after_help = "Examples:\n  backsim trace aligned --run 7\n  backsim trace aligned --run typical --metric value_efficiency\n  backsim trace siloed-pm --run worst --metric release_delay_sprints\n  backsim trace aligned --run 7 --compare siloed-pm --sprints 1:8"
    )]
    Trace(TraceArgs),
    /// Turn a team's sprint history (CSV: sprint, completed[, committed]) into a [team] capacity
    #[command(
        after_help = "The history is a CSV with a header and one row per sprint:\n  sprint,completed,committed\n  1,27,30\n  2,31,30\n  ...\nWrites calibration.toml (the [team] section: an empirical bootstrap, the best fit commented)\nand calibration.csv (each fit's mean, CV, log-likelihood and Kolmogorov-Smirnov distance)."
    )]
    Calibrate(CalibrateArgs),
    /// A live page to move levers in front of a room (local web app, works offline)
    #[command(
        after_help = "Examples:\n  backsim serve                      the four archetypes on http://127.0.0.1:8787/\n  backsim serve aligned my-team.toml --port 9000\n  backsim serve --host 0.0.0.0       for a room's network (prints a warning)"
    )]
    Serve {
        /// Scenario files or preset names, one column each (default: the four archetypes)
        scenarios: Vec<String>,
        /// Port to listen on (0: any free port)
        #[arg(long, default_value_t = crate::serve::DEFAULT_PORT)]
        port: u16,
        /// Address to listen on; 0.0.0.0 serves every machine on the network
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
    },
    /// Prepare a workshop folder: run the exercises of docs/workshop.md, write their reports and a projector deck
    Workshop {
        /// Output folder
        #[arg(long, default_value = "workshop")]
        out: PathBuf,
        /// No progress lines and no tables
        #[arg(long, short)]
        quiet: bool,
        /// Replace files of the same names in --out even if backsim did not write them
        #[arg(long)]
        force: bool,
    },
    /// Print shell completions
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// `calibrate --period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PeriodArg {
    Day,
    Week,
    Sprint,
}

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Scenario files or preset names (default: aligned siloed-pm overloaded-po blurred-roles)
    pub scenarios: Vec<String>,
    /// Replications per scenario (default: the baseline scenario's simulation.runs)
    #[arg(long)]
    pub runs: Option<u64>,
    /// Seed of the random streams (default: the baseline scenario's simulation.seed)
    #[arg(long, value_parser = seed_arg)]
    pub seed: Option<u64>,
    /// Output folder
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Worker threads (default: all cores, or RAYON_NUM_THREADS); results do not depend on it
    #[arg(long, value_parser = threads_arg)]
    pub threads: Option<usize>,
    /// Scenario the others are compared with (default: the first)
    #[arg(long)]
    pub baseline: Option<String>,
    /// No progress bar and no summary table
    #[arg(long, short)]
    pub quiet: bool,
    /// Write the CSVs only (charts and a report an earlier run drew here are removed, as
    /// they would no longer match; sweep, sensitivity and trace sections are kept)
    #[arg(long)]
    pub no_charts: bool,
    /// Write report.html afresh, without the sections sweep, sensitivity and trace put there
    #[arg(long)]
    pub fresh_report: bool,
    /// Image formats of the charts
    #[arg(long, value_enum, default_value_t = Format::Both)]
    pub format: Format,
    /// Accept sizes above the safety limits (runs, sprints, items)
    #[arg(long)]
    pub allow_large: bool,
    /// Add batches of replications (--runs each, default 200) until the 95 % CI half-width of
    /// every --metric's mean is within this share of the mean in every scenario (e.g. 0.05)
    #[arg(long)]
    pub precision: Option<f64>,
    /// Cap on replications with --precision
    #[arg(long, default_value_t = 10_000)]
    pub max_runs: u64,
    /// Metrics the precision target applies to (default value_efficiency)
    #[arg(long = "metric", short = 'm')]
    pub metrics: Vec<String>,
    /// Replace files of the same names in --out even if backsim did not write them
    /// (without it, backsim refuses and names them)
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Args)]
#[command(
    after_help = "Examples:\n  backsim sweep siloed-pm --param pm.sync_interval=1,2,4,8 --metric on_strategy_share\n  backsim sweep aligned --param po.decision_latency_hours=1:8:1 --param po.support_share=0.2:0.4:0.05\n  backsim sweep aligned --param po.myopia=0:0.6 --param po.take_unready=0:0.5 --param roles.churn_probability=0:0.08 --samples 30"
)]
pub struct SweepArgs {
    /// Scenario file or preset name
    pub scenario: String,
    /// KEY=SPEC: a dotted scenario key (pm.sync_interval, team.capacity.cv, ...) and a list
    /// (1,2,4,8) or a range LOW:HIGH:STEP (both ends included) or LOW:HIGH
    #[arg(long = "param", short = 'p', required = true)]
    pub params: Vec<String>,
    /// Latin hypercube design with N points (default with more than two --param: 10 per parameter)
    #[arg(long)]
    pub samples: Option<usize>,
    /// Metrics to summarise (repeat or comma-separate; default value_efficiency,release_delay_sprints,decision_wait_share)
    #[arg(long = "metric", short = 'm')]
    pub metrics: Vec<String>,
    #[command(flatten)]
    pub common: AnalysisArgs,
}

#[derive(Debug, Clone, Args)]
#[command(
    after_help = "Ranges: a built-in table of the model's levers; override or add in the scenario file:\n  [sensitivity]\n  \"pm.sync_interval\" = [1, 8]\n  \"po.myopia\" = { low = 0, high = 0.8 }\n  \"team.lanes\" = [3, 3]        # zero width: leave this one out\n\nExamples:\n  backsim sensitivity aligned --metric value_efficiency --runs 200\n  backsim sensitivity siloed-pm --method morris --trajectories 10 --runs 100"
)]
pub struct SensitivityArgs {
    /// Scenario file or preset name
    pub scenario: String,
    /// The metric (default value_efficiency)
    #[arg(long, short = 'm')]
    pub metric: Option<String>,
    /// tornado: one at a time, low and high end; morris: elementary effects (μ*, σ)
    #[arg(long, value_enum, default_value_t = SensitivityMethod::Tornado)]
    pub method: SensitivityMethod,
    /// Morris trajectories
    #[arg(long, default_value_t = 10)]
    pub trajectories: usize,
    #[command(flatten)]
    pub common: AnalysisArgs,
}

#[derive(Debug, Clone, Args)]
#[command(
    after_help = "By mechanism (the default): the engine's mechanisms (decision latency, short-termism, unready pull,\nstale roadmap, churn & conflicts, tech debt, scope recognition, PM override) are switched off and on\nin both the scenario and the baseline; for every subset the paired difference is simulated on the\nsame worlds, and each mechanism gets its exact Shapley contribution with a 95 % interval. What the\nstructure does with every mechanism off is the `direct` row; the rows add up to the paired\ndifference of `backsim run`.\n\nBy structure: the keys the two scenarios differ in are grouped (PM presence, hand-over, PO strategic\nload, PO availability, PM override, mechanism coefficients, person-level traits; `other` for the\nrest) and every subset of groups is switched to the scenario's setting (at most 8 groups: 256\nvariants).\n\nWrites attribution.csv, attribution_METRIC.png/.svg and a section of report.html.\n\nExamples:\n  backsim attribute siloed-pm\n  backsim attribute blurred-roles --metric on_strategy_share --runs 500\n  backsim attribute my-team.toml --by structure --baseline siloed-pm --merge \"hand-over,PM override\""
)]
pub struct AttributeArgs {
    /// Scenario file or preset name
    pub scenario: String,
    /// The scenario to explain the difference from
    #[arg(long, default_value = "aligned")]
    pub baseline: String,
    /// Metrics to attribute (repeat or comma-separate; default value_efficiency,release_delay_sprints)
    #[arg(long = "metric", short = 'm')]
    pub metrics: Vec<String>,
    /// What to share the difference among: the engine's mechanisms, or the structural
    /// switches (groups of scenario keys) the scenarios differ in
    #[arg(long, value_enum, default_value_t = AttributeBy::Mechanism)]
    pub by: AttributeBy,
    /// With --by structure: switches to attribute together as one (comma-separated; repeatable)
    #[arg(long)]
    pub merge: Vec<String>,
    /// Replications per variant
    #[arg(long, default_value_t = 200)]
    pub runs: u64,
    /// Seed of the random streams (default: the baseline's simulation.seed)
    #[arg(long, value_parser = seed_arg)]
    pub seed: Option<u64>,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Accept work of more than 5 million replications (variants × runs)
    #[arg(long)]
    pub allow_large: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum AttributeBy {
    /// Decision latency, short-termism, unready pull, stale roadmap, churn & conflicts, tech
    /// debt, scope recognition, PM override, plus what no mechanism carries (`direct`)
    #[default]
    Mechanism,
    /// PM presence, hand-over, PO strategic load, PO availability, PM override, coefficients,
    /// person-level traits, other
    Structure,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum SensitivityMethod {
    #[default]
    Tornado,
    Morris,
}

/// Where and how sweep, sensitivity and attribute write their set.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Output folder
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Image formats of the charts
    #[arg(long, value_enum, default_value_t = Format::Both)]
    pub format: Format,
    /// Write the CSV and report section only
    #[arg(long)]
    pub no_charts: bool,
    /// No notes and no table on the terminal
    #[arg(long, short)]
    pub quiet: bool,
    /// Replace files of the same names in --out even if backsim did not write them
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Args)]
#[command(
    after_help = "Each stylized fact of the evidence (task estimates, release overruns, fat-tailed value, PO\navailability, dedication, context switching, debt interest, defects, churn, strategic squeeze) is\nmeasured by an experiment: `aligned` against variants of it, every arm on the same worlds (common\nrandom numbers), ratios and differences taken run by run. A fact is met when every check of it has\nits mean inside the evidence's band. docs/validation.md explains each experiment and each miss.\nWrites validation.csv, validation_runs.csv, validation.png/.svg and a section of report.html.\n\nExamples:\n  backsim validate\n  backsim validate --runs 2000 --out validation --threads 2"
)]
pub struct ValidateArgs {
    /// Replications per arm
    #[arg(long, default_value_t = crate::analysis::validate::DEFAULT_RUNS)]
    pub runs: u64,
    /// Seed of the random streams
    #[arg(long, default_value_t = crate::analysis::validate::DEFAULT_SEED, value_parser = seed_arg)]
    pub seed: u64,
    /// Worker threads (default: all cores, or RAYON_NUM_THREADS); results do not depend on it
    #[arg(long, value_parser = threads_arg)]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Options shared by sweep and sensitivity.
#[derive(Debug, Clone, Args)]
pub struct AnalysisArgs {
    /// Replications per point (default: the scenario's simulation.runs; the batch size with --precision)
    #[arg(long)]
    pub runs: Option<u64>,
    /// Seed of the random streams (default: the scenario's simulation.seed)
    #[arg(long, value_parser = seed_arg)]
    pub seed: Option<u64>,
    /// Add batches of --runs replications until every chosen metric's 95 % CI half-width is
    /// within this share of its mean (e.g. 0.05)
    #[arg(long)]
    pub precision: Option<f64>,
    /// Cap on replications with --precision
    #[arg(long, default_value_t = 10_000)]
    pub max_runs: u64,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Accept work of more than 5 million replications (points × runs)
    #[arg(long)]
    pub allow_large: bool,
}

/// `backsim trace`.
#[derive(Debug, Clone, Args)]
pub struct TraceArgs {
    /// Scenario file or preset name
    pub scenario: String,
    /// The replication to tell: K (1-based: the `run` column of runs.csv), `typical` (the
    /// run nearest the median of --metric over the scenario's runs) or `worst` (the worst
    /// run on --metric)
    #[arg(long, default_value = "1")]
    pub run: crate::analysis::trace::RunPick,
    /// The metric `--run typical|worst` picks by
    #[arg(long, default_value = "value_efficiency")]
    pub metric: String,
    /// The same run of another scenario, side by side
    #[arg(long)]
    pub compare: Option<String>,
    /// Sprints to tell, A:B (1-based, inclusive) or N
    #[arg(long)]
    pub sprints: Option<String>,
    /// Seed (default: the scenario's simulation.seed, as `backsim run` uses)
    #[arg(long, value_parser = seed_arg)]
    pub seed: Option<u64>,
    /// Output folder
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Do not print the story
    #[arg(long, short)]
    pub quiet: bool,
    /// Replace files of the same names even if backsim did not write them
    #[arg(long)]
    pub force: bool,
}

/// `backsim calibrate`.
#[derive(Debug, Clone, Args)]
pub struct CalibrateArgs {
    /// The history CSV: sprint,completed[,committed], or a tracker's export with per-item
    /// dates (id,started,done or id,created,done; comma or semicolon)
    pub history: PathBuf,
    /// Output folder
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Warnings only
    #[arg(long, short)]
    pub quiet: bool,
    /// Per-item export: the date format, strftime style (e.g. "%d-%b-%y"); default ISO
    #[arg(long)]
    pub date_format: Option<String>,
    /// Per-item export: count throughput per day, week (Monday to Sunday) or sprint
    #[arg(long, value_enum, default_value = "week")]
    pub period: PeriodArg,
    /// Per-item export with --period sprint: calendar days per sprint
    #[arg(long, default_value_t = 14)]
    pub sprint_days: u32,
    /// Per-item export: keep the items done on or after this date (YYYY-MM-DD)
    #[arg(long)]
    pub since: Option<String>,
    /// Per-item export: keep the last N periods
    #[arg(long)]
    pub last: Option<usize>,
    /// Per-item export: refuse messy rows instead of warning about them
    #[arg(long)]
    pub strict: bool,
    /// Image formats of the fit chart
    #[arg(long, value_enum, default_value_t = Format::Both)]
    pub format: Format,
    /// No fit chart and no report section
    #[arg(long)]
    pub no_charts: bool,
    /// Replace files of the same names even if backsim did not write them
    #[arg(long)]
    pub force: bool,
}

impl Default for RunArgs {
    /// The defaults of `backsim run` without flags (clap's `default_value`s, e.g. the
    /// `output` folder), which a derived Default would not know.
    fn default() -> Self {
        match Cli::parse_from(["backsim", "run"]).command {
            Some(Command::Run(args)) => args,
            _ => unreachable!("`backsim run` parses as the run command"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    Png,
    Svg,
    #[default]
    Both,
}
