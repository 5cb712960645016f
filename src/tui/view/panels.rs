//! Small pieces every screen shares: the key footer, the language tag, the help overlay.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::Look;
use super::paint::Rows;
use crate::chart::Retained;
use crate::lesson::Lang;
use crate::tui::app::App;
use crate::tui::keys::Keymap;
use crate::tui::strings::tr;

/// The key hints of the screen's table that fit (see `Keymap::footer`), for `context` (the
/// app's, with what this frame's layout says of it: whether the page text scrolls).
pub fn footer(
    app: &App,
    context: crate::tui::keys::Context,
    look: &Look,
    frame: &mut Frame,
    area: Rect,
    kept: &[Retained],
) -> Retained {
    let key = FooterKey {
        keymap: app.screen_keymap(),
        context,
        lang: app.lang,
        width: area.width,
        color: look.color,
    };
    let mut memo = app.footer.0.lock().unwrap_or_else(|e| e.into_inner());
    let (_, line, base) = match &*memo {
        Some(kept) if kept.0 == key => kept,
        _ => memo.insert((key, footer_line(key, look), Retained::next_base())),
    };
    let footer = Retained {
        area,
        base: *base,
        cells: Vec::new(),
    };
    if !kept.contains(&footer) {
        crate::chart::blank(frame.buffer_mut(), area);
        frame.render_widget(Rows(std::slice::from_ref(line)), area);
    }
    footer
}

fn footer_line(key: FooterKey, look: &Look) -> Line<'static> {
    let hints = key
        .keymap
        .footer(key.context, key.lang, usize::from(key.width));
    let mut spans = vec![Span::raw(" ")];
    for (i, hint) in hints.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", look.dim()));
        }
        spans.push(Span::styled(hint.keys, look.key()));
        spans.push(Span::raw(format!(" {}{}", hint.label, hint.extra)));
    }
    Line::from(spans)
}

/// Everything the footer is drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FooterKey {
    keymap: Keymap,
    context: crate::tui::keys::Context,
    lang: Lang,
    width: u16,
    color: bool,
}

/// The footer last drawn, what it was drawn from, and its id for the painter. `Mutex` rather
/// than `RefCell` so an app stays `Send` for the SSH server; it is never contended.
#[derive(Debug, Default)]
pub struct FooterMemo(std::sync::Mutex<Option<(FooterKey, Line<'static>, u64)>>);

/// The rows last drawn in an area, and their id for the painter: the same id while the same
/// rows are drawn in the same place, so it can skip comparing them.
#[derive(Debug, Default)]
pub struct RowsMemo(std::sync::Mutex<Option<(Rect, Vec<Line<'static>>, u64)>>);

impl RowsMemo {
    /// `lines` drawn with `Rows` into `area` (blank before), as the painter sees them.
    pub fn retained(&self, area: Rect, lines: &[Line<'static>]) -> Retained {
        let mut memo = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let base = match &*memo {
            Some((a, l, base)) if *a == area && l.as_slice() == lines => *base,
            _ => {
                let base = Retained::next_base();
                *memo = Some((area, lines.to_vec(), base));
                base
            }
        };
        Retained {
            area,
            base,
            cells: Vec::new(),
        }
    }
}

/// `EN | 中文` for the right of a title row, the current one bold.
pub fn language_tag(app: &App) -> Line<'static> {
    let look = Look::of(app);
    let (en, zh) = match app.lang {
        Lang::En => (look.title(), look.dim()),
        Lang::Zh => (look.dim(), look.title()),
    };
    Line::from(vec![
        Span::styled("EN", en),
        Span::raw(" | "),
        Span::styled("中文", zh),
        Span::raw(" "),
    ])
    .alignment(Alignment::Right)
}

/// The help's rows: the screen's key table, how to close the help, then on the tutor every
/// chart symbol with what it means (last, so the keys stay on the first screen).
pub fn help_rows(app: &App) -> Vec<(String, &'static str)> {
    let lang = app.lang;
    let mut rows = with_closing(app.screen_keymap().help(lang), lang);
    if matches!(app.screen, crate::tui::app::Screen::Tutor(_)) {
        let words = match lang {
            Lang::En => &crate::chart::Words::EN,
            Lang::Zh => &crate::chart::Words::ZH,
        };
        rows.push((String::new(), ""));
        rows.push((String::new(), tr(lang, "On the chart:", "图上的符号：")));
        rows.extend(crate::chart::symbols(app.glyphs, words));
    }
    rows
}

/// A screen's key rows, a blank row, then how to scroll and close the help (those of its
/// rows the screen's own table does not already say).
pub fn with_closing(
    mut rows: Vec<(String, &'static str)>,
    lang: Lang,
) -> Vec<(String, &'static str)> {
    let closing: Vec<_> = Keymap::Help
        .help(lang)
        .into_iter()
        .filter(|row| !rows.contains(row))
        .collect();
    rows.push((String::new(), ""));
    rows.extend(closing);
    rows
}

/// The help rows over whatever is on screen.
pub fn help(app: &App, frame: &mut Frame, area: Rect) {
    help_box(
        frame,
        area,
        help_rows(app),
        &Look::of(app),
        app.lang,
        app.help_scroll,
    );
}

/// A box of key rows over whatever is on screen, scrolled by `scroll` when taller than it:
/// the tutor's help and the teacher console's.
pub fn help_box(
    frame: &mut Frame,
    area: Rect,
    rows: Vec<(String, &'static str)>,
    look: &Look,
    lang: Lang,
    scroll: u16,
) {
    let width = |s: &str| Span::raw(s).width();
    let key_width = rows
        .iter()
        .map(|(k, _)| width(k))
        .max()
        .unwrap_or(0)
        .min(28);
    let label_width = rows.iter().map(|(_, w)| width(w)).max().unwrap_or(0);
    // Borders, a space each side and between the columns.
    let box_width = u16::try_from(key_width + label_width + 5).unwrap_or(u16::MAX);
    let area = super::centered(area, box_width, rows.len() as u16 + 2);
    Look::clear(frame, area);
    let block = look.block(Span::styled(tr(lang, " Keys ", " 按键 "), look.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // Taller than the screen: show a window of the rows and a last line that says ↑↓ scroll.
    let fits = inner.height as usize;
    let (skip, more) = if rows.len() > fits {
        let shown = fits.saturating_sub(1);
        let skip = (scroll as usize).min(rows.len() - shown);
        (skip, Some((skip, rows.len() - shown - skip, shown)))
    } else {
        (0, None)
    };
    let mut lines: Vec<Line> = rows
        .into_iter()
        .skip(skip)
        .take(more.map_or(fits, |(_, _, shown)| shown))
        .map(|(keys, what)| {
            let pad = key_width.saturating_sub(width(&keys));
            Line::from(vec![
                Span::styled(format!(" {keys}{} ", " ".repeat(pad)), look.key()),
                Span::raw(what),
            ])
        })
        .collect();
    if let Some((above, below, _)) = more {
        let ascii = matches!(look.glyphs, crate::chart::Glyphs::Ascii);
        let (up, down) = if ascii { ("^", "v") } else { ("▲", "▼") };
        let mark = match lang {
            Lang::En => format!(" {up} {above} above · {down} {below} below · ↑↓ scroll"),
            Lang::Zh => format!(" {up} 上方 {above} 行 · {down} 下方 {below} 行 · ↑↓ 滚动"),
        };
        lines.push(Line::from(Span::styled(mark, look.dim())));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
