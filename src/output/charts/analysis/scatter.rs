//! The labelled scatter (levers and world properties apart).

use super::*;

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

/// Where the labels of a scatter go: a column right of the plot, each at the height of its
/// point if it can, spread apart so none overlaps, joined to its point by a leader line.
/// Returns (label centre y in pixels) in point order; `ys` are the points' pixel heights.
pub fn label_column(ys: &[f64], gap: f64, top: f64, bottom: f64) -> Vec<f64> {
    crate::output::charts::common::spread_labels(ys, gap, top + gap / 2.0, bottom - gap / 2.0)
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
        house_mesh(&mut chart)
            .x_desc(self.x_desc)
            .y_desc(self.y_desc)
            .x_label_formatter(&axis_ticks(xlo, xhi, 11))
            .y_label_formatter(&axis_ticks(ylo, yhi, 11))
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
