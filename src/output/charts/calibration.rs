//! `calibration_fit` (`backsim calibrate`): the history against the fitted distributions.
//! Left, a histogram of the history with each fit's expected count per bar; right, the
//! history's empirical CDF with each fit's CDF and the Kolmogorov–Smirnov gap marked.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::analysis::{render, Chart};
use super::common::*;
use super::ImageFormat;

/// One fitted distribution as the chart shows it.
pub struct FitCurve {
    /// "gamma", "lognormal", "normal".
    pub name: String,
    pub best: bool,
    pub ks: f64,
    /// The fitted CDF.
    pub cdf: Box<dyn Fn(f64) -> f64>,
}

/// The data of the fit chart.
pub struct FitChart {
    /// The history's values (sprints or periods), in any order.
    pub values: Vec<f64>,
    pub fits: Vec<FitCurve>,
    /// What one value counts: "story points per sprint", "items per week".
    pub unit: String,
    /// What one value is of: "sprint", "week", "day".
    pub noun: String,
}

/// The x where the empirical CDF of `sorted` and `cdf` are furthest apart, with the two
/// heights there (the step's low or high side, whichever is further).
pub fn ks_gap(sorted: &[f64], cdf: &dyn Fn(f64) -> f64) -> Option<(f64, f64, f64)> {
    let n = sorted.len() as f64;
    let mut best: Option<(f64, f64, f64, f64)> = None;
    for (i, &x) in sorted.iter().enumerate() {
        let f = cdf(x);
        for e in [i as f64 / n, (i + 1) as f64 / n] {
            let d = (f - e).abs();
            if best.is_none_or(|b| d > b.0) {
                best = Some((d, x, e, f));
            }
        }
    }
    best.map(|b| (b.1, b.2, b.3))
}

/// Colours of the fits: the palette after the history's ink.
fn fit_color(i: usize) -> RGBColor {
    PALETTE[(i + 1) % PALETTE.len()]
}

impl Chart for FitChart {
    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let mut entries = vec![Entry::new(
            Swatch::Block(RGBColor(150, 150, 150)),
            "history",
        )];
        for (i, f) in self.fits.iter().enumerate() {
            entries.push(Entry::new(
                Swatch::Line(fit_color(i)),
                format!(
                    "{}{}: KS {:.3}",
                    f.name,
                    if f.best { " (best)" } else { "" },
                    f.ks
                ),
            ));
        }
        let plot = frame(
            root,
            "Calibration: the history and the fitted distributions",
            Some(&format!(
                "{} values ({}); KS = the largest gap between the history's and the fit's cumulative share",
                self.values.len(),
                self.unit.to_lowercase()
            )),
            &entries,
        )?;
        let mut sorted = self.values.clone();
        sorted.sort_by(f64::total_cmp);
        let (Some(&lo), Some(&hi)) = (sorted.first(), sorted.last()) else {
            return note(&plot, "no history");
        };
        let (left, right) = plot.split_horizontally((plot.dim_in_pixel().0 as f64 * 0.5) as u32);
        let right = right.margin(0, 0, 30, 0);
        // Bins: whole numbers for a history of small counts, else about √n equal bins.
        let integral = sorted.iter().all(|v| v.fract() == 0.0) && hi - lo <= 40.0;
        let (start, width, bins) = if integral {
            (lo - 0.5, 1.0, (hi - lo) as usize + 1)
        } else {
            let k = ((sorted.len() as f64).sqrt().ceil() as usize).clamp(4, 20);
            let w = ((hi - lo) / k as f64).max(1e-9);
            (lo, w, k)
        };
        let mut counts = vec![0u64; bins];
        for &v in &sorted {
            let b = (((v - start) / width).floor() as usize).min(bins - 1);
            counts[b] += 1;
        }
        let n = sorted.len() as f64;
        let expected: Vec<Vec<f64>> = self
            .fits
            .iter()
            .map(|f| {
                (0..bins)
                    .map(|b| {
                        let a = start + b as f64 * width;
                        n * ((f.cdf)(a + width) - (f.cdf)(a))
                    })
                    .collect()
            })
            .collect();
        let ymax = counts
            .iter()
            .map(|&c| c as f64)
            .chain(expected.iter().flatten().copied())
            .fold(1.0, f64::max)
            * 1.15;
        let x0 = start - width * 0.5;
        let x1 = start + bins as f64 * width + width * 0.5;
        let mut chart = ChartBuilder::on(&left)
            .x_label_area_size(70)
            .y_label_area_size(80)
            .caption("Histogram and expected counts", font(LABEL_SIZE - 2.0))
            .build_cartesian_2d(x0..x1, 0.0..ymax)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .disable_x_mesh()
            .x_desc(self.unit.clone())
            .y_desc(format!("{}s", super::forecast::capitalized(&self.noun)))
            .axis_desc_style(font(LABEL_SIZE - 2.0))
            .label_style(font(TICK_SIZE))
            .x_label_formatter(&axis_ticks(x0, x1, 10))
            .y_label_formatter(&axis_ticks(0.0, ymax, 6))
            .x_labels(10)
            .y_labels(6)
            .draw()?;
        chart.draw_series(counts.iter().enumerate().map(|(b, &c)| {
            let a = start + b as f64 * width;
            Rectangle::new(
                [(a + width * 0.06, 0.0), (a + width * 0.94, c as f64)],
                RGBColor(170, 170, 170).filled(),
            )
        }))?;
        for (i, e) in expected.iter().enumerate() {
            let pts: Vec<(f64, f64)> = e
                .iter()
                .enumerate()
                .map(|(b, &v)| (start + (b as f64 + 0.5) * width, v))
                .collect();
            let col = fit_color(i);
            chart.draw_series(LineSeries::new(pts.clone(), col.stroke_width(3)))?;
            for p in pts {
                draw_marker(chart.plotting_area(), p, Marker::Circle, 5, col.filled())?;
            }
        }
        // Right: the empirical CDF and the fitted CDFs.
        let span = (hi - lo).max(1.0);
        let (c0, c1) = (lo - 0.15 * span, hi + 0.15 * span);
        let mut chart = ChartBuilder::on(&right)
            .x_label_area_size(70)
            .y_label_area_size(80)
            .caption("Cumulative share and the KS gap", font(LABEL_SIZE - 2.0))
            .build_cartesian_2d(c0..c1, 0.0..1.02)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .x_desc(self.unit.clone())
            .y_desc(format!("Share of {}s at most x (%)", self.noun))
            .axis_desc_style(font(LABEL_SIZE - 2.0))
            .label_style(font(TICK_SIZE))
            .x_label_formatter(&axis_ticks(c0, c1, 10))
            .y_label_formatter(&|v| format!("{:.0}", v * 100.0))
            .x_labels(10)
            .y_labels(6)
            .draw()?;
        for (i, f) in self.fits.iter().enumerate() {
            let pts: Vec<(f64, f64)> = (0..=200)
                .map(|j| {
                    let x = c0 + (c1 - c0) * j as f64 / 200.0;
                    (x, (f.cdf)(x))
                })
                .collect();
            chart.draw_series(LineSeries::new(pts, fit_color(i).stroke_width(3)))?;
        }
        let mut pts = vec![(c0, 0.0)];
        for (i, &x) in sorted.iter().enumerate() {
            pts.push((x, i as f64 / n));
            pts.push((x, (i + 1) as f64 / n));
        }
        pts.push((c1, 1.0));
        chart.draw_series(LineSeries::new(pts, INK.stroke_width(3)))?;
        // Each fit's KS gap: a vertical bar in its colour where it is largest (side by side
        // when two fits are furthest at the same value; the distances are in the legend).
        for (i, f) in self.fits.iter().enumerate() {
            if let Some((x, e, y)) = ks_gap(&sorted, &*f.cdf) {
                let x = x + span * 0.008 * i as f64;
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x, e), (x, y)],
                    fit_color(i).stroke_width(5),
                )))?;
            }
        }
        Ok(())
    }
}

/// Write `calibration_fit` next to `base` in `format`; return the files and the SVG text.
pub fn calibration_fit(
    chart: &FitChart,
    base: &Path,
    format: ImageFormat,
) -> anyhow::Result<super::analysis::Drawn> {
    render(chart, base, format)
}
