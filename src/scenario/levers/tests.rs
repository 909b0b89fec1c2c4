//! Tests of `levers`.

use super::*;

/// The rows of the key table under the heading of `section` in docs/scenario-format.md.
fn doc_rows(md: &str, section: &str) -> Option<Vec<String>> {
    let heading = format!("### `[{section}]`");
    let start = md.lines().position(|l| {
        let l = l.trim_end();
        l == heading || l.starts_with(&format!("{heading} "))
    })?;
    Some(
        md.lines()
            .skip(start + 1)
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .skip(2)
            .map(|l| l.trim_end().to_string())
            .collect(),
    )
}

#[test]
fn the_docs_key_tables_are_the_lever_table() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/scenario-format.md");
    let md = std::fs::read_to_string(path).unwrap();
    let mut sections: Vec<&str> = Vec::new();
    for l in LEVERS {
        let (section, _) = l.section_and_name();
        if !sections.contains(&section) {
            sections.push(section);
        }
    }
    let mut wrong = Vec::new();
    for section in sections {
        let want: Vec<String> = LEVERS
            .iter()
            .filter(|l| l.section_and_name().0 == section)
            .map(Lever::markdown_row)
            .collect();
        let Some(have) = doc_rows(&md, section) else {
            wrong.push(format!(
                "docs/scenario-format.md has no section ### `[{section}]`"
            ));
            continue;
        };
        for row in &want {
            if !have.contains(row) {
                wrong.push(format!(
                    "[{section}] the table has a row the docs lack or write otherwise:\n  {row}"
                ));
            }
        }
        for row in &have {
            if !want.contains(row) {
                wrong.push(format!("[{section}] the docs have a row the lever table (src/scenario/levers.rs) lacks or writes otherwise:\n  {row}"));
            }
        }
        if wrong.is_empty() && want != have {
            wrong.push(format!(
                "[{section}] the docs list the keys in another order than the lever table"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Every leaf of a table by dotted key, a distribution (a table with `dist`) as one leaf.
fn lever_leaves(prefix: &str, t: &toml::Table, out: &mut Vec<(String, toml::Value)>) {
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) if !t.contains_key("dist") => {
                out.push((key.clone(), v.clone()));
                lever_leaves(&key, t, out)
            }
            v => out.push((key, v.clone())),
        }
    }
}

#[test]
fn the_table_defaults_are_the_scenario_defaults() {
    // Each default, read as TOML, is exactly what `Scenario::default()` holds (a float
    // written as an integer would differ: `8` is not `8.0`).
    let table = table_of(&Scenario::default());
    let mut wrong = Vec::new();
    for l in LEVERS {
        let value = lookup(&table, l.key);
        let same = match (l.default, l.default_value(), value) {
            (Def::SeeBelow, None, Some(toml::Value::Table(_))) => l.ty == Type::Table,
            // An optional key with no value, an empty list: not written out.
            (Def::Unset, None, None) => true,
            (_, Some(toml::Value::Array(a)), None) => a.is_empty(),
            (_, Some(want), Some(have)) => want == *have && l.ty != Type::Table,
            _ => false,
        };
        if !same {
            wrong.push(format!(
                "{}: the table says {:?}, Scenario::default() has {value:?}",
                l.key, l.default
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_key_of_a_scenario_is_one_lever_and_the_defaults_are_the_tables() {
    // Each key a scenario holds (besides the top level) has its row: a field without one has
    // no default and no docs; and the defaults document has exactly the table's defaults.
    let mut keys = Vec::new();
    lever_leaves("", &table_of(&Scenario::default()), &mut keys);
    for (key, _) in &keys {
        let section = LEVERS.iter().any(|l| l.key.starts_with(&format!("{key}.")));
        if !["name", "description"].contains(&key.as_str()) && !section {
            assert!(lever(key).is_some(), "{key} is not in the lever table");
        }
    }
    let mut doc = Vec::new();
    lever_leaves("", crate::scenario::defaults::document(), &mut doc);
    let mut want: Vec<String> = LEVERS
        .iter()
        .filter(|l| l.default_toml().is_some() || l.ty == Type::Table)
        .map(|l| l.key.to_string())
        .chain(["name".into(), "description".into()])
        .collect();
    // The sections that hold a default.
    for l in LEVERS.iter().filter(|l| l.default_toml().is_some()) {
        let (section, _) = l.section_and_name();
        let mut at = String::new();
        for part in section.split('.') {
            if !at.is_empty() {
                at.push('.');
            }
            at.push_str(part);
            if !want.contains(&at) {
                want.push(at.clone());
            }
        }
    }
    want.sort();
    let mut have: Vec<String> = doc.into_iter().map(|(k, _)| k).collect();
    have.sort();
    assert_eq!(have, want);
}

#[test]
fn a_default_is_written_in_the_lever_table_only() {
    // The scenario's structs have no serde default but for optional keys, and the files
    // that define them write no value: a lever's default has one place, `LEVERS`.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/scenario");
    let defaults = std::fs::read_to_string(dir.join("defaults.rs")).unwrap();
    for (n, line) in defaults.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        assert!(
            !code.chars().any(|c| c.is_ascii_digit())
                && !code.contains("true")
                && !code.contains("false"),
            "src/scenario/defaults.rs:{}: a value written outside the lever table: {line}",
            n + 1
        );
    }
    let structs = std::fs::read_to_string(dir.join("mod.rs")).unwrap();
    let mut struct_name = "";
    for (n, line) in structs.lines().enumerate() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("pub struct ") {
            struct_name = rest.split([' ', '{']).next().unwrap_or("");
        }
        if line.starts_with("#[derive(") && line.contains("Default") {
            // Only sections with no default value of their own (every key optional).
            let next = structs
                .lines()
                .skip(n + 1)
                .find(|l| l.contains("pub struct "));
            let next = next.unwrap_or("");
            assert!(
                next.contains("CalendarSpec") || next.contains("ForecastSpec"),
                "src/scenario/mod.rs:{}: a derived Default: {next}",
                n + 1
            );
        }
        if line.starts_with("#[serde(") && line.contains("default") {
            // A container default, or a field default, outside the optional keys.
            let field = structs
                .lines()
                .skip(n + 1)
                .map(str::trim)
                .find(|l| l.starts_with("pub "))
                .unwrap_or("");
            let optional = [
                "risks:",
                "calendar:",
                "forecast:",
                "sensitivity:",
                "split_rate_samples:",
            ]
            .iter()
            .any(|f| field.contains(f))
                || struct_name == "Risk"
                || ["CalendarSpec", "ForecastSpec"]
                    .iter()
                    .any(|s| field.contains(&format!("struct {s}")));
            assert!(
                optional,
                "src/scenario/mod.rs:{}: a serde default for `{field}` (in {struct_name}): a lever's default belongs in the lever table",
                n + 1
            );
        }
    }
}

#[test]
fn a_key_a_file_leaves_out_takes_the_tables_default() {
    use crate::scenario::load::from_partial;
    // One key of each type, a distribution and a key of a nested table; the file sets a
    // neighbour in the same section so the section itself is there.
    let file = "[simulation]\nsprints = 30\n[team]\nlanes = 2\n[backlog]\ninitial_items = 10\n[backlog.urgency]\nstandard = 0.5\n[pm]\nsync_interval = 2\n";
    let s = from_partial(file).unwrap();
    let table = table_of(&s);
    for key in [
        "simulation.runs",
        "simulation.hours_per_day",
        "simulation.model",
        "simulation.stop_at_completion",
        "team.capacity",
        "backlog.fibonacci",
        "backlog.urgency.decay_rate",
        "backlog.urgency.window_sprints",
        "pm.sync_fidelity",
        "release.scope",
        "release.planned_sprint",
    ] {
        let l = lever(key).unwrap();
        assert_eq!(lookup(&table, key), l.default_value().as_ref(), "{key}");
    }
    assert_eq!(s.simulation.sprints, 30);
    assert_eq!(s.backlog.urgency.standard, 0.5);
    // A whole section left out, and the same through the loader.
    assert_eq!(s.quality, crate::scenario::Quality::default());
    let loaded = crate::scenario::load::load_str(
        "partial.toml",
        file,
        &crate::scenario::validate::Limits::default(),
    )
    .unwrap();
    assert_eq!(loaded.team.capacity, s.team.capacity);
    assert_eq!(loaded.roles, Scenario::default().roles);
}

#[test]
fn the_docs_default_column_comes_from_the_value() {
    let shown = |key: &str| lever(key).unwrap().default_shown();
    assert_eq!(shown("simulation.runs"), "1000");
    assert_eq!(shown("simulation.model"), "`\"roles\"`");
    assert_eq!(
        shown("team.capacity"),
        "`{ dist = \"gamma\", mean = 30.0, cv = 0.15 }`"
    );
    assert_eq!(shown("backlog.positive_value_share"), "0.3333… (1/3)");
    assert_eq!(shown("backlog.urgency"), "see below");
    assert_eq!(shown("calendar.start"), "none");
    assert_eq!(shown("calendar.holidays"), "`[]`");
    assert_eq!(
        lever("backlog.positive_value_share")
            .unwrap()
            .default_value(),
        Some(toml::Value::Float(1.0 / 3.0))
    );
}

#[test]
fn the_range_text_says_what_the_checks_check() {
    for l in LEVERS {
        let says = |word: &str| l.range == word || l.range.starts_with(&format!("{word};"));
        // "p" is a probability; "(0, 1]" and "0 … 0.9" are probabilities with a rule more.
        assert!(!says("p") || l.checks.contains(&Probability), "{}", l.key);
        assert_eq!(says("≥ 0"), l.checks == [NonNegative], "{}", l.key);
        assert_eq!(says("> 0"), l.checks == [Positive], "{}", l.key);
        let number = matches!(l.ty, Type::Int | Type::Float);
        assert!(
            number || l.checks.iter().all(|c| matches!(c, Dist(..))),
            "{}",
            l.key
        );
    }
}

#[test]
fn sensitivity_ranges_lie_in_the_valid_range_and_take_every_place_once() {
    let ranges = default_ranges();
    let mut places: Vec<usize> = LEVERS
        .iter()
        .filter_map(|l| match l.sensitivity? {
            Sens::Own(p, ..) | Sens::Param(_, p, ..) => Some(p),
        })
        .collect();
    places.sort();
    assert_eq!(places, (0..ranges.len()).collect::<Vec<_>>());
    let s = Scenario::default();
    for (key, low, high) in ranges {
        assert!(low < high, "{key}");
        assert!(kind_of(&s, &key).is_ok(), "{key}");
    }
}
