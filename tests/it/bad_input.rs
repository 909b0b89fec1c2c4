//! Bad input a newcomer gives by mistake (the audit of session 36): each case exits 2 with a
//! message that names what is wrong and what to do, panics nowhere and leaves nothing on disk.

use assert_cmd::Command;
use std::path::Path;

fn backsim(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("backsim").unwrap();
    cmd.current_dir(dir).env_remove("RAYON_NUM_THREADS");
    cmd.timeout(std::time::Duration::from_secs(120));
    cmd
}

/// Run, expect exit 2, and return stderr.
fn refused(dir: &Path, args: &[&str]) -> String {
    let out = backsim(dir).args(args).output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}:\n{err}");
    assert!(!err.contains("panicked"), "{args:?}:\n{err}");
    err
}

/// The folder holds exactly these names.
fn holds(dir: &Path, names: &[&str]) {
    let mut got: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    got.sort();
    assert_eq!(got, names, "what is left in {}", dir.display());
}

/// A seed above 2⁶³ − 1 cannot be written to scenarios.toml (a TOML integer): it used to pass
/// the command line and then panic (run, sensitivity, validate: leaving an empty output
/// folder) or fail as an internal error (a forecast). Every command refuses it up front; the
/// largest seed a file can hold still runs, and a file's too-large integer says the limit.
#[test]
fn a_seed_beyond_what_a_scenario_file_holds_is_refused_up_front() {
    let tmp = tempfile::tempdir().unwrap();
    let big = "9223372036854775808";
    for args in [
        vec!["run", "--seed", big, "--runs", "3"],
        vec!["run", "forecast", "--seed", big, "--runs", "3"],
        vec!["sensitivity", "aligned", "--seed", big, "--runs", "3"],
        vec!["validate", "--seed", big, "--runs", "3"],
        vec![
            "sweep",
            "aligned",
            "--param",
            "po.myopia=0.1,0.2",
            "--seed",
            big,
            "--runs",
            "3",
        ],
        vec!["attribute", "siloed-pm", "--seed", big, "--runs", "3"],
        vec!["trace", "aligned", "--seed", big],
    ] {
        let err = refused(tmp.path(), &args);
        assert!(
            err.contains("--seed") && err.contains("9223372036854775807"),
            "{args:?}:\n{err}"
        );
    }
    holds(tmp.path(), &[]);
    backsim(tmp.path())
        .args([
            "run",
            "aligned",
            "--seed",
            "9223372036854775807",
            "--runs",
            "2",
            "--no-charts",
            "-q",
        ])
        .assert()
        .success();
    let written = std::fs::read_to_string(tmp.path().join("output/scenarios.toml")).unwrap();
    assert!(written.contains("seed = 9223372036854775807"), "{written}");
    std::fs::write(
        tmp.path().join("s.toml"),
        format!("extends = \"aligned\"\n[simulation]\nseed = {big}\n"),
    )
    .unwrap();
    let err = refused(tmp.path(), &["check", "s.toml"]);
    assert!(
        err.contains("s.toml:3:8: simulation.seed: too large")
            && err.contains("at most 9223372036854775807")
            && !err.contains("u64"),
        "{err}"
    );
}

/// `attribute` between a forecast and the roles model, or by mechanism between forecasts,
/// used to run 256 variants and print a table of dashes or of mechanisms a forecast does not
/// have (exit 0). It says why not and what to do; forecasts by structure still run.
#[test]
fn attribute_refuses_a_forecast_where_it_has_nothing_to_share() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("f2.toml"),
        "extends = \"forecast\"\nname = \"f2\"\n[backlog]\ninitial_items = 80\n",
    )
    .unwrap();
    let attribute = |extra: &[&str]| {
        let mut args = vec!["attribute", "--runs", "3", "-q"];
        args.extend_from_slice(extra);
        args.iter().map(|a| a.to_string()).collect::<Vec<_>>()
    };
    for (extra, needles) in [
        (
            vec!["forecast"],
            vec![
                "forecast is a throughput forecast",
                "aligned is the roles model",
                "--baseline",
                "backsim run aligned forecast",
            ],
        ),
        (
            vec!["siloed-pm", "--baseline", "forecast"],
            vec![
                "siloed-pm is the roles model",
                "the baseline forecast is a throughput",
            ],
        ),
        (
            vec!["f2.toml", "--baseline", "forecast"],
            vec![
                "f2.toml and forecast are throughput forecasts",
                "--by structure",
            ],
        ),
    ] {
        let args = attribute(&extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let err = refused(tmp.path(), &args);
        for n in needles {
            assert!(err.contains(n), "{args:?}: {n:?} not in\n{err}");
        }
    }
    holds(tmp.path(), &["f2.toml"]);
    backsim(tmp.path())
        .args([
            "attribute",
            "f2.toml",
            "--baseline",
            "forecast",
            "--by",
            "structure",
        ])
        .args([
            "--runs",
            "3",
            "-q",
            "--metric",
            "completion_sprint",
            "--no-charts",
        ])
        .assert()
        .success();
    assert!(tmp.path().join("output/attribution.csv").exists());
}

/// `init ""` wrote a hidden `.toml` named ".toml", and `init -- -x` suggested
/// `backsim check -x.toml`, which the command line reads as a flag.
#[test]
fn init_wants_a_name_and_suggests_commands_that_work() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("dir")).unwrap();
    for name in ["", "dir/", ".toml"] {
        let err = refused(tmp.path(), &["init", name]);
        assert!(err.contains("must be non-empty"), "{name:?}: {err}");
    }
    holds(tmp.path(), &["dir"]);
    let out = backsim(tmp.path())
        .args(["init", "--", "-x"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(
        said.contains("try: backsim check ./-x.toml && backsim run aligned ./-x.toml"),
        "{said}"
    );
    backsim(tmp.path())
        .args(["check", "./-x.toml"])
        .assert()
        .success();
}

/// `--threads 100000` started that many threads and did not finish (5000 took 24 s for 3
/// runs); `--threads 0` was refused only after the scenarios' warnings (run) or the plan's
/// line (validate). Both are refused as the command line is read.
#[test]
fn threads_out_of_range_are_refused_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    for cmd in ["run", "validate"] {
        let out = backsim(tmp.path())
            .args([cmd, "--runs", "3", "--threads", "100000"])
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{cmd}: {err}");
        assert!(
            err.contains("above the limit of 1024") && err.contains("core"),
            "{err}"
        );
        let err = refused(tmp.path(), &[cmd, "--runs", "3", "--threads", "0"]);
        assert!(
            err.contains("--threads") && err.contains("at least 1"),
            "{err}"
        );
        assert!(
            !err.contains("warning:") && !err.contains("stylized"),
            "{err}"
        );
    }
    holds(tmp.path(), &[]);
}
