//! `backsim validate`: the model against the stylized facts of the published evidence
//! (`analysis::validate` runs the experiments); the files are published as one set.

use super::image_format;
use crate::analysis::validate::{
    chart, compute, report_html, runs_csv, text_table, validation_csv, ValidateOutcome, ARMS,
    CHECKS, FACTS,
};
use crate::error::input_error;
use crate::output::publish::{chart_names, Publisher};
use anyhow::{Context, Result};
use std::path::PathBuf;

/// `backsim validate` from its arguments.
pub fn validate(args: &crate::cli::ValidateArgs) -> Result<ValidateOutcome> {
    run(&ValidateOptions {
        runs: args.runs,
        seed: args.seed,
        threads: args.threads,
        out: args.output.out.clone(),
        format: image_format(args.output.format),
        no_charts: args.output.no_charts,
        quiet: args.output.quiet,
    })
}

#[derive(Debug, Clone)]
pub struct ValidateOptions {
    pub runs: u64,
    pub seed: u64,
    pub threads: Option<usize>,
    pub out: PathBuf,
    pub format: crate::output::ImageFormat,
    pub no_charts: bool,
    pub quiet: bool,
}

/// `backsim validate`: run the experiments, write validation.csv, validation_runs.csv, the
/// chart and the report section as one set.
pub fn run(opts: &ValidateOptions) -> Result<ValidateOutcome> {
    if opts.runs < 2 {
        return Err(input_error(
            "--runs must be at least 2 (an interval needs two runs)",
        ));
    }
    let total = opts.runs * ARMS.len() as u64;
    crate::output::progress::check_large("validate", total, 26, false, opts.quiet)?;
    if !opts.quiet {
        eprintln!(
            "validate: {} checks of {} stylized facts, {} arms × {} runs on the same worlds (seed {})",
            CHECKS.len(),
            FACTS.len(),
            ARMS.len(),
            opts.runs,
            opts.seed
        );
    }
    let mut names: Vec<String> = ["validation.csv", "validation_runs.csv", "report.html"]
        .map(String::from)
        .to_vec();
    if !opts.no_charts {
        names.extend(chart_names("validation", opts.format));
    }
    // Before any simulation: a refusal to replace the user's own files costs nothing.
    let mut publisher = Publisher::open(&opts.out, &names, 1 << 22)?;
    let bar = crate::output::progress::bar(total, opts.quiet, "validate:".to_string());
    let work = || compute(opts.runs, opts.seed, &|done| bar.set_position(done));
    let mut outcome = match opts.threads {
        Some(0) => return Err(input_error("--threads must be at least 1")),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .context("cannot start worker threads")?
            .install(work)?,
        None => work()?,
    };
    bar.finish_and_clear();
    let out = &opts.out;
    publisher.file("validation.csv", validation_csv(&outcome).as_bytes())?;
    publisher.file("validation_runs.csv", runs_csv(&outcome).as_bytes())?;
    let svg = if opts.no_charts {
        None
    } else {
        Some(publisher.chart(chart(&outcome, &out.join("validation"), opts.format)?))
    };
    publisher.report_section("validation", &report_html(&outcome, svg.as_deref()))?;
    outcome.files = publisher.commit()?.files;
    if !opts.quiet {
        use std::io::Write;
        let mut o = std::io::stdout().lock();
        write!(o, "{}", text_table(&outcome))?;
        writeln!(
            o,
            "{} arms × {} runs (seed {}) written to {}",
            ARMS.len(),
            outcome.runs,
            outcome.seed,
            out.display()
        )?;
    }
    Ok(outcome)
}
