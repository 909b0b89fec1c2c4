//! The manifest of an output folder: which files backsim wrote there, in which result set,
//! and the `--force` rule that guards every other file (see [`super::commit_all`]).

use super::{pending, temp_path};
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The manifest backsim keeps in every folder it writes results into: the names of the files
/// it wrote there, one a line, each with the id of the result set that last wrote it
/// (`NAME<TAB>ID`: the files committed together share it; the id is a hash of the set's
/// names, so the same command writing again gives the same manifest). A file of the same name as a result but not listed is the user's, and backsim does
/// not replace it without `--force`.
pub const MANIFEST: &str = ".backsim-manifest";

const MANIFEST_HEADER: &str =
    "# Files backsim wrote in this folder (it replaces only these without --force), each with\n\
     # the id of the result set that last wrote it (files written together share it).\n";

static FORCE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Files replaced by [`commit_all`] since the last [`take_replaced`].
pub(super) static REPLACED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// `--force`: replace files of a result's name even if backsim did not write them.
pub fn set_force(force: bool) {
    FORCE.store(force, std::sync::atomic::Ordering::Relaxed);
}

/// The files that existed and were replaced by [`commit_all`] since the last call.
pub fn take_replaced() -> Vec<PathBuf> {
    std::mem::take(&mut *REPLACED.lock().unwrap_or_else(|e| e.into_inner()))
}

/// "Replaced earlier results in DIR: a, b" for the files replaced since the last call, if any.
pub fn replaced_note(dir: &Path) -> Option<String> {
    let replaced = take_replaced();
    if replaced.is_empty() {
        return None;
    }
    let names: Vec<String> = replaced
        .iter()
        .map(|p| p.strip_prefix(dir).unwrap_or(p).display().to_string())
        .collect();
    Some(format!(
        "Replaced earlier results in {}: {}",
        dir.display(),
        names.join(", ")
    ))
}

pub(super) fn dir_and_name(target: &Path) -> (PathBuf, String) {
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (dir, name)
}

/// The names listed in `dir`'s manifest (empty without one).
pub fn manifest_names(dir: &Path) -> Vec<String> {
    manifest_entries(dir).into_iter().map(|e| e.0).collect()
}

/// The manifest's entries: each name with the id of its result set (none in a manifest
/// written before the ids existed).
pub(super) fn manifest_entries(dir: &Path) -> Vec<(String, Option<String>)> {
    std::fs::read_to_string(dir.join(MANIFEST))
        .map(|t| {
            t.lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                .map(|l| match l.rsplit_once('\t') {
                    Some((name, set)) => (name.to_string(), Some(set.trim().to_string())),
                    None => (l.to_string(), None),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the files `a` and `b` of `dir` were written in the same result set, per the
/// manifest. True when the manifest cannot tell (a file not in it, or an older manifest).
pub fn same_set(dir: &Path, a: &str, b: &str) -> bool {
    let entries = manifest_entries(dir);
    let set = |n: &str| entries.iter().find(|e| e.0 == n).and_then(|e| e.1.clone());
    match (set(a), set(b)) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

/// Of `names`, the files that exist in `dir` but that backsim did not write (not in the
/// manifest), sorted.
pub fn foreign_files(dir: &Path, names: &[String]) -> Vec<String> {
    let ours = manifest_names(dir);
    let mut out: Vec<String> = names
        .iter()
        .filter(|n| dir.join(n).symlink_metadata().is_ok() && !ours.contains(n))
        .cloned()
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Refuse to replace files of `names` in `dir` that backsim did not write, naming them,
/// unless `--force` was given. Call it before long work too, so a refusal costs nothing.
pub fn check_replaceable(dir: &Path, names: &[String]) -> Result<()> {
    if FORCE.load(std::sync::atomic::Ordering::Relaxed) {
        return Ok(());
    }
    let foreign = foreign_files(dir, names);
    if foreign.is_empty() {
        return Ok(());
    }
    let (list, pron, verb) = match foreign.as_slice() {
        [one] => (one.clone(), "it", "is"),
        [init @ .., last] => (format!("{} and {last}", init.join(", ")), "them", "are"),
        [] => unreachable!("not empty"),
    };
    Err(crate::error::input_error(format!(
        "{}: {list} {} not written by backsim ({verb} not in its list of files there, {MANIFEST}), so backsim will not replace {pron}; move {pron} away, choose another --out, or pass --force to replace {pron}",
        dir.display(),
        if foreign.len() == 1 { "was" } else { "were" },
    )))
}

/// Take `names` off `dir`'s manifest (files backsim removed).
pub fn forget(dir: &Path, names: &[String]) -> Result<()> {
    let _registry = pending();
    let list = manifest_entries(dir);
    if !list.iter().any(|e| names.contains(&e.0)) {
        return Ok(());
    }
    let kept: Vec<(String, Option<String>)> =
        list.into_iter().filter(|e| !names.contains(&e.0)).collect();
    write_manifest(dir, &kept)
}

/// Add `names` to `dir`'s manifest as one new result set (written under a temporary name,
/// then renamed).
pub(super) fn record_in_manifest(dir: &Path, names: &[String]) -> Result<()> {
    let mut list = manifest_entries(dir);
    let set = set_id(names);
    for n in names {
        match list.iter_mut().find(|e| &e.0 == n) {
            Some(e) => e.1 = Some(set.clone()),
            None => list.push((n.clone(), Some(set.clone()))),
        }
    }
    list.sort();
    write_manifest(dir, &list)
}

/// The id of a result set: a hash (FNV-1a, 64 bits) of its sorted names. Two files have the
/// same id only if the sets that last wrote them had the same names, and then the later of
/// those sets wrote both: they were written together.
fn set_id(names: &[String]) -> String {
    let mut sorted: Vec<&String> = names.iter().collect();
    sorted.sort();
    sorted.dedup();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for n in sorted {
        for b in n.bytes().chain([b'\n']) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// Write `dir`'s manifest under a temporary name, then rename it. The caller holds the
/// registry's lock ([`pending`]), so a signal cannot end the process between the two and leave
/// the temporary file behind.
fn write_manifest(dir: &Path, list: &[(String, Option<String>)]) -> Result<()> {
    let mut text = String::from(MANIFEST_HEADER);
    for (n, set) in list {
        text.push_str(n);
        if let Some(set) = set {
            text.push('\t');
            text.push_str(set);
        }
        text.push('\n');
    }
    let target = dir.join(MANIFEST);
    let temp = temp_path(&target);
    std::fs::write(&temp, text)
        .and_then(|()| std::fs::rename(&temp, &target))
        .map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            anyhow::Error::new(e).context(format!("cannot write {}", target.display()))
        })
}
