//! Find where a key stands in a TOML text, and which key stands at a byte offset, so that every
//! error can name the file, the key path and the line.

use std::ops::Range;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The span of the key at `path` (segments; array elements by index, e.g. `["risks", "0", "name"]`).
pub fn find_key(text: &str, path: &[String]) -> Option<Range<usize>> {
    let doc = DeTable::parse(text).ok()?;
    let mut table: &DeTable = doc.get_ref();
    let mut i = 0;
    while i < path.len() {
        let (key, value) = table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == path[i])?;
        if i + 1 == path.len() {
            return Some(key.span());
        }
        let mut value: &Spanned<DeValue> = value;
        // Step into array elements named by index.
        while let DeValue::Array(arr) = value.get_ref() {
            let idx: usize = path.get(i + 1)?.parse().ok()?;
            value = arr.get(idx)?;
            i += 1;
            if i + 1 == path.len() {
                return Some(value.span());
            }
        }
        match value.get_ref() {
            DeValue::Table(t) => table = t,
            _ => return Some(key.span()),
        }
        i += 1;
    }
    None
}

/// The dotted path of the innermost key whose key or value contains `offset`.
pub fn key_path_at(text: &str, offset: usize) -> Option<String> {
    let doc = DeTable::parse(text).ok()?;
    let mut best: Option<String> = None;
    walk_table(doc.get_ref(), "", offset, &mut best);
    best
}

/// For text that does not parse: the key path at `offset` read off the lines, i.e. the last
/// `[table]` header above it and the bare key of its line (`team.lanes`), if any.
pub fn key_path_guess(text: &str, offset: usize) -> Option<String> {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    let is_key = |k: &str| {
        !k.is_empty()
            && k.split('.').all(|part| {
                let part = part.trim();
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            })
    };
    let header = text[..line_start].lines().rev().find_map(|l| {
        let l = l.trim();
        let inner = l
            .strip_prefix("[[")
            .and_then(|r| r.split_once("]]"))
            .or_else(|| l.strip_prefix('[').and_then(|r| r.split_once(']')))?
            .0
            .trim();
        Some(inner.to_string())
    });
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim())
        .filter(|k| is_key(k));
    match (header.filter(|h| is_key(h)), key) {
        (Some(h), Some(k)) => Some(format!("{h}.{k}")),
        (None, Some(k)) => Some(k.to_string()),
        _ => None,
    }
}

fn walk_table(table: &DeTable, prefix: &str, offset: usize, best: &mut Option<String>) {
    for (key, value) in table.iter() {
        let path = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        let k = key.span();
        let v = value.span();
        if k.contains(&offset) || v.contains(&offset) || (k.start <= offset && offset <= v.end) {
            *best = Some(path.clone());
        }
        walk_value(value, &path, offset, best);
    }
}

fn walk_value(value: &Spanned<DeValue>, path: &str, offset: usize, best: &mut Option<String>) {
    match value.get_ref() {
        DeValue::Table(t) => walk_table(t, path, offset, best),
        DeValue::Array(arr) => {
            for (i, v) in arr.iter().enumerate() {
                let p = format!("{path}[{i}]");
                if v.span().contains(&offset) {
                    *best = Some(p.clone());
                }
                walk_value(v, &p, offset, best);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_keys_and_lines() {
        let text = "name = \"x\"\n[team]\nlanes = 3\ncapacity = { dist = \"gamma\", mean = 30, cv = -1 }\n\n[[risks]]\nname = \"a\"\nprobability = 2\n";
        let span = find_key(text, &["team".into(), "capacity".into(), "cv".into()]).unwrap();
        assert_eq!(line_col(text, span.start).0, 4);
        let span = find_key(text, &["risks".into(), "0".into(), "probability".into()]).unwrap();
        assert_eq!(line_col(text, span.start), (8, 1));
        let off = text.find("lanes").unwrap();
        assert_eq!(key_path_at(text, off).as_deref(), Some("team.lanes"));
        let off = text.find("-1").unwrap();
        assert_eq!(key_path_at(text, off).as_deref(), Some("team.capacity.cv"));
    }

    #[test]
    fn guesses_keys_in_text_that_does_not_parse() {
        let text = "name = \"x\"\n[team]\nlanes = many\n[[risks]]\nname = \"a\"\nprobability = ?\n";
        let at = |needle: &str| key_path_guess(text, text.find(needle).unwrap());
        assert_eq!(at("many").as_deref(), Some("team.lanes"));
        assert_eq!(at("?").as_deref(), Some("risks.probability"));
        assert_eq!(at("name").as_deref(), Some("name"));
        assert_eq!(key_path_guess("[team\nx = 1", 1), None);
        assert_eq!(key_path_guess("é", 1), None);
    }
}
