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
    bold, draw_marker, font, frame, padded_range, register_fonts, tick, Entry, Marker, Swatch,
    GRID, HEIGHT, INK, LABEL_SIZE, OKABE_ITO, TICK_SIZE, WIDTH,
};
use super::{pending_png, ImageFormat};
use crate::output::atomic::{write_file, PendingFile};

pub use scatter::{label_column, scatter, ScatterPoint};
pub use sweep::{sweep_heat, sweep_line, SweepPoint};
pub use tornado::{tornado, TornadoBar};

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
