use super::*;
use crate::engine::metrics::{metric_index, METRICS};

#[test]
fn typical_is_nearest_the_median_and_worst_follows_the_direction() {
    let ve = &METRICS[metric_index("value_efficiency").unwrap()];
    let v = [0.9, 0.2, f64::NAN, 0.55, 0.6, 0.7];
    // Median of the five values: 0.6 (run 5).
    assert_eq!(pick_run(RunPick::Typical, &v, ve).unwrap().0, 5);
    assert_eq!(pick_run(RunPick::Worst, &v, ve).unwrap().0, 2);
    let delay = &METRICS[metric_index("release_delay_sprints").unwrap()];
    let d = [3.0, 9.0, f64::NAN, 1.0];
    // An unfinished release is the worst delay.
    let (k, why) = pick_run(RunPick::Worst, &d, delay).unwrap();
    assert_eq!(k, 3);
    assert!(why.contains("not done"), "{why}");
    let d = [3.0, 9.0, 1.0];
    assert_eq!(pick_run(RunPick::Worst, &d, delay).unwrap().0, 2);
    assert_eq!(pick_run(RunPick::Number(7), &d, delay).unwrap().0, 7);
    assert!(pick_run(RunPick::Typical, &[f64::NAN], ve).is_err());
    assert_eq!("typical".parse::<RunPick>(), Ok(RunPick::Typical));
    assert_eq!("Worst".parse::<RunPick>(), Ok(RunPick::Worst));
    assert_eq!("12".parse::<RunPick>(), Ok(RunPick::Number(12)));
    assert!("typicl".parse::<RunPick>().is_err());
}

/// Counts of one take the singular: "1 question waited … and was worked on a guess; 1
/// guess was wrong", "1 wait", "1 new item arrived"; two the plural.
#[test]
fn a_sprints_counts_agree_with_their_nouns() {
    let scenario = crate::scenario::load::load_scenario("aligned").unwrap();
    let guessed = |hour: f64, wrong: bool| Event::Guessed {
        sprint: 0,
        hour,
        item: 3,
        wrong,
        rework: 1.0,
    };
    let blocked = |hour: f64| Event::Blocked {
        sprint: 0,
        hour,
        item: 3,
        hours: 2.0,
        cause: BlockCause::Question,
    };
    let told = |events: Vec<Event>| {
        let story = Story {
            scenario: scenario.clone(),
            events,
            record: RunRecord {
                metrics: [f64::NAN; crate::engine::metrics::N_METRICS],
            },
        };
        let first = tell(&story).swap_remove(0);
        [first.market, first.waiting].concat().join(" | ")
    };
    let one = told(vec![
        Event::Arrived {
            sprint: 0,
            count: 1,
        },
        guessed(1.0, true),
        blocked(2.0),
    ]);
    for phrase in [
        "1 new item arrived",
        "1 question waited more than",
        "and was worked on a guess; 1 guess was wrong",
        "1 wait, 2.0 h in all",
    ] {
        assert!(one.contains(phrase), "{phrase:?} in {one}");
    }
    let two = told(vec![
        Event::Arrived {
            sprint: 0,
            count: 2,
        },
        guessed(1.0, true),
        guessed(2.0, true),
        blocked(2.0),
        blocked(3.0),
    ]);
    for phrase in [
        "2 new items arrived",
        "2 questions waited more than",
        "and were worked on a guess; 2 guesses were wrong",
        "2 waits, 4.0 h in all",
    ] {
        assert!(two.contains(phrase), "{phrase:?} in {two}");
    }
}

#[test]
fn the_story_becomes_tables() {
    let md = "# The story of run 1: a vs b\n\nSeed 1, run `1`.\n\n| the year in numbers | a | b |\n|---|---|---|\n| points done | 1 | 2 |\n\n## Sprint 1\n\n- **Planning**: capacity 3 SP <x>\n- **Released**: 2 items\n";
    let h = story_html(md);
    assert!(!h.contains("<pre"));
    assert!(!h.contains("The story of run"));
    assert_eq!(h.matches("<table").count(), 2);
    assert!(h.contains("<tr><th>the year in numbers</th><th>a</th><th>b</th></tr>"));
    assert!(h.contains("<tr><th>points done</th><td>1</td><td>2</td></tr>"));
    assert!(h.contains("<h3>Sprint 1</h3>"));
    assert!(h.contains("<tr><th>Planning</th><td>capacity 3 SP &lt;x&gt;</td></tr>"));
    assert!(h.contains("run <code>1</code>"));
}
