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

/// Grades a prediction of the step within `tol` per component. `earlier_wrong` counts the
/// wrong tries before this one: the first wrong try is told in words what went wrong, with
/// the inputs it started from; a later one also sees the rule with this run's numbers put in.
/// Neither gets the result, which only `w` and the explanation give: a hint that ends in
/// "= 0.5" is the answer, and the learner copies it instead of finding the slip.
pub fn grade(step: &Step, input: &str, tol: f64, earlier_wrong: u32) -> Graded {
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
        Some(i) => Graded::Wrong(hint(step, &typed, i, earlier_wrong > 0, &close)),
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

/// The hint for component `i` of `typed`: the slip the learner's number looks like, said in
/// words, with the inputs of this component named (θ, η, ∇L); with `substitute` (a later
/// try) the rule with those numbers put in, still without its result.
fn hint(
    step: &Step,
    typed: &[f64],
    i: usize,
    substitute: bool,
    close: &dyn Fn(f64, f64) -> bool,
) -> Text {
    let (theta, g, lr, want) = (step.theta[i], step.grad[i], step.lr, step.next[i]);
    let got = typed[i];
    let name = &step.names[i];
    let got_s = short(got);
    let grad = format!("∇{}", step.loss);
    let inputs = format!(
        "θ = {}, η = {}, {grad} = {}",
        short(theta),
        short(lr),
        short(g)
    );
    let sgd = step.optimizer.kind == Kind::Sgd;
    let opt = step.optimizer.kind.name();
    let delta = want - theta;
    // Another parameter's value typed in this place: the order is the slip, not the sums.
    let swapped = (0..typed.len()).find(|&j| j != i && close(got, step.next[j]));
    let (zh, en) = if let Some(j) = swapped {
        let order = step.names.join(", ");
        (
            format!("这像是 {} 的值：按 {order} 的顺序输入", step.names[j]),
            format!(
                "that looks like {}'s value: type them in the order {order}",
                step.names[j]
            ),
        )
    } else if sgd && lr * g != 0.0 && close(got, theta + lr * g) {
        (
            format!("你加上了 η·{grad}；梯度指向上坡，这一步要减去它：θ − η·{grad}"),
            format!(
                "you added η·{grad}; the gradient points uphill, so the step subtracts it: θ − η·{grad}"
            ),
        )
    } else if sgd && lr != 1.0 && g != 0.0 && close(got, theta - g) {
        (
            format!("你减去的是 {grad} 本身；先乘上 η"),
            format!("you subtracted {grad} itself; multiply it by η first"),
        )
    } else if sgd && theta != 0.0 && close(got, -lr * g) {
        (
            format!("这是步子 Δθ = −η·{grad} 本身；θ next 是 θ 加上这一步"),
            format!("that is the step Δθ = −η·{grad} alone; θ next is θ plus the step"),
        )
    } else if sgd && theta != 0.0 && lr * g != 0.0 && close(got, lr * g) {
        (
            format!("这是 η·{grad} 本身；这一步是 −η·{grad}，还要加到 θ 上"),
            format!("that is η·{grad} alone; the step is −η·{grad}, added to θ"),
        )
    } else if sgd && want != 0.0 && close(got, -want) {
        (
            format!("检查符号：θ 和 {grad} 各是正是负，相乘、相减时符号怎么变"),
            format!(
                "check the signs: whether θ and {grad} are negative, and what × and − do to them"
            ),
        )
    } else if sgd {
        (
            "逐项代入再算一遍".to_string(),
            "redo it term by term".to_string(),
        )
    } else if delta != 0.0 && close(got, theta - delta) {
        (
            format!("这一步走反了：θ next 是 θ 加上 {opt} 算出的 Δθ"),
            format!("the step went the wrong way: θ next is θ plus the Δθ {opt} computes"),
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
    if substitute {
        let shown = if sgd {
            format!(
                "θ − η·{grad} = {} − {}·{}",
                short(theta),
                short(lr),
                paren(g)
            )
        } else {
            format!("θ + Δθ = {} + {}", short(theta), paren(delta))
        };
        Text::new(
            format!("{name}：{shown}；你输入的是 {got_s}：{zh}"),
            format!("{shown} for {name}; you typed {got_s}: {en}"),
        )
    } else {
        Text::new(
            format!("{name}：你输入的是 {got_s}：{zh}（{inputs}）"),
            format!("for {name} you typed {got_s}: {en} ({inputs})"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::Lang;

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

    /// The walk's example: θ = −1, η = 0.25, ∇L = −6, so θ next = 0.5.
    fn one() -> Step {
        Step {
            names: vec!["x".into()],
            theta: vec![-1.0],
            grad: vec![-6.0],
            lr: 0.25,
            optimizer: Optimizer::new(Kind::Sgd),
            next: vec![0.5],
            loss: "L".into(),
        }
    }

    fn wrong(step: &Step, typed: &str, earlier: u32) -> (String, String) {
        let Graded::Wrong(h) = grade(step, typed, DEFAULT_PREDICT_TOL, earlier) else {
            panic!("{typed} was not graded wrong")
        };
        (h.get(Lang::En).to_string(), h.get(Lang::Zh).to_string())
    }

    #[test]
    fn a_first_wrong_try_names_the_slip_and_the_inputs_but_not_the_answer() {
        for (typed, slip) in [
            ("-2.5", "you added η·∇L; the gradient points uphill"),
            ("5", "you subtracted ∇L itself; multiply it by η first"),
            ("1.5", "that is the step Δθ = −η·∇L alone; θ next is θ plus"),
            ("-1.5", "that is η·∇L alone; the step is −η·∇L, added to θ"),
            ("-0.5", "check the signs"),
            ("7", "redo it term by term"),
        ] {
            let (en, zh) = wrong(&one(), typed, 0);
            assert!(
                en.starts_with(&format!(
                    "for x you typed {}: ",
                    short(typed.parse().unwrap())
                )),
                "{en}"
            );
            assert!(en.contains(slip), "{typed}: {en}");
            assert!(en.ends_with("(θ = −1, η = 0.25, ∇L = −6)"), "{en}");
            assert!(zh.contains("（θ = −1, η = 0.25, ∇L = −6）"), "{zh}");
            for t in [&en, &zh] {
                assert!(
                    !t.contains("0.5 ") && !t.contains("= 0.5") && !t.contains("−1 − 0.25"),
                    "{t}"
                );
            }
        }
    }

    #[test]
    fn a_later_wrong_try_shows_the_rule_with_the_numbers_but_not_its_result() {
        let (en, zh) = wrong(&one(), "-2.5", 1);
        assert_eq!(
            en,
            "θ − η·∇L = −1 − 0.25·(−6) for x; you typed −2.5: you added η·∇L; the gradient points uphill, so the step subtracts it: θ − η·∇L"
        );
        assert!(
            zh.starts_with("x：θ − η·∇L = −1 − 0.25·(−6)；你输入的是 −2.5："),
            "{zh}"
        );
        assert!(!en.contains("0.5 ") && !zh.contains("= 0.5"));
    }

    #[test]
    fn the_hint_names_the_loss_as_the_page_does() {
        let step = slp().with_loss("J");
        for (typed, slip) in [
            ("-0.15, 0.1, 0.05", "you added η·∇J"),
            ("1.5, 0.1, 0.05", "you subtracted ∇J itself"),
        ] {
            let (en, zh) = wrong(&step, typed, 1);
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
                grade(&slp(), s, DEFAULT_PREDICT_TOL, 0),
                Graded::Correct,
                "{s}"
            );
        }
    }

    #[test]
    fn the_first_wrong_component_is_the_one_named() {
        let (en, _) = wrong(&slp(), "0.15, 1, 0.05", 0);
        assert!(
            en.starts_with("for w₂ you typed 1: you subtracted ∇L itself"),
            "{en}"
        );
        assert!(en.ends_with("(θ = 0, η = 0.1, ∇L = −1)"), "{en}");
        let (en, _) = wrong(&slp(), "0.15, 0.1, 0.3", 0);
        assert!(
            en.starts_with("for b you typed 0.3: redo it term by term"),
            "{en}"
        );
    }

    #[test]
    fn two_components_in_the_wrong_order_are_named_as_such() {
        let (en, zh) = wrong(&slp(), "0.1, 0.15, 0.05", 0);
        assert!(
            en.contains("that looks like w₂'s value: type them in the order w₁, w₂, b"),
            "{en}"
        );
        assert!(zh.contains("按 w₁, w₂, b 的顺序输入"), "{zh}");
    }

    #[test]
    fn a_wrong_count_or_a_word_says_what_to_type() {
        let Graded::Unreadable(t) = grade(&slp(), "0.15, 0.1", DEFAULT_PREDICT_TOL, 0) else {
            panic!()
        };
        assert!(
            t.get(Lang::En)
                .contains("θ has 3 components (w₁, w₂, b); you typed 2")
        );
        assert!(matches!(
            grade(&slp(), "0.15, x, 0.05", 1e-3, 0),
            Graded::Unreadable(_)
        ));
    }

    #[test]
    fn another_optimizer_names_its_own_step() {
        let mut s = slp();
        s.optimizer.kind = Kind::Momentum;
        s.next = vec![0.3, 0.2, 0.1];
        s.theta = vec![0.1, 0.1, 0.1];
        let (en, _) = wrong(&s, "0.25, 0.2, 0.1", 0);
        assert!(
            en.starts_with("for w₁ you typed 0.25: that is a plain SGD step; momentum's"),
            "{en}"
        );
        assert!(!en.contains("0.3") && !en.contains("0.2 "), "{en}");
        let (en, _) = wrong(&s, "0.25, 0.2, 0.1", 1);
        assert!(
            en.starts_with("θ + Δθ = 0.1 + 0.2 for w₁; you typed 0.25"),
            "{en}"
        );
        assert!(!en.contains("−η∇L =") && !en.contains("0.3"), "{en}");
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
        assert_eq!(grade(&s, "4,0", 1e-3, 0), Graded::Correct);
        assert_eq!(s.display(), "4");
    }
}
