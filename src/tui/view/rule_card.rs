//! The short card of the optimizer in use, in torch's form: its update rule, what each state
//! row is, and the rows themselves. Only the current optimizer's memory is shown, so a switch
//! with `o` never leaves another rule's velocity or moments on screen.

use crate::lesson::Lang;
use crate::math::optimizer::{Kind, Optimizer, State};
use crate::numfmt::short;
use crate::tui::strings::tr;

/// One line of the card.
pub enum Item {
    /// A rule or a sentence, drawn dim.
    Note(String),
    /// A state row: its name and its value per parameter.
    Row(String, Vec<f64>),
}

/// The Δθ row's label: plain descent's rule, or the optimizer's name (its card has the rule).
pub fn step_label(kind: Kind, loss: &str) -> String {
    match kind {
        Kind::Sgd => format!("Δθ = −η∇{loss}"),
        k => format!("Δθ ({k})"),
    }
}

/// The card for `opt` with the memory `state` (the one its next update uses). Plain descent
/// has no memory and no card: its rule is the Δθ row's label.
///
/// Kept to a few lines: at 80×24 every line of the card is a line the page text loses, and the
/// optimizers lesson explains each rule in its own text. The row labels say what each value
/// is (velocity, Σg², a moving average), so a sandbox learner can still read the card alone.
pub fn card(opt: &Optimizer, state: &State, lang: Lang) -> Vec<Item> {
    let note = |s: String| Item::Note(s);
    let velocity = tr(lang, "v velocity", "v 速度");
    match state {
        State::None => vec![],
        State::Momentum { buf } => {
            let mu = short(opt.momentum);
            let mut out = if opt.kind == Kind::Nesterov {
                vec![
                    note(format!("v ← μv + g  μ = {mu}")),
                    note("Δθ = −η(g + μv)".into()),
                ]
            } else {
                vec![note(format!("v ← μv + g  Δθ = −ηv  μ = {mu}"))]
            };
            if let Some(b) = buf {
                out.push(Item::Row(velocity.into(), b.clone()));
            }
            out
        }
        State::Adagrad { sum } => vec![
            note("s ← s + g²  Δθ = −ηg/(√s+ε)".into()),
            Item::Row("s = Σg²".into(), sum.clone()),
        ],
        State::Rmsprop { square_avg } => vec![
            note(format!("s ← αs + (1−α)g²  α = {}", short(opt.alpha))),
            note("Δθ = −ηg/(√s+ε)".into()),
            Item::Row("s ≈ E[g²]".into(), square_avg.clone()),
        ],
        State::Adam {
            step,
            exp_avg,
            exp_avg_sq,
        } => {
            // m and v are running averages that start at 0; the hatted rows divide out that
            // start (1 − βᵗ), which is what the update actually uses.
            let mut out = vec![
                note(format!(
                    "β₁ = {}  β₂ = {}  t = {step}",
                    short(opt.beta1),
                    short(opt.beta2)
                )),
                note("Δθ = −ηm̂/(√v̂+ε)".into()),
                Item::Row("m ≈ E[g]".into(), exp_avg.clone()),
                Item::Row("v ≈ E[g²]".into(), exp_avg_sq.clone()),
            ];
            if *step > 0 {
                // torch divides by these corrections; before step 1 they would be 0/0.
                let (m_hat, v_hat) = bias_corrected(opt, *step, exp_avg, exp_avg_sq);
                out.push(Item::Row("m̂".into(), m_hat));
                out.push(Item::Row("v̂".into(), v_hat));
            }
            out
        }
    }
}

/// Adam's m̂ = m/(1 − β₁ᵗ) and v̂ = v/(1 − β₂ᵗ) after `step` updates (step ≥ 1).
pub fn bias_corrected(opt: &Optimizer, step: u64, m: &[f64], v: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let c1 = 1.0 - opt.beta1.powf(step as f64);
    let c2 = 1.0 - opt.beta2.powf(step as f64);
    (
        m.iter().map(|m| m / c1).collect(),
        v.iter().map(|v| v / c2).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(items: &[Item]) -> Vec<&str> {
        items
            .iter()
            .filter_map(|i| match i {
                Item::Row(name, _) => Some(name.as_str()),
                Item::Note(_) => None,
            })
            .collect()
    }

    #[test]
    fn each_optimizer_shows_only_its_own_memory() {
        let cases = [
            (Kind::Sgd, vec![]),
            (Kind::Momentum, vec!["v velocity"]),
            (Kind::Nesterov, vec!["v velocity"]),
            (Kind::Adagrad, vec!["s = Σg²"]),
            (Kind::Rmsprop, vec!["s ≈ E[g²]"]),
            (Kind::Adam, vec!["m ≈ E[g]", "v ≈ E[g²]", "m̂", "v̂"]),
        ];
        for (kind, want) in cases {
            let opt = Optimizer::new(kind);
            let (_, state) = opt.update(&opt.initial_state(2), &[1.0, 1.0], &[2.0, -4.0], 0.1);
            assert_eq!(rows(&card(&opt, &state, Lang::En)), want, "{kind}");
        }
    }

    #[test]
    fn adams_bias_correction_undoes_the_first_steps_shrinkage() {
        // After one step m = 0.1·g and v = 0.001·g²; corrected they are g and g² again.
        let opt = Optimizer::new(Kind::Adam);
        let (_, state) = opt.update(&opt.initial_state(1), &[0.0], &[3.0], 0.1);
        let items = card(&opt, &state, Lang::En);
        let row = |name: &str| {
            items.iter().find_map(|i| match i {
                Item::Row(n, v) if n == name => Some(v[0]),
                _ => None,
            })
        };
        assert!((row("m ≈ E[g]").unwrap() - 0.3).abs() < 1e-12);
        assert!((row("m̂").unwrap() - 3.0).abs() < 1e-12);
        assert!((row("v̂").unwrap() - 9.0).abs() < 1e-9);
    }
}
