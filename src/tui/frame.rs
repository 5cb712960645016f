//! One frame, as both adapters draw it: the view lays the screen out and reports the chart's
//! size, the app fits its chart window to that size, and the frame is drawn again when the
//! size was news. The app learns the layout from the frame; `update` never calls the view.

use ratatui::Frame;

use super::painter::{Painting, draw_again};
use crate::chart::Retained;

use super::action::Action;
use super::app::App;
use super::view;

/// Draws `app` into `frame`. After a resize, a new view or the first frame the chart is
/// drawn twice into the same buffer, so only the second, fitted one reaches the terminal.
/// (When the page text starts or stops overflowing, the app hears of it after the frame,
/// which drew its footer's scroll keys from the layout already.)
pub fn draw_frame(app: &mut App, frame: &mut Frame) {
    if let Some(at) = draw_painting(app, frame, &[]).cursor {
        frame.set_cursor_position(at);
    }
}

/// [`draw_frame`] for [`paint_frame`](super::painter::paint_frame): into a buffer whose `kept`
/// areas still hold the last frame's cells, returning the cursor and the areas the painter
/// may skip rather than setting the cursor on the frame.
pub fn draw_painting(app: &mut App, frame: &mut Frame, kept: &[Retained]) -> Painting {
    let drawn = view::draw(app, frame, kept);
    let mut again = false;
    if app.page_overflow() != drawn.page_overflow {
        // The footer drew the scroll keys from this frame's overflow already.
        app.update(Action::PageOverflow(drawn.page_overflow));
    }
    if let Some((cols, rows)) = drawn.chart
        && app.chart_area() != Some((cols, rows))
    {
        app.update(Action::ChartArea { cols, rows });
        again = true;
    }
    if !again {
        return painting(drawn);
    }
    // What the first draw retained is clean (continued or drawn afresh), so the second draw
    // keeps it and redraws only what the news changed.
    draw_again(frame, &drawn.retained, |frame, kept| {
        painting(view::draw(app, frame, kept))
    })
}

fn painting(drawn: view::Drawn) -> Painting {
    Painting {
        retained: drawn.retained,
        cursor: drawn.cursor,
    }
}
