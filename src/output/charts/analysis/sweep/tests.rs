use super::*;
use crate::output::charts::svg_probe::{attr, axes_box, elements, num, points, text_boxes};

/// Draw a censored sweep line of `means` and read back, in pixels, the plotting area
/// within the axes, the mean's line, its marks and the "% done" labels' boxes.
#[allow(clippy::type_complexity)]
fn drawn(
    means: &[f64],
) -> (
    PxBox,
    Vec<(f64, f64)>,
    Vec<(f64, f64)>,
    Vec<(String, PxBox)>,
) {
    register_fonts();
    let n = means.len();
    let pts: Vec<SweepPoint> = means
        .iter()
        .enumerate()
        .map(|(i, &m)| SweepPoint {
            x: 1.0 + i as f64,
            mean: m,
            lo: m - 0.15,
            hi: m + 0.15,
            diff: (m - means[0], m - means[0] - 0.1, m - means[0] + 0.1),
            completed: 0.05 + 0.9 * i as f64 / n as f64,
        })
        .collect();
    let chart = SweepLine {
        title: "Release delay vs a lever",
        x_desc: "lever",
        y_desc: "Release delay (sprints)",
        points: &pts,
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, chart.size()).into_drawing_area();
        chart.draw(&root).unwrap();
        root.present().unwrap();
    }
    let blue = "#0072B2";
    // The upper chart's axes: the first long vertical and horizontal black lines.
    let plot = axes_box(&svg);
    // The mean's line is the last thick blue line (the legend's swatch comes first).
    let line = elements(&svg, "<polyline ")
        .into_iter()
        .filter(|(e, _)| attr(e, "stroke") == blue && attr(e, "stroke-width") == "4")
        .map(|(e, _)| points(e))
        .next_back()
        .unwrap();
    let marks: Vec<(f64, f64)> = elements(&svg, "<circle ")
        .into_iter()
        .filter(|(e, _)| attr(e, "fill") == blue)
        .map(|(e, _)| {
            assert_eq!(num(e, "r"), MARK_R);
            (num(e, "cx"), num(e, "cy"))
        })
        .collect();
    assert_eq!((line.len(), marks.len()), (n, n));
    let labels = text_boxes(&svg, &font(DONE_SIZE), |t| {
        t.ends_with('%') || t.ends_with("% done")
    });
    (plot, line, marks, labels)
}

/// Rising, falling, flat and zigzag lines of 3, 7 and 15 points: every point has its
/// "% done" label, and no label touches the line (its 4 px stroke), a mark, another
/// label or the axes, or leaves the plot.
#[test]
fn done_labels_keep_clear_of_the_line_the_marks_the_axes_and_one_another() {
    for n in [3, 7, 15] {
        let shapes: [(&str, Vec<f64>); 5] = [
            ("rising", (0..n).map(|i| i as f64 * 0.4).collect()),
            ("falling", (0..n).map(|i| 4.0 - i as f64 * 0.6).collect()),
            ("flat", (0..n).map(|i| 3.9 + i as f64 * 0.005).collect()),
            ("steep", (0..n).map(|i| (i as f64 * 3.0).powi(2)).collect()),
            (
                "zigzag",
                (0..n).map(|i| if i % 2 == 0 { 1.0 } else { 2.0 }).collect(),
            ),
        ];
        for (shape, means) in shapes {
            let case = format!("{shape}, {n} points");
            let (plot, line, marks, labels) = drawn(&means);
            assert_eq!(labels.len(), n, "{case}: {labels:?}");
            for (k, (text, b)) in labels.iter().enumerate() {
                assert!(
                    b.l > plot.l && b.r < plot.r && b.t > plot.t && b.b < plot.b,
                    "{case}: {text} at {b:?} is not inside the axes {plot:?}"
                );
                let stroke = b.grow(LINE_HALF);
                for seg in line.windows(2) {
                    assert!(
                        !stroke.crosses(seg[0], seg[1]),
                        "{case}: {text} at {b:?} is on the line {seg:?}"
                    );
                }
                for m in &marks {
                    assert!(
                        !b.grow(MARK_R).contains(*m),
                        "{case}: {text} at {b:?} is on the mark {m:?}"
                    );
                }
                for (other, o) in &labels[k + 1..] {
                    assert!(
                        !b.overlaps(o),
                        "{case}: {text} at {b:?} is on {other} at {o:?}"
                    );
                }
            }
        }
    }
}

/// A heat map's cells share their decimals: "0.190" and "0.180" beside "0.205", where they
/// read "0.19" and "0.18".
#[test]
fn heat_cells_share_their_decimals() {
    register_fonts();
    let values = vec![vec![0.086, 0.19], vec![0.18, 0.205], vec![0.2, -0.0001]];
    let dir = tempfile::tempdir().unwrap();
    let svg = sweep_heat(
        &dir.path().join("heat"),
        "Decision wait share: a × b",
        "a",
        "b",
        &[1.0, 2.0, 3.0],
        &[0.2, 0.4],
        &values,
        false,
        ImageFormat::Svg,
    )
    .unwrap()
    .svg;
    let cells: Vec<&str> = elements(&svg, "<text ")
        .into_iter()
        .map(|(_, t)| t)
        .filter(|t| t.starts_with("0.") && t.len() == 5)
        .collect();
    for want in ["0.086", "0.190", "0.180", "0.205", "0.200", "0.000"] {
        assert!(cells.contains(&want), "{want} in {cells:?}");
    }
}
