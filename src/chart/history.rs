//! A small line chart of cost per iteration, several series on shared axes (batch vs
//! mini-batch vs SGD), each drawn with its own marker so it reads without colour.

use super::Glyphs;
use super::axis::{Frame, Scale, draw_axes};
use super::canvas::{Canvas, Tag};
use super::curve::robust_range;
use super::raster::{self, P};

/// Markers of the series, in order (then repeating).
pub const SERIES_MARKERS: [char; 6] = ['@', 'o', '#', '%', '&', '$'];

/// The cost histories to draw. Plain data in; see [`history`].
pub struct HistorySpec<'a> {
    /// `(name, values per iteration)`; series may have different lengths.
    pub series: &'a [(&'a str, &'a [f64])],
    /// Logarithmic y axis (non-positive values are then skipped).
    pub log_y: bool,
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub glyphs: Glyphs,
}

/// Draws the history chart into a new `width × height` canvas: a legend (`* batch  + sgd`) in
/// the title row, the series, the axes. Never panics.
pub fn history(spec: &HistorySpec, width: u16, height: u16) -> Canvas {
    let mut c = Canvas::new(width, height);
    if width == 0 || height == 0 {
        return c;
    }
    let y_of = |v: f64| {
        if spec.log_y {
            if v > 0.0 { v.log10() } else { f64::NAN }
        } else {
            v
        }
    };
    let len = spec.series.iter().map(|(_, v)| v.len()).max().unwrap_or(0);
    let mut all: Vec<f64> = spec
        .series
        .iter()
        .flat_map(|(_, v)| v.iter().map(|&x| y_of(x)))
        .collect();
    let range = robust_range(&mut all, &[]);
    let (y0, y1) = range.unwrap_or((0.0, 1.0));
    let ys = Scale {
        lo: y0,
        hi: y1,
        log: spec.log_y,
    };
    let x_hi = (len.max(2) - 1) as f64;
    let xs = Scale::linear(0.0, x_hi);
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
    if frame.w == 0 || frame.h == 0 {
        return c;
    }
    if range.is_none() {
        if frame.axes {
            c.text(title_x, 0, "no finite values yet", Tag::Note);
        }
        return c;
    }
    // Cell coordinates: column centres span the plot so the last iteration sits on the edge.
    let cell = |t: usize, v: f64| -> P {
        (
            0.5 + t as f64 / x_hi * (frame.w as f64 - 1.0),
            frame.h as f64 - ys.pos(y_of(v), frame.h),
        )
    };
    for (s, (_, values)) in spec.series.iter().enumerate() {
        let m = SERIES_MARKERS[s % SERIES_MARKERS.len()];
        let tag = Tag::Series(s as u8);
        let mut prev: Option<P> = None;
        for (t, &v) in values.iter().enumerate() {
            let p = cell(t, v);
            if !(p.0.is_finite() && p.1.is_finite()) {
                prev = None;
                continue;
            }
            let cells = match prev {
                Some(q) => raster::cells_along(q, p, frame.w, frame.h),
                None => raster::cell_of(p, frame.w, frame.h).into_iter().collect(),
            };
            for ij in cells {
                let (x, y) = frame.at(ij);
                c.put(x, y, m, tag);
            }
            prev = Some(p);
        }
    }
    if frame.axes {
        let mut at = title_x;
        for (s, (name, _)) in spec.series.iter().enumerate() {
            let entry = format!("{} {}", SERIES_MARKERS[s % SERIES_MARKERS.len()], name);
            let n = entry.chars().count() as i32;
            if at + n > width as i32 {
                break;
            }
            c.text(at, 0, &entry, Tag::Series(s as u8));
            at += n + 2;
        }
    }
    c
}
