//! Per-sprint counts of small whole values, kept by the thread that simulates.
//!
//! In a plain throughput forecast (a fixed number of items, nothing that adds scope) the
//! backlog and ready-item counts of every sprint, and the velocity when items have a whole
//! size, are whole numbers from 0 to 255. Their per-sprint bands need only how often each
//! value occurs: counts that add up in any order, so the simulating thread keeps them as it
//! goes ([`Tally::add`]) and the delivery no longer feeds these values one by one. A band's
//! mean, the sum of whole values over the count, is exact either way; its quantiles come
//! from a sketch whose state depends only on the values (see `aggregate`).

use super::metrics::{series, N_SERIES};
use super::throughput;
use crate::model::compiled::Model;
use crate::scenario::ModelKind;

/// Values 0 to this (exclusive) are counted.
pub const SMALL: usize = 256;

/// The series of scenario `m` whose every value is a whole number below [`SMALL`], so that a
/// [`Tally`] can count them (none unless it is a plain throughput forecast).
pub fn counted_series(m: &Model) -> Vec<usize> {
    let s = &m.scenario;
    let items = s.backlog.initial_items as f64;
    // A fixed scope: no range, split, risk or growth, so items never exceed the initial count.
    let plain = s.simulation.model == ModelKind::Throughput
        && m.scope_growth.is_none()
        && throughput::keyed_sources(m).is_empty()
        && items < SMALL as f64;
    if !plain {
        return Vec::new();
    }
    let mut out = Vec::new();
    // A sprint's velocity is the points of the items it finished: at most items × size.
    if throughput::whole_size(m.item_size) && items * m.item_size < SMALL as f64 {
        out.push(series::VELOCITY);
    }
    out.extend([series::BACKLOG_SIZE, series::READY_ITEMS]);
    out
}

/// Counts of the [`counted_series`] of each scenario, per sprint and value.
#[derive(Debug, Clone)]
pub struct Tally {
    /// Per scenario: the series counted (see [`counted_series`]).
    series: Vec<Vec<usize>>,
    /// Per scenario: `counts[s][sprint * series[s].len() + i][v]`, the runs whose series
    /// `series[s][i]` was v in that sprint.
    counts: Vec<Vec<[u64; SMALL]>>,
}

impl Tally {
    /// Empty counts for scenarios with `series[s]` counted over `sprints[s]` sprints.
    pub fn new(series: &[Vec<usize>], sprints: &[usize]) -> Tally {
        Tally {
            counts: series
                .iter()
                .zip(sprints)
                .map(|(k, &n)| vec![[0; SMALL]; n * k.len()])
                .collect(),
            series: series.to_vec(),
        }
    }

    /// Count the rows one run of scenario s wrote (sprint j in `rows[j]`).
    #[inline]
    pub fn add(&mut self, s: usize, rows: &[[f64; N_SERIES]]) {
        let (series, counts) = (self.series[s].as_slice(), &mut self.counts[s]);
        let count = |cell: &mut [u64; SMALL], v: f64| {
            // Whole and below SMALL by construction (see `counted_series`); `as i32` is one
            // instruction (`as usize` saturates in several), the mask spares a bounds check.
            debug_assert!(v as usize as f64 == v && (v as usize) < SMALL, "{v}");
            cell[v as i32 as usize & (SMALL - 1)] += 1;
        };
        match *series {
            // The usual case, unrolled: velocity, backlog and ready items.
            [a, b, c] => {
                for (row, cells) in rows.iter().zip(counts.chunks_exact_mut(3)) {
                    count(&mut cells[0], row[a]);
                    count(&mut cells[1], row[b]);
                    count(&mut cells[2], row[c]);
                }
            }
            _ => {
                let k = series.len().max(1);
                for (row, cells) in rows.iter().zip(counts.chunks_exact_mut(k)) {
                    for (cell, &x) in cells.iter_mut().zip(series) {
                        count(cell, row[x]);
                    }
                }
            }
        }
    }

    /// Add `other`'s counts (of the same scenarios).
    pub fn merge(&mut self, other: &Tally) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            for (x, y) in a.iter_mut().flatten().zip(b.iter().flatten()) {
                *x += y;
            }
        }
    }

    /// The series counted for scenario s.
    pub fn series(&self, s: usize) -> &[usize] {
        &self.series[s]
    }

    /// How many runs had value v (the index) in series `self.series(s)[i]` in `sprint`.
    pub fn counts(&self, s: usize, sprint: usize, i: usize) -> &[u64] {
        &self.counts[s][sprint * self.series[s].len() + i]
    }

    /// Sprints counted for scenario s.
    pub fn sprints(&self, s: usize) -> usize {
        match self.series[s].len() {
            0 => 0,
            k => self.counts[s].len() / k,
        }
    }
}
