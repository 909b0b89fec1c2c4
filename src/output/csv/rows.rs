//! The rows of runs.csv: written in place into a stage of the cell cache, a batch of rows
//! at a time ([`RunRows`]), each cell formatted or copied from the cache of recent cells.

use super::fmt_num;
use crate::engine::metrics::{RunRecord, N_METRICS};
use crate::format::CELL_MAX;

/// A scenario's name as runs.csv's rows begin with it (made once per scenario): its bytes
/// and zeros after them, to a whole number of [`NAME_CHUNK`]s, so that a short name is
/// copied in one piece of fixed size.
#[derive(Debug, Clone)]
pub struct RowName {
    padded: Vec<u8>,
    len: usize,
}

/// Bytes a name is padded to (a multiple of).
const NAME_CHUNK: usize = 32;

impl RowName {
    pub fn new(name: &str) -> RowName {
        let len = name.len();
        let mut padded = name.as_bytes().to_vec();
        padded.resize(len.div_ceil(NAME_CHUNK).max(1) * NAME_CHUNK, 0);
        RowName { padded, len }
    }

    /// The name's bytes.
    pub fn text(&self) -> &[u8] {
        &self.padded[..self.len]
    }
}

/// One row of runs.csv (`run` is 1-based) with these metric columns, appended to `out`
/// (see [`RunRows::push`]).
pub fn push_run_row(
    out: &mut Vec<u8>,
    scenario: &str,
    run: u64,
    record: &RunRecord,
    columns: &[usize],
    cache: &mut CellCache,
) {
    RunRows::new(out, cache).push(&RowName::new(scenario), run, record, columns);
}

/// Rows of runs.csv appended to `out`: each written in place into the cache's stage after
/// the rows before it, the stage copied to `out` when it has no room for another row and
/// when the `RunRows` is dropped (rows are in `out` then, and only then).
pub struct RunRows<'a> {
    out: &'a mut Vec<u8>,
    cache: &'a mut CellCache,
    /// Bytes of the stage's finished rows, not yet in `out`.
    staged: usize,
}

impl<'a> RunRows<'a> {
    pub fn new(out: &'a mut Vec<u8>, cache: &'a mut CellCache) -> RunRows<'a> {
        RunRows {
            out,
            cache,
            staged: 0,
        }
    }

    /// The stage's rows to `out`.
    fn flush(&mut self) {
        self.out.extend_from_slice(&self.cache.stage[..self.staged]);
        self.staged = 0;
    }

    /// One row (`run` is 1-based) with these metric columns. The cells are written in place
    /// ([`crate::format::put_num`]), or copied from the cache when the column had the same
    /// value lately, after the scenario's name: the bytes of [`super::push_num`] cell by
    /// cell. The run number's digits are those of the cache's previous row (plus one when
    /// it was the run before).
    #[inline]
    pub fn push(&mut self, name: &RowName, run: u64, record: &RunRecord, columns: &[usize]) {
        if columns.len() > FAST_COLUMNS {
            self.flush();
            return push_run_row_plain(self.out, name.text(), run, record, columns, self.cache);
        }
        // Room for the name and a row, and every column's slots: made once (and again for
        // a longer name or more columns).
        let room = name.padded.len() + ROW;
        if self.cache.stage.len() - self.staged < room {
            self.flush();
            let stage = &mut self.cache.stage;
            stage.resize(stage.len().max(room).max(STAGE), 0);
        }
        let CellCache {
            entries,
            stage,
            run: run_text,
        } = &mut *self.cache;
        let slots = columns.len() * CACHE_SLOTS;
        if entries.len() < slots {
            entries.resize(slots, CellEntry::UNUSED);
        }
        let start = self.staged;
        match name.padded.first_chunk::<NAME_CHUNK>() {
            // A short name: a copy of fixed size.
            Some(chunk) if name.len <= NAME_CHUNK => {
                let to: &mut [u8; NAME_CHUNK] = (&mut stage[start..start + NAME_CHUNK])
                    .try_into()
                    .expect("room");
                *to = *chunk;
            }
            _ => long_name(&mut stage[start..], &name.padded),
        }
        // The row after the name: `base` in the stage.
        let mut base = start + name.len;
        let mut buf: &mut [u8; ROW] = (&mut stage[base..base + ROW]).try_into().expect("room");
        run_text.set(run);
        buf[..RUN_TEXT].copy_from_slice(&run_text.text);
        let mut n = run_text.len as usize;
        let (slots, _) = entries.as_chunks_mut::<CACHE_SLOTS>();
        for (&m, slots) in columns.iter().zip(slots) {
            let bits = record.metrics[m].to_bits();
            let entry = &mut slots[CellCache::slot_of(f64::from_bits(bits))];
            // n is below ROW_MASK + 1 (see `FAST_COLUMNS`): the mask changes nothing but spares
            // the bounds checks of the copy.
            let at = n & ROW_MASK;
            if entry.bits == bits {
                // The comma and the cell.
                buf[at..at + CACHED].copy_from_slice(&entry.text);
                n = at + entry.len as usize;
                continue;
            }
            match put_cell(buf, at, f64::from_bits(bits), entry) {
                Some(end) => n = end,
                None => {
                    // A long cell: the rows so far, this one up to the cell's comma and the
                    // cell go to `out`; the row goes on from the stage's start.
                    long_cell(self.out, &stage[..base + at + 1], f64::from_bits(bits));
                    (base, n) = (0, 0);
                    buf = (&mut stage[..ROW]).try_into().expect("room");
                }
            }
        }
        buf[n] = b'\n';
        self.staged = base + n + 1;
    }
}

impl Drop for RunRows<'_> {
    fn drop(&mut self) {
        self.flush();
    }
}

/// A cell not in the cache, at `buf[at..]` after its comma, and kept in `entry` if short:
/// the position after it. A cell only the exact formatter writes ([`crate::format::put_num`]
/// says None) is written the same way when it fits a cell's room ([`CELL_MAX`]); None for
/// a longer one.
#[cold]
#[inline(never)]
fn put_cell(buf: &mut [u8], at: usize, x: f64, entry: &mut CellEntry) -> Option<usize> {
    buf[at] = b',';
    let end = match crate::format::put_num(buf, at + 1, x) {
        Some(end) => end,
        None => {
            let text = fmt_num(x);
            let text = text.as_bytes();
            if text.len() > CELL_MAX {
                return None;
            }
            buf[at + 1..at + 1 + text.len()].copy_from_slice(text);
            at + 1 + text.len()
        }
    };
    if end - at <= CACHED {
        entry.bits = x.to_bits();
        entry.len = (end - at) as u8;
        entry.text.copy_from_slice(&buf[at..at + CACHED]);
    }
    Some(end)
}

/// A long name's bytes (padded) at the start of `to`.
#[cold]
#[inline(never)]
fn long_name(to: &mut [u8], padded: &[u8]) {
    to[..padded.len()].copy_from_slice(padded);
}

/// `before` and then x's cell (formatted the exact way) to `out`.
#[cold]
#[inline(never)]
fn long_cell(out: &mut Vec<u8>, before: &[u8], x: f64) {
    out.extend_from_slice(before);
    out.extend_from_slice(fmt_num(x).as_bytes());
}

/// [`RunRows::push`] for any number of columns, without the name and run number kept: the
/// same bytes, straight to `out`.
pub(super) fn push_run_row_plain(
    out: &mut Vec<u8>,
    scenario: &[u8],
    run: u64,
    record: &RunRecord,
    columns: &[usize],
    cache: &mut CellCache,
) {
    use crate::format::put_digits;
    out.extend_from_slice(scenario);
    let CellCache { entries, stage, .. } = cache;
    // Room for the run number and every cell (no flush needed but after a long cell), and
    // every column's slots: made once.
    let (need, slots) = (row_room(columns.len()), columns.len() * CACHE_SLOTS);
    if stage.len() < need || entries.len() < slots {
        stage.resize(need.max(stage.len()), 0);
        entries.resize(slots.max(entries.len()), CellEntry::UNUSED);
    }
    let row = stage;
    row[0] = b',';
    let mut n = put_digits(row, 1, run);
    for (i, &m) in columns.iter().enumerate() {
        let x = record.metrics[m];
        let entry = &mut entries[CellCache::slot(i, x)];
        if entry.bits == x.to_bits() {
            // The comma and the cell.
            row[n..n + CACHED].copy_from_slice(&entry.text);
            n += entry.len as usize;
            continue;
        }
        n = match put_cell(row, n, x, entry) {
            Some(end) => end,
            None => {
                long_cell(out, &row[..n + 1], x);
                0
            }
        };
    }
    row[n] = b'\n';
    out.extend_from_slice(&row[..n + 1]);
}

/// Bytes of a row of `columns` cells: a comma and the run number (at most 20 digits), then
/// a comma and at most [`CELL_MAX`] bytes a cell (and room for a cached
/// cell's whole text), and the newline.
const fn row_room(columns: usize) -> usize {
    1 + 20 + columns * (1 + max(CELL_MAX, CACHED)) + 1
}

const fn max(a: usize, b: usize) -> usize {
    if a > b {
        a
    } else {
        b
    }
}

/// Columns [`RunRows::push`] writes in a buffer of fixed size (every metric's; more go the
/// plain way).
pub(super) const FAST_COLUMNS: usize = N_METRICS;

/// A row of [`FAST_COLUMNS`] cells ends before `ROW_MASK + 1`, and the buffer after the name
/// has room for a cached cell's text beyond it.
const ROW_MASK: usize = row_room(FAST_COLUMNS).next_power_of_two() - 1;
const ROW: usize = ROW_MASK + 1 + CACHED;

/// Bytes of the stage (at least): rows of a batch are copied to `out` together.
const STAGE: usize = 1 << 15;

/// Bytes of a cell [`CellCache`] keeps, its comma included (longer cells are formatted
/// each time).
const CACHED: usize = 23;

/// Entries of [`CellCache`] per column.
const CACHE_SLOTS: usize = 4096;

/// Bytes of [`RunText`]: a comma and at most 20 digits.
const RUN_TEXT: usize = 24;

/// The text of the run number of the cache's last row: a comma and its digits.
#[derive(Debug, Clone)]
struct RunText {
    run: u64,
    len: u8,
    text: [u8; RUN_TEXT],
}

impl RunText {
    /// The text of `run`: the last one's plus one, kept, or written.
    #[inline]
    fn set(&mut self, run: u64) {
        if self.len > 0 && self.run != u64::MAX && run == self.run + 1 {
            // Add one to the digits from the last: nines become zeros and carry; a number
            // of nines only ("999") gets one more digit, written anew.
            let mut i = self.len as usize - 1;
            while i > 0 && self.text[i] == b'9' {
                self.text[i] = b'0';
                i -= 1;
            }
            if i > 0 {
                self.text[i] += 1;
                self.run = run;
                return;
            }
        } else if run == self.run && self.len > 0 {
            return;
        }
        self.write(run);
    }

    /// The text of `run`, written anew.
    #[cold]
    #[inline(never)]
    fn write(&mut self, run: u64) {
        self.text[0] = b',';
        self.len = crate::format::put_digits(&mut self.text, 1, run) as u8;
        self.run = run;
    }
}

/// The text of recent values, per column of runs.csv: a run's cells repeat across runs (a
/// forecast's 1 000 000 rows hold a few hundred distinct lead times, say/do ratios and
/// velocity CVs, and a few dozen whole numbers), and copying a cell costs a fraction of
/// formatting it. Direct-mapped by the value's bits; what it holds never changes a byte
/// (a cell is copied only for the very bits it was formatted from). It also holds the
/// stage rows are written in (reused: not cleared from row to row), and the last row's run
/// number.
#[derive(Debug, Clone)]
pub struct CellCache {
    entries: Vec<CellEntry>,
    stage: Vec<u8>,
    run: RunText,
}

#[derive(Debug, Clone, Copy)]
struct CellEntry {
    /// The value's bits (a NaN's when unused: any NaN's cell is empty, a lone comma).
    bits: u64,
    len: u8,
    text: [u8; CACHED],
}

impl CellEntry {
    const UNUSED: CellEntry = CellEntry {
        bits: f64::NAN.to_bits(),
        len: 1,
        text: {
            let mut t = [0; CACHED];
            t[0] = b',';
            t
        },
    };
}

impl Default for CellCache {
    fn default() -> Self {
        CellCache::new()
    }
}

impl CellCache {
    pub fn new() -> CellCache {
        CellCache {
            entries: Vec::new(),
            stage: Vec::new(),
            run: RunText {
                run: 0,
                len: 0,
                text: [0; RUN_TEXT],
            },
        }
    }

    /// The slot of value x in column `column`.
    #[inline]
    fn slot(column: usize, x: f64) -> usize {
        column * CACHE_SLOTS + Self::slot_of(x)
    }

    /// The slot of value x among a column's.
    #[inline]
    fn slot_of(x: f64) -> usize {
        let shift = 64 - CACHE_SLOTS.trailing_zeros();
        (x.to_bits().wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize
    }
}

#[cfg(test)]
#[path = "row_tests.rs"]
mod tests;
