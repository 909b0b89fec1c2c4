//! The market: `themes` strategic themes with true weights w_k(t), all 1 at t = 0.
//! Each sprint log w_k += N(0, drift_sigma); shocks arrive Poisson(shock_rate) per sprint and
//! multiply one random theme's weight by LogNormal(0, shock_sigma).

use crate::scenario::Market;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, Poisson};

/// Fill `weights` (row-major: sprint × theme) for sprints 0..len.
/// Shocks are appended to `shocks` as (sprint, theme, factor).
pub fn generate(
    params: &Market,
    len: usize,
    rng: &mut ChaCha8Rng,
    weights: &mut Vec<f64>,
    shocks_out: &mut Vec<(u32, u16, f64)>,
) {
    shocks_out.clear();
    let k = params.themes as usize;
    weights.clear();
    weights.resize(len * k, 1.0);
    let drift = Normal::new(0.0, params.drift_sigma).expect("validated");
    let shocks =
        (params.shock_rate > 0.0).then(|| Poisson::new(params.shock_rate).expect("validated"));
    for t in 1..len {
        let (prev, cur) = weights.split_at_mut(t * k);
        let prev = &prev[(t - 1) * k..];
        for j in 0..k {
            let step = if params.drift_sigma > 0.0 {
                drift.sample(rng)
            } else {
                0.0
            };
            cur[j] = prev[j] * step.exp();
        }
        if let Some(p) = &shocks {
            let n = p.sample(rng) as u32;
            for _ in 0..n {
                let theme = rng.random_range(0..k);
                let z: f64 = rng.sample(rand_distr::StandardNormal);
                let factor = (params.shock_sigma * z).exp();
                cur[theme] *= factor;
                shocks_out.push((t as u32, theme as u16, factor));
            }
        }
    }
}

/// The rank (0 = highest weight) of each theme in `weights`; ties broken by theme index.
pub fn ranks(weights: &[f64], out: &mut [u8]) {
    let k = weights.len();
    let out = &mut out[..k];
    out.fill(0);
    // Each pair once, without branches (which weights stand above is as good as random to a
    // predictor): of i < j, j stands above i when its weight is higher, i above j when its
    // weight is as high (the lower index wins a tie). Counts wrap as `u8` ranks would.
    for i in 0..k {
        let wi = weights[i];
        for j in i + 1..k {
            let wj = weights[j];
            out[i] = out[i].wrapping_add((wj > wi) as u8);
            out[j] = out[j].wrapping_add((wi >= wj) as u8);
        }
    }
}

/// Normalised Kendall distance between two rankings (share of discordant pairs).
pub fn rank_distance(a: &[u8], b: &[u8]) -> f64 {
    let k = a.len();
    if k < 2 {
        return 0.0;
    }
    let mut discordant = 0;
    for i in 0..k {
        for j in i + 1..k {
            discordant += ((a[i] < a[j]) != (b[i] < b[j])) as usize;
        }
    }
    discordant as f64 / (k * (k - 1) / 2) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn no_drift_no_shock_keeps_weights_at_one() {
        let m = Market {
            themes: 3,
            drift_sigma: 0.0,
            shock_rate: 0.0,
            shock_sigma: 1.0,
        };
        let mut w = Vec::new();
        generate(
            &m,
            10,
            &mut ChaCha8Rng::seed_from_u64(1),
            &mut w,
            &mut Vec::new(),
        );
        assert!(w.iter().all(|&x| x == 1.0));
    }

    /// Each pair compared once gives the ranks of comparing every weight with every other
    /// (ties to the lower index), ties and NaN included.
    #[test]
    fn ranks_by_pairs_are_the_ranks_by_counting() {
        let counted = |w: &[f64]| -> Vec<u8> {
            (0..w.len())
                .map(|i| {
                    (0..w.len())
                        .filter(|&j| (w[j] > w[i]) | ((w[j] == w[i]) & (j < i)))
                        .count() as u8
                })
                .collect()
        };
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for k in [0usize, 1, 2, 3, 6, 9, 40] {
            for round in 0..50 {
                let w: Vec<f64> = (0..k)
                    .map(|_| match rng.random_range(0..8) {
                        // Ties, and a NaN now and then.
                        0 => 1.0,
                        1 if round % 5 == 0 => f64::NAN,
                        _ => rng.random_range(0.0..2.0),
                    })
                    .collect();
                let mut r = vec![99u8; k];
                ranks(&w, &mut r);
                assert_eq!(r, counted(&w), "{w:?}");
            }
        }
    }

    #[test]
    fn ranks_and_distance() {
        let mut r = [0u8; 3];
        ranks(&[0.5, 2.0, 1.0], &mut r);
        assert_eq!(r, [2, 0, 1]);
        assert_eq!(rank_distance(&[0, 1, 2], &[0, 1, 2]), 0.0);
        assert_eq!(rank_distance(&[0, 1, 2], &[2, 1, 0]), 1.0);
    }
}
