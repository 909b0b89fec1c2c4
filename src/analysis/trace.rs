//! `backsim trace`: the story of one replication, sprint by sprint.
//!
//! Replication K (1-based, the `run` column of runs.csv) is replayed with
//! [`simulate_traced`] on `RunKeys::new(seed, K − 1)`, with the oracle run first for value
//! efficiency, exactly as `backsim run` does; so the events add up to that run's row in
//! runs.csv. With `--compare OTHER` the same replication of a second scenario is told beside
//! it: same market, same items, same capacity draws, so every difference in the two
//! stories is the roles' doing.

use crate::engine::metrics::{idx, RunRecord};
use crate::engine::trace::{BlockCause, DropCause, Event};
use crate::engine::{simulate, simulate_traced, Workspace};
use crate::error::input_error;
use crate::format::fmt_num;
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
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

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
        | WarmupValue { sprint, .. }
        | SprintEnd { sprint, .. } => sprint,
    }
}

/// (kind, item, day, details) of one event for trace.csv; day is 1-based within the sprint,
/// None when the event has no time of day.
fn row(e: &Event, s: &Scenario) -> (&'static str, String, Option<u32>, String) {
    let days = s.simulation.sprint_days;
    let day = |hour: f64| Some(((hour / s.simulation.hours_per_day).floor() as u32 + 1).min(days));
    let n = fmt_num;
    use Event::*;
    match *e {
        MarketShock { theme, factor, .. } => (
            "market_shock",
            String::new(),
            Some(1),
            format!("theme={}; factor={}", theme + 1, n(factor)),
        ),
        Arrived { count, .. } => ("arrived", String::new(), Some(1), format!("items={count}")),
        RiskStruck { risk, .. } => (
            "risk",
            String::new(),
            Some(1),
            format!(
                "name={}",
                s.risks
                    .get(risk as usize)
                    .map_or("?".into(), |r| r.name.replace(',', " "))
            ),
        ),
        BugAdded {
            item,
            points,
            escaped,
            ..
        } => (
            "bug_added",
            item_label(item),
            Some(1),
            format!("points={}; from_production={escaped}", n(points)),
        ),
        Churned { item, rework, .. } => (
            "churned",
            item_label(item),
            Some(1),
            format!("rework={}", n(rework)),
        ),
        Handover {
            from_pm,
            distance,
            shock,
            ..
        } => (
            if from_pm { "pm_sync" } else { "po_strategy_review" },
            String::new(),
            Some(1),
            format!("ranking_change={}; roadmap_shock={shock}", n(distance)),
        ),
        Override { .. } => ("pm_override", String::new(), Some(1), String::new()),
        Planned {
            capacity,
            commitment,
            committed,
            items,
            ..
        } => (
            "planned",
            String::new(),
            Some(1),
            format!(
                "capacity={}; commitment={}; committed={}; items={items}",
                n(capacity),
                n(commitment),
                n(committed)
            ),
        ),
        Committed {
            item,
            kind,
            points,
            ready,
            ..
        } => (
            "committed",
            item_label(item),
            Some(1),
            format!("kind={}; estimate={}; ready={ready}", kind_name(kind), n(points)),
        ),
        Started {
            hour,
            item,
            kind,
            questions,
            ..
        } => (
            "started",
            item_label(item),
            day(hour),
            format!("kind={}; questions={questions}", kind_name(kind)),
        ),
        Blocked {
            hour,
            item,
            hours,
            cause,
            ..
        } => (
            "blocked",
            item_label(item),
            day(hour),
            format!(
                "hours={}; waiting_for={}",
                n(hours),
                match cause {
                    BlockCause::Question => "decision",
                    BlockCause::Escalation => "escalation",
                }
            ),
        ),
        Injected {
            hour, item, points, ..
        } => (
            "injected",
            item_label(item),
            day(hour),
            format!("points={}", n(points)),
        ),
        Dropped {
            item, waste, cause, ..
        } => (
            "dropped",
            item_label(item),
            None,
            format!(
                "waste={}; cause={}",
                n(waste),
                match cause {
                    DropCause::RoadmapShock => "roadmap_shock",
                    DropCause::Conflict => "conflict",
                }
            ),
        ),
        Finished {
            hour,
            item,
            kind,
            in_sprint,
            later,
            escaped,
            wrong_build,
            ..
        } => (
            "finished",
            item_label(item),
            day(hour),
            format!(
                "kind={}; defects_in_sprint={in_sprint}; defects_later={later}; defects_escaped={escaped}; wrong_build={wrong_build}",
                kind_name(kind)
            ),
        ),
        Released {
            item,
            kind,
            points,
            value,
            wrong_build,
            in_scope,
            ..
        } => (
            "released",
            item_label(item),
            Some(days),
            format!(
                "kind={}; points={}; value={}; wrong_build={wrong_build}; in_release_scope={in_scope}",
                kind_name(kind),
                n(points),
                n(value)
            ),
        ),
        ScopeComplete { .. } => ("scope_complete", String::new(), Some(days), String::new()),
        WarmupValue { value, .. } => (
            "warmup_value",
            String::new(),
            None,
            format!("value={}", n(value)),
        ),
        SprintEnd {
            velocity,
            done,
            tech_debt,
            backlog,
            ..
        } => (
            "sprint_end",
            String::new(),
            Some(days),
            format!(
                "velocity={}; committed_done={}; tech_debt={}; backlog={backlog}",
                n(velocity),
                n(done),
                n(tech_debt)
            ),
        ),
    }
}

/// trace.csv: scenario,sprint,day,kind,item,details (sprint 1-based).
pub fn trace_csv(stories: &[Story], window: (u32, u32)) -> String {
    let mut out = String::from("scenario,sprint,day,kind,item,details\n");
    for st in stories {
        for e in &st.events {
            let sprint = sprint_of(e) + 1;
            if sprint < window.0 || sprint > window.1 {
                continue;
            }
            let (kind, item, day, details) = row(e, &st.scenario);
            let _ = writeln!(
                out,
                "{},{sprint},{},{kind},{item},{}",
                st.scenario.name,
                day.map_or(String::new(), |d| d.to_string()),
                details
            );
        }
    }
    out
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
                    "capacity {} SP; commitment {} SP (yesterday's weather); committed {} SP in {items} items",
                    one_decimal(capacity),
                    one_decimal(commitment),
                    one_decimal(committed)
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
                "{} items finished ({}); defects: {d_in} caught in the sprint, {d_later} found later, {d_esc} escaped to production",
                finished.len(),
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
                    "{} items, {} SP, worth {} in value ({} in the release scope)",
                    released.0,
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

fn headline(st: &Story) -> Vec<(&'static str, String)> {
    let m = &st.record.metrics;
    let completion = if m[idx::COMPLETION_SPRINT].is_nan() {
        "not within the horizon".to_string()
    } else {
        format!("sprint {}", m[idx::COMPLETION_SPRINT])
    };
    vec![
        ("release scope done", completion),
        ("points done", format!("{:.1}", m[idx::POINTS_DONE])),
        ("items done", format!("{}", m[idx::ITEMS_DONE])),
        ("value realized", format!("{:.2}", m[idx::VALUE_REALIZED])),
        (
            "value efficiency",
            format!("{:.3}", m[idx::VALUE_EFFICIENCY]),
        ),
        (
            "decision wait share",
            format!("{:.3}", m[idx::DECISION_WAIT]),
        ),
        ("defects", format!("{}", m[idx::DEFECTS])),
        ("escaped defects", format!("{}", m[idx::ESCAPED])),
        ("on-strategy share", format!("{:.3}", m[idx::ON_STRATEGY])),
    ]
}

/// The Markdown story (one scenario) or the two stories side by side.
pub fn markdown(stories: &[Story], run: u64, seed: u64, window: (u32, u32)) -> String {
    let mut h = String::new();
    let names: Vec<&str> = stories.iter().map(|s| s.scenario.name.as_str()).collect();
    let _ = writeln!(h, "# The story of run {run}: {}\n", names.join(" vs "));
    let _ = writeln!(
        h,
        "Seed {seed}, replication {run} (row `run = {run}` of runs.csv). {}Sprints {}–{} of {}.\n",
        if stories.len() > 1 {
            "Both scenarios live in the same world: same market, same backlog items, same capacity draws; every difference below comes from the roles. "
        } else {
            ""
        },
        window.0,
        window.1,
        stories[0].scenario.simulation.sprints
    );
    // Headline numbers.
    let heads: Vec<Vec<(&str, String)>> = stories.iter().map(headline).collect();
    let _ = writeln!(h, "| the year in numbers | {} |", names.join(" | "));
    let _ = writeln!(h, "|---|{}", "---|".repeat(names.len()));
    for (i, (label, _)) in heads[0].iter().enumerate() {
        let cells: Vec<&str> = heads.iter().map(|hd| hd[i].1.as_str()).collect();
        let _ = writeln!(h, "| {label} | {} |", cells.join(" | "));
    }
    h.push('\n');
    let told: Vec<Vec<SprintStory>> = stories.iter().map(tell).collect();
    // Where the stories part.
    if told.len() == 2 {
        let first = (0..told[0].len().min(told[1].len()))
            .find(|&k| told[0][k].committed != told[1][k].committed);
        match first {
            Some(k) => {
                let a: Vec<String> = told[0][k]
                    .committed
                    .difference(&told[1][k].committed)
                    .map(|i| item_label(*i))
                    .collect();
                let b: Vec<String> = told[1][k]
                    .committed
                    .difference(&told[0][k].committed)
                    .map(|i| item_label(*i))
                    .collect();
                let _ = writeln!(
                    h,
                    "**The stories part in sprint {}**: only {} committed {}; only {} committed {}.\n",
                    k + 1,
                    names[0],
                    if a.is_empty() { "nothing else".into() } else { list(&a, 8) },
                    names[1],
                    if b.is_empty() { "nothing else".into() } else { list(&b, 8) }
                );
            }
            None => {
                let _ = writeln!(
                    h,
                    "**The two teams committed the same items in every sprint.**\n"
                );
            }
        }
    }
    let mut cum = vec![0.0; told.len()];
    for k in 0..window.1 {
        let k = k as usize;
        for (c, t) in cum.iter_mut().zip(&told) {
            *c += t.get(k).map_or(0.0, |s| s.value);
        }
        if k + 1 < window.0 as usize {
            continue;
        }
        if told.len() == 1 {
            let _ = writeln!(h, "## Sprint {}\n", k + 1);
            for (aspect, lines) in ASPECTS.iter().zip(told[0][k].aspects()) {
                if !lines.is_empty() {
                    let _ = writeln!(h, "- **{aspect}**: {}", lines.join("; "));
                }
            }
            let _ = writeln!(h, "- **Value released so far**: {:.2}\n", cum[0]);
        } else {
            let diverged = told[0][k].committed != told[1][k].committed;
            let _ = writeln!(
                h,
                "## Sprint {}{}\n",
                k + 1,
                if diverged {
                    " — different commitments"
                } else {
                    ""
                }
            );
            let _ = writeln!(h, "| | {} |", names.join(" | "));
            let _ = writeln!(h, "|---|{}", "---|".repeat(names.len()));
            for (a, aspect) in ASPECTS.iter().enumerate() {
                let cells: Vec<String> = told
                    .iter()
                    .map(|t| t[k].aspects()[a].join("; ").replace('|', "/"))
                    .collect();
                if cells.iter().all(|c| c.is_empty()) {
                    continue;
                }
                let _ = writeln!(h, "| {aspect} | {} |", cells.join(" | "));
            }
            let _ = writeln!(
                h,
                "| Value released so far | {} |\n",
                cum.iter()
                    .map(|c| format!("{c:.2}"))
                    .collect::<Vec<_>>()
                    .join(" | ")
            );
        }
    }
    h
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
    }
    Ok(TraceOutcome {
        stories,
        markdown: md,
        csv,
        files,
    })
}
