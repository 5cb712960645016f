//! A page's question: its prompt, hint and explanation in both languages, and the answer (a
//! number with a tolerance, or a sign).

use super::context::{Ctx, finite};
use super::text;
use crate::descent::Run;
use crate::lesson::exercise::{Answer, Asks, Exercise, Sign};
use crate::lesson::giveaway;
use crate::lesson::predict::{DEFAULT_PREDICT_TOL, Step};
use crate::lesson::scene::Scene;
use crate::lesson::schema::{RawAnswer, RawExercise, RawPage, RawText, S};

/// Default tolerance of a numeric exercise answer: a learner types a few digits.
pub const DEFAULT_ANSWER_TOL: f64 = 1e-6;

pub(super) fn exercise(
    ctx: &mut Ctx,
    e: &S<RawExercise>,
    page: &str,
    raw_page: &RawPage,
    scene: Option<&Scene>,
) -> Option<Exercise> {
    let r = e.get_ref();
    let mut asks = match &r.asks {
        None => Asks::Nothing,
        Some(a) => match Asks::parse(a.get_ref()) {
            Some(asks) => asks,
            None => {
                let names: Vec<&str> = Asks::NAMES.iter().map(|(n, _)| *n).collect();
                ctx.at(
                    a.span(),
                    format!(
                        "{page}: asks = '{}' is not one of {}",
                        a.get_ref(),
                        names.join(", ")
                    ),
                );
                Asks::Nothing
            }
        },
    };
    let prompt = text(ctx, &r.prompt, &format!("{page}: exercise prompt"));
    let hint = r
        .hint
        .as_ref()
        .map(|h| text(ctx, h, &format!("{page}: exercise hint")));
    let explain = text(ctx, &r.explain, &format!("{page}: exercise explain"));
    let kind = r.kind.as_ref().map(|k| (k.get_ref().trim(), k.span()));
    let answer = match kind {
        // A varied question's answer is computed per start (see build/variant.rs).
        None | Some(("number", _)) if r.vary.is_some() => {
            if let Some(a) = &r.answer {
                ctx.at(
                    a.span(),
                    format!("{page}: a varied exercise's answer is computed at each start: remove answer (asks and of say which number it is)"),
                );
            }
            Answer::Number {
                value: f64::NAN,
                tol: tolerance(ctx, r, DEFAULT_ANSWER_TOL)?,
            }
        }
        None | Some(("number", _)) => {
            let Some(raw) = &r.answer else {
                ctx.at(
                    e.span(),
                    format!("{page}: the exercise needs answer = a number or a sign (or kind = \"predict\")"),
                );
                return None;
            };
            let answer = written_answer(ctx, r, raw)?;
            if let Answer::Number { value, tol } = answer {
                give_away(ctx, raw_page, r, page, &[value], tol, &[]);
            }
            answer
        }
        Some(("predict", _)) => {
            if let Some(a) = &r.answer {
                ctx.at(
                    a.span(),
                    "a predict exercise's answer is the run's next point, computed: remove answer",
                );
            }
            if let Some(a) = r.asks.as_ref().filter(|_| asks != Asks::Next) {
                ctx.at(
                    a.span(),
                    "a predict exercise asks = \"next\" (or leave asks out)",
                );
            }
            // What it asks is θ next, so θ next and Δθ stay hidden and n waits for the answer.
            asks = Asks::Next;
            let tol = tolerance(ctx, r, DEFAULT_PREDICT_TOL)?;
            // The step as the learner first sees it on this page: a fresh run of its scene.
            let step = scene
                .ok_or(String::new())
                .and_then(|s| Run::new(s.objective.clone(), s.optimizer, s.lr, &s.start, s.stop))
                .map(|run| Step::of(&run));
            match step {
                Ok(step) if step.next.iter().all(|v| v.is_finite()) => {
                    give_away(ctx, raw_page, r, page, &step.next, tol, &step.inputs());
                }
                Ok(_) => ctx.at(e.span(), format!("{page}: the run's next point is not a finite number, so there is nothing to predict")),
                Err(why) if why.is_empty() => {}
                Err(why) => ctx.at(e.span(), format!("{page}: cannot compute the next step to predict: {why}")),
            }
            Answer::Predict { tol }
        }
        Some((other, span)) => {
            ctx.at(
                span,
                format!("{page}: kind = '{other}' is not one of number, predict"),
            );
            return None;
        }
    };
    Some(Exercise {
        prompt,
        answer,
        asks,
        hint,
        explain,
    })
}

/// `tol = ...` if given (finite, ≥ 0), else `default`.
fn tolerance(ctx: &mut Ctx, r: &RawExercise, default: f64) -> Option<f64> {
    match &r.tol {
        Some(t) => {
            let t2 = finite(ctx, t, "tol")?;
            if t2 < 0.0 {
                ctx.at(t.span(), "tol must be ≥ 0");
                return None;
            }
            Some(t2)
        }
        None => Some(default),
    }
}

/// The answer written in the lesson: a number (with its tolerance) or a sign.
fn written_answer(ctx: &mut Ctx, r: &RawExercise, raw: &S<RawAnswer>) -> Option<Answer> {
    Some(match raw.get_ref() {
        RawAnswer::Number(v) => {
            if !v.is_finite() {
                ctx.at(raw.span(), "answer must be a finite number");
                return None;
            }
            Answer::Number {
                value: *v,
                tol: tolerance(ctx, r, DEFAULT_ANSWER_TOL)?,
            }
        }
        RawAnswer::Sign(s) => {
            if let Some(t) = &r.tol {
                ctx.at(t.span(), "tol goes with a numeric answer, not a sign");
            }
            match Sign::parse(s) {
                Some(sign) => Answer::Sign(sign),
                None => {
                    ctx.at(
                        raw.span(),
                        format!(
                            "answer '{s}' is neither a number nor a sign (\"+\", \"-\", \"0\")"
                        ),
                    );
                    return None;
                }
            }
        }
    })
}

/// The page text, the prompt and the hint (both languages) must not state the answer: the
/// learner reads them before answering. The explanation may, it comes after.
/// `answers` are the numbers the learner must find; `inputs` are numbers the learner needs to
/// find them (θ, η, ∇L of a predicted step), which a page may state even when one equals a
/// component of the answer (η = 0.1 and w₂ next = 0.1).
pub(super) fn give_away(
    ctx: &mut Ctx,
    p: &RawPage,
    r: &RawExercise,
    page: &str,
    answers: &[f64],
    tol: f64,
    inputs: &[f64],
) {
    let texts = |t: &Option<S<RawText>>| {
        t.as_ref()
            .map(|t| [t.get_ref().zh.clone(), t.get_ref().en.clone()])
            .into_iter()
            .flatten()
    };
    let prompt = Some(r.prompt.clone());
    let fields = [p.zh.clone(), p.en.clone()]
        .into_iter()
        .chain(texts(&prompt))
        .chain(texts(&r.hint))
        .flatten();
    for field in fields {
        let span = field.span();
        // Scan the source as written, so the place points at the number in the file.
        let src = ctx.src.get(span.clone()).unwrap_or("");
        let slack = |v: f64| tol + 1e-9 * v.abs().max(1.0);
        let stated = answers
            .iter()
            .filter(|&&a| !inputs.iter().any(|&i| (i - a).abs() <= slack(a)))
            .filter_map(|&a| giveaway::states(src, a, tol).map(|w| (w, a)))
            .min_by_key(|(w, _)| w.start);
        if let Some((w, value)) = stated {
            let found = w.text(src).to_string();
            ctx.at(
                span.start + w.start..span.start + w.end,
                format!(
                    "{page}: the text states the exercise's answer ('{found}' = {}); ask something the page does not say, or keep the number for the explanation",
                    crate::numfmt::short(value)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::schema::RawPage;

    fn read(src: &str) -> (Option<Exercise>, Vec<String>) {
        let page: RawPage = toml::from_str(src).unwrap();
        let mut ctx = Ctx::new("f.toml", src);
        let e = exercise(
            &mut ctx,
            page.exercise.as_ref().unwrap(),
            "page 1",
            &page,
            None,
        );
        (e, ctx.problems.iter().map(|p| p.message.clone()).collect())
    }

    const PROMPT: &str = "zh = \"页\"\nen = \"page\"\n[exercise]\nprompt = { zh = \"问\", en = \"ask\" }\nexplain = { zh = \"因\", en = \"why\" }\n";

    #[test]
    fn a_numeric_answer_gets_the_default_tolerance() {
        let (e, problems) = read(&format!("{PROMPT}answer = 0.5\n"));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            e.unwrap().answer,
            Answer::Number {
                value: 0.5,
                tol: DEFAULT_ANSWER_TOL
            }
        );
    }

    #[test]
    fn a_page_that_states_the_answer_is_refused_at_the_number() {
        let src = "zh = \"导数是 10。\"\nen = \"The slope is 10.0 here, not 100.\"\n[exercise]\nprompt = { zh = \"问\", en = \"ask\" }\nexplain = { zh = \"因\", en = \"it is 10\" }\nanswer = 10\nasks = \"grad\"\n";
        let page: RawPage = toml::from_str(src).unwrap();
        let mut ctx = Ctx::new("f.toml", src);
        let e = exercise(
            &mut ctx,
            page.exercise.as_ref().unwrap(),
            "page 1",
            &page,
            None,
        )
        .unwrap();
        assert_eq!(e.asks, Asks::Gradient);
        let got: Vec<String> = ctx.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(
            got[0].starts_with(
                "f.toml:1:11: page 1: the text states the exercise's answer ('10' = 10)"
            ),
            "{}",
            got[0]
        );
        assert!(
            got[1].starts_with(
                "f.toml:2:20: page 1: the text states the exercise's answer ('10.0' = 10)"
            ),
            "{}",
            got[1]
        );
    }

    #[test]
    fn an_unknown_asks_is_named() {
        let (_, problems) = read(&format!("{PROMPT}answer = 1\nasks = \"slope\"\n"));
        assert_eq!(
            problems,
            ["page 1: asks = 'slope' is not one of nothing, grad, loss, step, next, stop"]
        );
    }

    #[test]
    fn a_sign_takes_no_tolerance_and_nonsense_is_named() {
        let (_, problems) = read(&format!("{PROMPT}answer = \"+\"\ntol = 0.1\n"));
        assert_eq!(problems, ["tol goes with a numeric answer, not a sign"]);
        let (e, problems) = read(&format!("{PROMPT}answer = \"up\"\n"));
        assert!(e.is_none());
        assert!(problems[0].contains("answer 'up' is neither a number nor a sign"));
    }
}
