//! The oracle for the analysis outputs: `forecast.csv`, `attribution.csv` and the Morris
//! columns of `sensitivity.csv`, recomputed from per-run data with the plain statistics of
//! the parent module (no code from `src/stats`).
//!
//! - forecast.csv: "when" as the order statistic of the sorted completions (a censored run
//!   is +∞), "how many" as the lower order statistic of the sorted item counts by the target,
//!   and every date by walking the calendar day by day (weekends and holidays skipped).
//! - attribution.csv: every variant (the baseline with a subset of the mechanisms switched
//!   to the scenario's settings) written as its own scenario file and run on the same worlds;
//!   each run's Shapley value as the average, over every order of switching the mechanisms
//!   on, of each one's marginal effect (not the subset weights the library uses); censored
//!   values at the horizon + 1.
//! - sensitivity.csv (Morris): every point of every trajectory written as a scenario file,
//!   run on the same worlds, and the elementary effects (y(next) − y(point)) / Δ computed
//!   from the points' means; μ, μ* and σ (two-pass) of them. The design itself (each
//!   trajectory's start and order) and the list of ranges are the library's inputs.

use super::super::common::Files;
use super::{check, check_mean_ci, mean, read_csv, variance, PerRun, Want, METRICS};
use assert_cmd::Command;
use backsim::analysis::sensitivity::morris_design;
use backsim::engine::driver::Comparison;
use backsim::scenario::mechanisms::MECHANISMS;
use backsim::scenario::params::sensitivity_ranges;
use backsim::scenario::{load_scenario, Scenario};

fn metric_index(name: &str) -> usize {
    METRICS
        .iter()
        .position(|m| m.0 == name)
        .unwrap_or_else(|| panic!("no metric {name}"))
}

fn run_comparison(scenarios: &[Scenario], seed: u64, runs: u64) -> PerRun {
    let mut data = PerRun::default();
    Comparison::new(scenarios, seed, runs)
        .run(&mut data, &|_| {})
        .expect("comparison runs");
    data
}

#[track_caller]
fn no_errors(errors: &[String]) {
    assert!(
        errors.is_empty(),
        "{} cells differ from the oracle; the first ones:\n{}",
        errors.len(),
        errors[..errors.len().min(30)].join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// A plain calendar: civil dates as day numbers, walked one day at a time.

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
fn day_number(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn parse_day(s: &str) -> i64 {
    let p: Vec<i64> = s.split('-').map(|x| x.parse().unwrap()).collect();
    day_number(p[0], p[1], p[2])
}

fn print_day(n: i64) -> String {
    // Inverse by search from a year's start: plain, and only used a few times.
    let mut y = 1970 + n.div_euclid(366);
    while day_number(y + 1, 1, 1) <= n {
        y += 1;
    }
    let mut m = 1;
    while m < 12 && day_number(y, m + 1, 1) <= n {
        m += 1;
    }
    let d = n - day_number(y, m, 1) + 1;
    format!("{y:04}-{m:02}-{d:02}")
}

/// 1970-01-01 was a Thursday: day n is a Saturday or Sunday when (n + 3) mod 7 ≥ 5.
fn is_weekend(n: i64) -> bool {
    (n + 3).rem_euclid(7) >= 5
}

/// The last working day of every sprint 1..=sprints: from `start`, count working days
/// (Monday to Friday, not a holiday); sprint k ends on working day k·days.
fn sprint_ends(start: &str, holidays: &[&str], days: u32, sprints: u32) -> Vec<i64> {
    let hol: Vec<i64> = holidays.iter().map(|h| parse_day(h)).collect();
    let mut ends = Vec::new();
    let (mut day, mut worked) = (parse_day(start), 0u32);
    while ends.len() < sprints as usize {
        if !is_weekend(day) && !hol.contains(&day) {
            worked += 1;
            if worked % days == 0 {
                ends.push(day);
            }
        }
        day += 1;
    }
    ends
}

#[test]
fn the_plain_calendar_matches_the_documented_example() {
    // docs/scenario-format.md: start 2027-01-04, 5-day sprints: sprint 20 ends Friday
    // 2027-05-21; with the holiday 2027-01-06 it ends Monday 2027-05-24.
    assert_eq!(
        print_day(sprint_ends("2027-01-04", &[], 5, 20)[19]),
        "2027-05-21"
    );
    let ends = sprint_ends("2027-01-04", &["2027-01-06"], 5, 20);
    assert_eq!(print_day(ends[19]), "2027-05-24");
    assert!(!is_weekend(parse_day("2027-05-24")) && is_weekend(parse_day("2027-05-22")));
    assert_eq!(print_day(parse_day("2024-02-29")), "2024-02-29");
}

// ---------------------------------------------------------------------------------------

/// forecast.csv of two throughput scenarios: one with a calendar (a weekend start, holidays
/// before the start, on a weekend and on working days) asked about a target date, with a
/// horizon short enough that the high confidences are not reached (`>H`); one without a
/// calendar, items of 2 points, asked about a target sprint.
#[test]
fn forecast_csv_matches_the_oracle() {
    let (seed, runs) = (17u64, 400u64);
    let files = Files::new();
    let start = "2027-01-02";
    let holidays = ["2026-12-31", "2027-01-06", "2027-01-09", "2027-02-15"];
    let target_date = "2027-03-03";
    let dated = files.write(
        "dated",
        &format!(
            "name = \"dated\"\nextends = \"forecast\"\n[simulation]\nsprints = 12\n\
             [backlog]\ninitial_items = 60\n[calendar]\nstart = \"{start}\"\nholidays = [{}]\n\
             [forecast]\ntarget_date = \"{target_date}\"\n",
            holidays.map(|h| format!("\"{h}\"")).join(", ")
        ),
    );
    let pairs = files.write(
        "pairs",
        "name = \"pairs\"\nextends = \"forecast\"\n[simulation]\nsprints = 20\n\
         [backlog]\ninitial_items = 40\nsize = { dist = \"constant\", value = 2 }\n\
         [forecast]\ntarget_sprint = 9\n",
    );
    let args = [dated.to_str().unwrap(), pairs.to_str().unwrap()];
    let out = tempfile::tempdir().unwrap();
    Command::cargo_bin("backsim")
        .unwrap()
        .arg("run")
        .args(args)
        .args(["--seed", &seed.to_string(), "--runs", &runs.to_string()])
        .args(["--quiet", "--no-charts", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let scenarios: Vec<Scenario> = args.iter().map(|a| load_scenario(a).unwrap()).collect();
    let data = run_comparison(&scenarios, seed, runs);
    let rows = read_csv(&out.path().join("forecast.csv"));
    assert_eq!(rows.len(), 2 * 8, "two scenarios × (4 when + 4 how_many)");

    let dated_ends = sprint_ends(start, &holidays, 5, 12);
    // The target date's sprint: the last that ends on or before it.
    let target = dated_ends
        .iter()
        .filter(|&&d| d <= parse_day(target_date))
        .count() as u32;
    assert_eq!(
        target, 8,
        "a hand count: 40 working days to 2027-03-03 less 2 holidays"
    );
    // (scenario, horizon, scope, item size, target sprint, dates)
    let cases = [
        ("dated", 12u32, 60u64, 1.0, target, Some(dated_ends)),
        ("pairs", 20, 40, 2.0, 9, None),
    ];
    let mut errors = Vec::new();
    let mut censored_seen = [false; 2];
    let mut i = 0;
    for (s, (name, horizon, scope, size, target, ends)) in cases.iter().enumerate() {
        let date = |k: u32| {
            ends.as_ref()
                .map_or(String::new(), |e| print_day(e[k as usize - 1]))
        };
        // Completions, a censored run as +∞, sorted; items by the target from the runs'
        // per-sprint velocity (points) over the item size.
        let mut completion: Vec<f64> = data.metrics[s]
            .iter()
            .map(|r| if r[0].is_nan() { f64::INFINITY } else { r[0] })
            .collect();
        completion.sort_by(|a, b| a.partial_cmp(b).unwrap());
        censored_seen[s] = completion.last().unwrap().is_infinite();
        let mut items: Vec<u64> = data.rows[s]
            .iter()
            .map(|rows| {
                let points: f64 = rows.iter().take(*target as usize).map(|r| r[0]).sum();
                (points / size).round() as u64
            })
            .collect();
        items.sort_unstable_by(|a, b| b.cmp(a)); // most first
        for c in [50u64, 70, 85, 95] {
            // The ⌈c·n/100⌉-th smallest completion: the first sprint by which c % are done.
            let need = ((c * runs).div_ceil(100)) as usize;
            let row = &rows[i];
            i += 1;
            let what = |col: &str| format!("forecast.csv {name} when {c} {col}");
            assert_eq!(
                (row["scenario"].as_str(), row["question"].as_str()),
                (*name, "when")
            );
            check(
                &mut errors,
                &what("confidence"),
                &row["confidence"],
                Want::Num(c as f64),
            );
            let k = completion[need - 1];
            if k.is_infinite() {
                check(
                    &mut errors,
                    &what("sprint"),
                    &row["sprint"],
                    Want::Beyond(*horizon as f64),
                );
                if !row["date"].is_empty() {
                    errors.push(format!("{}: {:?}", what("date"), row["date"]));
                }
            } else {
                check(&mut errors, &what("sprint"), &row["sprint"], Want::Num(k));
                if row["date"] != date(k as u32) {
                    errors.push(format!(
                        "{}: {:?} vs {:?}",
                        what("date"),
                        row["date"],
                        date(k as u32)
                    ));
                }
            }
            check(
                &mut errors,
                &what("items"),
                &row["items"],
                Want::Num(*scope as f64),
            );
        }
        for c in [50u64, 70, 85, 95] {
            // The largest n that at least c % of the runs reached: the ⌈c·n/100⌉-th largest.
            let need = ((c * runs).div_ceil(100)) as usize;
            let row = &rows[i];
            i += 1;
            let what = |col: &str| format!("forecast.csv {name} how_many {c} {col}");
            assert_eq!(
                (row["scenario"].as_str(), row["question"].as_str()),
                (*name, "how_many")
            );
            check(
                &mut errors,
                &what("confidence"),
                &row["confidence"],
                Want::Num(c as f64),
            );
            check(
                &mut errors,
                &what("sprint"),
                &row["sprint"],
                Want::Num(*target as f64),
            );
            if row["date"] != date(*target) {
                errors.push(format!(
                    "{}: {:?} vs {:?}",
                    what("date"),
                    row["date"],
                    date(*target)
                ));
            }
            let n = items[need - 1];
            check(
                &mut errors,
                &what("items"),
                &row["items"],
                Want::Num(n as f64),
            );
            // The answer is sharp: fewer than c % reached n + 1.
            let above = items.iter().filter(|&&x| x > n).count() as u64;
            assert!(above * 100 < c * runs, "{name} how_many {c}");
        }
    }
    assert!(
        censored_seen[0],
        "the dated scenario should have censored runs"
    );
    // The 95 % answers differ between the confidences (the test is not all one value).
    assert!(rows.iter().any(|r| r["sprint"].starts_with('>')));
    no_errors(&errors);
}

// ---------------------------------------------------------------------------------------

/// The mechanism of the table that names `key` ("other" when none does).
fn mechanism_of(key: &str) -> &'static str {
    MECHANISMS
        .iter()
        .find(|m| m.keys.contains(&key))
        .map_or("other", |m| m.name)
}

/// Every order of 0..n.
fn orders(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![Vec::new()];
    }
    let mut out = Vec::new();
    for o in orders(n - 1) {
        for at in 0..=o.len() {
            let mut p = o.clone();
            p.insert(at, n - 1);
            out.push(p);
        }
    }
    out
}

/// attribution.csv of a scenario that differs from siloed-pm (which misses its horizon in
/// some runs) in three keys of three mechanisms: every variant run as its own scenario file,
/// per-run Shapley values by averaging over all orders, their means and t intervals, and the
/// total as the paired difference; the contributions add up to it.
#[test]
fn attribution_csv_matches_the_oracle() {
    let (seed, runs) = (7u64, 150u64);
    let files = Files::new();
    // (section, field, value) of the scenario; the baseline is siloed-pm as given.
    let changes = [
        ("pm", "sync_interval", "2"),
        ("po", "strategy_share", "0.25"),
        ("po", "myopia", "0.5"),
    ];
    let toml = |name: &str, set: &[(&str, &str, &str)]| {
        let mut t = format!("name = \"{name}\"\nextends = \"siloed-pm\"\n");
        for section in ["pm", "po"] {
            let keys: Vec<String> = set
                .iter()
                .filter(|c| c.0 == section)
                .map(|c| format!("{} = {}\n", c.1, c.2))
                .collect();
            if !keys.is_empty() {
                t += &format!("[{section}]\n{}", keys.concat());
            }
        }
        t
    };
    let scenario = files.write("tuned", &toml("tuned", &changes));
    let chosen = [
        "value_efficiency",
        "release_delay_sprints",
        "completion_sprint",
    ];
    let out = tempfile::tempdir().unwrap();
    let mut cmd = Command::cargo_bin("backsim").unwrap();
    cmd.arg("attribute")
        .arg(&scenario)
        .args(["--baseline", "siloed-pm", "--by", "structure"])
        .args(["--seed", &seed.to_string(), "--runs", &runs.to_string()])
        .args(["--quiet", "--no-charts", "--out"])
        .arg(out.path());
    for m in chosen {
        cmd.args(["--metric", m]);
    }
    cmd.assert().success();
    let rows = read_csv(&out.path().join("attribution.csv"));

    // The players: the changed keys grouped by mechanism, in the order attribution.csv
    // lists them.
    let mut players: Vec<(String, Vec<usize>)> = Vec::new();
    for row in rows.iter().filter(|r| r["metric"] == chosen[0]) {
        if row["mechanism"] == "total" {
            continue;
        }
        let keys: Vec<usize> = (0..changes.len())
            .filter(|&c| {
                mechanism_of(&format!("{}.{}", changes[c].0, changes[c].1)) == row["mechanism"]
            })
            .collect();
        assert!(
            !keys.is_empty(),
            "mechanism {} changes none of the keys",
            row["mechanism"]
        );
        players.push((row["mechanism"].clone(), keys));
    }
    let n = players.len();
    assert!(
        n >= 2,
        "the scenario should differ in several mechanisms: {players:?}"
    );
    assert_eq!(
        players.iter().map(|p| p.1.len()).sum::<usize>(),
        changes.len()
    );
    assert_eq!(rows.len(), chosen.len() * (n + 1));

    // Variant `mask`: siloed-pm with the keys of the players in the mask.
    let variants: Vec<Scenario> = (0..1usize << n)
        .map(|mask| {
            let set: Vec<(&str, &str, &str)> = (0..n)
                .filter(|p| mask >> p & 1 == 1)
                .flat_map(|p| players[p].1.iter().map(|&c| changes[c]))
                .collect();
            let path = files.write(&format!("variant{mask}"), &toml(&format!("v{mask}"), &set));
            load_scenario(path.to_str().unwrap()).unwrap()
        })
        .collect();
    let full = (1 << n) - 1;
    let data = run_comparison(&variants, seed, runs);
    let horizon = variants[0].simulation.sprints as f64;
    let planned = variants[0].release.planned_sprint.unwrap_or(0) as f64;
    let all_orders = orders(n);

    let mut errors = Vec::new();
    let mut censored_seen = false;
    for (k, metric) in chosen.iter().enumerate() {
        let m = metric_index(metric);
        let censored = METRICS[m].2;
        let fill = |x: f64| {
            if censored && x.is_nan() {
                horizon + 1.0 - if m == 0 { 0.0 } else { planned }
            } else {
                x
            }
        };
        let mut phis: Vec<Vec<f64>> = vec![Vec::new(); n];
        let mut totals = Vec::new();
        for r in 0..runs as usize {
            censored_seen |= censored && data.metrics[0][r][m].is_nan();
            let v: Vec<f64> = (0..=full).map(|s| fill(data.metrics[s][r][m])).collect();
            if v.iter().any(|x| x.is_nan()) {
                continue;
            }
            for (p, phi) in phis.iter_mut().enumerate() {
                let mut sum = 0.0;
                for order in &all_orders {
                    let before: usize =
                        order.iter().take_while(|&&q| q != p).map(|&q| 1 << q).sum();
                    sum += v[before | 1 << p] - v[before];
                }
                phi.push(sum / all_orders.len() as f64);
            }
            totals.push(v[full] - v[0]);
        }
        assert!(
            totals.len() as u64 > runs / 2,
            "{metric}: most runs are used"
        );
        let block = &rows[k * (n + 1)..(k + 1) * (n + 1)];
        let mut sum_printed = 0.0;
        for (j, row) in block.iter().enumerate() {
            assert_eq!(
                (
                    row["scenario"].as_str(),
                    row["baseline"].as_str(),
                    row["metric"].as_str()
                ),
                ("tuned", "siloed-pm", *metric)
            );
            let (label, values) = if j < n {
                assert_eq!(row["mechanism"], players[j].0);
                sum_printed += row["contribution"].parse::<f64>().unwrap();
                (players[j].0.as_str(), &phis[j])
            } else {
                assert_eq!(row["mechanism"], "total");
                (("total"), &totals)
            };
            let what = |col: &str| format!("attribution.csv {metric} {label} {col}");
            check_mean_ci(&mut errors, &what, row, "contribution", values);
        }
        // The contributions add up to the total, run by run and so in the mean (to the
        // printed rounding of each of the n + 1 cells).
        let total: f64 = block[n]["contribution"].parse().unwrap();
        let tol = 5e-6
            * (n as f64 + 1.0)
            * phis
                .iter()
                .flatten()
                .fold(total.abs(), |a, x| a.max(x.abs()));
        assert!(
            (sum_printed - total).abs() <= tol + 1e-12,
            "{metric}: Σ {sum_printed} vs total {total}"
        );
        for r in 0..totals.len() {
            let s: f64 = phis.iter().map(|p| p[r]).sum();
            assert!(
                (s - totals[r]).abs() < 1e-9,
                "{metric} run {r}: Σφ {s} vs {}",
                totals[r]
            );
        }
        // The total is the mean paired difference, and not a trivial one.
        assert!(variance(&totals) > 0.0, "{metric}: the runs differ");
    }
    assert!(
        censored_seen,
        "siloed-pm should miss its horizon in some runs"
    );
    no_errors(&errors);
}

// ---------------------------------------------------------------------------------------

/// sensitivity.csv (Morris) over three levers of aligned (the others switched off by
/// zero-width ranges in `[sensitivity]`): every trajectory point run as its own scenario
/// file, the elementary effects recomputed from the points' means, and μ, μ*, σ, the ranges,
/// the baseline mean and the runs compared with what was printed.
#[test]
fn morris_columns_of_sensitivity_csv_match_the_oracle() {
    let (seed, runs, trajectories) = (3u64, 60u64, 4usize);
    let files = Files::new();
    // (key, section, field, low, high, integer)
    let levers = [
        ("pm.sync_interval", "pm", "sync_interval", 1.0, 7.0, true),
        ("pm.sync_fidelity", "pm", "sync_fidelity", 0.5, 0.95, false),
        ("po.myopia", "po", "myopia", 0.0, 0.6, false),
    ];
    let aligned = load_scenario("aligned").unwrap();
    let mut sens = String::from("[sensitivity]\n");
    for r in sensitivity_ranges(&aligned).unwrap() {
        match levers.iter().find(|l| l.0 == r.key) {
            Some(l) => sens += &format!("\"{}\" = [{:?}, {:?}]\n", l.0, l.3, l.4),
            None => sens += &format!("\"{}\" = [{:?}, {:?}]\n", r.key, r.low, r.low),
        }
    }
    let base_text = format!("name = \"morris-base\"\nextends = \"aligned\"\n{sens}");
    let base_path = files.write("morris-base", &base_text);
    let base = load_scenario(base_path.to_str().unwrap()).unwrap();
    let ranges = sensitivity_ranges(&base).unwrap();
    let keys: Vec<&str> = ranges.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys.len(), 3, "only the three levers vary: {keys:?}");

    let out = tempfile::tempdir().unwrap();
    Command::cargo_bin("backsim")
        .unwrap()
        .arg("sensitivity")
        .arg(&base_path)
        .args(["--method", "morris", "--metric", "value_efficiency"])
        .args(["--trajectories", &trajectories.to_string()])
        .args(["--seed", &seed.to_string(), "--runs", &runs.to_string()])
        .args(["--quiet", "--no-charts", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let rows = read_csv(&out.path().join("sensitivity.csv"));
    assert_eq!(rows.len(), 3);

    // The points: start, then one step of Δ = 2/3 per lever in the trajectory's order.
    let delta = 2.0 / 3.0;
    let design = morris_design(3, trajectories, seed);
    let lever = |key: &str| levers.iter().find(|l| l.0 == key).unwrap();
    let mut scenarios = vec![base.clone()];
    let mut moved = Vec::new(); // (lever index, point before, point after)
    for (t, (start, order)) in design.iter().enumerate() {
        assert!(
            start.iter().all(|&x| x == 0.0 || x == 1.0 / 3.0),
            "{start:?}"
        );
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, vec![0, 1, 2]);
        let mut x = start.clone();
        let point = |x: &[f64], tag: String| -> Scenario {
            let mut by_section: Vec<(&str, String)> = Vec::new();
            for (i, key) in keys.iter().enumerate() {
                let (_, section, field, low, high, integer) = *lever(key);
                let v = low + x[i] * (high - low);
                let v = if integer {
                    format!("{}", v.round() as i64)
                } else {
                    format!("{v:?}")
                };
                by_section.push((section, format!("{field} = {v}\n")));
            }
            let mut text = format!("name = \"{tag}\"\nextends = \"aligned\"\n");
            for section in ["pm", "po"] {
                text += &format!("[{section}]\n");
                for (s, line) in &by_section {
                    if *s == section {
                        text += line;
                    }
                }
            }
            let path = files.write(&tag, &text);
            load_scenario(path.to_str().unwrap()).unwrap()
        };
        scenarios.push(point(&x, format!("t{t}p0")));
        for (step, &i) in order.iter().enumerate() {
            x[i] += delta;
            scenarios.push(point(&x, format!("t{t}p{}", step + 1)));
            moved.push((i, scenarios.len() - 2, scenarios.len() - 1));
        }
    }
    assert_eq!(scenarios.len(), 1 + trajectories * 4);
    let data = run_comparison(&scenarios, seed, runs);
    let m = metric_index("value_efficiency");
    let y = |s: usize| {
        let v: Vec<f64> = data.metrics[s]
            .iter()
            .map(|r| r[m])
            .filter(|x| !x.is_nan())
            .collect();
        mean(&v)
    };
    let mut errors = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let effects: Vec<f64> = moved
            .iter()
            .filter(|mv| mv.0 == i)
            .map(|&(_, a, b)| (y(b) - y(a)) / delta)
            .collect();
        assert_eq!(effects.len(), trajectories);
        let abs: Vec<f64> = effects.iter().map(|e| e.abs()).collect();
        let row = rows
            .iter()
            .find(|r| r["parameter"] == *key)
            .unwrap_or_else(|| panic!("sensitivity.csv has no row for {key}"));
        assert_eq!(row["method"], "morris");
        assert_eq!(row["metric"], "value_efficiency");
        let what = |c: &str| format!("sensitivity.csv morris {key} {c}");
        let (_, _, _, low, high, _) = *lever(key);
        check(&mut errors, &what("low"), &row["low"], Want::Num(low));
        check(&mut errors, &what("high"), &row["high"], Want::Num(high));
        check(
            &mut errors,
            &what("mu"),
            &row["mu"],
            Want::Num(mean(&effects)),
        );
        check(
            &mut errors,
            &what("mu_star"),
            &row["mu_star"],
            Want::Num(mean(&abs)),
        );
        let sigma = variance(&effects).sqrt();
        check(&mut errors, &what("sigma"), &row["sigma"], Want::Num(sigma));
        check(
            &mut errors,
            &what("baseline_mean"),
            &row["baseline_mean"],
            Want::Num(y(0)),
        );
        check(
            &mut errors,
            &what("runs"),
            &row["runs"],
            Want::Num(runs as f64),
        );
        assert!(sigma > 0.0 && mean(&abs) > 0.0, "{key}: the effects vary");
    }
    // Ranked by μ*, most important first.
    let stars: Vec<f64> = rows.iter().map(|r| r["mu_star"].parse().unwrap()).collect();
    assert!(stars.windows(2).all(|w| w[0] >= w[1]), "{stars:?}");
    for (j, r) in rows.iter().enumerate() {
        assert_eq!(r["rank"], (j + 1).to_string());
    }
    no_errors(&errors);
}
