//! `backsim plot`: charts and report drawn anew from a results folder's persisted summaries:
//! a run's CSV files, a sweep's sweep.csv and a sensitivity analysis's sensitivity.csv (each
//! with its small TOML of what the CSV does not hold), never from runs.csv. Everything is
//! committed together through one [`Publisher`].

use super::image_format;
use crate::analysis::{sensitivity, sweep};
use crate::cli::Format;
use crate::error::input_error;
use crate::output::publish::{chart_names, with_section, Published, Publisher, CHART_BYTES};
use crate::output::results::{Results, RESULT_FILES};
use anyhow::Result;
use std::path::{Path, PathBuf};

/// Whether `dir` holds any file of a run's results.
fn has_run_files(dir: &Path) -> bool {
    RESULT_FILES
        .iter()
        .chain(&["runs.csv"])
        .any(|f| dir.join(f).is_file())
}

/// Charts and report from the folder's summaries; the files written.
pub fn draw(dir: &Path, format: Format) -> Result<Vec<PathBuf>> {
    Ok(publish(dir, format)?.files)
}

/// [`draw`], with what it replaced and removed.
fn publish(dir: &Path, format: Format) -> Result<Published> {
    let formats = image_format(format);
    if !dir.is_dir() {
        return Err(input_error(format!(
            "{}: no such folder (expected the output folder of `backsim run`, `sweep` or `sensitivity`)",
            dir.display()
        )));
    }
    let swept = sweep::table::read(dir)?;
    let sens = sensitivity::table::read(dir)?;
    if swept.is_none() && sens.is_none() && !has_run_files(dir) {
        return Err(input_error(format!(
            "{}: no backsim results here (expected the files of `backsim run`: {}; or sweep.csv; or sensitivity.csv)",
            dir.display(),
            RESULT_FILES.join(", ")
        )));
    }
    let run = if has_run_files(dir) {
        Some(Results::read(dir)?)
    } else {
        None
    };
    let mut names = Vec::new();
    if run.is_some() {
        names.extend(crate::output::drawn_file_names(formats));
    }
    if let Some((t, _)) = &swept {
        for stem in t.chart_stems() {
            names.extend(chart_names(&stem, formats));
        }
    }
    if let Some((t, _)) = &sens {
        names.extend(chart_names(t.chart_stem(), formats));
    }
    names.push("report.html".into());
    names.dedup();
    // The charts of each part in either format: one the new drawing does not write is the
    // earlier drawing's, and goes (see Publisher::owning).
    let mut owned = Vec::new();
    if run.is_some() {
        owned.extend(crate::output::chart_file_names(
            crate::output::ImageFormat::Both,
        ));
    }
    if swept.is_some() {
        owned.extend(sweep::chart_names_all());
    }
    if let Some((t, _)) = &sens {
        owned.extend(chart_names(
            t.chart_stem(),
            crate::output::ImageFormat::Both,
        ));
    }
    let mut publisher =
        Publisher::open(dir, &names, names.len() as u64 * CHART_BYTES)?.owning(owned);
    let mut page = None;
    if let Some(results) = &run {
        let (charts, html) = crate::output::draw_charts_and_report(results, dir, formats, true)?;
        publisher.extend(charts);
        page = Some(html);
    }
    let mut sections = Vec::new();
    if let Some((t, meta)) = &swept {
        let (section, charts) = sweep::draw(t, meta, dir, formats, true)?;
        publisher.extend(charts);
        sections.push(("sweep", section));
    }
    if let Some((t, meta)) = &sens {
        let (section, charts) = sensitivity::draw(t, meta, dir, formats, true)?;
        publisher.extend(charts);
        sections.push((t.section_id(), section));
    }
    let mut page = page.or_else(|| std::fs::read_to_string(dir.join("report.html")).ok());
    for (id, section) in sections {
        page = Some(with_section(page.as_deref(), id, &section));
    }
    if let Some(page) = page {
        publisher.file("report.html", page.as_bytes())?;
    }
    let published = publisher.commit()?;
    if run.is_some() {
        crate::output::retire_stale_forecast(dir)?;
    }
    Ok(published)
}

pub fn plot(dir: &Path, format: Format) -> Result<()> {
    crate::output::atomic::take_replaced();
    let published = publish(dir, format)?;
    if let Some(note) = &published.replaced {
        println!("{note}");
    }
    println!(
        "{} written to {}",
        crate::words::count(published.files.len() as u64, "file"),
        dir.display()
    );
    Ok(())
}
