//! The forecast's own words: `forecast.csv` (both questions at 50/70/85/95 %), the terminal
//! headline of a throughput scenario, and the dates beside sprint numbers.
//!
//! The counts behind them ([`ForecastTally`]) are fed from each batch of replications: one
//! counter per sprint and per item count and scenario, never one per run.

use crate::calendar::Date;
use crate::engine::driver::Replications;
use crate::engine::metrics::{idx, series};
use crate::scenario::{ModelKind, Scenario};
use crate::stats::forecast::{ForecastTally, CONFIDENCES};
use std::fmt::Write as _;

/// Whether a scenario gets forecast answers (`forecast.csv`, the headline).
pub fn is_forecast(s: &Scenario) -> bool {
    s.simulation.model == ModelKind::Throughput
}

/// The tallies of a run: one per scenario that is a forecast.
#[derive(Debug, Clone)]
pub struct Forecasts {
    tallies: Vec<Option<ForecastTally>>,
    /// Per scenario: the target sprint of the how-many question and the item size.
    targets: Vec<Option<(u32, f64)>>,
}

/// Items done by the end of sprint `k` in a run whose rows are `rows` (a run stopped at
/// completion has fewer rows: it has done everything by then).
fn items_by(rows: &[[f64; crate::engine::metrics::N_SERIES]], k: u32, size: f64) -> u64 {
    let points: f64 = rows
        .iter()
        .take(k as usize)
        .map(|r| r[series::VELOCITY])
        .sum();
    (points / size).round().max(0.0) as u64
}

impl Forecasts {
    pub fn new(scenarios: &[Scenario]) -> Self {
        Forecasts {
            tallies: scenarios
                .iter()
                .map(|s| is_forecast(s).then(|| ForecastTally::new(s.simulation.sprints)))
                .collect(),
            targets: scenarios
                .iter()
                .map(|s| {
                    let size = match s.backlog.size {
                        crate::scenario::Dist::Constant { value } => value,
                        _ => 1.0,
                    };
                    s.target_sprint().map(|k| (k, size))
                })
                .collect(),
        }
    }

    /// Whether any scenario is a forecast (then `forecast.csv` is written).
    pub fn any(&self) -> bool {
        self.tallies.iter().any(Option::is_some)
    }

    /// Add a batch of replications, in order.
    pub fn add_batch(&mut self, batch: &Replications) {
        for j in 0..batch.len {
            let recs = batch.records(j);
            for (s, tally) in self.tallies.iter_mut().enumerate() {
                let Some(tally) = tally else { continue };
                let c = recs[s].metrics[idx::COMPLETION_SPRINT];
                let completion = (!c.is_nan()).then_some(c as u32);
                let by_target =
                    self.targets[s].map(|(k, size)| items_by(batch.rows(j, s), k, size));
                tally.add(completion, by_target);
            }
        }
    }

    pub fn tally(&self, s: usize) -> Option<&ForecastTally> {
        self.tallies[s].as_ref()
    }
}

/// The scope a `when` answer is about: the initial items, or the mean of a scope range.
pub fn scope_of(s: &Scenario) -> u64 {
    match &s.backlog.initial_items_range {
        Some(r) => r.mean().round().max(0.0) as u64,
        None => s.backlog.initial_items as u64,
    }
}

/// "Fri 2027-05-21", or "" without a calendar.
pub fn date_of(s: &Scenario, sprint: u32) -> Option<Date> {
    Some(s.calendar()?.sprint_end(sprint))
}

fn date_cell(s: &Scenario, sprint: u32) -> String {
    date_of(s, sprint).map_or_else(String::new, |d| d.to_string())
}

/// `forecast.csv`: `scenario,question,confidence,sprint,date,items`, forecasts only.
pub fn forecast_csv(f: &Forecasts, scenarios: &[Scenario]) -> String {
    let mut out = String::from("scenario,question,confidence,sprint,date,items\n");
    for (s, sc) in scenarios.iter().enumerate() {
        let Some(t) = f.tally(s) else { continue };
        let scope = scope_of(sc);
        for c in CONFIDENCES {
            // Not reached within the horizon: `>H` as in summary.csv, no date.
            let (sprint, date) = match t.when(c) {
                Some(k) => (k.to_string(), date_cell(sc, k)),
                None => (format!(">{}", sc.simulation.sprints), String::new()),
            };
            let _ = writeln!(out, "{},when,{c},{sprint},{date},{scope}", sc.name);
        }
        if let Some((k, _)) = f.targets[s] {
            for c in CONFIDENCES {
                let n = t.how_many(c).unwrap_or(0);
                let _ = writeln!(out, "{},how_many,{c},{k},{},{n}", sc.name, date_cell(sc, k));
            }
        }
    }
    out
}

/// "sprint 21 (Fri 2027-05-28)" or "sprint 21".
pub fn sprint_label(s: &Scenario, sprint: u32) -> String {
    let noun = sprint_noun(s);
    match date_of(s, sprint) {
        Some(d) => format!("{noun} {sprint} ({} {d})", d.weekday_name()),
        None => format!("{noun} {sprint}"),
    }
}

/// The unit of a sprint in words: "week" for 5-day sprints, else "sprint".
pub fn sprint_noun(s: &Scenario) -> &'static str {
    if s.simulation.sprint_days == 5 {
        "week"
    } else {
        "sprint"
    }
}

/// The terminal headline of each forecast scenario: both questions and the promise.
pub fn headline(f: &Forecasts, scenarios: &[Scenario]) -> String {
    let mut out = String::new();
    for (s, sc) in scenarios.iter().enumerate() {
        let Some(t) = f.tally(s) else { continue };
        let scope = scope_of(sc);
        let _ = writeln!(out, "{}: when will {scope} items be done?", sc.name);
        for c in CONFIDENCES {
            let line = match t.when(c) {
                Some(k) => sprint_label(sc, k),
                None => format!(
                    "not within the horizon of {} {}s (only {:.0} % of runs finish)",
                    sc.simulation.sprints,
                    sprint_noun(sc),
                    100.0 * t.probability_by(sc.simulation.sprints)
                ),
            };
            let _ = writeln!(out, "  {c:>2} % sure: by {line}");
        }
        if let Some((k, _)) = f.targets[s] {
            let _ = writeln!(
                out,
                "{}: how many items by {}?",
                sc.name,
                sprint_label(sc, k)
            );
            for c in CONFIDENCES {
                let _ = writeln!(
                    out,
                    "  {c:>2} % sure: at least {} items",
                    t.how_many(c).unwrap_or(0)
                );
            }
        }
        if let Some(p) = sc.promised_sprint() {
            let source = if sc.forecast.promise_date.is_some() {
                "forecast.promise_date"
            } else {
                "release.planned_sprint"
            };
            let _ = writeln!(
                out,
                "{}: promised by {} ({source}): {:.0} % of runs are done by then",
                sc.name,
                sprint_label(sc, p),
                100.0 * t.probability_by(p)
            );
        }
        if t.censored() > 0 {
            let _ = writeln!(
                out,
                "  {} of {} runs are not done within the horizon of {} {}s (censored)",
                t.censored(),
                t.runs(),
                sc.simulation.sprints,
                sprint_noun(sc)
            );
        }
    }
    out
}

/// For scenarios with a calendar that are not forecasts: the completion percentiles' dates.
pub fn completion_dates(p50_p85: &[(f64, f64)], scenarios: &[Scenario]) -> String {
    let mut out = String::new();
    for (sc, &(p50, p85)) in scenarios.iter().zip(p50_p85) {
        if is_forecast(sc) || sc.calendar().is_none() {
            continue;
        }
        let label = |q: f64| {
            if q.is_finite() {
                sprint_label(sc, q.ceil() as u32)
            } else {
                format!("after {}", sprint_label(sc, sc.simulation.sprints))
            }
        };
        if p50.is_nan() {
            continue;
        }
        let _ = writeln!(
            out,
            "{}: release done P50 {}, P85 {}",
            sc.name,
            label(p50),
            label(p85)
        );
    }
    out
}
