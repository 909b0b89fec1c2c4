//! Whole-pipeline tests of `plot_dir` on synthetic results folders.

use std::fs;
use std::path::{Path, PathBuf};

use backsim::error::exit_code;
use backsim::output::{charts, fixture, plot_dir, ChartKind, ImageFormat, Results};

fn fixture_dir(scenarios: usize, runs: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fixture::write(dir.path(), scenarios, runs).unwrap();
    dir
}

/// (width, height, share of pixels that differ from the top-left background pixel).
fn png_stats(path: &Path) -> (u32, u32, f64) {
    let decoder = png::Decoder::new(fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let bpp = info.color_type.samples();
    let px = &buf[..info.buffer_size()];
    let bg = &px[..bpp];
    let total = (info.width * info.height) as usize;
    let other = px.chunks(bpp).filter(|p| *p != bg).count();
    (info.width, info.height, other as f64 / total as f64)
}

fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v: Vec<(PathBuf, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let b = fs::read(&p).unwrap();
            (p, b)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn plot_dir_writes_every_chart_and_the_report() {
    let dir = fixture_dir(4, 60);
    let summary = plot_dir(dir.path(), ImageFormat::Both).unwrap();
    let results = Results::read(dir.path()).unwrap();
    // A roles run: every chart but the forecast's own, which have no counts to draw.
    let kinds = ChartKind::applying(&results);
    assert_eq!(kinds.len(), ChartKind::ALL.len() - 3);
    assert_eq!(summary.files.len(), kinds.len() * 2 + 1);
    for stem in ["forecast_when", "forecast_how_many", "forecast_inputs"] {
        assert!(!dir.path().join(format!("{stem}.png")).exists(), "{stem}");
    }
    for kind in kinds.iter().copied() {
        let png = dir.path().join(format!("{}.png", kind.file_stem()));
        let (w, h, ink) = png_stats(&png);
        assert_eq!((w, h), kind.size(&results), "{}", png.display());
        assert!(w == 1200 && h >= 700);
        assert!(ink > 0.03, "{} is nearly blank ({ink})", png.display());

        let svg = fs::read_to_string(dir.path().join(format!("{}.svg", kind.file_stem()))).unwrap();
        assert!(svg.starts_with("<svg"), "{}", kind.file_stem());
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(
            svg.matches("<text").count() > 5,
            "{} has little text",
            kind.file_stem()
        );
        assert_eq!(svg.matches('<').count(), svg.matches('>').count());
    }
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert_eq!(html.matches("<svg").count(), kinds.len());
    for banned in ["<script", "<link", "@import", "url(", " src="] {
        assert!(!html.contains(banned), "report holds {banned}");
    }
    // Descriptions are escaped, not injected.
    assert!(html.contains("decides &lt;same day&gt;"));
    assert!(!html.contains("<same day>"));
    assert!(html.contains("What this shows"));
    assert!(html.contains("backsim run --runs 60 --seed 42"));
    // No temporary files left behind (the one hidden file is backsim's list of its files).
    assert!(snapshot(dir.path()).iter().all(|(p, _)| {
        let name = p.file_name().unwrap().to_string_lossy();
        !name.starts_with('.') || name == backsim::output::atomic::MANIFEST
    }));
}

#[test]
fn drawing_twice_gives_identical_files() {
    let dir = fixture_dir(3, 30);
    plot_dir(dir.path(), ImageFormat::Both).unwrap();
    let first = snapshot(dir.path());
    plot_dir(dir.path(), ImageFormat::Both).unwrap();
    let second = snapshot(dir.path());
    assert_eq!(first.len(), second.len());
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(a.0, b.0);
        assert!(a.1 == b.1, "{} differs between two drawings", a.0.display());
    }
}

#[test]
fn single_chart_functions_write_the_asked_formats() {
    let dir = fixture_dir(2, 20);
    let r = Results::read(dir.path()).unwrap();
    let written = charts::delay_cdf(&r, &dir.path().join("x/../delay"), ImageFormat::Svg);
    // A path through a missing folder is an I/O failure, not a panic.
    assert!(written.is_err());
    let written = charts::compare_forest(&r, &dir.path().join("forest"), ImageFormat::Svg).unwrap();
    assert_eq!(written, vec![dir.path().join("forest.svg")]);
    let written = charts::quality(&r, &dir.path().join("q.png"), ImageFormat::Png).unwrap();
    assert_eq!(written, vec![dir.path().join("q.png")]);
    assert!(!dir.path().join("q.svg").exists());
}

#[test]
fn one_scenario_still_draws() {
    let dir = fixture_dir(1, 10);
    plot_dir(dir.path(), ImageFormat::Png).unwrap();
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("Only the baseline was run."));
}

/// Plot once, break one input, plot again: the error names file and line, the exit code
/// is 2, and every existing file is byte-for-byte untouched.
fn assert_rejected(break_it: impl FnOnce(&Path), expect: &str) {
    let dir = fixture_dir(2, 12);
    plot_dir(dir.path(), ImageFormat::Both).unwrap();
    break_it(dir.path());
    let before = snapshot(dir.path());
    let err = plot_dir(dir.path(), ImageFormat::Both).unwrap_err();
    let msg = format!("{err:#}");
    assert!(msg.contains(expect), "message {msg:?} lacks {expect:?}");
    assert_eq!(exit_code(&err), 2, "{msg}");
    assert_eq!(
        before,
        snapshot(dir.path()),
        "files changed after bad input"
    );
}

fn edit(path: &Path, f: impl FnOnce(String) -> String) {
    let text = fs::read_to_string(path).unwrap();
    fs::write(path, f(text)).unwrap();
}

#[test]
fn missing_folder_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let gone = dir.path().join("nope");
    let err = plot_dir(&gone, ImageFormat::Png).unwrap_err();
    assert!(format!("{err:#}").contains("nope: no such folder"));
    assert_eq!(exit_code(&err), 2);
    let err = plot_dir(dir.path(), ImageFormat::Png).unwrap_err();
    assert!(format!("{err:#}").contains("no backsim results here"));
    assert_eq!(exit_code(&err), 2);
}

#[test]
fn missing_file_is_rejected() {
    assert_rejected(
        |d| fs::remove_file(d.join("compare.csv")).unwrap(),
        "compare.csv: missing",
    );
}

#[test]
fn missing_column_is_rejected() {
    assert_rejected(
        |d| {
            edit(&d.join("distributions.csv"), |t| {
                t.replacen("value", "val", 1)
            })
        },
        "distributions.csv:1: missing column 'value'",
    );
}

#[test]
fn malformed_row_is_rejected() {
    assert_rejected(
        |d| {
            edit(&d.join("sprints.csv"), |t| {
                let mut lines: Vec<&str> = t.lines().collect();
                lines[4] = "split-roles,1,velocity";
                lines.join("\n") + "\n"
            })
        },
        "sprints.csv:5: malformed row: 3 fields where the header has 7",
    );
}

#[test]
fn wrong_type_is_rejected() {
    assert_rejected(
        |d| {
            edit(&d.join("compare.csv"), |t| {
                let mut lines: Vec<String> = t.lines().map(String::from).collect();
                lines[2] = lines[2].replacen(",lower,", ",sideways,", 1);
                lines.join("\n") + "\n"
            })
        },
        "compare.csv:3: column 'better_when': expected lower or higher, got \"sideways\"",
    );
}

#[test]
fn unknown_scenario_and_bad_toml_are_rejected() {
    assert_rejected(
        |d| {
            edit(&d.join("distributions.csv"), |t| {
                t.replacen("\nsplit-roles,", "\nghost,", 1)
            })
        },
        "distributions.csv:2: column 'scenario': scenario \"ghost\" is not in scenarios.toml",
    );
    assert_rejected(
        |d| {
            edit(&d.join("scenarios.toml"), |t| {
                t.replacen("[run]", "[run", 1)
            })
        },
        "scenarios.toml: TOML parse error at line 1",
    );
}

/// Opens the report in headless Chromium (slow, needs `chromium`): `cargo test -- --ignored`.
#[test]
#[ignore]
fn report_renders_in_chromium() {
    let dir = fixture_dir(4, 50);
    plot_dir(dir.path(), ImageFormat::Png).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/check_report.sh");
    let shot = dir.path().join("..").join("backsim_report_screenshot.png");
    let out = std::process::Command::new("bash")
        .arg(&script)
        .arg(dir.path())
        .env("SCREENSHOT", &shot)
        .output()
        .unwrap();
    let _ = fs::remove_file(&shot);
    if out.status.code() == Some(77) {
        eprintln!("chromium not installed: skipped");
        return;
    }
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn report_has_a_contents_list_and_no_snake_case_metric_names() {
    let dir = fixture_dir(3, 30);
    plot_dir(dir.path(), ImageFormat::Svg).unwrap();
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    // A table of contents linking every section heading, before the first heading.
    let toc = html
        .find("<nav class=\"toc\">")
        .expect("a table of contents");
    assert!(toc < html.find("<h2").unwrap());
    for id in ["key-metrics", "differences", "charts", "parameters"] {
        assert!(html.contains(&format!("<a href=\"#{id}\">")), "{id}");
        assert!(html.contains(&format!("<h2 id=\"{id}\">")), "{id}");
    }
    // Every metric of the tables and charts in words, never as its column name.
    let r = Results::read(dir.path()).unwrap();
    for metric in r.compare_metrics() {
        if metric.contains('_') {
            assert!(
                !html.contains(&format!(">{metric}")) && !html.contains(&format!("{metric}<")),
                "{metric} shown as a column name"
            );
        }
    }
    assert!(html.contains("Value efficiency"));
    // Charts' SVG text too (the forest lists every metric).
    let forest = ChartKind::CompareForest.svg_string(&r).unwrap();
    assert!(forest.contains("Median lead time"));
    assert!(!forest.contains("lead_time_p50_days"));
}

#[test]
fn a_later_section_is_listed_in_the_contents() {
    let dir = fixture_dir(2, 20);
    plot_dir(dir.path(), ImageFormat::Svg).unwrap();
    let pending = backsim::output::publish::report_section(
        dir.path(),
        "sweep-demo",
        "<h2>Sweep of something</h2>\n<p>x</p>",
    )
    .unwrap();
    backsim::output::atomic::commit_all(vec![pending]).unwrap();
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert_eq!(html.matches("<nav class=\"toc\">").count(), 1);
    assert!(html.contains("<a href=\"#sweep-demo\">Sweep of something</a>"));
    assert!(html.contains("<a href=\"#charts\">Charts</a>"));
}

#[test]
fn projector_theme_draws_larger_type_and_lines_and_a_larger_report() {
    // A separate process: the theme is process-wide.
    let dir = fixture_dir(3, 30);
    assert_cmd::Command::cargo_bin("backsim")
        .unwrap()
        .args(["plot", "--theme", "projector", "--format", "png"])
        .arg(dir.path())
        .assert()
        .success();
    let r = Results::read(dir.path()).unwrap();
    // Same drawing on a canvas 0.8 the size: type and lines are 1.25 times larger in it.
    let (w, h, ink) = png_stats(&dir.path().join("delay_cdf.png"));
    assert_eq!((w, h), (960, 560));
    assert!(ink > 0.03);
    let (_, fh, _) = png_stats(&dir.path().join("compare_forest.png"));
    assert_eq!(
        fh,
        (ChartKind::CompareForest.size(&r).1 as f64 * 0.8).round() as u32
    );
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("body{font-size:22px}"));
    // Without the theme: the default look.
    plot_dir(dir.path(), ImageFormat::Png).unwrap();
    assert_eq!(png_stats(&dir.path().join("delay_cdf.png")).0, 1200);
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(!html.contains("body{font-size:22px}"));
}

/// A forecast file left by an earlier run is not of the set of the results now in the
/// folder: neither the next run's charts nor `plot` read it, and the run removes it.
#[test]
fn plot_reads_only_the_forecast_files_published_with_the_run() {
    use backsim::cli::RunArgs;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = |scenarios: &[&str], no_charts: bool| {
        backsim::commands::run::run(&RunArgs {
            scenarios: scenarios.iter().map(|s| s.to_string()).collect(),
            runs: Some(20),
            out: out.clone(),
            quiet: true,
            no_charts,
            format: backsim::cli::Format::Svg,
            ..Default::default()
        })
        .unwrap();
    };
    run(&["forecast"], true);
    assert!(out.join("forecast.csv").exists());
    // A roles run without charts removes the forecast files of the earlier set: nothing of
    // it passes for new, and plot has no forecast to read.
    run(&["aligned", "siloed-pm"], true);
    assert!(!out.join("forecast.csv").exists() && !out.join("forecast_dist.csv").exists());
    let r = Results::read(&out).unwrap();
    assert!(r.forecast.is_empty() && r.forecast_dist.is_empty());
    backsim::commands::plot::draw(&out, backsim::cli::Format::Svg).unwrap();
    assert!(!out.join("forecast_when.svg").exists());
    // A run with charts removes the stale files.
    run(&["forecast"], true);
    run(&["aligned", "siloed-pm"], false);
    assert!(!out.join("forecast.csv").exists() && !out.join("forecast_dist.csv").exists());
    assert!(out.join("compare_forest.svg").exists());
    // A forecast run again: its own forecast files are read; one scenario has no forest.
    run(&["forecast"], false);
    let r = Results::read(&out).unwrap();
    assert!(!r.forecast.is_empty());
    assert!(out.join("forecast_when.svg").exists());
    assert!(
        !out.join("compare_forest.svg").exists(),
        "one scenario: no forest"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        !html.contains("<th>Date</th>"),
        "no calendar: no Date column"
    );
    assert!(html.contains("<th>Items</th>"));
}

/// A drawing in one format replaces the earlier drawing whole: the charts it drew in the
/// other format go (only backsim's own: a file the user put there stays), and a chart that
/// does not belong to the new results goes too.
#[test]
fn plot_in_one_format_removes_the_earlier_drawings_other_format() {
    let dir = fixture_dir(2, 12);
    plot_dir(dir.path(), ImageFormat::Svg).unwrap();
    let svgs = |d: &Path| -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".svg"))
            .collect();
        v.sort();
        v
    };
    assert!(svgs(dir.path()).len() > 3);
    fs::write(dir.path().join("mine.svg"), "<svg/>").unwrap();
    plot_dir(dir.path(), ImageFormat::Png).unwrap();
    assert_eq!(svgs(dir.path()), ["mine.svg"]);
    assert!(dir.path().join("delay_cdf.png").exists());
    let manifest = fs::read_to_string(dir.path().join(".backsim-manifest")).unwrap();
    assert!(!manifest.contains(".svg"), "{manifest}");
}
