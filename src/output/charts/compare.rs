//! Forest plot of paired differences to the baseline (from compare.csv).
//!
//! Metrics have very different scales, so every difference is divided by the baseline's
//! standard deviation of that metric (from summary.csv): one shared axis in "baseline SDs".

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::common::*;
use crate::output::results::{BetterWhen, Results, Verdict};

/// One drawn interval: standardised mean difference and CI, verdict, scenario position.
#[derive(Debug, Clone)]
pub struct ForestPoint {
    pub scenario: usize,
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
    pub verdict: Verdict,
}

/// Rows of the forest: (metric, better_when, points of each non-baseline scenario).
pub fn forest_rows(r: &Results) -> Vec<(String, BetterWhen, Vec<ForestPoint>)> {
    let baseline = &r.run.baseline;
    let mut out = Vec::new();
    for metric in r.compare_metrics() {
        // Scale: the baseline's SD, else |mean|; a metric with neither cannot be put
        // on the shared axis and is left out (the report's table still lists it).
        let scale = r.summary_row(baseline, metric).and_then(|s| {
            s.sd.filter(|sd| *sd > 1e-12)
                .or(s.mean.map(f64::abs).filter(|m| *m > 1e-12))
        });
        let Some(scale) = scale else { continue };
        let mut pts = Vec::new();
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
            pts.push(ForestPoint {
                scenario: i,
                mean: m / scale,
                lo: lo / scale,
                hi: hi / scale,
                verdict: row.verdict(),
            });
        }
        if !pts.is_empty() {
            out.push((metric.to_string(), better_when, pts));
        }
    }
    out
}

fn others(r: &Results) -> Vec<usize> {
    (0..r.scenarios.len())
        .filter(|i| r.scenarios[*i].name != r.run.baseline)
        .collect()
}

fn row_height(r: &Results) -> u32 {
    others(r).len().max(1) as u32 * 17 + 13
}

pub fn size(r: &Results) -> (u32, u32) {
    let rows = r.compare_metrics().len().max(1) as u32;
    (WIDTH, (270 + rows * row_height(r)).max(HEIGHT))
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
    entries.push(Entry::new(Swatch::Block(UNCLEAR), "CI crosses 0"));
    let plot = frame(
        root,
        &format!("Paired differences vs the baseline '{}'", r.run.baseline),
        Some("Mean of (scenario − baseline) on the same worlds, with 95 % CI;  ↑ = higher is better, ↓ = lower is better"),
        &entries,
    )?;
    let rows = forest_rows(r);
    if rows.is_empty() || other.is_empty() {
        return note(&plot, "no differences to show (only the baseline was run)");
    }
    let lim = rows
        .iter()
        .flat_map(|(_, _, p)| p.iter().flat_map(|q| [q.lo.abs(), q.hi.abs()]))
        .fold(0.25f64, f64::max)
        * 1.08;
    let m = rows.len();
    let k = other.len();
    let mut chart = ChartBuilder::on(&plot)
        .x_label_area_size(62)
        .y_label_area_size(330)
        .build_cartesian_2d(-lim..lim, -0.5..m as f64 - 0.5)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .disable_y_mesh()
        .y_labels(0)
        .x_desc("← scenario lower      (scenario − baseline) ÷ baseline SD      scenario higher →")
        .axis_desc_style(font(LABEL_SIZE))
        .label_style(font(TICK_SIZE))
        .x_label_formatter(&|v| tick(*v))
        .x_labels(9)
        .draw()?;
    // Zebra stripes make it easy to follow a metric's row across the plot.
    for idx in (0..m).step_by(2) {
        let y = (m - 1 - idx) as f64;
        chart.draw_series(std::iter::once(Rectangle::new(
            [(-lim, y - 0.5), (lim, y + 0.5)],
            RGBColor(244, 244, 244).filled(),
        )))?;
    }
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, -0.5), (0.0, m as f64 - 0.5)],
        INK.stroke_width(2),
    )))?;
    let step = 0.8 / k as f64;
    for (idx, (metric, bw, pts)) in rows.iter().enumerate() {
        let y0 = (m - 1 - idx) as f64;
        let arrow = match bw {
            BetterWhen::Higher => "↑",
            BetterWhen::Lower => "↓",
        };
        let (px, py) = chart.backend_coord(&(-lim, y0));
        root.draw(&Text::new(
            format!("{metric} {arrow}"),
            (px - 12, py),
            font(TICK_SIZE).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
        for p in pts {
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
            draw_marker(
                chart.plotting_area(),
                (p.mean, y),
                MARKERS[j % MARKERS.len()],
                7,
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
    fn rows_are_standardised_by_the_baseline_sd() {
        let dir = tempfile::tempdir().unwrap();
        fixture::write(dir.path(), 3, 30).unwrap();
        let r = Results::read(dir.path()).unwrap();
        let rows = forest_rows(&r);
        let (_, bw, pts) = rows.iter().find(|x| x.0 == "value_efficiency").unwrap();
        assert_eq!(*bw, BetterWhen::Higher);
        // Two non-baseline scenarios, positions 1 and 2.
        assert_eq!(
            pts.iter().map(|p| p.scenario).collect::<Vec<_>>(),
            vec![1, 2]
        );
        let sd = r
            .summary_row(&r.run.baseline, "value_efficiency")
            .unwrap()
            .sd
            .unwrap();
        let raw = r
            .compare_row(&r.scenarios[2].name, "value_efficiency")
            .unwrap();
        assert!((pts[1].mean - raw.mean_diff.unwrap() / sd).abs() < 1e-12);
        assert_eq!(pts[1].verdict, Verdict::Better);
        assert!(size(&r).1 > HEIGHT);
    }
}
