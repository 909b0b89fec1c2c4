//! Flow charts over sprints: velocity, committed vs done, decision wait, tech debt.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::common::*;
use crate::output::results::Results;

type Line = Vec<(f64, f64)>;

pub fn draw_velocity<DB>(root: &DrawingArea<DB, Shift>, r: &Results) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let mut entries = scenario_entries(r, Swatch::Band);
    entries.push(Entry::new(Swatch::Dashed(INK), "committed"));
    entries.push(Entry::new(Swatch::Line(INK), "done"));
    let plot = frame(root, "Flow: velocity and commitment", None, &entries)?;
    let panels = plot.split_evenly((1, 2));
    fan_panel(
        &panels[0],
        r,
        "velocity",
        "Story points done per sprint",
        Some("Velocity (P10–P90 band)"),
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
        return note(&panels[1], "no 'committed'/'done' series in sprints.csv");
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
    let mut chart = ChartBuilder::on(&panels[1])
        .caption("Committed vs done (medians)", bold(LABEL_SIZE))
        .x_label_area_size(62)
        .y_label_area_size(92)
        .build_cartesian_2d(0.5..xmax + 0.5, ylo..yhi)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .x_desc("Sprint")
        .y_desc("Story points per sprint")
        .axis_desc_style(font(LABEL_SIZE))
        .label_style(font(TICK_SIZE))
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| tick(*v))
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

/// One per-sprint series as a fan per scenario: median line and P10–P90 band.
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
    let entries = scenario_entries(r, Swatch::Band);
    let plot = frame(
        root,
        title,
        Some("Median run (line) and the middle 80 % of runs (band, P10–P90); lower is better"),
        &entries,
    )?;
    fan_panel(&plot, r, series, y_label, None)?;
    Ok(())
}
