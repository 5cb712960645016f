//! `gradstep diff`: every partial derivative of a formula, as a formula the tutor accepts.

use std::io::Write;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::UsageError;
use super::run::parse_formula;
use crate::math::symbolic;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum DiffFormat {
    /// One line per variable: `∂L/∂x = 2*x + y`.
    #[default]
    Text,
    /// `{"vars": [...], "partials": [...]}`, with `"notes"` when a derivative has kinks.
    Json,
}

/// Prints each partial derivative of a formula, simplified, in the syntax the tutor accepts.
#[derive(Debug, Clone, Args)]
#[command(after_help = "Examples:
  gradstep diff --formula \"x^2 + x*y + y^2\"
  gradstep diff --formula \"(w - 3)^2/4 + 1\"
  gradstep diff --formula \"sigmoid(w*x + b)\" --vars w,b --format json")]
pub struct DiffArgs {
    /// The formula, e.g. "x^2 + x*y + y^2" (also ** for ^, θ₁, η, ×, ·).
    #[arg(long, short = 'f', allow_hyphen_values = true)]
    pub formula: String,
    /// The variables in order, comma-separated (default: in order of first appearance);
    /// the others in the formula are refused, a listed one it does not use gets 0.
    #[arg(long)]
    pub vars: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: DiffFormat,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    vars: &'a [String],
    partials: &'a [String],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<&'static str>,
}

pub fn execute(args: &DiffArgs, out: &mut dyn Write) -> Result<(), UsageError> {
    let formula = parse_formula(&args.formula, args.vars.as_deref())?;
    let p = symbolic::partials(&formula).map_err(|e| UsageError(format!("--formula: {e}")))?;
    let io = |e: std::io::Error| UsageError(format!("could not write the output: {e}"));
    match args.format {
        DiffFormat::Text => {
            for (v, d) in p.vars.iter().zip(&p.partials) {
                writeln!(out, "∂L/∂{v} = {d}").map_err(io)?;
            }
            for n in &p.notes {
                writeln!(out, "note: {}", n.text()).map_err(io)?;
            }
        }
        DiffFormat::Json => {
            let report = JsonReport {
                vars: &p.vars,
                partials: &p.partials,
                notes: p.notes.iter().map(|n| n.text()).collect(),
            };
            serde_json::to_writer(&mut *out, &report)
                .map_err(|e| UsageError(format!("could not write the output: {e}")))?;
            writeln!(out).map_err(io)?;
        }
    }
    Ok(())
}
