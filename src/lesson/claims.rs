//! Verifying a lesson's claims against the math core: a lesson that says "after one step
//! θ = [0.15, 0.10, 0.05]" is held to it on every `gradstep check` and every `cargo test`.

use super::{Claim, ClaimKind, Lesson, Place, Problem};
use crate::numfmt;
use crate::session::Session;

/// A failed claim: where it is written and what the math core says instead.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub place: Place,
    pub message: String,
}

/// Numbers in failure messages: enough digits to see a small disagreement.
fn num(x: f64) -> String {
    numfmt::sig(x, 12)
}

fn vec_text(v: &[f64]) -> String {
    format!(
        "[{}]",
        v.iter().map(|&x| num(x)).collect::<Vec<_>>().join(", ")
    )
}

fn session_for(lesson: &Lesson, c: &Claim) -> Result<Session, String> {
    let scene = lesson
        .scene(c.page)
        .ok_or_else(|| format!("page {} does not exist", c.page + 1))?;
    match c.racer {
        None => scene.session(),
        Some(i) => scene
            .race
            .get(i)
            .ok_or_else(|| "no such racer".to_string())?
            .session(scene.stop),
    }
}

/// Verifies one claim; every assertion in it that fails is reported.
pub fn verify(lesson: &Lesson, c: &Claim) -> Vec<Failure> {
    let mut session = match session_for(lesson, c) {
        Ok(s) => s,
        Err(e) => {
            return vec![Failure {
                place: c.place,
                message: e,
            }];
        }
    };
    let mut out = Vec::new();
    match &c.kind {
        ClaimKind::At {
            t,
            value,
            grad,
            params,
            tol,
        } => {
            let status = session.run(*t);
            let p = session.current();
            if p.t != *t {
                out.push(Failure {
                    place: c.place,
                    message: format!(
                        "check failed: the run stopped at step {} ({status}) before step {t}",
                        p.t
                    ),
                });
                return out;
            }
            let close = |a: &[f64], b: &[f64]| {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= *tol)
            };
            if let Some((want, place)) = value
                && !close(&[p.value], &[*want])
            {
                out.push(Failure {
                    place: *place,
                    message: format!(
                        "check failed: the value at step {t} is {}, the lesson says {} (tol {})",
                        num(p.value),
                        num(*want),
                        num(*tol)
                    ),
                });
            }
            if let Some((want, place)) = grad
                && !close(&p.grad, want)
            {
                out.push(Failure {
                    place: *place,
                    message: format!(
                        "check failed: the gradient at step {t} is {}, the lesson says {} (tol {})",
                        vec_text(&p.grad),
                        vec_text(want),
                        num(*tol)
                    ),
                });
            }
            if let Some((want, place)) = params
                && !close(&p.params, want)
            {
                out.push(Failure {
                    place: *place,
                    message: format!(
                        "check failed: the parameters at step {t} are {}, the lesson says {} (tol {})",
                        vec_text(&p.params),
                        vec_text(want),
                        num(*tol)
                    ),
                });
            }
        }
        ClaimKind::After {
            steps,
            status,
            stopped_at,
        } => {
            let got = session.run(*steps);
            let t = session.current().t;
            if let Some((want, place)) = status
                && got != *want
            {
                out.push(Failure {
                    place: *place,
                    message: format!(
                        "check failed: after {steps} steps the status is {got} (at step {t}), the lesson says {want}"
                    ),
                });
            }
            if let Some((want, place)) = stopped_at
                && t != *want
            {
                out.push(Failure {
                    place: *place,
                    message: format!(
                        "check failed: the run stood at step {t} ({got}) after {steps} steps, the lesson says {want}"
                    ),
                });
            }
        }
    }
    out
}

/// Verifies every claim of a lesson; failures become problems in the lesson's file.
pub fn verify_all(lesson: &Lesson) -> Vec<Problem> {
    lesson
        .claims
        .iter()
        .flat_map(|c| verify(lesson, c))
        .map(|f| Problem {
            file: lesson.file.clone(),
            place: Some(f.place),
            message: f.message,
        })
        .collect()
}
