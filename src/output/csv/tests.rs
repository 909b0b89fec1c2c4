//! Tests of `output::csv`: the rows of runs.csv as cells written one by one.

use super::*;
use crate::engine::metrics::RunRecord;

/// A row as cells written one by one with [`push_num`] (the formatter every other file
/// uses) and `itoa`, for comparison.
fn row_by_cells(scenario: &str, run: u64, record: &RunRecord, columns: &[usize]) -> String {
    let mut out = format!("{scenario},{run}");
    for &m in columns {
        out.push(',');
        push_num(&mut out, record.metrics[m]);
    }
    out.push('\n');
    out
}

#[test]
fn a_run_row_has_the_bytes_of_its_cells_each_formatted_alone() {
    let mut record = RunRecord {
        metrics: [f64::NAN; N_METRICS],
    };
    // Whole, fractional, negative, empty, tie, exact-formatter and long cells.
    let values = [
        22.0,
        -4.0,
        52.375,
        10.03125,
        0.838709677,
        f64::NAN,
        120.0,
        0.0,
        -0.0,
        1e-12,
        1e300,
        f64::INFINITY,
        -123456.789,
        0.30000000000000004,
        1.0000005,
        8999999999999999.0,
        -1.5e-7,
        99999.95,
        7.0e14 + 0.5,
        3.0,
        -0.05,
        2.5,
        1234.5678,
        9.9999999,
        1e15,
    ];
    record.metrics.copy_from_slice(&values);
    let all: Vec<usize> = (0..N_METRICS).collect();
    // One cache throughout: rows of the same values, in other columns too.
    let mut cache = CellCache::new();
    for columns in [&THROUGHPUT_METRICS[..], &all[..], &[][..], &[5, 5, 11][..]] {
        for run in [1, 9, 10, 999_999, 1_000_000, u64::MAX] {
            let mut out = b"earlier rows\n".to_vec();
            push_run_row(&mut out, "team-forecast", run, &record, columns, &mut cache);
            let expected = row_by_cells("team-forecast", run, &record, columns);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                format!("earlier rows\n{expected}")
            );
        }
    }
}

proptest::proptest! {
    #[test]
    fn run_rows_have_the_bytes_of_their_cells(
        bits in proptest::collection::vec(proptest::num::u64::ANY, N_METRICS),
        small in proptest::collection::vec(-1_000_000i64..1_000_000, N_METRICS),
        scale in 0u32..12,
        run in 1u64..10_000_000,
    ) {
        // Any doubles, and lead-time-like values (whole numbers over powers of two and ten),
        // twice each through one cache (formatted, then copied).
        let mut cache = CellCache::new();
        for k in [0, 1, 0, 1] {
            let mut record = RunRecord { metrics: [0.0; N_METRICS] };
            for (m, x) in record.metrics.iter_mut().enumerate() {
                *x = if k == 0 {
                    f64::from_bits(bits[m])
                } else if m % 2 == 0 {
                    small[m] as f64 / 2f64.powi(scale as i32)
                } else {
                    small[m] as f64 / 10f64.powi(scale as i32)
                };
            }
            for columns in [THROUGHPUT_METRICS.to_vec(), (0..N_METRICS).collect()] {
                let mut out = Vec::new();
                push_run_row(&mut out, "s", run, &record, &columns, &mut cache);
                proptest::prop_assert_eq!(
                    String::from_utf8(out).unwrap(),
                    row_by_cells("s", run, &record, &columns)
                );
            }
        }
    }
}
