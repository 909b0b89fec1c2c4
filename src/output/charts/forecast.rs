//! The forecast's own charts, drawn from `forecast_dist.csv` (bounded counts: one per sprint,
//! per item count and per history length), never from runs.csv:
//! - `forecast_when`: the completion CDF, with dates under the sprint numbers when the
//!   scenario has a calendar, the promise marked with its probability and the 50/70/85/95 %
//!   answers;
//! - `forecast_how_many`: the items done by the target, with the confidence quantiles;
//! - `forecast_inputs`: the throughput history and the P50/P85/P95 answers with only its last
//!   k values.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::common::*;
use crate::calendar::{Calendar, Date};
use crate::output::results::{Pct, Results};
use crate::scenario::{Dist, Scenario};
use crate::stats::forecast::CONFIDENCES;

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
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style(font(LABEL_SIZE))
        .label_style(font(TICK_SIZE))
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

/// `forecast_when`: "when will the scope be done?" as a CDF with the answers and the promise.
pub fn draw_when<DB>(root: &DrawingArea<DB, Shift>, r: &Results) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let (_, noun) = run_units(r);
    let fs = forecasts(r);
    let mut entries = Vec::new();
    for f in &fs {
        let answers: Vec<String> = CONFIDENCES
            .iter()
            .map(|&c| match f.when(c) {
                Some(k) => match f.calendar() {
                    Some(cal) => format!("{c} % by {k} ({})", short_date(cal.sprint_end(k), false)),
                    None => format!("{c} % by {k}"),
                },
                None => format!("{c} % not within {}", f.done_in.len() - 1),
            })
            .collect();
        entries.push(Entry::new(
            Swatch::Line(scenario_color(f.i)),
            format!("{}: {}", f.name, answers.join(", ")),
        ));
    }
    let promised: Vec<(usize, u32, f64)> = fs
        .iter()
        .filter_map(|f| {
            let p = f.scenario.as_ref()?.promised_sprint()?;
            let cdf = f.cdf();
            let share = cdf
                .get((p as usize).saturating_sub(1))
                .map_or_else(|| cdf.last().map_or(0.0, |c| c.1), |c| c.1);
            Some((f.i, p, if p == 0 { 0.0 } else { share }))
        })
        .collect();
    for &(i, p, share) in &promised {
        let col = if promised.len() == 1 {
            INK
        } else {
            scenario_color(i)
        };
        let date = fs
            .iter()
            .find(|f| f.i == i)
            .and_then(|f| f.calendar())
            .map(|c| format!(" ({})", short_date(c.sprint_end(p), true)))
            .unwrap_or_default();
        entries.push(Entry::new(
            Swatch::Dashed(col),
            format!(
                "promise: {noun} {p}{date}, {:.0} % of runs done by then",
                share * 100.0
            ),
        ));
    }
    let plot = frame(
        root,
        &format!("When will it be done? Share of runs done by each {noun}"),
        Some("Runs not done within the horizon count as not done; the grey lines mark 50, 70, 85 and 95 % confidence"),
        &entries,
    )?;
    if fs.is_empty() {
        return note(
            &plot,
            "no forecast counts (forecast_dist.csv) in this folder",
        );
    }
    let horizon = fs.iter().map(|f| f.done_in.len() - 1).max().unwrap_or(1) as f64;
    let first = fs
        .iter()
        .filter_map(|f| f.done_in.iter().position(|&d| d > 0))
        .min()
        .unwrap_or(1);
    let last = fs
        .iter()
        .map(|f| {
            if f.not_done > 0 {
                f.done_in.len() - 1
            } else {
                f.done_in.iter().rposition(|&d| d > 0).unwrap_or(1)
            }
        })
        .max()
        .unwrap_or(1);
    let mut lo = first.saturating_sub(3).max(1) as f64;
    let mut hi = ((last + 2) as f64).min(horizon);
    for &(_, p, _) in &promised {
        lo = lo.min((p as f64 - 2.0).max(0.5));
        hi = hi.max((p as f64 + 1.0).min(horizon));
    }
    let (lo, hi) = (lo - 0.5, hi + 0.5);
    let calendar = fs.iter().find_map(|f| f.calendar());
    // Dates only when every forecast has the same calendar (else sprint numbers only).
    let calendar = calendar.filter(|c| fs.iter().all(|f| f.calendar().as_ref() == Some(c)));
    let mut chart = sprint_axes(
        &plot,
        (lo, hi),
        (0.0, 1.04),
        &sprint_desc(noun, calendar.as_ref()),
        "Share of runs done (%)",
        calendar.is_some(),
        &|v| format!("{:.0}", v * 100.0),
    )?;
    sprint_ticks(&plot, &chart, (lo, hi), calendar.as_ref())?;
    let grey = RGBColor(150, 150, 150);
    for c in CONFIDENCES {
        let q = c as f64 / 100.0;
        dashed_at(&mut chart, (lo, q), (hi, q), grey, 1)?;
        chart.draw_series(std::iter::once(Text::new(
            format!("{c} %"),
            (lo + 0.08, q + 0.008),
            font(TICK_SIZE - 2.0)
                .color(&RGBColor(110, 110, 110))
                .pos(Pos::new(HPos::Left, VPos::Bottom)),
        )))?;
    }
    // The promise: a dashed vertical line, labelled with the share of runs done by then.
    for &(i, p, share) in &promised {
        let x = p as f64;
        let col = if promised.len() == 1 {
            INK
        } else {
            scenario_color(i)
        };
        dashed_at(&mut chart, (x, 0.0), (x, 1.0), col, 2)?;
        draw_marker(
            chart.plotting_area(),
            (x, share),
            Marker::Diamond,
            9,
            WHITE.filled(),
        )?;
        draw_marker(
            chart.plotting_area(),
            (x, share),
            Marker::Diamond,
            7,
            col.filled(),
        )?;
    }
    for f in &fs {
        let col = scenario_color(f.i);
        let cdf = f.cdf();
        // Steps: the share holds through each sprint and jumps at its end.
        let mut pts = vec![(lo, 0.0)];
        let mut prev = 0.0;
        for &(k, s) in cdf.iter().filter(|p| p.0 as f64 >= lo && p.0 as f64 <= hi) {
            pts.push((k as f64, prev));
            pts.push((k as f64, s));
            prev = s;
        }
        pts.push((hi, prev));
        if scenario_dashed(f.i) {
            chart.draw_series(DashedLineSeries::new(pts, 10, 6, col.stroke_width(4)))?;
        } else {
            chart.draw_series(LineSeries::new(pts, col.stroke_width(4)))?;
        }
        for c in CONFIDENCES {
            if let Some(k) = f.when(c) {
                let y = cdf[k as usize - 1].1;
                draw_marker(
                    chart.plotting_area(),
                    (k as f64, y),
                    Marker::Circle,
                    8,
                    WHITE.filled(),
                )?;
                draw_marker(
                    chart.plotting_area(),
                    (k as f64, y),
                    Marker::Circle,
                    6,
                    col.filled(),
                )?;
            }
        }
    }
    Ok(())
}

/// `forecast_how_many`: items done by the target sprint, a bar per count, with the answers.
pub fn draw_how_many<DB>(root: &DrawingArea<DB, Shift>, r: &Results) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let (work, noun) = run_units(r);
    let fs: Vec<ForecastData> = forecasts(r)
        .into_iter()
        .filter(|f| !f.by_target.is_empty())
        .collect();
    let target = |f: &ForecastData| -> String {
        let Some(k) = f.scenario.as_ref().and_then(|s| s.target_sprint()) else {
            return String::new();
        };
        match f.calendar() {
            Some(c) => {
                let d = c.sprint_end(k);
                format!("{noun} {k} ({} {d})", d.weekday_name())
            }
            None => format!("{noun} {k}"),
        }
    };
    let mut entries = Vec::new();
    for f in &fs {
        let answers: Vec<String> = CONFIDENCES
            .iter()
            .map(|&c| format!("{c} %: ≥ {}", f.how_many(c).unwrap_or(0)))
            .collect();
        entries.push(Entry::new(
            Swatch::Block(scenario_color(f.i)),
            format!("{}: {}", f.name, answers.join(", ")),
        ));
    }
    let targets: Vec<String> = fs.iter().map(target).collect();
    let same = targets.windows(2).all(|w| w[0] == w[1]);
    let title = match (targets.first(), same) {
        (Some(t), true) if !t.is_empty() => format!("How many {work} by {t}?"),
        _ => format!("How many {work} by the target?"),
    };
    let plot = frame(
        root,
        &title,
        Some("Bars: share of runs with exactly that many done; lines: at least that many in 50, 70, 85 and 95 % of runs"),
        &entries,
    )?;
    if fs.is_empty() {
        return note(
            &plot,
            "no target (forecast.target_sprint or target_date) was asked about",
        );
    }
    let (xmin, xmax) = fs
        .iter()
        .flat_map(|f| f.by_target.iter().map(|p| p.0 as f64))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |a, x| {
            (a.0.min(x), a.1.max(x))
        });
    let shares: Vec<Vec<(u64, f64)>> = fs
        .iter()
        .map(|f| {
            let n: u64 = f.by_target.iter().map(|p| p.1).sum();
            f.by_target
                .iter()
                .map(|&(x, c)| (x, c as f64 / n.max(1) as f64))
                .collect()
        })
        .collect();
    let ymax = shares
        .iter()
        .flatten()
        .map(|p| p.1)
        .fold(0.0, f64::max)
        .max(1e-9)
        * 1.25;
    let (lo, hi) = (xmin - 1.0, xmax + 1.0);
    let mut chart = ChartBuilder::on(&plot)
        .x_label_area_size(70)
        .y_label_area_size(92)
        .build_cartesian_2d(lo..hi, 0.0..ymax)?;
    let step = tick_step(hi - lo, 16) as f64;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .x_desc(format!("{} done by the target", capitalized(work)))
        .y_desc("Share of runs (%)")
        .axis_desc_style(font(LABEL_SIZE))
        .label_style(font(TICK_SIZE))
        .x_labels(((hi - lo) / step) as usize + 1)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{:.1}", v * 100.0))
        .y_labels(6)
        .draw()?;
    let k = fs.len() as f64;
    let width = 0.8 / k;
    for (j, (f, sh)) in fs.iter().zip(&shares).enumerate() {
        let col = scenario_color(f.i);
        let off = -0.4 + width * j as f64;
        chart.draw_series(sh.iter().map(|&(x, s)| {
            let x0 = x as f64 + off;
            Rectangle::new([(x0, 0.0), (x0 + width, s)], col.mix(0.75).filled())
        }))?;
    }
    // The answers: a line at each confidence's count, labelled at the top.
    for (j, f) in fs.iter().enumerate() {
        let col = scenario_color(f.i);
        for (n, c) in CONFIDENCES.iter().enumerate() {
            let Some(q) = f.how_many(*c) else { continue };
            let x = q as f64 - 0.5;
            dashed_at(&mut chart, (x, 0.0), (x, ymax * 0.86), col, 2)?;
            let y = ymax * (0.97 - 0.045 * (n % 2) as f64 - 0.09 * j as f64);
            chart.draw_series(std::iter::once(Text::new(
                format!("{c} %: ≥ {q}"),
                (x, y),
                font(TICK_SIZE - 2.0)
                    .color(&col)
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            )))?;
        }
    }
    Ok(())
}

/// `forecast_inputs`: left the throughput history (a bar per period, oldest first), right the
/// `when` answers at 50/85/95 % with only the last k values of that history.
pub fn draw_inputs<DB>(root: &DrawingArea<DB, Shift>, r: &Results) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let (work, noun) = run_units(r);
    let fs = forecasts(r);
    let mut entries: Vec<Entry> = if fs.len() > 1 {
        fs.iter()
            .map(|f| Entry::new(Swatch::Block(scenario_color(f.i)), f.name.clone()))
            .collect()
    } else {
        Vec::new()
    };
    for (c, m) in HISTORY
        .iter()
        .zip([Marker::Circle, Marker::Triangle, Marker::Square])
    {
        entries.push(Entry::new(Swatch::Mark(m, INK), format!("{c} % sure")));
    }
    let runs = fs.iter().filter_map(|f| f.history_runs.map(|h| h.1)).max();
    let plot = frame(
        root,
        "Inputs: the throughput history, and the answer with less of it",
        Some(&match runs {
            Some(n) => format!(
                "Right: the completion {noun} bootstrapped from only the last k values ({} runs each, same random worlds)",
                crate::format::fmt_num(n as f64)
            ),
            None => "No empirical throughput history: the capacity is a distribution".into(),
        }),
        &entries,
    )?;
    let (left, right) = plot.split_horizontally((plot.dim_in_pixel().0 as f64 * 0.46) as u32);
    let left = left.margin(0, 0, 0, 0);
    let right = right.margin(0, 0, 30, 0);
    // Left: the history.
    let hists: Vec<(&ForecastData, &[f64])> =
        fs.iter().filter_map(|f| Some((f, f.history()?))).collect();
    if hists.is_empty() {
        note(&left, "no empirical history")?;
    } else {
        let n = hists.iter().map(|h| h.1.len()).max().unwrap_or(1) as f64;
        let ymax = hists
            .iter()
            .flat_map(|h| h.1.iter().copied())
            .fold(0.0, f64::max)
            .max(1.0)
            * 1.12;
        let mut chart = ChartBuilder::on(&left)
            .x_label_area_size(70)
            .y_label_area_size(80)
            .caption(
                format!("Throughput history ({} per {noun})", work),
                font(LABEL_SIZE - 2.0),
            )
            .build_cartesian_2d(0.5..n + 0.5, 0.0..ymax)?;
        let step = tick_step(n, 12) as f64;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .disable_x_mesh()
            .x_desc(format!(
                "{} of the history, oldest first",
                capitalized(noun)
            ))
            .y_desc(capitalized(work))
            .axis_desc_style(font(LABEL_SIZE - 2.0))
            .label_style(font(TICK_SIZE))
            .x_labels((n / step) as usize + 1)
            .x_label_formatter(&|v| {
                if v.fract().abs() < 1e-9 && *v >= 1.0 {
                    format!("{v:.0}")
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| format!("{v:.0}"))
            .y_labels(6)
            .draw()?;
        let width = 0.8 / hists.len() as f64;
        for (j, (f, h)) in hists.iter().enumerate() {
            let col = scenario_color(f.i);
            let pad = n - h.len() as f64; // a shorter history ends at the same place
            chart.draw_series(h.iter().enumerate().map(|(t, &v)| {
                let x0 = pad + t as f64 + 1.0 - 0.4 + width * j as f64;
                Rectangle::new([(x0, 0.0), (x0 + width, v)], col.mix(0.8).filled())
            }))?;
        }
    }
    // Right: the answers by history length.
    let lens: Vec<&ForecastData> = fs.iter().filter(|f| f.by_length.len() > 1).collect();
    if lens.is_empty() {
        return note(&right, "a history of 5 or more values is needed");
    }
    let horizon = fs.iter().map(|f| f.done_in.len() - 1).max().unwrap_or(1) as f64;
    let kmax = lens
        .iter()
        .flat_map(|f| f.by_length.iter().map(|e| e.0))
        .max()
        .unwrap_or(1) as f64;
    let kmin = lens
        .iter()
        .flat_map(|f| f.by_length.iter().map(|e| e.0))
        .min()
        .unwrap_or(1) as f64;
    let val = |p: Pct| match p {
        Pct::Value(v) => v,
        Pct::Beyond(_) => horizon + 1.0,
    };
    let (ylo, yhi) = padded_range(
        lens.iter()
            .flat_map(|f| f.by_length.iter().flat_map(|e| e.1.map(val))),
        0.12,
        false,
    );
    let mut chart = ChartBuilder::on(&right)
        .x_label_area_size(70)
        .y_label_area_size(80)
        .caption(
            format!("Completion {noun} with the last k values"),
            font(LABEL_SIZE - 2.0),
        )
        .build_cartesian_2d(kmin - 1.0..kmax + 1.0, ylo.floor()..yhi.ceil())?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .x_desc("k: values of the history used (the most recent)")
        .y_desc(format!("Done by {noun}"))
        .axis_desc_style(font(LABEL_SIZE - 2.0))
        .label_style(font(TICK_SIZE))
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .x_labels(10)
        .y_labels(8)
        .draw()?;
    for f in &lens {
        let col = scenario_color(f.i);
        for (ci, m) in [Marker::Circle, Marker::Triangle, Marker::Square]
            .iter()
            .enumerate()
        {
            let pts: Vec<(f64, f64)> = f
                .by_length
                .iter()
                .map(|e| (e.0 as f64, val(e.1[ci])))
                .collect();
            let w = if HISTORY[ci] == 85 { 4 } else { 2 };
            chart.draw_series(LineSeries::new(pts.clone(), col.stroke_width(w)))?;
            for p in pts {
                draw_marker(chart.plotting_area(), p, *m, 8, WHITE.filled())?;
                draw_marker(chart.plotting_area(), p, *m, 6, col.filled())?;
            }
        }
    }
    Ok(())
}

/// `flow_velocity` of a forecast-only run: the throughput per sprint (median and P10–P90),
/// in the run's units; a forecast has no commitment to compare it with.
pub fn draw_throughput<DB>(root: &DrawingArea<DB, Shift>, r: &Results) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let (work, noun) = run_units(r);
    let entries = scenario_entries(r, Swatch::Band);
    let plot = frame(
        root,
        &format!("Throughput: {work} finished per {noun}"),
        Some(&format!(
            "{}; a run that is done finishes nothing more",
            band_text(r)
        )),
        &entries,
    )?;
    fan_panel(
        &plot,
        r,
        "velocity",
        &format!("{} finished", capitalized(work)),
        None,
        false,
    )?;
    Ok(())
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
