//! Charts of the analysis commands (sweep, sensitivity): each a free function taking a base
//! path (extension replaced), a title and the data, drawing PNG and/or SVG into pending files
//! (committed with the rest of the command's set by the output folder's publisher)
//! and returning the SVG text for the report. Same size, fonts and palette as the run charts.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::common::{
    bold, draw_marker, font, frame, padded_range, register_fonts, tick, Entry, Marker, Swatch,
    GRID, HEIGHT, INK, LABEL_SIZE, OKABE_ITO, TICK_SIZE, WIDTH,
};
use super::{pending_png, ImageFormat};
use crate::output::atomic::{write_file, PendingFile};

/// A chart drawn into pending files, and its SVG text for the report.
pub struct Drawn {
    pub files: Vec<PendingFile>,
    pub svg: String,
}

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

/// Draw `chart` next to `base` in `format` into pending files; return them and the SVG text.
pub(super) fn render(
    chart: &impl Chart,
    base: &Path,
    format: ImageFormat,
) -> anyhow::Result<Drawn> {
    register_fonts();
    let size = super::common::themed(chart.size());
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        chart.draw(&root)?;
        root.present()?;
    }
    let mut files = Vec::new();
    if format.png() {
        files.push(pending_png(&base.with_extension("png"), size, |root| {
            chart.draw(root)
        })?);
    }
    if format.svg() {
        files.push(write_file(&base.with_extension("svg"), svg.as_bytes())?);
    }
    Ok(Drawn { files, svg })
}

/// One point of a sweep line.
#[derive(Debug, Clone, Copy)]
pub struct SweepPoint {
    pub x: f64,
    /// Mean of the metric at the point and its 95 % CI.
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
    /// Paired difference from the scenario as given (mean, 95 % CI low, high).
    pub diff: (f64, f64, f64),
    /// Share of runs with a value (below 1 for a censored metric such as release delay).
    pub completed: f64,
}

struct SweepLine<'a> {
    title: &'a str,
    x_desc: &'a str,
    y_desc: &'a str,
    points: &'a [SweepPoint],
}

/// Pixel height of the paired-difference panel under a sweep line.
const DIFF_PANEL: u32 = 250;

impl Chart for SweepLine<'_> {
    fn size(&self) -> (u32, u32) {
        (WIDTH, HEIGHT + DIFF_PANEL)
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let c = OKABE_ITO[0];
        let d = OKABE_ITO[5];
        let censored = self.points.iter().any(|p| p.completed < 1.0);
        let entries = [
            Entry::new(Swatch::Band(c), "mean, 95 % CI of the mean"),
            Entry::new(
                Swatch::Band(d),
                "paired difference from the scenario as given, 95 % CI",
            ),
        ];
        let area = frame(
            root,
            self.title,
            Some(if censored {
                "every point on the same simulated worlds; the mean is over the runs that finished (share done under each point)"
            } else {
                "every point on the same simulated worlds (common random numbers)"
            }),
            &entries,
        )?;
        let (_, ah) = area.dim_in_pixel();
        let (top, bottom) = area.split_vertically(ah as i32 - DIFF_PANEL as i32);
        let (xlo, xhi) = padded_range(self.points.iter().map(|p| p.x), 0.03, false);
        let vals: Vec<f64> = self
            .points
            .iter()
            .flat_map(|p| [p.mean, p.lo, p.hi])
            .filter(|v| v.is_finite())
            .collect();
        // A measure that cannot go below zero starts its axis at zero, so a small effect is
        // not blown up; one that can (release delay, ranking agreement) gets a marked cut.
        let natural_zero = vals.iter().all(|v| *v >= 0.0);
        let (ylo, yhi) = padded_range(vals.iter().copied(), 0.08, natural_zero);
        let mut chart = ChartBuilder::on(&top)
            .caption("The metric at each point", bold(LABEL_SIZE - 2.0))
            .x_label_area_size(50)
            .y_label_area_size(92)
            .build_cartesian_2d(xlo..xhi, ylo..yhi)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .y_desc(self.y_desc)
            .axis_desc_style(font(LABEL_SIZE))
            .label_style(font(TICK_SIZE))
            .x_label_formatter(&|v| tick(*v))
            .y_label_formatter(&|v| tick(*v))
            .draw()?;
        if !natural_zero && ylo > 0.0 {
            chart.draw_series(std::iter::once(Text::new(
                "≈ axis cut: does not start at 0",
                (xlo, ylo),
                font(TICK_SIZE - 3.0)
                    .color(&RGBColor(150, 60, 0))
                    .pos(Pos::new(HPos::Left, VPos::Bottom)),
            )))?;
        }
        let ok: Vec<&SweepPoint> = self
            .points
            .iter()
            .filter(|p| p.lo.is_finite() && p.hi.is_finite())
            .collect();
        if ok.len() > 1 {
            let mut poly: Vec<(f64, f64)> = ok.iter().map(|p| (p.x, p.hi)).collect();
            poly.extend(ok.iter().rev().map(|p| (p.x, p.lo)));
            chart.draw_series(std::iter::once(Polygon::new(poly, c.mix(0.2).filled())))?;
        }
        let pts: Vec<(f64, f64)> = self
            .points
            .iter()
            .filter(|p| p.mean.is_finite())
            .map(|p| (p.x, p.mean))
            .collect();
        chart.draw_series(LineSeries::new(pts.iter().copied(), c.stroke_width(4)))?;
        chart.draw_series(pts.iter().map(|&(x, y)| Circle::new((x, y), 6, c.filled())))?;
        if censored {
            for p in self.points.iter().filter(|p| p.mean.is_finite()) {
                chart.draw_series(std::iter::once(Text::new(
                    format!("{:.0} % done", 100.0 * p.completed),
                    (p.x, p.lo.min(p.mean)),
                    font(TICK_SIZE - 4.0)
                        .color(&RGBColor(90, 90, 90))
                        .pos(Pos::new(HPos::Center, VPos::Top)),
                )))?;
            }
        }

        // The paired differences: far narrower than the means' intervals on the same worlds.
        let dv: Vec<f64> = self
            .points
            .iter()
            .flat_map(|p| [p.diff.0, p.diff.1, p.diff.2])
            .filter(|v| v.is_finite())
            .chain([0.0])
            .collect();
        let (dlo, dhi) = padded_range(dv, 0.1, false);
        let mut dchart = ChartBuilder::on(&bottom)
            .caption(
                if censored {
                    "Change from the scenario as given (same runs, paired; an unfinished run counts as the horizon + 1)"
                } else {
                    "Change from the scenario as given (same runs, paired)"
                },
                bold(LABEL_SIZE - 4.0),
            )
            .x_label_area_size(62)
            .y_label_area_size(92)
            .build_cartesian_2d(xlo..xhi, dlo..dhi)?;
        dchart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .x_desc(self.x_desc)
            .y_desc("Difference")
            .axis_desc_style(font(LABEL_SIZE))
            .label_style(font(TICK_SIZE))
            .x_label_formatter(&|v| tick(*v))
            .y_label_formatter(&|v| tick(*v))
            .y_labels(5)
            .draw()?;
        dchart.draw_series(std::iter::once(PathElement::new(
            vec![(xlo, 0.0), (xhi, 0.0)],
            INK.stroke_width(2),
        )))?;
        for p in self.points.iter().filter(|p| p.diff.0.is_finite()) {
            dchart.draw_series(std::iter::once(PathElement::new(
                vec![(p.x, p.diff.1), (p.x, p.diff.2)],
                d.stroke_width(4),
            )))?;
            dchart.draw_series(std::iter::once(Circle::new((p.x, p.diff.0), 5, d.filled())))?;
        }
        Ok(())
    }
}

/// A metric's mean against one swept parameter with its CI band, and under it each point's
/// paired difference from the scenario as given with its interval.
pub fn sweep_line(
    base: &Path,
    title: &str,
    x_desc: &str,
    y_desc: &str,
    points: &[SweepPoint],
    format: ImageFormat,
) -> anyhow::Result<Drawn> {
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
) -> anyhow::Result<Drawn> {
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
    /// A property of the world (backlog, market, release) rather than a team lever.
    pub world: bool,
    /// Whether the effect is clear (some interval excludes 0); unclear bars are drawn light.
    pub clear: bool,
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
            Entry::new(Swatch::Block(on_white(lc, 0.35)), "not clear"),
            Entry::new(
                Swatch::Block(RGBColor(236, 236, 236)),
                "shaded row: property of the world, not a team lever",
            ),
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
                // Row 0 (the first ranked) at the top.
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
            if b.world {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(xlo, y), (xhi, y + 1.0)],
                    RGBColor(236, 236, 236).filled(),
                )))?;
            }
            for (end, color, off) in [(b.low, lc, 0.52), (b.high, hc, 0.14)] {
                if !end.0.is_finite() {
                    continue;
                }
                let fill = if b.clear {
                    color.filled()
                } else {
                    color.mix(0.35).filled()
                };
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(self.baseline, y + off), (end.0, y + off + 0.34)],
                    fill,
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
) -> anyhow::Result<Drawn> {
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

/// One point of a scatter: a label (drawn when not empty), its place, and whether it is a
/// property of the world rather than a team lever (drawn apart).
#[derive(Debug, Clone)]
pub struct ScatterPoint {
    pub label: String,
    pub x: f64,
    pub y: f64,
    pub world: bool,
}

struct Scatter<'a> {
    title: &'a str,
    subtitle: &'a str,
    x_desc: &'a str,
    y_desc: &'a str,
    points: &'a [ScatterPoint],
}

/// `c` at opacity `a` over white, as an opaque colour.
fn on_white(c: RGBColor, a: f64) -> RGBColor {
    let m = |x: u8| (255.0 - a * (255.0 - x as f64)).round() as u8;
    RGBColor(m(c.0), m(c.1), m(c.2))
}

/// Colour and marker of team levers and of world properties.
const LEVER: RGBColor = RGBColor(0, 114, 178);
const WORLD: RGBColor = RGBColor(213, 94, 0);

/// Where the labels of a scatter go: a column right of the plot, each at the height of its
/// point if it can, spread apart so none overlaps, joined to its point by a leader line.
/// Returns (label centre y in pixels) in point order; `ys` are the points' pixel heights.
pub fn label_column(ys: &[f64], gap: f64, top: f64, bottom: f64) -> Vec<f64> {
    super::common::spread_labels(ys, gap, top + gap / 2.0, bottom - gap / 2.0)
}

impl Chart for Scatter<'_> {
    fn size(&self) -> (u32, u32) {
        let labelled = self.points.iter().filter(|p| !p.label.is_empty()).count() as u32;
        // Room for every label in the column.
        (WIDTH, HEIGHT.max(260 + labelled * 26))
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let any_world = self.points.iter().any(|p| p.world);
        let labelled: Vec<&ScatterPoint> = self
            .points
            .iter()
            .filter(|p| !p.label.is_empty() && p.x.is_finite() && p.y.is_finite())
            .collect();
        let entries = if any_world {
            vec![
                Entry::new(Swatch::Mark(Marker::Circle, LEVER), "team or role lever"),
                Entry::new(
                    Swatch::Mark(Marker::Diamond, WORLD),
                    "property of the world (backlog, market, release)",
                ),
            ]
        } else {
            vec![]
        };
        let area = frame(root, self.title, Some(self.subtitle), &entries)?;
        let label_w = labelled
            .iter()
            .map(|p| {
                root.estimate_text_size(&p.label, &font(TICK_SIZE - 3.0))
                    .map(|x| x.0)
                    .unwrap_or(0)
            })
            .max()
            .unwrap_or(0) as i32;
        let (xlo, xhi) = padded_range(self.points.iter().map(|p| p.x), 0.06, true);
        let (ylo, yhi) = padded_range(self.points.iter().map(|p| p.y), 0.06, true);
        let mut chart = ChartBuilder::on(&area)
            .margin_right(if labelled.is_empty() {
                10
            } else {
                label_w + 60
            })
            .x_label_area_size(62)
            .y_label_area_size(92)
            .build_cartesian_2d(xlo..xhi, ylo..yhi)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .x_desc(self.x_desc)
            .y_desc(self.y_desc)
            .axis_desc_style(font(LABEL_SIZE))
            .label_style(font(TICK_SIZE))
            .x_label_formatter(&|v| tick(*v))
            .y_label_formatter(&|v| tick(*v))
            .draw()?;
        for p in self.points {
            if !(p.x.is_finite() && p.y.is_finite()) {
                continue;
            }
            let (c, m) = if p.world {
                (WORLD, Marker::Diamond)
            } else {
                (LEVER, Marker::Circle)
            };
            draw_marker(chart.plotting_area(), (p.x, p.y), m, 7, c.filled())?;
        }
        if !labelled.is_empty() {
            let base = root.get_base_pixel();
            let px: Vec<(i32, i32)> = labelled
                .iter()
                .map(|p| {
                    let (x, y) = chart.backend_coord(&(p.x, p.y));
                    (x - base.0, y - base.1)
                })
                .collect();
            let (xr, yr) = chart.plotting_area().get_pixel_range();
            let col_x = xr.end - base.0 + 24;
            let at = label_column(
                &px.iter().map(|p| p.1 as f64).collect::<Vec<_>>(),
                TICK_SIZE + 4.0,
                (yr.start - base.1) as f64,
                (yr.end - base.1) as f64,
            );
            for (k, p) in labelled.iter().enumerate() {
                let c = if p.world { WORLD } else { LEVER };
                let ly = at[k].round() as i32;
                root.draw(&PathElement::new(
                    vec![px[k], (col_x - 14, ly), (col_x - 4, ly)],
                    c.mix(0.5).stroke_width(1),
                ))?;
                root.draw(&Text::new(
                    p.label.clone(),
                    (col_x, ly),
                    font(TICK_SIZE - 3.0)
                        .color(&c)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
            }
        }
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
    points: &[ScatterPoint],
    format: ImageFormat,
) -> anyhow::Result<Drawn> {
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
