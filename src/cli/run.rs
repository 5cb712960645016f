//! `gradstep run`: the same numbers the tutor shows, headless, as a table, CSV or JSON.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::UsageError;
use crate::descent::{Run, Status, StopOn, StopRule};
use crate::math::data::{Limits, Quoted};
use crate::math::model::{Model, ModelError, ModelKind};
use crate::math::objective::check_var_count;
use crate::math::optimizer::{Hyper, Interval, Kind, Optimizer, check_lr};
use crate::math::{DataError, Dataset, Formula, Objective, OutOfRange, check_descent, norm};
use crate::numfmt;

/// The most updates one `run` takes: it keeps every state, as the tutor does.
pub const MAX_STEPS: usize = crate::descent::MAX_HISTORY - 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Aligned columns and a status line, for reading.
    #[default]
    Table,
    /// A header row, then one row per visited point, exact numbers.
    Csv,
    /// One JSON object with every visited point, exact numbers.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum StopOnArg {
    /// Stop when the step ‖Δθ‖ is below --tol.
    #[default]
    Step,
    /// Stop when the gradient ‖∇L‖ is below --tol.
    Grad,
}

/// Runs gradient descent and prints every visited point.
#[derive(Debug, Clone, Args, Default)]
#[command(after_help = "Examples:
  gradstep run --formula \"x^2 + x*y + y^2\" --vars x,y --start 3,4 --lr 0.1 --steps 10
  gradstep run --formula \"x^2 + x*y + y^2\" --start 3,4 --tol 1e-6 --stop-on grad --format json
  gradstep run --model logistic --x 3,2 --y 1 --lr 0.1 --steps 1
  gradstep run --model linear --data points.csv --lr 0.05 --epochs 3 --batch-size 4")]
pub struct RunArgs {
    /// The loss to minimise, e.g. "x^2 + x*y + y^2" (also ** for ^, θ₁, η, ×, ·).
    #[arg(long, short = 'f', allow_hyphen_values = true)]
    pub formula: Option<String>,
    /// The variables in order, comma-separated (default: in order of first appearance; at most 100).
    #[arg(long)]
    pub vars: Option<String>,
    /// The start point, comma-separated (default: all zeros), e.g. --start -1.2,1.
    #[arg(long, allow_hyphen_values = true)]
    pub start: Option<String>,
    /// The learning rate η, greater than 0 [default: 0.1].
    #[arg(long, allow_hyphen_values = true, value_parser = flags::number)]
    pub lr: Option<f64>,
    /// sgd, momentum, nesterov, adagrad, rmsprop or adam.
    #[arg(long, short = 'o', default_value = "sgd")]
    pub optimizer: String,
    /// How many updates to take, 0 to 99999 (default 100; in model mode --epochs × batches).
    #[arg(long, allow_hyphen_values = true, value_parser = flags::steps)]
    pub steps: Option<usize>,
    /// Stop early when the step (or, with --stop-on grad, the gradient) is shorter than this (> 0).
    #[arg(long, allow_hyphen_values = true, value_parser = flags::number)]
    pub tol: Option<f64>,
    /// What --tol is compared with.
    #[arg(long, value_enum, default_value_t)]
    pub stop_on: StopOnArg,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Momentum factor μ for momentum and nesterov, in [0, 1) (default 0.9).
    #[arg(long, allow_hyphen_values = true, value_parser = flags::number)]
    pub momentum: Option<f64>,
    /// RMSprop's smoothing constant, in [0, 1) (default 0.99).
    #[arg(long, allow_hyphen_values = true, value_parser = flags::number)]
    pub alpha: Option<f64>,
    /// Adam's β1, in [0, 1) (default 0.9).
    #[arg(long, allow_hyphen_values = true, value_parser = flags::number)]
    pub beta1: Option<f64>,
    /// Adam's β2, in [0, 1) (default 0.999).
    #[arg(long, allow_hyphen_values = true, value_parser = flags::number)]
    pub beta2: Option<f64>,
    /// ε in the denominators, ≥ 0 (default 1e-10 for adagrad, 1e-8 otherwise).
    #[arg(long, allow_hyphen_values = true, value_parser = flags::number)]
    pub eps: Option<f64>,
    /// A model instead of a formula: logistic or linear (regression).
    #[arg(long)]
    pub model: Option<String>,
    /// The model's data: a CSV file, one example per row, the label last (at most 64 MiB,
    /// 1,000,000 rows, 1,001 columns).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Inline features of one example (--x 3,2), or several separated by ';'.
    #[arg(long, allow_hyphen_values = true)]
    pub x: Option<String>,
    /// Inline label(s) for --x.
    #[arg(long, allow_hyphen_values = true)]
    pub y: Option<String>,
    /// Passes over the data, ≥ 0 (model mode; default 100).
    #[arg(long, allow_hyphen_values = true, value_parser = flags::count)]
    pub epochs: Option<usize>,
    /// Examples per update, ≥ 1: 1 is SGD, m (the default) is batch descent.
    #[arg(long, allow_hyphen_values = true, value_parser = flags::count)]
    pub batch_size: Option<usize>,
    /// Visit the examples of each epoch in a random order fixed by --seed.
    #[arg(long)]
    pub shuffle: bool,
    /// The shuffle's seed, a whole number ≥ 0 (default 0).
    #[arg(long, allow_hyphen_values = true, value_parser = flags::seed)]
    pub seed: Option<u64>,
}

/// clap value parsers for the numeric flags. Each says what is wrong with the value; clap
/// puts the flag and the quoted value in front (`invalid value 'abc' for '--lr <LR>': …`).
/// Ranges that belong to the math (η > 0, β in [0, 1)) are checked after parsing by the math
/// core's own [`OutOfRange`], worded here with the flag's name.
pub mod flags {
    use super::MAX_STEPS;

    /// A finite number.
    pub fn number(s: &str) -> Result<f64, String> {
        let v: f64 = s.trim().parse().map_err(|_| "not a number".to_string())?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err("not a finite number".into())
        }
    }

    /// A whole number ≥ 0.
    pub fn count(s: &str) -> Result<usize, String> {
        s.trim()
            .parse()
            .map_err(|_| "not a whole number ≥ 0".to_string())
    }

    /// A number of updates, up to the history a run keeps.
    pub fn steps(s: &str) -> Result<usize, String> {
        let n = s
            .trim()
            .parse::<u64>()
            .map_err(|_| "not a whole number ≥ 0".to_string())?;
        match usize::try_from(n) {
            Ok(n) if n <= MAX_STEPS => Ok(n),
            _ => Err(format!("{n} is out of range: the limit is {MAX_STEPS}")),
        }
    }

    /// A shuffle seed.
    pub fn seed(s: &str) -> Result<u64, String> {
        s.trim()
            .parse()
            .map_err(|_| "not a whole number ≥ 0".to_string())
    }
}

/// The default learning rate of `run`, `play` and `plot`.
pub const DEFAULT_LR: f64 = 0.1;

/// Words the math core's range error with the flag's name: `--beta1 must be in [0, 1), got 1.5`.
pub fn out_of_range(e: OutOfRange) -> UsageError {
    UsageError(e.worded(&format!("--{}", e.param.replace('_', "-"))))
}

/// η from `--lr` (default 0.1), checked with the math core's range.
pub fn learning_rate(lr: Option<f64>) -> Result<f64, UsageError> {
    check_lr(lr.unwrap_or(DEFAULT_LR)).map_err(out_of_range)
}

/// Parses one number given to `flag` (inside a list), naming the flag when it is not one.
fn parse_f64(flag: &str, s: &str) -> Result<f64, UsageError> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| UsageError(format!("{flag}: {} is not a number", Quoted::new(s))))?;
    if !v.is_finite() {
        return Err(UsageError(format!(
            "{flag}: {} is not a finite number",
            Quoted::new(s)
        )));
    }
    Ok(v)
}

/// A comma-separated list of numbers, e.g. `--start -1.2,1`.
pub fn parse_list(flag: &str, s: &str) -> Result<Vec<f64>, UsageError> {
    s.split(',').map(|p| parse_f64(flag, p)).collect()
}

/// Parses `--formula` (over `--vars` when given), with the caret under the column of a
/// mistake; a formula without variables, or with too many, is refused (the shared check of
/// [`check_descent`]).
pub fn parse_formula(src: &str, vars: Option<&str>) -> Result<Formula, UsageError> {
    let formula = match vars {
        Some(v) => {
            // Count before parsing: thousands of names are refused without normalising each.
            let names: Vec<&str> = v.split(',').collect();
            check_var_count(names.len()).map_err(|e| UsageError(format!("--vars: {e}")))?;
            Formula::parse_with_vars(src, &names)
        }
        None => Formula::parse(src),
    }
    .map_err(|e| {
        let caret = e
            .caret()
            .map(|c| format!("\n  {src}\n  {c}"))
            .unwrap_or_default();
        UsageError(format!("--formula: {e}{caret}"))
    })?;
    check_descent(&formula).map_err(|e| UsageError(format!("--formula: {e}")))?;
    Ok(formula)
}

/// `--optimizer NAME` with torch's defaults.
pub fn parse_optimizer(s: &str) -> Result<Optimizer, UsageError> {
    let kind: Kind = s
        .parse()
        .map_err(|e| UsageError(format!("--optimizer: {e}")))?;
    Ok(Optimizer::new(kind))
}

/// A data set error worded for the command line: `file:line: …` for `--data`.
fn file_error(e: DataError, path: &std::path::Path) -> UsageError {
    UsageError(e.in_file(&path.display().to_string()))
}

/// A data set error worded for `--x`/`--y`: the flag holding the bad value, and the example.
fn inline_error(e: DataError, x: &str) -> UsageError {
    // Example 1's features fix the width; the value after them is the label, from --y.
    let features = x.split(';').map(str::trim).find(|r| !r.is_empty());
    let features = features.map_or(0, |r| r.split(',').count());
    UsageError(match &e {
        DataError::NoRows => "--x is empty: give the features, e.g. --x 3,2".into(),
        DataError::CountMismatch { examples, labels } => {
            format!("--x has {examples} example(s) but --y has {labels} label(s)")
        }
        DataError::NotANumber {
            line,
            column,
            field,
        } => {
            if *column > features {
                format!("--y: label {line}: {field} is not a finite number")
            } else {
                format!("--x: example {line}, feature {column}: {field} is not a finite number")
            }
        }
        DataError::Nul { line, .. } => format!("--x/--y: example {line} holds a NUL byte"),
        other => format!("--x: {other}"),
    })
}

/// Everything `run` needs, checked.
pub struct Plan {
    pub session: Run,
    pub steps: usize,
}

impl RunArgs {
    pub fn optimizer(&self) -> Result<Optimizer, UsageError> {
        let mut opt = parse_optimizer(&self.optimizer)?;
        for (h, v) in [
            (Hyper::Momentum, self.momentum),
            (Hyper::Alpha, self.alpha),
            (Hyper::Beta1, self.beta1),
            (Hyper::Beta2, self.beta2),
            (Hyper::Eps, self.eps),
        ] {
            if let Some(v) = v {
                opt.set(h, v);
            }
        }
        opt.check_ranges().map_err(out_of_range)?;
        Ok(opt)
    }

    fn objective(&self) -> Result<Objective, UsageError> {
        match (&self.formula, &self.model) {
            (Some(_), Some(_)) => Err(UsageError(
                "give either --formula or --model, not both".into(),
            )),
            (None, None) => Err(UsageError(
                "give --formula \"...\" (e.g. --formula \"x^2 + y^2\") or --model logistic|linear"
                    .into(),
            )),
            (Some(f), None) => {
                for (flag, given) in [
                    ("--data", self.data.is_some()),
                    ("--x", self.x.is_some()),
                    ("--y", self.y.is_some()),
                    ("--epochs", self.epochs.is_some()),
                    ("--batch-size", self.batch_size.is_some()),
                    ("--shuffle", self.shuffle),
                ] {
                    if given {
                        return Err(UsageError(format!(
                            "{flag} goes with --model, not --formula"
                        )));
                    }
                }
                let formula = parse_formula(f, self.vars.as_deref())?;
                Ok(Objective::Formula(formula))
            }
            (None, Some(m)) => self.model(m).map(Objective::Model),
        }
    }

    /// `--model` on `--data` or `--x/--y`, every problem worded with its flag.
    fn model(&self, name: &str) -> Result<Model, UsageError> {
        let kind: ModelKind = name
            .parse()
            .map_err(|e| UsageError(format!("--model: {e}")))?;
        if self.vars.is_some() {
            return Err(UsageError(
                "--vars goes with --formula; a model's parameters are w1..wn, b".into(),
            ));
        }
        let data = match (&self.data, &self.x, &self.y) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                return Err(UsageError("give --data or --x/--y, not both".into()));
            }
            (Some(path), None, None) => {
                Dataset::from_csv_file(path, Limits::default()).map_err(|e| file_error(e, path))?
            }
            (None, Some(x), Some(y)) => {
                Dataset::from_inline(x, y, Limits::default()).map_err(|e| inline_error(e, x))?
            }
            (None, Some(_), None) => return Err(UsageError("--x needs --y (the label)".into())),
            (None, None, Some(_)) => {
                return Err(UsageError("--y needs --x (the features)".into()));
            }
            (None, None, None) => {
                return Err(UsageError(
                    "--model needs data: --data FILE.csv, or --x 3,2 --y 1".into(),
                ));
            }
        };
        if self.seed.is_some() && !self.shuffle {
            return Err(UsageError("--seed only matters with --shuffle".into()));
        }
        let shuffle = self.shuffle.then(|| self.seed.unwrap_or(0));
        let source = data.source.clone();
        Model::new(kind, data, self.batch_size, shuffle).map_err(|e| {
            UsageError(match e {
                ModelError::BatchSizeZero => "--batch-size must be at least 1".into(),
                ModelError::NotBinary { line, .. } => format!("{source}:{line}: {e}"),
                ModelError::NoExamples => format!("{source}: {e}"),
            })
        })
    }

    /// Checks every flag and builds the session, or says what is wrong.
    pub fn plan(&self) -> Result<Plan, UsageError> {
        let objective = self.objective()?;
        let optimizer = self.optimizer()?;
        let lr = learning_rate(self.lr)?;
        let tol = self
            .tol
            .map(|t| Interval::Positive.check("tol", t))
            .transpose()
            .map_err(out_of_range)?;
        let names = objective.names();
        let start = match &self.start {
            Some(s) => {
                let v = parse_list("--start", s)?;
                if v.len() != names.len() {
                    return Err(UsageError(format!(
                        "--start has {} value(s) but there are {} parameter(s): {}",
                        v.len(),
                        names.len(),
                        names.join(", ")
                    )));
                }
                v
            }
            None => vec![0.0; names.len()],
        };
        let steps = match (self.steps, self.epochs, &objective) {
            (Some(s), _, _) => s,
            (None, Some(_), Objective::Formula(_)) => {
                return Err(UsageError(
                    "--epochs goes with --model, not --formula".into(),
                ));
            }
            (None, e, Objective::Model(m)) => {
                e.unwrap_or(100).saturating_mul(m.batches_per_epoch())
            }
            (None, None, Objective::Formula(_)) => 100,
        };
        if steps > MAX_STEPS {
            return Err(UsageError(format!(
                "--epochs × batches asks for {steps} updates; the limit is {MAX_STEPS}"
            )));
        }
        let stop = StopRule {
            tol,
            on: match self.stop_on {
                StopOnArg::Step => StopOn::Step,
                StopOnArg::Grad => StopOn::Grad,
            },
            max_steps: Some(steps),
        };
        let session = Run::new(objective, optimizer, lr, &start, stop).map_err(UsageError)?;
        Ok(Plan { session, steps })
    }
}

/// One visited point as `--format json` writes it.
#[derive(Serialize)]
struct Record<'a> {
    t: usize,
    #[serde(serialize_with = "numfmt::serialize_vec")]
    params: &'a [f64],
    #[serde(serialize_with = "numfmt::serialize_f64")]
    value: f64,
    #[serde(serialize_with = "numfmt::serialize_vec")]
    grad: &'a [f64],
    update: Option<Vec<numfmt::Json>>,
}

#[derive(Serialize)]
struct Report<'a> {
    vars: Vec<String>,
    optimizer: &'static str,
    #[serde(serialize_with = "numfmt::serialize_f64")]
    lr: f64,
    status: Status,
    steps: Vec<Record<'a>>,
}

/// Δθ from each point to the next (None on the last).
fn updates(session: &Run) -> Vec<Option<Vec<f64>>> {
    let h = session.history();
    (0..h.len())
        .map(|i| {
            h.get(i + 1).map(|n| {
                n.params
                    .iter()
                    .zip(&h[i].params)
                    .map(|(a, b)| a - b)
                    .collect()
            })
        })
        .collect()
}

/// Runs the plan and writes it in `format`.
pub fn execute(args: &RunArgs, out: &mut dyn Write) -> Result<(), UsageError> {
    let Plan { mut session, steps } = args.plan()?;
    session.advance(steps);
    let io = |e: std::io::Error| UsageError(format!("cannot write the output: {e}"));
    match args.format {
        Format::Json => {
            let ups = updates(&session);
            let report = Report {
                vars: session.names(),
                optimizer: session.optimizer().kind.name(),
                lr: session.lr(),
                status: session.status(),
                steps: session
                    .history()
                    .iter()
                    .zip(&ups)
                    .map(|(p, u)| Record {
                        t: p.t,
                        params: &p.params,
                        value: p.value,
                        grad: &p.grad,
                        update: u
                            .as_ref()
                            .map(|u| u.iter().map(|&x| numfmt::Json(x)).collect()),
                    })
                    .collect(),
            };
            serde_json::to_writer(&mut *out, &report)
                .map_err(|e| UsageError(format!("cannot write JSON: {e}")))?;
            writeln!(out).map_err(io)?;
        }
        Format::Csv => write_csv(&session, out).map_err(io)?,
        Format::Table => write_table(&session, out).map_err(io)?,
    }
    Ok(())
}

fn column_names(session: &Run) -> (Vec<String>, Vec<String>, Vec<String>) {
    let names = session.names();
    let grads = names.iter().map(|n| format!("∂L/∂{n}")).collect();
    let ups = names.iter().map(|n| format!("Δ{n}")).collect();
    (names, grads, ups)
}

fn write_csv(session: &Run, out: &mut dyn Write) -> std::io::Result<()> {
    let names = session.names();
    let mut header = vec!["t".to_string()];
    header.extend(names.iter().cloned());
    header.push("value".into());
    header.extend(names.iter().map(|n| format!("grad_{n}")));
    header.extend(names.iter().map(|n| format!("update_{n}")));
    writeln!(out, "{}", header.join(","))?;
    let field = |x: f64| numfmt::exact(x).unwrap_or_default();
    for (p, u) in session.history().iter().zip(updates(session)) {
        let mut row = vec![p.t.to_string()];
        row.extend(p.params.iter().map(|&x| field(x)));
        row.push(field(p.value));
        row.extend(p.grad.iter().map(|&x| field(x)));
        match u {
            Some(u) => row.extend(u.iter().map(|&x| field(x))),
            None => row.extend(names.iter().map(|_| String::new())),
        }
        writeln!(out, "{}", row.join(","))?;
    }
    Ok(())
}

fn write_table(session: &Run, out: &mut dyn Write) -> std::io::Result<()> {
    let (names, grads, ups) = column_names(session);
    let mut header = vec!["t".to_string()];
    header.extend(names.iter().cloned());
    header.push("L(θ)".into());
    header.extend(grads);
    header.push("‖∇L‖".into());
    header.extend(ups);
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (p, u) in session.history().iter().zip(updates(session)) {
        let mut row = vec![p.t.to_string()];
        row.extend(p.params.iter().map(|&x| numfmt::short(x)));
        row.push(numfmt::short(p.value));
        row.extend(p.grad.iter().map(|&x| numfmt::short(x)));
        row.push(numfmt::short(norm(&p.grad)));
        match u {
            Some(u) => row.extend(u.iter().map(|&x| numfmt::short(x))),
            None => row.extend(names.iter().map(|_| String::new())),
        }
        rows.push(row);
    }
    let width = |s: &str| s.chars().count();
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| width(&r[c]))
                .chain(std::iter::once(width(&header[c])))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{}{c}", " ".repeat(w - width(c))))
            .collect::<Vec<_>>()
            .join("  ")
    };
    let opt = session.optimizer().kind;
    writeln!(out, "optimizer {opt}, η = {}", numfmt::short(session.lr()))?;
    writeln!(out, "{}", line(&header))?;
    for r in &rows {
        writeln!(out, "{}", line(r))?;
    }
    writeln!(out, "status: {}", status_line(session))
}

/// The status in words, with the number that decided it.
pub fn status_line(session: &Run) -> String {
    let cur = session.current();
    let t = cur.t;
    match session.status() {
        Status::Running => format!("running after {t} updates"),
        Status::MaxSteps => format!(
            "max_steps: took {t} update{}",
            if t == 1 { "" } else { "s" }
        ),
        Status::Converged => {
            let rule = session.stop_rule();
            let tol = numfmt::short(rule.tol.unwrap_or(0.0));
            match rule.on {
                StopOn::Step => format!(
                    "converged at t = {t}: the next step ‖Δθ‖ = {} is below --tol {tol}",
                    numfmt::short(norm(&session.preview().delta))
                ),
                StopOn::Grad => format!(
                    "converged at t = {t}: ‖∇L‖ = {} is below --tol {tol}",
                    numfmt::short(norm(&cur.grad))
                ),
            }
        }
        Status::Diverged => {
            let why = if !cur.value.is_finite() {
                "the loss is not a finite number".to_string()
            } else if cur.value.abs() > crate::descent::DIVERGED_ABOVE {
                format!("|L| = {} is above 1e12", numfmt::short(cur.value.abs()))
            } else if let (Objective::Formula(f), true) = (
                session.objective(),
                cur.params.iter().all(|v| v.is_finite()),
            ) && let Some(issue) = f.gradient_issue(&cur.params)
            {
                // A finite loss whose slope is missing is not a divergence: say why.
                return format!("stopped at t = {t}: L is finite but {issue}");
            } else {
                "a parameter or the gradient is not a finite number".to_string()
            };
            format!("diverged at t = {t}: {why}")
        }
    }
}
