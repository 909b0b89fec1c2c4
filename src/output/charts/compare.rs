//! Forest plot of paired differences to the baseline (from compare.csv).
//!
//! Each difference is shown as a relative change: the paired mean difference and its 95 %
//! interval divided by the baseline's mean of that metric, in %. Rows are grouped by what
//! the metric is about (delivery, value, quality, flow), one panel per group with its own
//! axis, so a 13 % drop in one metric is never flattened by a 300 % rise in another.
//! Metrics whose baseline mean is not above zero (release delay can be negative), or so near
//! zero that a change exceeds 1000 %, have no useful relative change; they are named under
//! the plot and stay in the report's table.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::common::*;
use crate::output::names::{self, Group};
use crate::output::results::{BetterWhen, Results, Verdict};

/// One drawn interval: relative mean difference and CI (in %), verdict, scenario position.
#[derive(Debug, Clone)]
pub struct ForestPoint {
    pub scenario: usize,
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
    pub verdict: Verdict,
}

/// One row of the forest: a metric with the points of each non-baseline scenario.
#[derive(Debug, Clone)]
pub struct ForestRow {
    pub metric: String,
    pub group: Group,
    pub better_when: BetterWhen,
    pub points: Vec<ForestPoint>,
}

/// The largest % change the forest shows; past it the baseline is near zero.
const MAX_PERCENT: f64 = 1000.0;

/// Rows of the forest in group order (delivery, value, quality, flow), and the metrics left
/// out because their baseline mean is not above zero, or so near zero that a scenario's mean
/// change exceeds [`MAX_PERCENT`].
pub fn forest_rows(r: &Results) -> (Vec<ForestRow>, Vec<String>) {
    let baseline = &r.run.baseline;
    let mut out = Vec::new();
    let mut left_out = Vec::new();
    for metric in r.compare_metrics() {
        let scale = r
            .summary_row(baseline, metric)
            .and_then(|s| s.mean)
            .filter(|m| *m > 1e-12);
        let Some(scale) = scale else {
            left_out.push(metric.to_string());
            continue;
        };
        let mut points = Vec::new();
        let mut better_when = BetterWhen::Higher;
        for (i, s) in r.scenarios.iter().enumerate() {
            if &s.name == baseline {
                continue;
            }
            let Some(row) = r.compare_row(&s.name, metric) else {
                continue;
            };
            better_when = row.better_when;
            let (Some(m), Some(lo), Some(hi)) = (row.mean_diff, row.ci95_low, row.ci95_high) else {
                continue;
            };
            points.push(ForestPoint {
                scenario: i,
                mean: 100.0 * m / scale,
                lo: 100.0 * lo / scale,
                hi: 100.0 * hi / scale,
                verdict: row.verdict(),
            });
        }
        // A baseline near zero turns any difference into thousands of per cent, which says
        // nothing and squashes the panel's other rows: such a metric is left out like one
        // whose baseline is zero.
        if points.iter().any(|p| p.mean.abs() > MAX_PERCENT) {
            left_out.push(metric.to_string());
            continue;
        }
        if !points.is_empty() {
            out.push(ForestRow {
                metric: metric.to_string(),
                group: names::group(metric),
                better_when,
                points,
            });
        }
    }
    // Stable: file order within a group.
    out.sort_by_key(|row| row.group);
    (out, left_out)
}

fn others(r: &Results) -> Vec<usize> {
    (0..r.scenarios.len())
        .filter(|i| r.scenarios[*i].name != r.run.baseline)
        .collect()
}

fn row_height(r: &Results) -> u32 {
    others(r).len().max(1) as u32 * 16 + 14
}

/// Pixels a group panel takes besides its rows: caption and axis.
const PANEL_EXTRA: u32 = 100;

pub fn size(r: &Results) -> (u32, u32) {
    let rows = r.compare_metrics().len().max(1) as u32;
    let groups = Group::ALL.len() as u32;
    (
        WIDTH,
        (300 + rows * row_height(r) + groups * PANEL_EXTRA).max(HEIGHT),
    )
}

pub fn draw_forest<DB>(root: &DrawingArea<DB, Shift>, r: &Results) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let other = others(r);
    let mut entries: Vec<Entry> = other
        .iter()
        .enumerate()
        .map(|(j, i)| {
            Entry::new(
                Swatch::Mark(MARKERS[j % MARKERS.len()], INK),
                r.scenarios[*i].name.clone(),
            )
        })
        .collect();
    entries.push(Entry::new(Swatch::Block(BETTER), "clearly better"));
    entries.push(Entry::new(Swatch::Block(WORSE), "clearly worse"));
    entries.push(Entry::new(Swatch::Block(UNCLEAR), "interval crosses 0"));
    let plot = frame(
        root,
        &format!("How each scenario differs from the baseline '{}'", r.run.baseline),
        Some("Paired mean change on the same worlds, in % of the baseline's mean, with 95 % interval;  ↑ higher is better, ↓ lower is better"),
        &entries,
    )?;
    let (rows, left_out) = forest_rows(r);
    if rows.is_empty() || other.is_empty() {
        return note(&plot, "no differences to show (only the baseline was run)");
    }
    let (_, ph) = plot.dim_in_pixel();
    let (panels_area, foot) = plot.split_vertically(ph as i32 - 40);
    let groups: Vec<(Group, Vec<&ForestRow>)> = Group::ALL
        .iter()
        .map(|g| {
            (
                *g,
                rows.iter().filter(|x| x.group == *g).collect::<Vec<_>>(),
            )
        })
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let rh = row_height(r) as i32;
    let mut rest = panels_area;
    for (gi, (g, grows)) in groups.iter().enumerate() {
        let h = grows.len() as i32 * rh + PANEL_EXTRA as i32;
        let (panel, below) = if gi + 1 < groups.len() {
            rest.split_vertically(h)
        } else {
            let (w, hh) = rest.dim_in_pixel();
            let _ = w;
            rest.split_vertically(hh as i32)
        };
        draw_group(&panel, root, g.title(), grows, &other)?;
        rest = below;
    }
    if !left_out.is_empty() {
        let names: Vec<String> = left_out.iter().map(|m| names::label(m)).collect();
        let (w, _) = foot.dim_in_pixel();
        foot.draw(&Text::new(
            format!(
                "Not shown (the baseline's mean is zero or near it, so a % change says nothing): {}; see the report's table.",
                names.join(", ")
            ),
            (w as i32 / 2, 20),
            font(TICK_SIZE - 2.0)
                .color(&RGBColor(90, 90, 90))
                .pos(Pos::new(HPos::Center, VPos::Center)),
        ))?;
    }
    Ok(())
}

fn draw_group<DB>(
    panel: &DrawingArea<DB, Shift>,
    root: &DrawingArea<DB, Shift>,
    title: &str,
    rows: &[&ForestRow],
    other: &[usize],
) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let (lo, hi) = rows
        .iter()
        .flat_map(|x| x.points.iter().flat_map(|q| [q.lo, q.hi, q.mean]))
        .filter(|v| v.is_finite())
        .fold((-1.0f64, 1.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let span = hi - lo;
    let (xlo, xhi) = (lo - span * 0.05, hi + span * 0.05);
    let m = rows.len();
    let k = other.len();
    let mut chart = ChartBuilder::on(panel)
        .caption(title, bold(LABEL_SIZE))
        .margin_right(34)
        .x_label_area_size(58)
        .y_label_area_size(330)
        .build_cartesian_2d(xlo..xhi, -0.5..m as f64 - 0.5)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .disable_y_mesh()
        .y_labels(0)
        .label_style(font(TICK_SIZE))
        .x_label_formatter(&|v| format!("{} %", tick(*v)))
        .x_labels(9)
        .draw()?;
    // Under the axis: which side is which, as separate texts (an SVG collapses runs of
    // spaces, which ran one long label together).
    let (lx, ly) = chart.backend_coord(&(xlo, -0.5));
    let (rx, _) = chart.backend_coord(&(xhi, -0.5));
    let side = font(TICK_SIZE - 2.0).color(&RGBColor(90, 90, 90));
    root.draw(&Text::new(
        "← lower than the baseline",
        (lx, ly + 34),
        side.clone().pos(Pos::new(HPos::Left, VPos::Top)),
    ))?;
    root.draw(&Text::new(
        "higher than the baseline →",
        (rx, ly + 34),
        side.pos(Pos::new(HPos::Right, VPos::Top)),
    ))?;
    for idx in (0..m).step_by(2) {
        let y = (m - 1 - idx) as f64;
        chart.draw_series(std::iter::once(Rectangle::new(
            [(xlo, y - 0.5), (xhi, y + 0.5)],
            RGBColor(244, 244, 244).filled(),
        )))?;
    }
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, -0.5), (0.0, m as f64 - 0.5)],
        INK.stroke_width(2),
    )))?;
    let step = 0.8 / k as f64;
    let cap = (step * 0.3).min(0.12);
    for (idx, row) in rows.iter().enumerate() {
        let y0 = (m - 1 - idx) as f64;
        let arrow = match row.better_when {
            BetterWhen::Higher => "↑",
            BetterWhen::Lower => "↓",
        };
        let (px, py) = chart.backend_coord(&(xlo, y0));
        root.draw(&Text::new(
            format!("{} {arrow}", names::label(&row.metric)),
            (px - 12, py),
            font(TICK_SIZE).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
        for p in &row.points {
            let j = other.iter().position(|i| *i == p.scenario).unwrap_or(0);
            // First scenario on top within the row.
            let y = y0 + (k as f64 - 1.0) / 2.0 * step - j as f64 * step;
            let c = match p.verdict {
                Verdict::Better => BETTER,
                Verdict::Worse => WORSE,
                Verdict::Unclear => UNCLEAR,
            };
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(p.lo, y), (p.hi, y)],
                c.stroke_width(3),
            )))?;
            for x in [p.lo, p.hi] {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x, y - cap), (x, y + cap)],
                    c.stroke_width(2),
                )))?;
            }
            draw_marker(
                chart.plotting_area(),
                (p.mean, y),
                MARKERS[j % MARKERS.len()],
                6,
                c.filled(),
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixture;

    #[test]
    fn rows_are_relative_to_the_baseline_mean_and_grouped() {
        let dir = tempfile::tempdir().unwrap();
        fixture::write(dir.path(), 3, 30).unwrap();
        let r = Results::read(dir.path()).unwrap();
        let (rows, _) = forest_rows(&r);
        let row = rows
            .iter()
            .find(|x| x.metric == "value_efficiency")
            .unwrap();
        assert_eq!(row.better_when, BetterWhen::Higher);
        assert_eq!(row.group, Group::Value);
        let pts = &row.points;
        // Two non-baseline scenarios, positions 1 and 2.
        assert_eq!(
            pts.iter().map(|p| p.scenario).collect::<Vec<_>>(),
            vec![1, 2]
        );
        let mean = r
            .summary_row(&r.run.baseline, "value_efficiency")
            .unwrap()
            .mean
            .unwrap();
        let raw = r
            .compare_row(&r.scenarios[2].name, "value_efficiency")
            .unwrap();
        assert!((pts[1].mean - 100.0 * raw.mean_diff.unwrap() / mean).abs() < 1e-9);
        assert!(pts[1].lo <= pts[1].mean && pts[1].mean <= pts[1].hi);
        assert_eq!(pts[1].verdict, Verdict::Better);
        // Groups in order.
        assert!(rows.windows(2).all(|w| w[0].group <= w[1].group));
        assert!(size(&r).1 > HEIGHT);
    }

    /// A baseline mean near zero (the unready items aligned pulls in) would make a change of
    /// thousands of per cent: the row is left out and named under the plot instead.
    #[test]
    fn a_baseline_near_zero_leaves_its_row_out() {
        let dir = tempfile::tempdir().unwrap();
        fixture::write(dir.path(), 3, 30).unwrap();
        let mut r = Results::read(dir.path()).unwrap();
        let (rows, left) = forest_rows(&r);
        assert!(rows.iter().any(|x| x.metric == "value_efficiency"));
        assert!(!left.contains(&"value_efficiency".to_string()));
        let diff = r
            .compare_row(&r.scenarios[1].name, "value_efficiency")
            .unwrap()
            .mean_diff
            .unwrap()
            .abs();
        let baseline = r.run.baseline.clone();
        let row = r
            .summary
            .iter_mut()
            .find(|x| x.scenario == baseline && x.metric == "value_efficiency")
            .unwrap();
        // Just inside the limit the row stays; just past it, it goes.
        row.mean = Some(diff * 100.0 / (MAX_PERCENT * 0.99));
        assert!(forest_rows(&r)
            .0
            .iter()
            .any(|x| x.metric == "value_efficiency"));
        let row = r
            .summary
            .iter_mut()
            .find(|x| x.scenario == baseline && x.metric == "value_efficiency")
            .unwrap();
        row.mean = Some(diff * 100.0 / (MAX_PERCENT * 1.01));
        let (rows, left) = forest_rows(&r);
        assert!(!rows.iter().any(|x| x.metric == "value_efficiency"));
        assert!(left.contains(&"value_efficiency".to_string()));
    }
}
