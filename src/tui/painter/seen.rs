//! What the painter remembers of each screen cell: what [`Seen::same`] needs to tell whether a
//! new cell would change the screen, in under half the bytes of ratatui's `Cell`.
//!
//! A server keeps one such copy of the screen per session, and by the time a learner presses
//! the next key it has left the CPU's caches: at 2,000 sessions the first read of each
//! compared cell was a third of the painter's time (perf, cycles in `paint_retained`). A
//! smaller copy is fewer cache lines to fetch.

use ratatui::buffer::{Cell, CellDiffOption, CellWidth};
use ratatui::style::{Color, Modifier};

/// `len` of a cell this form cannot hold exactly (a symbol of more than four bytes, an
/// underline colour): it never counts as the same as any cell, so where it is compared it is
/// sent again, which costs a few bytes and never leaves a stale cell.
const UNKNOWN: u8 = u8::MAX;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Seen {
    sym: [u8; 4],
    /// Bytes of `sym` in use, or [`UNKNOWN`].
    len: u8,
    /// Columns the symbol takes on the screen.
    cols: u8,
    skip: bool,
    fg: Color,
    bg: Color,
    modifier: Modifier,
    diff_option: CellDiffOption,
}

impl Seen {
    /// A cleared screen's cell.
    pub(super) const BLANK: Seen = Seen {
        sym: [b' ', 0, 0, 0],
        len: 1,
        cols: 1,
        skip: false,
        fg: Color::Reset,
        bg: Color::Reset,
        modifier: Modifier::empty(),
        diff_option: CellDiffOption::None,
    };

    pub(super) fn of(cell: &Cell) -> Seen {
        let bytes = cell.symbol().as_bytes();
        let mut sym = [0; 4];
        let len = if bytes.len() <= sym.len() && cell.underline_color == Color::Reset {
            sym[..bytes.len()].copy_from_slice(bytes);
            bytes.len() as u8
        } else {
            UNKNOWN
        };
        #[allow(deprecated)] // `skip` takes part in `Cell`'s `==`
        let skip = cell.skip;
        Seen {
            sym,
            len,
            cols: columns(cell).min(usize::from(u8::MAX)) as u8,
            skip,
            fg: cell.fg,
            bg: cell.bg,
            modifier: cell.modifier,
            diff_option: cell.diff_option,
        }
    }

    /// Whether `cell` shows what this does: `Cell`'s own `==` against the cell this was made
    /// from, the styles first (most changed cells differ there or in the symbol), and false
    /// for a cell this form could not hold.
    #[inline]
    pub(super) fn same(&self, cell: &Cell) -> bool {
        #[allow(deprecated)]
        let skip = cell.skip;
        self.fg == cell.fg
            && self.bg == cell.bg
            && self.modifier == cell.modifier
            && self.diff_option == cell.diff_option
            && self.skip == skip
            && cell.underline_color == Color::Reset
            && self.len != UNKNOWN
            && same_bytes(&self.sym[..usize::from(self.len)], cell.symbol().as_bytes())
    }

    /// The columns the symbol takes.
    pub(super) fn columns(&self) -> usize {
        usize::from(self.cols)
    }
}

/// `a == b` for the few bytes of a symbol, in line rather than through a `memcmp` call (which
/// perf showed at 2.4% of a loaded server's cycles when the slices were compared with `==`).
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// The columns a cell's symbol takes: `Cell::cell_width` without its Unicode table lookups
/// for a printable ASCII symbol, which most cells of a frame are.
#[inline]
pub(super) fn columns(cell: &Cell) -> usize {
    match cell.symbol().as_bytes() {
        [b] if (b' '..=b'~').contains(b)
            && !matches!(cell.diff_option, CellDiffOption::ForcedWidth(_)) =>
        {
            1
        }
        _ => usize::from(cell.cell_width()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `same` is `Cell`'s `==` wherever the cell fits this form, and false where it does not:
    /// every field that `==` reads, changed one at a time.
    #[test]
    fn same_agrees_with_cells_own_equality() {
        let base = {
            let mut c = Cell::new("x");
            c.set_fg(Color::Red);
            c
        };
        let mut variants: Vec<Cell> = Vec::new();
        for sym in [
            "x",
            "y",
            "xy",
            "学",
            " ",
            "",
            "e\u{301}\u{301}",
            "👩\u{200d}🔬",
        ] {
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
        let mut c = base.clone();
        c.set_diff_option(CellDiffOption::ForcedWidth(
            std::num::NonZeroU16::new(2).unwrap(),
        ));
        variants.push(c);
        variants.push(Cell::EMPTY);
        variants.push(Cell::new(" "));
        for a in &variants {
            let seen = Seen::of(a);
            let fits = a.symbol().len() <= 4 && a.underline_color == Color::Reset;
            for b in &variants {
                assert_eq!(seen.same(b), fits && a == b, "{a:?} vs {b:?}");
            }
            assert_eq!(seen.columns(), usize::from(a.cell_width()), "{a:?}");
            assert_eq!(columns(a), usize::from(a.cell_width()), "{a:?}");
        }
        assert_eq!(Seen::of(&Cell::EMPTY), Seen::BLANK);
    }

    #[test]
    fn a_seen_cell_is_less_than_half_a_ratatui_cell() {
        assert!(
            2 * size_of::<Seen>() < size_of::<Cell>(),
            "{} vs {}",
            size_of::<Seen>(),
            size_of::<Cell>()
        );
    }
}
