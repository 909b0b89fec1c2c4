//! Quality chart: three panels of bars with 95 % CI whiskers (one scale per metric).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::common::*;
use crate::output::results::Results;

/// (metric, panel title, axis label, scale applied to the values).
pub(super) const PANELS: [(&str, &str, &str, f64); 3] = [
    (
        "escaped_defects_per_point",
        "Escaped defects",
        "Defects reaching production per story point",
        1.0,
    ),
    (
        "rework_share",
        "Rework",
        "Rework, % of points worked",
        100.0,
    ),
    (
        "wrong_build_rate",
        "Wrong builds",
        "Wrong builds, % of delivered items",
        100.0,
    ),
];

/// (scenario position, scaled mean, scaled CI).
type Bar = (usize, f64, Option<(f64, f64)>);

pub fn draw_quality<DB>(root: &DrawingArea<DB, Shift>, r: &Results) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let mut entries = scenario_entries(r, Swatch::Block);
    entries.push(Entry::new(Swatch::Line(INK), "95 % CI of the mean"));
    let plot = frame(
        root,
        "Quality: defects, rework and wrong builds",
        Some("Mean per scenario over all runs; lower is better"),
        &entries,
    )?;
    let n = r.scenarios.len();
    let none_at_all = super::ChartKind::Quality.missing(r).is_some();
    for (panel, (metric, title, desc, scale)) in plot.split_evenly((1, 3)).iter().zip(PANELS) {
        let bars: Vec<Bar> = r
            .scenarios
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let row = r.summary_row(&s.name, metric)?;
                let m = row.mean? * scale;
                let ci = row
                    .ci95_low
                    .zip(row.ci95_high)
                    .map(|(a, b)| (a * scale, b * scale));
                Some((i, m, ci))
            })
            .collect();
        if bars.is_empty() {
            // With no quality figures at all, the chart says so once (see `ChartKind::draw`).
            if !none_at_all {
                note(panel, &format!("no {metric} in summary.csv"))?;
            }
            continue;
        }
        let (_, yhi) = padded_range(
            bars.iter()
                .flat_map(|b| [b.1].into_iter().chain(b.2.map(|c| c.1))),
            0.12,
            true,
        );
        let mut chart = ChartBuilder::on(panel)
            .caption(title, bold(LABEL_SIZE))
            .margin_right(12)
            .x_label_area_size(16)
            .y_label_area_size(84)
            .build_cartesian_2d(-0.6..n as f64 - 0.4, 0.0..yhi)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .disable_x_mesh()
            .x_labels(0)
            .y_desc(desc)
            .axis_desc_style(font(TICK_SIZE))
            .label_style(font(TICK_SIZE))
            .y_label_formatter(&axis_ticks(0.0, yhi, 7))
            .y_labels(7)
            .draw()?;
        let area = chart.plotting_area();
        for (i, m, ci) in bars {
            let x = i as f64;
            let c = scenario_color(i);
            area.draw(&Rectangle::new(
                [(x - 0.36, 0.0), (x + 0.36, m)],
                c.filled(),
            ))?;
            if let Some((lo, hi)) = ci {
                area.draw(&PathElement::new(
                    vec![(x, lo), (x, hi)],
                    INK.stroke_width(3),
                ))?;
                for y in [lo, hi] {
                    area.draw(&PathElement::new(
                        vec![(x - 0.12, y), (x + 0.12, y)],
                        INK.stroke_width(3),
                    ))?;
                }
            }
        }
    }
    Ok(())
}
