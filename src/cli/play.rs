//! `gradstep play` (open the sandbox on a formula) and `gradstep plot` (print the tutor's chart
//! without the TUI). Both check their flags here, so a typo is a one-line message and exit 2,
//! before any terminal is touched.

use clap::Args;

use super::UsageError;
use super::run::{flags, learning_rate, parse_formula, parse_list, parse_optimizer};
use crate::chart::{Glyphs, contour_plot_size};
use crate::lesson::Mask;
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
    /// The learning rate η, greater than 0 [default: 0.1].
    #[arg(long, allow_hyphen_values = true, value_parser = flags::number)]
    pub lr: Option<f64>,
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
            spec.lr = learning_rate(self.lr)?;
            spec.optimizer = parse_optimizer(&self.optimizer)?;
            return Ok(spec);
        };
        // parse_formula refuses a formula without variables (the shared check).
        let formula = parse_formula(src, self.vars.as_deref())?;
        let n = formula.vars().len();
        let start = match &self.start {
            Some(s) => checked_start(s, n, formula.vars())?,
            None => vec![1.0; n],
        };
        Ok(SandboxSpec {
            formula,
            start,
            lr: learning_rate(self.lr)?,
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
    /// Updates to take before drawing, 0 to 99999.
    #[arg(long, default_value_t = 10, allow_hyphen_values = true, value_parser = flags::steps)]
    pub steps: usize,
    /// The chart's size in characters, WIDTHxHEIGHT, from 10x5 up to 500x200.
    #[arg(long, default_value = "80x24", value_parser = parse_size)]
    pub size: Size,
    /// ASCII only (the default is Unicode when the terminal can show it).
    #[arg(long)]
    pub ascii: bool,
}

/// The largest chart `plot` draws.
pub const MAX_PLOT: (u16, u16) = (500, 200);
/// The smallest chart `plot` draws.
pub const MIN_PLOT: (u16, u16) = (10, 5);

/// A chart size in terminal cells, within [`MIN_PLOT`]..=[`MAX_PLOT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub width: u16,
    pub height: u16,
}

impl Default for Size {
    fn default() -> Self {
        Size {
            width: 80,
            height: 24,
        }
    }
}

/// `WIDTHxHEIGHT`; a well-formed size that is too large or small is "out of range", with the
/// range, not "not WIDTHxHEIGHT".
fn parse_size(s: &str) -> Result<Size, String> {
    let bad = || "not WIDTHxHEIGHT, e.g. 100x30".to_string();
    let (w, h) = s.trim().split_once(['x', 'X', '×']).ok_or_else(bad)?;
    let w: u64 = w.trim().parse().map_err(|_| bad())?;
    let h: u64 = h.trim().parse().map_err(|_| bad())?;
    let fits = |v: u64, lo: u16, hi: u16| (u64::from(lo)..=u64::from(hi)).contains(&v);
    if !fits(w, MIN_PLOT.0, MAX_PLOT.0) || !fits(h, MIN_PLOT.1, MAX_PLOT.1) {
        return Err(format!(
            "{w}x{h} is out of range: {}x{} up to {}x{}",
            MIN_PLOT.0, MIN_PLOT.1, MAX_PLOT.0, MAX_PLOT.1
        ));
    }
    // Both fit in u16: the range check above bounds them by MAX_PLOT.
    Ok(Size {
        width: w as u16,
        height: h as u16,
    })
}

/// Runs `plot`: the chart as text, one line per row.
pub fn plot(args: &PlotArgs, glyphs: Glyphs) -> Result<String, UsageError> {
    let spec = args.formula.spec()?;
    let steps = args.steps;
    let Size {
        width: w,
        height: h,
    } = args.size;
    let scene = stage::formula_scene(spec.formula, spec.start, spec.lr, spec.optimizer);
    let mut stage = Stage::new(scene).map_err(|e| UsageError(e.to_string()))?;
    for _ in 0..steps {
        if !stage.step() {
            break;
        }
    }
    let (pw, ph) = contour_plot_size(w, h);
    stage.fit_window(pw, ph);
    // Plain-text output for notes and scripts: English labels, like the rest of the CLI's output.
    Ok(stage
        .chart(glyphs, w, h, Mask::default(), crate::lesson::Lang::En)
        .to_text())
}
