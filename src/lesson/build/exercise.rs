//! A page's question: its prompt, hint and explanation in both languages, and the answer (a
//! number with a tolerance, or a sign).

use super::context::{Ctx, finite};
use super::text;
use crate::lesson::exercise::{Answer, Exercise, Sign};
use crate::lesson::schema::{RawAnswer, RawExercise, S};

/// Default tolerance of a numeric exercise answer: a learner types a few digits.
pub const DEFAULT_ANSWER_TOL: f64 = 1e-6;

pub(super) fn exercise(ctx: &mut Ctx, e: &S<RawExercise>, page: &str) -> Option<Exercise> {
    let r = e.get_ref();
    let prompt = text(ctx, &r.prompt, &format!("{page}: exercise prompt"));
    let hint = r
        .hint
        .as_ref()
        .map(|h| text(ctx, h, &format!("{page}: exercise hint")));
    let explain = text(ctx, &r.explain, &format!("{page}: exercise explain"));
    let answer = match r.answer.get_ref() {
        RawAnswer::Number(v) => {
            if !v.is_finite() {
                ctx.at(r.answer.span(), "answer must be a finite number");
                return None;
            }
            let tol = match &r.tol {
                Some(t) => {
                    let t2 = finite(ctx, t, "tol")?;
                    if t2 < 0.0 {
                        ctx.at(t.span(), "tol must be ≥ 0");
                        return None;
                    }
                    t2
                }
                None => DEFAULT_ANSWER_TOL,
            };
            Answer::Number { value: *v, tol }
        }
        RawAnswer::Sign(s) => {
            if let Some(t) = &r.tol {
                ctx.at(t.span(), "tol goes with a numeric answer, not a sign");
            }
            match Sign::parse(s) {
                Some(sign) => Answer::Sign(sign),
                None => {
                    ctx.at(
                        r.answer.span(),
                        format!(
                            "answer '{s}' is neither a number nor a sign (\"+\", \"-\", \"0\")"
                        ),
                    );
                    return None;
                }
            }
        }
    };
    Some(Exercise {
        prompt,
        answer,
        hint,
        explain,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::schema::RawPage;

    fn read(src: &str) -> (Option<Exercise>, Vec<String>) {
        let page: RawPage = toml::from_str(src).unwrap();
        let mut ctx = Ctx::new("f.toml", src);
        let e = exercise(&mut ctx, page.exercise.as_ref().unwrap(), "page 1");
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
    fn a_sign_takes_no_tolerance_and_nonsense_is_named() {
        let (_, problems) = read(&format!("{PROMPT}answer = \"+\"\ntol = 0.1\n"));
        assert_eq!(problems, ["tol goes with a numeric answer, not a sign"]);
        let (e, problems) = read(&format!("{PROMPT}answer = \"up\"\n"));
        assert!(e.is_none());
        assert!(problems[0].contains("answer 'up' is neither a number nor a sign"));
    }
}
