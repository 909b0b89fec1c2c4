//! The reusable buffers of one thread: a [`Workspace`] lives from run to run, so the sprint
//! loop does not allocate once its buffers have grown to size. Both models (the roles model in
//! [`super::sprint`] and the throughput model) keep their state here.

use super::metrics::N_SERIES;
use super::world::World;
use crate::model::item::{BacklogItem, Status};

/// A conflict drawn for a sprint: at `hour`, one item in progress is injected over or delayed.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Conflict {
    pub(super) hour: f64,
    pub(super) inject: bool,
    pub(super) delay: f64,
    pub(super) index: u32,
}

/// What ordering needs of an item beside the item itself, kept together so the pass over
/// the order reads one small entry.
#[derive(Debug, Clone, Copy)]
pub(super) struct RankIn {
    /// The urgency weight when it does not move with the date (1 for a fixed-date item,
    /// whose weight comes from its deadline).
    pub(super) weight: f64,
    /// The deadline of a fixed-date item (`u32::MAX` for the others).
    pub(super) deadline: u32,
    /// The score must be recomputed at the next ordering even if the PO's view stands (the
    /// perceived value changed).
    pub(super) stale: bool,
}

/// Reusable buffers of one thread.
#[derive(Debug, Default)]
pub struct Workspace {
    pub(super) world: World,
    pub(super) items: Vec<BacklogItem>,
    /// Indices of items not done, in creation order.
    pub(super) active: Vec<u32>,
    /// Indices of items finished this sprint.
    pub(super) finished: Vec<u32>,
    /// Indices of the items churn changes this sprint, in the active list's order.
    pub(super) churned: Vec<u32>,
    pub(super) pm_view: Vec<f64>,
    pub(super) po_view: Vec<f64>,
    /// The PO's theme ranking before this sprint's strategy step (for roadmap shocks).
    pub(super) rank_a: Vec<u8>,
    /// The PM's theme ranking of this sprint (set by the strategy step when there is a PM).
    pub(super) pm_rank: Vec<u8>,
    /// The PO's theme ranking of `po_view`, kept up to date whenever the view moves.
    pub(super) po_rank: Vec<u8>,
    pub(super) scored: Vec<(f64, u32)>,
    /// The PM's picks when it overrides the order: (PM score, index, position in the order's
    /// planned part).
    pub(super) pm_top: Vec<(f64, u32, u32)>,
    /// The order as (descending sort key, index), kept from sprint to sprint: scores move
    /// little between sprints, so re-sorting it by insertion is nearly linear.
    pub(super) ranked: Vec<(u64, u32)>,
    /// Items with an index below this are in `ranked` (or done).
    pub(super) ranked_upto: u32,
    /// New entries of the order, before they are merged into `ranked`.
    pub(super) fresh: Vec<(u64, u32)>,
    /// Per item, what ordering needs beside the item (see [`RankIn`]).
    pub(super) rank_in: Vec<RankIn>,
    pub(super) order: Vec<u32>,
    pub(super) committed: Vec<u32>,
    pub(super) prev_top: Vec<u32>,
    pub(super) velocities: Vec<f64>,
    pub(super) flow_coef: Vec<f64>,
    /// True scores of the top of the order, in the PO's order (for ranking τ).
    pub(super) tau_scores: Vec<f64>,
    pub(super) lead: Vec<f64>,
    pub(super) by_value: Vec<(f64, u32)>,
    pub(super) lane_item: Vec<u32>,
    pub(super) lane_time: Vec<f64>,
    pub(super) conflicts: Vec<Conflict>,
    /// Planned items in progress, in creation order (for conflicts and spillover).
    pub(super) started: Vec<u32>,
    /// The items this sprint's planning gave points (`committed_points` ≠ 0 only for them).
    pub(super) planned: Vec<u32>,
    /// Per-sprint series of the last run, one row per sprint.
    pub series: Vec<[f64; N_SERIES]>,
    /// When the items of a throughput run finished.
    pub(super) finish_runs: Vec<FinishRun>,
    /// The plain lane's items done by each sprint's end, and capacity values drawn.
    pub(super) done_by: Vec<i64>,
    pub(super) picks: Vec<u32>,
}

impl Workspace {
    pub fn new() -> Self {
        Self::default()
    }

    /// The items in progress on the sprint's work list that `keep` accepts, into `started`,
    /// in creation order. Every item in progress is on that list (spillover, committed,
    /// injected or pulled there), so it, not the whole backlog, is searched.
    #[inline]
    pub(super) fn gather_in_progress(&mut self, keep: impl Fn(&BacklogItem) -> bool) {
        self.started.clear();
        for &i in &self.committed {
            let item = &self.items[i as usize];
            if item.status == Status::InProgress && keep(item) {
                self.started.push(i);
            }
        }
        self.started.sort_unstable();
        self.started.dedup();
    }

    /// Every item of the last run, done or not (for checks and tests).
    pub fn items(&self) -> &[BacklogItem] {
        &self.items
    }

    /// Velocities, finish hours and series rows, for the throughput model.
    pub(super) fn throughput_buffers(&mut self) -> (&mut Vec<f64>, &mut Vec<FinishRun>) {
        (&mut self.velocities, &mut self.finish_runs)
    }

    /// The plain lane's buffers for a run of `sprints` sprints: the items done by each
    /// sprint's end after a 0, and a capacity value drawn per sprint (their contents are
    /// left from the last run).
    #[inline(always)]
    pub(super) fn plain_buffers(&mut self, sprints: usize) -> (&mut [i64], &mut [u32]) {
        if self.picks.len() < sprints {
            self.done_by.resize(sprints + 1, 0);
            self.picks.resize(sprints, 0);
        }
        (&mut self.done_by[..sprints + 1], &mut self.picks[..sprints])
    }
}

/// Items finishing one after another within one sprint: item `first + i` (i < count)
/// finishes at hour `(base + tᵢ) + step`, where t₀ = `t0` and tᵢ₊₁ = tᵢ + step, summed as
/// the roles model's lane sums them.
#[derive(Debug, Clone, Copy, Default)]
pub struct FinishRun {
    pub(super) first: i64,
    pub(super) count: i64,
    pub(super) base: f64,
    pub(super) t0: f64,
    pub(super) step: f64,
}

impl FinishRun {
    #[inline]
    pub(super) fn hour(&self, i: i64) -> f64 {
        let mut t = self.t0;
        for _ in 0..i {
            t += self.step;
        }
        self.base + t + self.step
    }
}
