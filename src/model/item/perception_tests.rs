//! Value skill as rank agreement (the arcsine law).

use super::*;
use crate::scenario::Scenario;

fn kendall(a: &[f64], b: &[f64]) -> f64 {
    let (mut s, mut n) = (0i64, 0i64);
    for i in 0..a.len() {
        for j in i + 1..a.len() {
            let x = (a[i] - a[j]).signum() * (b[i] - b[j]).signum();
            if a[i] != a[j] && b[i] != b[j] {
                s += x as i64;
                n += 1;
            }
        }
    }
    s as f64 / n as f64
}

/// Value skill ρ is rank agreement: with every value positive (one lognormal class)
/// the perceived value agrees with the true one by Kendall τ = (2/π)·arcsin ρ within
/// sampling error; ρ = 1 sees the truth; without belief noise the order is kept.
#[test]
fn value_skill_is_rank_agreement_by_the_arcsine_law() {
    for (rho, belief_sigma) in [(0.0, 0.5), (0.35, 0.5), (0.8, 0.5), (1.0, 0.5), (0.35, 0.0)] {
        let mut s = Scenario::default();
        s.po.value_skill = rho;
        s.po.belief_sigma = belief_sigma;
        s.backlog.positive_value_share = 1.0;
        s.backlog.zero_value_share = 0.0;
        s.backlog.enabler_share = 0.0;
        let model = Model::new(&s);
        let keys = RunKeys::new(8, 1);
        let (mut truth, mut seen) = (Vec::new(), Vec::new());
        for id in 0..1000 {
            let item = BacklogItem::new(id, 0, &model, &keys);
            assert_eq!(item.kind, ItemKind::Feature);
            truth.push(item.value);
            seen.push(item.perceived);
        }
        if rho == 1.0 {
            assert_eq!(truth, seen);
            continue;
        }
        let tau = kendall(&truth, &seen);
        let expected = if belief_sigma == 0.0 {
            1.0
        } else {
            2.0 / std::f64::consts::PI * rho.asin()
        };
        assert!(
            (tau - expected).abs() < 0.06,
            "rho {rho}, belief sigma {belief_sigma}: tau {tau:.3}, expected {expected:.3}"
        );
    }
}
