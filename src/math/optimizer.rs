//! The update rules, written formula for formula as `torch.optim` computes them in float64
//! (weight decay 0, no maximize), so a teacher can check any number against PyTorch.
//!
//! Each update is a pure function of (config, state, θ, g, η) → (θ', state'): the session keeps
//! every state, which is what makes undo exact.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Sgd,
    Momentum,
    Nesterov,
    Adagrad,
    Rmsprop,
    Adam,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Sgd,
        Kind::Momentum,
        Kind::Nesterov,
        Kind::Adagrad,
        Kind::Rmsprop,
        Kind::Adam,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Sgd => "sgd",
            Kind::Momentum => "momentum",
            Kind::Nesterov => "nesterov",
            Kind::Adagrad => "adagrad",
            Kind::Rmsprop => "rmsprop",
            Kind::Adam => "adam",
        }
    }

    /// The next optimizer in [`Kind::ALL`], wrapping around.
    pub fn next(self) -> Kind {
        let i = Kind::ALL.iter().position(|k| *k == self).unwrap_or(0);
        Kind::ALL[(i + 1) % Kind::ALL.len()]
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        Kind::ALL
            .iter()
            .copied()
            .find(|k| k.name() == s || (s == "gd" && *k == Kind::Sgd))
            .ok_or_else(|| {
                format!(
                    "unknown optimizer '{s}' (known: {})",
                    Kind::ALL.map(Kind::name).join(", ")
                )
            })
    }
}

/// The hyper-parameters an optimizer may take, each with the range torch accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hyper {
    Momentum,
    Alpha,
    Beta1,
    Beta2,
    Eps,
}

impl Hyper {
    pub const ALL: [Hyper; 5] = [
        Hyper::Momentum,
        Hyper::Alpha,
        Hyper::Beta1,
        Hyper::Beta2,
        Hyper::Eps,
    ];

    /// The plain name: the TOML key, and the flag without its `--`.
    pub fn name(self) -> &'static str {
        match self {
            Hyper::Momentum => "momentum",
            Hyper::Alpha => "alpha",
            Hyper::Beta1 => "beta1",
            Hyper::Beta2 => "beta2",
            Hyper::Eps => "eps",
        }
    }

    pub fn range(self) -> Interval {
        match self {
            Hyper::Eps => Interval::NonNegative,
            _ => Interval::UnitHalfOpen,
        }
    }

    /// Whether `kind` reads this hyper-parameter at all (ε is read by every optimizer that
    /// divides, and harmless to set elsewhere).
    pub fn used_by(self, kind: Kind) -> bool {
        match self {
            Hyper::Momentum => matches!(kind, Kind::Momentum | Kind::Nesterov),
            Hyper::Alpha => kind == Kind::Rmsprop,
            Hyper::Beta1 | Hyper::Beta2 => kind == Kind::Adam,
            Hyper::Eps => true,
        }
    }

    /// `value` if it lies in this hyper-parameter's range.
    pub fn check(self, value: f64) -> Result<f64, OutOfRange> {
        self.range().check(self.name(), value)
    }
}

/// A set of allowed values, as a learner reads it: `[0, 1)`, `≥ 0`, `> 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    /// [0, 1): a decay or momentum factor.
    UnitHalfOpen,
    /// A finite number ≥ 0.
    NonNegative,
    /// A finite number > 0.
    Positive,
}

/// η must be a finite number greater than 0.
pub fn check_lr(lr: f64) -> Result<f64, OutOfRange> {
    Interval::Positive.check("lr", lr)
}

impl Interval {
    /// `value` if it lies in the interval, else the fact that `param` does not.
    pub fn check(self, param: &'static str, value: f64) -> Result<f64, OutOfRange> {
        if self.contains(value) {
            Ok(value)
        } else {
            Err(OutOfRange {
                param,
                value,
                range: self,
            })
        }
    }

    pub fn contains(self, v: f64) -> bool {
        v.is_finite()
            && match self {
                Interval::UnitHalfOpen => (0.0..1.0).contains(&v),
                Interval::NonNegative => v >= 0.0,
                Interval::Positive => v > 0.0,
            }
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Interval::UnitHalfOpen => "in [0, 1)",
            Interval::NonNegative => "a number ≥ 0",
            Interval::Positive => "greater than 0",
        })
    }
}

/// A number outside the range its parameter allows. Displays without a flag or key
/// (`beta1 must be in [0, 1), got 1.5`); callers put their own name in front.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("{param} must be {range}, got {value}")]
pub struct OutOfRange {
    /// The plain name (`beta1`, `lr`): a caller adds `--` or points at the TOML key.
    pub param: &'static str,
    pub value: f64,
    pub range: Interval,
}

impl OutOfRange {
    /// The same fact with the name a caller's audience knows (`--beta1`, `stop.tol`).
    pub fn worded(&self, name: &str) -> String {
        format!("{name} must be {}, got {}", self.range, self.value)
    }
}

/// An optimizer and its hyper-parameters (torch's defaults unless overridden).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Optimizer {
    pub kind: Kind,
    /// Momentum factor μ for `momentum` and `nesterov` (torch: SGD(momentum=0.9)).
    pub momentum: f64,
    /// Smoothing constant α of RMSprop.
    pub alpha: f64,
    pub beta1: f64,
    pub beta2: f64,
    /// ε added to the denominator of adagrad, rmsprop and adam.
    pub eps: f64,
}

impl Optimizer {
    pub fn new(kind: Kind) -> Optimizer {
        Optimizer {
            kind,
            momentum: 0.9,
            alpha: 0.99,
            beta1: 0.9,
            beta2: 0.999,
            eps: match kind {
                Kind::Adagrad => 1e-10,
                _ => 1e-8,
            },
        }
    }

    /// The first hyper-parameter outside its range, as a fact (which one, its value, the
    /// range); the CLI words it as a flag, a lesson as a TOML key.
    pub fn check_ranges(&self) -> Result<(), OutOfRange> {
        Hyper::ALL
            .into_iter()
            .try_for_each(|h| h.check(self.get(h)).map(|_| ()))
    }

    /// The value of one hyper-parameter.
    pub fn get(&self, h: Hyper) -> f64 {
        match h {
            Hyper::Momentum => self.momentum,
            Hyper::Alpha => self.alpha,
            Hyper::Beta1 => self.beta1,
            Hyper::Beta2 => self.beta2,
            Hyper::Eps => self.eps,
        }
    }

    /// Sets one hyper-parameter (unchecked; see [`Optimizer::check_ranges`]).
    pub fn set(&mut self, h: Hyper, value: f64) {
        match h {
            Hyper::Momentum => self.momentum = value,
            Hyper::Alpha => self.alpha = value,
            Hyper::Beta1 => self.beta1 = value,
            Hyper::Beta2 => self.beta2 = value,
            Hyper::Eps => self.eps = value,
        }
    }

    pub fn initial_state(&self, n: usize) -> State {
        match self.kind {
            Kind::Sgd => State::None,
            Kind::Momentum | Kind::Nesterov => State::Momentum { buf: None },
            Kind::Adagrad => State::Adagrad { sum: vec![0.0; n] },
            Kind::Rmsprop => State::Rmsprop {
                square_avg: vec![0.0; n],
            },
            Kind::Adam => State::Adam {
                step: 0,
                exp_avg: vec![0.0; n],
                exp_avg_sq: vec![0.0; n],
            },
        }
    }

    /// One update: θ' = θ + Δθ as torch computes it. A `state` of another kind (the learner
    /// switched optimizers) starts afresh.
    ///
    /// Over 80 lines on purpose: one arm per optimizer, each a line-for-line copy of torch's
    /// `_single_tensor_*` loop, so a reader can hold them side by side with torch's source.
    pub fn update(&self, state: &State, theta: &[f64], g: &[f64], lr: f64) -> (Vec<f64>, State) {
        let n = theta.len();
        let state = if state.kind_matches(self.kind, n) {
            state.clone()
        } else {
            self.initial_state(n)
        };
        let mut p = theta.to_vec();
        match (self.kind, state) {
            (Kind::Sgd, _) => {
                for i in 0..n {
                    p[i] += -lr * g[i];
                }
                (p, State::None)
            }
            (Kind::Momentum | Kind::Nesterov, State::Momentum { buf }) => {
                // buf = g on the first step, then buf = μ·buf + (1 − dampening)·g, dampening 0.
                let buf: Vec<f64> = match buf {
                    None => g.to_vec(),
                    Some(b) => (0..n).map(|i| b[i] * self.momentum + g[i]).collect(),
                };
                for i in 0..n {
                    let d = if self.kind == Kind::Nesterov {
                        g[i] + self.momentum * buf[i]
                    } else {
                        buf[i]
                    };
                    p[i] += -lr * d;
                }
                (p, State::Momentum { buf: Some(buf) })
            }
            (Kind::Adagrad, State::Adagrad { mut sum }) => {
                for i in 0..n {
                    sum[i] += g[i] * g[i];
                    let std = sum[i].sqrt() + self.eps;
                    p[i] += (-lr * g[i]) / std;
                }
                (p, State::Adagrad { sum })
            }
            (Kind::Rmsprop, State::Rmsprop { mut square_avg }) => {
                for i in 0..n {
                    square_avg[i] = square_avg[i] * self.alpha + (1.0 - self.alpha) * g[i] * g[i];
                    let avg = square_avg[i].sqrt() + self.eps;
                    p[i] += (-lr * g[i]) / avg;
                }
                (p, State::Rmsprop { square_avg })
            }
            (
                Kind::Adam,
                State::Adam {
                    step,
                    mut exp_avg,
                    mut exp_avg_sq,
                },
            ) => {
                let step = step + 1;
                let weight = 1.0 - self.beta1;
                for i in 0..n {
                    exp_avg[i] = lerp(exp_avg[i], g[i], weight);
                    exp_avg_sq[i] = exp_avg_sq[i] * self.beta2 + (1.0 - self.beta2) * g[i] * g[i];
                }
                // Python evaluates `beta ** step` with C pow on floats; powf is that same pow.
                let bias_correction1 = 1.0 - self.beta1.powf(step as f64);
                let bias_correction2 = 1.0 - self.beta2.powf(step as f64);
                let step_size = lr / bias_correction1;
                let bias_correction2_sqrt = bias_correction2.sqrt();
                for i in 0..n {
                    let denom = exp_avg_sq[i].sqrt() / bias_correction2_sqrt + self.eps;
                    p[i] += (-step_size * exp_avg[i]) / denom;
                }
                (
                    p,
                    State::Adam {
                        step,
                        exp_avg,
                        exp_avg_sq,
                    },
                )
            }
            (_, s) => (p, s),
        }
    }
}

/// torch's `lerp_`: `start + w·(end − start)` for w < 0.5, else `end − (end − start)·(1 − w)`.
fn lerp(start: f64, end: f64, weight: f64) -> f64 {
    if weight.abs() < 0.5 {
        start + weight * (end - start)
    } else {
        end - (end - start) * (1.0 - weight)
    }
}

/// What an optimizer remembers between steps.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum State {
    None,
    /// The momentum buffer (velocity); `None` before the first step.
    Momentum {
        buf: Option<Vec<f64>>,
    },
    /// Σ g², per coordinate.
    Adagrad {
        sum: Vec<f64>,
    },
    /// Running average of g².
    Rmsprop {
        square_avg: Vec<f64>,
    },
    /// Step count and the first and second moment estimates.
    Adam {
        step: u64,
        exp_avg: Vec<f64>,
        exp_avg_sq: Vec<f64>,
    },
}

impl State {
    fn kind_matches(&self, kind: Kind, n: usize) -> bool {
        match (self, kind) {
            (State::None, Kind::Sgd) => true,
            (State::Momentum { buf }, Kind::Momentum | Kind::Nesterov) => {
                buf.as_ref().is_none_or(|b| b.len() == n)
            }
            (State::Adagrad { sum }, Kind::Adagrad) => sum.len() == n,
            (State::Rmsprop { square_avg }, Kind::Rmsprop) => square_avg.len() == n,
            (State::Adam { exp_avg, .. }, Kind::Adam) => exp_avg.len() == n,
            _ => false,
        }
    }

    /// Named vectors worth showing a learner (velocity, accumulators), for the numbers panel.
    pub fn vectors(&self) -> Vec<(&'static str, &[f64])> {
        match self {
            State::None | State::Momentum { buf: None } => vec![],
            State::Momentum { buf: Some(b) } => vec![("velocity", b)],
            State::Adagrad { sum } => vec![("Σg²", sum)],
            State::Rmsprop { square_avg } => vec![("E[g²]", square_avg)],
            State::Adam {
                exp_avg,
                exp_avg_sq,
                ..
            } => vec![("m", exp_avg), ("v", exp_avg_sq)],
        }
    }
}
