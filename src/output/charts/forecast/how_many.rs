//! `forecast_how_many`: the items done by the target.

use super::*;

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
    let ymax = shares
        .iter()
        .flatten()
        .map(|p| p.1)
        .fold(0.0, f64::max)
        .max(1e-9)
        * 1.25;
    let (lo, hi) = (xmin - 1.0, xmax + 1.0);
    let mut chart = ChartBuilder::on(&plot)
        .x_label_area_size(70)
        .y_label_area_size(92)
        .build_cartesian_2d(lo..hi, 0.0..ymax)?;
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
        .y_label_formatter(&|v| format!("{:.1}", v * 100.0))
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
    // The answers: a line at each confidence's count, labelled at the top.
    for (j, f) in fs.iter().enumerate() {
        let col = scenario_color(f.i);
        for (n, c) in CONFIDENCES.iter().enumerate() {
            let Some(q) = f.how_many(*c) else { continue };
            let x = q as f64 - 0.5;
            dashed_at(&mut chart, (x, 0.0), (x, ymax * 0.86), col, 2)?;
            let y = ymax * (0.97 - 0.045 * (n % 2) as f64 - 0.09 * j as f64);
            chart.draw_series(std::iter::once(Text::new(
                format!("{c} %: ≥ {q}"),
                (x, y),
                font(TICK_SIZE - 2.0)
                    .color(&col)
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            )))?;
        }
    }
    Ok(())
}
