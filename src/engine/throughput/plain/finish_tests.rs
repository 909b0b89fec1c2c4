//! The plain lane's lead times ([`Finish::leads`]) against their plain form: each item's
//! finish hour found by a scan and summed step by step, over `stats::quantile_by`.

use super::finish::{sprints_of, PerDay, FINISH_SUMS};
use super::*;
use rand::{RngExt, SeedableRng};

/// A run as the lane leaves it: the items left by each sprint's end (after the scope) up
/// to the sprint of the last item done, and the value drawn each sprint.
struct Run {
    left_by: Vec<i64>,
    picks: Vec<u32>,
}

/// Sprints drawing values at random until the scope is done or the horizon reached (a
/// value may finish no item).
fn run(rng: &mut ChaCha8Rng, draws: &[PlainDraw], items: i64, sprints: usize) -> Run {
    let mut run = Run {
        left_by: vec![items],
        picks: vec![],
    };
    let mut left = items;
    while left > 0 && run.picks.len() < sprints {
        let pick = rng.random_range(0..draws.len() as u32);
        left -= draws[pick as usize].items.min(left);
        run.picks.push(pick);
        run.left_by.push(left);
    }
    run
}

/// The plain form: item j's sprint by a scan, its hour summed step by step (as
/// `FinishRun::hour`), over `hours_per_day`, and the quantiles by `stats::quantile_by`.
fn plain_leads(run: &Run, draws: &[PlainDraw], hours: f64, hours_per_day: f64) -> [f64; 2] {
    let items = run.left_by[0];
    let done = items - run.left_by.last().copied().unwrap_or(items);
    let hour = |j: i64| {
        let s = (0..run.picks.len())
            .find(|&s| run.left_by[s + 1] < items - j)
            .expect("an item done");
        let step = draws[run.picks[s] as usize].fresh;
        let mut t = 0.0;
        for _ in 0..j - (items - run.left_by[s]) {
            t += step;
        }
        s as f64 * hours + t + step
    };
    LEAD_QUANTILES
        .map(|p| crate::stats::quantile_by(done as u64, p, |k| hour(k as i64) / hours_per_day))
}

/// The lane's leads of a run.
fn leads(run: &Run, draws: &[PlainDraw], hours: f64, table: &FinishTable) -> [f64; 2] {
    let items = run.left_by[0];
    let finish = Finish {
        left_by: &run.left_by,
        items,
        picks: &run.picks,
        draws,
        hours,
    };
    finish.leads(items - run.left_by.last().copied().unwrap_or(items), table)
}

/// Capacity values finishing `items` each, at the hours per item a sprint of `hours` gives.
fn draws_of(items: &[i64], hours: f64) -> Vec<PlainDraw> {
    items
        .iter()
        .map(|&i| PlainDraw {
            items: i,
            fresh: 1.0 / (i as f64 / hours),
        })
        .collect()
}

/// Random runs of random models, with and without the table, the hours of a day a power of
/// two or not: the bits of the plain form.
#[test]
fn the_leads_are_the_plain_forms_bits() {
    let mut rng = ChaCha8Rng::seed_from_u64(32);
    for case in 0..3000 {
        let values = rng.random_range(1..8usize);
        // Some values finishing nothing, now and then a value large enough for no table.
        let big = case % 10 == 0;
        let items: Vec<i64> = (0..values)
            .map(|_| match rng.random_range(0..10) {
                0 => 0,
                1 if big => rng.random_range(9000..20_000),
                _ => rng.random_range(1..14),
            })
            .collect();
        let hours = [40.0, 37.5, 80.0, 0.3][case % 4];
        let draws = draws_of(&items, hours);
        let scope = rng.random_range(0..if big { 40_000 } else { 200 });
        let hours_per_day = [8.0, 7.5, 4.0, 6.0, 0.5, 24.0, 1.0 / 3.0][case % 7];
        let table = FinishTable::of(&draws, scope, hours_per_day);
        let sums: i64 = items.iter().map(|&i| i.min(scope)).sum();
        assert_eq!(table.has_sums(), sums <= FINISH_SUMS as i64);
        for _ in 0..5 {
            let sprints = rng.random_range(1..80);
            let run = run(&mut rng, &draws, scope, sprints);
            let want = plain_leads(&run, &draws, hours, hours_per_day);
            let got = leads(&run, &draws, hours, &table);
            assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits), "case {case}");
        }
    }
}

/// Every count of items done from 0 to 60 (no item, one, quantiles on an item or between
/// two, within one sprint or across), each item its own sprint or all in one.
#[test]
fn the_leads_of_every_count_of_items_are_the_plain_forms() {
    for per_sprint in [1, 3, 7, 64] {
        let draws = draws_of(&[per_sprint, 0], 40.0);
        let table = FinishTable::of(&draws, 60, 8.0);
        for done in 0..=60 {
            // The scope done, one sprint of no item first.
            let mut left_by = vec![done, done];
            while let Some(&left) = left_by.last().filter(|&&l| l > 0) {
                left_by.push(left - per_sprint.min(left));
            }
            let mut picks = vec![0; left_by.len() - 1];
            picks[0] = 1;
            let run = Run { left_by, picks };
            let want = plain_leads(&run, &draws, 40.0, 8.0);
            assert_eq!(
                leads(&run, &draws, 40.0, &table).map(f64::to_bits),
                want.map(f64::to_bits),
                "{done} items, {per_sprint} a sprint"
            );
        }
    }
}

/// Hours past the largest number: an infinite lead (the quantile's interpolation gives
/// infinity, not NaN, when one side is infinite).
#[test]
fn infinite_hours_give_the_plain_forms_leads() {
    let draws = draws_of(&[1, 2], 40.0);
    for hours in [f64::MAX, f64::MAX / 3.0] {
        let table = FinishTable::of(&draws, 9, 8.0);
        let run = Run {
            left_by: vec![9, 7, 6, 4, 3, 1, 0],
            picks: vec![1, 0, 1, 0, 1, 0],
        };
        let want = plain_leads(&run, &draws, hours, 8.0);
        assert!(want.iter().any(|x| x.is_infinite()), "{hours}");
        let got = leads(&run, &draws, hours, &table);
        assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits), "{hours}");
    }
}

/// The table's sums are the sums step by step, and the table stops at its size.
#[test]
fn the_table_holds_the_sums_step_by_step_up_to_its_size() {
    let draws = draws_of(&[3, 0, 11], 37.5);
    let table = FinishTable::of(&draws, 100, 8.0);
    let run = Run {
        left_by: vec![14, 11, 11, 0],
        picks: vec![0, 1, 2],
    };
    let finish = Finish {
        left_by: &run.left_by,
        items: 14,
        picks: &run.picks,
        draws: &draws,
        hours: 37.5,
    };
    let no_table = FinishTable::of(&draws_of(&[FINISH_SUMS as i64 + 1], 1.0), 1 << 20, 8.0);
    assert!(!no_table.has_sums());
    for j in 0..14 {
        let s = sprints_of(&run.left_by, [14 - j])[0];
        assert_eq!(s, if j < 3 { 0 } else { 2 });
        let hour = finish.hour(s, j, &table);
        assert_eq!(hour.to_bits(), finish.hour(s, j, &no_table).to_bits());
        let step = draws[run.picks[s] as usize].fresh;
        let mut t = 0.0;
        for _ in 0..j - (14 - run.left_by[s]) {
            t += step;
        }
        assert_eq!(hour.to_bits(), (s as f64 * 37.5 + t + step).to_bits());
    }
    // The scope bounds a value's sums: exactly the size, and one past it.
    let at =
        |per_sprint: i64, scope: i64| FinishTable::of(&draws_of(&[per_sprint, 5], 1.0), scope, 8.0);
    assert!(at(FINISH_SUMS as i64 - 5, 1 << 20).has_sums());
    assert!(!at(FINISH_SUMS as i64 - 4, 1 << 20).has_sums());
    assert!(at(1 << 30, FINISH_SUMS as i64 - 5).has_sums());
}

/// The side-by-side searches against a scan, on every length and item.
#[test]
fn the_sprints_found_are_the_scans() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for len in 1..90 {
        for _ in 0..20 {
            let mut left_by = vec![rng.random_range(1..400i64)];
            for _ in 1..len {
                let last = *left_by.last().unwrap();
                left_by.push(last - rng.random_range(0..4).min(last));
            }
            let (items, rest) = (left_by[0], left_by[len - 1]);
            if items == rest {
                continue;
            }
            let pasts: [i64; 4] = std::array::from_fn(|_| rng.random_range(rest + 1..=items));
            let want = pasts.map(|past| left_by.iter().rposition(|&l| l >= past).unwrap());
            assert_eq!(sprints_of(&left_by, pasts), want, "{left_by:?} {pasts:?}");
        }
    }
}

/// Hours to days by a product only for a power of two, and then the division's bits, for
/// every normal power of two and values of every kind.
#[test]
fn days_are_the_divisions_bits() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let values: Vec<f64> = (0..200)
        .map(|_| f64::from_bits(rng.random_range(0..u64::MAX)))
        .chain([
            0.0,
            -0.0,
            f64::INFINITY,
            f64::MIN_POSITIVE,
            5e-324,
            f64::MAX,
            1.0,
            3.0,
        ])
        .collect();
    for e in -1022..=1023 {
        let per_day = 2f64.powi(e);
        assert!(matches!(PerDay::of(per_day), PerDay::Times(_)), "2^{e}");
        for &x in &values {
            let want = x / per_day;
            let got = PerDay::of(per_day).days(x);
            assert!(got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()));
        }
    }
    for per_day in [7.5, 24.0, 1.0 / 3.0, 6.0, 3.0, 5e-324, 1e-310] {
        assert!(matches!(PerDay::of(per_day), PerDay::Over(_)), "{per_day}");
    }
    assert!(FinishTable::of(&[], 1, 8.0).multiplies());
    assert!(!FinishTable::of(&[], 1, 7.5).multiplies());
}
