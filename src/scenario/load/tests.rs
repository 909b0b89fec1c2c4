//! Tests of `load`.

use super::*;
use crate::scenario::levers::{lever, lookup, table_of};

#[test]
fn a_key_a_file_leaves_out_takes_the_tables_default() {
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
    let loaded = load_str("partial.toml", file, &Limits::default()).unwrap();
    assert_eq!(
        lookup(&table_of(&loaded), "team.capacity"),
        lever("team.capacity").unwrap().default_value().as_ref()
    );
    assert_eq!(loaded.roles, Scenario::default().roles);
}
