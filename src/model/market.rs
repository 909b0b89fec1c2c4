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
    // A few themes (the default is 6): the same pairs with the count known to the compiler,
    // which unrolls them, so no inner loop's end (at a length that changes from row to row)
    // goes to a predictor.
    match k {
        2 => ranks_of::<2>(weights, out),
        3 => ranks_of::<3>(weights, out),
        4 => ranks_of::<4>(weights, out),
        5 => ranks_of::<5>(weights, out),
        6 => ranks_of::<6>(weights, out),
        7 => ranks_of::<7>(weights, out),
        8 => ranks_of::<8>(weights, out),
        _ => ranks_by_pairs(weights, out),
    }
}

/// [`ranks`] for `N` themes, the count a constant.
#[inline(always)]
fn ranks_of<const N: usize>(weights: &[f64], out: &mut [u8]) {
    let w: &[f64; N] = weights.try_into().expect("N weights");
    let out: &mut [u8; N] = out.try_into().expect("N ranks");
    ranks_by_pairs(w, out);
}

#[inline(always)]
fn ranks_by_pairs(weights: &[f64], out: &mut [u8]) {
    let k = weights.len();
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
    // As in [`ranks`]: a few themes with their count a constant.
    let discordant = match k {
        2 => discordant_of::<2>(a, b),
        3 => discordant_of::<3>(a, b),
        4 => discordant_of::<4>(a, b),
        5 => discordant_of::<5>(a, b),
        6 => discordant_of::<6>(a, b),
        7 => discordant_of::<7>(a, b),
        8 => discordant_of::<8>(a, b),
        _ => discordant(a, b),
    };
    discordant as f64 / (k * (k - 1) / 2) as f64
}

/// [`discordant`] for `N` places, the count a constant.
#[inline(always)]
fn discordant_of<const N: usize>(a: &[u8], b: &[u8]) -> usize {
    let a: &[u8; N] = a.try_into().expect("N places");
    let b: &[u8; N] = b[..N].try_into().expect("N places");
    discordant(a, b)
}

/// The pairs of places the rankings `a` and `b` order differently.
#[inline(always)]
fn discordant(a: &[u8], b: &[u8]) -> usize {
    let k = a.len();
    let mut discordant = 0;
    for i in 0..k {
        for j in i + 1..k {
            discordant += ((a[i] < a[j]) != (b[i] < b[j])) as usize;
        }
    }
    discordant
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
        for k in [0usize, 1, 2, 3, 4, 5, 6, 7, 8, 9, 40] {
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

    /// The distance with the count a constant (2 to 8 places) is the plain count over the
    /// pairs, for rankings with ties and for any bytes, on both sides of 8.
    #[test]
    fn the_distance_is_the_plain_count_of_discordant_pairs() {
        let plain = |a: &[u8], b: &[u8]| {
            let k = a.len();
            let mut d = 0;
            for i in 0..k {
                for j in 0..k {
                    d += ((i < j) & ((a[i] < a[j]) != (b[i] < b[j]))) as usize;
                }
            }
            d as f64 / (k * k.saturating_sub(1) / 2).max(1) as f64
        };
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        for k in [0usize, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12] {
            for round in 0..200 {
                let top = if round % 2 == 0 { k as u8 + 1 } else { 255 };
                let mut draw = || {
                    (0..k)
                        .map(|_| rng.random_range(0..=top))
                        .collect::<Vec<u8>>()
                };
                let (a, b) = (draw(), draw());
                assert_eq!(rank_distance(&a, &b), plain(&a, &b), "{a:?} {b:?}");
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
