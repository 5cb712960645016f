//! The expression tree, and how it is read from meval's RPN.
//!
//! The tree has only n-ary sums and products, powers and calls: `a - b` is `a + (-1)·b` and
//! `a / b` is `a·b^-1`. With fewer shapes, "collect like terms" and "add exponents of the same
//! base" are each one rule instead of one per operator pair, and the printer decides alone
//! where a minus sign or a fraction bar reads best.

use std::cmp::Ordering;

use meval::tokenizer::{Operation, Token};

use super::SymbolicError;
use super::simplify::{call, neg, pow, product, rem, sum};
use crate::math::functions::{self, Fn1, FnKind};

/// The deepest tree accepted. Building, differentiating, simplifying and printing recurse
/// over the tree, so its depth is bounded here to keep the stack small for any input (a
/// formula of 1000 characters can nest powers some 300 deep: `x^x^x^…`).
pub const MAX_TREE_DEPTH: usize = 100;

/// A named constant, kept by name so that `2*pi` prints as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Named {
    Pi,
    E,
}

impl Named {
    pub fn name(self) -> &'static str {
        match self {
            Named::Pi => "pi",
            Named::E => "e",
        }
    }
}

/// A function of the formula language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    One(Fn1),
    Atan2,
    Max,
    Min,
}

impl Func {
    /// The name it is written with (`ln` for the natural log, which `log` also means).
    pub fn name(self) -> &'static str {
        let kind = match self {
            Func::One(f) => FnKind::One(f),
            Func::Atan2 => FnKind::Atan2,
            Func::Max => FnKind::Max,
            Func::Min => FnKind::Min,
        };
        functions::FUNCTIONS
            .iter()
            .find(|i| i.kind == kind)
            .map_or("?", |i| i.name)
    }
}

#[derive(Debug, Clone)]
pub enum Expr {
    Num(f64),
    Const(Named),
    /// A variable, by its index in the formula's list: variables sort in the order the
    /// learner wrote them (`3*w1 + 2*w2 + b`), not alphabetically.
    Var(usize),
    /// Two or more terms, none of them a sum.
    Sum(Vec<Expr>),
    /// Two or more factors, none of them a product; a numeric coefficient comes first.
    Product(Vec<Expr>),
    Pow(Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
    /// Truncated remainder, as `%` computes it.
    Rem(Box<Expr>, Box<Expr>),
}

impl Expr {
    fn rank(&self) -> u8 {
        match self {
            Expr::Num(_) => 0,
            Expr::Const(_) => 1,
            Expr::Var(_) => 2,
            Expr::Sum(_) => 3,
            Expr::Product(_) => 4,
            Expr::Pow(..) => 5,
            Expr::Call(..) => 6,
            Expr::Rem(..) => 7,
        }
    }

    pub fn is_num(&self, v: f64) -> bool {
        matches!(self, Expr::Num(x) if *x == v)
    }

    pub fn as_num(&self) -> Option<f64> {
        match self {
            Expr::Num(v) => Some(*v),
            _ => None,
        }
    }

    /// The number of nodes, the measure of "simpler" when two forms compete.
    pub fn size(&self) -> usize {
        match self {
            Expr::Num(_) | Expr::Const(_) | Expr::Var(_) => 1,
            Expr::Sum(xs) | Expr::Product(xs) | Expr::Call(_, xs) => {
                1 + xs.iter().map(Expr::size).sum::<usize>()
            }
            Expr::Pow(a, b) | Expr::Rem(a, b) => 1 + a.size() + b.size(),
        }
    }
}

/// A total order, so that sorted children make one canonical form per expression: equal
/// trees compare equal and like terms sit next to each other.
impl Ord for Expr {
    fn cmp(&self, other: &Self) -> Ordering {
        use Expr::*;
        match (self, other) {
            (Num(a), Num(b)) => a.total_cmp(b),
            (Const(a), Const(b)) => a.cmp(b),
            (Var(a), Var(b)) => a.cmp(b),
            (Sum(a), Sum(b)) | (Product(a), Product(b)) => a.cmp(b),
            (Pow(a, b), Pow(c, d)) | (Rem(a, b), Rem(c, d)) => a.cmp(c).then_with(|| b.cmp(d)),
            (Call(f, a), Call(g, b)) => f.name().cmp(g.name()).then_with(|| a.cmp(b)),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for Expr {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Expr {}

/// Builds the tree from meval's RPN with a value stack (no recursion), simplifying as it
/// goes, and refuses trees deeper than [`MAX_TREE_DEPTH`].
pub fn from_rpn(rpn: &[Token], vars: &[String]) -> Result<Expr, SymbolicError> {
    // Each entry: the expression and its depth.
    let mut stack: Vec<(Expr, usize)> = Vec::new();
    let bad = |what: &str| SymbolicError::Unreadable(what.to_string());
    for tok in rpn {
        let (expr, depth) = match tok {
            Token::Number(v) => (Expr::Num(*v), 1),
            Token::Var(name) => match name.as_str() {
                "pi" => (Expr::Const(Named::Pi), 1),
                "e" => (Expr::Const(Named::E), 1),
                _ => match vars.iter().position(|v| v == name) {
                    Some(i) => (Expr::Var(i), 1),
                    None => return Err(bad(&format!("unknown variable '{name}'"))),
                },
            },
            Token::Unary(Operation::Plus) => continue,
            Token::Unary(Operation::Minus) => {
                let (a, d) = stack
                    .pop()
                    .ok_or_else(|| bad("a minus sign has no operand"))?;
                (neg(a), d + 1)
            }
            Token::Binary(op) => {
                let (b, db) = stack
                    .pop()
                    .ok_or_else(|| bad("an operator has no operand"))?;
                let (a, da) = stack
                    .pop()
                    .ok_or_else(|| bad("an operator has no operand"))?;
                // A chain like a+b+c flattens into one sum, so it does not deepen the tree.
                let depth = match op {
                    Operation::Plus | Operation::Minus if matches!(a, Expr::Sum(_)) => {
                        da.max(db + 1)
                    }
                    Operation::Times | Operation::Div if matches!(a, Expr::Product(_)) => {
                        da.max(db + 1)
                    }
                    _ => da.max(db) + 1,
                };
                let e = match op {
                    Operation::Plus => sum(vec![a, b]),
                    Operation::Minus => sum(vec![a, neg(b)]),
                    Operation::Times => product(vec![a, b]),
                    Operation::Div => product(vec![a, pow(b, Expr::Num(-1.0))]),
                    Operation::Rem => rem(a, b),
                    Operation::Pow => pow(a, b),
                };
                (e, depth)
            }
            Token::Func(name, Some(n)) => {
                let info = functions::lookup(name)
                    .ok_or_else(|| bad(&format!("unknown function '{name}'")))?;
                if stack.len() < *n {
                    return Err(bad(&format!("{name} has too few arguments")));
                }
                let args: Vec<(Expr, usize)> = stack.drain(stack.len() - n..).collect();
                let depth = args.iter().map(|a| a.1).max().unwrap_or(0) + 1;
                let args: Vec<Expr> = args.into_iter().map(|a| a.0).collect();
                let f = match info.kind {
                    FnKind::One(f) => Func::One(f),
                    FnKind::Atan2 => Func::Atan2,
                    FnKind::Max => Func::Max,
                    FnKind::Min => Func::Min,
                };
                (call(f, args), depth)
            }
            other => return Err(bad(&format!("unexpected token {other:?}"))),
        };
        if depth > MAX_TREE_DEPTH {
            return Err(SymbolicError::TooDeep);
        }
        stack.push((expr, depth));
    }
    match (stack.pop(), stack.is_empty()) {
        (Some((e, _)), true) => Ok(e),
        _ => Err(bad("the formula does not reduce to one value")),
    }
}
