//! Text charts for the tutor, computed from plain data (a function, a window, a path) into a
//! [`Canvas`] of characters with semantic tags, so they are testable without a terminal and
//! `gradstep plot` prints exactly what the TUI shows.
//!
//! - [`contour`]: isolines of a two-parameter loss with the descent path and step arrow.
//! - [`curve`]: the one-variable slope view (curve, tangent, visited points, next point).
//! - [`history`]: a small line chart of cost per iteration, several series side by side.
//!
//! Nothing here depends on the math core or on a terminal; ratatui is used only for its
//! `Buffer`/`Style` types when rendering.

mod axis;
mod cache;
mod canvas;
mod contour;
mod curve;
mod history;
mod levels;
mod raster;
mod window;
mod words;

pub use axis::{format_tick, nice_step, nice_ticks};
pub use cache::ContourCache;
pub use canvas::{Canvas, CanvasWidget, Cell, Retained, Tag, Theme, WIDE_TAIL, blank};
pub use contour::{
    ContourBase, ContourSpec, Sampler, contour, contour_in, contour_plot_size, marker,
};
pub use curve::{CurveSpec, curve, curve_in};
pub use history::{HistorySpec, SERIES_MARKERS, history};
pub use levels::{Levels, MAX_LEVELS};
pub use window::{FitOptions, Window, fit, keep_or_refit};
pub use words::{Words, symbols, text_width};

/// Which characters a chart may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Glyphs {
    /// Pure ASCII: works on every terminal, in every font, and pasted into notes.
    #[default]
    Ascii,
    /// Box drawing, arrows, `●` and `·` for terminals that have them.
    Unicode,
}
