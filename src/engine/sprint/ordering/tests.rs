//! Tests of ordering's passes: the insertion sort, the rescoring, the urgency weight and
//! the merge of new items.

use super::*;
use crate::random::RunKeys;

#[test]
fn insertion_sort_sorts_near_and_far_moves() {
    let keys = RunKeys::new(1, 2);
    for n in [0usize, 1, 2, 9, 40, 300] {
        let mut v: Vec<(u64, u32)> = (0..n as u32)
            .map(|i| {
                let u = keys.unit(Source::Churn, i as u64, n as u64);
                // Mostly sorted, some far moves, many equal keys.
                let key = if u < 0.2 {
                    (u * 1e3) as u64
                } else {
                    i as u64 / 3
                };
                (key, i)
            })
            .collect();
        let mut expected = v.clone();
        expected.sort_unstable();
        insertion_sort(&mut v);
        assert_eq!(v, expected, "n = {n}");
    }
}

/// The rescoring pass and the insertion sort give the entries of the items not done,
/// each with its new key if its score can have moved and its old key if not, in sorted
/// order: what rescoring every entry, dropping the done ones and sorting afresh gives. Old
/// orders sorted by other scores, and reversed (far moves).
#[test]
fn rescore_order_gives_a_fresh_sort() {
    use crate::model::compiled::Model;
    use crate::model::item::ItemKind;
    let model = Model::new(&crate::scenario::Scenario::default());
    let keys = RunKeys::new(7, 0);
    let (old_view, view) = ([1.0, 1.0, 1.0, 1.0], [0.7, 1.3, 1.0, 2.2]);
    let score = Scoring {
        now: 9,
        dated: dated_weights(1.7),
        po: PoScoring::new(0.4, true),
    };
    let mut round = 0u64;
    for n in [0usize, 1, 2, 5, 40, 120] {
        for (all, reversed) in [(true, false), (false, false), (true, true), (false, true)] {
            round += 1;
            let u = |j: usize, a: u64| keys.unit(Source::Churn, j as u64, round * 100 + a);
            let mut items: Vec<BacklogItem> = (0..n)
                .map(|j| {
                    let mut it = BacklogItem::new(j as u64, 0, &model, &keys);
                    it.theme = (u(j, 0) * 4.0) as u16;
                    it.perceived = u(j, 1) * 10.0 - 2.0;
                    it.estimate = u(j, 2) * 8.0;
                    it.kind = [ItemKind::Feature, ItemKind::Enabler][(u(j, 3) < 0.3) as usize];
                    it.top = u(j, 4) < 0.1;
                    it.created = (u(j, 5) * 5.0) as u32;
                    it.in_scope = u(j, 6) < 0.3;
                    it.on_roadmap = u(j, 7) < 0.5;
                    it.status = [Status::Waiting, Status::Done][(u(j, 8) < 0.15) as usize];
                    it
                })
                .collect();
            let mut rank_in: Vec<RankIn> = (0..n)
                .map(|j| {
                    let dated = u(j, 10) < 0.2;
                    RankIn {
                        weight: if dated { 1.0 } else { 1.0 + u(j, 9) },
                        deadline: if dated {
                            (u(j, 11) * 20.0) as u32
                        } else {
                            NO_DEADLINE
                        },
                        stale: u(j, 12) < 0.1,
                    }
                })
                .collect();
            let key_by = |it: &BacklogItem, info: &RankIn, v: &[f64]| {
                let w = urgency_of(info, score.now);
                descending_key(roles::po_score_weighted(it, v, w, 0.4, true))
            };
            // Last sprint's order and scores, by the old view.
            let mut ranked: Vec<(u64, u32)> = (0..n)
                .map(|j| {
                    let key = key_by(&items[j], &rank_in[j], &old_view);
                    items[j].score = roles::po_score_weighted(
                        &items[j],
                        &old_view,
                        urgency_of(&rank_in[j], score.now),
                        0.4,
                        true,
                    );
                    (key, j as u32)
                })
                .collect();
            ranked.sort_unstable();
            if reversed {
                ranked.reverse();
            }
            let mut expected: Vec<(u64, u32)> = ranked
                .iter()
                .filter(|&&(_, i)| items[i as usize].status != Status::Done)
                .map(|&(key, i)| {
                    let info = &rank_in[i as usize];
                    let moved = all | (info.deadline != NO_DEADLINE) | info.stale;
                    if moved {
                        (key_by(&items[i as usize], info, &view), i)
                    } else {
                        (key, i)
                    }
                })
                .collect();
            expected.sort_unstable();
            let kept = rescore_order(&mut ranked, &mut items, &mut rank_in, &view, &score, all);
            insertion_sort(&mut ranked[..kept]);
            assert_eq!(&ranked[..kept], &expected[..], "n = {n}, all = {all}");
            assert!(rank_in.iter().all(|info| !info.stale));
            for &(key, i) in &expected {
                assert_eq!(descending_key(items[i as usize].score), key, "item {i}");
            }
        }
    }
}

/// A fixed-date item's weight from its deadline, the others' as given.
fn urgency_of(info: &RankIn, now: u32) -> f64 {
    use crate::model::item::{urgency_weight, Urgency};
    let mix = crate::scenario::UrgencyMix {
        late_factor: 1.7,
        ..Default::default()
    };
    match info.deadline {
        NO_DEADLINE => info.weight,
        deadline => urgency_weight(Urgency::FixedDate { deadline }, now, &mix),
    }
}

#[test]
fn weight_at_is_the_urgency_weight() {
    use crate::model::item::{urgency_weight, Urgency};
    let mix = crate::scenario::UrgencyMix::default();
    for now in 0..40 {
        for u in [
            Urgency::Standard,
            Urgency::Decaying,
            Urgency::ShortWindow,
            Urgency::FixedDate { deadline: 0 },
            Urgency::FixedDate { deadline: 12 },
            Urgency::FixedDate { deadline: 30 },
        ] {
            let (constant, deadline) = match u {
                Urgency::FixedDate { deadline } => (1.0, deadline),
                u => (urgency_weight(u, 0, &mix), NO_DEADLINE),
            };
            let got = weight_at(constant, deadline, now, &dated_weights(mix.late_factor));
            assert_eq!(
                got.to_bits(),
                urgency_weight(u, now, &mix).to_bits(),
                "{u:?} {now}"
            );
        }
    }
}

#[test]
fn merge_in_gives_what_inserting_one_by_one_gives() {
    let keys = RunKeys::new(3, 4);
    for (n, m) in [(0usize, 0usize), (0, 5), (7, 0), (1, 1), (30, 9), (9, 30)] {
        let entry = |j: usize| {
            let u = keys.unit(Source::Churn, j as u64, (n * 100 + m) as u64);
            ((u * 20.0) as u64, j as u32)
        };
        let mut ranked: Vec<(u64, u32)> = (0..n).map(entry).collect();
        ranked.sort_unstable();
        let mut fresh: Vec<(u64, u32)> = (n..n + m).map(entry).collect();
        let mut expected = ranked.clone();
        for &e in &fresh {
            let at = expected.partition_point(|x| *x < e);
            expected.insert(at, e);
        }
        merge_in(&mut ranked, &mut fresh);
        assert_eq!(ranked, expected, "n = {n}, m = {m}");
    }
}
