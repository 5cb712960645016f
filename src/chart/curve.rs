//! The one-variable slope view: the curve `L(w)`, the tangent at the current `w` with its
//! slope written beside it, the visited points, and a horizontal arrow to the next `w`, so a
//! learner sees that the step goes *downhill*, against the sign of the slope.

use super::Glyphs;
use super::axis::{Frame, Scale, draw_axes};
use super::canvas::{Canvas, Tag};
use super::contour::{marker, step_labels, stroke_glyph};
use super::raster::{self, P};
use super::window::sane_range;
use super::words::{Words, text_width};
use crate::numfmt::sig;

/// Everything the slope view shows. Plain data in; see [`curve`].
pub struct CurveSpec<'a> {
    /// The loss of one variable; NaN/inf values leave gaps.
    pub f: &'a dyn Fn(f64) -> f64,
    /// The `w` range shown (sanitized before use).
    pub x0: f64,
    pub x1: f64,
    /// Visited `w`, oldest first (markers `0`, `1`, …).
    pub points: &'a [f64],
    /// The current point `(w, L(w), slope)`: drawn as `@` with its tangent.
    pub current: Option<(f64, f64, f64)>,
    /// The next `w`: marked on the curve, with an arrow from the current point.
    pub next: Option<f64>,
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub glyphs: Glyphs,
    /// Print `slope = …` beside the tangent (off while a question asks for the slope).
    pub slope_label: bool,
}

/// A y range that shows the curve's shape: all finite samples (plus the current value), but
/// when a few samples dwarf the rest (a pole like `1/w`) it keeps to the bulk of them.
pub(crate) fn robust_range(values: &mut Vec<f64>, extra: &[f64]) -> Option<(f64, f64)> {
    values.retain(|v| v.is_finite());
    let (mut lo, mut hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    if values.len() >= 8 {
        let q = |values: &mut Vec<f64>, p: f64| {
            let k = ((values.len() - 1) as f64 * p).round() as usize;
            *values.select_nth_unstable_by(k, |a, b| a.total_cmp(b)).1
        };
        let (q10, q90) = (q(values, 0.1), q(values, 0.9));
        if (hi - lo) > 50.0 * (q90 - q10) && q90 > q10 {
            let (q02, q98) = (q(values, 0.02), q(values, 0.98));
            let pad = (q98 - q02) * 0.5;
            lo = lo.max(q02 - pad);
            hi = hi.min(q98 + pad);
        }
    }
    for &v in extra.iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !(lo.is_finite() && hi.is_finite()) {
        return None;
    }
    let pad = (hi - lo) * 0.08;
    Some(sane_range(lo - pad, hi + pad))
}

/// Where a value lands on the plot, in cell coordinates.
struct Map {
    xs: Scale,
    ys: Scale,
    w: u16,
    h: u16,
}

impl Map {
    fn cell(&self, x: f64, y: f64) -> P {
        (
            self.xs.pos(x, self.w),
            self.h as f64 - self.ys.pos(y, self.h),
        )
    }
}

/// Draws the slope view into a new `width × height` canvas. Never panics.
pub fn curve(spec: &CurveSpec, width: u16, height: u16) -> Canvas {
    curve_in(spec, width, height, &Words::EN)
}

/// [`curve`] with the slope label and notes in the language of `words`.
pub fn curve_in(spec: &CurveSpec, width: u16, height: u16, words: &Words) -> Canvas {
    let mut c = Canvas::new(width, height);
    if width == 0 || height == 0 {
        return c;
    }
    let (x0, x1) = sane_range(spec.x0, spec.x1);
    let n = width as usize * 2 + 1;
    let mut ys: Vec<f64> = (0..n)
        .map(|k| (spec.f)(x0 + (x1 - x0) * k as f64 / (n - 1) as f64))
        .collect();
    let cur_l = spec.current.map(|(_, l, _)| l).unwrap_or(f64::NAN);
    let range = robust_range(&mut ys, &[cur_l]);
    let (y0, y1) = range.unwrap_or((-1.0, 1.0));
    let ys = Scale::linear(y0, y1);
    let xs = Scale::linear(x0, x1);
    let frame = Frame::new(width, height, &ys);
    let title_x = draw_axes(
        &mut c,
        &frame,
        &xs,
        &ys,
        spec.x_label,
        spec.y_label,
        spec.glyphs,
    );
    let map = Map {
        xs,
        ys,
        w: frame.w,
        h: frame.h,
    };
    if frame.w == 0 || frame.h == 0 {
        return c;
    }
    if range.is_none() {
        c.text(title_x, 0, words.no_values, Tag::Note);
        return c;
    }

    let put = |c: &mut Canvas, (i, j): (i32, i32), ch, tag| {
        let (x, y) = frame.at((i, j));
        c.put(x, y, ch, tag);
    };

    // Tangent first: the curve and the points go on top of it.
    let mut slope_text_at: Option<(i32, i32)> = None;
    if let Some((w, l, s)) = spec.current
        && w.is_finite()
        && l.is_finite()
        && s.is_finite()
    {
        let dxc = frame.w as f64 / (x1 - x0);
        let dyc = s * frame.h as f64 / (y1 - y0);
        let per_unit = (dxc * dxc + 4.0 * dyc * dyc).sqrt();
        let half = if per_unit > 0.0 && per_unit.is_finite() {
            (frame.w as f64 / 3.0).max(2.0) / per_unit
        } else {
            0.0
        };
        let a = map.cell(w - half, l - s * half);
        let b = map.cell(w + half, l + s * half);
        let glyph = raster::line_glyph(b.0 - a.0, b.1 - a.1, spec.glyphs);
        let cells = raster::cells_along(a, b, frame.w, frame.h);
        for &cell in &cells {
            put(&mut c, cell, glyph, Tag::Tangent);
        }
        // The slope goes beside the tangent's higher end (above the curve of a bowl).
        slope_text_at = match (cells.first(), cells.last()) {
            (Some(&p), Some(&q)) => Some(if p.1 <= q.1 { p } else { q }),
            _ => None,
        };
    }

    match spec.glyphs {
        Glyphs::Ascii => draw_ascii_curve(&mut c, &frame, &map, spec.f),
        Glyphs::Unicode => draw_braille_curve(&mut c, &frame, &map, spec.f),
    }

    if let (true, Some((w, _, s)), Some((i, j))) = (spec.slope_label, spec.current, slope_text_at) {
        let text = format!("{} = {}", words.slope, sig(s, 3));
        let len = text_width(&text) as i32;
        let (ci, _) = map.cell(w, 0.0);
        // Right of the end if it is the right end, else left of it; one row above, else on it.
        let right = i as f64 >= ci;
        let starts = if right {
            [i + 2, i - 1 - len]
        } else {
            [i - 1 - len, i + 2]
        };
        let mut placed = false;
        'search: for dj in [0, -1, 1, 2, -2] {
            for start in starts {
                let (x, y) = frame.at((start, j + dj));
                let inside = x >= frame.ox && x + len <= frame.ox + frame.w as i32;
                if inside && y >= frame.oy && c.is_free(x, y, len as usize) {
                    c.text(x, y, &text, Tag::Tangent);
                    placed = true;
                    break 'search;
                }
            }
        }
        if !placed {
            let x = (width as i32 - len).max(title_x);
            c.text(x, 0, &text, Tag::Tangent);
        }
    }

    // Next point and the horizontal move arrow on the current point's row.
    if let (Some((w, l, _)), Some(nw)) = (spec.current, spec.next) {
        let a = map.cell(w, l);
        let fnw = (spec.f)(nw);
        let b_row = if fnw.is_finite() {
            map.cell(nw, fnw).1
        } else {
            a.1
        };
        let tip = (map.cell(nw, l).0, a.1);
        let cells = raster::cells_along(a, tip, frame.w, frame.h);
        let start = raster::cell_of(a, frame.w, frame.h);
        let (shaft, head) = (
            raster::line_glyph(1.0, 0.0, spec.glyphs),
            raster::arrow_head(tip.0 - a.0, 0.0, spec.glyphs),
        );
        let len = cells.len();
        for (k, cell) in cells.into_iter().enumerate() {
            if Some(cell) != start {
                put(
                    &mut c,
                    cell,
                    if k + 1 == len { head } else { shaft },
                    Tag::Arrow,
                );
            }
        }
        if let Some(cell) = raster::cell_of((tip.0, b_row), frame.w, frame.h) {
            let g = match spec.glyphs {
                Glyphs::Ascii => 'o',
                Glyphs::Unicode => '○',
            };
            put(&mut c, cell, g, Tag::Next);
        }
    }

    let cells: Vec<Option<(i32, i32)>> = spec
        .points
        .iter()
        .map(|&w| raster::cell_of(map.cell(w, (spec.f)(w)), frame.w, frame.h))
        .collect();
    let current = spec
        .current
        .and_then(|(w, l, _)| raster::cell_of(map.cell(w, l), frame.w, frame.h));
    for (k, i, j) in step_labels(&cells, current) {
        put(&mut c, (i, j), marker(k), Tag::Marker);
    }
    if let Some((w, l, _)) = spec.current {
        let g = match spec.glyphs {
            Glyphs::Ascii => '@',
            Glyphs::Unicode => '●',
        };
        if let Some(cell) = raster::cell_of(map.cell(w, l), frame.w, frame.h) {
            put(&mut c, cell, g, Tag::Current);
        }
    }
    c
}

/// ASCII curve: each column is sampled at its left edge, middle and right edge; the two
/// half-strokes are cut at row boundaries and each cell gets the glyph of its longest piece.
fn draw_ascii_curve(c: &mut Canvas, frame: &Frame, map: &Map, f: &dyn Fn(f64) -> f64) {
    let h = frame.h as f64;
    let at = |u: f64| {
        let x = map.xs.lo + (map.xs.hi - map.xs.lo) * u / frame.w as f64;
        map.cell(x, f(x)).1
    };
    let mut left = at(0.0);
    for i in 0..frame.w as i32 {
        let mid = at(i as f64 + 0.5);
        let right = at(i as f64 + 1.0);
        // Best piece per row of this column: (length, a, b) in cell-local coordinates.
        let mut best: Vec<(i32, f64, P, P)> = Vec::new();
        for (ua, va, ub, vb) in [(0.0, left, 0.5, mid), (0.5, mid, 1.0, right)] {
            if !(va.is_finite() && vb.is_finite()) {
                continue;
            }
            let (top, bottom) = (va.min(vb), va.max(vb));
            if bottom < 0.0 || top > h {
                continue;
            }
            let r0 = top.clamp(0.0, h - 1e-9).floor() as i32;
            let r1 = bottom.clamp(0.0, h - 1e-9).floor() as i32;
            for r in r0..=r1 {
                let (rt, rb) = (r as f64, r as f64 + 1.0);
                let clip_t = |v: f64| {
                    if vb == va {
                        0.0
                    } else {
                        ((v - va) / (vb - va)).clamp(0.0, 1.0)
                    }
                };
                let (t0, t1) = if vb >= va {
                    (clip_t(rt), clip_t(rb))
                } else {
                    (clip_t(rb), clip_t(rt))
                };
                let pa = (
                    ua + (ub - ua) * t0,
                    (va + (vb - va) * t0 - rt).clamp(0.0, 1.0),
                );
                let pb = (
                    ua + (ub - ua) * t1,
                    (va + (vb - va) * t1 - rt).clamp(0.0, 1.0),
                );
                let len = ((pb.0 - pa.0).powi(2) + 4.0 * (pb.1 - pa.1).powi(2)).sqrt();
                match best.iter_mut().find(|(row, ..)| *row == r) {
                    Some(e) if e.1 < len => *e = (r, len, pa, pb),
                    Some(_) => {}
                    None => best.push((r, len, pa, pb)),
                }
            }
        }
        let many = best.len() > 1;
        for (r, len, a, b) in best {
            if many && len < 0.3 {
                continue;
            }
            let (x, y) = frame.at((i, r));
            c.put(x, y, stroke_glyph(a, b), Tag::Curve);
        }
        left = right;
    }
}

/// Unicode curve in braille: 2 × 4 dots per cell, vertical gaps between neighbouring dot
/// columns filled so steep parts stay connected.
fn draw_braille_curve(c: &mut Canvas, frame: &Frame, map: &Map, f: &dyn Fn(f64) -> f64) {
    let (w, h) = (frame.w as usize, frame.h as usize);
    let mut bits = vec![0u8; w * h];
    let dots_x = w * 2;
    let dots_y = (h * 4) as f64;
    let mut prev: Option<f64> = None;
    for dx in 0..dots_x {
        let u = (dx as f64 + 0.5) / 2.0;
        let x = map.xs.lo + (map.xs.hi - map.xs.lo) * u / w as f64;
        let v = map.cell(x, f(x)).1 * 4.0;
        if !v.is_finite() {
            prev = None;
            continue;
        }
        let (a, b) = match prev {
            Some(p) => (p.min(v), p.max(v)),
            None => (v, v),
        };
        prev = Some(v);
        if b < 0.0 || a >= dots_y {
            continue;
        }
        // Fill from the previous dot's row to this one, so steep parts stay joined.
        let from = a.clamp(0.0, dots_y - 1.0) as usize;
        let to = b.clamp(0.0, dots_y - 1.0) as usize;
        for dy in from..=to {
            let (ci, cj) = (dx / 2, dy / 4);
            let bit = match (dx % 2, dy % 4) {
                (0, 3) => 0x40,
                (1, 3) => 0x80,
                (0, r) => 1 << r,
                (_, r) => 1 << (r + 3),
            };
            bits[cj * w + ci] |= bit;
        }
    }
    for (idx, &b) in bits.iter().enumerate() {
        if b != 0 {
            let ch = char::from_u32(0x2800 + b as u32).unwrap_or('·');
            let (x, y) = frame.at(((idx % w) as i32, (idx / w) as i32));
            c.put(x, y, ch, Tag::Curve);
        }
    }
}
