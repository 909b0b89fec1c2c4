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
    after_help = "Examples:\n  backsim                                   compare the four archetypes into output/\n  backsim run aligned my-team.toml --runs 5000\n  backsim init my-team && backsim check my-team.toml\n  backsim plot output --format svg"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
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
