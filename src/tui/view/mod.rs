//! Drawing: a pure function of the app state into a ratatui frame. It lays the screen out once
//! and reports what the app needs back from that layout ([`Drawn`]); the adapters pass it on.

pub mod layout;
mod numbers;
mod paint;
pub(crate) mod panels;

pub use panels::{FooterMemo, RowsMemo};
pub use tutor::TextMemo;
mod rule_card;
mod start;
mod tutor;

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::app::{App, Screen};
use super::strings::tr;
use crate::chart::{Glyphs, Retained, Theme};

/// What a frame's layout tells the app, and the adapter's painter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Drawn {
    /// The chart's size in cells (inside its border), when a chart was drawn.
    pub chart: Option<(u16, u16)>,
    /// Rows the page text can scroll down (0 when it fits or no page is shown).
    pub page_overflow: u16,
    /// Areas the painter may skip when they are drawn from the same as in the last frame
    /// (see [`Retained`]): the chart over its cached base, the page text, the footer.
    pub retained: Vec<Retained>,
    /// Where the terminal's cursor goes (in a line being typed); hidden when `None`.
    pub cursor: Option<Position>,
}

/// Draws the whole screen. `kept` are the areas that still hold what the last frame drew
/// there (see [`crate::tui::painter::paint_frame`]); the rest of the buffer is blank.
pub fn draw(app: &App, frame: &mut Frame, kept: &[Retained]) -> Drawn {
    let area = frame.area();
    if area.width < layout::MIN_SIZE.0 || area.height < layout::MIN_SIZE.1 {
        let msg = format!(
            "{} {}×{} (≥ {}×{})",
            tr(app.lang, "window too small:", "窗口太小："),
            area.width,
            area.height,
            layout::MIN_SIZE.0,
            layout::MIN_SIZE.1
        );
        frame.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
        return Drawn::default();
    }
    let drawn = match &app.screen {
        Screen::Start => {
            start::draw(app, frame, area);
            Drawn::default()
        }
        Screen::Tutor(t) => tutor::draw(app, t, frame, area, kept),
    };
    if app.help {
        panels::help(app, frame, area);
        // The help box lies over the other areas: they are no longer what they were drawn
        // from, and are drawn afresh next time.
        let mut drawn = drawn;
        for r in &mut drawn.retained {
            r.base = Retained::FRESH;
            r.cells.clear();
        }
        return drawn;
    }
    drawn
}

/// A box of at most w × h in the middle of `area`.
fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Styles shared by every screen, honouring NO_COLOR and ASCII mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    pub color: bool,
    pub glyphs: Glyphs,
}

impl Look {
    pub fn of(app: &App) -> Look {
        Look {
            color: app.color,
            glyphs: app.glyphs,
        }
    }

    pub fn block<'a>(&self, title: impl Into<ratatui::text::Line<'a>>) -> Block<'a> {
        Block::bordered().border_set(self.border_set()).title(title)
    }

    /// The same panel as [`Look::block`], drawn without `Block`'s per-cell style pass.
    pub fn panel<'a>(&self, title: impl Into<ratatui::text::Line<'a>>) -> paint::Panel<'a> {
        paint::Panel::new(self.border_set(), title)
    }

    fn border_set(&self) -> border::Set<'static> {
        match self.glyphs {
            Glyphs::Ascii => border::Set {
                top_left: "+",
                top_right: "+",
                bottom_left: "+",
                bottom_right: "+",
                vertical_left: "|",
                vertical_right: "|",
                horizontal_top: "-",
                horizontal_bottom: "-",
            },
            Glyphs::Unicode => border::ROUNDED,
        }
    }

    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn key(&self) -> Style {
        if self.color {
            Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    pub fn error(&self) -> Style {
        if self.color {
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    pub fn good(&self) -> Style {
        if self.color {
            Style::new().fg(Color::Green).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn theme(&self) -> Theme {
        if self.color {
            Theme::color()
        } else {
            Theme::mono()
        }
    }

    pub fn clear(frame: &mut Frame, area: Rect) {
        frame.render_widget(Clear, area);
    }
}
