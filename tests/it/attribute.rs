//! `backsim attribute`: exact Shapley contributions that add up to `backsim run`'s paired
//! difference, zero for a mechanism that changes nothing, clear errors, and the table in
//! docs/model.md as this build produces it.

use assert_cmd::Command;
use backsim::analysis::attribute::{self, AttributeOptions, AttributeOutcome};
use backsim::analysis::AnalysisRun;
use backsim::cli::RunArgs;
use backsim::engine::metrics::METRICS;
use backsim::format::fmt_num;
use backsim::output::ImageFormat;
use predicates::prelude::*;
use std::path::Path;

fn opts(
    dir: &Path,
    scenario: &str,
    metrics: &[&str],
    runs: u64,
    seed: Option<u64>,
) -> AttributeOptions {
    AttributeOptions {
        scenario: scenario.into(),
        baseline: "aligned".into(),
        metrics: metrics.iter().map(|s| s.to_string()).collect(),
        merge: Vec::new(),
        by: attribute::By::Structure,
        run: AnalysisRun {
            runs: Some(runs),
            seed,
            precision: None,
            max_runs: runs,
            out: dir.to_path_buf(),
            format: ImageFormat::Png,
            no_charts: true,
            quiet: true,
            allow_large: false,
        },
    }
}

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

fn assert_adds_up(o: &AttributeOutcome) {
    for a in &o.metrics {
        let sum: f64 = a.contributions.iter().map(|s| s.mean).sum();
        let scale = a.total.mean.abs().max(a.baseline_mean.abs()).max(1.0);
        assert!(
            (sum - a.total.mean).abs() <= 1e-9 * scale,
            "{} {}: contributions sum to {sum}, total {}",
            o.scenario,
            METRICS[a.metric].name,
            a.total.mean
        );
        assert!(
            (a.scenario_mean - a.baseline_mean - a.total.mean).abs() <= 1e-9 * scale,
            "scenario − baseline is the total"
        );
    }
}

#[test]
fn the_full_set_reproduces_compare_csv_and_contributions_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let (runs, seed) = (60, 7);
    backsim::commands::run::run(&RunArgs {
        scenarios: vec!["aligned".into(), "siloed-pm".into()],
        runs: Some(runs),
        seed: Some(seed),
        out: dir.path().join("run"),
        quiet: true,
        no_charts: true,
        ..Default::default()
    })
    .unwrap();
    let metrics = [
        "value_efficiency",
        "release_delay_sprints",
        "completion_sprint",
        "ranking_tau",
    ];
    let o = attribute::run(&opts(
        &dir.path().join("attr"),
        "siloed-pm",
        &metrics,
        runs,
        Some(seed),
    ))
    .unwrap();
    assert_adds_up(&o);
    let compare = csv_rows(&dir.path().join("run/compare.csv"));
    let summary = csv_rows(&dir.path().join("run/summary.csv"));
    for a in &o.metrics {
        let name = METRICS[a.metric].name;
        let row = compare
            .iter()
            .find(|r| r[0] == "siloed-pm" && r[2] == name)
            .unwrap();
        // Same runs, same order, same arithmetic: the same digits.
        assert_eq!(
            [
                fmt_num(a.total.mean),
                fmt_num(a.total.ci95.0),
                fmt_num(a.total.ci95.1)
            ],
            [row[4].clone(), row[5].clone(), row[6].clone()],
            "{name}: total against compare.csv"
        );
        assert_eq!(a.n.to_string(), row[9], "{name}: runs used");
        if !METRICS[a.metric].censored {
            // The empty set is the baseline: its mean is aligned's in summary.csv.
            let s = summary
                .iter()
                .find(|r| r[0] == "aligned" && r[1] == name)
                .unwrap();
            assert_eq!(fmt_num(a.baseline_mean), s[2], "{name}: baseline mean");
        }
    }
    // attribution.csv: a row per mechanism and metric plus the total, summing to it.
    let rows = csv_rows(&dir.path().join("attr/attribution.csv"));
    assert_eq!(rows.len(), metrics.len() * (o.players.len() + 1));
    for m in metrics {
        let mine: Vec<&Vec<String>> = rows.iter().filter(|r| r[2] == m).collect();
        let total: f64 = mine.iter().find(|r| r[3] == "total").unwrap()[4]
            .parse()
            .unwrap();
        let sum: f64 = mine
            .iter()
            .filter(|r| r[3] != "total")
            .map(|r| r[4].parse::<f64>().unwrap())
            .sum();
        assert!(
            (sum - total).abs() <= 1e-5 * total.abs().max(1.0),
            "{m}: {sum} vs {total}"
        );
        assert!(mine
            .iter()
            .all(|r| r[0] == "siloed-pm" && r[1] == "aligned"));
    }
}

#[test]
fn a_mechanism_that_changes_nothing_gets_exactly_zero() {
    // pm.override_top (mechanism "PM override") does nothing while roles.pm_override = 0.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("quiet-override.toml");
    std::fs::write(
        &file,
        "extends = \"aligned\"\nname = \"quiet-override\"\n[pm]\nsync_fidelity = 0.5\noverride_top = 9\n",
    )
    .unwrap();
    let o = attribute::run(&opts(
        dir.path(),
        file.to_str().unwrap(),
        &["value_efficiency", "release_delay_sprints"],
        40,
        None,
    ))
    .unwrap();
    let names: Vec<&str> = o.players.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["hand-over", "PM override"]);
    assert_adds_up(&o);
    for a in &o.metrics {
        assert_eq!(a.contributions[1].mean, 0.0, "{}", METRICS[a.metric].name);
        assert_eq!(a.contributions[1].ci95, (0.0, 0.0));
        assert_eq!(a.contributions[0].mean, a.total.mean);
    }
    assert!(
        o.metrics[0].total.mean != 0.0,
        "the hand-over changes value efficiency"
    );
}

#[test]
fn every_archetype_adds_up() {
    let dir = tempfile::tempdir().unwrap();
    for s in ["overloaded-po", "blurred-roles"] {
        let o = attribute::run(&opts(
            dir.path(),
            s,
            &[
                "value_efficiency",
                "release_delay_sprints",
                "decision_wait_share",
            ],
            30,
            None,
        ))
        .unwrap();
        assert_eq!(o.variants, 1 << o.players.len());
        assert_adds_up(&o);
    }
}

fn backsim(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("backsim").unwrap();
    cmd.current_dir(dir).env_remove("RAYON_NUM_THREADS");
    cmd
}

#[test]
fn the_command_writes_its_files_and_refuses_bad_input_clearly() {
    let dir = tempfile::tempdir().unwrap();
    backsim(dir.path())
        .args(["attribute", "siloed-pm", "--runs", "20", "--out", "o"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("by mechanism")
                .and(predicate::str::contains("scope recognition"))
                .and(predicate::str::contains("direct"))
                .and(predicate::str::contains("total")),
        )
        // What it is about to do: siloed-pm has no PM who overrides, so 7 mechanisms play,
        // each subset in both arms.
        .stderr(predicate::str::contains(
            "attribute by mechanism: siloed-pm against aligned: 7 players → 256 variants × 20 runs",
        ));
    for f in [
        "attribution.csv",
        "attribution_value_efficiency.png",
        "attribution_value_efficiency.svg",
        "attribution_release_delay_sprints.png",
        "report.html",
    ] {
        assert!(dir.path().join("o").join(f).exists(), "{f}");
    }
    // By structure: the players are the structural switches, one row each (and the total)
    // per metric in attribution.csv.
    let out = backsim(dir.path())
        .args(["attribute", "siloed-pm", "--by", "structure", "--runs", "4"])
        .args(["--no-charts", "--out", "s"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    let players: usize = said
        .split("attribute by structural switch: siloed-pm against aligned: ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no player count in {said}"));
    let rows = std::fs::read_to_string(dir.path().join("s/attribution.csv"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("siloed-pm,aligned,value_efficiency,"))
        .count();
    assert!(players >= 2, "{said}");
    assert_eq!(players + 1, rows, "{said}");
    let variants = format!("players → {} variants × 4 runs", 1 << players);
    assert!(said.contains(&variants), "{said}");
    let html = std::fs::read_to_string(dir.path().join("o/report.html")).unwrap();
    assert!(html.contains("<section id=\"attribution\">") && html.contains("<svg"));
    let header = std::fs::read_to_string(dir.path().join("o/attribution.csv")).unwrap();
    let columns = "scenario,baseline,metric,mechanism,contribution,ci95_low,ci95_high";
    assert!(header.starts_with(&format!("{columns}\n")));
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/outputs.md"))
            .unwrap();
    assert!(
        doc.contains(&format!("`{columns}`")),
        "docs/outputs.md documents attribution.csv"
    );

    for (args, says) in [
        (vec!["attribute", "aligned"], "describe the same system"),
        (
            vec!["attribute", "siloed-pm", "--baseline", "siloed-pm"],
            "no difference to attribute",
        ),
        (vec!["attribute", "no-such-preset"], "no-such-preset"),
        (
            vec!["attribute", "siloed-pm", "--metric", "value_eficiency"],
            "value_eficiency",
        ),
        (vec!["attribute", "siloed-pm", "--runs", "1"], "at least 2"),
        (
            vec![
                "attribute",
                "siloed-pm",
                "--by",
                "structure",
                "--merge",
                "hand-over,nonsense",
            ],
            "no mechanism \"nonsense\"",
        ),
        (
            vec!["attribute", "siloed-pm", "--merge", "hand-over,PM presence"],
            "--by structure",
        ),
    ] {
        backsim(dir.path())
            .args(&args)
            .args(["--out", "bad"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says));
    }
    assert!(!dir.path().join("bad/attribution.csv").exists());
}

/// The tables in docs/model.md between their markers are what `backsim attribute` gives
/// for the three archetypes at the stated run count, by mechanism and by structure.
/// `BACKSIM_BLESS=1` rewrites them.
#[test]
fn the_attribution_tables_in_model_md_are_this_builds() {
    let dir = tempfile::tempdir().unwrap();
    for (by, marker) in [
        (attribute::By::Mechanism, "attribution-mechanism"),
        (attribute::By::Structure, "attribution"),
    ] {
        let outcomes: Vec<AttributeOutcome> = ["siloed-pm", "overloaded-po", "blurred-roles"]
            .iter()
            .map(|s| {
                let mut o = opts(
                    dir.path(),
                    s,
                    &attribute::DEFAULT_METRICS,
                    attribute::DEFAULT_RUNS,
                    None,
                );
                o.by = by;
                attribute::run(&o).unwrap()
            })
            .collect();
        let table = attribute::markdown_table(&outcomes);
        crate::common::doc_block_is("docs/model.md", marker, &table, "");
    }
}
