//! One effective scene: the base `[scene]` with every page's `set` merged in, checked as a
//! whole (the view must fit the objective, axes must name parameters, racers must differ).

use std::ops::Range;

use super::ReadData;
use super::context::{Ctx, count, finite, numbers};
use super::objective::objective;
use super::optimizer::{build_optimizer, positive_lr, scene_hyper, stop_rule};
use crate::lesson::budget;
use crate::lesson::printable;
use crate::lesson::scene::{ChartKind, Dial, Naming, Racer, Scene, WindowSpec};
use crate::lesson::schema::{RawDial, RawRacer, RawScene, RawWindow, S};
use crate::math::Objective;
use crate::math::optimizer::Optimizer;

/// The default η of a scene that does not give one.
const DEFAULT_LR: f64 = 0.1;

impl RawScene {
    /// This scene with every key that `over` sets replaced. A new formula brings its own
    /// variables, axes and window (and drops the model); a new model drops the formula.
    pub fn overlay(&self, over: &RawScene) -> RawScene {
        let mut base = self.clone();
        if over.formula.is_some() {
            base.vars = None;
            base.axes = None;
            base.window = None;
            base.model = None;
            base.rows = None;
            base.csv = None;
            base.batch_size = None;
            base.shuffle = None;
        }
        if over.model.is_some() {
            base.formula = None;
            base.vars = None;
        }
        if over.rows.is_some() {
            base.csv = None;
        }
        if over.csv.is_some() {
            base.rows = None;
        }
        if over.optimizer.is_some() {
            // Hyper-parameters belong to the optimizer they were written for.
            base.momentum = None;
            base.alpha = None;
            base.beta1 = None;
            base.beta2 = None;
            base.eps = None;
        }
        macro_rules! take {
            ($($f:ident),*) => { $( if over.$f.is_some() { base.$f = over.$f.clone(); } )* };
        }
        take!(
            view,
            formula,
            vars,
            model,
            rows,
            csv,
            batch_size,
            shuffle,
            start,
            lr,
            lr_decay,
            optimizer,
            momentum,
            alpha,
            beta1,
            beta2,
            eps,
            window,
            axes,
            stop,
            race,
            dial,
            param_names,
            loss_name,
            label
        );
        base
    }
}

fn start_point(
    ctx: &mut Ctx,
    start: &Option<S<Vec<f64>>>,
    names: &[String],
    fallback: Range<usize>,
) -> Option<Vec<f64>> {
    match start {
        None => Some(vec![0.0; names.len()]),
        Some(s) => {
            let v = numbers(ctx, s, "start")?;
            if v.len() != names.len() {
                ctx.at(
                    if s.span().is_empty() {
                        fallback
                    } else {
                        s.span()
                    },
                    format!(
                        "start has {} value(s) but there are {} parameter(s): {}",
                        v.len(),
                        names.len(),
                        names.join(", ")
                    ),
                );
                return None;
            }
            Some(v)
        }
    }
}

fn window(ctx: &mut Ctx, w: &S<RawWindow>) -> Option<WindowSpec> {
    let mut range = |v: &Option<S<Vec<f64>>>, axis: &str| -> Result<Option<(f64, f64)>, ()> {
        let Some(v) = v else { return Ok(None) };
        match v.get_ref().as_slice() {
            [lo, hi] if lo.is_finite() && hi.is_finite() && lo < hi => Ok(Some((*lo, *hi))),
            _ => {
                ctx.at(
                    v.span(),
                    format!("window.{axis} must be [low, high] with low < high, e.g. [-5, 5]"),
                );
                Err(())
            }
        }
    };
    let r = w.get_ref();
    let x = range(&r.x, "x");
    let y = range(&r.y, "y");
    Some(WindowSpec {
        x: x.ok()?,
        y: y.ok()?,
    })
}

/// Builds one effective scene, reporting every problem in it.
pub(super) fn build_scene(
    ctx: &mut Ctx,
    s: &RawScene,
    span: Range<usize>,
    read_data: ReadData,
) -> Option<Scene> {
    let view = chart_kind(ctx, s, span.clone());
    let objective = objective(ctx, s, span.clone(), read_data);
    let lr = match &s.lr {
        Some(lr) => positive_lr(ctx, lr),
        None => Some(DEFAULT_LR),
    };
    let optimizer = build_optimizer(ctx, None, &s.optimizer, scene_hyper(s));
    let lr_decay = match &s.lr_decay {
        Some(d) => Some(decay_rate(ctx, d)?),
        None => None,
    };
    let stop = stop_rule(ctx, &s.stop);
    let window = match &s.window {
        Some(w) => window(ctx, w),
        None => Some(WindowSpec::default()),
    };
    let (view, objective) = (view?, objective?);
    let names = objective.names();
    let start = start_point(ctx, &s.start, &names, span.clone());
    if let Err(e) = view_fits(view, &objective) {
        ctx.at(s.view.as_ref().map_or(span, |v| v.span()), e);
        return None;
    }
    if let Err(e) = budget::check_scene(&objective) {
        let data = s.rows.as_ref().map(|r| r.span());
        let data = data.or_else(|| s.csv.as_ref().map(|c| c.span()));
        ctx.at(data.unwrap_or(span), e.to_string());
        return None;
    }
    let axes = axes(ctx, &s.axes, view, &names)?;
    let dial = dial(ctx, &s.dial, view)?;
    let (lr, optimizer, stop, window, start) = (lr?, optimizer?, stop?, window?, start?);
    let mut race = Vec::new();
    if let Some(list) = &s.race {
        for r in list.get_ref() {
            race.push(racer(ctx, r, &objective, &names, optimizer, lr, &start)?);
        }
        distinct_labels(ctx, &race, list.get_ref())?;
    }
    let naming = naming(ctx, s, &names)?;
    Some(Scene {
        view,
        objective,
        names,
        start,
        lr,
        lr_decay,
        optimizer,
        stop,
        window,
        axes,
        race,
        dial,
        naming,
    })
}

/// `lr_decay = d` in η_k = η/(1 + k·d): a finite number ≥ 0 (0 keeps η fixed).
fn decay_rate(ctx: &mut Ctx, d: &S<f64>) -> Option<f64> {
    let v = finite(ctx, d, "lr_decay")?;
    if v < 0.0 {
        ctx.at(
            d.span(),
            "lr_decay must be ≥ 0 (η_k = η/(1 + k·lr_decay)), e.g. 0.5",
        );
        return None;
    }
    Some(v)
}

/// The page's own names for the parameters, the loss and the main run; each must be short
/// printable text, and there must be one parameter name per parameter.
fn naming(ctx: &mut Ctx, s: &RawScene, names: &[String]) -> Option<Naming> {
    let mut bad = false;
    let mut text = |ctx: &mut Ctx, v: &str, span: Range<usize>, key: &str| {
        let t = printable(v.trim()).into_owned();
        if t.is_empty() || t.chars().count() > 24 {
            ctx.at(span, format!("{key} must be 1 to 24 characters"));
            bad = true;
        }
        t
    };
    let loss = s
        .loss_name
        .as_ref()
        .map(|v| text(ctx, v.get_ref(), v.span(), "loss_name"));
    let (run, run_zh) = match &s.label {
        Some(l) => {
            let (en, zh) = l.get_ref().texts();
            let zh = zh.map(|z| text(ctx, z, l.span(), "label"));
            (Some(text(ctx, en, l.span(), "label")), zh)
        }
        None => (None, None),
    };
    let mut params = Vec::new();
    if let Some(list) = &s.param_names {
        if list.get_ref().len() != names.len() {
            ctx.at(
                list.span(),
                format!(
                    "param_names has {} name(s) but there are {} parameter(s) ({})",
                    list.get_ref().len(),
                    names.len(),
                    names.join(", ")
                ),
            );
            bad = true;
        }
        for n in list.get_ref() {
            let n = printable(n.trim()).into_owned();
            if n.is_empty() || n.chars().count() > 8 {
                ctx.at(list.span(), "each of param_names must be 1 to 8 characters");
                bad = true;
            }
            params.push(n);
        }
    }
    (!bad).then_some(Naming {
        params,
        loss,
        run,
        run_zh,
    })
}

fn chart_kind(ctx: &mut Ctx, s: &RawScene, span: Range<usize>) -> Option<ChartKind> {
    match &s.view {
        None => {
            ctx.at(
                span,
                "the scene needs view = \"slope\" | \"surface\" | \"taylor\" | \"model\"",
            );
            None
        }
        Some(v) => match v.get_ref().parse::<ChartKind>() {
            Ok(view) => Some(view),
            Err(e) => {
                ctx.at(v.span(), e);
                None
            }
        },
    }
}

/// The view must fit the objective.
fn view_fits(view: ChartKind, objective: &Objective) -> Result<(), &'static str> {
    let dim = objective.dim();
    match (view, objective) {
        (ChartKind::Slope, Objective::Formula(_)) if dim == 1 => Ok(()),
        (ChartKind::Slope, _) => {
            Err("the slope view draws one variable; this scene has more, use view = \"surface\"")
        }
        (ChartKind::Surface, Objective::Formula(_)) if dim >= 2 => Ok(()),
        (ChartKind::Surface, Objective::Model(_)) => Err("a model scene uses view = \"model\""),
        (ChartKind::Surface, _) => {
            Err("the surface view needs two or more variables; for one use view = \"slope\"")
        }
        (ChartKind::Taylor, Objective::Formula(_)) if dim == 2 => Ok(()),
        (ChartKind::Taylor, _) => Err(
            "the taylor view turns a direction in a plane: it needs a formula in exactly two variables",
        ),
        (ChartKind::Model, Objective::Model(_)) => Ok(()),
        (ChartKind::Model, _) => {
            Err("the model view needs model = \"logistic\" | \"linear\" and data")
        }
    }
}

/// The two parameters the contour map is drawn over: `Some(None)` for the slope view.
fn axes(
    ctx: &mut Ctx,
    axes: &Option<S<Vec<S<String>>>>,
    view: ChartKind,
    names: &[String],
) -> Option<Option<(usize, usize)>> {
    let a = match (axes, view) {
        (Some(a), ChartKind::Slope) => {
            ctx.at(a.span(), "the slope view has one axis; remove axes");
            return None;
        }
        (None, ChartKind::Slope) => return Some(None),
        (None, _) => return Some(Some((0, 1))),
        (Some(a), _) => a,
    };
    let list = a.get_ref();
    if list.len() != 2 {
        ctx.at(
            a.span(),
            format!(
                "axes names two parameters, e.g. [\"{}\", \"{}\"]",
                names[0], names[1]
            ),
        );
        return None;
    }
    let mut idx = [0usize; 2];
    for (k, n) in list.iter().enumerate() {
        let norm = crate::math::formula::normalize_name(n.get_ref())
            .unwrap_or_else(|_| n.get_ref().clone());
        let Some(i) = names.iter().position(|x| *x == norm) else {
            ctx.at(
                n.span(),
                format!(
                    "'{}' is not a parameter here (parameters: {})",
                    n.get_ref(),
                    names.join(", ")
                ),
            );
            return None;
        };
        idx[k] = i;
    }
    if idx[0] == idx[1] {
        ctx.at(a.span(), "axes must name two different parameters");
        return None;
    }
    Some(Some((idx[0], idx[1])))
}

/// The Taylor view's dial: `Some(None)` for the other views.
fn dial(ctx: &mut Ctx, d: &Option<S<RawDial>>, view: ChartKind) -> Option<Option<Dial>> {
    match (d, view) {
        (Some(d), ChartKind::Taylor) => {
            let r = d.get_ref();
            let mut dial = Dial::default();
            if let Some(a) = &r.angle {
                dial.angle_deg = finite(ctx, a, "dial.angle")?;
            }
            if let Some(st) = &r.step {
                let v = finite(ctx, st, "dial.step")?;
                if v <= 0.0 {
                    ctx.at(st.span(), "dial.step must be greater than 0");
                    return None;
                }
                dial.step = v;
            }
            Some(Some(dial))
        }
        (Some(d), _) => {
            ctx.at(d.span(), "dial belongs to the taylor view");
            None
        }
        (None, ChartKind::Taylor) => Some(Some(Dial::default())),
        (None, _) => Some(None),
    }
}

/// Two racers with one label could not be told apart in the legend (or by a check).
fn distinct_labels(ctx: &mut Ctx, race: &[Racer], raw: &[S<RawRacer>]) -> Option<()> {
    let mut seen: Vec<&str> = vec![];
    for (r, raw) in race.iter().zip(raw) {
        if seen.contains(&r.label.as_str()) {
            ctx.at(
                raw.span(),
                format!(
                    "two racers are labelled '{}'; give one a label = \"...\"",
                    r.label
                ),
            );
            return None;
        }
        seen.push(&r.label);
    }
    Some(())
}

fn racer(
    ctx: &mut Ctx,
    r: &S<RawRacer>,
    objective: &Objective,
    names: &[String],
    main_opt: Optimizer,
    main_lr: f64,
    main_start: &[f64],
) -> Option<Racer> {
    let raw = r.get_ref();
    let hyper = [&raw.momentum, &raw.alpha, &raw.beta1, &raw.beta2, &raw.eps];
    let optimizer = build_optimizer(ctx, Some(main_opt), &raw.optimizer, hyper)?;
    let lr = match &raw.lr {
        Some(v) => positive_lr(ctx, v)?,
        None => main_lr,
    };
    let start = match &raw.start {
        Some(_) => start_point(ctx, &raw.start, names, r.span())?,
        None => main_start.to_vec(),
    };
    let objective = match (&raw.batch_size, objective) {
        (None, o) => o.clone(),
        (Some(b), Objective::Model(m)) => {
            let n = count(ctx, b, "batch_size", 1)?;
            let mut m = m.clone();
            m.batch_size = n.min(m.data.len());
            Objective::Model(m)
        }
        (Some(b), Objective::Formula(_)) => {
            ctx.at(b.span(), "batch_size goes with a model scene");
            return None;
        }
    };
    let label = racer_label(ctx, raw, optimizer, lr, &objective, &start)?;
    let label_zh = raw
        .label
        .as_ref()
        .and_then(|l| l.get_ref().texts().1)
        .map(|z| printable(z).trim().to_string())
        .filter(|z| !z.is_empty());
    Some(Racer {
        label,
        label_zh,
        objective,
        optimizer,
        lr,
        start,
    })
}

/// The racer's legend: the author's label, else what differs from the main run.
fn racer_label(
    ctx: &mut Ctx,
    raw: &RawRacer,
    optimizer: Optimizer,
    lr: f64,
    objective: &Objective,
    start: &[f64],
) -> Option<String> {
    Some(match &raw.label {
        Some(l) if !printable(l.get_ref().texts().0).trim().is_empty() => {
            printable(l.get_ref().texts().0).trim().to_string()
        }
        Some(l) => {
            ctx.at(l.span(), "label is empty");
            return None;
        }
        None => {
            let mut parts = Vec::new();
            if raw.optimizer.is_some() {
                parts.push(optimizer.kind.name().to_string());
            }
            if raw.lr.is_some() {
                parts.push(format!("η={}", crate::numfmt::short(lr)));
            }
            if let (Some(_), Objective::Model(m)) = (&raw.batch_size, objective) {
                parts.push(format!("b={}", m.batch_size));
            }
            if raw.start.is_some() {
                parts.push(format!("from {}", crate::numfmt::vector(start)));
            }
            if parts.is_empty() {
                parts.push(optimizer.kind.name().to_string());
            }
            parts.join(" ")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::data::DataError;

    fn build(src: &str) -> (Option<Scene>, Vec<String>) {
        let raw: RawScene = toml::from_str(src).unwrap();
        let mut ctx = Ctx::new("f.toml", src);
        let no_files = |_: &str| Err(DataError::Unreadable("none".into()));
        let scene = build_scene(&mut ctx, &raw, 0..0, &no_files);
        (scene, ctx.problems.iter().map(|p| p.to_string()).collect())
    }

    #[test]
    fn a_surface_scene_with_a_race() {
        let (scene, problems) = build(
            "view = \"surface\"\nformula = \"x^2 + y^2\"\nstart = [1, 2]\nrace = [{ optimizer = \"momentum\" }, { lr = 0.5 }]\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let scene = scene.unwrap();
        assert_eq!((scene.axes, scene.lr), (Some((0, 1)), 0.1));
        let labels: Vec<&str> = scene.race.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["momentum", "η=0.5"]);
    }

    #[test]
    fn the_view_must_fit_the_objective() {
        let (scene, problems) = build("view = \"slope\"\nformula = \"x^2 + y^2\"\n");
        assert!(scene.is_none());
        assert_eq!(
            problems,
            [
                "f.toml:1:8: the slope view draws one variable; this scene has more, use view = \"surface\""
            ]
        );
    }

    #[test]
    fn axes_must_name_two_different_parameters() {
        let (_, problems) =
            build("view = \"surface\"\nformula = \"x^2 + y^2\"\naxes = [\"x\", \"z\"]\n");
        assert!(problems[0].contains("'z' is not a parameter here (parameters: x, y)"));
        let (_, problems) =
            build("view = \"surface\"\nformula = \"x^2 + y^2\"\naxes = [\"x\", \"x\"]\n");
        assert!(problems[0].contains("two different parameters"));
    }

    #[test]
    fn a_scene_may_name_its_parameters_loss_and_run() {
        let (scene, problems) = build(
            "view = \"surface\"\nformula = \"x^2 + y^2\"\nparam_names = [\"θ₁\", \"θ₀\"]\nloss_name = \"J\"\nlabel = \"batch GD\"\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let scene = scene.unwrap();
        assert_eq!(scene.param_names(), ["θ₁", "θ₀"]);
        assert_eq!((scene.loss_name(), scene.label()), ("J", "batch GD".into()));
        let (scene, problems) =
            build("view = \"surface\"\nformula = \"x^2 + y^2\"\nparam_names = [\"a\"]\n");
        assert!(scene.is_none());
        assert!(
            problems[0].contains("param_names has 1 name(s) but there are 2 parameter(s) (x, y)"),
            "{problems:?}"
        );
    }

    #[test]
    fn racers_need_distinct_labels_and_the_dial_its_view() {
        let (_, problems) = build(
            "view = \"surface\"\nformula = \"x^2 + y^2\"\nrace = [{ lr = 0.5 }, { lr = 0.5 }]\n",
        );
        assert!(
            problems[0].contains("two racers are labelled 'η=0.5'"),
            "{problems:?}"
        );
        let (_, problems) =
            build("view = \"surface\"\nformula = \"x^2 + y^2\"\ndial = { step = 1 }\n");
        assert!(problems[0].contains("dial belongs to the taylor view"));
    }

    #[test]
    fn lr_decay_is_a_rate_of_at_least_zero() {
        let (scene, problems) = build("view = \"slope\"\nformula = \"x^2\"\nlr_decay = 0.5\n");
        assert!(problems.is_empty(), "{problems:?}");
        let run = scene.unwrap().run().unwrap();
        assert_eq!(run.lr_at(2), 0.1 / 2.0);
        let (scene, problems) = build("view = \"slope\"\nformula = \"x^2\"\nlr_decay = -1\n");
        assert!(scene.is_none());
        assert_eq!(
            problems,
            ["f.toml:3:12: lr_decay must be ≥ 0 (η_k = η/(1 + k·lr_decay)), e.g. 0.5"]
        );
    }

    #[test]
    fn overlay_drops_what_belongs_to_the_old_formula() {
        let base: RawScene =
            toml::from_str("formula = \"x^2\"\nwindow = { x = [-1, 1] }\nmomentum = 0.5\n")
                .unwrap();
        let over: RawScene = toml::from_str("formula = \"y^2\"\noptimizer = \"adam\"\n").unwrap();
        let merged = base.overlay(&over);
        assert_eq!(merged.formula.unwrap().into_inner(), "y^2");
        assert!(merged.window.is_none() && merged.momentum.is_none());
    }
}
