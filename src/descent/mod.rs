//! One run of gradient descent that a learner steps through: every state it visited, so any
//! step can be undone exactly, and the rule that says when it stops.

mod history;

use std::fmt;

use serde::Serialize;

pub use history::History;

use crate::math::optimizer::{self, Optimizer};
use crate::math::{Objective, norm};

/// Losses beyond this count as diverged: the numbers would no longer mean anything to a learner.
pub const DIVERGED_ABOVE: f64 = 1e12;
/// The most states one run keeps; stepping stops there (it bounds memory under auto-play).
pub const MAX_HISTORY: usize = 100_000;

/// What the tolerance is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StopOn {
    /// ‖Δθ‖, the length of the step (source 001's rule).
    #[default]
    Step,
    /// ‖∇L‖, the length of the gradient.
    Grad,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StopRule {
    pub tol: Option<f64>,
    pub on: StopOn,
    pub max_steps: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Running,
    MaxSteps,
    Converged,
    Diverged,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::MaxSteps => "max_steps",
            Status::Converged => "converged",
            Status::Diverged => "diverged",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a run stopped, in the terms the lessons teach: a stop rule met is not a minimum found,
/// and a blow-up, a missing derivative and a loss with no bottom each call for another remedy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stop {
    /// ‖Δθ‖ < ε: the next step is shorter than ε (source 001's rule), wherever that is.
    ShortStep { eps: f64, step: f64 },
    /// ‖∇L‖ < ε: the slope is flatter than ε (a minimum, a saddle or a plateau).
    FlatGradient { eps: f64, grad: f64 },
    /// The step budget is spent.
    StepLimit { max: usize },
    /// L and θ are finite but ∇L is not: the formula has no derivative at this point.
    NotDifferentiable,
    /// L fell below −DIVERGED_ABOVE: the loss has no bottom in the direction the run took, so
    /// a smaller η only slows the fall.
    Unbounded,
    /// L grew past DIVERGED_ABOVE or stopped being a number: the steps overshoot.
    BlewUp,
}

/// One visited point θ_t with everything computed there.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub t: usize,
    pub params: Vec<f64>,
    /// L(θ_t) (for a model: the cost over the whole data set).
    pub value: f64,
    /// The gradient the update from θ_t uses (for a model: over step t's batch).
    pub grad: Vec<f64>,
    /// The optimizer's memory after reaching θ_t.
    pub opt: optimizer::State,
}

/// The update the run would take next from the current point.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    /// Δθ = θ_{t+1} − θ_t.
    pub delta: Vec<f64>,
    pub next: Vec<f64>,
    pub opt: optimizer::State,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    objective: Objective,
    optimizer: Optimizer,
    lr: f64,
    stop: StopRule,
    /// `Some(d)`: the update from θ_k uses η_k = η/(1 + k·d) (SLP §5.6: start with a larger η
    /// and lower it as training goes on). `None`: η stays fixed.
    decay: Option<f64>,
    history: History,
}

impl Run {
    /// Starts at `start`, which must have one value per parameter.
    pub fn new(
        objective: Objective,
        optimizer: Optimizer,
        lr: f64,
        start: &[f64],
        stop: StopRule,
    ) -> Result<Run, String> {
        let names = objective.names();
        if start.len() != names.len() {
            return Err(format!(
                "the start point has {} value(s) but there are {} parameter(s) ({})",
                start.len(),
                names.len(),
                names.join(", ")
            ));
        }
        let first = Self::visit(
            &objective,
            start.to_vec(),
            0,
            optimizer.initial_state(start.len()),
        );
        Ok(Run {
            objective,
            optimizer,
            lr,
            stop,
            decay: None,
            history: History::new(first),
        })
    }

    /// The same run with η decaying as η_k = η/(1 + k·d) from here on; `None` or a `d` that
    /// is not a positive finite number keeps η fixed.
    pub fn with_lr_decay(mut self, decay: Option<f64>) -> Run {
        self.decay = decay.filter(|d| d.is_finite() && *d > 0.0);
        self
    }

    /// The decay rate d of η_k = η/(1 + k·d), if η decays.
    pub fn lr_decay(&self) -> Option<f64> {
        self.decay
    }

    /// η_k: the learning rate of the update from θ_k.
    pub fn lr_at(&self, k: usize) -> f64 {
        match self.decay {
            Some(d) => self.lr / (1.0 + k as f64 * d),
            None => self.lr,
        }
    }

    /// The learning rate the next update uses (η itself unless it decays).
    pub fn step_lr(&self) -> f64 {
        self.lr_at(self.current().t)
    }

    fn visit(objective: &Objective, params: Vec<f64>, t: usize, opt: optimizer::State) -> Point {
        let (value, grad) = objective.evaluate(&params, t);
        Point {
            t,
            params,
            value,
            grad,
            opt,
        }
    }

    pub fn objective(&self) -> &Objective {
        &self.objective
    }

    pub fn optimizer(&self) -> &Optimizer {
        &self.optimizer
    }

    pub fn lr(&self) -> f64 {
        self.lr
    }

    pub fn stop_rule(&self) -> &StopRule {
        &self.stop
    }

    pub fn names(&self) -> Vec<String> {
        self.objective.names()
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    pub fn current(&self) -> &Point {
        self.history.last()
    }

    /// The next update from the current point, as the optimizer would take it now.
    pub fn preview(&self) -> Preview {
        let cur = self.current();
        let (next, opt) = self
            .optimizer
            .update(&cur.opt, &cur.params, &cur.grad, self.step_lr());
        let delta = next.iter().zip(&cur.params).map(|(a, b)| a - b).collect();
        Preview { delta, next, opt }
    }

    /// The optimizer memory that goes with the optimizer in use: the current point's, or a
    /// fresh one when the learner switched optimizers there (the old kind's velocity or moments
    /// mean nothing to the new rule, and the next update starts it afresh too).
    pub fn opt_state(&self) -> optimizer::State {
        let cur = self.current();
        let fresh = self.optimizer.initial_state(cur.params.len());
        if std::mem::discriminant(&cur.opt) == std::mem::discriminant(&fresh) {
            cur.opt.clone()
        } else {
            fresh
        }
    }

    /// Where the run stands at the current point. Divergence is checked first, then
    /// convergence, then the step budget.
    pub fn status(&self) -> Status {
        let cur = self.current();
        let finite = |v: &[f64]| v.iter().all(|x| x.is_finite());
        if !cur.value.is_finite()
            || cur.value.abs() > DIVERGED_ABOVE
            || !finite(&cur.params)
            || !finite(&cur.grad)
        {
            return Status::Diverged;
        }
        if let Some(tol) = self.stop.tol {
            let measure = match self.stop.on {
                StopOn::Grad => norm(&cur.grad),
                StopOn::Step => norm(&self.preview().delta),
            };
            if measure < tol {
                return Status::Converged;
            }
        }
        let budget = self
            .stop
            .max_steps
            .unwrap_or(usize::MAX)
            .min(MAX_HISTORY - 1);
        if cur.t >= budget {
            return Status::MaxSteps;
        }
        Status::Running
    }

    /// Why the run stands still, or `None` while it runs. Agrees with [`Run::status`]:
    /// `Diverged` splits into a missing derivative, an unbounded loss and a blow-up.
    pub fn stop(&self) -> Option<Stop> {
        let cur = self.current();
        match self.status() {
            Status::Running => None,
            Status::Diverged => {
                let finite = |v: &[f64]| v.iter().all(|x| x.is_finite());
                Some(if cur.value < -DIVERGED_ABOVE {
                    Stop::Unbounded
                } else if cur.value.is_finite() && finite(&cur.params) && !finite(&cur.grad) {
                    Stop::NotDifferentiable
                } else {
                    Stop::BlewUp
                })
            }
            Status::Converged => {
                let eps = self.stop.tol.unwrap_or(0.0);
                Some(match self.stop.on {
                    StopOn::Step => Stop::ShortStep {
                        eps,
                        step: norm(&self.preview().delta),
                    },
                    StopOn::Grad => Stop::FlatGradient {
                        eps,
                        grad: norm(&cur.grad),
                    },
                })
            }
            Status::MaxSteps => Some(Stop::StepLimit { max: cur.t }),
        }
    }

    /// Takes one update unless the run has stopped; returns the status after it.
    pub fn step(&mut self) -> Status {
        let status = self.status();
        if status != Status::Running {
            return status;
        }
        let Preview { next, opt, .. } = self.preview();
        let t = self.current().t + 1;
        let point = Self::visit(&self.objective, next, t, opt);
        self.history.push(point);
        self.status()
    }

    /// Takes up to `n` updates, stopping early when the run stops.
    pub fn advance(&mut self, n: usize) -> Status {
        for _ in 0..n {
            if self.step() != Status::Running {
                break;
            }
        }
        self.status()
    }

    /// A new run that starts where this one stands (same t, optimizer state, rule),
    /// without the history: for looking ahead without copying every visited point.
    pub fn fork(&self) -> Run {
        Run {
            objective: self.objective.clone(),
            optimizer: self.optimizer,
            lr: self.lr,
            stop: self.stop,
            decay: self.decay,
            history: History::new(self.current().clone()),
        }
    }

    /// Drops the first `k` points of the history (all but the current one at most), so the
    /// run seems to have started at point `k`: for a look-ahead copy that keeps only the
    /// points still ahead of the run it follows.
    pub fn forget_before(&mut self, k: usize) {
        self.history.forget_before(k);
    }

    /// Goes back one update; false at the start point.
    pub fn undo(&mut self) -> bool {
        self.history.pop().is_some()
    }

    /// Back to the start point.
    pub fn reset(&mut self) {
        self.history.truncate(1);
    }

    /// A new η (η₀ when it decays) for the updates from here on; the history keeps the steps already taken.
    pub fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }

    /// Another tolerance ε for the stop rule; the status is read against it from now on.
    pub fn set_tol(&mut self, tol: f64) {
        self.stop.tol = Some(tol);
    }

    /// Another optimizer from here on; it starts with fresh state (no velocity, no moments).
    pub fn set_optimizer(&mut self, optimizer: Optimizer) {
        self.optimizer = optimizer;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::Formula;
    use crate::math::optimizer::Kind;

    fn run(decay: Option<f64>) -> Run {
        let f = Formula::parse("x^2").unwrap();
        Run::new(
            Objective::Formula(f),
            Optimizer::new(Kind::Sgd),
            0.4,
            &[1.0],
            StopRule::default(),
        )
        .unwrap()
        .with_lr_decay(decay)
    }

    #[test]
    fn a_decaying_eta_shrinks_as_one_over_one_plus_kd() {
        let mut r = run(Some(1.0));
        assert_eq!((r.lr_at(0), r.lr_at(1), r.lr_at(3)), (0.4, 0.2, 0.1));
        // x ← x − η_k·2x: 1 → 1 − 0.8 = 0.2 → 0.2 − 0.2·0.4 = 0.12
        r.advance(2);
        assert!((r.current().params[0] - 0.12).abs() < 1e-15);
        assert_eq!(r.step_lr(), 0.4 / 3.0);
        // Undo goes back to the η of that step too: η_k is a function of k alone.
        r.undo();
        assert_eq!(r.step_lr(), 0.2);
        assert_eq!(r.fork().step_lr(), 0.2);
    }

    #[test]
    fn no_decay_or_a_meaningless_one_keeps_eta_fixed() {
        for d in [None, Some(0.0), Some(-1.0), Some(f64::NAN)] {
            let r = run(d);
            assert_eq!((r.lr_decay(), r.lr_at(50)), (None, 0.4), "{d:?}");
        }
    }
}
