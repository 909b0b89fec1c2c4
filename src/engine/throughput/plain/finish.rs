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
    /// The items left by each sprint's end (after the scope, `items`), and the capacity
    /// value drawn.
    pub(super) left_by: &'a [i64],
    pub(super) items: i64,
    pub(super) picks: &'a [u32],
    pub(super) draws: &'a [PlainDraw],
    pub(super) hours: f64,
    /// The sprint of the last item asked for.
    pub(super) s: usize,
}

impl Finish<'_> {
    /// The p-quantile of the lead times (in days) of the first n items: [`lead_quantiles`]
    /// (`stats::quantile_by` of them), the same arithmetic without its closures.
    #[inline(always)]
    pub(super) fn lead(&mut self, n: i64, p: f64, per_day: f64) -> f64 {
        if n == 0 {
            return f64::NAN;
        }
        let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
        let lo = h as i64; // h ≥ 0: truncation is the floor
        let frac = h - lo as f64;
        let (s, t, step) = self.finish(lo);
        let a = self.hour(s, t, step) / per_day;
        if frac == 0.0 || lo + 1 >= n {
            return a;
        }
        // Item lo + 1: the next of the same sprint if it finished there (t_(k+1) = t_k +
        // step), else the first of a later one.
        let b = if self.left_by[s + 1] < self.items - (lo + 1) {
            self.hour(s, t + step, step)
        } else {
            let (s, t, step) = self.finish(lo + 1);
            self.hour(s, t, step)
        } / per_day;
        if a == f64::INFINITY || b == f64::INFINITY {
            return f64::INFINITY;
        }
        a + frac * (b - a)
    }

    /// The hour an item finished, the k-th of sprint s: base + t_k + step.
    #[inline(always)]
    fn hour(&self, s: usize, t: f64, step: f64) -> f64 {
        s as f64 * self.hours + t + step
    }

    /// When item j finished: (s, t_k, step) for [`Finish::hour`]. It finished in the first
    /// sprint s whose end saw more than j done (fewer than items − j left): the k-th of
    /// that sprint (k = j − done by its start) at hour base + t_k + step (t_0 = 0, t_(i+1)
    /// = t_i + step), summed as `FinishRun::hour` sums it. The record asks for items in
    /// increasing order, so the sprint is searched from the last one found. (`left_by`
    /// ends with the count after the sprint of the last item done: j's sprint is there.)
    #[inline(always)]
    fn finish(&mut self, j: i64) -> (usize, f64, f64) {
        let left_by = self.left_by;
        // Sprint s's end saw at most j done when it left at least `past` items.
        let past = self.items - j;
        let mut s = self.s;
        if left_by[s] < past {
            s = 0;
        }
        if left_by[s + 1] >= past {
            // (A binary search: the sprints past s whose end saw at most j done.)
            s += 1 + left_by[s + 2..].partition_point(|&l| l >= past);
        }
        self.s = s;
        let step = self.draws[self.picks[s] as usize].fresh;
        let mut t = 0.0;
        for _ in 0..left_by[s] - past {
            t += step;
        }
        (s, t, step)
    }
}
