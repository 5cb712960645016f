//! One frame, as both adapters draw it: the view lays the screen out and reports the chart's
//! size, the app fits its chart window to that size, and the frame is drawn again when the
//! size was news. The app learns the layout from the frame; `update` never calls the view.

use ratatui::Frame;

use super::painter::Painting;
use crate::chart::Retained;

use super::action::Action;
use super::app::App;
use super::view;

/// Draws `app` into `frame`. After a resize, a new view or the first frame the chart is
/// drawn twice into the same buffer, so only the second, fitted one reaches the terminal;
/// the same when the page text starts or stops overflowing, since the footer then offers
/// (or drops) the scroll keys.
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
        app.update(Action::PageOverflow(drawn.page_overflow));
        again = true;
    }
    if let Some((cols, rows)) = drawn.chart
        && app.chart_area() != Some((cols, rows))
    {
        app.update(Action::ChartArea { cols, rows });
        again = true;
    }
    let drawn = if again {
        frame.buffer_mut().reset();
        view::draw(app, frame, &[])
    } else {
        drawn
    };
    Painting {
        retained: drawn.retained,
        cursor: drawn.cursor,
    }
}
