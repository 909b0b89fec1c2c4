//! Tests of `levers`.

use super::*;
use crate::scenario::Dist;
use serde::Deserialize;

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
    let table = table_of(&Scenario::default());
    let mut wrong = Vec::new();
    for l in LEVERS {
        let text = l.default.trim_matches('`');
        let first = text.split_whitespace().next().unwrap_or("");
        let value = lookup(&table, l.key);
        let same = match (l.ty, value) {
            (Type::Table, Some(toml::Value::Table(_))) => true,
            // No value by default (an optional key, an empty list).
            (_, None) => text == "none" || text == "[]",
            (Type::Int, Some(toml::Value::Integer(i))) => first.parse::<i64>() == Ok(*i),
            (Type::Float, Some(toml::Value::Float(f))) => match first.strip_suffix('…') {
                Some(approx) => approx.parse::<f64>().is_ok_and(|a| (a - f).abs() < 1e-4),
                None => first.parse::<f64>() == Ok(*f),
            },
            (Type::Bool, Some(toml::Value::Boolean(b))) => first.parse::<bool>() == Ok(*b),
            (Type::Text, Some(toml::Value::String(s))) => text == format!("{s:?}"),
            (Type::Dist, Some(v)) => {
                let parsed: toml::Table = toml::from_str(&format!("x = {text}")).unwrap();
                Dist::deserialize(parsed["x"].clone()).ok() == Dist::deserialize(v.clone()).ok()
            }
            _ => false,
        };
        if !same {
            wrong.push(format!(
                "{}: the table says {}, Scenario::default() has {value:?}",
                l.key, l.default
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
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
