//! The batch of replications a sink sees ([`Replications`]): records, and rows of doubles
//! or of small whole numbers.

use crate::engine::metrics::{RunRecord, SmallRow, N_SERIES};
use std::sync::OnceLock;

/// A batch of consecutive replications as a sink sees it: per replication one record and the
/// rows of every scenario.
pub struct Replications<'a> {
    /// The first replication (0-based).
    pub start: u64,
    pub len: usize,
    scenarios: usize,
    max_sprints: usize,
    records: &'a [RunRecord],
    /// The rows as doubles, or (when the batch has [`SmallRow`]s) made from `small` the
    /// first time a reader asks for them (`wide`).
    series: &'a [[f64; N_SERIES]],
    small: &'a [SmallRow],
    wide: Option<&'a OnceLock<Vec<[f64; N_SERIES]>>>,
    rows_written: &'a [u32],
    /// Per scenario: its series whose every value is a small whole number (see
    /// [`Replications::small_whole`]).
    small_whole: &'a [Vec<usize>],
    /// What a [`Prepare`](super::Prepare) hook wrote for this batch (see
    /// [`Replications::prepared`]).
    prepared: &'a [u8],
}

impl<'a> Replications<'a> {
    /// `len` replications from `start`: records scenario-major per replication
    /// (`records[j * scenarios + s]`), `max_sprints` rows reserved per scenario and
    /// replication in `series`, of which `rows_written[j * scenarios + s]` are used.
    pub fn new(
        start: u64,
        len: usize,
        scenarios: usize,
        max_sprints: usize,
        records: &'a [RunRecord],
        series: &'a [[f64; N_SERIES]],
        rows_written: &'a [u32],
    ) -> Self {
        assert!(records.len() >= len * scenarios && rows_written.len() >= len * scenarios);
        assert!(series.len() >= len * scenarios * max_sprints);
        Replications {
            start,
            len,
            scenarios,
            max_sprints,
            records,
            series,
            small: &[],
            wide: None,
            rows_written,
            small_whole: &[],
            prepared: &[],
        }
    }

    /// [`Replications::new`] of a batch of plain forecasts whose rows are [`SmallRow`]s
    /// (laid out as `series` would be), their rows as doubles made in `wide` (empty) if a
    /// reader asks for them ([`Replications::rows`]).
    pub fn new_small(
        (start, len, scenarios, max_sprints): (u64, usize, usize, usize),
        records: &'a [RunRecord],
        small: &'a [SmallRow],
        rows_written: &'a [u32],
        wide: &'a OnceLock<Vec<[f64; N_SERIES]>>,
    ) -> Self {
        assert!(small.len() >= len * scenarios * max_sprints);
        Replications {
            small,
            wide: Some(wide),
            max_sprints,
            // (No rows of doubles: none to check.)
            ..Replications::new(start, len, scenarios, 0, records, &[], rows_written)
        }
    }

    /// The same batch, with the bytes a [`Prepare`](super::Prepare) hook wrote for it.
    pub fn with_prepared(mut self, prepared: &'a [u8]) -> Self {
        self.prepared = prepared;
        self
    }

    /// The bytes the [`Prepare`](super::Prepare) hook of the run wrote for this batch when
    /// its worker had simulated it (none without a hook).
    pub fn prepared(&self) -> &'a [u8] {
        self.prepared
    }

    /// The same batch, whose series `small_whole[s]` of scenario s hold only whole numbers
    /// from 0 to 255 (see [`crate::engine::tally::counted_series`]).
    pub fn with_small_whole(mut self, small_whole: &'a [Vec<usize>]) -> Self {
        assert_eq!(small_whole.len(), self.scenarios);
        self.small_whole = small_whole;
        self
    }

    /// The series of scenario s whose every value is a whole number from 0 to 255, so that
    /// a sink can count them in a [`crate::engine::tally::Tally`] (none unless said).
    pub fn small_whole(&self, s: usize) -> &'a [usize] {
        self.small_whole.get(s).map_or(&[], |c| c.as_slice())
    }

    pub fn scenario_count(&self) -> usize {
        self.scenarios
    }

    /// The records of replication `start + j`, one per scenario.
    #[inline]
    pub fn records(&self, j: usize) -> &'a [RunRecord] {
        &self.records[j * self.scenarios..(j + 1) * self.scenarios]
    }

    /// The rows of scenario s in replication `start + j` (see
    /// [`ReplicationSink::replication`](super::ReplicationSink::replication)). In a batch
    /// of [`SmallRow`]s the first call makes every row of the batch as doubles: a reader
    /// that can read them takes [`Replications::small_rows`] instead.
    #[inline]
    pub fn rows(&self, j: usize, s: usize) -> &'a [[f64; N_SERIES]] {
        let series = match self.wide {
            Some(wide) => wide.get_or_init(|| self.widen()).as_slice(),
            None => self.series,
        };
        let at = (j * self.scenarios + s) * self.max_sprints;
        &series[at..at + self.written(j, s)]
    }

    /// The rows of scenario s in replication `start + j` as [`SmallRow`]s, if the batch has
    /// them (the same values as [`Replications::rows`]).
    #[inline]
    pub fn small_rows(&self, j: usize, s: usize) -> Option<&'a [SmallRow]> {
        self.wide?;
        let at = (j * self.scenarios + s) * self.max_sprints;
        Some(&self.small[at..at + self.written(j, s)])
    }

    /// Whether the batch's rows are [`SmallRow`]s ([`Replications::small_rows`]).
    #[inline]
    pub fn has_small_rows(&self) -> bool {
        self.wide.is_some()
    }

    /// How many rows scenario s wrote in replication `start + j`.
    #[inline]
    pub fn written(&self, j: usize, s: usize) -> usize {
        self.rows_written[j * self.scenarios + s] as usize
    }

    /// The last row of scenario s in replication `start + j` (none if it wrote none), read
    /// from its small rows where the batch has them.
    #[inline]
    pub fn last_row(&self, j: usize, s: usize) -> Option<[f64; N_SERIES]> {
        match self.small_rows(j, s) {
            Some(rows) => rows.last().map(|r| r.wide()),
            None => self.rows(j, s).last().copied(),
        }
    }

    /// The velocities of scenario s's sprints in replication `start + j`, in order, read
    /// from its small rows where the batch has them (never made into doubles).
    #[inline]
    pub fn velocities(&self, j: usize, s: usize) -> impl Iterator<Item = f64> + 'a {
        use crate::engine::metrics::series::VELOCITY;
        let (small, wide) = match self.small_rows(j, s) {
            Some(small) => (small, &[][..]),
            None => (&[][..], self.rows(j, s)),
        };
        let small = small.iter().map(|r| r.get(VELOCITY) as f64);
        small.chain(wide.iter().map(|r| r[VELOCITY]))
    }

    /// Every written row of the batch as doubles (from its small rows), NaN elsewhere.
    #[cold]
    fn widen(&self) -> Vec<[f64; N_SERIES]> {
        let mut wide = vec![[f64::NAN; N_SERIES]; self.small.len()];
        for j in 0..self.len {
            for s in 0..self.scenarios {
                let at = (j * self.scenarios + s) * self.max_sprints;
                let rows = self.small_rows(j, s).unwrap_or_default();
                for (w, r) in wide[at..].iter_mut().zip(rows) {
                    *w = r.wide();
                }
            }
        }
        wide
    }
}
