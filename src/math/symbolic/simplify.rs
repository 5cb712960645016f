//! Smart constructors: every sum, product, power and call is built through these, so every
//! tree is kept in one canonical, simplified form as it grows.
//!
//! The rules are the ones a teacher applies by hand: fold numbers, drop `·1`, `+0` and `·0`
//! terms, collect like terms (`x + x = 2x`) and powers of the same base (`x·x² = x³`), and
//! keep a factored form such as `(w - 3)/2` unless multiplying out makes it shorter. Each rule
//! holds wherever the original formula has a value (`x^a·x^b = x^(a+b)` may also give a value
//! where the original had none, which a derivative check can only ignore, never trip on).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::expr::{Expr, Func, Named};
use crate::math::functions::Fn1;
use crate::math::program::value1;

/// A number, with −0 read as 0 so that it never prints as `-0`.
pub fn num(v: f64) -> Expr {
    Expr::Num(if v == 0.0 { 0.0 } else { v })
}

pub fn neg(a: Expr) -> Expr {
    product(vec![num(-1.0), a])
}

pub fn recip(a: Expr) -> Expr {
    pow(a, num(-1.0))
}

/// Whether a folded constant is worth showing as a number: `sigmoid(0)` becomes 0.5, but
/// `ln(2)` stays `ln(2)` rather than sixteen digits.
fn nice(v: f64) -> bool {
    v.is_finite() && format!("{v}").len() <= 8
}

fn is_integer(v: f64) -> bool {
    v.fract() == 0.0 && v.abs() <= 1e9
}

/// A factor's base and exponent (`x` is `x^1`).
fn base_exp(e: &Expr) -> (&Expr, Option<&Expr>) {
    match e {
        Expr::Pow(b, x) => (b, Some(x)),
        other => (other, None),
    }
}

fn split_pow(e: Expr) -> (Expr, Expr) {
    match e {
        Expr::Pow(b, x) => (*b, *x),
        other => (other, num(1.0)),
    }
}

/// Where a factor sorts in a product: constants, variables and their numeric powers, powers
/// of numbers, other powers, calls, then sums, so products read `2*pi*x*y^2*2^x*exp(x)*(x + 1)`.
fn factor_class(base: &Expr, exp: Option<&Expr>) -> u8 {
    let numeric_exp = exp.is_none_or(|x| x.as_num().is_some());
    match base {
        Expr::Const(_) => 0,
        Expr::Var(_) if numeric_exp => 1,
        Expr::Num(_) => 2,
        Expr::Var(_) => 3,
        Expr::Call(..) => 4,
        Expr::Sum(_) => 5,
        Expr::Pow(..) => 6,
        Expr::Rem(..) => 7,
        Expr::Product(_) => 8,
    }
}

/// The order of factors in a product; the same base with a larger exponent first.
pub fn factor_cmp(a: &Expr, b: &Expr) -> Ordering {
    let (ba, xa) = base_exp(a);
    let (bb, xb) = base_exp(b);
    let one = num(1.0);
    factor_class(ba, xa)
        .cmp(&factor_class(bb, xb))
        .then_with(|| ba.cmp(bb))
        .then_with(|| xb.unwrap_or(&one).cmp(xa.unwrap_or(&one)))
}

/// A term's polynomial degree, for ordering terms as textbooks do (`x^2 + x*y + y^2`).
fn degree(e: &Expr) -> f64 {
    match e {
        Expr::Var(_) => 1.0,
        Expr::Pow(b, x) => match x.as_num() {
            Some(n) => n * degree(b),
            None => degree(b),
        },
        Expr::Product(fs) => fs.iter().map(degree).sum(),
        Expr::Sum(ts) => ts.iter().map(degree).fold(0.0, f64::max),
        _ => 0.0,
    }
}

/// A term's numeric coefficient and the rest of it (`-2*x*y` is −2 and `x*y`).
fn split_coef(t: Expr) -> (f64, Expr) {
    match t {
        Expr::Product(mut fs) => match fs.first().and_then(Expr::as_num) {
            Some(c) => {
                fs.remove(0);
                if fs.len() == 1 {
                    (c, fs.remove(0))
                } else {
                    (c, Expr::Product(fs))
                }
            }
            None => (1.0, Expr::Product(fs)),
        },
        other => (1.0, other),
    }
}

fn rest_of(t: &Expr) -> &[Expr] {
    match t {
        Expr::Product(fs) if fs.first().is_some_and(|f| f.as_num().is_some()) => &fs[1..],
        Expr::Product(fs) => fs,
        other => std::slice::from_ref(other),
    }
}

/// The order of terms in a sum: higher degree first, then by their factors; numbers last.
fn term_cmp(a: &Expr, b: &Expr) -> Ordering {
    let (ra, rb) = (rest_of(a), rest_of(b));
    let da: f64 = ra.iter().map(degree).sum();
    let db: f64 = rb.iter().map(degree).sum();
    db.total_cmp(&da).then_with(|| {
        for (fa, fb) in ra.iter().zip(rb) {
            let c = factor_cmp(fa, fb);
            if c != Ordering::Equal {
                return c;
            }
        }
        ra.len().cmp(&rb.len())
    })
}

/// The sign a term prints with.
fn signum_of(t: &Expr) -> f64 {
    match t {
        Expr::Num(v) => v.signum(),
        Expr::Product(fs) => fs.first().and_then(Expr::as_num).map_or(1.0, f64::signum),
        _ => 1.0,
    }
}

/// `c·rest`, for a `rest` that is already a canonical product or single factor.
fn scale(c: f64, rest: Expr) -> Expr {
    if c == 1.0 {
        return rest;
    }
    match rest {
        Expr::Product(mut fs) => {
            fs.insert(0, num(c));
            Expr::Product(fs)
        }
        other => Expr::Product(vec![num(c), other]),
    }
}

/// Flattens, folds the numbers and collects like terms.
fn collect(terms: Vec<Expr>) -> Expr {
    let mut constant = 0.0;
    let mut like: BTreeMap<Expr, f64> = BTreeMap::new();
    let mut add = |t: Expr, constant: &mut f64| match t {
        Expr::Num(v) => *constant += v,
        t => {
            let (c, rest) = split_coef(t);
            *like.entry(rest).or_insert(0.0) += c;
        }
    };
    for t in terms {
        match t {
            Expr::Sum(ts) => ts.into_iter().for_each(|t| add(t, &mut constant)),
            t => add(t, &mut constant),
        }
    }
    let mut out: Vec<Expr> = like
        .into_iter()
        .filter(|(_, c)| *c != 0.0)
        .map(|(rest, c)| scale(c, rest))
        .collect();
    out.sort_by(term_cmp);
    if constant != 0.0 {
        out.push(num(constant));
    }
    match out.len() {
        0 => num(0.0),
        1 => out.remove(0),
        _ => Expr::Sum(out),
    }
}

/// `c·(a + b)` as a term, which may be multiplied out.
fn scaled_sum(t: &Expr) -> Option<(f64, &[Expr])> {
    match t {
        Expr::Product(fs) => match fs.as_slice() {
            [Expr::Num(c), Expr::Sum(ts)] => Some((*c, ts)),
            _ => None,
        },
        _ => None,
    }
}

/// A sum in canonical form. A term `c·(a + b)` is multiplied out only when that makes the
/// whole sum smaller (`x + 2(x + 1)` becomes `3x + 2`), so `(w - 3)/2` keeps its textbook form.
pub fn sum(terms: Vec<Expr>) -> Expr {
    let collected = collect(terms);
    if let Expr::Sum(ts) = &collected
        && ts.iter().any(|t| scaled_sum(t).is_some())
    {
        let mut expanded = Vec::new();
        for t in ts {
            match scaled_sum(t) {
                Some((c, inner)) => {
                    expanded.extend(inner.iter().map(|s| product(vec![num(c), s.clone()])))
                }
                None => expanded.push(t.clone()),
            }
        }
        // Only when it lets terms merge (`x + 2(x + 1)` → `3x + 2`); otherwise the factored
        // form is the one the learner wrote.
        let raw = expanded.len();
        let alt = collect(expanded);
        let merged = match &alt {
            Expr::Sum(ts) => ts.len() < raw,
            _ => true,
        };
        if merged && alt.size() <= collected.size() {
            return alt;
        }
    }
    collected
}

/// A product in canonical form: one numeric coefficient first, one factor per base with the
/// exponents added, factors in [`factor_cmp`] order.
pub fn product(factors: Vec<Expr>) -> Expr {
    let mut coef = 1.0;
    let mut groups: BTreeMap<Expr, Vec<Expr>> = BTreeMap::new();
    let mut put = |f: Expr, coef: &mut f64| match f {
        Expr::Num(v) => *coef *= v,
        f => {
            let (b, x) = split_pow(f);
            groups.entry(b).or_default().push(x);
        }
    };
    for f in factors {
        match f {
            Expr::Product(fs) => fs.into_iter().for_each(|g| put(g, &mut coef)),
            f => put(f, &mut coef),
        }
    }
    if coef == 0.0 {
        return num(0.0);
    }
    let mut out = Vec::new();
    let mut regroup = false;
    for (b, mut xs) in groups {
        let x = if xs.len() == 1 { xs.remove(0) } else { sum(xs) };
        match pow(b, x) {
            Expr::Num(v) => coef *= v,
            // A power of a product that became an integer power splits into its factors,
            // which may share bases with the others: group once more.
            Expr::Product(fs) => {
                regroup = true;
                out.extend(fs);
            }
            f => out.push(f),
        }
    }
    if regroup {
        out.insert(0, num(coef));
        return product(out);
    }
    if coef == 0.0 {
        return num(0.0);
    }
    out.sort_by(factor_cmp);
    if coef == -1.0
        && let [Expr::Sum(ts)] = out.as_slice()
    {
        // -(y - x) reads better as x - y; -(x^2 + y^2) stays, as it has fewer minus signs.
        let negative = ts.iter().filter(|t| signum_of(t) < 0.0).count();
        if ts.len() - negative <= negative + 1 {
            return sum(ts.iter().map(|t| neg(t.clone())).collect());
        }
    }
    match (coef == 1.0, out.len()) {
        (_, 0) => num(coef),
        (true, 1) => out.remove(0),
        (true, _) => Expr::Product(out),
        (false, _) => {
            out.insert(0, num(coef));
            Expr::Product(out)
        }
    }
}

/// `base^exp` in canonical form.
pub fn pow(base: Expr, exp: Expr) -> Expr {
    match (base, exp) {
        (_, Expr::Num(0.0)) => num(1.0),
        (b, Expr::Num(1.0)) => b,
        (Expr::Num(1.0), _) => num(1.0),
        (Expr::Num(a), Expr::Num(n)) => {
            let r = a.powf(n);
            if r.is_finite() && (r != 0.0 || a == 0.0) && (is_integer(n) || nice(r)) {
                num(r)
            } else {
                Expr::Pow(Box::new(Expr::Num(a)), Box::new(Expr::Num(n)))
            }
        }
        // (a^b)^n = a^(b·n) for a whole n, wherever the left side has a value.
        (Expr::Pow(b, x), Expr::Num(n)) if is_integer(n) => pow(*b, product(vec![*x, num(n)])),
        // (2x)^2 = 4x^2; not for large n, where (2/y)^3125 has a value but 2^3125 has none.
        (Expr::Product(fs), Expr::Num(n)) if is_integer(n) && n.abs() <= 16.0 => {
            product(fs.into_iter().map(|f| pow(f, num(n))).collect())
        }
        (Expr::Call(Func::One(Fn1::Sqrt), mut args), Expr::Num(n))
            if is_integer(n / 2.0) && args.len() == 1 =>
        {
            pow(args.remove(0), num(n / 2.0))
        }
        (Expr::Const(Named::E), Expr::Call(Func::One(Fn1::Ln), mut args)) if args.len() == 1 => {
            args.remove(0)
        }
        (b, x) => Expr::Pow(Box::new(b), Box::new(x)),
    }
}

/// A call in canonical form: numbers folded when the result reads well, `ln(exp(u))` and
/// `exp(ln(u))` unwrapped, `max` and `min` of one argument dropped.
pub fn call(f: Func, mut args: Vec<Expr>) -> Expr {
    if matches!(f, Func::Max | Func::Min) {
        // max(a, max(b, c)) is max(a, b, c), and max(u, u) is u: both choose the same
        // argument at a tie as the tutor does, so the slope is unchanged.
        let mut seen: Vec<Expr> = Vec::with_capacity(args.len());
        for a in args {
            let inner = match a {
                Expr::Call(g, inner) if g == f => inner,
                a => vec![a],
            };
            for a in inner {
                if !seen.contains(&a) {
                    seen.push(a);
                }
            }
        }
        args = seen;
    }
    match (f, args.as_slice()) {
        (Func::One(g), [Expr::Num(v)]) => {
            // Folded with the very function the tutor evaluates, so a folded constant and the
            // tutor's value never differ in the last bit.
            let r = value1(g, *v);
            if nice(r) {
                return num(r);
            }
        }
        (Func::One(Fn1::Ln), [Expr::Const(Named::E)]) => return num(1.0),
        (Func::One(Fn1::Ln), [Expr::Call(Func::One(Fn1::Exp), inner)])
        | (Func::One(Fn1::Exp), [Expr::Call(Func::One(Fn1::Ln), inner)])
            if inner.len() == 1 =>
        {
            return inner[0].clone();
        }
        (Func::Max | Func::Min, [_]) => return args.remove(0),
        (Func::Max | Func::Min, xs) if xs.iter().all(|x| x.as_num().is_some()) => {
            let vals = xs.iter().filter_map(Expr::as_num);
            let r = if f == Func::Max {
                vals.fold(f64::NEG_INFINITY, f64::max)
            } else {
                vals.fold(f64::INFINITY, f64::min)
            };
            if r.is_finite() {
                return num(r);
            }
        }
        (Func::Atan2, [Expr::Num(y), Expr::Num(x)]) => {
            let r = y.atan2(*x);
            if nice(r) {
                return num(r);
            }
        }
        _ => {}
    }
    Expr::Call(f, args)
}

/// `a % b` (truncated remainder), folded for whole numbers only: there every way of
/// computing it agrees, where `1 % 0.1` depends on rounding (0 or 0.09999999999999995).
pub fn rem(a: Expr, b: Expr) -> Expr {
    if let (Some(x), Some(y)) = (a.as_num(), b.as_num())
        && is_integer(x)
        && is_integer(y)
    {
        let r = x % y;
        if r.is_finite() {
            return num(r);
        }
    }
    Expr::Rem(Box::new(a), Box::new(b))
}
