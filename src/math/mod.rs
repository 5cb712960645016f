//! The math core: everything a learner sees is a number computed here. No UI code.
//!
//! - [`formula`]: a typed formula, parsed by meval and compiled once; values, exact gradients
//!   and Hessians by dual numbers.
//! - [`optimizer`]: sgd, momentum, nesterov, adagrad, rmsprop, adam, formula for formula as
//!   `torch.optim` computes them.
//! - [`model`]: logistic and linear regression on data, with batches.
//! - [`data`]: reading a data set from CSV or from inline numbers.
//! - [`symbolic`]: exact derivatives written as formulas (`gradstep diff`).

pub mod data;
pub mod formula;
pub mod functions;
mod lexer;
pub mod model;
pub mod objective;
pub mod optimizer;
pub mod program;
pub mod symbolic;

pub use data::{DataError, Dataset, Limit, Limits};
pub use formula::{Formula, FormulaError};
pub use lexer::{MAX_DEPTH, MAX_LEN};
pub use model::ModelError;
pub use objective::{DescentError, Objective, check_descent};
pub use optimizer::{Hyper, Interval, OutOfRange};
pub use program::GradientIssue;

/// The Euclidean norm ‖v‖.
pub fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}
