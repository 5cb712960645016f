//! The plain, validated scene the tutor shows: what to draw and how to step. A lesson has one
//! per page (its base scene with every page's changes up to that page applied), so the UI
//! never merges anything itself.

use std::fmt;
use std::str::FromStr;

use crate::descent::{Run, StopRule};
use crate::math::Objective;
use crate::math::optimizer::Optimizer;

/// How the scene is drawn: which chart (not to be confused with the tutor's view code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// One variable: the curve, its tangent at the current point, the points visited.
    Slope,
    /// Two or more variables: a contour map over two chosen axes.
    Surface,
    /// The direction dial: a unit v, ∇L·v, the first-order prediction against the true change.
    Taylor,
    /// Logistic or linear regression on data: contour over two parameters, the cost history.
    Model,
}

impl ChartKind {
    pub const ALL: [ChartKind; 4] = [
        ChartKind::Slope,
        ChartKind::Surface,
        ChartKind::Taylor,
        ChartKind::Model,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ChartKind::Slope => "slope",
            ChartKind::Surface => "surface",
            ChartKind::Taylor => "taylor",
            ChartKind::Model => "model",
        }
    }
}

impl fmt::Display for ChartKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ChartKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ChartKind::ALL
            .into_iter()
            .find(|v| v.name() == s.trim())
            .ok_or_else(|| {
                format!(
                    "unknown view '{s}' (known: {})",
                    ChartKind::ALL.map(ChartKind::name).join(", ")
                )
            })
    }
}

/// The chart window; an axis left `None` is fitted to the path automatically.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WindowSpec {
    /// The horizontal range: the first axis (or the variable, in the slope view).
    pub x: Option<(f64, f64)>,
    /// The vertical range: the second axis (or the loss, in the slope view).
    pub y: Option<(f64, f64)>,
}

/// The Taylor view's dial.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dial {
    /// The starting angle of v, in degrees counter-clockwise from the first axis.
    pub angle_deg: f64,
    /// The probe step length ‖Δθ‖ for which prediction and truth are compared.
    pub step: f64,
}

impl Default for Dial {
    fn default() -> Self {
        Dial {
            angle_deg: 0.0,
            step: 0.5,
        }
    }
}

/// Another run on the same surface, drawn beside the main one.
#[derive(Debug, Clone, PartialEq)]
pub struct Racer {
    /// A short name for the legend: `momentum`, `η=0.9`, or the author's own.
    pub label: String,
    /// The author's Chinese name for the legend, when it differs from `label`.
    pub label_zh: Option<String>,
    /// The racer's objective: the scene's, except a model may use another batch size.
    pub objective: Objective,
    pub optimizer: Optimizer,
    pub lr: f64,
    pub start: Vec<f64>,
}

impl Racer {
    /// A fresh session for this racer, with the scene's stop rule.
    pub fn run(&self, stop: StopRule) -> Result<Run, String> {
        Run::new(
            self.objective.clone(),
            self.optimizer,
            self.lr,
            &self.start,
            stop,
        )
    }
}

/// The names a page's text uses, shown instead of the program's own (`w1`, `b`, `L`), so the
/// panel and chart read θ₀, θ₁ and J where the linear-regression text does.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Naming {
    /// One per parameter, in order; empty for the parameters' own (pretty) names.
    pub params: Vec<String>,
    /// The loss's letter; `None` for L.
    pub loss: Option<String>,
    /// The main run's legend; `None` for its optimizer and η.
    pub run: Option<String>,
    /// Its Chinese text, when the author gave one.
    pub run_zh: Option<String>,
}

/// Everything one page shows and steps.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    pub view: ChartKind,
    pub objective: Objective,
    /// The parameter names, in order (x, y; or w1, w2, b for a model).
    pub names: Vec<String>,
    pub start: Vec<f64>,
    pub lr: f64,
    /// `lr_decay = d`: the main run's η_k = η/(1 + k·d); `None` keeps η fixed.
    pub lr_decay: Option<f64>,
    pub optimizer: Optimizer,
    pub stop: StopRule,
    pub window: WindowSpec,
    /// The two parameters (indices into `names`) the contour map is drawn over; the others are
    /// held at their current values. `None` for the slope view.
    pub axes: Option<(usize, usize)>,
    pub race: Vec<Racer>,
    /// Present in the Taylor view.
    pub dial: Option<Dial>,
    pub naming: Naming,
}

impl Scene {
    /// A fresh session at the scene's start point. Validation has matched the start to the
    /// parameters, so this fails only for a scene edited by hand afterwards.
    pub fn run(&self) -> Result<Run, String> {
        Run::new(
            self.objective.clone(),
            self.optimizer,
            self.lr,
            &self.start,
            self.stop,
        )
        .map(|r| r.with_lr_decay(self.lr_decay))
    }

    /// One fresh session per racer, in the order the lesson lists them, with their labels.
    pub fn racer_runs(&self) -> Result<Vec<(String, Run)>, String> {
        self.race
            .iter()
            .map(|r| Ok((r.label.clone(), r.run(self.stop)?)))
            .collect()
    }

    /// The parameters' names as the page writes them.
    pub fn param_names(&self) -> Vec<String> {
        if self.naming.params.len() == self.names.len() {
            self.naming.params.clone()
        } else {
            self.names
                .iter()
                .map(|n| crate::numfmt::pretty_name(n))
                .collect()
        }
    }

    /// The loss's letter as the page writes it: L unless the scene names it.
    pub fn loss_name(&self) -> &str {
        self.naming.loss.as_deref().unwrap_or("L")
    }

    /// The main run's Chinese label, when the author gave one (see [`Self::label`]).
    pub fn label_zh(&self) -> Option<String> {
        self.naming.run.as_ref().and(self.naming.run_zh.clone())
    }

    /// The label of the main run in a race legend: the scene's own, else the optimizer and η.
    pub fn label(&self) -> String {
        if let Some(run) = &self.naming.run {
            return run.clone();
        }
        format!(
            "{} η={}",
            self.optimizer.kind,
            crate::numfmt::short(self.lr)
        )
    }
}
