//! The sweep's charts: a metric against one parameter (`sweep_line`) and over two (`sweep_heat`).

use super::*;
use plotters::coord::types::RangedCoordf64;

use crate::output::charts::pxbox::{plot_box, px, PxBox};

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
            Entry::new(
                Swatch::Band(c),
                if censored {
                    "restricted mean, 95 % CI"
                } else {
                    "mean, 95 % CI of the mean"
                },
            ),
            Entry::new(
                Swatch::Band(d),
                "paired difference from the scenario as given, 95 % CI",
            ),
        ];
        let area = frame(
            root,
            self.title,
            Some(if censored {
                "every point on the same simulated worlds; a run not done by the horizon counts as the horizon + 1 (share done beside each point)"
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
        house_mesh(&mut chart)
            .y_desc(self.y_desc)
            .x_label_formatter(&axis_ticks(xlo, xhi, 11))
            .y_label_formatter(&axis_ticks(ylo, yhi, 11))
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
        chart.draw_series(LineSeries::new(
            pts.iter().copied(),
            c.stroke_width(2 * LINE_HALF as u32),
        ))?;
        chart.draw_series(
            pts.iter()
                .map(|&(x, y)| Circle::new((x, y), MARK_R as i32, c.filled())),
        )?;
        if censored {
            done_labels(root, &chart, &pts, self.points)?;
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
        let caption = if censored {
            "Change from the scenario as given (same runs, paired; an unfinished run counts as the horizon + 1)"
        } else {
            "Change from the scenario as given (same runs, paired)"
        };
        // Smaller when it would not fit the width (the projector theme's smaller canvas).
        let (bw, _) = bottom.dim_in_pixel();
        let mut size = LABEL_SIZE - 4.0;
        while size > 10.0 && root.estimate_text_size(caption, &bold(size))?.0 + 16 > bw {
            size -= 1.0;
        }
        let mut dchart = ChartBuilder::on(&bottom)
            .caption(caption, bold(size))
            .x_label_area_size(62)
            .y_label_area_size(92)
            .build_cartesian_2d(xlo..xhi, dlo..dhi)?;
        house_mesh(&mut dchart)
            .x_desc(self.x_desc)
            .y_desc("Difference")
            .x_label_formatter(&axis_ticks(xlo, xhi, 11))
            .y_label_formatter(&axis_ticks(dlo, dhi, 5))
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

/// Font size of the "% done" labels.
const DONE_SIZE: f64 = TICK_SIZE - 4.0;
/// Radius of the mean's markers and half the line's width, in pixels.
const MARK_R: f64 = 6.0;
const LINE_HALF: f64 = 2.0;
/// Clear space around a "% done" label, in pixels, and between two labels (wider, so that
/// neighbours never read as one run of text).
const CLEAR: f64 = 2.0;
const LABEL_GAP: f64 = 10.0;
/// Clear space between a "% done" label and the plot's edges (wider, so that a label by the
/// y axis does not read as one with a tick label).
const EDGE_GAP: f64 = 8.0;

/// What the "% done" labels keep clear of, in pixels: they stay inside `plot` (the plotting
/// area within the axes) and off the marks and the line through them.
struct Clearance<'a> {
    plot: PxBox,
    marks: &'a [(f64, f64)],
}

impl Clearance<'_> {
    fn free(&self, b: &PxBox, placed: &[PxBox]) -> bool {
        let room = self.plot.grow(-EDGE_GAP);
        if b.l < room.l || b.r > room.r || b.t < room.t || b.b > room.b {
            return false;
        }
        let g = b.grow(LABEL_GAP);
        let mark = b.grow(CLEAR + MARK_R);
        let line = b.grow(CLEAR + LINE_HALF);
        !self.marks.iter().any(|m| mark.contains(*m))
            && !self.marks.windows(2).any(|w| line.crosses(w[0], w[1]))
            && !placed.iter().any(|o| g.overlaps(o))
    }
}

/// Place one label of `size` (width, height) per mark, each as near its mark as a free spot
/// allows: centred under or over it, else to either side, a row further out at a time (up to
/// three rows), slid inside the plot at its ends. `None` where no spot is free.
fn place_labels(c: &Clearance<'_>, sizes: &[(f64, f64)]) -> Vec<Option<PxBox>> {
    let mut placed: Vec<PxBox> = Vec::new();
    let mut out = Vec::with_capacity(sizes.len());
    for (&(x, y), &(w, h)) in c.marks.iter().zip(sizes) {
        let gap = MARK_R + CLEAR + 2.0;
        // Left edges: centred on the mark, to its right, to its left.
        let (centre, right, left) = (x - w / 2.0, x + gap - w * 0.25, x - gap - w * 0.75);
        let spot = (0..3)
            .flat_map(|row| {
                let off = gap + row as f64 * (h + CLEAR);
                let (under, over) = (y + off, y - off - h);
                [
                    (centre, under),
                    (centre, over),
                    (right, under),
                    (left, under),
                    (right, over),
                    (left, over),
                ]
            })
            .map(|(l, t)| {
                // Slid inside the plot at its ends.
                let l = l
                    .max(c.plot.l + EDGE_GAP)
                    .min(c.plot.r - EDGE_GAP - w)
                    .round();
                PxBox::at(l, t.round(), (w, h))
            })
            .find(|b| c.free(b, &placed));
        if let Some(b) = spot {
            placed.push(b);
        }
        out.push(spot);
    }
    out
}

/// The share of runs done at each point, beside its mark, clear of the line, the marks, the
/// axes and one another. When a label of "NN % done" finds no free spot,
/// every label drops the word "done" (the subtitle says what they are); a point with no free
/// spot even then goes unlabelled (sweep.csv has its share).
fn done_labels<DB>(
    root: &DrawingArea<DB, Shift>,
    chart: &ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    pts: &[(f64, f64)],
    points: &[SweepPoint],
) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let marks: Vec<(f64, f64)> = pts.iter().map(|&p| px(chart, p)).collect();
    let clear = Clearance {
        plot: plot_box(chart),
        marks: &marks,
    };
    let shares: Vec<String> = points
        .iter()
        .filter(|p| p.mean.is_finite())
        .map(|p| crate::format::share_of_runs(p.completed))
        .collect();
    let style = font(DONE_SIZE).color(&RGBColor(90, 90, 90));
    let mut placed = Vec::new();
    for long in [true, false] {
        let texts: Vec<String> = shares
            .iter()
            .map(|s| if long { format!("{s} done") } else { s.clone() })
            .collect();
        let sizes = texts
            .iter()
            .map(|t| {
                let (w, h) = root.estimate_text_size(t, &style)?;
                Ok((w as f64, h as f64))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let at = place_labels(&clear, &sizes);
        let all = at.iter().all(Option::is_some);
        placed = texts.into_iter().zip(at).collect();
        if all {
            break;
        }
    }
    for (text, at) in placed {
        if let Some(b) = at {
            root.draw(&Text::new(
                text,
                (b.l as i32, b.t as i32),
                style.pos(Pos::new(HPos::Left, VPos::Top)),
            ))?;
        }
    }
    Ok(())
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
        let largest = self
            .values
            .iter()
            .flatten()
            .filter(|v| v.is_finite())
            .fold(0.0_f64, |m, v| m.max(v.abs()));
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
                        crate::format::alike_label(v, largest),
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

#[cfg(test)]
mod tests;
