//! Determinism: results depend on the seed only, never on the thread count.

use crate::common::{preset, simulate};
use assert_cmd::Command;
use std::path::Path;

const CSVS: [&str; 4] = ["runs.csv", "summary.csv", "compare.csv", "sprints.csv"];

/// `backsim run` of the four archetypes into `dir/out`, with extra arguments and env.
fn run(dir: &Path, out: &str, args: &[&str], env: &[(&str, &str)]) {
    let mut cmd = Command::cargo_bin("backsim").unwrap();
    cmd.current_dir(dir)
        .env_remove("RAYON_NUM_THREADS")
        .args([
            "run",
            "--runs",
            "60",
            "--no-charts",
            "--quiet",
            "--out",
            out,
        ])
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.assert().success();
}

fn read(dir: &Path, out: &str, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(out).join(file)).unwrap()
}

#[test]
fn outputs_do_not_depend_on_threads_and_do_on_the_seed() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    run(d, "t1", &["--threads", "1"], &[]);
    run(d, "t2", &["--threads", "2"], &[]);
    run(d, "env1", &[], &[("RAYON_NUM_THREADS", "1")]);
    run(d, "env3", &[], &[("RAYON_NUM_THREADS", "3")]);
    run(d, "again", &["--threads", "2"], &[]);
    run(d, "seed7", &["--threads", "2", "--seed", "7"], &[]);
    for file in CSVS {
        let base = read(d, "t1", file);
        assert!(base.len() > 100, "{file} is nearly empty");
        for other in ["t2", "env1", "env3", "again"] {
            assert!(
                base == read(d, other, file),
                "{file}: --threads 1 and {other} differ"
            );
        }
        assert!(
            base != read(d, "seed7", file),
            "{file}: seed 7 gives the same file as seed 42"
        );
    }
    // The resolved scenarios agree too (apart from the command line and the date).
    let strip = |b: Vec<u8>| -> String {
        String::from_utf8(b)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with("command") && !l.starts_with("date"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        strip(read(d, "t1", "scenarios.toml")),
        strip(read(d, "t2", "scenarios.toml"))
    );
}

/// In-process, across several batches of replications: one thread and two threads give
/// bit-identical records.
#[test]
fn records_are_bit_identical_across_thread_pools_and_batches() {
    let scenarios = [preset("forecast"), preset("aligned")];
    let runs = 600; // more than two batches of 256
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| simulate(&scenarios, 99, runs));
    let two = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap()
        .install(|| simulate(&scenarios, 99, runs));
    for (r, (a, b)) in one.iter().zip(&two).enumerate() {
        for s in 0..scenarios.len() {
            for (m, (x, y)) in a[s].metrics.iter().zip(&b[s].metrics).enumerate() {
                assert!(
                    x.to_bits() == y.to_bits(),
                    "replication {r}, scenario {s}, metric {m}: {x} vs {y}"
                );
            }
        }
    }
    let other = simulate(&scenarios, 100, 20);
    assert!(other
        .iter()
        .zip(&one)
        .any(|(a, b)| a[1].metrics[9] != b[1].metrics[9]));
}
