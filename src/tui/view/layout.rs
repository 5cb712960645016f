//! Where each panel goes for a given terminal size, computed once per frame. The chart's size
//! goes back to the app through the adapter (`Action::ChartArea`), never by `update` calling
//! in here.

use ratatui::layout::{Constraint, Layout, Rect};

use crate::lesson::ChartKind;

/// Below this the tutor shows only a "window too small" notice.
pub const MIN_SIZE: (u16, u16) = (20, 8);

pub struct TutorLayout {
    pub title: Rect,
    /// The page text (and exercise, and the input line at its bottom).
    pub text: Rect,
    pub numbers: Rect,
    /// The main chart, when there is room for one.
    pub chart: Option<Rect>,
    /// The cost history (model view).
    pub history: Option<Rect>,
    pub footer: Rect,
}

/// Whether the chart sits beside the text (wide enough) or is left out.
fn two_columns(area: Rect) -> bool {
    area.width >= 64 && area.height >= 14
}

/// The tutor screen's panels. The numbers panel is as tall as its lines, but never takes the
/// rows the page panel needs for its open question (pinned, it must be seen whole) and a few
/// rows of text. Both depend on the column's width: `heights` gets the width and returns the
/// heights the numbers and the page panel want, borders included.
pub fn tutor(
    area: Rect,
    view: ChartKind,
    heights: impl FnOnce(u16, u16) -> (u16, u16),
) -> TutorLayout {
    let [title, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let (left, right) = if two_columns(area) {
        let lw = (area.width * 2 / 5).clamp(34, 48);
        let [l, r] = Layout::horizontal([Constraint::Length(lw), Constraint::Min(1)]).areas(body);
        (l, Some(r))
    } else {
        (body, None)
    };
    let (numbers_wanted, text_wanted) = heights(left.width, left.height);
    let nh = numbers_wanted.min(left.height.saturating_sub(text_wanted.max(3)));
    let [text, numbers] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(nh)]).areas(left);
    let (chart, history) = match right {
        Some(r) if view == ChartKind::Model && r.height >= 18 => {
            let hh = r.height / 3;
            let [c, h] = Layout::vertical([Constraint::Min(1), Constraint::Length(hh)]).areas(r);
            (Some(c), Some(h))
        }
        other => (other, None),
    };
    TutorLayout {
        title,
        text,
        numbers,
        chart,
        history,
        footer,
    }
}

/// The inside of a bordered panel.
pub fn inner(r: Rect) -> Rect {
    Rect {
        x: r.x.saturating_add(1),
        y: r.y.saturating_add(1),
        width: r.width.saturating_sub(2),
        height: r.height.saturating_sub(2),
    }
}
