//! Where the plain lane's capacity values come from ([`Draws`]): drawn one by one, or
//! ahead in the driver's lane ([`play_plain_pair`]).

use super::*;

/// Where [`Plain::play_sprints`] takes each sprint's capacity value (its index in
/// [`Plain`]'s draws) from, and leaves it in `picks[sprint]`.
pub(super) trait Draws {
    fn pick(&mut self, picks: &mut [u32], sprint: usize) -> u32;

    /// The end of the sprints from `sprint` whose picks are in `picks` (drawing the next
    /// ones if none are): after `sprint`, and at most `picks.len()`.
    fn ready(&mut self, picks: &mut [u32], sprint: usize) -> usize;
}

/// Drawn sprint by sprint (a fixed capacity: always 0).
pub(super) struct OneByOne<F>(pub(super) F);

impl<F: FnMut() -> u32> Draws for OneByOne<F> {
    #[inline(always)]
    fn pick(&mut self, picks: &mut [u32], sprint: usize) -> u32 {
        let pick = (self.0)();
        picks[sprint] = pick;
        pick
    }

    #[inline(always)]
    fn ready(&mut self, picks: &mut [u32], sprint: usize) -> usize {
        self.pick(picks, sprint);
        sprint + 1
    }
}

/// Drawn ahead into `picks` ([`PairCursor::draw_ahead`]: `picks[..ready]` hold the draws
/// of their sprints), and the next ones when a sprint needs them, a chunk at a time (the
/// same draws in the same order: the ones a run does not reach are never seen).
struct Ahead<'a> {
    ready: usize,
    capacity: PairCursor<'a>,
    index: UniformIndex,
}

impl Draws for Ahead<'_> {
    #[inline(always)]
    fn pick(&mut self, picks: &mut [u32], sprint: usize) -> u32 {
        if sprint >= self.ready {
            self.draw_more(picks, sprint);
        }
        picks[sprint]
    }

    #[inline(always)]
    fn ready(&mut self, picks: &mut [u32], sprint: usize) -> usize {
        if sprint >= self.ready {
            self.draw_more(picks, sprint);
        }
        self.ready
    }
}

impl Ahead<'_> {
    /// The draws of `sprint` and those after it, up to [`AHEAD`] of them (or the last).
    #[cold]
    #[inline(never)]
    fn draw_more(&mut self, picks: &mut [u32], sprint: usize) {
        let end = picks.len().min(sprint + AHEAD);
        for pick in &mut picks[sprint..end] {
            *pick = self.index.sample(&mut self.capacity);
        }
        self.ready = end;
    }
}

/// Draws made at a time in the driver's lane ([`Ahead`]): the words of a pair of blocks.
const AHEAD: usize = 32;

/// [`play_plain_into`] from a [`PairCursor`] at the start of a replication's stream: the
/// same record and rows to the bit, its draws made ahead ([`Ahead`]) and compiled for AVX2
/// (the same operations, the same bits: the compiler only encodes them differently, with
/// fewer instructions). Where the run needs fewer draws than made, the cursor is left
/// further on than [`play_plain_into`] leaves its generator.
pub fn play_plain_pair<Row: PlainRow>(
    m: &Model,
    plain: &Plain,
    capacity: PairCursor<'_>,
    ws: &mut Workspace,
    rows: &mut [Row],
    record: &mut RunRecord,
) -> usize {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a `PairCursor` borrows a `PairStream`, which is made only where the processor
    // has AVX2 (`PairStream::of`).
    return unsafe { play_avx2(m, plain, capacity, ws, rows, record) };
    #[cfg(not(target_arch = "x86_64"))]
    play_pair_body(m, plain, capacity, ws, rows, record)
}

/// [`play_pair_body`] compiled for AVX2.
///
/// # Safety
/// The processor must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline(never)]
unsafe fn play_avx2<Row: PlainRow>(
    m: &Model,
    plain: &Plain,
    capacity: PairCursor<'_>,
    ws: &mut Workspace,
    rows: &mut [Row],
    record: &mut RunRecord,
) -> usize {
    play_pair_body(m, plain, capacity, ws, rows, record)
}

/// The body of [`play_plain_pair`].
#[inline(always)]
fn play_pair_body<Row: PlainRow>(
    m: &Model,
    plain: &Plain,
    mut capacity: PairCursor<'_>,
    ws: &mut Workspace,
    rows: &mut [Row],
    record: &mut RunRecord,
) -> usize {
    let (left_by, picks) = ws.plain_buffers(plain.sprints.max(AHEAD));
    let index = plain.index;
    if !plain.bootstrap {
        return play_body(m, plain, (left_by, picks), OneByOne(|| 0), rows, record);
    }
    let ahead: &mut [u32; AHEAD] = (&mut picks[..AHEAD]).try_into().expect("long enough");
    let ready = capacity.draw_ahead(index, ahead);
    let draws = Ahead {
        ready: ready.min(plain.sprints),
        capacity,
        index,
    };
    play_body(m, plain, (left_by, picks), draws, rows, record)
}
