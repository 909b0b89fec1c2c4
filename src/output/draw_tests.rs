//! [`draw_pending`]: every chart that applies, in each format asked for and no other, and a
//! report that shows each of them, all pending until committed.

use super::*;

fn drawn(formats: ImageFormat) -> (tempfile::TempDir, Vec<ChartKind>) {
    let dir = tempfile::tempdir().unwrap();
    fixture::write(dir.path(), 2, 30).unwrap();
    let results = Results::read(dir.path()).unwrap();
    let kinds = ChartKind::applying(&results);
    assert!(kinds.len() >= 3, "{kinds:?}");
    let pending = draw_pending(&results, dir.path(), formats).unwrap();
    assert!(
        !dir.path().join("report.html").exists(),
        "nothing takes its name before the commit"
    );
    atomic::commit_all(pending).unwrap();
    (dir, kinds)
}

#[test]
fn every_chart_in_each_format_asked_for_and_the_report_shows_them() {
    for formats in [ImageFormat::Png, ImageFormat::Svg, ImageFormat::Both] {
        let (dir, kinds) = drawn(formats);
        for kind in &kinds {
            let stem = dir.path().join(kind.file_stem());
            for (ext, wanted) in [("png", formats.png()), ("svg", formats.svg())] {
                let file = stem.with_extension(ext);
                assert_eq!(file.exists(), wanted, "{} with {formats:?}", file.display());
                if wanted {
                    assert!(std::fs::metadata(&file).unwrap().len() > 1000, "{ext}");
                }
            }
        }
        let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
        assert_eq!(html.matches("<svg").count(), kinds.len(), "{formats:?}");
    }
}

/// The `scenarios.toml` and `forecast_dist.csv` of a run of the `forecast` preset with
/// answers by history length (`p50` the first one's 50 % answer) and no simulated run, and
/// the same with the completion counts of a run added.
fn forecast_texts(p50: u32) -> (String, String, String) {
    forecast_texts_with(vec![
        (5, [Some(p50), Some(12), None]),
        (16, [Some(9), Some(11), Some(14)]),
    ])
}

/// [`forecast_texts`] with these answers by history length: (k, 50/85/95 % answers).
#[allow(clippy::type_complexity)]
fn forecast_texts_with(when: Vec<(usize, [Option<u32>; 3])>) -> (String, String, String) {
    let s = crate::scenario::load::load_scenario("forecast").unwrap();
    let meta = csv::RunMeta {
        version: "0".into(),
        command: "backsim run forecast".into(),
        seed: 1,
        runs: 200,
        baseline: s.name.clone(),
        date: "2026-12-03".into(),
    };
    let toml = csv::scenarios_toml(&meta, std::slice::from_ref(&s)).unwrap();
    let history = vec![Some(forecast::HistoryLength {
        runs: 200,
        history: 16,
        when,
    })];
    let none = forecast::Forecasts::new(std::slice::from_ref(&s));
    let dist = forecast::forecast_dist_csv(&none, &history, std::slice::from_ref(&s));
    let full = format!(
        "{dist}{},done_in,20,150\n{},done_in,21,50\n",
        s.name, s.name
    );
    (toml, dist, full)
}

/// `forecast_inputs` drawn early from the scenarios and the answers by history length alone
/// is the chart of the complete results (which add the completion counts); the set takes it
/// as it is when it fits, and draws the chart again when the complete results differ in
/// what it shows (here an answer by history length).
#[test]
fn an_early_chart_is_the_sets_and_taken_only_when_it_fits() {
    let dir = tempfile::tempdir().unwrap();
    let (toml, partial, full) = forecast_texts(10);
    let partial = Results::of_texts(dir.path(), &toml, &partial).unwrap();
    let full = Results::of_texts(dir.path(), &toml, &full).unwrap();
    let kind = ChartKind::ForecastInputs;
    let early = EarlyChart::draw(kind, partial, dir.path(), ImageFormat::Both)
        .unwrap()
        .expect("the chart applies");
    assert_eq!(early.svg, kind.svg_string(&full).unwrap(), "the same chart");
    assert!(early.png.is_some());
    assert!(early.fits(kind, &full));
    assert!(!early.fits(ChartKind::ForecastWhen, &full));
    let (_, other, _) = forecast_texts(11);
    assert!(!early.fits(kind, &Results::of_texts(dir.path(), &toml, &other).unwrap()));
    // Taken as it is (marked here), or drawn again.
    let marked = |early: &EarlyChart| EarlyChart {
        kind,
        results: early.results.clone(),
        svg: "<svg>EARLY</svg>".into(),
        png: None,
    };
    let (files, html) = draw_early_and_report(
        &full,
        dir.path(),
        ImageFormat::Svg,
        false,
        vec![marked(&early)],
    )
    .unwrap();
    assert!(html.contains("EARLY"));
    assert_eq!(files.len(), ChartKind::applying(&full).len());
    let (_, _, changed) = forecast_texts(11);
    let changed = Results::of_texts(dir.path(), &toml, &changed).unwrap();
    let (_, html) = draw_early_and_report(
        &changed,
        dir.path(),
        ImageFormat::Svg,
        false,
        vec![marked(&early)],
    )
    .unwrap();
    assert!(!html.contains("EARLY"));
    assert!(html.contains(&kind.svg_string(&changed).unwrap()));
}

/// The report of a throughput forecast captions each chart in the forecast's own words: its
/// `flow_velocity` is the one-panel throughput in items per week (not the roles model's
/// velocity against commitment, "Left … Right …" in points), and its forecast charts speak
/// of weeks, as their axes do.
#[test]
fn a_forecasts_captions_describe_its_charts_in_its_units() {
    let dir = tempfile::tempdir().unwrap();
    let (toml, _, full) = forecast_texts(10);
    let r = Results::of_texts(dir.path(), &toml, &full).unwrap();
    assert_eq!(charts::forecast::run_units(&r), ("items", "week"));
    let (_, html) = draw_early_and_report(&r, dir.path(), ImageFormat::Svg, false, vec![]).unwrap();
    let caption = |stem: &str| {
        let at = html.find(&format!("<figure id=\"{stem}\">")).expect(stem);
        let from = at + html[at..].find("<figcaption>").unwrap() + "<figcaption>".len();
        html[from..from + html[from..].find("</figcaption>").unwrap()].to_string()
    };
    let velocity = caption("flow_velocity");
    assert!(
        velocity.starts_with("Items finished in each week"),
        "{velocity}"
    );
    for roles_words in ["Left", "points", "commit"] {
        assert!(!velocity.contains(roles_words), "{velocity}");
    }
    for stem in ["forecast_when", "forecast_inputs"] {
        let text = caption(stem);
        assert!(
            text.contains("week") && !text.contains("sprint"),
            "{stem}: {text}"
        );
    }
}

/// In `forecast_inputs` the 85 % and 95 % answers were drawn one on the other when they
/// agree (both "week 14" with the last 16 values): the triangle hid under the square. Marks
/// of the same answer now stand side by side: no two marks share a centre.
#[test]
fn forecast_inputs_marks_that_agree_stand_side_by_side() {
    use crate::output::charts::svg_probe::{attr, elements, num, points};
    let dir = tempfile::tempdir().unwrap();
    let (toml, _, full) = forecast_texts_with(vec![
        (5, [Some(10), Some(12), Some(12)]),
        (16, [Some(11), Some(14), Some(14)]),
    ]);
    let r = Results::of_texts(dir.path(), &toml, &full).unwrap();
    let svg = ChartKind::ForecastInputs.svg_string(&r).unwrap();
    let c = charts::scenario_color(0);
    let colour = format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
    let coloured = |e: &&str| attr(e, "fill") == colour;
    let mut centres: Vec<(f64, f64)> = Vec::new();
    for e in elements(&svg, "<circle ")
        .iter()
        .map(|x| x.0)
        .filter(coloured)
    {
        centres.push((num(e, "cx"), num(e, "cy")));
    }
    for e in elements(&svg, "<polygon ")
        .iter()
        .map(|x| x.0)
        .filter(coloured)
    {
        let p = points(e);
        let n = p.len() as f64;
        centres.push((
            p.iter().map(|q| q.0).sum::<f64>() / n,
            p.iter().map(|q| q.1).sum::<f64>() / n,
        ));
    }
    // The square marks (10 × 10 px), not the history's bars.
    for e in elements(&svg, "<rect ")
        .iter()
        .map(|x| x.0)
        .filter(coloured)
    {
        if num(e, "width") <= 12.0 && num(e, "height") <= 12.0 {
            let (x, y) = (num(e, "x"), num(e, "y"));
            centres.push((x + num(e, "width") / 2.0, y + num(e, "height") / 2.0));
        }
    }
    assert_eq!(centres.len(), 6, "{centres:?}");
    for (i, a) in centres.iter().enumerate() {
        for b in &centres[i + 1..] {
            assert!(
                (a.0 - b.0).abs() >= 12.0 || (a.1 - b.1).abs() >= 12.0,
                "{a:?} and {b:?}"
            );
        }
    }
}
