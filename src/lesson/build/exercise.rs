//! A page's question: its prompt, hint and explanation in both languages, and the answer (a
//! number with a tolerance, a sign, θ next, a derivative formula or a direction).

use super::context::{Ctx, finite};
use super::text;
use crate::descent::Run;
use crate::lesson::derivative::{self, Target};
use crate::lesson::direction::DEFAULT_TOL_DEG;
use crate::lesson::exercise::{Answer, Asks, Exercise, Sign};
use crate::lesson::giveaway;
use crate::lesson::predict::{DEFAULT_PREDICT_TOL, Step};
use crate::lesson::scene::Scene;
use crate::lesson::schema::{RawAnswer, RawAsks, RawExercise, RawPage, RawText, S};
use crate::lesson::{ChartKind, Lang};
use crate::math::Objective;
use crate::math::formula::normalize_name;

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
    let listed = r
        .asks
        .as_ref()
        .map_or(vec![], |a| asks_list(ctx, a, page, "asks"));
    let mut asks = listed.first().copied().unwrap_or_default();
    let also: Vec<Asks> = listed.iter().skip(1).copied().collect();
    let prompt = text(ctx, &r.prompt, &format!("{page}: exercise prompt"));
    let hint = r
        .hint
        .as_ref()
        .map(|h| text(ctx, h, &format!("{page}: exercise hint")));
    let explain = text(ctx, &r.explain, &format!("{page}: exercise explain"));
    let kind = r.kind.as_ref().map(|k| (k.get_ref().trim(), k.span()));
    let kind_name = kind.as_ref().map_or("number", |(k, _)| *k);
    // `of` names the variable of a derivative, or the component a varied question asks.
    if let Some(of) =
        r.of.as_ref()
            .filter(|_| kind_name != "derivative" && r.vary.is_none())
    {
        ctx.at(
            of.span(),
            "of = names the variable of a kind = \"derivative\" exercise, or the component a varied exercise asks",
        );
    }
    if let Some(t) = r.tol_deg.as_ref().filter(|_| kind_name != "direction") {
        ctx.at(
            t.span(),
            "tol_deg goes with a kind = \"direction\" exercise",
        );
    }
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
        Some(("derivative", span)) => Answer::Derivative(Box::new(derivative_target(
            ctx, e, page, raw_page, scene, span,
        )?)),
        Some(("direction", span)) => {
            if let Some(a) = &r.answer {
                ctx.at(
                    a.span(),
                    "a direction exercise's answer is −∇L, computed: remove answer",
                );
            }
            if let Some(t) = &r.tol {
                ctx.at(
                    t.span(),
                    "a direction exercise's tolerance is tol_deg (degrees)",
                );
            }
            match scene {
                Some(s) if s.view == ChartKind::Taylor => {}
                Some(_) => ctx.at(
                    span,
                    format!(
                        "{page}: a direction exercise needs view = \"taylor\" (v is turned there)"
                    ),
                ),
                None => {}
            }
            let tol_deg = match &r.tol_deg {
                Some(t) => {
                    let v = finite(ctx, t, "tol_deg")?;
                    if !(v > 0.0 && v < 90.0) {
                        ctx.at(t.span(), "tol_deg must be between 0 and 90 degrees");
                        return None;
                    }
                    v
                }
                None => DEFAULT_TOL_DEG,
            };
            Answer::Direction { tol_deg }
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
                format!(
                    "{page}: kind = '{other}' is not one of number, predict, derivative, direction"
                ),
            );
            return None;
        }
    };
    Some(Exercise {
        prompt,
        answer,
        asks,
        also,
        hint,
        explain,
    })
}

/// The names of `asks = ...` or `hide = [...]` (`key` says which), each known one read and
/// each unknown one named with its place; an empty list is a mistake too, since it hides
/// nothing the author meant to hide.
pub(super) fn asks_list(ctx: &mut Ctx, a: &S<RawAsks>, page: &str, key: &str) -> Vec<Asks> {
    let names: Vec<&str> = Asks::NAMES.iter().map(|(n, _)| *n).collect();
    if a.get_ref().0.is_empty() {
        ctx.at(
            a.span(),
            format!(
                "{page}: {key} = [] names nothing; give one or more of {}",
                names.join(", ")
            ),
        );
    }
    let mut out = Vec::new();
    for n in &a.get_ref().0 {
        match Asks::parse(n) {
            Some(x) => out.push(x),
            None => ctx.at(
                a.span(),
                format!("{page}: {key} = '{n}' is not one of {}", names.join(", ")),
            ),
        }
    }
    out
}

/// The derivative a `kind = "derivative"` exercise asks for: the page's formula, the variable
/// named by `of`, sampled over the page's window (the start ± 3 on an axis without one).
fn derivative_target(
    ctx: &mut Ctx,
    e: &S<RawExercise>,
    page: &str,
    raw_page: &RawPage,
    scene: Option<&Scene>,
    kind_span: std::ops::Range<usize>,
) -> Option<Target> {
    let r = e.get_ref();
    if let Some(a) = &r.answer {
        ctx.at(
            a.span(),
            "a derivative exercise's answer is the exact derivative, computed: remove answer",
        );
    }
    if let Some(t) = &r.tol {
        ctx.at(
            t.span(),
            "a derivative is checked to 1e-9 at sample points: remove tol",
        );
    }
    let scene = scene?;
    let Objective::Formula(f) = &scene.objective else {
        ctx.at(
            kind_span,
            format!("{page}: a derivative exercise needs a page whose scene has a formula"),
        );
        return None;
    };
    let vars = f.vars();
    let var = match &r.of {
        Some(of) => {
            let found = normalize_name(of.get_ref())
                .ok()
                .and_then(|n| vars.iter().position(|v| *v == n));
            match found {
                Some(i) => i,
                None => {
                    ctx.at(
                        of.span(),
                        format!(
                            "{page}: of = '{}' is not a variable of the formula '{}' (its variables: {})",
                            of.get_ref(),
                            f.source(),
                            vars.join(", ")
                        ),
                    );
                    return None;
                }
            }
        }
        None if vars.len() == 1 => 0,
        None => {
            ctx.at(
                e.span(),
                format!(
                    "{page}: say which partial derivative: of = one of {}",
                    vars.join(", ")
                ),
            );
            return None;
        }
    };
    let (ax, ay) = scene.axes.unwrap_or((0, 1));
    let bounds: Vec<(f64, f64)> = (0..vars.len())
        .map(|i| {
            let given = if i == ax {
                scene.window.x
            } else if i == ay && vars.len() > 1 {
                scene.window.y
            } else {
                None
            };
            let s = scene.start.get(i).copied().unwrap_or(0.0);
            given.unwrap_or((s - 3.0, s + 3.0))
        })
        .collect();
    let name = scene.naming.loss.clone().unwrap_or_else(|| "f".to_string());
    let target = match Target::new(f.clone(), var, &bounds, &name, DERIVATIVE_SEED) {
        Ok(t) => t,
        Err(why) => {
            ctx.at(
                kind_span,
                format!(
                    "{page}: cannot grade this derivative: {}",
                    why.words().get(Lang::En)
                ),
            );
            return None;
        }
    };
    let Some(exact) = target.exact.clone() else {
        ctx.at(
            kind_span,
            format!(
                "{page}: {} cannot be written as a formula to reveal",
                target.label()
            ),
        );
        return None;
    };
    // The page text, prompt and hint must not write the derivative down right above.
    let texts = |t: &Option<S<RawText>>| {
        t.as_ref()
            .map(|t| [t.get_ref().zh.clone(), t.get_ref().en.clone()])
            .into_iter()
            .flatten()
    };
    let fields = [raw_page.zh.clone(), raw_page.en.clone()]
        .into_iter()
        .chain(texts(&Some(r.prompt.clone())))
        .chain(texts(&r.hint))
        .flatten();
    for field in fields {
        let span = field.span();
        let src = ctx.src.get(span.clone()).unwrap_or("");
        if let Some(w) = derivative::stated_in(src, &exact) {
            let found = src[w.clone()].to_string();
            ctx.at(
                span.start + w.start..span.start + w.end,
                format!(
                    "{page}: the text states the exercise's answer ('{found}' = {}); keep it for the explanation",
                    target.reveal()
                ),
            );
        }
    }
    Some(target)
}

/// The seed of a derivative exercise's random points: fixed, so `check` and the tutor test
/// the same points.
const DERIVATIVE_SEED: u64 = 14;

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
            ["page 1: asks = 'slope' is not one of nothing, grad, loss, step, next, stop, dot"]
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
