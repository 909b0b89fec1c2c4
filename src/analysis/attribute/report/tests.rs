use super::*;
use crate::analysis::attribute::Player;
use crate::engine::metrics::idx;

fn share(mean: f64, lo: f64, hi: f64) -> Share {
    Share {
        mean,
        ci95: (lo, hi),
    }
}

fn player(name: &str, meaning: &str, keys: &[&str]) -> Player {
    Player {
        name: name.into(),
        meaning: meaning.into(),
        keys: keys.iter().map(|k| k.to_string()).collect(),
    }
}

/// Two players and two metrics, numbers chosen by hand: the contributions add up to
/// the total, and scenario − baseline is the total.
fn outcome(by: By) -> AttributeOutcome {
    AttributeOutcome {
        by,
        scenario: "blurred, roles".into(),
        baseline: "aligned".into(),
        players: vec![
            player("hand-over", "the PO's <view>", &["pm.sync_fidelity"]),
            player(
                "PM \"override\"",
                "reorders",
                &["roles.pm_override", "pm.enabled"],
            ),
        ],
        metrics: vec![
            MetricAttribution {
                metric: idx::VALUE_EFFICIENCY,
                baseline_mean: 0.5,
                scenario_mean: 0.25,
                contributions: vec![share(-0.2, -0.3, -0.1), share(-0.05, -0.12, 0.02)],
                total: share(-0.25, -0.35, -0.15),
                n: 20,
            },
            MetricAttribution {
                metric: idx::RELEASE_DELAY,
                baseline_mean: 2.0,
                scenario_mean: 14.5,
                contributions: vec![share(12.5, 0.0, 25.0), share(0.0, -1.0, 1.0)],
                total: share(12.5, 10.0, 15.0),
                n: 19,
            },
        ],
        variants: 4,
        runs: 20,
        seed: 7,
        files: Vec::new(),
    }
}

/// The waterfall speaks the report's words: "Value efficiency" and "Release delay" with
/// their units, never the CSV columns `value_efficiency` / `release_delay_sprints`.
#[test]
fn the_waterfall_names_its_metric_in_words() {
    let o = outcome(By::Mechanism);
    let dir = tempfile::tempdir().unwrap();
    for (a, words, unit) in [
        (&o.metrics[0], "Value efficiency", "(ratio to an oracle)"),
        (&o.metrics[1], "Release delay", "(sprints; a run not done"),
    ] {
        let (title, x_desc) = waterfall_words(&o, a);
        assert!(title.ends_with(&format!(": {words}")), "{title}");
        assert!(
            x_desc.starts_with(&format!("Mean {}", words.to_lowercase())),
            "{x_desc}"
        );
        assert!(x_desc.contains(unit), "{x_desc}");
        let svg = waterfall(&o, a, dir.path(), ImageFormat::Svg).unwrap().svg;
        let name = METRICS[a.metric].name;
        assert!(svg.contains(words), "{words}");
        assert!(!svg.contains(name), "{name} in the chart");
    }
}

#[test]
fn a_share_prints_its_sign_mean_and_interval() {
    assert_eq!(pm(&share(0.2, 0.1, 0.3)), "+0.200 [0.100, 0.300]");
    assert_eq!(pm(&share(-12.5, -25.0, 0.0)), "-12.5 [-25.0, 0.000]");
    // Exactly 0 has no sign.
    assert_eq!(pm(&share(0.0, -1.0, 1.0)), "0.000 [-1.00, 1.00]");
}

#[test]
fn clear_means_the_interval_excludes_zero() {
    assert!(clear(&share(0.2, 0.1, 0.3)));
    assert!(clear(&share(-0.2, -0.3, -0.1)));
    assert!(!clear(&share(0.0, -0.1, 0.1)));
    // An interval that ends at 0 includes it.
    assert!(!clear(&share(0.1, 0.0, 0.3)));
    assert!(!clear(&share(-0.1, -0.3, 0.0)));
}

#[test]
fn a_share_of_the_total_only_when_the_total_is_clear() {
    let total = share(-0.25, -0.35, -0.15);
    assert_eq!(share_of_total(&share(-0.2, -0.3, -0.1), &total), "80 %");
    assert_eq!(share_of_total(&share(0.05, -0.1, 0.2), &total), "-20 %");
    // A share rounding to 0 from below has no sign.
    assert_eq!(share_of_total(&share(0.001, -0.1, 0.2), &total), "0 %");
    let unclear = share(0.1, -0.1, 0.3);
    assert_eq!(share_of_total(&share(0.05, 0.01, 0.09), &unclear), "–");
}

#[test]
fn csv_cells_are_quoted_only_when_they_must_be() {
    assert_eq!(csv_cell("hand-over"), "hand-over");
    assert_eq!(csv_cell("blurred, roles"), "\"blurred, roles\"");
    assert_eq!(csv_cell("PM \"override\""), "\"PM \"\"override\"\"\"");
    assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
}

#[test]
fn attribution_csv_has_a_row_per_player_and_the_total_per_metric() {
    assert_eq!(
        attribution_csv(&outcome(By::Structure)),
        "scenario,baseline,metric,mechanism,contribution,ci95_low,ci95_high\n\
         \"blurred, roles\",aligned,value_efficiency,hand-over,-0.2,-0.3,-0.1\n\
         \"blurred, roles\",aligned,value_efficiency,\"PM \"\"override\"\"\",-0.05,-0.12,0.02\n\
         \"blurred, roles\",aligned,value_efficiency,total,-0.25,-0.35,-0.15\n\
         \"blurred, roles\",aligned,release_delay_sprints,hand-over,12.5,0,25\n\
         \"blurred, roles\",aligned,release_delay_sprints,\"PM \"\"override\"\"\",0,-1,1\n\
         \"blurred, roles\",aligned,release_delay_sprints,total,12.5,10,15\n"
    );
}

#[test]
fn the_terminal_table_line_by_line() {
    // Names padded to the longest (13 characters, at least 12); intervals right-aligned
    // in 28, shares in 6.
    let want = [
        "blurred, roles − aligned on value_efficiency, by structural switch: 0.500 → 0.250 (20 runs)",
        "  hand-over           -0.200 [-0.300, -0.100]    80 %",
        "  PM \"override\"        -0.050 [-0.120, 0.020]    20 %",
        "  total               -0.250 [-0.350, -0.150]",
        "blurred, roles − aligned on release_delay_sprints, by structural switch: 2.00 → 14.5 (19 runs)",
        "  hand-over               +12.5 [0.000, 25.0]   100 %",
        "  PM \"override\"           0.000 [-1.00, 1.00]     0 %",
        "  total                    +12.5 [10.0, 15.0]",
    ];
    let got = text_table(&outcome(By::Structure));
    assert_eq!(got.lines().collect::<Vec<_>>(), want);
    assert!(got.ends_with('\n'));
    let by_mechanism = text_table(&outcome(By::Mechanism));
    assert!(by_mechanism.starts_with(
        "blurred, roles − aligned on value_efficiency, by mechanism: 0.500 → 0.250 (20 runs)\n"
    ));
}

#[test]
fn the_markdown_table_has_a_row_per_scenario_and_player_and_a_dash_for_a_missing_metric() {
    assert_eq!(markdown_table(&[]), "");
    let mut second = outcome(By::Structure);
    second.scenario = "siloed-pm".into();
    second.players.truncate(1);
    second.metrics.truncate(1);
    second.metrics[0].contributions.truncate(1);
    let got = markdown_table(&[outcome(By::Structure), second]);
    let want = "Against `aligned`, by structural switch, 20 runs per variant, seed 7 \
         (`backsim attribute SCENARIO --by structure --runs 20`); each cell is the \
         contribution with its 95 % interval and its share of the total.\n\
         \n\
         | scenario | mechanism | value_efficiency | release_delay_sprints |\n\
         |---|---|---|---|\n\
         | blurred, roles | hand-over | -0.200 [-0.300, -0.100] (80 %) | +12.5 [0.000, 25.0] (100 %) |\n\
         | blurred, roles | PM \"override\" | -0.050 [-0.120, 0.020] (20 %) | 0.000 [-1.00, 1.00] (0 %) |\n\
         | blurred, roles | **total** | **-0.250 [-0.350, -0.150]** (0.500 → 0.250) | **+12.5 [10.0, 15.0]** (2.00 → 14.5) |\n\
         | siloed-pm | hand-over | -0.200 [-0.300, -0.100] (80 %) | – |\n\
         | siloed-pm | **total** | **-0.250 [-0.350, -0.150]** (0.500 → 0.250) | – |\n";
    assert_eq!(got, want);
    let by_mechanism = markdown_table(&[outcome(By::Mechanism)]);
    assert!(by_mechanism.starts_with(
        "Against `aligned`, by mechanism, 20 runs per variant, seed 7 \
         (`backsim attribute SCENARIO --runs 20`);"
    ));
}

#[test]
fn a_waterfall_step_is_coloured_by_the_better_direction_of_its_metric() {
    // value_efficiency: higher is better, so hand-over's clear −0.2 is a step the worse
    // way (orange, #D55E00) and PM override's, whose interval includes 0, is grey; no
    // step goes the better way (green, #009E73): green is only the legend's swatch.
    let o = outcome(By::Structure);
    let dir = tempfile::tempdir().unwrap();
    let svg = waterfall(&o, &o.metrics[0], dir.path(), ImageFormat::Svg)
        .unwrap()
        .svg;
    let fills = |colour: &str| svg.matches(&format!("fill=\"{colour}\"")).count();
    let (better, worse, unclear) = (fills("#009E73"), fills("#D55E00"), fills("#8C8C8C"));
    assert_eq!(
        (worse, unclear),
        (better + 1, better + 1),
        "better {better}, worse {worse}, unclear {unclear}"
    );
    assert!(better >= 1, "the legend's swatch");
}

#[test]
fn the_report_section_explains_the_mode_and_tabulates_every_share() {
    let svgs = [("value_efficiency", "<svg>chart</svg>\n".to_string())];
    let structure = report_html(&outcome(By::Structure), &svgs);
    for line in [
        "<h2>Attribution: why blurred, roles differs from aligned, by structural switch</h2>",
        "<p class=\"meta\">2 mechanisms · 4 variants (every subset of mechanisms switched to \
         blurred, roles's setting) · 20 runs each · seed <b>7</b> · every variant on the \
         same simulated worlds (common random numbers)</p>",
        "<tr><th>mechanism</th><th>keys that differ</th><th>meaning</th></tr>",
        "<tr><td>hand-over</td><td>pm.sync_fidelity</td><td>the PO&#39;s &lt;view&gt;</td></tr>",
        "<tr><td>PM &quot;override&quot;</td><td>roles.pm_override, pm.enabled</td><td>reorders</td></tr>",
        "<tr><th>mechanism</th><th>Value efficiency</th><th>Release delay</th></tr>",
        "<tr><td>hand-over</td><td>-0.200 [-0.300, -0.100] <span class=\"meta\">(80 %)</span></td>\
         <td>+12.5 [0.000, 25.0] <span class=\"meta\">(100 %)</span></td></tr>",
        "<tr><td>PM &quot;override&quot;</td><td>-0.050 [-0.120, 0.020] <span class=\"meta\">(20 %)</span></td>\
         <td>0.000 [-1.00, 1.00] <span class=\"meta\">(0 %)</span></td></tr>",
        "<tr><td><b>total</b></td><td><b>-0.250 [-0.350, -0.150]</b> <span class=\"meta\">(0.500 → 0.250)</span></td>\
         <td><b>+12.5 [10.0, 15.0]</b> <span class=\"meta\">(2.00 → 14.5)</span></td></tr>",
        "<figure id=\"attribution_value_efficiency\">",
        "<svg>chart</svg>",
        "<figcaption>From aligned's mean value efficiency (top) to blurred, roles's (bottom): \
         each bar is one mechanism's contribution with its 95 % interval over runs \
         (attribution.csv).</figcaption>",
    ] {
        assert!(
            structure.lines().any(|l| l == line),
            "no line {line:?} in\n{structure}"
        );
    }
    assert!(!structure.contains("<b>direct</b>"));
    // By mechanism, the first player is `direct`, not a mechanism.
    let mechanism = report_html(&outcome(By::Mechanism), &[]);
    for line in [
        "<h2>Attribution: why blurred, roles differs from aligned, by mechanism</h2>",
        "<p class=\"meta\">1 mechanisms · 4 variants (every subset of mechanisms on, in \
         blurred, roles and in aligned alike) · 20 runs each · seed <b>7</b> · every \
         variant on the same simulated worlds (common random numbers)</p>",
        "<tr><th>mechanism</th><th>what it does (and what off means)</th></tr>",
        "<tr><td>hand-over</td><td>the PO&#39;s &lt;view&gt;</td></tr>",
        "<tr><td>PM &quot;override&quot;</td><td>reorders</td></tr>",
        "<tr><th>mechanism</th><th>Value efficiency</th><th>Release delay</th></tr>",
    ] {
        assert!(
            mechanism.lines().any(|l| l == line),
            "no line {line:?} in\n{mechanism}"
        );
    }
    assert!(mechanism.contains("<b>direct</b> is the difference with every mechanism off"));
    assert!(!mechanism.contains("<figure"));
}
