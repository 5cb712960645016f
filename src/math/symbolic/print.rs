//! Prints a tree in the formula language, with the fewest parentheses that keep its meaning
//! under meval's precedence (`+ -` < `* / %` < unary minus < `^`), so that the output can be
//! typed back into the tutor and reads like a textbook: `2*x + y`, `(w - 3)/2`, `1/(2*sqrt(x))`.

use super::expr::Expr;

/// Binding strength of a printed form; an operand weaker than its place needs parentheses.
const SUM: u8 = 1;
const PRODUCT: u8 = 2;
const POW: u8 = 4;
const ATOM: u8 = 5;

/// Prints `e`, naming variable i `names[i]`.
pub fn print(e: &Expr, names: &[String]) -> String {
    let mut out = String::new();
    write(e, names, &mut out);
    out
}

/// A number as the lexer reads it back to the same f64: the shortest round-trip decimal,
/// with an exponent when it would be very long.
pub fn number(v: f64) -> String {
    let a = v.abs();
    if v.is_nan() {
        "(0/0)".into()
    } else if v.is_infinite() {
        // The lexer reads 1e999 as infinity: the value the derivative really has.
        if v > 0.0 { "1e999" } else { "-1e999" }.into()
    } else if a != 0.0 && !(1e-4..1e16).contains(&a) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// A number standing alone (a term, an exponent): `1/3` rather than 0.3333333333333333.
fn constant(v: f64) -> String {
    let sign = if v < 0.0 { "-" } else { "" };
    match coefficient(v.abs()) {
        (_, None) => number(v),
        (None, Some(d)) => format!("{sign}1/{d}"),
        (Some(m), Some(d)) => format!("{sign}{m}/{d}"),
    }
}

fn is_integer(v: f64) -> bool {
    v.fract() == 0.0 && v.abs() <= 1e15
}

fn negative_exponent(e: &Expr) -> Option<(&Expr, f64)> {
    match e {
        Expr::Pow(b, x) => match x.as_num() {
            Some(n) if n < 0.0 => Some((b, -n)),
            _ => None,
        },
        _ => None,
    }
}

fn precedence(e: &Expr) -> u8 {
    match e {
        Expr::Num(v) if *v < 0.0 => SUM,
        Expr::Num(v) if coefficient(*v).1.is_some() => PRODUCT,
        Expr::Num(_) | Expr::Const(_) | Expr::Var(_) | Expr::Call(..) => ATOM,
        Expr::Sum(_) => SUM,
        Expr::Product(fs) if fs.first().and_then(Expr::as_num).is_some_and(|c| c < 0.0) => SUM,
        Expr::Product(_) | Expr::Rem(..) => PRODUCT,
        Expr::Pow(..) if negative_exponent(e).is_some() => PRODUCT,
        Expr::Pow(..) => POW,
    }
}

/// Writes `e`, in parentheses when it binds less tightly than `need`.
fn operand(e: &Expr, need: u8, names: &[String], out: &mut String) {
    if precedence(e) < need {
        out.push('(');
        write(e, names, out);
        out.push(')');
    } else {
        write(e, names, out);
    }
}

fn write(e: &Expr, names: &[String], out: &mut String) {
    match e {
        Expr::Num(v) => out.push_str(&constant(*v)),
        Expr::Const(c) => out.push_str(c.name()),
        Expr::Var(i) => out.push_str(names.get(*i).map_or("?", String::as_str)),
        Expr::Sum(ts) => write_sum(ts, names, out),
        Expr::Product(fs) => write_product(fs, names, out),
        Expr::Pow(..) if negative_exponent(e).is_some() => {
            write_product(std::slice::from_ref(e), names, out)
        }
        Expr::Pow(b, x) => {
            operand(b, ATOM, names, out);
            out.push('^');
            operand(x, ATOM, names, out);
        }
        Expr::Call(f, args) => {
            out.push_str(f.name());
            out.push('(');
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write(a, names, out);
            }
            out.push(')');
        }
        Expr::Rem(a, b) => {
            operand(a, POW, names, out);
            out.push_str(" % ");
            operand(b, POW, names, out);
        }
    }
}

/// A term's sign and the term without it.
fn signed(t: &Expr) -> (bool, Expr) {
    match t {
        Expr::Num(v) if *v < 0.0 => (true, Expr::Num(-v)),
        Expr::Product(fs) => match fs.first().and_then(Expr::as_num) {
            Some(c) if c < 0.0 => {
                let mut fs = fs.clone();
                fs[0] = Expr::Num(-c);
                if c == -1.0 {
                    fs.remove(0);
                }
                match fs.len() {
                    1 => (true, fs.remove(0)),
                    _ => (true, Expr::Product(fs)),
                }
            }
            _ => (false, t.clone()),
        },
        _ => (false, t.clone()),
    }
}

fn write_sum(ts: &[Expr], names: &[String], out: &mut String) {
    let mut terms: Vec<(bool, Expr)> = ts.iter().map(signed).collect();
    // `1 - x` rather than `-x + 1`: lead with a positive term when there is one.
    if let Some(i) = terms.iter().position(|(neg, _)| !neg)
        && i > 0
    {
        let t = terms.remove(i);
        terms.insert(0, t);
    }
    for (i, (neg, t)) in terms.iter().enumerate() {
        match (i, neg) {
            (0, true) => out.push('-'),
            (0, false) => {}
            (_, true) => out.push_str(" - "),
            (_, false) => out.push_str(" + "),
        }
        operand(t, PRODUCT, names, out);
    }
}

/// How a coefficient reads best: `2*x`, `x/2` (halves, thirds, quarters: fractions), `0.1*x`
/// (fifths and tenths: decimals), `2*x/3`. Returns the numerator and denominator parts.
fn coefficient(c: f64) -> (Option<String>, Option<String>) {
    if c == 1.0 {
        return (None, None);
    }
    if is_integer(c) {
        return (Some(number(c)), None);
    }
    let n = 1.0 / c;
    if is_integer(n) && n % 5.0 != 0.0 {
        return (None, Some(number(n)));
    }
    if (c * 1000.0).fract() != 0.0 {
        for d in (2..=12u32).filter(|d| d % 5 != 0) {
            let m = c * f64::from(d);
            if is_integer(m) {
                return (Some(number(m)), Some(d.to_string()));
            }
        }
    }
    (Some(number(c)), None)
}

fn write_product(fs: &[Expr], names: &[String], out: &mut String) {
    let (mut c, rest) = match fs.first().and_then(Expr::as_num) {
        Some(c) => (c, &fs[1..]),
        None => (1.0, fs),
    };
    if c < 0.0 {
        out.push('-');
        c = -c;
    }
    let (top_c, bottom_c) = coefficient(c);
    let mut top: Vec<String> = top_c.into_iter().collect();
    let mut bottom: Vec<String> = bottom_c.into_iter().collect();
    for f in rest {
        let mut s = String::new();
        match negative_exponent(f) {
            Some((b, n)) => {
                operand(b, ATOM, names, &mut s);
                if n != 1.0 {
                    s.push('^');
                    operand(&Expr::Num(n), ATOM, names, &mut s);
                }
                bottom.push(s);
            }
            None => {
                operand(f, POW, names, &mut s);
                top.push(s);
            }
        }
    }
    if top.is_empty() {
        top.push("1".into());
    }
    out.push_str(&top.join("*"));
    match bottom.len() {
        0 => {}
        1 => {
            out.push('/');
            out.push_str(&bottom[0]);
        }
        _ => {
            out.push_str("/(");
            out.push_str(&bottom.join("*"));
            out.push(')');
        }
    }
}
