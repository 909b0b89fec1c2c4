//! The order-free part of an aggregate's work on a batch: the counts of the small whole
//! values per sprint (the tally) and of the after-stop rows of the runs that stopped early
//! (the tail tally). Counts add up in any order, so a [`Counter`] may take batches in any
//! order, on any thread, and several counters merge into the aggregate at the end
//! ([`Aggregate::merge_counts`]) with the same bits as if it had counted every batch itself.

use super::kernels::{count_whole, counted_whole};
use super::Aggregate;
use crate::engine::driver::Replications;
use crate::engine::tally::{Tally, TallyPart};

/// The counts an aggregate takes from batches fed to it with
/// [`Aggregate::add_batch_uncounted`]: made by [`Aggregate::counter`], fed the same batches
/// in any order ([`Counter::count`]), added with [`Aggregate::merge_counts`].
#[derive(Debug, Clone)]
pub struct Counter {
    /// The aggregate's series per scenario, and its horizons.
    series_of: Vec<Vec<usize>>,
    sprints: Vec<usize>,
    tally: Option<Tally>,
    tail_tally: Option<Tally>,
}

/// The runs of scenario s that stopped before the horizon count their after-stop row as
/// the tail of the sprint they stopped before (the counted part of `add_tails`).
fn count_tails(part: &mut TallyPart, batch: &Replications, s: usize, horizon: usize) {
    for j in 0..batch.len {
        // (From the small rows where the batch has them, read as they are.)
        if let Some(rows) = batch.small_rows(j, s) {
            if let (Some(&last), true) = (rows.last(), rows.len() < horizon) {
                part.add_after_stop_small(rows.len(), last);
            }
            continue;
        }
        let rows = batch.rows(j, s);
        if let (Some(last), true) = (rows.last(), rows.len() < horizon) {
            part.add_after_stop(rows.len(), last);
        }
    }
}

impl Counter {
    /// Count a batch's small whole values and its early stops' after-stop rows.
    pub fn count(&mut self, batch: &Replications) {
        let whole = counted_whole(
            &self.series_of,
            &self.sprints,
            &mut self.tally,
            &mut self.tail_tally,
            batch,
        );
        if let Some(tally) = self.tally.as_mut() {
            count_whole(tally, &whole, batch);
        }
        if let Some(tail) = self.tail_tally.as_mut() {
            for (s, mut part) in tail.parts().enumerate() {
                if !whole[s].is_empty() {
                    count_tails(&mut part, batch, s, self.sprints[s]);
                }
            }
        }
    }
}

impl Aggregate {
    /// An empty [`Counter`] of this aggregate's counts, to feed the batches that the
    /// aggregate takes with [`Aggregate::add_batch_uncounted`].
    pub fn counter(&self) -> Counter {
        Counter {
            series_of: self.series_of[..self.series.len()].to_vec(),
            sprints: self.sprints.clone(),
            tally: None,
            tail_tally: None,
        }
    }

    /// Add a counter's counts (of batches this aggregate took with
    /// [`Aggregate::add_batch_uncounted`]).
    pub fn merge_counts(&mut self, counter: &Counter) {
        let n = self.sprints.len();
        for (mine, theirs) in [
            (&mut self.tally, &counter.tally),
            (&mut self.tail_tally, &counter.tail_tally),
        ] {
            let Some(theirs) = theirs else { continue };
            // The aggregate saw the same batches, so it made its tally with the same series.
            let mine = mine
                .as_mut()
                .expect("the counter's batches were added uncounted");
            assert!(
                (0..n).all(|s| mine.series(s) == theirs.series(s)),
                "a counter of the same batches counts the same series"
            );
            mine.merge(theirs);
        }
        for b in self.bands.iter_mut() {
            b.clear();
        }
    }
}

#[cfg(test)]
#[path = "counter_tests.rs"]
mod tests;
