//! The escape codes that put changed cells on a terminal: byte for byte what ratatui's
//! `CrosstermBackend::draw` writes, without its formatting machinery per cell.
//!
//! `CrosstermBackend::draw` queues a crossterm command for every cell (`Print` of its symbol,
//! `MoveTo` at each jump), and each goes through `fmt::Write`: a few hundred instructions a
//! cell, a fifth of a server's step frame once the painter had cut the cells to compare. Here
//! a symbol is copied and a jump is a few digits; style changes, which come in runs, still go
//! through crossterm's own commands. A test holds the bytes to `CrosstermBackend`'s.

use std::io;

use ratatui::backend::IntoCrossterm;
use ratatui::buffer::Cell;
use ratatui::crossterm::queue;
use ratatui::crossterm::style::{
    Attribute, Color as CtColor, Colors, SetAttribute, SetBackgroundColor, SetColors,
    SetForegroundColor, SetUnderlineColor,
};
use ratatui::style::{Color, Modifier};

/// Appends to `out` the codes that draw `cells` (column, row, cell) in order, then reset the
/// colours and attributes, as `CrosstermBackend::draw` does.
pub fn draw_cells<'a>(
    out: &mut Vec<u8>,
    cells: impl Iterator<Item = (u16, u16, &'a Cell)>,
) -> io::Result<()> {
    let mut fg = Color::Reset;
    let mut bg = Color::Reset;
    let mut underline = Color::Reset;
    let mut modifier = Modifier::empty();
    let mut last: Option<(u16, u16)> = None;
    for (x, y, cell) in cells {
        if !matches!(last, Some((lx, ly)) if x == lx.wrapping_add(1) && y == ly) {
            move_to(out, x, y);
        }
        last = Some((x, y));
        if cell.modifier != modifier {
            modifier_diff(out, modifier, cell.modifier)?;
            modifier = cell.modifier;
        }
        if cell.fg != fg || cell.bg != bg {
            queue!(
                out,
                SetColors(Colors::new(
                    cell.fg.into_crossterm(),
                    cell.bg.into_crossterm()
                ))
            )?;
            fg = cell.fg;
            bg = cell.bg;
        }
        if cell.underline_color != underline {
            let color: CtColor = cell.underline_color.into_crossterm();
            queue!(out, SetUnderlineColor(color))?;
            underline = cell.underline_color;
        }
        out.extend_from_slice(cell.symbol().as_bytes());
    }
    queue!(
        out,
        SetForegroundColor(CtColor::Reset),
        SetBackgroundColor(CtColor::Reset),
        SetUnderlineColor(CtColor::Reset),
        SetAttribute(Attribute::Reset),
    )
}

/// crossterm's `MoveTo(x, y)`: `ESC [ row ; column H`, both counted from 1.
fn move_to(out: &mut Vec<u8>, x: u16, y: u16) {
    out.extend_from_slice(b"\x1b[");
    push_number(out, u32::from(y) + 1);
    out.push(b';');
    push_number(out, u32::from(x) + 1);
    out.push(b'H');
}

fn push_number(out: &mut Vec<u8>, n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// The attributes that take a terminal from `from` to `to`, in the order ratatui's crossterm
/// backend sends them (its `ModifierDiff`): what is removed first, bold and dim through
/// normal intensity, then what is added.
fn modifier_diff(out: &mut Vec<u8>, from: Modifier, to: Modifier) -> io::Result<()> {
    let mut set = |a: Attribute| queue!(out, SetAttribute(a));
    let removed = from - to;
    if removed.contains(Modifier::REVERSED) {
        set(Attribute::NoReverse)?;
    }
    let reset_intensity = removed.intersects(Modifier::BOLD | Modifier::DIM);
    if reset_intensity {
        set(Attribute::NormalIntensity)?;
        if to.contains(Modifier::DIM) {
            set(Attribute::Dim)?;
        }
        if to.contains(Modifier::BOLD) {
            set(Attribute::Bold)?;
        }
    }
    if removed.contains(Modifier::ITALIC) {
        set(Attribute::NoItalic)?;
    }
    if removed.contains(Modifier::UNDERLINED) {
        set(Attribute::NoUnderline)?;
    }
    if removed.contains(Modifier::CROSSED_OUT) {
        set(Attribute::NotCrossedOut)?;
    }
    if removed.contains(Modifier::HIDDEN) {
        set(Attribute::NoHidden)?;
    }
    if removed.intersects(Modifier::SLOW_BLINK | Modifier::RAPID_BLINK) {
        set(Attribute::NoBlink)?;
    }
    let added = to - from;
    if added.contains(Modifier::REVERSED) {
        set(Attribute::Reverse)?;
    }
    if added.contains(Modifier::BOLD) && !reset_intensity {
        set(Attribute::Bold)?;
    }
    if added.contains(Modifier::ITALIC) {
        set(Attribute::Italic)?;
    }
    if added.contains(Modifier::UNDERLINED) {
        set(Attribute::Underlined)?;
    }
    if added.contains(Modifier::DIM) && !reset_intensity {
        set(Attribute::Dim)?;
    }
    if added.contains(Modifier::CROSSED_OUT) {
        set(Attribute::CrossedOut)?;
    }
    if added.contains(Modifier::HIDDEN) {
        set(Attribute::Hidden)?;
    }
    if added.contains(Modifier::SLOW_BLINK) {
        set(Attribute::SlowBlink)?;
    }
    if added.contains(Modifier::RAPID_BLINK) {
        set(Attribute::RapidBlink)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ratatui::backend::{Backend, CrosstermBackend};

    fn color() -> impl Strategy<Value = Color> {
        prop_oneof![
            Just(Color::Reset),
            Just(Color::Red),
            Just(Color::DarkGray),
            Just(Color::LightCyan),
            (0u8..=255).prop_map(Color::Indexed),
            (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(r, g, b)| Color::Rgb(r, g, b)),
        ]
    }

    fn cell() -> impl Strategy<Value = Cell> {
        let symbols = prop::sample::select(vec!["a", " ", "·", "学", "e\u{301}", "", "╭", "θ"]);
        (symbols, color(), color(), color(), any::<u16>()).prop_map(|(s, fg, bg, ul, m)| {
            let mut c = Cell::new(s);
            c.fg = fg;
            c.bg = bg;
            c.underline_color = ul;
            c.modifier = Modifier::from_bits_truncate(m);
            c
        })
    }

    proptest! {
        /// Any run of cells, in rows and with jumps, gives CrosstermBackend's bytes.
        #[test]
        fn the_bytes_are_crosstermbackends(
            cells in prop::collection::vec((0u16..6, 0u16..3, cell()), 0..40),
        ) {
            let mut want = Vec::new();
            CrosstermBackend::new(&mut want)
                .draw(cells.iter().map(|(x, y, c)| (*x, *y, c)))
                .unwrap();
            let mut got = Vec::new();
            draw_cells(&mut got, cells.iter().map(|(x, y, c)| (*x, *y, c))).unwrap();
            prop_assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want));
        }
    }

    #[test]
    fn a_jump_is_row_then_column_from_one() {
        let c = Cell::new("x");
        let mut out = Vec::new();
        draw_cells(
            &mut out,
            [(0, 0, &c), (1, 0, &c), (65535, 9, &c)].into_iter(),
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("\x1b[1;1Hxx\x1b[10;65536Hx"), "{text:?}");
    }
}
