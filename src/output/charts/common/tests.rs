use super::*;

/// A legend entry too long for the chart's width is drawn smaller until it fits; one that
/// fits keeps the usual size (so charts with short names keep their bytes).
#[test]
fn a_long_legend_entry_shrinks_to_fit() {
    register_fonts();
    let mut buf = String::new();
    let root = SVGBackend::with_string(&mut buf, (1200, 700)).into_drawing_area();
    let max_w = 1200 - 40;
    assert_eq!(legend_size(&root, "aligned", max_w).unwrap(), LEGEND_SIZE);
    let long = "release-dates-with-a-much-longer-name: 50 % by week 23 (17 Jun), \
                70 % by week 24 (24 Jun), 85 % by week 25 (1 Jul), 95 % by week 25 (1 Jul)";
    let width = |size: f64| root.estimate_text_size(long, &font(size)).unwrap().0 as i32;
    assert!(
        46 + width(LEGEND_SIZE) + 34 > max_w,
        "the case must not fit as it is"
    );
    let size = legend_size(&root, long, max_w).unwrap();
    assert!(
        size < LEGEND_SIZE && 46 + width(size) + 34 <= max_w,
        "{size}"
    );
    // The largest size that fits: one point more would not.
    assert!(46 + width(size + 1.0) + 34 > max_w);
    // Laid out alone in its row, at that width.
    let rows = legend_rows(&root, &[Entry::new(Swatch::Line(BLACK), long)], max_w).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][0].1, 46 + width(size) + 34);
}

#[test]
fn spread_labels_never_overlap_and_stay_inside() {
    let want = [100.0, 101.0, 99.0, 300.0, 102.0, 495.0, 498.0];
    let got = spread_labels(&want, 24.0, 12.0, 488.0);
    let mut sorted = got.clone();
    sorted.sort_by(f64::total_cmp);
    for w in sorted.windows(2) {
        assert!(w[1] - w[0] >= 24.0 - 1e-9, "{got:?}");
    }
    assert!(got.iter().all(|y| (12.0..=488.0).contains(y)), "{got:?}");
    // A label with room keeps its place.
    assert_eq!(got[3], 300.0);
}

#[test]
fn palette_is_distinct_for_colour_blind_readers() {
    // CIE L*a*b* distance between every pair of the first nine scenario colours, as seen
    // with normal vision and with deuteranopia (Machado et al. 2009), and against white.
    fn lin(u: u8) -> f64 {
        let u = u as f64 / 255.0;
        if u > 0.04045 {
            ((u + 0.055) / 1.055).powf(2.4)
        } else {
            u / 12.92
        }
    }
    fn lab(rgb: [f64; 3]) -> [f64; 3] {
        let [r, g, b] = rgb;
        let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
        let f = |t: f64| {
            if t > 0.008856 {
                t.cbrt()
            } else {
                7.787 * t + 16.0 / 116.0
            }
        };
        [
            116.0 * f(y) - 16.0,
            500.0 * (f(x) - f(y)),
            200.0 * (f(y) - f(z)),
        ]
    }
    fn deut(c: RGBColor) -> [f64; 3] {
        let (r, g, b) = (lin(c.0), lin(c.1), lin(c.2));
        let m = [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ];
        let v = |k: usize| (m[k][0] * r + m[k][1] * g + m[k][2] * b).clamp(0.0, 1.0);
        [v(0), v(1), v(2)]
    }
    let d = |a: [f64; 3], b: [f64; 3]| {
        let (a, b) = (lab(a), lab(b));
        ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
    };
    let normal = |c: RGBColor| [lin(c.0), lin(c.1), lin(c.2)];
    let n = 9;
    assert!(PALETTE.len() >= n);
    for i in 0..n {
        assert!(
            d(normal(scenario_color(i)), [1.0; 3]) > 30.0,
            "{i} faint on white"
        );
        for j in 0..i {
            let (a, b) = (scenario_color(i), scenario_color(j));
            assert!(d(normal(a), normal(b)) > 20.0, "{i} vs {j}");
            assert!(d(deut(a), deut(b)) > 15.0, "{i} vs {j} for deuteranopes");
        }
    }
    // Past the palette a scenario repeats a colour, dashed.
    assert_eq!(scenario_color(9), scenario_color(0));
    assert!(!scenario_dashed(0) && scenario_dashed(9));
}

/// An axis's tick labels never read alike: a narrow value-efficiency axis near 1 (ticks 0.005
/// apart, where `tick` alone printed "1.01, 1.01, 1, 1") gets the decimals it needs, and a
/// wide axis keeps `tick`'s text (so the charts that read well keep their bytes).
#[test]
fn axis_tick_labels_are_distinct_and_no_longer_than_needed() {
    use plotters::coord::ranged1d::Ranged;
    let labels = |lo: f64, hi: f64, n: usize| -> (Vec<String>, Vec<String>) {
        let points = plotters::coord::types::RangedCoordf64::from(lo..hi).key_points(n);
        let f = axis_ticks(lo, hi, n);
        (
            points.iter().map(f).collect(),
            points.iter().map(|&p| tick(p)).collect(),
        )
    };
    let distinct = |v: &[String]| v.windows(2).all(|w| w[0] != w[1]);
    // The perfect-information example's axis.
    let (narrow, plain) = labels(0.9785, 1.0165, 8);
    assert!(
        !distinct(&plain),
        "the case must show the old fault: {plain:?}"
    );
    assert!(distinct(&narrow), "{narrow:?}");
    assert!(narrow.contains(&"1.005".to_string()), "{narrow:?}");
    assert!(
        narrow.contains(&"1".to_string()),
        "trailing zeros trimmed: {narrow:?}"
    );
    // Close ticks far from 0, and a wide axis whose text does not change.
    for (lo, hi, n) in [
        (99.91, 100.07, 7),
        (-0.0004, 0.0003, 7),
        (1000.0, 1000.9, 11),
    ] {
        let (got, _) = labels(lo, hi, n);
        assert!(distinct(&got), "{lo}..{hi}: {got:?}");
    }
    let (wide, plain) = labels(0.0, 45.0, 7);
    assert_eq!(wide, plain);
    // Ticks a few 1e-11 apart (around a series of zeros) keep `tick`'s text, not noise.
    let (noise, plain) = labels(0.0, 6e-11, 7);
    assert_eq!(noise, plain);
    // A degenerate axis formats as `tick` does.
    assert_eq!(axis_ticks(1.0, 1.0, 5)(&1.25), tick(1.25));
}
