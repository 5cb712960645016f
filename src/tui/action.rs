//! What the adapters feed the app: keys, pastes, resizes, auto-play ticks, and the chart's
//! size as the last frame drew it. The local terminal and the SSH server both turn their input
//! into these; which key means what is the app's business (see [`super::keys`]).

use crossterm::event::{Event, KeyEvent, MouseEventKind};

/// Rows one notch of the mouse wheel scrolls the page text.
pub const WHEEL_ROWS: i16 = 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Key(KeyEvent),
    Paste(String),
    Resize(u16, u16),
    /// Time for the next auto-play step; the adapter owns the clock.
    Tick,
    /// The chart's size in cells in the frame just drawn (see `App::chart_area`): the app fits
    /// the chart's window to it, and the adapter draws again.
    ChartArea {
        cols: u16,
        rows: u16,
    },
    /// How many rows the page text can scroll down in the frame just drawn (0: it fits), so
    /// scrolling stops at the end of the text.
    PageOverflow(u16),
    /// The mouse wheel over the tutor: rows to scroll the page text, positive downwards.
    Scroll(i16),
}

impl Action {
    /// The action for a terminal event, if it is one the tutor uses.
    pub fn from_event(event: Event) -> Option<Action> {
        match event {
            Event::Key(k) => Some(Action::Key(k)),
            Event::Paste(s) => Some(Action::Paste(s)),
            Event::Resize(w, h) => Some(Action::Resize(w, h)),
            Event::Mouse(m) => match m.kind {
                MouseEventKind::ScrollDown => Some(Action::Scroll(WHEEL_ROWS)),
                MouseEventKind::ScrollUp => Some(Action::Scroll(-WHEEL_ROWS)),
                _ => None,
            },
            _ => None,
        }
    }
}
