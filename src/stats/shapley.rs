//! Exact Shapley values of a small game: n players (at most [`MAX_PLAYERS`]) and the value
//! v(S) of every coalition S, indexed by bit mask (player i is bit i). Player i's value is
//!
//! φᵢ = Σ_{S ⊆ N∖{i}} |S|! (n − |S| − 1)! / n! · (v(S ∪ {i}) − v(S)),
//!
//! the average of i's marginal contribution over every order in which the players join.
//! The values add up to v(N) − v(∅) (efficiency), a player that changes nothing gets 0, and
//! symmetric players get the same value [Shapley 1953].

/// Most players: 2⁸ = 256 coalitions.
pub const MAX_PLAYERS: usize = 8;

/// The weights |S|! (n − |S| − 1)! / n! for |S| = 0..n−1.
pub fn weights(n: usize) -> Vec<f64> {
    let fact = |k: usize| (1..=k).map(|x| x as f64).product::<f64>();
    (0..n)
        .map(|s| fact(s) * fact(n - s - 1) / fact(n))
        .collect()
}

/// Shapley values of the game with `n` players and coalition values `v` (`v.len() == 2ⁿ`),
/// written into `out[..n]`; `w` is [`weights`]`(n)`.
pub fn shapley_into(v: &[f64], n: usize, w: &[f64], out: &mut [f64]) {
    assert!(n <= MAX_PLAYERS && v.len() == 1 << n && w.len() == n && out.len() >= n);
    for (i, phi) in out[..n].iter_mut().enumerate() {
        let bit = 1usize << i;
        let mut sum = 0.0;
        for s in 0..v.len() {
            if s & bit == 0 {
                sum += w[s.count_ones() as usize] * (v[s | bit] - v[s]);
            }
        }
        *phi = sum;
    }
}

/// Shapley values of the game with `n` players and coalition values `v` (`v.len() == 2ⁿ`).
pub fn shapley(v: &[f64], n: usize) -> Vec<f64> {
    let mut out = vec![0.0; n];
    shapley_into(v, n, &weights(n), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_players_by_hand() {
        // v(∅) = 1, v({0}) = 4, v({1}) = 2, v({0,1}) = 10.
        // φ₀ = ½ (4 − 1) + ½ (10 − 2) = 5.5; φ₁ = ½ (2 − 1) + ½ (10 − 4) = 3.5.
        let phi = shapley(&[1.0, 4.0, 2.0, 10.0], 2);
        assert_eq!(phi, vec![5.5, 3.5]);
        assert_eq!(weights(2), vec![0.5, 0.5]);
    }

    #[test]
    fn three_player_weights_and_glove_game() {
        assert_eq!(weights(3), vec![1.0 / 3.0, 1.0 / 6.0, 1.0 / 3.0]);
        // Glove game: player 0 holds a left glove, players 1 and 2 a right one each; a pair
        // is worth 1. Known values: 2/3, 1/6, 1/6.
        let v: Vec<f64> = (0..8usize)
            .map(|s| f64::from(s & 1 == 1 && s & 0b110 != 0))
            .collect();
        let phi = shapley(&v, 3);
        for (a, b) in phi.iter().zip([2.0 / 3.0, 1.0 / 6.0, 1.0 / 6.0]) {
            assert!((a - b).abs() < 1e-15, "{phi:?}");
        }
    }

    #[test]
    fn efficiency_and_null_player() {
        // A pseudo-random game on 8 players where player 5 never matters.
        let n = 8;
        let mut x = 0x9e37_79b9_u64;
        let mut base = vec![0.0; 1 << n];
        for b in base.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = (x % 1000) as f64 / 7.0;
        }
        let v: Vec<f64> = (0..1usize << n).map(|s| base[s & !(1 << 5)]).collect();
        let phi = shapley(&v, n);
        let total: f64 = phi.iter().sum();
        assert!((total - (v[(1 << n) - 1] - v[0])).abs() < 1e-9);
        assert!(phi[5].abs() < 1e-12);
        assert!(phi.iter().any(|p| p.abs() > 1.0));
    }

    #[test]
    fn additive_game_gives_each_its_own_part() {
        let parts = [0.3, -1.2, 2.5];
        let v: Vec<f64> = (0..8usize)
            .map(|s| (0..3).filter(|i| s >> i & 1 == 1).map(|i| parts[i]).sum())
            .collect();
        for (a, b) in shapley(&v, 3).iter().zip(parts) {
            assert!((a - b).abs() < 1e-12);
        }
    }
}
