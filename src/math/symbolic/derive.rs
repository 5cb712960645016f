//! The derivative of a tree with respect to one variable, by the rules of a calculus
//! course, built through the simplifying constructors so the result comes out simplified.
//!
//! Where a function has no derivative (abs at 0, relu at 0, max where arguments tie, the
//! jumps of floor or %), the printed formula is the one-sided or piecewise slope the tutor's
//! dual numbers compute, written with `signum`, and a [`Note`] says so.

use std::collections::BTreeSet;

use super::expr::{Expr, Func, Named};
use super::simplify::{call, neg, num, pow, product, recip, rem, sum};
use crate::math::functions::Fn1;

/// Something the learner should know about a printed derivative: where it does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Note {
    Abs,
    Relu,
    MaxMin,
    Steps,
    Rem,
}

impl Note {
    pub fn text(self) -> &'static str {
        match self {
            Note::Abs => {
                "abs(u) has no derivative where u = 0: signum(u) gives 0 there, the tutor's \
                 dual numbers give the right-hand slope"
            }
            Note::Relu => {
                "relu(u) has no derivative where u = 0: signum(relu(u)) is its slope, 1 where \
                 u > 0 and 0 elsewhere, as the tutor computes"
            }
            Note::MaxMin => {
                "max/min have no derivative where arguments tie: the formula, written with \
                 signum(relu(a - b)) = 1 where a > b, else 0, takes the slope of the first of \
                 the tied arguments, as the tutor computes"
            }
            Note::Steps => {
                "floor, ceil, round and signum are flat between their jumps (derivative 0, as \
                 the tutor computes) and have no derivative at a jump"
            }
            Note::Rem => {
                "a % b jumps where a/b crosses a whole number; between the jumps the derivative \
                 is as printed"
            }
        }
    }
}

/// 1 where `u > 0`, else 0: the slope of relu, written in the formula language.
fn step(u: Expr) -> Expr {
    call(
        Func::One(Fn1::Signum),
        vec![call(Func::One(Fn1::Relu), vec![u])],
    )
}

/// 1 where `u >= 0`, else 0.
fn step_or_tie(u: Expr) -> Expr {
    sum(vec![num(1.0), neg(step(neg(u)))])
}

fn is_zero(e: &Expr) -> bool {
    e.is_num(0.0)
}

/// ∂e/∂x.
pub fn derive(e: &Expr, x: usize, notes: &mut BTreeSet<Note>) -> Expr {
    match e {
        Expr::Num(_) | Expr::Const(_) => num(0.0),
        Expr::Var(v) => num(if *v == x { 1.0 } else { 0.0 }),
        Expr::Sum(ts) => sum(ts.iter().map(|t| derive(t, x, notes)).collect()),
        Expr::Product(fs) => {
            let mut terms = Vec::new();
            for (i, f) in fs.iter().enumerate() {
                let df = derive(f, x, notes);
                if is_zero(&df) {
                    continue;
                }
                let mut factors = fs.clone();
                factors[i] = df;
                terms.push(product(factors));
            }
            sum(terms)
        }
        Expr::Pow(u, v) => derive_pow(u, v, x, notes),
        Expr::Call(f, args) => derive_call(*f, args, x, notes),
        Expr::Rem(a, b) => {
            let (da, db) = (derive(a, x, notes), derive(b, x, notes));
            if is_zero(&da) && is_zero(&db) {
                return num(0.0);
            }
            notes.insert(Note::Rem);
            // a % b = a - b·trunc(a/b), and trunc(a/b) = (a - a % b)/b.
            let whole = product(vec![
                sum(vec![(**a).clone(), neg(rem((**a).clone(), (**b).clone()))]),
                recip((**b).clone()),
            ]);
            sum(vec![da, neg(product(vec![db, whole]))])
        }
    }
}

fn derive_pow(u: &Expr, v: &Expr, x: usize, notes: &mut BTreeSet<Note>) -> Expr {
    let (du, dv) = (derive(u, x, notes), derive(v, x, notes));
    let power = || pow(u.clone(), v.clone());
    match (is_zero(&du), is_zero(&dv)) {
        (true, true) => num(0.0),
        // v·u^(v−1)·u′
        (false, true) => product(vec![
            v.clone(),
            pow(u.clone(), sum(vec![v.clone(), num(-1.0)])),
            du,
        ]),
        // e^v·v′; 0^v is 0 wherever it has a value, with slope 0; otherwise u^v·ln(u)·v′.
        (true, false) => match u {
            Expr::Const(Named::E) => product(vec![power(), dv]),
            Expr::Num(a) if *a == 0.0 => num(0.0),
            _ => product(vec![power(), call(Func::One(Fn1::Ln), vec![u.clone()]), dv]),
        },
        // u^v·(v′·ln(u) + v·u′/u)
        (false, false) => product(vec![
            power(),
            sum(vec![
                product(vec![dv, call(Func::One(Fn1::Ln), vec![u.clone()])]),
                product(vec![v.clone(), du, recip(u.clone())]),
            ]),
        ]),
    }
}

fn derive_call(f: Func, args: &[Expr], x: usize, notes: &mut BTreeSet<Note>) -> Expr {
    let ds: Vec<Expr> = args.iter().map(|a| derive(a, x, notes)).collect();
    if ds.iter().all(is_zero) {
        return num(0.0);
    }
    match (f, args, ds.as_slice()) {
        (Func::One(g), [u], [du]) => {
            let outer = derive_fn1(g, u, notes);
            product(vec![outer, du.clone()])
        }
        // ∂ atan2(y, x) = (x·y′ − y·x′)/(x² + y²)
        (Func::Atan2, [a, b], [da, db]) => product(vec![
            sum(vec![
                product(vec![b.clone(), da.clone()]),
                neg(product(vec![a.clone(), db.clone()])),
            ]),
            recip(sum(vec![
                pow(a.clone(), num(2.0)),
                pow(b.clone(), num(2.0)),
            ])),
        ]),
        // The slope of the argument the tutor picks: the largest (smallest), and at a tie
        // the first of the tied ones, so where tied arguments are the same function there
        // (max(y, min(x, y)) for y < x) the slope is still right.
        (Func::Max | Func::Min, _, _) => {
            notes.insert(Note::MaxMin);
            let mut terms = Vec::new();
            for (i, (a, da)) in args.iter().zip(&ds).enumerate() {
                if is_zero(da) {
                    continue;
                }
                let mut factors = vec![da.clone()];
                for (j, b) in args.iter().enumerate() {
                    // How far a_i is ahead of a_j (below it, for min).
                    let lead = if f == Func::Max {
                        sum(vec![a.clone(), neg(b.clone())])
                    } else {
                        sum(vec![b.clone(), neg(a.clone())])
                    };
                    match j.cmp(&i) {
                        std::cmp::Ordering::Less => factors.push(step(lead)),
                        std::cmp::Ordering::Greater => factors.push(step_or_tie(lead)),
                        std::cmp::Ordering::Equal => {}
                    }
                }
                terms.push(product(factors));
            }
            sum(terms)
        }
        // The lexer checks every call's arity, so no other shape reaches here; a wrong one
        // would print as NaN in the check rather than a wrong formula.
        _ => num(f64::NAN),
    }
}

/// g′(u) for a one-argument function g.
fn derive_fn1(g: Fn1, u: &Expr, notes: &mut BTreeSet<Note>) -> Expr {
    let f = |h: Fn1, a: Expr| call(Func::One(h), vec![a]);
    let u2 = || pow(u.clone(), num(2.0));
    let u = u.clone();
    match g {
        Fn1::Sqrt => product(vec![num(0.5), recip(f(Fn1::Sqrt, u))]),
        Fn1::Exp => f(Fn1::Exp, u),
        Fn1::Ln => recip(u),
        Fn1::Log2 => recip(product(vec![u, f(Fn1::Ln, num(2.0))])),
        Fn1::Log10 => recip(product(vec![u, f(Fn1::Ln, num(10.0))])),
        Fn1::Abs => {
            notes.insert(Note::Abs);
            f(Fn1::Signum, u)
        }
        Fn1::Sin => f(Fn1::Cos, u),
        Fn1::Cos => neg(f(Fn1::Sin, u)),
        Fn1::Tan => recip(pow(f(Fn1::Cos, u), num(2.0))),
        Fn1::Asin => recip(f(Fn1::Sqrt, sum(vec![num(1.0), neg(u2())]))),
        Fn1::Acos => neg(recip(f(Fn1::Sqrt, sum(vec![num(1.0), neg(u2())])))),
        Fn1::Atan => recip(sum(vec![u2(), num(1.0)])),
        Fn1::Sinh => f(Fn1::Cosh, u),
        Fn1::Cosh => f(Fn1::Sinh, u),
        Fn1::Tanh => sum(vec![num(1.0), neg(pow(f(Fn1::Tanh, u), num(2.0)))]),
        Fn1::Asinh => recip(f(Fn1::Sqrt, sum(vec![u2(), num(1.0)]))),
        Fn1::Acosh => recip(f(Fn1::Sqrt, sum(vec![u2(), num(-1.0)]))),
        Fn1::Atanh => recip(sum(vec![num(1.0), neg(u2())])),
        Fn1::Floor | Fn1::Ceil | Fn1::Round | Fn1::Signum => {
            notes.insert(Note::Steps);
            num(0.0)
        }
        Fn1::Sigmoid => product(vec![
            f(Fn1::Sigmoid, u.clone()),
            sum(vec![num(1.0), neg(f(Fn1::Sigmoid, u))]),
        ]),
        Fn1::Relu => {
            notes.insert(Note::Relu);
            step(u)
        }
        Fn1::Softplus => f(Fn1::Sigmoid, u),
    }
}
