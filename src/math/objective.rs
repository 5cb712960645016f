//! What a session descends: a typed formula, or a model's cost on a data set.

use super::formula::Formula;
use super::model::Model;

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
