//! Shared look: fonts, palette, title + legend strip, markers, fan bands.

pub use crate::format::tick;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::output::results::Results;

pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 700;

pub const FONT: &str = "sans-serif";
pub const TITLE_SIZE: f64 = 34.0;
pub const LABEL_SIZE: f64 = 24.0;
pub const TICK_SIZE: f64 = 20.0;
pub const LEGEND_SIZE: f64 = 21.0;

static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");
static FONTS: Once = Once::new();

/// Register the embedded DejaVu Sans as plotters' "sans-serif" (once per process),
/// so drawing never depends on system fonts.
pub fn register_fonts() {
    FONTS.call_once(|| {
        // The bytes are compiled in and known to parse; a failure would show in every test.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, REGULAR);
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, BOLD);
    });
}

/// Okabe–Ito, reordered so the first scenarios get the most distinct colours on white
/// (yellow last: it is faint on white).
pub const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 0, 0),       // black
    RGBColor(240, 228, 66),  // yellow
];

pub const BETTER: RGBColor = RGBColor(0, 158, 115);
pub const WORSE: RGBColor = RGBColor(213, 94, 0);
pub const UNCLEAR: RGBColor = RGBColor(140, 140, 140);
pub const GRID: RGBColor = RGBColor(225, 225, 225);
pub const INK: RGBColor = RGBColor(40, 40, 40);

/// The colour of the scenario at position `i` in `scenarios.toml`.
pub fn scenario_color(i: usize) -> RGBColor {
    OKABE_ITO[i % OKABE_ITO.len()]
}

pub fn font(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&INK)
}

pub fn bold(size: f64) -> TextStyle<'static> {
    (FONT, size, FontStyle::Bold).into_font().color(&INK)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Triangle,
    Square,
    Diamond,
}

pub const MARKERS: [Marker; 4] = [
    Marker::Circle,
    Marker::Triangle,
    Marker::Square,
    Marker::Diamond,
];

/// What a legend entry shows in front of its label.
#[derive(Debug, Clone, Copy)]
pub enum Swatch {
    Line(RGBColor),
    Dashed(RGBColor),
    /// A median line on its P10–P90 band.
    Band(RGBColor),
    Block(RGBColor),
    Mark(Marker, RGBColor),
}

pub struct Entry {
    pub swatch: Swatch,
    pub label: String,
}

impl Entry {
    pub fn new(swatch: Swatch, label: impl Into<String>) -> Self {
        Entry {
            swatch,
            label: label.into(),
        }
    }
}

/// Legend entries for every scenario, in run order.
pub fn scenario_entries(r: &Results, swatch: fn(RGBColor) -> Swatch) -> Vec<Entry> {
    r.scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| Entry::new(swatch(scenario_color(i)), s.name.clone()))
        .collect()
}

/// Draw a marker centred at `at` (any coordinate system).
pub fn draw_marker<DB, CT>(
    area: &DrawingArea<DB, CT>,
    at: CT::From,
    m: Marker,
    size: i32,
    style: ShapeStyle,
) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    CT: CoordTranslate,
{
    let s = size;
    match m {
        Marker::Circle => area.draw(&(EmptyElement::at(at) + Circle::new((0, 0), s, style)))?,
        Marker::Triangle => {
            area.draw(&(EmptyElement::at(at) + TriangleMarker::new((0, 0), s + 2, style)))?
        }
        Marker::Square => area.draw(
            &(EmptyElement::at(at) + Rectangle::new([(-s + 1, -s + 1), (s - 1, s - 1)], style)),
        )?,
        Marker::Diamond => area.draw(
            &(EmptyElement::at(at)
                + Polygon::new(
                    vec![(0, -s - 1), (s + 1, 0), (0, s + 1), (-s - 1, 0)],
                    style,
                )),
        )?,
    }
    Ok(())
}

/// Fill the background, draw the title (and an optional subtitle) and the legend strip;
/// return the area left for the plot.
pub fn frame<DB>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: Option<&str>,
    entries: &[Entry],
) -> anyhow::Result<DrawingArea<DB, Shift>>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let (w, _) = root.dim_in_pixel();
    let title_h = if subtitle.is_some() { 86 } else { 56 };
    let (top, rest) = root.split_vertically(title_h);
    top.draw(&Text::new(
        title.to_string(),
        (w as i32 / 2, 30),
        bold(TITLE_SIZE).pos(Pos::new(HPos::Center, VPos::Center)),
    ))?;
    if let Some(sub) = subtitle {
        top.draw(&Text::new(
            sub.to_string(),
            (w as i32 / 2, 68),
            font(LABEL_SIZE - 3.0)
                .color(&RGBColor(90, 90, 90))
                .pos(Pos::new(HPos::Center, VPos::Center)),
        ))?;
    }
    let rows = legend_rows(root, entries, w as i32 - 40)?;
    if rows.is_empty() {
        return Ok(rest.margin(4, 10, 10, 24));
    }
    let row_h = 32;
    let (legend, plot) = rest.split_vertically(rows.len() as i32 * row_h + 8);
    for (ri, row) in rows.iter().enumerate() {
        let total: i32 = row.iter().map(|(_, wd)| wd).sum();
        let mut x = (w as i32 - total) / 2;
        let y = ri as i32 * row_h + row_h / 2;
        for (idx, wd) in row {
            let e = &entries[*idx];
            draw_swatch(&legend, e.swatch, x, y)?;
            legend.draw(&Text::new(
                e.label.clone(),
                (x + 46, y),
                font(LEGEND_SIZE).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            x += wd;
        }
    }
    Ok(plot.margin(4, 10, 10, 24))
}

/// Lay legend entries into centred rows no wider than `max_w`: (entry index, width).
fn legend_rows<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    entries: &[Entry],
    max_w: i32,
) -> anyhow::Result<Vec<Vec<(usize, i32)>>>
where
    DB::ErrorType: 'static,
{
    let mut rows: Vec<Vec<(usize, i32)>> = Vec::new();
    let mut cur: Vec<(usize, i32)> = Vec::new();
    let mut cur_w = 0;
    for (i, e) in entries.iter().enumerate() {
        let (tw, _) = root.estimate_text_size(&e.label, &font(LEGEND_SIZE))?;
        let wd = 46 + tw as i32 + 34;
        if cur_w + wd > max_w && !cur.is_empty() {
            rows.push(std::mem::take(&mut cur));
            cur_w = 0;
        }
        cur.push((i, wd));
        cur_w += wd;
    }
    if !cur.is_empty() {
        rows.push(cur);
    }
    Ok(rows)
}

fn draw_swatch<DB>(area: &DrawingArea<DB, Shift>, s: Swatch, x: i32, y: i32) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    match s {
        Swatch::Line(c) => {
            area.draw(&PathElement::new(
                vec![(x, y), (x + 38, y)],
                c.stroke_width(4),
            ))?;
        }
        Swatch::Dashed(c) => {
            for i in 0..3 {
                let x0 = x + i * 14;
                area.draw(&PathElement::new(
                    vec![(x0, y), (x0 + 9, y)],
                    c.stroke_width(4),
                ))?;
            }
        }
        Swatch::Band(c) => {
            area.draw(&Rectangle::new(
                [(x, y - 10), (x + 38, y + 10)],
                c.mix(0.22).filled(),
            ))?;
            area.draw(&PathElement::new(
                vec![(x, y), (x + 38, y)],
                c.stroke_width(4),
            ))?;
        }
        Swatch::Block(c) => {
            area.draw(&Rectangle::new(
                [(x + 4, y - 11), (x + 34, y + 11)],
                c.filled(),
            ))?;
        }
        Swatch::Mark(m, c) => {
            draw_marker(area, (x + 19, y), m, 8, c.filled())?;
        }
    }
    Ok(())
}

/// A chart with real-valued axes on both sides.
pub type NumericChart<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// Write a centred grey note in an area (e.g. "no data").
pub fn note<DB>(area: &DrawingArea<DB, Shift>, text: &str) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let (w, h) = area.dim_in_pixel();
    area.draw(&Text::new(
        text.to_string(),
        (w as i32 / 2, h as i32 / 2),
        font(LABEL_SIZE)
            .color(&RGBColor(120, 120, 120))
            .pos(Pos::new(HPos::Center, VPos::Center)),
    ))?;
    Ok(())
}

/// Padded range around the finite values given (never empty).
pub fn padded_range(
    values: impl IntoIterator<Item = f64>,
    pad: f64,
    include_zero: bool,
) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if include_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let span = (hi - lo).max(hi.abs() * 0.1).max(1e-9);
    let lo = if include_zero && lo >= 0.0 {
        0.0
    } else {
        lo - span * pad
    };
    (lo, hi + span * pad)
}

/// (sprint, p10, p50, p90).
type Band = (f64, f64, f64, f64);

/// Draw P10–P90 bands and P50 lines of a `sprints.csv` series for every scenario on one
/// panel. Returns false when the series is absent.
pub fn fan_panel<DB>(
    area: &DrawingArea<DB, Shift>,
    r: &Results,
    series: &str,
    y_desc: &str,
    caption: Option<&str>,
) -> anyhow::Result<bool>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let per: Vec<(usize, Vec<Band>)> = r
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let pts = r
                .sprint_series(&s.name, series)
                .iter()
                .filter_map(|row| {
                    let mid = row.p50.or(row.mean)?;
                    Some((
                        row.sprint as f64,
                        row.p10.unwrap_or(mid),
                        mid,
                        row.p90.unwrap_or(mid),
                    ))
                })
                .collect::<Vec<_>>();
            (i, pts)
        })
        .filter(|(_, p)| !p.is_empty())
        .collect();
    if per.is_empty() {
        // Rows without values (a model that does not have the series) are explained once by
        // `ChartKind::draw`; a series missing from the file is a different problem.
        if !r.sprints.iter().any(|row| row.series == series) {
            note(area, &format!("no '{series}' series in sprints.csv"))?;
        }
        return Ok(false);
    }
    let xmax = per
        .iter()
        .flat_map(|(_, p)| p.iter().map(|t| t.0))
        .fold(1.0, f64::max);
    let (ylo, yhi) = padded_range(
        per.iter()
            .flat_map(|(_, p)| p.iter().flat_map(|t| [t.1, t.3])),
        0.06,
        true,
    );
    let mut b = ChartBuilder::on(area);
    if let Some(c) = caption {
        b.caption(c, bold(LABEL_SIZE));
    }
    let mut chart = b
        .x_label_area_size(62)
        .y_label_area_size(92)
        .build_cartesian_2d(0.5..xmax + 0.5, ylo..yhi)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .x_desc("Sprint")
        .y_desc(y_desc)
        .axis_desc_style(font(LABEL_SIZE))
        .label_style(font(TICK_SIZE))
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| tick(*v))
        .x_labels(xmax.min(14.0) as usize)
        .y_labels(7)
        .draw()?;
    for (i, pts) in &per {
        let c = scenario_color(*i);
        let mut poly: Vec<(f64, f64)> = pts.iter().map(|t| (t.0, t.3)).collect();
        poly.extend(pts.iter().rev().map(|t| (t.0, t.1)));
        chart.draw_series(std::iter::once(Polygon::new(poly, c.mix(0.16).filled())))?;
    }
    // Lines after all bands, so no band covers another scenario's line.
    for (i, pts) in &per {
        let c = scenario_color(*i);
        chart.draw_series(LineSeries::new(
            pts.iter().map(|t| (t.0, t.2)),
            c.stroke_width(4),
        ))?;
    }
    Ok(true)
}
