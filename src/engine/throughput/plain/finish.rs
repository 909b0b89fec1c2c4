//! The plain lane's record from its rows and sprints: the velocities' variation and the
//! items' finish hours.

use super::*;

/// `metrics::velocity_cv` of the rows' velocities, whose sum (in order) is `sum`.
#[inline(always)]
pub(super) fn velocity_cv(rows: &[impl PlainRow], sum: f64) -> f64 {
    let n = rows.len() as f64;
    let mean = sum / n;
    if n > 1.0 && mean > 0.0 {
        let var = rows
            .iter()
            .map(|r| (r.velocity() - mean).powi(2))
            .sum::<f64>()
            / (n - 1.0);
        var.sqrt() / mean
    } else {
        f64::NAN
    }
}

/// The finish hours of a run's items (for its lead times).
pub(super) struct Finish<'a> {
    /// The items left by each sprint's end (after the scope, `items`) up to the sprint of
    /// the last item done, and the capacity value drawn.
    pub(super) left_by: &'a [i64],
    pub(super) items: i64,
    pub(super) picks: &'a [u32],
    pub(super) draws: &'a [PlainDraw],
    pub(super) hours: f64,
}

impl Finish<'_> {
    /// The `LEAD_QUANTILES` of the lead times (in days) of the first n items:
    /// [`lead_quantiles`] (`stats::quantile_by` of them), the same arithmetic without its
    /// closures. The (up to) four items the quantiles take are found side by side, with no
    /// branch on the data, and their hours taken from the table.
    #[inline(always)]
    pub(super) fn leads(&self, n: i64, table: &FinishTable) -> [f64; 2] {
        if n == 0 {
            return [f64::NAN; 2];
        }
        // (No closures: in the lane compiled for AVX2 they are not inlined.)
        let (q0, q1) = (at(n, LEAD_QUANTILES[0]), at(n, LEAD_QUANTILES[1]));
        // Each quantile's item lo and the next (lo itself when lo is the last: not used).
        let items = [q0.0, (q0.0 + 1).min(n - 1), q1.0, (q1.0 + 1).min(n - 1)];
        let pasts = [
            self.items - items[0],
            self.items - items[1],
            self.items - items[2],
            self.items - items[3],
        ];
        let [s0, s1, s2, s3] = sprints_of(self.left_by, pasts);
        let per_day = table.per_day;
        let a = per_day.days(self.hour(s0, items[0], table));
        let b = per_day.days(self.hour(s1, items[1], table));
        let c = per_day.days(self.hour(s2, items[2], table));
        let d = per_day.days(self.hour(s3, items[3], table));
        [between(a, b, q0, n), between(c, d, q1, n)]
    }

    /// The hour item j finished, in sprint s: the k-th of the sprint (k = j − done by its
    /// start) at hour base + t_k + step (t_0 = 0, t_(i+1) = t_i + step), as
    /// `FinishRun::hour` sums it (from the table, or summed here without one).
    #[inline(always)]
    pub(super) fn hour(&self, s: usize, j: i64, table: &FinishTable) -> f64 {
        let k = j - (self.items - self.left_by[s]);
        let pick = self.picks[s] as usize;
        let step = self.draws[pick].fresh;
        let t = match table.at.get(pick) {
            Some(&at) => table.sums[at as usize + k as usize],
            None => {
                let mut t = 0.0;
                for _ in 0..k {
                    t += step;
                }
                t
            }
        };
        s as f64 * self.hours + t + step
    }
}

/// Where the p-quantile of n values lies, as `stats::quantile_by` places it: between the
/// values lo and lo + 1, at frac.
#[inline(always)]
fn at(n: i64, p: f64) -> (i64, f64) {
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h as i64; // h ≥ 0: truncation is the floor
    (lo, h - lo as f64)
}

/// The p-quantile's interpolation, as `stats::quantile_by` interpolates: between a (item
/// lo's value) and b (item lo + 1's) by frac, a alone when frac is 0 or lo the last item.
#[inline(always)]
fn between(a: f64, b: f64, (lo, frac): (i64, f64), n: i64) -> f64 {
    if frac == 0.0 || lo + 1 >= n {
        return a;
    }
    if a == f64::INFINITY || b == f64::INFINITY {
        return f64::INFINITY;
    }
    a + frac * (b - a)
}

/// The sprint each item finished in, for the items left when it finished (`pasts`: the
/// scope less the item's index j): the last sprint s whose start left at least that many
/// (its end then saw more than j done). `left_by` does not increase and starts with the
/// scope; each item must be below the items done by its last entry. Binary searches run
/// side by side, with no branch on the data: the same steps for every item, so their
/// loads overlap.
#[inline(always)]
pub(super) fn sprints_of<const K: usize>(left_by: &[i64], pasts: [i64; K]) -> [usize; K] {
    // Each s has left_by[s] ≥ past, and the sprint sought is within [s, s + len).
    let mut s = [0usize; K];
    let mut len = left_by.len();
    while len > 1 {
        let half = len / 2;
        for (s, &past) in s.iter_mut().zip(&pasts) {
            // (A select the compiler keeps as a conditional move, not a branch.)
            *s = std::hint::select_unpredictable(left_by[*s + half] >= past, *s + half, *s);
        }
        len -= half;
    }
    s
}

/// What the finish hours of a model's runs take, computed once ([`Plain::of`]): per
/// capacity value the sums t_k of [`Finish::hour`], and the hours of a day.
#[derive(Debug, Clone)]
pub(super) struct FinishTable {
    /// Per capacity value, where its sums start in `sums`; empty when they would exceed
    /// [`FINISH_SUMS`] entries (then summed run by run).
    at: Box<[u32]>,
    /// Per capacity value, t_0 = 0, t_(i+1) = t_i + step (its hours per item), summed in
    /// order, for k below the most items a sprint at that value finishes.
    sums: Box<[f64]>,
    per_day: PerDay,
}

/// Most entries of a [`FinishTable`]'s sums.
pub(super) const FINISH_SUMS: usize = 16_384;

impl FinishTable {
    /// The table for the capacity values `draws` and a scope of `items`, with days of
    /// `hours_per_day` hours.
    pub(super) fn of(draws: &[PlainDraw], items: i64, hours_per_day: f64) -> FinishTable {
        // A sprint finishes at most its value's items, and never more than the scope.
        let counts = draws.iter().map(|d| d.items.min(items).max(0) as usize);
        let total = counts.clone().try_fold(0usize, |sum, c| {
            let sum = sum.checked_add(c)?;
            (sum <= FINISH_SUMS).then_some(sum)
        });
        let (mut at, mut sums) = (Vec::new(), Vec::new());
        if total.is_some() {
            for (d, count) in draws.iter().zip(counts) {
                at.push(sums.len() as u32);
                let mut t = 0.0;
                for _ in 0..count {
                    sums.push(t);
                    t += d.fresh;
                }
            }
        }
        FinishTable {
            at: at.into_boxed_slice(),
            sums: sums.into_boxed_slice(),
            per_day: PerDay::of(hours_per_day),
        }
    }

    /// Whether the sums are in the table (for tests).
    #[cfg(test)]
    pub(super) fn has_sums(&self) -> bool {
        !self.at.is_empty()
    }

    /// Whether the hours of a day are divided by multiplying (for tests).
    #[cfg(test)]
    pub(super) fn multiplies(&self) -> bool {
        matches!(self.per_day, PerDay::Times(_))
    }
}

/// Hours to days: a division by the hours of a day, or, when they are a power of two, a
/// product by its inverse: the inverse is then exact (2⁻ᵉ, a normal or subnormal number
/// for a normal 2ᵉ), and x × 2⁻ᵉ and x / 2ᵉ are the same real number rounded alike, so the
/// same bits, at a fraction of a division's cost.
#[derive(Debug, Clone, Copy)]
pub(super) enum PerDay {
    Times(f64),
    Over(f64),
}

impl PerDay {
    pub(super) fn of(hours_per_day: f64) -> PerDay {
        const FRACTION: u64 = (1 << 52) - 1;
        if hours_per_day.is_normal() && hours_per_day.to_bits() & FRACTION == 0 {
            PerDay::Times(1.0 / hours_per_day)
        } else {
            PerDay::Over(hours_per_day)
        }
    }

    #[inline(always)]
    pub(super) fn days(self, hours: f64) -> f64 {
        match self {
            PerDay::Times(inverse) => hours * inverse,
            PerDay::Over(per_day) => hours / per_day,
        }
    }
}
