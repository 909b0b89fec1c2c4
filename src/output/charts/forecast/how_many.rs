//! `forecast_how_many`: the items done by the target.

use super::*;
use crate::output::charts::pxbox::{plot_box, px, PxBox};

/// `forecast_how_many`: items done by the target sprint, a bar per count, with the answers.
pub fn draw_how_many<DB>(root: &DrawingArea<DB, Shift>, r: &Results) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let (work, noun) = run_units(r);
    let fs: Vec<ForecastData> = forecasts(r)
        .into_iter()
        .filter(|f| !f.by_target.is_empty())
        .collect();
    let target = |f: &ForecastData| -> String {
        let Some(k) = f.scenario.as_ref().and_then(|s| s.target_sprint()) else {
            return String::new();
        };
        match f.calendar() {
            Some(c) => {
                let d = c.sprint_end(k);
                format!("{noun} {k} ({} {d})", d.weekday_name())
            }
            None => format!("{noun} {k}"),
        }
    };
    let mut entries = Vec::new();
    for f in &fs {
        let answers: Vec<String> = CONFIDENCES
            .iter()
            .map(|&c| format!("{c} %: ≥ {}", f.how_many(c).unwrap_or(0)))
            .collect();
        entries.push(Entry::new(
            Swatch::Block(scenario_color(f.i)),
            format!("{}: {}", f.name, answers.join(", ")),
        ));
    }
    let targets: Vec<String> = fs.iter().map(target).collect();
    let same = targets.windows(2).all(|w| w[0] == w[1]);
    let title = match (targets.first(), same) {
        (Some(t), true) if !t.is_empty() => format!("How many {work} by {t}?"),
        _ => format!("How many {work} by the target?"),
    };
    let plot = frame(
        root,
        &title,
        Some("Bars: share of runs with exactly that many done; lines: at least that many in 50, 70, 85 and 95 % of runs"),
        &entries,
    )?;
    if fs.is_empty() {
        return note(
            &plot,
            "no target (forecast.target_sprint or target_date) was asked about",
        );
    }
    let (xmin, xmax) = fs
        .iter()
        .flat_map(|f| f.by_target.iter().map(|p| p.0 as f64))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |a, x| {
            (a.0.min(x), a.1.max(x))
        });
    let shares: Vec<Vec<(u64, f64)>> = fs
        .iter()
        .map(|f| {
            let n: u64 = f.by_target.iter().map(|p| p.1).sum();
            f.by_target
                .iter()
                .map(|&(x, c)| (x, c as f64 / n.max(1) as f64))
                .collect()
        })
        .collect();
    let top = shares
        .iter()
        .flatten()
        .map(|p| p.1)
        .fold(0.0, f64::max)
        .max(1e-9);
    let (lo, hi) = (xmin - 1.0, xmax + 1.0);
    let axes = |ymax: f64| {
        ChartBuilder::on(&plot)
            .x_label_area_size(70)
            .y_label_area_size(92)
            .build_cartesian_2d(lo..hi, 0.0..ymax)
    };
    // The answers: a dashed line at each confidence's count, labelled at its top. The labels
    // are placed in pixels (the x axis does not depend on the y range), then the y range
    // leaves their rows above the bars.
    let mut flags = Vec::new();
    let mut lines = Vec::new();
    let probe = axes(top * 1.25)?;
    for f in &fs {
        let col = scenario_color(f.i);
        // Confidences with the same answer share one line and one label.
        let answers: Vec<(u32, u64)> = CONFIDENCES
            .iter()
            .filter_map(|&c| Some((c, f.how_many(c)?)))
            .collect();
        for same in answers.chunk_by(|a, b| a.1 == b.1) {
            let q = same[0].1;
            let x = q as f64 - 0.5;
            let cs: Vec<String> = same.iter().map(|a| a.0.to_string()).collect();
            let text = format!("{} %: ≥ {q}", cs.join(", "));
            let (w, h) = plot.estimate_text_size(&text, &font(TICK_SIZE - 2.0).color(&col))?;
            flags.push((px(&probe, (x, 0.0)).0, (w as f64, h as f64)));
            lines.push((x, text, col));
        }
    }
    let plot_px = plot_box(&probe);
    let boxes = flag_boxes(&flags, plot_px);
    let band = boxes.iter().map(|b| b.b).fold(0.0, f64::max);
    let room = (plot_px.b - band - BAR_GAP) / (plot_px.b - plot_px.t);
    let ymax = (top * 1.25).max(top / room.max(0.2));
    let mut chart = axes(ymax)?;
    let step = tick_step(hi - lo, 16) as f64;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .x_desc(format!("{} done by the target", capitalized(work)))
        .y_desc("Share of runs (%)")
        .axis_desc_style(font(LABEL_SIZE))
        .label_style(font(TICK_SIZE))
        .x_labels(((hi - lo) / step) as usize + 1)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| tick(v * 100.0))
        .y_labels(6)
        .draw()?;
    let k = fs.len() as f64;
    let width = 0.8 / k;
    for (j, (f, sh)) in fs.iter().zip(&shares).enumerate() {
        let col = scenario_color(f.i);
        let off = -0.4 + width * j as f64;
        chart.draw_series(sh.iter().map(|&(x, s)| {
            let x0 = x as f64 + off;
            Rectangle::new([(x0, 0.0), (x0 + width, s)], col.mix(0.75).filled())
        }))?;
    }
    let (bx, by) = plot.get_base_pixel();
    for ((x, text, col), b) in lines.into_iter().zip(boxes) {
        // From the axis up to the top of its label, which sits beside it.
        let y = ymax * (plot_px.b - b.t) / (plot_px.b - plot_px.t);
        dashed_at(&mut chart, (x, 0.0), (x, y), col, 2)?;
        plot.draw(&Text::new(
            text,
            (b.l as i32 - bx, b.t as i32 - by),
            font(TICK_SIZE - 2.0)
                .color(&col)
                .pos(Pos::new(HPos::Left, VPos::Top)),
        ))?;
    }
    Ok(())
}

/// Pixels between the labels' lowest row and the tallest bar, between a label and its
/// line, between two labels in a row (wider, so that they never read as one), from the
/// plot's top and sides to a label, and between rows.
const BAR_GAP: f64 = 10.0;
const FLAG_GAP: f64 = 4.0;
const LABEL_GAP: f64 = 12.0;
const EDGE_GAP: f64 = 6.0;
const ROW_GAP: f64 = 4.0;
/// Pixels that another line keeps from a label: on the side of the label's own line (less
/// than [`FLAG_GAP`], so that a line at the same count passes beside it) and on the other.
const NEAR: f64 = 2.0;
const FAR: f64 = 8.0;

/// What other lines keep clear of: the label `b` of the line at `x`, widened by [`NEAR`]
/// on that line's side and [`FAR`] on the other.
fn keep_out(x: f64, b: &PxBox) -> PxBox {
    let (l, r) = if b.l >= x { (NEAR, FAR) } else { (FAR, NEAR) };
    PxBox {
        l: b.l - l,
        t: b.t - NEAR,
        r: b.r + r,
        b: b.b + NEAR,
    }
}

/// The boxes of the lines' labels, given each line's pixel x and its label's size: each
/// label sits at the top of its line, to its right (to its left where it would leave the
/// plot), in the first row from the top where it overlaps no other label and no other line
/// passes through it (a line runs from the x axis up to its label's top). Placed from left
/// to right, so that a free row always exists: a label that another's line would cross
/// goes under that line's label.
pub(super) fn flag_boxes(flags: &[(f64, (f64, f64))], plot: PxBox) -> Vec<PxBox> {
    let row_h = flags.iter().map(|f| f.1 .1).fold(0.0, f64::max) + ROW_GAP;
    let mut order: Vec<usize> = (0..flags.len()).collect();
    order.sort_by(|&a, &b| flags[a].0.total_cmp(&flags[b].0));
    let line = |x: f64, b: &PxBox| ((x, b.t), (x, plot.b));
    let widened = |b: &PxBox| PxBox {
        l: b.l - LABEL_GAP,
        r: b.r + LABEL_GAP,
        ..*b
    };
    let mut placed: Vec<(f64, PxBox)> = Vec::new();
    let mut out = vec![PxBox::at(0.0, 0.0, (0.0, 0.0)); flags.len()];
    for i in order {
        let (x, (w, h)) = flags[i];
        let right = (x + FLAG_GAP).min(plot.r - EDGE_GAP - w);
        let left = (x - FLAG_GAP - w).max(plot.l + EDGE_GAP);
        let free = |b: &PxBox| {
            let (a, z) = line(x, b);
            placed.iter().all(|(ox, o)| {
                let (oa, oz) = line(*ox, o);
                !widened(b).overlaps(o)
                    && !keep_out(x, b).crosses(oa, oz)
                    && !keep_out(*ox, o).crosses(a, z)
            })
        };
        let spot = (0..=flags.len())
            .flat_map(|r| {
                let t = (plot.t + EDGE_GAP + r as f64 * row_h).round();
                [right, left].map(|l| PxBox::at(l.round(), t, (w, h)))
            })
            .find(free)
            .unwrap_or(PxBox::at(right.round(), plot.t + EDGE_GAP, (w, h)));
        placed.push((x, spot));
        out[i] = spot;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::charts::svg_probe::{attr, axes_box, elements, num, points, text_boxes};

    /// The how-many chart of forecast scenarios with these counts of runs by items done
    /// (one list per scenario), read back in pixels: the plotting area within the axes, the
    /// tops of the bars, the dashed lines (colour, x, top) and the labels.
    #[allow(clippy::type_complexity)]
    fn drawn(
        counts: &[&[(u64, u64)]],
    ) -> (PxBox, f64, Vec<(String, f64, f64)>, Vec<(String, PxBox)>) {
        let svg = svg_of(counts);
        let lines: Vec<(&str, Vec<(f64, f64)>)> = elements(&svg, "<polyline ")
            .into_iter()
            .map(|(e, _)| (e, points(e)))
            .collect();
        let plot = axes_box(&svg);
        let bars = elements(&svg, "<rect ")
            .into_iter()
            .filter(|(e, _)| attr(e, "opacity") == "0.75")
            .map(|(e, _)| num(e, "y"))
            .fold(f64::INFINITY, f64::min);
        // Each dashed line is a run of short vertical pieces of one colour at one x.
        let mut dashed: Vec<(String, f64, f64)> = Vec::new();
        for (e, p) in &lines {
            if attr(e, "stroke-width") != "2" || p[0].0 != p[1].0 {
                continue;
            }
            let (col, x, top) = (attr(e, "stroke").to_string(), p[0].0, p[0].1.min(p[1].1));
            match dashed.iter_mut().find(|d| d.0 == col && d.1 == x) {
                Some(d) => d.2 = d.2.min(top),
                None => dashed.push((col, x, top)),
            }
        }
        let labels = text_boxes(&svg, &font(TICK_SIZE - 2.0), |t| {
            // Not the legend's "team-0: 50 %: ≥ …".
            t.contains("%: ≥") && t.starts_with(|c: char| c.is_ascii_digit())
        });
        (plot, bars, dashed, labels)
    }

    /// The how-many chart's SVG for forecast scenarios with these counts of runs by items
    /// done (one list per scenario).
    fn svg_of(counts: &[&[(u64, u64)]]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let base = crate::scenario::load::load_scenario("forecast").unwrap();
        let scenarios: Vec<_> = (0..counts.len())
            .map(|i| {
                let mut s = base.clone();
                s.name = format!("team-{i}");
                s
            })
            .collect();
        let meta = crate::output::csv::RunMeta {
            version: "0".into(),
            command: "backsim run".into(),
            seed: 1,
            runs: 200,
            baseline: scenarios[0].name.clone(),
            date: "2026-12-03".into(),
        };
        let toml = crate::output::csv::scenarios_toml(&meta, &scenarios).unwrap();
        let mut dist = String::from("scenario,series,x,value\n");
        for (s, c) in scenarios.iter().zip(counts) {
            for (items, runs) in c.iter() {
                dist += &format!("{},items_by_target,{items},{runs}\n", s.name);
            }
        }
        let r = Results::of_texts(dir.path(), &toml, &dist).unwrap();
        crate::output::charts::ChartKind::ForecastHowMany
            .svg_string(&r)
            .unwrap()
    }

    /// The share axis counts in whole percentages where it can ("6", not "6.0"), as the
    /// other charts' axes do, and keeps the decimals a small share needs ("0.5").
    #[test]
    fn the_share_axis_has_no_trailing_zeros() {
        for (counts, small) in [(hump(100, 5), false), (hump(300, 250), true)] {
            let svg = svg_of(&[&counts]);
            let plot = axes_box(&svg);
            let ticks: Vec<String> = elements(&svg, "<text ")
                .into_iter()
                .filter(|(e, t)| num(e, "x") < plot.l && t.parse::<f64>().is_ok())
                .map(|(_, t)| t.to_string())
                .collect();
            assert!(ticks.len() >= 3, "{ticks:?}");
            assert!(ticks.iter().all(|t| !t.ends_with(".0")), "{ticks:?}");
            assert_eq!(ticks.iter().any(|t| t.contains('.')), small, "{ticks:?}");
        }
    }

    /// A dashed line's last dash ends up to a dash and a gap short of its end.
    const DASHES: f64 = 8.0 + 6.0;

    /// Runs by items done: `spread` items either side of `centre`, most in the middle.
    fn hump(centre: u64, spread: u64) -> Vec<(u64, u64)> {
        (centre - spread..=centre + spread)
            .map(|n| (n, 1 + spread - n.abs_diff(centre)))
            .collect()
    }

    /// Far apart, close (the 70 % and 85 % answers one item apart or the same, so are the
    /// 50 % and 85 %), two scenarios with close answers and those with a far one: every
    /// answer is in a label, one per line, at the top of its line, above the bars and
    /// inside the axes, and no label touches another or any line.
    #[test]
    fn how_many_labels_never_overlap_one_another_or_the_lines() {
        let far = hump(100, 40);
        let close: Vec<(u64, u64)> = vec![(19, 10), (20, 25), (21, 40), (22, 20), (23, 5)];
        let close_b: Vec<(u64, u64)> = vec![(18, 5), (19, 15), (20, 30), (21, 35), (22, 15)];
        let cases = [
            ("far", vec![far.as_slice()]),
            ("close", vec![&close]),
            ("two close", vec![&close, &close_b]),
            ("close and far", vec![&close, &close_b, &far]),
        ];
        for (case, counts) in cases {
            let (plot, bars, dashed, labels) = drawn(&counts);
            // "50, 70 %: ≥ 21": one label for the answers on one line.
            let answers: usize = labels
                .iter()
                .map(|(t, _)| t.split(" %").next().unwrap().split(", ").count())
                .sum();
            assert_eq!(answers, 4 * counts.len(), "{case}: {labels:?}");
            assert_eq!(dashed.len(), labels.len(), "{case}: {dashed:?}");
            for (k, (text, b)) in labels.iter().enumerate() {
                assert!(
                    b.l > plot.l && b.r < plot.r && b.t > plot.t && b.b < bars,
                    "{case}: {text} at {b:?} is not inside the axes {plot:?} above the bars {bars}"
                );
                for (other, o) in &labels[k + 1..] {
                    assert!(
                        !b.overlaps(o),
                        "{case}: {text} at {b:?} is on {other} at {o:?}"
                    );
                }
                for (_, x, top) in &dashed {
                    assert!(
                        !b.grow(1.0).crosses((*x, *top), (*x, plot.b)),
                        "{case}: {text} at {b:?} is on the line at {x} from {top}"
                    );
                }
                assert!(
                    dashed
                        .iter()
                        .any(|(_, x, top)| (-2.0..=DASHES).contains(&(top - b.t))
                            && ((b.l - x - FLAG_GAP).abs() <= 1.0
                                || (x - b.r - FLAG_GAP).abs() <= 1.0)),
                    "{case}: {text} at {b:?} is not at the top of a line: {dashed:?}"
                );
            }
        }
    }
}
