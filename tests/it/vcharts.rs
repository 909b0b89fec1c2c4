//! The value-efficiency chart on a narrow axis: the perfect-information example, whose
//! efficiencies sit within a few thousandths of 1, some of its outliers off the scale.

use crate::common::Files;

/// `(attributes, text)` of each `<text>` element of an SVG.
fn texts(svg: &str) -> Vec<(&str, &str)> {
    svg.split("<text ")
        .skip(1)
        .map(|t| {
            let (attrs, rest) = t.split_once('>').unwrap();
            (attrs, rest.split("</text>").next().unwrap().trim())
        })
        .collect()
}

fn attr(el: &str, name: &str) -> f64 {
    let el = format!(" {el}");
    let from = el.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
    el[from..].split('"').next().unwrap().parse().unwrap()
}

#[test]
fn a_narrow_value_axis_reads_distinct_ticks_and_off_scale_notes_clear_the_outliers() {
    let files = Files::new();
    let dir = files.dir.path();
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/examples/perfect-information.toml"
    );
    let args = [
        "run", example, "--runs", "300", "--seed", "5", "--out", "out", "-q",
    ];
    crate::common::backsim_ok(dir, &[&args[..], &["--format", "svg"]].concat());
    let svg = std::fs::read_to_string(dir.join("out/value_efficiency.svg")).unwrap();
    let texts = texts(&svg);
    // The value axis's labels: right-aligned numbers.
    let ticks: Vec<&str> = texts
        .iter()
        .filter(|(a, t)| a.contains("text-anchor=\"end\"") && t.parse::<f64>().is_ok())
        .map(|(_, t)| *t)
        .collect();
    assert!(ticks.len() >= 5, "{ticks:?}");
    assert!(
        ticks.windows(2).all(|w| w[0] != w[1]),
        "ticks read alike: {ticks:?}"
    );
    // Each "off scale" note starts right of every outlier circle.
    let circles_right = svg
        .split("<circle ")
        .skip(1)
        .map(|c| attr(c, "cx") + attr(c, "r"))
        .fold(f64::MIN, f64::max);
    let notes: Vec<&(&str, &str)> = texts
        .iter()
        .filter(|(_, t)| t.contains("off scale"))
        .collect();
    assert!(
        !notes.is_empty(),
        "the case must have outliers off the scale"
    );
    for (a, t) in notes {
        assert!(a.contains("text-anchor=\"start\""), "{t}: {a}");
        assert!(
            attr(a, "x") > circles_right,
            "{t} at {} over circles to {circles_right}",
            attr(a, "x")
        );
    }
}
