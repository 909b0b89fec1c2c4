//! Messages a newcomer can act on (issue 14): did-you-mean, type errors in words, init,
//! long work, interruptions, folders the user fills, and counts in the right number.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn backsim(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("backsim").unwrap();
    cmd.current_dir(dir).env_remove("RAYON_NUM_THREADS");
    cmd.timeout(std::time::Duration::from_secs(120));
    cmd
}

fn stderr_of(cmd: &mut Command, code: i32) -> String {
    let out = cmd.assert().code(code);
    String::from_utf8(out.get_output().stderr.clone()).unwrap()
}

#[test]
fn an_unknown_key_gets_the_nearest_key_not_the_whole_list() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("t.toml"),
        "extends = \"aligned\"\n[team]\nlanez = 3\n",
    )
    .unwrap();
    let err = stderr_of(backsim(tmp.path()).args(["check", "t.toml"]), 2);
    assert!(err.contains("t.toml:3:1: team.lanez"), "{err}");
    assert!(err.contains("did you mean `lanes`?"), "{err}");
    assert!(err.contains("^^^^^"), "{err}");
    assert!(!err.contains("velocity_window"), "lists every key:\n{err}");
    // A misspelt section, and a value of a closed list.
    std::fs::write(tmp.path().join("s.toml"), "[tema]\nlanes = 3\n").unwrap();
    let err = stderr_of(backsim(tmp.path()).args(["check", "s.toml"]), 2);
    assert!(err.contains("did you mean `team`?"), "{err}");
    std::fs::write(tmp.path().join("v.toml"), "[release]\nscope = \"roadmp\"\n").unwrap();
    let err = stderr_of(backsim(tmp.path()).args(["check", "v.toml"]), 2);
    assert!(err.contains("did you mean \"roadmap\"?"), "{err}");
}

#[test]
fn a_mistyped_preset_or_file_gets_a_suggestion() {
    let tmp = tempfile::tempdir().unwrap();
    let err = stderr_of(
        backsim(tmp.path()).args(["run", "aligned", "siloed", "--runs", "2"]),
        2,
    );
    assert!(
        err.contains("`siloed` is neither a scenario file nor a preset"),
        "{err}"
    );
    assert!(err.contains("did you mean `siloed-pm`?"), "{err}");
    assert!(!err.contains("os error"), "{err}");
    assert!(!tmp.path().join("output").exists());
    std::fs::write(tmp.path().join("my-team.toml"), "extends = \"aligned\"\n").unwrap();
    let err = stderr_of(backsim(tmp.path()).args(["check", "my-teem.toml"]), 2);
    assert!(err.contains("did you mean `my-team.toml`?"), "{err}");
    let err = stderr_of(
        backsim(tmp.path()).args(["init", "x", "--extends", "forcast"]),
        2,
    );
    assert!(err.contains("did you mean `forecast`?"), "{err}");
    let err = stderr_of(
        backsim(tmp.path()).args(["run", "--metric", "value_eficiency"]),
        2,
    );
    assert!(err.contains("did you mean `value_efficiency`?"), "{err}");
    assert!(!err.contains("decision_wait_share"), "{err}");
}

#[test]
fn type_errors_speak_of_numbers_not_rust_types() {
    let tmp = tempfile::tempdir().unwrap();
    for (body, words) in [
        ("[team]\nlanes = \"three\"\n", "expected a whole number"),
        ("[team]\nlanes = 2.5\n", "expected a whole number"),
        ("[po]\nmyopia = \"high\"\n", "expected a number"),
        ("[pm]\nenabled = \"yes\"\n", "expected true or false"),
    ] {
        std::fs::write(tmp.path().join("t.toml"), body).unwrap();
        let err = stderr_of(backsim(tmp.path()).args(["check", "t.toml"]), 2);
        assert!(err.contains(words), "{body}: {err}");
        assert!(err.contains("t.toml:2:"), "{err}");
        assert!(err.contains('^'), "{err}");
        for rust in ["u32", "u64", "f64", "usize", "invalid type"] {
            assert!(!err.contains(rust), "{body}: {rust} in\n{err}");
        }
    }
}

#[test]
fn init_forecast_writes_the_throughput_template_and_quotes_names() {
    let tmp = tempfile::tempdir().unwrap();
    backsim(tmp.path())
        .args(["init", "launch", "--extends", "forecast"])
        .assert()
        .success();
    let text = std::fs::read_to_string(tmp.path().join("launch.toml")).unwrap();
    assert!(text.contains("initial_items"), "{text}");
    for roles_key in ["[pm]", "[po]", "[roles]", "sync_interval", "risks"] {
        assert!(!text.contains(roles_key), "{roles_key} in\n{text}");
    }
    backsim(tmp.path())
        .args(["check", "launch.toml"])
        .assert()
        .success()
        .stdout(predicate::str::contains("model = \"throughput\""));
    backsim(tmp.path())
        .args(["init", "my team"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "backsim check 'my team.toml' && backsim run aligned 'my team.toml'",
        ));
    backsim(tmp.path())
        .args(["check", "my team.toml"])
        .assert()
        .success();
}

/// A risk's items are numbered in 20 bits of their ids: even with `--allow-large`, one risk
/// adds at most 2²⁰ − 1 items (one more would share ids, and draws, with the next risk's);
/// the message names the key and what to do.
#[test]
fn a_risk_adds_at_most_its_id_space_of_items_even_with_allow_large() {
    let tmp = tempfile::tempdir().unwrap();
    let risk = |n: u32| {
        format!(
            "name = \"r\"\nextends = \"forecast\"\n[[risks]]\nname = \"audit\"\nprobability = 0.5\nadded_items = {n}\n"
        )
    };
    std::fs::write(tmp.path().join("most.toml"), risk((1 << 20) - 1)).unwrap();
    std::fs::write(tmp.path().join("over.toml"), risk(1 << 20)).unwrap();
    backsim(tmp.path())
        .args(["check", "most.toml", "--allow-large"])
        .assert()
        .success();
    let err = stderr_of(
        backsim(tmp.path()).args(["check", "over.toml", "--allow-large"]),
        2,
    );
    assert!(err.contains("over.toml:6:1: risks[0].added_items"), "{err}");
    assert!(err.contains("1048576 is above 1048575"), "{err}");
    assert!(err.contains("split it into several risks"), "{err}");
}

#[test]
fn large_sweeps_and_sensitivity_ask_for_allow_large_with_an_estimate() {
    let tmp = tempfile::tempdir().unwrap();
    let err = stderr_of(
        backsim(tmp.path()).args([
            "sweep",
            "aligned",
            "--param",
            "pm.sync_interval=1,2,4,8",
            "--runs",
            "2000000",
            "--out",
            "big",
        ]),
        2,
    );
    // Four points and the scenario as given, 2 million runs each.
    assert!(err.contains("10000000 replications"), "{err}");
    assert!(err.contains("minutes on"), "{err}");
    assert!(err.contains("--allow-large"), "{err}");
    let err = stderr_of(
        backsim(tmp.path()).args([
            "sensitivity",
            "aligned",
            "--runs",
            "1000000",
            "--out",
            "big",
        ]),
        2,
    );
    assert!(err.contains("--allow-large"), "{err}");
    assert!(
        !tmp.path().join("big").exists(),
        "a refused run left a folder"
    );
}

#[test]
fn results_never_replace_files_backsim_did_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("mine");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("summary.csv"), "my own numbers").unwrap();
    std::fs::write(out.join("report.html"), "my own page").unwrap();
    let run = |extra: &[&str]| {
        let mut c = backsim(tmp.path());
        c.args([
            "run", "aligned", "--runs", "3", "--format", "svg", "--out", "mine",
        ])
        .args(extra);
        c
    };
    let err = stderr_of(&mut run(&[]), 2);
    assert!(
        err.contains("report.html and summary.csv were not written by backsim"),
        "{err}"
    );
    assert!(err.contains("--force"), "{err}");
    assert_eq!(
        std::fs::read_to_string(out.join("summary.csv")).unwrap(),
        "my own numbers"
    );
    assert!(!out.join("runs.csv").exists(), "it simulated anyway");
    // --force replaces them and says so, report.html included.
    let o = run(&["--force"]).assert().success();
    let stdout = String::from_utf8(o.get_output().stdout.clone()).unwrap();
    let replaced = stdout
        .lines()
        .find(|l| l.starts_with("Replaced earlier results"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        replaced.contains("summary.csv") && replaced.contains("report.html"),
        "{replaced}"
    );
    // Now they are backsim's: a second run replaces every file and names them all.
    let o = run(&[]).assert().success();
    let stdout = String::from_utf8(o.get_output().stdout.clone()).unwrap();
    for f in [
        "runs.csv",
        "summary.csv",
        "compare.csv",
        "sprints.csv",
        "scenarios.toml",
        "report.html",
        "quality.svg",
    ] {
        assert!(stdout.contains(f), "{f} not mentioned:\n{stdout}");
    }
    // Other commands check too: a sweep will not replace the user's sweep.csv.
    std::fs::write(out.join("sweep.csv"), "mine").unwrap();
    let err = stderr_of(
        backsim(tmp.path()).args([
            "sweep",
            "aligned",
            "--param",
            "pm.sync_interval=1,2",
            "--runs",
            "3",
            "--no-charts",
            "--out",
            "mine",
        ]),
        2,
    );
    assert!(
        err.contains("sweep.csv was not written by backsim"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("sweep.csv")).unwrap(),
        "mine"
    );
}

#[test]
fn counts_agree_in_number() {
    let tmp = tempfile::tempdir().unwrap();
    backsim(tmp.path())
        .args([
            "run",
            "aligned",
            "--runs",
            "1",
            "--no-charts",
            "--out",
            "one",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "1 run × 1 scenario (seed 42) written to one",
        ));
    std::fs::write(
        tmp.path().join("h.csv"),
        "sprint,completed\n1,0\n2,5\n3,6\n4,4\n5,7\n6,5\n",
    )
    .unwrap();
    backsim(tmp.path())
        .args(["calibrate", "h.csv", "--out", "cal"])
        .assert()
        .success()
        .stderr(
            predicate::str::contains("1 sprint completed 0")
                .and(predicate::str::contains("1 sprints").not()),
        );
}

#[cfg(unix)]
fn interrupt(dir: &Path, args: &[&str], signal: i32) -> (Option<i32>, String) {
    use std::time::{Duration, Instant};
    let bin = assert_cmd::cargo::cargo_bin("backsim");
    let child = std::process::Command::new(bin)
        .current_dir(dir)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Until the simulation is under way: its temporary runs.csv or sweep.csv has a name.
    let start = Instant::now();
    let out = dir.join(args[args.iter().position(|a| *a == "--out").unwrap() + 1]);
    loop {
        let busy = std::fs::read_dir(&out).is_ok_and(|rd| {
            rd.flatten().any(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                n.starts_with(".probe") || n.contains(".backsim-tmp-")
            })
        });
        if busy || start.elapsed() > Duration::from_secs(5) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(300));
    unsafe { libc::kill(child.id() as i32, signal) };
    let o = child.wait_with_output().unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[cfg(unix)]
#[test]
fn ctrl_c_says_what_was_kept_and_leaves_no_new_empty_folder() {
    let tmp = tempfile::tempdir().unwrap();
    // Into a new folder: nothing is left behind.
    // A run far too long to finish, into `out`.
    let long_run = |out| {
        [
            "run",
            "aligned",
            "--runs",
            "5000000",
            "--no-charts",
            "--out",
            out,
        ]
    };
    let (code, err) = interrupt(tmp.path(), &long_run("fresh"), libc::SIGINT);
    assert_eq!(code, Some(130), "{err}");
    assert!(err.contains("interrupted: nothing was written"), "{err}");
    assert!(
        !tmp.path().join("fresh").exists(),
        "an empty folder was left"
    );
    // Into a folder of earlier results: they are kept, and the message says where.
    backsim(tmp.path())
        .args([
            "run",
            "aligned",
            "--runs",
            "3",
            "--no-charts",
            "-q",
            "--out",
            "kept",
        ])
        .assert()
        .success();
    let before = std::fs::read(tmp.path().join("kept/runs.csv")).unwrap();
    let (code, err) = interrupt(
        tmp.path(),
        &[
            "sweep",
            "aligned",
            "--param",
            "pm.sync_interval=1,2,4,8",
            "--runs",
            "1000000",
            "--no-charts",
            "--out",
            "kept",
        ],
        libc::SIGINT,
    );
    assert_eq!(code, Some(130), "{err}");
    assert!(
        err.contains("interrupted: earlier results in kept kept"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(tmp.path().join("kept/runs.csv")).unwrap(),
        before
    );
    // SIGHUP (a closed terminal) cleans up the same way.
    let (code, err) = interrupt(tmp.path(), &long_run("hup"), libc::SIGHUP);
    assert_eq!(code, Some(129), "{err}");
    assert!(err.contains("stopped by SIGHUP"), "{err}");
    assert!(!tmp.path().join("hup").exists());
}

#[test]
fn report_sections_persist_and_no_charts_retires_stale_charts() {
    let tmp = tempfile::tempdir().unwrap();
    let go = |args: &[&str]| {
        backsim(tmp.path()).args(args).assert().success();
    };
    let report = || std::fs::read_to_string(tmp.path().join("r/report.html")).unwrap();
    go(&[
        "run", "aligned", "--runs", "3", "-q", "--format", "svg", "--out", "r",
    ]);
    go(&[
        "sweep",
        "aligned",
        "--param",
        "pm.sync_interval=1,2",
        "--runs",
        "3",
        "-q",
        "--no-charts",
        "--out",
        "r",
    ]);
    go(&["trace", "aligned", "--run", "1", "-q", "--out", "r"]);
    // A later run and a plot keep the sweep and trace sections...
    go(&[
        "run",
        "aligned",
        "siloed-pm",
        "--runs",
        "3",
        "-q",
        "--format",
        "svg",
        "--out",
        "r",
    ]);
    let page = report();
    assert!(page.contains("<!-- backsim:sweep -->") && page.contains("<!-- backsim:trace -->"));
    assert!(page.contains("siloed-pm"), "the run's own part is new");
    go(&["plot", "r", "--format", "svg"]);
    assert!(report().contains("<!-- backsim:sweep -->"));
    // ...unless told otherwise.
    go(&[
        "run",
        "aligned",
        "--runs",
        "3",
        "-q",
        "--format",
        "svg",
        "--fresh-report",
        "--out",
        "r",
    ]);
    assert!(!report().contains("<!-- backsim:sweep -->"));
    // --no-charts: the earlier charts go, and a report without sections goes too.
    let o = backsim(tmp.path())
        .args(["run", "aligned", "--runs", "3", "--no-charts", "--out", "r"])
        .assert()
        .success();
    let stdout = String::from_utf8(o.get_output().stdout.clone()).unwrap();
    assert!(
        stdout.contains("Removed the earlier charts and report"),
        "{stdout}"
    );
    assert!(!tmp.path().join("r/report.html").exists());
    assert!(!tmp.path().join("r/quality.svg").exists());
    // With sections, the page keeps them and says the run's part was removed.
    go(&[
        "run", "aligned", "--runs", "3", "-q", "--format", "svg", "--out", "r",
    ]);
    go(&[
        "sweep",
        "aligned",
        "--param",
        "pm.sync_interval=1,2",
        "--runs",
        "3",
        "-q",
        "--no-charts",
        "--out",
        "r",
    ]);
    go(&[
        "run",
        "aligned",
        "--runs",
        "3",
        "-q",
        "--no-charts",
        "--out",
        "r",
    ]);
    let page = report();
    assert!(page.contains("<!-- backsim:sweep -->"), "{page}");
    assert!(
        page.contains("tables and charts of the earlier run were removed"),
        "{page}"
    );
    assert!(!page.contains("compare_forest") && !tmp.path().join("r/compare_forest.svg").exists());
    // A chart the user put there under a chart's name is not backsim's to remove.
    std::fs::write(tmp.path().join("r/quality.png"), "mine").unwrap();
    go(&[
        "run",
        "aligned",
        "--runs",
        "3",
        "-q",
        "--no-charts",
        "--out",
        "r",
    ]);
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("r/quality.png")).unwrap(),
        "mine"
    );
}
