//! Atomic output, the one mechanism every writer of backsim uses (CSVs, charts, report).
//!
//! Every file is written under a temporary name in its folder, `.NAME.backsim-tmp-PID`, and
//! renamed into place only when all files of a result set are complete ([`commit_all`]). An
//! interrupted or failed run leaves earlier results untouched and no partial files behind:
//!
//! - an error or a panic drops the [`PendingFile`]s, whose `Drop` removes the temporary files;
//! - SIGINT / SIGTERM do not run `Drop`: [`install_signal_cleanup`] starts a thread that
//!   removes every pending file (a global registry holds their paths) and exits with
//!   128 + the signal (130, 143);
//! - SIGKILL cannot be handled: the temporary files are hidden dot-files, and the next
//!   backsim that writes into the folder removes those of processes no longer running
//!   ([`clean_stale`]). It never removes any other file.

use crate::format::bytes as human_bytes;
use anyhow::{Context, Result};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

pub use manifest::{
    check_replaceable, forget, manifest_names, replaced_note, same_set, set_force, take_replaced,
    MANIFEST,
};
use manifest::{dir_and_name, record_in_manifest, REPLACED};

/// The marker in temporary file names: `.NAME.backsim-tmp-PID`.
pub const TEMP_MARKER: &str = ".backsim-tmp-";

/// Temporary files of this process not yet renamed into place or removed.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    // A panic while the lock was held leaves the list usable.
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Paths of the temporary files this process is writing now.
pub fn pending_paths() -> Vec<PathBuf> {
    pending().clone()
}

/// The temporary name of `target` for this process.
pub fn temp_path(target: &Path) -> PathBuf {
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.join(format!(".{name}{TEMP_MARKER}{}", std::process::id()))
}

/// A file being written under a temporary name.
pub struct PendingFile {
    temp: PathBuf,
    target: PathBuf,
    writer: Option<BufWriter<File>>,
    /// The result of its sync on the syncing thread, once handed to it
    /// ([`PendingFile::sync_behind`]).
    syncing: Option<std::sync::mpsc::Receiver<std::io::Result<()>>>,
    /// Its writes when they go around the page cache ([`writeback::direct`]).
    direct: Option<writeback::direct::Direct>,
    committed: bool,
}

impl PendingFile {
    pub fn create(target: &Path) -> Result<PendingFile> {
        let temp = temp_path(target);
        // Registered before it exists, and created under the registry's lock: the signal
        // cleanup holds that lock until the process exits, so no file appears after it.
        let mut registry = pending();
        registry.push(temp.clone());
        let created = File::create(&temp);
        let file = match created {
            Ok(f) => {
                drop(registry);
                f
            }
            Err(e) => {
                registry.retain(|p| p != &temp);
                drop(registry);
                return Err(
                    anyhow::Error::new(e).context(format!("cannot write {}", target.display()))
                );
            }
        };
        Ok(PendingFile {
            temp,
            target: target.to_path_buf(),
            writer: Some(BufWriter::with_capacity(1 << 16, file)),
            syncing: None,
            direct: None,
            committed: false,
        })
    }

    pub fn writer(&mut self) -> &mut BufWriter<File> {
        self.writer.as_mut().expect("open until finished")
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    pub fn temp(&self) -> &Path {
        &self.temp
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.committed {
            // Not committed: remove the temporary file.
            self.writer.take();
            let _ = std::fs::remove_file(&self.temp);
            pending().retain(|p| p != &self.temp);
        }
    }
}

/// Finish every file, then rename them all into place. Files already in place are replaced
/// only if backsim wrote them (they are in the folder's [`MANIFEST`]) or `--force` was given
/// ([`set_force`]); nothing else in the folder is touched. If any file cannot be finished or
/// replaced, none is renamed. The renames happen under the registry's lock, so a signal waits
/// until the set is in place. The names join the folder's manifest; the files replaced are
/// remembered for [`take_replaced`].
pub fn commit_all(files: Vec<PendingFile>) -> Result<Vec<PathBuf>> {
    let mut files = files;
    let mut by_dir: Vec<(PathBuf, Vec<String>)> = Vec::new();
    for f in &files {
        let (dir, name) = dir_and_name(&f.target);
        match by_dir.iter_mut().find(|(d, _)| *d == dir) {
            Some((_, names)) => names.push(name),
            None => by_dir.push((dir, vec![name])),
        }
    }
    for (dir, names) in &by_dir {
        check_replaceable(dir, names)?;
    }
    for f in files.iter_mut() {
        f.finish()?;
    }
    // A rename that is bound to fail fails here, before any file of the set takes its name.
    if let Some(f) = files.iter().find(|f| f.target.is_dir()) {
        return Err(anyhow::anyhow!(
            "cannot put {} in place: a folder of that name is in the way; move it away or choose another --out",
            f.target.display()
        ));
    }
    let mut replaced = Vec::new();
    let mut olds = Vec::new();
    {
        // Held through the renames and the manifest: a signal waits until the set and its
        // record are in place (the signal thread takes this lock and exits holding it).
        let mut registry = pending();
        for f in files.iter_mut() {
            let existed = f.target.exists();
            // (Its old file kept under a second name, so the rename deletes nothing.)
            let old = existed
                .then(|| replace::keep_old(&f.target, &mut registry))
                .flatten();
            olds.extend(old);
            if let Err(e) = std::fs::rename(&f.temp, &f.target) {
                drop(registry);
                replace::remove_old(olds);
                return Err(anyhow::Error::new(e).context(format!(
                    "cannot move the finished file into place as {}",
                    f.target.display()
                )));
            }
            f.committed = true;
            registry.retain(|p| p != &f.temp);
            if existed {
                replaced.push(f.target.clone());
            }
        }
        let recorded = by_dir
            .iter()
            .try_for_each(|(dir, names)| record_in_manifest(dir, names));
        if let Err(e) = recorded {
            drop(registry);
            replace::remove_old(olds);
            return Err(e);
        }
    }
    replace::remove_old(olds);
    REPLACED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .extend(replaced);
    Ok(files.iter().map(|f| f.target.clone()).collect())
}

/// Write a whole small file atomically (pending until [`commit_all`]).
pub fn write_file(target: &Path, bytes: &[u8]) -> Result<PendingFile> {
    let mut f = PendingFile::create(target)?;
    f.writer()
        .write_all(bytes)
        .with_context(|| format!("cannot write {}", target.display()))?;
    Ok(f)
}

/// Remove every pending temporary file of this process (what a signal does before exiting).
pub fn remove_pending() {
    let mut registry = pending();
    for p in registry.drain(..) {
        let _ = std::fs::remove_file(p);
    }
}

/// On SIGINT, SIGTERM (and SIGHUP): remove pending temporary files and an output folder this
/// run created and left empty, say what was kept ("interrupted: earlier results in DIR
/// kept"), then exit with 128 + the signal number (130 for Ctrl-C, 143 for SIGTERM, 129 for
/// SIGHUP). Call once, early in `main`.
#[cfg(unix)]
pub fn install_signal_cleanup() -> Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;
    let mut signals =
        Signals::new([SIGINT, SIGTERM, SIGHUP]).context("cannot install signal handlers")?;
    std::thread::Builder::new()
        .name("backsim-signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                // Hold the registry until exit: a file being created waits, never appears.
                let mut registry = pending();
                for p in registry.drain(..) {
                    let _ = std::fs::remove_file(p);
                }
                let what = if sig == SIGINT {
                    "interrupted".to_string()
                } else {
                    format!(
                        "stopped by {}",
                        if sig == SIGTERM { "SIGTERM" } else { "SIGHUP" }
                    )
                };
                eprintln!("\n{what}: {}", interrupted_note());
                std::process::exit(128 + sig);
            }
        })
        .context("cannot start the signal thread")?;
    Ok(())
}

#[cfg(not(unix))]
pub fn install_signal_cleanup() -> Result<()> {
    Ok(())
}

/// The PID in a temporary file name of backsim (`.NAME.backsim-tmp-PID`), if it is one.
pub fn temp_owner(file_name: &str) -> Option<u32> {
    if !file_name.starts_with('.') {
        return None;
    }
    let (_, pid) = file_name.rsplit_once(TEMP_MARKER)?;
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

fn process_running(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // Signal 0 checks existence; EPERM means it exists but is not ours.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// Remove temporary files that a killed backsim left in `dir`: only names of the pattern
/// `.NAME.backsim-tmp-PID` whose PID is not running. Returns what was removed.
pub fn clean_stale(dir: &Path) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return removed;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(temp_owner) else {
            continue;
        };
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_file && !process_running(pid) && std::fs::remove_file(entry.path()).is_ok() {
            removed.push(entry.path());
        }
    }
    removed
}

/// The output folder of this process, and the folders [`prepare_dir`] created for it
/// (deepest first), so that an interruption or an error leaves no new empty folder behind.
static OUT_DIR: Mutex<Option<(PathBuf, Vec<PathBuf>)>> = Mutex::new(None);

fn out_dir() -> MutexGuard<'static, Option<(PathBuf, Vec<PathBuf>)>> {
    OUT_DIR.lock().unwrap_or_else(|e| e.into_inner())
}

/// Remove the folders [`prepare_dir`] created if they are still empty (after an error or an
/// interruption); returns whether the output folder itself was removed.
pub fn remove_new_empty_dirs() -> bool {
    let Some((dir, created)) = out_dir().take() else {
        return false;
    };
    let mut removed_out = false;
    for d in &created {
        // remove_dir fails on a folder that holds anything: only empty ones go.
        if std::fs::remove_dir(d).is_ok() && *d == dir {
            removed_out = true;
        }
    }
    removed_out
}

/// What an interruption leaves, in words: "earlier results in DIR kept", or that nothing was
/// written. Removes an output folder this run created while it is still empty.
pub fn interrupted_note() -> String {
    let dir = out_dir().as_ref().map(|(d, _)| d.clone());
    let removed = remove_new_empty_dirs();
    match dir {
        None => "nothing was written".to_string(),
        Some(d) if removed => format!("nothing was written ({} not created)", d.display()),
        Some(d) => {
            let has_results = std::fs::read_dir(&d).is_ok_and(|mut rd| rd.next().is_some());
            if has_results {
                format!("earlier results in {} kept", d.display())
            } else {
                format!("nothing was written to {}", d.display())
            }
        }
    }
}

/// Check that `dir` can receive results, creating it if needed, before any simulation runs;
/// remove temporary files that killed runs left there.
pub fn prepare_dir(dir: &Path) -> Result<()> {
    let mut created = Vec::new();
    let mut d = Some(dir);
    while let Some(p) = d.filter(|p| !p.as_os_str().is_empty()) {
        if p.symlink_metadata().is_ok() {
            break;
        }
        created.push(p.to_path_buf());
        d = p.parent();
    }
    *out_dir() = Some((dir.to_path_buf(), created));
    take_replaced();
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
    let probe = PendingFile::create(&dir.join("probe")).map_err(|e| {
        crate::error::input_error(format!(
            "{}: the output folder is not writable: {}",
            dir.display(),
            e.root_cause()
        ))
    })?;
    drop(probe);
    clean_stale(dir);
    Ok(())
}

/// Bytes free to this process in the file system that holds `dir`, when the OS tells.
pub fn available_bytes(dir: &Path) -> Option<u64> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
        let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
        if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
            return None;
        }
        Some((st.f_bavail as u64).saturating_mul(st.f_frsize as u64))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

/// Refuse to start when the results clearly cannot fit in `dir` (a full disk found after an
/// hour of simulation loses the hour). `needed` is an estimate; unknown space passes.
pub fn ensure_space(dir: &Path, needed: u64) -> Result<()> {
    match available_bytes(dir) {
        Some(free) if free < needed => Err(crate::error::input_error(format!(
            "{}: not enough free space for the results: about {} needed, {} free; free some space, choose another --out, or use fewer --runs",
            dir.display(),
            human_bytes(needed),
            human_bytes(free)
        ))),
        _ => Ok(()),
    }
}

mod manifest;
mod replace;
#[cfg(test)]
mod tests;
pub mod writeback;
