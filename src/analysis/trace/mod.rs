//! `backsim trace`: the story of one replication, sprint by sprint.
//!
//! Replication K (1-based, the `run` column of runs.csv) is replayed with
//! [`simulate_traced`] on `RunKeys::new(seed, K − 1)`, with the oracle run first for value
//! efficiency, exactly as `backsim run` does; so the events add up to that run's row in
//! runs.csv. With `--compare OTHER` the same replication of a second scenario is told beside
//! it: same market, same items, same capacity draws, so every difference in the two
//! stories is the roles' doing.

mod rows;
mod story;

use crate::engine::metrics::{idx, RunRecord};
use crate::engine::trace::{BlockCause, DropCause, Event};
use crate::engine::{simulate, simulate_traced, Workspace};
use crate::error::input_error;
use crate::format::one_decimal;
use crate::model::compiled::Model;
use crate::model::item::{ItemKind, INTERNAL_ID};
use crate::output::atomic::{commit_all, prepare_dir, write_file};
use crate::output::report::esc;
use crate::random::RunKeys;
use crate::scenario::load::load_with_limits;
use crate::scenario::validate::Limits;
use crate::scenario::Scenario;
use anyhow::Result;
pub use rows::trace_csv;
use std::collections::BTreeSet;
use std::path::PathBuf;
pub use story::markdown;

#[derive(Debug, Clone)]
pub struct TraceOptions {
    pub scenario: String,
    pub compare: Option<String>,
    /// 1-based replication.
    pub run: u64,
    /// 1-based inclusive sprint window.
    pub sprints: Option<String>,
    pub seed: Option<u64>,
    pub out: PathBuf,
    pub quiet: bool,
}

/// One scenario's replication: its events and its runs.csv record.
#[derive(Debug, Clone)]
pub struct Story {
    pub scenario: Scenario,
    pub events: Vec<Event>,
    pub record: RunRecord,
}

#[derive(Debug, Clone)]
pub struct TraceOutcome {
    pub stories: Vec<Story>,
    pub markdown: String,
    pub csv: String,
    pub files: Vec<PathBuf>,
}

/// Replay replication `run` (1-based) of `scenario` with `seed`.
pub fn replay(scenario: &Scenario, seed: u64, run: u64) -> Story {
    let keys = RunKeys::new(seed, run - 1);
    let mut ws = Workspace::new();
    let oracle =
        simulate(&Model::oracle(scenario), &keys, None, &mut ws).metrics[idx::VALUE_REALIZED];
    let mut events = Vec::new();
    let record = simulate_traced(
        &Model::new(scenario),
        &keys,
        Some(oracle),
        &mut ws,
        &mut events,
    );
    Story {
        scenario: scenario.clone(),
        events,
        record,
    }
}

/// `#12` for a backlog item, `bug-3`, `redo-1`, `injected-…`, `split-…`, `risk-…` otherwise.
pub fn item_label(id: u64) -> String {
    if id < INTERNAL_ID {
        return format!("#{id}");
    }
    let rest = id & !INTERNAL_ID;
    let n = rest & 0xffff_ffff;
    match rest >> 32 {
        1 => format!("bug-{n}"),
        2 => format!("risk-{}", n >> 20),
        3 => format!("injected-{}.{}", n >> 8, n & 0xff),
        4 => format!("redo-{n}"),
        5 => format!("split-{n}"),
        _ => format!("item-{id}"),
    }
}

fn kind_name(k: ItemKind) -> &'static str {
    match k {
        ItemKind::Feature => "feature",
        ItemKind::Enabler => "enabler",
        ItemKind::Bug => "bug",
        ItemKind::Redo => "redo",
    }
}

fn sprint_of(e: &Event) -> u32 {
    use Event::*;
    match *e {
        MarketShock { sprint, .. }
        | Arrived { sprint, .. }
        | RiskStruck { sprint, .. }
        | BugAdded { sprint, .. }
        | Churned { sprint, .. }
        | Handover { sprint, .. }
        | Override { sprint }
        | Planned { sprint, .. }
        | Committed { sprint, .. }
        | Started { sprint, .. }
        | Blocked { sprint, .. }
        | Injected { sprint, .. }
        | Dropped { sprint, .. }
        | Finished { sprint, .. }
        | Released { sprint, .. }
        | ScopeComplete { sprint }
        | SprintEnd { sprint, .. } => sprint,
    }
}

/// What one sprint of one story says, aspect by aspect.
#[derive(Debug, Default, Clone)]
struct SprintStory {
    market: Vec<String>,
    strategy: Vec<String>,
    planning: Vec<String>,
    waiting: Vec<String>,
    disruption: Vec<String>,
    finished: Vec<String>,
    released: Vec<String>,
    end: Vec<String>,
    committed: BTreeSet<u64>,
    value: f64,
}

const ASPECTS: [&str; 8] = [
    "Market",
    "Strategy (PM → PO)",
    "Planning",
    "Waiting for decisions",
    "Disruptions",
    "Finished & quality",
    "Released",
    "End of sprint",
];

impl SprintStory {
    fn aspects(&self) -> [&Vec<String>; 8] {
        [
            &self.market,
            &self.strategy,
            &self.planning,
            &self.waiting,
            &self.disruption,
            &self.finished,
            &self.released,
            &self.end,
        ]
    }
}

fn list(items: &[String], max: usize) -> String {
    if items.len() <= max {
        items.join(", ")
    } else {
        format!("{}, … ({} in all)", items[..max].join(", "), items.len())
    }
}

/// Group a story's events into sprints and tell each.
fn tell(st: &Story) -> Vec<SprintStory> {
    let s = &st.scenario;
    let n = s.simulation.sprints as usize;
    let mut out = vec![SprintStory::default(); n];
    let mut by_sprint: Vec<Vec<&Event>> = vec![Vec::new(); n];
    for e in &st.events {
        let k = sprint_of(e) as usize;
        if k < n {
            by_sprint[k].push(e);
        }
    }
    for (k, events) in by_sprint.iter().enumerate() {
        let o = &mut out[k];
        let mut unready = Vec::new();
        let mut blocked: Vec<(String, f64, BlockCause)> = Vec::new();
        let mut churned = Vec::new();
        let mut rework = 0.0;
        let mut finished = Vec::new();
        let (mut d_in, mut d_later, mut d_esc) = (0, 0, 0);
        let mut wrong = Vec::new();
        let mut bugs = (0u32, 0u32, 0.0f64);
        let mut released = (0u32, 0.0f64, 0.0f64, 0u32);
        for e in events {
            match **e {
                Event::MarketShock { theme, factor, .. } => o.market.push(format!(
                    "shock: theme {} weight ×{}",
                    theme + 1,
                    format_args!("{factor:.2}")
                )),
                Event::Arrived { count, .. } => o.market.push(format!("{count} new items arrived")),
                Event::RiskStruck { risk, .. } => o.market.push(format!(
                    "risk struck: {}",
                    s.risks.get(risk as usize).map_or("?", |r| r.name.as_str())
                )),
                Event::BugAdded {
                    points, escaped, ..
                } => {
                    if escaped {
                        bugs.1 += 1;
                    } else {
                        bugs.0 += 1;
                    }
                    bugs.2 += points;
                }
                Event::Churned { item, rework: r, .. } => {
                    churned.push(item_label(item));
                    rework += r;
                }
                Event::Handover {
                    from_pm,
                    distance,
                    shock,
                    ..
                } => o.strategy.push(format!(
                    "{} (theme ranking changed by {:.2}){}",
                    if from_pm {
                        "PM synced the roadmap with the PO"
                    } else {
                        "PO reviewed strategy alone (no PM)"
                    },
                    distance,
                    if shock {
                        " — a roadmap shock: demoted themes' ready items lose readiness, some started work is dropped"
                    } else if distance == 0.0 {
                        " — priorities unchanged"
                    } else {
                        " — priorities shifted"
                    }
                )),
                Event::Override { .. } => o
                    .strategy
                    .push("PM overrode the top of the PO's order".into()),
                Event::Planned {
                    capacity,
                    commitment,
                    committed,
                    items,
                    ..
                } => o.planning.push(format!(
                    "capacity {} SP; commitment {} SP (yesterday's weather); committed {} SP in {}",
                    one_decimal(capacity),
                    one_decimal(commitment),
                    one_decimal(committed),
                    crate::words::count(items as u64, "item")
                )),
                Event::Committed { item, ready, .. } => {
                    o.committed.insert(item);
                    if !ready {
                        unready.push(item_label(item));
                    }
                }
                Event::Blocked {
                    item, hours, cause, ..
                } => blocked.push((item_label(item), hours, cause)),
                Event::Injected { item, points, .. } => o.disruption.push(format!(
                    "conflicting directive injected {} ({} SP)",
                    item_label(item),
                    one_decimal(points)
                )),
                Event::Dropped {
                    item, waste, cause, ..
                } => o.disruption.push(format!(
                    "{} dropped ({}), {} SP of done work wasted",
                    item_label(item),
                    match cause {
                        DropCause::RoadmapShock => "roadmap shock",
                        DropCause::Conflict => "conflict",
                    },
                    one_decimal(waste)
                )),
                Event::Finished {
                    item,
                    in_sprint,
                    later,
                    escaped,
                    wrong_build,
                    ..
                } => {
                    finished.push(item_label(item));
                    d_in += in_sprint;
                    d_later += later;
                    d_esc += escaped;
                    if wrong_build {
                        wrong.push(item_label(item));
                    }
                }
                Event::Released {
                    points,
                    value,
                    in_scope,
                    ..
                } => {
                    released.0 += 1;
                    released.1 += points;
                    released.2 += value;
                    released.3 += in_scope as u32;
                }
                Event::ScopeComplete { .. } => o
                    .released
                    .push("the release scope is complete".into()),
                Event::SprintEnd {
                    velocity,
                    done,
                    tech_debt,
                    backlog,
                    ..
                } => o.end.push(format!(
                    "velocity {} SP ({} SP of the commitment); tech debt {}; {backlog} items in the backlog",
                    one_decimal(velocity),
                    one_decimal(done),
                    one_decimal(tech_debt)
                )),
                Event::Started { .. } => {}
            }
        }
        if !unready.is_empty() {
            o.planning
                .push(format!("taken although not ready: {}", list(&unready, 6)));
        }
        if !churned.is_empty() {
            o.disruption.push(format!(
                "requirements changed: {}{}",
                list(&churned, 6),
                if rework >= 0.05 {
                    format!(" ({} SP of done work reworked)", one_decimal(rework))
                } else {
                    String::new()
                }
            ));
        }
        if bugs.0 + bugs.1 > 0 {
            o.disruption.push(format!(
                "bug work added: {} found late, {} reported from production ({} SP)",
                bugs.0,
                bugs.1,
                one_decimal(bugs.2)
            ));
        }
        if !blocked.is_empty() {
            blocked.sort_by(|a, b| b.1.total_cmp(&a.1));
            let total: f64 = blocked.iter().map(|b| b.1).sum();
            let shown: Vec<String> = blocked
                .iter()
                .map(|(i, h, c)| {
                    format!(
                        "{i} {} h{}",
                        one_decimal(*h),
                        if *c == BlockCause::Escalation {
                            " (escalation)"
                        } else {
                            ""
                        }
                    )
                })
                .collect();
            o.waiting.push(format!(
                "{} waits, {} h in all: {}",
                blocked.len(),
                one_decimal(total),
                list(&shown, 5)
            ));
        }
        if !finished.is_empty() {
            o.finished.push(format!(
                "{} finished ({}); defects: {d_in} caught in the sprint, {d_later} found later, {d_esc} escaped to production",
                crate::words::count(finished.len() as u64, "item"),
                list(&finished, 6)
            ));
        }
        if !wrong.is_empty() {
            o.finished
                .push(format!("built wrong (redo queued): {}", list(&wrong, 6)));
        }
        if released.0 > 0 {
            o.released.insert(
                0,
                format!(
                    "{}, {} SP, worth {} in value ({} in the release scope)",
                    crate::words::count(released.0 as u64, "item"),
                    one_decimal(released.1),
                    format_args!("{:.2}", released.2),
                    released.3
                ),
            );
        }
        o.value = released.2;
    }
    out
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
    if opts.run == 0 {
        return Err(input_error(
            "--run K counts from 1 (the `run` column of runs.csv)",
        ));
    }
    let sprints = scenarios
        .iter()
        .map(|s| s.simulation.sprints)
        .min()
        .unwrap_or(1);
    let window = window_of(opts.sprints.as_deref(), sprints)?;
    prepare_dir(&opts.out)?;
    let stories: Vec<Story> = scenarios
        .iter()
        .map(|s| replay(s, seed, opts.run))
        .collect();
    let md = markdown(&stories, opts.run, seed, window);
    let csv = trace_csv(&stories, window);
    let section = format!(
        "<h2>Trace of run {} ({})</h2>\n{}<pre class=\"story\">{}</pre>\n",
        opts.run,
        esc(&stories
            .iter()
            .map(|s| s.scenario.name.as_str())
            .collect::<Vec<_>>()
            .join(" vs ")),
        super::command_html(),
        esc(&md)
    );
    let pending = vec![
        write_file(&opts.out.join("trace.csv"), csv.as_bytes())?,
        write_file(&opts.out.join("trace.md"), md.as_bytes())?,
        super::report_section(&opts.out, "trace", &section)?,
    ];
    let files = commit_all(pending)?;
    if !opts.quiet {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        write!(out, "{md}")?;
        writeln!(
            out,
            "trace.md, trace.csv and a report section written to {}",
            opts.out.display()
        )?;
        if let Some(note) = crate::output::atomic::replaced_note(&opts.out) {
            writeln!(out, "{note}")?;
        }
    }
    Ok(TraceOutcome {
        stories,
        markdown: md,
        csv,
        files,
    })
}
