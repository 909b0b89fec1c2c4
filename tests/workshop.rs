//! docs/workshop.md cannot go stale: every `backsim` command in it runs as written (in a
//! temp folder, in order), and each exercise's "expected result" block holds what the current
//! build gives. `BACKSIM_BLESS=1 cargo test --release --test workshop` rewrites the blocks.

use assert_cmd::Command;
use backsim::output::results::Results;
use backsim::workshop::{command, expected_block, EXERCISES};
use std::io::{BufRead, BufReader};
use std::path::Path;

fn guide_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/workshop.md")
}

/// The `backsim ...` lines of the guide's ```sh blocks, in order.
fn commands(guide: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_sh = false;
    for line in guide.lines() {
        if line.starts_with("```") {
            in_sh = line.trim() == "```sh" && !in_sh;
            continue;
        }
        if in_sh && line.starts_with("backsim ") {
            out.push(line.split('#').next().unwrap().trim().to_string());
        }
    }
    out
}

/// The guide with each exercise's block replaced by `blocks[slug]`.
fn with_blocks(guide: &str, blocks: &[(String, String)]) -> String {
    let mut out = guide.to_string();
    for (slug, block) in blocks {
        let open = format!("<!-- expected {slug} -->\n");
        let start = out
            .find(&open)
            .unwrap_or_else(|| panic!("docs/workshop.md lacks `{}`", open.trim()))
            + open.len();
        let end = start
            + out[start..]
                .find("<!-- /expected -->")
                .expect("closing marker");
        out.replace_range(start..end, block);
    }
    out
}

#[test]
fn the_guide_runs_as_written_and_its_numbers_are_the_builds() {
    let guide = std::fs::read_to_string(guide_path()).unwrap();
    let cmds = commands(&guide);
    // Every exercise's command is in the guide, as `backsim workshop` runs it.
    for ex in &EXERCISES {
        let c = command(ex, "workshop");
        assert!(
            cmds.contains(&c),
            "docs/workshop.md lacks the command of {}: {c}",
            ex.slug
        );
    }
    assert!(cmds.iter().any(|c| c == "backsim workshop --out workshop"));
    assert!(cmds.iter().any(|c| c == "backsim serve"));
    let dir = tempfile::tempdir().unwrap();
    for c in &cmds {
        let args: Vec<&str> = c.split_whitespace().skip(1).collect();
        if args[0] == "serve" {
            // The live page: it starts and prints its URL (then it is stopped).
            let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("backsim"))
                .args(&args)
                .current_dir(dir.path())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            let mut line = String::new();
            BufReader::new(child.stdout.take().unwrap())
                .read_line(&mut line)
                .unwrap();
            let _ = child.kill();
            let _ = child.wait();
            assert!(
                line.contains("http://127.0.0.1:8787/"),
                "`{c}` printed {line:?}"
            );
            continue;
        }
        let out = Command::cargo_bin("backsim")
            .unwrap()
            .args(&args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "`{c}` failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The deck is one self-contained page with every exercise.
    let deck = std::fs::read_to_string(dir.path().join("workshop/deck.html")).unwrap();
    assert!(!deck.contains("src=\"http") && !deck.contains("href=\"http"));
    assert_eq!(deck.matches("<section").count(), 1 + 4 * EXERCISES.len());
    assert_eq!(
        deck.matches("data:image/png;base64,").count(),
        2 * EXERCISES.len()
    );

    let blocks: Vec<(String, String)> = EXERCISES
        .iter()
        .map(|ex| {
            let results = Results::read(&dir.path().join("workshop").join(ex.slug)).unwrap();
            (ex.slug.to_string(), expected_block(ex, &results).unwrap())
        })
        .collect();
    let expected = with_blocks(&guide, &blocks);
    if std::env::var_os("BACKSIM_BLESS").is_some() {
        std::fs::write(guide_path(), &expected).unwrap();
        return;
    }
    if expected != guide {
        let diff: Vec<String> = guide
            .lines()
            .zip(expected.lines())
            .filter(|(a, b)| a != b)
            .map(|(a, b)| format!("- {a}\n+ {b}"))
            .take(12)
            .collect();
        panic!(
            "docs/workshop.md's expected results differ from this build (BACKSIM_BLESS=1 cargo test --release --test workshop rewrites them, then read the diff):\n{}",
            diff.join("\n")
        );
    }
}

/// A file of the workshop's names that backsim did not write (here in the second exercise's
/// folder) is refused before any work: the first exercise used to be written in full before
/// the refusal, which advised a `--force` that `workshop` did not take. It takes it now.
#[test]
fn a_foreign_file_is_refused_before_any_exercise_and_force_replaces_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mine = tmp.path().join("ws/2-overloaded-po/runs.csv");
    std::fs::create_dir_all(mine.parent().unwrap()).unwrap();
    std::fs::write(&mine, "my own runs\n").unwrap();
    let workshop = |extra: &[&str]| {
        let mut cmd = Command::cargo_bin("backsim").unwrap();
        cmd.current_dir(tmp.path())
            .args(["workshop", "--out", "ws", "-q"])
            .args(extra)
            .timeout(std::time::Duration::from_secs(300));
        cmd.output().unwrap()
    };
    let out = workshop(&[]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("2-overloaded-po: runs.csv was not written by backsim")
            && err.contains("--force"),
        "{err}"
    );
    let left: Vec<_> = walk(&tmp.path().join("ws"));
    assert_eq!(
        left,
        vec!["2-overloaded-po/runs.csv"],
        "written before the refusal"
    );
    let out = workshop(&["--force"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(std::fs::read_to_string(&mine)
        .unwrap()
        .starts_with("scenario,run,"));
    assert!(tmp.path().join("ws/deck.html").is_file());
}

/// Every file under `dir`, relative, sorted.
fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap();
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}
