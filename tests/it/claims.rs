//! The claims the tool exists to show (reference model, section 5), with common random
//! numbers: aligned roles beat every failure mode on value efficiency and release delay, and
//! each archetype shows its signature. Every claim is checked at each of three seeds (300
//! replications each), so none holds by the luck of one seed; each archetype's own
//! signature is judged on its own runs (against its own start, or against the others), not
//! by what aligned happens to do.

use crate::common::{column, paired, preset, simulate_keeping, Collect, Paired};
use backsim::engine::metrics::{idx, series, METRICS};

const ARCHETYPES: [&str; 4] = ["aligned", "siloed-pm", "overloaded-po", "blurred-roles"];

/// Velocity over the last quarter of the year.
const LATE_SPRINTS: usize = 6;

fn archetypes(seed: u64, runs: u64) -> Collect {
    let scenarios: Vec<_> = ARCHETYPES.iter().map(|n| preset(n)).collect();
    simulate_keeping(
        &scenarios,
        seed,
        runs,
        &[series::VELOCITY, series::ROADMAP_CHANGE, series::TECH_DEBT],
    )
}

/// Metric m of scenario s; censored completion and delay count as horizon + 1 (as in
/// compare.csv: a restricted mean).
fn values(c: &Collect, s: usize, m: usize) -> Vec<f64> {
    let col = column(&c.runs, s, m);
    if METRICS[m].censored {
        let sc = preset(ARCHETYPES[s]);
        let h = sc.simulation.sprints as f64 + 1.0;
        let fill = if m == idx::COMPLETION_SPRINT {
            h
        } else {
            h - sc.release.planned_sprint.unwrap_or(0) as f64
        };
        col.into_iter()
            .map(|x| if x.is_nan() { fill } else { x })
            .collect()
    } else {
        col
    }
}

fn diff(c: &Collect, a: usize, b: usize, m: usize) -> Paired {
    paired(&values(c, a, m), &values(c, b, m))
}

/// Positions of the kept series in `Collect::kept`.
const KEPT_VELOCITY: usize = 0;
const KEPT_ROADMAP: usize = 1;
const KEPT_DEBT: usize = 2;

/// Tech debt at the end of the horizon minus after the first sprint, per replication: the
/// debt a scenario built up over the year, judged against its own start.
fn debt_growth(c: &Collect, s: usize) -> Vec<f64> {
    c.kept
        .iter()
        .map(|r| {
            let d = &r[s][KEPT_DEBT];
            d[d.len() - 1] - d[0]
        })
        .collect()
}

/// Per replication: the mean change of the PO's theme ranking in hand-over sprints (every
/// `interval` sprints from the second hand-over) minus its mean in the other sprints.
fn roadmap_sawtooth(c: &Collect, s: usize, interval: usize) -> Vec<f64> {
    c.kept
        .iter()
        .map(|r| {
            let change = &r[s][KEPT_ROADMAP];
            let (mut on, mut n_on, mut off, mut n_off) = (0.0, 0.0, 0.0, 0.0);
            for (t, &x) in change.iter().enumerate().skip(1) {
                if t % interval == 0 {
                    on += x;
                    n_on += 1.0;
                } else {
                    off += x;
                    n_off += 1.0;
                }
            }
            on / n_on - off / n_off
        })
        .collect()
}

/// Mean velocity over sprints [from, to) of scenario s, per replication.
fn velocity(c: &Collect, s: usize, from: usize, to: usize) -> Vec<f64> {
    c.kept
        .iter()
        .map(|r| r[s][KEPT_VELOCITY][from..to].iter().sum::<f64>() / (to - from) as f64)
        .collect()
}

/// Late-year velocity minus mid-year velocity: negative when velocity falls late in the year.
fn velocity_trend(c: &Collect, s: usize) -> Vec<f64> {
    let n = c.kept[0][s][KEPT_VELOCITY].len();
    let late = velocity(c, s, n - LATE_SPRINTS, n);
    let mid = velocity(c, s, 4, 4 + LATE_SPRINTS);
    late.iter().zip(&mid).map(|(l, m)| l - m).collect()
}

fn late(c: &Collect, s: usize) -> Vec<f64> {
    let n = c.kept[0][s][KEPT_VELOCITY].len();
    velocity(c, s, n - LATE_SPRINTS, n)
}

/// Defects created per delivered point.
fn defect_density(c: &Collect, s: usize) -> Vec<f64> {
    let d = column(&c.runs, s, idx::DEFECTS);
    let p = column(&c.runs, s, idx::POINTS_DONE);
    d.iter().zip(&p).map(|(d, p)| d / p).collect()
}

/// Seeds and replications of the claims: every claim must hold, with a 95 % paired CI
/// excluding 0, at each seed.
const SEEDS: [u64; 3] = [2026, 1, 2];
const RUNS: u64 = 300;

/// One comparison of the four archetypes per seed, shared by the tests below.
fn shared() -> &'static [Collect] {
    static C: std::sync::OnceLock<Vec<Collect>> = std::sync::OnceLock::new();
    C.get_or_init(|| SEEDS.iter().map(|&seed| archetypes(seed, RUNS)).collect())
}

/// Run `claim` on the comparison of every seed.
fn at_every_seed(claim: impl Fn(&Collect)) {
    for (c, seed) in shared().iter().zip(SEEDS) {
        println!("--- seed {seed}");
        claim(c);
    }
}

const ALIGNED: usize = 0;
const SILOED: usize = 1;
const OVERLOADED: usize = 2;
const BLURRED: usize = 3;

/// `a` differs from `b` in the stated direction, with a 95 % paired CI that excludes 0.
fn assert_above(p: Paired, what: &str) {
    println!("{what}: {p}");
    assert!(p.lo > 0.0, "{what}: expected > 0, got {p}");
}

fn assert_below(p: Paired, what: &str) {
    println!("{what}: {p}");
    assert!(p.hi < 0.0, "{what}: expected < 0, got {p}");
}

fn name(s: usize) -> &'static str {
    ARCHETYPES[s]
}

/// `s` is the highest (or, with `lowest`, the lowest) of the four on metric m.
fn assert_extreme(c: &Collect, s: usize, m: usize, lowest: bool) {
    for o in (0..4).filter(|&o| o != s) {
        let p = diff(c, s, o, m);
        let what = format!("{} {} − {}", METRICS[m].name, name(s), name(o));
        if lowest {
            assert_below(p, &what);
        } else {
            assert_above(p, &what);
        }
    }
}

#[test]
fn aligned_beats_every_archetype_on_value_efficiency_and_release_delay() {
    at_every_seed(|c| {
        for s in [SILOED, OVERLOADED, BLURRED] {
            assert_below(
                diff(c, s, ALIGNED, idx::VALUE_EFFICIENCY),
                &format!("value_efficiency {} − aligned", name(s)),
            );
            assert_above(
                diff(c, s, ALIGNED, idx::RELEASE_DELAY),
                &format!("release_delay_sprints {} − aligned", name(s)),
            );
        }
    });
}

#[test]
fn aligned_has_the_lowest_rework() {
    at_every_seed(|c| assert_extreme(c, ALIGNED, idx::REWORK_SHARE, true));
}

#[test]
fn siloed_pm_signature() {
    at_every_seed(|c| {
        assert_below(
            diff(c, SILOED, ALIGNED, idx::ON_STRATEGY),
            "on_strategy_share siloed − aligned",
        );
        // More wrong builds: the most of all four.
        assert_extreme(c, SILOED, idx::WRONG_BUILD_RATE, false);
        // High-value work arrives later.
        assert_above(
            diff(c, SILOED, ALIGNED, idx::TOP_VALUE_LEAD),
            "top_value_lead_time_days siloed − aligned",
        );
        // A saw-tooth at each hand-over: the PO's priorities (theme ranking) stand still between
        // syncs and jump at each one, where aligned's move a little every sprint. (Priority churn
        // of the order itself, series priority_churn, also rises at hand-overs but too little to
        // assert: +0.012 [−0.015, +0.039] against aligned at this seed.)
        let interval = preset("siloed-pm").pm.sync_interval as usize;
        assert_above(
            paired(
                &roadmap_sawtooth(c, SILOED, interval),
                &roadmap_sawtooth(c, ALIGNED, interval),
            ),
            "roadmap change at hand-over sprints minus other sprints, siloed − aligned",
        );
    });
}

#[test]
fn overloaded_po_signature() {
    at_every_seed(|c| {
        // More unready work: the largest share of items committed although not ready.
        assert_extreme(c, OVERLOADED, idx::UNREADY_SHARE, false);
        // The longest decision waits of all four.
        assert_extreme(c, OVERLOADED, idx::DECISION_WAIT, false);
        // More defects and rework (per delivered point: it delivers fewer points, so its defect
        // count is lower).
        assert_above(
            paired(&defect_density(c, OVERLOADED), &defect_density(c, ALIGNED)),
            "defects per point overloaded − aligned",
        );
        assert_above(
            diff(c, OVERLOADED, ALIGNED, idx::ESCAPED_PER_POINT),
            "escaped_defects_per_point overloaded − aligned",
        );
        assert_above(
            diff(c, OVERLOADED, ALIGNED, idx::REWORK_SHARE),
            "rework_share overloaded − aligned",
        );
        // Fewer enablers than anyone, so the most tech debt at the end of the year.
        assert_extreme(c, OVERLOADED, idx::ENABLER_SHARE, true);
        assert_extreme(c, OVERLOADED, idx::TECH_DEBT_END, false);
        // "Tech debt grows": judged against overloaded-po's own start, the model does NOT
        // produce this today. Every archetype starts with the same initial debt and pays it
        // down over the year; overloaded-po pays it down least (−11.9 SP [−12.9, −10.9] from
        // the end of sprint 1 to the horizon at seed 2026), so it ends with the most debt. What
        // is asserted is what the model produces: its own debt falls, and falls less than
        // aligned's and siloed-pm's (against blurred-roles the difference in the fall, +0.9
        // [−0.1, +1.9] at seed 2026, is within the noise; its end debt is still the higher,
        // see `tech_debt_end` above). (Issue 11 changes the debt mechanism; the first
        // assertion should then become growth.)
        let own_debt = paired(&debt_growth(c, OVERLOADED), &vec![0.0; RUNS as usize]);
        assert_below(own_debt, "tech debt end − start, overloaded-po (own)");
        for o in [ALIGNED, SILOED] {
            assert_above(
                paired(&debt_growth(c, OVERLOADED), &debt_growth(c, o)),
                &format!("tech debt growth overloaded − {}", name(o)),
            );
        }
        // "Velocity falls late in the year": judged against its own mid-year velocity, the
        // model does NOT produce this today. Overloaded-po's late-year velocity does not differ
        // from its own mid-year velocity beyond the noise (+0.12 SP [−0.40, +0.64] at seed
        // 2026, +0.41 and +0.23 at seeds 1 and 2): its debt falls over the year (see above). What is asserted is what the model produces: no fall beyond the sampling
        // error of its own trend. (Issue 11 changes the debt mechanism; this is where the
        // claim should then turn into `assert_below` on the own trend.)
        let own = paired(&velocity_trend(c, OVERLOADED), &vec![0.0; RUNS as usize]);
        println!("own velocity trend (late − mid), overloaded-po: {own}");
        assert!(
            own.hi > 0.0,
            "overloaded-po's own velocity now falls: {own}; update this claim"
        );
    });
}

#[test]
fn blurred_roles_signature() {
    at_every_seed(|c| {
        assert_extreme(c, BLURRED, idx::PRIORITY_CHURN, false);
        assert_extreme(c, BLURRED, idx::CAPACITY_LOST, false);
        assert_extreme(c, BLURRED, idx::VELOCITY_CV, false);
        assert_extreme(c, BLURRED, idx::SAY_DO, true);
    });
}

/// Exploration: every metric's paired difference against aligned, for several seeds.
/// `cargo test --release --test it explore_signatures -- --ignored --nocapture`
#[test]
#[ignore = "exploration: prints paired differences across seeds"]
fn explore_signatures() {
    for seed in [1u64, 2, 3] {
        let c = archetypes(seed, 400);
        println!("=== seed {seed}");
        for (m, info) in METRICS.iter().enumerate() {
            for (s, name) in ARCHETYPES.iter().enumerate().skip(1) {
                println!("{:<28} {name:<14} {}", info.name, diff(&c, s, 0, m));
            }
        }
        for (s, name) in ARCHETYPES.iter().enumerate().skip(1) {
            println!(
                "{:<28} {name:<14} {}",
                "late_velocity",
                paired(&late(&c, s), &late(&c, 0))
            );
            println!(
                "{:<28} {name:<14} {}",
                "velocity_trend",
                paired(&velocity_trend(&c, s), &velocity_trend(&c, 0))
            );
            println!(
                "{:<28} {name:<14} {}",
                "defect_density",
                paired(&defect_density(&c, s), &defect_density(&c, 0))
            );
        }
        for (s, name) in ARCHETYPES.iter().enumerate() {
            let t = velocity_trend(&c, s);
            println!(
                "own velocity trend {name:<14} {:+.3}",
                crate::common::mean(&t)
            );
        }
        // Pairwise among the failure modes, for the "most/highest/lowest" claims.
        for (a, b) in [(2, 1), (2, 3), (3, 1), (3, 2)] {
            for m in [
                idx::DECISION_WAIT,
                idx::PRIORITY_CHURN,
                idx::CAPACITY_LOST,
                idx::VELOCITY_CV,
                idx::SAY_DO,
                idx::REWORK_SHARE,
                idx::DEFECTS,
                idx::ENABLER_SHARE,
                idx::TECH_DEBT_END,
                idx::WRONG_BUILD_RATE,
            ] {
                println!(
                    "{:<28} {:<14} - {:<14} {}",
                    METRICS[m].name,
                    ARCHETYPES[a],
                    ARCHETYPES[b],
                    diff(&c, a, b, m)
                );
            }
        }
    }
}
