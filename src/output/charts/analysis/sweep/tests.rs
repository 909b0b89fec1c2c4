use super::*;

/// A chart's SVG element `tag` (e.g. `<circle `) attributes, in drawing order.
fn elements<'a>(svg: &'a str, tag: &str) -> Vec<(&'a str, &'a str)> {
    svg.match_indices(tag)
        .map(|(i, _)| {
            let rest = &svg[i..];
            let end = rest.find('>').unwrap();
            // The element's attributes and what follows up to its closing tag.
            let body = rest[end + 1..].split('<').next().unwrap().trim();
            (&rest[..end], body)
        })
        .collect()
}

fn attr<'a>(el: &'a str, name: &str) -> &'a str {
    let k = format!(" {name}=\"");
    let i = el.find(&k).unwrap_or_else(|| panic!("no {name} in {el}")) + k.len();
    &el[i..i + el[i..].find('"').unwrap()]
}

fn num(el: &str, name: &str) -> f64 {
    attr(el, name).parse().unwrap()
}

fn points(el: &str) -> Vec<(f64, f64)> {
    attr(el, "points")
        .split_whitespace()
        .map(|p| {
            let (x, y) = p.split_once(',').unwrap();
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect()
}

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
    let axes: Vec<Vec<(f64, f64)>> = elements(&svg, "<polyline ")
        .into_iter()
        .filter(|(e, _)| attr(e, "stroke") == "#000000")
        .map(|(e, _)| points(e))
        .collect();
    let y_axis = axes
        .iter()
        .find(|p| p[0].0 == p[1].0 && (p[1].1 - p[0].1).abs() > 100.0)
        .unwrap();
    let x_axis = axes
        .iter()
        .find(|p| p[0].1 == p[1].1 && (p[1].0 - p[0].0).abs() > 100.0)
        .unwrap();
    let plot = PxBox {
        l: y_axis[0].0,
        t: y_axis[0].1.min(y_axis[1].1),
        r: x_axis[0].0.max(x_axis[1].0),
        b: x_axis[0].1,
    };
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
    let mut probe = String::new();
    let root = SVGBackend::with_string(&mut probe, (10, 10)).into_drawing_area();
    let labels = elements(&svg, "<text ")
        .into_iter()
        .filter(|(_, t)| t.ends_with('%') || t.ends_with("% done"))
        .map(|(e, t)| {
            let (w, h) = root.estimate_text_size(t, &font(DONE_SIZE)).unwrap();
            let (w, h) = (w as f64, h as f64);
            let (x, y) = (num(e, "x"), num(e, "y"));
            let l = match attr(e, "text-anchor") {
                "start" => x,
                "middle" => x - w / 2.0,
                _ => x - w,
            };
            let t0 = match attr(e, "dy") {
                "0.76em" => y,
                "0.5ex" => y - h / 2.0,
                _ => y - h,
            };
            (
                t.to_string(),
                PxBox {
                    l,
                    t: t0,
                    r: l + w,
                    b: t0 + h,
                },
            )
        })
        .collect();
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

#[test]
fn a_segment_crosses_a_box_only_through_it() {
    let b = PxBox {
        l: 10.0,
        t: 10.0,
        r: 20.0,
        b: 20.0,
    };
    assert!(b.crosses((0.0, 15.0), (30.0, 15.0)));
    assert!(b.crosses((12.0, 12.0), (13.0, 13.0)));
    assert!(b.crosses((0.0, 0.0), (30.0, 30.0)));
    assert!(!b.crosses((0.0, 0.0), (30.0, 5.0)));
    assert!(!b.crosses((0.0, 25.0), (25.0, 30.0)));
    assert!(!b.crosses((0.0, 15.0), (9.0, 15.0)));
    assert!(!b.crosses((15.0, 0.0), (15.0, 9.0)));
}
