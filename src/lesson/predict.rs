//! The "predict the step" exercise: before pressing `n`, the learner types where the step
//! lands, one number per parameter. The answer is never written in the lesson: it is the run's
//! own next point, so it stays right when the learner changed η or stepped on an earlier page.
//! A wrong answer earns a hint built from the learner's own numbers, because "not quite"
//! teaches nothing while "you typed −0.15: check the sign of −η∇L" names the slip.

use super::exercise::parse_number;
use super::text::Text;
use crate::descent::Run;
use crate::math::optimizer::{Kind, Optimizer};

/// Default tolerance per component of a predicted θ next: a learner types two or three
/// decimals.
pub const DEFAULT_PREDICT_TOL: f64 = 1e-3;

/// A number as the pages print it, with a true minus sign: `−1.5`.
fn short(v: f64) -> String {
    crate::numfmt::short(v).replace('-', "−")
}

/// The step about to be taken, as a predict question grades it.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Parameter names as the learner reads them (`w₁`, `x`).
    pub names: Vec<String>,
    pub theta: Vec<f64>,
    pub grad: Vec<f64>,
    pub lr: f64,
    pub optimizer: Optimizer,
    /// θ next, as the optimizer computes it.
    pub next: Vec<f64>,
    /// The loss as the page writes it (`J` in linear regression), so a hint says ∇J there.
    pub loss: String,
}

impl Step {
    /// The next step of a run from where it stands now.
    pub fn of(session: &Run) -> Step {
        let cur = session.current();
        Step {
            names: session
                .names()
                .iter()
                .map(|n| crate::numfmt::pretty_name(n))
                .collect(),
            theta: cur.params.clone(),
            grad: cur.grad.clone(),
            lr: session.step_lr(),
            optimizer: *session.optimizer(),
            next: session.preview().next,
            loss: "L".into(),
        }
    }

    /// The same step with the loss named as the page writes it (`J`): a hint that says ∇L
    /// under a page about ∇J reads as another quantity.
    pub fn with_loss(mut self, loss: &str) -> Step {
        self.loss = loss.to_string();
        self
    }

    /// The same step with the parameters named as the page writes them (`θ₁, θ₀` where the
    /// program says `w1, b`), so a hint speaks the page's language; a list of another length
    /// is ignored.
    pub fn named(mut self, names: Vec<String>) -> Step {
        if names.len() == self.names.len() {
            self.names = names;
        }
        self
    }

    /// θ next written for people: `(0.15, 0.1, 0.05)`, or `0.5` for one parameter.
    pub fn display(&self) -> String {
        let parts: Vec<String> = self.next.iter().map(|v| short(*v)).collect();
        if parts.len() == 1 {
            parts[0].clone()
        } else {
            format!("({})", parts.join(", "))
        }
    }

    /// Every number a learner needs to compute the step (θ, η, ∇L): a page may state these,
    /// even when one happens to equal a component of the answer.
    pub fn inputs(&self) -> Vec<f64> {
        let mut v = self.theta.clone();
        v.extend(&self.grad);
        v.push(self.lr);
        v
    }
}

/// The verdict on a typed prediction.
#[derive(Debug, Clone, PartialEq)]
pub enum Graded {
    Correct,
    /// Wrong, with the hint for the first wrong component.
    Wrong(Text),
    /// Not a list of numbers of the right length: says what to type; not counted as a try.
    Unreadable(Text),
}

/// Reads `0.15, 0.1, 0.05` or `(0.15, 0.1, 0.05)`; numbers may also be separated by spaces
/// or `;` (`，` too), so a decimal comma is not taken for a separator only when one number is
/// expected.
fn parse_list(input: &str, n: usize) -> Result<Vec<f64>, String> {
    let inner = input
        .trim()
        .trim_start_matches(['(', '[', '（'])
        .trim_end_matches([')', ']', '）'])
        .trim();
    if n == 1 {
        return parse_number(inner)
            .map(|v| vec![v])
            .ok_or(inner.to_string());
    }
    let parts: Vec<&str> = inner
        .split([',', ';', '，', '；'])
        .flat_map(|p| p.split_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
    parts
        .iter()
        .map(|p| parse_number(p).ok_or(p.to_string()))
        .collect()
}

/// Grades a prediction of the step within `tol` per component.
pub fn grade(step: &Step, input: &str, tol: f64) -> Graded {
    let n = step.next.len();
    let typed = match parse_list(input, n) {
        Ok(v) => v,
        Err(bad) => {
            return Graded::Unreadable(Text::new(
                format!("「{bad}」不是数；请输入 {n} 个数，用逗号隔开，例如 1, -0.5"),
                format!(
                    "'{bad}' is not a number; type {n} numbers separated by commas, e.g. 1, -0.5"
                ),
            ));
        }
    };
    if typed.len() != n {
        let names = step.names.join(", ");
        return Graded::Unreadable(Text::new(
            format!(
                "θ 有 {n} 个分量（{names}），你输入了 {} 个：每个参数一个数",
                typed.len()
            ),
            format!(
                "θ has {n} components ({names}); you typed {}: one number per parameter",
                typed.len()
            ),
        ));
    }
    let close = |a: f64, b: f64| (a - b).abs() <= tol + 1e-12 * b.abs().max(1.0);
    match (0..n).find(|&i| !close(typed[i], step.next[i])) {
        None => Graded::Correct,
        Some(i) => Graded::Wrong(hint(step, i, typed[i], &close)),
    }
}

/// `(−1.5)` for a negative number inside a product, `1.5` otherwise.
fn paren(v: f64) -> String {
    if v < 0.0 {
        format!("({})", short(v))
    } else {
        short(v)
    }
}

/// The hint for component `i`, where the learner typed `got`: the step's formula with this
/// run's numbers, the right value, the learner's value, and the slip it looks like.
fn hint(step: &Step, i: usize, got: f64, close: &dyn Fn(f64, f64) -> bool) -> Text {
    let (theta, g, lr, want) = (step.theta[i], step.grad[i], step.lr, step.next[i]);
    let name = &step.names[i];
    let got_s = short(got);
    let grad = format!("∇{}", step.loss);
    if step.optimizer.kind == Kind::Sgd {
        let shown = format!(
            "θ − η·{grad} = {} − {}·{} = {}",
            short(theta),
            short(lr),
            paren(g),
            short(want)
        );
        let (zh, en) = if lr * g != 0.0 && close(got, theta + lr * g) {
            (
                format!("检查 −η{grad} 的符号"),
                format!("check the sign of −η{grad}"),
            )
        } else if lr != 1.0 && g != 0.0 && close(got, theta - g) {
            (
                format!("{grad} 要乘 η = {}", short(lr)),
                format!("multiply {grad} by η = {}", short(lr)),
            )
        } else if theta != 0.0 && close(got, -lr * g) {
            (
                format!("这是步子 Δθ；再加上 θ = {}", short(theta)),
                format!("that is the step Δθ; add it to θ = {}", short(theta)),
            )
        } else {
            (
                "逐项代入再算一遍".to_string(),
                "redo it term by term".to_string(),
            )
        };
        Text::new(
            format!("{name}：{shown}；你输入的是 {got_s}：{zh}"),
            format!("{shown} for {name}; you typed {got_s}: {en}"),
        )
    } else {
        let opt = step.optimizer.kind.name();
        let delta = want - theta;
        let shown = format!(
            "θ + Δθ = {} + {} = {}",
            short(theta),
            paren(delta),
            short(want)
        );
        let (zh, en) = if delta != 0.0 && close(got, theta - delta) {
            (
                "检查 Δθ 的符号".to_string(),
                "check the sign of Δθ".to_string(),
            )
        } else if close(got, theta - lr * g) {
            (
                format!("那是普通 SGD 的一步；{opt} 的 Δθ 还用到它记住的状态"),
                format!("that is a plain SGD step; {opt}'s Δθ also uses what it remembers"),
            )
        } else {
            (
                format!("Δθ 是 {opt} 的一步，不只是 −η{grad}"),
                format!("Δθ is {opt}'s step, not just −η{grad}"),
            )
        };
        Text::new(
            format!("{name}：{shown}；你输入的是 {got_s}：{zh}"),
            format!("{shown} for {name}; you typed {got_s}: {en}"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slp() -> Step {
        Step {
            names: vec!["w₁".into(), "w₂".into(), "b".into()],
            theta: vec![0.0; 3],
            grad: vec![-1.5, -1.0, -0.5],
            lr: 0.1,
            optimizer: Optimizer::new(Kind::Sgd),
            next: vec![0.15, 0.1, 0.05],
            loss: "L".into(),
        }
    }

    #[test]
    fn the_hint_names_the_loss_as_the_page_does() {
        let step = slp().with_loss("J");
        for (typed, slip) in [
            ("-0.15, 0.1, 0.05", "check the sign of −η∇J"),
            ("1.5, 0.1, 0.05", "multiply ∇J by η"),
        ] {
            let Graded::Wrong(h) = grade(&step, typed, DEFAULT_PREDICT_TOL) else {
                panic!("{typed}")
            };
            let (en, zh) = (
                h.get(crate::lesson::Lang::En),
                h.get(crate::lesson::Lang::Zh),
            );
            assert!(en.contains("θ − η·∇J = ") && en.contains(slip), "{en}");
            assert!(zh.contains("∇J") && !zh.contains("∇L"), "{zh}");
        }
    }

    #[test]
    fn a_list_with_or_without_parentheses_is_right() {
        for s in [
            "0.15, 0.1, 0.05",
            "(0.15, 0.1, 0.05)",
            " 0.15 0.10 0.05 ",
            "[0.15; 0.1; 0.05]",
        ] {
            assert_eq!(
                grade(&slp(), s, DEFAULT_PREDICT_TOL),
                Graded::Correct,
                "{s}"
            );
        }
    }

    #[test]
    fn a_sign_slip_is_named_with_both_numbers() {
        let Graded::Wrong(h) = grade(&slp(), "-0.15, 0.1, 0.05", DEFAULT_PREDICT_TOL) else {
            panic!()
        };
        assert_eq!(
            h.get(crate::lesson::Lang::En),
            "θ − η·∇L = 0 − 0.1·(−1.5) = 0.15 for w₁; you typed −0.15: check the sign of −η∇L"
        );
        assert!(h.get(crate::lesson::Lang::Zh).contains("−0.15"));
    }

    #[test]
    fn the_first_wrong_component_is_the_one_named() {
        let Graded::Wrong(h) = grade(&slp(), "0.15, 1, 0.05", DEFAULT_PREDICT_TOL) else {
            panic!()
        };
        let en = h.get(crate::lesson::Lang::En);
        assert!(
            en.contains("for w₂; you typed 1: multiply ∇L by η = 0.1"),
            "{en}"
        );
        let Graded::Wrong(h) = grade(&slp(), "0.15, 0.1, 0.3", DEFAULT_PREDICT_TOL) else {
            panic!()
        };
        let en = h.get(crate::lesson::Lang::En);
        assert!(
            en.contains("= 0.05 for b; you typed 0.3: redo it term by term"),
            "{en}"
        );
    }

    #[test]
    fn a_wrong_count_or_a_word_says_what_to_type() {
        let Graded::Unreadable(t) = grade(&slp(), "0.15, 0.1", DEFAULT_PREDICT_TOL) else {
            panic!()
        };
        assert!(
            t.get(crate::lesson::Lang::En)
                .contains("θ has 3 components (w₁, w₂, b); you typed 2")
        );
        assert!(matches!(
            grade(&slp(), "0.15, x, 0.05", 1e-3),
            Graded::Unreadable(_)
        ));
    }

    #[test]
    fn another_optimizer_names_its_own_step() {
        let mut s = slp();
        s.optimizer.kind = Kind::Momentum;
        s.next = vec![0.3, 0.2, 0.1];
        s.theta = vec![0.1, 0.1, 0.1];
        let Graded::Wrong(h) = grade(&s, "0.25, 0.2, 0.1", 1e-3) else {
            panic!()
        };
        let en = h.get(crate::lesson::Lang::En);
        assert!(en.starts_with("θ + Δθ = 0.1 + 0.2 = 0.3 for w₁; you typed 0.25: that is a plain SGD step; momentum's"), "{en}");
        assert!(!en.contains("−η∇L ="));
    }

    #[test]
    fn one_parameter_takes_a_decimal_comma() {
        let s = Step {
            names: vec!["x".into()],
            theta: vec![5.0],
            grad: vec![10.0],
            lr: 0.1,
            optimizer: Optimizer::new(Kind::Sgd),
            next: vec![4.0],
            loss: "L".into(),
        };
        assert_eq!(grade(&s, "4,0", 1e-3), Graded::Correct);
        assert_eq!(s.display(), "4");
    }
}
