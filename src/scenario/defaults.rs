//! The defaults of every section: the `aligned` preset, which a scenario file changes key by key.
//!
//! They are written once, in the lever table (`levers::LEVERS`, each lever's `default`): the
//! defaults document is built from it (plus the top-level `name` and `description`, which are
//! not levers), read once into a [`Scenario`] and cached. The document is the base layer of
//! every `extends` chain (`load`), so a scenario's structs are always read from complete
//! tables; only genuinely optional keys (an `Option`, an empty list, `[[risks]]`,
//! `[calendar]`, `[forecast]`, `[sensitivity]`) have a default of their own.

use super::levers::LEVERS;
use super::UrgencyMix;
use super::{Backlog, Market, Pm, Po, Quality, Release, Roles, Scenario, Simulation, Team};
use std::sync::OnceLock;
use toml::de::DeTable;
use toml::Spanned;

/// The top level of the defaults document (not levers).
const NAME: &str = "aligned";
const DESCRIPTION: &str = "PM owns strategy, PO owns tactics, and they talk every sprint.";

/// The defaults document: every lever's default at its dotted key, with `name` and
/// `description`.
pub(crate) fn document() -> &'static toml::Table {
    static DOC: OnceLock<toml::Table> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = toml::Table::new();
        doc.insert("name".into(), NAME.into());
        doc.insert("description".into(), DESCRIPTION.into());
        for lever in LEVERS {
            let Some(value) = lever.default_value() else {
                continue;
            };
            let (section, name) = lever.section_and_name();
            let mut table = &mut doc;
            for part in section.split('.') {
                table = table
                    .entry(part)
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()))
                    .as_table_mut()
                    .expect("a section of the lever table is a table");
            }
            table.insert(name.into(), value);
        }
        doc
    })
}

/// The defaults document as parsed TOML with spans: the base on which one file of a chain is
/// checked on its own, so that an error points into that file (`from_partial`).
pub(crate) fn spanned_document() -> &'static Spanned<DeTable<'static>> {
    static TEXT: OnceLock<String> = OnceLock::new();
    static DOC: OnceLock<Spanned<DeTable<'static>>> = OnceLock::new();
    DOC.get_or_init(|| {
        let text = TEXT
            .get_or_init(|| toml::to_string(document()).expect("the defaults document serializes"));
        DeTable::parse(text).expect("the defaults document parses")
    })
}

fn scenario() -> &'static Scenario {
    static SCENARIO: OnceLock<Scenario> = OnceLock::new();
    SCENARIO.get_or_init(|| {
        toml::Value::Table(document().clone())
            .try_into()
            .unwrap_or_else(|e| panic!("the lever table's defaults are not a scenario: {e}"))
    })
}

impl Default for Scenario {
    /// The defaults document read once (every mechanism on, no risks, no `[sensitivity]`).
    fn default() -> Self {
        scenario().clone()
    }
}

/// Each section's default is the defaults' section.
macro_rules! section_defaults {
    ($($ty:ty => $($field:ident).+;)*) => {
        $(impl Default for $ty {
            fn default() -> Self {
                scenario().$($field).+.clone()
            }
        })*
    };
}

section_defaults! {
    Simulation => simulation;
    Team => team;
    Backlog => backlog;
    UrgencyMix => backlog.urgency;
    Market => market;
    Pm => pm;
    Po => po;
    Roles => roles;
    Quality => quality;
    Release => release;
}
