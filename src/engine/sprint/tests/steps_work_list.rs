//! The sprint's work list past the 64 places its bits (`free_bits`) can hold: a list that
//! grows past them (by the lanes' pulls or an injected item) is searched entry by entry
//! (`wide`), and that search finds what the bits would (mutation run of session 35).

use super::super::Run;
use super::quiet;
use crate::engine::trace::NoTrace;
use crate::engine::workspace::{Conflict, Workspace};
use crate::model::compiled::Model;
use crate::model::item::{Status, NO_LANE};
use crate::random::RunKeys;

/// `n` items, all waiting, ready, in scope, in no lane and not blocked; the work list and
/// the order empty.
fn run_with_items<'a>(
    model: &'a Model,
    ws: &'a mut Workspace,
    trace: &'a mut NoTrace,
    n: usize,
) -> Run<'a, NoTrace> {
    let mut r = Run::new(model, &RunKeys::new(5, 0), ws, trace);
    r.sprint = 1;
    while r.ws.items.len() < n {
        let it = r.ws.items[0];
        r.ws.items.push(it);
    }
    r.ws.items.truncate(n);
    for it in r.ws.items.iter_mut() {
        (it.status, it.lane, it.blocked_until) = (Status::Waiting, NO_LANE, 0.0);
        (it.ready, it.top, it.in_scope) = (true, false, true);
    }
    r.ws.committed.clear();
    r.ws.order.clear();
    r.worth_end = usize::MAX;
    r.pull_cursor = 0;
    r.committed_from = 0;
    r
}

/// A work list of 40 or 64 items (all in lanes), then the lanes pull from the order until it
/// holds 70: past 64 places it is searched entry by entry. An item past the 64th place that
/// leaves its lane blocked is waited for (the hour it frees up), then found again.
#[test]
fn a_work_list_pulled_past_64_items_is_searched_entry_by_entry() {
    let s = quiet("aligned");
    let model = Model::new(&s);
    let now = 10.0;
    for start in [40usize, 64] {
        let mut ws = Workspace::new();
        let mut trace = NoTrace;
        let mut r = run_with_items(&model, &mut ws, &mut trace, 120);
        for i in 0..start as u32 {
            r.ws.items[i as usize].lane = 1;
            r.ws.committed.push(i);
        }
        r.ws.order.extend(start as u32..120);
        r.index_work_list();
        assert!(!r.wide, "{start} items fit the bits");
        // The lanes pull the order's items in turn, each into a lane.
        for k in start as u32..70 {
            assert_eq!(r.next_item(now), Ok(k), "start {start}");
            r.ws.items[k as usize].lane = 0;
        }
        assert_eq!(r.ws.committed.len(), 70);
        assert!(
            r.wide,
            "start {start}: 70 items are searched entry by entry"
        );
        // Nothing more to pull; the item in place 67 leaves its lane, blocked until 15.
        for it in r.ws.items[70..].iter_mut() {
            it.ready = false;
        }
        let x = r.ws.committed[67];
        let it = &mut r.ws.items[x as usize];
        (it.lane, it.blocked_until) = (NO_LANE, 15.0);
        r.back_on_list(x);
        assert_eq!(r.next_item(now), Err(15.0), "start {start}: waits for it");
        assert_eq!(r.next_item(15.0), Ok(x), "start {start}: found again");
    }
}

/// An item injected at the head of the work list (no item in progress, so none is dropped):
/// every place moves up one, the bits with them. On a list of 10 with places 3 and 7 free,
/// the lanes take the injected item, then those two; on a full list of 64, the 65 items are
/// searched entry by entry, and the last of them, leaving its lane blocked, is waited for
/// and found again.
#[test]
fn an_item_injected_at_the_head_of_the_work_list_moves_its_places_up_one() {
    let s = quiet("aligned");
    let model = Model::new(&s);
    let now = model.sprint_hours + 10.0;
    let c = Conflict {
        hour: 10.0,
        inject: true,
        delay: 0.0,
        index: 0,
    };
    for n in [10u32, 64] {
        let mut ws = Workspace::new();
        let mut trace = NoTrace;
        let mut r = run_with_items(&model, &mut ws, &mut trace, n as usize);
        let free = if n == 10 { vec![3, 7] } else { vec![] };
        for i in 0..n {
            if !free.contains(&i) {
                r.ws.items[i as usize].lane = 1;
            }
            r.ws.committed.push(i);
        }
        r.index_work_list();
        assert!(!r.wide);
        r.apply_conflict(c, now);
        assert_eq!(r.ws.committed.len(), n as usize + 1);
        assert_eq!(r.wide, n == 64, "{} items", n + 1);
        let injected = r.ws.committed[0];
        assert!(injected >= n, "a new item");
        for want in std::iter::once(injected).chain(free) {
            assert_eq!(r.next_item(now), Ok(want), "list of {n}");
            r.ws.items[want as usize].lane = 0;
        }
        assert_eq!(
            r.next_item(now),
            Err(f64::INFINITY),
            "list of {n}: nothing left"
        );
        // The last on the list leaves its lane, blocked for 5 hours.
        let x = r.ws.committed[n as usize];
        let it = &mut r.ws.items[x as usize];
        (it.lane, it.blocked_until) = (NO_LANE, now + 5.0);
        r.back_on_list(x);
        assert_eq!(
            r.next_item(now),
            Err(now + 5.0),
            "list of {n}: waits for it"
        );
        assert_eq!(r.next_item(now + 5.0), Ok(x), "list of {n}: found again");
    }
}
