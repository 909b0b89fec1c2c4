//! Output side: reading a results folder back, charts and the HTML report.
//!
//! The entry point is [`plot_dir`]: it reads and checks every input file first (bad input
//! is an exit-code-2 error naming the file and line), then draws each chart and
//! `report.html` into pending temporary files renamed into place together (see [`atomic`]),
//! so a failure never leaves half-written files.

pub mod atomic;
pub mod charts;
pub mod csv;
#[doc(hidden)]
pub mod fixture;
pub mod forecast;
pub mod names;
pub mod progress;
pub mod publish;
pub mod report;
pub mod results;
pub mod sections;
pub mod table;

use std::path::{Path, PathBuf};

pub use charts::{ChartKind, ImageFormat};
pub use results::Results;

/// What [`plot_dir`] wrote.
#[derive(Debug, Clone, Default)]
pub struct PlotSummary {
    /// Every file written, charts first, `report.html` last.
    pub files: Vec<PathBuf>,
}

/// Most rows of runs.csv that drawing reads back by default: every row is held in memory
/// (about half a KiB each), so 2 million rows take about 1 GiB.
pub const MAX_CHART_ROWS: u64 = 2_000_000;

/// Refuse, before any simulation, a run whose charts would read back more rows than
/// [`MAX_CHART_ROWS`]; `--no-charts` or `--allow-large` (deliberately) lift it.
pub fn check_chartable(runs: u64, scenarios: usize, allow_large: bool) -> anyhow::Result<()> {
    let rows = runs.saturating_mul(scenarios as u64);
    if rows > MAX_CHART_ROWS && !allow_large {
        return Err(crate::error::input_error(format!(
            "--runs {runs} × {scenarios} scenarios = {rows} rows of runs.csv is above the limit of {MAX_CHART_ROWS} for drawing charts (the charts read every run back into memory); pass --no-charts, or --allow-large to raise the limit deliberately"
        )));
    }
    Ok(())
}

/// Read the results in `dir`, draw every chart into `dir` in `formats`, write `report.html`.
pub fn plot_dir(dir: &Path, formats: ImageFormat) -> anyhow::Result<PlotSummary> {
    let results = Results::read(dir)?;
    atomic::clean_stale(dir);
    let files = atomic::commit_all(draw_pending(&results, dir, formats)?)?;
    Ok(PlotSummary { files })
}

/// The names of the files [`draw_pending`] writes: every chart in `formats`, then
/// `report.html`.
pub fn drawn_file_names(formats: ImageFormat) -> Vec<String> {
    let mut names = Vec::new();
    for kind in ChartKind::ALL {
        let stem = kind.file_stem();
        if formats.png() {
            names.push(format!("{stem}.png"));
        }
        if formats.svg() {
            names.push(format!("{stem}.svg"));
        }
    }
    names.push("report.html".to_string());
    names
}

/// Draw every chart and the report of `results` into pending temporary files in `dir`
/// (see [`atomic`]): nothing takes its name until the caller commits them, together with
/// whatever else belongs to the same result set.
pub fn draw_pending(
    results: &Results,
    dir: &Path,
    formats: ImageFormat,
) -> anyhow::Result<Vec<atomic::PendingFile>> {
    draw_pending_with(results, dir, formats, true)
}

/// [`draw_pending`]; `keep_sections` carries the sweep, sensitivity and trace sections of the
/// report now in `dir` into the new one (see [`sections`]).
pub fn draw_pending_with(
    results: &Results,
    dir: &Path,
    formats: ImageFormat,
    keep_sections: bool,
) -> anyhow::Result<Vec<atomic::PendingFile>> {
    // Render every SVG in memory first: the report needs them, and a drawing failure
    // then stops us before any file is touched.
    let svgs = ChartKind::ALL
        .iter()
        .map(|k| k.svg_string(results).map(|s| (*k, s)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let html = report::render(results, &svgs);
    let html = if keep_sections {
        sections::carry_over(&html, dir)
    } else {
        html
    };
    let mut pending = Vec::new();
    for (kind, svg) in &svgs {
        let base = dir.join(kind.file_stem());
        if formats.png() {
            pending.push(kind.pending_png(results, &base.with_extension("png"))?);
        }
        if formats.svg() {
            pending.push(atomic::write_file(
                &base.with_extension("svg"),
                svg.as_bytes(),
            )?);
        }
    }
    pending.push(atomic::write_file(
        &dir.join("report.html"),
        html.as_bytes(),
    )?);
    Ok(pending)
}
