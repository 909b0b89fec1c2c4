//! Reading a drawn chart's SVG back, for tests: elements, their attributes, polylines'
//! points and the boxes of texts, in pixels.

use plotters::prelude::*;

use super::pxbox::PxBox;

/// A chart's SVG element `tag` (e.g. `<circle `) attributes, in drawing order.
pub fn elements<'a>(svg: &'a str, tag: &str) -> Vec<(&'a str, &'a str)> {
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

pub fn attr<'a>(el: &'a str, name: &str) -> &'a str {
    let k = format!(" {name}=\"");
    let i = el.find(&k).unwrap_or_else(|| panic!("no {name} in {el}")) + k.len();
    &el[i..i + el[i..].find('"').unwrap()]
}

pub fn num(el: &str, name: &str) -> f64 {
    attr(el, name).parse().unwrap()
}

pub fn points(el: &str) -> Vec<(f64, f64)> {
    attr(el, "points")
        .split_whitespace()
        .map(|p| {
            let (x, y) = p.split_once(',').unwrap();
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect()
}

/// The texts of `svg` that `pick` accepts with their boxes, in pixels, as drawn in `style`.
pub fn text_boxes(
    svg: &str,
    style: &TextStyle<'_>,
    pick: impl Fn(&str) -> bool,
) -> Vec<(String, PxBox)> {
    let mut probe = String::new();
    let root = SVGBackend::with_string(&mut probe, (10, 10)).into_drawing_area();
    elements(svg, "<text ")
        .into_iter()
        .filter(|(_, t)| pick(t))
        .map(|(e, t)| {
            let (w, h) = root.estimate_text_size(t, style).unwrap();
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
            (t.to_string(), PxBox::at(l, t0, (w, h)))
        })
        .collect()
}

/// The plot area of a chart's SVG: between its axes, the first long (over 100 px) vertical
/// and horizontal black polylines.
pub fn axes_box(svg: &str) -> PxBox {
    let axes: Vec<Vec<(f64, f64)>> = elements(svg, "<polyline ")
        .into_iter()
        .filter(|(e, _)| attr(e, "stroke") == "#000000")
        .map(|(e, _)| points(e))
        .collect();
    let axis = |vertical: bool| {
        axes.iter()
            .find(|p| {
                let (dx, dy) = ((p[1].0 - p[0].0).abs(), (p[1].1 - p[0].1).abs());
                if vertical {
                    dx == 0.0 && dy > 100.0
                } else {
                    dy == 0.0 && dx > 100.0
                }
            })
            .expect("the chart has both axes")
    };
    let (y_axis, x_axis) = (axis(true), axis(false));
    PxBox {
        l: y_axis[0].0,
        t: y_axis[0].1.min(y_axis[1].1),
        r: x_axis[0].0.max(x_axis[1].0),
        b: x_axis[0].1,
    }
}
