//! `backsim attribute` before and around its work: the free-space estimate it checks, the
//! files it refuses to replace, the smallest run count, and its progress bar in a terminal.

use super::{backsim, Mount};
use std::fs;
use std::path::Path;

/// siloed-pm against aligned by structure (3 players, 8 variants), value efficiency only,
/// 2 runs: the smallest attribution the command accepts.
const SMALL: [&str; 9] = [
    "attribute",
    "siloed-pm",
    "--by",
    "structure",
    "--metric",
    "value_efficiency",
    "--runs",
    "2",
    "--out",
];

#[test]
fn attribute_needs_4_kib_a_metric_and_256_kib_a_file_free_before_it_starts() {
    // Without charts the set is attribution.csv and report.html: 1 × 4096 + 2 × 262144 =
    // 528384 bytes, 129 pages. A tmpfs of exactly that passes (the files themselves take
    // 3 pages); one page less is refused before any work, naming the estimate.
    let dir = tempfile::tempdir().unwrap();
    let Some(exact) = Mount::tmpfs(&dir.path().join("exact"), "size=528384") else {
        return;
    };
    let o = backsim()
        .args(SMALL)
        .arg(&exact.0)
        .args(["--no-charts", "-q"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(exact.0.join("attribution.csv").exists());
    let Some(short) = Mount::tmpfs(&dir.path().join("short"), "size=524288") else {
        return;
    };
    let o = backsim()
        .args(SMALL)
        .arg(&short.0)
        .args(["--no-charts", "-q"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "not enough free space for the results: about 516.0 KiB needed, 512.0 KiB free"
        ),
        "{stderr}"
    );
    assert_eq!(
        fs::read_dir(&short.0).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn a_chart_backsim_did_not_write_is_refused_only_when_charts_are_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    fs::create_dir(&out).unwrap();
    let mine = out.join("attribution_value_efficiency.png");
    fs::write(&mine, "mine").unwrap();
    let o = backsim().args(SMALL).arg(&out).arg("-q").output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("attribution_value_efficiency.png was not written by backsim"),
        "{stderr}"
    );
    assert_eq!(fs::read_to_string(&mine).unwrap(), "mine");
    assert!(!out.join("attribution.csv").exists());
    // Without charts that name is not part of the set: the run (of 2 runs, the fewest
    // allowed) goes ahead and leaves the file alone.
    let o = backsim()
        .args(SMALL)
        .arg(&out)
        .args(["--no-charts", "-q"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(fs::read_to_string(&mine).unwrap(), "mine");
    assert!(out.join("attribution.csv").exists());
}

/// What the terminal shows when `backsim attribute ARGS` runs in a pseudo-terminal (through
/// util-linux `script`), or None where there is no `script`.
fn in_a_terminal(dir: &Path, args: &str) -> Option<String> {
    let bin = assert_cmd::cargo::cargo_bin("backsim");
    let o = std::process::Command::new("script")
        .args([
            "-qfec",
            &format!("'{}' attribute {args}", bin.display()),
            "/dev/null",
        ])
        .current_dir(dir)
        .output();
    let Ok(o) = o else {
        eprintln!("no `script` to make a terminal here: skipping");
        return None;
    };
    let shown = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "{shown}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    Some(shown)
}

#[test]
fn the_progress_bar_counts_every_variants_runs_in_a_terminal_unless_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let args = "siloed-pm --by structure --metric value_efficiency --runs 2 --no-charts";
    let Some(shown) = in_a_terminal(dir.path(), &format!("{args} --out a")) else {
        return;
    };
    // 8 variants × 2 runs.
    assert!(shown.contains("attributing ["), "{shown}");
    assert!(shown.contains("/16 runs ("), "{shown}");
    assert!(
        shown.contains("8 variants × 2 runs (seed 42) written to a"),
        "{shown}"
    );
    let quiet = in_a_terminal(dir.path(), &format!("{args} -q --out b")).unwrap();
    assert!(!quiet.contains("attributing"), "{quiet}");
    assert!(dir.path().join("b/attribution.csv").exists());
}
