//! `gradstep play` (open the sandbox on a formula) and `gradstep plot` (print the tutor's chart
//! without the TUI). Both check their flags here, so a typo is a one-line message and exit 2,
//! before any terminal is touched.

use clap::Args;

use super::UsageError;
use super::run::{parse_formula, parse_list, parse_optimizer, positive};
use crate::chart::{Glyphs, contour_plot_size};
use crate::stage::{self, SandboxSpec, Stage};

/// The formula flags `play` and `plot` share.
#[derive(Debug, Clone, Args, Default)]
pub struct FormulaArgs {
    /// The loss, e.g. "x^2 + x*y + y^2" (default: that one, from (3, 4)).
    #[arg(long, short = 'f', allow_hyphen_values = true)]
    pub formula: Option<String>,
    /// The variables in order, comma-separated (default: order of first appearance).
    #[arg(long)]
    pub vars: Option<String>,
    /// The start point, comma-separated (default: 1 for each variable).
    #[arg(long, allow_hyphen_values = true)]
    pub start: Option<String>,
    /// The learning rate η.
    #[arg(long, default_value = "0.1", allow_hyphen_values = true)]
    pub lr: String,
    /// sgd, momentum, nesterov, adagrad, rmsprop or adam.
    #[arg(long, short = 'o', default_value = "sgd")]
    pub optimizer: String,
}

impl FormulaArgs {
    pub fn spec(&self) -> Result<SandboxSpec, UsageError> {
        let Some(src) = &self.formula else {
            if self.vars.is_some() {
                return Err(UsageError("--vars goes with --formula".into()));
            }
            let mut spec = SandboxSpec::default();
            if let Some(s) = &self.start {
                spec.start = checked_start(s, 2, &["x".into(), "y".into()])?;
            }
            spec.lr = positive("--lr", &self.lr)?;
            spec.optimizer = parse_optimizer(&self.optimizer)?;
            return Ok(spec);
        };
        let formula = parse_formula(src, self.vars.as_deref())?;
        let n = formula.vars().len();
        if n == 0 {
            return Err(UsageError(
                "--formula has no variables to descend on (e.g. x^2 + y^2)".into(),
            ));
        }
        let start = match &self.start {
            Some(s) => checked_start(s, n, formula.vars())?,
            None => vec![1.0; n],
        };
        Ok(SandboxSpec {
            formula,
            start,
            lr: positive("--lr", &self.lr)?,
            optimizer: parse_optimizer(&self.optimizer)?,
        })
    }
}

fn checked_start(s: &str, n: usize, names: &[String]) -> Result<Vec<f64>, UsageError> {
    let v = parse_list("--start", s)?;
    if v.len() != n {
        return Err(UsageError(format!(
            "--start has {} value(s) but there are {n} variable(s): {}",
            v.len(),
            names.join(", ")
        )));
    }
    Ok(v)
}

/// Opens the tutor's sandbox on a formula.
#[derive(Debug, Clone, Args, Default)]
pub struct PlayArgs {
    #[command(flatten)]
    pub formula: FormulaArgs,
    /// Draw charts and borders with ASCII only.
    #[arg(long)]
    pub ascii: bool,
}

/// Prints the tutor's chart of a descent to stdout (for notes, and for tests).
#[derive(Debug, Clone, Args, Default)]
#[command(after_help = "Example:
  gradstep plot --formula \"x^2+x*y+y^2\" --start 3,4 --lr 0.1 --steps 10 --size 100x30 --ascii")]
pub struct PlotArgs {
    #[command(flatten)]
    pub formula: FormulaArgs,
    /// Updates to take before drawing.
    #[arg(long, default_value = "10", allow_hyphen_values = true)]
    pub steps: String,
    /// The chart's size in characters, WIDTHxHEIGHT.
    #[arg(long, default_value = "80x24")]
    pub size: String,
    /// ASCII only (the default is Unicode when the terminal can show it).
    #[arg(long)]
    pub ascii: bool,
}

/// The largest chart `plot` draws.
pub const MAX_PLOT: (u16, u16) = (500, 200);

fn parse_size(s: &str) -> Result<(u16, u16), UsageError> {
    let bad = || UsageError(format!("--size: '{s}' is not WIDTHxHEIGHT, e.g. 100x30"));
    let (w, h) = s.trim().split_once(['x', 'X', '×']).ok_or_else(bad)?;
    let w: u16 = w.trim().parse().map_err(|_| bad())?;
    let h: u16 = h.trim().parse().map_err(|_| bad())?;
    if !(10..=MAX_PLOT.0).contains(&w) || !(5..=MAX_PLOT.1).contains(&h) {
        return Err(UsageError(format!(
            "--size {w}x{h} is out of range: 10x5 up to {}x{}",
            MAX_PLOT.0, MAX_PLOT.1
        )));
    }
    Ok((w, h))
}

/// Runs `plot`: the chart as text, one line per row.
pub fn plot(args: &PlotArgs, glyphs: Glyphs) -> Result<String, UsageError> {
    let spec = args.formula.spec()?;
    let steps: usize = args.steps.trim().parse().map_err(|_| {
        UsageError(format!(
            "--steps: '{}' is not a whole number ≥ 0",
            args.steps
        ))
    })?;
    if steps > crate::session::MAX_HISTORY - 1 {
        return Err(UsageError(format!(
            "--steps {steps} is above the limit of {}",
            crate::session::MAX_HISTORY - 1
        )));
    }
    let (w, h) = parse_size(&args.size)?;
    let scene = stage::formula_scene(spec.formula, spec.start, spec.lr, spec.optimizer);
    let mut stage = Stage::new(scene).map_err(UsageError)?;
    for _ in 0..steps {
        if !stage.step() {
            break;
        }
    }
    let (pw, ph) = contour_plot_size(w, h);
    stage.fit_window(pw, ph);
    Ok(stage.chart(glyphs, w, h).to_text())
}
