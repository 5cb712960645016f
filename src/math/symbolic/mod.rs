//! Exact derivatives as formulas: the learner's formula read into a tree, differentiated by
//! the rules of a calculus course, simplified as a teacher would, and printed in the formula
//! language so it can be typed back (`x^2 + x*y + y^2` → `2*x + y` and `x + 2*y`).
//!
//! The numbers the tutor shows come from dual numbers ([`Formula::gradient`]); this module
//! only writes the same derivative down. Tests hold the two to agreement.
//!
//! - [`expr`]: the tree and its reading from meval's RPN.
//! - [`simplify`]: the constructors that keep every tree simplified.
//! - [`derive`]: the differentiation rules.
//! - [`print`]: the printer with minimal parentheses.

mod derive;
mod expr;
mod print;
mod simplify;

use std::collections::BTreeSet;

pub use derive::Note;
pub use expr::MAX_TREE_DEPTH;

use super::Formula;

/// The largest derivative printed, in tree nodes: far beyond any formula a learner types,
/// small enough that a pathological one cannot flood a terminal or an SSH session.
pub const MAX_NODES: usize = 100_000;

/// Why a derivative could not be written down.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SymbolicError {
    #[error(
        "the formula nests more than {MAX_TREE_DEPTH} levels deep: too deep to write its \
         derivative as a formula"
    )]
    TooDeep,
    #[error("the derivative with respect to {0} would be too long to print")]
    TooLarge(String),
    #[error("could not read the formula's structure: {0}")]
    Unreadable(String),
}

/// Every partial derivative of a formula, as formulas.
#[derive(Debug, Clone, PartialEq)]
pub struct Partials {
    /// The variables, in the formula's order.
    pub vars: Vec<String>,
    /// ∂L/∂var for each variable, in the formula language.
    pub partials: Vec<String>,
    /// Where the printed derivatives do not hold (kinks and jumps), one sentence each.
    pub notes: Vec<Note>,
}

/// The formula itself, simplified and printed (what the derivatives were taken of).
pub fn simplified(formula: &Formula) -> Result<String, SymbolicError> {
    Ok(print::print(&tree(formula)?, formula.vars()))
}

/// ∂L/∂v for every variable v of the formula.
pub fn partials(formula: &Formula) -> Result<Partials, SymbolicError> {
    let e = tree(formula)?;
    let mut notes = BTreeSet::new();
    let mut partials = Vec::with_capacity(formula.vars().len());
    for (i, v) in formula.vars().iter().enumerate() {
        let d = derive::derive(&e, i, &mut notes);
        if d.size() > MAX_NODES {
            return Err(SymbolicError::TooLarge(v.clone()));
        }
        partials.push(print::print(&d, formula.vars()));
    }
    Ok(Partials {
        vars: formula.vars().to_vec(),
        partials,
        notes: notes.into_iter().collect(),
    })
}

fn tree(formula: &Formula) -> Result<expr::Expr, SymbolicError> {
    let rpn = formula
        .rpn()
        .map_err(|e| SymbolicError::Unreadable(e.message))?;
    expr::from_rpn(&rpn, formula.vars())
}
