//! `calibrate` from a tracker's per-item export: fixture files with each kind of messy row
//! (tests/data/tracker/), comma and semicolon, ISO and a named date format.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/tracker")
        .join(name)
}

fn calibrate(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("backsim")
        .unwrap()
        .current_dir(dir)
        .arg("calibrate")
        .args(args)
        .args(["--out", "cal"])
        .output()
        .unwrap()
}

/// Both fixtures hold the same 13 items: weeks of Jan 4, 11, 18 (none), 25 and Feb 1.
#[test]
fn a_messy_export_gives_weekly_throughput_lead_times_aging_and_one_warning() {
    for (file, extra) in [
        ("messy.csv", vec![]),
        ("messy_semicolon.csv", vec!["--date-format", "%d-%b-%y"]),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = fixture(file);
        let mut args = vec![path.to_str().unwrap()];
        args.extend(extra.iter().copied());
        let out = calibrate(dir.path(), &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{file}: {stderr}");
        let throughput = std::fs::read_to_string(dir.path().join("cal/throughput.csv")).unwrap();
        assert_eq!(
            throughput,
            "period_start,items\n2027-01-04,2\n2027-01-11,3\n2027-01-18,0\n2027-01-25,3\n2027-02-01,2\n",
            "{file}"
        );
        // One warning line for the messy rows, with each count and example ids.
        let messy: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains("no date at all"))
            .collect();
        assert_eq!(messy.len(), 1, "{stderr}");
        let w = messy[0];
        assert!(
            w.starts_with("warning: 1 row has no date at all")
                && w.contains("A10")
                && w.contains("1 is done with no")
                && w.contains("A7")
                && w.contains("1 is done before it started")
                && w.contains("A8"),
            "{w}"
        );
        // Lead times (done − start + 1): 2 3 3 3 5 8 9 11: P50 4, P85 8.95.
        assert!(
            stdout.contains("lead time (8 items, calendar days")
                && stdout.contains("P50 4, P85 8.95"),
            "{stdout}"
        );
        let start = if file == "messy.csv" {
            "started"
        } else {
            "created"
        };
        let aging = std::fs::read_to_string(dir.path().join("cal/aging.csv")).unwrap();
        assert_eq!(
            aging,
            format!("id,{start},age_days\nA9,2027-01-20,17\nW1,2027-01-27,10\n"),
            "{file}"
        );
        assert!(stdout.contains("5 weeks: mean 2"), "{stdout}");
        // --strict refuses the same file.
        let mut strict = args.clone();
        strict.push("--strict");
        let out = calibrate(dir.path(), &strict);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("--strict"));
    }
}

#[test]
fn periods_since_and_last() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture("messy.csv");
    let p = path.to_str().unwrap();
    // Days: Jan 5 to Feb 5 is 32 days, zero days included.
    let out = calibrate(dir.path(), &[p, "--period", "day"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let t = std::fs::read_to_string(dir.path().join("cal/throughput.csv")).unwrap();
    assert_eq!(t.lines().count(), 1 + 32);
    assert!(t.contains("\n2027-01-05,1\n") && t.contains("\n2027-01-06,0\n"));
    // Sprints of 14 days from Monday Jan 4: [Jan 4, 17] 5, [Jan 18, 31] 3, [Feb 1, 14] 2:
    // three periods are too few to calibrate, and the error says so.
    let out = calibrate(dir.path(), &[p, "--period", "sprint"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("3 sprints of throughput"));
    // --since and --last keep the recent history.
    let out = calibrate(dir.path(), &[p, "--period", "day", "--since", "2027-01-25"]);
    assert!(out.status.success());
    let t = std::fs::read_to_string(dir.path().join("cal/throughput.csv")).unwrap();
    assert!(t.starts_with("period_start,items\n2027-01-26,1\n"), "{t}");
    let out = calibrate(dir.path(), &[p, "--period", "day", "--last", "6"]);
    assert!(out.status.success());
    let t = std::fs::read_to_string(dir.path().join("cal/throughput.csv")).unwrap();
    assert_eq!(t, "period_start,items\n2027-01-31,0\n2027-02-01,0\n2027-02-02,0\n2027-02-03,1\n2027-02-04,0\n2027-02-05,1\n");
}

#[test]
fn what_cannot_be_read_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    for (file, words) in [
        ("no_done.csv", "no done column"),
        (
            "bad_date.csv",
            "bad_date.csv:3: done = \"05/01/2027\" is not a date",
        ),
        ("empty.csv", "empty"),
    ] {
        let path = fixture(file);
        let out = calibrate(dir.path(), &[path.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file}: {stderr}");
        assert!(stderr.contains(words), "{file}: {stderr}");
        assert!(!stderr.contains("panicked"));
    }
    let path = fixture("messy.csv");
    let out = calibrate(
        dir.path(),
        &[path.to_str().unwrap(), "--date-format", "%d/%m"],
    );
    assert_eq!(out.status.code(), Some(2));
}
