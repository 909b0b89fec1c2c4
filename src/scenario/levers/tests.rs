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
fn every_key_of_the_defaults_is_a_lever() {
    // Each key `Scenario::default()` holds (besides the top level) has its row, or is a
    // parameter of a distribution that has one: a field without a row would have no default
    // (and no docs). The throughput-only optional keys (`backlog.split_rate_samples`,
    // `scope_growth`, a scope range) are empty by default and documented with the forecast.
    let mut keys = Vec::new();
    leaves("", &table_of(&Scenario::default()), &mut keys);
    assert!(keys.len() > LEVERS.len(), "{keys:?}");
    for (key, _) in &keys {
        let dist_param = key
            .rsplit_once('.')
            .and_then(|(parent, _)| lever(parent))
            .is_some_and(|l| l.ty == Type::Dist);
        assert!(
            ["name", "description"].contains(&key.as_str()) || lever(key).is_some() || dist_param,
            "{key} is not in the lever table"
        );
    }
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
    // The optional keys and sections: no value by default.
    const OPTIONAL: [&str; 7] = [
        "pub risks:",
        "pub calendar:",
        "pub forecast:",
        "pub sensitivity:",
        "pub split_rate_samples:",
        "pub struct CalendarSpec",
        "pub struct ForecastSpec",
    ];
    let mut struct_name = "";
    for (n, line) in structs.lines().enumerate() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("pub struct ") {
            struct_name = rest.split([' ', '{']).next().unwrap_or("");
        }
        assert!(
            !line.starts_with("impl Default for"),
            "src/scenario/mod.rs:{}: {line}: the defaults are built in defaults.rs, from the lever table",
            n + 1
        );
        // A derived Default or a serde default, and the field or struct it is for.
        let derived = line.starts_with("#[derive(") && line.contains("Default");
        if !(derived || line.starts_with("#[serde(") && line.contains("default")) {
            continue;
        }
        let target = structs
            .lines()
            .skip(n + 1)
            .map(str::trim)
            .find(|l| l.starts_with("pub "))
            .unwrap_or("");
        let risk_field = struct_name == "Risk" && !target.starts_with("pub struct");
        assert!(
            OPTIONAL.iter().any(|o| target.starts_with(o)) || risk_field && !derived,
            "src/scenario/mod.rs:{}: a default for `{target}`: a lever's default belongs in the lever table",
            n + 1
        );
    }
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
