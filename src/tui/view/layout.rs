//! Where each panel goes for a given terminal size. `update` uses the same function to know
//! the chart's size (to fit its window) that `view` uses to draw it.

use ratatui::layout::{Constraint, Layout, Rect};

use crate::chart;
use crate::lesson::View;

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

pub fn tutor(area: Rect, view: View, numbers_height: u16) -> TutorLayout {
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
    let nh = numbers_height.min(left.height.saturating_sub(3));
    let [text, numbers] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(nh)]).areas(left);
    let (chart, history) = match right {
        Some(r) if view == View::Model && r.height >= 18 => {
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

/// The contour plot's size in cells for a terminal of `size`, or None when no chart shows.
pub fn contour_plot_cells(size: (u16, u16), view: View) -> Option<(u16, u16)> {
    let area = Rect::new(0, 0, size.0, size.1);
    if size.0 < MIN_SIZE.0 || size.1 < MIN_SIZE.1 {
        return None;
    }
    let chart = tutor(area, view, 0).chart?;
    let inner = inner(chart);
    let (w, h) = chart::contour_plot_size(inner.width, inner.height);
    (w > 0 && h > 0).then_some((w, h))
}
