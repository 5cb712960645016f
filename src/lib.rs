//! gradstep: a terminal tutor for gradient descent.
//!
//! Module map (one line each):
//! - [`math`]: formulas (meval → compiled program), exact autodiff, optimizers, models. No UI.
//! - [`descent`]: one descent [`descent::Run`]: history, undo, reset, stop status.
//! - [`numfmt`]: how numbers are written for people (short) and for machines (exact).
//! - [`lesson`]: lessons as data: the TOML format, loading, validation, checks, exercises.
//! - [`cli`]: the command line and the headless commands (`run`, ...), free of terminal UI.
//! - [`chart`]: text charts (contour map, slope curve, cost history) from plain data, no terminal.
//! - [`stage`]: what a learner steps: the runs of a scene, the chart window, the Taylor dial.
//! - [`progress`]: lesson progress kept in the XDG data directory.
//! - [`class`]: the classroom hub: roster, pushes, broadcast, follow (no terminal code).
//! - [`tui`]: the tutor itself (state, update, view) and the local terminal adapter.
//! - [`ssh`]: `gradstep serve`: a russh server, one tutor per connection, bytes → keys, limits.

pub mod chart;
pub mod class;
pub mod cli;
pub mod descent;
pub mod lesson;
pub mod math;
pub mod numfmt;
pub mod progress;
pub mod ssh;
pub mod stage;
pub mod tui;
