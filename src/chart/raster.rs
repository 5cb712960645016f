//! Straight lines and arrows on the cell grid: clipping, stepping, and the glyph that best
//! shows a direction given that a cell is about twice as tall as wide.

use super::Glyphs;

/// A point in plot cell coordinates: `x` grows right, `y` grows down; cell `(i, j)` covers
/// `[i, i+1) × [j, j+1)`.
pub(crate) type P = (f64, f64);

/// Clips segment `a`–`b` to `[0, w] × [0, h]` (Liang–Barsky). `None` when it misses, or when
/// an end is not finite.
pub(crate) fn clip(a: P, b: P, w: f64, h: f64) -> Option<(P, P)> {
    if !(a.0.is_finite() && a.1.is_finite() && b.0.is_finite() && b.1.is_finite()) {
        return None;
    }
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    // Which boundary limits each end, as (is it an x boundary, its value); None = the end.
    type Side = Option<(bool, f64)>;
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    let (mut s0, mut s1): (Side, Side) = (None, None);
    for (p, q, side) in [
        (-dx, a.0, (true, 0.0)),
        (dx, w - a.0, (true, w)),
        (-dy, a.1, (false, 0.0)),
        (dy, h - a.1, (false, h)),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 && r > t0 {
                t0 = r;
                s0 = Some(side);
            } else if p > 0.0 && r < t1 {
                t1 = r;
                s1 = Some(side);
            }
        }
    }
    if t0 > t1 || !(dx.is_finite() && dy.is_finite()) {
        return None;
    }
    // Points on a boundary are computed from the slope, not from `a + t·d`, so that ends
    // 1e300 away don't swallow the plot-sized part in rounding.
    let at = |side: Side, end: P| match side {
        None => end,
        Some((true, x)) => (x, (a.1 + (x - a.0) * (dy / dx)).clamp(0.0, h)),
        Some((false, y)) => ((a.0 + (y - a.1) * (dx / dy)).clamp(0.0, w), y),
    };
    Some((at(s0, a), at(s1, b)))
}

/// The cell containing `p` in a `w × h` plot (points on the far border belong to the last
/// cell), or `None` outside.
pub(crate) fn cell_of(p: P, w: u16, h: u16) -> Option<(i32, i32)> {
    if !(p.0.is_finite() && p.1.is_finite()) {
        return None;
    }
    if p.0 < 0.0 || p.1 < 0.0 || p.0 > w as f64 || p.1 > h as f64 || w == 0 || h == 0 {
        return None;
    }
    let i = (p.0.floor() as i32).min(w as i32 - 1);
    let j = (p.1.floor() as i32).min(h as i32 - 1);
    Some((i, j))
}

/// The cells a clipped segment passes through, in order, without repeats. Walks at most
/// about `2 (w + h)` steps since the segment lies inside the plot.
pub(crate) fn cells_along(a: P, b: P, w: u16, h: u16) -> Vec<(i32, i32)> {
    let mut out: Vec<(i32, i32)> = Vec::new();
    let Some((a, b)) = clip(a, b, w as f64, h as f64) else {
        return out;
    };
    let len = (b.0 - a.0).abs().max((b.1 - a.1).abs());
    let steps = (len * 3.0)
        .ceil()
        .clamp(1.0, 4.0 * (w as f64 + h as f64) + 4.0) as usize;
    for k in 0..=steps {
        let t = k as f64 / steps as f64;
        let p = (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
        if let Some(c) = cell_of(p, w, h)
            && out.last() != Some(&c)
        {
            out.push(c);
        }
    }
    out
}

/// Screen angle in degrees of the direction `(dx, dy)` in cell units (y down), with cells
/// `aspect` times taller than wide; 0 = right, 90 = up.
pub(crate) fn screen_angle(dx: f64, dy: f64) -> f64 {
    let a = (-dy * 2.0).atan2(dx).to_degrees();
    if a < 0.0 { a + 360.0 } else { a }
}

/// The line glyph for a direction (undirected).
pub(crate) fn line_glyph(dx: f64, dy: f64, glyphs: Glyphs) -> char {
    let a = screen_angle(dx, dy) % 180.0;
    let (h, s, v, b) = match glyphs {
        Glyphs::Ascii => ('-', '/', '|', '\\'),
        Glyphs::Unicode => ('─', '╱', '│', '╲'),
    };
    if !(22.5..157.5).contains(&a) {
        h
    } else if a < 67.5 {
        s
    } else if a < 112.5 {
        v
    } else {
        b
    }
}

/// The arrow head for a direction.
pub(crate) fn arrow_head(dx: f64, dy: f64, glyphs: Glyphs) -> char {
    let a = screen_angle(dx, dy);
    match glyphs {
        Glyphs::Ascii => ['>', '^', '<', 'v'][(((a + 45.0) / 90.0) as usize) % 4],
        Glyphs::Unicode => {
            ['→', '↗', '↑', '↖', '←', '↙', '↓', '↘'][(((a + 22.5) / 45.0) as usize) % 8]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_and_walks() {
        assert_eq!(
            clip((-1.0, 1.0), (5.0, 1.0), 4.0, 2.0),
            Some(((0.0, 1.0), (4.0, 1.0)))
        );
        assert_eq!(clip((-1.0, -1.0), (-2.0, 5.0), 4.0, 2.0), None);
        assert_eq!(clip((f64::NAN, 0.0), (1.0, 1.0), 4.0, 2.0), None);
        let c = cells_along((0.5, 0.5), (3.5, 0.5), 4, 2);
        assert_eq!(c, vec![(0, 0), (1, 0), (2, 0), (3, 0)]);
        let c = cells_along((-1e300, 0.5), (1e300, 0.5), 4, 2);
        assert_eq!(c.len(), 4);
    }

    #[test]
    fn glyphs_follow_screen_angle() {
        assert_eq!(line_glyph(1.0, 0.0, Glyphs::Ascii), '-');
        assert_eq!(line_glyph(0.0, 1.0, Glyphs::Ascii), '|');
        // One column right and half a row up is 45° on screen.
        assert_eq!(line_glyph(1.0, -0.5, Glyphs::Ascii), '/');
        assert_eq!(line_glyph(-1.0, -0.5, Glyphs::Ascii), '\\');
        assert_eq!(arrow_head(1.0, 0.1, Glyphs::Ascii), '>');
        assert_eq!(arrow_head(-0.2, -1.0, Glyphs::Ascii), '^');
        assert_eq!(arrow_head(-1.0, 0.0, Glyphs::Ascii), '<');
        assert_eq!(arrow_head(0.0, 1.0, Glyphs::Ascii), 'v');
        assert_eq!(arrow_head(-1.0, 0.5, Glyphs::Unicode), '↙');
    }
}
