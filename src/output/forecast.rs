//! The forecast's own words: `forecast.csv` (both questions at 50/70/85/95 %), the terminal
//! headline of a throughput scenario, and the dates beside sprint numbers.
//!
//! The counts behind them ([`ForecastTally`]) are fed from each batch of replications: one
//! counter per sprint and per item count and scenario, never one per run.

use crate::calendar::Date;
use crate::engine::driver::Replications;
use crate::engine::metrics::idx;
use crate::scenario::{ModelKind, Scenario};
use crate::stats::forecast::{ForecastTally, CONFIDENCES};
use std::fmt::Write as _;

/// Whether a scenario gets forecast answers (`forecast.csv`, the headline).
pub fn is_forecast(s: &Scenario) -> bool {
    s.simulation.model == ModelKind::Throughput
}

/// The tallies of a run: one per scenario that is a forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecasts {
    tallies: Vec<Option<ForecastTally>>,
    /// Per scenario: the target sprint of the how-many question and the item size.
    targets: Vec<Option<(u32, f64)>>,
}

/// Items done by the end of sprint `k` in a run whose sprints had these velocities, in
/// order (a run stopped at completion has fewer sprints: it has done everything by then).
fn items_by(velocities: impl Iterator<Item = f64>, k: u32, size: f64) -> u64 {
    let points: f64 = velocities.take(k as usize).sum();
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

    /// Add a batch of replications (counts: in any order).
    pub fn add_batch(&mut self, batch: &Replications) {
        for j in 0..batch.len {
            let recs = batch.records(j);
            for (s, tally) in self.tallies.iter_mut().enumerate() {
                let Some(tally) = tally else { continue };
                let c = recs[s].metrics[idx::COMPLETION_SPRINT];
                let completion = (!c.is_nan()).then_some(c as u32);
                let by_target =
                    self.targets[s].map(|(k, size)| items_by(batch.velocities(j, s), k, size));
                tally.add(completion, by_target);
            }
        }
    }

    /// Add the runs of another run's tallies (of the same scenarios): counts, so the batches
    /// may have been added to either in any order.
    pub fn merge(&mut self, other: &Forecasts) {
        for (mine, theirs) in self.tallies.iter_mut().zip(&other.tallies) {
            if let (Some(mine), Some(theirs)) = (mine, theirs) {
                mine.merge(theirs);
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

/// Confidences of the `when` answers kept per history length.
pub const HISTORY_CONFIDENCES: [u32; 3] = [50, 85, 95];

/// The `when` answers of one forecast with only the last k values of its throughput history
/// (see `analysis::history`).
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryLength {
    /// Runs per history length.
    pub runs: u64,
    /// Values in the whole history.
    pub history: usize,
    /// Per length k (ascending, the whole history last): the `when` sprint at 50, 85 and
    /// 95 % (None = not within the horizon).
    pub when: Vec<(usize, [Option<u32>; 3])>,
}

/// `forecast_dist.csv`: `scenario,series,x,value`, the bounded counts the forecast charts are
/// drawn from. Series: `done_in` (x = sprint, value = runs whose scope was done in it; sprints
/// with none are left out), `not_done` (x empty: runs not done within the horizon),
/// `items_by_target` (x = items, value = runs with exactly that many done by the target),
/// `history_runs` (x = history values, value = runs per history length) and
/// `history_p50|p85|p95` (x = the last k values of the history, value = the `when` sprint,
/// `>H` when not within the horizon).
pub fn forecast_dist_csv(
    f: &Forecasts,
    history: &[Option<HistoryLength>],
    scenarios: &[Scenario],
) -> String {
    let mut out = String::from("scenario,series,x,value\n");
    for (s, sc) in scenarios.iter().enumerate() {
        let Some(t) = f.tally(s) else { continue };
        let name = &sc.name;
        let mut before = 0;
        for k in 1..=sc.simulation.sprints {
            let by = t.done_by(k);
            if by > before {
                let _ = writeln!(out, "{name},done_in,{k},{}", by - before);
            }
            before = by;
        }
        let _ = writeln!(out, "{name},not_done,,{}", t.censored());
        for (n, runs) in t.by_target() {
            let _ = writeln!(out, "{name},items_by_target,{n},{runs}");
        }
        if let Some(Some(h)) = history.get(s) {
            let _ = writeln!(out, "{name},history_runs,{},{}", h.history, h.runs);
            for (i, c) in HISTORY_CONFIDENCES.iter().enumerate() {
                for (k, when) in &h.when {
                    let v = when[i]
                        .map_or_else(|| format!(">{}", sc.simulation.sprints), |w| w.to_string());
                    let _ = writeln!(out, "{name},history_p{c},{k},{v}");
                }
            }
        }
    }
    out
}

/// The units a chart of these scenarios counts in: (work, time), e.g. ("items", "week").
/// Items when every item has size 1 (a constant size of 1), else story points; weeks when the
/// sprint is 5 working days, else sprints. Scenarios that disagree get the general
/// ("story points", "sprint").
pub fn units<'a>(
    scenarios: impl IntoIterator<Item = &'a toml::Table>,
) -> (&'static str, &'static str) {
    let mut work = None;
    let mut time = None;
    for t in scenarios {
        let size_one = t
            .get("backlog")
            .and_then(|b| b.get("size"))
            .and_then(|s| s.as_table())
            .is_some_and(|s| {
                s.get("dist").and_then(|d| d.as_str()) == Some("constant")
                    && s.get("value")
                        .and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64)))
                        == Some(1.0)
            });
        let week = t
            .get("simulation")
            .and_then(|s| s.get("sprint_days"))
            .and_then(|d| d.as_integer())
            == Some(5);
        let w = if size_one { "items" } else { "story points" };
        let s = if week { "week" } else { "sprint" };
        if *work.get_or_insert(w) != w {
            work = Some("story points");
        }
        if *time.get_or_insert(s) != s {
            time = Some("sprint");
        }
    }
    (work.unwrap_or("story points"), time.unwrap_or("sprint"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::metrics::{RunRecord, SmallRow, N_METRICS, N_SERIES};

    /// The how-many answers of a batch of small rows are those of the same rows as doubles
    /// (runs stopped before the target and after it, velocities from 0 to 255).
    #[test]
    fn small_rows_give_the_answers_of_the_same_rows_as_doubles() {
        let mut s = crate::scenario::load::load_scenario("forecast").unwrap();
        s.forecast.target_sprint = Some(4);
        s.simulation.sprints = 8;
        let (mut wide, mut small) = (Forecasts::new(&[s.clone()]), Forecasts::new(&[s]));
        let mut x = 99u64;
        for start in 0..50 {
            let (len, sprints) = (40, 8);
            let mut rows = vec![[f64::NAN; N_SERIES]; len * sprints];
            let mut small_rows = vec![SmallRow::default(); len * sprints];
            let mut records = vec![
                RunRecord {
                    metrics: [f64::NAN; N_METRICS]
                };
                len
            ];
            let mut written = vec![0u32; len];
            for j in 0..len {
                x = crate::random::mix(x.wrapping_add(start));
                written[j] = 1 + (x % sprints as u64) as u32;
                records[j].metrics[idx::COMPLETION_SPRINT] = written[j] as f64;
                for k in 0..written[j] as usize {
                    let v = [(x >> (8 * k)) as u8 as i64, 3, 2, 1, 0];
                    rows[j * sprints + k][..5].copy_from_slice(&v.map(|v| v as f64));
                    small_rows[j * sprints + k] = SmallRow::new(v);
                }
            }
            let shape = (start * len as u64, len, 1, sprints);
            wide.add_batch(&Replications::new(
                shape.0, len, 1, sprints, &records, &rows, &written,
            ));
            let made = std::sync::OnceLock::new();
            small.add_batch(&Replications::new_small(
                shape,
                &records,
                &small_rows,
                &written,
                &made,
            ));
            assert!(made.get().is_none(), "the small rows made into doubles");
        }
        assert_eq!(wide, small);
        assert!(wide.tally(0).unwrap().how_many(50).is_some_and(|n| n > 0));
    }

    fn table(size: &str, days: i64) -> toml::Table {
        format!("[backlog]\nsize = {size}\n[simulation]\nsprint_days = {days}\n")
            .parse()
            .unwrap()
    }

    #[test]
    fn charts_count_items_and_weeks_only_when_the_scenario_does() {
        let one = "{ dist = \"constant\", value = 1 }";
        let one_int = "{ dist = \"constant\", value = 1.0 }";
        let three = "{ dist = \"constant\", value = 3 }";
        let spread = "{ dist = \"lognormal\", median = 1, sigma = 0.5 }";
        assert_eq!(units([&table(one, 5)]), ("items", "week"));
        assert_eq!(units([&table(one_int, 5)]), ("items", "week"));
        assert_eq!(units([&table(three, 5)]), ("story points", "week"));
        assert_eq!(units([&table(spread, 5)]), ("story points", "week"));
        assert_eq!(units([&table(one, 10)]), ("items", "sprint"));
        assert_eq!(units([&table(three, 10)]), ("story points", "sprint"));
        // Scenarios that disagree get the general units.
        assert_eq!(
            units([&table(one, 5), &table(three, 10)]),
            ("story points", "sprint")
        );
        assert_eq!(units([&table(one, 5), &table(one, 5)]), ("items", "week"));
        assert_eq!(units(std::iter::empty()), ("story points", "sprint"));
    }
}
