//! trace.csv: one row per event of a told replication (kind, item, day, details).

use super::{item_label, kind_name, sprint_of, Story};
use crate::engine::trace::{BlockCause, DropCause, Event};
use crate::format::fmt_num;
use crate::scenario::Scenario;
use std::fmt::Write as _;

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
        Churned {
            item,
            rework,
            growth,
            ..
        } => (
            "churned",
            item_label(item),
            Some(1),
            format!("rework={}; growth={}", n(rework), n(growth)),
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
        Guessed {
            hour,
            item,
            wrong,
            rework,
            ..
        } => (
            "guessed",
            item_label(item),
            day(hour),
            format!("wrong={wrong}; rework={}", n(rework)),
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
