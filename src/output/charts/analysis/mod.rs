//! Charts of the analysis commands (sweep, sensitivity): each a free function taking a base
//! path (extension replaced), a title and the data, drawing PNG and/or SVG into pending files
//! (committed with the rest of the command's set by the output folder's publisher)
//! and returning the SVG text for the report. Same size, fonts and palette as the run charts.

mod scatter;
mod sweep;
mod tornado;

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::common::{
    axis_ticks, bold, draw_marker, font, frame, house_mesh, padded_range, register_fonts, tick,
    Entry, Marker, Swatch, GRID, HEIGHT, INK, LABEL_SIZE, OKABE_ITO, TICK_SIZE, WIDTH,
};
use super::{pending_png, ImageFormat};
use crate::output::atomic::{write_file, PendingFile};

pub use scatter::{label_column, scatter, ScatterPoint};
pub use sweep::{sweep_heat, sweep_line, SweepPoint};
pub use tornado::{tornado, TornadoBar};

/// The frame of a chart of labelled rows (tornado, waterfall): x from `x`, one row per label,
/// the first label at the top, a grid on x only.
pub(in crate::output::charts) fn labelled_rows<'a, DB>(
    area: &'a DrawingArea<DB, Shift>,
    x: std::ops::Range<f64>,
    labels: &[String],
    x_desc: &str,
    label_width: u32,
) -> anyhow::Result<
    ChartContext<
        'a,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let n = labels.len();
    let mut chart = ChartBuilder::on(area)
        .x_label_area_size(62)
        .y_label_area_size(label_width)
        .build_cartesian_2d(x, 0.0..n as f64)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .disable_y_mesh()
        .x_desc(x_desc)
        .axis_desc_style(font(LABEL_SIZE))
        .label_style(font(TICK_SIZE))
        .x_label_formatter(&|v| tick(*v))
        .y_labels(n * 2 + 1)
        .y_label_formatter(&|v| {
            // Row 0 (the first label) at the top.
            let i = (*v - 0.5).round();
            if (v - 0.5 - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
                labels[n - 1 - i as usize].clone()
            } else {
                String::new()
            }
        })
        .draw()?;
    Ok(chart)
}

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

/// `c` at opacity `a` over white, as an opaque colour.
fn on_white(c: RGBColor, a: f64) -> RGBColor {
    let m = |x: u8| (255.0 - a * (255.0 - x as f64)).round() as u8;
    RGBColor(m(c.0), m(c.1), m(c.2))
}

/// Colour and marker of team levers and of world properties.
const LEVER: RGBColor = RGBColor(0, 114, 178);
const WORLD: RGBColor = RGBColor(213, 94, 0);
