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

/// The j-th growth item of a sprint splits on the draw of the key its docs give,
/// `Source::Split` keyed by `INTERNAL_ID | 6 << 32 | j` and the sprint (written out here, not
/// taken from `GROWTH_ID`): not on an initial item's key (`Split`, id, 0), a risk item's
/// (`INTERNAL_ID | 2 << 32 | …`, 0) or any other. Only a value at a fixed seed would tell
/// other keys apart otherwise: they split as often.
#[test]
fn growth_items_split_on_the_draws_of_their_documented_keys() {
    let mut s = load_scenario("forecast").unwrap();
    s.backlog.split_rate = 0.5;
    s.backlog.split_into = 3;
    s.backlog.scope_growth = Some(crate::scenario::Dist::Constant { value: 4.0 });
    let m = Model::new(&s);
    let key = |j: u64| crate::model::item::INTERNAL_ID | (6 << 32) | j;
    let (mut split, mut whole) = (0, 0);
    for r in 0..50 {
        let keys = RunKeys::new(11, r);
        let mut scope = Scope::new(&m, &keys);
        for sprint in 1..6u32 {
            let expected: i64 = (0..4)
                .map(|j| {
                    let u = keys.unit(Source::Split, key(j), sprint as u64);
                    if u < 0.5 {
                        split += 1;
                        3
                    } else {
                        whole += 1;
                        1
                    }
                })
                .sum();
            assert_eq!(
                scope.added_in(&m, sprint, &keys),
                expected,
                "run {r} sprint {sprint}: 4 growth items, split (into 3) by their own keys"
            );
        }
    }
    // Both outcomes occur, so the draws decide (1000 items at ½: SD 16).
    assert!(split > 400 && whole > 400, "{split} split, {whole} not");
}
