//! The friendly front of the formula parser.
//!
//! meval's tokenizer only says "unexpected token at byte N" and cannot read `θ₁`, `x²` or `**`.
//! This pass reads what learners actually type straight into meval's own [`Token`]s, and checks
//! the same grammar meval's shunting-yard assumes (operand / operator alternation, parentheses,
//! commas), so that every error can name the problem and the column the learner sees, and the
//! tokens go to `meval::shunting_yard::to_rpn` as they are: the text is read once. Everything
//! here is a single loop over the input: no recursion, so no input can overflow the stack.

use meval::tokenizer::{Operation, Token};

use super::FormulaError;
use super::functions::{self, Arity};
use crate::numfmt::greek_name;

/// The longest formula accepted, in characters.
pub const MAX_LEN: usize = 1000;
/// The deepest nesting of parentheses accepted.
pub const MAX_DEPTH: usize = 64;

/// A token and where it stands in the learner's input. Names are already rewritten into
/// meval's ASCII (θ₁ → `theta1`); `+` and `-` leave the lexer as binary and become unary in
/// [`check`], which knows whether an operand is wanted.
#[derive(Debug, Clone)]
struct Lexed {
    tok: Token,
    /// 1-based character column where the token starts.
    col: usize,
    /// 0-based character index just past the token (for quoting a number as typed).
    end: usize,
    /// Whether white space stood between this token and the previous one.
    spaced: bool,
}

/// What the checked formula holds: meval's tokens, ready for `to_rpn`, and the variables in
/// order of first appearance with the column of each.
#[derive(Debug, Clone)]
pub struct Checked {
    pub tokens: Vec<Token>,
    pub names: Vec<(String, usize)>,
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
    c.is_ascii_alphabetic() || c == '_' || greek_name(c).is_some()
}

fn is_name_continue(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || greek_name(c).is_some() || subscript_digit(c).is_some()
}

/// Splits the input into meval tokens, rewriting friendly spellings into meval's.
fn lex(chars: &[char]) -> Result<Vec<Lexed>, FormulaError> {
    let mut out: Vec<Lexed> = Vec::new();
    let mut i = 0;
    let mut spaced = false;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        let mut push = |tok: Token, end: usize, spaced: &mut bool| {
            out.push(Lexed {
                tok,
                col,
                end,
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
            let text = number_text(&chars[start..i]);
            let Ok(v) = text.parse::<f64>() else {
                return Err(FormulaError::at(col, format!("'{text}' is not a number")));
            };
            push(Token::Number(v), i, &mut spaced);
        } else if is_name_start(c) {
            let mut name = String::new();
            while i < chars.len() && is_name_continue(chars[i]) {
                let ch = chars[i];
                if let Some(g) = greek_name(ch) {
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
                push(Token::Func(name, None), i, &mut spaced);
            } else {
                push(Token::Var(name), i, &mut spaced);
            }
        } else if superscript_digit(c).is_some() {
            // x² means x^2: a run of superscript digits becomes one power.
            let start = i;
            while i < chars.len() && superscript_digit(chars[i]).is_some() {
                i += 1;
            }
            let text = number_text(&chars[start..i]);
            let v = text.parse::<f64>().unwrap_or(f64::NAN);
            push(Token::Binary(Operation::Pow), start + 1, &mut spaced);
            out.push(Lexed {
                tok: Token::Number(v),
                col,
                end: i,
                spaced: false,
            });
        } else {
            let tok = match c {
                '*' if chars.get(i + 1) == Some(&'*') => {
                    i += 1;
                    Token::Binary(Operation::Pow)
                }
                '+' => Token::Binary(Operation::Plus),
                '-' | '−' | '–' => Token::Binary(Operation::Minus),
                '*' | '×' | '·' | '⋅' | '∙' => Token::Binary(Operation::Times),
                '/' | '÷' => Token::Binary(Operation::Div),
                '%' => Token::Binary(Operation::Rem),
                '^' => Token::Binary(Operation::Pow),
                '(' => Token::LParen,
                ')' => Token::RParen,
                ',' => Token::Comma,
                _ => {
                    return Err(FormulaError::at(
                        col,
                        format!("unexpected character '{c}' at column {col}"),
                    ));
                }
            };
            i += 1;
            push(tok, i, &mut spaced);
        }
    }
    Ok(out)
}

/// A number as the messages quote it: superscript digits read as digits, `.5` as `0.5`.
fn number_text(chars: &[char]) -> String {
    let mut text: String = chars
        .iter()
        .map(|&c| superscript_digit(c).unwrap_or(c))
        .collect();
    if text.starts_with('.') {
        text.insert(0, '0');
    }
    text
}

fn op_char(op: Operation) -> char {
    match op {
        Operation::Plus => '+',
        Operation::Minus => '-',
        Operation::Times => '*',
        Operation::Div => '/',
        Operation::Rem => '%',
        Operation::Pow => '^',
    }
}

/// A token as error messages quote it, in meval's spelling (`θ₁` as `theta1`, `**` as `^`).
fn show(t: &Lexed, chars: &[char]) -> String {
    match &t.tok {
        Token::Number(_) => number_text(chars.get(t.col - 1..t.end).unwrap_or_default()),
        Token::Var(n) => n.clone(),
        Token::Func(n, _) => format!("{n}("),
        Token::Binary(op) | Token::Unary(op) => op_char(*op).to_string(),
        Token::LParen => "(".into(),
        Token::RParen => ")".into(),
        Token::Comma => ",".into(),
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
    let mut tokens = lex(&chars)?;
    let mut names: Vec<(String, usize)> = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    // true while an operand (number, name, closed group) is needed next.
    let mut want_operand = true;
    for k in 0..tokens.len() {
        let (done, rest) = tokens.split_at_mut(k);
        let prev = done.last();
        let t = &mut rest[0];
        let col = t.col;
        if want_operand {
            match &t.tok {
                Token::Number(_) => want_operand = false,
                Token::Var(n) => {
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
                Token::Func(n, _) => {
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
                Token::LParen => stack.push(Open { col, func: None }),
                // A sign where an operand is wanted: meval's unary plus or minus.
                Token::Binary(op @ (Operation::Plus | Operation::Minus)) => {
                    t.tok = Token::Unary(*op);
                }
                Token::RParen => {
                    let msg = match prev.map(|p| &p.tok) {
                        Some(Token::Func(n, _)) => {
                            format!("{n}() needs an argument (column {col})")
                        }
                        Some(Token::LParen) => format!("empty parentheses at column {col}"),
                        _ => {
                            format!("unexpected ')' at column {col}: a value is missing before it")
                        }
                    };
                    return Err(FormulaError::at(col, msg));
                }
                _ => {
                    return Err(FormulaError::at(
                        col,
                        format!("unexpected '{}' at column {col}", show(t, &chars)),
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
                Token::Binary(_) => want_operand = true,
                Token::RParen => match stack.pop() {
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
                Token::Comma => match stack.last_mut() {
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
                    let p = prev.map(|p| show(p, &chars)).unwrap_or_default();
                    let n = show(t, &chars);
                    let msg = match (prev.map(|p| &p.tok), next) {
                        (Some(Token::Number(_)), Token::Var(_) | Token::Func(..)) if !t.spaced => {
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
        let Some(last) = tokens.last() else {
            return Err(FormulaError::new("the formula is empty".to_string()));
        };
        return Err(FormulaError::at(
            last.col,
            format!(
                "the formula ends too early: a value is missing after '{}' at column {}",
                show(last, &chars),
                last.col
            ),
        ));
    }
    Ok(Checked {
        tokens: tokens.into_iter().map(|t| t.tok).collect(),
        names,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    /// For plain ASCII, the one pass gives exactly the tokens meval's own tokenizer gives, so
    /// `to_rpn` reads them as meval would have read the text.
    #[test]
    fn ascii_formulas_lex_to_mevals_tokens() {
        for src in [
            "x^2 + x*y + y^2",
            "-x + +y - -2",
            "2^-x^2",
            "sin(x) * exp(-y^2/4)",
            "max(x, y, 1.5e-3) % 2",
            "atan2(y, x) / (1 + x)",
            "(1 - x)^2 + 100*(y - x^2)^2",
            "12345678901234567890 % y^7",
            "pi * e - 0.5",
        ] {
            let ours = check(src, None).unwrap().tokens;
            let mevals = meval::tokenizer::tokenize(src).unwrap();
            assert_eq!(ours, mevals, "{src}");
        }
    }

    #[test]
    fn friendly_spellings_become_mevals_tokens() {
        let ours = check("θ₁² · 2 − x**3 ÷ .5", None).unwrap().tokens;
        let mevals = meval::tokenizer::tokenize("theta1^2 * 2 - x^3 / 0.5").unwrap();
        assert_eq!(ours, mevals);
    }

    #[test]
    fn numbers_are_quoted_as_typed() {
        let e = check("x + .5y", None).unwrap_err();
        assert_eq!(e.column, Some(7));
        assert!(e.message.starts_with("write 0.5*y"), "{}", e.message);
        let e = check("x² 3", None).unwrap_err();
        assert!(e.message.contains("between '2' and '3'"), "{}", e.message);
    }
}
