//! The waterfall of `backsim attribute`: from the baseline's mean, one step per mechanism
//! (its Shapley contribution, with its 95 % interval), to the scenario's mean. Rows run top
//! to bottom so that long mechanism names fit; same size, fonts and colours as the other
//! analysis charts.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::analysis::{render, Chart};
use super::common::{
    font, frame, padded_range, Entry, Swatch, BETTER, HEIGHT, INK, TICK_SIZE, UNCLEAR, WIDTH, WORSE,
};
use super::ImageFormat;
use crate::format::short;

/// One step: a mechanism's contribution with its 95 % interval.
#[derive(Debug, Clone)]
pub struct Step {
    pub label: String,
    pub contribution: f64,
    pub ci95: (f64, f64),
}

/// A waterfall from `start` (the baseline's mean) through `steps` to `end` (the scenario's).
#[derive(Debug, Clone)]
pub struct Waterfall<'a> {
    pub title: &'a str,
    pub subtitle: &'a str,
    pub x_desc: &'a str,
    pub start: (&'a str, f64),
    pub end: (&'a str, f64),
    pub steps: &'a [Step],
    /// Whether a higher value of the metric is better (colours the steps).
    pub higher_is_better: bool,
}

impl Waterfall<'_> {
    fn rows(&self) -> usize {
        self.steps.len() + 2
    }
}

impl Chart for Waterfall<'_> {
    fn size(&self) -> (u32, u32) {
        (WIDTH, (260 + 64 * self.rows() as u32).max(HEIGHT))
    }

    fn draw<DB>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        let entries = [
            Entry::new(Swatch::Block(BETTER), "moves the metric the better way"),
            Entry::new(Swatch::Block(WORSE), "moves it the worse way"),
            Entry::new(Swatch::Block(UNCLEAR), "interval includes 0"),
            Entry::new(Swatch::Line(INK), "95 % interval over runs"),
        ];
        let area = frame(root, self.title, Some(self.subtitle), &entries)?;
        let n = self.rows();
        // Running sum before each step.
        let mut before = Vec::with_capacity(self.steps.len());
        let mut at = self.start.1;
        for s in self.steps {
            before.push(at);
            at += s.contribution;
        }
        let (xlo, xhi) = padded_range(
            self.steps
                .iter()
                .zip(&before)
                .flat_map(|(s, b)| [b + s.ci95.0, b + s.ci95.1, *b, b + s.contribution])
                .chain([self.start.1, self.end.1]),
            0.12,
            false,
        );
        let mut labels: Vec<String> = vec![format!("{} (baseline)", self.start.0)];
        labels.extend(self.steps.iter().map(|s| s.label.clone()));
        labels.push(self.end.0.to_string());
        let mut chart = super::analysis::labelled_rows(&area, xlo..xhi, &labels, self.x_desc, 300)?;
        // Row r (0 = top) spans y in [n − 1 − r, n − r).
        let y_of = |r: usize| (n - 1 - r) as f64;
        let (bar_lo, bar_hi) = (0.22, 0.78);
        let label_style = font(TICK_SIZE - 1.0);
        // Labels start a little right of what they label (SVG drops leading spaces).
        let gap = (xhi - xlo) * 0.006;
        // Start and end: bars from 0 (from the axis edge when 0 is off the axis), in grey,
        // with their value.
        let origin = if xlo < 0.0 && xhi > 0.0 { 0.0 } else { xlo };
        for (r, v) in [(0, self.start.1), (n - 1, self.end.1)] {
            if !v.is_finite() {
                continue;
            }
            let y = y_of(r);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(origin, y + bar_lo), (v, y + bar_hi)],
                INK.mix(0.35).filled(),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                short(v),
                (v.max(origin) + gap, y + 0.5),
                label_style.pos(Pos::new(HPos::Left, VPos::Center)),
            )))?;
        }
        for (i, (s, b)) in self.steps.iter().zip(&before).enumerate() {
            let r = i + 1;
            let y = y_of(r);
            let end = b + s.contribution;
            if !end.is_finite() {
                continue;
            }
            let clear = s.ci95.0 > 0.0 || s.ci95.1 < 0.0;
            let better = (s.contribution > 0.0) == self.higher_is_better;
            let color = match (clear, better) {
                (false, _) => UNCLEAR,
                (true, true) => BETTER,
                (true, false) => WORSE,
            };
            chart.draw_series(std::iter::once(Rectangle::new(
                [(*b, y + bar_lo), (end, y + bar_hi)],
                color.filled(),
            )))?;
            // Connector from the previous bar's end.
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(*b, y + bar_hi), (*b, y + 1.0 + bar_lo)],
                INK.mix(0.6).stroke_width(1),
            )))?;
            if s.ci95.0.is_finite() && s.ci95.1.is_finite() {
                let (lo, hi) = (b + s.ci95.0, b + s.ci95.1);
                let yc = y + 0.5;
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(lo, yc), (hi, yc)],
                    INK.stroke_width(2),
                )))?;
                for x in [lo, hi] {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(x, yc - 0.12), (x, yc + 0.12)],
                        INK.stroke_width(2),
                    )))?;
                }
            }
            let sign = if s.contribution > 0.0 { "+" } else { "" };
            let right = s.ci95.1.max(s.contribution).max(0.0);
            chart.draw_series(std::iter::once(Text::new(
                format!("{sign}{}", short(s.contribution)),
                (b + right + gap, y + 0.5),
                label_style.pos(Pos::new(HPos::Left, VPos::Center)),
            )))?;
        }
        // The last connector, into the end bar.
        if let Some(b) = before.last().zip(self.steps.last()) {
            let end = b.0 + b.1.contribution;
            let y = y_of(n - 1);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(end, y + bar_hi), (end, y + 1.0 + bar_lo)],
                INK.mix(0.6).stroke_width(1),
            )))?;
        }
        Ok(())
    }
}

/// Draw the waterfall next to `base` into pending files; return them and the SVG text for the
/// report.
pub fn waterfall(
    base: &Path,
    chart: &Waterfall,
    format: ImageFormat,
) -> anyhow::Result<super::analysis::Drawn> {
    render(chart, base, format)
}
