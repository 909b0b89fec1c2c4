//! Tests of `atomic`.

use super::manifest::{foreign_files, manifest_entries};
use super::*;

#[test]
fn temp_names_and_owners() {
    let t = temp_path(Path::new("out/runs.csv"));
    let name = t.file_name().unwrap().to_str().unwrap();
    assert_eq!(temp_owner(name), Some(std::process::id()));
    assert_eq!(temp_owner("runs.csv"), None);
    assert_eq!(temp_owner(".runs.csv.backsim-tmp-"), None);
    assert_eq!(temp_owner(".runs.csv.backsim-tmp-12x"), None);
    assert_eq!(temp_owner("x.backsim-tmp-12"), None);
}

#[test]
fn failed_set_leaves_nothing_and_commit_replaces() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    commit_all(vec![write_file(&a, b"old").unwrap()]).unwrap();
    assert_eq!(manifest_names(dir.path()), vec!["a.csv".to_string()]);
    let files = || std::fs::read_dir(dir.path()).unwrap().count();
    {
        let _f = write_file(&a, b"new").unwrap();
        assert!(pending_paths().iter().any(|p| p.starts_with(dir.path())));
    }
    assert_eq!(std::fs::read_to_string(&a).unwrap(), "old");
    assert_eq!(files(), 2, "a.csv and the manifest");
    let f = write_file(&a, b"new").unwrap();
    commit_all(vec![f]).unwrap();
    assert_eq!(std::fs::read_to_string(&a).unwrap(), "new");
    assert_eq!(files(), 2, "a.csv and the manifest");
    assert!(!pending_paths().iter().any(|p| p.starts_with(dir.path())));
}

#[test]
fn files_backsim_did_not_write_are_refused_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let mine = dir.path().join("summary.csv");
    std::fs::write(&mine, "mine").unwrap();
    let ours = write_file(&dir.path().join("runs.csv"), b"r").unwrap();
    let theirs = write_file(&mine, b"new").unwrap();
    let err = commit_all(vec![ours, theirs]).unwrap_err().to_string();
    assert!(
        err.contains("summary.csv was not written by backsim"),
        "{err}"
    );
    // Nothing of the set was renamed, nothing is left pending.
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "mine");
    assert!(!dir.path().join("runs.csv").exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    assert_eq!(
        foreign_files(dir.path(), &["summary.csv".into(), "x.csv".into()]),
        vec!["summary.csv".to_string()]
    );
}

#[test]
fn stale_files_of_dead_processes_only() {
    let dir = tempfile::tempdir().unwrap();
    // PIDs above the kernel's pid_max (4194304) cannot be running.
    let dead = dir.path().join(".runs.csv.backsim-tmp-4294967");
    let mine = temp_path(&dir.path().join("summary.csv"));
    let other = dir.path().join(".notes.txt");
    let lookalike = dir.path().join("runs.csv.backsim-tmp-4294967");
    for p in [&dead, &mine, &other, &lookalike] {
        std::fs::write(p, "x").unwrap();
    }
    assert_eq!(clean_stale(dir.path()), vec![dead.clone()]);
    assert!(!dead.exists() && mine.exists() && other.exists() && lookalike.exists());
}

/// The manifest is written under the registry's lock, as the renames are: a signal (whose
/// thread takes that lock and exits holding it) cannot stop the process between the
/// manifest's temporary file and its rename, so no temporary manifest is ever left behind.
#[test]
fn the_manifest_waits_for_the_registry_lock() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.csv");
    commit_all(vec![write_file(&a, b"x").unwrap()]).unwrap();
    let listed = |d: &Path| manifest_entries(d).iter().any(|e| e.0 == "a.csv");
    assert!(listed(dir.path()));
    let (tx, rx) = std::sync::mpsc::channel();
    let path = dir.path().to_path_buf();
    let worker = {
        let guard = pending();
        let h = std::thread::spawn(move || {
            forget(&path, &["a.csv".to_string()]).unwrap();
            tx.send(()).unwrap();
        });
        // While the lock is held, forgetting cannot finish.
        assert!(rx
            .recv_timeout(std::time::Duration::from_millis(200))
            .is_err());
        assert!(listed(dir.path()));
        drop(guard);
        h
    };
    rx.recv().unwrap();
    worker.join().unwrap();
    assert!(!listed(dir.path()));
}
