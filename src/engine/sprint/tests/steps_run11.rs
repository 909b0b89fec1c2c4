//! More sprint steps on hand-built states (issue 16, mutation run 11, shards 10/16–15/16):
//! users' reports of escaped defects, a lane at the sprint's end, and an item finished on a
//! guess that waits for its answer.

use super::super::Run;
use super::quiet;
use crate::engine::trace::{BlockCause, Event, NoTrace};
use crate::engine::workspace::Workspace;
use crate::model::compiled::Model;
use crate::model::item::{ItemKind, Status};
use crate::random::{RunKeys, Source};

/// Step 1's escaped defects: each pending one is reported in this sprint when its own draw
/// (`EscapedDiscovery`, keyed by its number and the sprint) is under
/// escaped_discovery_rate, and becomes bug work of fix_points × escaped_multiplier. At rate
/// 1 every one is reported, at 0 none, at 0.3 those whose draw is under 0.3 (recomputed).
#[test]
fn users_report_each_escaped_defect_whose_draw_is_under_the_discovery_rate() {
    for (rate, pending) in [(1.0, 40u32), (0.0, 40), (0.3, 400)] {
        let mut s = quiet("aligned");
        s.quality.escaped_discovery_rate = rate;
        s.quality.fix_points = 0.5;
        s.quality.escaped_multiplier = 4.0;
        let model = Model::new(&s);
        let mut ws = Workspace::new();
        let mut quiet = NoTrace;
        let mut r = Run::new(&model, &RunKeys::new(83, 0), &mut ws, &mut quiet);
        r.sprint = 5;
        r.t.pending_escaped = pending;
        r.t.escaped_reported = 7;
        let want = (0..pending as u64)
            .filter(|&j| r.keys.unit(Source::EscapedDiscovery, 7 + j, 5) < rate)
            .count() as u32;
        match rate {
            1.0 => assert_eq!(want, pending),
            0.0 => assert_eq!(want, 0),
            // Binomial(400, 0.3): 120 ± 9.2.
            _ => assert!((want as f64 - 120.0).abs() < 4.5 * 9.2, "{want}"),
        }
        let before = r.ws.items.len();
        r.arrive();
        let bugs: Vec<f64> = r.ws.items[before..]
            .iter()
            .filter(|it| it.kind == ItemKind::Bug)
            .map(|it| it.size)
            .collect();
        assert_eq!(bugs.len() as u32, want, "rate {rate}");
        assert!(bugs.iter().all(|&p| p == 2.0), "rate {rate}: {bugs:?}");
        assert_eq!(r.t.pending_escaped, pending - want, "rate {rate}");
        assert_eq!(r.t.escaped_reported, 7 + want, "rate {rate}");
    }
}

/// A lane whose time is within 10⁻⁹ of the sprint's hours of its end is done: it starts no
/// item (a sliver of work would spill into the next sprint). The one committed item is
/// blocked until 2⁻²⁵ h before the end (inside the tolerance of 80 · 10⁻⁹ h: never started)
/// or 2⁻²³ h before it (outside: started, 2⁻²³ h of work done).
#[test]
fn a_lane_within_rounding_of_the_sprint_end_starts_nothing() {
    let s = quiet("aligned");
    let model = Model::new(&s);
    let hours = model.sprint_hours;
    assert_eq!(hours, 80.0);
    for (before_end, started) in [(2f64.powi(-25), false), (2f64.powi(-23), true)] {
        let mut ws = Workspace::new();
        let mut quiet = NoTrace;
        let mut r = Run::new(&model, &RunKeys::new(89, 0), &mut ws, &mut quiet);
        r.sprint = 1;
        r.lane_rate = 0.5;
        for it in r.ws.items.iter_mut() {
            it.ready = false;
            it.top = false;
        }
        let i =
            r.ws.active
                .iter()
                .copied()
                .find(|&i| r.ws.items[i as usize].is_backlog_work())
                .unwrap();
        let it = &mut r.ws.items[i as usize];
        it.ready = true;
        it.remaining = 10.0;
        it.blocked_until = 2.0 * hours - before_end;
        r.ws.committed.clear();
        r.ws.committed.push(i);
        r.committed_from = 0;
        r.execute();
        let it = &r.ws.items[i as usize];
        if started {
            assert_eq!(it.status, Status::InProgress);
            assert_eq!(it.remaining, 10.0 - 0.5 * before_end);
            assert_eq!(it.start_hour, 2.0 * hours - before_end);
        } else {
            assert_eq!(
                it.status,
                Status::Waiting,
                "started {before_end} h before the end"
            );
            assert_eq!(it.remaining, 10.0);
        }
        assert!(r
            .ws
            .lane_time
            .iter()
            .all(|&t| t == hours || t == hours - before_end));
    }
}

/// Work done on a guess is finished only when the answer comes: the item, worked out at
/// 2 h with its answer due at 10 h, blocks once, for the 8 h left, and finishes at 10 h.
#[test]
fn an_item_finished_on_a_guess_waits_once_for_the_rest_of_the_answers_latency() {
    let mut s = quiet("aligned");
    s.team.context_switch_tax = 0.25;
    let model = Model::new(&s);
    let hours = model.sprint_hours;
    let mut ws = Workspace::new();
    let mut events = Vec::new();
    let mut r = Run::new(&model, &RunKeys::new(97, 0), &mut ws, &mut events);
    r.sprint = 1;
    r.lane_rate = 0.5;
    for it in r.ws.items.iter_mut() {
        it.ready = false;
        it.top = false;
    }
    let i =
        r.ws.active
            .iter()
            .copied()
            .find(|&i| r.ws.items[i as usize].is_backlog_work())
            .unwrap();
    let it = &mut r.ws.items[i as usize];
    it.ready = true;
    it.remaining = 1.0;
    it.answer_at = hours + 10.0;
    it.blocked_hours = 0.0;
    let id = it.id;
    r.ws.committed.clear();
    r.ws.committed.push(i);
    r.committed_from = 0;
    r.execute();
    let it = &r.ws.items[i as usize];
    assert_eq!(it.status, Status::Done);
    assert_eq!(it.finish_hour, hours + 10.0);
    assert_eq!(it.blocked_hours, 8.0);
    drop(r);
    let blocks: Vec<(f64, f64)> = events
        .iter()
        .filter_map(|e| match *e {
            Event::Blocked {
                item,
                hour,
                hours,
                cause: BlockCause::Question,
                ..
            } if item == id => Some((hour, hours)),
            _ => None,
        })
        .collect();
    assert_eq!(blocks, [(2.0, 8.0)]);
}
