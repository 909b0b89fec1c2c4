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
use crate::format::{fmt_num, one_decimal};
use crate::model::compiled::Model;
use crate::model::item::{ItemKind, INTERNAL_ID};
use crate::random::RunKeys;
use crate::scenario::Scenario;
use anyhow::Result;
pub use rows::trace_csv;
use std::collections::BTreeSet;
use std::fmt::Write as _;
pub use story::{markdown, story_html};

/// Which replication `trace` tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunPick {
    /// Replication K, 1-based (the `run` column of runs.csv).
    Number(u64),
    /// The run nearest the median of the chosen metric.
    Typical,
    /// The worst run on the chosen metric (an unfinished release is worst for a censored one).
    Worst,
}

impl std::str::FromStr for RunPick {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "typical" | "median" => Ok(RunPick::Typical),
            "worst" => Ok(RunPick::Worst),
            t => t.parse::<u64>().map(RunPick::Number).map_err(|_| {
                format!("{s:?}: expected a run number (1, 2, …), `typical` or `worst`")
            }),
        }
    }
}

/// The 1-based run `pick` names among `values` (the chosen metric per replication, NaN when
/// a run has none), and a sentence saying why.
pub fn pick_run(
    pick: RunPick,
    values: &[f64],
    metric: &crate::engine::metrics::MetricInfo,
) -> Result<(u64, String)> {
    use crate::engine::metrics::Better;
    let label = crate::output::names::label(metric.name).to_lowercase();
    let mut finite: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    match pick {
        RunPick::Number(k) => Ok((k, String::new())),
        _ if finite.is_empty() => {
            Err(input_error(format!(
            "--run {}: no run of the scenario has a {label} to pick by; choose another --metric",
            if pick == RunPick::Typical { "typical" } else { "worst" }
        )))
        }
        RunPick::Typical => {
            finite.sort_by(f64::total_cmp);
            let median = crate::stats::quantile_sorted(&finite, 0.5);
            let (i, v) = values
                .iter()
                .enumerate()
                .filter(|(_, v)| !v.is_nan())
                .min_by(|a, b| (a.1 - median).abs().total_cmp(&(b.1 - median).abs()))
                .expect("a value");
            Ok((
                i as u64 + 1,
                format!(
                    "Run {} is the typical run: its {label} ({}) is the nearest to the median ({}) of {} runs.",
                    i + 1,
                    fmt_num(*v),
                    fmt_num(median),
                    values.len()
                ),
            ))
        }
        RunPick::Worst => {
            if metric.censored {
                if let Some(i) = values.iter().position(|v| v.is_nan()) {
                    return Ok((
                        i as u64 + 1,
                        format!(
                            "Run {} is a worst run: its release was not done within the horizon ({} of {} runs were not).",
                            i + 1,
                            values.len() - finite.len(),
                            values.len()
                        ),
                    ));
                }
            }
            let better_high = metric.better == Better::Higher;
            let (i, v) = values
                .iter()
                .enumerate()
                .filter(|(_, v)| !v.is_nan())
                .reduce(|a, b| {
                    let worse = if better_high { b.1 < a.1 } else { b.1 > a.1 };
                    if worse {
                        b
                    } else {
                        a
                    }
                })
                .expect("a value");
            Ok((
                i as u64 + 1,
                format!(
                    "Run {} is the worst of {} runs on {label}: {} ({} is better).",
                    i + 1,
                    values.len(),
                    fmt_num(*v),
                    if better_high { "higher" } else { "lower" }
                ),
            ))
        }
    }
}

/// One scenario's replication: its events and its runs.csv record.
#[derive(Debug, Clone)]
pub struct Story {
    pub scenario: Scenario,
    pub events: Vec<Event>,
    pub record: RunRecord,
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
    e.sprint()
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
        let mut new_points = 0.0;
        let mut guesses = (0u32, 0u32, 0.0f64);
        let mut grown = 0.0;
        for e in events {
            match **e {
                Event::MarketShock { theme, factor, .. } => o.market.push(format!(
                    "shock: theme {} weight ×{}",
                    theme + 1,
                    format_args!("{factor:.2}")
                )),
                Event::Arrived { count, .. } => o.market.push(format!(
                    "{} arrived",
                    crate::words::count(count.into(), "new item")
                )),
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
                Event::Churned {
                    item,
                    rework: r,
                    growth: g,
                    ..
                } => {
                    churned.push(item_label(item));
                    rework += r;
                    grown += g;
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
                } => {
                    // Work in progress carries over at its remaining estimate and is taken
                    // before anything new, even past the commitment: say how much.
                    let carried = committed - new_points;
                    let mut line = format!(
                        "capacity {} SP; commitment {} SP (yesterday's weather); committed {} SP in {}",
                        one_decimal(capacity),
                        one_decimal(commitment),
                        one_decimal(committed),
                        crate::words::count(items as u64, "item")
                    );
                    if carried > 0.05 {
                        let _ = write!(
                            line,
                            " = {} SP carried over (work in progress from last sprint, taken first, even beyond the commitment) + {} SP newly committed",
                            one_decimal(carried),
                            one_decimal(new_points)
                        );
                    }
                    o.planning.push(line);
                }
                Event::Committed {
                    item, ready, points, ..
                } => {
                    new_points += points;
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
                Event::WarmupValue { value, .. } => {
                    o.value += value;
                    o.released.push(format!(
                        "work released before sprint 1 (the warm-up) earns {} in the year",
                        one_decimal(value)
                    ));
                }
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
                Event::Guessed { wrong, rework: r, .. } => {
                    guesses.0 += 1;
                    if wrong {
                        guesses.1 += 1;
                        guesses.2 += r;
                    }
                }
                Event::Started { .. } => {}
            }
        }
        if guesses.0 > 0 {
            o.waiting.push(format!(
                "{} waited more than {} h and {} worked on a guess; {} wrong ({} SP to redo)",
                crate::words::count(guesses.0.into(), "question"),
                one_decimal(s.team.guess_after_hours),
                if guesses.0 == 1 { "was" } else { "were" },
                crate::words::count_irregular(guesses.1.into(), "guess was", "guesses were"),
                one_decimal(guesses.2)
            ));
        }
        if !unready.is_empty() {
            o.planning
                .push(format!("taken although not ready: {}", list(&unready, 6)));
        }
        if !churned.is_empty() {
            o.disruption.push(format!(
                "requirements changed: {}{}; {} SP of scope added",
                list(&churned, 6),
                if rework >= 0.05 {
                    format!(" ({} SP of done work reworked)", one_decimal(rework))
                } else {
                    String::new()
                },
                one_decimal(grown)
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
                "{}, {} h in all: {}",
                crate::words::count(blocked.len() as u64, "wait"),
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
        o.value += released.2;
    }
    out
}

#[cfg(test)]
mod tests;
