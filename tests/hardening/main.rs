//! Hardening: bad scenario files, bad results folders, limits, output safety, interruptions.
//!
//! The corpus lives in `tests/data/bad/`: each `NAME.toml` has a `NAME.expect` beside it with
//! one substring per line that the error message must hold (the file name, the key path,
//! `:LINE:`). Cases that cannot be committed as files (a directory, a FIFO, a device, non-UTF-8
//! bytes, a several-MB file, …) are made in a temporary folder at test time.
//!
//! Tests run as root here, so a permission-denied file cannot be made with chmod; the
//! unreadable cases are a path through a file (ENOTDIR), a dangling symlink, a FIFO and
//! /dev/zero instead.

mod attribute_run;
mod properties;

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn backsim() -> Command {
    let mut c = Command::cargo_bin("backsim").unwrap();
    c.timeout(Duration::from_secs(60));
    c
}

fn bad_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad")
}

/// Every entry of `dir` (names), sorted; empty when it does not exist.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Run `check SPEC` and `run SPEC --runs 2 --out DIR`; both must exit 2 with every expected
/// substring, no panic, and no output. Returns the problems found.
fn expect_rejected(spec: &str, expected: &[String], scratch: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let out = scratch.join(format!(
        "out-{}",
        spec.rsplit('/').next().unwrap_or("x").replace('.', "_")
    ));
    let invocations: [Vec<&str>; 2] = [
        vec!["check", spec],
        vec!["run", spec, "--runs", "2", "--out", out.to_str().unwrap()],
    ];
    for args in invocations {
        let o = backsim().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        let what = format!("backsim {}", args.join(" "));
        if o.status.code() != Some(2) {
            problems.push(format!(
                "{what}: exit code {:?}, expected 2\n{stderr}",
                o.status.code()
            ));
        }
        if stderr.contains("panicked") {
            problems.push(format!("{what}: panicked\n{stderr}"));
        }
        for e in expected {
            if !stderr.contains(e.as_str()) {
                problems.push(format!("{what}: message lacks {e:?}:\n{stderr}"));
            }
        }
        if !listing(&out).is_empty() {
            problems.push(format!("{what}: wrote {:?}", listing(&out)));
        }
    }
    problems
}

#[test]
fn bad_scenario_corpus_is_rejected_with_file_key_and_line() {
    let scratch = tempfile::tempdir().unwrap();
    let mut cases = 0;
    let mut problems = Vec::new();
    let mut entries: Vec<PathBuf> = fs::read_dir(bad_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    entries.sort();
    for toml in entries {
        let expect_path = toml.with_extension("expect");
        let expected: Vec<String> = fs::read_to_string(&expect_path)
            .unwrap_or_else(|_| panic!("{} has no .expect file", toml.display()))
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
        assert!(
            expected.len() >= 2,
            "{}: expect at least the file name and one more substring",
            expect_path.display()
        );
        problems.extend(expect_rejected(
            toml.to_str().unwrap(),
            &expected,
            scratch.path(),
        ));
        cases += 1;
    }
    assert!(cases >= 30, "only {cases} bad files");
    assert!(
        problems.is_empty(),
        "{} problems:\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

/// Bad inputs that cannot be committed as files.
#[test]
fn generated_bad_files_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let p = |name: &str| d.join(name).to_str().unwrap().to_string();
    let mut cases: Vec<(String, Vec<&str>)> = Vec::new();

    fs::create_dir(d.join("folder.toml")).unwrap();
    cases.push((p("folder.toml"), vec!["folder.toml", "directory"]));

    cases.push((p("missing.toml"), vec!["missing.toml", "cannot read"]));

    fs::write(d.join("file.toml"), "name = \"x\"\n").unwrap();
    cases.push((p("file.toml/inner.toml"), vec!["inner.toml", "cannot read"]));

    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(d.join("gone.toml"), d.join("dangling.toml")).unwrap();
        cases.push((p("dangling.toml"), vec!["dangling.toml", "cannot read"]));
        let fifo = std::ffi::CString::new(p("fifo.toml")).unwrap();
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
        cases.push((p("fifo.toml"), vec!["fifo.toml", "not a regular file"]));
        cases.push(("/dev/zero".into(), vec!["/dev/zero", "not a regular file"]));
    }

    fs::write(
        d.join("latin1.toml"),
        b"name = \"x\"\ndescription = \"caf\xe9\"\n",
    )
    .unwrap();
    cases.push((p("latin1.toml"), vec!["latin1.toml", ":2:", "UTF-8"]));

    fs::write(d.join("binary.toml"), [0u8, 159, 146, 150, 255, 0, 1, 2]).unwrap();
    cases.push((p("binary.toml"), vec!["binary.toml", ":1:", "UTF-8"]));

    fs::write(d.join("nul.toml"), "name = \"a\0b\"\n").unwrap();
    cases.push((p("nul.toml"), vec!["nul.toml", ":1:"]));

    let mut big = String::from("name = \"big\"\n");
    while big.len() < 3 << 20 {
        big.push_str("# padding padding padding padding padding padding padding padding\n");
    }
    fs::write(d.join("big.toml"), &big).unwrap();
    cases.push((p("big.toml"), vec!["big.toml", "bytes", "at most"]));

    // Deep nesting just under the size limit must not overflow the parser's stack.
    let depth = 400_000;
    let nested = format!("x = {}{}\n", "[".repeat(depth), "]".repeat(depth));
    fs::write(d.join("nested.toml"), nested).unwrap();
    cases.push((p("nested.toml"), vec!["nested.toml", ":1:"]));
    let tables = format!("x = {}1{}\n", "{a = ".repeat(100_000), "}".repeat(100_000));
    fs::write(d.join("nested_tables.toml"), tables).unwrap();
    cases.push((p("nested_tables.toml"), vec!["nested_tables.toml", ":1:"]));

    let mut problems = Vec::new();
    for (spec, expected) in &cases {
        let expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        problems.extend(expect_rejected(spec, &expected, d));
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

#[test]
fn command_line_limits_are_input_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for (args, needle) in [
        (vec!["--runs", "0"], "--runs"),
        (vec!["--runs", "1000000000000"], "--allow-large"),
        (vec!["--threads", "0"], "--threads"),
    ] {
        let mut all = vec!["run", "aligned", "--out", out.to_str().unwrap()];
        all.extend(args);
        let o = backsim().args(&all).output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{all:?}: {stderr}");
        assert!(stderr.contains(needle), "{all:?}: {stderr}");
        assert!(
            listing(&out).is_empty(),
            "{all:?}: wrote {:?}",
            listing(&out)
        );
    }
}

#[test]
fn allow_large_raises_the_limits_deliberately() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("many_items.toml");
    fs::write(
        &f,
        "extends = \"aligned\"\n[backlog]\ninitial_items = 200000\n",
    )
    .unwrap();
    let f = f.to_str().unwrap();
    let o = backsim().args(["check", f]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--allow-large"));
    backsim()
        .args(["check", "--allow-large", f])
        .assert()
        .success();
}

// ---------------------------------------------------------------------------------------------
// Results folders read back by `plot`.

fn edit(path: &Path, f: impl FnOnce(String) -> String) {
    let text = fs::read_to_string(path).unwrap();
    fs::write(path, f(text)).unwrap();
}

fn replace_line(path: &Path, index: usize, f: impl FnOnce(&str) -> String) {
    edit(path, |t| {
        let mut lines: Vec<String> = t.lines().map(String::from).collect();
        lines[index] = f(&lines[index]);
        lines.join("\n") + "\n"
    })
}

/// Replace cell `col` (by header name) of data row `row` (0-based) of a CSV file.
fn set_cell(path: &Path, row: usize, col: &str, value: &str) {
    edit(path, |t| {
        let mut lines: Vec<String> = t.lines().map(String::from).collect();
        let i = lines[0].split(',').position(|h| h == col).unwrap();
        let mut cells: Vec<String> = lines[row + 1].split(',').map(String::from).collect();
        cells[i] = value.to_string();
        lines[row + 1] = cells.join(",");
        lines.join("\n") + "\n"
    })
}

type Breaker = Box<dyn Fn(&Path)>;

#[test]
fn bad_results_folders_are_rejected_by_plot() {
    let cases: Vec<(&str, Breaker, &[&str])> = vec![
        (
            "empty distributions.csv",
            Box::new(|d| fs::write(d.join("distributions.csv"), "").unwrap()),
            &["distributions.csv:1:", "empty"],
        ),
        (
            "empty summary.csv",
            Box::new(|d| fs::write(d.join("summary.csv"), "").unwrap()),
            &["summary.csv:1:", "empty"],
        ),
        (
            "empty scenarios.toml",
            Box::new(|d| fs::write(d.join("scenarios.toml"), "").unwrap()),
            &["scenarios.toml:1:", "[run]"],
        ),
        (
            "header only",
            Box::new(|d| {
                edit(&d.join("distributions.csv"), |t| {
                    t.lines().next().unwrap().to_string() + "\n"
                })
            }),
            &["distributions.csv:2:", "no runs"],
        ),
        (
            "missing file",
            Box::new(|d| fs::remove_file(d.join("sprints.csv")).unwrap()),
            &["sprints.csv", "missing"],
        ),
        (
            "file is a folder",
            Box::new(|d| {
                fs::remove_file(d.join("compare.csv")).unwrap();
                fs::create_dir(d.join("compare.csv")).unwrap();
            }),
            &["compare.csv", "missing"],
        ),
        (
            "missing column distributions",
            Box::new(|d| {
                edit(&d.join("distributions.csv"), |t| {
                    t.replacen("count", "cnt", 1)
                })
            }),
            &["distributions.csv:1:", "missing column 'count'"],
        ),
        (
            "neither distributions.csv nor runs.csv",
            Box::new(|d| {
                fs::remove_file(d.join("distributions.csv")).unwrap();
                fs::remove_file(d.join("runs.csv")).unwrap();
            }),
            &["distributions.csv", "missing"],
        ),
        (
            "missing column in the runs.csv of an older folder",
            Box::new(|d| {
                fs::remove_file(d.join("distributions.csv")).unwrap();
                edit(&d.join("runs.csv"), |t| {
                    t.replacen("completion_sprint", "completion", 1)
                })
            }),
            &["runs.csv:1:", "missing column 'completion_sprint'"],
        ),
        (
            "missing column summary",
            Box::new(|d| edit(&d.join("summary.csv"), |t| t.replacen(",p85,", ",p86,", 1))),
            &["summary.csv:1:", "missing column 'p85'"],
        ),
        (
            "missing column sprints",
            Box::new(|d| edit(&d.join("sprints.csv"), |t| t.replacen("series", "serie", 1))),
            &["sprints.csv:1:", "missing column 'series'"],
        ),
        (
            "short row",
            Box::new(|d| {
                replace_line(&d.join("distributions.csv"), 3, |l| {
                    l.split(',').take(2).collect::<Vec<_>>().join(",")
                })
            }),
            &["distributions.csv:4:", "malformed row"],
        ),
        (
            "long row",
            Box::new(|d| replace_line(&d.join("compare.csv"), 2, |l| format!("{l},1,2"))),
            &["compare.csv:3:", "malformed row"],
        ),
        (
            "unclosed quote",
            Box::new(|d| replace_line(&d.join("summary.csv"), 2, |l| format!("\"{l}"))),
            &["summary.csv", "malformed"],
        ),
        (
            "text for number",
            Box::new(|d| set_cell(&d.join("distributions.csv"), 0, "value", "high")),
            &["distributions.csv:2:", "value", "expected a number"],
        ),
        (
            "NaN cell",
            Box::new(|d| set_cell(&d.join("summary.csv"), 1, "mean", "NaN")),
            &["summary.csv:3:", "mean", "expected a number"],
        ),
        (
            "inf cell",
            Box::new(|d| set_cell(&d.join("sprints.csv"), 2, "p50", "inf")),
            &["sprints.csv:4:", "p50", "expected a number"],
        ),
        (
            "negative run",
            Box::new(|d| set_cell(&d.join("distributions.csv"), 1, "count", "-1")),
            &["distributions.csv:3:", "'count'", "whole number"],
        ),
        (
            "negative run in the runs.csv of an older folder",
            Box::new(|d| {
                fs::remove_file(d.join("distributions.csv")).unwrap();
                set_cell(&d.join("runs.csv"), 1, "run", "-1")
            }),
            &["runs.csv:3:", "'run'", "whole number"],
        ),
        (
            "fractional sprint",
            Box::new(|d| set_cell(&d.join("sprints.csv"), 0, "sprint", "1.5")),
            &["sprints.csv:2:", "'sprint'", "whole number"],
        ),
        (
            "bad percentile",
            Box::new(|d| set_cell(&d.join("summary.csv"), 0, "p50", ">x")),
            &["summary.csv:2:", "p50", ">H"],
        ),
        (
            "bad better_when",
            Box::new(|d| set_cell(&d.join("compare.csv"), 0, "better_when", "up")),
            &["compare.csv:2:", "better_when"],
        ),
        (
            "unknown scenario",
            Box::new(|d| set_cell(&d.join("sprints.csv"), 0, "scenario", "ghost")),
            &["sprints.csv:2:", "ghost"],
        ),
        (
            "empty scenario cell",
            Box::new(|d| set_cell(&d.join("summary.csv"), 0, "scenario", "")),
            &["summary.csv:2:", "scenario"],
        ),
        (
            "non-UTF-8 csv",
            Box::new(|d| {
                let mut b = fs::read(d.join("distributions.csv")).unwrap();
                let at = b.iter().position(|&c| c == b'\n').unwrap() + 3;
                b[at] = 0xff;
                fs::write(d.join("distributions.csv"), b).unwrap();
            }),
            &["distributions.csv:2:", "UTF-8"],
        ),
        (
            "non-UTF-8 toml",
            Box::new(|d| {
                fs::write(d.join("scenarios.toml"), b"[run]\nbaseline = \"\xff\"\n").unwrap()
            }),
            &["scenarios.toml", "UTF-8"],
        ),
        (
            "toml syntax",
            Box::new(|d| {
                edit(&d.join("scenarios.toml"), |t| {
                    t.replacen("[run]", "[run", 1)
                })
            }),
            &["scenarios.toml", "line 1"],
        ),
        (
            "no scenarios",
            Box::new(|d| fs::write(d.join("scenarios.toml"), "[run]\nbaseline = \"a\"\n").unwrap()),
            &["scenarios.toml:1:", "[[scenario]]"],
        ),
        (
            "baseline unknown",
            Box::new(|d| {
                edit(&d.join("scenarios.toml"), |t| {
                    let at = t.find("baseline = ").unwrap();
                    let end = at + t[at..].find('\n').unwrap();
                    format!("{}baseline = \"nobody\"{}", &t[..at], &t[end..])
                })
            }),
            &["scenarios.toml:", "baseline", "nobody"],
        ),
        (
            "wrong type in toml",
            Box::new(|d| {
                edit(&d.join("scenarios.toml"), |t| {
                    let t = t.replacen("\nsprints = ", "\nold_sprints = ", 1);
                    t.replacen("[run]", "[run]\nsprints = \"many\"", 1)
                })
            }),
            &["scenarios.toml:", "sprints", "integer"],
        ),
    ];
    let n = cases.len();
    let mut problems = Vec::new();
    for (label, breaker, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        backsim::output::fixture::write(dir.path(), 2, 12).unwrap();
        breaker(dir.path());
        let before = snapshot(dir.path());
        let o = backsim()
            .args(["plot", dir.path().to_str().unwrap(), "--format", "svg"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        if o.status.code() != Some(2) {
            problems.push(format!("{label}: exit {:?}: {stderr}", o.status.code()));
        }
        if stderr.contains("panicked") {
            problems.push(format!("{label}: panicked: {stderr}"));
        }
        for e in expected {
            if !stderr.contains(e) {
                problems.push(format!("{label}: message lacks {e:?}: {stderr}"));
            }
        }
        if snapshot(dir.path()) != before {
            problems.push(format!("{label}: the folder changed"));
        }
    }
    assert!(n >= 25);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Names and contents of the files of a folder, sorted.
type Snapshot = Vec<(String, Vec<u8>)>;

/// Names and contents of every file in `dir` (sorted).
fn snapshot(dir: &Path) -> Snapshot {
    let mut v: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let b = fs::read(&p).unwrap_or_default();
            (p.file_name().unwrap().to_string_lossy().into_owned(), b)
        })
        .collect();
    v.sort();
    v
}

// ---------------------------------------------------------------------------------------------
// Output safety.

fn quick_run(out: &Path, runs: &str) -> assert_cmd::assert::Assert {
    backsim()
        .args([
            "run",
            "aligned",
            "siloed-pm",
            "--runs",
            runs,
            "--no-charts",
            "-q",
        ])
        .arg("--out")
        .arg(out)
        .assert()
}

fn temp_files(dir: &Path) -> Vec<String> {
    listing(dir)
        .into_iter()
        .filter(|n| n.contains(".backsim-tmp-"))
        .collect()
}

#[test]
fn output_path_that_is_a_file_or_below_a_file_is_refused_before_work() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("results");
    fs::write(&file, "precious").unwrap();
    for out in [file.clone(), file.join("sub")] {
        let o = backsim()
            .args([
                "run",
                "aligned",
                "--runs",
                "2",
                "--no-charts",
                "-q",
                "--out",
            ])
            .arg(&out)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("results"), "{stderr}");
    }
    assert_eq!(fs::read_to_string(&file).unwrap(), "precious");
    assert_eq!(listing(dir.path()), vec!["results".to_string()]);
}

/// A tmpfs mounted for a test, unmounted on drop (needs root; None elsewhere).
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(at: &Path, options: &str) -> Option<Mount> {
        fs::create_dir_all(at).unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(at)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            Some(Mount(at.to_path_buf()))
        } else {
            eprintln!("cannot mount a tmpfs here (not root?): skipping");
            None
        }
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn read_only_output_folder_is_refused_before_work() {
    let dir = tempfile::tempdir().unwrap();
    let Some(m) = Mount::tmpfs(&dir.path().join("ro"), "ro,size=64k") else {
        return;
    };
    let o = backsim()
        .args([
            "run",
            "aligned",
            "--runs",
            "2",
            "--no-charts",
            "-q",
            "--out",
        ])
        .arg(&m.0)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not writable"), "{stderr}");
}

#[test]
fn full_disk_is_refused_before_work_and_keeps_earlier_results() {
    let dir = tempfile::tempdir().unwrap();
    let Some(m) = Mount::tmpfs(&dir.path().join("small"), "size=256k") else {
        return;
    };
    quick_run(&m.0, "3").success();
    let before = snapshot(&m.0);
    let o = backsim()
        .args([
            "run",
            "aligned",
            "siloed-pm",
            "--runs",
            "50000",
            "--no-charts",
            "-q",
            "--out",
        ])
        .arg(&m.0)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not enough free space"), "{stderr}");
    assert_eq!(snapshot(&m.0), before);
}

#[test]
fn disk_full_while_writing_leaves_earlier_results_and_no_temp_files() {
    use backsim::output::atomic::{commit_all, write_file, PendingFile};
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let Some(m) = Mount::tmpfs(&dir.path().join("small"), "size=128k") else {
        return;
    };
    let target = m.0.join("runs.csv");
    fs::write(&target, "earlier").unwrap();
    let small = write_file(&m.0.join("summary.csv"), b"new summary").unwrap();
    let mut big = PendingFile::create(&target).unwrap();
    let chunk = vec![b'x'; 4096];
    let failed_early = (0..100).any(|_| big.writer().write_all(&chunk).is_err());
    let err = if failed_early {
        drop((small, big));
        None
    } else {
        Some(commit_all(vec![small, big]).unwrap_err())
    };
    if let Some(err) = err {
        assert!(format!("{err:#}").contains("runs.csv"), "{err:#}");
    }
    assert_eq!(fs::read_to_string(&target).unwrap(), "earlier");
    assert_eq!(listing(&m.0), vec!["runs.csv".to_string()]);
}

#[test]
fn a_panic_mid_write_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("runs.csv");
    fs::write(&target, "earlier").unwrap();
    let t = target.clone();
    let r = std::panic::catch_unwind(move || {
        let _f = backsim::output::atomic::write_file(&t, b"half").unwrap();
        panic!("crash in the middle");
    });
    assert!(r.is_err());
    assert_eq!(fs::read_to_string(&target).unwrap(), "earlier");
    assert_eq!(listing(dir.path()), vec!["runs.csv".to_string()]);
}

#[test]
fn overwriting_says_so_and_other_files_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    fs::write(out.join("notes.txt"), "mine").unwrap();
    // A backsim-like temp name of a running process (this one) and a look-alike without the dot.
    let live = format!(".runs.csv.backsim-tmp-{}", std::process::id());
    fs::write(out.join(&live), "live").unwrap();
    fs::write(out.join("runs.csv.backsim-tmp-1"), "not ours").unwrap();
    let first = quick_run(out, "2").success();
    assert!(!String::from_utf8_lossy(&first.get_output().stdout).contains("Replaced"));
    let o = backsim()
        .args([
            "run",
            "aligned",
            "siloed-pm",
            "--runs",
            "2",
            "--no-charts",
            "--out",
        ])
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success());
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("Replaced earlier results"), "{stdout}");
    assert!(stdout.contains("runs.csv"), "{stdout}");
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    assert!(out.join(&live).exists());
    assert!(out.join("runs.csv.backsim-tmp-1").exists());
}

// ---------------------------------------------------------------------------------------------
// Interruptions: kill a long run and look at the folder.

#[cfg(unix)]
/// Start a run of `scenarios` far too long to finish into `out` and wait until its temporary
/// runs.csv exists; return the process and that file.
fn start_long_run(out: &Path, scenarios: &[&str]) -> (std::process::Child, PathBuf) {
    let bin = assert_cmd::cargo::cargo_bin("backsim");
    let child = std::process::Command::new(bin)
        .arg("run")
        .args(scenarios)
        .args(["--runs", "5000000", "--no-charts", "-q", "--out"])
        .arg(out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let temp = out.join(format!(".runs.csv.backsim-tmp-{}", child.id()));
    let start = std::time::Instant::now();
    while !temp.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no temp file appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    (child, temp)
}

fn interrupted(signal: i32) -> (Option<i32>, Snapshot, Snapshot) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    quick_run(&out, "3").success();
    fs::write(out.join("notes.txt"), "mine").unwrap();
    let before = snapshot(&out);
    let (mut child, _) = start_long_run(&out, &["aligned", "siloed-pm"]);
    // Mid-simulation: some rows are streamed into the temporary runs.csv.
    std::thread::sleep(Duration::from_millis(400));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the run ended too soon"
    );
    unsafe { libc::kill(child.id() as i32, signal) };
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no exit after the signal"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let after = snapshot(&out);
    (status.code(), before, after)
}

#[cfg(unix)]
#[test]
fn sigterm_sigint_and_sighup_leave_earlier_results_intact_and_no_temp_files() {
    for (signal, code) in [
        (libc::SIGTERM, 143),
        (libc::SIGINT, 130),
        (libc::SIGHUP, 129),
    ] {
        let (status, before, after) = interrupted(signal);
        assert_eq!(status, Some(code), "signal {signal}");
        assert_eq!(before, after, "signal {signal}: the folder changed");
    }
}

/// A signal at any moment of a run, its final renames included, leaves either the earlier
/// result set or the complete new one, never a mix, and no temp file (the renames happen
/// under the registry's lock, so a signal waits until the set is in place). SIGTERM is sent
/// at delays spread from 30 % to 200 % of a run's measured duration, so some land during
/// the simulation, some at its very end where the renames are, and some after it.
#[cfg(unix)]
#[test]
fn a_signal_at_any_moment_leaves_the_old_set_or_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let prepare = |out: &Path| {
        quick_run(out, "3").success();
        fs::write(out.join("notes.txt"), "mine").unwrap();
    };
    let args = [
        "run",
        "aligned",
        "siloed-pm",
        "--runs",
        "40",
        "--seed",
        "11",
        "--no-charts",
        "-q",
        "--out",
    ];
    let full = dir.path().join("full");
    prepare(&full);
    let before = snapshot(&full);
    let start = std::time::Instant::now();
    backsim().args(args).arg(&full).assert().success();
    let took = start.elapsed();
    let after = snapshot(&full);
    let names = |s: &Snapshot| s.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&before), names(&after), "a run adds no file here");
    // The CSVs depend on the seed only (other files carry the date and the folder).
    let csv: Vec<usize> = (0..before.len())
        .filter(|&i| before[i].0.ends_with(".csv"))
        .collect();
    assert!(csv.len() >= 4, "{:?}", names(&before));
    assert!(csv.iter().all(|&i| before[i].1 != after[i].1));
    let (mut old, mut new) = (0, 0);
    for k in 0..18 {
        let out = dir.path().join(format!("out{k}"));
        prepare(&out);
        let mine = snapshot(&out);
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("backsim"))
            .args(args)
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(took.mul_f64(0.3 + 0.1 * k as f64));
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        let exit = child.wait().unwrap();
        // Killed before main installed its handler (a loaded machine can be that slow to
        // start a process): the default action ends it, and no file can have been touched.
        let status = match std::os::unix::process::ExitStatusExt::signal(&exit) {
            Some(libc::SIGTERM) => Some(143),
            _ => exit.code(),
        };
        let now = snapshot(&out);
        assert_eq!(names(&now), names(&mine), "delay {k}: temp files left");
        let is_old: Vec<bool> = csv.iter().map(|&i| now[i].1 == mine[i].1).collect();
        let is_new: Vec<bool> = csv.iter().map(|&i| now[i].1 == after[i].1).collect();
        if is_old.iter().all(|&x| x) {
            assert_eq!(status, Some(143), "delay {k}: interrupted, exit 143");
            old += 1;
        } else if is_new.iter().all(|&x| x) {
            assert!(
                status == Some(0) || status == Some(143),
                "delay {k}: {status:?}"
            );
            new += 1;
        } else {
            let mixed: Vec<String> = csv
                .iter()
                .zip(&is_old)
                .map(|(&i, o)| format!("{} {}", now[i].0, if *o { "old" } else { "new" }))
                .collect();
            panic!("delay {k}: a mix of both sets: {mixed:?}");
        }
    }
    assert!(
        old > 0 && new > 0,
        "old set {old} times, new set {new} times"
    );
}

#[cfg(unix)]
#[test]
fn sigkill_leaves_a_hidden_temp_file_that_the_next_run_removes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    quick_run(&out, "3").success();
    let (mut child, _) = start_long_run(&out, &["aligned"]);
    std::thread::sleep(Duration::from_millis(200));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(temp_files(&out).len(), 1, "{:?}", listing(&out));
    let runs_before = fs::read(out.join("runs.csv")).unwrap();
    assert!(!runs_before.is_empty());
    // The next run in the folder removes the dead process's temp file, nothing else.
    fs::write(out.join("notes.txt"), "mine").unwrap();
    quick_run(&out, "2").success();
    assert!(temp_files(&out).is_empty(), "{:?}", listing(&out));
    assert!(out.join("notes.txt").exists());
}

/// Degenerate worlds through the whole pipeline, charts and report included.
#[test]
fn degenerate_worlds_run_and_draw() {
    let dir = tempfile::tempdir().unwrap();
    let worlds = [
        ("zero_capacity", "[team]\ncapacity = { dist = \"constant\", value = 0 }\n"),
        ("flooded", "[team]\ncapacity = { dist = \"constant\", value = 3 }\n[backlog]\narrivals_per_sprint = 200\n"),
        ("one_sprint", "[simulation]\nsprints = 1\nvalue_tail_sprints = 0\n"),
        ("one_item", "[backlog]\ninitial_items = 1\narrivals_per_sprint = 0\n[market]\nthemes = 1\n"),
        ("empty_world", "[backlog]\ninitial_items = 0\narrivals_per_sprint = 0\n[release]\nscope = \"initial_backlog\"\n"),
    ];
    for (name, body) in worlds {
        let f = dir.path().join(format!("{name}.toml"));
        fs::write(&f, format!("extends = \"aligned\"\n{body}")).unwrap();
        let out = dir.path().join(format!("out-{name}"));
        let o = backsim()
            .args(["run", "aligned"])
            .arg(&f)
            .args(["--runs", "4", "-q", "--format", "svg", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{name}: {stderr}");
        assert!(out.join("report.html").exists(), "{name}");
        assert!(temp_files(&out).is_empty(), "{name}");
    }
}

// ---------------------------------------------------------------------------------------------
// Every input the fuzzers found, replayed (tests/data/fuzz/TARGET/*).

#[path = "../../fuzz/common.rs"]
mod fuzz_common;

#[test]
fn fuzz_findings_stay_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz");
    let mut n = 0;
    for target in ["params", "scenario_bytes"] {
        let mut files: Vec<PathBuf> = fs::read_dir(root.join(target))
            .map(|rd| rd.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        files.sort();
        for f in files {
            let input = fs::read(&f).unwrap();
            let r = std::panic::catch_unwind(|| match target {
                "params" => fuzz_common::params(&input),
                _ => fuzz_common::scenario_bytes(&input),
            });
            assert!(r.is_ok(), "{} fails again", f.display());
            n += 1;
        }
    }
    assert!(n >= 16, "only {n} fuzz findings replayed");
}
