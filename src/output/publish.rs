//! The one publish path: every command computes its outcome, then hands what it produces
//! (CSV files, charts, a report section) to a [`Publisher`], which owns the output folder.
//!
//! [`Publisher::open`] claims the folder before any work: it refuses to replace files backsim
//! did not write, creates the folder, checks that it is writable and that the results fit.
//! Every part is then written under a temporary name ([`crate::output::atomic`]); nothing
//! takes its name until [`Publisher::commit`] renames the whole set together. A failure while
//! writing any part (a chart, the report) drops the publisher and with it every temporary
//! file, so a command's result set appears whole or not at all.
//!
//! A set replaces the earlier set of its kind whole: the files a command says its kind of set
//! may hold ([`Publisher::owning`]) that an earlier set left in the folder and the new one does
//! not write (a chart in the other format, a chart the new results do not have, the forecast
//! files of an earlier forecast run) are removed when the new set commits, and named. Only
//! files in backsim's manifest are removed.

use crate::output::atomic::{self, PendingFile};
pub use crate::output::charts::analysis::Drawn;
use anyhow::Result;
use std::path::{Path, PathBuf};

/// The output folder of one command and the files of its result set, pending.
pub struct Publisher {
    dir: PathBuf,
    files: Vec<PendingFile>,
    /// Names a set of this kind may hold ([`Publisher::owning`]).
    owned: Vec<String>,
}

/// What [`Publisher::commit`] put in place.
#[derive(Debug, Clone)]
pub struct Published {
    /// Every file of the set, in the order the command added them.
    pub files: Vec<PathBuf>,
    /// "Replaced earlier results in DIR: …" when files of an earlier set were replaced, and
    /// "Removed …" when files of an earlier set that the new one does not have were removed.
    pub replaced: Option<String>,
    /// The files of an earlier set removed ([`Publisher::owning`]).
    pub retired: Vec<String>,
}

impl Publisher {
    /// Claim `dir` for a result set whose files are `names` (about `bytes` in all): refuse to
    /// replace files of those names that backsim did not write (unless `--force`), create the
    /// folder, check it is writable and has room. Call it before long work: a refusal then
    /// costs nothing.
    pub fn open(dir: &Path, names: &[String], bytes: u64) -> Result<Publisher> {
        atomic::check_replaceable(dir, names)?;
        atomic::prepare_dir(dir)?;
        atomic::ensure_space(dir, bytes)?;
        Ok(Publisher {
            dir: dir.to_path_buf(),
            files: Vec::new(),
            owned: Vec::new(),
        })
    }

    /// The names a set of this kind may hold (e.g. every chart of a run in both formats):
    /// those that an earlier set left in the folder (per the manifest) and this one does not
    /// write are removed when it commits, so nothing of the earlier set passes for new.
    pub fn owning(mut self, names: impl IntoIterator<Item = String>) -> Self {
        self.owned.extend(names);
        self
    }

    /// The output folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A file of the set that the command streams into itself; [`Publisher::add`] it when
    /// complete.
    pub fn create(&self, name: &str) -> Result<PendingFile> {
        PendingFile::create(&self.dir.join(name))
    }

    /// Add a pending file to the set.
    pub fn add(&mut self, file: PendingFile) {
        self.files.push(file);
    }

    /// Add a small file of the set, whole (synced while the command goes on:
    /// [`PendingFile::sync_behind`]).
    pub fn file(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let mut f = atomic::write_file(&self.dir.join(name), bytes)?;
        f.sync_behind()?;
        self.files.push(f);
        Ok(())
    }

    /// Add a drawn chart's files to the set; returns its SVG text for the report.
    pub fn chart(&mut self, drawn: Drawn) -> String {
        self.files.extend(drawn.files);
        drawn.svg
    }

    /// Put a section into the folder's `report.html` (see [`report_section`]), as part of the
    /// set.
    pub fn report_section(&mut self, id: &str, section_html: &str) -> Result<()> {
        let f = report_section(&self.dir, id, section_html)?;
        self.files.push(f);
        Ok(())
    }

    /// Complete every file added so far (still under their temporary names; synced while the
    /// command goes on, [`PendingFile::sync_behind`]) and return where the file `name` of the
    /// set is now: its temporary path if it is in the set, else its place in the folder. For
    /// drawing from the CSVs just written.
    pub fn finished_paths(&mut self) -> Result<impl Fn(&str) -> PathBuf + '_> {
        for f in self.files.iter_mut() {
            f.sync_behind()?;
        }
        let (dir, files) = (&self.dir, &self.files);
        Ok(move |name: &str| {
            files
                .iter()
                .find(|f| f.target().file_name().is_some_and(|n| n == name))
                .map_or_else(|| dir.join(name), |f| f.temp().to_path_buf())
        })
    }

    /// Add several pending files to the set.
    pub fn extend(&mut self, files: Vec<PendingFile>) {
        self.files.extend(files);
    }

    /// Rename the whole set into place together (see [`atomic::commit_all`]).
    pub fn commit(self) -> Result<Published> {
        let files = atomic::commit_all(self.files)?;
        let written = |n: &String| files.iter().any(|f| f.file_name() == Some(n.as_ref()));
        let earlier: Vec<String> = self.owned.into_iter().filter(|n| !written(n)).collect();
        let retired = retire(&self.dir, &earlier)?;
        let mut replaced = atomic::replaced_note(&self.dir);
        if !retired.is_empty() {
            let note = format!(
                "Removed earlier results in {} that the new ones do not have: {}",
                self.dir.display(),
                retired.join(", ")
            );
            replaced = Some(match replaced {
                Some(r) => format!("{r}\n{note}"),
                None => note,
            });
        }
        Ok(Published {
            files,
            replaced,
            retired,
        })
    }
}

/// Remove the files of `names` that backsim wrote into `dir` (listed in its manifest) and
/// take them off the manifest; returns the names of those removed, in the order given.
fn retire(dir: &Path, names: &[String]) -> Result<Vec<String>> {
    let ours = atomic::manifest_names(dir);
    let removed: Vec<String> = names
        .iter()
        .filter(|n| ours.contains(n))
        .filter(|n| std::fs::remove_file(dir.join(n)).is_ok())
        .cloned()
        .collect();
    atomic::forget(dir, &removed)?;
    Ok(removed)
}

/// Put a section into `dir/report.html`: replace the section with the same `id` if the page
/// has it, else insert it before the footer (or the end of `<main>`); with no report yet,
/// start a page holding just this section. Returns the pending file (commit with the rest).
pub fn report_section(dir: &Path, id: &str, section_html: &str) -> Result<PendingFile> {
    let path = dir.join("report.html");
    let page = with_section(
        std::fs::read_to_string(&path).ok().as_deref(),
        id,
        section_html,
    );
    atomic::write_file(&path, page.as_bytes())
}

/// The report page `old` (none: a new page) with the section `id` put in (see
/// [`report_section`]).
pub fn with_section(old: Option<&str>, id: &str, section_html: &str) -> String {
    let begin = format!("<!-- backsim:{id} -->");
    let end = format!("<!-- /backsim:{id} -->");
    let block = format!("{begin}\n<section id=\"{id}\">\n{section_html}\n</section>\n{end}\n");
    let page = match old {
        Some(old) => {
            if let (Some(a), Some(b)) = (old.find(&begin), old.find(&end)) {
                let b = b + end.len();
                let b = if old[b..].starts_with('\n') { b + 1 } else { b };
                format!("{}{}{}", &old[..a], block, &old[b..])
            } else if let Some(at) = old.find("<footer").or_else(|| old.find("</main>")) {
                format!("{}{}{}", &old[..at], block, &old[at..])
            } else {
                format!("{old}\n{block}")
            }
        }
        None => format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>backsim report</title>\n<style>{}</style>\n</head>\n<body>\n<main>\n\
             <h1>backsim report</h1>\n{block}<footer>Generated by backsim. Charts use the \
             colour-blind-safe palette of Paul Tol (muted).</footer>\n</main>\n</body>\n</html>\n",
            crate::output::report::css()
        ),
    };
    crate::output::report::add_toc(&page)
}

/// The names of a command's set: `files`, then each chart of `chart_stems` in `format` (none
/// with `--no-charts`, `format` `None`).
pub fn set_names(
    files: &[&str],
    chart_stems: impl IntoIterator<Item = String>,
    format: Option<crate::output::charts::ImageFormat>,
) -> Vec<String> {
    let mut names: Vec<String> = files.iter().map(|f| f.to_string()).collect();
    if let Some(format) = format {
        for stem in chart_stems {
            names.extend(chart_names(&stem, format));
        }
    }
    names
}

/// The file names of a chart drawn in `format` next to `stem`.
pub fn chart_names(stem: &str, format: crate::output::charts::ImageFormat) -> Vec<String> {
    let mut names = Vec::new();
    if format.png() {
        names.push(format!("{stem}.png"));
    }
    if format.svg() {
        names.push(format!("{stem}.svg"));
    }
    names
}

/// Bytes a chart takes on disk, about (a PNG of the default size is under 200 KB).
pub const CHART_BYTES: u64 = 256 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    use crate::output::atomic::writeback::tests::listing;

    #[test]
    fn a_failing_later_part_leaves_no_part_of_the_set() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let mut p = Publisher::open(&out, &["a.csv".into(), "b.csv".into()], 0).unwrap();
        p.file("a.csv", b"first part").unwrap();
        // A later part fails: its folder does not exist.
        assert!(p.file("missing/b.csv", b"second part").is_err());
        drop(p);
        assert_eq!(listing(&out), Vec::<String>::new());
    }

    /// A set replaces the earlier set of its kind whole: what it may hold but does not write
    /// goes when it commits, if backsim wrote it; the user's own file of such a name stays.
    #[test]
    fn an_owned_name_the_new_set_does_not_write_goes_at_commit() {
        let dir = tempfile::tempdir().unwrap();
        let owned = || ["a.svg", "a.png", "b.svg"].map(String::from);
        let mut p = Publisher::open(dir.path(), &[], 0).unwrap().owning(owned());
        p.file("a.svg", b"1").unwrap();
        p.file("b.svg", b"1").unwrap();
        p.file("x.csv", b"1").unwrap();
        assert!(p.commit().unwrap().retired.is_empty());
        std::fs::write(dir.path().join("a.png"), "the user's").unwrap();
        let mut p = Publisher::open(dir.path(), &[], 0).unwrap().owning(owned());
        p.file("b.svg", b"2").unwrap();
        p.file("x.csv", b"2").unwrap();
        let done = p.commit().unwrap();
        assert_eq!(done.retired, ["a.svg"]);
        assert!(done.replaced.unwrap().contains("do not have: a.svg"));
        assert_eq!(
            listing(dir.path()),
            [atomic::MANIFEST, "a.png", "b.svg", "x.csv"]
        );
        assert!(!atomic::manifest_names(dir.path()).contains(&"a.svg".to_string()));
    }

    #[test]
    fn the_whole_set_takes_its_names_together() {
        let dir = tempfile::tempdir().unwrap();
        let mut p = Publisher::open(dir.path(), &[], 0).unwrap();
        p.file("a.csv", b"a").unwrap();
        p.report_section("demo", "<h2>Demo</h2>").unwrap();
        assert_eq!(listing(dir.path()).len(), 2, "both still temporary");
        assert!(listing(dir.path()).iter().all(|n| n.starts_with('.')));
        let done = p.commit().unwrap();
        assert_eq!(done.files.len(), 2);
        assert_eq!(
            listing(dir.path()),
            vec![
                atomic::MANIFEST.to_string(),
                "a.csv".into(),
                "report.html".into()
            ]
        );
    }
}
