//! Which cells of a frame changed, worked out by us rather than by ratatui's `Terminal::flush`.
//!
//! ratatui's diff measures the display width of every cell's symbol before it compares the
//! cell, and compares symbols through a `memcmp` call: at 160×48 that was ~90 µs of a step
//! frame whose own drawing took ~70 µs (`cargo bench --bench frame -- "ratatui diff"`). Here
//! cells are compared first, with the short symbols compared inline, and widths are measured
//! only for the few cells that changed. The rules for wide characters are ratatui's: the
//! columns a wide character covers are not written, and when a wide character gives way to a
//! narrower one, the columns it covered are redrawn.
//!
//! Both adapters draw with [`paint_frame`]: the view draws into the terminal's buffer, the
//! [`Painter`] leaves the escape codes of the changed cells in the shared [`Painted`], and the
//! backend writes them where ratatui's cells would have gone. The terminal keeps the cursor,
//! clears and resizes; every clear tells the painter its copy of the screen is blank.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::{Buffer, Cell, CellDiffOption};
use ratatui::layout::{Position, Rect, Size};
use ratatui::{Frame, Terminal};

use crate::chart::Retained;

mod seen;
use seen::{Seen, columns};

/// What a frame tells its painter beyond its cells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Painting {
    /// Areas drawn from something that can be told apart from frame to frame, with the
    /// cells that may differ from it (see [`Retained`]): the chart over its base, the page
    /// text, the footer. They must not overlap, and nothing may be drawn over them after
    /// (an area something was drawn over is given back with base [`Retained::FRESH`]).
    pub retained: Vec<Retained>,
    /// Where the terminal's cursor goes; hidden when `None`.
    pub cursor: Option<Position>,
}

/// Draws one frame with `draw` into `terminal`'s buffer and sends what changed, with
/// `painter`'s diff in place of ratatui's.
///
/// Unlike `Terminal::draw`, it keeps to one of the terminal's two buffers, and keeps it from
/// frame to frame: the areas the last frame retained (see [`Painting::retained`]) still hold
/// what it drew, and are handed to `draw` to redraw or continue; the rest is blank. So a step
/// writes the numbers, the path, the point and the arrow, not the whole screen. (Each
/// `Terminal::draw` blanks the other buffer and draws all of it: every cell of two buffers
/// written per frame, costly for a server whose many sessions' screens are out of the CPU's
/// caches by the time their learners press the next key.)
///
/// `draw` must give back every area it was handed (redrawn or continued); if it did not (a
/// change of layout), the frame is drawn again over the areas it did retain with the rest
/// blanked, so stale cells never stay; a draw that drops areas again is redrawn on a blank
/// buffer.
pub fn paint_frame<B>(
    terminal: &mut Terminal<B>,
    painter: &mut Painter,
    mut draw: impl FnMut(&mut Frame, &[Retained]) -> Painting,
) -> io::Result<()>
where
    B: Backend<Error = io::Error>,
{
    terminal.autoresize()?;
    let buffer = terminal.current_buffer_mut();
    let kept = painter.kept(buffer.area).to_vec();
    blank_outside(buffer, &kept);
    let mut painting = draw(&mut terminal.get_frame(), &kept);
    if !dropped_areas_covered(&kept, &painting) {
        // The areas this draw retained are clean: each was continued from the same area of
        // the last frame or drawn afresh by its owner. Anything else may hold a dropped area's
        // stale cells under what was drawn over them, so it is blanked and the frame drawn
        // again, keeping those areas: when the numbers panel grows by a row, the chart stays.
        // (When the retained areas cover every dropped one, as when the page and numbers
        // panels trade a row, no stale cell is left and the first draw stands.)
        let clean = std::mem::take(&mut painting.retained);
        painting = draw_again(&mut terminal.get_frame(), &clean, &mut draw);
    }
    painter.paint_retained(terminal.current_buffer_mut(), painting.retained)?;
    // The backend writes the painter's bytes in place of the cells it is given.
    terminal.backend_mut().draw(std::iter::empty())?;
    match painting.cursor {
        None => terminal.hide_cursor()?,
        Some(at) => {
            terminal.show_cursor()?;
            terminal.set_cursor_position(at)?;
        }
    }
    Backend::flush(terminal.backend_mut())
}

/// Draws the frame again with `draw`, keeping the areas of `clean` (retained by the draw
/// before, so they hold what it drew) and blanking the rest; a draw that leaves out one of
/// them is done once more on a blank buffer, so no stale cell stays.
pub(crate) fn draw_again(
    frame: &mut Frame,
    clean: &[Retained],
    mut draw: impl FnMut(&mut Frame, &[Retained]) -> Painting,
) -> Painting {
    blank_outside(frame.buffer_mut(), clean);
    let painting = draw(frame, clean);
    if !dropped(clean, &painting) {
        return painting;
    }
    frame.buffer_mut().reset();
    draw(frame, &[])
}

/// Whether `painting` left out an area of `kept` it was handed.
fn dropped(kept: &[Retained], painting: &Painting) -> bool {
    kept.iter()
        .any(|k| !painting.retained.iter().any(|r| r.area == k.area))
}

/// Whether every cell of each area of `kept` that `painting` left out lies in an area it
/// retained: each of those was continued from last frame's same area or blanked and drawn
/// afresh by its owner, so no cell of a dropped area can still show what it showed.
fn dropped_areas_covered(kept: &[Retained], painting: &Painting) -> bool {
    let retained = &painting.retained;
    let mut spans: Vec<(u16, u16)> = Vec::with_capacity(retained.len());
    for k in kept {
        if retained.iter().any(|r| r.area == k.area) {
            continue;
        }
        for y in k.area.top()..k.area.bottom() {
            row_spans(retained, y, &mut spans);
            let mut x = k.area.left();
            for &(from, to) in &spans {
                if from > x {
                    break;
                }
                x = x.max(to);
            }
            if x < k.area.right() {
                return false;
            }
        }
    }
    true
}

/// The columns `[left, right)` that `areas` cover in row `y`, in order, into `spans`.
fn row_spans(areas: &[Retained], y: u16, spans: &mut Vec<(u16, u16)>) {
    spans.clear();
    spans.extend(
        areas
            .iter()
            .filter(|r| (r.area.top()..r.area.bottom()).contains(&y))
            .map(|r| (r.area.left(), r.area.right())),
    );
    spans.sort_unstable();
}

/// Blanks every cell of `buf` outside the areas of `kept`.
fn blank_outside(buf: &mut Buffer, kept: &[Retained]) {
    if kept.is_empty() {
        buf.reset();
        return;
    }
    let (left, right) = (buf.area.left(), buf.area.right());
    let mut inside: Vec<(u16, u16)> = Vec::with_capacity(kept.len() + 1);
    for y in buf.area.top()..buf.area.bottom() {
        row_spans(kept, y, &mut inside);
        inside.push((right, right));
        let row = buf.index_of(left, y);
        let mut x = left;
        for &(from, to) in &inside {
            let (from, to) = (from.clamp(left, right), to.clamp(left, right));
            if from > x {
                let (a, b) = (usize::from(x - left), usize::from(from - left));
                for cell in &mut buf.content[row + a..row + b] {
                    cell.reset();
                }
            }
            x = x.max(to);
        }
    }
}

/// The backend's half of a [`Painter`]: the bytes of the frame being drawn, and whether the
/// screen was cleared since (then the painter's idea of the screen is blank).
#[derive(Debug, Clone, Default)]
pub struct Painted {
    bytes: Arc<Mutex<Vec<u8>>>,
    cleared: Arc<AtomicBool>,
}

impl Painted {
    pub fn new() -> Painted {
        let p = Painted::default();
        p.note_cleared();
        p
    }

    /// The painter whose bytes this hands to the backend.
    pub fn painter(&self) -> Painter {
        Painter {
            shown: Vec::new(),
            shown_area: Rect::ZERO,
            bytes: Vec::new(),
            painted: self.clone(),
            last: Vec::new(),
            keep: true,
            compared: 0,
            emit: Vec::new(),
            sync: Vec::new(),
            spans: Vec::new(),
            bitmaps: Vec::new(),
        }
    }

    /// Call from `Backend::draw`: writes the painted bytes to `out`, in place of the cells.
    pub fn write_to(&self, out: &mut impl Write) -> io::Result<()> {
        let mut bytes = self.bytes.lock().unwrap_or_else(PoisonError::into_inner);
        out.write_all(&bytes)?;
        bytes.clear();
        Ok(())
    }

    /// Call from `Backend::draw` after [`Painted::write_to`], with the cells it was given.
    /// [`paint_frame`] gives none; ratatui gives blank cells to clear part of a screen. Then
    /// the whole screen is cleared and the painter's copy with it, so the next frame is
    /// compared with a blank screen and sent whole.
    pub fn clear_for<'a, W: Write>(
        &self,
        out: &mut CrosstermBackend<W>,
        mut cells: impl Iterator<Item = (u16, u16, &'a Cell)>,
    ) -> io::Result<()> {
        if cells.next().is_none() {
            return Ok(());
        }
        self.note_cleared();
        out.clear()
    }

    /// Call from `Backend::clear` and `clear_region`.
    pub fn note_cleared(&self) {
        self.cleared.store(true, Ordering::Relaxed);
    }
}

/// Works out each frame's changed cells, keeping its own copy of what the screen shows.
#[derive(Debug)]
pub struct Painter {
    /// What the screen holds, as far as the bytes sent say: `shown_area`'s cells, row by row.
    shown: Vec<Seen>,
    shown_area: Rect,
    /// Escape codes of the cells, handed to the backend's `draw` through `painted`.
    bytes: Vec<u8>,
    painted: Painted,
    /// The retained areas of the last frame.
    last: Vec<Retained>,
    /// Whether [`paint_frame`] keeps the last frame's areas in the buffer (see
    /// [`Painter::keep_areas`]).
    keep: bool,
    /// Cells the last frame compared.
    compared: usize,
    /// Reused between frames: cells to write, cells to copy into `shown`, stretches of cells
    /// to compare, the bitmaps of the retained areas' cells to compare.
    emit: Vec<usize>,
    sync: Vec<usize>,
    spans: Vec<(usize, usize)>,
    bitmaps: Vec<Vec<u64>>,
}

impl Painter {
    /// How many cells the last frame compared: the whole screen, or less when the chart's
    /// unchanged cells were skipped.
    pub fn compared(&self) -> usize {
        self.compared
    }

    /// The screen was cleared or resized to `area`: it shows blanks, and no area is kept.
    fn blank(&mut self, area: Rect) {
        self.shown.clear();
        self.shown.resize(
            usize::from(area.width) * usize::from(area.height),
            Seen::BLANK,
        );
        self.shown_area = area;
        self.last.clear();
    }

    /// The areas of the last frame that a frame of size `area` can keep: none after the
    /// screen was cleared or resized, or when keeping is off.
    pub fn kept(&mut self, area: Rect) -> &[Retained] {
        if self.painted.cleared.swap(false, Ordering::Relaxed) || self.shown_area != area {
            self.blank(area);
        }
        if self.keep { &self.last } else { &[] }
    }

    /// Whether [`paint_frame`] keeps the areas of the last frame in the buffer and hands them
    /// to the view (on by default), or blanks the buffer and has every frame drawn whole. The
    /// cells compared are the same either way.
    pub fn keep_areas(&mut self, keep: bool) {
        self.keep = keep;
    }

    /// Leave for the backend what changed between the screen and `next`, comparing every cell.
    pub fn paint(&mut self, next: &Buffer) -> io::Result<()> {
        self.paint_retained(next, Vec::new())
    }

    /// [`Painter::paint`], told which areas of `next` were drawn from what (see
    /// [`Retained`]). An area drawn from the same thing as in the last frame, in the same
    /// place, is the same as then apart from the cells either frame lists, and only those are
    /// compared: a step frame compares the numbers panel and the few dozen cells of the path,
    /// point and arrow instead of the thousands of the contour map and the page text.
    pub fn paint_retained(&mut self, next: &Buffer, retained: Vec<Retained>) -> io::Result<()> {
        let fresh = self.painted.cleared.swap(false, Ordering::Relaxed);
        if fresh || self.shown_area != next.area {
            self.blank(next.area);
        }
        let width = usize::from(next.area.width.max(1));
        let len = next.content.len();
        let origin = (next.area.x, next.area.y);
        self.bitmaps.resize_with(retained.len(), Vec::new);
        let mut kept: Vec<Marked> = Vec::with_capacity(retained.len());
        for (k, (now, bits)) in retained.iter().zip(self.bitmaps.iter_mut()).enumerate() {
            let Some(last) = self
                .last
                .iter()
                .find(|l| l.area == now.area && l.base == now.base && l.base != Retained::FRESH)
            else {
                continue;
            };
            if retained[..k].iter().any(|r| r.area.intersects(now.area)) {
                // Overlapping areas would be skipped twice over; compare such a one in full.
                continue;
            }
            let cells = last.cells.iter().chain(&now.cells);
            kept.push(Marked::new(now.area, origin, width, len, cells, bits));
        }
        self.spans.clear();
        spans_around(&mut kept, width, len, &mut self.spans);
        self.compared = self
            .spans
            .iter()
            .map(|&(from, to)| to.saturating_sub(from))
            .sum();
        changed_cells(
            &self.shown,
            &next.content,
            width,
            &self.spans,
            &mut self.emit,
            &mut self.sync,
        );
        self.last = retained;
        if !self.emit.is_empty() {
            let (x0, y0) = (next.area.x, next.area.y);
            let cells = self.emit.iter().map(|&i| {
                let (x, y) = ((i % width) as u16, (i / width) as u16);
                (x0 + x, y0 + y, &next.content[i])
            });
            super::escape::draw_cells(&mut self.bytes, cells)?;
            let mut painted = self
                .painted
                .bytes
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if painted.is_empty() {
                // Hand over the bytes and take back last frame's emptied buffer: no copy.
                std::mem::swap(&mut *painted, &mut self.bytes);
            } else {
                // A frame painted but never drawn (an error in between): keep both, in order.
                painted.append(&mut self.bytes);
            }
        }
        for &i in &self.sync {
            self.shown[i] = Seen::of(&next.content[i]);
        }
        Ok(())
    }
}

/// A retained area of a `width`-wide buffer of `len` cells, with the cells in it that must
/// still be compared marked in a bitmap (one bit per cell of the area, row by row): the
/// marked cells come from two frames' lists, unordered and repeated, and a bitmap orders and
/// merges them without a sort.
struct Marked<'a> {
    /// Column and row of the area's corner within the buffer; its width and height there.
    x: usize,
    y: usize,
    w: usize,
    h: usize,
    width: usize,
    bits: &'a [u64],
}

impl<'a> Marked<'a> {
    fn new<'c>(
        area: Rect,
        origin: (u16, u16),
        width: usize,
        len: usize,
        cells: impl Iterator<Item = &'c usize>,
        bits: &'a mut Vec<u64>,
    ) -> Marked<'a> {
        let x = usize::from(area.x.saturating_sub(origin.0));
        let y = usize::from(area.y.saturating_sub(origin.1));
        let w = usize::from(area.width).min(width.saturating_sub(x));
        let h = usize::from(area.height).min((len / width.max(1)).saturating_sub(y));
        bits.clear();
        bits.resize((w * h).div_ceil(64), 0);
        for &i in cells {
            let (col, row) = (i % width.max(1), i / width.max(1));
            if (x..x + w).contains(&col) && (y..y + h).contains(&row) {
                let b = (row - y) * w + (col - x);
                bits[b / 64] |= 1 << (b % 64);
            }
        }
        Marked {
            x,
            y,
            w,
            h,
            width,
            bits,
        }
    }

    /// Pushes the stretches of the area's row `row` (0-based) to compare: its marked cells.
    fn marked_in_row(&self, row: usize, spans: &mut Vec<(usize, usize)>) {
        let start = (self.y + row) * self.width + self.x;
        let (from, to) = (row * self.w, (row + 1) * self.w);
        let mut word = from / 64;
        while word * 64 < to {
            let mut bits = self.bits[word];
            // Keep only this row's bits of the word.
            if word * 64 < from {
                bits &= !0 << (from % 64);
            }
            if (word + 1) * 64 > to {
                bits &= !0 >> (64 - to % 64);
            }
            while bits != 0 {
                let b = word * 64 + bits.trailing_zeros() as usize;
                let i = start + (b - from);
                spans.push((i, i + 1));
                bits &= bits - 1;
            }
            word += 1;
        }
    }
}

/// The stretches `[from, to)` of a `width`-wide buffer of `len` cells to compare, in order:
/// everything outside the `kept` areas (which must not overlap), and their marked cells.
fn spans_around(kept: &mut [Marked], width: usize, len: usize, spans: &mut Vec<(usize, usize)>) {
    kept.sort_by_key(|m| m.x);
    let rows = len / width.max(1);
    let mut at = 0;
    for row in 0..rows {
        for m in kept.iter().filter(|m| (m.y..m.y + m.h).contains(&row)) {
            let start = row * width + m.x;
            spans.push((at, start));
            m.marked_in_row(row - m.y, spans);
            at = start + m.w;
        }
    }
    spans.push((at, len));
}

/// A crossterm backend whose frames' cells come from a [`Painter`]: the local terminal's.
pub struct PaintedBackend<W: Write> {
    inner: CrosstermBackend<W>,
    painted: Painted,
    cursor: Position,
}

impl<W: Write> PaintedBackend<W> {
    pub fn new(out: W) -> (PaintedBackend<W>, Painter) {
        let painted = Painted::new();
        let painter = painted.painter();
        (
            PaintedBackend {
                inner: CrosstermBackend::new(out),
                painted,
                cursor: Position::ORIGIN,
            },
            painter,
        )
    }
}

impl<W: Write> Backend for PaintedBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, cells: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.painted.write_to(&mut self.inner)?;
        self.painted.clear_for(&mut self.inner, cells)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.inner.show_cursor()
    }

    /// Where we last put it. Asking the terminal means writing a query and reading its answer
    /// from the input, where it can get mixed with the learner's keys.
    fn get_cursor_position(&mut self) -> io::Result<Position> {
        Ok(self.cursor)
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        let p = position.into();
        self.cursor = p;
        self.inner.set_cursor_position(p)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.painted.note_cleared();
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.painted.note_cleared();
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        self.inner.size()
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}

/// Cells of `next` to write (`emit`) so that a screen showing `shown` shows `next`, and the
/// cells of `shown` that then need updating (`sync`). Both buffers are `width` cells wide.
/// Only the cells in `spans` (ordered stretches `[from, to)`) are compared; a wide character
/// may carry the work past a stretch's end.
fn changed_cells(
    shown: &[Seen],
    next: &[Cell],
    width: usize,
    spans: &[(usize, usize)],
    emit: &mut Vec<usize>,
    sync: &mut Vec<usize>,
) {
    emit.clear();
    sync.clear();
    let len = shown.len().min(next.len());
    let mut i = 0;
    for &(from, to) in spans {
        i = i.max(from);
        while i < to.min(len) {
            i = compare_at(shown, next, width, i, len, emit, sync);
        }
    }
}

/// Compares cell `i`; returns the next cell to look at.
#[inline]
fn compare_at(
    shown: &[Seen],
    next: &[Cell],
    width: usize,
    i: usize,
    len: usize,
    emit: &mut Vec<usize>,
    sync: &mut Vec<usize>,
) -> usize {
    let (old, new) = (&shown[i], &next[i]);
    if old.same(new) && !matches!(new.diff_option, CellDiffOption::AlwaysUpdate) {
        return i + 1;
    }
    sync.push(i);
    if !is_skip(new) && !covered(next, i, width) {
        emit.push(i);
    }
    let new_end = (i + columns(new).max(1)).min(len);
    let old_end = (i + old.columns().max(1)).min(len);
    // Columns under a new wide character: not written, but the screen holds them now.
    sync.extend(i + 1..new_end);
    // Columns a wide character covered before: redrawn, as some terminals leave its
    // right half behind.
    for (j, cell) in next.iter().enumerate().take(old_end).skip(new_end) {
        sync.push(j);
        if !is_skip(cell) {
            emit.push(j);
        }
    }
    new_end.max(old_end).max(i + 1)
}

/// Whether a wide character to the left of cell `i` (in the same row) covers it.
fn covered(cells: &[Cell], i: usize, width: usize) -> bool {
    let x = i % width;
    (1..=x.min(3)).any(|k| columns(&cells[i - k]) > k)
}

fn is_skip(cell: &Cell) -> bool {
    #[allow(deprecated)] // `skip` is still what `Buffer::set_skip`-era widgets set
    let skip = cell.skip;
    matches!(cell.diff_option, CellDiffOption::Skip)
        || (skip && matches!(cell.diff_option, CellDiffOption::None))
}
