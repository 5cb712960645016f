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
        if c.is_whitespace() {
            spaced = true;
            i += 1;
            continue;
        }
        let col = i + 1;
        let (tok, end) = if starts_number(chars, i) {
            lex_number(chars, i)?
        } else if is_name_start(c) {
            lex_name(chars, i)
        } else if superscript_digit(c).is_some() {
            // x² means x^2: the power sign goes out here, its exponent below.
            out.push(Lexed {
                tok: Token::Binary(Operation::Pow),
                col,
                end: col,
                spaced,
            });
            spaced = false;
            lex_superscript(chars, i)
        } else {
            lex_symbol(chars, i)?
        };
        out.push(Lexed {
            tok,
            col,
            end,
            spaced,
        });
        spaced = false;
        i = end;
    }
    Ok(out)
}

/// Whether a number starts at `i`: a digit, or a point with a digit after it (`.5`).
fn starts_number(chars: &[char], i: usize) -> bool {
    chars[i].is_ascii_digit()
        || (chars[i] == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
}

/// Where the run of ASCII digits starting at `i` ends.
fn digits_end(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() && chars[i].is_ascii_digit() {
        i += 1;
    }
    i
}

/// The number starting at `start`, and the index just past it.
fn lex_number(chars: &[char], start: usize) -> Result<(Token, usize), FormulaError> {
    let mut i = digits_end(chars, start);
    if i < chars.len() && chars[i] == '.' {
        i = digits_end(chars, i + 1);
    }
    // An exponent only when digits follow, so `2e` and `2ex` read as `2` next to a name.
    if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
        let mut j = i + 1;
        if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
            j += 1;
        }
        if j < chars.len() && chars[j].is_ascii_digit() {
            i = digits_end(chars, j);
        }
    }
    let text = number_text(&chars[start..i]);
    let Ok(v) = text.parse::<f64>() else {
        return Err(FormulaError::at(
            start + 1,
            format!("'{text}' is not a number"),
            format!("'{text}' 不是一个数"),
        ));
    };
    Ok((Token::Number(v), i))
}

/// The name starting at `start` in meval's ASCII (θ₁ → `theta1`), and the index just past it.
/// meval folds `name (` into one function token; so does this, the `(` included.
fn lex_name(chars: &[char], start: usize) -> (Token, usize) {
    let mut name = String::new();
    let mut i = start;
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
    let mut j = i;
    while j < chars.len() && chars[j].is_whitespace() {
        j += 1;
    }
    if j < chars.len() && chars[j] == '(' {
        (Token::Func(name, None), j + 1)
    } else {
        (Token::Var(name), i)
    }
}

/// A run of superscript digits as the exponent it stands for, and the index just past it.
fn lex_superscript(chars: &[char], start: usize) -> (Token, usize) {
    let mut i = start;
    while i < chars.len() && superscript_digit(chars[i]).is_some() {
        i += 1;
    }
    let text = number_text(&chars[start..i]);
    let v = text.parse::<f64>().unwrap_or(f64::NAN);
    (Token::Number(v), i)
}

/// The operator, parenthesis or comma at `i` (with its friendly spellings), and the index
/// just past it.
fn lex_symbol(chars: &[char], i: usize) -> Result<(Token, usize), FormulaError> {
    let c = chars[i];
    let tok = match c {
        '*' if chars.get(i + 1) == Some(&'*') => return Ok((Token::Binary(Operation::Pow), i + 2)),
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
            let col = i + 1;
            return Err(FormulaError::at(
                col,
                format!("unexpected character '{c}' at column {col}"),
                format!("第 {col} 列有不认识的字符 '{c}'"),
            ));
        }
    };
    Ok((tok, i + 1))
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
    /// Where the function's name starts, or the bare `(`: arity errors point at the name.
    col: usize,
    /// The column of the `(` itself (for `sin(` at column 1 that is 4): an unclosed
    /// parenthesis is reported here, where the learner must look.
    paren: usize,
    func: Option<(String, usize)>,
}

/// Lexes and checks a formula. With `vars`, only those names may be variables; without, any
/// name that is not a constant is one. Variables are collected in order of first appearance.
pub fn check(input: &str, vars: Option<&[String]>) -> Result<Checked, FormulaError> {
    let chars: Vec<char> = input.chars().collect();
    reject_long_or_blank(&chars)?;
    let mut tokens = lex(&chars)?;
    let mut grammar = Grammar {
        chars: &chars,
        vars,
        names: Vec::new(),
        stack: Vec::new(),
        want_operand: true,
    };
    for k in 0..tokens.len() {
        let (done, rest) = tokens.split_at_mut(k);
        let prev = done.last();
        let t = &mut rest[0];
        if grammar.want_operand {
            grammar.operand(t, prev)?;
        } else {
            grammar.operator(t, prev)?;
        }
    }
    grammar.finish(&tokens)?;
    Ok(Checked {
        tokens: tokens.into_iter().map(|t| t.tok).collect(),
        names: grammar.names,
    })
}

fn reject_long_or_blank(chars: &[char]) -> Result<(), FormulaError> {
    if chars.len() > MAX_LEN {
        return Err(FormulaError::new(
            format!(
                "the formula is {} characters long; the limit is {MAX_LEN}",
                chars.len()
            ),
            format!("公式有 {} 个字符，上限是 {MAX_LEN} 个", chars.len()),
        ));
    }
    if chars.iter().all(|c| c.is_whitespace()) {
        return Err(empty());
    }
    Ok(())
}

/// The state of [`check`]'s one pass over the tokens.
struct Grammar<'a> {
    chars: &'a [char],
    vars: Option<&'a [String]>,
    /// Variables in order of first appearance, with the column of each.
    names: Vec<(String, usize)>,
    /// The parentheses open so far, innermost last.
    stack: Vec<Open>,
    /// true while an operand (number, name, closed group) is needed next.
    want_operand: bool,
}

impl Grammar<'_> {
    /// Checks a token where an operand is wanted; a sign here becomes meval's unary one.
    fn operand(&mut self, t: &mut Lexed, prev: Option<&Lexed>) -> Result<(), FormulaError> {
        let col = t.col;
        match &t.tok {
            Token::Number(_) => self.want_operand = false,
            Token::Var(n) => {
                self.variable(n, col)?;
                self.want_operand = false;
            }
            Token::Func(n, _) => {
                if functions::lookup(n).is_none() {
                    return Err(FormulaError::at(
                        col,
                        format!(
                            "unknown function '{n}' at column {col} (known: {})",
                            functions::known_list()
                        ),
                        format!(
                            "第 {col} 列的函数 '{n}' 不认识（可用的有：{}）",
                            functions::known_list()
                        ),
                    ));
                }
                // The `(` ends the token; `end` is 0-based past it, so it is its 1-based column.
                self.stack.push(Open {
                    col,
                    paren: t.end.max(col),
                    func: Some((n.clone(), 1)),
                });
            }
            Token::LParen => self.stack.push(Open {
                col,
                paren: col,
                func: None,
            }),
            // A sign where an operand is wanted: meval's unary plus or minus.
            Token::Binary(op @ (Operation::Plus | Operation::Minus)) => {
                t.tok = Token::Unary(*op);
            }
            Token::RParen => return Err(close_too_early(prev, col)),
            _ => {
                return Err(FormulaError::at(
                    col,
                    format!("unexpected '{}' at column {col}", show(t, self.chars)),
                    format!("第 {col} 列不该出现 '{}'", show(t, self.chars)),
                ));
            }
        }
        if self.stack.len() > MAX_DEPTH {
            return Err(FormulaError::at(
                col,
                format!("parentheses nest deeper than {MAX_DEPTH} levels at column {col}"),
                format!("第 {col} 列的括号嵌套超过了 {MAX_DEPTH} 层"),
            ));
        }
        Ok(())
    }

    /// Checks a variable name against the allowed ones and records its first appearance.
    fn variable(&mut self, n: &str, col: usize) -> Result<(), FormulaError> {
        if functions::is_constant(n) {
            return Ok(());
        }
        if let Some(vars) = self.vars.filter(|v| !v.iter().any(|m| m == n)) {
            return Err(FormulaError::at(
                col,
                format!(
                    "unknown variable '{n}' at column {col} (the variables are {})",
                    vars.join(", ")
                ),
                format!(
                    "第 {col} 列的变量 '{n}' 不认识（变量是 {}）",
                    vars.join(", ")
                ),
            ));
        }
        if !self.names.iter().any(|(m, _)| m == n) {
            self.names.push((n.to_string(), col));
        }
        Ok(())
    }

    /// Checks a token where an operator, `)` or `,` is wanted.
    fn operator(&mut self, t: &Lexed, prev: Option<&Lexed>) -> Result<(), FormulaError> {
        let col = t.col;
        match &t.tok {
            Token::Binary(_) => self.want_operand = true,
            Token::RParen => self.close(col)?,
            Token::Comma => match self.stack.last_mut() {
                Some(Open {
                    func: Some((_, args)),
                    ..
                }) => {
                    *args += 1;
                    self.want_operand = true;
                }
                _ => {
                    return Err(FormulaError::at(
                        col,
                        format!(
                            "unexpected ',' at column {col}: commas only separate a function's arguments"
                        ),
                        format!("第 {col} 列不该有 ','：逗号只用来分隔函数的参数"),
                    ));
                }
            },
            _ => return Err(missing_operator(prev, t, self.chars)),
        }
        Ok(())
    }

    /// Closes the innermost parenthesis at `col`; a call's arguments are counted here.
    fn close(&mut self, col: usize) -> Result<(), FormulaError> {
        match self.stack.pop() {
            Some(Open {
                col: open,
                func: Some((name, args)),
                ..
            }) => check_arity(&name, args, open),
            Some(Open { func: None, .. }) => Ok(()),
            None => Err(FormulaError::at(
                col,
                format!("unbalanced parentheses: ')' at column {col} has no matching '('"),
                format!("括号不配对：第 {col} 列的 ')' 没有对应的 '('"),
            )),
        }
    }

    /// After the last token: every parenthesis closed, and no operand still wanted.
    fn finish(&self, tokens: &[Lexed]) -> Result<(), FormulaError> {
        if let Some(open) = self.stack.last() {
            let p = open.paren;
            let (en, zh) = match (&open.func, self.want_operand) {
                (Some((name, 1)), true) if tokens.last().is_some_and(|t| t.end == p) => (
                    format!("{name}( at column {p} needs an argument and a closing ')'"),
                    format!("第 {p} 列的 {name}( 还缺一个参数和右括号 ')'"),
                ),
                _ => (
                    format!("unbalanced parentheses: '(' at column {p} is never closed"),
                    format!("括号不配对：第 {p} 列的 '(' 没有闭合"),
                ),
            };
            return Err(FormulaError::at(p, en, zh));
        }
        if self.want_operand {
            let Some(last) = tokens.last() else {
                return Err(empty());
            };
            let (tok, col) = (show(last, self.chars), last.col);
            return Err(FormulaError::at(
                col,
                format!(
                    "the formula ends too early: a value is missing after '{tok}' at column {col}"
                ),
                format!("公式提前结束了：第 {col} 列的 '{tok}' 后面还缺一个值"),
            ));
        }
        Ok(())
    }
}

/// A formula with nothing in it.
fn empty() -> FormulaError {
    FormulaError::new("the formula is empty".to_string(), "公式是空的".to_string())
}

/// The error for a `)` at `col` where a value is still wanted.
fn close_too_early(prev: Option<&Lexed>, col: usize) -> FormulaError {
    let (en, zh) = match prev.map(|p| &p.tok) {
        Some(Token::Func(n, _)) => (
            format!("{n}() needs an argument (column {col})"),
            format!("{n}() 需要一个参数（第 {col} 列）"),
        ),
        Some(Token::LParen) => (
            format!("empty parentheses at column {col}"),
            format!("第 {col} 列的括号是空的"),
        ),
        _ => (
            format!("unexpected ')' at column {col}: a value is missing before it"),
            format!("第 {col} 列的 ')' 前面缺一个值"),
        ),
    };
    FormulaError::at(col, en, zh)
}

/// The error for an operand `t` right after another operand `prev`.
fn missing_operator(prev: Option<&Lexed>, t: &Lexed, chars: &[char]) -> FormulaError {
    let col = t.col;
    let p = prev.map(|p| show(p, chars)).unwrap_or_default();
    let n = show(t, chars);
    let (en, zh) = match (prev.map(|p| &p.tok), &t.tok) {
        (Some(Token::Number(_)), Token::Var(_) | Token::Func(..)) if !t.spaced => (
            format!("write {p}*{n} at column {col}: a number next to a name needs '*'"),
            format!("请写成 {p}*{n}（第 {col} 列：数和名字之间要写 '*'）"),
        ),
        _ => (
            format!(
                "missing operator between '{p}' and '{n}' at column {col} (write {p}*{n} for a product)"
            ),
            format!("第 {col} 列的 '{p}' 和 '{n}' 之间缺少运算符（乘积请写 {p}*{n}）"),
        ),
    };
    FormulaError::at(col, en, zh)
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
        let (want, want_zh) = match f.arity {
            Arity::Exactly(1) => ("1 argument".to_string(), "1 个参数".to_string()),
            Arity::Exactly(n) => (format!("{n} arguments"), format!("{n} 个参数")),
            Arity::AtLeastOne => (
                "one or more arguments".to_string(),
                "至少一个参数".to_string(),
            ),
        };
        Err(FormulaError::at(
            col,
            format!("{name} takes {want}, got {args} (column {col})"),
            format!("{name} 要 {want_zh}，这里给了 {args} 个（第 {col} 列）"),
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
