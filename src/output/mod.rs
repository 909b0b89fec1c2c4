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

/// Read the results in `dir`, draw every chart into `dir` in `formats`, write `report.html`,
/// committed together through one [`publish::Publisher`].
pub fn plot_dir(dir: &Path, formats: ImageFormat) -> anyhow::Result<PlotSummary> {
    let results = Results::read(dir)?;
    let names = drawn_file_names(formats);
    let bytes = names.len() as u64 * publish::CHART_BYTES;
    let mut publisher =
        publish::Publisher::open(dir, &names, bytes)?.owning(chart_file_names(ImageFormat::Both));
    publisher.extend(draw_pending(&results, dir, formats)?);
    let files = publisher.commit()?.files;
    retire_stale_forecast(dir)?;
    Ok(PlotSummary { files })
}

/// Remove the forecast files an earlier run left in `dir` (only files backsim wrote, per its
/// manifest) that are not of the set of its `scenarios.toml` (a `run` removes them when it
/// commits; a folder written by an older version may still hold them). Returns their names.
pub fn retire_stale_forecast(dir: &Path) -> anyhow::Result<Vec<String>> {
    let ours = atomic::manifest_names(dir);
    let stale: Vec<String> = ["forecast.csv", "forecast_dist.csv"]
        .into_iter()
        .filter(|f| ours.iter().any(|n| n == f))
        .filter(|f| !atomic::same_set(dir, f, "scenarios.toml"))
        .filter(|f| std::fs::remove_file(dir.join(f)).is_ok())
        .map(str::to_string)
        .collect();
    atomic::forget(dir, &stale)?;
    Ok(stale)
}

/// Every chart of a run in `formats` (the names of [`drawn_file_names`] but the report): what
/// a run's set may hold, so that an earlier run's chart the new set does not draw (in the
/// other format, or not for these results: see [`ChartKind::applies`]) is removed
/// ([`publish::Publisher::owning`]).
pub fn chart_file_names(formats: ImageFormat) -> Vec<String> {
    let mut names = drawn_file_names(formats);
    names.retain(|n| n != "report.html");
    names
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
    draw_pending_early(results, dir, formats, keep_sections, Vec::new())
}

/// [`draw_pending_with`], with charts drawn before the results were complete: each that is
/// the chart these results give (see [`EarlyChart`]) is taken as it is, the others drawn.
pub fn draw_pending_early(
    results: &Results,
    dir: &Path,
    formats: ImageFormat,
    keep_sections: bool,
    early: Vec<EarlyChart>,
) -> anyhow::Result<Vec<atomic::PendingFile>> {
    let (mut pending, html) = draw_early_and_report(results, dir, formats, keep_sections, early)?;
    let mut report = atomic::write_file(&dir.join("report.html"), html.as_bytes())?;
    report.sync_behind()?;
    pending.push(report);
    Ok(pending)
}

/// The charts of [`draw_pending_with`], pending, and the text of its `report.html` (for a
/// caller that puts more sections in before writing it).
pub fn draw_charts_and_report(
    results: &Results,
    dir: &Path,
    formats: ImageFormat,
    keep_sections: bool,
) -> anyhow::Result<(Vec<atomic::PendingFile>, String)> {
    draw_early_and_report(results, dir, formats, keep_sections, Vec::new())
}

/// A chart drawn before the rest of its set, from the part of the results it needs (in
/// `run`, `forecast_inputs` from the scenarios and the history-length answers, beside the
/// simulation), with those results: the set takes it when its complete results give the
/// same chart ([`EarlyChart::fits`]), else draws it again.
pub struct EarlyChart {
    kind: ChartKind,
    results: Results,
    svg: String,
    png: Option<atomic::PendingFile>,
}

impl EarlyChart {
    /// The charts [`EarlyChart::draw`] draws.
    pub const KINDS: [ChartKind; 1] = [ChartKind::ForecastInputs];

    /// Chart `kind` (one of [`EarlyChart::KINDS`]) of the partial `results`, as its SVG and,
    /// in `formats`, its pending PNG in `dir` (synced while the run goes on); none if
    /// the chart does not apply to them.
    pub fn draw(
        kind: ChartKind,
        results: Results,
        dir: &Path,
        formats: ImageFormat,
    ) -> anyhow::Result<Option<EarlyChart>> {
        assert!(
            EarlyChart::KINDS.contains(&kind),
            "{kind:?} is not drawn early"
        );
        if !kind.applies(&results) {
            return Ok(None);
        }
        let svg = kind.svg_string(&results)?;
        let png = if formats.png() {
            let target = dir.join(kind.file_stem()).with_extension("png");
            let mut png = kind.pending_png(&results, &target)?;
            png.sync_behind()?;
            Some(png)
        } else {
            None
        };
        Ok(Some(EarlyChart {
            kind,
            results,
            svg,
            png,
        }))
    }

    /// Whether it is the chart `kind` of `full`: drawn from the same data.
    pub fn fits(&self, kind: ChartKind, full: &Results) -> bool {
        self.kind == kind
            && match kind {
                ChartKind::ForecastInputs => charts::forecast::same_inputs(&self.results, full),
                _ => false,
            }
    }
}

/// [`draw_charts_and_report`] with the `early` charts that fit taken as they are.
fn draw_early_and_report(
    results: &Results,
    dir: &Path,
    formats: ImageFormat,
    keep_sections: bool,
    mut early: Vec<EarlyChart>,
) -> anyhow::Result<(Vec<atomic::PendingFile>, String)> {
    use rayon::prelude::*;
    // The PNGs are drawn beside the SVGs and the report (which needs the SVGs), all in
    // parallel: the PNGs take the longest, and the rest fills the time a worker would wait
    // for the last of them. A drawing failure leaves no file (the pending ones drop); an SVG's
    // is reported first. The files keep the charts' order.
    let kinds = ChartKind::applying(results);
    let path = |kind: &ChartKind, ext: &str| dir.join(kind.file_stem()).with_extension(ext);
    // Per chart, the early one that fits, as its SVG and its PNG (an unused one drops).
    let (early_svgs, early_pngs): (Vec<_>, Vec<_>) = kinds
        .iter()
        .map(
            |&kind| match early.iter().position(|e| e.fits(kind, results)) {
                Some(at) => {
                    let e = early.swap_remove(at);
                    (Some(e.svg), Some(e.png))
                }
                None => (None, None),
            },
        )
        .unzip();
    drop(early);
    let (pngs, svgs_and_html) = rayon::join(
        || {
            kinds
                .par_iter()
                .zip(early_pngs)
                .map(
                    |(kind, early)| -> anyhow::Result<Option<atomic::PendingFile>> {
                        if !formats.png() {
                            return Ok(None);
                        }
                        if let Some(png) = early {
                            return Ok(png);
                        }
                        let mut png = kind.pending_png(results, &path(kind, "png"))?;
                        // Synced while the other charts are drawn.
                        png.sync_behind()?;
                        Ok(Some(png))
                    },
                )
                .collect::<Vec<_>>()
        },
        || -> anyhow::Result<_> {
            let svgs = kinds
                .par_iter()
                .zip(&early_svgs)
                .map(|(k, early)| match early {
                    Some(svg) => Ok((*k, svg.clone())),
                    None => k.svg_string(results).map(|s| (*k, s)),
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let html = report::render(results, &svgs);
            let html = if keep_sections {
                sections::carry_over(&html, dir)
            } else {
                html
            };
            Ok((svgs, html))
        },
    );
    let (svgs, html) = svgs_and_html?;
    let mut pending = Vec::new();
    for ((kind, svg), png) in svgs.iter().zip(pngs) {
        pending.extend(png?);
        if formats.svg() {
            let mut file = atomic::write_file(&path(kind, "svg"), svg.as_bytes())?;
            file.sync_behind()?;
            pending.push(file);
        }
    }
    Ok((pending, html))
}

#[cfg(test)]
mod draw_tests;
