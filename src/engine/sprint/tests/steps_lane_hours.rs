//! Sprint steps on hand-built states, the lanes' hours in execution (issue 16, mutation run
//! 14b): the bound past which a lane is done, an escalation striking at its hour.

use super::super::Run;
use super::{cold, one_lane_injecting_conflicts, only_ready, quiet};
use crate::engine::trace::{BlockCause, Event, NoTrace};
use crate::engine::workspace::Workspace;
use crate::model::compiled::Model;
use crate::model::item::{Status, INTERNAL_ID, MAX_QUESTIONS};
use crate::random::{RunKeys, Source};

/// The bound is inclusive: a lane free at exactly 10⁻⁹ of the sprint's hours before its end
/// is done and starts nothing. In sprint 0 (hour = time, no rounding of a base) the one
/// committed item is blocked until exactly `hours − 10⁻⁹ · hours`: it is never started.
#[test]
fn a_lane_free_at_the_rounding_bound_of_the_sprint_end_starts_nothing() {
    let s = quiet("aligned");
    let model = Model::new(&s);
    let hours = model.sprint_hours;
    let bound = hours - 1e-9 * hours;
    assert!(bound < hours);
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &RunKeys::new(101, 0), &mut ws, &mut quiet);
    r.sprint = 0;
    r.lane_rate = 0.5;
    let i = only_ready(&mut r);
    let it = &mut r.ws.items[i as usize];
    it.remaining = 10.0;
    it.blocked_until = bound;
    r.ws.committed.clear();
    r.ws.committed.push(i);
    r.committed_from = 0;
    r.execute();
    let it = &r.ws.items[i as usize];
    assert_eq!(it.status, Status::Waiting, "started at the bound");
    assert_eq!((it.remaining, r.t.worked), (10.0, 0.0));
    assert!(
        r.ws.lane_time.iter().all(|&t| t == bound),
        "{:?}",
        r.ws.lane_time
    );
}

/// 13.5 in execution, an escalation: lanes stop at a conflict's hour h, and the conflict
/// blocks the one planned item in progress from base + h for its delay d (the block is told
/// at hour h of the sprint); a second escalation while it waits adds its delay to the end of
/// the first. One lane works a 1000-SP item at 0.5 SP/h, no context-switch tax: the work done
/// is 0.5 × the hours the item is not blocked, computed here from the drawn conflicts.
#[test]
fn an_escalation_blocks_the_item_in_progress_from_its_hour_for_its_delay() {
    let mut s = quiet("aligned");
    s.team.lanes = 1;
    s.team.context_switch_tax = 0.0;
    s.roles.conflicts_per_sprint = 2.0;
    s.roles.conflict_inject_share = 0.0;
    s.roles.escalation_hours = 6.0;
    s.roles.escalation_sigma = 0.5;
    let model = Model::new(&s);
    let hours = model.sprint_hours;
    let mut checked = 0;
    for run in 0..12 {
        let keys = RunKeys::new(103, run);
        let mut ws = Workspace::new();
        let mut events = Vec::new();
        let mut r = Run::new(&model, &keys, &mut ws, &mut events);
        r.sprint = 1;
        r.lane_rate = 0.5;
        let base = hours;
        // The conflicts execution will draw (keyed by the sprint).
        r.draw_conflicts();
        let conflicts = r.ws.conflicts.clone();
        if conflicts.is_empty() {
            continue;
        }
        let i = only_ready(&mut r);
        let it = &mut r.ws.items[i as usize];
        it.status = Status::InProgress;
        it.top = false;
        it.size = 1000.0;
        it.remaining = 1000.0;
        it.work_done = 0.0;
        it.blocked_until = 0.0;
        let id = it.id;
        r.ws.committed.clear();
        r.ws.committed.push(i);
        r.committed_from = 0;
        r.execute();
        // By hand: the blocks' end, and the hours the item is free within the sprint.
        let (mut until, mut free) = (0.0f64, 0.0);
        for c in &conflicts {
            assert!(!c.inject);
            free += (c.hour - until.max(0.0)).max(0.0);
            until = until.max(c.hour) + c.delay;
        }
        free += (hours - until).max(0.0);
        let want = 0.5 * free;
        assert!(
            (r.t.worked - want).abs() < 1e-9 * hours,
            "run {run}: worked {} SP, want {want} (conflicts {conflicts:?})",
            r.t.worked
        );
        let it = &r.ws.items[i as usize];
        assert!(
            (it.blocked_until - (base + until)).abs() < 1e-9 * base,
            "run {run}: blocked until {}, want {}",
            it.blocked_until,
            base + until
        );
        let blocks: Vec<(f64, f64)> = r
            .tracer
            .inner
            .iter()
            .filter_map(|e| match *e {
                Event::Blocked {
                    item,
                    hour,
                    hours,
                    cause: BlockCause::Escalation,
                    ..
                } if item == id => Some((hour, hours)),
                _ => None,
            })
            .collect();
        assert_eq!(blocks.len(), conflicts.len(), "run {run}");
        for (&(hour, d), c) in blocks.iter().zip(&conflicts) {
            assert!(
                (hour - c.hour).abs() < 1e-9 && d == c.delay,
                "run {run}: blocked at {hour} h for {d} h, the conflict at {} h for {} h",
                c.hour,
                c.delay
            );
        }
        checked += 1;
    }
    assert!(checked >= 8, "{checked} of 12 runs had a conflict");
}

/// 13.5 in execution: an injected item waits for a free lane; it does not take the lane of
/// the item being worked when the conflict strikes. One lane works a planned 1000-SP item of
/// the highest score at 0.5 SP/h; six planned items in progress of lower scores wait, blocked
/// past the sprint, so each conflict (every one injects, at most six) drops one of them. The
/// lane works its item the whole sprint and no injected item starts; each is told at its
/// conflict's hour.
#[test]
fn an_injected_item_waits_for_a_free_lane() {
    let s = one_lane_injecting_conflicts();
    let model = Model::new(&s);
    let hours = model.sprint_hours;
    let mut checked = 0;
    for run in 0..12 {
        let keys = RunKeys::new(107, run);
        let mut ws = Workspace::new();
        let mut events = Vec::new();
        let mut r = Run::new(&model, &keys, &mut ws, &mut events);
        r.sprint = 1;
        r.lane_rate = 0.5;
        r.draw_conflicts();
        let conflicts = r.ws.conflicts.clone();
        let n = conflicts.len();
        if n == 0 || n > 6 {
            continue;
        }
        let work: Vec<u32> =
            r.ws.active
                .iter()
                .copied()
                .filter(|&i| r.ws.items[i as usize].is_backlog_work())
                .take(7)
                .collect();
        r.ws.committed.clear();
        for (k, &i) in work.iter().enumerate() {
            let it = &mut r.ws.items[i as usize];
            it.status = Status::InProgress;
            it.top = false;
            it.score = 10.0 - k as f64;
            it.size = 1000.0;
            it.remaining = 1000.0;
            it.work_done = 0.0;
            // The first is free to work; the others wait past the sprint's end.
            it.blocked_until = if k == 0 { 0.0 } else { 3.0 * hours };
            r.ws.committed.push(i);
        }
        r.committed_from = 0;
        r.execute();
        let x = &r.ws.items[work[0] as usize];
        assert_eq!(x.status, Status::InProgress, "run {run}");
        assert!(
            (x.remaining - (1000.0 - 0.5 * hours)).abs() < 1e-9 * hours,
            "run {run}: {} SP left of the item worked, {n} conflicts",
            x.remaining
        );
        let dropped = work[1..]
            .iter()
            .filter(|&&i| r.ws.items[i as usize].status == Status::Waiting)
            .count();
        assert_eq!(dropped, n, "run {run}: one item dropped a conflict");
        let ev = &r.tracer.inner;
        let injected: Vec<f64> = ev
            .iter()
            .filter_map(|e| match *e {
                Event::Injected { hour, .. } => Some(hour),
                _ => None,
            })
            .collect();
        assert_eq!(injected.len(), n, "run {run}");
        // Each told at its conflict's hour within the sprint.
        for (hour, c) in injected.iter().zip(&conflicts) {
            assert!((hour - c.hour).abs() < 1e-9, "run {run}: {hour} h, {c:?}");
        }
        let started = ev
            .iter()
            .filter(|e| matches!(e, Event::Started { .. }))
            .count();
        assert_eq!(started, 0, "run {run}");
        checked += 1;
    }
    assert!(
        checked >= 8,
        "{checked} of 12 runs had one to six conflicts"
    );
}

/// 13.1 in execution: a question is asked when the item's work reaches its position, counted
/// from the item's start, not from this sprint's. An 8-SP item with 3 SP done in earlier
/// sprints and questions at ½ and ¾ of it, worked at 0.5 SP/h with answers after 2 h
/// (σ = 0, availability 1, no queue): asked at 4 SP, 2 h into the sprint, and at 6 SP, 2 h of
/// wait and 4 h of work later, at 8 h.
#[test]
fn a_question_is_asked_when_the_items_work_reaches_its_position() {
    let mut s = quiet("aligned");
    s.team.lanes = 1;
    s.team.guess_after_hours = 0.0;
    s.team.context_switch_tax = 0.0;
    s.po.decision_latency_hours = 2.0;
    s.po.decision_latency_sigma = 0.0;
    let model = Model::new(&s);
    assert_eq!(model.availability, 1.0);
    let mut ws = Workspace::new();
    let mut events = Vec::new();
    let mut r = Run::new(&model, &RunKeys::new(109, 0), &mut ws, &mut events);
    r.sprint = 2;
    r.lane_rate = 0.5;
    r.queue_factor = 1.0;
    let i = only_ready(&mut r);
    let it = &mut r.ws.items[i as usize];
    it.status = Status::InProgress;
    it.size = 8.0;
    it.remaining = 5.0;
    it.work_done = 3.0;
    it.questions = 2;
    it.next_question = 0;
    it.question_at[0] = 0.5;
    it.question_at[1] = 0.75;
    let id = it.id;
    r.ws.committed.clear();
    r.ws.committed.push(i);
    r.committed_from = 0;
    r.execute();
    let asked: Vec<(f64, f64)> = r
        .tracer
        .inner
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
    assert_eq!(asked.len(), 2, "{asked:?}");
    for (&(hour, wait), want) in asked.iter().zip([2.0, 8.0]) {
        assert!(
            (hour - want).abs() < 1e-9,
            "asked at {hour} h, want {want}: {asked:?}"
        );
        assert!((wait - 2.0).abs() < 1e-12, "waited {wait} h");
    }
    assert_eq!(r.t.questions_sprint, 2);
    // The sprint's decision wait and the item's blocked hours: both waits.
    assert_eq!(r.t.decision_wait_sprint, 4.0);
    assert_eq!(r.ws.items[i as usize].blocked_hours, 4.0);
    // The second answer at 10 h, then 2 SP more: done at 14 h.
    let it = &r.ws.items[i as usize];
    assert_eq!(it.status, Status::Done);
    assert!((it.finish_hour - (2.0 * model.sprint_hours + 14.0)).abs() < 1e-9);
}

/// 13.1's latency noise for every item: an item that is not a world item (bug work, an
/// injected item) draws its question's normal by its own id, e^(σz) with z keyed (item,
/// 1 + q), and keeps nothing; every question of every world item has a kept draw, the last
/// world item's last question (MAX_QUESTIONS) too.
#[test]
fn every_question_of_every_item_has_its_latency_draw() {
    let s = quiet("aligned");
    let model = Model::new(&s);
    let keys = RunKeys::new(113, 0);
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &keys, &mut ws, &mut quiet);
    let want = |id: u64, q: u8, sigma: f64| {
        (sigma * keys.keyed(Source::Questions, id, 1 + q as u64).normal()).exp()
    };
    let mut largest_z: f64 = 0.0;
    for id in [INTERNAL_ID | 5, INTERNAL_ID | (3 << 32) | 7] {
        for q in 1..=MAX_QUESTIONS as u8 {
            for sigma in [0.7, 0.3] {
                let got = r.latency_factor(id, q, sigma);
                let w = want(id, q, sigma);
                assert!(
                    (got - w).abs() < 1e-12 * w,
                    "item {id:x}, q {q}: {got} ≠ {w}"
                );
            }
            largest_z = largest_z.max(want(id, q, 1.0).ln().abs());
        }
    }
    // e^(σz), e^(σ/z) and e^(σ+z) differ unless z is near 0 or ±1.
    assert!(largest_z > 1.2, "the draws' |z| reach {largest_z}");
    let world = r.ws.world.question_draws.len() / MAX_QUESTIONS;
    assert!(world >= 10, "{world} world items");
    for id in [0, world as u64 - 1] {
        for q in 1..=MAX_QUESTIONS as u8 {
            let got = r.latency_factor(id, q, 0.7);
            let w = want(id, q, 0.7);
            assert!(
                (got - w).abs() < 1e-12 * w,
                "world item {id}, q {q}: {got} ≠ {w}"
            );
        }
    }
}

/// 13.1a: a guess is wrong when the keyed uniform of its item and question (`Source::
/// Questions`, item, GUESS_DRAWS + q) is below p = wrong_guess_per_ambiguity × ambiguity,
/// here 1 × ambiguity: at ambiguity ½ over items and questions, as each draw says (some
/// wrong, some right); at p equal to the draw, right; at the next float above it, wrong.
#[test]
fn a_guess_is_wrong_when_its_keyed_draw_is_below_the_probability() {
    let mut s = cold("aligned");
    s.team.guess_after_hours = 4.0;
    s.team.wrong_guess_per_ambiguity = 1.0;
    let model = Model::new(&s);
    let hours = model.sprint_hours;
    let keys = RunKeys::new(127, 0);
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &keys, &mut ws, &mut quiet);
    r.sprint = 1;
    r.lane_rate = 0.5;
    let guess = |r: &mut Run<'_, NoTrace>, i: u32, q: u8, ambiguity: f64| {
        let it = &mut r.ws.items[i as usize];
        it.ambiguity = ambiguity;
        it.remaining = 20.0;
        it.answer_at = 0.0;
        it.guess_rework = 0.0;
        it.next_question = q;
        assert_eq!(r.guess_or_wait(i, hours + 1.0, 10.0), 4.0);
        let rework = r.ws.items[i as usize].guess_rework;
        assert!(rework == 0.0 || rework == 3.0, "{rework}");
        rework > 0.0
    };
    let items: Vec<u32> = r.ws.active.iter().copied().take(12).collect();
    let mut wrong = 0;
    for (n, &i) in items.iter().enumerate() {
        let id = r.ws.items[i as usize].id;
        for q in [1u8, 2, 5] {
            let u = keys.unit(Source::Questions, id, 64 + q as u64);
            let got = guess(&mut r, i, q, 0.5);
            assert_eq!(got, u < 0.5, "item {n}, question {q}: draw {u}");
            wrong += got as u32;
        }
    }
    assert!((6..=30).contains(&wrong), "{wrong} of 36 wrong");
    let i = items[0];
    let id = r.ws.items[i as usize].id;
    let u = keys.unit(Source::Questions, id, 64 + 3);
    assert!(!guess(&mut r, i, 3, u), "p = the draw {u}");
    assert!(
        guess(&mut r, i, 3, u.next_up()),
        "p just above the draw {u}"
    );
}

/// Work done on a guess whose answer comes exactly when the work ends is done then: the
/// answer is not in the future, so the item does not wait (an 1-SP item at 0.5 SP/h from
/// the sprint's start, its answer due at 2 h).
#[test]
fn an_item_whose_answer_comes_as_its_work_ends_is_done_then() {
    let s = quiet("aligned");
    let model = Model::new(&s);
    let hours = model.sprint_hours;
    let mut ws = Workspace::new();
    let mut events = Vec::new();
    let mut r = Run::new(&model, &RunKeys::new(131, 0), &mut ws, &mut events);
    r.sprint = 1;
    r.lane_rate = 0.5;
    let i = only_ready(&mut r);
    let it = &mut r.ws.items[i as usize];
    it.remaining = 1.0;
    it.answer_at = hours + 2.0;
    let id = it.id;
    r.ws.committed.clear();
    r.ws.committed.push(i);
    r.committed_from = 0;
    r.execute();
    let it = &r.ws.items[i as usize];
    assert_eq!(it.status, Status::Done);
    assert_eq!((it.finish_hour, it.blocked_hours), (hours + 2.0, 0.0));
    let blocked = r
        .tracer
        .inner
        .iter()
        .any(|e| matches!(*e, Event::Blocked { item, .. } if item == id));
    assert!(!blocked, "the item waited");
}

/// 13.5's draws: a conflict's delay is e^(ln escalation_hours + σz), so exactly
/// escalation_hours at σ = 0, and none at escalation_hours 0. The first conflict drawn
/// strikes at the hour u · sprint hours, u the second uniform of the sprint's keyed stream
/// (after the count), and injects when the third is below conflict_inject_share: not at a
/// share equal to it, at the next float above it.
#[test]
fn a_conflicts_hour_delay_and_injection_follow_its_draws() {
    for (escalation, want) in [(6.0, 6.0), (0.0, 0.0)] {
        let mut s = quiet("aligned");
        s.roles.conflicts_per_sprint = 3.0;
        s.roles.escalation_hours = escalation;
        s.roles.escalation_sigma = 0.0;
        let model = Model::new(&s);
        let mut ws = Workspace::new();
        let mut quiet = NoTrace;
        let mut r = Run::new(&model, &RunKeys::new(137, 0), &mut ws, &mut quiet);
        let mut n = 0;
        for sprint in 0..6 {
            r.sprint = sprint;
            r.draw_conflicts();
            for c in &r.ws.conflicts {
                assert!((c.delay - want).abs() <= 1e-12 * want, "{c:?}");
                n += 1;
            }
        }
        assert!(n >= 6, "{n} conflicts");
    }
    let keys = RunKeys::new(139, 0);
    let mut g = keys.keyed(Source::Conflicts, 2, 0);
    let (_, at, u) = (g.unit(), g.unit(), g.unit());
    for (share, inject) in [(u, false), (u.next_up(), true)] {
        let mut s = quiet("aligned");
        s.roles.conflicts_per_sprint = 3.0;
        s.roles.conflict_inject_share = share;
        let model = Model::new(&s);
        let mut ws = Workspace::new();
        let mut quiet = NoTrace;
        let mut r = Run::new(&model, &keys, &mut ws, &mut quiet);
        r.sprint = 2;
        r.draw_conflicts();
        let first =
            r.ws.conflicts
                .iter()
                .find(|c| c.index == 0)
                .expect("a conflict in sprint 2");
        assert_eq!(first.inject, inject, "share {share}, the draw {u}");
        assert_eq!(first.hour, at * model.sprint_hours, "the hour's draw {at}");
    }
}

/// The snap that finishes work within rounding of its end is for the sprint's end, not for a
/// question: a question just before the end of an item is asked. A 1-SP item with its
/// question at the last f32 below 1 (2⁻²⁴ SP before its end), worked at 2 SP/h: the question
/// comes 2⁻²⁵ h before the item's end (inside the snap's 10⁻⁹ · 80 h), the item waits the 2 h
/// of the answer and is done at 2.5 h.
#[test]
fn a_question_just_before_an_items_end_is_asked() {
    let mut s = quiet("aligned");
    s.team.guess_after_hours = 0.0;
    s.po.decision_latency_hours = 2.0;
    s.po.decision_latency_sigma = 0.0;
    let model = Model::new(&s);
    assert_eq!(model.availability, 1.0);
    let hours = model.sprint_hours;
    let mut ws = Workspace::new();
    let mut events = Vec::new();
    let mut r = Run::new(&model, &RunKeys::new(149, 0), &mut ws, &mut events);
    r.sprint = 1;
    r.lane_rate = 2.0;
    r.queue_factor = 1.0;
    let i = only_ready(&mut r);
    let at = 1.0f32 - f32::EPSILON / 2.0;
    assert!(at < 1.0 && (1.0 - at as f64) / 2.0 < 1e-9 * hours);
    let it = &mut r.ws.items[i as usize];
    it.status = Status::InProgress;
    it.size = 1.0;
    it.remaining = 1.0;
    it.work_done = 0.0;
    it.questions = 1;
    it.next_question = 0;
    it.question_at[0] = at;
    let id = it.id;
    r.ws.committed.clear();
    r.ws.committed.push(i);
    r.committed_from = 0;
    r.execute();
    let asked: Vec<f64> = r
        .tracer
        .inner
        .iter()
        .filter_map(|e| match *e {
            Event::Blocked {
                item,
                hour,
                cause: BlockCause::Question,
                ..
            } if item == id => Some(hour),
            _ => None,
        })
        .collect();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert!((asked[0] - at as f64 / 2.0).abs() < 1e-12, "{asked:?}");
    let it = &r.ws.items[i as usize];
    assert_eq!(it.status, Status::Done);
    assert!(
        (it.finish_hour - (hours + 2.5)).abs() < 1e-9,
        "{}",
        it.finish_hour
    );
}
