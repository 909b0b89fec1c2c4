//! Output side: reading a results folder back, charts and the HTML report.
//!
//! The entry point is [`plot_dir`]: it reads and checks every input file first (bad input
//! is an exit-code-2 error naming the file and line), then writes each chart and
//! `report.html` atomically, so a failure never leaves half-written files.

pub mod atomic;
pub mod charts;
pub mod csv;
#[doc(hidden)]
pub mod fixture;
pub mod report;
pub mod results;
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

/// Read the results in `dir`, draw every chart into `dir` in `formats`, write `report.html`.
pub fn plot_dir(dir: &Path, formats: ImageFormat) -> anyhow::Result<PlotSummary> {
    let results = Results::read(dir)?;
    // Render every SVG in memory first: the report needs them, and a drawing failure
    // then stops us before any file is touched.
    let svgs = ChartKind::ALL
        .iter()
        .map(|k| k.svg_string(&results).map(|s| (*k, s)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let html = report::render(&results, &svgs);

    let mut files = Vec::new();
    for (kind, svg) in &svgs {
        let base = dir.join(kind.file_stem());
        if formats.png() {
            files.extend(kind.write(&results, &base, ImageFormat::Png)?);
        }
        if formats.svg() {
            let target = base.with_extension("svg");
            charts::write_atomic(&target, svg.as_bytes())?;
            files.push(target);
        }
    }
    let report_path = dir.join("report.html");
    charts::write_atomic(&report_path, html.as_bytes())?;
    files.push(report_path);
    Ok(PlotSummary { files })
}
