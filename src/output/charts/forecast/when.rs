//! `forecast_when`: the completion CDF.

use super::*;

/// `forecast_when`: "when will the scope be done?" as a CDF with the answers and the promise.
pub fn draw_when<DB>(root: &DrawingArea<DB, Shift>, r: &Results) -> anyhow::Result<()>
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let (_, noun) = run_units(r);
    let fs = forecasts(r);
    let mut entries = Vec::new();
    for f in &fs {
        let answers: Vec<String> = CONFIDENCES
            .iter()
            .map(|&c| match f.when(c) {
                Some(k) => match f.calendar() {
                    Some(cal) => format!(
                        "{c} % by {noun} {k} ({})",
                        short_date(cal.sprint_end(k), false)
                    ),
                    None => format!("{c} % by {noun} {k}"),
                },
                None => format!("{c} % not within {}", f.done_in.len() - 1),
            })
            .collect();
        entries.push(Entry::new(
            Swatch::Line(scenario_color(f.i)),
            format!("{}: {}", f.name, answers.join(", ")),
        ));
    }
    let promised: Vec<(usize, u32, f64)> = fs
        .iter()
        .filter_map(|f| {
            let p = f.scenario.as_ref()?.promised_sprint()?;
            let cdf = f.cdf();
            let share = cdf
                .get((p as usize).saturating_sub(1))
                .map_or_else(|| cdf.last().map_or(0.0, |c| c.1), |c| c.1);
            Some((f.i, p, if p == 0 { 0.0 } else { share }))
        })
        .collect();
    for &(i, p, share) in &promised {
        let col = if promised.len() == 1 {
            INK
        } else {
            scenario_color(i)
        };
        let date = fs
            .iter()
            .find(|f| f.i == i)
            .and_then(|f| f.calendar())
            .map(|c| format!(" ({})", short_date(c.sprint_end(p), true)))
            .unwrap_or_default();
        entries.push(Entry::new(
            Swatch::Dashed(col),
            format!(
                "promise: {noun} {p}{date}, {} of runs done by then",
                crate::format::share_of_runs(share)
            ),
        ));
    }
    let plot = frame(
        root,
        &format!("When will it be done? Share of runs done by each {noun}"),
        Some("Runs not done within the horizon count as not done; the grey lines mark 50, 70, 85 and 95 % confidence"),
        &entries,
    )?;
    if fs.is_empty() {
        return note(
            &plot,
            "no forecast counts (forecast_dist.csv) in this folder",
        );
    }
    let horizon = fs.iter().map(|f| f.done_in.len() - 1).max().unwrap_or(1) as f64;
    let first = fs
        .iter()
        .filter_map(|f| f.done_in.iter().position(|&d| d > 0))
        .min()
        .unwrap_or(1);
    let last = fs
        .iter()
        .map(|f| {
            if f.not_done > 0 {
                f.done_in.len() - 1
            } else {
                f.done_in.iter().rposition(|&d| d > 0).unwrap_or(1)
            }
        })
        .max()
        .unwrap_or(1);
    let mut lo = first.saturating_sub(3).max(1) as f64;
    let mut hi = ((last + 2) as f64).min(horizon);
    for &(_, p, _) in &promised {
        lo = lo.min((p as f64 - 2.0).max(0.5));
        hi = hi.max((p as f64 + 1.0).min(horizon));
    }
    let (lo, hi) = (lo - 0.5, hi + 0.5);
    let calendar = fs.iter().find_map(|f| f.calendar());
    // Dates only when every forecast has the same calendar (else sprint numbers only).
    let calendar = calendar.filter(|c| fs.iter().all(|f| f.calendar().as_ref() == Some(c)));
    let mut chart = sprint_axes(
        &plot,
        (lo, hi),
        (0.0, 1.04),
        &sprint_desc(noun, calendar.as_ref()),
        "Share of runs done (%)",
        calendar.is_some(),
        &|v| format!("{:.0}", v * 100.0),
    )?;
    sprint_ticks(&plot, &chart, (lo, hi), calendar.as_ref())?;
    let grey = RGBColor(150, 150, 150);
    for c in CONFIDENCES {
        let q = c as f64 / 100.0;
        dashed_at(&mut chart, (lo, q), (hi, q), grey, 1)?;
        chart.draw_series(std::iter::once(Text::new(
            format!("{c} %"),
            (lo + 0.08, q + 0.008),
            font(TICK_SIZE - 2.0)
                .color(&RGBColor(110, 110, 110))
                .pos(Pos::new(HPos::Left, VPos::Bottom)),
        )))?;
    }
    // The promise: a dashed vertical line, labelled with the share of runs done by then.
    for &(i, p, share) in &promised {
        let x = p as f64;
        let col = if promised.len() == 1 {
            INK
        } else {
            scenario_color(i)
        };
        dashed_at(&mut chart, (x, 0.0), (x, 1.0), col, 2)?;
        draw_marker(
            chart.plotting_area(),
            (x, share),
            Marker::Diamond,
            9,
            WHITE.filled(),
        )?;
        draw_marker(
            chart.plotting_area(),
            (x, share),
            Marker::Diamond,
            7,
            col.filled(),
        )?;
    }
    for f in &fs {
        let col = scenario_color(f.i);
        let cdf = f.cdf();
        // Steps: the share holds through each sprint and jumps at its end.
        let mut pts = vec![(lo, 0.0)];
        let mut prev = 0.0;
        for &(k, s) in cdf.iter().filter(|p| p.0 as f64 >= lo && p.0 as f64 <= hi) {
            pts.push((k as f64, prev));
            pts.push((k as f64, s));
            prev = s;
        }
        pts.push((hi, prev));
        if scenario_dashed(f.i) {
            chart.draw_series(DashedLineSeries::new(pts, 10, 6, col.stroke_width(4)))?;
        } else {
            chart.draw_series(LineSeries::new(pts, col.stroke_width(4)))?;
        }
        for c in CONFIDENCES {
            if let Some(k) = f.when(c) {
                let y = cdf[k as usize - 1].1;
                draw_marker(
                    chart.plotting_area(),
                    (k as f64, y),
                    Marker::Circle,
                    8,
                    WHITE.filled(),
                )?;
                draw_marker(
                    chart.plotting_area(),
                    (k as f64, y),
                    Marker::Circle,
                    6,
                    col.filled(),
                )?;
            }
        }
    }
    Ok(())
}
