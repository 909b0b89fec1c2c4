//! The floors of the house run one way. Every module of `src/` sits on one floor; a module
//! may import from its own floor or the floors below, never from a floor above, and the
//! modules of one floor import each other without cycles. The order is declared here, once
//! (docs/architecture.md draws it); a new top-level module must be given a floor below.
//!
//! The check reads the source: every path that starts with `crate::`, `super::`, `self::`
//! or a child module's name (in `use` lines and in code), comments and string literals
//! left out. A path resolves to a *room*: a top-level module's child (`engine::sprint`,
//! `output::charts`) or the top-level module itself (`format`, and `engine` for what its
//! `mod.rs` holds). Files inside a room (`engine/sprint/*.rs`) may use each other freely.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The floors, lowest first, with the top-level modules of `src/` on each.
const FLOORS: &[(&str, &[&str])] = &[
    (
        "foundation",
        &["error", "random", "format", "stats", "calendar", "words"],
    ),
    ("scenario", &["scenario"]),
    ("model", &["model"]),
    ("engine", &["engine"]),
    ("aggregation", &["aggregate"]),
    ("outputs", &["output"]),
    (
        "commands",
        &["analysis", "app", "cli", "commands", "serve", "workshop"],
    ),
];

/// Known arrows that close a cycle inside a floor, each with why it is still there. The check
/// fails when one of them is gone, so that this list only shrinks.
const KNOWN_CYCLE_ARROWS: &[(&str, &str, &str)] = &[];

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Other(char),
}

/// Tokens of Rust source, without comments, string, byte-string and char literals.
fn tokens(src: &str) -> Vec<Tok> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let n = c.len();
    while i < n {
        let ch = c[i];
        if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && i + 1 < n && c[i + 1] == '/' {
            while i < n && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && i + 1 < n && c[i + 1] == '*' {
            let mut depth = 0;
            while i < n {
                if c[i] == '/' && i + 1 < n && c[i + 1] == '*' {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && i + 1 < n && c[i + 1] == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if ch == '"' {
            i += 1;
            while i < n && c[i] != '"' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if (ch == 'r' || ch == 'b')
            && raw_string_start(&c, i).is_some()
            && (i == 0 || !is_ident(c[i - 1]))
        {
            let (hashes, body) = raw_string_start(&c, i).unwrap();
            i = body;
            loop {
                if i >= n {
                    break;
                }
                if c[i] == '"' && (0..hashes).all(|h| i + 1 + h < n && c[i + 1 + h] == '#') {
                    i += 1 + hashes;
                    break;
                }
                i += 1;
            }
        } else if ch == '\'' {
            // A char literal ('a', '\n', '\u{..}') or a lifetime ('a).
            if i + 2 < n && c[i + 1] == '\\' {
                i += 2;
                while i < n && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if i + 2 < n && c[i + 2] == '\'' {
                i += 3;
            } else {
                i += 1;
            }
        } else if is_ident_start(ch) {
            let start = i;
            while i < n && is_ident(c[i]) {
                i += 1;
            }
            out.push(Tok::Ident(c[start..i].iter().collect()));
        } else if ch == ':' && i + 1 < n && c[i + 1] == ':' {
            out.push(Tok::PathSep);
            i += 2;
        } else {
            out.push(match ch {
                '{' => Tok::Open,
                '}' => Tok::Close,
                ',' => Tok::Comma,
                _ => Tok::Other(ch),
            });
            i += 1;
        }
    }
    out
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Where a raw (byte) string starting at `i` opens: (number of #, index after the quote).
fn raw_string_start(c: &[char], i: usize) -> Option<(usize, usize)> {
    let mut j = i;
    if c.get(j) == Some(&'b') {
        j += 1;
        if c.get(j) == Some(&'"') {
            return Some((0, j + 1));
        }
    }
    if c.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let mut hashes = 0;
    while c.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    (c.get(j) == Some(&'"')).then_some((hashes, j + 1))
}

/// The paths of a use tree starting at `t[i]` (`a::b::{c, d::e}`), each as its segments.
fn use_tree(t: &[Tok], mut i: usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
    let mut path = prefix;
    loop {
        match t.get(i) {
            Some(Tok::Ident(s)) => {
                if s != "self" || path.is_empty() {
                    path.push(s.clone());
                }
                i += 1;
                if t.get(i) == Some(&Tok::PathSep) {
                    i += 1;
                    continue;
                }
                if t.get(i) == Some(&Tok::Ident("as".into())) {
                    i += 2;
                }
                out.push(path);
                return i;
            }
            Some(Tok::Open) => {
                i += 1;
                loop {
                    match t.get(i) {
                        Some(Tok::Close) => return i + 1,
                        Some(Tok::Comma) => i += 1,
                        None => return i,
                        _ => i = use_tree(t, i, path.clone(), out).max(i + 1),
                    }
                }
            }
            Some(Tok::Other('*')) => {
                out.push(path);
                return i + 1;
            }
            _ => {
                // The end of the path.
                out.push(path);
                return i;
            }
        }
    }
}

/// Every module of `src/` (lib side) by its path, e.g. ["engine", "sprint"], with its file.
fn modules(src: &Path) -> BTreeMap<Vec<String>, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let rel = p.strip_prefix(src).unwrap().with_extension("");
            let mut segs: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if segs.last().map(String::as_str) == Some("mod") {
                segs.pop();
            }
            if segs == ["lib"] || segs == ["main"] {
                continue;
            }
            out.insert(segs, p);
        }
    }
    out
}

/// The rooms each file imports from, resolved against the module tree.
/// Each path comes with whether it is a re-export (`pub use`), which a `mod.rs` does for its
/// children: a façade, not a use, so it counts for the floors but not for cycles.
fn imports(
    module: &[String],
    text: &str,
    known: &BTreeSet<Vec<String>>,
) -> Vec<(Vec<String>, bool)> {
    let t = tokens(text);
    let mut out = Vec::new();
    // Inline modules (`mod tests { .. }`): their names and the depth they opened at.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < t.len() {
        match &t[i] {
            Tok::Open => depth += 1,
            Tok::Close => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            Tok::Ident(kw) if kw == "mod" => {
                if let (Some(Tok::Ident(name)), Some(Tok::Open)) = (t.get(i + 1), t.get(i + 2)) {
                    inline.push((name.clone(), depth));
                }
            }
            Tok::Ident(head) if t.get(i + 1) == Some(&Tok::PathSep) => {
                let after_sep = i > 0 && t[i - 1] == Tok::PathSep;
                let macro_crate = i > 0 && t[i - 1] == Tok::Other('$');
                let here: Vec<String> = module
                    .iter()
                    .cloned()
                    .chain(inline.iter().map(|(m, _)| m.clone()))
                    .collect();
                let mut child = here.clone();
                child.push(head.clone());
                let relative =
                    head == "crate" || head == "super" || head == "self" || known.contains(&child);
                if !after_sep && !macro_crate && relative {
                    let reexport = reexport_at(&t, i);
                    let mut paths = Vec::new();
                    let end = use_tree(&t, i, Vec::new(), &mut paths);
                    for p in paths {
                        out.push((resolve(&here, &p), reexport));
                    }
                    i = end;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Whether the path at `t[i]` follows `pub use` (or `pub(crate) use`, ...).
fn reexport_at(t: &[Tok], i: usize) -> bool {
    if i == 0 || t[i - 1] != Tok::Ident("use".into()) {
        return false;
    }
    let mut j = i - 1;
    if j > 0 && t[j - 1] == Tok::Other(')') {
        while j > 0 && t[j - 1] != Tok::Other('(') {
            j -= 1;
        }
        j = j.saturating_sub(1);
    }
    j > 0 && t[j - 1] == Tok::Ident("pub".into())
}

/// An absolute module path from a path written in module `here`.
fn resolve(here: &[String], path: &[String]) -> Vec<String> {
    let mut base: Vec<String> = here.to_vec();
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            base.clear();
            rest = &rest[1..];
        }
        Some("self") => rest = &rest[1..],
        Some("super") => {
            while rest.first().map(String::as_str) == Some("super") {
                base.pop();
                rest = &rest[1..];
            }
        }
        _ => {}
    }
    base.extend(rest.iter().cloned());
    base
}

/// The room of an absolute path: the top-level module and, when the next segment is one of
/// its child modules, that child.
fn room(path: &[String], known: &BTreeSet<Vec<String>>) -> String {
    if path.len() >= 2 && known.contains(&path[..2].to_vec()) {
        format!("{}::{}", path[0], path[1])
    } else {
        path.first().cloned().unwrap_or_default()
    }
}

fn floor_of(room: &str) -> Option<usize> {
    let top = room.split("::").next().unwrap_or(room);
    FLOORS.iter().position(|(_, mods)| mods.contains(&top))
}

/// Room → rooms it imports from (itself left out).
type Arrows = BTreeMap<String, BTreeSet<String>>;

/// The house drawn from `src/`: the arrows of uses, and those of re-exports.
fn house(src: &Path) -> (Arrows, Arrows) {
    let mods = modules(src);
    let known: BTreeSet<Vec<String>> = mods.keys().cloned().collect();
    let (mut uses, mut reexports) = (Arrows::new(), Arrows::new());
    for (module, file) in &mods {
        let from = room(module, &known);
        let text = std::fs::read_to_string(file).unwrap();
        uses.entry(from.clone()).or_default();
        for (path, reexport) in imports(module, &text, &known) {
            if path.is_empty() {
                continue;
            }
            let to = room(&path, &known);
            if to != from {
                let map = if reexport { &mut reexports } else { &mut uses };
                map.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    (uses, reexports)
}

/// What breaks the rules: modules on no floor, imports from a floor above, cycles between
/// the rooms of one floor.
fn violations(uses: &Arrows, reexports: &Arrows) -> Vec<String> {
    let mut out = Vec::new();
    let mut all = uses.clone();
    for (from, tos) in reexports {
        all.entry(from.clone())
            .or_default()
            .extend(tos.iter().cloned());
    }
    for (from, tos) in &all {
        let Some(f) = floor_of(from) else {
            out.push(format!(
                "`{from}` is on no floor: add its top-level module to FLOORS in tests/it/floors.rs (and docs/architecture.md)"
            ));
            continue;
        };
        for to in tos {
            match floor_of(to) {
                None => out.push(format!("`{from}` imports `{to}`, which is on no floor")),
                Some(g) if g > f => out.push(format!(
                    "`{from}` ({} floor) imports `{to}` from the {} floor above it",
                    FLOORS[f].0, FLOORS[g].0
                )),
                _ => {}
            }
        }
    }
    let mut uses = uses.clone();
    for (from, to, why) in KNOWN_CYCLE_ARROWS {
        if !uses.get_mut(*from).is_some_and(|t| t.remove(*to)) {
            out.push(format!(
                "`{from}` no longer imports `{to}`: remove it from KNOWN_CYCLE_ARROWS ({why})"
            ));
        }
    }
    for cycle in cycles(&uses) {
        out.push(format!("cycle between rooms: {}", cycle.join(" -> ")));
    }
    out
}

/// Cycles among rooms of the same floor (the floor check rules out the others), one per
/// strongly connected component, found by depth-first search.
fn cycles(edges: &Arrows) -> Vec<Vec<String>> {
    let same_floor = |a: &str, b: &str| floor_of(a).is_some() && floor_of(a) == floor_of(b);
    let mut found = Vec::new();
    let mut seen_in_cycle: BTreeSet<String> = BTreeSet::new();
    for start in edges.keys() {
        if seen_in_cycle.contains(start) {
            continue;
        }
        // Search for a path from `start` back to `start`.
        let mut stack: Vec<(String, Vec<String>)> = vec![(start.clone(), vec![start.clone()])];
        let mut visited: BTreeSet<String> = BTreeSet::new();
        while let Some((node, path)) = stack.pop() {
            let next = edges.get(&node).into_iter().flatten();
            let mut closed = None;
            for to in next {
                if !same_floor(start, to) {
                    continue;
                }
                if to == start {
                    let mut cycle = path.clone();
                    cycle.push(start.clone());
                    closed = Some(cycle);
                    break;
                }
                if visited.insert(to.clone()) {
                    let mut p = path.clone();
                    p.push(to.clone());
                    stack.push((to.clone(), p));
                }
            }
            if let Some(cycle) = closed {
                seen_in_cycle.extend(cycle.iter().cloned());
                found.push(cycle);
                break;
            }
        }
    }
    found
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_module_imports_from_a_floor_above_or_in_a_cycle() {
    let (uses, reexports) = house(&src_dir());
    let v = violations(&uses, &reexports);
    assert!(
        v.is_empty(),
        "the floors of src/ do not run one way (see docs/architecture.md):\n{}",
        v.join("\n")
    );
}

/// The checker sees what it must: known arrows of the real house, and each kind of fault
/// in a made-up one.
#[test]
fn the_floor_check_sees_arrows_and_faults() {
    let (uses, reexports) = house(&src_dir());
    let has = |from: &str, to: &str| uses.get(from).is_some_and(|t| t.contains(to));
    assert!(has("model::item", "random"), "{uses:?}");
    assert!(has("engine::run", "engine::sprint"));
    assert!(has("engine::run", "engine::throughput"));
    assert!(has("aggregate", "engine::metrics"));
    assert!(has("output", "output::report"), "child paths count");
    assert!(has("output::table", "format"));
    assert!(
        reexports["scenario"].contains("scenario::load"),
        "{reexports:?}"
    );

    let mut fake = Arrows::new();
    let mut arrow = |a: &str, b: &str| {
        fake.entry(a.into()).or_default().insert(b.into());
    };
    arrow("model::item", "engine::run");
    arrow("engine::run", "engine::throughput");
    arrow("engine::throughput", "engine::run");
    arrow("stray", "engine");
    let v = violations(&fake, &Arrows::new()).join("\n");
    assert!(
        v.contains("`model::item` (model floor) imports `engine::run`"),
        "{v}"
    );
    assert!(
        v.contains("cycle between rooms: engine::run -> engine::throughput -> engine::run"),
        "{v}"
    );
    assert!(v.contains("`stray` is on no floor"), "{v}");
    // No known arrow is left (the lever table ended validate <-> params): none is let through.
    assert!(KNOWN_CYCLE_ARROWS.is_empty());
    // A re-export from a floor above is caught like a use.
    let mut up = Arrows::new();
    up.entry("engine".into())
        .or_default()
        .insert("aggregate".into());
    let v = violations(&Arrows::new(), &up).join("\n");
    assert!(
        v.contains("`engine` (engine floor) imports `aggregate`"),
        "{v}"
    );
}

#[test]
fn paths_are_read_from_code_not_from_comments_or_strings() {
    let known: BTreeSet<Vec<String>> = [
        vec!["engine".to_string()],
        vec!["engine".to_string(), "run".to_string()],
        vec!["engine".to_string(), "metrics".to_string()],
    ]
    .into_iter()
    .collect();
    let text = r##"
        //! Talks about crate::output::csv in a comment.
        use super::metrics::{idx, RunRecord};
        pub(crate) use crate::stats::Moments;
        use crate::{format::fmt_num, model::{item::Status, team}};
        fn f() -> &'static str { let _c = '"'; "crate::app::run" }
        const R: &str = r#"crate::cli"#;
        fn g() { crate::random::unit(); Self::h(); }
        macro_rules! m { () => { $crate::error::x() } }
        #[cfg(test)]
        mod tests {
            use super::*;
            use crate::scenario::load_scenario;
        }
    "##;
    let got: Vec<String> = imports(&["engine".into(), "run".into()], text, &known)
        .iter()
        .map(|(p, reexport)| p.join("::") + if *reexport { " (re-export)" } else { "" })
        .collect();
    assert_eq!(
        got,
        [
            "engine::metrics::idx",
            "engine::metrics::RunRecord",
            "stats::Moments (re-export)",
            "format::fmt_num",
            "model::item::Status",
            "model::team",
            "random::unit",
            "engine::run",
            "scenario::load_scenario",
        ]
    );
}
