//! The rectangle of parameter space a chart shows, and the policies that move it: fit it to a
//! path, keep it still while stepping (a chart that jumps every step hides the motion), zoom
//! and pan.
//!
//! Terminal cells are about twice as tall as wide, so "equal scale on both axes" means a cell
//! spans twice as much `y` as `x`; [`FitOptions`] carries that ratio so circles look round.

/// Largest coordinate magnitude a window keeps; beyond it spans would overflow to infinity.
const LIMIT: f64 = 1e150;

/// `x ∈ [x0, x1]`, `y ∈ [y0, y1]`. Any values may be stored; charts use [`Window::sanitized`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    pub x0: f64,
    pub x1: f64,
    pub y0: f64,
    pub y1: f64,
}

/// Makes `[a, b]` a finite, ordered, non-empty interval.
pub(crate) fn sane_range(a: f64, b: f64) -> (f64, f64) {
    let fix = |v: f64| {
        if v.is_nan() {
            None
        } else {
            Some(v.clamp(-LIMIT, LIMIT))
        }
    };
    let (lo, hi) = match (fix(a), fix(b)) {
        (Some(a), Some(b)) => (a.min(b), a.max(b)),
        (Some(v), None) | (None, Some(v)) => (v, v),
        (None, None) => (-1.0, 1.0),
    };
    let span = hi - lo;
    // Below ~1e-9 relative, cell coordinates would be rounding noise: widen to a unit span
    // (or a millionth of the magnitude for huge values).
    if span <= lo.abs().max(hi.abs()) * 1e-9 || span < 1e-12 {
        let mid = lo + span / 2.0;
        let half = (mid.abs() * 1e-6).max(0.5);
        (mid - half, mid + half)
    } else {
        (lo, hi)
    }
}

impl Window {
    pub const fn new(x0: f64, x1: f64, y0: f64, y1: f64) -> Window {
        Window { x0, x1, y0, y1 }
    }

    /// The same window made drawable: finite, ordered, with a non-zero span on each axis.
    /// NaN bounds fall back to the other bound or to `[-1, 1]`; a zero span is widened a bit.
    pub fn sanitized(self) -> Window {
        let (x0, x1) = sane_range(self.x0, self.x1);
        let (y0, y1) = sane_range(self.y0, self.y1);
        Window { x0, x1, y0, y1 }
    }

    pub fn width(&self) -> f64 {
        self.x1 - self.x0
    }

    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }

    pub fn center(&self) -> (f64, f64) {
        (self.x0 + self.width() / 2.0, self.y0 + self.height() / 2.0)
    }

    /// True when `(x, y)` lies inside (borders included).
    pub fn contains(&self, (x, y): (f64, f64)) -> bool {
        x >= self.x0 && x <= self.x1 && y >= self.y0 && y <= self.y1
    }

    /// Zooms around the centre: `factor < 1` zooms in, `> 1` zooms out.
    pub fn zoom(self, factor: f64) -> Window {
        let w = self.sanitized();
        let f = if factor.is_finite() && factor > 0.0 {
            factor
        } else {
            1.0
        };
        let (cx, cy) = w.center();
        let (hw, hh) = (w.width() * f / 2.0, w.height() * f / 2.0);
        Window::new(cx - hw, cx + hw, cy - hh, cy + hh).sanitized()
    }

    /// Scales the spans by `factor` and centres the result on `at` (the learner's point) when
    /// it is a finite point inside the window, else on the window's centre: zooming in then
    /// looks closer at where the learner is.
    pub fn zoom_at(self, factor: f64, at: (f64, f64)) -> Window {
        let w = self.sanitized();
        let (px, py) = at;
        let inside = px.is_finite()
            && py.is_finite()
            && px >= w.x0
            && px <= w.x1
            && py >= w.y0
            && py <= w.y1;
        if !inside {
            return w.zoom(factor);
        }
        let z = w.zoom(factor);
        let (cx, cy) = w.center();
        z.pan(
            (px - cx) / z.width().max(f64::MIN_POSITIVE),
            (py - cy) / z.height().max(f64::MIN_POSITIVE),
        )
    }

    /// Moves by fractions of the span: `pan(0.25, 0.0)` shifts a quarter width to the right.
    pub fn pan(self, fx: f64, fy: f64) -> Window {
        let w = self.sanitized();
        let fx = if fx.is_finite() { fx } else { 0.0 };
        let fy = if fy.is_finite() { fy } else { 0.0 };
        let (dx, dy) = (w.width() * fx, w.height() * fy);
        Window::new(w.x0 + dx, w.x1 + dx, w.y0 + dy, w.y1 + dy).sanitized()
    }

    /// Widens one axis so one cell spans `cell_aspect` times as much `y` as `x` over a plot
    /// of `cols × rows` cells (never narrows, so everything inside stays inside).
    pub fn with_aspect(self, cols: u16, rows: u16, cell_aspect: f64) -> Window {
        let w = self.sanitized();
        if cols == 0 || rows == 0 || !(cell_aspect.is_finite() && cell_aspect > 0.0) {
            return w;
        }
        // Units per cell on each axis; equal scale on screen wants uy = aspect · ux.
        let ux = w.width() / cols as f64;
        let uy = w.height() / rows as f64;
        let (cx, cy) = w.center();
        if uy < cell_aspect * ux {
            let hh = cell_aspect * ux * rows as f64 / 2.0;
            Window::new(w.x0, w.x1, cy - hh, cy + hh).sanitized()
        } else {
            let hw = uy / cell_aspect * cols as f64 / 2.0;
            Window::new(cx - hw, cx + hw, w.y0, w.y1).sanitized()
        }
    }
}

/// How [`fit`] and [`keep_or_refit`] shape a window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FitOptions {
    /// Plot area in cells (not counting axes); see [`crate::chart::contour_plot_size`].
    pub cols: u16,
    pub rows: u16,
    /// Height of a cell over its width (about 2 in terminals); ≤ 0 or NaN = don't keep aspect.
    pub cell_aspect: f64,
    /// Blank margin on each side, as a fraction of the points' span.
    pub margin: f64,
    /// The smallest span on either axis, so one point still gets a sensible view.
    pub min_span: f64,
}

impl FitOptions {
    /// Defaults for a plot of `cols × rows` cells: aspect 2, 15 % margin, minimum span 1.
    pub fn new(cols: u16, rows: u16) -> FitOptions {
        FitOptions {
            cols,
            rows,
            cell_aspect: 2.0,
            margin: 0.15,
            min_span: 1.0,
        }
    }
}

/// Bounding box of the finite points, or `None` if there is none.
fn bounds(points: &[(f64, f64)]) -> Option<Window> {
    let mut b: Option<Window> = None;
    for &(x, y) in points {
        if !(x.is_finite() && y.is_finite()) {
            continue;
        }
        let (x, y) = (x.clamp(-LIMIT, LIMIT), y.clamp(-LIMIT, LIMIT));
        b = Some(match b {
            None => Window::new(x, x, y, y),
            Some(w) => Window::new(w.x0.min(x), w.x1.max(x), w.y0.min(y), w.y1.max(y)),
        });
    }
    b
}

/// Pads a box by the margin and up to the minimum span, then applies the aspect.
fn pad(b: Window, opt: &FitOptions) -> Window {
    let margin = if opt.margin.is_finite() {
        opt.margin.clamp(0.0, 10.0)
    } else {
        0.0
    };
    let min_span = if opt.min_span.is_finite() && opt.min_span > 0.0 {
        opt.min_span.min(LIMIT)
    } else {
        1e-9
    };
    let grow = |lo: f64, hi: f64| {
        let span = (hi - lo).max(0.0);
        let half = (span * (1.0 + 2.0 * margin)).max(min_span) / 2.0;
        let mid = lo + span / 2.0;
        (mid - half, mid + half)
    };
    let (x0, x1) = grow(b.x0, b.x1);
    let (y0, y1) = grow(b.y0, b.y1);
    Window::new(x0, x1, y0, y1).with_aspect(opt.cols, opt.rows, opt.cell_aspect)
}

/// A window around all finite `points` (path and next point) with a margin, the minimum span
/// and the cell aspect. With no finite point it is `[-1, 1]²` (then aspect-corrected).
pub fn fit(points: &[(f64, f64)], opt: &FitOptions) -> Window {
    let b = bounds(points).unwrap_or(Window::new(-1.0, 1.0, -1.0, 1.0));
    pad(b, opt)
}

/// The stepping policy: keep `current` while every finite point stays inside it (so the chart
/// holds still and the motion is visible); when one leaves, grow to cover both the old window
/// and the points, with the margin. Non-finite points (a diverged run) never move the window.
pub fn keep_or_refit(current: Window, points: &[(f64, f64)], opt: &FitOptions) -> Window {
    let cur = current.sanitized();
    let Some(b) = bounds(points) else {
        return cur;
    };
    let inside = points
        .iter()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .all(|&p| cur.contains(p));
    if inside {
        return cur;
    }
    let pts = pad(b, &FitOptions { ..*opt });
    let union = Window::new(
        cur.x0.min(pts.x0),
        cur.x1.max(pts.x1),
        cur.y0.min(pts.y0),
        cur.y1.max(pts.y1),
    );
    union.with_aspect(opt.cols, opt.rows, opt.cell_aspect)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_any_window() {
        for w in [
            Window::new(f64::NAN, f64::NAN, f64::INFINITY, f64::NEG_INFINITY),
            Window::new(3.0, 3.0, 0.0, 0.0),
            Window::new(5.0, -5.0, 1e308, -1e308),
            Window::new(1e300, 1e300, f64::NAN, 2.0),
        ] {
            let s = w.sanitized();
            assert!(s.x0.is_finite() && s.x1.is_finite() && s.y0.is_finite() && s.y1.is_finite());
            assert!(s.width() > 0.0 && s.height() > 0.0, "{s:?}");
            assert!(s.width().is_finite() && s.height().is_finite());
        }
        assert_eq!(
            Window::new(5.0, -5.0, 2.0, 1.0).sanitized(),
            Window::new(-5.0, 5.0, 1.0, 2.0)
        );
    }

    #[test]
    fn fit_covers_points_with_margin_and_aspect() {
        let opt = FitOptions::new(40, 20);
        let pts = [(3.0, 4.0), (2.0, 2.9), (1.0, 1.0)];
        let w = fit(&pts, &opt);
        for p in pts {
            assert!(w.contains(p));
        }
        // Equal screen scale: y per cell = 2 · x per cell.
        let ux = w.width() / 40.0;
        let uy = w.height() / 20.0;
        assert!((uy - 2.0 * ux).abs() < 1e-9 * uy, "{ux} {uy}");
        assert!(w.x0 < 1.0 && w.x1 > 3.0);
    }

    #[test]
    fn fit_of_one_point_has_min_span() {
        let w = fit(&[(2.0, 2.0)], &FitOptions::new(10, 10));
        assert!(w.width() >= 1.0 - 1e-12 && w.height() >= 1.0 - 1e-12);
        assert!(w.contains((2.0, 2.0)));
        let w = fit(&[(f64::NAN, 1.0)], &FitOptions::new(10, 10));
        assert!(w.contains((0.0, 0.0)));
    }

    #[test]
    fn keeps_still_while_inside_and_grows_when_left() {
        let opt = FitOptions::new(40, 20);
        let w = Window::new(-5.0, 5.0, -5.0, 5.0);
        assert_eq!(keep_or_refit(w, &[(3.0, 4.0), (2.0, 2.9)], &opt), w);
        assert_eq!(keep_or_refit(w, &[(f64::NAN, 1e300)], &opt), w);
        let g = keep_or_refit(w, &[(3.0, 4.0), (9.0, -7.0)], &opt);
        assert!(g.contains((9.0, -7.0)) && g.contains((-5.0, 5.0)), "{g:?}");
    }

    #[test]
    fn zoom_and_pan() {
        let w = Window::new(-4.0, 4.0, -2.0, 2.0);
        assert_eq!(w.zoom(0.5), Window::new(-2.0, 2.0, -1.0, 1.0));
        assert_eq!(w.zoom(f64::NAN), w);
        assert_eq!(w.pan(0.25, -0.5), Window::new(-2.0, 6.0, -4.0, 0.0));
        let z = Window::new(0.0, 1.0, 0.0, 1.0).zoom(1e-300);
        assert!(z.width() > 0.0);
        let z = Window::new(-1e149, 1e149, 0.0, 1.0).zoom(1e10);
        assert!(z.width().is_finite());
    }
}
