//! What a session descends: a typed formula, or a model's cost on a data set.

use super::formula::Formula;
use super::model::Model;

/// The most variables a formula may descend on. Exact gradients carry one dual number per
/// variable per value, so memory grows with the square of this (17,576 variables took 2.4 GB).
pub const MAX_VARS: usize = 100;

/// Why a parsed formula cannot be descended on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DescentError {
    #[error("the formula has no variables to descend on (e.g. x^2 + y^2)")]
    NoVariables,
    #[error("the formula has {count} variables; the limit is {MAX_VARS}")]
    TooManyVariables { count: usize },
}

/// The one check every way of typing a formula shares (CLI, lessons, the tutor's editor):
/// it must have variables, and not more than [`MAX_VARS`].
pub fn check_descent(formula: &Formula) -> Result<(), DescentError> {
    check_var_count(formula.vars().len())
}

/// [`check_descent`] on a count alone, so a list of names can be refused before parsing it.
pub fn check_var_count(count: usize) -> Result<(), DescentError> {
    match count {
        0 => Err(DescentError::NoVariables),
        n if n > MAX_VARS => Err(DescentError::TooManyVariables { count: n }),
        _ => Ok(()),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Objective {
    Formula(Formula),
    Model(Model),
}

impl Objective {
    /// The parameter names, in order.
    pub fn names(&self) -> Vec<String> {
        match self {
            Objective::Formula(f) => f.vars().to_vec(),
            Objective::Model(m) => m.param_names(),
        }
    }

    pub fn dim(&self) -> usize {
        match self {
            Objective::Formula(f) => f.vars().len(),
            Objective::Model(m) => m.dim(),
        }
    }

    /// L(θ): the formula's value, or the model's cost over the whole data set.
    pub fn value(&self, theta: &[f64]) -> f64 {
        match self {
            Objective::Formula(f) => f.value(theta),
            Objective::Model(m) => m.cost(theta),
        }
    }

    /// L(θ) and the gradient that update number `t` uses: the exact ∇L for a formula, the
    /// mean gradient over step t's batch for a model.
    pub fn evaluate(&self, theta: &[f64], t: usize) -> (f64, Vec<f64>) {
        match self {
            Objective::Formula(f) => f.gradient(theta),
            Objective::Model(m) => {
                let batch = m.batch_for_step(t);
                (m.cost(theta), m.gradient_on(theta, &batch))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_formula_needs_between_one_and_max_vars_variables() {
        let f = Formula::parse("2 + 3").unwrap();
        assert_eq!(check_descent(&f), Err(DescentError::NoVariables));
        assert_eq!(check_descent(&Formula::parse("x^2").unwrap()), Ok(()));
        assert_eq!(
            check_var_count(MAX_VARS + 1),
            Err(DescentError::TooManyVariables {
                count: MAX_VARS + 1
            })
        );
        assert!(
            check_var_count(17_576)
                .unwrap_err()
                .to_string()
                .contains("limit is 100")
        );
    }
}
