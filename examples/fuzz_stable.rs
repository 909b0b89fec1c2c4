//! A bounded random-input driver for the fuzz bodies in `fuzz/common.rs`, for the stable
//! toolchain (cargo-fuzz needs nightly). It feeds random and mutated scenario texts (seeded
//! with the presets and the bad-input corpus) and random parameter bytes for a fixed time,
//! catches panics, and aborts on an input that runs too long. Findings are saved under
//! `fuzz/artifacts/stable/`.
//!
//! `cargo run --release --example fuzz_stable -- --seconds 60 [--seed N]` (or `fuzz/run.sh`);
//! `… -- --replay params|scenario_bytes FILE` runs one saved input and prints its scenario.

#[path = "../fuzz/common.rs"]
mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// xorshift64*: enough randomness for mutations, and reproducible from `--seed`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const TOKENS: &[&str] = &[
    "nan",
    "inf",
    "-inf",
    "+inf",
    "-nan",
    "1e309",
    "-1",
    "0",
    "0.0",
    "1",
    "2",
    "1e-320",
    "9999999999999999999",
    "4294967296",
    "-0.0",
    "\"\"",
    "[[risks]]\n",
    "[team]\n",
    "[backlog.urgency]\n",
    "{ dist = \"gamma\" }",
    "{ dist = \"empirical\", values = [] }",
    "extends = \"aligned\"\n",
    "extends = \"in.toml\"\n",
    "\"",
    "[",
    "]",
    "{",
    "}",
    "=",
    "\n",
    ",",
    ".",
    "#",
    "'''",
    "\"\"\"",
    "true",
    "1979-05-27",
    "\u{feff}",
    "\\u0000",
    "é",
    "\t",
];

fn mutate(rng: &mut Rng, corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut v = corpus[rng.below(corpus.len())].clone();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(8) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 => v.insert(at, rng.next() as u8),
            2 if !v.is_empty() => {
                let end = (at + rng.below(16)).min(v.len());
                v.drain(at.min(end)..end);
            }
            3 | 4 => {
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                v.splice(at..at, t.iter().copied());
            }
            5 => {
                // Replace a number-looking run with a token.
                if let Some(start) = (at..v.len()).find(|&i| v[i].is_ascii_digit()) {
                    let end = (start..v.len())
                        .find(|&i| !(v[i].is_ascii_digit() || v[i] == b'.'))
                        .unwrap_or(v.len());
                    let t = TOKENS[rng.below(12)].as_bytes();
                    v.splice(start..end, t.iter().copied());
                }
            }
            6 => {
                // Splice in a line of another corpus entry.
                let other = &corpus[rng.below(corpus.len())];
                let lines: Vec<&[u8]> = other.split(|&b| b == b'\n').collect();
                let line = lines[rng.below(lines.len())];
                let mut l = line.to_vec();
                l.push(b'\n');
                v.splice(at..at, l);
            }
            _ => {
                if !v.is_empty() {
                    let a = rng.below(v.len());
                    let b = (a + rng.below(32)).min(v.len());
                    let chunk = v[a..b].to_vec();
                    v.splice(at..at, chunk);
                }
            }
        }
    }
    v.truncate(64 << 10);
    v
}

fn seeds(root: &Path) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = backsim::scenario::presets::names()
        .iter()
        .filter_map(|n| backsim::scenario::presets::text(n))
        .map(|t| t.as_bytes().to_vec())
        .collect();
    for dir in [
        "tests/data/bad",
        "tests/data/bad/base",
        "scenarios",
        "examples",
    ] {
        if let Ok(rd) = std::fs::read_dir(root.join(dir)) {
            for e in rd.flatten() {
                if e.path().extension().is_some_and(|x| x == "toml") {
                    if let Ok(b) = std::fs::read(e.path()) {
                        out.push(b);
                    }
                }
            }
        }
    }
    out.push(Vec::new());
    out
}

fn main() {
    let mut seconds = 60u64;
    let mut seed = 0x5eed_u64;
    let mut per_input_limit = 10u64;
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `--replay params|scenario_bytes FILE`: run one saved input, printing the scenario.
    if args.first().map(String::as_str) == Some("--replay") && args.len() == 3 {
        let input = std::fs::read(&args[2]).expect("readable input");
        if args[1] == "params" {
            let s = common::scenario_from(&mut common::Bytes::new(&input));
            println!("{}", toml::to_string(&s).unwrap_or_default());
            common::params(&input);
        } else {
            println!("{}", String::from_utf8_lossy(&input));
            common::scenario_bytes(&input);
        }
        println!("no finding");
        return;
    }
    let mut i = 0;
    while i < args.len() {
        let val = args.get(i + 1).and_then(|v| v.parse::<u64>().ok());
        match (args[i].as_str(), val) {
            ("--seconds", Some(v)) => seconds = v,
            ("--seed", Some(v)) => seed = v,
            ("--timeout", Some(v)) => per_input_limit = v,
            _ => {
                eprintln!("usage: fuzz_stable [--seconds N] [--seed N] [--timeout SECONDS]");
                std::process::exit(2);
            }
        }
        i += 2;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let artifacts = root.join("fuzz/artifacts/stable");
    let mut corpus = seeds(&root);
    // Silence the default hook: findings are collected and printed at the end.
    let current: Arc<Mutex<(String, Vec<u8>)>> = Arc::default();
    std::panic::set_hook(Box::new(|_| {}));

    // Watchdog: an input that runs past the limit is saved and the driver aborts (exit 3).
    let started = Arc::new(AtomicU64::new(u64::MAX));
    let done = Arc::new(AtomicBool::new(false));
    {
        let (started, done, current, artifacts) = (
            started.clone(),
            done.clone(),
            current.clone(),
            artifacts.clone(),
        );
        let t0 = Instant::now();
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_millis(200));
            if done.load(Ordering::Relaxed) {
                return;
            }
            let s = started.load(Ordering::Relaxed);
            let now = t0.elapsed().as_millis() as u64;
            if s != u64::MAX && now.saturating_sub(s) > per_input_limit * 1000 {
                let (target, input) = current.lock().unwrap().clone();
                let _ = std::fs::create_dir_all(&artifacts);
                let path = artifacts.join(format!("timeout-{target}"));
                let _ = std::fs::write(&path, &input);
                eprintln!(
                    "TIMEOUT: {target} input ran over {per_input_limit} s; saved to {}",
                    path.display()
                );
                std::process::exit(3);
            }
        });
    }

    let mut rng = Rng(seed | 1);
    let t0 = Instant::now();
    let deadline = Duration::from_secs(seconds);
    let mut execs: BTreeMap<&str, u64> = BTreeMap::new();
    let mut findings: BTreeMap<String, (String, Vec<u8>)> = BTreeMap::new();
    let mut kinds_seen = std::collections::HashSet::new();
    while t0.elapsed() < deadline {
        let (target, input): (&str, Vec<u8>) = match rng.below(10) {
            0..=5 => ("scenario_bytes", mutate(&mut rng, &corpus)),
            6 => {
                let n = rng.below(400);
                ("scenario_bytes", (0..n).map(|_| rng.next() as u8).collect())
            }
            _ => {
                let n = 64 + rng.below(512);
                ("params", (0..n).map(|_| rng.next() as u8).collect())
            }
        };
        *current.lock().unwrap() = (target.to_string(), input.clone());
        started.store(t0.elapsed().as_millis() as u64, Ordering::Relaxed);
        let result = std::panic::catch_unwind(|| match target {
            "scenario_bytes" => common::scenario_bytes(&input),
            _ => common::params(&input),
        });
        started.store(u64::MAX, Ordering::Relaxed);
        *execs.entry(target).or_default() += 1;
        match result {
            Err(payload) => {
                let msg = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "panic".into());
                let key: String = msg.chars().take(80).collect();
                findings.entry(key).or_insert((target.to_string(), input));
            }
            Ok(()) if target == "scenario_bytes" => {
                // Keep inputs that reach a new kind of outcome: a crude coverage signal.
                let kind =
                    std::str::from_utf8(&input).ok().map(
                        |t| match backsim::scenario::load::load_str(
                            "fuzz/in.toml",
                            t,
                            &backsim::scenario::validate::Limits::default(),
                        ) {
                            Ok(_) => "ok".to_string(),
                            Err(e) => {
                                let m = format!("{e:#}");
                                let m =
                                    m.split(": ").skip(1).take(2).collect::<Vec<_>>().join(": ");
                                m.chars().filter(|c| !c.is_ascii_digit()).take(60).collect()
                            }
                        },
                    );
                if let Some(kind) = kind {
                    if corpus.len() < 5_000 && kinds_seen.insert(kind) {
                        corpus.push(input);
                    }
                }
            }
            Ok(()) => {}
        }
    }
    done.store(true, Ordering::Relaxed);
    let total: u64 = execs.values().sum();
    println!(
        "fuzz_stable: {:.0} s, seed {seed}, {total} inputs ({}), corpus {} (kinds of outcome {})",
        t0.elapsed().as_secs_f64(),
        execs
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", "),
        corpus.len(),
        kinds_seen.len()
    );
    if findings.is_empty() {
        println!("no findings");
        return;
    }
    std::fs::create_dir_all(&artifacts).unwrap();
    for (n, (msg, (target, input))) in findings.iter().enumerate() {
        let path = artifacts.join(format!("crash-{target}-{n}"));
        std::fs::write(&path, input).unwrap();
        println!(
            "FINDING in {target}: {msg}\n  input saved to {}",
            path.display()
        );
    }
    std::process::exit(1);
}
