//! `backsim plot`: charts and report drawn anew from a results folder's CSV files.

use super::image_format;
use crate::cli::Format;
use anyhow::Result;
use std::path::{Path, PathBuf};

/// Charts and report from the folder's CSVs.
fn draw(dir: &Path, format: Format) -> Result<Vec<PathBuf>> {
    Ok(crate::output::plot_dir(dir, image_format(format))?.files)
}

pub fn plot(dir: &Path, format: Format) -> Result<()> {
    crate::output::atomic::take_replaced();
    let files = draw(dir, format)?;
    if let Some(note) = crate::output::atomic::replaced_note(dir) {
        println!("{note}");
    }
    println!(
        "{} written to {}",
        crate::words::count(files.len() as u64, "file"),
        dir.display()
    );
    Ok(())
}
