//! Value charts: value efficiency box plots and the cumulative value fan.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::stats::quantile_by;

use super::common::*;

/// Pixels between a box's outlier column and its "off scale" note.
const OFF_SCALE_GAP: i32 = 10;
use super::fan::{band_text, fan_entries, fan_panel};
use crate::output::results::Results;

/// Tukey box: quartiles, whiskers at the furthest values within 1.5 IQR, outliers (each
/// distinct value with its number of runs).
#[derive(Debug, Clone, PartialEq)]
pub struct BoxStats {
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub lo_whisker: f64,
    pub hi_whisker: f64,
    pub outliers: Vec<(f64, u64)>,
}

/// The box of a distribution `dist` (value, runs) sorted by value. The quartiles are
/// `quartiles` when given (summary.csv's P25, P50 and P75, exact up to the sketch's cap),
/// else computed from `dist` (linear interpolation between order statistics).
pub fn box_stats(dist: &[(f64, u64)], quartiles: Option<(f64, f64, f64)>) -> Option<BoxStats> {
    let n: u64 = dist.iter().map(|d| d.1).sum();
    if n == 0 {
        return None;
    }
    let (q1, median, q3) = quartiles.unwrap_or_else(|| {
        // The k-th smallest value (0-based) by a walk over the cumulative counts.
        let at = |k: u64| {
            let mut acc = 0;
            for &(x, c) in dist {
                acc += c;
                if k < acc {
                    return x;
                }
            }
            f64::NAN
        };
        let q = |p| quantile_by(n, p, at);
        (q(0.25), q(0.5), q(0.75))
    });
    let iqr = q3 - q1;
    let (lo_f, hi_f) = (q1 - 1.5 * iqr, q3 + 1.5 * iqr);
    let inside = || {
        dist.iter()
            .map(|d| d.0)
            .filter(|x| *x >= lo_f && *x <= hi_f)
    };
    Some(BoxStats {
        q1,
        median,
        q3,
        lo_whisker: inside().next().unwrap_or(q1),
        hi_whisker: inside().next_back().unwrap_or(q3),
        outliers: dist
            .iter()
            .copied()
            .filter(|d| d.0 < lo_f || d.0 > hi_f)
            .collect(),
    })
}

/// (mean, CI low, CI high).
pub type MeanCi = (f64, f64, f64);

/// Mean and 95 % CI: from summary.csv when present, else a normal approximation from the
/// distribution (value, runs).
pub fn mean_ci(r: &Results, scenario: &str, metric: &str, dist: &[(f64, u64)]) -> Option<MeanCi> {
    if let Some(s) = r.summary_row(scenario, metric) {
        if let (Some(m), Some(lo), Some(hi)) = (s.mean, s.ci95_low, s.ci95_high) {
            return Some((m, lo, hi));
        }
    }
    let n: u64 = dist.iter().map(|d| d.1).sum();
    if n == 0 {
        return None;
    }
    let nf = n as f64;
    let m = dist.iter().map(|d| d.0 * d.1 as f64).sum::<f64>() / nf;
    let sd = if n > 1 {
        (dist
            .iter()
            .map(|d| (d.0 - m).powi(2) * d.1 as f64)
            .sum::<f64>()
            / (nf - 1.0))
            .sqrt()
    } else {
        0.0
    };
    let h = 1.96 * sd / nf.sqrt();
    Some((m, m - h, m + h))
}

/// A scenario's value efficiency: its distribution (value, runs), box and mean with CI.
type Scenario = (Vec<(f64, u64)>, Option<BoxStats>, Option<MeanCi>);

/// Shorten a long scenario name for an axis label.
pub fn short(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        name.to_string()
    } else {
        let mut s: String = name.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}

pub fn draw_value_efficiency<DB>(root: &DrawingArea<DB, Shift>, r: &Results) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let n = r.scenarios.len();
    let data: Vec<Scenario> = r
        .scenarios
        .iter()
        .map(|s| {
            let v: Vec<(f64, u64)> = r
                .distribution(&s.name, "value_efficiency")
                .into_iter()
                .filter_map(|(x, c)| x.map(|x| (x, c)))
                .collect();
            // The quartiles summary.csv has (exact up to the sketch's cap).
            let quartiles = r.summary_row(&s.name, "value_efficiency").and_then(|row| {
                let p = |i: usize| row.pct[i].and_then(|p| p.value());
                Some((p(2)?, p(3)?, p(4)?))
            });
            let b = box_stats(&v, quartiles);
            let m = mean_ci(r, &s.name, "value_efficiency", &v);
            (v, b, m)
        })
        .collect();
    let entries = vec![
        Entry::new(
            Swatch::Block(RGBColor(170, 170, 170)),
            "middle 50 % of runs, line = median",
        ),
        Entry::new(Swatch::Mark(Marker::Diamond, INK), "mean with 95 % CI"),
    ];
    let plot = frame(
        root,
        "Value efficiency: how much of the possible value was delivered?",
        Some("Value realized ÷ value of a perfect-information oracle on the same world (higher is better)"),
        &entries,
    )?;
    let below_zero: u64 = data
        .iter()
        .flat_map(|d| d.0.iter().filter(|v| v.0 < 0.0).map(|v| v.1))
        .sum();
    let above_one: u64 = data
        .iter()
        .flat_map(|d| d.0.iter().filter(|v| v.0 > 1.0).map(|v| v.1))
        .sum();
    let (pw, ph) = plot.dim_in_pixel();
    let (plot, foot) = plot.split_vertically(ph as i32 - 34);
    let mut notes = Vec::new();
    if below_zero > 0 {
        notes.push(format!(
            "Below 0 ({below_zero} runs): the items delivered were worth less than nothing in total (negative-value work outweighed the rest)"
        ));
    }
    if above_one > 0 {
        notes.push(format!("above 1 ({above_one}): beat the greedy oracle"));
    }
    if !notes.is_empty() {
        foot.draw(&Text::new(
            notes.join("; "),
            (pw as i32 / 2, 18),
            font(TICK_SIZE - 3.0)
                .color(&RGBColor(90, 90, 90))
                .pos(Pos::new(HPos::Center, VPos::Center)),
        ))?;
    }
    // The axis holds the boxes, whiskers and intervals; far outliers are counted at the edge
    // instead of squashing every box into a line.
    let (ylo, yhi) = padded_range(
        data.iter().flat_map(|d| {
            d.1.iter()
                .flat_map(|b| [b.lo_whisker, b.hi_whisker])
                .chain(d.2.iter().flat_map(|m| [m.1, m.2]))
                .chain(if below_zero > 0 { Some(0.0) } else { None })
        }),
        0.12,
        false,
    );
    let names: Vec<String> = r.scenarios.iter().map(|s| short(&s.name, 26)).collect();
    // Stagger the names on two lines when neighbours would touch.
    let slot = (pw as f64 - 92.0 - 70.0) / n.max(1) as f64;
    let widest = names
        .iter()
        .map(|s| {
            root.estimate_text_size(s, &font(TICK_SIZE + 1.0))
                .map(|x| x.0)
                .unwrap_or(0)
        })
        .max()
        .unwrap_or(0) as f64;
    let stagger = widest + 12.0 > slot;
    let mut chart = ChartBuilder::on(&plot)
        .margin_right(70)
        .x_label_area_size(if stagger { 92 } else { 62 })
        .y_label_area_size(92)
        .build_cartesian_2d(-0.5..n as f64 - 0.5, ylo..yhi)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .disable_x_mesh()
        .x_desc("Scenario")
        .y_desc("Value efficiency (ratio)")
        .axis_desc_style(font(LABEL_SIZE))
        .label_style(font(TICK_SIZE + 1.0))
        .x_labels(0)
        .y_label_formatter(&axis_ticks(ylo, yhi, 8))
        .y_labels(8)
        .draw()?;
    // Category labels by hand: plotters' key-point axes cannot take a label formatter.
    for (i, name) in names.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(i as f64, ylo));
        let dy = if stagger && i % 2 == 1 { 30 } else { 0 };
        root.draw(&Text::new(
            name.clone(),
            (px, py + 8 + dy),
            font(TICK_SIZE + 1.0).pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
    }
    for y in [0.0, 1.0] {
        if y > ylo && y < yhi {
            chart.draw_series(DashedLineSeries::new(
                [(-0.5, y), (n as f64 - 0.5, y)],
                8,
                6,
                RGBColor(120, 120, 120).stroke_width(2),
            ))?;
        }
    }
    let area = chart.plotting_area();
    let half = 0.16;
    for (i, (_, b, m)) in data.iter().enumerate() {
        let c = scenario_color(i);
        let x = i as f64 - 0.08;
        if let Some(b) = b {
            area.draw(&PathElement::new(
                vec![(x, b.lo_whisker), (x, b.q1)],
                c.stroke_width(3),
            ))?;
            area.draw(&PathElement::new(
                vec![(x, b.q3), (x, b.hi_whisker)],
                c.stroke_width(3),
            ))?;
            for w in [b.lo_whisker, b.hi_whisker] {
                area.draw(&PathElement::new(
                    vec![(x - half / 2.0, w), (x + half / 2.0, w)],
                    c.stroke_width(3),
                ))?;
            }
            area.draw(&Rectangle::new(
                [(x - half, b.q1), (x + half, b.q3)],
                c.mix(0.35).filled(),
            ))?;
            area.draw(&Rectangle::new(
                [(x - half, b.q1), (x + half, b.q3)],
                c.stroke_width(3),
            ))?;
            area.draw(&PathElement::new(
                vec![(x - half, b.median), (x + half, b.median)],
                INK.stroke_width(4),
            ))?;
            let mut off = (0, 0);
            for &(o, runs) in &b.outliers {
                if o < ylo {
                    off.0 += runs;
                } else if o > yhi {
                    off.1 += runs;
                } else {
                    draw_marker(area, (x, o), Marker::Circle, 4, c.stroke_width(2))?;
                }
            }
            for (count, y, v, arrow) in [
                (off.0, ylo, VPos::Bottom, "▼"),
                (off.1, yhi, VPos::Top, "▲"),
            ] {
                if count > 0 {
                    // Beside the column of outlier circles, not over it: the outliers
                    // drawn crowd the edge of the plot the others ran off.
                    area.draw(
                        &(EmptyElement::at((x, y))
                            + Text::new(
                                format!("{arrow} {count} off scale"),
                                (OFF_SCALE_GAP, 0),
                                font(TICK_SIZE - 4.0)
                                    .color(&RGBColor(90, 90, 90))
                                    .pos(Pos::new(HPos::Left, v)),
                            )),
                    )?;
                }
            }
        }
        if let Some((mean, lo, hi)) = m {
            // Mean and CI to the right of the box so they never hide the median.
            let mx = i as f64 + 0.22;
            area.draw(&PathElement::new(
                vec![(mx, *lo), (mx, *hi)],
                INK.stroke_width(3),
            ))?;
            for y in [*lo, *hi] {
                area.draw(&PathElement::new(
                    vec![(mx - 0.03, y), (mx + 0.03, y)],
                    INK.stroke_width(3),
                ))?;
            }
            draw_marker(area, (mx, *mean), Marker::Diamond, 8, INK.filled())?;
            area.draw(&Text::new(
                mean_label(*mean, *lo, *hi),
                (mx + 0.09, *mean),
                font(TICK_SIZE - 2.0).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
    }
    Ok(())
}

/// The mean beside its box, at the precision of its interval: "0.730" when its neighbours
/// read "0.734", never "0.73".
fn mean_label(mean: f64, lo: f64, hi: f64) -> String {
    let [m, ..] = crate::format::interval_texts(mean, lo, hi);
    m
}

pub fn draw_cumulative_value<DB>(root: &DrawingArea<DB, Shift>, r: &Results) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let entries = fan_entries(r);
    let plot = frame(
        root,
        "Cumulative value delivered",
        Some(&format!("{}; names at the line ends", band_text(r))),
        &entries,
    )?;
    fan_panel(
        &plot,
        r,
        "cumulative_value",
        "Cumulative value (value units)",
        None,
        true,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_stats_flags_outliers() {
        let d = [(1.0, 1), (2.0, 1), (3.0, 1), (4.0, 1), (5.0, 1), (100.0, 1)];
        let b = box_stats(&d, None).unwrap();
        assert_eq!(b.median, 3.5);
        assert_eq!(b.outliers, vec![(100.0, 1)]);
        assert_eq!(b.hi_whisker, 5.0);
        // Counts weigh like repeated values.
        let w = box_stats(&[(1.0, 2), (2.0, 1), (3.0, 1)], None).unwrap();
        let flat = box_stats(&[(1.0, 1), (1.0, 1), (2.0, 1), (3.0, 1)], None).unwrap();
        assert_eq!((w.q1, w.median, w.q3), (flat.q1, flat.median, flat.q3));
    }

    #[test]
    fn short_keeps_short_names() {
        assert_eq!(short("abc", 5), "abc");
        assert_eq!(short("abcdefgh", 5), "abcd…");
    }

    /// The box chart showed "0.73" beside "0.734" and "0.727": the mean keeps the decimals
    /// its interval earns.
    #[test]
    fn the_mean_label_keeps_its_intervals_decimals() {
        assert_eq!(mean_label(0.73, 0.715, 0.745), "0.730");
        assert_eq!(mean_label(0.734, 0.718, 0.75), "0.734");
        assert_eq!(mean_label(0.8, 0.7, 0.9), "0.80");
    }
}
