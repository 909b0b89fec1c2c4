//! Charts of a results folder, as PNG and/or SVG.
//!
//! Each chart is one free function (`delay_cdf`, `done_by_sprint`, …) taking the
//! [`Results`], a path (its extension is replaced by `.png`/`.svg`) and an [`ImageFormat`].
//! They all go through [`ChartKind`], which also renders SVG into a string for the report.
//! Files are written through [`crate::output::atomic`]: pending temporary files in the same
//! folder, renamed into place together.
//!
//! Look: 1200×700 px, DejaVu Sans embedded (no system fonts), Paul Tol's muted palette with
//! each scenario always the colour of its position in `scenarios.toml`, legends in a strip
//! above the plot so they never cover data.

pub mod analysis;
pub mod bands;
pub mod calibration;
mod common;
mod compare;
mod delay;
mod fan;
mod flow;
pub mod forecast;
mod pxbox;
mod quality;
#[cfg(test)]
pub(crate) mod svg_probe;
mod value;
pub mod waterfall;

use std::path::{Path, PathBuf};

use anyhow::Context;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::output::atomic::{commit_all, write_file, PendingFile};
use crate::output::results::Results;

pub use common::{
    projector, register_fonts, scenario_color, scenario_dashed, set_projector, BETTER, HEIGHT,
    OKABE_ITO, PALETTE, WIDTH, WORSE,
};

/// Which image files to write for each chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImageFormat {
    #[default]
    Png,
    Svg,
    Both,
}

impl ImageFormat {
    pub fn png(self) -> bool {
        matches!(self, ImageFormat::Png | ImageFormat::Both)
    }
    pub fn svg(self) -> bool {
        matches!(self, ImageFormat::Svg | ImageFormat::Both)
    }
}

impl std::str::FromStr for ImageFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "png" => Ok(ImageFormat::Png),
            "svg" => Ok(ImageFormat::Svg),
            "both" | "png,svg" | "svg,png" => Ok(ImageFormat::Both),
            _ => Err(format!("unknown image format {s:?} (png, svg or both)")),
        }
    }
}

/// Every chart backsim draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    ForecastWhen,
    ForecastHowMany,
    ForecastInputs,
    DelayCdf,
    DoneBySprint,
    ValueEfficiency,
    CumulativeValue,
    Quality,
    FlowVelocity,
    FlowDecisionWait,
    FlowTechDebt,
    FlowPriorityChurn,
    FlowRoadmapChange,
    CompareForest,
}

impl ChartKind {
    pub const ALL: [ChartKind; 14] = [
        ChartKind::ForecastWhen,
        ChartKind::ForecastHowMany,
        ChartKind::ForecastInputs,
        ChartKind::DelayCdf,
        ChartKind::DoneBySprint,
        ChartKind::ValueEfficiency,
        ChartKind::CumulativeValue,
        ChartKind::Quality,
        ChartKind::FlowVelocity,
        ChartKind::FlowDecisionWait,
        ChartKind::FlowTechDebt,
        ChartKind::FlowPriorityChurn,
        ChartKind::FlowRoadmapChange,
        ChartKind::CompareForest,
    ];

    /// File name without extension.
    pub fn file_stem(self) -> &'static str {
        match self {
            ChartKind::ForecastWhen => "forecast_when",
            ChartKind::ForecastHowMany => "forecast_how_many",
            ChartKind::ForecastInputs => "forecast_inputs",
            ChartKind::DelayCdf => "delay_cdf",
            ChartKind::DoneBySprint => "done_by_sprint",
            ChartKind::ValueEfficiency => "value_efficiency",
            ChartKind::CumulativeValue => "cumulative_value",
            ChartKind::Quality => "quality",
            ChartKind::FlowVelocity => "flow_velocity",
            ChartKind::FlowDecisionWait => "flow_decision_wait",
            ChartKind::FlowTechDebt => "flow_tech_debt",
            ChartKind::FlowPriorityChurn => "flow_priority_churn",
            ChartKind::FlowRoadmapChange => "flow_roadmap_change",
            ChartKind::CompareForest => "compare_forest",
        }
    }

    /// One line telling a reader how to read the chart (used in the report), in the run's
    /// units: a throughput forecast's charts count items and weeks, and its `flow_velocity`
    /// is the one-panel throughput chart, not velocity against commitment.
    pub fn caption(self, r: &Results) -> String {
        let (work, noun) = forecast::run_units(r);
        match self {
            ChartKind::ForecastWhen => format!("Read a column: the share of runs whose whole scope is done by the end of that {noun} (its date below it when the scenario has a calendar). The dots are the answers at 50, 70, 85 and 95 % confidence (listed above the chart); the dashed vertical line is the promise, with the share of runs done by then."),
            ChartKind::ForecastHowMany => format!("{} done by the target {noun}: each bar is the share of runs that had done exactly that many. Each dashed line is an answer: at least that many were done in 50, 70, 85 or 95 % of the runs (the lower quantile).", forecast::capitalized(work)),
            ChartKind::ForecastInputs => format!("Left: the throughput history the forecast draws from, oldest first. Right: the completion {noun} at 50, 85 (thick) and 95 % confidence when only the most recent k values of that history are used, on the same random worlds. A flat line means the answer does not hang on how far back the history goes; a slope means the older periods differ from the recent ones."),
            ChartKind::FlowVelocity if r.forecast_only() => format!("{} finished in each {noun}: the line is the median run, the shaded band the middle 80 % of runs (P10–P90). A run whose scope is done finishes nothing more, so the line and band fall to 0 as the runs finish.", forecast::capitalized(work)),
            ChartKind::DelayCdf => "Each curve climbs through the share of runs whose release was at most that many sprints late; further left is better. Circles mark the median (P50), triangles P85; curves that stop below 100 % had runs not done within the horizon.".into(),
            ChartKind::DoneBySprint => "Read a column: the chance that the release scope is done by the end of that sprint. The dashed lines mark 50 % and 85 % confidence.".into(),
            ChartKind::ValueEfficiency => "Value realized as a share of what a perfect-information oracle gets on the same world (1 = perfect). Boxes span the middle half of runs with the median line; whiskers reach the rest but outliers; the black diamond and bar are the mean and its 95 % confidence interval.".into(),
            ChartKind::CumulativeValue => "Value delivered so far, sprint by sprint: the line is the median run, the shaded band the middle 80 % of runs (P10–P90; with more than two scenarios only the baseline's). Names at the line ends show lines that run on top of each other. Steeper is better.".into(),
            ChartKind::Quality => "Mean per scenario with its 95 % confidence interval; lower is better in all three panels.".into(),
            ChartKind::FlowVelocity => "Two different measures. Left, velocity: the points of every item finished in the sprint, including unplanned work and spill-over finished late. Right: the points committed at planning (dashed) against the part of that commitment done in the same sprint (solid), medians; the gap is over-commitment.".into(),
            ChartKind::FlowDecisionWait => "Hours of work blocked on product decisions (questions and escalations) that started in each sprint, summed over every item waiting, so several items waiting at once add up (median line and P10–P90 band); lower is better.".into(),
            ChartKind::FlowTechDebt => "Technical debt carried at each sprint (median line, P10–P90 band); lower and flatter is better.".into(),
            ChartKind::FlowPriorityChurn => "Share of the items that were next up after last sprint's planning and got passed over again at this one. One sprint's share jumps in steps of a fifth, so the thick line averages the sprints so far; the thin line is each sprint's mean over runs; at the right, each scenario's mean over the whole run with its 95 % confidence interval.".into(),
            ChartKind::FlowRoadmapChange => "How far the PO's ranking of strategic themes moved in each sprint (0 = not at all, 1 = reversed). A PM who syncs every few sprints shows as a saw-tooth: still, then a jump at each hand-over.".into(),
            ChartKind::CompareForest => "Each dot is a scenario's mean paired difference from the baseline, as a change in % of the baseline's mean, with its 95 % confidence interval; one panel per kind of metric (delivery, value, quality, flow), each with its own scale. Green = clearly better, orange-red = clearly worse, grey = the interval crosses zero (no clear difference).".into(),
        }
    }

    /// Pixel size; the forest plot grows with the number of rows to stay readable.
    pub fn size(self, r: &Results) -> (u32, u32) {
        common::themed(match self {
            ChartKind::CompareForest => compare::size(r),
            _ => (WIDTH, HEIGHT),
        })
    }

    /// The charts of one per-sprint series: (title, series in sprints.csv, axis label, what
    /// it shows in words).
    fn fan(self) -> Option<(&'static str, &'static str, &'static str, &'static str)> {
        Some(match self {
            ChartKind::FlowDecisionWait => (
                "Flow: hours lost waiting for product decisions",
                "decision_wait_hours",
                "Hours blocked, summed over all items",
                "decision waits",
            ),
            ChartKind::FlowTechDebt => (
                "Flow: technical debt",
                "tech_debt",
                "Tech debt (debt points)",
                "technical debt",
            ),
            ChartKind::FlowPriorityChurn => (
                "Flow: priority churn",
                "priority_churn",
                "Next-up items passed over (share)",
                "priority churn",
            ),
            ChartKind::FlowRoadmapChange => (
                "Strategy: how far the PO's priorities moved",
                "roadmap_change",
                "Change of the theme ranking (Kendall distance)",
                "roadmap changes",
            ),
            _ => return None,
        })
    }

    /// What the chart shows when no scenario has it (e.g. value in a throughput forecast).
    fn missing(self, r: &Results) -> Option<&'static str> {
        let series = |name: &str| {
            r.sprints
                .iter()
                .any(|row| row.series == name && row.mean.is_some())
        };
        let metric = |name: &str| {
            r.summary
                .iter()
                .any(|row| row.metric == name && row.mean.is_some())
        };
        let (present, what) = match self {
            ChartKind::ValueEfficiency => (metric("value_efficiency"), "value efficiency"),
            ChartKind::CumulativeValue => (series("cumulative_value"), "value"),
            ChartKind::Quality => (
                quality::PANELS.iter().any(|p| metric(p.0)),
                "quality figures",
            ),
            _ => match self.fan() {
                Some((_, name, _, what)) => (series(name), what),
                None => (true, ""),
            },
        };
        (!present).then_some(what)
    }

    fn draw<DB>(self, root: &DrawingArea<DB, Shift>, r: &Results) -> anyhow::Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        self.draw_data(root, r)?;
        if let Some(what) = self.missing(r) {
            common::note(
                root,
                &format!("No {what} to show: a throughput forecast does not model it"),
            )?;
        }
        Ok(())
    }

    /// Whether the chart belongs to this run: the forecast charts to a run with forecast
    /// counts (`forecast_dist.csv`; the how-many chart only with a target), the charts of what
    /// only the roles model has (value, quality, decision waits, debt, churn, roadmap) to a run
    /// with a roles scenario, and `done_by_sprint` not to a forecast-only run that has
    /// `forecast_when`. A chart that does not apply is neither drawn nor in the report.
    pub fn applies(self, r: &Results) -> bool {
        let counts = || !r.forecast_dist.is_empty();
        match self {
            ChartKind::ForecastWhen | ChartKind::ForecastInputs => counts(),
            ChartKind::ForecastHowMany => r
                .forecast_dist
                .iter()
                .any(|d| d.series == "items_by_target"),
            ChartKind::DoneBySprint => !(r.forecast_only() && counts()),
            ChartKind::ValueEfficiency
            | ChartKind::CumulativeValue
            | ChartKind::Quality
            | ChartKind::FlowDecisionWait
            | ChartKind::FlowTechDebt
            | ChartKind::FlowPriorityChurn
            | ChartKind::FlowRoadmapChange => !r.forecast_only(),
            ChartKind::DelayCdf => !(r.forecast_only() && counts()),
            ChartKind::FlowVelocity => true,
            // One scenario has nothing to compare with.
            ChartKind::CompareForest => r.scenarios.len() > 1,
        }
    }

    /// The charts that belong to this run (see [`ChartKind::applies`]), in display order.
    pub fn applying(r: &Results) -> Vec<ChartKind> {
        ChartKind::ALL
            .into_iter()
            .filter(|k| k.applies(r))
            .collect()
    }

    fn draw_data<DB>(self, root: &DrawingArea<DB, Shift>, r: &Results) -> anyhow::Result<()>
    where
        DB: DrawingBackend,
        DB::ErrorType: 'static,
    {
        match self {
            ChartKind::ForecastWhen => forecast::draw_when(root, r),
            ChartKind::ForecastHowMany => forecast::draw_how_many(root, r),
            ChartKind::ForecastInputs => forecast::draw_inputs(root, r),
            ChartKind::DelayCdf => delay::draw_delay_cdf(root, r),
            ChartKind::DoneBySprint => delay::draw_done_by_sprint(root, r),
            ChartKind::ValueEfficiency => value::draw_value_efficiency(root, r),
            ChartKind::CumulativeValue => value::draw_cumulative_value(root, r),
            ChartKind::Quality => quality::draw_quality(root, r),
            ChartKind::FlowVelocity => flow::draw_velocity(root, r),
            ChartKind::FlowPriorityChurn => flow::draw_priority_churn(root, r),
            ChartKind::FlowDecisionWait
            | ChartKind::FlowTechDebt
            | ChartKind::FlowRoadmapChange => {
                let (title, series, y_label, _) = self.fan().expect("a fan chart");
                flow::draw_series_fan(root, r, title, series, y_label)
            }
            ChartKind::CompareForest => compare::draw_forest(root, r),
        }
    }

    /// The chart as an SVG document in a string.
    pub fn svg_string(self, r: &Results) -> anyhow::Result<String> {
        register_fonts();
        let mut buf = String::new();
        {
            let root = SVGBackend::with_string(&mut buf, self.size(r)).into_drawing_area();
            self.draw(&root, r)?;
            root.present()?;
        }
        Ok(buf)
    }

    /// Write the chart next to `path` (extension replaced) in the given formats.
    pub fn write(
        self,
        r: &Results,
        path: &Path,
        format: ImageFormat,
    ) -> anyhow::Result<Vec<PathBuf>> {
        let mut files = Vec::new();
        if format.png() {
            files.push(self.pending_png(r, &path.with_extension("png"))?);
        }
        if format.svg() {
            let target = path.with_extension("svg");
            files.push(write_file(&target, self.svg_string(r)?.as_bytes())?);
        }
        commit_all(files)
    }

    /// The chart drawn as a PNG into a pending file (see [`crate::output::atomic`]); it
    /// takes the name `target` only when committed.
    pub fn pending_png(self, r: &Results, target: &Path) -> anyhow::Result<PendingFile> {
        pending_png(target, self.size(r), |root| self.draw(root, r))
    }
}

/// Draw into an in-memory bitmap of `(w, h)` and encode it as a PNG into a pending file
/// (see [`crate::output::atomic`]) that takes the name `target` only when committed.
pub fn pending_png(
    target: &Path,
    (w, h): (u32, u32),
    draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> anyhow::Result<()>,
) -> anyhow::Result<PendingFile> {
    register_fonts();
    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        draw(&root)?;
        root.present()?;
    }
    let mut file = PendingFile::create(target)?;
    let mut encoder = png::Encoder::new(file.writer(), w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let cannot = || format!("cannot write {}", target.display());
    let mut png = encoder.write_header().with_context(cannot)?;
    png.write_image_data(&rgb).with_context(cannot)?;
    png.finish().with_context(cannot)?;
    Ok(file)
}

/// Release delay distribution per scenario, as step CDFs with P50 and P85 marked.
pub fn delay_cdf(r: &Results, path: &Path, format: ImageFormat) -> anyhow::Result<Vec<PathBuf>> {
    ChartKind::DelayCdf.write(r, path, format)
}

/// Escaped defects per point, rework share and wrong-build rate with CI whiskers.
pub fn quality(r: &Results, path: &Path, format: ImageFormat) -> anyhow::Result<Vec<PathBuf>> {
    ChartKind::Quality.write(r, path, format)
}

/// Forest plot of paired differences to the baseline, coloured better / worse / unclear.
pub fn compare_forest(
    r: &Results,
    path: &Path,
    format: ImageFormat,
) -> anyhow::Result<Vec<PathBuf>> {
    ChartKind::CompareForest.write(r, path, format)
}
