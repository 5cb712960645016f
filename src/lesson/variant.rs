//! Fresh variants of an exercise: the same question at another start point, so a learner who
//! saw the answer (or guessed it) can practise on a number they have not seen. The lesson
//! lists the starts (`vary = { start = [[2], [-3]] }`); the answer of every instance comes from
//! the math core at that start, never from the file, and the texts name the instance's numbers
//! through placeholders such as `{x}` or `{answer}`.
//!
//! Placeholders (in the prompt, hint and explanation of a varied exercise):
//! - `{NAME}` for each parameter of the formula (`{x}`, `{y}`, `{w1}`): its start value;
//! - `{start}`: the start point, `2` or `(2, 1)`;
//! - `{loss}`, `{grad}`, `{step}`, `{next}`, `{lr}`: L, ∇L, Δθ and θ next at the start, and η;
//! - `{answer}`: what the learner must type.
//!
//! Numbers are written as the pages write them (`−1.5`, a true minus sign).

use super::exercise::{Answer, Asks, Exercise};
use super::predict::Step;
use super::scene::Scene;
use super::text::Text;

/// How a varied exercise makes its instances.
#[derive(Debug, Clone, PartialEq)]
pub struct Vary {
    /// Every instance's start point, the page's own start first.
    pub starts: Vec<Vec<f64>>,
    /// The prompt, hint and explanation as written, with placeholders.
    pub prompt: Text,
    pub hint: Option<Text>,
    pub explain: Text,
    /// For a numeric answer, which number of the run it is; None for a prediction, whose
    /// answer the tutor already takes from the run on stage.
    pub computed: Option<Computed>,
}

/// A numeric answer read off the run at the instance's start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Computed {
    /// `grad`, `loss`, `step` or `next`.
    pub asks: Asks,
    /// Which parameter (0-based) for a vector quantity.
    pub component: usize,
}

/// One instance: the page's scene at the drawn start, and the question about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub scene: Scene,
    pub exercise: Exercise,
}

/// The quantities an instance offers, as names a lesson may ask for.
pub const ASKABLE: [&str; 4] = ["grad", "loss", "step", "next"];

/// A number as the pages print it, with a true minus sign.
pub(crate) fn short(v: f64) -> String {
    crate::numfmt::short(v).replace('-', "−")
}

/// A point as the pages print it: `2` for one parameter, `(2, −1)` for several.
pub(crate) fn point(v: &[f64]) -> String {
    if v.len() == 1 {
        short(v[0])
    } else {
        let parts: Vec<String> = v.iter().map(|x| short(*x)).collect();
        format!("({})", parts.join(", "))
    }
}

impl Vary {
    /// Instance `k` of `base` (the exercise as built for the page) on `scene` (the page's
    /// scene). Fails with a sentence when that instance has no answer (the gradient is not a
    /// finite number there, the run cannot start) or a text names an unknown placeholder.
    pub fn instance(&self, base: &Exercise, scene: &Scene, k: usize) -> Result<Instance, String> {
        let start = self
            .starts
            .get(k)
            .ok_or_else(|| format!("there is no variant {}", k + 1))?;
        if start.len() != scene.names.len() {
            return Err(format!(
                "the start {} has {} number(s); the formula has {} parameter(s)",
                point(start),
                start.len(),
                scene.names.len()
            ));
        }
        let mut scene = scene.clone();
        scene.start = start.clone();
        for r in &mut scene.race {
            r.start = start.clone();
        }
        let run = scene.run()?;
        let step = Step::of(&run);
        let loss = run.current().value;
        let delta: Vec<f64> = step
            .next
            .iter()
            .zip(&step.theta)
            .map(|(n, t)| n - t)
            .collect();
        let quantity = |asks: Asks| -> Option<Vec<f64>> {
            match asks {
                Asks::Gradient => Some(step.grad.clone()),
                Asks::Loss => Some(vec![loss]),
                Asks::Step => Some(delta.clone()),
                Asks::Next => Some(step.next.clone()),
                Asks::Nothing | Asks::Stop | Asks::Dot => None,
            }
        };
        let mut exercise = base.clone();
        let answer_text = match (self.computed, &mut exercise.answer) {
            (Some(c), Answer::Number { value, .. }) => {
                let v = quantity(c.asks)
                    .and_then(|q| q.get(c.component).copied())
                    .ok_or_else(|| "the question asks for no number of the run".to_string())?;
                if !v.is_finite() {
                    return Err(format!(
                        "at the start {} the answer is not a finite number",
                        point(start)
                    ));
                }
                *value = v;
                short(v)
            }
            _ => {
                if step.next.iter().any(|v| !v.is_finite()) {
                    return Err(format!(
                        "at the start {} the next point is not a finite number",
                        point(start)
                    ));
                }
                step.display()
            }
        };
        if !loss.is_finite() || step.grad.iter().any(|g| !g.is_finite()) {
            return Err(format!(
                "at the start {} the loss or its gradient is not a finite number",
                point(start)
            ));
        }
        let mut values: Vec<(String, String)> = scene
            .names
            .iter()
            .zip(start)
            .map(|(n, v)| (n.clone(), short(*v)))
            .collect();
        values.extend([
            ("start".to_string(), point(start)),
            ("loss".to_string(), short(loss)),
            ("grad".to_string(), point(&step.grad)),
            ("step".to_string(), point(&delta)),
            ("next".to_string(), point(&step.next)),
            ("lr".to_string(), short(step.lr)),
            ("answer".to_string(), answer_text),
        ]);
        exercise.prompt = render_text(&self.prompt, &values)?;
        exercise.hint = match &self.hint {
            Some(h) => Some(render_text(h, &values)?),
            None => None,
        };
        exercise.explain = render_text(&self.explain, &values)?;
        Ok(Instance { scene, exercise })
    }

    /// The instance after `current` that "again" gives: another one whenever there is more
    /// than one, picked by `draw` (any number; the tutor counts its draws) so the order is not
    /// a fixed cycle the learner learns instead of the math.
    pub fn next_index(&self, current: usize, draw: u64) -> usize {
        let n = self.starts.len();
        if n <= 1 {
            return 0;
        }
        // A step of 1..n−1 from the current instance never lands on it.
        let mixed = draw
            .wrapping_add(1)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(29);
        let step = 1 + (mixed % (n as u64 - 1)) as usize;
        (current + step) % n
    }
}

fn render_text(t: &Text, values: &[(String, String)]) -> Result<Text, String> {
    Ok(Text::new(render(&t.zh, values)?, render(&t.en, values)?))
}

/// `template` with every `{name}` replaced by its value. A brace around anything that is not a
/// name (`{` alone, `{1, 2}`) is left as written; an unknown name is an error.
pub fn render(template: &str, values: &[(String, String)]) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_len = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        if name_len > 0 && after[name_len..].starts_with('}') {
            let name = &after[..name_len];
            match values.iter().find(|(n, _)| n == name) {
                // `2 × {x}` at x = −1 reads `2 × (−1)`, as a teacher writes it.
                Some((_, v)) if v.starts_with('−') && after_operator(&out) => {
                    out.push('(');
                    out.push_str(v);
                    out.push(')');
                }
                Some((_, v)) => out.push_str(v),
                None => {
                    let known: Vec<&str> = values.iter().map(|(n, _)| n.as_str()).collect();
                    return Err(format!(
                        "unknown placeholder {{{name}}} (known: {})",
                        known.join(", ")
                    ));
                }
            }
            rest = &after[name_len + 1..];
        } else {
            out.push('{');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Whether the text so far ends in an operator (spaces aside), so a negative number after it
/// needs parentheses.
fn after_operator(out: &str) -> bool {
    out.trim_end()
        .ends_with(['×', '·', '*', '/', '+', '−', '-', '^'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_unknown_ones_named() {
        let v = vec![("x".to_string(), "2".to_string())];
        assert_eq!(render("f′({x}) at {x}", &v).unwrap(), "f′(2) at 2");
        assert_eq!(render("{ x } {1, 2} {", &v).unwrap(), "{ x } {1, 2} {");
        let neg = vec![("x".to_string(), "−1".to_string())];
        assert_eq!(
            render("f′({x}) = 2 × {x} = 2·{x}", &neg).unwrap(),
            "f′(−1) = 2 × (−1) = 2·(−1)"
        );
        let e = render("{y}", &v).unwrap_err();
        assert!(
            e.contains("unknown placeholder {y}") && e.contains("x"),
            "{e}"
        );
    }

    #[test]
    fn again_never_repeats_the_current_instance_and_reaches_every_other() {
        let vary = Vary {
            starts: vec![vec![0.0]; 4],
            prompt: Text::new("", ""),
            hint: None,
            explain: Text::new("", ""),
            computed: None,
        };
        let mut seen = [false; 4];
        for draw in 0..64 {
            for cur in 0..4 {
                let k = vary.next_index(cur, draw);
                assert_ne!(k, cur);
                seen[k] = true;
            }
        }
        assert!(seen.iter().all(|s| *s));
        let one = Vary {
            starts: vec![vec![0.0]],
            ..vary
        };
        assert_eq!(one.next_index(0, 5), 0);
    }
}
