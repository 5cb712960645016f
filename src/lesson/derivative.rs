//! The "type the derivative" exercise: the learner types a formula for ∂f/∂x and it is right
//! when it equals the exact partial derivative everywhere that matters. "Everywhere" is tested
//! at simple integer points first and then at seeded random points of the window, against the
//! math core's dual-number gradient, so `y + 2*x` passes for `2*x + y` and no string matching
//! decides anything. A wrong answer names the first point where it differs, with both values:
//! "at (0, 1) yours gives 0, ∂f/∂x is 1" tells the learner which term they lost.

use std::ops::Range;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::predict::Graded;
use super::text::Text;
use crate::math::symbolic;
use crate::math::{Formula, FormulaError};
use crate::numfmt::pretty_name;

/// Random points tried besides the simple ones.
pub const RANDOM_POINTS: usize = 24;
/// At least this many random points must have a finite exact derivative, or the exercise
/// cannot be graded (a kink or a pole everywhere the window reaches).
pub const MIN_POINTS: usize = 20;
/// Relative agreement asked of a typed derivative: only rounding may differ.
const REL: f64 = 1e-9;
/// Absolute floor near zero, where a relative test would ask for exact zeros.
const ABS: f64 = 1e-9;
/// The integer coordinates tried first, simplest first.
const SIMPLE: [f64; 7] = [0.0, 1.0, -1.0, 2.0, -2.0, 3.0, -3.0];
/// The most simple points tried (many variables would make the grid large).
const MAX_SIMPLE: usize = 64;

/// Why a derivative exercise cannot be graded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unfit {
    /// Too few sample points have a finite exact derivative.
    NotDifferentiable { usable: usize },
    /// The variable index is out of range.
    NoSuchVariable,
}

impl Unfit {
    pub fn words(&self) -> Text {
        match self {
            Unfit::NotDifferentiable { usable } => Text::new(
                format!(
                    "这个函数的导数在窗口里几乎处处不是有限数（{RANDOM_POINTS} 个随机点里只有 {usable} 个可用），没法判你的答案"
                ),
                format!(
                    "its exact derivative is not a finite number at most points of the window (only {usable} of {RANDOM_POINTS} random points): nothing to grade against"
                ),
            ),
            Unfit::NoSuchVariable => Text::new("没有这个变量", "no such variable"),
        }
    }
}

/// What a derivative question asks: ∂f/∂`var` of `formula`, graded at `points`.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub formula: Formula,
    /// Index of the variable the derivative is taken with respect to.
    pub var: usize,
    /// The function's name as the page writes it: f, L, J.
    pub fn_name: String,
    /// Sample points with the exact partial there: simple points first, then random ones;
    /// only points where the exact derivative is finite.
    points: Vec<(Vec<f64>, f64)>,
    /// ∂f/∂var written as a formula, for the reveal; None when it cannot be written (the
    /// grading does not need it).
    pub exact: Option<String>,
}

/// The box each variable is sampled in.
pub type Bounds = Vec<(f64, f64)>;

impl Target {
    /// The question for ∂`formula`/∂(variable `var`), sampled in `bounds` (one interval per
    /// variable) with random points drawn from `seed`.
    pub fn new(
        formula: Formula,
        var: usize,
        bounds: &[(f64, f64)],
        fn_name: &str,
        seed: u64,
    ) -> Result<Target, Unfit> {
        let n = formula.vars().len();
        if var >= n || bounds.len() != n {
            return Err(Unfit::NoSuchVariable);
        }
        let exact_at = |p: &[f64]| formula.gradient(p).1.get(var).copied();
        let mut points = Vec::new();
        for p in simple_points(bounds) {
            if let Some(d) = exact_at(&p).filter(|d| d.is_finite()) {
                points.push((p, d));
            }
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut usable = 0;
        for _ in 0..RANDOM_POINTS {
            let p: Vec<f64> = bounds
                .iter()
                .map(|&(a, b)| if a < b { rng.random_range(a..b) } else { a })
                .collect();
            if let Some(d) = exact_at(&p).filter(|d| d.is_finite()) {
                points.push((p, d));
                usable += 1;
            }
        }
        if usable < MIN_POINTS {
            return Err(Unfit::NotDifferentiable { usable });
        }
        let exact = symbolic::partials(&formula)
            .ok()
            .and_then(|p| p.partials.get(var).cloned());
        Ok(Target {
            formula,
            var,
            fn_name: fn_name.to_string(),
            points,
            exact,
        })
    }

    /// How many points an answer is checked at.
    pub fn point_count(&self) -> usize {
        self.points.len()
    }

    /// The variable's name as the learner reads it (`x`, `w₁`).
    pub fn var_name(&self) -> String {
        pretty_name(&self.formula.vars()[self.var])
    }

    /// `f′(x)` for a function of one variable, `∂f/∂x` for more.
    pub fn label(&self) -> String {
        if self.formula.vars().len() == 1 {
            format!("{}′({})", self.fn_name, self.var_name())
        } else {
            format!("∂{}/∂{}", self.fn_name, self.var_name())
        }
    }

    /// The answer as the reveal shows it: `∂f/∂x = 2*x + y`.
    pub fn reveal(&self) -> String {
        match &self.exact {
            Some(d) => format!("{} = {d}", self.label()),
            None => self.label(),
        }
    }

    /// Grades a typed formula.
    pub fn grade(&self, input: &str) -> Graded {
        let input = input.trim();
        if input.is_empty() {
            return Graded::Unreadable(Text::new(
                format!("请输入 {} 的公式，例如 2*x + 1", self.label()),
                format!("type a formula for {}, e.g. 2*x + 1", self.label()),
            ));
        }
        let vars = self.formula.vars();
        let typed = match Formula::parse(input) {
            Ok(f) => f,
            Err(e) => return Graded::Unreadable(formula_error(&e)),
        };
        if let Some(bad) = typed.vars().iter().find(|v| !vars.contains(v)) {
            let have: Vec<String> = vars.iter().map(|v| pretty_name(v)).collect();
            let (bad, have) = (pretty_name(bad), have.join(", "));
            return Graded::Unreadable(Text::new(
                format!("这里没有变量 {bad}：{} 的变量是 {have}", self.fn_name),
                format!("{bad} is not a variable here: {} has {have}", self.fn_name),
            ));
        }
        let typed = match Formula::parse_with_vars(input, vars) {
            Ok(f) => f,
            Err(e) => return Graded::Unreadable(formula_error(&e)),
        };
        for (p, want) in &self.points {
            let got = typed.value(p);
            if !agrees(got, *want) {
                return Graded::Wrong(self.differs(p, got, *want));
            }
        }
        Graded::Correct
    }

    /// "at (0, 1) yours gives 0, ∂f/∂x is 1", in both languages.
    fn differs(&self, p: &[f64], got: f64, want: f64) -> Text {
        let at = if p.len() == 1 {
            format!("{} = {}", self.var_name(), num(p[0]))
        } else {
            let c: Vec<String> = p.iter().map(|v| num(*v)).collect();
            format!("({})", c.join(", "))
        };
        // Two values that print alike differ further down: show more digits.
        let (g, w) = if num(got) == num(want) {
            (long(got), long(want))
        } else {
            (num(got), num(want))
        };
        let label = self.label();
        if got.is_finite() {
            Text::new(
                format!("在 {at}，你的式子得 {g}，而 {label} 是 {w}"),
                format!("at {at} yours gives {g}, {label} is {w}"),
            )
        } else {
            Text::new(
                format!("在 {at}，你的式子没有定义，而 {label} 是 {w}"),
                format!("at {at} yours is undefined, {label} is {w}"),
            )
        }
    }
}

fn agrees(got: f64, want: f64) -> bool {
    got.is_finite() && (got - want).abs() <= REL * got.abs().max(want.abs()) + ABS
}

/// A number as the pages print it, with a true minus sign.
fn num(v: f64) -> String {
    crate::numfmt::short(v).replace('-', "−")
}

fn long(v: f64) -> String {
    crate::numfmt::sig(v, 12).replace('-', "−")
}

/// The formula parser's own message in both languages (`2x` reads "write 2*x" / "请写成 2*x").
fn formula_error(e: &FormulaError) -> Text {
    Text::new(e.message_zh.clone(), e.message.clone())
}

/// Integer points inside `bounds`, simplest first: (0, 0), (0, 1), (1, 0), (0, −1), …
fn simple_points(bounds: &[(f64, f64)]) -> Vec<Vec<f64>> {
    let per_var: Vec<Vec<(usize, f64)>> = bounds
        .iter()
        .map(|&(a, b)| {
            SIMPLE
                .iter()
                .copied()
                .enumerate()
                .filter(|&(_, v)| a <= v && v <= b)
                .collect()
        })
        .collect();
    if per_var.iter().any(Vec::is_empty) {
        return Vec::new();
    }
    // Every combination, each coordinate's rank in SIMPLE as its key.
    let mut all: Vec<Vec<(usize, f64)>> = vec![Vec::new()];
    for choices in &per_var {
        let mut next = Vec::new();
        for prefix in &all {
            for c in choices {
                let mut p = prefix.clone();
                p.push(*c);
                next.push(p);
            }
            if next.len() > 4 * MAX_SIMPLE {
                break;
            }
        }
        all = next;
    }
    all.sort_by_key(|p| {
        let size: f64 = p.iter().map(|(_, v)| v.abs()).sum();
        (size as u32, p.iter().map(|(k, _)| *k).collect::<Vec<_>>())
    });
    all.truncate(MAX_SIMPLE);
    all.into_iter()
        .map(|p| p.into_iter().map(|(_, v)| v).collect())
        .collect()
}

/// Where a text states the derivative as written in `exact` (`2*x + y` found as `2x + y`),
/// ignoring spaces, `*`, `·` and `×`, and reading `x²` as `x^2`. A constant derivative is never
/// looked for: "3" appears in every text.
pub fn stated_in(src: &str, exact: &str) -> Option<Range<usize>> {
    let want: String = canonical(exact).into_iter().map(|(c, _)| c).collect();
    if !want.chars().any(|c| c.is_alphabetic()) || want.chars().count() < 2 {
        return None;
    }
    let have = canonical(src);
    let chars: Vec<char> = have.iter().map(|(c, _)| *c).collect();
    let w: Vec<char> = want.chars().collect();
    let start = chars.windows(w.len()).position(|win| win == w.as_slice())?;
    let (_, a) = have[start];
    let (_, b) = have[start + w.len() - 1];
    Some(a..b + src[b..].chars().next().map_or(0, char::len_utf8))
}

/// The characters that matter for comparing formulas, each with its byte offset in `s`.
fn canonical(s: &str) -> Vec<(char, usize)> {
    let mut out = Vec::new();
    for (i, c) in s.char_indices() {
        match c {
            ' ' | '*' | '·' | '×' | '\t' => {}
            '²' => {
                out.push(('^', i));
                out.push(('2', i));
            }
            '³' => {
                out.push(('^', i));
                out.push(('3', i));
            }
            '−' | '–' => out.push(('-', i)),
            c => out.push((c, i)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::Lang;

    fn pd() -> Target {
        let f = Formula::parse("x^2 + x*y + y^2").unwrap();
        Target::new(f, 0, &[(-1.0, 5.0), (-2.0, 4.0)], "f", 14).unwrap()
    }

    #[test]
    fn equivalent_forms_are_right() {
        let t = pd();
        assert!(t.point_count() >= MIN_POINTS);
        for s in [
            "2*x + y",
            "y + 2*x",
            "x + x + y",
            "(4*x + 2*y)/2",
            " y+2*x*1 ",
        ] {
            assert_eq!(t.grade(s), Graded::Correct, "{s}");
        }
        assert_eq!(t.reveal(), "∂f/∂x = 2*x + y");
    }

    #[test]
    fn a_wrong_derivative_names_a_simple_point_and_both_values() {
        let Graded::Wrong(h) = pd().grade("2*x") else {
            panic!()
        };
        assert_eq!(h.get(Lang::En), "at (0, 1) yours gives 0, ∂f/∂x is 1");
        assert_eq!(h.get(Lang::Zh), "在 (0, 1)，你的式子得 0，而 ∂f/∂x 是 1");
        // Right at every integer point but off by a little elsewhere: a random point.
        let Graded::Wrong(h) = pd().grade("2*x + y + 0.001*sin(3.14159265358979*x)") else {
            panic!()
        };
        assert!(h.get(Lang::En).starts_with("at ("), "{}", h.get(Lang::En));
    }

    #[test]
    fn two_x_says_write_two_times_x_and_a_stranger_variable_is_named() {
        let Graded::Unreadable(t) = pd().grade("2x + y") else {
            panic!()
        };
        assert!(t.get(Lang::En).contains("2*x"), "{}", t.get(Lang::En));
        assert!(t.get(Lang::Zh).contains("2*x"), "{}", t.get(Lang::Zh));
        let Graded::Unreadable(t) = pd().grade("2*x + z") else {
            panic!()
        };
        assert_eq!(t.get(Lang::En), "z is not a variable here: f has x, y");
    }

    #[test]
    fn one_variable_reads_f_prime() {
        let f = Formula::parse("x^3 - 3*x").unwrap();
        let t = Target::new(f, 0, &[(-2.5, 2.5)], "f", 1).unwrap();
        assert_eq!(t.reveal(), "f′(x) = 3*x^2 - 3");
        let Graded::Wrong(h) = t.grade("3*x^2") else {
            panic!()
        };
        assert_eq!(h.get(Lang::En), "at x = 0 yours gives 0, f′(x) is −3");
        let Graded::Wrong(h) = t.grade("1/(x - 1)") else {
            panic!()
        };
        assert!(h.get(Lang::En).starts_with("at x = 0 yours gives −1"));
    }

    #[test]
    fn a_kink_everywhere_cannot_be_graded() {
        let f = Formula::parse("sqrt(x)").unwrap();
        let e = Target::new(f, 0, &[(-5.0, -1.0)], "L", 1).unwrap_err();
        assert!(matches!(e, Unfit::NotDifferentiable { usable: 0 }));
    }

    #[test]
    fn a_stated_derivative_is_found_however_it_is_spaced() {
        let src = "A partial:\n  ∂f/∂x = 2x + y\n";
        let r = stated_in(src, "2*x + y").unwrap();
        assert_eq!(&src[r], "2x + y");
        assert_eq!(stated_in("x² + 1", "x^2 + 1").map(|r| r.start), Some(0));
        assert_eq!(stated_in("slope 3 here", "3"), None);
        assert_eq!(stated_in("2y + x", "2*x + y"), None);
    }
}
