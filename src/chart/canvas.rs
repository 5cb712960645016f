//! The character canvas every chart draws into, and its two ways out: plain text lines
//! (for `gradstep plot`, notes and snapshot tests) and a ratatui [`Buffer`].
//!
//! Cells carry a *semantic* [`Tag`] rather than a colour, so one drawing serves the mono
//! theme (NO_COLOR, ASCII terminals) and the colour theme alike; only [`Theme`] knows colours.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::Widget;

/// What a cell shows, so a theme can colour it. The canvas never stores colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tag {
    /// Nothing drawn.
    Empty,
    /// An empty cell of the plot lying between level `i - 1` and level `i` (colour bands).
    Band(u8),
    /// An isoline of level `i` (0 = lowest level).
    Level(u8),
    /// The inline label of level `i` on its isoline, and its legend entry.
    LevelLabel(u8),
    /// The dotted trail joining the visited points.
    Path,
    /// An ordered marker of a visited point (`0`, `1`, … `A`, …).
    Marker,
    /// The current point.
    Current,
    /// The step arrow (shaft and head) from the current point to the next.
    Arrow,
    /// The point the step lands on.
    Next,
    /// Axis lines and tick marks.
    Axis,
    /// Tick labels, axis names, legend text.
    Label,
    /// The tangent line of the slope view, and its slope text.
    Tangent,
    /// The function curve of the slope view.
    Curve,
    /// Series `i` of a history chart.
    Series(u8),
    /// A notice such as "no finite values".
    Note,
}

/// The second cell of a double-width character: printed as nothing.
pub const WIDE_TAIL: char = '\u{0}';

/// One character cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cell {
    pub ch: char,
    pub tag: Tag,
}

impl Cell {
    pub const EMPTY: Cell = Cell {
        ch: ' ',
        tag: Tag::Empty,
    };
}

/// A `width × height` grid of cells. All drawing is clipped: any coordinate, however far off,
/// is safe to pass.
#[derive(Clone)]
pub struct Canvas {
    width: u16,
    height: u16,
    cells: Vec<Cell>,
    /// The cached base this canvas was copied from, if any: [`Canvas::render`] then copies the
    /// base's ready-made ratatui cells and draws only the cells that differ from it.
    under: Option<Arc<Under>>,
    /// With a base: the cells written since the copy, which are all that can differ from it,
    /// each with what it held before (so the base can be read back from this copy).
    touched: Vec<(usize, Cell)>,
}

/// Two canvases are equal when they show the same cells; where they came from does not count.
impl PartialEq for Canvas {
    fn eq(&self, other: &Canvas) -> bool {
        self.width == other.width && self.height == other.height && self.cells == other.cells
    }
}

impl Eq for Canvas {}

impl fmt::Debug for Canvas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Canvas")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("cells", &self.cells)
            .field("under", &self.under.is_some())
            .finish()
    }
}

/// What copies of a canvas kept between frames (a contour map's base) share: its cells as
/// [`Canvas::render`] writes them into a blank buffer, per theme. A step frame changes a few
/// dozen of a chart's thousands of cells; copying finished ratatui cells costs a fraction of
/// styling and writing each one again. The first frame draws cell by cell and keeps what it
/// drew (see [`Under::adopt`]), so the first step is as cheap as any other; a base drawn only
/// once (zooming, resizing) costs one copy of its cells, and none when it is bigger than
/// [`ADOPT_AT_MOST`] (its second frame then draws it again, into a blank buffer).
struct Under {
    width: u16,
    height: u16,
    /// `Mutex` rather than `RefCell` so a session's app stays `Send`; it is never contended.
    drawn: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    /// A copy of the base was drawn already.
    once: bool,
    drawn: Option<(Theme, Arc<Drawn>)>,
}

/// A base as rendered into a blank buffer.
struct Drawn {
    /// Unique among every `Drawn` of the process, so a frame can tell it was drawn over the
    /// very same cells as the frame before (see [`Retained`]).
    id: u64,
    cells: Vec<ratatui::buffer::Cell>,
    /// The runs `[from, to)` of cells that are not blank, none across a row's end, in order:
    /// only these need copying into a blank area.
    runs: Vec<(usize, usize)>,
}

impl Under {
    /// The base's cells rendered with `theme`, read back from `copy`; `None` on the base's
    /// first frame (the caller then draws cell by cell).
    fn drawn(&self, copy: &Canvas, theme: &Theme) -> Option<Arc<Drawn>> {
        let mut seen = self.drawn.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((t, cells)) = &seen.drawn
            && t == theme
        {
            return Some(cells.clone());
        }
        if !seen.once {
            seen.once = true;
            return None;
        }
        // The first frame did not keep its cells (clipped, or bigger than ADOPT_AT_MOST):
        // drawn again here, into a blank buffer.
        let plain = Canvas {
            width: self.width,
            height: self.height,
            cells: copy.base_cells(),
            under: None,
            touched: Vec::new(),
        };
        let area = Rect::new(0, 0, self.width, self.height);
        let mut buf = Buffer::empty(area);
        plain.render(area, &mut buf, theme);
        let drawn = Arc::new(Drawn {
            id: Retained::next_base(),
            cells: buf.content,
            runs: blank_runs(&plain.cells, usize::from(self.width), theme),
        });
        seen.drawn = Some((theme.clone(), drawn.clone()));
        Some(drawn)
    }

    /// Keeps the cells the base's first frame just drew cell by cell into a blank `area` of
    /// `buf` (the whole canvas, unclipped), with each cell written since the copy put back to
    /// the base's, as that frame's `Drawn`. Without this the first step would draw the whole
    /// base a second time, into a blank buffer: for a class whose sessions all take their
    /// first step in the same second, that doubled the step's cost at the worst moment.
    fn adopt(&self, copy: &Canvas, area: Rect, buf: &Buffer, theme: &Theme) -> Arc<Drawn> {
        let (w, h) = (usize::from(self.width), usize::from(self.height));
        let mut cells = Vec::with_capacity(w * h);
        for y in 0..h {
            let start = buf.index_of(area.x, area.y + y as u16);
            cells.extend_from_slice(&buf.content[start..start + w]);
        }
        let base = copy.base_cells();
        for &(i, _) in &copy.touched {
            draw_cell(&mut cells[i], base[i], theme);
        }
        let drawn = Arc::new(Drawn {
            id: Retained::next_base(),
            runs: blank_runs(&base, w, theme),
            cells,
        });
        let mut seen = self.drawn.lock().unwrap_or_else(|e| e.into_inner());
        seen.drawn = Some((theme.clone(), drawn.clone()));
        drawn
    }
}

/// The largest chart, in cells, whose first frame keeps its cells (see [`Under::adopt`]): a
/// 160×48 terminal's. A bigger one is drawn again on its second frame instead, as before: at
/// 500×200 a base is often drawn only once (zooming, resizing), and copying its 50,000 cells
/// on every such frame cost about a tenth of the frame.
const ADOPT_AT_MOST: usize = 160 * 48;

/// Writes canvas cell `c` into the ratatui cell `cell` as [`Canvas::render`] writes it on a
/// blank buffer (the tail of a wide character stays blank).
fn draw_cell(cell: &mut ratatui::buffer::Cell, c: Cell, theme: &Theme) {
    cell.reset();
    if c.ch == WIDE_TAIL {
        return;
    }
    if c.ch != ' ' {
        cell.set_char(c.ch);
    }
    cell.set_style(theme.style(c.tag));
}

/// The runs `[from, to)` of `cells` (rows of `width`) that do not render blank with `theme`:
/// a space without style, or the tail of a wide character.
fn blank_runs(cells: &[Cell], width: usize, theme: &Theme) -> Vec<(usize, usize)> {
    let blank =
        |c: &Cell| c.ch == WIDE_TAIL || (c.ch == ' ' && theme.style(c.tag) == Style::default());
    let mut runs = Vec::new();
    for (y, row) in cells.chunks(width.max(1)).enumerate() {
        let at = y * width;
        let mut x = 0;
        while x < row.len() {
            if blank(&row[x]) {
                x += 1;
                continue;
            }
            let from = x;
            while x < row.len() && !blank(&row[x]) {
                x += 1;
            }
            runs.push((at + from, at + x));
        }
    }
    runs
}

impl Canvas {
    pub fn new(width: u16, height: u16) -> Canvas {
        Canvas {
            width,
            height,
            cells: vec![Cell::EMPTY; width as usize * height as usize],
            under: None,
            touched: Vec::new(),
        }
    }

    /// Marks this canvas as a base that copies of it are drawn over, frame after frame: the
    /// copies then render by copying the base's finished cells (see [`Under`]).
    pub(crate) fn into_base(mut self) -> Canvas {
        self.under = Some(Arc::new(Under {
            width: self.width,
            height: self.height,
            drawn: Mutex::new(Seen::default()),
        }));
        self.touched.clear();
        self
    }

    /// The base this copy was made from: its cells with each one written since put back.
    fn base_cells(&self) -> Vec<Cell> {
        let mut cells = self.cells.clone();
        for &(i, old) in self.touched.iter().rev() {
            cells[i] = old;
        }
        cells
    }

    /// Forgets the base, so [`Canvas::render`] draws every cell itself (tests compare both ways).
    pub fn without_base(mut self) -> Canvas {
        self.under = None;
        self.touched.clear();
        self
    }

    pub fn width(&self) -> u16 {
        self.width
    }

    pub fn height(&self) -> u16 {
        self.height
    }

    fn index(&self, x: i32, y: i32) -> Option<usize> {
        if x < 0 || y < 0 || x >= self.width as i32 || y >= self.height as i32 {
            None
        } else {
            Some(y as usize * self.width as usize + x as usize)
        }
    }

    /// The cell at `(x, y)`, or `None` outside the canvas.
    pub fn get(&self, x: i32, y: i32) -> Option<Cell> {
        self.index(x, y).map(|i| self.cells[i])
    }

    /// Sets one cell; outside the canvas it does nothing.
    pub fn put(&mut self, x: i32, y: i32, ch: char, tag: Tag) {
        if let Some(i) = self.index(x, y) {
            if self.under.is_some() {
                self.touched.push((i, self.cells[i]));
            }
            self.cells[i] = Cell { ch, tag };
        }
    }

    /// Writes `text` from `(x, y)` rightwards, clipped to the canvas. A double-width
    /// character (Chinese) takes two cells, the second holding [`WIDE_TAIL`]; one that would
    /// be cut by the right edge is left out rather than half drawn.
    pub fn text(&mut self, x: i32, y: i32, text: &str, tag: Tag) {
        let mut cx = x;
        for ch in text.chars() {
            let w = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0) as i32;
            if w == 0 {
                continue;
            }
            if cx.saturating_add(w) > self.width as i32 {
                break;
            }
            self.put(cx, y, ch, tag);
            if w == 2 {
                self.put(cx + 1, y, WIDE_TAIL, tag);
            }
            cx = cx.saturating_add(w);
        }
    }

    /// True when every cell from `x` for `len` cells on row `y` exists and is empty or a
    /// colour band (used to place labels where they hide nothing).
    pub fn is_free(&self, x: i32, y: i32, len: usize) -> bool {
        (0..len as i32).all(|k| {
            self.get(x.saturating_add(k), y)
                .is_some_and(|c| matches!(c.tag, Tag::Empty | Tag::Band(_)))
        })
    }

    /// The canvas as text, one `String` per row, trailing spaces trimmed.
    pub fn to_lines(&self) -> Vec<String> {
        (0..self.height as usize)
            .map(|y| {
                let row = &self.cells[y * self.width as usize..(y + 1) * self.width as usize];
                let s: String = row
                    .iter()
                    .map(|c| c.ch)
                    .filter(|&ch| ch != WIDE_TAIL)
                    .collect();
                s.trim_end().to_string()
            })
            .collect()
    }

    /// The canvas as one string with `\n` after each row.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for line in self.to_lines() {
            out.push_str(&line);
            out.push('\n');
        }
        out
    }

    /// Draws the canvas into `buf` at `area`'s top-left corner, clipped to `area`, the canvas
    /// and the buffer. Empty cells are written as blanks so the chart owns its area.
    ///
    /// The area must be blank (as every frame's buffer starts) for a canvas copied from a base:
    /// it copies the base's rendered cells that are not blank and redraws only the cells
    /// written since the copy, which gives the very cells drawing each one would.
    ///
    /// Drawn over a base's ready-made cells, it returns which cells can differ from that
    /// base's rendering (see [`Retained`]).
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) -> Option<Retained> {
        let area = area.intersection(buf.area);
        let w = area.width.min(self.width) as usize;
        let h = area.height.min(self.height);
        if let Some(under) = &self.under
            && under.width == self.width
            && under.height == self.height
            && let Some(drawn) = under.drawn(self, theme)
        {
            return Some(self.render_over(&drawn, area, w, h, buf, theme));
        }
        self.render_cells(area, w, h, buf, theme);
        self.adopt_first(area, w, h, buf, theme)
    }

    /// After a base's first frame drew this copy cell by cell: keeps those cells as the base's
    /// `Drawn` when the whole canvas was drawn (and is no bigger than [`ADOPT_AT_MOST`]), and
    /// says which cells can differ from it.
    fn adopt_first(
        &self,
        area: Rect,
        w: usize,
        h: u16,
        buf: &Buffer,
        theme: &Theme,
    ) -> Option<Retained> {
        let under = self.under.as_ref()?;
        if w * usize::from(h) > ADOPT_AT_MOST
            || under.width != self.width
            || under.height != self.height
            || w != usize::from(self.width)
            || h != self.height
        {
            return None;
        }
        let drawn = under.adopt(self, area, buf, theme);
        let stride = usize::from(self.width);
        let cells = self
            .touched
            .iter()
            .map(|&(i, _)| buf.index_of(area.x + (i % stride) as u16, area.y + (i / stride) as u16))
            .collect();
        Some(Retained {
            area: Rect::new(area.x, area.y, w as u16, h),
            base: drawn.id,
            cells,
        })
    }

    /// [`Canvas::render`] into a buffer kept from the last frame, whose areas in `kept` still
    /// hold what that frame drew there (the rest of the buffer is blank). When the chart was
    /// drawn in the same place over the same base, only the cells last frame's path, point
    /// and arrow took are put back to the base and this frame's are drawn: a step touches a
    /// few dozen cells instead of the thousands of the contour map. Otherwise the area is
    /// blanked and drawn as `render` draws it.
    ///
    /// Always returns the area it drew, so the caller can tell the area was dealt with; its
    /// `base` is [`Retained::FRESH`] when there was no base to draw over.
    pub fn render_kept(
        &self,
        area: Rect,
        buf: &mut Buffer,
        theme: &Theme,
        kept: &[Retained],
    ) -> Retained {
        let area = area.intersection(buf.area);
        let w = area.width.min(self.width) as usize;
        let h = area.height.min(self.height);
        let clip = Rect::new(area.x, area.y, w as u16, h);
        if let Some(under) = &self.under
            && under.width == self.width
            && under.height == self.height
            && let Some(drawn) = under.drawn(self, theme)
        {
            if let Some(last) = kept.iter().find(|k| k.area == clip && k.base == drawn.id) {
                let stride = self.width as usize;
                for &at in &last.cells {
                    let (x, y) = buf.pos_of(at);
                    let i = usize::from(y - area.y) * stride + usize::from(x - area.x);
                    buf.content[at].clone_from(&drawn.cells[i]);
                }
                return self.draw_touched(&drawn, area, w, h, buf, theme);
            }
            blank(buf, clip);
            return self.render_over(&drawn, area, w, h, buf, theme);
        }
        blank(buf, clip);
        self.render_cells(area, w, h, buf, theme);
        self.adopt_first(area, w, h, buf, theme)
            .unwrap_or(Retained {
                area: clip,
                base: Retained::FRESH,
                cells: Vec::new(),
            })
    }

    /// Every cell of the canvas into a blank area.
    fn render_cells(&self, area: Rect, w: usize, h: u16, buf: &mut Buffer, theme: &Theme) {
        // Without a base every frame writes every chart cell: rows are copied slice to slice,
        // a style is looked up once per run of equal tags (bands and blanks come in long
        // runs), and a blank is not written over a blank.
        let mut last: Option<(Tag, Style)> = None;
        for y in 0..h {
            let start = buf.index_of(area.x, area.y + y);
            let row = &mut buf.content[start..start + w];
            let from = y as usize * self.width as usize;
            for (cell, c) in row.iter_mut().zip(&self.cells[from..from + w]) {
                if c.ch == WIDE_TAIL {
                    // Covered by the wide character to its left; the terminal skips it.
                    continue;
                }
                let style = match last {
                    Some((tag, style)) if tag == c.tag => style,
                    _ => {
                        let style = theme.style(c.tag);
                        last = Some((c.tag, style));
                        style
                    }
                };
                if c.ch != ' ' || cell.symbol() != " " {
                    cell.set_char(c.ch);
                }
                cell.set_style(style);
            }
        }
    }

    /// [`Canvas::render`] by way of the base's `drawn` cells: those that are not blank
    /// copied, then each cell written since the copy cleared and drawn as `render` draws it on
    /// a blank buffer.
    fn render_over(
        &self,
        drawn: &Drawn,
        area: Rect,
        w: usize,
        h: u16,
        buf: &mut Buffer,
        theme: &Theme,
    ) -> Retained {
        let stride = self.width as usize;
        for &(from, to) in &drawn.runs {
            let (x, y) = (from % stride, from / stride);
            if y >= h as usize {
                break;
            }
            if x >= w {
                continue;
            }
            let len = (to - from).min(w - x);
            let start = buf.index_of(area.x + x as u16, area.y + y as u16);
            buf.content[start..start + len].clone_from_slice(&drawn.cells[from..from + len]);
        }
        self.draw_touched(drawn, area, w, h, buf, theme)
    }

    /// The cells written since the copy from the base, each cleared and drawn as `render`
    /// draws it on a blank buffer.
    fn draw_touched(
        &self,
        drawn: &Drawn,
        area: Rect,
        w: usize,
        h: u16,
        buf: &mut Buffer,
        theme: &Theme,
    ) -> Retained {
        let stride = self.width as usize;
        let mut cells = Vec::with_capacity(self.touched.len());
        for &(i, _) in &self.touched {
            let (x, y) = (i % stride, i / stride);
            if x >= w || y >= h as usize {
                continue;
            }
            let at = buf.index_of(area.x + x as u16, area.y + y as u16);
            cells.push(at);
            draw_cell(&mut buf.content[at], self.cells[i], theme);
        }
        Retained {
            area: Rect::new(area.x, area.y, w as u16, h),
            base: drawn.id,
            cells,
        }
    }

    /// A ratatui widget drawing this canvas with `theme`.
    ///
    /// The widget cannot say what [`Canvas::render`] returns; the tutor's chart calls
    /// `render` itself.
    pub fn widget<'a>(&'a self, theme: &'a Theme) -> CanvasWidget<'a> {
        CanvasWidget {
            canvas: self,
            theme,
        }
    }
}

/// An area of a frame drawn from something the next frame can recognise, as the screen's
/// painter needs it: every cell of `area` holds what `base` determines, except `cells`
/// (indices into the buffer, in any order, maybe repeated). For a canvas drawn over a cached
/// base, `base` is that base's id and `cells` the path, point and arrow on top; for rows of
/// text, an id that stays while the same rows are drawn there, and no `cells`. Two frames with
/// the same `area` and `base` thus differ there only at the `cells` of one or the other, so a
/// painter that compared the last frame in full compares just those (if nothing else was
/// drawn over the area).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retained {
    pub area: Rect,
    pub base: u64,
    pub cells: Vec<usize>,
}

impl Retained {
    /// The `base` of an area drawn afresh: never the same as any other, so never skipped.
    pub const FRESH: u64 = 0;

    /// A `base` never handed out before in this process.
    pub fn next_base() -> u64 {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        NEXT.fetch_add(1, Ordering::Relaxed)
    }

    /// A `base` that is the same whenever `what` is: for an area drawn from nothing but
    /// `what`, so the next frame knows it from its content alone. The top bit keeps these
    /// apart from [`Retained::next_base`]'s counter and from FRESH. (Two different contents
    /// share one with odds of about 2⁻⁶³.) Hashed with foldhash rather than the standard
    /// SipHash: every frame hashes every line of the page text, and nothing here needs a hash
    /// that resists someone choosing colliding inputs (a collision could only leave one of the
    /// learner's own areas stale).
    pub fn hashed_base(what: impl std::hash::Hash) -> u64 {
        use std::hash::BuildHasher;
        foldhash::quality::FixedState::default().hash_one(what) | 1 << 63
    }
}

/// Blanks `area` of `buf`.
pub fn blank(buf: &mut Buffer, area: Rect) {
    let area = area.intersection(buf.area);
    for y in area.top()..area.bottom() {
        let start = buf.index_of(area.x, y);
        for cell in &mut buf.content[start..start + usize::from(area.width)] {
            cell.reset();
        }
    }
}

/// [`Canvas`] + [`Theme`] as a ratatui [`Widget`].
pub struct CanvasWidget<'a> {
    pub canvas: &'a Canvas,
    pub theme: &'a Theme,
}

impl Widget for CanvasWidget<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let _ = self.canvas.render(area, buf, self.theme);
    }
}

/// Maps tags to styles. [`Theme::mono`] uses no colour at all (NO_COLOR, `--ascii`);
/// [`Theme::color`] uses the 16 basic ANSI colours, which every terminal and SSH client has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Theme {
    /// Colours of the isolines from the lowest level up; empty = no colour.
    pub levels: Vec<Color>,
    /// Paint the background of the plot between isolines (colour bands).
    pub bands: bool,
    pub colored: bool,
}

impl Theme {
    /// No colours; emphasis only by bold/dim, which NO_COLOR allows.
    pub fn mono() -> Theme {
        Theme {
            levels: Vec::new(),
            bands: false,
            colored: false,
        }
    }

    /// Basic-ANSI colours: cool inner rings, warm outer rings.
    pub fn color() -> Theme {
        Theme {
            levels: vec![
                Color::Blue,
                Color::Cyan,
                Color::Green,
                Color::LightGreen,
                Color::Yellow,
                Color::LightRed,
                Color::Red,
                Color::Magenta,
            ],
            bands: false,
            colored: true,
        }
    }

    fn level_color(&self, i: u8) -> Option<Color> {
        if self.levels.is_empty() {
            None
        } else {
            Some(self.levels[i as usize % self.levels.len()])
        }
    }

    /// The style of a tag under this theme.
    pub fn style(&self, tag: Tag) -> Style {
        let s = Style::default();
        if !self.colored {
            return match tag {
                Tag::Current | Tag::Arrow | Tag::Next => s.add_modifier(Modifier::BOLD),
                Tag::Marker => s.add_modifier(Modifier::BOLD),
                Tag::Band(_) | Tag::Level(_) | Tag::Path | Tag::Axis => s,
                _ => s,
            };
        }
        match tag {
            Tag::Empty => s,
            Tag::Band(i) => match (self.bands, self.level_color(i)) {
                (true, Some(c)) => s.bg(c),
                _ => s,
            },
            Tag::Level(i) => self.level_color(i).map_or(s, |c| s.fg(c)),
            Tag::LevelLabel(i) => self
                .level_color(i)
                .map_or(s, |c| s.fg(c).add_modifier(Modifier::BOLD)),
            Tag::Path => s.fg(Color::White),
            Tag::Marker => s.fg(Color::White).add_modifier(Modifier::BOLD),
            Tag::Current => s.fg(Color::LightYellow).add_modifier(Modifier::BOLD),
            Tag::Arrow => s.fg(Color::LightMagenta).add_modifier(Modifier::BOLD),
            Tag::Next => s.fg(Color::LightMagenta).add_modifier(Modifier::BOLD),
            Tag::Axis => s.fg(Color::DarkGray),
            Tag::Label => s.fg(Color::Gray),
            Tag::Tangent => s.fg(Color::LightMagenta),
            Tag::Curve => s.fg(Color::Cyan),
            Tag::Series(i) => s.fg([
                Color::Cyan,
                Color::Yellow,
                Color::LightGreen,
                Color::LightRed,
            ][i as usize % 4]),
            Tag::Note => s.fg(Color::Yellow),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawing_outside_is_ignored() {
        let mut c = Canvas::new(3, 2);
        c.put(-1, 0, 'x', Tag::Path);
        c.put(3, 0, 'x', Tag::Path);
        c.put(i32::MAX, i32::MIN, 'x', Tag::Path);
        c.text(1, 1, "abcdef", Tag::Label);
        c.text(i32::MAX - 1, 0, "abc", Tag::Label);
        assert_eq!(c.to_lines(), vec!["".to_string(), " ab".to_string()]);
    }

    #[test]
    fn every_cell_gets_its_own_tags_style_and_char() {
        let mut c = Canvas::new(6, 2);
        c.put(0, 0, ' ', Tag::Band(1));
        c.put(1, 0, ' ', Tag::Band(1));
        c.put(2, 0, '@', Tag::Current);
        c.put(3, 0, ' ', Tag::Band(1));
        c.text(0, 1, "ab", Tag::Label);
        let theme = Theme::color();
        // Over a buffer that held something else: blanks must still be written as blanks.
        let mut buf = Buffer::empty(Rect::new(0, 0, 6, 2));
        for cell in buf.content.iter_mut() {
            cell.set_char('x');
        }
        c.render(Rect::new(0, 0, 6, 2), &mut buf, &theme);
        for y in 0..2u16 {
            for x in 0..6u16 {
                let want = c.get(x as i32, y as i32).unwrap();
                let got = &buf[(x, y)];
                assert_eq!(got.symbol(), want.ch.to_string(), "({x}, {y})");
                assert_eq!(got.fg, theme.style(want.tag).fg.unwrap_or_default());
            }
        }
    }

    /// Renders `c` into a blank buffer of `w × h` at (1, 1).
    fn drawn(c: &Canvas, w: u16, h: u16, theme: &Theme) -> Buffer {
        let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
        c.render(Rect::new(1, 1, w, h), &mut buf, theme);
        buf
    }

    #[test]
    fn a_copy_of_a_base_renders_the_cells_it_would_render_alone() {
        let mut base = Canvas::new(8, 3);
        base.text(0, 0, "等高 ab", Tag::Label);
        base.put(1, 1, '-', Tag::Level(2));
        base.put(2, 1, ' ', Tag::Band(1));
        let base = base.into_base();
        for theme in [Theme::color(), Theme::mono()] {
            let mut c = base.clone();
            // Over a label, over a wide character's tail, a blank over an isoline, text.
            c.put(4, 0, '@', Tag::Current);
            c.text(1, 0, "x", Tag::Path);
            c.put(1, 1, ' ', Tag::Empty);
            c.text(5, 2, "高", Tag::Label);
            let plain = c.clone().without_base();
            // Clipped by the area and the buffer, too.
            for (w, h) in [(9, 4), (6, 3), (3, 2)] {
                assert_eq!(drawn(&c, w, h, &theme), drawn(&plain, w, h, &theme));
            }
            // The unchanged base as well, and the second frame (cells reused) the same.
            assert_eq!(
                drawn(&base, 9, 4, &theme),
                drawn(&base.clone().without_base(), 9, 4, &theme)
            );
            assert_eq!(drawn(&c, 9, 4, &theme), drawn(&plain, 9, 4, &theme));
        }
    }

    #[test]
    fn renders_into_a_clipped_buffer() {
        let mut c = Canvas::new(4, 2);
        c.text(0, 0, "abcd", Tag::Label);
        let mut buf = Buffer::empty(Rect::new(0, 0, 3, 3));
        c.render(Rect::new(1, 1, 10, 10), &mut buf, &Theme::mono());
        assert_eq!(buf[(1, 1)].symbol(), "a");
        assert_eq!(buf[(2, 1)].symbol(), "b");
        // Off the buffer: ignored rather than a panic.
        c.render(
            Rect::new(u16::MAX, u16::MAX, 5, 5),
            &mut buf,
            &Theme::color(),
        );
    }

    #[test]
    fn wide_characters_take_two_cells_and_are_never_halved() {
        let mut c = Canvas::new(6, 1);
        c.text(0, 0, "等高a", Tag::Label);
        assert_eq!(c.to_lines(), vec!["等高a".to_string()]);
        assert_eq!(c.get(1, 0).map(|c| c.ch), Some(WIDE_TAIL));
        assert_eq!(c.get(4, 0).map(|c| c.ch), Some('a'));
        // The third character would straddle the edge: left out, not cut in half.
        let mut c = Canvas::new(5, 1);
        c.text(0, 0, "等高线", Tag::Label);
        assert_eq!(c.to_lines(), vec!["等高".to_string()]);
    }
}
