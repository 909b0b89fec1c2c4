//! The chart of `backsim validate`: one row per check, each on its own scale, with the
//! evidence's target band shaded, the model's value as a dot (green inside the band, orange
//! outside) and its 95 % interval as a whisker. Rows of one fact share a tinted background.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::analysis::Chart;
use super::common::{font, frame, Entry, Swatch, BETTER, INK, WIDTH, WORSE};
use super::ImageFormat;
use crate::format::{fmt_num, four_digit_interval};

/// The band's shade.
const BAND: RGBColor = RGBColor(136, 204, 238);
/// Every other fact's background.
const TINT: RGBColor = RGBColor(246, 246, 246);

/// One row: a check's value and interval against its target band.
#[derive(Debug, Clone)]
pub struct BandRow {
    /// The group (fact) the row belongs to; rows of a group are drawn together.
    pub group: String,
    pub label: String,
    pub value: f64,
    pub ci95: (f64, f64),
    /// The target band; `band.1` may be +∞ (a sign check).
    pub band: (f64, f64),
    pub within: bool,
}

/// Values against bands, one row each.
#[derive(Debug, Clone)]
pub struct Bands<'a> {
    pub title: &'a str,
    pub subtitle: &'a str,
    pub rows: &'a [BandRow],
}

const ROW_H: u32 = 52;
/// The label column (the longest check's label takes about 300 px of it at 19 px type).
const LABEL_W: i32 = 430;
/// The value column: wide enough for a negative value with its interval and a band target
/// (`-0.0188 [-0.0199, -0.0176] · 0.15–0.2`, about 280 px at 16 px type).
const TEXT_W: i32 = 295;

impl Chart for Bands<'_> {
    fn size(&self) -> (u32, u32) {
        (WIDTH, 230 + ROW_H * self.rows.len() as u32)
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let entries = [
            Entry::new(Swatch::Block(BAND), "target band (evidence)"),
            Entry::new(Swatch::Block(BETTER), "model inside the band"),
            Entry::new(Swatch::Block(WORSE), "model outside"),
            Entry::new(Swatch::Line(INK), "95 % interval over runs"),
        ];
        let area = frame(root, self.title, Some(self.subtitle), &entries)?;
        let (w, h) = area.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let top = 34;
        let row_h = ((h - top - 8) / self.rows.len().max(1) as i32).max(20);
        let strip = (LABEL_W + 16, w - TEXT_W - 16);
        let size = if row_h < 40 { 16.0 } else { 19.0 };
        let head = font(size).color(&RGBColor(90, 90, 90));
        area.draw(&Text::new(
            "check (fact · what is measured)",
            (4, top / 2),
            head.pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        area.draw(&Text::new(
            "each row on its own scale",
            ((strip.0 + strip.1) / 2, top / 2),
            head.pos(Pos::new(HPos::Center, VPos::Center)),
        ))?;
        area.draw(&Text::new(
            "model [95 % CI] · target",
            (w - TEXT_W, top / 2),
            head.pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        let mut shade = false;
        let mut last_group: Option<&str> = None;
        for (i, row) in self.rows.iter().enumerate() {
            let y0 = top + i as i32 * row_h;
            let yc = y0 + row_h / 2;
            if last_group != Some(row.group.as_str()) {
                shade = !shade;
                last_group = Some(row.group.as_str());
                area.draw(&PathElement::new(
                    vec![(0, y0), (w, y0)],
                    RGBColor(200, 200, 200).stroke_width(1),
                ))?;
            }
            if shade {
                area.draw(&Rectangle::new(
                    [(0, y0 + 1), (w, y0 + row_h)],
                    TINT.filled(),
                ))?;
            }
            area.draw(&Text::new(
                row.label.clone(),
                (4, yc),
                font(size).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            // The row's scale: band and interval, padded; an open band ends past the data.
            let finite_hi = if row.band.1.is_finite() {
                row.band.1
            } else {
                f64::NEG_INFINITY
            };
            let pts = [row.band.0, finite_hi, row.value, row.ci95.0, row.ci95.1];
            let lo = pts
                .iter()
                .copied()
                .filter(|x| x.is_finite())
                .fold(f64::INFINITY, f64::min);
            let mut hi = pts
                .iter()
                .copied()
                .filter(|x| x.is_finite())
                .fold(f64::NEG_INFINITY, f64::max);
            if !row.band.1.is_finite() {
                hi += (hi - lo).abs().max(hi.abs() * 0.5).max(1e-9);
            }
            let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
            let (lo, hi) = (lo - span * 0.12, hi + span * 0.12);
            let px = |x: f64| -> i32 {
                let x = x.clamp(lo, hi);
                strip.0 + ((x - lo) / (hi - lo) * (strip.1 - strip.0) as f64).round() as i32
            };
            let band_hi = if row.band.1.is_finite() {
                px(row.band.1)
            } else {
                strip.1
            };
            let (by0, by1) = (yc - row_h / 2 + 7, yc + row_h / 2 - 7);
            area.draw(&Rectangle::new(
                [(px(row.band.0), by0), (band_hi, by1)],
                BAND.mix(0.55).filled(),
            ))?;
            // Band edges, labelled below the strip.
            let edge = font(size - 5.0).color(&RGBColor(60, 60, 60));
            area.draw(&Text::new(
                fmt_num(row.band.0),
                (px(row.band.0), by1 - 1),
                edge.pos(Pos::new(HPos::Center, VPos::Bottom)),
            ))?;
            if row.band.1.is_finite() {
                area.draw(&Text::new(
                    fmt_num(row.band.1),
                    (band_hi, by1 - 1),
                    edge.pos(Pos::new(HPos::Center, VPos::Bottom)),
                ))?;
            } else {
                area.draw(&Text::new(
                    "→ ∞",
                    (band_hi - 4, by1 - 1),
                    edge.pos(Pos::new(HPos::Right, VPos::Bottom)),
                ))?;
            }
            let color = if row.within { BETTER } else { WORSE };
            if row.ci95.0.is_finite() && row.ci95.1.is_finite() {
                let (a, b) = (px(row.ci95.0), px(row.ci95.1));
                area.draw(&PathElement::new(
                    vec![(a, yc - 6), (b, yc - 6)],
                    INK.stroke_width(2),
                ))?;
                for x in [a, b] {
                    area.draw(&PathElement::new(
                        vec![(x, yc - 12), (x, yc)],
                        INK.stroke_width(2),
                    ))?;
                }
            }
            if row.value.is_finite() {
                area.draw(&Circle::new((px(row.value), yc - 6), 7, color.filled()))?;
                area.draw(&Circle::new(
                    (px(row.value), yc - 6),
                    7,
                    INK.stroke_width(1),
                ))?;
            }
            let target = if row.band.1.is_finite() {
                format!("{}–{}", fmt_num(row.band.0), fmt_num(row.band.1))
            } else {
                format!("CI > {}", fmt_num(row.band.0))
            };
            let text = match four_digit_interval(row.value, row.ci95) {
                Some(v) => format!("{v} · {target}"),
                None => format!("no value · {target}"),
            };
            area.draw(&Text::new(
                text,
                (w - TEXT_W, yc),
                font(size - 2.0)
                    .color(&color.mix(1.0))
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        Ok(())
    }
}

/// Render the chart next to `base` as pending files (committed with the rest of the set by
/// the caller), with the SVG text for the report.
pub fn bands(
    base: &Path,
    chart: &Bands,
    format: ImageFormat,
) -> anyhow::Result<super::analysis::Drawn> {
    super::analysis::render(chart, base, format)
}
