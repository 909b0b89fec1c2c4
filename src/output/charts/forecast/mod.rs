//! The forecast's own charts, drawn from `forecast_dist.csv` (bounded counts: one per sprint,
//! per item count and per history length), never from runs.csv:
//! - `forecast_when`: the completion CDF, with dates under the sprint numbers when the
//!   scenario has a calendar, the promise marked with its probability and the 50/70/85/95 %
//!   answers;
//! - `forecast_how_many`: the items done by the target, with the confidence quantiles;
//! - `forecast_inputs`: the throughput history and the P50/P85/P95 answers with only its last
//!   k values.

mod how_many;
mod inputs;
mod throughput;
mod when;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::common::*;
use super::fan::{band_text, fan_entries, fan_panel};
use crate::calendar::{Calendar, Date};
use crate::output::results::{Pct, Results};
use crate::scenario::{Dist, Scenario};
use crate::stats::forecast::CONFIDENCES;

pub use how_many::draw_how_many;
pub use inputs::{draw_inputs, same_inputs};
pub use throughput::draw_throughput;
pub use when::draw_when;

/// The confidences of the history-length panel (as in `forecast_dist.csv`).
const HISTORY: [u32; 3] = crate::output::forecast::HISTORY_CONFIDENCES;

/// One forecast scenario's counts from `forecast_dist.csv`.
pub struct ForecastData {
    /// Position in the run (its colour).
    pub i: usize,
    pub name: String,
    pub scenario: Option<Scenario>,
    /// Runs done in each sprint 1..=horizon (index 0 unused).
    pub done_in: Vec<u64>,
    pub not_done: u64,
    /// (items, runs) by the target sprint.
    pub by_target: Vec<(u64, u64)>,
    /// Values in the whole history and runs per history length.
    pub history_runs: Option<(usize, u64)>,
    /// (k, sprint at 50/85/95 %) per history length.
    pub by_length: Vec<(usize, [Pct; 3])>,
}

impl ForecastData {
    pub fn runs(&self) -> u64 {
        self.done_in.iter().sum::<u64>() + self.not_done
    }

    /// (sprint, share of runs done by its end) for sprints 1..=horizon.
    pub fn cdf(&self) -> Vec<(u32, f64)> {
        let n = self.runs().max(1) as f64;
        let mut acc = 0;
        (1..self.done_in.len())
            .map(|k| {
                acc += self.done_in[k];
                (k as u32, acc as f64 / n)
            })
            .collect()
    }

    /// The smallest sprint by which at least `c` % of the runs are done (as forecast.csv).
    pub fn when(&self, c: u32) -> Option<u32> {
        let n = self.runs();
        let mut acc = 0u64;
        for (k, &d) in self.done_in.iter().enumerate() {
            acc += d;
            if acc > 0 && acc * 100 >= c as u64 * n {
                return Some(k as u32);
            }
        }
        None
    }

    /// The largest item count that at least `c` % of the runs reached (as forecast.csv).
    pub fn how_many(&self, c: u32) -> Option<u64> {
        let total: u64 = self.by_target.iter().map(|p| p.1).sum();
        if total == 0 {
            return None;
        }
        let mut at_least = 0;
        for &(n, runs) in self.by_target.iter().rev() {
            at_least += runs;
            if at_least * 100 >= c as u64 * total {
                return Some(n);
            }
        }
        Some(0)
    }

    fn calendar(&self) -> Option<Calendar> {
        self.scenario.as_ref()?.calendar()
    }

    /// The throughput history the forecast bootstraps, oldest first.
    pub fn history(&self) -> Option<&[f64]> {
        match &self.scenario.as_ref()?.team.capacity {
            Dist::Empirical { values } => Some(values),
            _ => None,
        }
    }
}

/// The forecast scenarios of a run with their counts, in run order.
pub fn forecasts(r: &Results) -> Vec<ForecastData> {
    let horizon = r.horizon() as usize;
    r.scenarios
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let rows: Vec<_> = r
                .forecast_dist
                .iter()
                .filter(|d| d.scenario == s.name)
                .collect();
            if rows.is_empty() {
                return None;
            }
            let count = |p: Pct| p.value().unwrap_or(0.0).max(0.0) as u64;
            let mut d = ForecastData {
                i,
                name: s.name.clone(),
                scenario: toml::Value::Table(s.table.clone()).try_into().ok(),
                done_in: vec![0; horizon + 1],
                not_done: 0,
                by_target: Vec::new(),
                history_runs: None,
                by_length: Vec::new(),
            };
            for row in rows {
                let x = row.x.unwrap_or(0.0).max(0.0);
                match row.series.as_str() {
                    "done_in" => {
                        let k = x as usize;
                        if d.done_in.len() <= k {
                            d.done_in.resize(k + 1, 0);
                        }
                        d.done_in[k] += count(row.value);
                    }
                    "not_done" => d.not_done += count(row.value),
                    "items_by_target" => d.by_target.push((x as u64, count(row.value))),
                    "history_runs" => d.history_runs = Some((x as usize, count(row.value))),
                    other => {
                        let Some(c) = other.strip_prefix("history_p") else {
                            continue;
                        };
                        let Some(ci) = HISTORY.iter().position(|h| h.to_string() == c) else {
                            continue;
                        };
                        let k = x as usize;
                        let at = match d.by_length.iter().position(|e| e.0 == k) {
                            Some(at) => at,
                            None => {
                                d.by_length.push((k, [Pct::Value(f64::NAN); 3]));
                                d.by_length.len() - 1
                            }
                        };
                        d.by_length[at].1[ci] = row.value;
                    }
                }
            }
            d.by_target.sort_unstable();
            d.by_length.sort_by_key(|e| e.0);
            Some(d)
        })
        .collect()
}

/// The units of the run's charts: ("items", "week") or ("story points", "sprint"), see
/// [`crate::output::forecast::units`]; the roles model's ("story points", "sprint") unless
/// every scenario is a throughput forecast.
pub fn run_units(r: &Results) -> (&'static str, &'static str) {
    if r.forecast_only() {
        crate::output::forecast::units(r.scenarios.iter().map(|s| &s.table))
    } else {
        ("story points", "sprint")
    }
}

/// "Week" from "week".
pub fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// "21 May", with the year ("21 May 2027") when `year` is set.
fn short_date(d: Date, year: bool) -> String {
    let (y, m, day) = d.ymd();
    if year {
        format!("{day} {} {y}", Date::month_name(m))
    } else {
        format!("{day} {}", Date::month_name(m))
    }
}

/// A tick step of 1, 2, 5, 10, 20, … giving at most `max` ticks over `span`.
fn tick_step(span: f64, max: usize) -> u32 {
    let mut step = 1u32;
    for s in [1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000] {
        step = s;
        if span / s as f64 <= max as f64 {
            break;
        }
    }
    step
}

/// Draw sprint ticks (and dates below them with a calendar) under a chart whose x axis is
/// sprints; the mesh's own x labels must be off.
fn sprint_ticks<DB>(
    plot: &DrawingArea<DB, Shift>,
    chart: &NumericChart<'_, DB>,
    (lo, hi): (f64, f64),
    calendar: Option<&Calendar>,
) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let max = if calendar.is_some() { 9 } else { 20 };
    let step = tick_step(hi - lo, max);
    let first = (lo.ceil() as u32).max(1).div_ceil(step) * step;
    let base = plot.get_base_pixel();
    let years: Vec<i32> = match calendar {
        Some(c) => [lo.max(1.0), hi]
            .iter()
            .map(|&k| c.sprint_end(k as u32).ymd().0)
            .collect(),
        None => Vec::new(),
    };
    let multi_year = years.first() != years.last();
    let mut k = first.max(step);
    while (k as f64) <= hi {
        let (px, py) = chart.backend_coord(&(k as f64, 0.0));
        let (x, y) = (px - base.0, py - base.1);
        plot.draw(&PathElement::new(
            vec![(x, y), (x, y + 6)],
            INK.stroke_width(1),
        ))?;
        plot.draw(&Text::new(
            k.to_string(),
            (x, y + 10),
            font(TICK_SIZE).pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
        if let Some(c) = calendar {
            plot.draw(&Text::new(
                short_date(c.sprint_end(k), multi_year),
                (x, y + 34),
                font(TICK_SIZE - 2.0)
                    .color(&RGBColor(90, 90, 90))
                    .pos(Pos::new(HPos::Center, VPos::Top)),
            ))?;
        }
        k += step;
    }
    Ok(())
}

fn dashed_at<DB>(
    chart: &mut NumericChart<'_, DB>,
    from: (f64, f64),
    to: (f64, f64),
    color: RGBColor,
    width: u32,
) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    chart.draw_series(DashedLineSeries::new(
        vec![from, to],
        8,
        6,
        color.stroke_width(width),
    ))?;
    Ok(())
}

/// Axes over sprints (x) with the mesh's x labels off (see [`sprint_ticks`]).
fn sprint_axes<'a, DB>(
    plot: &'a DrawingArea<DB, Shift>,
    x: (f64, f64),
    y: (f64, f64),
    x_desc: &str,
    y_desc: &str,
    dates: bool,
    y_fmt: &dyn Fn(&f64) -> String,
) -> anyhow::Result<NumericChart<'a, DB>>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let mut chart = ChartBuilder::on(plot)
        .x_label_area_size(if dates { 96 } else { 70 })
        .y_label_area_size(92)
        .build_cartesian_2d(x.0..x.1, y.0..y.1)?;
    house_mesh(&mut chart)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&|_| String::new())
        .y_label_formatter(y_fmt)
        .x_labels(0)
        .y_labels(6)
        .draw()?;
    Ok(chart)
}

/// The x-axis title of a sprint axis: "Week (ends Friday 2027-05-21 …)".
fn sprint_desc(noun: &str, calendar: Option<&Calendar>) -> String {
    match calendar {
        Some(_) => format!(
            "{} (number, and below it the date of its last working day)",
            capitalized(noun)
        ),
        None => format!("{} (end of)", capitalized(noun)),
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_steps_stay_few() {
        assert_eq!(tick_step(8.0, 9), 1);
        assert_eq!(tick_step(30.0, 9), 5);
        assert_eq!(tick_step(104.0, 20), 10);
    }
}
