//! Atomic output: every file is written under a temporary name in its folder and renamed into
//! place only when all files of a result set are complete. An interrupted or failed run leaves
//! earlier results untouched and no partial files behind.

use anyhow::{Context, Result};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A file being written under a temporary name.
pub struct PendingFile {
    temp: PathBuf,
    target: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl PendingFile {
    pub fn create(target: &Path) -> Result<PendingFile> {
        let dir = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = dir.join(format!(".{name}.backsim-tmp-{}", std::process::id()));
        let file =
            File::create(&temp).with_context(|| format!("cannot write {}", temp.display()))?;
        Ok(PendingFile {
            temp,
            target: target.to_path_buf(),
            writer: Some(BufWriter::with_capacity(1 << 16, file)),
        })
    }

    pub fn writer(&mut self) -> &mut BufWriter<File> {
        self.writer.as_mut().expect("open until finished")
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flush and sync; the file is complete but still under its temporary name.
    fn finish(&mut self) -> Result<()> {
        if let Some(mut w) = self.writer.take() {
            w.flush()
                .with_context(|| format!("cannot write {}", self.temp.display()))?;
            let file = w
                .into_inner()
                .map_err(|e| e.into_error())
                .with_context(|| format!("cannot write {}", self.temp.display()))?;
            file.sync_all()
                .with_context(|| format!("cannot write {}", self.temp.display()))?;
        }
        Ok(())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        // Not committed: remove the temporary file.
        let _ = std::fs::remove_file(&self.temp);
    }
}

/// Finish every file, then rename them all into place. Files already in place are replaced;
/// nothing else in the folder is touched.
pub fn commit_all(files: Vec<PendingFile>) -> Result<Vec<PathBuf>> {
    let mut files = files;
    for f in files.iter_mut() {
        f.finish()?;
    }
    let mut written = Vec::new();
    for f in files.iter_mut() {
        std::fs::rename(&f.temp, &f.target).with_context(|| {
            format!(
                "cannot move the finished file into place as {}",
                f.target.display()
            )
        })?;
        written.push(f.target.clone());
    }
    Ok(written)
}

/// Write a whole small file atomically.
pub fn write_file(target: &Path, bytes: &[u8]) -> Result<PendingFile> {
    let mut f = PendingFile::create(target)?;
    f.writer()
        .write_all(bytes)
        .with_context(|| format!("cannot write {}", target.display()))?;
    Ok(f)
}

/// Check that `dir` can receive results, creating it if needed, before any simulation runs.
pub fn prepare_dir(dir: &Path) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(crate::error::input_error(format!(
            "{}: the output path exists and is not a folder",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        crate::error::input_error(format!(
            "{}: cannot create the output folder: {e}",
            dir.display()
        ))
    })?;
    let probe = dir.join(format!(".backsim-probe-{}", std::process::id()));
    File::create(&probe).map_err(|e| {
        crate::error::input_error(format!(
            "{}: the output folder is not writable: {e}",
            dir.display()
        ))
    })?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}
