//! The command line: clap types only. [`crate::app`] turns them into work.

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
    /// Redraw every chart and the report from the CSVs and scenarios.toml in DIR
    Plot {
        /// A folder written by `backsim run`
        #[arg(default_value = "output")]
        dir: PathBuf,
        /// Image formats to write
        #[arg(long, value_enum, default_value_t = Format::Both)]
        format: Format,
    },
    /// Sweep parameters over a grid or a Latin hypercube (same worlds at every point)
    Sweep(SweepArgs),
    /// Which parameters move a metric: one-at-a-time tornado, or Morris screening
    Sensitivity(SensitivityArgs),
    /// Tell the story of one run sprint by sprint (optionally beside another scenario's)
    #[command(
        after_help = "Examples:\n  backsim trace aligned --run 7\n  backsim trace aligned --run typical --metric value_efficiency\n  backsim trace siloed-pm --run worst --metric release_delay_sprints\n  backsim trace aligned --run 7 --compare siloed-pm --sprints 1:8"
    )]
    Trace {
        /// Scenario file or preset name
        scenario: String,
        /// The replication to tell: K (1-based: the `run` column of runs.csv), `typical` (the
        /// run nearest the median of --metric over the scenario's runs) or `worst` (the worst
        /// run on --metric)
        #[arg(long, default_value = "1")]
        run: crate::analysis::trace::RunPick,
        /// The metric `--run typical|worst` picks by
        #[arg(long, default_value = "value_efficiency")]
        metric: String,
        /// The same run of another scenario, side by side
        #[arg(long)]
        compare: Option<String>,
        /// Sprints to tell, A:B (1-based, inclusive) or N
        #[arg(long)]
        sprints: Option<String>,
        /// Seed (default: the scenario's simulation.seed, as `backsim run` uses)
        #[arg(long)]
        seed: Option<u64>,
        /// Output folder
        #[arg(long, default_value = "output")]
        out: PathBuf,
        /// Do not print the story
        #[arg(long, short)]
        quiet: bool,
    },
    /// Turn a team's sprint history (CSV: sprint, completed[, committed]) into a [team] capacity
    #[command(
        after_help = "The history is a CSV with a header and one row per sprint:\n  sprint,completed,committed\n  1,27,30\n  2,31,30\n  ...\nWrites calibration.toml (the [team] section: an empirical bootstrap, the best fit commented)\nand calibration.csv (each fit's mean, CV, log-likelihood and Kolmogorov-Smirnov distance)."
    )]
    Calibrate {
        /// The history CSV
        history: PathBuf,
        /// Output folder
        #[arg(long, default_value = "output")]
        out: PathBuf,
        /// Warnings only
        #[arg(long, short)]
        quiet: bool,
    },
    /// Print shell completions
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Scenario files or preset names (default: aligned siloed-pm overloaded-po blurred-roles)
    pub scenarios: Vec<String>,
    /// Replications per scenario (default: the baseline scenario's simulation.runs)
    #[arg(long)]
    pub runs: Option<u64>,
    /// Seed of the random streams (default: the baseline scenario's simulation.seed)
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output folder
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Worker threads (default: all cores, or RAYON_NUM_THREADS); results do not depend on it
    #[arg(long)]
    pub threads: Option<usize>,
    /// Scenario the others are compared with (default: the first)
    #[arg(long)]
    pub baseline: Option<String>,
    /// No progress bar and no summary table
    #[arg(long, short)]
    pub quiet: bool,
    /// Write the CSVs only
    #[arg(long)]
    pub no_charts: bool,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum SensitivityMethod {
    #[default]
    Tornado,
    Morris,
}

/// Options shared by sweep and sensitivity.
#[derive(Debug, Clone, Args)]
pub struct AnalysisArgs {
    /// Replications per point (default: the scenario's simulation.runs; the batch size with --precision)
    #[arg(long)]
    pub runs: Option<u64>,
    /// Seed of the random streams (default: the scenario's simulation.seed)
    #[arg(long)]
    pub seed: Option<u64>,
    /// Add batches of --runs replications until every chosen metric's 95 % CI half-width is
    /// within this share of its mean (e.g. 0.05)
    #[arg(long)]
    pub precision: Option<f64>,
    /// Cap on replications with --precision
    #[arg(long, default_value_t = 10_000)]
    pub max_runs: u64,
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
