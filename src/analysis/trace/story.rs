//! The told story: a headline per scenario, then sprint by sprint, as Markdown (one scenario,
//! or two side by side) and as the report section.

use super::{item_label, list, tell, SprintStory, Story, ASPECTS};
use crate::engine::metrics::idx;
use crate::output::report::esc;
use std::fmt::Write as _;

pub(super) fn headline(st: &Story) -> Vec<(&'static str, String)> {
    let m = &st.record.metrics;
    let completion = if m[idx::COMPLETION_SPRINT].is_nan() {
        "not within the horizon".to_string()
    } else {
        format!("sprint {}", m[idx::COMPLETION_SPRINT])
    };
    vec![
        ("release scope done", completion),
        ("points done", format!("{:.1}", m[idx::POINTS_DONE])),
        ("items done", format!("{}", m[idx::ITEMS_DONE])),
        ("value realized", format!("{:.2}", m[idx::VALUE_REALIZED])),
        (
            "value efficiency",
            format!("{:.3}", m[idx::VALUE_EFFICIENCY]),
        ),
        (
            "decision wait share",
            format!("{:.3}", m[idx::DECISION_WAIT]),
        ),
        ("defects", format!("{}", m[idx::DEFECTS])),
        ("escaped defects", format!("{}", m[idx::ESCAPED])),
        ("on-strategy share", format!("{:.3}", m[idx::ON_STRATEGY])),
    ]
}

/// The Markdown story (one scenario) or the two stories side by side.
pub fn markdown(stories: &[Story], run: u64, seed: u64, window: (u32, u32)) -> String {
    let mut h = String::new();
    let names: Vec<&str> = stories.iter().map(|s| s.scenario.name.as_str()).collect();
    let _ = writeln!(h, "# The story of run {run}: {}\n", names.join(" vs "));
    let _ = writeln!(
        h,
        "Seed {seed}, replication {run} (row `run = {run}` of runs.csv). {}Sprints {}–{} of {}.\n",
        if stories.len() > 1 {
            "Both scenarios live in the same world: same market, same backlog items, same capacity draws; every difference below comes from the roles. "
        } else {
            ""
        },
        window.0,
        window.1,
        stories[0].scenario.simulation.sprints
    );
    // Headline numbers.
    let heads: Vec<Vec<(&str, String)>> = stories.iter().map(headline).collect();
    let _ = writeln!(h, "| the year in numbers | {} |", names.join(" | "));
    let _ = writeln!(h, "|---|{}", "---|".repeat(names.len()));
    for (i, (label, _)) in heads[0].iter().enumerate() {
        let cells: Vec<&str> = heads.iter().map(|hd| hd[i].1.as_str()).collect();
        let _ = writeln!(h, "| {label} | {} |", cells.join(" | "));
    }
    h.push('\n');
    let told: Vec<Vec<SprintStory>> = stories.iter().map(tell).collect();
    // Where the stories part.
    if told.len() == 2 {
        let first = (0..told[0].len().min(told[1].len()))
            .find(|&k| told[0][k].committed != told[1][k].committed);
        match first {
            Some(k) => {
                let a: Vec<String> = told[0][k]
                    .committed
                    .difference(&told[1][k].committed)
                    .map(|i| item_label(*i))
                    .collect();
                let b: Vec<String> = told[1][k]
                    .committed
                    .difference(&told[0][k].committed)
                    .map(|i| item_label(*i))
                    .collect();
                let _ = writeln!(
                    h,
                    "**The stories part in sprint {}**: only {} committed {}; only {} committed {}.\n",
                    k + 1,
                    names[0],
                    if a.is_empty() { "nothing else".into() } else { list(&a, 8) },
                    names[1],
                    if b.is_empty() { "nothing else".into() } else { list(&b, 8) }
                );
            }
            None => {
                let _ = writeln!(
                    h,
                    "**The two teams committed the same items in every sprint.**\n"
                );
            }
        }
    }
    let mut cum = vec![0.0; told.len()];
    for k in 0..window.1 {
        let k = k as usize;
        for (c, t) in cum.iter_mut().zip(&told) {
            *c += t.get(k).map_or(0.0, |s| s.value);
        }
        if k + 1 < window.0 as usize {
            continue;
        }
        if told.len() == 1 {
            let _ = writeln!(h, "## Sprint {}\n", k + 1);
            for (aspect, lines) in ASPECTS.iter().zip(told[0][k].aspects()) {
                if !lines.is_empty() {
                    let _ = writeln!(h, "- **{aspect}**: {}", lines.join("; "));
                }
            }
            let _ = writeln!(h, "- **Value released so far**: {:.2}\n", cum[0]);
        } else {
            let diverged = told[0][k].committed != told[1][k].committed;
            let _ = writeln!(
                h,
                "## Sprint {}{}\n",
                k + 1,
                if diverged {
                    " — different commitments"
                } else {
                    ""
                }
            );
            let _ = writeln!(h, "| | {} |", names.join(" | "));
            let _ = writeln!(h, "|---|{}", "---|".repeat(names.len()));
            for (a, aspect) in ASPECTS.iter().enumerate() {
                let cells: Vec<String> = told
                    .iter()
                    .map(|t| t[k].aspects()[a].join("; ").replace('|', "/"))
                    .collect();
                if cells.iter().all(|c| c.is_empty()) {
                    continue;
                }
                let _ = writeln!(h, "| {aspect} | {} |", cells.join(" | "));
            }
            let _ = writeln!(
                h,
                "| Value released so far | {} |\n",
                cum.iter()
                    .map(|c| format!("{c:.2}"))
                    .collect::<Vec<_>>()
                    .join(" | ")
            );
        }
    }
    h
}

/// `**bold**` and `` `code` `` of one escaped line as HTML.
fn inline(text: &str) -> String {
    let e = esc(text);
    let mut out = String::new();
    let mut bold = false;
    let mut code = false;
    let mut rest = e.as_str();
    while let Some(i) = rest.find(['*', '`']) {
        out.push_str(&rest[..i]);
        if rest[i..].starts_with("**") {
            out.push_str(if bold { "</b>" } else { "<b>" });
            bold = !bold;
            rest = &rest[i + 2..];
        } else if rest[i..].starts_with('`') {
            out.push_str(if code { "</code>" } else { "<code>" });
            code = !code;
            rest = &rest[i + 1..];
        } else {
            out.push('*');
            rest = &rest[i + 1..];
        }
    }
    out.push_str(rest);
    if code {
        out.push_str("</code>");
    }
    if bold {
        out.push_str("</b>");
    }
    out
}

/// The story (the Markdown of [`markdown`]) as HTML for the report: its tables as tables,
/// each sprint's list as a two-column table (aspect, what happened), sprint headings as
/// `<h3>`. The title line is left out (the section's heading says it).
pub fn story_html(md: &str) -> String {
    #[derive(PartialEq)]
    enum Open {
        None,
        Table,
        List,
    }
    let mut h = String::new();
    let mut open = Open::None;
    let mut header_row = false;
    let close = |h: &mut String, open: &mut Open| {
        if *open != Open::None {
            h.push_str("</table></div>\n");
        }
        *open = Open::None;
    };
    for line in md.lines() {
        let t = line.trim_end();
        if let Some(title) = t.strip_prefix("## ") {
            close(&mut h, &mut open);
            let _ = writeln!(h, "<h3>{}</h3>", inline(title));
        } else if t.starts_with("# ") {
            close(&mut h, &mut open);
        } else if t.starts_with("|---") {
            header_row = false;
        } else if let Some(row) = t.strip_prefix('|') {
            if open != Open::Table {
                close(&mut h, &mut open);
                h.push_str("<div class=\"wrap\"><table class=\"story\">\n");
                open = Open::Table;
                header_row = true;
            }
            let cells: Vec<&str> = row
                .trim_end_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            h.push_str("<tr>");
            for (i, c) in cells.iter().enumerate() {
                let tag = if header_row || i == 0 { "th" } else { "td" };
                let _ = write!(h, "<{tag}>{}</{tag}>", inline(c));
            }
            h.push_str("</tr>\n");
        } else if let Some(item) = t.strip_prefix("- ") {
            if open != Open::List {
                close(&mut h, &mut open);
                h.push_str("<div class=\"wrap\"><table class=\"story\">\n");
                open = Open::List;
            }
            let (aspect, what) = match item.strip_prefix("**").and_then(|x| x.split_once("**: ")) {
                Some((a, w)) => (a, w),
                None => ("", item),
            };
            let _ = writeln!(
                h,
                "<tr><th>{}</th><td>{}</td></tr>",
                inline(aspect),
                inline(what)
            );
        } else if t.is_empty() {
            close(&mut h, &mut open);
        } else {
            close(&mut h, &mut open);
            let _ = writeln!(h, "<p>{}</p>", inline(t));
        }
    }
    close(&mut h, &mut open);
    h
}
