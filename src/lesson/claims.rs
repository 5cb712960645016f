//! Verifying a lesson's claims against the math core: a lesson that says "after one step
//! θ = [0.15, 0.10, 0.05]" is held to it on every `gradstep check` and every `cargo test`.

use super::{Claim, ClaimKind, Lesson, Place, Problem};
use crate::descent::{Run, Status};
use crate::numfmt;

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

fn session_for(lesson: &Lesson, c: &Claim) -> Result<Run, String> {
    let scene = lesson
        .scene(c.page)
        .ok_or_else(|| format!("page {} does not exist", c.page + 1))?;
    match c.racer {
        None => scene.run(),
        Some(i) => scene
            .race
            .get(i)
            .ok_or_else(|| "no such racer".to_string())?
            .run(scene.stop),
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
    match &c.kind {
        ClaimKind::At {
            t,
            value,
            grad,
            params,
            tol,
        } => verify_at(&mut session, c.place, *t, value, grad, params, *tol),
        ClaimKind::After {
            steps,
            status,
            stopped_at,
        } => verify_after(&mut session, *steps, status, stopped_at),
    }
}

/// `at = t`: the value, gradient and parameters at step t, within `tol`.
fn verify_at(
    session: &mut Run,
    place: Place,
    t: usize,
    value: &Option<(f64, Place)>,
    grad: &Option<(Vec<f64>, Place)>,
    params: &Option<(Vec<f64>, Place)>,
    tol: f64,
) -> Vec<Failure> {
    let mut out = Vec::new();
    let status = session.advance(t);
    let p = session.current();
    if p.t != t {
        out.push(Failure {
            place,
            message: format!(
                "check failed: the run stopped at step {} ({status}) before step {t}",
                p.t
            ),
        });
        return out;
    }
    let close = |a: &[f64], b: &[f64]| {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol)
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
                num(tol)
            ),
        });
    }
    for (what, got, claim) in [
        ("gradient", &p.grad, grad),
        ("parameters", &p.params, params),
    ] {
        if let Some((want, place)) = claim
            && !close(got, want)
        {
            let verb = if what == "gradient" { "is" } else { "are" };
            out.push(Failure {
                place: *place,
                message: format!(
                    "check failed: the {what} at step {t} {verb} {}, the lesson says {} (tol {})",
                    vec_text(got),
                    vec_text(want),
                    num(tol)
                ),
            });
        }
    }
    out
}

/// `after = n`: the status and the step the run stood at after up to n updates.
fn verify_after(
    session: &mut Run,
    steps: usize,
    status: &Option<(Status, Place)>,
    stopped_at: &Option<(usize, Place)>,
) -> Vec<Failure> {
    let mut out = Vec::new();
    let got = session.advance(steps);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::load_embedded;

    fn slope() -> Lesson {
        load_embedded()
            .get("slope")
            .cloned()
            .expect("the slope lesson")
    }

    #[test]
    fn a_true_claim_passes_and_a_changed_number_fails_at_its_place() {
        let lesson = slope();
        assert!(verify_all(&lesson).is_empty());
        let mut wrong = lesson.clone();
        let at = wrong
            .claims
            .iter_mut()
            .find_map(|c| match &mut c.kind {
                ClaimKind::At { value: Some(v), .. } => Some(v),
                _ => None,
            })
            .expect("slope claims a value");
        at.0 += 1.0;
        let place = at.1;
        let failures = verify_all(&wrong);
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].place, Some(place));
        assert!(
            failures[0]
                .message
                .starts_with("check failed: the value at step")
        );
    }

    #[test]
    fn a_claim_past_the_stop_says_where_the_run_stopped() {
        let lesson = slope();
        let mut c = lesson.claims[0].clone();
        c.kind = ClaimKind::At {
            t: 200_000,
            value: Some((0.0, Place::default())),
            grad: None,
            params: None,
            tol: 0.0,
        };
        let failures = verify(&lesson, &c);
        assert!(
            failures[0].message.contains("before step 200000"),
            "{failures:?}"
        );
    }
}
