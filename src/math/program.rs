//! A formula compiled once into a flat stack program.
//!
//! meval evaluates its RPN by looking every variable and function up by name, on every call.
//! A contour chart evaluates the formula thousands of times per frame, so names are resolved
//! to indices here once, constant sub-expressions are folded, and powers with a constant
//! exponent become `powi`/`powf` (which also keeps `(-3)^2` finite under dual numbers, where
//! the general `exp(y·ln x)` would give NaN).
//!
//! The evaluator is generic over num-dual's [`DualNum`], so the very same program gives plain
//! values (`f64`), exact gradients (`DualDVec64`) and exact Hessians (`Dual2DVec64`). It is a
//! loop over a flat vector: no recursion, whatever the input.

use meval::tokenizer::{Operation, Token};
use num_dual::DualNum;

use super::functions::{self, Fn1, FnKind};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    Const(f64),
    Var(usize),
    Neg,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Pow,
    PowI(i32),
    PowF(f64),
    F1(Fn1),
    Atan2,
    Max(usize),
    Min(usize),
}

/// A compiled formula over `n_vars` variables.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    ops: Vec<Op>,
    n_vars: usize,
    max_depth: usize,
}

/// Why meval's RPN could not be compiled. The lexer checks the same grammar first, so this
/// only happens if the two disagree; it is reported, never unwrapped.
#[derive(Debug, Clone, PartialEq)]
pub struct CompileError(pub String);

impl Program {
    /// Compiles meval's RPN, resolving each variable name with `index_of`.
    pub fn compile(
        rpn: &[Token],
        index_of: &dyn Fn(&str) -> Option<usize>,
        n_vars: usize,
    ) -> Result<Program, CompileError> {
        let mut ops: Vec<Op> = Vec::with_capacity(rpn.len());
        // For each value on the evaluation stack: its constant value, when the sub-expression
        // that produced it is a single `Const` at the end of `ops` (so it can be folded).
        let mut shadow: Vec<Option<f64>> = Vec::new();
        let mut max_depth = 1usize;
        for tok in rpn {
            let (op, arity) = match tok {
                Token::Number(v) => (Op::Const(*v), 0),
                Token::Var(name) => match functions::constant(name) {
                    Some(v) => (Op::Const(v), 0),
                    None => match index_of(name) {
                        Some(i) => (Op::Var(i), 0),
                        None => return Err(CompileError(format!("unknown variable '{name}'"))),
                    },
                },
                Token::Unary(Operation::Plus) => continue,
                Token::Unary(Operation::Minus) => (Op::Neg, 1),
                Token::Unary(op) => return Err(CompileError(format!("unary {op:?}"))),
                Token::Binary(op) => (
                    match op {
                        Operation::Plus => Op::Add,
                        Operation::Minus => Op::Sub,
                        Operation::Times => Op::Mul,
                        Operation::Div => Op::Div,
                        Operation::Rem => Op::Rem,
                        Operation::Pow => Op::Pow,
                    },
                    2,
                ),
                Token::Func(name, Some(n)) => {
                    let info = functions::lookup(name)
                        .ok_or_else(|| CompileError(format!("unknown function '{name}'")))?;
                    let op = match info.kind {
                        FnKind::One(f) => Op::F1(f),
                        FnKind::Atan2 => Op::Atan2,
                        FnKind::Max => Op::Max(*n),
                        FnKind::Min => Op::Min(*n),
                    };
                    (op, *n)
                }
                other => return Err(CompileError(format!("unexpected token {other:?}"))),
            };
            if shadow.len() < arity {
                return Err(CompileError("not enough operands".into()));
            }
            let args = &shadow[shadow.len() - arity..];
            let folded = if arity > 0 && args.iter().all(Option::is_some) {
                let vals: Vec<f64> = args.iter().map(|a| a.unwrap_or(f64::NAN)).collect();
                Some(apply_const(op, &vals))
            } else {
                None
            };
            let emitted = match (folded, op) {
                (Some(v), _) => {
                    ops.truncate(ops.len() - arity);
                    Op::Const(v)
                }
                (None, Op::Pow) if shadow.last().copied().flatten().is_some() => {
                    let c = shadow.last().copied().flatten().unwrap_or(f64::NAN);
                    ops.pop();
                    if c.fract() == 0.0 && c.abs() <= 1e9 {
                        Op::PowI(c as i32)
                    } else {
                        Op::PowF(c)
                    }
                }
                (None, op) => op,
            };
            shadow.truncate(shadow.len() - arity);
            shadow.push(match emitted {
                Op::Const(v) => Some(v),
                _ => None,
            });
            ops.push(emitted);
            max_depth = max_depth.max(shadow.len());
        }
        if shadow.len() != 1 {
            return Err(CompileError(format!(
                "{} values left on the stack",
                shadow.len()
            )));
        }
        Ok(Program {
            ops,
            n_vars,
            max_depth,
        })
    }

    /// Evaluates over any dual-number type; `stack` is scratch space reused between calls.
    /// `vars` must hold `n_vars` values (missing ones read as NaN rather than panic).
    pub fn eval<T>(&self, vars: &[T], stack: &mut Vec<T>) -> T
    where
        T: DualNum<Primitive = f64> + From<f64>,
    {
        stack.clear();
        stack.reserve(self.max_depth);
        for op in &self.ops {
            let v = match *op {
                Op::Const(c) => T::from(c),
                Op::Var(i) => match vars.get(i) {
                    Some(v) => v.clone(),
                    None => T::from(f64::NAN),
                },
                Op::Neg => -pop(stack),
                Op::F1(f) => apply1(f, pop(stack)),
                Op::PowI(n) => pop(stack).powi(n),
                Op::PowF(p) => pop(stack).powf(p),
                Op::Max(n) | Op::Min(n) => {
                    let at = stack.len().saturating_sub(n);
                    let args: Vec<T> = stack.drain(at..).collect();
                    min_max(matches!(op, Op::Max(_)), args.into_iter())
                }
                Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Rem | Op::Pow | Op::Atan2 => {
                    let b = pop(stack);
                    let a = pop(stack);
                    apply2(*op, a, b)
                }
            };
            stack.push(v);
        }
        stack.pop().unwrap_or_else(|| T::from(f64::NAN))
    }

    /// Plain f64 evaluation with the stack in a fixed array: the hot path of single points.
    pub fn eval_f64(&self, vars: &[f64]) -> f64 {
        const SMALL: usize = 24;
        if self.max_depth <= SMALL {
            self.run_f64(vars, &mut [0.0; SMALL])
        } else {
            self.run_f64(vars, &mut vec![0.0; self.max_depth])
        }
    }

    fn run_f64(&self, vars: &[f64], st: &mut [f64]) -> f64 {
        // Compile checked the stack discipline, so `sp` stays within 1..=max_depth.
        let mut sp = 0usize;
        for op in &self.ops {
            match *op {
                Op::Const(c) => {
                    st[sp] = c;
                    sp += 1;
                }
                Op::Var(i) => {
                    st[sp] = vars.get(i).copied().unwrap_or(f64::NAN);
                    sp += 1;
                }
                Op::Neg => st[sp - 1] = -st[sp - 1],
                Op::F1(f) => st[sp - 1] = apply1(f, st[sp - 1]),
                Op::PowI(n) => st[sp - 1] = st[sp - 1].powi(n),
                Op::PowF(p) => st[sp - 1] = st[sp - 1].powf(p),
                Op::Max(n) | Op::Min(n) => {
                    let args = &st[sp - n..sp];
                    let v = min_max(matches!(op, Op::Max(_)), args.iter().copied());
                    sp -= n;
                    st[sp] = v;
                    sp += 1;
                }
                Op::Add => {
                    sp -= 1;
                    st[sp - 1] += st[sp];
                }
                Op::Sub => {
                    sp -= 1;
                    st[sp - 1] -= st[sp];
                }
                Op::Mul => {
                    sp -= 1;
                    st[sp - 1] *= st[sp];
                }
                Op::Div => {
                    sp -= 1;
                    st[sp - 1] /= st[sp];
                }
                Op::Rem | Op::Pow | Op::Atan2 => {
                    sp -= 1;
                    st[sp - 1] = apply2(*op, st[sp - 1], st[sp]);
                }
            }
        }
        if sp == 1 { st[0] } else { f64::NAN }
    }

    /// Evaluates at `n` points at once, one operation across all points before the next: the
    /// dispatch is paid once per row instead of once per point, and the inner loops are plain
    /// slices the compiler can vectorise. This is how chart grids are filled.
    pub fn eval_batch(
        &self,
        vars: &[Input<'_>],
        n: usize,
        scratch: &mut Vec<Vec<f64>>,
        out: &mut Vec<f64>,
    ) {
        if scratch.len() < self.max_depth {
            scratch.resize_with(self.max_depth, Vec::new);
        }
        for buf in scratch.iter_mut() {
            buf.resize(n, 0.0);
        }
        let mut sp = 0usize;
        for op in &self.ops {
            match *op {
                Op::Const(c) => {
                    scratch[sp].fill(c);
                    sp += 1;
                }
                Op::Var(i) => {
                    match vars.get(i) {
                        Some(Input::Points(v)) if v.len() == n => scratch[sp].copy_from_slice(v),
                        Some(Input::Same(c)) => scratch[sp].fill(*c),
                        _ => scratch[sp].fill(f64::NAN),
                    }
                    sp += 1;
                }
                Op::Max(k) | Op::Min(k) => {
                    let larger = matches!(op, Op::Max(_));
                    // Each point reads one value from each of k buffers: an index is clearest.
                    #[allow(clippy::needless_range_loop)]
                    for p in 0..n {
                        let v = min_max(larger, (sp - k..sp).map(|j| scratch[j][p]));
                        scratch[sp - k][p] = v;
                    }
                    sp -= k - 1;
                }
                Op::Neg | Op::F1(_) | Op::PowI(_) | Op::PowF(_) => {
                    let top = &mut scratch[sp - 1];
                    match *op {
                        Op::Neg => top.iter_mut().for_each(|v| *v = -*v),
                        Op::PowI(2) => top.iter_mut().for_each(|v| *v *= *v),
                        Op::PowI(k) => top.iter_mut().for_each(|v| *v = v.powi(k)),
                        Op::PowF(p) => top.iter_mut().for_each(|v| *v = v.powf(p)),
                        Op::F1(f) => top.iter_mut().for_each(|v| *v = apply1(f, *v)),
                        _ => {}
                    }
                }
                Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Rem | Op::Pow | Op::Atan2 => {
                    sp -= 1;
                    let (lo, hi) = scratch.split_at_mut(sp);
                    let (a, b) = (&mut lo[sp - 1], &hi[0]);
                    let pairs = a.iter_mut().zip(b.iter());
                    match *op {
                        Op::Add => pairs.for_each(|(a, b)| *a += *b),
                        Op::Sub => pairs.for_each(|(a, b)| *a -= *b),
                        Op::Mul => pairs.for_each(|(a, b)| *a *= *b),
                        Op::Div => pairs.for_each(|(a, b)| *a /= *b),
                        _ => pairs.for_each(|(a, b)| *a = apply2(*op, *a, *b)),
                    }
                }
            }
        }
        out.clear();
        if sp == 1 {
            out.extend_from_slice(&scratch[0]);
        } else {
            out.resize(n, f64::NAN);
        }
    }
}

/// One variable's values for [`Program::eval_batch`]: a value per point, or one for all.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    Points(&'a [f64]),
    Same(f64),
}

/// The larger (or smaller) argument; NaN wins, so a hole in the function stays a hole.
fn min_max<T: DualNum<Primitive = f64> + From<f64>>(
    larger: bool,
    args: impl Iterator<Item = T>,
) -> T {
    let mut best: Option<T> = None;
    for v in args {
        best = Some(match best {
            None => v,
            Some(b) => {
                let take = if larger {
                    v.re() > b.re()
                } else {
                    v.re() < b.re()
                };
                if take || v.re().is_nan() { v } else { b }
            }
        });
    }
    best.unwrap_or_else(|| T::from(f64::NAN))
}

fn apply2<T: DualNum<Primitive = f64> + From<f64>>(op: Op, a: T, b: T) -> T {
    match op {
        Op::Add => a + b,
        Op::Sub => a - b,
        Op::Mul => a * b,
        Op::Div => a / b,
        Op::Rem => rem(a, b),
        Op::Pow => pow(a, b),
        _ => a.atan2(b),
    }
}

fn pop<T: From<f64>>(stack: &mut Vec<T>) -> T {
    stack.pop().unwrap_or_else(|| T::from(f64::NAN))
}

/// Truncated remainder (as f64's `%`), with the derivative of `a - b·trunc(a/b)`.
fn rem<T: DualNum<Primitive = f64> + From<f64>>(a: T, b: T) -> T {
    let q = (a.re() / b.re()).trunc();
    a - b * q
}

/// `a^b` with a variable exponent. For a positive base this is exp(b·ln a); a negative or zero
/// base with an integer exponent uses powi, so `(-2)^n` stays finite where ln would fail.
fn pow<T: DualNum<Primitive = f64> + From<f64>>(a: T, b: T) -> T {
    let (ar, br) = (a.re(), b.re());
    if ar > 0.0 {
        a.powd(b)
    } else if br.fract() == 0.0 && br.abs() <= 1e9 {
        a.powi(br as i32)
    } else {
        T::from(ar.powf(br))
    }
}

fn apply1<T: DualNum<Primitive = f64> + From<f64>>(f: Fn1, x: T) -> T {
    match f {
        Fn1::Sqrt => x.sqrt(),
        Fn1::Exp => x.exp(),
        Fn1::Ln => x.ln(),
        Fn1::Log2 => x.log2(),
        Fn1::Log10 => x.log10(),
        Fn1::Abs => {
            if x.re() < 0.0 {
                -x
            } else {
                x
            }
        }
        Fn1::Sin => x.sin(),
        Fn1::Cos => x.cos(),
        Fn1::Tan => x.tan(),
        Fn1::Asin => x.asin(),
        Fn1::Acos => x.acos(),
        Fn1::Atan => x.atan(),
        Fn1::Sinh => x.sinh(),
        Fn1::Cosh => x.cosh(),
        Fn1::Tanh => x.tanh(),
        Fn1::Asinh => x.asinh(),
        Fn1::Acosh => x.acosh(),
        Fn1::Atanh => x.atanh(),
        // Piecewise constant: the value, with a zero derivative.
        Fn1::Floor => T::from(x.re().floor()),
        Fn1::Ceil => T::from(x.re().ceil()),
        Fn1::Round => T::from(x.re().round()),
        Fn1::Signum => T::from(if x.re() == 0.0 { 0.0 } else { x.re().signum() }),
        Fn1::Sigmoid => {
            // Written so that neither branch overflows exp for large |x|.
            if x.re() >= 0.0 {
                (T::from(1.0) + (-x).exp()).recip()
            } else {
                let ex = x.exp();
                ex.clone() / (T::from(1.0) + ex)
            }
        }
        Fn1::Relu => {
            if x.re() > 0.0 {
                x
            } else {
                x * 0.0
            }
        }
        Fn1::Softplus => {
            // ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|), stable for any x.
            if x.re() > 0.0 {
                x.clone() + (-x).exp().ln_1p()
            } else {
                x.exp().ln_1p()
            }
        }
    }
}

/// Evaluates one operation on constants, for folding at compile time.
fn apply_const(op: Op, args: &[f64]) -> f64 {
    let p = Program {
        ops: args
            .iter()
            .map(|&a| Op::Const(a))
            .chain(std::iter::once(op))
            .collect(),
        n_vars: 0,
        max_depth: args.len().max(1),
    };
    p.eval_f64(&[])
}
