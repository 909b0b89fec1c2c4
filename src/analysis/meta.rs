//! The small TOML file an analysis writes beside its CSV (`sweep.toml`, `sensitivity.toml`):
//! what the CSV does not hold, for the command's own report and for `backsim plot`. The parts
//! every such file shares: the version, the command line, the seed and whether a precision
//! target was met, and reading them back with errors that name the file and the key.

use crate::error::input_error;
use anyhow::Result;
use std::path::Path;

/// The fields every analysis's metadata file holds.
#[derive(Debug, Clone)]
pub struct Common {
    pub command: String,
    pub seed: u64,
    /// With `--precision`: whether the target was met.
    pub precision_met: Option<bool>,
}

impl Common {
    /// A table with the version, the command and the seed, for the analysis to add its own keys.
    pub fn table(&self) -> toml::Table {
        let mut t = toml::Table::new();
        t.insert("version".into(), env!("CARGO_PKG_VERSION").into());
        t.insert("command".into(), self.command.clone().into());
        t.insert("seed".into(), toml::Value::Integer(self.seed as i64));
        t
    }

    /// Adds `precision_met` when a precision target was set.
    pub fn put_precision(&self, t: &mut toml::Table) {
        if let Some(met) = self.precision_met {
            t.insert("precision_met".into(), met.into());
        }
    }

    /// ", precision target met" or ", precision target NOT met within --max-runs".
    pub fn precision_note(&self) -> &'static str {
        match self.precision_met {
            None => "",
            Some(true) => ", precision target met",
            Some(false) => ", precision target NOT met within --max-runs",
        }
    }
}

/// The file's text: a comment naming the command that wrote it, then the table.
pub fn text(command: &str, csv: &str, t: &toml::Table) -> String {
    format!(
        "# Written by backsim {command}: what {csv} does not hold, for its report and `backsim plot`.\n{}",
        toml::to_string(t).unwrap_or_default()
    )
}

/// A metadata file read back.
pub struct Reader {
    table: toml::Table,
    shown: String,
}

impl Reader {
    pub fn parse(text: &str, path: &Path) -> Result<Reader> {
        let shown = path.display().to_string();
        let table = text
            .parse()
            .map_err(|e| input_error(format!("{shown}: not valid TOML: {e}")))?;
        Ok(Reader { table, shown })
    }

    /// The value of a key that must be there.
    pub fn key(&self, k: &str) -> Result<&toml::Value> {
        self.table
            .get(k)
            .ok_or_else(|| input_error(format!("{}: key `{k}` is missing", self.shown)))
    }

    /// The value of a key that may be left out.
    pub fn get(&self, k: &str) -> Option<&toml::Value> {
        self.table.get(k)
    }

    /// The error for a key of the wrong kind.
    pub fn bad(&self, k: &str, want: &str) -> anyhow::Error {
        input_error(format!("{}: key `{k}`: expected {want}", self.shown))
    }

    /// The fields every analysis's file holds.
    pub fn common(&self) -> Result<Common> {
        Ok(Common {
            command: self
                .key("command")?
                .as_str()
                .ok_or_else(|| self.bad("command", "a string"))?
                .to_string(),
            seed: self
                .key("seed")?
                .as_integer()
                .filter(|s| *s >= 0)
                .ok_or_else(|| self.bad("seed", "a whole number"))? as u64,
            precision_met: match self.get("precision_met") {
                None => None,
                Some(v) => Some(
                    v.as_bool()
                        .ok_or_else(|| self.bad("precision_met", "true or false"))?,
                ),
            },
        })
    }
}

/// The files an analysis folder is read back from by `backsim plot`: its CSV and its TOML
/// meta, as text with their paths. `None` without the CSV; the CSV without its meta is an
/// error naming the meta file, what it `holds` beside the CSV, and `older` (why an older
/// folder lacks it and what to do).
pub struct Folder {
    pub csv_path: std::path::PathBuf,
    pub csv: String,
    pub meta_path: std::path::PathBuf,
    pub meta: String,
}

pub fn read_folder(
    dir: &Path,
    csv_name: &str,
    meta_name: &str,
    holds: &str,
    older: &str,
) -> Result<Option<Folder>> {
    let csv_path = dir.join(csv_name);
    if !csv_path.is_file() {
        return Ok(None);
    }
    let meta_path = dir.join(meta_name);
    let read = |p: &Path| {
        std::fs::read_to_string(p).map_err(|e| input_error(format!("{}: {e}", p.display())))
    };
    if !meta_path.is_file() {
        return Err(input_error(format!(
            "{}: missing; it holds {holds} beside {csv_name} ({older})",
            meta_path.display()
        )));
    }
    Ok(Some(Folder {
        csv: read(&csv_path)?,
        meta: read(&meta_path)?,
        csv_path,
        meta_path,
    }))
}
