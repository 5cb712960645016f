//! Two of ratatui's widgets as the tutor uses them, drawn without their per-cell style pass.
//!
//! `Block` and `Paragraph` start by patching their style onto every cell of their area. With
//! the default style that changes nothing, yet over a 160×48 screen it is some 15,000 cell
//! visits a frame, more than the chart and the text cost to draw. [`Panel`] (a bordered block
//! with titles) and [`Rows`] (unwrapped lines) draw exactly the cells those widgets draw with a
//! default style, and skip the pass; the tests below hold them to ratatui's own output.

use crate::chart::Retained;
use ratatui::buffer::{Buffer, CellWidth};
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::symbols::border;
use ratatui::text::Line;
use ratatui::widgets::{Block, Widget};

/// `Block::bordered().border_set(set).title(left)` (and `.title(right.right_aligned())`), with
/// default styles: what the tutor's panels are.
pub struct Panel<'a> {
    set: border::Set<'a>,
    left: Line<'a>,
    right: Option<Line<'a>>,
}

impl<'a> Panel<'a> {
    pub fn new(set: border::Set<'a>, left: impl Into<Line<'a>>) -> Panel<'a> {
        Panel {
            set,
            left: left.into(),
            right: None,
        }
    }

    /// A second title at the top border's right end.
    pub fn right_title(mut self, right: impl Into<Line<'a>>) -> Panel<'a> {
        self.right = Some(right.into());
        self
    }

    /// The area inside the border.
    pub fn inner(&self, area: Rect) -> Rect {
        Block::bordered().inner(area)
    }
}

impl Widget for Panel<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        let (left, top) = (area.left(), area.top());
        let right = area.right() - 1;
        let bottom = area.bottom() - 1;
        // Sides in Block's order, then the corners over them.
        for y in top..=bottom {
            buf[(left, y)].set_symbol(self.set.vertical_left);
        }
        let row = buf.index_of(left, top);
        for cell in &mut buf.content[row..row + area.width as usize] {
            cell.set_symbol(self.set.horizontal_top);
        }
        for y in top..=bottom {
            buf[(right, y)].set_symbol(self.set.vertical_right);
        }
        let row = buf.index_of(left, bottom);
        for cell in &mut buf.content[row..row + area.width as usize] {
            cell.set_symbol(self.set.horizontal_bottom);
        }
        buf[(right, bottom)].set_symbol(self.set.bottom_right);
        buf[(right, top)].set_symbol(self.set.top_right);
        buf[(left, bottom)].set_symbol(self.set.bottom_left);
        buf[(left, top)].set_symbol(self.set.top_left);
        // The titles' row between the corners.
        let titles = Rect {
            x: left.saturating_add(1),
            y: top,
            width: area.width.saturating_sub(2),
            height: 1,
        };
        if !titles.is_empty() {
            let width = width_u16(&self.left);
            self.left.render(
                Rect {
                    width: width.min(titles.width),
                    ..titles
                },
                buf,
            );
        }
        if let Some(r) = &self.right
            && !titles.is_empty()
        {
            let width = width_u16(r);
            let at = Rect {
                x: titles.right().saturating_sub(width).max(titles.left()),
                width: width.min(titles.width),
                ..titles
            };
            r.render(at, buf);
        }
    }
}

impl Panel<'_> {
    /// [`Widget::render`] as a frame with kept areas draws it (see
    /// [`crate::tui::painter::paint_frame`]): the border is four strips (the top row with the
    /// titles, the bottom row, the two sides between them), each given back in `out` with an
    /// id made from everything the panel is drawn from. When the last frame kept all four with
    /// that id, they already show this panel and nothing is drawn; otherwise they are blanked
    /// (a kept strip may show another title) and drawn.
    pub fn render_kept(
        self,
        area: Rect,
        buf: &mut Buffer,
        kept: &[Retained],
        out: &mut Vec<Retained>,
    ) {
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        let base = Retained::hashed_base((area, self.set, &self.left, &self.right));
        let (x, y, w, hgt) = (area.x, area.y, area.width, area.height);
        let mut strips = vec![Rect::new(x, y, w, 1)];
        if hgt > 1 {
            strips.push(Rect::new(x, y + hgt - 1, w, 1));
        }
        if hgt > 2 {
            strips.push(Rect::new(x, y + 1, 1, hgt - 2));
            if w > 1 {
                strips.push(Rect::new(x + w - 1, y + 1, 1, hgt - 2));
            }
        }
        let first = out.len();
        out.extend(strips.iter().map(|&area| Retained {
            area,
            base,
            cells: Vec::new(),
        }));
        if out[first..].iter().all(|r| kept.contains(r)) {
            return;
        }
        for &strip in &strips {
            crate::chart::blank(buf, strip);
        }
        self.render(area, buf);
    }
}

/// One row of a frame drawn with kept areas (see [`crate::tui::painter::paint_frame`]):
/// `lines` laid over each other in the one-row `strip` (a title on the left and a tag on the
/// right, say), given back in `out` with an id hashed from the strip and the lines. When the
/// last frame kept the same, the row already shows it and nothing is drawn or compared;
/// otherwise it is blanked and drawn. A step changes some rows of the numbers panel and not
/// others (η, the stop rule, the labels), and never the title row. (Two different rows share
/// an id with odds of 2⁻⁶³ per frame; the painter would then leave the old row on screen.)
pub fn kept_row(
    buf: &mut Buffer,
    strip: Rect,
    lines: &[Line],
    kept: &[Retained],
    out: &mut Vec<Retained>,
) {
    let strip = strip.intersection(buf.area);
    if strip.is_empty() {
        return;
    }
    let strip = Rect { height: 1, ..strip };
    let row = Retained {
        area: strip,
        base: Retained::hashed_base((strip, lines)),
        cells: Vec::new(),
    };
    let drawn = kept.contains(&row);
    out.push(row);
    if drawn {
        return;
    }
    crate::chart::blank(buf, strip);
    for line in lines {
        Rows(std::slice::from_ref(line)).render(strip, buf);
    }
}

fn width_u16(line: &Line) -> u16 {
    u16::try_from(line.width()).unwrap_or(u16::MAX)
}

/// `Paragraph::new(lines)` without wrap, scroll or style: each line from the area's top, cut at
/// its width, placed by its own alignment.
pub struct Rows<'a, 'b>(pub &'b [Line<'a>]);

impl Widget for Rows<'_, '_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        for (y, line) in (area.top()..area.bottom()).zip(self.0) {
            let alignment = line.alignment.unwrap_or(Alignment::Left);
            let indent = if alignment == Alignment::Left {
                0
            } else {
                let mut width = 0u16;
                kept_graphemes(line, area.width, |_, w, _| width += w);
                match alignment {
                    Alignment::Center => (area.width / 2).saturating_sub(width / 2),
                    _ => area.width.saturating_sub(width),
                }
            };
            // The row's cells as a slice: no position arithmetic per character.
            let start = buf.index_of(area.x, y);
            let row = &mut buf.content[start..start + area.width as usize];
            let mut x = indent as usize;
            kept_graphemes(line, area.width, |symbol, w, style| {
                if w == 0 {
                    return;
                }
                let symbol = if symbol.is_empty() { " " } else { symbol };
                row[x].set_symbol(symbol).set_style(style);
                x += w as usize;
            });
        }
    }
}

/// Calls `f(symbol, width, style)` for each grapheme a `LineTruncator` of `max` cells keeps:
/// graphemes in order up to the width, skipping any wider than it and control characters (as
/// `Line::styled_graphemes`). Text made only of characters that are always a grapheme of
/// their own ([`own_grapheme`]: printable ASCII, the Greek letters and math signs of the
/// numbers panel, Chinese) skips the grapheme segmentation, which was most of a text row's
/// cost.
fn kept_graphemes<'a>(line: &'a Line<'a>, max: u16, mut f: impl FnMut(&'a str, u16, Style)) {
    let base = Style::default().patch(line.style);
    let mut used = 0u16;
    // Takes one grapheme; false once the line is full.
    let mut take = |symbol: &'a str, w: u16, style: Style| {
        if w > max {
            return true;
        }
        if used + w > max {
            return false;
        }
        used += w;
        f(symbol, w, style);
        true
    };
    for span in &line.spans {
        let style = base.patch(span.style);
        let content: &'a str = span.content.as_ref();
        let room_left = if content.bytes().all(|b| (b' '..=b'~').contains(&b)) {
            (0..content.len()).all(|k| take(&content[k..k + 1], 1, style))
        } else if content.chars().all(own_grapheme) {
            content.char_indices().all(|(k, c)| {
                let symbol = &content[k..k + c.len_utf8()];
                take(symbol, symbol.cell_width(), style)
            })
        } else {
            span.styled_graphemes(base)
                .all(|g| take(g.symbol, g.symbol.cell_width(), g.style))
        };
        if !room_left {
            return;
        }
    }
}

/// True for a character that is a grapheme cluster by itself whatever stands around it: not a
/// control or format character, and in a block with no combining marks, joiners, prepended or
/// spacing marks, Hangul jamo or regional indicators (the Unicode grapheme-break classes that
/// join a character to its neighbours). The blocks are the ones the tutor's text uses.
fn own_grapheme(c: char) -> bool {
    matches!(c,
        ' '..='~'
        | '\u{a0}'..='\u{ac}' | '\u{ae}'..='\u{ff}' // Latin-1, without the soft hyphen
        | '\u{370}'..='\u{3ff}' // Greek
        | '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{205e}' // punctuation, no format marks
        | '\u{2070}'..='\u{209f}' // super- and subscripts
        | '\u{2190}'..='\u{23ff}' // arrows, mathematical operators, technical
        | '\u{2500}'..='\u{25ff}' // box drawing, blocks, shapes
        | '\u{3000}'..='\u{3029}' // CJK punctuation, without its tone marks
        | '\u{4e00}'..='\u{9fff}' // CJK ideographs
        | '\u{ff01}'..='\u{ff60}' // full-width forms, without half-width kana
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Modifier};
    use ratatui::text::Span;
    use ratatui::widgets::Paragraph;

    /// A buffer with something in every cell, so a widget that skipped a cell it should
    /// write (or wrote one it should not) shows.
    fn busy(area: Rect) -> Buffer {
        let mut buf = Buffer::empty(area);
        for (k, cell) in buf.content.iter_mut().enumerate() {
            cell.set_char(char::from(b'a' + (k % 26) as u8));
            if k % 3 == 0 {
                cell.set_fg(Color::Red);
            }
        }
        buf
    }

    fn titles() -> Vec<Line<'static>> {
        vec![
            Line::from(""),
            Line::from(Span::styled(" Numbers ", Style::new().bold())),
            Line::from(Span::styled(" 数值 ", Style::new().bold())),
            Line::from(vec![
                Span::raw(" a"),
                Span::styled("等高线 ", Style::new().fg(Color::Cyan)),
            ]),
            Line::from(" a rather long title that will not fit in a narrow panel "),
        ]
    }

    #[test]
    fn a_panel_draws_what_a_bordered_block_draws() {
        let sets = [border::ROUNDED, border::PLAIN, border::DOUBLE];
        let screen = Rect::new(0, 0, 30, 8);
        for set in sets {
            for left in titles() {
                for right in [
                    None,
                    Some(Line::from(Span::styled(" ▲ ", Style::new().cyan()))),
                ] {
                    for (x, y, w, h) in [
                        (0, 0, 30, 8),
                        (2, 1, 12, 5),
                        (3, 3, 1, 1),
                        (3, 3, 2, 1),
                        (3, 3, 1, 4),
                        (3, 3, 3, 2),
                        (0, 0, 0, 5),
                        (25, 6, 10, 10),
                    ] {
                        let area = Rect::new(x, y, w, h);
                        let mut want = busy(screen);
                        let mut block = Block::bordered().border_set(set).title(left.clone());
                        if let Some(r) = &right {
                            block = block.title(r.clone().right_aligned());
                        }
                        block.render(area, &mut want);
                        let mut got = busy(screen);
                        let mut panel = Panel::new(set, left.clone());
                        if let Some(r) = &right {
                            panel = panel.right_title(r.clone());
                        }
                        panel.render(area, &mut got);
                        assert_eq!(got, want, "{area:?} {left:?} {right:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn rows_draw_what_an_unwrapped_paragraph_draws() {
        let mut lines = titles();
        lines.push(Line::from("right").right_aligned());
        lines.push(Line::from("中文居中").centered());
        lines.push(Line::from(vec![
            Span::styled("dim ", Style::new().fg(Color::DarkGray)),
            Span::styled("rev", Style::new().add_modifier(Modifier::REVERSED)),
        ]));
        lines.push(Line::from("tab\there"));
        lines.push(
            Line::from(vec![
                Span::raw("ab "),
                Span::styled("c", Style::new().bold()),
            ])
            .style(Style::new().fg(Color::Green))
            .right_aligned(),
        );
        lines.push(Line::from("e\u{301}\u{200b}x"));
        lines.push(Line::from(vec![
            Span::raw("‖∇L‖ θ = (x, y) Δθ = −η∇L "),
            Span::styled("数值：（0.5，1）", Style::new().bold()),
        ]));
        // Each on its own line: one character outside `own_grapheme` sends its whole span the
        // slow way.
        for joined in [
            "θ\u{301}η",
            "x\u{ad}y",
            "中\u{302a}文",
            "ｶﾞ",
            "가각",
            "a\u{200d}b",
        ] {
            lines.push(Line::from(joined));
        }
        let screen = Rect::new(0, 0, 40, 20);
        for (x, y, w, h) in [
            (0, 0, 40, 20),
            (1, 1, 12, 3),
            (0, 0, 13, 20),
            (3, 0, 1, 20),
            (5, 2, 1, 20),
            (5, 2, 2, 20),
            (0, 0, 0, 3),
            (30, 10, 20, 20),
        ] {
            let area = Rect::new(x, y, w, h);
            for n in [0, 1, lines.len()] {
                let mut want = busy(screen);
                Paragraph::new(lines[..n].to_vec()).render(area, &mut want);
                let mut got = busy(screen);
                Rows(&lines[..n]).render(area, &mut got);
                assert_eq!(got, want, "{area:?} {n}");
            }
        }
    }
}
