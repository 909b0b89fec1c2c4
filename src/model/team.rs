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

/// Debt after delivering feature and enabler points (floor 0).
#[inline]
pub fn debt_after(debt: f64, feature_points: f64, enabler_points: f64, team: &Team) -> f64 {
    (debt + team.debt_per_feature_point * feature_points
        - team.debt_paid_per_enabler_point * enabler_points)
        .max(0.0)
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
        assert_eq!(debt_after(1.0, 0.0, 5.0, &t), 0.0);
    }
}
