//! `backsim init`: a commented starter scenario file.

use super::shell_quote;
use crate::error::input_error;
use crate::scenario::presets;
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
    let stem = path
        .file_stem()
        .map_or(name.to_string(), |s| s.to_string_lossy().into_owned());
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
    let throughput = crate::scenario::load_scenario(extends)?.simulation.model
        == crate::scenario::ModelKind::Throughput;
    let shown = shell_quote(&path.display().to_string());
    let text = if throughput {
        throughput_starter(&stem, &shown, extends)
    } else {
        starter(&stem, &shown, extends)
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
/// The text of a starter file for a throughput forecast: only the keys that model reads.
pub fn throughput_starter(name: &str, shown: &str, extends: &str) -> String {
    format!(
        r#"# A backsim throughput forecast: "when will these items be done?". Set only what differs
# from the scenario it extends; `backsim check {shown}` shows the resolved scenario,
# docs/scenario-format.md every key. A forecast reads [simulation] and the keys below only.
name = "{name}"
description = "What this forecast is about, in one line."
extends = "{extends}"

[simulation]
# runs = 10000         # replications
# sprints = 104        # horizon: the forecast stops at the last item or here
# seed = 42

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
pub fn starter(name: &str, shown: &str, extends: &str) -> String {
    format!(
        r#"# A backsim scenario. Set only what differs from the scenario it extends;
# `backsim check {shown}` shows the resolved scenario, docs/scenario-format.md every key.
name = "{name}"
description = "What this scenario shows, in one line."
extends = "{extends}"

[simulation]
# runs = 1000          # replications
# sprints = 26         # two-week sprints in the horizon (one year)
# seed = 42

[team]
# capacity = {{ dist = "gamma", mean = 30, cv = 0.15 }}   # story points per sprint
# lanes = 3

[pm]
# sync_interval = 1    # sprints between roadmap hand-overs from PM to PO
# sync_fidelity = 0.9  # how much of the PM's view reaches the PO (0..1)

[po]
# strategy_share = 0.15          # share of the PO's 80 h spent on strategy
# support_share = 0.35           # share spent with the team (answers questions)
# decision_latency_hours = 1.0   # median wait for a decision
# value_skill = 0.35             # correlation of perceived with true value

[roles]
# pm_override = 0.0              # chance per sprint that the PM reorders the top
# conflicts_per_sprint = 0.1
# churn_probability = 0.02

[release]
# scope = "roadmap"              # or "initial_backlog"
# scope_points = 120
# planned_sprint = 6

# [[risks]]
# name = "key person leaves"
# probability = 0.2
# first_sprint = 5
# last_sprint = 15
# added_points = 20
"#
    )
}
