//! The plain-case lane against the general one.

use super::*;
use crate::engine::metrics::SmallRow;
use crate::random::stream_template;
use crate::scenario::load::load_scenario;
use crate::scenario::{Dist, Scenario};
use proptest::prelude::*;

fn forecast(f: impl FnOnce(&mut Scenario)) -> Model {
    let mut s = load_scenario("forecast").unwrap();
    f(&mut s);
    Model::new(&s)
}

fn empirical(values: &[f64]) -> Dist {
    Dist::Empirical {
        values: values.to_vec(),
    }
}

/// Both lanes on replication r: records and rows, bit for bit.
fn same_bits(m: &Model, plain: &Plain, seed: u64, r: u64) {
    let keys = RunKeys::new(seed, r);
    let horizon = m.scenario.simulation.sprints as usize;
    let mut ws = Workspace::new();
    let mut a = vec![[f64::NAN; N_SERIES]; horizon];
    let mut b = a.clone();
    let (ra, na) = play(m, &keys, keys.stream(Source::Capacity), &mut ws, &mut a);
    let (rb, nb) = play_plain(m, plain, keys.stream(Source::Capacity), &mut ws, &mut b);
    assert_eq!(na, nb, "rows, replication {r}");
    let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(
        bits(&ra.metrics),
        bits(&rb.metrics),
        "record, replication {r}"
    );
    assert_eq!(
        bits(a.as_flattened()),
        bits(b.as_flattened()),
        "rows, replication {r}"
    );
    // The driver's lane where the processor has AVX2: the stream two blocks at a time,
    // through a cursor, and the lane compiled for AVX2.
    if let Some(mut pair) = crate::random::PairStream::of(&stream_template(seed, Source::Capacity))
    {
        pair.restart(r);
        let mut c = vec![[f64::NAN; N_SERIES]; horizon];
        let mut rc = RunRecord {
            metrics: [0.0; N_METRICS],
        };
        let nc = play_plain_pair(m, plain, pair.cursor(), &mut ws, &mut c, &mut rc);
        assert_eq!(na, nc, "rows (pair), replication {r}");
        assert_eq!(
            bits(&ra.metrics),
            bits(&rc.metrics),
            "record (pair), replication {r}"
        );
        assert_eq!(
            bits(a.as_flattened()),
            bits(c.as_flattened()),
            "rows (pair), replication {r}"
        );
    }
    if plain.small_rows() {
        same_small_rows(m, plain, seed, r, (&ra, &a[..na]));
    }
    // The completion sprint alone, from the same stream.
    let completion = plain.completion(keys.stream(Source::Capacity));
    let want = ra.metrics[idx::COMPLETION_SPRINT];
    assert_eq!(
        completion.map_or(f64::NAN.to_bits(), |c| (c as f64).to_bits()),
        want.to_bits(),
        "completion, replication {r}"
    );
}

/// The lane into small rows (both ways of drawing), where they hold its values: the record
/// and the rows (`want`) of the lane into rows of doubles, bit for bit.
fn same_small_rows(m: &Model, plain: &Plain, seed: u64, r: u64, want: (&RunRecord, &[Rows])) {
    let bits = |x: &[f64]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    let horizon = m.scenario.simulation.sprints as usize;
    let mut ws = Workspace::new();
    let check = |how: &str, record: &RunRecord, rows: &[SmallRow]| {
        assert_eq!(
            bits(&want.0.metrics),
            bits(&record.metrics),
            "record ({how}), {r}"
        );
        let wide: Vec<Rows> = rows.iter().map(|row| row.wide()).collect();
        assert_eq!(
            bits(want.1.as_flattened()),
            bits(wide.as_flattened()),
            "rows ({how}), {r}"
        );
        let v: Vec<f64> = rows.iter().map(PlainRow::velocity).collect();
        assert_eq!(
            bits(&v),
            bits(&want.1.iter().map(|w| w[0]).collect::<Vec<_>>())
        );
    };
    let mut record = RunRecord {
        metrics: [0.0; N_METRICS],
    };
    let mut small = vec![SmallRow([9; 8]); horizon];
    let stream = RunKeys::new(seed, r).stream(Source::Capacity);
    let n = play_plain_into(m, plain, stream, &mut ws, &mut small, &mut record);
    check("one by one", &record, &small[..n]);
    if let Some(mut pair) = crate::random::PairStream::of(&stream_template(seed, Source::Capacity))
    {
        pair.restart(r);
        let mut small = vec![SmallRow([9; 8]); horizon];
        let n = play_plain_pair(m, plain, pair.cursor(), &mut ws, &mut small, &mut record);
        check("pair", &record, &small[..n]);
    }
}

type Rows = [f64; N_SERIES];

/// Small rows hold a plain forecast's values when its scope is fewer than 256 points
/// (items × size), and the lane refuses to write them otherwise.
#[test]
fn small_rows_hold_a_scope_of_fewer_than_256_points() {
    let small = |items: u32, size: f64| {
        let m = forecast(|s| {
            s.backlog.initial_items = items;
            s.backlog.size = Dist::Constant { value: size };
            s.team.capacity = empirical(&[0.0, size, 4.0 * size]);
        });
        Plain::of(&m).expect("a plain forecast").small_rows()
    };
    assert!(small(255, 1.0) && small(85, 3.0) && small(0, 1.0));
    assert!(!small(256, 1.0) && !small(86, 3.0));
    let m = forecast(|s| s.backlog.initial_items = 256);
    let plain = Plain::of(&m).unwrap();
    let refused = std::panic::catch_unwind(|| {
        let mut small = vec![SmallRow::default(); 104];
        let mut record = RunRecord {
            metrics: [0.0; N_METRICS],
        };
        let stream = RunKeys::new(1, 0).stream(Source::Capacity);
        play_plain_into(
            &m,
            &plain,
            stream,
            &mut Workspace::new(),
            &mut small,
            &mut record,
        )
    });
    assert!(refused.is_err(), "a scope of 256 points in small rows");
}

#[test]
fn the_plain_case_is_a_fixed_scope_of_whole_items_at_whole_capacities() {
    let plain = |f: &dyn Fn(&mut Scenario)| Plain::of(&forecast(f)).is_some();
    assert!(plain(&|_| {}));
    assert!(plain(&|s| s.team.capacity = Dist::Constant { value: 7.0 }));
    assert!(plain(&|s| s.team.capacity = empirical(&[0.0, 3.0, 9.0])));
    assert!(plain(&|s| {
        s.backlog.size = Dist::Constant { value: 2.0 };
        s.team.capacity = empirical(&[0.0, 4.0, 6.0]);
    }));
    // A capacity that leaves an item part-done at a sprint's end, or drawn otherwise.
    assert!(!plain(&|s| s.team.capacity = empirical(&[3.5, 4.0])));
    assert!(!plain(&|s| {
        s.backlog.size = Dist::Constant { value: 2.0 };
        s.team.capacity = empirical(&[3.0, 4.0]);
    }));
    assert!(!plain(&|s| s.team.capacity = Dist::Constant { value: 2e6 }));
    // Fewer than a million items a sprint (a sprint's finish hours then add up to its end
    // well within the lane's tolerance).
    assert!(plain(
        &|s| s.team.capacity = Dist::Constant { value: 999_999.0 }
    ));
    assert!(!plain(&|s| s.team.capacity = Dist::Constant { value: 1e6 }));
    assert!(!plain(
        &|s| s.team.capacity = Dist::Uniform { min: 2.0, max: 8.0 }
    ));
    // Anything that changes the scope, or items of a fractional size.
    assert!(!plain(&|s| s.backlog.split_rate = 0.2));
    assert!(!plain(
        &|s| s.backlog.scope_growth = Some(Dist::Constant { value: 1.0 })
    ));
    assert!(!plain(
        &|s| s.backlog.initial_items_range = Some(empirical(&[40.0, 60.0]))
    ));
    assert!(!plain(&|s| s.backlog.size = Dist::Constant { value: 1.5 }));
    assert!(!plain(
        &|s| s.simulation.model = crate::scenario::ModelKind::Roles
    ));
}

#[test]
fn the_plain_lane_gives_the_bits_of_the_general_lane_on_the_shipped_forecasts() {
    let peer = load_scenario(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/benches/peer/forecast-120.toml"
    ))
    .unwrap();
    let team = load_scenario(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/examples/team-forecast.toml"
    ))
    .unwrap();
    for s in [load_scenario("forecast").unwrap(), peer, team] {
        let m = Model::new(&s);
        let plain = Plain::of(&m).expect("a plain forecast");
        for r in 0..2000 {
            same_bits(&m, &plain, 7, r);
        }
    }
}

/// The fast case (no capacity value without items, at most `FAST_DRAWS` values, sums of
/// points below 2⁵³) and the general one on either side of each bound: the bits of the
/// general lane either way.
#[test]
fn the_plain_lane_gives_the_bits_of_the_general_lane_in_and_out_of_its_fast_case() {
    let caps = |n: usize, zero: bool| -> Vec<f64> {
        (0..n)
            .map(|i| ((i * 7) % 11 + usize::from(!zero || i > 0)) as f64)
            .collect()
    };
    for (values, size, items, fast) in [
        (caps(16, false), 1.0, 120, true),
        (caps(16, true), 1.0, 120, false),
        (caps(256, false), 3.0, 300, true),
        (caps(257, false), 3.0, 300, false),
        (caps(5, false), 2.0, 1 << 20, true),
        // Items × size × sprints past 2⁵³.
        (caps(5, false), 1e8, 1 << 20, false),
    ] {
        let m = forecast(|s| {
            s.team.capacity = empirical(&values.iter().map(|v| v * size).collect::<Vec<_>>());
            s.backlog.size = Dist::Constant { value: size };
            s.backlog.initial_items = items;
        });
        let plain = Plain::of(&m).expect("a plain forecast");
        assert_eq!(
            plain.is_fast(),
            fast,
            "{} values, size {size}",
            values.len()
        );
        for r in 0..100 {
            same_bits(&m, &plain, 5, r);
        }
    }
}

/// Commitments looked up in a table (a short window, few items a sprint) or computed
/// sprint by sprint (a table too large): the bits of the general lane either way.
#[test]
fn the_plain_lane_gives_the_bits_of_the_general_lane_with_and_without_its_table() {
    for (window, caps, table) in [
        (3, vec![0.0, 4.0, 7.0, 0.0, 2.0], true),
        (64, vec![0.0, 4.0, 7.0, 0.0, 2.0], false),
        (2, vec![0.0, 900.0, 3000.0], false),
        (64, vec![1.0, 0.0], true),
    ] {
        let m = forecast(|s| {
            s.team.capacity = empirical(&caps);
            s.team.velocity_window = window;
            s.backlog.initial_items = 150;
            s.simulation.sprints = 120;
        });
        let plain = Plain::of(&m).expect("a plain forecast");
        assert_eq!(plain.has_table(), table, "window {window}, {caps:?}");
        for r in 0..300 {
            same_bits(&m, &plain, 3, r);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn the_plain_lane_gives_the_bits_of_the_general_lane(
        caps in prop::collection::vec(prop_oneof![4 => 0u32..12, 1 => 0u32..3000], 1..8),
        fixed in any::<bool>(),
        size in 1u32..4,
        items in 0u32..400,
        sprints in 1u32..80,
        stop in any::<bool>(),
        window in prop_oneof![3 => 1u32..8, 1 => 8u32..65],
        factor in prop::sample::select(vec![0.0, 0.5, 0.9, 1.0, 1.3, 3.0, 1e16]),
        sprint_days in 1u32..15,
        // (A power of two or not: days by a product or a division.)
        hours_per_day in prop::sample::select(vec![8.0, 7.5, 4.0, 6.0, 0.5, 24.0, 1.0 / 3.0]),
        seed in any::<u64>(),
    ) {
        let m = forecast(|s| {
            let values: Vec<f64> = caps.iter().map(|&c| (c * size) as f64).collect();
            s.team.capacity = if fixed {
                Dist::Constant { value: values[0] }
            } else {
                empirical(&values)
            };
            s.backlog.size = Dist::Constant { value: size as f64 };
            s.backlog.initial_items = items;
            s.simulation.sprints = sprints;
            s.simulation.stop_at_completion = stop;
            s.simulation.sprint_days = sprint_days;
            s.simulation.hours_per_day = hours_per_day;
            s.team.velocity_window = window;
            s.team.commitment_factor = factor;
        });
        let plain = Plain::of(&m).expect("a plain forecast");
        for r in 0..20 {
            same_bits(&m, &plain, seed, r);
        }
    }
}
