//! Errors in a newcomer's words: a TOML or serde error as `file:line:col: key.path:
//! message` with the line and a caret under the span, and serde's wording (`unknown field`,
//! `expected u32`) turned into what a person says ("unknown key `x`; did you mean `y`?",
//! "a whole number").

use super::locate::{key_path_at, key_path_guess, line_col};

/// `file:line:col: key.path: message`, then the line with a caret under the span.
pub(crate) fn toml_error(origin: &str, text: &str, err: &toml::de::Error) -> String {
    let message = humanize(err.message().trim());
    let message = message.as_str();
    match err.span() {
        Some(span) => {
            let (line, col) = line_col(text, span.start);
            let key = key_path_at(text, span.start)
                .or_else(|| {
                    key_path_guess(text, span.start).map(|k| format!("invalid TOML at {k}"))
                })
                .map(|k| format!("{k}: "))
                .unwrap_or_else(|| {
                    if text.trim().is_empty() {
                        String::new()
                    } else {
                        "invalid TOML: ".into()
                    }
                });
            format!(
                "{origin}:{line}:{col}: {key}{message}{}",
                snippet(text, line, col, span.len())
            )
        }
        None => format!("{origin}: {message}"),
    }
}

/// serde's wording (`unknown field`, `expected u32`) in words a person uses: the nearest key
/// instead of every key, "a whole number" instead of `u32`, what was found in TOML terms.
pub fn humanize(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some((field, tail)) = rest.split_once('`') {
            let valid = backticked(tail);
            return match crate::words::nearest(field, valid.iter().copied()) {
                Some(near) => format!("unknown key `{field}`; did you mean `{near}`?"),
                None if valid.is_empty() => format!("unknown key `{field}`: this table takes no keys"),
                None if valid.len() <= 6 => format!(
                    "unknown key `{field}` (the keys here: {})",
                    valid.join(", ")
                ),
                None => format!(
                    "unknown key `{field}`; docs/scenario-format.md lists every key, and `backsim check aligned` prints them all with their values"
                ),
            };
        }
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        if let Some((variant, tail)) = rest.split_once('`') {
            let valid = backticked(tail);
            let hint = crate::words::nearest(variant, valid.iter().copied())
                .map_or_else(String::new, |n| format!("; did you mean \"{n}\"?"));
            let list = valid
                .iter()
                .map(|v| format!("\"{v}\""))
                .collect::<Vec<_>>()
                .join(", ");
            return format!("unknown value \"{variant}\"{hint} (one of {list})");
        }
    }
    // A TOML integer is 64-bit signed: a larger literal never reaches the key's own check.
    if message.ends_with(" value was too large") {
        return format!(
            "too large: a whole number in a scenario file may be at most {} (2⁶³ − 1)",
            i64::MAX
        );
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            if let Some((got, expected)) = rest.rsplit_once(", expected ") {
                let (want, unsigned) = expected_words(expected);
                let got_words = found_words(got);
                let mut out = format!("expected {want}, got {got_words}");
                if got.starts_with("string ") && (want.contains("number")) {
                    out.push_str(" (write numbers without quotes)");
                } else if prefix == "invalid value: " && got.starts_with("integer ") && unsigned {
                    if got.contains('-') {
                        out.push_str(" (it cannot be negative)");
                    } else {
                        out.push_str(" (too large)");
                    }
                }
                return out;
            }
        }
    }
    message.to_string()
}

/// The words between backticks: "expected one of `a`, `b`" gives ["a", "b"].
fn backticked(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// serde's name of an expected type in words, and whether it is an unsigned number.
fn expected_words(expected: &str) -> (String, bool) {
    let w = match expected.trim() {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => {
            return ("a whole number (0 or more)".into(), true)
        }
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number",
        "f32" | "f64" => "a number",
        "a string" | "string" => "text in quotes",
        "a boolean" | "bool" => "true or false",
        "a sequence" => "a list",
        e if e.contains("enum Dist") => {
            "a distribution such as { dist = \"gamma\", mean = 30, cv = 0.15 }"
        }
        e if e.starts_with("struct ") || e.starts_with("a map") => "a table",
        e => e,
    };
    (w.to_string(), false)
}

/// serde's description of a found value in TOML terms: "integer `3`" is "3".
fn found_words(got: &str) -> String {
    let ticked = || backticked(got).first().map(|v| v.to_string());
    if let Some(s) = got.strip_prefix("string ") {
        return format!("the text {s}");
    }
    if got.starts_with("integer ")
        || got.starts_with("floating point ")
        || got.starts_with("boolean ")
    {
        if let Some(v) = ticked() {
            return v;
        }
    }
    match got {
        "sequence" => "a list".into(),
        "map" => "a table".into(),
        g => g.to_string(),
    }
}

pub(crate) fn snippet(text: &str, line: usize, col: usize, len: usize) -> String {
    let Some(src) = text.lines().nth(line - 1) else {
        return String::new();
    };
    let width = line.to_string().len();
    let carets = len.clamp(1, src.chars().count().saturating_sub(col - 1).max(1));
    format!(
        "\n{:w$} |\n{line} | {src}\n{:w$} | {}{}",
        "",
        "",
        " ".repeat(col - 1),
        "^".repeat(carets),
        w = width
    )
}
