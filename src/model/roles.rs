//! The roles. The PM sees the market's theme weights with noise and hands the roadmap to the
//! PO every `sync_interval` sprints with fidelity f (a blend in log space); without a PM the
//! PO forms its own, noisier view every few sprints. The PO orders the backlog by CD3 (WSJF):
//! perceived value × the PO's theme weight × urgency / estimate, with myopia discounting
//! enablers.

use super::item::{urgency_weight, BacklogItem, ItemKind};
use crate::scenario::UrgencyMix;

/// log ŵ_PO ← f · log ŵ_PM + (1 − f) · log ŵ_PO
pub fn sync(po_view: &mut [f64], pm_view: &[f64], fidelity: f64) {
    for (po, pm) in po_view.iter_mut().zip(pm_view) {
        *po = (fidelity * pm.ln() + (1.0 - fidelity) * po.ln()).exp();
    }
}

/// The PO's CD3 score of an item; unplanned work (bugs, redo, injected) scores above all.
#[inline]
pub fn po_score(
    item: &BacklogItem,
    po_view: &[f64],
    now: u32,
    urgency: &UrgencyMix,
    myopia: f64,
    scope_first: bool,
) -> f64 {
    let weight = urgency_weight(item.urgency, now, urgency);
    po_score_weighted(item, po_view, weight, myopia, scope_first)
}

/// [`po_score`] with the item's urgency weight at this sprint given (the engine keeps the
/// weights that do not move with the date).
#[inline]
pub fn po_score_weighted(
    item: &BacklogItem,
    po_view: &[f64],
    urgency_weight: f64,
    myopia: f64,
    scope_first: bool,
) -> f64 {
    PoScoring::new(myopia, scope_first).score(item, po_view, urgency_weight)
}

/// The PO's score with a scenario's myopia and scope rule worked out once: the engine scores
/// every waiting item each sprint, and a table lookup by a flag costs less than turning the
/// flag into a number and multiplying. Each table entry is what the flag's arithmetic gives,
/// so the scores are the same bits.
#[derive(Debug, Clone, Copy)]
pub struct PoScoring {
    /// Added by whether the item is a release-scope item known to be on the roadmap:
    /// 1e12 × 0, and 1e12 × 1 when the scenario works scope first (× 0 when not).
    offset: [f64; 2],
    /// The factor by whether the item is an enabler of positive score: 1 − myopia · 0 and
    /// 1 − myopia · 1 (myopia discounts those enablers).
    discount: [f64; 2],
}

impl PoScoring {
    pub fn new(myopia: f64, scope_first: bool) -> PoScoring {
        let listed = |known: bool| (scope_first & known) as u8 as f64;
        PoScoring {
            offset: [listed(false) * 1e12, listed(true) * 1e12],
            discount: [1.0 - myopia * 0.0, 1.0 - myopia * 1.0],
        }
    }

    /// The PO's CD3 score ([`po_score_weighted`]).
    #[inline(always)]
    pub fn score(&self, item: &BacklogItem, po_view: &[f64], urgency_weight: f64) -> f64 {
        if item.top {
            // Older unplanned work first.
            return 1e15 - item.created as f64;
        }
        // Entries chosen by index, not by a branch: the scope and the kinds follow no pattern
        // in the order.
        let offset = self.offset[(item.in_scope & item.on_roadmap) as usize];
        let score =
            item.perceived * po_view[item.theme as usize] * urgency_weight / item.estimate.max(0.1);
        let enabler = (item.kind == ItemKind::Enabler) & (score > 0.0);
        offset + score * self.discount[enabler as usize]
    }
}

/// The true CD3 score: what an all-knowing PO would use.
#[inline]
pub fn true_score(item: &BacklogItem, weights: &[f64], now: u32, urgency: &UrgencyMix) -> f64 {
    true_score_weighted(item, weights, urgency_weight(item.urgency, now, urgency))
}

/// [`true_score`] with the item's urgency weight at this sprint given.
#[inline]
pub fn true_score_weighted(item: &BacklogItem, weights: &[f64], urgency_weight: f64) -> f64 {
    item.value * weights[item.theme as usize] * urgency_weight / item.size.max(0.1)
}

/// The PM's ranking score: the PM's own view of the item's value × the PM's theme weight.
/// Far from the backlog, the PM ranks by value alone, ignoring size and urgency.
#[inline]
pub fn pm_score(item: &BacklogItem, pm_view: &[f64]) -> f64 {
    item.pm_perceived * pm_view[item.theme as usize]
}

/// Kendall's τ between an order and true scores listed in that order: +1 when the order
/// sorts the scores from highest to lowest, −1 when it reverses them (ties count as neither).
pub fn order_tau(scores: &[f64]) -> Option<f64> {
    let n = scores.len();
    if n < 2 {
        return None;
    }
    let mut s = 0i64;
    for i in 0..n {
        for j in i + 1..n {
            s += (scores[i] > scores[j]) as i64 - (scores[i] < scores[j]) as i64;
        }
    }
    Some(s as f64 / (n * (n - 1) / 2) as f64)
}

/// Slots of [`order_tau_padded`]: the scores, then NaN far enough for a row of comparisons
/// to run past the last score in whole vectors of four.
pub const TAU_SLOTS: usize = 32;

/// [`order_tau`] of `slots[..n]` (`n` ≤ [`TAU_SLOTS`] − 3), every slot from `n` on holding
/// NaN: NaN compares neither way, so a pair with it counts as a tie and each row of pairs may
/// run on to a multiple of four. The same τ as [`order_tau`] (the sum of signs is an integer).
pub fn order_tau_padded(slots: &[f64; TAU_SLOTS], n: usize) -> Option<f64> {
    assert!(
        n + 3 <= TAU_SLOTS,
        "{n} scores leave no room for the last vector"
    );
    debug_assert!(slots[n..].iter().all(|x| x.is_nan()));
    if n < 2 {
        return None;
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2 (just checked), and every row's last vector ends at
        // most 3 slots past `n` (checked above).
        let s = unsafe { tau_sum_avx2(slots, n) };
        return Some(s as f64 / (n * (n - 1) / 2) as f64);
    }
    order_tau(&slots[..n])
}

/// Σ over i < j < n of sign(slots[i] − slots[j]), four pairs at a time: a row's last vector
/// may reach 3 slots past `n`, where NaN adds nothing.
///
/// # Safety
/// The processor must have AVX2, and `n + 3 <= TAU_SLOTS`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn tau_sum_avx2(slots: &[f64; TAU_SLOTS], n: usize) -> i64 {
    use std::arch::x86_64::*;
    let p = slots.as_ptr();
    // Per lane, the count of pairs in order minus those reversed: a true comparison is an
    // all-ones lane, −1 as an integer.
    let mut sum = _mm256_setzero_si256();
    // By index: the row's first pair is the next slot (an iterator here costs about 95
    // instructions a call more).
    #[allow(clippy::needless_range_loop)]
    for i in 0..n - 1 {
        let x = _mm256_set1_pd(slots[i]);
        let mut j = i + 1;
        while j < n {
            // SAFETY: j < n, so the four slots from j end before n + 3 ≤ TAU_SLOTS.
            let y = unsafe { _mm256_loadu_pd(p.add(j)) };
            let higher = _mm256_castpd_si256(_mm256_cmp_pd::<_CMP_GT_OQ>(x, y));
            let lower = _mm256_castpd_si256(_mm256_cmp_pd::<_CMP_LT_OQ>(x, y));
            sum = _mm256_add_epi64(_mm256_sub_epi64(sum, higher), lower);
            j += 4;
        }
    }
    let half = _mm_add_epi64(
        _mm256_castsi256_si128(sum),
        _mm256_extracti128_si256::<1>(sum),
    );
    _mm_cvtsi128_si64(half) + _mm_extract_epi64::<1>(half)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_with_full_fidelity_copies_the_pm_view() {
        let mut po = vec![1.0, 2.0];
        sync(&mut po, &[3.0, 0.5], 1.0);
        assert!((po[0] - 3.0).abs() < 1e-12 && (po[1] - 0.5).abs() < 1e-12);
        sync(&mut po, &[1.0, 1.0], 0.5);
        assert!((po[0] - 3f64.sqrt()).abs() < 1e-12);
    }

    /// Myopia discounts only enablers of positive score.
    #[test]
    fn myopia_discounts_enablers_of_positive_score() {
        let model = crate::model::compiled::Model::new(&crate::scenario::Scenario::default());
        let keys = crate::random::RunKeys::new(1, 0);
        let mut item = BacklogItem::new(1, 0, &model, &keys);
        item.kind = ItemKind::Feature;
        item.theme = 0;
        item.top = false;
        item.in_scope = false;
        item.perceived = 2.0;
        item.estimate = 1.0;
        let view = [1.0];
        let feature = po_score_weighted(&item, &view, 1.0, 0.5, false);
        item.kind = ItemKind::Enabler;
        let enabler = po_score_weighted(&item, &view, 1.0, 0.5, false);
        assert_eq!((feature, enabler), (2.0, 1.0));
        item.perceived = -2.0;
        assert_eq!(po_score_weighted(&item, &view, 1.0, 0.5, false), -2.0);
        // Scope first: 1e12 above the score for a scope item known to be on the roadmap only.
        for (first, in_scope, known) in
            [(true, true, true), (true, true, false), (false, true, true)]
        {
            item.in_scope = in_scope;
            item.on_roadmap = known;
            let listed = first && in_scope && known;
            let expected = if listed { 1e12 + -2.0 } else { -2.0 };
            assert_eq!(po_score_weighted(&item, &view, 1.0, 0.5, first), expected);
        }
    }

    /// The tables give the bits of the arithmetic they replace: flags as 0 or 1, multiplied.
    #[test]
    fn po_scoring_tables_give_the_arithmetic_bits() {
        let model = crate::model::compiled::Model::new(&crate::scenario::Scenario::default());
        let keys = crate::random::RunKeys::new(3, 0);
        let view = [0.7, 1.9, 1.0];
        let mut item = BacklogItem::new(1, 4, &model, &keys);
        let mut n = 0u64;
        for myopia in [0.0, 0.3, 0.95] {
            for first in [false, true] {
                for perceived in [-3.5, -0.0, 0.0, 0.4, 7.25] {
                    for bits in 0..32u8 {
                        n += 1;
                        item.kind = [ItemKind::Feature, ItemKind::Enabler][(bits & 1) as usize];
                        item.in_scope = bits & 2 != 0;
                        item.on_roadmap = bits & 4 != 0;
                        item.top = bits & 8 != 0;
                        item.theme = (n % 3) as u16;
                        item.perceived = perceived;
                        item.estimate = [0.05, 3.0][(bits >> 4) as usize];
                        let weight = 1.0 + (n % 5) as f64 * 0.37;
                        let expected = if item.top {
                            1e15 - item.created as f64
                        } else {
                            let listed = (first & item.in_scope & item.on_roadmap) as u8 as f64;
                            let score = item.perceived * view[item.theme as usize] * weight
                                / item.estimate.max(0.1);
                            let enabler =
                                ((item.kind == ItemKind::Enabler) & (score > 0.0)) as u8 as f64;
                            listed * 1e12 + score * (1.0 - myopia * enabler)
                        };
                        let got = PoScoring::new(myopia, first).score(&item, &view, weight);
                        assert_eq!(got.to_bits(), expected.to_bits(), "{myopia} {first} {bits}");
                    }
                }
            }
        }
    }

    /// The padded τ is the plain one's, bit for bit: ties, scope-like offsets, every length.
    #[test]
    fn padded_tau_is_the_plain_tau() {
        let keys = crate::random::RunKeys::new(5, 0);
        for round in 0..400u64 {
            let n = (round % 30) as usize;
            let mut slots = [f64::NAN; TAU_SLOTS];
            for (j, slot) in slots[..n].iter_mut().enumerate() {
                let u = keys.unit(crate::random::Source::Churn, j as u64, round);
                // Few distinct values (ties), some 1e12 above the rest.
                *slot = (u * 7.0).floor() - 2.0 + if u > 0.8 { 1e12 } else { 0.0 };
            }
            let got = order_tau_padded(&slots, n);
            let expected = order_tau(&slots[..n]);
            assert_eq!(got.map(f64::to_bits), expected.map(f64::to_bits), "n = {n}");
        }
        let mut slots = [f64::NAN; TAU_SLOTS];
        slots[..3].copy_from_slice(&[3.0, 1.0, 2.0]);
        assert_eq!(order_tau_padded(&slots, 3), Some(1.0 / 3.0));
    }

    #[test]
    fn tau_extremes() {
        assert_eq!(order_tau(&[30.0, 20.0, 10.0]), Some(1.0));
        assert_eq!(order_tau(&[1.0, 2.0, 3.0]), Some(-1.0));
        assert_eq!(order_tau(&[3.0, 1.0, 2.0]), Some(1.0 / 3.0));
    }
}
