//! Tests of item generation: rounding, world items, keyed streams per attribute.

use super::*;

#[test]
fn fibonacci_rounding_is_log_nearest() {
    assert_eq!(fibonacci_round(0.3), 1.0);
    assert_eq!(fibonacci_round(2.4), 2.0);
    assert_eq!(fibonacci_round(2.5), 3.0);
    assert_eq!(fibonacci_round(4.0), 5.0);
    assert_eq!(fibonacci_round(100.0), 21.0);
}

/// The scan that stops where the distances stop falling picks the value the full scan
/// picks (the first nearest): at and around every value and every geometric midpoint
/// (ties), across the range, and at 0, below it, infinity and NaN.
#[test]
fn fibonacci_rounding_stopping_early_is_the_full_scan() {
    let full = |x: f64| {
        let mut best = FIBONACCI[0];
        let mut dist = f64::INFINITY;
        for f in FIBONACCI {
            let d = (x.max(1e-9).ln() - f.ln()).abs();
            if d < dist {
                dist = d;
                best = f;
            }
        }
        best
    };
    let mut xs = vec![0.0, -3.0, 1e-300, f64::INFINITY, f64::NAN, f64::MAX, 1e6];
    for w in FIBONACCI.windows(2) {
        let mid = (w[0] * w[1]).sqrt();
        for x in [w[0], w[1], mid] {
            xs.extend([x, x.next_up(), x.next_down()]);
        }
    }
    xs.extend((0..20_000).map(|k| (k as f64 * 0.002 - 8.0).exp()));
    let mut seen = std::collections::HashSet::new();
    for x in xs {
        let got = fibonacci_round(x);
        assert_eq!(got.to_bits(), full(x).to_bits(), "{x}");
        seen.insert(got.to_bits());
    }
    assert_eq!(seen.len(), FIBONACCI.len());
}

/// A world item's perceived values, kept for the next scenario of the same value skill,
/// are what [`Model::perceive`] gives for each skill, in any order of scenarios.
#[test]
fn world_items_perceive_as_the_model_does_whatever_scenario_came_before() {
    use crate::scenario::Scenario;
    let model_with = |rho: f64| {
        let mut s = Scenario::default();
        s.po.value_skill = rho;
        Model::new(&s)
    };
    let models = [model_with(0.35), model_with(0.8), model_with(1.0)];
    let keys = RunKeys::new(4, 2);
    for id in 0..200 {
        let mut world = BacklogItem::world(id, 0, &models[0], &keys);
        for &m in &[0usize, 1, 1, 0, 2, 0, 2, 1] {
            let model = &models[m];
            world.perceive(model);
            let enabler = world.kind == ItemKind::Enabler;
            let (belief, pm_belief) = BacklogItem::beliefs(id, &models[0], &keys);
            let (po, pm) = (
                model.perceive(world.value, enabler, belief),
                model.perceive(world.value, enabler, pm_belief),
            );
            assert_eq!(
                world.perceived.to_bits(),
                po.to_bits(),
                "item {id}, model {m}"
            );
            assert_eq!(
                world.pm_perceived.to_bits(),
                pm.to_bits(),
                "item {id}, model {m}"
            );
        }
    }
}

/// World items made two at a time are the items made one by one, field by field (Beta
/// ambiguity, paired; another shape, not paired), whatever sprints create them.
#[test]
fn world_items_in_pairs_are_the_items_one_by_one() {
    use crate::scenario::{Dist, Scenario};
    let with = |ambiguity: Dist| {
        let mut s = Scenario::default();
        s.backlog.ambiguity = ambiguity;
        Model::new(&s)
    };
    let models = [
        Model::new(&Scenario::default()),
        with(Dist::Beta { a: 2.0, b: 5.0 }),
        with(Dist::Uniform { min: 0.1, max: 0.9 }),
    ];
    let keys = RunKeys::new(5, 3);
    for model in &models {
        for id in (0..400).step_by(2) {
            let (c, c_next) = ((id / 7) as u32, (id / 5) as u32);
            let pair = BacklogItem::world_pair(id, c, c_next, model, &keys);
            let one = [
                BacklogItem::world(id, c, model, &keys),
                BacklogItem::world(id + 1, c_next, model, &keys),
            ];
            for (p, o) in pair.iter().zip(&one) {
                assert_eq!(format!("{p:?}"), format!("{o:?}"), "item {}", o.id);
            }
        }
    }
}

#[test]
fn same_id_same_item() {
    let model = Model::new(&crate::scenario::Scenario::default());
    let keys = RunKeys::new(3, 9);
    let a = BacklogItem::new(17, 0, &model, &keys);
    let b = BacklogItem::new(17, 0, &model, &keys);
    assert_eq!((a.value, a.size, a.theme), (b.value, b.size, b.theme));
    let c = BacklogItem::new(18, 0, &model, &keys);
    assert_ne!(a.size, c.size);
}

/// Each attribute has its own stream: another ambiguity distribution changes the
/// ambiguity and nothing else; the same shape written another way changes nothing.
#[test]
fn changing_the_ambiguity_distribution_draws_every_other_attribute_the_same() {
    use crate::scenario::{Dist, Scenario};
    let with = |ambiguity: Dist| {
        let mut s = Scenario::default();
        s.backlog.ambiguity = ambiguity;
        s.backlog.estimate_sigma_per_ambiguity = 0.0;
        Model::new(&s)
    };
    let beta11 = with(Dist::Beta { a: 1.0, b: 1.0 });
    let uniform = with(Dist::Uniform { min: 0.0, max: 1.0 });
    let skewed = with(Dist::Beta { a: 2.0, b: 5.0 });
    let keys = RunKeys::new(4, 2);
    let mut differ = 0;
    for id in 0..2000 {
        let a = BacklogItem::world(id, 3, &beta11, &keys);
        let b = BacklogItem::world(id, 3, &uniform, &keys);
        let c = BacklogItem::world(id, 3, &skewed, &keys);
        assert_eq!(a.ambiguity.to_bits(), b.ambiguity.to_bits(), "item {id}");
        differ += (a.ambiguity != c.ambiguity) as u32;
        for x in [&b, &c] {
            assert_eq!(
                (a.theme, a.kind, a.urgency, a.question_draw.to_bits()),
                (x.theme, x.kind, x.urgency, x.question_draw.to_bits()),
                "item {id}"
            );
            for (p, q) in [
                (a.value, x.value),
                (a.size, x.size),
                (a.noisy_estimate, x.noisy_estimate),
                (a.z_belief, x.z_belief),
                (a.z_pm_belief, x.z_pm_belief),
            ] {
                assert_eq!(p.to_bits(), q.to_bits(), "item {id}");
            }
        }
    }
    assert!(
        differ > 1900,
        "Beta(2, 5) changed only {differ} ambiguities"
    );
}

/// Questions come with the work (docs/model.md §3.4): over the question draw's whole range,
/// an item of the mean size raises Poisson(base + per_ambiguity·a) questions on average, one
/// of twice the size twice as many, one of half the size half as many, and an empty one none;
/// the count never falls as the size grows. The mean size is the size distribution's.
#[test]
fn an_item_raises_questions_in_proportion_to_its_size() {
    let s = crate::scenario::Scenario::default();
    let model = Model::new(&s);
    let mean_size = s.backlog.size.mean();
    assert!((model.question_size - mean_size).abs() < 1e-12 && mean_size > 3.5);
    let keys = RunKeys::new(1, 1);
    let mut item = BacklogItem::new(5, 0, &model, &keys);
    item.ambiguity = 0.4;
    let per_item = s.po.questions_base + s.po.questions_per_ambiguity * 0.4;
    let grid = 20_000;
    let average = |item: &mut BacklogItem, size: f64| {
        item.size = size;
        let mut total = 0.0;
        for k in 0..grid {
            item.question_draw = (k as f64 + 0.5) / grid as f64;
            item.start(0.0, &model, &keys);
            total += item.questions as f64;
        }
        total / grid as f64
    };
    for (factor, expected) in [(0.0, 0.0), (0.5, 0.5), (1.0, 1.0), (2.0, 2.0)] {
        let got = average(&mut item, factor * mean_size);
        assert!(
            (got - expected * per_item).abs() < 0.01 * per_item,
            "size {factor} × mean: {got} questions on average, expected {}",
            expected * per_item
        );
    }
    let mut last = 0;
    for size in [0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0] {
        item.size = size;
        item.question_draw = 0.7;
        item.start(0.0, &model, &keys);
        assert!(
            item.questions >= last,
            "size {size}: {} < {last}",
            item.questions
        );
        last = item.questions;
    }
    assert!(
        last > 8,
        "a 21-point item raises more than 8 questions at the draw 0.7: {last}"
    );
}

/// The fields every pass over the backlog reads lie in an item's first cache line, every
/// item starts on a line, and an item takes five lines, not six (every world item is copied
/// into each scenario's backlog). A layout for speed: a moved field breaks no result, only this.
#[test]
fn hot_fields_lie_in_the_first_cache_line() {
    use std::mem::{align_of, offset_of, size_of};
    assert_eq!(align_of::<BacklogItem>(), 64);
    assert_eq!(size_of::<BacklogItem>(), 5 * 64);
    for (name, end) in [
        ("status", offset_of!(BacklogItem, status) + 1),
        ("ready", offset_of!(BacklogItem, ready) + 1),
        ("top", offset_of!(BacklogItem, top) + 1),
        ("in_scope", offset_of!(BacklogItem, in_scope) + 1),
        ("lane", offset_of!(BacklogItem, lane) + 1),
        ("theme", offset_of!(BacklogItem, theme) + 2),
        ("dropped_in", offset_of!(BacklogItem, dropped_in) + 4),
        ("finish_sprint", offset_of!(BacklogItem, finish_sprint) + 4),
        ("score", offset_of!(BacklogItem, score) + 8),
        ("estimate", offset_of!(BacklogItem, estimate) + 8),
        ("perceived", offset_of!(BacklogItem, perceived) + 8),
        ("blocked_until", offset_of!(BacklogItem, blocked_until) + 8),
        ("churn_key", offset_of!(BacklogItem, churn_key) + 8),
    ] {
        assert!(
            end <= 64,
            "{name} ends at byte {end}, past the first cache line"
        );
    }
}

/// Unplanned work made directly is the item `new` makes and `make_unplanned` turns into
/// unplanned work, field by field, but for the perception of a value it no longer has (its
/// normal scores and the value skill it was perceived for): with noisy and exact estimates,
/// Fibonacci rounding or not, and every urgency.
#[test]
fn unplanned_work_is_a_new_item_made_unplanned() {
    use crate::scenario::Scenario;
    let mut smooth = Scenario::default();
    smooth.backlog.fibonacci = false;
    let models = [
        Model::new(&Scenario::default()),
        Model::oracle(&Scenario::default()),
        Model::new(&smooth),
    ];
    assert!(models[1].exact_estimates && !models[0].exact_estimates);
    let keys = RunKeys::new(8, 1);
    let mut urgencies = [0u32; 4];
    for model in &models {
        for n in 0..300u64 {
            let id = INTERNAL_ID | (3 << 32) | n;
            let mut old = BacklogItem::new(id, 7, model, &keys);
            old.make_unplanned();
            let mut new = BacklogItem::unplanned(id, 7, model, &keys);
            assert!(new.perceived_for == NOT_PERCEIVED && new.z_value == 0.0);
            (new.z_value, new.z_belief, new.z_pm_belief) =
                (old.z_value, old.z_belief, old.z_pm_belief);
            new.perceived_for = old.perceived_for;
            assert_eq!(format!("{new:?}"), format!("{old:?}"), "item {n}");
            urgencies[match new.urgency {
                Urgency::Standard => 0,
                Urgency::Decaying => 1,
                Urgency::ShortWindow => 2,
                Urgency::FixedDate { .. } => 3,
            }] += 1;
        }
    }
    assert!(urgencies.iter().all(|&k| k > 0), "{urgencies:?}");
}

/// A world item's noisy estimate is its size over e^(ln bias + σ(a)·z), σ(a) = σ + σ_a · a,
/// z its estimate draw, with ln bias computed once per model: the same bits as the formula
/// computed item by item (a bias other than 1 and no rounding, so each bit shows).
#[test]
fn the_noisy_estimate_uses_the_model_s_log_bias() {
    let mut s = crate::scenario::Scenario::default();
    s.backlog.estimate_bias = 1.3;
    s.backlog.fibonacci = false;
    let model = Model::new(&s);
    assert_eq!(model.ln_estimate_bias.to_bits(), 1.3f64.ln().to_bits());
    let keys = RunKeys::new(2, 5);
    let b = &s.backlog;
    for id in 0..100 {
        let item = BacklogItem::world(id, 0, &model, &keys);
        let key = keys.subject_key(Source::ItemAttributes, id);
        let z = keyed_from(key, Attr::Estimate as u64).normal();
        let sigma = b.estimate_sigma + b.estimate_sigma_per_ambiguity * item.ambiguity;
        let expect = item.size / (b.estimate_bias.ln() + sigma * z).exp();
        assert_eq!(item.noisy_estimate.to_bits(), expect.to_bits(), "item {id}");
    }
}
