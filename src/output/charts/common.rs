//! Shared look: fonts, palette, title + legend strip, markers, label placement, scenario
//! lines (the fan bands of the flow and value charts are in `fan`).

pub use crate::format::tick;
use crate::format::tick_at_least;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::output::results::Results;

/// The projector theme (`--theme projector`) for this process: charts are drawn on a canvas
/// [`PROJECTOR_SCALE`] the size, with the same type and line widths in pixels, so text and
/// lines fill more of the picture on a screen; the report's type is larger too.
static PROJECTOR: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Canvas scale of the projector theme.
pub const PROJECTOR_SCALE: f64 = 0.8;

pub fn set_projector(on: bool) {
    PROJECTOR.store(on, std::sync::atomic::Ordering::Relaxed);
}

pub fn projector() -> bool {
    PROJECTOR.load(std::sync::atomic::Ordering::Relaxed)
}

/// A chart's pixel size in the current theme.
pub fn themed((w, h): (u32, u32)) -> (u32, u32) {
    if projector() {
        let s = |x: u32| (x as f64 * PROJECTOR_SCALE).round() as u32;
        (s(w), s(h))
    } else {
        (w, h)
    }
}

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

/// Paul Tol's "muted" qualitative palette: nine colours designed to stay distinct from one
/// another for colour-blind readers and on white, ordered so that the first scenarios get the
/// most distinct colours (the light sand last). Past nine, scenarios repeat a colour with a
/// dashed line ([`scenario_dashed`]).
pub const PALETTE: [RGBColor; 9] = [
    RGBColor(51, 34, 136),   // indigo
    RGBColor(204, 102, 119), // rose
    RGBColor(17, 119, 51),   // green
    RGBColor(136, 204, 238), // cyan
    RGBColor(136, 34, 85),   // wine
    RGBColor(68, 170, 153),  // teal
    RGBColor(153, 153, 51),  // olive
    RGBColor(170, 68, 153),  // purple
    RGBColor(221, 204, 119), // sand
];

/// The Okabe–Ito palette, kept for the two-colour analysis charts (low/high ends).
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
    PALETTE[i % PALETTE.len()]
}

/// Whether the scenario at position `i` draws its lines dashed (it shares its colour with an
/// earlier scenario).
pub fn scenario_dashed(i: usize) -> bool {
    (i / PALETTE.len()) % 2 == 1
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
    // Shrink a title or subtitle that would not fit the width (a small projector canvas).
    let fit = |text: &str, size: f64, heavy: bool| -> f64 {
        let mut sz = size;
        while sz > 12.0 {
            let style = if heavy { bold(sz) } else { font(sz) };
            match root.estimate_text_size(text, &style) {
                Ok((tw, _)) if tw as i32 > w as i32 - 24 => sz -= 1.0,
                _ => break,
            }
        }
        sz
    };
    top.draw(&Text::new(
        title.to_string(),
        (w as i32 / 2, 30),
        bold(fit(title, TITLE_SIZE, true)).pos(Pos::new(HPos::Center, VPos::Center)),
    ))?;
    if let Some(sub) = subtitle {
        top.draw(&Text::new(
            sub.to_string(),
            (w as i32 / 2, 68),
            font(fit(sub, LABEL_SIZE - 3.0, false))
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
            let size = legend_size(root, &e.label, w as i32 - 40)?;
            legend.draw(&Text::new(
                e.label.clone(),
                (x + 46, y),
                font(size).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            x += wd;
        }
    }
    Ok(plot.margin(4, 10, 10, 24))
}

/// The legend's font size for `label`: the usual size, or smaller (down to 10) when an entry
/// alone would be wider than `max_w` (a long scenario name with its answers).
fn legend_size<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    label: &str,
    max_w: i32,
) -> anyhow::Result<f64>
where
    DB::ErrorType: 'static,
{
    let mut size = LEGEND_SIZE;
    while size > 10.0 {
        let (tw, _) = root.estimate_text_size(label, &font(size))?;
        if 46 + tw as i32 + 34 <= max_w {
            break;
        }
        size -= 1.0;
    }
    Ok(size)
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
        let size = legend_size(root, &e.label, max_w)?;
        let (tw, _) = root.estimate_text_size(&e.label, &font(size))?;
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

/// The house style of a chart's mesh: no light lines, grey bold grid lines, axis titles at
/// the label size and ticks at the tick size. Callers add their titles, labels and
/// formatters (a later setting replaces the house one), then draw.
pub fn house_mesh<'a, 'b, DB, XT, YT, X, Y>(
    chart: &'b mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
) -> plotters::chart::MeshStyle<'a, 'b, X, Y, DB>
where
    DB: DrawingBackend,
    X: plotters::coord::ranged1d::Ranged<ValueType = XT>
        + plotters::coord::ranged1d::ValueFormatter<XT>,
    Y: plotters::coord::ranged1d::Ranged<ValueType = YT>
        + plotters::coord::ranged1d::ValueFormatter<YT>,
{
    let mut mesh = chart.configure_mesh();
    mesh.light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .axis_desc_style(font(LABEL_SIZE))
        .label_style(font(TICK_SIZE));
    mesh
}

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

/// Spread label centres (pixels, any order) so that neighbours are at least `gap` apart,
/// moving each as little as a simple sweep can, and keep them within `lo..=hi` when they
/// fit. Returns the new centres in the input order.
pub fn spread_labels(want: &[f64], gap: f64, lo: f64, hi: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..want.len()).collect();
    order.sort_by(|a, b| want[*a].total_cmp(&want[*b]));
    let mut pos: Vec<f64> = order.iter().map(|i| want[*i].clamp(lo, hi)).collect();
    for k in 1..pos.len() {
        if pos[k] < pos[k - 1] + gap {
            pos[k] = pos[k - 1] + gap;
        }
    }
    // Pushed past the bottom: shift back up from the end.
    if let Some(last) = pos.last().copied() {
        if last > hi {
            let n = pos.len();
            pos[n - 1] = hi;
            for k in (0..n - 1).rev() {
                if pos[k] > pos[k + 1] - gap {
                    pos[k] = pos[k + 1] - gap;
                }
            }
        }
    }
    let mut out = vec![0.0; want.len()];
    for (k, i) in order.iter().enumerate() {
        out[*i] = pos[k];
    }
    out
}

/// Scenario names at the right end of their lines, spread apart with leader lines, so a line
/// hidden under another still shows its name. `ends` are (scenario, last point).
pub fn end_labels<DB>(
    chart: &NumericChart<'_, DB>,
    root_area: &DrawingArea<DB, Shift>,
    r: &Results,
    ends: &[(usize, (f64, f64))],
) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    // Absolute pixels, made relative to the area drawn on.
    let base = root_area.get_base_pixel();
    let px: Vec<(i32, i32)> = ends
        .iter()
        .map(|(_, p)| {
            let (x, y) = chart.backend_coord(p);
            (x - base.0, y - base.1)
        })
        .collect();
    let yr = chart.plotting_area().get_pixel_range().1;
    let (ylo, yhi) = (yr.start - base.1, yr.end - base.1);
    let want: Vec<f64> = px.iter().map(|p| p.1 as f64).collect();
    let gap = LEGEND_SIZE + 3.0;
    let at = spread_labels(&want, gap, ylo as f64 + gap / 2.0, yhi as f64 - gap / 2.0);
    for (k, (i, _)) in ends.iter().enumerate() {
        let (x, y) = px[k];
        let ly = at[k].round() as i32;
        let c = scenario_color(*i);
        root_area.draw(&PathElement::new(
            vec![(x + 4, y), (x + 16, ly), (x + 22, ly)],
            c.stroke_width(2),
        ))?;
        root_area.draw(&Text::new(
            r.scenarios[*i].name.clone(),
            (x + 26, ly),
            font(LEGEND_SIZE - 2.0)
                .color(&c)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// A scenario's line in its colour, dashed when it repeats an earlier scenario's colour.
pub fn scenario_line<DB>(
    chart: &mut NumericChart<'_, DB>,
    i: usize,
    pts: Vec<(f64, f64)>,
) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let c = scenario_color(i);
    if scenario_dashed(i) {
        chart.draw_series(DashedLineSeries::new(pts, 12, 6, c.stroke_width(4)))?;
    } else {
        chart.draw_series(LineSeries::new(pts, c.stroke_width(4)))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;

/// A tick formatter for an axis from `lo` to `hi` with at most `labels` labels (the count
/// given to plotters' `x_labels`/`y_labels`): [`tick`]'s text, with as many more decimals as
/// it takes for no two of the axis's ticks to read alike. [`tick`] sizes its decimals by the
/// number alone, so a narrow axis near 1 (value efficiency 0.98–1.01, ticks 0.005 apart)
/// read "1.01, 1.01, 1, 1".
pub fn axis_ticks(lo: f64, hi: f64, labels: usize) -> impl Fn(&f64) -> String {
    use plotters::coord::ranged1d::Ranged;
    let points = if lo.is_finite() && hi.is_finite() && lo < hi {
        plotters::coord::types::RangedCoordf64::from(lo..hi).key_points(labels)
    } else {
        Vec::new()
    };
    let alike = |d: usize| {
        let texts: Vec<String> = points.iter().map(|&p| tick_at_least(p, d)).collect();
        texts.windows(2).any(|w| w[0] == w[1])
    };
    // Up to six decimals: ticks closer than that (an axis around a series that is 0
    // throughout, ticks 1e-11 apart) keep `tick`'s text rather than print their noise.
    let decimals = (0..=6).find(|&d| !alike(d)).unwrap_or(0);
    move |v: &f64| tick_at_least(*v, decimals)
}
