//! The README's examples, run: every `$ command` in its ```text blocks is run through `sh`
//! (with `backsim` on the PATH and a scratch HOME) in one scratch folder, in order, and the
//! output printed under it in the README must be what the program prints now. `...` in the
//! README stands for lines left out. The figures the prose quotes (metric and series counts,
//! the chart names, the forecast's weeks, the example TOML) are checked against the program
//! and the files they describe. A drift between README and program fails here.

use backsim::engine::metrics::{METRICS, SERIES};
use backsim::output::ChartKind;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn readme() -> String {
    std::fs::read_to_string(repo().join("README.md")).unwrap()
}

/// The fenced blocks of `lang` in `md`, in order.
fn blocks(md: &str, lang: &str) -> Vec<String> {
    let fence = format!("```{lang}\n");
    let mut out = Vec::new();
    let mut rest = md;
    while let Some(i) = rest.find(&fence) {
        let body = &rest[i + fence.len()..];
        let end = body.find("```").expect("closed fence");
        out.push(body[..end].to_string());
        rest = &body[end + 3..];
    }
    out
}

/// (command, expected output lines) for every `$ ` line of the README's text blocks.
fn examples(md: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for block in blocks(md, "text") {
        for line in block.lines() {
            if let Some(cmd) = line.strip_prefix("$ ") {
                out.push((cmd.to_string(), Vec::new()));
            } else if let Some(last) = out.last_mut() {
                last.1.push(line.trim_end().to_string());
            }
        }
    }
    for (_, expected) in out.iter_mut() {
        while expected.last().is_some_and(|l| l.is_empty()) {
            expected.pop();
        }
    }
    out
}

/// Whether `actual` shows `expected`: the parts between `...` lines appear in order, each as
/// consecutive lines; without `...` the whole output must match.
fn shows(actual: &[String], expected: &[String]) -> Result<(), String> {
    let parts: Vec<&[String]> = expected.split(|l| l.trim() == "...").collect();
    if parts.len() == 1 {
        return if actual == expected {
            Ok(())
        } else {
            Err("the output differs".into())
        };
    }
    let mut at = 0;
    for (i, part) in parts.iter().enumerate() {
        if part.is_empty() {
            continue;
        }
        let found = (at..=actual.len().saturating_sub(part.len()))
            .find(|&k| actual[k..].starts_with(part))
            .filter(|&k| i > 0 || k == 0)
            .filter(|&k| i + 1 < parts.len() || k + part.len() == actual.len());
        match found {
            Some(k) => at = k + part.len(),
            None => {
                return Err(format!(
                    "these lines are not in the output:\n{}",
                    part.join("\n")
                ))
            }
        }
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn the_readme_examples_print_what_the_readme_shows() {
    let md = readme();
    let examples = examples(&md);
    assert!(examples.len() >= 10, "too few examples found: {examples:?}");
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path();
    copy_dir(&repo().join("scenarios"), &work.join("scenarios"));
    // The file of the README's error example: line 3 holds the typo it shows.
    std::fs::write(
        work.join("typo.toml"),
        "extends = \"aligned\"\n[po]\nvalue_skil = 0.5\n",
    )
    .unwrap();
    let bin = assert_cmd::cargo::cargo_bin("backsim");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut problems = Vec::new();
    for (cmd, expected) in &examples {
        let o = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{cmd} 2>&1"))
            .current_dir(work)
            .env("PATH", &path)
            .env("HOME", work.join("home"))
            .env_remove("RAYON_NUM_THREADS")
            .output()
            .unwrap();
        let actual: Vec<String> = String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(|l| l.trim_end().to_string())
            .collect();
        let wants_error = expected.iter().any(|l| l.starts_with("error:"));
        if o.status.success() == wants_error {
            problems.push(format!(
                "$ {cmd}: exit status {:?}\n{}",
                o.status,
                actual.join("\n")
            ));
            continue;
        }
        if let Err(e) = shows(&actual, expected) {
            problems.push(format!(
                "$ {cmd}: {e}\n--- the program printed:\n{}",
                actual.join("\n")
            ));
        }
    }
    assert!(
        work.join("home/.local/share/bash-completion/completions/backsim")
            .is_file(),
        "the completions example wrote no file"
    );
    // The forecast's weeks in the prose are the `when` answers of its forecast.csv (the
    // smallest whole week by which that share of the runs is done).
    let forecast = std::fs::read_to_string(work.join("forecast/forecast.csv")).unwrap();
    let week = |confidence: &str| -> String {
        forecast
            .lines()
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|r| r.len() > 3 && r[1] == "when" && r[2] == confidence)
            .map(|r| r[3].to_string())
            .unwrap_or_else(|| panic!("forecast.csv has no `when` row at {confidence} %"))
    };
    let weeks = format!(
        "week {} with 50 % confidence, week {} with 85 % and week {} with 95 %",
        week("50"),
        week("85"),
        week("95")
    );
    let md = md.split_whitespace().collect::<Vec<_>>().join(" ");
    if !md.contains(&weeks) {
        problems.push(format!("the forecast prose should read {weeks:?}"));
    }
    assert!(
        problems.is_empty(),
        "README drifted:\n\n{}",
        problems.join("\n\n")
    );
}

#[test]
fn the_readme_figures_are_the_programs() {
    let md = readme();
    let metrics = format!("with {} metrics", METRICS.len());
    assert!(
        md.contains(&metrics),
        "the runs.csv line should say {metrics:?}"
    );
    let line = md
        .lines()
        .position(|l| l.contains("**`sprints.csv`**"))
        .expect("a sprints.csv bullet");
    let bullet: String = md
        .lines()
        .skip(line)
        .take_while(|l| !l.trim().is_empty() && (l.contains("sprints.csv") || l.starts_with("  ")))
        .collect::<Vec<_>>()
        .join(" ");
    let listed: Vec<&str> = bullet.split('`').skip(3).step_by(2).collect();
    assert_eq!(
        listed,
        SERIES.to_vec(),
        "the sprints.csv series in the README"
    );
    assert!(
        bullet.contains(&format!("of {} series", SERIES.len())),
        "{bullet}"
    );
    let charts = md
        .lines()
        .find(|l| l.contains("**Charts**"))
        .map(|l| {
            md[md.find(l).unwrap()..]
                .split("\n- ")
                .next()
                .unwrap()
                .to_string()
        })
        .expect("a Charts bullet");
    for kind in ChartKind::ALL {
        assert!(
            charts.contains(&format!("`{}`", kind.file_stem())),
            "chart {} not in the README's list",
            kind.file_stem()
        );
    }
    // The forecast examples are the files as they stand.
    for name in ["team-forecast", "release-dates"] {
        let path = format!("scenarios/examples/{name}.toml");
        let file = std::fs::read_to_string(repo().join(&path)).unwrap();
        assert!(
            blocks(&md, "toml").contains(&file),
            "the README's forecast TOML is not {path} as it stands"
        );
    }
}

#[test]
fn the_matcher_sees_drift() {
    let a: Vec<String> = ["x", "y", "z"].map(String::from).to_vec();
    let e = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(shows(&a, &e(&["x", "y", "z"])).is_ok());
    assert!(shows(&a, &e(&["x", "...", "z"])).is_ok());
    assert!(shows(&a, &e(&["...", "z"])).is_ok());
    assert!(shows(&a, &e(&["x", "z"])).is_err());
    assert!(shows(&a, &e(&["x", "...", "y"])).is_err());
    assert!(shows(&a, &e(&["...", "q"])).is_err());
}
