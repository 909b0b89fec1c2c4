//! Charts of the analysis commands (sweep, sensitivity): each a free function taking a base
//! path (extension replaced), a title and the data, writing PNG and/or SVG atomically and
//! returning the SVG text for the report. Same size, fonts and palette as the run charts.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::common::{
    bold, font, frame, padded_range, register_fonts, tick, Entry, NumericChart, Swatch, GRID,
    HEIGHT, INK, LABEL_SIZE, OKABE_ITO, TICK_SIZE, WIDTH,
};
use super::{pending_png, ImageFormat};
use crate::output::atomic::{commit_all, write_file};

/// Something that draws itself on any backend.
pub(super) trait Chart {
    fn size(&self) -> (u32, u32) {
        (WIDTH, HEIGHT)
    }
    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static;
}

/// Write `chart` next to `base` in `format`; return the files and the SVG text.
pub(super) fn render(
    chart: &impl Chart,
    base: &Path,
    format: ImageFormat,
) -> anyhow::Result<(Vec<PathBuf>, String)> {
    register_fonts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, chart.size()).into_drawing_area();
        chart.draw(&root)?;
        root.present()?;
    }
    let mut files = Vec::new();
    if format.png() {
        files.push(pending_png(
            &base.with_extension("png"),
            chart.size(),
            |root| chart.draw(root),
        )?);
    }
    if format.svg() {
        files.push(write_file(&base.with_extension("svg"), svg.as_bytes())?);
    }
    Ok((commit_all(files)?, svg))
}

/// Plain numeric axes with the analysis charts' tick format.
fn numeric_axes<'a, DB>(
    area: &'a DrawingArea<DB, Shift>,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    x_desc: &str,
    y_desc: &str,
) -> anyhow::Result<NumericChart<'a, DB>>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let mut chart = ChartBuilder::on(area)
        .x_label_area_size(62)
        .y_label_area_size(92)
        .build_cartesian_2d(x, y)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style(font(LABEL_SIZE))
        .label_style(font(TICK_SIZE))
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .draw()?;
    Ok(chart)
}

/// One point of a sweep line: x, mean, CI low, CI high.
pub type LinePoint = (f64, f64, f64, f64);

struct SweepLine<'a> {
    title: &'a str,
    x_desc: &'a str,
    y_desc: &'a str,
    points: &'a [LinePoint],
}

impl Chart for SweepLine<'_> {
    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let c = OKABE_ITO[0];
        let entries = [
            Entry::new(Swatch::Line(c), "mean"),
            Entry::new(Swatch::Band(c), "95 % confidence interval of the mean"),
        ];
        let area = frame(
            root,
            self.title,
            Some("every point on the same simulated worlds (common random numbers)"),
            &entries,
        )?;
        let (xlo, xhi) = padded_range(self.points.iter().map(|p| p.0), 0.03, false);
        let (ylo, yhi) = padded_range(
            self.points.iter().flat_map(|p| [p.1, p.2, p.3]),
            0.08,
            false,
        );
        let mut chart = numeric_axes(&area, xlo..xhi, ylo..yhi, self.x_desc, self.y_desc)?;
        let ok: Vec<&LinePoint> = self
            .points
            .iter()
            .filter(|p| p.2.is_finite() && p.3.is_finite())
            .collect();
        if ok.len() > 1 {
            let mut poly: Vec<(f64, f64)> = ok.iter().map(|p| (p.0, p.3)).collect();
            poly.extend(ok.iter().rev().map(|p| (p.0, p.2)));
            chart.draw_series(std::iter::once(Polygon::new(poly, c.mix(0.2).filled())))?;
        }
        let pts: Vec<(f64, f64)> = self
            .points
            .iter()
            .filter(|p| p.1.is_finite())
            .map(|p| (p.0, p.1))
            .collect();
        chart.draw_series(LineSeries::new(pts.iter().copied(), c.stroke_width(4)))?;
        chart.draw_series(pts.iter().map(|&(x, y)| Circle::new((x, y), 6, c.filled())))?;
        Ok(())
    }
}

/// A metric's mean against one swept parameter, with its CI band.
pub fn sweep_line(
    base: &Path,
    title: &str,
    x_desc: &str,
    y_desc: &str,
    points: &[LinePoint],
    format: ImageFormat,
) -> anyhow::Result<(Vec<PathBuf>, String)> {
    render(
        &SweepLine {
            title,
            x_desc,
            y_desc,
            points,
        },
        base,
        format,
    )
}

struct Heat<'a> {
    title: &'a str,
    x_desc: &'a str,
    y_desc: &'a str,
    xs: &'a [f64],
    ys: &'a [f64],
    /// values[i][j]: at xs[i], ys[j].
    values: &'a [Vec<f64>],
    higher_better: bool,
}

/// Blue (worse) to orange (better) through white, colour-blind safe.
fn diverging(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let (a, b) = if t < 0.5 {
        (OKABE_ITO[0], RGBColor(247, 247, 247))
    } else {
        (RGBColor(247, 247, 247), OKABE_ITO[1])
    };
    let u = if t < 0.5 { t * 2.0 } else { (t - 0.5) * 2.0 };
    let mix = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * u).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

impl Chart for Heat<'_> {
    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let entries = [
            Entry::new(Swatch::Block(diverging(0.0)), "worse"),
            Entry::new(Swatch::Block(diverging(1.0)), "better"),
        ];
        let area = frame(
            root,
            self.title,
            Some("mean per cell; every cell on the same simulated worlds"),
            &entries,
        )?;
        let (nx, ny) = (self.xs.len(), self.ys.len());
        let mut chart = ChartBuilder::on(&area)
            .x_label_area_size(62)
            .y_label_area_size(92)
            .build_cartesian_2d(0.0..nx as f64, 0.0..ny as f64)?;
        let xs = self.xs;
        let ys = self.ys;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(self.x_desc)
            .y_desc(self.y_desc)
            .axis_desc_style(font(LABEL_SIZE))
            .label_style(font(TICK_SIZE))
            .x_labels(nx * 2 + 1)
            .y_labels(ny * 2 + 1)
            .x_label_formatter(&|v| {
                let i = (*v - 0.5).round();
                if (v - 0.5 - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < xs.len() {
                    tick(xs[i as usize])
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| {
                let i = (*v - 0.5).round();
                if (v - 0.5 - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < ys.len() {
                    tick(ys[i as usize])
                } else {
                    String::new()
                }
            })
            .draw()?;
        let (lo, hi) = padded_range(self.values.iter().flatten().copied(), 0.0, false);
        for (i, col) in self.values.iter().enumerate() {
            for (j, &v) in col.iter().enumerate() {
                let mut t = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
                if !self.higher_better {
                    t = 1.0 - t;
                }
                let fill = if v.is_finite() {
                    diverging(t)
                } else {
                    RGBColor(200, 200, 200)
                };
                let (x, y) = (i as f64, j as f64);
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x, y), (x + 1.0, y + 1.0)],
                    fill.filled(),
                )))?;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x, y), (x + 1.0, y + 1.0)],
                    WHITE.stroke_width(2),
                )))?;
                if nx * ny <= 200 {
                    chart.draw_series(std::iter::once(Text::new(
                        tick(v),
                        (x + 0.5, y + 0.5),
                        font(TICK_SIZE - 2.0)
                            .color(if t < 0.2 && v.is_finite() {
                                &WHITE
                            } else {
                                &INK
                            })
                            .pos(Pos::new(HPos::Center, VPos::Center)),
                    )))?;
                }
            }
        }
        Ok(())
    }
}

/// A metric's mean over a two-parameter grid; `values[i][j]` at (xs[i], ys[j]).
#[allow(clippy::too_many_arguments)]
pub fn sweep_heat(
    base: &Path,
    title: &str,
    x_desc: &str,
    y_desc: &str,
    xs: &[f64],
    ys: &[f64],
    values: &[Vec<f64>],
    higher_better: bool,
    format: ImageFormat,
) -> anyhow::Result<(Vec<PathBuf>, String)> {
    render(
        &Heat {
            title,
            x_desc,
            y_desc,
            xs,
            ys,
            values,
            higher_better,
        },
        base,
        format,
    )
}

/// One bar of a tornado: the metric's mean (and CI) at the low and high ends of a range.
#[derive(Debug, Clone)]
pub struct TornadoBar {
    pub label: String,
    pub low: (f64, f64, f64),
    pub high: (f64, f64, f64),
}

struct Tornado<'a> {
    title: &'a str,
    x_desc: &'a str,
    baseline: f64,
    bars: &'a [TornadoBar],
}

impl Chart for Tornado<'_> {
    fn size(&self) -> (u32, u32) {
        (WIDTH, (200 + 44 * self.bars.len() as u32).max(HEIGHT))
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let (lc, hc) = (OKABE_ITO[0], OKABE_ITO[1]);
        let entries = [
            Entry::new(Swatch::Block(lc), "parameter at its low end"),
            Entry::new(Swatch::Block(hc), "parameter at its high end"),
            Entry::new(Swatch::Line(INK), "95 % CI (paired with the scenario)"),
        ];
        let area = frame(
            root,
            self.title,
            Some(
                "one parameter at a time, others at the scenario's values; same worlds throughout",
            ),
            &entries,
        )?;
        let n = self.bars.len().max(1);
        let (xlo, xhi) = padded_range(
            self.bars
                .iter()
                .flat_map(|b| [b.low.0, b.low.1, b.low.2, b.high.0, b.high.1, b.high.2])
                .chain([self.baseline]),
            0.05,
            false,
        );
        let labels: Vec<String> = self.bars.iter().map(|b| b.label.clone()).collect();
        let mut chart = ChartBuilder::on(&area)
            .x_label_area_size(62)
            .y_label_area_size(330)
            .build_cartesian_2d(xlo..xhi, 0.0..n as f64)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .disable_y_mesh()
            .x_desc(self.x_desc)
            .axis_desc_style(font(LABEL_SIZE))
            .label_style(font(TICK_SIZE))
            .x_label_formatter(&|v| tick(*v))
            .y_labels(n * 2 + 1)
            .y_label_formatter(&|v| {
                // Row 0 (the largest spread) at the top.
                let i = (*v - 0.5).round();
                if (v - 0.5 - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
                    labels[labels.len() - 1 - i as usize].clone()
                } else {
                    String::new()
                }
            })
            .draw()?;
        for (r, b) in self.bars.iter().enumerate() {
            let y = (n - 1 - r) as f64;
            for (end, color, off) in [(b.low, lc, 0.52), (b.high, hc, 0.14)] {
                if !end.0.is_finite() {
                    continue;
                }
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(self.baseline, y + off), (end.0, y + off + 0.34)],
                    color.filled(),
                )))?;
                if end.1.is_finite() && end.2.is_finite() {
                    let yc = y + off + 0.17;
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(end.1, yc), (end.2, yc)],
                        INK.stroke_width(2),
                    )))?;
                    for x in [end.1, end.2] {
                        chart.draw_series(std::iter::once(PathElement::new(
                            vec![(x, yc - 0.1), (x, yc + 0.1)],
                            INK.stroke_width(2),
                        )))?;
                    }
                }
            }
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(self.baseline, 0.0), (self.baseline, n as f64)],
            INK.stroke_width(2),
        )))?;
        Ok(())
    }
}

/// Tornado: bars (already sorted, largest spread first) around the baseline mean.
pub fn tornado(
    base: &Path,
    title: &str,
    x_desc: &str,
    baseline: f64,
    bars: &[TornadoBar],
    format: ImageFormat,
) -> anyhow::Result<(Vec<PathBuf>, String)> {
    render(
        &Tornado {
            title,
            x_desc,
            baseline,
            bars,
        },
        base,
        format,
    )
}

struct Scatter<'a> {
    title: &'a str,
    subtitle: &'a str,
    x_desc: &'a str,
    y_desc: &'a str,
    /// (label, x, y); labels drawn when not empty.
    points: &'a [(String, f64, f64)],
}

impl Chart for Scatter<'_> {
    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let c = OKABE_ITO[0];
        let area = frame(root, self.title, Some(self.subtitle), &[])?;
        let (xlo, xhi) = padded_range(self.points.iter().map(|p| p.1), 0.12, true);
        let (ylo, yhi) = padded_range(self.points.iter().map(|p| p.2), 0.12, true);
        let mut chart = numeric_axes(&area, xlo..xhi, ylo..yhi, self.x_desc, self.y_desc)?;
        for (label, x, y) in self.points {
            if !(x.is_finite() && y.is_finite()) {
                continue;
            }
            chart.draw_series(std::iter::once(Circle::new((*x, *y), 7, c.filled())))?;
            if !label.is_empty() {
                chart.draw_series(std::iter::once(Text::new(
                    label.clone(),
                    (*x, *y),
                    font(TICK_SIZE - 3.0).pos(Pos::new(HPos::Left, VPos::Bottom)),
                )))?;
            }
        }
        let _ = bold(1.0);
        Ok(())
    }
}

/// A labelled scatter (Morris μ*–σ, or a metric against a sampled parameter).
pub fn scatter(
    base: &Path,
    title: &str,
    subtitle: &str,
    x_desc: &str,
    y_desc: &str,
    points: &[(String, f64, f64)],
    format: ImageFormat,
) -> anyhow::Result<(Vec<PathBuf>, String)> {
    render(
        &Scatter {
            title,
            subtitle,
            x_desc,
            y_desc,
            points,
        },
        base,
        format,
    )
}
