//! Tests of runs.csv's rows: run numbers kept or counted on, and the buffer's room.

use super::*;
use crate::engine::metrics::THROUGHPUT_METRICS;
use crate::format::push_num;

/// Rows of runs that follow each other (across 9 → 10, 999 → 1 000, …), repeat (a row per
/// scenario), jump back and forth, or end at u64::MAX, of two scenarios' names and values
/// with long cells among them, through one cache: the bytes of the cells one by one and
/// of the plain way; with more columns than [`FAST_COLUMNS`] too.
#[test]
fn run_numbers_kept_or_counted_on_give_the_rows_of_their_cells() {
    let row_by_cells = |scenario: &str, run: u64, record: &RunRecord, columns: &[usize]| {
        let mut out = format!("{scenario},{run}");
        for &m in columns {
            out.push(',');
            push_num(&mut out, record.metrics[m]);
        }
        out.push('\n');
        out
    };
    let mut runs: Vec<u64> = (1..=1_100).collect();
    runs.extend([
        8, 9, 10, 10, 11, 5, 3, 4, 99_998, 99_999, 100_000, 100_000, 100_001,
    ]);
    runs.extend([u64::MAX - 2, u64::MAX - 1, u64::MAX, u64::MAX, 1, 2, 19, 20]);
    let values = [
        22.0,
        f64::INFINITY,
        0.838709677,
        f64::NAN,
        1e300,
        -123456.789,
        99999.95,
        7.0e14 + 0.5,
    ];
    let all: Vec<usize> = (0..N_METRICS).collect();
    let many: Vec<usize> = (0..2 * N_METRICS).map(|m| m % N_METRICS).collect();
    let mut cache = CellCache::new();
    let mut plain = CellCache::new();
    for (k, &run) in runs.iter().enumerate() {
        let mut record = RunRecord {
            metrics: [0.0; N_METRICS],
        };
        for (m, x) in record.metrics.iter_mut().enumerate() {
            *x = values[(k + m) % values.len()];
        }
        let name = ["forecast-120", "a"][k % 3 / 2];
        for columns in [&THROUGHPUT_METRICS[..], &all[..], &many[..], &[][..]] {
            let mut out = b"earlier rows\n".to_vec();
            push_run_row(&mut out, name, run, &record, columns, &mut cache);
            let want = row_by_cells(name, run, &record, columns);
            assert_eq!(String::from_utf8_lossy(&out[13..]), want, "run {run}");
            let mut out = Vec::new();
            push_run_row_plain(&mut out, name.as_bytes(), run, &record, columns, &mut plain);
            assert_eq!(String::from_utf8_lossy(&out), want, "run {run}");
        }
    }
}

/// The row buffer has room for the longest run number and the newline, with no column
/// or one, in a fresh cache each.
#[test]
fn a_row_has_room_for_the_longest_run_number() {
    let record = RunRecord {
        metrics: [-1.234_567_890_123_456_7e19; N_METRICS],
    };
    for columns in [vec![], vec![0]] {
        let mut out = Vec::new();
        push_run_row(
            &mut out,
            "s",
            u64::MAX,
            &record,
            &columns,
            &mut CellCache::new(),
        );
        let mut want = format!("s,{}", u64::MAX);
        for &m in &columns {
            want.push(',');
            push_num(&mut want, record.metrics[m]);
        }
        want.push('\n');
        assert_eq!(String::from_utf8(out).unwrap(), want);
    }
}

/// Rows pushed through one `RunRows` (staged, flushed when the stage is full and at the
/// end), of a short and a long name, with cells of the exact formatter (kept in the cache
/// and copied after) and longer than a cell's room (to `out` at once) between staged rows:
/// the bytes of the cells one by one, in order.
#[test]
fn staged_rows_are_the_rows_of_their_cells_in_order() {
    let exact = 99_999.95; // A tie: the exact formatter's, short.
    let mut buf = [0u8; CELL_MAX];
    assert_eq!(crate::format::put_num(&mut buf, 0, exact), None);
    assert!(fmt_num(exact).len() < CACHED);
    assert_eq!(crate::format::put_num(&mut buf, 0, 1e300), None);
    assert!(fmt_num(1e300).len() > CELL_MAX);
    let values = [exact, 3.0, 0.125, f64::NAN, 64.1667, exact, 1e300, 7.0];
    let names = [
        RowName::new("forecast-120"),
        RowName::new("a scenario with a name longer than one chunk of padding"),
    ];
    let mut cache = CellCache::new();
    let mut want = String::new();
    let mut out = b"header\n".to_vec();
    for batch in 0..3u64 {
        let mut rows = RunRows::new(&mut out, &mut cache);
        for run in batch * 700 + 1..=batch * 700 + 700 {
            let mut record = RunRecord {
                metrics: [0.0; N_METRICS],
            };
            for (m, x) in record.metrics.iter_mut().enumerate() {
                // The long cell now and then, the others often.
                let k = (run as usize * 7 + m) % 97;
                *x = values[if k < values.len() { k } else { k % 6 }];
            }
            for (s, name) in names.iter().enumerate() {
                let columns: &[usize] = if s == 0 {
                    &THROUGHPUT_METRICS
                } else {
                    &[0, 1, 2]
                };
                rows.push(name, run, &record, columns);
                want.push_str(&String::from_utf8_lossy(name.text()));
                want.push_str(&format!(",{run}"));
                for &m in columns {
                    want.push(',');
                    push_num(&mut want, record.metrics[m]);
                }
                want.push('\n');
            }
        }
    }
    assert!(want.contains(&fmt_num(1e300)) && want.contains(&fmt_num(exact)));
    assert_eq!(String::from_utf8(out).unwrap(), format!("header\n{want}"));
}
