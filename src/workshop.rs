//! `backsim workshop`: the exercises of the facilitator guide (docs/workshop.md), run and
//! laid out in a folder a facilitator can use without the live page: per exercise the full
//! `backsim run` output (CSVs, charts, report), and one self-contained projector deck.
//!
//! The exercises are defined once, here. The guide's "expected result" blocks are generated
//! from the same definitions and the same runs by [`expected_block`], and a test checks that
//! the guide holds what the current build gives (`BACKSIM_BLESS=1` rewrites the blocks).

use crate::cli::{Format, RunArgs};
use crate::output::results::Results;
use anyhow::{Context, Result};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Runs per scenario in every exercise (enough for intervals a room can read; a minute in all).
pub const RUNS: u64 = 500;
/// The seed of every exercise: the same worlds throughout the session.
pub const SEED: u64 = 42;

/// One exercise: an archetype, a variant with levers moved, and what to read.
#[derive(Debug, Clone, Copy)]
pub struct Exercise {
    /// Folder name and key of the guide's blocks, e.g. `1-siloed-pm`.
    pub slug: &'static str,
    pub title: &'static str,
    /// The archetype the exercise starts from (the baseline of its comparison).
    pub archetype: &'static str,
    /// The variant: the archetype with these levers moved.
    pub variant: &'static str,
    pub levers: &'static [(&'static str, f64)],
    /// The metrics the room reads, the first one headlined.
    pub metrics: &'static [&'static str],
    pub question: &'static str,
    pub teaches: &'static str,
}

pub const EXERCISES: [Exercise; 4] = [
    Exercise {
        slug: "1-siloed-pm",
        title: "The siloed PM: does the strategy reach the team?",
        archetype: "siloed-pm",
        variant: "siloed-pm-synced",
        levers: &[("pm.sync_interval", 1.0)],
        // The release first: it is what the hand-over moves most. On-strategy share comes
        // last: this build ranks aligned lowest on it (docs/model.md §13.8), and the guide
        // says so.
        metrics: &["release_delay_sprints", "value_efficiency", "on_strategy_share"],
        question: "The PM hands the roadmap over every 6 sprints. If PM and PO met every sprint instead, how much of the gap to the aligned team would close?",
        teaches: "Strategy is the PM's: when it reaches the PO rarely, the PO's good tactics serve an old plan and the release slips. Meeting every sprint is a cheap structural fix for most of it, but low fidelity still leaks. On-strategy share moves the other way: this build makes no claim with that metric.",
    },
    Exercise {
        slug: "2-overloaded-po",
        title: "The overloaded PO: where does the time go?",
        archetype: "overloaded-po",
        variant: "overloaded-po-split",
        levers: &[("po.strategy_share", 0.15), ("po.support_share", 0.4)],
        metrics: &["decision_wait_share", "release_delay_sprints", "value_efficiency"],
        question: "With no PM, the PO spends 55 % of the week on strategy and 20 % with the team. Hand the strategy to someone else (15 % left) and give the team 40 %: what happens to decision waits and to the release?",
        teaches: "Tactics need presence: the PO's answers are the team's flow. Time spent on strategy is taken from the team, and no amount of effort covers both roles.",
    },
    Exercise {
        slug: "3-blurred-roles",
        title: "Blurred roles: who orders the backlog?",
        archetype: "blurred-roles",
        variant: "blurred-roles-no-override",
        levers: &[("roles.pm_override", 0.0)],
        metrics: &["priority_churn", "value_efficiency", "release_delay_sprints"],
        question: "Here the PM reorders the top of the backlog in half the sprints. If the PM stopped overriding the PO, what would change, and what would not?",
        teaches: "One owner of the order: overrides churn the plan, and shared authority brings conflicts with it; stopping them closes most of the gap. What stays is the two-voice hand-over and the PO's strategic load.",
    },
    Exercise {
        slug: "4-fix-the-team",
        title: "Fix the team: how close to aligned can you get?",
        archetype: "blurred-roles",
        variant: "blurred-roles-fixed",
        levers: &[
            ("roles.pm_override", 0.0),
            ("roles.conflicts_per_sprint", 0.1),
            ("po.decision_latency_hours", 1.0),
        ],
        metrics: &["value_efficiency", "release_delay_sprints", "decision_wait_share"],
        question: "Pick three levers to move the blurred-roles team towards aligned. Which three, and how much of the gap do they close?",
        teaches: "Alignment is a structure, not a set of better people: PM owns why and what next, PO owns the order and the answers, and they agree often. Fix the split and the numbers follow.",
    },
];

/// The variant of an exercise as a scenario file.
pub fn variant_toml(ex: &Exercise) -> String {
    let mut sections: Vec<(&str, Vec<String>)> = Vec::new();
    for (key, value) in ex.levers {
        let (section, leaf) = key.split_once('.').expect("dotted key");
        let line = format!("{leaf} = {}", crate::format::fmt_num(*value));
        match sections.iter_mut().find(|(s, _)| *s == section) {
            Some((_, lines)) => lines.push(line),
            None => sections.push((section, vec![line])),
        }
    }
    let mut out = format!(
        "# Exercise {} of docs/workshop.md: {} with {}.\nname = \"{}\"\ndescription = \"{} with {}.\"\nextends = \"{}\"\n",
        ex.slug,
        ex.archetype,
        levers_text(ex),
        ex.variant,
        ex.archetype,
        levers_text(ex),
        ex.archetype
    );
    for (section, lines) in sections {
        let _ = write!(out, "\n[{section}]\n{}\n", lines.join("\n"));
    }
    out
}

/// `pm.sync_interval = 1, ...`
pub fn levers_text(ex: &Exercise) -> String {
    ex.levers
        .iter()
        .map(|(k, v)| format!("{k} = {}", crate::format::fmt_num(*v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The command that runs one exercise (the guide prints it; `backsim workshop` runs it).
pub fn command(ex: &Exercise, out: &str) -> String {
    format!(
        "backsim run {} {out}/scenarios/{}.toml aligned --runs {RUNS} --seed {SEED} --out {out}/{}",
        ex.archetype, ex.variant, ex.slug
    )
}

/// Three significant digits with a sign: how the guide prints a difference.
fn sig3(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let digits = (2 - x.abs().log10().floor() as i32).max(0) as usize;
    format!("{x:+.digits$}")
}

/// The guide's expected-result table of one exercise, from its run's compare.csv.
pub fn expected_block(ex: &Exercise, results: &Results) -> Result<String> {
    let mut t = format!(
        "| paired difference ({RUNS} runs, seed {SEED}) | metric | mean | 95 % interval | reads as |\n|---|---|---|---|---|\n"
    );
    for (who, label) in [
        (ex.variant, format!("{} − {}", ex.variant, ex.archetype)),
        ("aligned", format!("aligned − {}", ex.archetype)),
    ] {
        for m in ex.metrics {
            let row = results
                .compare_row(who, m)
                .with_context(|| format!("compare.csv of {} lacks {who} / {m}", ex.slug))?;
            let (Some(d), Some(lo), Some(hi)) = (row.mean_diff, row.ci95_low, row.ci95_high) else {
                let _ = writeln!(t, "| {label} | {m} | – | – | no paired runs |");
                continue;
            };
            let verdict = match row.verdict() {
                crate::output::results::Verdict::Better => "better",
                crate::output::results::Verdict::Worse => "worse",
                _ => "no clear difference",
            };
            let _ = writeln!(
                t,
                "| {label} | {m} | {} | [{}, {}] | {verdict} |",
                sig3(d),
                sig3(lo),
                sig3(hi)
            );
        }
    }
    Ok(t)
}

#[derive(Debug, Clone)]
pub struct WorkshopOptions {
    pub out: PathBuf,
    pub quiet: bool,
    /// Replace files of the same names that backsim did not write.
    pub force: bool,
}

/// `backsim workshop`: write the variants, run every exercise with `run_command` (the
/// `backsim run` command, handed in by the caller, which returns the files it wrote), write
/// the deck.
pub fn run(
    opts: &WorkshopOptions,
    run_command: &dyn Fn(&RunArgs) -> Result<Vec<PathBuf>>,
) -> Result<Vec<PathBuf>> {
    let out = &opts.out;
    let scen = out.join("scenarios");
    refuse_early(opts)?;
    std::fs::create_dir_all(&scen).map_err(|e| {
        crate::error::input_error(format!("{}: cannot create: {e}", scen.display()))
    })?;
    let mut files = Vec::new();
    let mut slides = Vec::new();
    for ex in &EXERCISES {
        let path = scen.join(format!("{}.toml", ex.variant));
        crate::output::atomic::commit_all(vec![crate::output::atomic::write_file(
            &path,
            variant_toml(ex).as_bytes(),
        )?])?;
        files.push(path.clone());
        if !opts.quiet {
            println!("exercise {}: {}", ex.slug, ex.title);
        }
        let dir = out.join(ex.slug);
        let args = RunArgs {
            scenarios: vec![
                ex.archetype.to_string(),
                path.display().to_string(),
                "aligned".to_string(),
            ],
            runs: Some(RUNS),
            seed: Some(SEED),
            out: dir.clone(),
            quiet: true,
            force: opts.force,
            format: Format::Both,
            ..RunArgs::default()
        };
        files.extend(run_command(&args)?);
        let results = Results::read(&dir)?;
        let table = expected_block(ex, &results)?;
        if !opts.quiet {
            println!("{table}");
        }
        slides.push((ex, dir, table));
    }
    let deck = out.join("deck.html");
    let html = deck_html(&slides)?;
    crate::output::atomic::commit_all(vec![crate::output::atomic::write_file(
        &deck,
        html.as_bytes(),
    )?])?;
    files.push(deck.clone());
    if !opts.quiet {
        println!(
            "{} files written to {}; open {} and use the arrow keys",
            files.len(),
            out.display(),
            deck.display()
        );
    }
    Ok(files)
}

/// Before any work: refuse what a later step would (an output path that is a file, a file
/// of the workshop's names that backsim did not write), so that no exercise is written
/// for nothing.
fn refuse_early(opts: &WorkshopOptions) -> Result<()> {
    use crate::output::atomic::{check_replaceable, set_force};
    let out = &opts.out;
    if out.exists() && !out.is_dir() {
        return Err(crate::error::input_error(format!(
            "{}: the output path exists and is not a folder; choose another --out",
            out.display()
        )));
    }
    set_force(opts.force);
    check_replaceable(out, &["deck.html".to_string()])?;
    let variants: Vec<String> = EXERCISES
        .iter()
        .map(|ex| format!("{}.toml", ex.variant))
        .collect();
    check_replaceable(&out.join("scenarios"), &variants)?;
    let run_set = crate::commands::run::set_names(false, Some(crate::output::ImageFormat::Both));
    for ex in &EXERCISES {
        check_replaceable(&out.join(ex.slug), &run_set)?;
    }
    Ok(())
}

fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for c in data.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn table_html(md: &str) -> String {
    let esc = crate::output::report::esc;
    let mut h = String::from("<table>");
    for (i, line) in md.lines().enumerate() {
        if i == 1 {
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let tag = if i == 0 { "th" } else { "td" };
        h.push_str("<tr>");
        for c in cells {
            let class = match c {
                "better" => " class=\"better\"",
                "worse" => " class=\"worse\"",
                _ => "",
            };
            let _ = write!(h, "<{tag}{class}>{}</{tag}>", esc(c));
        }
        h.push_str("</tr>");
    }
    h.push_str("</table>");
    h
}

/// One self-contained page: a slide a screen, arrow keys to move.
fn deck_html(slides: &[(&Exercise, PathBuf, String)]) -> Result<String> {
    let esc = crate::output::report::esc;
    let img = |dir: &Path, stem: &str, alt: &str| -> Result<String> {
        let path = dir.join(format!("{stem}.png"));
        let data =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        Ok(format!(
            "<img alt=\"{}\" src=\"data:image/png;base64,{}\">",
            esc(alt),
            base64(&data)
        ))
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<section class=\"title\"><h1>What role alignment does to delivery</h1><p>Four exercises with backsim: the same simulated worlds, one structure changed at a time.</p><p class=\"hint\">→ / Space: next · ← : back · Home / End</p></section>"
    );
    for (ex, dir, table) in slides {
        let _ = writeln!(
            s,
            "<section><h2>{}</h2><p class=\"q\">{}</p><p>Lever: <b>{}</b> in <b>{}</b>.</p><p class=\"hint\">Guess first: better, worse or no clear difference? By how much?</p></section>",
            esc(ex.title),
            esc(ex.question),
            esc(&levers_text(ex)),
            esc(ex.archetype)
        );
        let _ = writeln!(
            s,
            "<section><h2>{}: every metric against {}</h2>{}</section>",
            esc(ex.slug),
            esc(ex.archetype),
            img(dir, "compare_forest", "paired differences")?
        );
        let (stem, what) = match ex.metrics[0] {
            "release_delay_sprints" => ("delay_cdf", "when is the release done?"),
            "decision_wait_share" => ("flow_decision_wait", "decision wait, sprint by sprint"),
            "priority_churn" => ("flow_priority_churn", "priority churn, sprint by sprint"),
            _ => (
                "value_efficiency",
                "how much of the possible value was delivered?",
            ),
        };
        let _ = writeln!(
            s,
            "<section><h2>{}: {}</h2>{}</section>",
            esc(ex.slug),
            esc(what),
            img(dir, stem, what)?
        );
        let _ = writeln!(
            s,
            "<section><h2>{}: the answer</h2>{}<p class=\"teach\">{}</p></section>",
            esc(ex.slug),
            table_html(table),
            esc(ex.teaches)
        );
    }
    Ok(format!(
        r##"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>backsim workshop deck</title>
<style>
html, body {{ margin: 0; background: #fff; color: #111; font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; }}
section {{ display: none; box-sizing: border-box; height: 100vh; padding: 3vh 5vw; flex-direction: column; justify-content: center; }}
section.on {{ display: flex; }}
h1 {{ font-size: 3.2rem; margin: 0 0 1rem; }} h2 {{ font-size: 2.2rem; margin: 0 0 1rem; }}
p {{ font-size: 1.7rem; line-height: 1.35; margin: .4rem 0; }}
.q {{ font-size: 2rem; }} .hint {{ color: #444; font-size: 1.3rem; }} .teach {{ font-size: 1.5rem; border-left: 8px solid #0072B2; padding-left: 1rem; }}
img {{ max-width: 100%; max-height: 80vh; object-fit: contain; align-self: center; }}
table {{ border-collapse: collapse; font-size: 1.25rem; margin: .5rem 0 1rem; }}
td, th {{ border: 1px solid #999; padding: .3rem .6rem; text-align: left; }}
td.better {{ color: #fff; background: #009E73; font-weight: bold; }} td.worse {{ color: #fff; background: #D55E00; font-weight: bold; }}
#pos {{ position: fixed; right: 1rem; bottom: .6rem; font-size: 1rem; color: #444; }}
@media print {{ section {{ display: flex; page-break-after: always; height: auto; min-height: 95vh; }} #pos {{ display: none; }} }}
</style></head><body>
{s}<div id="pos"></div>
<script>
const slides = [...document.querySelectorAll("section")];
let at = Math.max(0, Math.min(slides.length - 1, (parseInt(location.hash.slice(1), 10) || 1) - 1));
function show(i) {{
  at = Math.max(0, Math.min(slides.length - 1, i));
  slides.forEach((s, k) => s.classList.toggle("on", k === at));
  document.getElementById("pos").textContent = (at + 1) + " / " + slides.length;
  history.replaceState(null, "", "#" + (at + 1));
}}
document.addEventListener("keydown", (e) => {{
  if (["ArrowRight", "PageDown", " ", "Enter"].includes(e.key)) {{ show(at + 1); e.preventDefault(); }}
  else if (["ArrowLeft", "PageUp", "Backspace"].includes(e.key)) {{ show(at - 1); e.preventDefault(); }}
  else if (e.key === "Home") show(0);
  else if (e.key === "End") show(slides.length - 1);
}});
document.addEventListener("click", (e) => show(at + (e.clientX > innerWidth / 3 ? 1 : -1)));
show(at);
</script>
</body></html>
"##
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn every_variant_is_a_valid_scenario_with_its_levers() {
        for ex in &EXERCISES {
            let s = crate::scenario::load::load_str(
                "variant.toml",
                &variant_toml(ex),
                &crate::scenario::validate::Limits::default(),
            )
            .unwrap();
            assert_eq!(s.name, ex.variant);
            for (k, v) in ex.levers {
                assert_eq!(crate::scenario::params::get(&s, k).unwrap(), *v, "{k}");
            }
        }
    }

    #[test]
    fn differences_print_with_three_significant_digits() {
        assert_eq!(sig3(0.05812), "+0.0581");
        assert_eq!(sig3(-13.884), "-13.9");
        assert_eq!(sig3(2.05), "+2.05");
    }
}
