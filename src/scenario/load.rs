//! Reading scenario files: presets by name or files by path, `extends` chains, merging of
//! what each file sets over its base, and errors that name file, key and line.

use super::locate::{find_key, line_col};
use super::messages::{humanize, snippet, toml_error};
use super::presets;
use super::validate::{validate, Limits};
use super::Scenario;
use crate::error::input_error;
use anyhow::Result;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Files larger than this are refused before parsing (a scenario is a few KiB).
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// Where a scenario comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScenarioSource {
    Preset(&'static str),
    File(PathBuf),
}

impl ScenarioSource {
    /// A preset name (no path separator, no extension) or a file path.
    pub fn parse(spec: &str) -> ScenarioSource {
        if let Some(name) = presets::find(spec) {
            if !Path::new(spec).is_file() {
                return ScenarioSource::Preset(name);
            }
        }
        ScenarioSource::File(PathBuf::from(spec))
    }

    fn display(&self) -> String {
        match self {
            ScenarioSource::Preset(name) => format!("scenarios/{name}.toml (built-in)"),
            ScenarioSource::File(p) => p.display().to_string(),
        }
    }

    fn identity(&self) -> String {
        match self {
            ScenarioSource::Preset(name) => format!("preset:{name}"),
            ScenarioSource::File(p) => std::fs::canonicalize(p)
                .unwrap_or_else(|_| p.clone())
                .display()
                .to_string(),
        }
    }
}

/// One file of an `extends` chain.
struct Layer {
    origin: String,
    text: String,
}

/// Load, resolve and validate a scenario given by preset name or path.
pub fn load_scenario(spec: &str) -> Result<Scenario> {
    load_with_limits(spec, &Limits::default())
}

pub fn load_with_limits(spec: &str, limits: &Limits) -> Result<Scenario> {
    let source = ScenarioSource::parse(spec);
    if let ScenarioSource::File(path) = &source {
        let missing = std::fs::symlink_metadata(path)
            .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound);
        if missing {
            return Err(input_error(not_found(spec, path)));
        }
    }
    let mut layers = Vec::new();
    let mut chain = Vec::new();
    let table = resolve(&source, &mut chain, &mut layers)?;
    finish(table, &layers, limits)
}

/// The merged table of a chain turned into a validated scenario.
fn finish(mut table: toml::Table, layers: &[Layer], limits: &Limits) -> Result<Scenario> {
    // A scope range: `initial_items` given as a distribution is held as
    // `initial_items_range`, and `initial_items` becomes its largest value (for the limits).
    fold_scope_range(&mut table);
    let mut scenario: Scenario = table.try_into().map_err(|e: toml::de::Error| {
        input_error(format!(
            "{}: the merged scenario is invalid: {}",
            layers[0].origin,
            humanize(e.message().trim())
        ))
    })?;
    if let Some(r) = &scenario.backlog.initial_items_range {
        scenario.backlog.initial_items = super::scope_range_max(r)
            .unwrap_or(1.0)
            .clamp(1.0, u32::MAX as f64) as u32;
    }
    // Keys a throughput forecast ignores come first: they are the likely root cause.
    let mut problems = Vec::new();
    if scenario.simulation.model == super::ModelKind::Throughput {
        problems = keys_without_effect(layers);
    }
    problems.extend(validate(&scenario, limits));
    if let Some(p) = problems.first() {
        let mut msg = locate_problem(layers, &p.path, &p.message);
        if problems.len() > 1 {
            let more = problems.len() - 1;
            let noun = if more == 1 { "problem" } else { "problems" };
            msg.push_str(&format!(
                "\n({more} more {noun} in this scenario; fix this one first)"
            ));
        }
        return Err(input_error(msg));
    }
    Ok(scenario)
}

/// A scope range, `initial_items` given as a distribution, is held as `initial_items_range`
/// and `initial_items` becomes its largest value (set after loading, for the limits).
/// Whether the table had one.
fn fold_scope_range(table: &mut toml::Table) -> bool {
    if let Some(toml::Value::Table(b)) = table.get_mut("backlog") {
        if let Some(toml::Value::Table(d)) = b.get("initial_items").cloned() {
            b.insert("initial_items_range".into(), toml::Value::Table(d));
            b.insert("initial_items".into(), toml::Value::Integer(1));
            return true;
        }
    }
    false
}

/// Load, resolve and validate scenario text as if it were the file `origin` (its `extends`
/// are looked up beside that path). Used by the fuzz targets and by tools that hold the text.
pub fn load_str(origin: &str, text: &str, limits: &Limits) -> Result<Scenario> {
    let source = ScenarioSource::File(PathBuf::from(origin));
    let mut layers = Vec::new();
    let mut chain = Vec::new();
    let table = resolve_with(&source, Some(text.to_string()), &mut chain, &mut layers)?;
    finish(table, &layers, limits)
}

/// Resolve a source into the merged table; `layers[0]` is the file itself, then its bases.
fn resolve(
    source: &ScenarioSource,
    chain: &mut Vec<String>,
    layers: &mut Vec<Layer>,
) -> Result<toml::Table> {
    resolve_with(source, None, chain, layers)
}

/// [`resolve`], with the source's text given (or read when `None`).
fn resolve_with(
    source: &ScenarioSource,
    given: Option<String>,
    chain: &mut Vec<String>,
    layers: &mut Vec<Layer>,
) -> Result<toml::Table> {
    let id = source.identity();
    if chain.contains(&id) {
        chain.push(id);
        // Point at the `extends` that closes the cycle: the last file read.
        let (origin, at) = match layers.last() {
            Some(l) => {
                let span = find_key(&l.text, &["extends".to_string()]).unwrap_or(0..0);
                let (line, col) = line_col(&l.text, span.start);
                (l.origin.clone(), format!(":{line}:{col}"))
            }
            None => (source.display(), String::new()),
        };
        return Err(input_error(format!(
            "{origin}{at}: extends: forms a cycle: {}",
            chain.join(" -> ")
        )));
    }
    chain.push(id);
    let origin = source.display();
    let text = match (source, given) {
        (_, Some(text)) => text,
        (ScenarioSource::Preset(name), None) => {
            presets::text(name).expect("listed preset").to_string()
        }
        (ScenarioSource::File(path), None) => read_text(path)?,
    };
    // Types and unknown keys are checked file by file, so the error points into the right file.
    // (A file with a scope range is checked with the range folded away: see `fold_scope_range`.)
    let folded = text
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| fold_scope_range(&mut t).then_some(t));
    let check = match folded {
        Some(t) => {
            let mut full = super::defaults::document().clone();
            merge(&mut full, t);
            toml::Value::Table(full).try_into::<Scenario>().map(|_| ())
        }
        None => from_partial(&text).map(|_| ()),
    };
    if let Err(e) = check {
        return Err(input_error(toml_error(&origin, &text, &e)));
    }
    let mut table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| input_error(toml_error(&origin, &text, &e)))?;
    if table.is_empty() {
        return Err(input_error(format!(
            "{origin}:1:1: the scenario file is empty (it sets no key); set `extends` and what differs, or name a preset such as `aligned` instead of the file"
        )));
    }
    let extends = table.remove("extends");
    let sets_name = table.contains_key("name");
    layers.push(Layer {
        origin: origin.clone(),
        text: text.clone(),
    });
    let base = match extends {
        None => super::defaults::document().clone(),
        Some(toml::Value::String(target)) => {
            let base_source = match source {
                ScenarioSource::File(path)
                    if !is_bare_name(&target) || presets::find(&target).is_none() =>
                {
                    let dir = path.parent().unwrap_or(Path::new("."));
                    ScenarioSource::File(dir.join(&target))
                }
                _ => match presets::find(&target) {
                    Some(name) => ScenarioSource::Preset(name),
                    None => {
                        let span = find_key(&text, &["extends".to_string()]).unwrap_or(0..0);
                        let (line, col) = line_col(&text, span.start);
                        return Err(input_error(format!(
                            "{origin}:{line}:{col}: extends: no preset named {target:?}{} (presets: {})",
                            crate::words::did_you_mean(&target, presets::names()),
                            presets::names().join(", ")
                        )));
                    }
                },
            };
            if let ScenarioSource::File(p) = &base_source {
                if !p.exists() {
                    let span = find_key(&text, &["extends".to_string()]).unwrap_or(0..0);
                    let (line, col) = line_col(&text, span.start);
                    return Err(input_error(format!(
                        "{origin}:{line}:{col}: extends: {target:?} is neither a preset ({}) nor a file ({} does not exist){}",
                        presets::names().join(", "),
                        p.display(),
                        crate::words::did_you_mean(&target, presets::names())
                    )));
                }
            }
            let span = find_key(&text, &["extends".to_string()]).unwrap_or(0..0);
            let (line, col) = line_col(&text, span.start);
            resolve(&base_source, chain, layers).map_err(|e| {
                // Name the extending file too; the cause (base file, key, line) follows.
                e.context(format!("{origin}:{line}:{col}: extends = {target:?}"))
            })?
        }
        Some(other) => {
            // The typed parse above rejects this already; never panic on it anyway.
            return Err(input_error(format!(
                "{origin}: extends: expected a preset name or a file path, got a {}",
                other.type_str()
            )));
        }
    };
    let mut merged = base;
    merge(&mut merged, table);
    if !sets_name {
        if let ScenarioSource::File(p) = source {
            let stem = p
                .file_stem()
                .map_or("scenario".into(), |s| s.to_string_lossy().into_owned());
            merged.insert("name".into(), toml::Value::String(stem));
        }
    }
    Ok(merged)
}

/// What to say when a scenario given on the command line is neither a preset nor a file:
/// the nearest preset or `.toml` file beside it, if one is near.
fn not_found(spec: &str, path: &Path) -> String {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|n| n.ends_with(".toml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let name = path
        .file_name()
        .map_or(spec.to_string(), |n| n.to_string_lossy().into_owned());
    let stem = name.strip_suffix(".toml").unwrap_or(&name);
    // A preset is likelier meant than a file when the name has no path or extension.
    let presets = presets::names();
    let near_preset = crate::words::nearest(stem, presets.iter().copied());
    let near_file = crate::words::nearest(&name, files.iter().map(String::as_str))
        .or_else(|| {
            files
                .iter()
                .find(|f| f.strip_suffix(".toml") == Some(stem))
                .map(String::as_str)
        })
        .map(|f| {
            let shown = dir.join(f);
            if dir == Path::new(".") {
                f.to_string()
            } else {
                shown.display().to_string()
            }
        });
    let suggestion = match (is_bare_name(spec), near_preset, near_file) {
        (true, Some(p), _) | (false, Some(p), None) => format!("; did you mean `{p}`?"),
        (_, _, Some(f)) => format!("; did you mean `{f}`?"),
        (_, None, None) => String::new(),
    };
    if is_bare_name(spec) {
        format!(
            "`{spec}` is neither a scenario file nor a preset{suggestion} (presets: {}; `backsim scenarios` describes them)",
            presets.join(", ")
        )
    } else {
        format!("{spec}: cannot read scenario file: it does not exist{suggestion}")
    }
}

fn is_bare_name(s: &str) -> bool {
    !s.contains('/') && !s.contains('\\') && !s.ends_with(".toml")
}

fn read_text(path: &Path) -> Result<String> {
    use std::io::Read;
    let shown = path.display();
    let meta = std::fs::metadata(path)
        .map_err(|e| input_error(format!("{shown}: cannot read scenario file: {e}")))?;
    if meta.is_dir() {
        return Err(input_error(format!(
            "{shown}: is a directory, not a scenario file"
        )));
    }
    // A FIFO would block and /dev/zero never ends: read regular files only.
    if !meta.is_file() {
        return Err(input_error(format!(
            "{shown}: is not a regular file (a device, FIFO or socket), not a scenario file"
        )));
    }
    let too_big = |len: u64| {
        input_error(format!(
            "{shown}: file is {len} bytes; a scenario file may be at most {MAX_FILE_BYTES} bytes"
        ))
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big(meta.len()));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| input_error(format!("{shown}: cannot read scenario file: {e}")))?;
    // The file may have grown since its size was looked at.
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| {
        let text =
            String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]).into_owned();
        let (line, col) = line_col(&text, text.len());
        input_error(format!("{shown}:{line}:{col}: the file is not valid UTF-8"))
    })
}

/// Overlay `top` onto `base`: tables merge key by key, except distributions (tables with a
/// `dist` key, in either) and arrays, which replace the base value whole.
pub fn merge(base: &mut toml::Table, top: toml::Table) {
    for (key, value) in top {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(t))
                if !b.contains_key("dist") && !t.contains_key("dist") =>
            {
                merge(b, t)
            }
            (_, v) => {
                base.insert(key, v);
            }
        }
    }
}

/// A scenario from TOML text that sets only some keys: the text over the defaults document,
/// read with the text's spans, so that an error (a wrong type, an unknown key) points into
/// the text. Its `extends` is not followed.
pub fn from_partial(text: &str) -> std::result::Result<Scenario, toml::de::Error> {
    let top = toml::de::DeTable::parse(text)?;
    let mut doc = super::defaults::spanned_document().clone();
    let span = top.span();
    merge_spanned(doc.get_mut(), top.into_inner());
    let doc = toml::Spanned::new(span, doc.into_inner());
    Scenario::deserialize(toml::de::Deserializer::from(doc))
}

/// [`merge`] for parsed TOML with spans: what `top` sets keeps its spans (keys too).
fn merge_spanned<'i>(base: &mut toml::de::DeTable<'i>, top: toml::de::DeTable<'i>) {
    use toml::de::DeValue;
    let is_dist = |t: &toml::de::DeTable| t.contains_key("dist");
    for (key, value) in top {
        let (span, value) = (value.span(), value.into_inner());
        match (base.get_mut(key.get_ref().as_ref()), value) {
            (Some(b), DeValue::Table(t))
                if !is_dist(&t) && b.get_ref().as_table().is_some_and(|b| !is_dist(b)) =>
            {
                if let DeValue::Table(b) = b.get_mut() {
                    merge_spanned(b, t);
                }
            }
            (_, v) => {
                base.remove(key.get_ref().as_ref());
                base.insert(key, toml::Spanned::new(span, v));
            }
        }
    }
}

/// `file:line:col: key.path: message`, pointing at the nearest file of the chain that sets the key.
/// What a throughput forecast reads besides `[simulation]`: every other key would be
/// silently ignored, so setting one is an error.
const THROUGHPUT_KEYS: [&str; 16] = [
    "backlog.split_rate",
    "backlog.split_into",
    "backlog.split_rate_samples",
    "backlog.scope_growth",
    "calendar.start",
    "calendar.holidays",
    "forecast.target_date",
    "forecast.target_sprint",
    "forecast.promise_date",
    "team.capacity",
    "team.commitment_factor",
    "team.velocity_window",
    "backlog.initial_items",
    "backlog.size",
    "release.planned_sprint",
    "release.scope",
];

/// Keys set in any file of the chain that a throughput forecast does not use.
fn keys_without_effect(layers: &[Layer]) -> Vec<super::validate::Problem> {
    let mut out = Vec::new();
    for layer in layers {
        let Ok(table) = layer.text.parse::<toml::Table>() else {
            continue; // Parsed before; cannot fail.
        };
        for (key, value) in &table {
            let paths: Vec<Vec<String>> = match (key.as_str(), value) {
                (
                    "name" | "description" | "extends" | "simulation" | "sensitivity" | "risks",
                    _,
                ) => continue,
                (_, toml::Value::Table(t)) => t
                    .keys()
                    .map(|sub| vec![key.clone(), sub.clone()])
                    .filter(|p| !THROUGHPUT_KEYS.contains(&p.join(".").as_str()))
                    .collect(),
                _ => vec![vec![key.clone()]],
            };
            for path in paths {
                out.push(super::validate::Problem {
                    path,
                    message: format!(
                        "has no effect in a throughput forecast (simulation.model = \"throughput\" uses only [simulation], [[risks]], {}); remove it, or set simulation.model = \"roles\" to run the PM/PO model",
                        THROUGHPUT_KEYS.join(", ")
                    ),
                });
            }
        }
    }
    out
}

fn locate_problem(layers: &[Layer], path: &[String], message: &str) -> String {
    let dotted = dotted(path);
    for (i, layer) in layers.iter().enumerate() {
        if let Some(span) = find_key(&layer.text, path) {
            let (line, col) = line_col(&layer.text, span.start);
            let via = if i > 0 {
                format!(
                    "\n(set in {}, which {} extends)",
                    layer.origin, layers[0].origin
                )
            } else {
                String::new()
            };
            return format!(
                "{}:{line}:{col}: {dotted}: {message}{}{via}",
                layer.origin,
                snippet(&layer.text, line, col, span.len())
            );
        }
    }
    format!("{}: {dotted}: {message}", layers[0].origin)
}

fn dotted(path: &[String]) -> String {
    let mut out = String::new();
    for seg in path {
        if seg.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(seg);
        }
    }
    out
}

#[cfg(test)]
mod tests;
