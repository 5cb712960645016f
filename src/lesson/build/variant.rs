//! An exercise's name in the progress file and its fresh variants (`vary`): every instance is
//! built here once, so `gradstep check` has verified that each start has a finite answer from
//! the math core and that no text gives that answer away before a learner can draw it.

use std::ops::Range;

use super::context::Ctx;
use super::exercise::give_away;
use crate::lesson::exercise::{Answer, Asks, Exercise};
use crate::lesson::giveaway;
use crate::lesson::predict::Step;
use crate::lesson::scene::Scene;
use crate::lesson::schema::{RawExercise, RawPage, RawVary, S};
use crate::lesson::variant::{ASKABLE, Computed, Vary};

/// The exercise's progress id and its variants; replaces `ex` with the first instance (its
/// texts filled in, its answer computed) when the exercise varies. `ids` are the ids taken by
/// earlier pages of the lesson; `index` is the page's (0-based).
pub(super) fn attach(
    ctx: &mut Ctx,
    e: &S<RawExercise>,
    index: usize,
    raw_page: &RawPage,
    scene: Option<&Scene>,
    ex: &mut Exercise,
    ids: &mut Vec<String>,
) -> (String, Option<Vary>) {
    let r = e.get_ref();
    let page = &format!("page {}", index + 1);
    let id = match &r.id {
        Some(s)
            if s.get_ref().trim().is_empty() || s.get_ref().chars().any(char::is_whitespace) =>
        {
            ctx.at(
                s.span(),
                format!(
                    "{page}: an exercise id is one word without spaces, e.g. id = \"slope-at-x0\""
                ),
            );
            format!("p{}.1", index + 1)
        }
        Some(s) => s.get_ref().clone(),
        None => format!("p{}.1", index + 1),
    };
    if ids.contains(&id) {
        let span = r.id.as_ref().map_or(e.span(), |s| s.span());
        ctx.at(span, format!("{page}: exercise id '{id}' is already used in this lesson; progress would mix the two"));
    }
    ids.push(id.clone());
    // A stray `of` (neither a derivative nor a varied question) is refused in exercise.rs.
    let Some(raw_vary) = &r.vary else {
        return (id, None);
    };
    let Some(scene) = scene else {
        return (id, None);
    };
    let vary = vary(ctx, r, raw_vary, page, raw_page, scene, ex);
    (id, vary)
}

fn vary(
    ctx: &mut Ctx,
    r: &RawExercise,
    raw: &S<RawVary>,
    page: &str,
    raw_page: &RawPage,
    scene: &Scene,
    ex: &mut Exercise,
) -> Option<Vary> {
    // The page's own start is the first instance; the list adds the others.
    let mut starts = vec![scene.start.clone()];
    let mut spans: Vec<Range<usize>> = vec![raw.span()];
    let list = &raw.get_ref().start;
    if list.get_ref().is_empty() {
        ctx.at(
            list.span(),
            format!(
                "{page}: vary.start lists no start; give at least one, e.g. start = [[2], [-3]]"
            ),
        );
    }
    for s in list.get_ref() {
        let n = scene.names.len();
        if s.get_ref().len() != n {
            ctx.at(
                s.span(),
                format!(
                    "{page}: this start has {} number(s); the formula has {n} parameter(s) ({})",
                    s.get_ref().len(),
                    scene.names.join(", ")
                ),
            );
            continue;
        }
        if s.get_ref().iter().any(|v| !v.is_finite()) {
            ctx.at(s.span(), format!("{page}: a start must be finite numbers"));
            continue;
        }
        if !starts.contains(s.get_ref()) {
            starts.push(s.get_ref().clone());
            spans.push(s.span());
        }
    }
    let (computed, tol) = match ex.answer {
        Answer::Number { tol, .. } => (Some(computed(ctx, r, page, scene)?), tol),
        Answer::Predict { tol } => (None, tol),
        _ => {
            ctx.at(
                raw.span(),
                format!(
                    "{page}: vary works with a numeric answer (asks = {}) or kind = \"predict\"",
                    ASKABLE.join(", ")
                ),
            );
            return None;
        }
    };
    let vary = Vary {
        starts,
        prompt: ex.prompt.clone(),
        hint: ex.hint.clone(),
        explain: ex.explain.clone(),
        computed,
    };
    let mut first = None;
    for (k, span) in spans.iter().enumerate() {
        let at = |p: &[f64]| {
            let parts: Vec<String> = p.iter().map(|v| crate::numfmt::short(*v)).collect();
            parts.join(", ")
        };
        let inst = match vary.instance(ex, scene, k) {
            Ok(inst) => inst,
            Err(why) => {
                ctx.at(
                    span.clone(),
                    format!(
                        "{page}: variant {} (start [{}]): {why}",
                        k + 1,
                        at(&vary.starts[k])
                    ),
                );
                continue;
            }
        };
        let run = inst.scene.run().ok()?;
        let step = Step::of(&run);
        let (answers, mut inputs) = match inst.exercise.answer {
            Answer::Number { value, .. } => (vec![value], vary.starts[k].clone()),
            _ => (step.next.clone(), step.inputs()),
        };
        inputs.push(scene.lr);
        // The page's own instance of a prediction was checked with the exercise itself.
        let before = ctx.problems.len();
        if computed.is_some() || k > 0 {
            give_away(ctx, raw_page, r, page, &answers, tol, &inputs);
        }
        let shown = [Some(&inst.exercise.prompt), inst.exercise.hint.as_ref()];
        for text in shown.into_iter().flatten() {
            for s in [&text.zh, &text.en] {
                let slack = |v: f64| tol + 1e-9 * v.abs().max(1.0);
                let hit = answers
                    .iter()
                    .filter(|&&a| !inputs.iter().any(|&i| (i - a).abs() <= slack(a)))
                    .find_map(|&a| giveaway::states(s, a, tol).map(|w| w.text(s).to_string()));
                if let Some(found) = hit {
                    ctx.at(
                        r.prompt.span(),
                        format!(
                            "{page}: the question as shown states its answer ('{found}' in \"{s}\")"
                        ),
                    );
                }
            }
        }
        let label = format!(" (variant {}, start [{}])", k + 1, at(&vary.starts[k]));
        for p in &mut ctx.problems[before..] {
            p.message.push_str(&label);
        }
        if k == 0 {
            first = Some(inst.exercise);
        }
    }
    if let Some(first) = first {
        *ex = first;
    }
    Some(vary)
}

/// Which number of the run a varied numeric question asks for.
fn computed(ctx: &mut Ctx, r: &RawExercise, page: &str, scene: &Scene) -> Option<Computed> {
    let asks = r
        .asks
        .as_ref()
        .and_then(|a| Asks::parse(a.get_ref().first()));
    let asks = match asks {
        Some(a @ (Asks::Gradient | Asks::Loss | Asks::Step | Asks::Next)) => a,
        _ => {
            let span = r.asks.as_ref().map_or(r.prompt.span(), |a| a.span());
            ctx.at(span, format!("{page}: a varied numeric exercise says which number of the run it asks: asks = {}", ASKABLE.join(", ")));
            return None;
        }
    };
    let names = &scene.names;
    let pretty = scene.param_names();
    let component = match &r.of {
        _ if asks == Asks::Loss => {
            if let Some(of) = &r.of {
                ctx.at(
                    of.span(),
                    format!("{page}: the loss is one number: remove of"),
                );
            }
            0
        }
        Some(of) => {
            let want = of.get_ref().trim();
            match names
                .iter()
                .zip(&pretty)
                .position(|(n, p)| n == want || p == want)
            {
                Some(i) => i,
                None => {
                    ctx.at(
                        of.span(),
                        format!(
                            "{page}: of = '{want}' is not a parameter ({})",
                            names.join(", ")
                        ),
                    );
                    return None;
                }
            }
        }
        None if names.len() == 1 => 0,
        None => {
            let span = r.asks.as_ref().map_or(r.prompt.span(), |a| a.span());
            ctx.at(
                span,
                format!(
                    "{page}: say which parameter's component is asked: of = \"{}\" (one of {})",
                    names[0],
                    names.join(", ")
                ),
            );
            return None;
        }
    };
    Some(Computed { asks, component })
}
