//! A formula a learner typed, ready to evaluate and differentiate.

use meval::tokenizer::Token;
use nalgebra::DVector;
use num_dual::{Dual2DVec64, DualDVec64};

use super::lexer;
use super::program::{GradientIssue, Input, Program};

/// What is wrong with a formula, and where (1-based character column), in words a learner
/// can act on. The tutor is bilingual, so every error carries the same facts in English
/// (`message`, also what `Display` prints and what the CLI shows) and in Chinese
/// (`message_zh`); the math core keeps them as plain strings so it needs no UI type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FormulaError {
    pub column: Option<usize>,
    pub message: String,
    pub message_zh: String,
}

impl FormulaError {
    pub(crate) fn new(message: String, message_zh: String) -> Self {
        FormulaError {
            column: None,
            message,
            message_zh,
        }
    }

    pub(crate) fn at(column: usize, message: String, message_zh: String) -> Self {
        FormulaError {
            column: Some(column),
            message,
            message_zh,
        }
    }

    /// The message in Chinese when `chinese`, else in English: callers that know the
    /// learner's language pick with one flag instead of matching on a UI type.
    pub fn message_in(&self, chinese: bool) -> &str {
        if chinese {
            &self.message_zh
        } else {
            &self.message
        }
    }

    /// A caret under the offending column, to print under the formula.
    pub fn caret(&self) -> Option<String> {
        self.column
            .map(|c| format!("{}^", " ".repeat(c.saturating_sub(1))))
    }
}

/// A parsed and compiled formula over named variables.
#[derive(Debug, Clone)]
pub struct Formula {
    source: String,
    vars: Vec<String>,
    program: Program,
}

impl PartialEq for Formula {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source && self.vars == other.vars
    }
}

/// The formula being typed in the tutor's editor, parsed as it changes, so that Enter takes
/// the parse the live check already made instead of reading the text once more.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    text: String,
    parsed: Option<Result<Formula, FormulaError>>,
}

impl Draft {
    /// Parses `text` unless it is the text parsed last time; the first problem, if any.
    pub fn update(&mut self, text: &str) -> Option<&FormulaError> {
        if self.parsed.is_none() || self.text != text {
            self.text = text.to_string();
            self.parsed = Some(Formula::parse(text));
        }
        self.parsed.as_ref().and_then(|r| r.as_ref().err())
    }

    /// The parsed formula for `text` (reusing the last parse when the text is the same),
    /// leaving the draft empty.
    pub fn take(&mut self, text: &str) -> Result<Formula, FormulaError> {
        match self.parsed.take() {
            Some(parsed) if self.text == text => parsed,
            _ => Formula::parse(text),
        }
    }
}

/// Normalises a variable name the way the formula lexer does (θ₁ → theta1), so that
/// `--vars θ1,θ2` matches a formula written with θ₁.
pub fn normalize_name(name: &str) -> Result<String, FormulaError> {
    let name = name.trim();
    let checked = lexer::check(name, None).map_err(|e| {
        FormulaError::new(
            format!("'{name}' is not a valid variable name ({e})"),
            format!("'{name}' 不能作变量名（{}）", e.message_zh),
        )
    })?;
    let not_a_name = || {
        FormulaError::new(
            format!("'{name}' is not a valid variable name: use letters, digits and _"),
            format!("'{name}' 不能作变量名：只能用字母、数字和 _"),
        )
    };
    match checked.tokens.as_slice() {
        [t] => match t {
            Token::Var(n) if super::functions::is_constant(n) => Err(FormulaError::new(
                format!("'{name}' is a constant and cannot be a variable"),
                format!("'{name}' 是常数，不能作变量"),
            )),
            Token::Var(n) => Ok(n.clone()),
            _ => Err(not_a_name()),
        },
        _ => Err(not_a_name()),
    }
}

/// meval's shunting-yard refusing what the lexer accepted: not expected, but said plainly.
fn unordered(e: meval::shunting_yard::RPNError) -> FormulaError {
    FormulaError::new(
        format!("meval could not order the formula: {e}"),
        format!("meval 无法排列这个公式：{e}"),
    )
}

impl Formula {
    /// Parses a formula; its variables are the names in it, in order of first appearance.
    pub fn parse(source: &str) -> Result<Formula, FormulaError> {
        Self::build(source, None)
    }

    /// Parses a formula over exactly these variables, in this order. A name in the formula
    /// that is not listed is an error; a listed name the formula does not use is allowed
    /// (its partial derivative is 0).
    pub fn parse_with_vars<S: AsRef<str>>(
        source: &str,
        vars: &[S],
    ) -> Result<Formula, FormulaError> {
        let mut names: Vec<String> = Vec::with_capacity(vars.len());
        for v in vars {
            let n = normalize_name(v.as_ref())?;
            if names.contains(&n) {
                return Err(FormulaError::new(
                    format!("the variable '{}' is listed twice", v.as_ref()),
                    format!("变量 '{}' 列了两次", v.as_ref()),
                ));
            }
            names.push(n);
        }
        if names.is_empty() {
            return Err(FormulaError::new(
                "the list of variables is empty".into(),
                "变量列表是空的".into(),
            ));
        }
        Self::build(source, Some(names))
    }

    fn build(source: &str, vars: Option<Vec<String>>) -> Result<Formula, FormulaError> {
        let checked = lexer::check(source, vars.as_deref())?;
        let vars = vars.unwrap_or_else(|| checked.names.iter().map(|(n, _)| n.clone()).collect());
        // The lexer has checked meval's grammar already, so meval agreeing is the expected
        // case; if it ever disagrees, say so instead of guessing.
        let rpn = meval::shunting_yard::to_rpn(&checked.tokens).map_err(unordered)?;
        let index_of = |name: &str| vars.iter().position(|v| v == name);
        let program = Program::compile(&rpn, &index_of, vars.len()).map_err(|e| {
            FormulaError::new(
                format!("could not compile the formula: {}", e.0),
                format!("无法编译这个公式：{}", e.0),
            )
        })?;
        Ok(Formula {
            source: source.to_string(),
            vars,
            program,
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn vars(&self) -> &[String] {
        &self.vars
    }

    /// meval's RPN of the formula (names normalised, constants still named), for code that
    /// reads the formula's structure instead of evaluating it: the symbolic derivative.
    pub fn rpn(&self) -> Result<Vec<meval::tokenizer::Token>, FormulaError> {
        let checked = lexer::check(&self.source, Some(&self.vars))?;
        meval::shunting_yard::to_rpn(&checked.tokens).map_err(unordered)
    }

    /// How many operations one evaluation runs: the work per point, bounded by the length
    /// of the source (the fuzz target checks that no input costs more).
    pub fn program_len(&self) -> usize {
        self.program.len()
    }

    /// L(θ). Missing coordinates read as NaN.
    pub fn value(&self, theta: &[f64]) -> f64 {
        self.program.eval_f64(theta)
    }

    /// Values over a grid, row by row (`ys` outer, `xs` inner): the two axis variables sweep
    /// `xs` and `ys`, every other variable stays at its value in `at`.
    pub fn grid(&self, at: &[f64], x_var: usize, y_var: usize, xs: &[f64], ys: &[f64]) -> Vec<f64> {
        let mut scratch = Vec::new();
        let mut row = Vec::with_capacity(xs.len());
        let mut out = Vec::with_capacity(xs.len() * ys.len());
        let mut inputs: Vec<Input> = (0..self.vars.len())
            .map(|i| Input::Same(at.get(i).copied().unwrap_or(f64::NAN)))
            .collect();
        for &y in ys {
            if let Some(v) = inputs.get_mut(x_var) {
                *v = Input::Points(xs);
            }
            if let Some(v) = inputs.get_mut(y_var) {
                *v = Input::Same(y);
            }
            self.program
                .eval_batch(&inputs, xs.len(), &mut scratch, &mut row);
            out.extend_from_slice(&row);
        }
        out
    }

    /// L(θ) and ∇L(θ), exact (forward-mode dual numbers, no finite differences). At a kink
    /// of |x| or relu the gradient is NaN unless the formula is differentiable there all the
    /// same (|x|² at 0): then it is that derivative.
    pub fn gradient(&self, theta: &[f64]) -> (f64, Vec<f64>) {
        let padded = self.pad(theta);
        let x = DVector::from_column_slice(&padded);
        let (v, g) = num_dual::gradient(
            |xs: DVector<DualDVec64>| self.program.eval(xs.as_slice(), &mut Vec::new()),
            &x,
        );
        let mut g: Vec<f64> = g.iter().copied().collect();
        if v.is_finite()
            && g.iter().any(|d| !d.is_finite())
            && let Some(k) = self.program.kink_gradient(&padded)
        {
            g = k;
        }
        (v, g)
    }

    /// Why ∇L(θ) is not a finite vector although L(θ) is finite ("not differentiable at this
    /// point", "the gradient overflows"), for the status to say instead of NaN; `None` when
    /// the gradient is finite or the value is not.
    pub fn gradient_issue(&self, theta: &[f64]) -> Option<GradientIssue> {
        self.program.gradient_issue(&self.pad(theta))
    }

    /// L(θ), ∇L(θ) and the Hessian ∇²L(θ) (row-major), exact. At a kink where L is still
    /// differentiable (`abs(x)^2` at 0) the gradient is [`Self::gradient`]'s, so the two never
    /// disagree; the second derivatives there stay NaN (they are not defined).
    pub fn hessian(&self, theta: &[f64]) -> (f64, Vec<f64>, Vec<Vec<f64>>) {
        let padded = self.pad(theta);
        let x = DVector::from_column_slice(&padded);
        let (v, g, h) = num_dual::hessian(
            |xs: DVector<Dual2DVec64>| self.program.eval(xs.as_slice(), &mut Vec::new()),
            &x,
        );
        let n = self.vars.len();
        let rows = (0..n)
            .map(|i| (0..n).map(|j| h[(i, j)]).collect())
            .collect();
        let mut g: Vec<f64> = g.iter().copied().collect();
        if v.is_finite()
            && g.iter().any(|d| !d.is_finite())
            && let Some(k) = self.program.kink_gradient(&padded)
        {
            g = k;
        }
        (v, g, rows)
    }

    fn pad(&self, theta: &[f64]) -> Vec<f64> {
        let mut v = theta.to_vec();
        v.resize(self.vars.len(), f64::NAN);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_reuses_its_parse_and_notices_edits() {
        let mut d = Draft::default();
        assert!(d.update("x^").is_some());
        assert!(d.update("x^2").is_none());
        assert_eq!(d.take("x^2").unwrap().source(), "x^2");
        // Taken: the next take parses afresh, and a stale draft never answers for new text.
        assert!(d.update("y + 1").is_none());
        assert_eq!(d.take("y + 2").unwrap().source(), "y + 2");
        assert!(d.take("y +").is_err());
    }

    /// |x| and relu have no slope at 0, but a formula built on them may (|x|², |x|·y at
    /// y = 0): the gradient is that derivative where the one-sided slopes agree, NaN where
    /// they do not.
    #[test]
    fn a_kink_has_a_gradient_only_where_the_formula_is_differentiable() {
        let grad = |src: &str, at: &[f64]| Formula::parse(src).unwrap().gradient(at).1;
        assert_eq!(grad("abs(x)^2", &[0.0]), [0.0]);
        assert_eq!(grad("relu(x)^2", &[0.0]), [0.0]);
        assert_eq!(grad("relu(x) - relu(-x)", &[0.0]), [1.0]);
        assert_eq!(grad("abs(x)*y", &[0.0, 0.0]), [0.0, 0.0]);
        assert_eq!(grad("abs(x)^2 + y^2", &[0.0, 1.0]), [0.0, 2.0]);
        for (src, at) in [
            ("abs(x)", vec![0.0]),
            ("relu(x)", vec![0.0]),
            ("abs(x) + abs(-x)", vec![0.0]),
            ("abs(x)*y", vec![0.0, 1.0]),
            ("abs(x - y)", vec![1.0, 1.0]),
            ("relu(x + y) - relu(x) - relu(y)", vec![0.0, 0.0]),
            ("sqrt(abs(x))", vec![0.0]),
        ] {
            let f = Formula::parse(src).unwrap();
            let (v, g) = f.gradient(&at);
            assert!(
                v.is_finite() && g.iter().any(|d| d.is_nan()),
                "{src}: {g:?}"
            );
            assert!(
                matches!(
                    f.gradient_issue(&at),
                    Some(GradientIssue::NotDifferentiable { .. })
                ),
                "{src}"
            );
        }
        assert_eq!(
            Formula::parse("abs(x)^2").unwrap().gradient_issue(&[0.0]),
            None
        );
        // Away from the kink nothing changes.
        assert_eq!(grad("relu(x)", &[2.0]), [1.0]);
        assert_eq!(grad("abs(x)", &[-2.0]), [-1.0]);
    }
}
