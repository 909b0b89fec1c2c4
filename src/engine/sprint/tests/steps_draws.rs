//! Draws decided without computing them in full, against the draws made in full: churn's
//! integer bound against the uniform it stands for.

use super::super::arrivals::{churn_threshold, churn_word};
use crate::random::keyed_from;

/// The churn test `k < ⌈p·2⁵³⌉` on the draw's word says what `unit() < p` says, for any p in
/// (0, 1]: p at the draw's own uniform (not below it), one step above and below it, and p
/// away from it.
#[test]
fn churn_compares_its_draw_as_an_integer_exactly() {
    let mut n = 0;
    for key in [1u64, 0x9e37_79b9_7f4a_7c15, u64::MAX - 3] {
        for sprint in 0..400u64 {
            let u = keyed_from(key, sprint).unit();
            let word = churn_word(key, sprint);
            let ps = [
                u,
                u.next_up(),
                u.next_down(),
                (u * 2.0).min(1.0),
                u / 3.0,
                1.0,
                f64::MIN_POSITIVE,
                0.05,
                0.5,
            ];
            for p in ps {
                if p <= 0.0 || p > 1.0 {
                    continue;
                }
                assert_eq!(
                    word >> 11 < churn_threshold(p),
                    u < p,
                    "key {key:x}, sprint {sprint}, u {u:e}, p {p:e}"
                );
                n += 1;
            }
        }
    }
    assert!(n > 9000, "{n} cases");
}
