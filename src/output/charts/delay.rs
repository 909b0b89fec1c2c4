//! Delay charts: release delay CDFs and "probability of being done by sprint k".

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::common::*;
use super::pxbox::{plot_box, px, PxBox};
use crate::output::results::Results;

/// Axes for a share (0–100 %) over sprints, with whole-sprint ticks.
fn share_chart<'a, DB>(
    plot: &'a DrawingArea<DB, Shift>,
    x: std::ops::Range<f64>,
    x_desc: &str,
    y_desc: &str,
    max_x_labels: usize,
) -> anyhow::Result<NumericChart<'a, DB>>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let labels = ((x.end - x.start) as usize + 1).min(max_x_labels);
    let mut chart = ChartBuilder::on(plot)
        .x_label_area_size(62)
        .y_label_area_size(92)
        .build_cartesian_2d(x, 0.0..1.02)?;
    house_mesh(&mut chart)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{:.0}", v * 100.0))
        .x_labels(labels)
        .y_labels(6)
        .draw()?;
    Ok(chart)
}

/// Empirical CDF over ALL runs (censored runs count in the denominator, never as done),
/// as (value, share ≤ value) at each distinct value, from a distribution (value, runs)
/// (`None` = no value).
pub fn ecdf(dist: &[(Option<f64>, u64)]) -> Vec<(f64, f64)> {
    let n: u64 = dist.iter().map(|d| d.1).sum();
    if n == 0 {
        return Vec::new();
    }
    let mut v: Vec<(f64, u64)> = dist.iter().filter_map(|d| d.0.map(|x| (x, d.1))).collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, f64)> = Vec::new();
    let mut acc = 0u64;
    for (x, c) in v {
        acc += c;
        let share = acc as f64 / n as f64;
        match out.last_mut() {
            Some(last) if last.0 == x => last.1 = share,
            _ => out.push((x, share)),
        }
    }
    out
}

/// Smallest value whose CDF reaches `q`; `None` when that falls among censored runs.
pub fn cdf_quantile(cdf: &[(f64, f64)], q: f64) -> Option<f64> {
    cdf.iter().find(|(_, s)| *s >= q - 1e-12).map(|(x, _)| *x)
}

/// Share of runs done by the end of each sprint 1..=horizon (censored = not done), from the
/// completion sprints' distribution (value, runs).
pub fn done_by(dist: &[(Option<f64>, u64)], horizon: u64) -> Vec<(u64, f64)> {
    let n = dist.iter().map(|d| d.1).sum::<u64>().max(1) as f64;
    (1..=horizon)
        .map(|k| {
            let done: u64 = dist
                .iter()
                .filter(|d| d.0.is_some_and(|c| c <= k as f64))
                .map(|d| d.1)
                .sum();
            (k, done as f64 / n)
        })
        .collect()
}

fn fmt_q(v: Option<f64>, beyond: f64) -> String {
    match v {
        Some(x) => tick(x),
        None => format!(">{}", tick(beyond)),
    }
}

pub fn draw_delay_cdf<DB>(root: &DrawingArea<DB, Shift>, r: &Results) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let cdfs: Vec<(usize, Vec<(f64, f64)>)> = r
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| (i, ecdf(&r.distribution(&s.name, "release_delay_sprints"))))
        .collect();
    let all: Vec<f64> = cdfs
        .iter()
        .flat_map(|(_, c)| c.iter().map(|p| p.0))
        .collect();
    // The largest delay that fits in the horizon, for the ">H" label of censored quantiles.
    let max_delay = r
        .summary
        .iter()
        .filter(|s| s.metric == "release_delay_sprints")
        .flat_map(|s| s.pct.iter().flatten())
        .filter_map(|p| match p {
            crate::output::results::Pct::Beyond(h) => Some(*h),
            _ => None,
        })
        .fold(all.iter().copied().fold(0.0, f64::max), f64::max);

    let mut entries = Vec::new();
    for (i, cdf) in &cdfs {
        let p50 = fmt_q(cdf_quantile(cdf, 0.5), max_delay);
        let p85 = fmt_q(cdf_quantile(cdf, 0.85), max_delay);
        entries.push(Entry::new(
            Swatch::Line(scenario_color(*i)),
            format!("{}  (P50 {p50}, P85 {p85})", r.scenarios[*i].name),
        ));
    }
    entries.push(Entry::new(Swatch::Mark(Marker::Circle, INK), "P50"));
    entries.push(Entry::new(Swatch::Mark(Marker::Triangle, INK), "P85"));
    let plot = frame(
        root,
        "Release delay: how late was the release?",
        Some("Share of runs released at most x sprints after the planned sprint"),
        &entries,
    )?;
    if all.is_empty() {
        return note(&plot, "no run finished the release within the horizon");
    }
    let xmin = all.iter().copied().fold(f64::INFINITY, f64::min).min(0.0) - 0.5;
    let xmax = max_delay.max(1.0) + 0.5;
    let mut chart = share_chart(
        &plot,
        xmin..xmax,
        "Release delay (sprints after the planned sprint; negative = early)",
        "Share of runs (%)",
        20,
    )?;
    for q in [0.5, 0.85] {
        chart.draw_series(DashedLineSeries::new(
            vec![(xmin, q), (xmax, q)],
            6,
            6,
            RGBColor(150, 150, 150).stroke_width(2),
        ))?;
    }
    for (i, cdf) in &cdfs {
        let c = scenario_color(*i);
        let mut pts = vec![(xmin, 0.0)];
        let mut prev = 0.0;
        for (x, s) in cdf {
            pts.push((*x, prev));
            pts.push((*x, *s));
            prev = *s;
        }
        pts.push((xmax, prev));
        chart.draw_series(LineSeries::new(pts, c.stroke_width(4)))?;
    }
    for (i, cdf) in &cdfs {
        let c = scenario_color(*i);
        for (q, m) in [(0.5, Marker::Circle), (0.85, Marker::Triangle)] {
            if let Some(x) = cdf_quantile(cdf, q) {
                let y = cdf.iter().find(|p| p.0 == x).map(|p| p.1).unwrap_or(q);
                // A white halo keeps the marker visible where curves cross.
                draw_marker(chart.plotting_area(), (x, y), m, 12, WHITE.filled())?;
                draw_marker(chart.plotting_area(), (x, y), m, 9, c.filled())?;
            }
        }
    }
    Ok(())
}

pub fn draw_done_by_sprint<DB>(root: &DrawingArea<DB, Shift>, r: &Results) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let horizon = r.horizon();
    let entries = scenario_entries(r, Swatch::Line);
    let plot = frame(
        root,
        "When will the release be done?",
        Some("Chance that the release scope is done by the end of sprint k (runs not done in the horizon count as not done)"),
        &entries,
    )?;
    let curves: Vec<(usize, Vec<(u64, f64)>)> = r
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                i,
                done_by(&r.distribution(&s.name, "completion_sprint"), horizon),
            )
        })
        .collect();
    // Start where the first scenario gets a chance of being done, so the rise is visible.
    let first = curves
        .iter()
        .filter_map(|(_, c)| c.iter().find(|p| p.1 > 0.0).map(|p| p.0))
        .min()
        .unwrap_or(1)
        .saturating_sub(2)
        .max(1);
    let xmin = first as f64 - 0.5;
    let xmax = horizon as f64 + 0.5;
    let mut chart = share_chart(
        &plot,
        xmin..xmax,
        "Sprint k (end of sprint)",
        "Probability done (%)",
        30,
    )?;
    let lines = [(0.5, "50 %"), (0.85, "85 %")];
    for (q, _) in lines {
        chart.draw_series(DashedLineSeries::new(
            vec![(xmin, q), (xmax, q)],
            6,
            6,
            RGBColor(150, 150, 150).stroke_width(2),
        ))?;
    }
    let mut drawn = Vec::new();
    for (i, c) in &curves {
        let col = scenario_color(*i);
        let pts: Vec<(f64, f64)> = c
            .iter()
            .filter(|p| p.0 >= first)
            .map(|p| (p.0 as f64, p.1))
            .collect();
        chart.draw_series(LineSeries::new(pts.clone(), col.stroke_width(4)))?;
        for &p in &pts {
            draw_marker(chart.plotting_area(), p, Marker::Circle, 5, col.filled())?;
        }
        drawn.push(pts.into_iter().map(|p| px(&chart, p)).collect());
    }
    let style = font(TICK_SIZE).color(&RGBColor(110, 110, 110));
    for (q, label) in lines {
        let size = root.estimate_text_size(label, &style)?;
        let size = (size.0 as f64, size.1 as f64);
        let at = line_label_box(plot_box(&chart), px(&chart, (xmin, q)).1, size, &drawn);
        // On the plot's background (it hides the grid behind it), above the curves.
        let (bx, by) = root.get_base_pixel();
        let rel = |x: f64, y: f64| (x as i32 - bx, y as i32 - by);
        let pad = at.grow(LABEL_PAD);
        root.draw(&Rectangle::new(
            [rel(pad.l, pad.t), rel(pad.r, pad.b)],
            WHITE.filled(),
        ))?;
        root.draw(&Text::new(
            label,
            rel(at.l, at.t),
            style.pos(Pos::new(HPos::Left, VPos::Top)),
        ))?;
    }
    Ok(())
}

/// Background kept around a dashed line's label, and its clear space from the curves
/// (their half width and their marks' radius added), in pixels.
const LABEL_PAD: f64 = 2.0;
const LABEL_CLEAR: f64 = 3.0;
const CURVE_HALF: f64 = 2.0;
const MARK_R: f64 = 5.0;
/// Space between a label and its line, and between a label and the plot's edges.
const LINE_GAP: f64 = 4.0;
const EDGE_GAP: f64 = 8.0;

/// Where the label of size (w, h) of the dashed line at pixel height `y` goes: just above
/// the line at the plot's left edge, else at its right edge, else along the line (each
/// half a label further right), else the same under the line; the first spot that no curve
/// of `curves` (polylines of marked points, in pixels) or mark touches. With no such spot,
/// above the line at the left edge, where it is drawn over the curves.
fn line_label_box(plot: PxBox, y: f64, (w, h): (f64, f64), curves: &[Vec<(f64, f64)>]) -> PxBox {
    let (first, last) = (plot.l + EDGE_GAP, plot.r - EDGE_GAP - w);
    let mut lefts = vec![first, last];
    let mut l = first + w / 2.0;
    while l < last {
        lefts.push(l.round());
        l += w / 2.0;
    }
    let free = |b: &PxBox| {
        let line = b.grow(LABEL_CLEAR + CURVE_HALF);
        let mark = b.grow(LABEL_CLEAR + MARK_R);
        b.t >= plot.t
            && b.b <= plot.b
            && curves.iter().all(|c| {
                !c.windows(2).any(|s| line.crosses(s[0], s[1]))
                    && !c.iter().any(|&m| mark.contains(m))
            })
    };
    let above = (y - LINE_GAP - h).round();
    let under = (y + LINE_GAP).round();
    [above, under]
        .into_iter()
        .flat_map(|t| lefts.iter().map(move |&l| PxBox::at(l, t, (w, h))))
        .find(free)
        .unwrap_or(PxBox::at(first, above, (w, h)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecdf_counts_censored_in_denominator() {
        let v = [(Some(1.0), 1), (Some(2.0), 2), (None, 1)];
        let c = ecdf(&v);
        assert_eq!(c, vec![(1.0, 0.25), (2.0, 0.75)]);
        assert_eq!(cdf_quantile(&c, 0.5), Some(2.0));
        assert_eq!(cdf_quantile(&c, 0.85), None);
    }

    /// The done-by-sprint chart of `r` read back in pixels: the plotting area within the
    /// axes, the heights of the dashed lines (50 % then 85 %), the curves, their marks and
    /// the lines' labels.
    #[allow(clippy::type_complexity)]
    fn drawn_done_by(
        r: &Results,
    ) -> (
        PxBox,
        [f64; 2],
        Vec<Vec<(f64, f64)>>,
        Vec<(f64, f64)>,
        Vec<(String, PxBox)>,
    ) {
        use crate::output::charts::svg_probe::{attr, axes_box, elements, num, points, text_boxes};
        let svg = crate::output::charts::ChartKind::DoneBySprint
            .svg_string(r)
            .unwrap();
        let lines: Vec<(&str, Vec<(f64, f64)>)> = elements(&svg, "<polyline ")
            .into_iter()
            .map(|(e, _)| (e, points(e)))
            .collect();
        let stroke = |e: &str| {
            (
                attr(e, "stroke").to_string(),
                attr(e, "stroke-width").to_string(),
            )
        };
        let plot = axes_box(&svg);
        let mut dashed: Vec<f64> = lines
            .iter()
            .filter(|(e, _)| stroke(e) == ("#969696".into(), "2".into()))
            .map(|(_, p)| p[0].1)
            .collect();
        dashed.sort_by(f64::total_cmp);
        dashed.dedup();
        assert_eq!(dashed.len(), 2, "{dashed:?}");
        // The curves: thick lines inside the plot (the legend's swatches are above it).
        let curves: Vec<Vec<(f64, f64)>> = lines
            .into_iter()
            .filter(|(e, p)| stroke(e).1 == "4" && p[0].1 > plot.t)
            .map(|(_, p)| p)
            .collect();
        let marks = elements(&svg, "<circle ")
            .into_iter()
            .map(|(e, _)| (num(e, "cx"), num(e, "cy")))
            .collect();
        let labels = text_boxes(&svg, &font(TICK_SIZE), |t| t == "50 %" || t == "85 %");
        (plot, [dashed[1], dashed[0]], curves, marks, labels)
    }

    /// Each dashed line's label sits just above or under its line (never on it), inside the
    /// axes, off every curve and mark: on the fixture, and where a curve climbs past 50 %
    /// in the first sprint, through the spot at the left edge above the 50 % line.
    #[test]
    fn done_by_sprint_labels_sit_beside_their_lines_off_the_curves() {
        let dir = tempfile::tempdir().unwrap();
        crate::output::fixture::write(dir.path(), 2, 30).unwrap();
        let fixture = Results::read(dir.path()).unwrap();
        let mut early = fixture.clone();
        let first = early.scenarios[0].name.clone();
        early
            .distributions
            .retain(|d| !(d.scenario == first && d.metric == "completion_sprint"));
        for (sprint, runs) in [(1.0, 52), (3.0, 48)] {
            early.distributions.push(crate::output::results::DistRow {
                scenario: first.clone(),
                metric: "completion_sprint".into(),
                value: Some(sprint),
                count: runs,
            });
        }
        for (case, r) in [("fixture", &fixture), ("done early", &early)] {
            let (plot, ys, curves, marks, labels) = drawn_done_by(r);
            assert_eq!(labels.len(), 2, "{case}: {labels:?}");
            assert!(!curves.is_empty() && !marks.is_empty(), "{case}");
            for ((text, b), y) in labels.iter().zip(ys) {
                let gap = if b.b <= y { y - b.b } else { b.t - y };
                assert!(
                    b.t > y || b.b < y,
                    "{case}: {text} at {b:?} is on its line at {y}"
                );
                assert!(
                    (2.0..=8.0).contains(&gap),
                    "{case}: {text} at {b:?} is {gap} px from its line at {y}"
                );
                assert!(
                    b.l > plot.l + 4.0 && b.r < plot.r && b.t > plot.t && b.b < plot.b,
                    "{case}: {text} at {b:?} is not inside the axes {plot:?}"
                );
                let stroke = b.grow(2.0);
                for c in &curves {
                    for s in c.windows(2) {
                        assert!(!stroke.crosses(s[0], s[1]), "{case}: {text} on {s:?}");
                    }
                }
                for m in &marks {
                    assert!(
                        !b.grow(5.0).contains(*m),
                        "{case}: {text} on the mark {m:?}"
                    );
                }
            }
            if case == "done early" {
                let (_, b) = &labels[0];
                assert!(
                    b.l > plot.l + 60.0,
                    "the 50 % label moved off the curve: {b:?}"
                );
            }
        }
    }

    #[test]
    fn done_by_treats_censored_as_not_done() {
        let v = [(Some(3.0), 1), (None, 1), (Some(5.0), 1), (Some(4.0), 1)];
        let d = done_by(&v, 5);
        assert_eq!(d[2], (3, 0.25));
        assert_eq!(d[4], (5, 0.75));
    }
}
