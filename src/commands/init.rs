//! `backsim init`: a commented starter scenario file.

use super::shell_quote;
use crate::error::input_error;
use crate::scenario::{presets, Scenario};
use anyhow::{Context, Result};
use std::io::Write;
use std::path::PathBuf;

/// `backsim init`: a commented starter file; never overwrites.
pub fn init(name: &str, extends: &str) -> Result<()> {
    if presets::find(extends).is_none() {
        return Err(input_error(format!(
            "--extends {extends:?}: no such preset{} (presets: {})",
            crate::words::did_you_mean(extends, presets::names()),
            presets::names().join(", ")
        )));
    }
    let path = if name.ends_with(".toml") {
        PathBuf::from(name)
    } else {
        PathBuf::from(format!("{name}.toml"))
    };
    // The file name without `.toml`: `init ""` or `init dir/` leave none (`.toml` has no
    // stem to `Path::file_stem`, it is all name).
    let stem = path.file_name().map_or(String::new(), |f| {
        let f = f.to_string_lossy();
        f.strip_suffix(".toml").unwrap_or(&f).to_string()
    });
    if stem.trim().is_empty() || stem.contains([',', '"']) {
        return Err(input_error(format!(
            "{name:?}: a scenario name must be non-empty and hold no commas or quotes"
        )));
    }
    if path.exists() {
        return Err(input_error(format!(
            "{}: already exists; backsim init never overwrites a file",
            path.display()
        )));
    }
    let base = crate::scenario::load_scenario(extends)?;
    let shown = shell_quote(&path.display().to_string());
    let text = if base.simulation.model == crate::scenario::ModelKind::Throughput {
        throughput_starter(&stem, &shown, extends, &base)
    } else {
        starter(&stem, &shown, extends, &base)
    };
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| input_error(format!("{}: cannot create: {e}", path.display())))?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!(
        "wrote {} (extends {extends}); try: backsim check {shown} && backsim run {extends} {shown}",
        path.display(),
    );
    Ok(())
}
/// The keys a starter file shows, commented out at the values of the preset it extends,
/// each with a word for a newcomer (what it means, never its value: the value comes from
/// the preset, the key's default from the lever table). Every key is a lever
/// (`scenario::levers::LEVERS`); a test checks that uncommenting them all gives the preset.
const STARTER_KEYS: &[(&str, &str)] = &[
    ("simulation.runs", "replications"),
    ("simulation.sprints", "sprints in the horizon"),
    ("simulation.seed", "seed of every random stream"),
    ("team.capacity", "story points per sprint"),
    ("team.lanes", "parallel work streams"),
    (
        "pm.sync_interval",
        "sprints between roadmap hand-overs from PM to PO",
    ),
    (
        "pm.sync_fidelity",
        "how much of the PM's view reaches the PO (0..1)",
    ),
    (
        "po.strategy_share",
        "share of the PO's time spent on strategy",
    ),
    (
        "po.support_share",
        "share spent with the team (answers questions)",
    ),
    ("po.decision_latency_hours", "median wait for a decision"),
    ("po.value_skill", "correlation of perceived with true value"),
    (
        "roles.pm_override",
        "chance per sprint that the PM reorders the top",
    ),
    ("roles.conflicts_per_sprint", "PM/PO conflicts a sprint"),
    (
        "roles.churn_probability",
        "chance per sprint that a role holder changes",
    ),
    (
        "release.scope",
        "what the release holds: \"roadmap\" or \"initial_backlog\"",
    ),
    ("release.scope_points", "story points in the release"),
    (
        "release.planned_sprint",
        "the sprint the release is promised for",
    ),
];

/// The sections of [`STARTER_KEYS`] a roles starter shows, and a forecast's.
const ROLES_SECTIONS: &[&str] = &["simulation", "team", "pm", "po", "roles", "release"];
const THROUGHPUT_SECTIONS: &[&str] = &["simulation"];

/// A TOML value as a starter file writes it: whole floats without `.0`, a distribution
/// with `dist` first.
fn toml_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("{s:?}"),
        toml::Value::Float(f) => format!("{f}"),
        toml::Value::Array(a) => format!(
            "[{}]",
            a.iter().map(toml_text).collect::<Vec<_>>().join(", ")
        ),
        toml::Value::Table(t) => {
            let mut keys: Vec<&String> = t.keys().collect();
            keys.sort_by_key(|k| k.as_str() != "dist");
            let cells: Vec<String> = keys
                .iter()
                .map(|k| format!("{k} = {}", toml_text(&t[k.as_str()])))
                .collect();
            format!("{{ {} }}", cells.join(", "))
        }
        other => other.to_string(),
    }
}

/// The commented lines of the starter keys of `sections`, at `base`'s values: a section
/// heading, then `# key = value   # meaning` per key.
fn starter_keys(base: &crate::scenario::Scenario, sections: &[&str]) -> String {
    let table = crate::scenario::levers::table_of(base);
    let mut out = String::new();
    for section in sections {
        out.push_str(&format!("\n[{section}]\n"));
        for (key, meaning) in STARTER_KEYS {
            let Some((sec, name)) = key.rsplit_once('.') else {
                continue;
            };
            if sec != *section {
                continue;
            }
            let Some(value) = crate::scenario::levers::lookup(&table, key) else {
                continue; // An optional key the preset leaves unset.
            };
            let line = format!("# {name} = {}", toml_text(value));
            out.push_str(&format!("{line:<32} # {meaning}\n"));
        }
    }
    out
}

/// The text of a starter file for a throughput forecast: only the keys that model reads.
pub fn throughput_starter(name: &str, shown: &str, extends: &str, base: &Scenario) -> String {
    let simulation = starter_keys(base, THROUGHPUT_SECTIONS);
    format!(
        r#"# A backsim throughput forecast: "when will these items be done?". Set only what differs
# from the scenario it extends; `backsim check {shown}` shows the resolved scenario,
# docs/scenario-format.md every key. A forecast reads [simulation] and the keys below only.
name = "{name}"
description = "What this forecast is about, in one line."
extends = "{extends}"
{simulation}
[backlog]
initial_items = 50     # the items still to do
# size = {{ dist = "constant", value = 1 }}   # items of one size: the forecast counts items

[team]
# Items finished per sprint in the team's recent history, drawn at random each sprint:
# capacity = {{ dist = "empirical", values = [3, 7, 5, 6, 4, 8, 5, 6, 2, 7] }}
"#
    )
}

/// The text of a starter scenario file.
pub fn starter(name: &str, shown: &str, extends: &str, base: &Scenario) -> String {
    let keys = starter_keys(base, ROLES_SECTIONS);
    format!(
        r#"# A backsim scenario. Set only what differs from the scenario it extends;
# `backsim check {shown}` shows the resolved scenario, docs/scenario-format.md every key.
name = "{name}"
description = "What this scenario shows, in one line."
extends = "{extends}"
{keys}
# [[risks]]
# name = "key person leaves"
# probability = 0.2
# first_sprint = 5
# last_sprint = 15
# added_points = 20
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::levers::{lookup, table_of};
    use crate::scenario::load::load_str;
    use crate::scenario::validate::Limits;

    /// Every starter key is a lever; uncommenting every `# key = value` line of a preset's
    /// starter gives that preset exactly (the values are the preset's, not written by hand).
    #[test]
    fn a_starter_shows_the_values_of_the_preset_it_extends() {
        for (key, _) in STARTER_KEYS {
            assert!(
                crate::scenario::levers::lever(key).is_some(),
                "{key} is not a lever"
            );
        }
        let meanings: Vec<&str> = STARTER_KEYS.iter().map(|(_, m)| *m).collect();
        for name in presets::names() {
            let base = crate::scenario::load_scenario(name).unwrap();
            let (text, sections) =
                if base.simulation.model == crate::scenario::ModelKind::Throughput {
                    let text = throughput_starter("mine", "mine.toml", name, &base);
                    (text, THROUGHPUT_SECTIONS)
                } else {
                    (starter("mine", "mine.toml", name, &base), ROLES_SECTIONS)
                };
            // Uncomment the generated lines (those ending in a starter key's meaning).
            let mut shown = 0;
            let open: String = text
                .lines()
                .map(|l| {
                    let generated = l.strip_prefix("# ").and_then(|rest| {
                        let (set, meaning) = rest.split_once(" # ")?;
                        meanings
                            .contains(&meaning)
                            .then(|| set.trim_end().to_string())
                    });
                    shown += generated.is_some() as usize;
                    generated.unwrap_or_else(|| l.to_string())
                })
                .collect::<Vec<_>>()
                .join("\n");
            let mine = load_str("mine.toml", &open, &Limits::default())
                .unwrap_or_else(|e| panic!("{name}: {e:#}\n{open}"));
            let (have, want) = (table_of(&mine), table_of(&base));
            let mut compared = 0;
            for (key, _) in STARTER_KEYS {
                let (section, _) = key.rsplit_once('.').unwrap();
                if !sections.contains(&section) {
                    continue;
                }
                compared += lookup(&want, key).is_some() as usize;
                assert_eq!(
                    lookup(&have, key),
                    lookup(&want, key),
                    "{name}: {key}\n{open}"
                );
            }
            assert_eq!(
                shown, compared,
                "{name}: a line per key the preset sets\n{open}"
            );
            assert!(open.contains("\nruns = "), "{name}");
        }
    }
}
