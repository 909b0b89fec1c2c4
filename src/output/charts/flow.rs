//! Flow charts over sprints: velocity, committed vs done, decision wait, tech debt.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::common::*;
use super::fan::{band_text, fan_entries, fan_panel};
use crate::output::results::Results;

type Line = Vec<(f64, f64)>;

pub fn draw_velocity<DB>(root: &DrawingArea<DB, Shift>, r: &Results) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    if r.forecast_only() {
        return super::forecast::draw_throughput(root, r);
    }
    let mut entries = fan_entries(r);
    entries.push(Entry::new(Swatch::Dashed(INK), "committed"));
    entries.push(Entry::new(Swatch::Line(INK), "committed and done"));
    let sub = band_text(r).replace("Median run", "Left: median run");
    let plot = frame(root, "Flow: velocity and commitment", Some(&sub), &entries)?;
    let (pw, _) = plot.dim_in_pixel();
    let (left, right) = plot.split_horizontally(pw as i32 / 2);
    // A gutter so the right panel's axis label keeps clear of the left plot.
    let right = right.margin(0, 0, 36, 0);
    fan_panel(
        &left,
        r,
        "velocity",
        "Points of all items finished",
        Some("Velocity: every item finished"),
        false,
    )?;

    // Committed vs done: medians only; bands for two series per scenario would be a blur.
    let lines: Vec<(usize, Line, Line)> = r
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let pick = |series: &str| -> Vec<(f64, f64)> {
                r.sprint_series(&s.name, series)
                    .iter()
                    .filter_map(|row| Some((row.sprint as f64, row.p50.or(row.mean)?)))
                    .collect()
            };
            (i, pick("committed"), pick("done"))
        })
        .filter(|(_, c, d)| !c.is_empty() || !d.is_empty())
        .collect();
    if lines.is_empty() {
        return note(&right, "no 'committed'/'done' series in sprints.csv");
    }
    let xmax = lines
        .iter()
        .flat_map(|l| l.1.iter().chain(&l.2).map(|p| p.0))
        .fold(1.0, f64::max);
    let (ylo, yhi) = padded_range(
        lines
            .iter()
            .flat_map(|l| l.1.iter().chain(&l.2).map(|p| p.1)),
        0.08,
        true,
    );
    let mut chart = ChartBuilder::on(&right)
        .caption("Commitment: planned vs kept (medians)", bold(LABEL_SIZE))
        .x_label_area_size(62)
        .y_label_area_size(92)
        .build_cartesian_2d(0.5..xmax + 0.5, ylo..yhi)?;
    house_mesh(&mut chart)
        .x_desc("Sprint")
        .y_desc("Points committed at planning")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&axis_ticks(ylo, yhi, 7))
        .x_labels(xmax.min(14.0) as usize)
        .y_labels(7)
        .draw()?;
    for (i, committed, done) in &lines {
        let c = scenario_color(*i);
        chart.draw_series(DashedLineSeries::new(
            committed.clone(),
            10,
            7,
            c.stroke_width(3),
        ))?;
        chart.draw_series(LineSeries::new(done.clone(), c.stroke_width(4)))?;
    }
    Ok(())
}

/// One per-sprint series as a fan per scenario: median line and P10–P90 band (see
/// [`super::fan::banded`]).
pub fn draw_series_fan<DB>(
    root: &DrawingArea<DB, Shift>,
    r: &Results,
    title: &str,
    series: &str,
    y_label: &str,
) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let entries = fan_entries(r);
    let plot = frame(
        root,
        title,
        Some(&format!("{}; lower is better", band_text(r))),
        &entries,
    )?;
    fan_panel(&plot, r, series, y_label, None, false)?;
    Ok(())
}

/// Priority churn: a sprint's share jumps between 0, 0.2, 0.4… (five next-up items), so the
/// chart shows the running average over the sprints so far (thick), that sprint's mean over
/// runs (thin), and at the right the per-run metric's mean with its 95 % interval from
/// summary.csv.
pub fn draw_priority_churn<DB>(root: &DrawingArea<DB, Shift>, r: &Results) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let entries = scenario_entries(r, Swatch::Line);
    let plot = frame(
        root,
        "Flow: how often priorities changed under the team",
        Some("Thick: average of the sprints so far; thin: that sprint's mean over runs; right: mean over the whole run with 95 % interval"),
        &entries,
    )?;
    let per: Vec<(usize, Line)> = r
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let pts: Line = r
                .sprint_series(&s.name, "priority_churn")
                .iter()
                .filter_map(|row| Some((row.sprint as f64, row.mean?)))
                .collect();
            (i, pts)
        })
        .filter(|(_, p)| !p.is_empty())
        .collect();
    if per.is_empty() {
        if !r.sprints.iter().any(|row| row.series == "priority_churn") {
            note(&plot, "no 'priority_churn' series in sprints.csv")?;
        }
        return Ok(());
    }
    let xmax = per
        .iter()
        .flat_map(|(_, p)| p.iter().map(|t| t.0))
        .fold(1.0, f64::max);
    let ci: Vec<(usize, (f64, f64, f64))> = r
        .scenarios
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let row = r.summary_row(&s.name, "priority_churn")?;
            Some((i, (row.mean?, row.ci95_low?, row.ci95_high?)))
        })
        .collect();
    let (_, yhi) = padded_range(
        per.iter()
            .flat_map(|(_, p)| p.iter().map(|t| t.1))
            .chain(ci.iter().map(|c| c.1 .2)),
        0.06,
        true,
    );
    let right = xmax + 1.0 + 0.25 * ci.len() as f64;
    let mut chart = ChartBuilder::on(&plot)
        .x_label_area_size(62)
        .y_label_area_size(92)
        .build_cartesian_2d(0.5..right + 0.5, 0.0..yhi)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .x_desc("Sprint")
        .y_desc("Next-up items passed over (share)")
        .axis_desc_style(font(LABEL_SIZE))
        .label_style(font(TICK_SIZE))
        .x_label_formatter(&|v| {
            if *v <= xmax + 0.01 {
                format!("{v:.0}")
            } else {
                String::new()
            }
        })
        .y_label_formatter(&axis_ticks(0.0, yhi, 7))
        .x_labels((right + 1.0).min(16.0) as usize)
        .y_labels(7)
        .draw()?;
    for (i, pts) in &per {
        let c = scenario_color(*i);
        chart.draw_series(LineSeries::new(
            pts.iter().copied(),
            c.mix(0.45).stroke_width(1),
        ))?;
    }
    for (i, pts) in &per {
        // Sprint 1 has no earlier planning to pass anything over: the average starts at 2.
        let mut sum = 0.0;
        let mut n = 0.0;
        let run: Line = pts
            .iter()
            .filter(|t| t.0 >= 2.0)
            .map(|t| {
                sum += t.1;
                n += 1.0;
                (t.0, sum / n)
            })
            .collect();
        scenario_line(&mut chart, *i, run)?;
    }
    for (k, (i, (m, lo, hi))) in ci.iter().enumerate() {
        let c = scenario_color(*i);
        let x = xmax + 1.0 + 0.25 * k as f64;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, *lo), (x, *hi)],
            c.stroke_width(3),
        )))?;
        draw_marker(
            chart.plotting_area(),
            (x, *m),
            Marker::Diamond,
            6,
            c.filled(),
        )?;
    }
    Ok(())
}
