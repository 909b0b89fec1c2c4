//! Step 8, quality at finish, on hand-built states (issue 16, mutation run 14a): fixes of
//! defects found in the sprint, an item done at once, a bad fix, and what counts as rework.

use super::super::Run;
use super::quiet;
use crate::engine::trace::NoTrace;
use crate::engine::workspace::Workspace;
use crate::model::compiled::Model;
use crate::model::item::{ItemKind, Status};
use crate::random::RunKeys;

/// Step 8 on a feature with defects found in the sprint: n defects (the quality model's draw
/// for the item) add n × fix_points (3 SP each) of work and fixes, and the item stays on its
/// lane; when that work is done it finishes, and the fixes (not its size) count as rework.
#[test]
fn in_sprint_defects_add_their_fixes_before_the_item_is_done() {
    let mut s = quiet("aligned");
    s.quality.defects_per_point = 1.0;
    s.quality.found_in_sprint = 1.0;
    s.quality.found_later = 0.0;
    s.quality.bad_fix_probability = 0.0;
    s.quality.fix_points = 3.0;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &RunKeys::new(199, 0), &mut ws, &mut quiet);
    r.sprint = 1;
    r.pressure = 0.0;
    let i = first_feature(&r);
    let it = &mut r.ws.items[i as usize];
    it.size = 5.0;
    it.status = Status::InProgress;
    it.remaining = 0.0;
    let it = r.ws.items[i as usize];
    let d = crate::model::quality::defects_at_finish(
        it.id,
        it.size,
        it.ambiguity,
        0.0,
        &s.quality,
        &r.keys,
    );
    assert!(d.in_sprint > 0 && d.total() == d.in_sprint, "{d:?}");
    let fix = d.in_sprint as f64 * 3.0;
    let rework = r.t.rework;
    r.finish_item(i, model.sprint_hours + 2.0);
    let it = &r.ws.items[i as usize];
    assert_eq!(
        (it.status, it.remaining, it.fix_points),
        (Status::InProgress, fix, fix)
    );
    assert!(r.ws.finished.is_empty());
    assert_eq!(r.t.defects, d.in_sprint);
    // The fixes done: now it finishes, its fixes counted as rework once.
    r.ws.items[i as usize].remaining = 0.0;
    r.finish_item(i, model.sprint_hours + 5.0);
    let it = &r.ws.items[i as usize];
    assert_eq!((it.status, it.fix_points), (Status::Done, 0.0));
    assert_eq!(r.ws.finished, [i]);
    assert_eq!(r.t.rework - rework, fix);
    assert_eq!(r.t.defects, d.in_sprint);
}

/// An item finishes at once when no defect is found in the sprint (fix points or not), or
/// when fixes cost nothing (defects found in the sprint, fix_points 0).
#[test]
fn an_item_without_fix_work_is_done_at_once() {
    for (defects, fix_points) in [(0.0, 3.0), (1.0, 0.0)] {
        let mut s = quiet("aligned");
        s.quality.defects_per_point = defects;
        s.quality.found_in_sprint = 1.0;
        s.quality.found_later = 0.0;
        s.quality.fix_points = fix_points;
        let model = Model::new(&s);
        let mut ws = Workspace::new();
        let mut quiet = NoTrace;
        let mut r = Run::new(&model, &RunKeys::new(211, 0), &mut ws, &mut quiet);
        r.sprint = 1;
        let i = first_feature(&r);
        let it = &mut r.ws.items[i as usize];
        it.size = 5.0;
        it.status = Status::InProgress;
        it.remaining = 0.0;
        r.finish_item(i, model.sprint_hours + 2.0);
        let it = &r.ws.items[i as usize];
        assert_eq!(
            (it.status, it.remaining, it.fix_points),
            (Status::Done, 0.0, 0.0),
            "defects per point {defects}, fix points {fix_points}"
        );
        assert_eq!(r.ws.finished, [i]);
        assert_eq!(r.t.defects > 0, defects > 0.0, "{}", r.t.defects);
    }
}

/// A fix that breeds a defect (bad_fix_probability 1) counts one defect, found later (bug
/// work at the next arrivals); at 0 none.
#[test]
fn a_bad_fix_counts_a_defect_found_later() {
    for (p, want) in [(1.0, 1), (0.0, 0)] {
        let mut s = quiet("aligned");
        s.quality.bad_fix_probability = p;
        let model = Model::new(&s);
        let mut ws = Workspace::new();
        let mut quiet = NoTrace;
        let mut r = Run::new(&model, &RunKeys::new(223, 0), &mut ws, &mut quiet);
        r.sprint = 1;
        r.add_bug(2.0, false);
        let b = r.ws.items.len() as u32 - 1;
        r.ws.items[b as usize].remaining = 0.0;
        r.finish_item(b, model.sprint_hours + 1.0);
        assert_eq!((r.t.defects, r.t.pending_later), (want, want), "p {p}");
        assert_eq!(r.t.escaped + r.t.pending_escaped, 0);
        assert_eq!(r.ws.items[b as usize].status, Status::Done);
    }
}

/// A finished redo counts its whole size as rework, and any item's work on a wrong guess
/// counts too (a feature's own size does not).
#[test]
fn a_redo_and_work_on_a_wrong_guess_count_as_rework() {
    let mut s = quiet("aligned");
    s.quality.wrong_build_base = 1.0;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &RunKeys::new(227, 0), &mut ws, &mut quiet);
    r.sprint = 1;
    let i = first_feature(&r);
    r.ws.items[i as usize].guess_rework = 1.5;
    r.finish_item(i, model.sprint_hours + 1.0);
    assert_eq!(r.t.rework, 1.5);
    let redo = r.ws.items.len() as u32 - 1;
    let it = &mut r.ws.items[redo as usize];
    assert_eq!(it.kind, ItemKind::Redo);
    assert!(it.size > 0.0 && it.size != 1.5);
    let size = it.size;
    it.guess_rework = 0.25;
    r.finish_item(redo, model.sprint_hours + 2.0);
    assert_eq!(r.t.rework, 1.5 + size + 0.25);
}

fn first_feature<T: crate::engine::trace::Tracer>(r: &Run<'_, T>) -> u32 {
    r.ws.active
        .iter()
        .copied()
        .find(|&i| r.ws.items[i as usize].kind == ItemKind::Feature)
        .unwrap()
}
