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
pub fn card(opt: &Optimizer, state: &State, lang: Lang) -> Vec<Item> {
    let note = |s: String| Item::Note(s);
    let mu = short(opt.momentum);
    match state {
        State::None => vec![],
        State::Momentum { buf } => {
            let rule = if opt.kind == Kind::Nesterov {
                "v ← μv + g   Δθ = −η(g+μv)"
            } else {
                "v ← μv + g   Δθ = −ηv"
            };
            let mut out = vec![
                note(rule.into()),
                note(match lang {
                    Lang::En => format!("v: velocity, μ = {mu}"),
                    Lang::Zh => format!("v：速度（动量），μ = {mu}"),
                }),
            ];
            if let Some(b) = buf {
                out.push(Item::Row("v".into(), b.clone()));
            }
            out
        }
        State::Adagrad { sum } => vec![
            note("s ← s + g²   Δθ = −ηg/(√s+ε)".into()),
            note(tr(lang, "s: sum of every g² so far", "s：至今所有 g² 之和").into()),
            Item::Row("s".into(), sum.clone()),
        ],
        State::Rmsprop { square_avg } => vec![
            note(format!("s ← αs + (1−α)g²  α = {}", short(opt.alpha))),
            note("Δθ = −ηg/(√s+ε)".into()),
            note(tr(lang, "s: moving average of g²", "s：g² 的滑动平均").into()),
            Item::Row("s".into(), square_avg.clone()),
        ],
        State::Adam {
            step,
            exp_avg,
            exp_avg_sq,
        } => {
            // The rows' labels say what m and v estimate, so the card needs no extra sentence.
            let mut out = vec![
                note(format!("m ← β₁m+(1−β₁)g   β₁ = {}", short(opt.beta1))),
                note(format!("v ← β₂v+(1−β₂)g²  β₂ = {}", short(opt.beta2))),
                note(match lang {
                    Lang::En => format!("m̂ = m/(1−β₁ᵗ), v̂ alike, t={step}"),
                    Lang::Zh => format!("m̂ = m/(1−β₁ᵗ)，v̂ 同理，t={step}"),
                }),
                note("Δθ = −ηm̂/(√v̂+ε)".into()),
                Item::Row("m ≈ E[g]".into(), exp_avg.clone()),
                Item::Row("v ≈ E[g²]".into(), exp_avg_sq.clone()),
            ];
            if *step > 0 {
                // torch divides by these corrections; before step 1 they would be 0/0.
                let c1 = 1.0 - opt.beta1.powf(*step as f64);
                let c2 = 1.0 - opt.beta2.powf(*step as f64);
                out.push(Item::Row(
                    "m̂".into(),
                    exp_avg.iter().map(|m| m / c1).collect(),
                ));
                out.push(Item::Row(
                    "v̂".into(),
                    exp_avg_sq.iter().map(|v| v / c2).collect(),
                ));
            }
            out
        }
    }
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
            (Kind::Momentum, vec!["v"]),
            (Kind::Nesterov, vec!["v"]),
            (Kind::Adagrad, vec!["s"]),
            (Kind::Rmsprop, vec!["s"]),
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
