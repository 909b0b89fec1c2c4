//! The report's words and its compare table, checked against the CSV files of the same run:
//! the narrative's sentences are walked word by word (which scenario each names, and every
//! number in them against summary.csv and compare.csv), and every cell of the paired
//! differences table (its colour, mean, interval and share better) against compare.csv. The
//! choices (best, soonest, most escaped, the verdicts) are made here from the CSVs with plain
//! code, not with the library's.

use std::collections::HashMap;
use std::path::Path;

fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    lines
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(String::from))
                .collect()
        })
        .collect()
}

fn cell(row: &HashMap<String, String>, col: &str) -> Option<f64> {
    row[col].parse::<f64>().ok()
}

/// A cursor over the report's text.
struct Text<'a> {
    rest: &'a str,
}

impl<'a> Text<'a> {
    #[track_caller]
    fn expect(&mut self, lit: &str) {
        assert!(
            self.rest.starts_with(lit),
            "expected {lit:?} at {:?}",
            &self.rest[..self.rest.len().min(160)]
        );
        self.rest = &self.rest[lit.len()..];
    }

    fn eat(&mut self, lit: &str) -> bool {
        let yes = self.rest.starts_with(lit);
        if yes {
            self.rest = &self.rest[lit.len()..];
        }
        yes
    }

    /// Skip to just after the next `lit`.
    #[track_caller]
    fn skip_past(&mut self, lit: &str) {
        let i = self
            .rest
            .find(lit)
            .unwrap_or_else(|| panic!("{lit:?} not found"));
        self.rest = &self.rest[i + lit.len()..];
    }

    /// A printed number: optional sign (`+`, `-` or `−`), digits, an optional fraction.
    #[track_caller]
    fn number(&mut self) -> f64 {
        self.number_and_decimals().0
    }

    /// [`Text::number`] and how many decimals it was printed with.
    #[track_caller]
    fn number_and_decimals(&mut self) -> (f64, usize) {
        let mut sign = 1.0;
        if self.eat("−") || self.eat("-") {
            sign = -1.0;
        } else {
            self.eat("+");
        }
        let end = self
            .rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(self.rest.len());
        let end = if self.rest[..end].ends_with('.') {
            end - 1
        } else {
            end
        };
        let x: f64 = self.rest[..end]
            .parse()
            .unwrap_or_else(|_| panic!("a number at {:?}", &self.rest[..self.rest.len().min(80)]));
        let decimals = self.rest[..end].split_once('.').map_or(0, |(_, d)| d.len());
        self.rest = &self.rest[end..];
        (sign * x, decimals)
    }

    /// A number that must be `want` rounded to the decimals it is printed with (three
    /// significant digits, or a mean and its interval at the precision the interval earns):
    /// within half a unit of its last digit.
    #[track_caller]
    fn about(&mut self, want: f64, what: &str) {
        let (got, decimals) = self.number_and_decimals();
        assert!(
            (got - want).abs() <= 0.5 * 10f64.powi(-(decimals as i32)) * (1.0 + 1e-9) + 1e-12,
            "{what}: printed {got}, CSV {want}"
        );
    }

    /// A share printed as a whole percentage that must be `want` (a fraction).
    #[track_caller]
    fn percent(&mut self, want: f64, what: &str) {
        let got = self.number();
        assert!(
            (got - want * 100.0).abs() <= 0.5 + 1e-9,
            "{what}: printed {got} %, CSV {want}"
        );
        self.expect(" %");
    }
}

#[test]
fn report_sentences_and_compare_table_match_the_csvs() {
    let out = tempfile::tempdir().unwrap();
    assert_cmd::Command::cargo_bin("backsim")
        .unwrap()
        .args([
            "run",
            "aligned",
            "siloed-pm",
            "overloaded-po",
            "blurred-roles",
        ])
        .args(["--runs", "120", "--seed", "8", "--quiet", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let summary = read_csv(&out.path().join("summary.csv"));
    let compare = read_csv(&out.path().join("compare.csv"));
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    let names = ["aligned", "siloed-pm", "overloaded-po", "blurred-roles"];
    let base = names[0];
    let srow = |s: &str, m: &str| {
        summary
            .iter()
            .find(|r| r["scenario"] == s && r["metric"] == m)
            .unwrap_or_else(|| panic!("summary.csv: {s} {m}"))
    };
    let crow = |s: &str, m: &str| {
        compare
            .iter()
            .find(|r| r["scenario"] == s && r["metric"] == m)
            .unwrap_or_else(|| panic!("compare.csv: {s} {m}"))
    };
    let arg = |m: &str, pick: &dyn Fn(f64, f64) -> bool| {
        let mut best: Option<(&str, f64)> = None;
        for s in names {
            if let Some(v) = cell(srow(s, m), "mean") {
                if best.is_none_or(|(_, b)| pick(v, b)) {
                    best = Some((s, v));
                }
            }
        }
        best.unwrap()
    };

    // The narrative.
    let lead = html.split("<p class=\"lead\">").nth(1).unwrap();
    let lead = &lead[..lead.find("</p>").unwrap()];
    let mut t = Text { rest: lead };
    let (best, ve) = arg("value_efficiency", &|v, b| v > b);
    if best == base {
        t.expect(&format!(
            "The baseline, <b>{base}</b>, delivered the most value efficiency: on average "
        ));
        t.percent(ve, "best value efficiency");
        t.skip_past("did better on average. ");
        // Then each other scenario's gap with its paired interval, and which intervals
        // include zero.
        t.expect("Against it, ");
        let others = &names[1..];
        let mut unclear: Vec<String> = Vec::new();
        for (i, s) in others.iter().enumerate() {
            if i > 0 {
                t.expect(if i + 1 == others.len() { " and " } else { ", " });
            }
            t.expect(&format!("<b>{s}</b> "));
            if i == 0 {
                t.expect("delivered ");
            }
            let c = crow(s, "value_efficiency");
            let (d, lo, hi) = (
                cell(c, "mean_diff").unwrap(),
                cell(c, "ci95_low").unwrap(),
                cell(c, "ci95_high").unwrap(),
            );
            assert!(d <= 0.0, "{s} beat the best scenario on value efficiency");
            if d == 0.0 {
                t.expect("as much");
            } else {
                t.about(-d * 100.0, &format!("{s} value gap"));
                t.expect(if i == 0 {
                    " percentage points less"
                } else {
                    " less"
                });
            }
            t.expect(" (");
            if i == 0 {
                t.expect("95 % confidence interval of the difference ");
            }
            t.about(lo * 100.0, &format!("{s} value gap low"));
            t.expect(" to ");
            t.about(hi * 100.0, &format!("{s} value gap high"));
            t.expect(")");
            if hi >= 0.0 {
                unclear.push(format!("<b>{s}</b>"));
            }
        }
        if unclear.is_empty() {
            t.expect("; each of these intervals excludes zero");
        } else if unclear.len() == others.len() {
            t.expect(", but every one of these intervals includes zero, so the gaps may be noise");
        } else {
            let listed = match unclear.as_slice() {
                [one] => one.clone(),
                [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
                [] => unreachable!(),
            };
            t.expect(&format!(
                "; for {listed} the interval includes zero, so {} may be noise",
                if unclear.len() == 1 {
                    "that gap"
                } else {
                    "those gaps"
                }
            ));
        }
        t.expect(". ");
    } else {
        t.expect(&format!(
            "<b>{best}</b> delivered the most value efficiency: on average "
        ));
        t.percent(ve, "best value efficiency");
        t.expect(" of the value a perfect-information oracle would have realized, ");
        let c = crow(best, "value_efficiency");
        let (d, lo, hi) = (
            cell(c, "mean_diff").unwrap(),
            cell(c, "ci95_low").unwrap(),
            cell(c, "ci95_high").unwrap(),
        );
        t.about(d.abs() * 100.0, "percentage points");
        t.expect(if d >= 0.0 {
            " percentage points more"
        } else {
            " percentage points less"
        });
        t.expect(&format!(
            " than the baseline <b>{base}</b> (95 % confidence interval of the difference "
        ));
        t.about(lo * 100.0, "interval low");
        t.expect(" to ");
        t.about(hi * 100.0, "interval high");
        t.expect(")");
        if lo <= 0.0 {
            t.expect(", but that interval includes zero, so the difference may be noise");
        } else {
            t.expect("; it did better in ");
            t.percent(cell(c, "better_share").unwrap(), "better share");
            t.expect(" of the paired runs");
        }
        t.expect(". ");
    }
    // Soonest: the lowest restricted mean completion, from compare.csv (baseline: 0).
    let mut soonest = (base, 0.0);
    for s in &names[1..] {
        let d = cell(crow(s, "completion_sprint"), "mean_diff").unwrap();
        if d < soonest.1 {
            soonest = (s, d);
        }
    }
    let row = srow(soonest.0, "completion_sprint");
    t.expect(&format!(
        "<b>{}</b> finished the release soonest",
        soonest.0
    ));
    match cell(row, "p50") {
        Some(p50) => {
            t.expect(": half of its runs were done by the end of sprint ");
            t.about(p50, "P50");
            match cell(row, "p85") {
                Some(p85) => {
                    t.expect(" and 85 % by sprint ");
                    t.about(p85, "P85");
                }
                None => {
                    assert!(row["p85"].starts_with('>'));
                    t.expect(", but fewer than 85 % were done within the ");
                }
            }
        }
        None => t.expect(", although fewer than half of its runs were done within the "),
    }
    let done = cell(row, "completed_share").unwrap();
    if !t.rest.starts_with('.') {
        t.skip_past("simulated");
    }
    if done < 1.0 {
        t.expect(" (");
        t.percent(done, "completed share");
        t.expect(" of its runs finished within the horizon)");
    }
    t.expect(". ");
    // Most escaped defects per point.
    let (worst, esc) = arg("escaped_defects_per_point", &|v, b| v > b);
    t.expect(&format!(
        "<b>{worst}</b> let the most defects escape to production: "
    ));
    t.about(esc, "escaped per point");
    t.expect(" per delivered story point on average");
    if worst != base {
        t.expect(", against ");
        let b = cell(srow(base, "escaped_defects_per_point"), "mean").unwrap();
        t.about(b, "baseline escaped per point");
        t.expect(" for the baseline");
    }
    t.expect(".");
    // How the year was simulated: the presets' warm-up, and the same people in every
    // archetype (all four scenarios are presets).
    let warmup = backsim::scenario::Scenario::default()
        .simulation
        .warmup_sprints;
    t.expect(&format!(
        " Each run starts from a steady state: {warmup} warm-up sprints on the same random \
         streams are played first and not reported."
    ));
    t.expect(
        " These archetypes are the same people: they share every person-level trait and \
         differ only in role structure (who does strategy, how often the roadmap is handed \
         over, the PO's time split, who may reorder the backlog); their differences come out \
         of the mechanisms in docs/model.md.",
    );
    assert!(t.rest.is_empty(), "more text: {:?}", t.rest);

    // The compare table: one row per metric of compare.csv (in its order), one cell per
    // scenario other than the baseline.
    let mut metrics: Vec<&str> = Vec::new();
    for r in &compare {
        if !metrics.contains(&r["metric"].as_str()) {
            metrics.push(&r["metric"]);
        }
    }
    let mut t = Text {
        rest: html.split("<h2 id=\"differences\">").nth(1).unwrap(),
    };
    t.skip_past("</tr>\n"); // the header row
    let (mut cells, mut coloured) = (0, 0);
    for m in &metrics {
        t.expect("<tr><th>");
        t.skip_past("</th>");
        for s in &names[1..] {
            let c = crow(s, m);
            let (md, lo, hi) = (
                cell(c, "mean_diff"),
                cell(c, "ci95_low"),
                cell(c, "ci95_high"),
            );
            let higher = c["better_when"] == "higher";
            let class = match (lo, hi) {
                (Some(lo), Some(hi)) if (higher && lo > 0.0) || (!higher && hi < 0.0) => "better",
                (Some(lo), Some(hi)) if (higher && hi < 0.0) || (!higher && lo > 0.0) => "worse",
                _ => "unclear",
            };
            coloured += (class != "unclear") as usize;
            let what = format!("compare table {s} {m}");
            t.expect(&format!("<td class=\"n {class}\"><b>"));
            match md {
                Some(md) => t.about(md, &format!("{what} mean")),
                None => t.expect("–"),
            }
            t.expect("</b>");
            if let (Some(lo), Some(hi)) = (lo, hi) {
                t.expect(" <small>(");
                t.about(lo, &format!("{what} low"));
                t.expect(" to ");
                t.about(hi, &format!("{what} high"));
                t.expect(")</small>");
            }
            if let Some(b) = cell(c, "better_share") {
                t.expect("<br><small>better in ");
                t.percent(b, &format!("{what} better share"));
                t.expect(" of runs</small>");
            }
            t.expect("</td>");
            cells += 1;
        }
        t.expect("</tr>\n");
    }
    t.expect("</table>");
    assert_eq!(cells, metrics.len() * 3);
    assert!(coloured >= 10, "only {coloured} cells with a verdict");
}

/// With one other scenario, the value gap sentence names it alone and says whether its
/// interval excludes zero (at seed 8 with 120 runs: overloaded-po's does, siloed-pm's
/// does not).
#[test]
fn the_value_gap_of_a_single_other_scenario_says_whether_it_is_clear() {
    for (other, clear) in [("overloaded-po", true), ("siloed-pm", false)] {
        let out = tempfile::tempdir().unwrap();
        assert_cmd::Command::cargo_bin("backsim")
            .unwrap()
            .args(["run", "aligned", other])
            .args([
                "--runs",
                "120",
                "--seed",
                "8",
                "--quiet",
                "--no-charts",
                "--out",
            ])
            .arg(out.path())
            .assert()
            .success();
        let compare = read_csv(&out.path().join("compare.csv"));
        let c = compare
            .iter()
            .find(|r| r["scenario"] == other && r["metric"] == "value_efficiency")
            .unwrap();
        let hi = cell(c, "ci95_high").unwrap();
        assert_eq!(
            hi < 0.0,
            clear,
            "{other}: the seed no longer gives the case"
        );
        // --no-charts writes no report: draw it from the CSVs.
        assert_cmd::Command::cargo_bin("backsim")
            .unwrap()
            .args(["plot"])
            .arg(out.path())
            .assert()
            .success();
        let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
        let mut t = Text {
            rest: html.split("did better on average. ").nth(1).unwrap(),
        };
        t.expect(&format!("Against it, <b>{other}</b> delivered "));
        t.about(
            -cell(c, "mean_diff").unwrap() * 100.0,
            &format!("{other} value gap"),
        );
        t.expect(" percentage points less (95 % confidence interval of the difference ");
        t.about(cell(c, "ci95_low").unwrap() * 100.0, "low");
        t.expect(" to ");
        t.about(hi * 100.0, "high");
        t.expect(if clear {
            "); that interval excludes zero. "
        } else {
            "), but that interval includes zero, so the gap may be noise. "
        });
    }
}
