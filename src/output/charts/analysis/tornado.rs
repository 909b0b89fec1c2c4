//! The sensitivity tornado.

use super::*;

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
            // An unclear bar is drawn light in its end's colour: both lights in the legend.
            Entry::new(Swatch::Block(on_white(lc, 0.35)), "low end, not clear"),
            Entry::new(Swatch::Block(on_white(hc, 0.35)), "high end, not clear"),
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
        let mut chart = super::labelled_rows(&area, xlo..xhi, &labels, self.x_desc, 330)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::charts::svg_probe::{attr, elements};

    /// The legend explained an unclear bar only in the low end's light blue, while an
    /// unclear high end is drawn light orange: both lights are in the legend, each beside
    /// its words.
    #[test]
    fn the_legend_has_the_light_of_each_end() {
        register_fonts();
        let bar = |label: &str, clear: bool| TornadoBar {
            label: label.into(),
            low: (0.70, 0.68, 0.72),
            high: (0.74, 0.72, 0.76),
            world: false,
            clear,
        };
        let dir = tempfile::tempdir().unwrap();
        let svg = tornado(
            &dir.path().join("t"),
            "What moves value efficiency",
            "Mean value efficiency",
            0.72,
            &[bar("po.myopia 0–0.6", true), bar("team.lanes 2–4", false)],
            ImageFormat::Svg,
        )
        .unwrap()
        .svg;
        let hex = |c: RGBColor| format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
        let fills: Vec<&str> = elements(&svg, "<rect ")
            .into_iter()
            .map(|(e, _)| attr(e, "fill"))
            .collect();
        for (c, words) in [
            (OKABE_ITO[0], "low end, not clear"),
            (OKABE_ITO[1], "high end, not clear"),
        ] {
            assert!(fills.contains(&hex(on_white(c, 0.35)).as_str()), "{words}");
            assert!(svg.contains(words), "{words}");
        }
    }
}
