//! Sprint steps on hand-built states, planning and recording (issue 16, mutation run 11):
//! users' reports of escaped defects, a lane at the sprint's end, an item finished on a
//! guess that waits for its answer, planning's ready buffer, misalignment, churn, pressure
//! and unplanned scope, release's counts, the top-value decile; and two pure functions of
//! `metrics.rs` (the row after an early stop, the velocity CV).

use super::super::Run;
use super::{cold, quiet};
use crate::engine::trace::{BlockCause, Event, NoTrace};
use crate::engine::workspace::Workspace;
use crate::model::compiled::Model;
use crate::model::item::{ItemKind, Status};
use crate::random::{RunKeys, Source};

/// The first `n` waiting backlog items on a run's active list: the work a planning test sets
/// up by hand.
fn waiting_work<T: crate::engine::trace::Tracer>(r: &Run<'_, T>, n: usize) -> Vec<u32> {
    r.ws.active
        .iter()
        .copied()
        .filter(|&i| {
            let it = &r.ws.items[i as usize];
            it.is_backlog_work() && it.status == Status::Waiting
        })
        .take(n)
        .collect()
}

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
        let i = super::only_ready(&mut r);
        let it = &mut r.ws.items[i as usize];
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
    let i = super::only_ready(&mut r);
    let it = &mut r.ws.items[i as usize];
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

/// After an early stop the rows repeat the last one with a sprint's flows (velocity,
/// committed, done, decision wait, churn) at 0; stocks keep their value and series without
/// values stay empty.
#[test]
fn the_row_after_a_stop_zeroes_the_flows_and_keeps_the_stocks() {
    use crate::engine::metrics::{row_after_stop, series, N_SERIES};
    let mut last = [0.0; N_SERIES];
    for (k, v) in last.iter_mut().enumerate() {
        *v = 10.0 + k as f64;
    }
    last[series::ROADMAP_CHANGE] = f64::NAN;
    last[series::PRIORITY_CHURN] = f64::NAN;
    let row = row_after_stop(&last);
    for (k, &v) in row.iter().enumerate() {
        let flow = [
            series::VELOCITY,
            series::COMMITTED,
            series::DONE,
            series::DECISION_WAIT,
        ]
        .contains(&k);
        match k {
            series::ROADMAP_CHANGE | series::PRIORITY_CHURN => assert!(v.is_nan(), "{k}"),
            _ if flow => assert_eq!(v, 0.0, "{k}"),
            _ => assert_eq!(v, 10.0 + k as f64, "{k}"),
        }
    }
    // Churn with a value is a flow too.
    last[series::PRIORITY_CHURN] = 3.0;
    assert_eq!(row_after_stop(&last)[series::PRIORITY_CHURN], 0.0);
}

/// The velocity CV: the sample standard deviation over the mean. Velocities 2, 4, 6 and 9:
/// mean 5.25, sample variance 26.75 / 3; none for one sprint or no work.
#[test]
fn velocity_cv_is_the_sample_sd_over_the_mean() {
    use crate::engine::metrics::velocity_cv;
    let want = (26.75f64 / 3.0).sqrt() / 5.25;
    assert!((velocity_cv(&[2.0, 4.0, 6.0, 9.0]) - want).abs() < 1e-15);
    assert_eq!(velocity_cv(&[3.0, 3.0]), 0.0);
    assert!(velocity_cv(&[3.0]).is_nan());
    assert!(velocity_cv(&[0.0, 0.0, 0.0]).is_nan());
    assert!(velocity_cv(&[]).is_nan());
}

/// Ranking τ at sprint 3 is measured against sprint 3's market: τ of the true scores (true
/// value and weights over the estimate) of the first 20 waiting, planned items of the order,
/// recomputed plainly; with sprint 0's weights it differs in some runs.
#[test]
fn ranking_tau_uses_the_current_sprints_market() {
    use crate::model::roles::{order_tau, true_score};
    let mut s = cold("aligned");
    s.release.scope_first = false;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut other = 0;
    for run in 0..20 {
        let mut quiet = NoTrace;
        let mut r = Run::new(&model, &RunKeys::new(101, run), &mut ws, &mut quiet);
        r.sprint = 3;
        let order: Vec<u32> =
            r.ws.active
                .iter()
                .copied()
                .filter(|&i| {
                    let it = &r.ws.items[i as usize];
                    it.status == Status::Waiting && !it.top
                })
                .collect();
        assert!(order.len() > 25);
        r.ws.order.clone_from(&order);
        r.measure_order();
        let k = r.themes;
        let tau = |sprint: usize| {
            let w = &r.ws.world.market[sprint * k..(sprint + 1) * k];
            let scores: Vec<f64> = order
                .iter()
                .map(|&i| {
                    let it = &r.ws.items[i as usize];
                    true_score(it, w, 3, &s.backlog.urgency) * it.size.max(0.1)
                        / it.estimate.max(0.1)
                })
                .filter(|&t| t != 0.0)
                .take(20)
                .collect();
            assert_eq!(scores.len(), 20);
            order_tau(&scores).unwrap()
        };
        assert_eq!(r.t.tau_n, 1, "run {run}");
        assert_eq!(r.t.tau_sum, tau(3), "run {run}");
        other += (tau(0) != tau(3)) as u32;
    }
    assert!(other > 0, "sprint 0's market gave the same τ in every run");
}

/// Planning measures the ready buffer against the commitment still open after the
/// spillover: commitment 20 SP, 12 SP of work in progress, so 8 SP open. Six unready items
/// of 1 SP come first in the order, then one ready item. With 8 SP ready the buffer is full
/// (p = 0: no unready item taken); with 4 SP ready, p = 1 − 4/8 = 0.5, and the unready items
/// taken are exactly those whose planning draw is under 0.5.
#[test]
fn the_ready_buffer_is_measured_against_the_commitment_left_after_the_spillover() {
    use crate::random::keyed_from;
    let mut s = cold("aligned");
    s.po.take_unready = 0.0;
    s.po.unready_per_buffer_shortfall = 1.0;
    s.team.commitment_factor = 1.0;
    s.team.velocity_window = 3;
    s.backlog.split_rate = 0.0;
    s.roles.misalignment_ambiguity = 0.0;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    for (ready_points, p) in [(8.0, 0.0), (4.0, 0.5)] {
        let mut quiet = NoTrace;
        let mut r = Run::new(&model, &RunKeys::new(103, 0), &mut ws, &mut quiet);
        r.sprint = 2;
        r.ws.velocities.clear();
        r.ws.velocities.push(20.0);
        let work = waiting_work(&r, 8);
        for (n, &i) in work.iter().enumerate() {
            let it = &mut r.ws.items[i as usize];
            let points = match n {
                0 => 12.0,
                7 => ready_points,
                _ => 1.0,
            };
            (it.size, it.estimate, it.remaining) = (points, points, points);
            it.top = false;
            it.in_scope = true;
            it.split_checked = true;
            it.ready = n == 7;
        }
        r.ws.items[work[0] as usize].status = Status::InProgress;
        r.ws.committed.clear();
        r.ws.committed.push(work[0]);
        r.ws.order.clear();
        r.ws.order.extend_from_slice(&work[1..]);
        let draw =
            |r: &Run<'_, NoTrace>, i: u32| keyed_from(r.ws.items[i as usize].plan_key, 2).unit();
        let want: Vec<u32> = work[1..7]
            .iter()
            .copied()
            .filter(|&i| draw(&r, i) < p)
            .collect();
        // The test can tell: a buffer measured against all 20 SP (or 32) would give p ≥ 0.6.
        assert!(
            work[1..7].iter().any(|&i| (p..0.6).contains(&draw(&r, i))),
            "no draw between {p} and 0.6"
        );
        r.plan();
        let taken: Vec<u32> = work[1..7]
            .iter()
            .copied()
            .filter(|&i| r.ws.items[i as usize].committed_points > 0.0)
            .collect();
        assert_eq!(taken, want, "{ready_points} SP ready");
        assert_eq!(r.t.committed_unready, want.len() as u32);
        assert_eq!(r.ws.committed[0], work[0], "the spillover first");
    }
}

/// Misalignment at planning (§13.2): with a PM whose hand-over is imperfect (fidelity
/// 0.5 < 1), a planned item of a theme the PM and the PO rank differently gains
/// (1 − fidelity) × misalignment_ambiguity = 0.2 of ambiguity and stays ready only at or
/// under the threshold 0.25 (0.1 → 0.3: not ready; 0 → 0.2: ready), or when every item is
/// ready by construction; an item of a theme both rank alike is left alone. At fidelity 1,
/// none.
#[test]
fn planning_adds_misalignment_ambiguity_to_themes_ranked_apart() {
    for (fidelity, all_ready, gain) in [(0.5, false, 0.2), (0.5, true, 0.2), (1.0, false, 0.0)] {
        let mut s = cold("aligned");
        assert!(s.pm.enabled);
        s.pm.sync_fidelity = fidelity;
        s.roles.misalignment_ambiguity = 0.4;
        s.backlog.ready_threshold = 0.25;
        s.team.commitment_factor = 1.0;
        s.backlog.split_rate = 0.0;
        let mut model = Model::new(&s);
        assert!(!model.all_ready);
        model.all_ready = all_ready;
        let mut ws = Workspace::new();
        let mut quiet = NoTrace;
        let mut r = Run::new(&model, &RunKeys::new(107, 0), &mut ws, &mut quiet);
        r.sprint = 2;
        r.ws.velocities.clear();
        r.ws.velocities.push(20.0);
        r.ws.committed.clear();
        let work = waiting_work(&r, 3);
        // (theme, ambiguity): two items of theme 0, one of theme 1.
        for (&i, (theme, ambiguity)) in work.iter().zip([(0, 0.1), (0, 0.0), (1, 0.1)]) {
            let it = &mut r.ws.items[i as usize];
            (it.size, it.estimate, it.remaining) = (1.0, 1.0, 1.0);
            (it.top, it.in_scope, it.split_checked, it.ready) = (false, true, true, true);
            it.ambiguity = ambiguity;
            it.theme = theme;
        }
        // Theme 0 ranked apart, theme 1 alike.
        (r.ws.pm_rank[0], r.ws.po_rank[0]) = (0, 1);
        (r.ws.pm_rank[1], r.ws.po_rank[1]) = (1, 1);
        r.ws.order.clear();
        r.ws.order.extend_from_slice(&work);
        r.plan();
        let it = |n: usize| &r.ws.items[work[n] as usize];
        assert!((0..3).all(|n| it(n).committed_points > 0.0));
        let case = format!("fidelity {fidelity}, all ready {all_ready}");
        assert!((it(0).ambiguity - (0.1 + gain)).abs() < 1e-12, "{case}");
        assert_eq!(it(0).ready, all_ready || gain == 0.0, "{case}");
        assert!((it(1).ambiguity - gain).abs() < 1e-12, "{case}");
        assert!(it(1).ready, "{case}");
        assert_eq!((it(2).ambiguity, it(2).ready), (0.1, true), "{case}");
    }
}

/// Priority churn at planning: of last sprint's watch list (four items), the share still
/// waiting and not committed now. One is committed, one is too big for the commitment, one
/// is not in the order any more, one is done: churn 2/4, added to the run's sum (0.25 before,
/// 0.75 after, over 2 plannings) and written to the sprint's row.
#[test]
fn priority_churn_is_the_share_of_the_watch_list_passed_over() {
    use crate::engine::metrics::series;
    let mut s = cold("aligned");
    s.team.commitment_factor = 1.0;
    s.backlog.split_rate = 0.0;
    s.roles.misalignment_ambiguity = 0.0;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &RunKeys::new(109, 0), &mut ws, &mut quiet);
    r.sprint = 2;
    r.ws.velocities.clear();
    r.ws.velocities.push(20.0);
    r.ws.committed.clear();
    let work = waiting_work(&r, 4);
    for (&i, points) in work.iter().zip([1.0, 30.0, 1.0, 1.0]) {
        let it = &mut r.ws.items[i as usize];
        (it.size, it.estimate, it.remaining) = (points, points, points);
        (it.top, it.in_scope, it.split_checked, it.ready) = (false, true, true, true);
    }
    r.ws.items[work[3] as usize].status = Status::Done;
    r.ws.order.clear();
    r.ws.order.extend_from_slice(&work[..2]);
    r.ws.prev_top.clone_from(&work);
    (r.t.churn_sum, r.t.churn_n) = (0.25, 1);
    r.plan();
    assert!(r.ws.items[work[0] as usize].committed_points > 0.0);
    assert_eq!(r.ws.items[work[1] as usize].committed_points, 0.0);
    assert_eq!((r.t.churn_sum, r.t.churn_n), (0.75, 2));
    assert_eq!(r.ws.series.last().unwrap()[series::PRIORITY_CHURN], 0.5);
    // The new watch list: the ready item left waiting.
    assert_eq!(r.ws.prev_top, [work[1]]);
}

/// Schedule pressure after planning: committed points over the commitment, less 1, at
/// least 0. Commitment 20 SP: 30 SP of spillover gives 0.5, 10 SP gives 0.
#[test]
fn pressure_is_the_overcommitment_of_planning() {
    let mut s = cold("aligned");
    s.team.commitment_factor = 1.0;
    s.backlog.split_rate = 0.0;
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    for (spill, want) in [(30.0, 0.5), (10.0, 0.0)] {
        let mut quiet = NoTrace;
        let mut r = Run::new(&model, &RunKeys::new(113, 0), &mut ws, &mut quiet);
        r.sprint = 2;
        r.pressure = 0.25;
        r.ws.velocities.clear();
        r.ws.velocities.push(20.0);
        let i =
            r.ws.active
                .iter()
                .copied()
                .find(|&i| r.ws.items[i as usize].is_backlog_work())
                .unwrap();
        let it = &mut r.ws.items[i as usize];
        (it.size, it.estimate, it.remaining) = (spill, spill, spill);
        it.status = Status::InProgress;
        r.ws.committed.clear();
        r.ws.committed.push(i);
        r.ws.order.clear();
        r.plan();
        assert_eq!(r.pressure, want, "{spill} SP of spillover");
    }
}

/// Worth doing, the case `worth_doing_needs_a_positive_score_outside_the_scope` leaves out:
/// unplanned work that is also in the release scope, of no worth to the PO, is worth doing.
#[test]
fn unplanned_work_in_the_scope_is_worth_doing_whatever_its_score() {
    use super::super::planning::worth_doing;
    let s = cold("aligned");
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let r = Run::new(&model, &RunKeys::new(43, 0), &mut ws, &mut quiet);
    let mut it = r.ws.items[0];
    for score in [-1.0, 0.0, 1.0] {
        (it.top, it.in_scope, it.score) = (true, true, score);
        assert!(worth_doing(&it), "score {score}");
    }
}

/// The top value decile's lead time counts world items only: a bug of the highest value
/// (an internal item, not done) is left out of the decile and of its size ⌈n/10⌉.
#[test]
fn the_top_value_decile_is_of_world_items_only() {
    use crate::engine::metrics::idx;
    use crate::model::item::INTERNAL_ID;
    let s = quiet("aligned");
    let model = Model::new(&s);
    let (h, d) = (model.sprint_hours, s.simulation.hours_per_day);
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &RunKeys::new(127, 0), &mut ws, &mut quiet);
    for _ in 0..s.simulation.sprints {
        r.push_series_committed(0.0, 0.0);
    }
    for it in r.ws.items.iter_mut() {
        it.status = Status::Waiting;
    }
    let done = r.ws.active[0] as usize;
    let it = &mut r.ws.items[done];
    (it.status, it.created, it.start_hour, it.finish_hour) = (Status::Done, 0, 0.0, 2.0 * d);
    it.value = 1e6;
    r.add_bug(1.0, false);
    let bug = r.ws.items.len() - 1;
    assert!(r.ws.items[bug].id >= INTERNAL_ID);
    r.ws.items[bug].value = 1e9;
    let horizon = s.simulation.sprints as f64 * h;
    let top_lead = |with_bug: bool| {
        let mut items: Vec<(f64, f64)> =
            r.ws.items
                .iter()
                .filter(|it| with_bug || it.id < INTERNAL_ID)
                .map(|it| {
                    let end = if it.status == Status::Done {
                        it.finish_hour
                    } else {
                        horizon
                    };
                    (it.value, (end - it.created as f64 * h) / d)
                })
                .collect();
        items.sort_by(|a, b| b.0.total_cmp(&a.0));
        let n_top = items.len().div_ceil(10);
        items[..n_top].iter().map(|w| w.1).sum::<f64>() / n_top as f64
    };
    let want = top_lead(false);
    assert_ne!(want, top_lead(true));
    let m = r.finish(None).metrics;
    let got = m[idx::TOP_VALUE_LEAD];
    assert!((got - want).abs() < 1e-9 * want, "{got} ≠ {want}");
}

/// The sprint's row after release: the backlog is the active items not done, the ready items
/// those of them waiting and ready (an item in progress or done does not count, ready or not).
#[test]
fn release_counts_the_backlog_and_its_ready_waiting_items() {
    use crate::engine::metrics::series;
    let s = quiet("aligned");
    let model = Model::new(&s);
    let mut ws = Workspace::new();
    let mut quiet = NoTrace;
    let mut r = Run::new(&model, &RunKeys::new(131, 0), &mut ws, &mut quiet);
    r.push_series_committed(0.0, 0.0);
    let active = r.ws.active.clone();
    assert!(active.len() > 20);
    let (mut backlog, mut ready) = (0, 0);
    for (n, &i) in active.iter().enumerate() {
        let it = &mut r.ws.items[i as usize];
        it.ready = n % 2 == 0;
        it.status = match n % 5 {
            0 => Status::Done,
            1 => Status::InProgress,
            _ => Status::Waiting,
        };
        backlog += (it.status != Status::Done) as u32;
        ready += (it.ready && it.status == Status::Waiting) as u32;
    }
    assert!(ready > 3);
    r.release();
    let row = r.ws.series.last().unwrap();
    assert_eq!(row[series::BACKLOG_SIZE], backlog as f64);
    assert_eq!(row[series::READY_ITEMS], ready as f64);
    assert_eq!(r.ws.active.len() as u32, backlog);
}

/// Planning checks each item it commits for a split, once: when the scenario splits nothing
/// (rate 0) the item is only marked checked; when it splits every item (rate 1) the item is
/// split, its parts joining the backlog.
#[test]
fn planning_checks_the_items_it_commits_for_a_split() {
    for rate in [0.0, 1.0] {
        let mut s = cold("aligned");
        s.backlog.split_rate = rate;
        let model = Model::new(&s);
        let mut ws = Workspace::new();
        let mut quiet = NoTrace;
        let mut r = Run::new(&model, &RunKeys::new(9, 0), &mut ws, &mut quiet);
        r.sprint = 1;
        r.ws.committed.clear();
        let work = waiting_work(&r, 2);
        for &i in &work {
            let it = &mut r.ws.items[i as usize];
            (it.size, it.estimate, it.remaining) = (1.0, 1.0, 1.0);
            (it.top, it.in_scope, it.split_checked, it.ready) = (false, true, false, true);
        }
        r.ws.order.clear();
        r.ws.order.extend_from_slice(&work);
        let before = r.ws.items.len();
        r.plan();
        let first = &r.ws.items[work[0] as usize];
        assert!(first.committed_points > 0.0, "rate {rate}: committed");
        assert!(first.split_checked, "rate {rate}: checked");
        if rate == 0.0 {
            assert_eq!(r.ws.items.len(), before, "nothing split");
        } else {
            assert!(r.ws.items.len() > before, "split into parts");
        }
    }
}
