//! Inline probability distributions of scenario files, e.g. `{ dist = "gamma", mean = 30, cv = 0.15 }`.

use rand::Rng;
use rand::RngExt;
use rand_distr::{Beta, Distribution, Gamma, LogNormal, Normal, Poisson};
use serde::{Deserialize, Serialize};

/// Most values an empirical distribution may list.
pub const MAX_EMPIRICAL: usize = 100_000;

/// A distribution as written in a scenario file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "lowercase", deny_unknown_fields)]
pub enum Dist {
    Constant { value: f64 },
    Normal { mean: f64, sd: f64 },
    Gamma { mean: f64, cv: f64 },
    Lognormal { median: f64, sigma: f64 },
    Poisson { mean: f64 },
    Beta { a: f64, b: f64 },
    Uniform { min: f64, max: f64 },
    Empirical { values: Vec<f64> },
}

impl Dist {
    pub fn constant(value: f64) -> Self {
        Dist::Constant { value }
    }

    /// Problems with the parameters, as (parameter, message) pairs.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let out_ref = &mut out;
        let finite = |out: &mut Vec<(&'static str, String)>, name: &'static str, v: f64| {
            match crate::scenario::validate::magnitude_problem(v) {
                Some(msg) => {
                    out.push((name, msg));
                    false
                }
                None => true,
            }
        };
        let out = out_ref;
        match self {
            Dist::Constant { value } => {
                finite(out, "value", *value);
            }
            Dist::Normal { mean, sd } => {
                if finite(out, "mean", *mean) && finite(out, "sd", *sd) && *sd < 0.0 {
                    out.push(("sd", format!("must be ≥ 0, got {sd}")));
                }
            }
            Dist::Gamma { mean, cv } => {
                if finite(out, "mean", *mean) && *mean < 0.0 {
                    out.push(("mean", format!("must be ≥ 0, got {mean}")));
                }
                if finite(out, "cv", *cv) && *cv < 0.0 {
                    out.push(("cv", format!("must be ≥ 0, got {cv}")));
                }
            }
            Dist::Lognormal { median, sigma } => {
                if finite(out, "median", *median) && *median <= 0.0 {
                    out.push(("median", format!("must be > 0, got {median}")));
                }
                if finite(out, "sigma", *sigma) && *sigma < 0.0 {
                    out.push(("sigma", format!("must be ≥ 0, got {sigma}")));
                }
            }
            Dist::Poisson { mean } => {
                if finite(out, "mean", *mean) && !(0.0..=1e6).contains(mean) {
                    out.push(("mean", format!("must be in [0, 1e6], got {mean}")));
                }
            }
            Dist::Beta { a, b } => {
                if finite(out, "a", *a) && *a <= 0.0 {
                    out.push(("a", format!("must be > 0, got {a}")));
                }
                if finite(out, "b", *b) && *b <= 0.0 {
                    out.push(("b", format!("must be > 0, got {b}")));
                }
            }
            Dist::Uniform { min, max } => {
                if finite(out, "min", *min) && finite(out, "max", *max) && min > max {
                    out.push(("max", format!("must be ≥ min ({min}), got {max}")));
                }
            }
            Dist::Empirical { values } => {
                if values.is_empty() {
                    out.push(("values", "must hold at least one value".to_string()));
                } else if values.len() > MAX_EMPIRICAL {
                    out.push((
                        "values",
                        format!("holds {} values; at most {MAX_EMPIRICAL}", values.len()),
                    ));
                } else if let Some(msg) = values
                    .iter()
                    .find_map(|v| crate::scenario::validate::magnitude_problem(*v))
                {
                    out.push(("values", msg));
                } else if values.iter().all(|v| *v == 0.0) {
                    out.push((
                        "values",
                        "are all zero (a history of zeros is not data; for a constant zero write { dist = \"constant\", value = 0 })".to_string(),
                    ));
                }
            }
        }
        if out.is_empty() {
            // Parameters that pass one by one can still be refused by the sampler (a gamma
            // whose shape or scale underflows): report it here rather than panic later.
            if let Err(e) = self.try_sampler() {
                let param = match self {
                    Dist::Gamma { .. } => "cv",
                    Dist::Lognormal { .. } => "sigma",
                    Dist::Normal { .. } => "sd",
                    _ => "dist",
                };
                out.push((
                    param,
                    format!("cannot be sampled with these parameters ({e})"),
                ));
            }
        }
        std::mem::take(out)
    }

    /// The smallest value the distribution can produce (for range checks).
    pub fn min_value(&self) -> f64 {
        match self {
            Dist::Constant { value } => *value,
            Dist::Normal { sd, mean } if *sd == 0.0 => *mean,
            Dist::Normal { .. } => f64::NEG_INFINITY,
            Dist::Gamma { .. } | Dist::Poisson { .. } | Dist::Beta { .. } => 0.0,
            Dist::Lognormal { .. } => 0.0,
            Dist::Uniform { min, .. } => *min,
            Dist::Empirical { values } => values.iter().cloned().fold(f64::INFINITY, f64::min),
        }
    }

    pub fn max_value(&self) -> f64 {
        match self {
            Dist::Constant { value } => *value,
            Dist::Normal { sd, mean } if *sd == 0.0 => *mean,
            Dist::Beta { .. } => 1.0,
            Dist::Uniform { max, .. } => *max,
            Dist::Gamma { mean, cv } if *cv == 0.0 => *mean,
            Dist::Lognormal { median, sigma } if *sigma == 0.0 => *median,
            Dist::Empirical { values } => values.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
            _ => f64::INFINITY,
        }
    }

    /// The mean of the distribution (for planning before any velocity is observed).
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Constant { value } => *value,
            Dist::Normal { mean, .. } | Dist::Gamma { mean, .. } | Dist::Poisson { mean } => *mean,
            Dist::Lognormal { median, sigma } => median * (sigma * sigma / 2.0).exp(),
            Dist::Beta { a, b } => a / (a + b),
            Dist::Uniform { min, max } => (min + max) / 2.0,
            Dist::Empirical { values } => values.iter().sum::<f64>() / values.len() as f64,
        }
    }

    /// Build the sampler. Call only after [`Dist::problems`] came back empty.
    pub fn sampler(&self) -> Sampler {
        self.try_sampler().expect("validated")
    }

    /// Build the sampler, or say why the parameters cannot be sampled.
    pub fn try_sampler(&self) -> Result<Sampler, String> {
        let e = |e: &dyn std::fmt::Display| e.to_string();
        Ok(match self {
            Dist::Constant { value } => Sampler::Constant(*value),
            Dist::Normal { mean, sd } if *sd == 0.0 => Sampler::Constant(*mean),
            Dist::Normal { mean, sd } => {
                Sampler::Normal(Normal::new(*mean, *sd).map_err(|x| e(&x))?)
            }
            Dist::Gamma { mean, cv } if *cv == 0.0 || *mean == 0.0 => Sampler::Constant(*mean),
            Dist::Gamma { mean, cv } => {
                let shape = 1.0 / (cv * cv);
                Sampler::Gamma(Gamma::new(shape, mean / shape).map_err(|x| e(&x))?)
            }
            Dist::Lognormal { median, sigma } => Sampler::LogNormal(
                LogNormal::new(median.ln(), *sigma).map_err(|x| e(&x))?,
                median.ln(),
                *sigma,
            ),
            Dist::Poisson { mean } if *mean == 0.0 => Sampler::Constant(0.0),
            Dist::Poisson { mean } => {
                Sampler::Poisson(Poisson::new(*mean).map_err(|x| e(&x))?, *mean)
            }
            Dist::Beta { a, b } => Sampler::Beta(
                Beta::new(*a, *b).map_err(|x| e(&x))?,
                crate::stats::special::BetaQuantile::new(*a, *b),
            ),
            Dist::Uniform { min, max } => Sampler::Uniform(*min, *max - *min),
            Dist::Empirical { values } if values.len() == 1 => Sampler::Constant(values[0]),
            Dist::Empirical { values } => Sampler::Empirical(values.clone().into_boxed_slice()),
        })
    }
}

/// A ready-to-draw distribution; building it once keeps allocation out of the hot loop.
#[derive(Debug, Clone)]
pub enum Sampler {
    Constant(f64),
    Normal(Normal<f64>),
    Gamma(Gamma<f64>),
    /// The distribution, μ and σ of the log.
    LogNormal(LogNormal<f64>, f64, f64),
    /// The distribution and its mean.
    Poisson(Poisson<f64>, f64),
    /// The distribution and its quantile function (set up once).
    Beta(Beta<f64>, crate::stats::special::BetaQuantile),
    /// min, width
    Uniform(f64, f64),
    Empirical(Box<[f64]>),
}

impl Sampler {
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Sampler::Constant(v) => *v,
            Sampler::Normal(d) => d.sample(rng),
            Sampler::Gamma(d) => d.sample(rng),
            Sampler::LogNormal(d, ..) => d.sample(rng),
            Sampler::Poisson(d, _) => d.sample(rng),
            Sampler::Beta(d, ..) => d.sample(rng),
            Sampler::Uniform(min, width) => min + width * rng.random::<f64>(),
            // One 32-bit draw (a scenario file holds far fewer than 2³² values).
            Sampler::Empirical(values) => values[rng.random_range(0..values.len() as u32) as usize],
        }
    }
}

impl Sampler {
    /// A draw by inversion of one uniform of `r` (the quantile function at it) for every
    /// distribution that has one in closed or numerical form: constant, uniform, normal,
    /// lognormal, beta, Poisson and empirical. Gamma is drawn by the sampler from `r` (its
    /// quantile function has no cheap form). By inversion, two distributions of the same
    /// shape (`beta(1, 1)` and `uniform(0, 1)`) give the same value from the same stream.
    #[inline]
    pub fn by_inversion(&self, r: &mut crate::random::Keyed) -> f64 {
        use crate::random::{inverse_normal, poisson_from_unit};
        match self {
            Sampler::Constant(v) => *v,
            Sampler::Uniform(min, width) => min + width * r.unit(),
            Sampler::Normal(d) => d.mean() + d.std_dev() * inverse_normal(open_unit(r)),
            Sampler::LogNormal(_, mu, sigma) => (mu + sigma * inverse_normal(open_unit(r))).exp(),
            Sampler::Beta(_, q) => q.at(r.unit()),
            Sampler::Poisson(_, mean) => poisson_from_unit(r.unit(), *mean) as f64,
            Sampler::Empirical(values) => {
                let n = values.len();
                values[((r.unit() * n as f64) as usize).min(n - 1)]
            }
            Sampler::Gamma(d) => d.sample(r),
        }
    }
}

/// A uniform in (0, 1), never 0 (the normal quantile of 0 is −∞).
#[inline]
fn open_unit(r: &mut crate::random::Keyed) -> f64 {
    let u = r.unit();
    if u > 0.0 {
        u
    } else {
        0.5f64.powi(54)
    }
}
