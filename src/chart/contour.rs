//! The contour map of a two-parameter loss: isolines by marching squares, named levels with a
//! legend, axes, the descent path with ordered markers, the current point and the step arrow.
//!
//! The function is sampled once at every cell corner; each cell then shows the one isoline
//! segment passing nearest its centre, drawn with the glyph whose stroke best matches that
//! segment (its screen angle, how high it sits in the cell, whether it only clips a corner).
//! Because neighbouring cells share corners, the strokes join into continuous rings.

use super::Glyphs;
use super::axis::{Frame, Scale, draw_axes};
use super::canvas::{Canvas, Tag};
use super::levels::{self, Levels, Samples};
use super::raster::{self, P};
use super::window::Window;
use super::words::{Words, text_width};
use crate::numfmt::sig;

/// The loss as the chart samples it: point by point, or a whole row at once when the caller
/// has a faster way (the formula engine evaluates rows as batches). Any `Fn(f64, f64) -> f64`
/// is a sampler.
pub trait Sampler {
    fn at(&self, x: f64, y: f64) -> f64;

    /// The values at `(x, y)` for every x in `xs`, into `out` (cleared first).
    fn row(&self, xs: &[f64], y: f64, out: &mut Vec<f64>) {
        out.clear();
        out.extend(xs.iter().map(|&x| self.at(x, y)));
    }
}

impl<F: Fn(f64, f64) -> f64> Sampler for F {
    fn at(&self, x: f64, y: f64) -> f64 {
        self(x, y)
    }
}

/// Everything a contour chart shows. Plain data in; see [`contour`].
pub struct ContourSpec<'a> {
    /// The loss. May return NaN or ±inf anywhere: those cells stay blank.
    pub f: &'a dyn Sampler,
    /// What part of the plane to show (sanitized before use).
    pub window: Window,
    pub levels: Levels,
    /// Points visited so far, oldest first; the last one is the current point.
    pub path: &'a [(f64, f64)],
    /// Where the next step lands: the arrow goes from the current point to here.
    pub next: Option<(f64, f64)>,
    /// Other runs drawn beside the main one (a race), each as its points and a marker char.
    pub others: &'a [(&'a [(f64, f64)], char)],
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub glyphs: Glyphs,
}

/// A cell edge, in marching-squares order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Edge {
    Top,
    Right,
    Bottom,
    Left,
}

/// One isoline piece inside a cell: from `a` on edge `ea` to `b` on edge `eb`, in cell-local
/// coordinates (`u` right, `v` down, both in `[0, 1]`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Segment {
    pub a: P,
    pub b: P,
    pub ea: Edge,
    pub eb: Edge,
}

/// Marching squares for one cell with corner values top-left, top-right, bottom-right,
/// bottom-left. Returns up to two segments; the ambiguous saddle cases are decided by the mean
/// of the corners. Any non-finite corner gives nothing.
pub(crate) fn cell_segments(
    tl: f64,
    tr: f64,
    br: f64,
    bl: f64,
    level: f64,
) -> [Option<Segment>; 2] {
    if !(tl.is_finite() && tr.is_finite() && br.is_finite() && bl.is_finite()) {
        return [None, None];
    }
    let up = |v: f64| v >= level;
    let t = |a: f64, b: f64| ((level - a) / (b - a)).clamp(0.0, 1.0);
    let point = |e: Edge| -> P {
        match e {
            Edge::Top => (t(tl, tr), 0.0),
            Edge::Right => (1.0, t(tr, br)),
            Edge::Bottom => (t(bl, br), 1.0),
            Edge::Left => (0.0, t(tl, bl)),
        }
    };
    let crossed = [
        (Edge::Top, up(tl) != up(tr)),
        (Edge::Right, up(tr) != up(br)),
        (Edge::Bottom, up(bl) != up(br)),
        (Edge::Left, up(tl) != up(bl)),
    ];
    let seg = |ea: Edge, eb: Edge| {
        Some(Segment {
            a: point(ea),
            b: point(eb),
            ea,
            eb,
        })
    };
    let mut edges = crossed.iter().filter(|(_, c)| *c).map(|(e, _)| *e);
    match crossed.iter().filter(|(_, c)| *c).count() {
        2 => {
            let (ea, eb) = (
                edges.next().unwrap_or(Edge::Top),
                edges.next().unwrap_or(Edge::Top),
            );
            [seg(ea, eb), None]
        }
        4 => {
            // Saddle cell: cut off the two corners on the other side from the centre.
            let centre_up = up((tl + tr + br + bl) / 4.0);
            if up(tl) != centre_up {
                [seg(Edge::Top, Edge::Left), seg(Edge::Right, Edge::Bottom)]
            } else {
                [seg(Edge::Top, Edge::Right), seg(Edge::Bottom, Edge::Left)]
            }
        }
        _ => [None, None],
    }
}

/// Distance from the cell centre to a segment, in screen proportions (cells twice as tall).
fn centre_distance(s: &Segment) -> f64 {
    let sc = |p: P| (p.0, p.1 * 2.0);
    let (a, b, c) = (sc(s.a), sc(s.b), (0.5, 1.0));
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((c.0 - a.0) * dx + (c.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (px, py) = (a.0 + t * dx - c.0, a.1 + t * dy - c.1);
    (px * px + py * py).sqrt()
}

fn adjacent(a: Edge, b: Edge) -> bool {
    !matches!(
        (a, b),
        (Edge::Top, Edge::Bottom)
            | (Edge::Bottom, Edge::Top)
            | (Edge::Left, Edge::Right)
            | (Edge::Right, Edge::Left)
    )
}

/// The ASCII stroke for a segment. Shallow strokes are chosen by *height* in the cell, so a
/// gently falling line reads `'-._` and a rising one `_.-'` (as hand-drawn ASCII art does);
/// steep ones by angle: `/`, `|`, `\`.
pub(crate) fn ascii_glyph(s: &Segment) -> char {
    let (dx, dy) = (s.b.0 - s.a.0, s.b.1 - s.a.1);
    let len = (dx * dx + 4.0 * dy * dy).sqrt();
    if adjacent(s.ea, s.eb) && len < 0.6 {
        // Only clips a corner: a dot low in the cell, a tick high in it.
        let top = matches!(s.ea, Edge::Top) || matches!(s.eb, Edge::Top);
        return if top { '\'' } else { '.' };
    }
    stroke_glyph(s.a, s.b)
}

/// The ASCII glyph for a stroke from `a` to `b` inside one cell (cell-local coordinates).
pub(crate) fn stroke_glyph(a: P, b: P) -> char {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let mid_v = (a.1 + b.1) / 2.0;
    let a = raster::screen_angle(dx, dy) % 180.0;
    let shallow = a.min(180.0 - a);
    if shallow < 20.0 {
        if mid_v > 0.6 { '_' } else { '-' }
    } else if shallow < 50.0 {
        if mid_v < 0.35 {
            '\''
        } else if mid_v < 0.65 {
            '-'
        } else {
            '.'
        }
    } else if a < 75.0 {
        '/'
    } else if a < 105.0 {
        '|'
    } else {
        '\\'
    }
}

/// The Unicode stroke: rounded box-drawing pieces joining exactly the edges crossed, so
/// neighbouring cells always connect.
pub(crate) fn unicode_glyph(s: &Segment) -> char {
    use Edge::*;
    match (s.ea, s.eb) {
        (Left, Right) | (Right, Left) => '─',
        (Top, Bottom) | (Bottom, Top) => '│',
        (Top, Left) | (Left, Top) => '╯',
        (Bottom, Left) | (Left, Bottom) => '╮',
        (Top, Right) | (Right, Top) => '╰',
        (Right, Bottom) | (Bottom, Right) => '╭',
        _ => '·',
    }
}

/// The marker of the `i`-th visited point: `0`–`9`, then `A`–`Z`, then `+`.
pub fn marker(i: usize) -> char {
    match i {
        0..=9 => (b'0' + i as u8) as char,
        10..=35 => (b'A' + (i - 10) as u8) as char,
        _ => '+',
    }
}

/// The size of the plot area (inside the axes) of a `width × height` contour chart, for
/// [`crate::chart::FitOptions`]. The y gutter is estimated at 4 columns.
pub fn contour_plot_size(width: u16, height: u16) -> (u16, u16) {
    let f = Frame::new(width, height, &Scale::linear(-1.5, -0.5));
    let w = if f.axes {
        width.saturating_sub(5)
    } else {
        width
    };
    (w, f.h)
}

/// The level chosen for each plot cell, if an isoline passes through it.
#[derive(Clone, Debug)]
struct Drawn {
    /// Per plot cell: the level index and glyph, if an isoline is drawn there.
    cells: Vec<Option<(u8, char)>>,
}

/// Draws the contour chart into a new `width × height` canvas: title row with the y name and
/// the legend, the plot, the axes. Never panics, whatever the spec and size. English words;
/// see [`contour_in`].
pub fn contour(spec: &ContourSpec, width: u16, height: u16) -> Canvas {
    contour_in(spec, width, height, &Words::EN)
}

/// [`contour`] with the legend and notes in the language of `words`.
pub fn contour_in(spec: &ContourSpec, width: u16, height: u16, words: &Words) -> Canvas {
    ContourBase::new(spec, width, height, words).finish(spec)
}

/// The part of a contour chart that stays put while the learner steps: the sampled isolines,
/// colour bands, axes, tick labels and legend. It depends on the loss, the window, the size,
/// the glyphs and the levels, never on the path, so a step only redraws the overlay on top
/// (see [`crate::chart::ContourCache`]). Building it samples the loss at every cell corner,
/// which is most of a chart's cost.
#[derive(Clone, Debug)]
pub struct ContourBase {
    canvas: Canvas,
    /// `None` when the canvas has no room for a plot.
    plot: Option<Plot>,
}

/// Where the plot sits and what [`ContourBase::finish`] needs to place the level letters.
#[derive(Clone, Debug)]
struct Plot {
    win: Window,
    frame: Frame,
    /// Per level, the plot cells of its isoline in the order its letter prefers them.
    spots: Vec<Vec<u32>>,
}

impl ContourBase {
    /// Samples `spec.f` and draws everything but `spec.path`, `spec.next` and `spec.others`.
    pub fn new(spec: &ContourSpec, width: u16, height: u16, words: &Words) -> ContourBase {
        let mut c = Canvas::new(width, height);
        if width == 0 || height == 0 {
            return ContourBase {
                canvas: c,
                plot: None,
            };
        }
        let win = spec.window.sanitized();
        let xs = Scale::linear(win.x0, win.x1);
        let ys = Scale::linear(win.y0, win.y1);
        let frame = Frame::new(width, height, &ys);
        let (pw, ph) = (frame.w, frame.h);
        if pw == 0 || ph == 0 {
            return ContourBase {
                canvas: c,
                plot: None,
            };
        }

        // Sample at every cell corner, row 0 at the top (largest y).
        let cols = pw as usize + 1;
        let rows = ph as usize + 1;
        let mut grid = Vec::with_capacity(cols * rows);
        let xs_row: Vec<f64> = (0..cols)
            .map(|i| win.x0 + (i as f64) * win.width() / pw as f64)
            .collect();
        let mut row = Vec::with_capacity(cols);
        for j in 0..rows {
            let y = win.y1 - (j as f64) * win.height() / ph as f64;
            spec.f.row(&xs_row, y, &mut row);
            row.resize(cols, f64::NAN);
            grid.extend_from_slice(&row);
        }
        let samples = Samples {
            values: &grid,
            cols,
            rows,
        };

        let legend_x = draw_axes(
            &mut c,
            &frame,
            &xs,
            &ys,
            spec.x_label,
            spec.y_label,
            spec.glyphs,
        );
        let legend_room = (width as i32 - legend_x - 1).max(0) as usize;

        // Levels, fewer if the legend would not fit.
        let (mut lv, log) = levels::choose_spaced(&spec.levels, &samples);
        // A wide range's log-spaced levels say so in the legend's title.
        let title = if log { words.log_levels } else { words.levels };
        if frame.axes {
            // Log levels keep their title (it says how to read them); plain ones may drop it.
            let must = log.then_some(title);
            while !lv.is_empty() && legend_len(&legend(&lv, must)) > legend_room {
                // Always strictly fewer, so this ends: Auto(0) still gives one level, and a
                // log legend keeps its title, so one level may not fit either.
                lv = match &spec.levels {
                    Levels::Auto(_) => {
                        let fewer = levels::choose(&Levels::Auto(lv.len() - 1), &samples);
                        if fewer.len() < lv.len() {
                            fewer
                        } else {
                            lv[..lv.len() - 1].to_vec()
                        }
                    }
                    Levels::Explicit(_) => lv[..lv.len() - 1].to_vec(),
                };
            }
        }

        let mut drawn = trace(&grid, cols, pw, ph, &lv, spec.glyphs);
        // Levels too fine for this grid draw nothing: drop them so the letters stay a, b, c, …
        let mut visible = vec![false; lv.len()];
        for (k, _) in drawn.cells.iter().flatten() {
            visible[*k as usize] = true;
        }
        if visible.iter().any(|v| !v) {
            let mut remap = vec![0u8; lv.len()];
            let mut next = 0u8;
            for (k, v) in visible.iter().enumerate() {
                remap[k] = next;
                next += *v as u8;
            }
            for (k, _) in drawn.cells.iter_mut().flatten() {
                *k = remap[*k as usize];
            }
            lv = lv
                .iter()
                .zip(&visible)
                .filter(|(_, v)| **v)
                .map(|(l, _)| *l)
                .collect();
        }
        for j in 0..ph as usize {
            for i in 0..pw as usize {
                let (x, y) = frame.at((i as i32, j as i32));
                match drawn.cells[j * pw as usize + i] {
                    Some((k, ch)) => c.put(x, y, ch, Tag::Level(k)),
                    None => {
                        let m = mean4(&grid, cols, i, j);
                        if m.is_finite() {
                            let k = lv.partition_point(|&l| l <= m) as u8;
                            c.put(x, y, ' ', Tag::Band(k));
                        }
                    }
                }
            }
        }

        // The legend sits on the title row, above the plot, so the overlay never covers it.
        if frame.axes {
            let note = if grid.iter().all(|v| !v.is_finite()) {
                Some(words.no_values.to_string())
            } else if lv.is_empty() {
                let v = grid.iter().copied().find(|v| v.is_finite()).unwrap_or(0.0);
                Some(format!("{}: {}", words.flat, sig(v, 4)))
            } else {
                None
            };
            match note {
                Some(n) => c.text(legend_x, 0, &n, Tag::Note),
                None => draw_legend(&mut c, legend_x, &lv, legend_room, title),
            }
        }
        let low = lowest_cell(&grid, cols, pw, ph);
        ContourBase {
            canvas: c.into_base(),
            plot: Some(Plot {
                win,
                frame,
                spots: label_spots(pw as usize, &drawn, lv.len(), low),
            }),
        }
    }

    /// The whole chart: this base with `spec`'s path, racers, arrow and current point on top,
    /// and the level letters placed where those leave room. `spec` must be the one the base was
    /// built from, apart from those three fields.
    pub fn finish(&self, spec: &ContourSpec) -> Canvas {
        let mut c = self.canvas.clone();
        let Some(Plot { win, frame, spots }) = &self.plot else {
            return c;
        };
        let (pw, ph) = (frame.w, frame.h);
        // Path, arrow and current point, laid out first so level labels can avoid them.
        let overlay = overlay(spec, win, pw, ph);
        let mut reserved = vec![false; pw as usize * ph as usize];
        for &(i, j, _, _) in &overlay {
            for (di, dj) in [(0, 0), (-1, 0), (1, 0)] {
                let (ii, jj) = (i + di, j + dj);
                if ii >= 0 && jj >= 0 && ii < pw as i32 && jj < ph as i32 {
                    reserved[jj as usize * pw as usize + ii as usize] = true;
                }
            }
        }
        label_levels(&mut c, frame, spots, &reserved);
        for (i, j, ch, tag) in overlay {
            let (x, y) = frame.at((i, j));
            c.put(x, y, ch, tag);
        }
        c
    }
}

/// The plot cell at the lowest finite sample (the bowl's bottom), or the centre.
fn lowest_cell(grid: &[f64], cols: usize, pw: u16, ph: u16) -> (usize, usize) {
    let mut best = (f64::INFINITY, pw as usize / 2, ph as usize / 2);
    for (idx, &v) in grid.iter().enumerate() {
        if v < best.0 {
            best = (v, idx % cols, idx / cols);
        }
    }
    (
        best.1.min((pw as usize).saturating_sub(1)),
        best.2.min((ph as usize).saturating_sub(1)),
    )
}

fn mean4(grid: &[f64], cols: usize, i: usize, j: usize) -> f64 {
    (grid[j * cols + i]
        + grid[j * cols + i + 1]
        + grid[(j + 1) * cols + i]
        + grid[(j + 1) * cols + i + 1])
        / 4.0
}

/// Marching squares over the whole grid: for each cell the segment nearest its centre.
fn trace(grid: &[f64], cols: usize, pw: u16, ph: u16, lv: &[f64], glyphs: Glyphs) -> Drawn {
    let mut cells = vec![None; pw as usize * ph as usize];
    if lv.is_empty() {
        return Drawn { cells };
    }
    for j in 0..ph as usize {
        for i in 0..pw as usize {
            let tl = grid[j * cols + i];
            let tr = grid[j * cols + i + 1];
            let bl = grid[(j + 1) * cols + i];
            let br = grid[(j + 1) * cols + i + 1];
            if !(tl.is_finite() && tr.is_finite() && br.is_finite() && bl.is_finite()) {
                continue;
            }
            let lo = tl.min(tr).min(bl).min(br);
            let hi = tl.max(tr).max(bl).max(br);
            let first = lv.partition_point(|&l| l <= lo);
            let last = lv.partition_point(|&l| l <= hi);
            let mut best: Option<(f64, usize, Segment)> = None;
            for (k, &l) in lv.iter().enumerate().take(last).skip(first) {
                for s in cell_segments(tl, tr, br, bl, l).into_iter().flatten() {
                    let d = centre_distance(&s);
                    if best.is_none_or(|(bd, _, _)| d < bd) {
                        best = Some((d, k, s));
                    }
                }
            }
            if let Some((_, k, s)) = best {
                let ch = match glyphs {
                    Glyphs::Ascii => ascii_glyph(&s),
                    Glyphs::Unicode => unicode_glyph(&s),
                };
                cells[j * pw as usize + i] = Some((k as u8, ch));
            }
        }
    }
    Drawn { cells }
}

/// The letter naming level `k` on the chart and in the legend.
fn level_name(k: usize) -> char {
    (b'a' + (k as u8).min(25)) as char
}

/// Where each level's letter may go, best first. For a bowl the letters sit where the rings
/// cross the horizontal ray from the lowest sample to the right, so they read as a scale
/// `a b c …` outwards; otherwise (and where the ray is blocked) at the free cell nearest it.
/// Ranked once per base, so a step only skips the cells its path and arrow take.
fn label_spots(pw: usize, d: &Drawn, n: usize, low: (usize, usize)) -> Vec<Vec<u32>> {
    let (ir, jr) = low;
    let mut ranked: Vec<Vec<(usize, u32)>> = vec![Vec::new(); n];
    for (idx, cell) in d.cells.iter().enumerate() {
        let Some((k, _)) = *cell else { continue };
        let k = k as usize;
        if k >= n {
            continue;
        }
        let (i, j) = (idx % pw, idx / pw);
        // Rows away from the ray count most; left of the minimum is a last resort.
        let left = if i < ir { 10_000 + (ir - i) } else { i - ir };
        let score = j.abs_diff(jr) * 100_000 + left;
        ranked[k].push((score, idx as u32));
    }
    ranked
        .into_iter()
        .map(|mut r| {
            // Equal scores: the first cell in reading order.
            r.sort_unstable();
            r.into_iter().map(|(_, idx)| idx).collect()
        })
        .collect()
}

/// Writes each level's letter onto its isoline, at its best spot not `reserved`.
fn label_levels(c: &mut Canvas, f: &Frame, spots: &[Vec<u32>], reserved: &[bool]) {
    let pw = f.w as usize;
    for (k, ranked) in spots.iter().enumerate() {
        if let Some(&idx) = ranked.iter().find(|&&idx| !reserved[idx as usize]) {
            let (i, j) = (idx as usize % pw, idx as usize / pw);
            let (x, y) = f.at((i as i32, j as i32));
            c.put(x, y, level_name(k), Tag::LevelLabel(k as u8));
        }
    }
}

/// The legend as pieces, each with the level it names: `levels a=0.5 b=1 …` (without a
/// title when `title` is None).
fn legend(lv: &[f64], title: Option<&str>) -> Vec<(String, Option<u8>)> {
    let names = level_values(lv);
    let mut out = Vec::new();
    if let Some(t) = title {
        out.push((format!("{t} "), None));
    }
    for (k, v) in names.into_iter().enumerate() {
        let sep = if k + 1 < lv.len() { " " } else { "" };
        out.push((format!("{}={}", level_name(k), v), Some(k as u8)));
        out.push((sep.to_string(), None));
    }
    out
}

/// The level values as short text, with just enough significant digits to tell neighbours
/// apart ("0.5 1 2 5", but "1000.6 1001.1").
fn level_values(lv: &[f64]) -> Vec<String> {
    let mut names = Vec::new();
    for digits in 2..=10 {
        names = lv.iter().map(|&v| sig(v, digits)).collect();
        if names.windows(2).all(|w| w[0] != w[1]) {
            break;
        }
    }
    names
}

fn legend_len(pieces: &[(String, Option<u8>)]) -> usize {
    pieces.iter().map(|(s, _)| text_width(s)).sum()
}

/// Draws the legend on the title row; each entry is tagged with its level so a colour theme
/// paints it like its isoline.
fn draw_legend(c: &mut Canvas, x: i32, lv: &[f64], room: usize, title: &str) {
    let full = legend(lv, Some(title));
    let pieces = if legend_len(&full) <= room {
        full
    } else {
        legend(lv, None)
    };
    let mut at = x.max(c.width() as i32 - legend_len(&pieces) as i32);
    for (text, level) in pieces {
        let tag = level.map_or(Tag::Label, Tag::LevelLabel);
        c.text(at, 0, &text, tag);
        at += text_width(&text) as i32;
    }
}

/// Which visited points get their marker: `cells[k]` is point `k`'s cell. Two markers side
/// by side on a row read as one number ("863"), so a marker is left out when a kept one is
/// in its cell or next to it on its row; the start (`0`) is kept first, then the newest steps,
/// which the learner is looking at. The dotted trail still passes through the skipped ones.
pub(crate) fn step_labels(
    cells: &[Option<(i32, i32)>],
    current: Option<(i32, i32)>,
) -> Vec<(usize, i32, i32)> {
    let mut kept: Vec<(usize, i32, i32)> = Vec::new();
    let order = (0..cells.len().min(1)).chain((1..cells.len()).rev());
    for k in order {
        let Some((i, j)) = cells[k] else { continue };
        if current == Some((i, j)) {
            continue;
        }
        let touches = kept
            .iter()
            .any(|&(_, ki, kj)| kj == j && (ki - i).abs() <= 1);
        if !touches {
            kept.push((k, i, j));
        }
    }
    kept
}

/// World → plot cell coordinates.
fn to_cell(p: (f64, f64), w: &Window, pw: u16, ph: u16) -> P {
    (
        (p.0 - w.x0) / w.width() * pw as f64,
        (w.y1 - p.1) / w.height() * ph as f64,
    )
}

/// Cells of the path trail, markers, step arrow and current point, in drawing order.
fn overlay(spec: &ContourSpec, win: &Window, pw: u16, ph: u16) -> Vec<(i32, i32, char, Tag)> {
    let mut out = Vec::new();
    let pts: Vec<P> = spec.path.iter().map(|&p| to_cell(p, win, pw, ph)).collect();
    // ':' because contours never use it, so the trail can't be mistaken for an isoline.
    let dot = match spec.glyphs {
        Glyphs::Ascii => ':',
        Glyphs::Unicode => '·',
    };
    // Other runs first, so the main run's marks stay on top where they cross. All their
    // trails before any of their marks: a later racer's trail crossing an earlier racer's
    // point must not hide it (η = 1.1 passes through η = 0.9's first point on a bowl).
    let racers: Vec<Vec<P>> = spec
        .others
        .iter()
        .map(|(path, _)| path.iter().map(|&p| to_cell(p, win, pw, ph)).collect())
        .collect();
    for (k, cells) in racers.iter().enumerate() {
        for w in cells.windows(2) {
            for (n, (i, j)) in raster::cells_along(w[0], w[1], pw, ph)
                .into_iter()
                .enumerate()
            {
                if n % 2 == 1 {
                    out.push((i, j, dot, Tag::Series(k as u8)));
                }
            }
        }
    }
    for (k, (cells, (_, mark))) in racers.iter().zip(spec.others.iter()).enumerate() {
        let tag = Tag::Series(k as u8);
        for &p in cells {
            if let Some((i, j)) = raster::cell_of(p, pw, ph) {
                out.push((i, j, *mark, tag));
            }
        }
        // A racer whose point left the window is still on the chart: its mark on the border,
        // where it went out, so no run of the race goes missing.
        if let Some(&p) = cells.last()
            && raster::cell_of(p, pw, ph).is_none()
            && p.0.is_finite()
            && p.1.is_finite()
        {
            let i = p.0.clamp(0.0, pw as f64 - 0.5).floor() as i32;
            let j = p.1.clamp(0.0, ph as f64 - 0.5).floor() as i32;
            out.push((i, j, *mark, tag));
        }
    }
    // Dotted trail between consecutive points (their own cells get markers).
    for w in pts.windows(2) {
        let cells = raster::cells_along(w[0], w[1], pw, ph);
        let ends = [raster::cell_of(w[0], pw, ph), raster::cell_of(w[1], pw, ph)];
        // Every other cell, so the trail reads as dotted even where it runs diagonally.
        for (n, (i, j)) in cells.into_iter().enumerate() {
            if n % 2 == 1 && !ends.contains(&Some((i, j))) {
                out.push((i, j, dot, Tag::Path));
            }
        }
    }
    // The step arrow, drawn before the markers so it never hides a visited point.
    if let (Some(&cur), Some(next)) = (pts.last(), spec.next) {
        let nx = to_cell(next, win, pw, ph);
        let (dx, dy) = (nx.0 - cur.0, nx.1 - cur.1);
        let cells = raster::cells_along(cur, nx, pw, ph);
        let start = raster::cell_of(cur, pw, ph);
        let shaft = raster::line_glyph(dx, dy, spec.glyphs);
        let head = raster::arrow_head(dx, dy, spec.glyphs);
        let n = cells.len();
        for (k, (i, j)) in cells.into_iter().enumerate() {
            if Some((i, j)) == start {
                continue;
            }
            out.push((i, j, if k + 1 == n { head } else { shaft }, Tag::Arrow));
        }
    }
    let last = pts.len().saturating_sub(1);
    let cells: Vec<Option<(i32, i32)>> = pts
        .iter()
        .take(last)
        .map(|&p| raster::cell_of(p, pw, ph))
        .collect();
    for (k, i, j) in step_labels(&cells, pts.last().and_then(|&c| raster::cell_of(c, pw, ph))) {
        out.push((i, j, marker(k), Tag::Marker));
    }
    if let Some(&cur) = pts.last() {
        let glyph = match spec.glyphs {
            Glyphs::Ascii => '@',
            Glyphs::Unicode => '●',
        };
        match raster::cell_of(cur, pw, ph) {
            Some((i, j)) => out.push((i, j, glyph, Tag::Current)),
            None if cur.0.is_finite() && cur.1.is_finite() => {
                // Off the chart: an arrow on the border pointing towards it.
                let (cx, cy) = (pw as f64 / 2.0, ph as f64 / 2.0);
                let i = cur.0.clamp(0.0, pw as f64 - 0.5).floor() as i32;
                let j = cur.1.clamp(0.0, ph as f64 - 0.5).floor() as i32;
                let head = raster::arrow_head(cur.0 - cx, cur.1 - cy, spec.glyphs);
                out.push((i, j, head, Tag::Current));
            }
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: [Option<Segment>; 2]) -> Segment {
        assert!(s[1].is_none(), "{s:?}");
        s[0].expect("one segment")
    }

    #[test]
    fn marching_squares_cases() {
        // Nothing crosses.
        assert_eq!(cell_segments(0.0, 0.0, 0.0, 0.0, 1.0), [None, None]);
        assert_eq!(cell_segments(2.0, 2.0, 2.0, 2.0, 1.0), [None, None]);
        // Left column low, right column high: a vertical stroke through the middle.
        let s = one(cell_segments(0.0, 2.0, 2.0, 0.0, 1.0));
        assert_eq!((s.ea, s.eb), (Edge::Top, Edge::Bottom));
        assert_eq!((s.a, s.b), ((0.5, 0.0), (0.5, 1.0)));
        assert_eq!(ascii_glyph(&s), '|');
        assert_eq!(unicode_glyph(&s), '│');
        // Top row high: a horizontal stroke, a quarter down.
        let s = one(cell_segments(4.0, 4.0, 0.0, 0.0, 3.0));
        assert_eq!((s.ea, s.eb), (Edge::Right, Edge::Left));
        assert_eq!(ascii_glyph(&s), '-');
        // Bottom row high: the stroke sits low in the cell.
        let s = one(cell_segments(0.0, 0.0, 4.0, 4.0, 3.5));
        assert_eq!(ascii_glyph(&s), '_');
        // One corner high: a cut around that corner.
        let s = one(cell_segments(0.0, 0.0, 1.0, 0.0, 0.9));
        assert_eq!((s.ea, s.eb), (Edge::Right, Edge::Bottom));
        assert_eq!(ascii_glyph(&s), '.');
        assert_eq!(unicode_glyph(&s), '╭');
        let s = one(cell_segments(1.0, 0.0, 0.0, 0.0, 0.9));
        assert_eq!(ascii_glyph(&s), '\'');
        // Diagonal through the cell, steep on screen.
        let s = one(cell_segments(0.0, 0.0, 1.0, 0.0, 0.1));
        assert_eq!(ascii_glyph(&s), '/');
        // Saddle: two segments, split by the centre value.
        let [a, b] = cell_segments(1.0, 0.0, 1.0, 0.0, 0.5);
        assert!(a.is_some() && b.is_some());
        let [a2, _] = cell_segments(1.0, 0.0, 1.0, 0.0, 0.6);
        assert_ne!(a.map(|s| (s.ea, s.eb)), a2.map(|s| (s.ea, s.eb)));
        // Non-finite corners: nothing.
        assert_eq!(cell_segments(f64::NAN, 0.0, 1.0, 0.0, 0.5), [None, None]);
    }

    /// A finished chart renders the same through its cached base as cell by cell, whatever
    /// the path covers (labels, isolines, level letters), at every step of a run.
    #[test]
    fn a_finished_chart_renders_as_drawn_cell_by_cell() {
        use super::super::canvas::Theme;
        use ratatui::buffer::Buffer;
        use ratatui::layout::Rect;
        let f = |x: f64, y: f64| (x - 0.3) * (x - 0.3) + 4.0 * y * y;
        let path: Vec<(f64, f64)> = (0..12)
            .map(|k| {
                let t = 0.8f64.powi(k);
                (0.3 + 2.2 * t, 1.1 * t * (k as f64).cos())
            })
            .collect();
        let themes = [Theme::color(), Theme::mono()];
        for (glyphs, theme) in [Glyphs::Ascii, Glyphs::Unicode]
            .into_iter()
            .flat_map(|g| themes.iter().map(move |t| (g, t)))
        {
            let mut spec = ContourSpec {
                f: &f,
                window: Window::new(-1.0, 3.0, -1.5, 1.5),
                levels: Levels::default(),
                path: &[],
                next: None,
                others: &[],
                x_label: "a",
                y_label: "b",
                glyphs,
            };
            let base = ContourBase::new(&spec, 40, 16, &Words::ZH);
            // Forwards, then back (undo): a frame shows nothing of another frame's path.
            for k in (1..path.len()).chain((1..path.len()).rev()) {
                spec.path = &path[..k];
                spec.next = Some(path[k]);
                let chart = base.finish(&spec);
                assert_eq!(chart, contour_in(&spec, 40, 16, &Words::ZH));
                let area = Rect::new(2, 1, 40, 16);
                let mut fast = Buffer::empty(Rect::new(0, 0, 44, 18));
                let mut slow = fast.clone();
                chart.render(area, &mut fast, theme);
                chart.clone().without_base().render(area, &mut slow, theme);
                assert_eq!(fast, slow, "step {k}");
            }
        }
    }

    #[test]
    fn markers_are_ordered() {
        let m: String = (0..38).map(marker).collect();
        assert_eq!(m, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ++");
    }

    #[test]
    fn level_values_are_just_distinct() {
        assert_eq!(
            level_values(&[0.5, 1.0, 2.0, 5.0]),
            vec!["0.5", "1", "2", "5"]
        );
        assert_eq!(level_values(&[1000.6, 1001.1]), vec!["1000.6", "1001.1"]);
    }
}
