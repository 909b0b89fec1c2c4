//! `forecast_inputs`: the throughput history and the answers with only its last k values.

use super::*;

/// `forecast_inputs`: left the throughput history (a bar per period, oldest first), right the
/// `when` answers at 50/85/95 % with only the last k values of that history.
pub fn draw_inputs<DB>(root: &DrawingArea<DB, Shift>, r: &Results) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let (work, noun) = run_units(r);
    let fs = forecasts(r);
    let mut entries: Vec<Entry> = if fs.len() > 1 {
        fs.iter()
            .map(|f| Entry::new(Swatch::Block(scenario_color(f.i)), f.name.clone()))
            .collect()
    } else {
        Vec::new()
    };
    for (c, m) in HISTORY
        .iter()
        .zip([Marker::Circle, Marker::Triangle, Marker::Square])
    {
        entries.push(Entry::new(Swatch::Mark(m, INK), format!("{c} % sure")));
    }
    let runs = fs.iter().filter_map(|f| f.history_runs.map(|h| h.1)).max();
    let plot = frame(
        root,
        "Inputs: the throughput history, and the answer with less of it",
        Some(&match runs {
            Some(n) => format!(
                "Right: the completion {noun} bootstrapped from only the last k values ({} runs each, same random worlds)",
                crate::format::fmt_num(n as f64)
            ),
            None => "No empirical throughput history: the capacity is a distribution".into(),
        }),
        &entries,
    )?;
    let (left, right) = plot.split_horizontally((plot.dim_in_pixel().0 as f64 * 0.46) as u32);
    let left = left.margin(0, 0, 0, 0);
    let right = right.margin(0, 0, 30, 0);
    // Left: the history.
    let hists: Vec<(&ForecastData, &[f64])> =
        fs.iter().filter_map(|f| Some((f, f.history()?))).collect();
    if hists.is_empty() {
        note(&left, "no empirical history")?;
    } else {
        let n = hists.iter().map(|h| h.1.len()).max().unwrap_or(1) as f64;
        let ymax = hists
            .iter()
            .flat_map(|h| h.1.iter().copied())
            .fold(0.0, f64::max)
            .max(1.0)
            * 1.12;
        let mut chart = ChartBuilder::on(&left)
            .x_label_area_size(70)
            .y_label_area_size(80)
            .caption(
                format!("Throughput history ({} per {noun})", work),
                font(LABEL_SIZE - 2.0),
            )
            .build_cartesian_2d(0.5..n + 0.5, 0.0..ymax)?;
        let step = tick_step(n, 12) as f64;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .disable_x_mesh()
            .x_desc(format!(
                "{} of the history, oldest first",
                capitalized(noun)
            ))
            .y_desc(capitalized(work))
            .axis_desc_style(font(LABEL_SIZE - 2.0))
            .label_style(font(TICK_SIZE))
            .x_labels((n / step) as usize + 1)
            .x_label_formatter(&|v| {
                if v.fract().abs() < 1e-9 && *v >= 1.0 {
                    format!("{v:.0}")
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| format!("{v:.0}"))
            .y_labels(6)
            .draw()?;
        let width = 0.8 / hists.len() as f64;
        for (j, (f, h)) in hists.iter().enumerate() {
            let col = scenario_color(f.i);
            let pad = n - h.len() as f64; // a shorter history ends at the same place
            chart.draw_series(h.iter().enumerate().map(|(t, &v)| {
                let x0 = pad + t as f64 + 1.0 - 0.4 + width * j as f64;
                Rectangle::new([(x0, 0.0), (x0 + width, v)], col.mix(0.8).filled())
            }))?;
        }
    }
    // Right: the answers by history length.
    let lens: Vec<&ForecastData> = fs.iter().filter(|f| f.by_length.len() > 1).collect();
    if lens.is_empty() {
        return note(&right, "a history of 5 or more values is needed");
    }
    let horizon = fs.iter().map(|f| f.done_in.len() - 1).max().unwrap_or(1) as f64;
    let kmax = lens
        .iter()
        .flat_map(|f| f.by_length.iter().map(|e| e.0))
        .max()
        .unwrap_or(1) as f64;
    let kmin = lens
        .iter()
        .flat_map(|f| f.by_length.iter().map(|e| e.0))
        .min()
        .unwrap_or(1) as f64;
    let val = |p: Pct| match p {
        Pct::Value(v) => v,
        Pct::Beyond(_) => horizon + 1.0,
    };
    let (ylo, yhi) = padded_range(
        lens.iter()
            .flat_map(|f| f.by_length.iter().flat_map(|e| e.1.map(val))),
        0.12,
        false,
    );
    let mut chart = ChartBuilder::on(&right)
        .x_label_area_size(70)
        .y_label_area_size(80)
        .caption(
            format!("Completion {noun} with the last k values"),
            font(LABEL_SIZE - 2.0),
        )
        .build_cartesian_2d(kmin - 1.0..kmax + 1.0, ylo.floor()..yhi.ceil())?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .x_desc("k: values of the history used (the most recent)")
        .y_desc(format!("Done by {noun}"))
        .axis_desc_style(font(LABEL_SIZE - 2.0))
        .label_style(font(TICK_SIZE))
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .x_labels(10)
        .y_labels(8)
        .draw()?;
    // Lines first, then the marks; marks at the same answer for the same k (85 % and 95 %
    // both "week 25") stand side by side, so none hides another.
    let mut marks: Vec<((f64, f64), Marker, RGBColor)> = Vec::new();
    for f in &lens {
        let col = scenario_color(f.i);
        for (ci, m) in [Marker::Circle, Marker::Triangle, Marker::Square]
            .iter()
            .enumerate()
        {
            let pts: Vec<(f64, f64)> = f
                .by_length
                .iter()
                .map(|e| (e.0 as f64, val(e.1[ci])))
                .collect();
            let w = if HISTORY[ci] == 85 { 4 } else { 2 };
            chart.draw_series(LineSeries::new(pts.clone(), col.stroke_width(w)))?;
            marks.extend(pts.into_iter().map(|p| (p, *m, col)));
        }
    }
    let per_px = (kmax - kmin + 2.0) / chart.plotting_area().dim_in_pixel().0.max(1) as f64;
    for (p, m, col) in dodged(&marks, 17.0 * per_px) {
        draw_marker(chart.plotting_area(), p, m, 8, WHITE.filled())?;
        draw_marker(chart.plotting_area(), p, m, 6, col.filled())?;
    }
    Ok(())
}

/// Marks that fall on the same point spread side by side, `step` apart in x and centred on
/// it, in their order; the others stay where they are.
fn dodged<T: Copy>(
    marks: &[((f64, f64), T, RGBColor)],
    step: f64,
) -> Vec<((f64, f64), T, RGBColor)> {
    marks
        .iter()
        .enumerate()
        .map(|(i, &(p, m, c))| {
            let same = |q: &((f64, f64), T, RGBColor)| q.0 == p;
            let group = marks.iter().filter(|q| same(q)).count() as f64;
            let place = marks[..i].iter().filter(|q| same(q)).count() as f64;
            ((p.0 + (place - (group - 1.0) / 2.0) * step, p.1), m, c)
        })
        .collect()
}

/// Whether [`draw_inputs`] draws the same chart from `a` as from `b`: it reads only the
/// scenarios (names and tables: the history, the units) and, per forecast scenario of
/// [`forecasts`], its place, the length of its completion counts (the horizon) and the
/// history's rows (a missing confidence is NaN, never equal: drawn again).
pub fn same_inputs(a: &Results, b: &Results) -> bool {
    let tables = |r: &Results| {
        r.scenarios
            .iter()
            .map(|s| (s.name.clone(), s.table.clone()))
            .collect::<Vec<_>>()
    };
    let key = |r: &Results| {
        forecasts(r)
            .into_iter()
            .map(|f| (f.i, f.name, f.done_in.len(), f.history_runs, f.by_length))
            .collect::<Vec<_>>()
    };
    tables(a) == tables(b) && key(a) == key(b)
}
