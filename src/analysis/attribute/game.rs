//! The games of an attribution, run by run: every variant's value in a run makes a game
//! over the players, whose exact Shapley values are averaged over the runs.

use super::{MetricAttribution, Share};
use crate::aggregate::{censored_fill, comparable_value};
use crate::scenario::Scenario;
use crate::stats::shapley::{shapley_into, weights};
use crate::stats::Moments;

/// Per-run Shapley values of each player for each metric, from every variant's value in
/// every run (`values[variant][k][run]`, as [`crate::analysis::evaluate`] keeps them).
pub fn attribute_runs(
    variants: &[Scenario],
    n_players: usize,
    metrics: &[usize],
    values: &[Vec<Vec<f64>>],
) -> Vec<MetricAttribution> {
    assert_eq!(variants.len(), 1 << n_players);
    let fills = fills(variants);
    let runs = values.first().and_then(|v| v.first()).map_or(0, Vec::len);
    let full = variants.len() - 1;
    shapley_by_run(n_players, metrics, runs, false, |k, m, r, v| {
        for ((x, fill), vs) in v.iter_mut().zip(&fills).zip(values) {
            *x = comparable_value(fill, m, vs[k][r]);
        }
        (v[0], v[full])
    })
}

/// The mechanism game: variant 2S is the baseline and 2S + 1 the scenario with the
/// mechanisms of subset S on, and v(S) is the run's paired difference scenario − baseline.
/// The first share is the `direct` part v(∅), then each player's Shapley value; together
/// they add up to v(all), the run's paired difference with every mechanism on.
pub fn attribute_mechanism_runs(
    variants: &[Scenario],
    n_players: usize,
    metrics: &[usize],
    values: &[Vec<Vec<f64>>],
) -> Vec<MetricAttribution> {
    assert_eq!(variants.len(), 2 << n_players);
    let fills = fills(variants);
    let runs = values.first().and_then(|v| v.first()).map_or(0, Vec::len);
    let full = (1 << n_players) - 1;
    shapley_by_run(n_players, metrics, runs, true, |k, m, r, v| {
        for (s, x) in v.iter_mut().enumerate() {
            let (b, c) = (2 * s, 2 * s + 1);
            *x = comparable_value(&fills[c], m, values[c][k][r])
                - comparable_value(&fills[b], m, values[b][k][r]);
        }
        (
            comparable_value(&fills[2 * full], m, values[2 * full][k][r]),
            comparable_value(&fills[2 * full + 1], m, values[2 * full + 1][k][r]),
        )
    })
}

fn fills(variants: &[Scenario]) -> Vec<[f64; 2]> {
    variants
        .iter()
        .map(|s| {
            censored_fill(
                s.simulation.sprints as usize,
                s.release.planned_sprint.unwrap_or(0) as f64,
            )
        })
        .collect()
}

/// Run by run, `game(k, m, r, v)` fills the game's value of every subset for metric `m`
/// (the k-th) in run `r`, and gives the baseline's and the scenario's values; the Shapley
/// values of the run's game are averaged over runs. With `direct`, v(∅) comes first as its
/// own share and the total is v(all); else the total is v(all) − v(∅).
fn shapley_by_run(
    n_players: usize,
    metrics: &[usize],
    runs: usize,
    direct: bool,
    game: impl Fn(usize, usize, usize, &mut [f64]) -> (f64, f64),
) -> Vec<MetricAttribution> {
    let w = weights(n_players);
    let full = (1 << n_players) - 1;
    let mut v = vec![0.0; 1 << n_players];
    let mut phi = vec![0.0; n_players];
    let shares = n_players + usize::from(direct);
    metrics
        .iter()
        .enumerate()
        .map(|(k, &m)| {
            let mut per_share = vec![Moments::default(); shares];
            let (mut total, mut base, mut scen) =
                (Moments::default(), Moments::default(), Moments::default());
            for r in 0..runs {
                let (b, c) = game(k, m, r, &mut v);
                if v.iter().any(|x| x.is_nan()) {
                    continue; // A run without a value in some variant is left out.
                }
                shapley_into(&v, n_players, &w, &mut phi);
                let mut acc = per_share.iter_mut();
                if direct {
                    acc.next().expect("a direct share").add(v[0]);
                }
                for (a, p) in acc.zip(&phi) {
                    a.add(*p);
                }
                total.add(if direct { v[full] } else { v[full] - v[0] });
                base.add(b);
                scen.add(c);
            }
            MetricAttribution {
                metric: m,
                baseline_mean: base.mean(),
                scenario_mean: scen.mean(),
                contributions: per_share.iter().map(Share::of).collect(),
                total: Share::of(&total),
                n: total.n,
            }
        })
        .collect()
}
