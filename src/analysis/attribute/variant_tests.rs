//! Who plays and which variants run: `--merge`'s groups, the variants' names and keys, the
//! engine mechanisms that play, and the player count the command announces.

use super::*;
use crate::scenario::load::load_scenario;

fn names(ps: &[Player]) -> Vec<&str> {
    ps.iter().map(|p| p.name.as_str()).collect()
}

/// The keys a variant differs in from `other`, sorted.
fn keys_differing(variant: &Scenario, other: &Scenario) -> Vec<String> {
    let mut keys: Vec<String> = differences(variant, other)
        .into_iter()
        .flat_map(|d| d.keys)
        .collect();
    keys.sort();
    keys
}

/// blurred-roles against aligned: the hand-over, the PO's strategic load and availability,
/// and the PM override (pm.override_top alone would do nothing, but pm_override differs).
fn blurred_players() -> (Scenario, Scenario, Vec<Player>) {
    let a = load_scenario("aligned").unwrap();
    let b = load_scenario("blurred-roles").unwrap();
    let ps = players(&differences(&b, &a), &[]).unwrap();
    (a, b, ps)
}

#[test]
fn a_mechanism_merged_twice_is_an_error_and_one_without_a_difference_is_skipped() {
    let (a, b, plain) = blurred_players();
    let d = differences(&b, &a);
    assert!(names(&plain).contains(&"hand-over"), "{:?}", names(&plain));
    assert!(names(&plain).contains(&"PM override"));
    let third = plain
        .iter()
        .map(|p| p.name.as_str())
        .find(|n| !["hand-over", "PM override"].contains(n))
        .expect("a third mechanism differs");
    // hand-over is already in the first group: the second --merge names it again.
    let e = players(
        &d,
        &[
            "hand-over, PM override".into(),
            format!("hand-over, {third}"),
        ],
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "--merge: \"hand-over\" is already merged in another --merge"
    );
    // person-level traits do not differ: nothing to merge, and hand-over stays one player
    // (moved last, as a group of one).
    let skipped = players(&d, &["hand-over, person-level traits".into()]).unwrap();
    let mut want: Vec<&str> = names(&plain)
        .into_iter()
        .filter(|n| *n != "hand-over")
        .collect();
    want.push("hand-over");
    assert_eq!(names(&skipped), want);
    let hand_over = plain.iter().find(|p| p.name == "hand-over").unwrap();
    assert_eq!(skipped.last().unwrap(), hand_over);
}

#[test]
fn an_unknown_mechanism_in_merge_names_every_mechanism() {
    let (a, b, _) = blurred_players();
    let e = players(&differences(&b, &a), &["hand-over,nonsense".into()])
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "--merge: no mechanism \"nonsense\" (mechanisms: PM presence, hand-over, PO strategic \
         load, PO availability, PM override, mechanism coefficients, person-level traits, other)"
    );
}

#[test]
fn a_variant_is_named_by_its_players_switched_on() {
    let ps: Vec<Player> = ["a", "b", "c"]
        .iter()
        .map(|n| Player {
            name: n.to_string(),
            meaning: String::new(),
            keys: Vec::new(),
        })
        .collect();
    let got: Vec<String> = (0..8).map(|m| variant_name(&ps, m, "base")).collect();
    assert_eq!(
        got,
        [
            "base",
            "base + a",
            "base + b",
            "base + a + b",
            "base + c",
            "base + a + c",
            "base + b + c",
            "base + a + b + c",
        ]
    );
}

#[test]
fn every_subset_is_a_variant_with_exactly_its_players_keys_from_the_scenario() {
    let (a, b, ps) = blurred_players();
    let n = ps.len();
    assert!(n >= 3, "{:?}", names(&ps));
    let vs = variants(&a, &b, &ps).unwrap();
    assert_eq!(vs.len(), 1 << n);
    for (mask, v) in vs.iter().enumerate() {
        let (mut on, mut off): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
        for (i, p) in ps.iter().enumerate() {
            let side = if mask >> i & 1 == 1 {
                &mut on
            } else {
                &mut off
            };
            side.extend(p.keys.clone());
        }
        on.sort();
        off.sort();
        // Switched on: the scenario's setting, so it differs from the baseline there and
        // only there; the rest is the baseline's, so it differs from the scenario there.
        assert_eq!(keys_differing(v, &a), on, "variant {mask}");
        assert_eq!(keys_differing(v, &b), off, "variant {mask}");
        let name = if mask == (1 << n) - 1 {
            "blurred-roles".to_string()
        } else {
            variant_name(&ps, mask, "aligned")
        };
        assert_eq!(v.name, name, "variant {mask}");
    }
    assert_eq!(vs[0].name, "aligned");
    assert_eq!(
        vs[3].name,
        format!("aligned + {} + {}", ps[0].name, ps[1].name)
    );
}

#[test]
fn the_override_plays_only_with_a_present_pm_who_overrides() {
    let all: Vec<usize> = (0..ENGINE_MECHANISMS.len()).collect();
    let without: Vec<usize> = (0..ENGINE_MECHANISMS.len())
        .filter(|&i| i != mask::OVERRIDE)
        .collect();
    assert_eq!(without.len(), 7);
    let aligned = load_scenario("aligned").unwrap();
    let blurred = load_scenario("blurred-roles").unwrap();
    assert!(aligned.pm.enabled && aligned.roles.pm_override == 0.0);
    assert!(blurred.pm.enabled && blurred.roles.pm_override > 0.0);
    // A PM who is present but never overrides (pm_override exactly 0): no override.
    assert_eq!(engine_players(&aligned, &aligned), without);
    // Either side overriding is enough.
    assert_eq!(engine_players(&blurred, &aligned), all);
    assert_eq!(engine_players(&aligned, &blurred), all);
    assert_eq!(engine_players(&blurred, &blurred), all);
    // A PM who would override but is absent: no override.
    let mut absent = blurred.clone();
    absent.pm.enabled = false;
    assert_eq!(engine_players(&absent, &aligned), without);
    assert_eq!(engine_players(&aligned, &absent), without);
    assert_eq!(engine_players(&absent, &absent), without);
}

#[test]
fn the_announced_player_count_is_the_modes_players() {
    let (_, _, ps) = blurred_players();
    assert!(ps.len() >= 3);
    assert_eq!(engine_or_switches(By::Mechanism, &[0, 2, 5, 6, 7], &ps), 5);
    assert_eq!(
        engine_or_switches(By::Structure, &[0, 2, 5, 6, 7], &ps),
        ps.len()
    );
}
