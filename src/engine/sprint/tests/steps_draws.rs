//! Draws made once and shared, or decided without computing them in full, against the draws
//! made anew: churn's integer bound against the uniform it stands for, a world's churn draws
//! shared by its scenarios (and a new world's tag), run by run, item by item.

use super::super::arrivals::{churn_threshold, churn_word};
use super::super::simulate_roles;
use super::cold;
use crate::engine::trace::NoTrace;
use crate::engine::workspace::Workspace;
use crate::engine::world::CHURN_TAG;
use crate::model::compiled::Model;
use crate::random::{keyed_from, RunKeys};

/// The churn test `k < ⌈p·2⁵³⌉` on the draw's word says what `unit() < p` says, for any p in
/// (0, 1]: p at the draw's own uniform (not below it), one step above and below it, and p
/// away from it.
#[test]
fn churn_compares_its_draw_as_an_integer_exactly() {
    let mut n = 0;
    for key in [1u64, 0x9e37_79b9_7f4a_7c15, u64::MAX - 3] {
        for sprint in 0..400u64 {
            let u = keyed_from(key, sprint).unit();
            let word = churn_word(key, sprint);
            let ps = [
                u,
                u.next_up(),
                u.next_down(),
                (u * 2.0).min(1.0),
                u / 3.0,
                1.0,
                f64::MIN_POSITIVE,
                0.05,
                0.5,
            ];
            for p in ps {
                if p <= 0.0 || p > 1.0 {
                    continue;
                }
                assert_eq!(
                    word >> 11 < churn_threshold(p),
                    u < p,
                    "key {key:x}, sprint {sprint}, u {u:e}, p {p:e}"
                );
                n += 1;
            }
        }
    }
    assert!(n > 9000, "{n} cases");
}

/// The whole run of each archetype, played in a workspace whose world the other archetypes
/// played first (so their churn draws are read, not made), is the run played alone: the
/// same record and every item the same, for several worlds; and a workspace whose churn tags
/// ran out clears them and still plays the same run.
#[test]
fn churn_draws_shared_by_a_world_s_scenarios_are_the_draws_made_anew() {
    let presets = ["aligned", "siloed-pm", "overloaded-po", "blurred-roles"];
    let models: Vec<Model> = presets
        .iter()
        .map(|p| {
            let mut s = cold(p);
            s.roles.churn_probability = 0.3;
            Model::new(&s)
        })
        .collect();
    let play = |m: &Model, keys: &RunKeys, ws: &mut Workspace| {
        let rec = simulate_roles(m, keys, None, ws, &mut NoTrace);
        format!("{rec:?} {:?}", ws.items())
    };
    let mut shared = Workspace::new();
    for run in 0..4 {
        let keys = RunKeys::new(31, run);
        for (i, m) in models.iter().enumerate() {
            let tag = shared.world.churn_tag;
            let got = play(m, &keys, &mut shared);
            if i > 0 {
                assert_eq!(shared.world.churn_tag, tag, "the world is shared");
            }
            let want = play(m, &keys, &mut Workspace::new());
            assert_eq!(got, want, "{}, run {run}", presets[i]);
        }
    }
    // The last tag: the next world starts again at 1 on a cleared table.
    shared.world.churn_tag = CHURN_TAG;
    let keys = RunKeys::new(37, 0);
    let got = play(&models[1], &keys, &mut shared);
    assert_eq!(shared.world.churn_tag, 1);
    assert_eq!(got, play(&models[1], &keys, &mut Workspace::new()));
}
