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
//! Both adapters use it the same way: a [`Painter`] is called with the frame's buffer at the
//! end of every `Terminal::draw` callback and leaves the escape codes in the shared
//! [`Painted`], whose backend writes them where ratatui's cells would have gone (ratatui's
//! diff is lazy: left unread, it costs nothing). The terminal keeps the cursor, clears and
//! resizes.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::{Buffer, Cell, CellDiffOption, CellWidth};
use ratatui::layout::{Position, Rect, Size};
use ratatui::{Frame, Terminal};

use crate::chart::Retained;

/// What a frame tells its painter beyond its cells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Painting {
    /// Which cells of the chart can differ from the base it was drawn over (see [`Retained`]).
    pub retained: Option<Retained>,
    /// Where the terminal's cursor goes; hidden when `None`.
    pub cursor: Option<Position>,
}

/// Draws one frame with `draw` into `terminal`'s buffer and sends what changed, with
/// `painter`'s diff in place of ratatui's.
///
/// Unlike `Terminal::draw`, it keeps to one of the terminal's two buffers: `draw` starts on
/// it blank, and what the screen showed before is the painter's copy. `Terminal::draw` blanks
/// the other buffer after every frame and draws into it the next time, so every frame wrote
/// both, a third more memory per frame for a server with many sessions (whose screens are out
/// of the CPU's caches by the time their learner presses the next key).
pub fn paint_frame<B>(
    terminal: &mut Terminal<B>,
    painter: &mut Painter,
    draw: impl FnOnce(&mut Frame) -> Painting,
) -> io::Result<()>
where
    B: Backend<Error = io::Error>,
{
    terminal.autoresize()?;
    terminal.current_buffer_mut().reset();
    let painting = draw(&mut terminal.get_frame());
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
            shown: Buffer::empty(Rect::ZERO),
            bytes: Vec::new(),
            painted: self.clone(),
            last: None,
            compared: 0,
            emit: Vec::new(),
            sync: Vec::new(),
            spans: Vec::new(),
            except: Vec::new(),
        }
    }

    /// Call from `Backend::draw`: writes the painted bytes to `out`, in place of the cells.
    pub fn write_to(&self, out: &mut impl Write) -> io::Result<()> {
        let mut bytes = self.bytes.lock().unwrap_or_else(PoisonError::into_inner);
        out.write_all(&bytes)?;
        bytes.clear();
        Ok(())
    }

    /// Call from `Backend::clear` and `clear_region`.
    pub fn note_cleared(&self) {
        self.cleared.store(true, Ordering::Relaxed);
    }
}

/// Works out each frame's changed cells, keeping its own copy of what the screen shows.
#[derive(Debug)]
pub struct Painter {
    /// What the screen holds, as far as the bytes sent say.
    shown: Buffer,
    /// Escape codes of the cells, handed to the backend's `draw` through `painted`.
    bytes: Vec<u8>,
    painted: Painted,
    /// The chart's retained cells in the last frame, if it said which.
    last: Option<Retained>,
    /// Cells the last frame compared.
    compared: usize,
    /// Reused between frames: cells to write, cells to copy into `shown`, stretches of cells
    /// to compare, the bitmap of a retained area's cells to compare.
    emit: Vec<usize>,
    sync: Vec<usize>,
    spans: Vec<(usize, usize)>,
    except: Vec<u64>,
}

impl Painter {
    /// How many cells the last frame compared: the whole screen, or less when the chart's
    /// unchanged cells were skipped.
    pub fn compared(&self) -> usize {
        self.compared
    }

    /// Leave for the backend what changed between the screen and `next`, comparing every cell.
    pub fn paint(&mut self, next: &Buffer) -> io::Result<()> {
        self.paint_retained(next, None)
    }

    /// [`Painter::paint`], told which cells of `next` the chart may have changed since the
    /// base it was drawn over. When the last frame was drawn over the same base, in the same
    /// place, the chart's other cells are the same as then and are not compared: a step frame
    /// compares the text panels and the few dozen cells of the path, point and arrow instead
    /// of the thousands of the contour map.
    pub fn paint_retained(&mut self, next: &Buffer, retained: Option<Retained>) -> io::Result<()> {
        let fresh = self.painted.cleared.swap(false, Ordering::Relaxed);
        if fresh || self.shown.area != next.area {
            self.shown = Buffer::empty(next.area);
            self.last = None;
        }
        let width = usize::from(next.area.width.max(1));
        let len = next.content.len();
        self.spans.clear();
        match (&self.last, &retained) {
            (Some(last), Some(now)) if last.area == now.area && last.base == now.base => {
                let origin = (next.area.x, next.area.y);
                let cells = last.cells.iter().chain(&now.cells);
                let area = Marked::new(now.area, origin, width, len, cells, &mut self.except);
                area.spans(&mut self.spans);
            }
            _ => self.spans.push((0, len)),
        }
        self.compared = self.spans.iter().map(|&(from, to)| to - from).sum();
        changed_cells(
            &self.shown.content,
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
            CrosstermBackend::new(&mut self.bytes).draw(cells)?;
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
            self.shown.content[i].clone_from(&next.content[i]);
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
    len: usize,
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
            len,
            bits,
        }
    }

    /// The stretches `[from, to)` to compare, in order: everything outside the area, and the
    /// marked cells in it.
    fn spans(&self, spans: &mut Vec<(usize, usize)>) {
        let mut at = 0;
        for row in 0..self.h {
            let start = (self.y + row) * self.width + self.x;
            spans.push((at, start));
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
            at = start + self.w;
        }
        spans.push((at, self.len));
    }
}

/// A crossterm backend whose frames' cells come from a [`Painter`]: the local terminal's.
pub struct PaintedBackend<W: Write> {
    inner: CrosstermBackend<W>,
    painted: Painted,
}

impl<W: Write> PaintedBackend<W> {
    pub fn new(out: W) -> (PaintedBackend<W>, Painter) {
        let painted = Painted::new();
        let painter = painted.painter();
        (
            PaintedBackend {
                inner: CrosstermBackend::new(out),
                painted,
            },
            painter,
        )
    }
}

impl<W: Write> Backend for PaintedBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, _ratatuis_diff: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.painted.write_to(&mut self.inner)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.inner.set_cursor_position(position)
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
    shown: &[Cell],
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
    shown: &[Cell],
    next: &[Cell],
    width: usize,
    i: usize,
    len: usize,
    emit: &mut Vec<usize>,
    sync: &mut Vec<usize>,
) -> usize {
    let (old, new) = (&shown[i], &next[i]);
    if same(old, new) && !matches!(new.diff_option, CellDiffOption::AlwaysUpdate) {
        return i + 1;
    }
    sync.push(i);
    if !is_skip(new) && !covered(next, i, width) {
        emit.push(i);
    }
    let new_end = (i + usize::from(new.cell_width().max(1))).min(len);
    let old_end = (i + usize::from(old.cell_width().max(1))).min(len);
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

/// `Cell`'s own `==`, at a fraction of the cost: the styles first (most changed cells differ
/// there or in the symbol), then the symbol's few bytes compared in line rather than through
/// a `memcmp` call.
#[inline]
fn same(a: &Cell, b: &Cell) -> bool {
    #[allow(deprecated)] // `skip` takes part in `Cell`'s `==`
    let skip_eq = a.skip == b.skip;
    a.fg == b.fg
        && a.bg == b.bg
        && a.modifier == b.modifier
        && a.underline_color == b.underline_color
        && a.diff_option == b.diff_option
        && skip_eq
        && same_bytes(a.symbol().as_bytes(), b.symbol().as_bytes())
}

#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// Whether a wide character to the left of cell `i` (in the same row) covers it.
fn covered(cells: &[Cell], i: usize, width: usize) -> bool {
    let x = i % width;
    (1..=x.min(3)).any(|k| usize::from(cells[i - k].cell_width()) > k)
}

fn is_skip(cell: &Cell) -> bool {
    #[allow(deprecated)] // `skip` is still what `Buffer::set_skip`-era widgets set
    let skip = cell.skip;
    matches!(cell.diff_option, CellDiffOption::Skip)
        || (skip && matches!(cell.diff_option, CellDiffOption::None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Modifier};

    /// `same` is `==`: every field that `Cell`'s `==` reads, changed one at a time.
    #[test]
    fn same_agrees_with_cells_own_equality() {
        let base = {
            let mut c = Cell::new("x");
            c.set_fg(Color::Red);
            c
        };
        let mut variants: Vec<Cell> = Vec::new();
        for sym in ["x", "y", "xy", "学", " ", ""] {
            let mut c = base.clone();
            c.set_symbol(sym);
            variants.push(c);
        }
        let mut c = base.clone();
        c.set_fg(Color::Blue);
        variants.push(c);
        let mut c = base.clone();
        c.set_bg(Color::Indexed(3));
        variants.push(c);
        let mut c = base.clone();
        c.modifier = Modifier::BOLD;
        variants.push(c);
        let mut c = base.clone();
        c.underline_color = Color::Green;
        variants.push(c);
        let mut c = base.clone();
        c.set_diff_option(CellDiffOption::Skip);
        variants.push(c);
        variants.push(Cell::EMPTY);
        variants.push(Cell::new(" "));
        for a in &variants {
            for b in &variants {
                assert_eq!(same(a, b), a == b, "{a:?} vs {b:?}");
            }
        }
    }
}
