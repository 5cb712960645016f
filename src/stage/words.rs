//! What the tutor says about a run's standing, in both languages: status words that mean what
//! the lessons teach (a rule met is "stopped", never "converged") and the advice that fits the
//! reason (no "lower η" where the loss has no bottom).

use crate::descent::{Stop, StopOn, StopRule};
use crate::lesson::Lang;
use crate::numfmt::short;

/// Why a scene cannot go on stage, in both languages like [`crate::math::FormulaError`]:
/// `Display` gives the English (the CLI's), [`StageError::get`] the learner's language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct StageError {
    pub message: String,
    pub message_zh: String,
}

impl StageError {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.message,
            Lang::Zh => &self.message_zh,
        }
    }
}

/// A start point (the main run's, or racer `racer`'s) without one value per parameter.
pub fn wrong_start(racer: Option<&str>, given: usize, names: &[String]) -> StageError {
    let (n, list) = (names.len(), names.join(", "));
    let (who, who_zh) = match racer {
        Some(r) => (
            format!("racer '{r}''s start point"),
            format!("对手「{r}」的起点"),
        ),
        None => ("the start point".to_string(), "起点".to_string()),
    };
    StageError {
        message: format!("{who} has {given} value(s) but there are {n} parameter(s) ({list})"),
        message_zh: format!("{who_zh}有 {given} 个数，但参数有 {n} 个（{list}）：每个参数一个数"),
    }
}

fn pick(lang: Lang, en: &str, zh: &str) -> String {
    match lang {
        Lang::En => en.to_string(),
        Lang::Zh => zh.to_string(),
    }
}

/// The word beside t: what the run is doing, or why it stands still.
pub fn status(lang: Lang, stop: Option<Stop>) -> String {
    match stop {
        None => pick(lang, "stepping", "迭代中"),
        Some(Stop::ShortStep { .. }) => pick(lang, "stopped: ‖Δθ‖ < ε", "已停止：‖Δθ‖ < ε"),
        // Source 003's own test for convergence; the rule row and the advice say what it
        // measured, and a saddle or a plateau passes it too (hard-terrain shows both).
        Some(Stop::FlatGradient { .. }) => pick(lang, "converged", "已收敛"),
        Some(Stop::StepLimit { .. }) => pick(lang, "step limit", "达到步数上限"),
        Some(Stop::NotDifferentiable) => pick(lang, "no gradient here", "此处不可导"),
        Some(Stop::Unbounded) => pick(lang, "no bottom: L → −∞", "无底：L → −∞"),
        Some(Stop::BlewUp) => pick(lang, "diverged", "已发散"),
    }
}

/// The same, short enough for a race table's last column.
pub fn status_short(lang: Lang, stop: Option<Stop>) -> String {
    match stop {
        None => String::new(),
        Some(Stop::ShortStep { .. }) => "‖Δθ‖<ε".into(),
        Some(Stop::FlatGradient { .. }) => "‖∇L‖<ε".into(),
        Some(Stop::StepLimit { .. }) => pick(lang, "limit", "上限"),
        Some(Stop::NotDifferentiable) => pick(lang, "no ∇L", "不可导"),
        Some(Stop::Unbounded) => "L→−∞".into(),
        Some(Stop::BlewUp) => pick(lang, "diverged", "发散"),
    }
}

/// What the stop means and what the learner can do, for the panel under the numbers. The
/// `name = value` pairs are joined by no-break spaces so a narrow panel never splits them.
pub fn advice(lang: Lang, stop: Stop) -> String {
    match (stop, lang) {
        (Stop::ShortStep { eps, step }, Lang::En) => format!(
            "‖Δθ‖\u{a0}=\u{a0}{} <\u{a0}ε\u{a0}=\u{a0}{}: the steps got short, which need not mean the minimum. b undo, r reset",
            short(step),
            short(eps)
        ),
        (Stop::ShortStep { eps, step }, Lang::Zh) => format!(
            "‖Δθ‖\u{a0}=\u{a0}{} <\u{a0}ε\u{a0}=\u{a0}{}：步子变短了，不一定到了最低点。b 撤销，r 重来",
            short(step),
            short(eps)
        ),
        (Stop::FlatGradient { eps, grad }, Lang::En) => format!(
            "‖∇L‖\u{a0}=\u{a0}{} <\u{a0}ε\u{a0}=\u{a0}{}: flat here (a minimum, a saddle or a plateau). b undo, r reset",
            short(grad),
            short(eps)
        ),
        (Stop::FlatGradient { eps, grad }, Lang::Zh) => format!(
            "‖∇L‖\u{a0}=\u{a0}{} <\u{a0}ε\u{a0}=\u{a0}{}：这里很平（最低点、鞍点或平台）。b 撤销，r 重来",
            short(grad),
            short(eps)
        ),
        (Stop::StepLimit { max }, Lang::En) => {
            format!("no more steps after {max}: b undo, r reset")
        }
        (Stop::StepLimit { max }, Lang::Zh) => format!("已走满 {max} 步：b 撤销，r 重来"),
        (Stop::NotDifferentiable, Lang::En) => {
            "the formula has no derivative at this point (a kink or a corner): b undo, r reset"
                .into()
        }
        (Stop::NotDifferentiable, Lang::Zh) => {
            "公式在这一点不可导（尖点或折角）：b 撤销，r 重来".into()
        }
        (Stop::Unbounded, Lang::En) => {
            "L keeps falling without a bottom this way; a smaller η only slows the fall. b undo, r reset"
                .into()
        }
        (Stop::Unbounded, Lang::Zh) => {
            "沿这个方向 L 没有底，一直往下掉；减小 η 只会掉得慢些。b 撤销，r 重来".into()
        }
        (Stop::BlewUp, Lang::En) => "the loss blew up: b undo, - lower η, r reset".into(),
        (Stop::BlewUp, Lang::Zh) => "损失发散：b 撤销，- 减小 η，r 重来".into(),
    }
}

/// The status line's notice when `n` meets a stopped run: the status word and the keys.
pub fn notice(lang: Lang, stop: Option<Stop>) -> String {
    let Some(stop) = stop else {
        return String::new();
    };
    let keys = match (stop, lang) {
        (Stop::BlewUp, Lang::En) => "b undoes, - lowers η, r starts over",
        (Stop::BlewUp, Lang::Zh) => "b 撤销，- 减小 η，r 重来",
        (_, Lang::En) => "b undoes, r starts over",
        (_, Lang::Zh) => "b 撤销，r 重来",
    };
    match lang {
        Lang::En => format!("{} — {keys}", status(lang, Some(stop))),
        Lang::Zh => format!("{}：{keys}", status(lang, Some(stop))),
    }
}

/// The stop rule as a row value: `‖Δθ‖ < 0.5`, `‖∇L‖ < 1e-6`, or the step budget when there is
/// no tolerance (the budget beside a tolerance would not fit a narrow panel, and the status
/// word names it when it is what stopped the run).
pub fn rule(lang: Lang, r: &StopRule) -> Option<String> {
    if let Some(eps) = r.tol {
        let what = match r.on {
            StopOn::Step => "‖Δθ‖",
            StopOn::Grad => "‖∇L‖",
        };
        return Some(format!("{what} < {}", short(eps)));
    }
    r.max_steps.map(|m| match lang {
        Lang::En => format!("after {m} steps"),
        Lang::Zh => format!("走满 {m} 步"),
    })
}
