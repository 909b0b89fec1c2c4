//! Scope growth's keyed draws.

use super::*;
use crate::scenario::load::load_scenario;

/// Scope growth's split draws are keyed by sprint and item, with no overlap at any sprint
/// the limits allow (20 000 with `--allow-large`): sprint 8 193's growth items once reused
/// sprint 1's draws, and sprint 1's differ from sprint 2's.
#[test]
fn growth_items_of_different_sprints_split_on_their_own_draws() {
    let mut s = load_scenario("forecast").unwrap();
    s.backlog.split_rate = 0.5;
    s.backlog.scope_growth = Some(crate::scenario::Dist::Constant { value: 1.0 });
    let m = Model::new(&s);
    let (mut same_far, mut same_near) = (0, 0);
    for r in 0..400 {
        let keys = RunKeys::new(7, r);
        let mut scope = Scope::new(&m, &keys);
        let mut at = |sprint: u32| scope.added_in(&m, sprint, &keys);
        let (one, two, far) = (at(1), at(2), at(8193));
        same_far += (one == far) as u32;
        same_near += (one == two) as u32;
    }
    // Independent draws agree in half the runs (SD 10 of 400); the same draw in all.
    for (what, same) in [("8193", same_far), ("2", same_near)] {
        assert!(
            (140..260).contains(&same),
            "sprint 1 and sprint {what} split alike in {same} of 400 runs"
        );
    }
}
