//! The sandbox's predict round: the "predict the step" question asked on the learner's own
//! formula at the point they stand, so practice does not end with the lessons. The question is
//! made here from the run's numbers; grading and its hints are [`super::predict`]'s, the same
//! as in a lesson.

use super::exercise::{Answer, Asks, Exercise};
use super::predict::{DEFAULT_PREDICT_TOL, Step};
use super::text::Text;
use crate::math::optimizer::Kind;

use super::variant::{point, short};

/// The question about `step`: the prompt names θ and η (what the learner needs), never θ next;
/// the explanation works it out with the run's numbers.
pub fn predict_round(step: &Step) -> Exercise {
    let names = step.names.join(", ");
    let n = step.names.len();
    let (theta, lr) = (point(&step.theta), short(step.lr));
    let prompt = Text::new(
        format!("预测下一步：θ = {theta}，η = {lr}。{names} 下一步 = ？（{n} 个数，用逗号隔开）"),
        format!(
            "Predict the step: θ = {theta}, η = {lr}. Next {names} = ? ({n} number(s), commas between)"
        ),
    );
    let next = point(&step.next);
    let working = if step.optimizer.kind == Kind::Sgd {
        let grad = point(&step.grad);
        format!("θ − η·∇{} = {theta} − {lr}·{grad} = {next}", step.loss)
    } else {
        let delta: Vec<f64> = step
            .next
            .iter()
            .zip(&step.theta)
            .map(|(a, b)| a - b)
            .collect();
        format!("θ + Δθ = {theta} + {} = {next}", point(&delta))
    };
    let explain = if step.optimizer.kind == Kind::Sgd {
        Text::new(
            format!("{working}：逆着梯度走 η 倍。按 n 走这一步看看。"),
            format!("{working}: against the gradient, η times it. Press n to take the step."),
        )
    } else {
        let opt = step.optimizer.kind.name();
        Text::new(
            format!("{working}（{opt} 的步子还用到它记住的状态）。按 n 走这一步。"),
            format!("{working} ({opt}'s step also uses the state it keeps). Press n to take it."),
        )
    };
    Exercise {
        prompt,
        answer: Answer::Predict {
            tol: DEFAULT_PREDICT_TOL,
        },
        asks: Asks::Next,
        also: vec![],
        hint: None,
        explain,
    }
}
