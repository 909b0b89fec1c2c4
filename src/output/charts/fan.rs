//! Fan charts: every scenario's median run of a `sprints.csv` series as a line, with the
//! middle 80 % of runs (P10–P90) as a band for up to [`MAX_BANDS`] scenarios.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::common::*;
use crate::output::results::Results;

/// (sprint, p10, p50, p90).
type Band = (f64, f64, f64, f64);

/// Up to this many scenarios every one gets its P10–P90 band; above it only the baseline's
/// band is drawn (lighter), so that bands never pile up into mud.
pub const MAX_BANDS: usize = 2;

/// Which scenarios' bands a fan chart draws: all of them up to [`MAX_BANDS`], else the
/// baseline only.
pub fn banded(r: &Results, i: usize) -> bool {
    r.scenarios.len() <= MAX_BANDS || r.scenarios[i].name == r.run.baseline
}

/// Legend entries of a fan chart: a band swatch for each scenario whose band is drawn (see
/// [`banded`]), a plain line for the others, so that the legend promises no band the chart
/// does not have.
pub fn fan_entries(r: &Results) -> Vec<Entry> {
    r.scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let c = scenario_color(i);
            let swatch = if banded(r, i) {
                Swatch::Band(c)
            } else {
                Swatch::Line(c)
            };
            Entry::new(swatch, s.name.clone())
        })
        .collect()
}

/// The subtitle telling what the lines and bands of a fan chart are.
pub fn band_text(r: &Results) -> String {
    if r.scenarios.len() <= MAX_BANDS {
        "Median run (line) and the middle 80 % of runs (band, P10–P90)".into()
    } else {
        format!(
            "Median run of each scenario (line); band: middle 80 % of the baseline's runs ({}, P10–P90)",
            r.run.baseline
        )
    }
}

/// Draw P10–P90 bands (see [`banded`]) and P50 lines of a `sprints.csv` series for every
/// scenario on one panel, optionally with the scenario names at the line ends. Returns
/// false when the series is absent.
pub fn fan_panel<DB>(
    area: &DrawingArea<DB, Shift>,
    r: &Results,
    series: &str,
    y_desc: &str,
    caption: Option<&str>,
    with_end_labels: bool,
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
    let per = trim_flat_tail(per);
    let xmax = per
        .iter()
        .flat_map(|(_, p)| p.iter().map(|t| t.0))
        .fold(1.0, f64::max);
    let (ylo, yhi) = padded_range(
        per.iter().flat_map(|(i, p)| {
            let band = banded(r, *i);
            p.iter()
                .flat_map(move |t| if band { vec![t.1, t.2, t.3] } else { vec![t.2] })
        }),
        0.06,
        true,
    );
    let mut b = ChartBuilder::on(area);
    if let Some(c) = caption {
        b.caption(c, bold(LABEL_SIZE));
    }
    if with_end_labels {
        let widest = r
            .scenarios
            .iter()
            .map(|s| {
                area.estimate_text_size(&s.name, &font(LEGEND_SIZE - 2.0))
                    .map(|x| x.0)
                    .unwrap_or(0)
            })
            .max()
            .unwrap_or(0);
        b.margin_right(widest as i32 + 36);
    }
    let mut chart = b
        .x_label_area_size(62)
        .y_label_area_size(92)
        .build_cartesian_2d(0.5..xmax + 0.5, ylo..yhi)?;
    house_mesh(&mut chart)
        .x_desc(super::forecast::capitalized(
            super::forecast::run_units(r).1,
        ))
        .y_desc(y_desc)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&axis_ticks(ylo, yhi, 7))
        .x_labels(xmax.min(14.0) as usize)
        .y_labels(7)
        .draw()?;
    let alpha = if r.scenarios.len() <= MAX_BANDS {
        0.16
    } else {
        0.12
    };
    for (i, pts) in &per {
        if !banded(r, *i) {
            continue;
        }
        let c = scenario_color(*i);
        let mut poly: Vec<(f64, f64)> = pts.iter().map(|t| (t.0, t.3)).collect();
        poly.extend(pts.iter().rev().map(|t| (t.0, t.1)));
        chart.draw_series(std::iter::once(Polygon::new(poly, c.mix(alpha).filled())))?;
    }
    // Lines after all bands, so no band covers another scenario's line.
    for (i, pts) in &per {
        scenario_line(&mut chart, *i, pts.iter().map(|t| (t.0, t.2)).collect())?;
    }
    if with_end_labels {
        let ends: Vec<(usize, (f64, f64))> = per
            .iter()
            .filter_map(|(i, p)| p.last().map(|t| (*i, (t.0, t.2))))
            .collect();
        end_labels(&chart, area, r, &ends)?;
    }
    Ok(true)
}

/// A tail in which no scenario's band or line moves any more (a forecast whose runs are all
/// done long before the horizon) is cut to a few sprints after the last change, when it
/// would take a quarter of the chart or more: the chart shows the flow, not an empty year.
fn trim_flat_tail(mut per: Vec<(usize, Vec<Band>)>) -> Vec<(usize, Vec<Band>)> {
    let xmax = per
        .iter()
        .flat_map(|(_, p)| p.iter().map(|t| t.0))
        .fold(1.0, f64::max);
    let moves = |a: &Band, b: &Band| (a.1, a.2, a.3) != (b.1, b.2, b.3);
    let last_change = per
        .iter()
        .filter_map(|(_, p)| {
            let end = p.last()?;
            Some(
                p.iter()
                    .rev()
                    .find(|t| moves(t, end))
                    .map_or(p[0].0, |t| t.0),
            )
        })
        .fold(1.0, f64::max);
    let keep = last_change + (0.1 * last_change).ceil().max(2.0);
    if xmax - keep >= 0.25 * xmax {
        for (_, p) in per.iter_mut() {
            p.retain(|t| t.0 <= keep);
        }
    }
    per
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: &[f64]) -> Vec<Band> {
        (1..=values.len())
            .map(|x| {
                let v = values[x - 1];
                (x as f64, v - 1.0, v, v + 1.0)
            })
            .collect()
    }

    /// Done by sprint 20 of 100: the chart ends at sprint 22 (last change + 2), for every
    /// scenario; a series that still moves near its end, or a short flat tail, is kept whole.
    #[test]
    fn a_long_flat_tail_is_cut_and_a_moving_series_kept() {
        let mut done = vec![5.0; 19];
        done.extend(vec![0.0; 81]);
        let mut later = vec![4.0; 20];
        later.extend(vec![0.0; 80]);
        let cut = trim_flat_tail(vec![(0, series(&done)), (1, series(&later))]);
        for (_, p) in &cut {
            assert_eq!(p.last().unwrap().0, 22.0);
        }
        let moving: Vec<f64> = (0..100).map(|i| (i % 7) as f64).collect();
        assert_eq!(trim_flat_tail(vec![(0, series(&moving))])[0].1.len(), 100);
        let mut short = vec![5.0; 80];
        short.extend(vec![0.0; 20]);
        assert_eq!(trim_flat_tail(vec![(0, series(&short))])[0].1.len(), 100);
    }

    /// With more scenarios than [`MAX_BANDS`] only the baseline's band is drawn, and only
    /// the baseline's legend entry shows a band: every band swatch (38×20 px, translucent)
    /// stands for a band on the plot, in its colour.
    #[test]
    fn the_legend_shows_a_band_only_for_the_scenarios_with_one() {
        use crate::output::charts::svg_probe::{attr, elements};
        use crate::output::charts::ChartKind;
        let dir = tempfile::tempdir().unwrap();
        crate::output::fixture::write(dir.path(), 4, 30).unwrap();
        let r = Results::read(dir.path()).unwrap();
        let base = r
            .scenarios
            .iter()
            .position(|s| s.name == r.run.baseline)
            .unwrap();
        let hex = |c: RGBColor| format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
        for kind in [
            ChartKind::FlowTechDebt,
            ChartKind::FlowVelocity,
            ChartKind::CumulativeValue,
        ] {
            let svg = kind.svg_string(&r).unwrap();
            let swatches: Vec<&str> = elements(&svg, "<rect ")
                .into_iter()
                .map(|(e, _)| e)
                .filter(|e| attr(e, "width") == "38" && attr(e, "height") == "20")
                .map(|e| attr(e, "fill"))
                .collect();
            assert_eq!(swatches, [hex(scenario_color(base))], "{kind:?}");
            // Every scenario is still in the legend, as a line.
            for s in &r.scenarios {
                assert!(
                    svg.contains(&format!(">\n{}\n<", s.name)),
                    "{kind:?}: {}",
                    s.name
                );
            }
        }
    }
}
