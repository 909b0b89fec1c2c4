//! Boxes in pixels, for labels placed clear of what a chart draws (its lines, marks, axes
//! and other labels).

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

/// A box in pixels: left, top, right, bottom.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PxBox {
    pub l: f64,
    pub t: f64,
    pub r: f64,
    pub b: f64,
}

impl PxBox {
    /// The box of `size` (width, height) with its top-left corner at (l, t).
    pub fn at(l: f64, t: f64, (w, h): (f64, f64)) -> PxBox {
        PxBox {
            l,
            t,
            r: l + w,
            b: t + h,
        }
    }

    pub fn grow(self, m: f64) -> PxBox {
        PxBox {
            l: self.l - m,
            t: self.t - m,
            r: self.r + m,
            b: self.b + m,
        }
    }

    pub fn overlaps(&self, o: &PxBox) -> bool {
        self.l < o.r && o.l < self.r && self.t < o.b && o.t < self.b
    }

    pub fn contains(&self, (x, y): (f64, f64)) -> bool {
        self.l < x && x < self.r && self.t < y && y < self.b
    }

    /// Whether the segment a–b passes through the box (Liang–Barsky clipping).
    pub fn crosses(&self, a: (f64, f64), b: (f64, f64)) -> bool {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
        for (p, q) in [
            (-dx, a.0 - self.l),
            (dx, self.r - a.0),
            (-dy, a.1 - self.t),
            (dy, self.b - a.1),
        ] {
            if p == 0.0 {
                if q <= 0.0 {
                    return false;
                }
            } else {
                let t = q / p;
                if p < 0.0 {
                    t0 = t0.max(t);
                } else {
                    t1 = t1.min(t);
                }
                if t0 >= t1 {
                    return false;
                }
            }
        }
        true
    }
}

/// The plotting area of `chart` (within its axes), in the backend's pixels.
pub fn plot_box<DB: DrawingBackend>(
    chart: &ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
) -> PxBox {
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    PxBox {
        l: xr.start as f64,
        t: yr.start as f64,
        r: xr.end as f64,
        b: yr.end as f64,
    }
}

/// A point of `chart` in the backend's pixels.
pub fn px<DB: DrawingBackend>(
    chart: &ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    p: (f64, f64),
) -> (f64, f64) {
    let (x, y) = chart.backend_coord(&p);
    (x as f64, y as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_crosses_a_box_only_through_it() {
        let b = PxBox::at(10.0, 10.0, (10.0, 10.0));
        assert!(b.crosses((0.0, 15.0), (30.0, 15.0)));
        assert!(b.crosses((12.0, 12.0), (13.0, 13.0)));
        assert!(b.crosses((0.0, 0.0), (30.0, 30.0)));
        assert!(!b.crosses((0.0, 0.0), (30.0, 5.0)));
        assert!(!b.crosses((0.0, 25.0), (25.0, 30.0)));
        assert!(!b.crosses((0.0, 15.0), (9.0, 15.0)));
        assert!(!b.crosses((15.0, 0.0), (15.0, 9.0)));
    }
}
