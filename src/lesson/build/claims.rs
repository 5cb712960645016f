//! A lesson's `[[check]]` tables: claims about its own numbers (at step t the value is …;
//! after n steps the status is …), resolved to a page and a run and checked for shape here.
//! Verifying them against the math core is [`crate::lesson::claims`].

use super::context::{Ctx, count, finite, numbers};
use crate::descent::Status;
use crate::lesson::budget;
use crate::lesson::schema::{RawClaim, S};
use crate::lesson::{Claim, ClaimKind, Page, Place, Scene};

/// Default tolerance of a claim: the math core is exact to rounding, so a lesson's numbers
/// should match to far better than what the text shows.
pub const DEFAULT_CLAIM_TOL: f64 = 1e-9;

fn status_named(s: &str) -> Option<Status> {
    [
        Status::Running,
        Status::MaxSteps,
        Status::Converged,
        Status::Diverged,
    ]
    .into_iter()
    .find(|st| st.name() == s.trim())
}

/// One `[[check]]`: which page and run it is about, then an `at` or an `after` claim.
/// `spent` counts the reads of the lesson's claims so far, for the check budget.
pub(super) fn claim(
    ctx: &mut Ctx,
    c: &S<RawClaim>,
    pages: &[Page],
    spent: &mut u128,
) -> Option<Claim> {
    let r = c.get_ref();
    let place = ctx.place(c.span().start);
    let page = match &r.page {
        Some(p) => {
            let n = count(ctx, p, "page", 1)?;
            if n > pages.len() {
                ctx.at(
                    p.span(),
                    format!(
                        "page {n} does not exist (the lesson has {} pages)",
                        pages.len()
                    ),
                );
                return None;
            }
            n - 1
        }
        None => 0,
    };
    let scene = &pages.get(page)?.scene;
    let racer = racer_index(ctx, r, scene, page)?;
    let kind = match (&r.at, &r.after) {
        (Some(_), Some(a)) => {
            ctx.at(a.span(), "a check is either `at = t` (numbers at step t) or `after = n` (status after n steps), not both");
            return None;
        }
        (None, None) => {
            ctx.at(c.span(), "a check needs `at = t` with value/grad/params, or `after = n` with status/stopped_at");
            return None;
        }
        (Some(t), None) => at_claim(ctx, c, t, scene)?,
        (None, Some(a)) => after_claim(ctx, c, a)?,
    };
    let (steps, key) = match (&kind, &r.at, &r.after) {
        (ClaimKind::At { t, .. }, Some(k), _) | (ClaimKind::After { steps: t, .. }, _, Some(k)) => {
            (*t, k.span())
        }
        _ => (0, c.span()),
    };
    let objective = match racer {
        Some(i) => &scene.race[i].objective,
        None => &scene.objective,
    };
    match budget::check_claim(objective, steps, *spent) {
        Ok(total) => *spent = total,
        Err(e) => {
            ctx.at(key, e.to_string());
            return None;
        }
    }
    Some(Claim {
        place,
        page,
        racer,
        kind,
    })
}

/// `racer = "label"`: `Some(None)` for the main run, `Some(Some(i))` for racer i.
fn racer_index(ctx: &mut Ctx, r: &RawClaim, scene: &Scene, page: usize) -> Option<Option<usize>> {
    let Some(l) = &r.racer else {
        return Some(None);
    };
    if let Some(i) = scene.race.iter().position(|x| x.label == *l.get_ref()) {
        return Some(Some(i));
    }
    let labels: Vec<&str> = scene.race.iter().map(|x| x.label.as_str()).collect();
    ctx.at(
        l.span(),
        format!(
            "no racer is labelled '{}' on page {} (racers: {})",
            l.get_ref(),
            page + 1,
            if labels.is_empty() {
                "none".to_string()
            } else {
                labels.join(", ")
            }
        ),
    );
    None
}

/// A list claim (grad, params): one number per parameter of the scene.
fn vector(
    ctx: &mut Ctx,
    v: &Option<S<Vec<f64>>>,
    what: &str,
    scene: &Scene,
) -> Result<Option<(Vec<f64>, Place)>, ()> {
    let Some(v) = v else { return Ok(None) };
    let list = numbers(ctx, v, what).ok_or(())?;
    let dim = scene.names.len();
    if list.len() != dim {
        ctx.at(
            v.span(),
            format!(
                "{what} has {} value(s) but there are {dim} parameter(s): {}",
                list.len(),
                scene.names.join(", ")
            ),
        );
        return Err(());
    }
    Ok(Some((list, ctx.place(v.span().start))))
}

fn at_claim(ctx: &mut Ctx, c: &S<RawClaim>, t: &S<i64>, scene: &Scene) -> Option<ClaimKind> {
    let r = c.get_ref();
    for (key, sp) in [
        ("status", r.status.as_ref().map(|v| v.span())),
        ("stopped_at", r.stopped_at.as_ref().map(|v| v.span())),
    ] {
        if let Some(sp) = sp {
            ctx.at(sp, format!("{key} goes with `after = n`, not `at`"));
        }
    }
    let t = count(ctx, t, "at", 0)?;
    let value = match &r.value {
        Some(v) => Some((finite(ctx, v, "value")?, ctx.place(v.span().start))),
        None => None,
    };
    let grad = vector(ctx, &r.grad, "grad", scene).ok()?;
    let params = vector(ctx, &r.params, "params", scene).ok()?;
    if value.is_none() && grad.is_none() && params.is_none() {
        ctx.at(
            c.span(),
            "this check asserts nothing: give value, grad or params",
        );
        return None;
    }
    let tol = match &r.tol {
        Some(v) => {
            let x = finite(ctx, v, "tol")?;
            if x < 0.0 {
                ctx.at(v.span(), "tol must be ≥ 0");
                return None;
            }
            x
        }
        None => DEFAULT_CLAIM_TOL,
    };
    Some(ClaimKind::At {
        t,
        value,
        grad,
        params,
        tol,
    })
}

fn after_claim(ctx: &mut Ctx, c: &S<RawClaim>, a: &S<i64>) -> Option<ClaimKind> {
    let r = c.get_ref();
    for (key, sp) in [
        ("value", r.value.as_ref().map(|v| v.span())),
        ("grad", r.grad.as_ref().map(|v| v.span())),
        ("params", r.params.as_ref().map(|v| v.span())),
        ("tol", r.tol.as_ref().map(|v| v.span())),
    ] {
        if let Some(sp) = sp {
            ctx.at(sp, format!("{key} goes with `at = t`, not `after`"));
        }
    }
    let steps = count(ctx, a, "after", 0)?;
    let status = match &r.status {
        Some(s) => match status_named(s.get_ref()) {
            Some(st) => Some((st, ctx.place(s.span().start))),
            None => {
                ctx.at(
                    s.span(),
                    format!(
                        "unknown status '{}' (known: running, max_steps, converged, diverged)",
                        s.get_ref()
                    ),
                );
                return None;
            }
        },
        None => None,
    };
    let stopped_at = match &r.stopped_at {
        Some(s) => Some((count(ctx, s, "stopped_at", 0)?, ctx.place(s.span().start))),
        None => None,
    };
    if status.is_none() && stopped_at.is_none() {
        ctx.at(
            c.span(),
            "this check asserts nothing: give status or stopped_at",
        );
        return None;
    }
    Some(ClaimKind::After {
        steps,
        status,
        stopped_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::{ChartKind, Text, WindowSpec};
    use crate::math::optimizer::{Kind, Optimizer};
    use crate::math::{Formula, Objective};

    fn page() -> Page {
        let f = Formula::parse("x^2 + y^2").unwrap();
        let scene = Scene {
            view: ChartKind::Surface,
            names: f.vars().to_vec(),
            objective: Objective::Formula(f),
            start: vec![1.0, 1.0],
            lr: 0.1,
            lr_decay: None,
            optimizer: Optimizer::new(Kind::Sgd),
            stop: Default::default(),
            window: WindowSpec::default(),
            axes: Some((0, 1)),
            race: vec![],
            dial: None,
            naming: Default::default(),
        };
        Page {
            text: Text::default(),
            scene,
            scene_changed: true,
            continues: false,
            exercise: None,
            hide: Default::default(),
            later: vec![],
            exercise_id: None,
            vary: None,
        }
    }

    fn read(src: &str) -> (Option<Claim>, Vec<String>) {
        let raw: RawClaim = toml::from_str(src).unwrap();
        let mut ctx = Ctx::new("f.toml", src);
        let c = claim(&mut ctx, &S::new(0..src.len(), raw), &[page()], &mut 0);
        (c, ctx.problems.iter().map(|p| p.message.clone()).collect())
    }

    #[test]
    fn an_at_claim_with_the_default_tolerance() {
        let (c, problems) = read("at = 1\nparams = [0.8, 0.8]\n");
        assert!(problems.is_empty(), "{problems:?}");
        match c.unwrap().kind {
            ClaimKind::At { t, tol, params, .. } => {
                assert_eq!((t, tol), (1, DEFAULT_CLAIM_TOL));
                assert_eq!(params.unwrap().0, [0.8, 0.8]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn claims_that_assert_nothing_or_mix_kinds_are_named() {
        assert!(read("at = 1\n").1[0].contains("asserts nothing"));
        assert!(read("at = 1\nafter = 2\nvalue = 1\n").1[0].contains("not both"));
        assert!(
            read("after = 2\nvalue = 1\nstatus = \"converged\"\n").1[0]
                .contains("value goes with `at = t`")
        );
        assert!(read("after = 2\nstatus = \"done\"\n").1[0].contains("unknown status 'done'"));
    }

    #[test]
    fn wrong_page_racer_or_length_is_named() {
        assert!(read("page = 3\nat = 1\nvalue = 1\n").1[0].contains("page 3 does not exist"));
        assert!(read("racer = \"adam\"\nat = 1\nvalue = 1\n").1[0].contains("racers: none"));
        assert!(read("at = 1\ngrad = [1]\n").1[0].contains("grad has 1 value(s) but there are 2"));
    }
}
