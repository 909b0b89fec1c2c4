//! `backsim trace`: the story of one replication told sprint by sprint (`analysis::trace`
//! replays and tells it), written as trace.md, trace.csv and a report section together.

use crate::analysis::trace::{markdown, pick_run, replay, story_html, trace_csv, RunPick, Story};
use crate::error::input_error;
use crate::output::publish::Publisher;
use crate::output::report::esc;
use crate::scenario::load::load_with_limits;
use crate::scenario::validate::Limits;
use anyhow::Result;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct TraceOptions {
    pub scenario: String,
    pub compare: Option<String>,
    /// Which replication to tell.
    pub run: RunPick,
    /// The metric `typical` and `worst` pick by (default value_efficiency).
    pub metric: Option<String>,
    /// 1-based inclusive sprint window.
    pub sprints: Option<String>,
    pub seed: Option<u64>,
    pub out: PathBuf,
    pub quiet: bool,
}

#[derive(Debug, Clone)]
pub struct TraceOutcome {
    pub stories: Vec<Story>,
    pub markdown: String,
    pub csv: String,
    pub files: Vec<PathBuf>,
}

fn window_of(spec: Option<&str>, sprints: u32) -> Result<(u32, u32)> {
    let Some(spec) = spec else {
        return Ok((1, sprints));
    };
    let bad = || {
        input_error(format!(
            "--sprints {spec:?}: expected A:B with 1 ≤ A ≤ B ≤ {sprints} (or a single sprint N)"
        ))
    };
    let (a, b) = match spec.split_once(':') {
        Some((a, b)) => (
            a.trim().parse::<u32>().map_err(|_| bad())?,
            b.trim().parse::<u32>().map_err(|_| bad())?,
        ),
        None => {
            let n = spec.trim().parse::<u32>().map_err(|_| bad())?;
            (n, n)
        }
    };
    if a < 1 || a > b || b > sprints {
        return Err(bad());
    }
    Ok((a, b))
}

/// `backsim trace`: its arguments as options, then [`run`].
pub fn command(args: &crate::cli::TraceArgs) -> Result<TraceOutcome> {
    run(&TraceOptions {
        scenario: args.scenario.clone(),
        compare: args.compare.clone(),
        run: args.run,
        metric: Some(args.metric.clone()),
        sprints: args.sprints.clone(),
        seed: args.seed,
        out: args.out.clone(),
        quiet: args.quiet,
    })
}

pub fn run(opts: &TraceOptions) -> Result<TraceOutcome> {
    let limits = Limits::default();
    let a = load_with_limits(&opts.scenario, &limits)?;
    let seed = opts.seed.unwrap_or(a.simulation.seed);
    let mut scenarios = vec![a];
    if let Some(other) = &opts.compare {
        let b = load_with_limits(other, &limits)?;
        if b.name == scenarios[0].name {
            return Err(input_error(format!(
                "--compare {other}: the scenario has the same name {:?} as {}; set `name` in one file",
                b.name, opts.scenario
            )));
        }
        scenarios.push(b);
    }
    for (spec, s) in [Some(&opts.scenario), opts.compare.as_ref()]
        .into_iter()
        .flatten()
        .zip(&scenarios)
    {
        if s.simulation.model == crate::scenario::ModelKind::Throughput {
            return Err(input_error(format!(
                "{spec}: a throughput forecast (simulation.model = \"throughput\") has no events to tell; trace its roles-model twin instead, e.g. scenarios/examples/frictionless-roles.toml"
            )));
        }
    }
    if opts.run == RunPick::Number(0) {
        return Err(input_error(
            "--run K counts from 1 (the `run` column of runs.csv)",
        ));
    }
    let metric = crate::analysis::metric_indices(
        &opts.metric.iter().cloned().collect::<Vec<_>>(),
        &["value_efficiency"],
    )?;
    if metric.len() != 1 {
        return Err(input_error("trace takes one --metric"));
    }
    let (run, why) = match opts.run {
        RunPick::Number(k) => (k, String::new()),
        pick => {
            let first = &scenarios[0];
            let c = crate::analysis::evaluate(
                std::slice::from_ref(first),
                seed,
                first.simulation.runs,
                None,
                &metric,
                true,
                &|_| {},
            )?;
            let values = c.metric_values(0, metric[0]);
            pick_run(pick, values, &crate::engine::metrics::METRICS[metric[0]])?
        }
    };
    let sprints = scenarios
        .iter()
        .map(|s| s.simulation.sprints)
        .min()
        .unwrap_or(1);
    let window = window_of(opts.sprints.as_deref(), sprints)?;
    let names = ["trace.csv", "trace.md", "report.html"].map(String::from);
    let mut publisher = Publisher::open(&opts.out, &names, 1 << 20)?;
    let stories: Vec<Story> = scenarios.iter().map(|s| replay(s, seed, run)).collect();
    let mut md = markdown(&stories, run, seed, window);
    if !why.is_empty() {
        // After the title line.
        let at = md.find("\n\n").map_or(md.len(), |i| i + 2);
        md.insert_str(at, &format!("{why}\n\n"));
    }
    let csv = trace_csv(&stories, window);
    let section = format!(
        "<h2>Trace of run {} ({})</h2>\n{}{}\n",
        run,
        esc(&stories
            .iter()
            .map(|s| s.scenario.name.as_str())
            .collect::<Vec<_>>()
            .join(" vs ")),
        crate::analysis::command_html(),
        story_html(&md)
    );
    publisher.file("trace.csv", csv.as_bytes())?;
    publisher.file("trace.md", md.as_bytes())?;
    publisher.report_section("trace", &section)?;
    let published = publisher.commit()?;
    if !opts.quiet {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        write!(out, "{md}")?;
        writeln!(
            out,
            "trace.md, trace.csv and a report section written to {}",
            opts.out.display()
        )?;
        if let Some(note) = &published.replaced {
            writeln!(out, "{note}")?;
        }
    }
    Ok(TraceOutcome {
        stories,
        markdown: md,
        csv,
        files: published.files,
    })
}
