//! gradstep: a terminal tutor for gradient descent.
//!
//! - [`chart`]: text charts (contour map, slope curve, cost history) from plain data, no terminal.

pub mod chart;
