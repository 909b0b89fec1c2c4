//! Replacing a file without waiting, one file at a time, for its old copy's deletion.
//!
//! When a rename puts a new file in place of an old one, the old one's last link goes and the
//! file system deletes it inside the rename. That can wait for the device: on ext4 without a
//! journal and with `discard` (this project's machines), every deletion of a file with data
//! issues a discard and waits for it, about 3.5 ms a file, so replacing a result set of 26
//! files took about 90 ms, one deletion after another, with the renames' lock held.
//!
//! [`super::commit_all`] therefore keeps a second link to each old file
//! ([`keep_old`]: `.NAME~old.backsim-tmp-PID`, a temporary name that the signal cleanup and
//! [`super::clean_stale`] know), so that its rename deletes nothing, and removes those old
//! copies after the set is in place, side by side ([`remove_old`]), where their waits
//! overlap. Where a second link cannot be made (a file system without hard links), the
//! rename deletes the old file as before.

use super::{pending, temp_path};
use std::path::{Path, PathBuf};
use std::sync::MutexGuard;

/// The temporary name of `target`'s old copy for this process: `.NAME~old.backsim-tmp-PID`.
pub(super) fn old_copy_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push("~old");
    temp_path(&target.with_file_name(name))
}

/// A second link to the file at `target` under its old copy's name, registered as pending
/// (so that a signal removes it); None if there is no file or no link can be made. The
/// file's bytes and its name do not change.
pub(super) fn keep_old(
    target: &Path,
    registry: &mut MutexGuard<'_, Vec<PathBuf>>,
) -> Option<PathBuf> {
    let old = old_copy_path(target);
    // (A copy of this process under that name is a leftover of an earlier set: a link of
    // the file it replaced.)
    let _ = std::fs::remove_file(&old);
    registry.push(old.clone());
    if std::fs::hard_link(target, &old).is_ok() {
        Some(old)
    } else {
        registry.retain(|p| p != &old);
        None
    }
}

/// Remove the old copies side by side (each removal may wait for the device; their waits
/// overlap), then forget them as pending. A copy that cannot be removed stays a temporary
/// file that [`super::clean_stale`] removes later.
pub(super) fn remove_old(olds: Vec<PathBuf>) {
    if olds.is_empty() {
        return;
    }
    std::thread::scope(|s| {
        for old in &olds {
            let spawned = std::thread::Builder::new().spawn_scoped(s, move || {
                let _ = std::fs::remove_file(old);
            });
            if spawned.is_err() {
                // No thread: here and now.
                let _ = std::fs::remove_file(old);
            }
        }
    });
    pending().retain(|p| !olds.contains(p));
}

#[cfg(all(test, unix))]
mod tests {
    use super::super::writeback::tests::listing;
    use super::super::{clean_stale, commit_all, write_file};
    use super::*;

    /// A second link of the old file under a temporary name (that the stale cleanup knows),
    /// registered as pending; none when there is no file.
    #[test]
    fn the_old_file_is_kept_under_a_temporary_name() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("runs.csv");
        assert_eq!(keep_old(&target, &mut pending()), None);
        std::fs::write(&target, "old").unwrap();
        let old = keep_old(&target, &mut pending()).unwrap();
        let name = old.file_name().unwrap().to_str().unwrap();
        assert!(name.starts_with(".runs.csv~old"), "{name}");
        assert_eq!(super::super::temp_owner(name), Some(std::process::id()));
        assert!(pending().contains(&old));
        use std::os::unix::fs::MetadataExt;
        assert_eq!(std::fs::metadata(&target).unwrap().nlink(), 2);
        assert_eq!(std::fs::read_to_string(&old).unwrap(), "old");
        // A leftover of the same name is replaced.
        let again = keep_old(&target, &mut pending()).unwrap();
        assert_eq!(again, old);
        remove_old(vec![old.clone()]);
        assert!(!old.exists() && !pending().contains(&old));
        assert_eq!(listing(dir.path()), ["runs.csv"]);
    }

    /// A set that replaces files leaves the new bytes in place and no old copy behind, and
    /// the old copies were separate links until then (the renames deleted nothing).
    #[test]
    fn replacing_a_set_leaves_no_old_copy() {
        let dir = tempfile::tempdir().unwrap();
        let names = ["a.csv", "b.csv", "c.png"];
        let files = |text: &str| {
            names
                .iter()
                .map(|n| write_file(&dir.path().join(n), text.as_bytes()).unwrap())
                .collect::<Vec<_>>()
        };
        commit_all(files("one")).unwrap();
        // Open the old files: each is removed only after the set is in place.
        let held: Vec<_> = names
            .iter()
            .map(|n| std::fs::File::open(dir.path().join(n)).unwrap())
            .collect();
        commit_all(files("two")).unwrap();
        for n in names {
            assert_eq!(std::fs::read_to_string(dir.path().join(n)).unwrap(), "two");
        }
        use std::os::unix::fs::MetadataExt;
        for f in &held {
            assert_eq!(f.metadata().unwrap().nlink(), 0, "the old copy is gone");
        }
        assert_eq!(
            listing(dir.path()),
            [".backsim-manifest", "a.csv", "b.csv", "c.png"]
        );
        assert!(pending().iter().all(|p| !p.starts_with(dir.path())));
    }

    /// An old copy left by a killed process is a stale temporary file.
    #[test]
    fn a_killed_process_s_old_copy_is_stale() {
        let dir = tempfile::tempdir().unwrap();
        let left = dir.path().join(".runs.csv~old.backsim-tmp-4294967294");
        std::fs::write(&left, "x").unwrap();
        assert_eq!(clean_stale(dir.path()), [left]);
    }
}
