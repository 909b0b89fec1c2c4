//! `backsim check` and `backsim scenarios`: a scenario file validated and shown resolved; the
//! built-in presets listed.

use crate::scenario::load::load_with_limits;
use crate::scenario::presets;
use crate::scenario::validate::Limits;
use anyhow::{Context, Result};
use std::io::Write;

/// `backsim check`: validate and print each file resolved.
pub fn check(files: &[String], allow_large: bool) -> Result<()> {
    let limits = if allow_large {
        Limits::large()
    } else {
        Limits::default()
    };
    let mut stdout = std::io::stdout().lock();
    for spec in files {
        let s = load_with_limits(spec, &limits)?;
        let text = toml::to_string_pretty(&s).context("cannot print the scenario")?;
        writeln!(stdout, "# {spec}: ok (resolved)\n{text}")?;
        print_warnings(&s);
    }
    Ok(())
}

/// Silent traps of a scenario (see `scenario::structure::warnings`), on stderr: they never
/// fail a command.
pub(crate) fn print_warnings(s: &crate::scenario::Scenario) {
    for w in crate::scenario::structure::warnings(s) {
        eprintln!("warning: {w}");
    }
}

pub fn list_scenarios() -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "Built-in presets (use a name wherever a scenario file is expected, or `extends = \"NAME\"`):")?;
    for name in presets::names() {
        let s = crate::scenario::load_scenario(name)?;
        writeln!(stdout, "  {name:<15} {}", s.description)?;
    }
    Ok(())
}
