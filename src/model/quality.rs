//! Quality at finish: defects Poisson(defects_per_point · S · (1 + ambiguity_factor · a) ·
//! (1 + pressure_factor · pressure)), each found in sprint (fixed at once), later (bug work
//! next sprint) or escaped to production (bug work when reported); each fix may breed a new
//! defect; and a wrong build with probability wrong_build_base + wrong_build_ambiguity · a · (1 − f).

use crate::random::{poisson_from_unit, RunKeys, Source};
use crate::scenario::Quality;

/// Where the defects of one finished item went.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DefectOutcome {
    pub in_sprint: u32,
    pub later: u32,
    pub escaped: u32,
}

impl DefectOutcome {
    pub fn total(&self) -> u32 {
        self.in_sprint + self.later + self.escaped
    }
}

/// Most defects simulated per item (a Poisson tail beyond this is cut).
const MAX_DEFECTS: u32 = 64;

/// The defects of an item of true size `size` and ambiguity `a` finished under `pressure`.
pub fn defects_at_finish(
    id: u64,
    size: f64,
    ambiguity: f64,
    pressure: f64,
    q: &Quality,
    keys: &RunKeys,
) -> DefectOutcome {
    let mean = q.defects_per_point
        * size
        * (1.0 + q.ambiguity_factor * ambiguity)
        * (1.0 + q.pressure_factor * pressure);
    let mut out = DefectOutcome::default();
    if mean <= 0.0 {
        return out;
    }
    let mut r = keys.keyed(Source::Defects, id, 0);
    let mut pending = poisson_from_unit(r.unit(), mean).min(MAX_DEFECTS);
    let mut guard = 0;
    while pending > 0 && guard < 4 * MAX_DEFECTS {
        pending -= 1;
        guard += 1;
        let u = r.unit();
        if u < q.found_in_sprint {
            out.in_sprint += 1;
            // A fix made in the sprint may itself breed a defect.
            pending += (r.unit() < q.bad_fix_probability) as u32;
        } else {
            // Found later or escaped: counted without a branch (the draw decides, as good
            // as random to a predictor).
            let later = (u < q.found_in_sprint + q.found_later) as u32;
            out.later += later;
            out.escaped += 1 - later;
        }
    }
    out
}

/// Whether the item was built wrong (the wrong thing, through ambiguity and lost intent).
pub fn wrong_build(id: u64, ambiguity: f64, fidelity: f64, q: &Quality, keys: &RunKeys) -> bool {
    let p = q.wrong_build_base + q.wrong_build_ambiguity * ambiguity * (1.0 - fidelity);
    p > 0.0 && keys.unit(Source::Defects, id, 1) < p
}

/// Whether fixing bug `id` bred a new defect.
pub fn bad_fix(id: u64, q: &Quality, keys: &RunKeys) -> bool {
    q.bad_fix_probability > 0.0 && keys.unit(Source::Defects, id, 2) < q.bad_fix_probability
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_defects_when_rate_is_zero() {
        let q = Quality {
            defects_per_point: 0.0,
            ..Quality::default()
        };
        assert_eq!(
            defects_at_finish(1, 5.0, 0.5, 0.0, &q, &RunKeys::new(1, 1)).total(),
            0
        );
    }

    /// Each defect goes where its draw sends it: the counts are those of the plain walk
    /// through the item's stream (a uniform per defect: in sprint, later or escaped; a fix
    /// made in sprint draws once more for a new defect), over shares and bad-fix odds.
    #[test]
    fn each_defect_goes_where_its_draw_sends_it() {
        let plain = |id: u64, mean: f64, q: &Quality, keys: &RunKeys| {
            let mut r = keys.keyed(Source::Defects, id, 0);
            let mut pending = poisson_from_unit(r.unit(), mean).min(MAX_DEFECTS);
            let (mut out, mut guard) = (DefectOutcome::default(), 0);
            while pending > 0 && guard < 4 * MAX_DEFECTS {
                (pending, guard) = (pending - 1, guard + 1);
                let u = r.unit();
                if u < q.found_in_sprint {
                    out.in_sprint += 1;
                    if r.unit() < q.bad_fix_probability {
                        pending += 1;
                    }
                } else if u < q.found_in_sprint + q.found_later {
                    out.later += 1;
                } else {
                    out.escaped += 1;
                }
            }
            out
        };
        let keys = RunKeys::new(8, 0);
        let mut seen = DefectOutcome::default();
        for (k, &(found_in_sprint, found_later, bad_fix_probability)) in [
            (0.5, 0.3, 0.2),
            (0.1, 0.6, 0.0),
            (0.0, 0.5, 0.5),
            (0.7, 0.0, 0.9),
        ]
        .iter()
        .enumerate()
        {
            let q = Quality {
                defects_per_point: 0.5,
                found_in_sprint,
                found_later,
                bad_fix_probability,
                ..Quality::default()
            };
            for id in 0..500u64 {
                let size = 1.0 + (id % 13) as f64;
                let d = defects_at_finish(id + 1000 * k as u64, size, 0.0, 0.0, &q, &keys);
                let want = plain(id + 1000 * k as u64, 0.5 * size, &q, &keys);
                assert_eq!(
                    d, want,
                    "item {id}, shares {found_in_sprint}, {found_later}"
                );
                seen.in_sprint += d.in_sprint;
                seen.later += d.later;
                seen.escaped += d.escaped;
            }
        }
        assert!(
            seen.in_sprint > 100 && seen.later > 100 && seen.escaped > 100,
            "{seen:?}"
        );
    }

    #[test]
    fn defect_mean_matches_the_formula() {
        let q = Quality {
            bad_fix_probability: 0.0,
            ..Quality::default()
        };
        let keys = RunKeys::new(5, 0);
        let n = 20_000;
        let total: u32 = (0..n)
            .map(|i| defects_at_finish(i, 4.0, 0.5, 0.0, &q, &keys).total())
            .sum();
        let mean = total as f64 / n as f64;
        // Expected 0.25 · 4 · 2 = 2; SE = sqrt(2 / n) = 0.01.
        assert!((mean - 2.0).abs() < 4.5 * 0.01, "{mean}");
    }
}
