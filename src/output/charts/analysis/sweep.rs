//! The sweep's charts: a metric against one parameter (`sweep_line`) and over two (`sweep_heat`).

use super::*;

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
                "every point on the same simulated worlds; a run not done by the horizon counts as the horizon + 1 (share done under each point)"
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
                    format!("{} done", crate::format::share_of_runs(p.completed)),
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
        house_mesh(&mut dchart)
            .x_desc(self.x_desc)
            .y_desc("Difference")
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
