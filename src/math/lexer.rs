//! The friendly front of the formula parser.
//!
//! meval's tokenizer only says "unexpected token at byte N" and cannot read `θ₁`, `x²` or `**`.
//! This pass reads what learners actually type, rewrites it into meval's ASCII grammar, and
//! checks the same grammar meval checks (operand / operator alternation, parentheses, commas),
//! so that every error can name the problem and the column the learner sees. Everything here is
//! a single loop over the input: no recursion, so no input can overflow the stack.

use super::FormulaError;
use super::functions::{self, Arity};

/// The longest formula accepted, in characters.
pub const MAX_LEN: usize = 1000;
/// The deepest nesting of parentheses accepted.
pub const MAX_DEPTH: usize = 64;

/// One token of the rewritten (ASCII, whitespace-free) formula.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Num(String),
    /// A variable or constant name.
    Name(String),
    /// A function name; the `(` that follows is folded into it, as meval does.
    Func(String),
    Op(char),
    LParen,
    RParen,
    Comma,
}

/// A token and the 1-based character column where it starts in the learner's input.
#[derive(Debug, Clone)]
pub struct Lexed {
    pub tok: Tok,
    pub col: usize,
    /// Whether white space stood between this token and the previous one.
    pub spaced: bool,
}

/// What the checked formula holds: its tokens and its variables in order of first appearance.
#[derive(Debug, Clone)]
pub struct Checked {
    pub tokens: Vec<Lexed>,
    pub names: Vec<(String, usize)>,
}

impl Checked {
    /// The ASCII text meval parses.
    pub fn meval_text(&self) -> String {
        let mut s = String::new();
        for t in &self.tokens {
            match &t.tok {
                Tok::Num(n) => s.push_str(n),
                Tok::Name(n) => s.push_str(n),
                Tok::Func(n) => {
                    s.push_str(n);
                    s.push('(');
                }
                Tok::Op(c) => s.push(*c),
                Tok::LParen => s.push('('),
                Tok::RParen => s.push(')'),
                Tok::Comma => s.push(','),
            }
        }
        s
    }
}

fn greek(c: char) -> Option<&'static str> {
    Some(match c {
        'α' => "alpha",
        'β' => "beta",
        'γ' => "gamma",
        'δ' => "delta",
        'ε' | 'ϵ' => "epsilon",
        'ζ' => "zeta",
        'η' => "eta",
        'θ' | 'ϑ' => "theta",
        'ι' => "iota",
        'κ' => "kappa",
        'λ' => "lambda",
        'μ' => "mu",
        'ν' => "nu",
        'ξ' => "xi",
        'π' => "pi",
        'ρ' => "rho",
        'σ' => "sigma",
        'τ' => "tau",
        'υ' => "upsilon",
        'φ' | 'ϕ' => "phi",
        'χ' => "chi",
        'ψ' => "psi",
        'ω' => "omega",
        _ => return None,
    })
}

fn subscript_digit(c: char) -> Option<char> {
    let d = (c as u32).checked_sub('₀' as u32)?;
    char::from_digit(d, 10).filter(|_| d < 10)
}

fn superscript_digit(c: char) -> Option<char> {
    match c {
        '⁰' => Some('0'),
        '¹' => Some('1'),
        '²' => Some('2'),
        '³' => Some('3'),
        '⁴'..='⁹' => char::from_digit(c as u32 - '⁴' as u32 + 4, 10),
        _ => None,
    }
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || greek(c).is_some()
}

fn is_name_continue(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || greek(c).is_some() || subscript_digit(c).is_some()
}

/// Splits the input into tokens, rewriting friendly spellings into meval's.
fn lex(chars: &[char]) -> Result<Vec<Lexed>, FormulaError> {
    let mut out: Vec<Lexed> = Vec::new();
    let mut i = 0;
    let mut spaced = false;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        let mut push = |tok: Tok, spaced: &mut bool| {
            out.push(Lexed {
                tok,
                col,
                spaced: *spaced,
            });
            *spaced = false;
        };
        if c.is_whitespace() {
            spaced = true;
            i += 1;
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            if i < chars.len() && chars[i] == '.' {
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
            }
            // An exponent only when digits follow, so `2e` and `2ex` read as `2` next to a name.
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    while j < chars.len() && chars[j].is_ascii_digit() {
                        j += 1;
                    }
                    i = j;
                }
            }
            let mut text: String = chars[start..i].iter().collect();
            if text.starts_with('.') {
                text.insert(0, '0');
            }
            if text.parse::<f64>().is_err() {
                return Err(FormulaError::at(col, format!("'{text}' is not a number")));
            }
            push(Tok::Num(text), &mut spaced);
        } else if is_name_start(c) {
            let mut name = String::new();
            while i < chars.len() && is_name_continue(chars[i]) {
                let ch = chars[i];
                if let Some(g) = greek(ch) {
                    name.push_str(g);
                } else if let Some(d) = subscript_digit(ch) {
                    name.push(d);
                } else {
                    name.push(ch);
                }
                i += 1;
            }
            // meval folds `name (` into one function token; so do we.
            let mut j = i;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            if j < chars.len() && chars[j] == '(' {
                i = j + 1;
                push(Tok::Func(name), &mut spaced);
            } else {
                push(Tok::Name(name), &mut spaced);
            }
        } else if let Some(d) = superscript_digit(c) {
            // x² means x^2: a run of superscript digits becomes one power.
            let mut digits = String::from(d);
            i += 1;
            while i < chars.len() {
                match superscript_digit(chars[i]) {
                    Some(d) => digits.push(d),
                    None => break,
                }
                i += 1;
            }
            push(Tok::Op('^'), &mut spaced);
            out.push(Lexed {
                tok: Tok::Num(digits),
                col,
                spaced: false,
            });
        } else {
            let tok = match c {
                '*' if chars.get(i + 1) == Some(&'*') => {
                    i += 1;
                    Tok::Op('^')
                }
                '+' | '-' | '*' | '/' | '%' | '^' => Tok::Op(c),
                '×' | '·' | '⋅' | '∙' => Tok::Op('*'),
                '÷' => Tok::Op('/'),
                '−' | '–' => Tok::Op('-'),
                '(' => Tok::LParen,
                ')' => Tok::RParen,
                ',' => Tok::Comma,
                _ => {
                    return Err(FormulaError::at(
                        col,
                        format!("unexpected character '{c}' at column {col}"),
                    ));
                }
            };
            i += 1;
            push(tok, &mut spaced);
        }
    }
    Ok(out)
}

fn show(t: &Tok) -> String {
    match t {
        Tok::Num(n) | Tok::Name(n) => n.clone(),
        Tok::Func(n) => format!("{n}("),
        Tok::Op(c) => c.to_string(),
        Tok::LParen => "(".into(),
        Tok::RParen => ")".into(),
        Tok::Comma => ",".into(),
    }
}

/// One open parenthesis: where it opened and, for a function call, the call's name and
/// how many arguments it has seen so far.
struct Open {
    col: usize,
    func: Option<(String, usize)>,
}

/// Lexes and checks a formula. With `vars`, only those names may be variables; without, any
/// name that is not a constant is one. Variables are collected in order of first appearance.
pub fn check(input: &str, vars: Option<&[String]>) -> Result<Checked, FormulaError> {
    let chars: Vec<char> = input.chars().collect();
    if chars.len() > MAX_LEN {
        return Err(FormulaError::new(format!(
            "the formula is {} characters long; the limit is {MAX_LEN}",
            chars.len()
        )));
    }
    if chars.iter().all(|c| c.is_whitespace()) {
        return Err(FormulaError::new("the formula is empty".to_string()));
    }
    let tokens = lex(&chars)?;
    let mut names: Vec<(String, usize)> = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    // true while an operand (number, name, closed group) is needed next.
    let mut want_operand = true;
    let mut prev: Option<&Lexed> = None;
    for t in &tokens {
        let col = t.col;
        if want_operand {
            match &t.tok {
                Tok::Num(_) => want_operand = false,
                Tok::Name(n) => {
                    if !functions::is_constant(n) {
                        if let Some(vars) = vars.filter(|v| !v.contains(n)) {
                            return Err(FormulaError::at(
                                col,
                                format!(
                                    "unknown variable '{n}' at column {col} (the variables are {})",
                                    vars.join(", ")
                                ),
                            ));
                        }
                        if !names.iter().any(|(m, _)| m == n) {
                            names.push((n.clone(), col));
                        }
                    }
                    want_operand = false;
                }
                Tok::Func(n) => {
                    if functions::lookup(n).is_none() {
                        return Err(FormulaError::at(
                            col,
                            format!(
                                "unknown function '{n}' at column {col} (known: {})",
                                functions::known_list()
                            ),
                        ));
                    }
                    stack.push(Open {
                        col,
                        func: Some((n.clone(), 1)),
                    });
                }
                Tok::LParen => stack.push(Open { col, func: None }),
                Tok::Op('+') | Tok::Op('-') => {}
                Tok::RParen => {
                    let msg = match prev.map(|p| &p.tok) {
                        Some(Tok::Func(n)) => format!("{n}() needs an argument (column {col})"),
                        Some(Tok::LParen) => format!("empty parentheses at column {col}"),
                        _ => {
                            format!("unexpected ')' at column {col}: a value is missing before it")
                        }
                    };
                    return Err(FormulaError::at(col, msg));
                }
                other => {
                    return Err(FormulaError::at(
                        col,
                        format!("unexpected '{}' at column {col}", show(other)),
                    ));
                }
            }
            if stack.len() > MAX_DEPTH {
                return Err(FormulaError::at(
                    col,
                    format!("parentheses nest deeper than {MAX_DEPTH} levels at column {col}"),
                ));
            }
        } else {
            match &t.tok {
                Tok::Op(_) => want_operand = true,
                Tok::RParen => match stack.pop() {
                    Some(open) => {
                        if let Some((name, args)) = open.func {
                            check_arity(&name, args, open.col)?;
                        }
                    }
                    None => {
                        return Err(FormulaError::at(
                            col,
                            format!(
                                "unbalanced parentheses: ')' at column {col} has no matching '('"
                            ),
                        ));
                    }
                },
                Tok::Comma => match stack.last_mut() {
                    Some(Open {
                        func: Some((_, args)),
                        ..
                    }) => {
                        *args += 1;
                        want_operand = true;
                    }
                    _ => {
                        return Err(FormulaError::at(
                            col,
                            format!(
                                "unexpected ',' at column {col}: commas only separate a function's arguments"
                            ),
                        ));
                    }
                },
                next => {
                    let p = prev.map(|p| show(&p.tok)).unwrap_or_default();
                    let n = show(next);
                    let msg = match (prev.map(|p| &p.tok), next) {
                        (Some(Tok::Num(_)), Tok::Name(_) | Tok::Func(_)) if !t.spaced => {
                            format!(
                                "write {p}*{n} at column {col}: a number next to a name needs '*'"
                            )
                        }
                        _ => format!(
                            "missing operator between '{p}' and '{n}' at column {col} (write {p}*{n} for a product)"
                        ),
                    };
                    return Err(FormulaError::at(col, msg));
                }
            }
        }
        prev = Some(t);
    }
    if let Some(open) = stack.last() {
        return Err(FormulaError::at(
            open.col,
            format!(
                "unbalanced parentheses: '(' at column {} is never closed",
                open.col
            ),
        ));
    }
    if want_operand {
        let last = tokens.last().expect("a non-empty formula has tokens");
        return Err(FormulaError::at(
            last.col,
            format!(
                "the formula ends too early: a value is missing after '{}' at column {}",
                show(&last.tok),
                last.col
            ),
        ));
    }
    Ok(Checked { tokens, names })
}

fn check_arity(name: &str, args: usize, col: usize) -> Result<(), FormulaError> {
    let Some(f) = functions::lookup(name) else {
        return Ok(());
    };
    let ok = match f.arity {
        Arity::Exactly(n) => n == args,
        Arity::AtLeastOne => args >= 1,
    };
    if ok {
        Ok(())
    } else {
        let want = match f.arity {
            Arity::Exactly(1) => "1 argument".to_string(),
            Arity::Exactly(n) => format!("{n} arguments"),
            Arity::AtLeastOne => "one or more arguments".to_string(),
        };
        Err(FormulaError::at(
            col,
            format!("{name} takes {want}, got {args} (column {col})"),
        ))
    }
}
