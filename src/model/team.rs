//! The team: capacity per sprint with tech-debt drag, commitment by yesterday's weather, and
//! how delivered work moves tech debt.

use crate::scenario::Team;

/// Work below this many points counts as finished (rounding of hours × rate).
pub const FINISH_EPS: f64 = 1e-9;

/// Capacity after drag: capacity × (1 − min(max_drag, drag_per_point · debt)).
#[inline]
pub fn effective_capacity(raw: f64, debt: f64, team: &Team) -> f64 {
    raw.max(0.0) * (1.0 - (team.debt_drag_per_point * debt).min(team.max_debt_drag))
}

/// commitment_factor × mean of the last `velocity_window` velocities (the mean capacity
/// before any velocity was observed).
pub fn commitment(velocities: &[f64], mean_capacity: f64, team: &Team) -> f64 {
    let w = team.velocity_window as usize;
    let recent = &velocities[velocities.len().saturating_sub(w)..];
    let basis = if recent.is_empty() {
        mean_capacity
    } else {
        recent.iter().sum::<f64>() / recent.len() as f64
    };
    team.commitment_factor * basis
}

/// Debt after a sprint that delivered feature and enabler points under `pressure`:
/// D' = D + a·F·(1 + k_p·pressure) − c·E·(D / D_ref), floor 0. Enablers pay in proportion to
/// the debt there is (with D_ref = 0: c per point), so D has a stable level
/// D* = D_ref · a·F·(1 + k_p·pressure) / (c·E) that rises when enablers are skipped.
#[inline]
pub fn debt_after(
    debt: f64,
    feature_points: f64,
    enabler_points: f64,
    pressure: f64,
    team: &Team,
) -> f64 {
    let accrued =
        team.debt_per_feature_point * feature_points * (1.0 + team.debt_pressure_factor * pressure);
    let per_point = if team.debt_reference > 0.0 {
        team.debt_paid_per_enabler_point * debt / team.debt_reference
    } else {
        team.debt_paid_per_enabler_point
    };
    (debt + accrued - per_point * enabler_points).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commitment_uses_the_last_window() {
        let t = Team::default();
        assert!((commitment(&[], 30.0, &t) - 27.0).abs() < 1e-12);
        assert!((commitment(&[10.0, 20.0, 30.0, 40.0], 30.0, &t) - 27.0).abs() < 1e-12);
        assert!((commitment(&[10.0], 30.0, &t) - 9.0).abs() < 1e-12);
    }

    #[test]
    fn debt_drag_is_capped() {
        let t = Team::default();
        assert!((effective_capacity(30.0, 0.0, &t) - 30.0).abs() < 1e-12);
        assert!((effective_capacity(30.0, 1e6, &t) - 18.0).abs() < 1e-12);
        let fixed = Team {
            debt_reference: 0.0,
            ..Team::default()
        };
        assert_eq!(debt_after(1.0, 0.0, 5.0, 0.0, &fixed), 0.0);
    }

    /// Signs of the debt mechanism: pressure and skipped enablers raise debt, enablers pay it
    /// in proportion to what there is, and the level a steady mix settles at is stable.
    #[test]
    fn debt_rises_with_pressure_and_skipped_enablers_and_settles() {
        let t = Team::default();
        let d = t.debt_reference;
        assert!(debt_after(d, 20.0, 5.0, 0.5, &t) > debt_after(d, 20.0, 5.0, 0.0, &t));
        assert!(debt_after(d, 22.0, 3.0, 0.0, &t) > debt_after(d, 20.0, 5.0, 0.0, &t));
        assert!(
            debt_after(2.0 * d, 20.0, 5.0, 0.0, &t) - 2.0 * d
                < debt_after(d, 20.0, 5.0, 0.0, &t) - d
        );
        // D* = D_ref · a·F / (c·E): a fixed point, approached from either side.
        let star = d * t.debt_per_feature_point * 20.0 / (t.debt_paid_per_enabler_point * 5.0);
        assert!((debt_after(star, 20.0, 5.0, 0.0, &t) - star).abs() < 1e-9);
        let (mut lo, mut hi) = (0.0, 4.0 * star);
        for _ in 0..200 {
            lo = debt_after(lo, 20.0, 5.0, 0.0, &t);
            hi = debt_after(hi, 20.0, 5.0, 0.0, &t);
        }
        assert!((lo - star).abs() < 1e-6 && (hi - star).abs() < 1e-6);
    }

    /// 13.6 by hand, every coefficient set here: a = 0.1, k_p = 1, c = 0.4, D_ref = 20.
    #[test]
    fn debt_after_by_hand() {
        let t = Team {
            debt_per_feature_point: 0.1,
            debt_pressure_factor: 1.0,
            debt_paid_per_enabler_point: 0.4,
            debt_reference: 20.0,
            ..Team::default()
        };
        // 20 + 0.1 · 20 · 1.5 − 0.4 · 5 · 20/20 = 20 + 3 − 2 = 21.
        assert!((debt_after(20.0, 20.0, 5.0, 0.5, &t) - 21.0).abs() < 1e-12);
        // At 40 the same enablers pay twice as much: 40 + 2 − 4 = 38.
        assert!((debt_after(40.0, 20.0, 5.0, 0.0, &t) - 38.0).abs() < 1e-12);
        // Floor 0.
        assert_eq!(debt_after(1.0, 0.0, 100.0, 0.0, &t), 0.0);
        // D_ref = 0: c per point, 10 + 1 − 0.4 · 5 = 9.
        let flat = Team {
            debt_reference: 0.0,
            ..t
        };
        assert!((debt_after(10.0, 10.0, 5.0, 0.0, &flat) - 9.0).abs() < 1e-12);
    }
}
