//! A formula compiled once into a flat stack program.
//!
//! meval evaluates its RPN by looking every variable and function up by name, on every call.
//! A contour chart evaluates the formula thousands of times per frame, so names are resolved
//! to indices here once, constant sub-expressions are folded, and powers with a constant
//! exponent become `powi`/`powf` (which also keeps `(-3)^2` finite under dual numbers, where
//! the general `exp(y·ln x)` would give NaN).
//!
//! The evaluator is generic over [`Scalar`], so the very same program gives plain values
//! (`f64`), exact gradients (`DualDVec64`) and exact Hessians (`Dual2DVec64`). It is a loop
//! over a flat vector: no recursion, whatever the input.
//!
//! Every operation beyond `+ - * neg` computes its value with the plain f64 function and its
//! derivatives from closed forms (the chain rule, written out below), rather than with
//! num-dual's own functions: those compute the value another way (tanh as sinh/cosh, `a/b` as
//! `a·(1/b)`, powers as `x^(n-3)·x³`, `%` as `a - b·trunc(a/b)`) and so disagree with the
//! plain value at the edges, NaN where the value is ±1 or finite, −1 where it is 1. Here the
//! value a learner sees and the value the gradient belongs to are the same bits.

use meval::tokenizer::{Operation, Token};
use num_dual::{Dual2DVec64, Dual64, DualDVec64, DualNum};

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
            let Some((op, arity)) = op_of(tok, index_of)? else {
                continue;
            };
            if shadow.len() < arity {
                return Err(CompileError("not enough operands".into()));
            }
            let emitted = fold(op, arity, &shadow, &mut ops);
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

    /// The number of operations, each run once per evaluation.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether the program is empty (never, once compiled: a formula has a value).
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Evaluates over any dual-number type; `stack` is scratch space reused between calls.
    /// `vars` must hold `n_vars` values (missing ones read as NaN rather than panic).
    pub fn eval<T>(&self, vars: &[T], stack: &mut Vec<T>) -> T
    where
        T: Scalar,
    {
        stack.clear();
        stack.reserve(self.max_depth);
        for op in &self.ops {
            step(*op, vars, stack);
        }
        stack.pop().unwrap_or_else(|| T::from(f64::NAN))
    }

    /// Why the gradient at `vars` is not finite although the value is: the first operation
    /// whose derivative turned non-finite from finite inputs, judged by its own slopes (NaN,
    /// or infinite at 0 or ±1: no derivative there; finite slopes: the numbers overflowed).
    /// `None` when the value is not finite or the gradient is.
    pub fn gradient_issue(&self, vars: &[f64]) -> Option<GradientIssue> {
        let n = vars.len();
        let duals: Vec<DualDVec64> = vars
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let unit = nalgebra::DVector::from_fn(n, |j, _| if i == j { 1.0 } else { 0.0 });
                DualDVec64::new(v, num_dual::Derivative::some(unit))
            })
            .collect();
        let whole = self.eval(&duals, &mut Vec::new());
        if !whole.re.is_finite() || whole.derivatives_finite() || self.kink_gradient(vars).is_some()
        {
            return None;
        }
        let mut stack: Vec<DualDVec64> = Vec::with_capacity(self.max_depth);
        for op in &self.ops {
            let arity = match *op {
                Op::Const(_) | Op::Var(_) => 0,
                Op::Neg | Op::F1(_) | Op::PowI(_) | Op::PowF(_) => 1,
                Op::Max(k) | Op::Min(k) => k,
                _ => 2,
            };
            let inputs = &stack[stack.len().saturating_sub(arity)..];
            let fine = inputs
                .iter()
                .all(|v| v.re.is_finite() && v.derivatives_finite());
            let args: Vec<f64> = inputs.iter().map(|v| v.re).collect();
            step(*op, &duals, &mut stack);
            let out = stack.last()?;
            if fine && out.re.is_finite() && !out.derivatives_finite() {
                return Some(classify(*op, &args));
            }
        }
        Some(GradientIssue::Overflows)
    }

    /// The one-sided slope of L at `vars` along `dir`: forward-mode with one direction, where
    /// `abs` and `relu` at a kink take the side `dir` leads to (|u| changes by |du|, relu by
    /// du's positive part) instead of a slope, which a kink does not have.
    fn directional(&self, vars: &[f64], dir: &[f64]) -> f64 {
        let duals: Vec<Dual64> = vars
            .iter()
            .zip(dir)
            .map(|(&v, &d)| Dual64::new(v, d))
            .collect();
        let mut stack: Vec<Dual64> = Vec::with_capacity(self.max_depth);
        for op in &self.ops {
            match (*op, stack.last_mut()) {
                (Op::F1(f @ (Fn1::Abs | Fn1::Relu)), Some(top)) if top.re == 0.0 => {
                    let d = top.eps;
                    top.eps = match f {
                        Fn1::Abs => d.abs(),
                        _ if d > 0.0 => d,
                        _ if d.is_nan() => d,
                        _ => 0.0,
                    };
                }
                _ => step(*op, &duals, &mut stack),
            }
        }
        stack.pop().map_or(f64::NAN, |v| v.eps)
    }

    /// ∇L where an `abs` or `relu` sits at its kink and L is differentiable all the same
    /// (|x|² at 0 has slope 0, |x|·y at y = 0 too): the one-sided slopes along each axis, both
    /// ways, and along a few oblique directions all agree with one linear map, that map's
    /// vector. `None` where they do not (|x| or relu(x) at 0: a corner), where a slope is not
    /// finite, or where no such function is in the formula. The dual numbers alone cannot
    /// tell: they see |x|'s missing slope and give up, so the status said "not
    /// differentiable" for |x|² at 0.
    pub fn kink_gradient(&self, vars: &[f64]) -> Option<Vec<f64>> {
        if !self
            .ops
            .iter()
            .any(|op| matches!(op, Op::F1(Fn1::Abs | Fn1::Relu)))
        {
            return None;
        }
        let n = vars.len();
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
        // Along v and −v the slopes must be opposite, and equal to g·v.
        let linear = |v: &[f64], g: &[f64]| {
            let want: f64 = v.iter().zip(g).map(|(a, b)| a * b).sum();
            let neg: Vec<f64> = v.iter().map(|a| -a).collect();
            let (up, down) = (self.directional(vars, v), self.directional(vars, &neg));
            up.is_finite() && close(up, want) && close(down, -want)
        };
        let mut g = Vec::with_capacity(n);
        for i in 0..n {
            let axis: Vec<f64> = (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect();
            g.push(self.directional(vars, &axis));
        }
        let axes_ok = (0..n).all(|i| {
            let axis: Vec<f64> = (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect();
            linear(&axis, &g)
        });
        // relu(x + y) − relu(x) − relu(y) at 0 is flat along both axes but not along (1, −1).
        let oblique = [
            (0..n)
                .map(|j| if j % 2 == 0 { 1.0 } else { -1.0 })
                .collect::<Vec<f64>>(),
            (0..n).map(|j| (7.0 * j as f64 + 1.0).sin()).collect(),
            (0..n).map(|j| (3.0 * j as f64 + 2.0).cos()).collect(),
        ];
        (axes_ok && oblique.iter().all(|v| linear(v, &g))).then_some(g)
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

/// One operation of [`Program::eval`] on its stack.
fn step<T: Scalar>(op: Op, vars: &[T], stack: &mut Vec<T>) {
    let v = match op {
        Op::Const(c) => T::from(c),
        Op::Var(i) => match vars.get(i) {
            Some(v) => v.clone(),
            None => T::from(f64::NAN),
        },
        Op::Neg => -pop(stack),
        Op::F1(f) => apply1(f, pop(stack)),
        Op::PowI(n) => pow_i(pop(stack), n),
        Op::PowF(p) => pow_f(pop(stack), p),
        Op::Max(n) | Op::Min(n) => {
            let at = stack.len().saturating_sub(n);
            let args: Vec<T> = stack.drain(at..).collect();
            min_max(matches!(op, Op::Max(_)), args.into_iter())
        }
        Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Rem | Op::Pow | Op::Atan2 => {
            let b = pop(stack);
            let a = pop(stack);
            apply2(op, a, b)
        }
    };
    stack.push(v);
}

/// Why a gradient is not a finite vector where the formula's value is finite: what the status
/// line can say instead of showing NaN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GradientIssue {
    /// No derivative exists here: a jump, a vertical tangent, a corner of 0/0 (`at` names
    /// the function or operator: "sqrt", "%", "^", "atan2", …).
    #[error("not differentiable at this point ({at})")]
    NotDifferentiable { at: &'static str },
    /// The derivative exists but is beyond the largest f64.
    #[error("the gradient overflows")]
    Overflows,
}

/// Names the cause of a derivative turning non-finite in `op` from finite inputs `args`.
fn classify(op: Op, args: &[f64]) -> GradientIssue {
    let (at, slopes): (&'static str, Vec<f64>) = match (op, args) {
        (Op::F1(f), &[x]) => (functions::name_of(f), vec![slopes1(f, x, value1(f, x)).0]),
        (Op::PowI(n), &[a]) => ("^", vec![times(f64::from(n), a.powi(n.saturating_sub(1)))]),
        (Op::PowF(p), &[a]) => ("^", vec![times(p, pow_less(a, p, 1))]),
        (Op::Div, &[a, b]) => ("/", vec![1.0 / b, -(a / b) / b]),
        (Op::Rem | Op::Pow | Op::Atan2, &[a, b]) => {
            let probe = |a: f64, b: f64| -> [f64; 5] {
                let mut out = [0.0; 5];
                let d = DualDVec64::new(
                    0.0,
                    num_dual::Derivative::some(nalgebra::dvector![1.0, 0.0]),
                );
                let e = DualDVec64::new(
                    0.0,
                    num_dual::Derivative::some(nalgebra::dvector![0.0, 1.0]),
                );
                let r = apply2(op, d + a, e + b);
                if let Some(g) = r.eps.0 {
                    out[0] = g[0];
                    out[1] = g[1];
                }
                out
            };
            let name = match op {
                Op::Rem => "%",
                Op::Pow => "^",
                _ => "atan2",
            };
            let s = probe(a, b);
            (name, vec![s[0], s[1]])
        }
        _ => return GradientIssue::Overflows,
    };
    let at_edge = args.iter().any(|&x| x == 0.0 || x.abs() == 1.0);
    if slopes
        .iter()
        .any(|s| s.is_nan() || (s.is_infinite() && at_edge))
    {
        GradientIssue::NotDifferentiable { at }
    } else {
        GradientIssue::Overflows
    }
}

/// One variable's values for [`Program::eval_batch`]: a value per point, or one for all.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    Points(&'a [f64]),
    Same(f64),
}

/// The larger (or smaller) argument; NaN wins, so a hole in the function stays a hole.
fn min_max<T: Scalar>(larger: bool, args: impl Iterator<Item = T>) -> T {
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

/// A number the program evaluates over: `f64` for values, num-dual's dynamic duals for exact
/// gradients and Hessians. Beyond num-dual's arithmetic, the evaluator needs to set a value
/// exactly (see the module note) and to know when a number does not depend on the variables,
/// so that an infinite slope times a zero change stays zero instead of becoming NaN.
pub trait Scalar: DualNum<Primitive = f64> + From<f64> {
    /// This number with its value replaced and its derivative parts kept.
    fn with_re(self, re: f64) -> Self;
    /// Whether every derivative part is zero: a constant as far as the variables go.
    fn is_constant(&self) -> bool;
    /// Whether every derivative part is finite.
    fn derivatives_finite(&self) -> bool;
    /// Every derivative part times `c`, a zero part staying zero even when `c` is NaN or ±∞:
    /// a variable a sub-expression does not depend on gets no slope from it.
    fn scaled(self, c: f64) -> Self;
}

impl Scalar for f64 {
    fn with_re(self, re: f64) -> f64 {
        re
    }
    fn is_constant(&self) -> bool {
        true
    }
    fn derivatives_finite(&self) -> bool {
        true
    }
    fn scaled(self, c: f64) -> f64 {
        times(c, self)
    }
}

impl Scalar for DualDVec64 {
    fn with_re(mut self, re: f64) -> Self {
        self.re = re;
        self
    }
    fn is_constant(&self) -> bool {
        self.eps
            .0
            .as_ref()
            .is_none_or(|v| v.iter().all(|d| *d == 0.0))
    }
    fn derivatives_finite(&self) -> bool {
        self.eps
            .0
            .as_ref()
            .is_none_or(|v| v.iter().all(|d| d.is_finite()))
    }
    fn scaled(mut self, c: f64) -> Self {
        self.re = times(c, self.re);
        if let Some(v) = self.eps.0.as_mut() {
            v.iter_mut().for_each(|p| *p = times(c, *p));
        }
        self
    }
}

impl Scalar for Dual64 {
    fn with_re(mut self, re: f64) -> Self {
        self.re = re;
        self
    }
    fn is_constant(&self) -> bool {
        self.eps == 0.0
    }
    fn derivatives_finite(&self) -> bool {
        self.eps.is_finite()
    }
    fn scaled(mut self, c: f64) -> Self {
        self.re = times(c, self.re);
        self.eps = times(c, self.eps);
        self
    }
}

impl Scalar for Dual2DVec64 {
    fn with_re(mut self, re: f64) -> Self {
        self.re = re;
        self
    }
    fn is_constant(&self) -> bool {
        self.v1
            .0
            .as_ref()
            .is_none_or(|v| v.iter().all(|d| *d == 0.0))
            && self
                .v2
                .0
                .as_ref()
                .is_none_or(|v| v.iter().all(|d| *d == 0.0))
    }
    fn derivatives_finite(&self) -> bool {
        self.v1
            .0
            .as_ref()
            .is_none_or(|v| v.iter().all(|d| d.is_finite()))
            && self
                .v2
                .0
                .as_ref()
                .is_none_or(|v| v.iter().all(|d| d.is_finite()))
    }
    fn scaled(mut self, c: f64) -> Self {
        self.re = times(c, self.re);
        if let Some(v) = self.v1.0.as_mut() {
            v.iter_mut().for_each(|p| *p = times(c, *p));
        }
        if let Some(v) = self.v2.0.as_mut() {
            v.iter_mut().for_each(|p| *p = times(c, *p));
        }
        self
    }
}

/// `f(x)` by the chain rule: the value `f0`, and the change `f'·dx + f''·dx²/2` where
/// `slopes` gives `(f', f'')`. Plain values skip the derivatives altogether.
fn chain1<T: Scalar>(x: &T, f0: f64, slopes: impl FnOnce() -> (f64, f64)) -> T {
    if T::NDERIV == 0 || x.is_constant() {
        return T::from(f0);
    }
    let (f1, f2) = slopes();
    // The change alone: value exactly 0, even where x is ±∞ (x − x.re would be NaN there).
    let dx = x.clone().with_re(0.0);
    let mut out = dx.clone().scaled(f1);
    if T::NDERIV >= 2 && f2 != 0.0 {
        out += (dx.clone() * dx).scaled(0.5 * f2);
    }
    out.with_re(f0)
}

/// `f(a, b)` by the chain rule; `slopes` gives `[∂a, ∂b, ∂aa, ∂ab, ∂bb]`. A side that does
/// not depend on the variables contributes nothing, whatever its slope.
fn chain2<T: Scalar>(a: &T, b: &T, f0: f64, slopes: impl FnOnce() -> [f64; 5]) -> T {
    let (va, vb) = (!a.is_constant(), !b.is_constant());
    if T::NDERIV == 0 || !(va || vb) {
        return T::from(f0);
    }
    let [fa, fb, faa, fab, fbb] = slopes();
    let da = a.clone().with_re(0.0);
    let db = b.clone().with_re(0.0);
    let mut out = T::from(0.0);
    if va {
        out += da.clone().scaled(fa);
    }
    if vb {
        out += db.clone().scaled(fb);
    }
    if T::NDERIV >= 2 {
        if va && faa != 0.0 {
            out += (da.clone() * da.clone()).scaled(0.5 * faa);
        }
        if va && vb && fab != 0.0 {
            out += (da * db.clone()).scaled(fab);
        }
        if vb && fbb != 0.0 {
            out += (db.clone() * db).scaled(0.5 * fbb);
        }
    }
    out.with_re(f0)
}

/// `c · p`, zero when `p` is: an overflowing coefficient times an underflowed power is a
/// vanishing slope, not NaN.
fn times(c: f64, p: f64) -> f64 {
    if p == 0.0 { 0.0 } else { c * p }
}

/// `a^(e - k)` for the slopes of `a^e`, keeping the sign right for a negative base when `e` is
/// an integer too large for `e - k` to be exact (every f64 from 2^53 up is even).
fn pow_less(a: f64, e: f64, k: i32) -> f64 {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if a < 0.0 && e.fract() == 0.0 && e.abs() >= EXACT {
        let mag = (-a).powf(e - f64::from(k));
        if k % 2 == 0 { mag } else { -mag }
    } else {
        a.powf(e - f64::from(k))
    }
}

fn apply2<T: Scalar>(op: Op, a: T, b: T) -> T {
    match op {
        Op::Add => a + b,
        Op::Sub => a - b,
        Op::Mul => a * b,
        Op::Div => div(a, b),
        Op::Rem => rem(a, b),
        Op::Pow => pow(a, b),
        _ => atan2(a, b),
    }
}

fn pop<T: From<f64>>(stack: &mut Vec<T>) -> T {
    stack.pop().unwrap_or_else(|| T::from(f64::NAN))
}

/// `a / b` with the plain quotient as its value (num-dual computes `a·(1/b)`, which is off in
/// the last bit, and infinite when b is subnormal).
fn div<T: Scalar>(a: T, b: T) -> T {
    let (ar, br) = (a.re(), b.re());
    let q = ar / br;
    chain2(&a, &b, q, || {
        let r = 1.0 / br;
        [r, -q / br, 0.0, -r * r, 2.0 * q / (br * br)]
    })
}

/// f64's `%` (fmod, exact), with slopes 1 and `-n` where `a = n·b + a % b`. Where `a` is a
/// non-zero multiple of `b` the remainder jumps, so it has no slope there (NaN).
fn rem<T: Scalar>(a: T, b: T) -> T {
    let (ar, br) = (a.re(), b.re());
    let r = ar % br;
    chain2(&a, &b, r, || {
        if r == 0.0 && ar != 0.0 {
            [f64::NAN; 5]
        } else {
            [1.0, -((ar - r) / br).round(), 0.0, 0.0, 0.0]
        }
    })
}

/// `a^b` with a variable exponent: f64's `powf` as the value. In the base the slope is
/// `b·a^(b-1)`; in the exponent `a^b·ln a`, which exists only for a positive base (and is 0
/// on a zero base with a positive exponent); elsewhere it is NaN, "not differentiable".
fn pow<T: Scalar>(a: T, b: T) -> T {
    let (ar, br) = (a.re(), b.re());
    let f0 = ar.powf(br);
    chain2(&a, &b, f0, || {
        let fa = times(br, pow_less(ar, br, 1));
        let faa = times(br * (br - 1.0), pow_less(ar, br, 2));
        let (fb, fab, fbb) = if ar > 0.0 {
            let ln = ar.ln();
            (
                times(ln, f0),
                times(1.0 + br * ln, pow_less(ar, br, 1)),
                times(ln * ln, f0),
            )
        } else if ar == 0.0 && br > 0.0 {
            (0.0, if br > 1.0 { 0.0 } else { f64::NAN }, 0.0)
        } else {
            (f64::NAN, f64::NAN, f64::NAN)
        };
        [fa, fb, faa, fab, fbb]
    })
}

/// `a^n` for a constant integer `n` (f64's `powi` as the value).
fn pow_i<T: Scalar>(a: T, n: i32) -> T {
    let ar = a.re();
    chain1(&a, ar.powi(n), || {
        let n = f64::from(n);
        let f1 = if n == 0.0 {
            0.0
        } else {
            times(n, ar.powi(n as i32 - 1))
        };
        let f2 = if n == 0.0 || n == 1.0 {
            0.0
        } else {
            times(n * (n - 1.0), ar.powi(n as i32 - 2))
        };
        (f1, f2)
    })
}

/// `a^p` for a constant `p` that is not a small integer (f64's `powf` as the value).
fn pow_f<T: Scalar>(a: T, p: f64) -> T {
    let ar = a.re();
    chain1(&a, ar.powf(p), || {
        (
            times(p, pow_less(ar, p, 1)),
            times(p * (p - 1.0), pow_less(ar, p, 2)),
        )
    })
}

/// `atan2(a, b)`; its slopes are scaled by the radius first so they never overflow.
fn atan2<T: Scalar>(a: T, b: T) -> T {
    let (ar, br) = (a.re(), b.re());
    chain2(&a, &b, ar.atan2(br), || {
        let r = ar.hypot(br);
        let (u, v) = (ar / r, br / r);
        let r2 = r * r;
        [
            v / r,
            -u / r,
            -2.0 * u * v / r2,
            (u * u - v * v) / r2,
            2.0 * u * v / r2,
        ]
    })
}

/// The logistic function, written so that neither branch overflows exp.
fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// The plain value of a one-argument function: what `value`, the chart grid and the dual
/// numbers all take as `f(x)`.
pub(crate) fn value1(f: Fn1, x: f64) -> f64 {
    match f {
        Fn1::Sqrt => x.sqrt(),
        Fn1::Exp => x.exp(),
        Fn1::Ln => x.ln(),
        Fn1::Log2 => x.log2(),
        Fn1::Log10 => x.log10(),
        Fn1::Abs => x.abs(),
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
        Fn1::Floor => x.floor(),
        Fn1::Ceil => x.ceil(),
        Fn1::Round => x.round(),
        Fn1::Signum => {
            if x == 0.0 {
                0.0
            } else {
                x.signum()
            }
        }
        Fn1::Sigmoid => sigmoid(x),
        // NaN stays NaN: a hole in the function stays a hole.
        Fn1::Relu => {
            if x > 0.0 || x.is_nan() {
                x
            } else {
                0.0
            }
        }
        // ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|), stable for any x.
        Fn1::Softplus => {
            if x > 0.0 {
                x + (-x).exp().ln_1p()
            } else {
                x.exp().ln_1p()
            }
        }
    }
}

/// `(f'(x), f''(x))` given `f0 = f(x)`, in forms that stay finite wherever the slope is: sech²
/// as `(1/cosh)²` (so tanh has slope 0, not NaN, far out), σ(x)·σ(−x) for the logistic.
/// Kinks (|x| and relu at 0) have no slope: NaN, which [`Program::kink_gradient`] resolves
/// where the whole formula is differentiable all the same; steps take a zero slope.
fn slopes1(f: Fn1, x: f64, f0: f64) -> (f64, f64) {
    match f {
        Fn1::Sqrt => {
            let f1 = 0.5 / f0;
            (f1, -0.5 * f1 / x)
        }
        Fn1::Exp => (f0, f0),
        Fn1::Ln => (1.0 / x, -1.0 / (x * x)),
        Fn1::Log2 => {
            let f1 = 1.0 / (x * std::f64::consts::LN_2);
            (f1, -f1 / x)
        }
        Fn1::Log10 => {
            let f1 = 1.0 / (x * std::f64::consts::LN_10);
            (f1, -f1 / x)
        }
        // |x| has a corner at 0: no slope there (NaN, so the run stops and says "not
        // differentiable" instead of stepping by a made-up ±1 and walking away).
        Fn1::Abs if x == 0.0 => (f64::NAN, f64::NAN),
        Fn1::Abs => (if x < 0.0 { -1.0 } else { 1.0 }, 0.0),
        Fn1::Sin => (x.cos(), -f0),
        Fn1::Cos => (-x.sin(), -f0),
        Fn1::Tan => {
            let f1 = 1.0 + f0 * f0;
            (f1, 2.0 * f0 * f1)
        }
        Fn1::Asin | Fn1::Acos => {
            let s = 1.0 / (1.0 - x * x).sqrt();
            let sign = if f == Fn1::Asin { 1.0 } else { -1.0 };
            (sign * s, sign * x * s * s * s)
        }
        Fn1::Atan => {
            let r = 1.0 / x.mul_add(x, 1.0);
            (r, -2.0 * x * r * r)
        }
        Fn1::Sinh => (x.cosh(), f0),
        Fn1::Cosh => (x.sinh(), f0),
        Fn1::Tanh => {
            let s = 1.0 / x.cosh();
            let f1 = s * s;
            (f1, -2.0 * f0 * f1)
        }
        Fn1::Asinh => {
            let s = 1.0 / x.hypot(1.0);
            (s, -x * s * s * s)
        }
        Fn1::Acosh => {
            let s = 1.0 / ((x - 1.0).sqrt() * (x + 1.0).sqrt());
            (s, -x * s * s * s)
        }
        Fn1::Atanh => {
            let r = 1.0 / (1.0 - x * x);
            (r, 2.0 * x * r * r)
        }
        Fn1::Floor | Fn1::Ceil | Fn1::Round | Fn1::Signum => (0.0, 0.0),
        Fn1::Sigmoid => {
            let f1 = f0 * sigmoid(-x);
            (f1, f1 * (1.0 - 2.0 * f0))
        }
        // Like |x|: a corner at 0, whose one-sided slopes (0 and 1) are not a derivative.
        Fn1::Relu if x == 0.0 => (f64::NAN, f64::NAN),
        Fn1::Relu => (if x > 0.0 { 1.0 } else { 0.0 }, 0.0),
        Fn1::Softplus => {
            let s = sigmoid(x);
            (s, s * sigmoid(-x))
        }
    }
}

fn apply1<T: Scalar>(f: Fn1, x: T) -> T {
    let xr = x.re();
    let f0 = value1(f, xr);
    chain1(&x, f0, || slopes1(f, xr, f0))
}

/// The operation one RPN token stands for and how many operands it takes; `None` for a
/// unary plus, which compiles to nothing.
fn op_of(
    tok: &Token,
    index_of: &dyn Fn(&str) -> Option<usize>,
) -> Result<Option<(Op, usize)>, CompileError> {
    Ok(Some(match tok {
        Token::Number(v) => (Op::Const(*v), 0),
        Token::Var(name) => match functions::constant(name) {
            Some(v) => (Op::Const(v), 0),
            None => match index_of(name) {
                Some(i) => (Op::Var(i), 0),
                None => return Err(CompileError(format!("unknown variable '{name}'"))),
            },
        },
        Token::Unary(Operation::Plus) => return Ok(None),
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
    }))
}

/// The op to emit for `op` over the top `arity` stack values (`shadow`, at least `arity`
/// long): with all operands constant, their folded value (their `Const`s are dropped from
/// `ops`); a power with a constant exponent, `PowI`/`PowF` (the exponent's `Const` dropped);
/// otherwise `op` itself.
fn fold(op: Op, arity: usize, shadow: &[Option<f64>], ops: &mut Vec<Op>) -> Op {
    let args = &shadow[shadow.len() - arity..];
    if arity > 0 && args.iter().all(Option::is_some) {
        let vals: Vec<f64> = args.iter().map(|a| a.unwrap_or(f64::NAN)).collect();
        ops.truncate(ops.len() - arity);
        return Op::Const(apply_const(op, &vals));
    }
    match (op, shadow.last().copied().flatten()) {
        (Op::Pow, Some(c)) => {
            ops.pop();
            if c.fract() == 0.0 && c.abs() <= 1e9 {
                Op::PowI(c as i32)
            } else {
                Op::PowF(c)
            }
        }
        (op, _) => op,
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
