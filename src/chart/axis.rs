//! Tick choice and number formatting shared by every chart: ticks fall on round numbers
//! (1, 2 or 5 × 10^k) because a learner reads "2.5" faster than "2.4873"; and the axes
//! frame (gutter, ticks, names) every chart draws around its plot.

use super::Glyphs;
use super::canvas::{Canvas, Tag};

/// A round step (1, 2 or 5 × 10^k) giving at most `max_ticks` ticks over `span`.
pub fn nice_step(span: f64, max_ticks: usize) -> f64 {
    let n = max_ticks.max(1) as f64;
    if !(span.is_finite() && span > 0.0) {
        return 1.0;
    }
    let raw = span / n;
    let mag = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        let step = m * mag;
        if step >= raw * (1.0 - 1e-9) {
            return step;
        }
    }
    10.0 * mag
}

/// Round ticks inside `[lo, hi]`, at most `max_ticks` of them (fewer when the range is odd).
/// Returns nothing for a non-finite or empty range; never loops more than `max_ticks + 2`.
pub fn nice_ticks(lo: f64, hi: f64, max_ticks: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo || max_ticks == 0 {
        return Vec::new();
    }
    let step = nice_step(hi - lo, max_ticks);
    let first = (lo / step).ceil();
    let mut out = Vec::new();
    for k in 0..=max_ticks + 1 {
        let v = scaled(first + k as f64, step);
        if v > hi + step * 1e-9 {
            break;
        }
        // Snap -0 and rounding dust (0.30000000000000004) onto the round value.
        let v = if v.abs() < step * 1e-9 { 0.0 } else { v };
        out.push(v);
    }
    out
}

/// `k · step` without the binary dust of fractional steps (3 · 0.1 = 0.30000000000000004,
/// but 3 / 10 = 0.3).
pub(crate) fn scaled(k: f64, step: f64) -> f64 {
    let inv = (1.0 / step).round();
    if step < 1.0 && (inv * step - 1.0).abs() < 1e-9 {
        k / inv
    } else {
        k * step
    }
}

/// Formats `v` with as many decimals as `step` needs ("0.5", "-2", "1e6", "2.5e-7"), short
/// enough for an axis gutter. Non-finite values read as [`crate::numfmt::NOT_A_NUMBER`], as
/// everywhere else; other values shown beside a chart go through [`crate::numfmt::sig`].
pub fn format_tick(v: f64, step: f64) -> String {
    if !v.is_finite() {
        return crate::numfmt::NOT_A_NUMBER.to_string();
    }
    let step = if step.is_finite() && step > 0.0 {
        step
    } else {
        v.abs().max(1e-300)
    };
    let v = if v.abs() < step * 1e-9 { 0.0 } else { v };
    let big = v.abs().max(step);
    if big >= 1e5 || step < 1e-4 {
        return format_sci(v, step);
    }
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    // A step like 0.25 (from a 2.5 legend spacing) needs one more digit.
    let decimals = if (step * 10f64.powi(decimals as i32)).fract().abs() > 1e-6 {
        decimals + 1
    } else {
        decimals
    };
    format!("{:.*}", decimals.min(6), v)
}

/// Scientific form with the mantissa digits `step` calls for: 1e6, 2.5e-7, -3e12.
fn format_sci(v: f64, step: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let exp = v.abs().log10().floor() as i32;
    let mant = v / 10f64.powi(exp);
    let digits = ((exp as f64) - step.log10().floor()).clamp(0.0, 3.0) as usize;
    let mut m = format!("{:.*}", digits, mant);
    if m.contains('.') {
        while m.ends_with('0') {
            m.pop();
        }
        if m.ends_with('.') {
            m.pop();
        }
    }
    // Rounding may give "10e5": renormalise.
    if m == "10" || m == "-10" {
        return format!("{}e{}", if v < 0.0 { "-1" } else { "1" }, exp + 1);
    }
    format!("{m}e{exp}")
}

/// Map a value to a fractional cell coordinate: `lo` → 0, `hi` → `cells`.
pub(crate) fn to_cells(v: f64, lo: f64, hi: f64, cells: f64) -> f64 {
    (v - lo) / (hi - lo) * cells
}

/// Where the plot sits inside a chart canvas, once room is made for axes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Frame {
    /// Top-left cell of the plot area in the canvas.
    pub ox: i32,
    pub oy: i32,
    /// Plot area size in cells (both ≥ 1 unless the canvas is empty).
    pub w: u16,
    pub h: u16,
    /// Whether axes (and the title row above the plot) are drawn.
    pub axes: bool,
}

/// Below this, a chart is all plot: no axes, no legend.
pub(crate) const MIN_AXES_W: u16 = 16;
pub(crate) const MIN_AXES_H: u16 = 6;

/// One axis: its range and whether it is logarithmic (then `lo`, `hi` are log10 values).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub log: bool,
}

impl Scale {
    pub fn linear(lo: f64, hi: f64) -> Scale {
        Scale { lo, hi, log: false }
    }

    /// Ticks with their labels for an axis `cells` long and labels `room` apart.
    pub fn ticks(&self, cells: u16, room: u16) -> Vec<(f64, String)> {
        let max = (cells / room.max(1)).clamp(2, 12) as usize;
        if self.log {
            let lo = self.lo.ceil();
            let span = self.hi.floor() - lo;
            if !(span.is_finite() && span >= 0.0) {
                return Vec::new();
            }
            let every = (span as usize) / max + 1;
            (0..=span as usize)
                .step_by(every)
                .map(|k| {
                    let e = lo + k as f64;
                    (e, format_tick(10f64.powf(e), 10f64.powf(e)))
                })
                .collect()
        } else {
            let t = nice_ticks(self.lo, self.hi, max);
            let step = if t.len() > 1 {
                t[1] - t[0]
            } else {
                self.hi - self.lo
            };
            t.into_iter().map(|v| (v, format_tick(v, step))).collect()
        }
    }

    /// Fractional cell coordinate of `v` along an axis of `cells` cells (0 at `lo`).
    pub fn pos(&self, v: f64, cells: u16) -> f64 {
        to_cells(v, self.lo, self.hi, cells as f64)
    }
}

impl Frame {
    /// Lays out a `width × height` chart whose y axis is `ys`: a title row on top, the plot,
    /// the x axis and its labels below, y labels in a left gutter. Tiny canvases are all plot.
    pub fn new(width: u16, height: u16, ys: &Scale) -> Frame {
        if width < MIN_AXES_W || height < MIN_AXES_H {
            return Frame {
                ox: 0,
                oy: 0,
                w: width,
                h: height,
                axes: false,
            };
        }
        let h = height - 3;
        let gutter = ys
            .ticks(h, 3)
            .iter()
            .map(|(_, s)| s.chars().count() as u16)
            .max()
            .unwrap_or(1)
            .clamp(1, width / 4);
        Frame {
            ox: gutter as i32 + 1,
            oy: 1,
            w: width - gutter - 1,
            h,
            axes: true,
        }
    }

    /// Canvas cell of a plot cell.
    pub fn at(&self, (i, j): (i32, i32)) -> (i32, i32) {
        (self.ox + i, self.oy + j)
    }
}

/// Draws both axes, their ticks and labels, and the axis names (x at the bottom right, y at
/// the top left). Returns the first free column of the title row after the y name.
pub(crate) fn draw_axes(
    c: &mut Canvas,
    f: &Frame,
    xs: &Scale,
    ys: &Scale,
    x_label: &str,
    y_label: &str,
    glyphs: Glyphs,
) -> i32 {
    if !f.axes {
        return 0;
    }
    let (corner, hline, vline, xtick, ytick) = match glyphs {
        Glyphs::Ascii => ('+', '-', '|', '+', '+'),
        Glyphs::Unicode => ('└', '─', '│', '┴', '├'),
    };
    let ax = f.ox - 1;
    let ay = f.oy + f.h as i32;
    for j in 0..f.h as i32 {
        c.put(ax, f.oy + j, vline, Tag::Axis);
    }
    for i in 0..f.w as i32 {
        c.put(f.ox + i, ay, hline, Tag::Axis);
    }
    c.put(ax, ay, corner, Tag::Axis);
    // y ticks: label right-aligned against the axis.
    for (v, label) in ys.ticks(f.h, 3) {
        let p = ys.pos(v, f.h);
        if !(0.0..=f.h as f64).contains(&p) {
            continue;
        }
        let row = f.oy + (f.h as f64 - p).floor().clamp(0.0, f.h as f64 - 1.0) as i32;
        c.put(ax, row, ytick, Tag::Axis);
        let len = label.chars().count() as i32;
        c.text(ax - len, row, &label, Tag::Label);
    }
    // x name at the bottom right, then tick labels that don't collide.
    let label_row = ay + 1;
    let name_len = x_label.chars().count() as i32;
    let name_x = c.width() as i32 - name_len;
    if name_len > 0 {
        c.text(name_x, label_row, x_label, Tag::Label);
    }
    let mut free_from = 0;
    for (v, label) in xs.ticks(f.w, 8) {
        let p = xs.pos(v, f.w);
        if !(0.0..=f.w as f64).contains(&p) {
            continue;
        }
        let col = f.ox + p.floor().clamp(0.0, f.w as f64 - 1.0) as i32;
        if col > f.ox {
            c.put(col, ay, xtick, Tag::Axis);
        }
        let len = label.chars().count() as i32;
        let start = (col - len / 2).max(0);
        let limit = if name_len > 0 {
            name_x - 1
        } else {
            c.width() as i32
        };
        if start >= free_from && start + len <= limit {
            c.text(start, label_row, &label, Tag::Label);
            free_from = start + len + 1;
        }
    }
    // y name above the y axis.
    let y_len = y_label.chars().count() as i32;
    let y_start = (ax - y_len + 1).max(0);
    c.text(y_start, 0, y_label, Tag::Label);
    (y_start + y_len + 1).max(f.ox)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_one_two_five() {
        assert_eq!(nice_step(10.0, 5), 2.0);
        assert_eq!(nice_step(10.0, 10), 1.0);
        assert_eq!(nice_step(10.0, 4), 5.0);
        assert_eq!(nice_step(0.3, 3), 0.1);
        assert_eq!(nice_step(7e6, 3), 5e6);
        assert_eq!(nice_step(f64::NAN, 3), 1.0);
    }

    #[test]
    fn ticks_are_round_and_inside() {
        assert_eq!(nice_ticks(-5.0, 5.0, 5), vec![-4.0, -2.0, 0.0, 2.0, 4.0]);
        assert_eq!(nice_ticks(0.0, 1.0, 2), vec![0.0, 0.5, 1.0]);
        assert_eq!(nice_ticks(0.1, 0.35, 3), vec![0.1, 0.2, 0.3]);
        assert!(nice_ticks(1.0, 1.0, 5).is_empty());
        assert!(nice_ticks(f64::NAN, 1.0, 5).is_empty());
        assert!(nice_ticks(-1e308, 1e308, 5).len() <= 7);
        let t = nice_ticks(0.0, 1.0, 10);
        assert_eq!(format_tick(t[3], 0.1), "0.3");
    }

    #[test]
    fn formats_ticks() {
        assert_eq!(format_tick(-2.0, 1.0), "-2");
        assert_eq!(format_tick(0.5, 0.5), "0.5");
        assert_eq!(format_tick(2.5, 2.5), "2.5");
        assert_eq!(format_tick(-1e-17, 0.5), "0.0");
        assert_eq!(format_tick(2e6, 1e6), "2e6");
        assert_eq!(format_tick(2.5e-7, 5e-8), "2.5e-7");
        assert_eq!(format_tick(f64::NAN, 1.0), crate::numfmt::NOT_A_NUMBER);
        assert_eq!(format_tick(1.0, f64::NAN), "1");
    }
}
