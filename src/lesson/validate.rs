//! From TOML text to a [`Lesson`], with every problem reported as `file:line:column: message`.
//!
//! Validation goes on after the first semantic problem, so an author sees all of them at once;
//! a TOML syntax or type error stops the file there, since nothing after it can be trusted.

use std::ops::Range;

use super::exercise::{Answer, Exercise, Sign};
use super::scene::{Dial, Racer, Scene, View, Window};
use super::schema::*;
use super::text::Text;
use super::{Check, CheckKind, Lesson, Page, Place, Problem};
use crate::math::data::{DataError, Dataset, Limits};
use crate::math::model::{Model, ModelError, ModelKind};
use crate::math::optimizer::{Hyper, Kind, Optimizer};
use crate::math::{Formula, Objective, check_descent};
use crate::session::{MAX_HISTORY, Status, StopOn, StopRule};

/// Default tolerance of a check: the math core is exact to rounding, so a lesson's numbers
/// should match to far better than what the text shows.
pub const DEFAULT_CHECK_TOL: f64 = 1e-9;
/// Default tolerance of a numeric exercise answer: a learner types a few digits.
pub const DEFAULT_ANSWER_TOL: f64 = 1e-6;

/// Reads a data file named in a lesson (`csv = "..."`), relative to the lesson file.
pub type ReadData<'a> = &'a dyn Fn(&str) -> Result<String, String>;

/// The file being validated and the problems found so far.
pub struct Ctx<'a> {
    pub file: &'a str,
    pub src: &'a str,
    pub problems: Vec<Problem>,
}

impl<'a> Ctx<'a> {
    pub fn new(file: &'a str, src: &'a str) -> Self {
        Ctx {
            file,
            src,
            problems: Vec::new(),
        }
    }

    /// Line and character column of a byte offset (clamped to the text, and to a char
    /// boundary, so a bad span can never panic).
    pub fn place(&self, offset: usize) -> Place {
        let mut offset = offset.min(self.src.len());
        while !self.src.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.src[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Place { line, column }
    }

    pub fn at(&mut self, span: Range<usize>, message: impl Into<String>) {
        let p = Problem {
            file: self.file.to_string(),
            place: Some(self.place(span.start)),
            message: message.into(),
        };
        if !self.problems.contains(&p) {
            self.problems.push(p);
        }
    }

    /// Where the text of a string value starts (after its opening quote or quotes).
    fn string_content_start(&self, span: &Range<usize>) -> usize {
        let raw = self.src.get(span.clone()).unwrap_or("");
        if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
            let mut s = span.start + 3;
            // A newline right after the opening delimiter is not part of the string.
            if self.src[s..].starts_with('\n') {
                s += 1;
            } else if self.src[s..].starts_with("\r\n") {
                s += 2;
            }
            s
        } else {
            span.start + 1
        }
    }
}

/// Parses and validates one lesson file. `file` names it in messages; its stem must be the
/// lesson's id. Returns the lesson, or every problem found.
pub fn parse(src: &str, file: &str, read_data: ReadData) -> Result<Lesson, Vec<Problem>> {
    let mut ctx = Ctx::new(file, src);
    let raw: RawLesson = match toml::from_str(src) {
        Ok(r) => r,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            ctx.at(span, toml_message(&e));
            return Err(ctx.problems);
        }
    };
    let lesson = build_lesson(&mut ctx, &raw, read_data);
    match lesson {
        Some(l) if ctx.problems.is_empty() => Ok(l),
        _ => Err(ctx.problems),
    }
}

/// toml's message, on one line and without its own copy of the source (we give the place).
fn toml_message(e: &toml::de::Error) -> String {
    let m = e.message().trim().replace('\n', " ");
    if m.is_empty() {
        "invalid TOML".to_string()
    } else {
        m
    }
}

fn build_lesson(ctx: &mut Ctx, raw: &RawLesson, read_data: ReadData) -> Option<Lesson> {
    let id = raw.id.get_ref().trim().to_string();
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        ctx.at(
            raw.id.span(),
            format!("id '{id}' must be lowercase letters, digits and '-' (it is typed on the command line)"),
        );
    }
    let stem = std::path::Path::new(ctx.file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("");
    if !stem.is_empty() && stem != id {
        ctx.at(
            raw.id.span(),
            format!("id '{id}' differs from the file name '{stem}.toml'; rename one so `gradstep lesson {id}` finds it"),
        );
    }
    let title = text(ctx, &raw.title, "title");
    let summary = text(ctx, &raw.summary, "summary");

    // The base scene, then one effective scene per page.
    let base = raw.scene.get_ref().clone();
    check_table_hyper(ctx, &base);
    let base_scene = build_scene(ctx, &base, raw.scene.span(), read_data);
    if raw.pages.is_empty() {
        ctx.at(
            raw.scene.span(),
            "a lesson needs at least one page: add [[page]] with zh = \"...\" and en = \"...\"",
        );
    }
    let mut merged = base;
    let mut current = base_scene;
    let mut pages = Vec::new();
    for (i, page) in raw.pages.iter().enumerate() {
        let p = page.get_ref();
        let what = format!("page {}", i + 1);
        let t = text_fields(ctx, page.span(), &p.zh, &p.en, &what);
        let mut changed = i == 0;
        if let Some(set) = &p.set {
            check_table_hyper(ctx, set.get_ref());
            merged = merged.overlay(set.get_ref());
            current = build_scene(ctx, &merged, set.span(), read_data);
            changed = true;
        }
        let exercise = p.exercise.as_ref().and_then(|e| exercise(ctx, e, &what));
        if let Some(scene) = &current {
            pages.push(Page {
                text: t,
                scene: scene.clone(),
                scene_changed: changed,
                exercise,
            });
        }
    }
    let checks: Vec<Check> = raw
        .checks
        .iter()
        .filter_map(|c| check(ctx, c, &pages))
        .collect();
    if raw.checks.is_empty() {
        ctx.at(
            raw.id.span(),
            "a lesson needs at least one [[check]] that proves one of its numbers",
        );
    }
    if pages.len() != raw.pages.len() {
        return None;
    }
    Some(Lesson {
        id,
        order: *raw.order.get_ref(),
        title,
        summary,
        file: ctx.file.to_string(),
        pages,
        checks,
    })
}

fn text(ctx: &mut Ctx, t: &S<RawText>, what: &str) -> Text {
    let r = t.get_ref();
    text_fields(ctx, t.span(), &r.zh, &r.en, what)
}

/// Both translations must be there and not blank.
fn text_fields(
    ctx: &mut Ctx,
    span: Range<usize>,
    zh: &Option<S<String>>,
    en: &Option<S<String>>,
    what: &str,
) -> Text {
    let mut get = |v: &Option<S<String>>, key: &str, lang: &str| match v {
        None => {
            ctx.at(
                span.clone(),
                format!("{what}: the {lang} text ({key} = \"...\") is missing"),
            );
            String::new()
        }
        Some(s) if s.get_ref().trim().is_empty() => {
            ctx.at(
                s.span(),
                format!("{what}: the {lang} text ({key}) is empty"),
            );
            String::new()
        }
        Some(s) => s.get_ref().trim_end().to_string(),
    };
    let zh = get(zh, "zh", "Chinese");
    let en = get(en, "en", "English");
    Text { zh, en }
}

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
            view, formula, vars, model, rows, csv, batch_size, shuffle, start, lr, optimizer,
            momentum, alpha, beta1, beta2, eps, window, axes, stop, race, dial
        );
        base
    }
}

/// A hyper-parameter written next to an optimizer that ignores it is a mistake worth naming.
fn check_table_hyper(ctx: &mut Ctx, s: &RawScene) {
    hyper_fits(ctx, &s.optimizer, &s.momentum, &s.alpha, &s.beta1, &s.beta2);
    if let Some(race) = &s.race {
        for r in race.get_ref() {
            let r = r.get_ref();
            hyper_fits(ctx, &r.optimizer, &r.momentum, &r.alpha, &r.beta1, &r.beta2);
        }
    }
}

fn hyper_fits(
    ctx: &mut Ctx,
    opt: &Option<S<String>>,
    momentum: &Option<S<f64>>,
    alpha: &Option<S<f64>>,
    beta1: &Option<S<f64>>,
    beta2: &Option<S<f64>>,
) {
    let Some(opt) = opt else { return };
    let Ok(kind) = opt.get_ref().parse::<Kind>() else {
        return;
    };
    let uses = |name: &str| match name {
        "momentum" => matches!(kind, Kind::Momentum | Kind::Nesterov),
        "alpha" => kind == Kind::Rmsprop,
        _ => kind == Kind::Adam,
    };
    for (name, v) in [
        ("momentum", momentum),
        ("alpha", alpha),
        ("beta1", beta1),
        ("beta2", beta2),
    ] {
        if let Some(v) = v
            && !uses(name)
        {
            ctx.at(
                v.span(),
                format!("{name} has no effect on the {kind} optimizer"),
            );
        }
    }
}

fn finite(ctx: &mut Ctx, v: &S<f64>, what: &str) -> Option<f64> {
    let x = *v.get_ref();
    if x.is_finite() {
        Some(x)
    } else {
        ctx.at(v.span(), format!("{what} must be a finite number, got {x}"));
        None
    }
}

fn count(ctx: &mut Ctx, v: &S<i64>, what: &str, min: i64) -> Option<usize> {
    let x = *v.get_ref();
    if x < min {
        ctx.at(v.span(), format!("{what} must be at least {min}, got {x}"));
        None
    } else {
        usize::try_from(x).ok()
    }
}

fn numbers(ctx: &mut Ctx, v: &S<Vec<f64>>, what: &str) -> Option<Vec<f64>> {
    if v.get_ref().iter().all(|x| x.is_finite()) {
        Some(v.get_ref().clone())
    } else {
        ctx.at(v.span(), format!("{what} must hold finite numbers"));
        None
    }
}

fn build_optimizer(
    ctx: &mut Ctx,
    base: Option<Optimizer>,
    kind: &Option<S<String>>,
    hyper: [&Option<S<f64>>; 5],
) -> Option<Optimizer> {
    let mut opt = match (kind, base) {
        (Some(k), _) => match k.get_ref().parse::<Kind>() {
            Ok(kind) => Optimizer::new(kind),
            Err(e) => {
                ctx.at(k.span(), e);
                return None;
            }
        },
        (None, Some(b)) => b,
        (None, None) => Optimizer::new(Kind::Sgd),
    };
    let mut ok = true;
    for (h, v) in Hyper::ALL.into_iter().zip(hyper) {
        if let Some(v) = v {
            opt.set(h, *v.get_ref());
        }
    }
    if let Err(e) = opt.check_ranges() {
        // Point at the key that is out of range (it may be inherited from the base scene,
        // then the optimizer key or the scene is the nearest place written here).
        let span = Hyper::ALL
            .into_iter()
            .zip(hyper)
            .find(|(h, _)| h.name() == e.param)
            .and_then(|(_, v)| v.as_ref().map(|v| v.span()))
            .or_else(|| kind.as_ref().map(|k| k.span()))
            .unwrap_or(0..0);
        ctx.at(span, e.to_string());
        ok = false;
    }
    ok.then_some(opt)
}

fn positive_lr(ctx: &mut Ctx, lr: &S<f64>) -> Option<f64> {
    let v = finite(ctx, lr, "lr")?;
    if v <= 0.0 {
        ctx.at(lr.span(), format!("lr (η) must be greater than 0, got {v}"));
        return None;
    }
    Some(v)
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

fn objective(
    ctx: &mut Ctx,
    s: &RawScene,
    span: Range<usize>,
    read_data: ReadData,
) -> Option<Objective> {
    match (&s.formula, &s.model) {
        (Some(_), Some(m)) => {
            ctx.at(m.span(), "give either formula or model, not both");
            None
        }
        (None, None) => {
            ctx.at(
                span,
                "the scene needs formula = \"...\" (e.g. \"x^2 + y^2\") or model = \"logistic\" | \"linear\"",
            );
            None
        }
        (Some(f), None) => {
            for (key, sp) in [
                ("rows", s.rows.as_ref().map(|v| v.span())),
                ("csv", s.csv.as_ref().map(|v| v.span())),
                ("batch_size", s.batch_size.as_ref().map(|v| v.span())),
                ("shuffle", s.shuffle.as_ref().map(|v| v.span())),
            ] {
                if let Some(sp) = sp {
                    ctx.at(sp, format!("{key} goes with model, not formula"));
                }
            }
            let src = f.get_ref();
            let parsed = match &s.vars {
                Some(vars) => {
                    let names: Vec<&str> = vars
                        .get_ref()
                        .iter()
                        .map(|v| v.get_ref().as_str())
                        .collect();
                    Formula::parse_with_vars(src, &names)
                }
                None => Formula::parse(src),
            };
            match parsed {
                Ok(formula) => match check_descent(&formula) {
                    Ok(()) => Some(Objective::Formula(formula)),
                    Err(e) => {
                        ctx.at(f.span(), e.to_string());
                        None
                    }
                },
                Err(e) => {
                    let offset = formula_offset(ctx, f, e.column);
                    let at = match (&s.vars, e.column) {
                        (Some(v), None) if e.message.contains("variable") => v.span().start,
                        _ => offset,
                    };
                    ctx.at(at..at, format!("formula: {}", e.message));
                    None
                }
            }
        }
        (None, Some(m)) => {
            let kind: ModelKind = match m.get_ref().parse() {
                Ok(k) => k,
                Err(e) => {
                    ctx.at(m.span(), e);
                    return None;
                }
            };
            if let Some(v) = &s.vars {
                ctx.at(
                    v.span(),
                    "vars goes with formula; a model's parameters are w1..wn, b",
                );
            }
            let data = match (&s.rows, &s.csv) {
                (Some(r), Some(_)) => {
                    ctx.at(r.span(), "give rows or csv, not both");
                    return None;
                }
                (None, None) => {
                    ctx.at(
                        m.span(),
                        "a model needs data: rows = [[3, 2, 1]] (features, then the label) or csv = \"file.csv\"",
                    );
                    return None;
                }
                (Some(r), None) => rows_dataset(ctx, r)?,
                (None, Some(c)) => {
                    let text = match read_data(c.get_ref()) {
                        Ok(t) => t,
                        Err(e) => {
                            ctx.at(c.span(), e);
                            return None;
                        }
                    };
                    match Dataset::from_csv_str(&text, c.get_ref(), Limits::default()) {
                        Ok(d) => d,
                        Err(e) => {
                            ctx.at(c.span(), e.in_file(c.get_ref()));
                            return None;
                        }
                    }
                }
            };
            let batch = match &s.batch_size {
                Some(b) => Some(count(ctx, b, "batch_size", 1)?),
                None => None,
            };
            let shuffle = match &s.shuffle {
                Some(v) => Some(count(ctx, v, "shuffle (a seed)", 0)? as u64),
                None => None,
            };
            let data_span = s
                .rows
                .as_ref()
                .map(|r| r.span())
                .or_else(|| s.csv.as_ref().map(|c| c.span()))
                .unwrap_or(m.span());
            let source = data.source.clone();
            match Model::new(kind, data, batch, shuffle) {
                Ok(model) => Some(Objective::Model(model)),
                Err(e) => {
                    let (span, msg) = match (e, &s.rows, &s.csv) {
                        (ModelError::BatchSizeZero, _, _) => (
                            s.batch_size.as_ref().map_or(data_span, |b| b.span()),
                            "batch_size must be at least 1".to_string(),
                        ),
                        (ModelError::NotBinary { line, .. }, Some(rows), _) => (
                            row_span(rows, line).unwrap_or(data_span),
                            format!("row {line}: {e}"),
                        ),
                        (ModelError::NotBinary { line, .. }, _, _) => {
                            (data_span, format!("{source}:{line}: {e}"))
                        }
                        (ModelError::NoExamples, _, _) => (data_span, e.to_string()),
                    };
                    ctx.at(span, msg);
                    None
                }
            }
        }
    }
}

/// The byte offset of a formula error's column inside the TOML string. Exact when the string
/// has no escapes (the usual case); otherwise the start of the string.
fn formula_offset(ctx: &Ctx, f: &S<String>, column: Option<usize>) -> usize {
    let span = f.span();
    let content = ctx.string_content_start(&span);
    let Some(col) = column else { return span.start };
    let text = f.get_ref();
    let raw_matches = ctx
        .src
        .get(content..content + text.len())
        .is_some_and(|raw| raw == text);
    if !raw_matches {
        return span.start;
    }
    let within = text
        .char_indices()
        .nth(col.saturating_sub(1))
        .map_or(text.len(), |(i, _)| i);
    content + within
}

/// The span of a lesson's `rows` entry number `line` (1-based).
fn row_span(rows: &S<Vec<S<Vec<f64>>>>, line: u64) -> Option<Range<usize>> {
    let i = usize::try_from(line).ok()?.checked_sub(1)?;
    rows.get_ref().get(i).map(|r| r.span())
}

fn rows_dataset(ctx: &mut Ctx, rows: &S<Vec<S<Vec<f64>>>>) -> Option<Dataset> {
    let list: Vec<Vec<f64>> = rows.get_ref().iter().map(|r| r.get_ref().clone()).collect();
    match Dataset::from_rows(&list, Limits::default()) {
        Ok(d) => Some(d),
        Err(e) => {
            let span = e
                .line()
                .and_then(|l| row_span(rows, l))
                .unwrap_or(rows.span());
            let msg = match e {
                DataError::NoRows => "rows is empty: give at least one example".to_string(),
                DataError::TooFewColumns { .. } => {
                    "a row needs at least one feature and the label, e.g. [3, 2, 1]".to_string()
                }
                DataError::Ragged { got, want, .. } => {
                    format!("this row has {got} numbers but the first has {want}")
                }
                DataError::NotANumber { .. } => "rows must hold finite numbers".to_string(),
                other => format!("rows: {other}"),
            };
            ctx.at(span, msg);
            None
        }
    }
}

fn window(ctx: &mut Ctx, w: &S<RawWindow>) -> Option<Window> {
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
    Some(Window {
        x: x.ok()?,
        y: y.ok()?,
    })
}

fn stop_rule(ctx: &mut Ctx, s: &Option<S<RawStop>>) -> Option<StopRule> {
    let Some(s) = s else {
        return Some(StopRule::default());
    };
    let r = s.get_ref();
    let mut rule = StopRule::default();
    let mut ok = true;
    if let Some(t) = &r.tol {
        match finite(ctx, t, "stop.tol") {
            Some(v) if v > 0.0 => rule.tol = Some(v),
            Some(v) => {
                ctx.at(
                    t.span(),
                    format!("stop.tol must be greater than 0, got {v}"),
                );
                ok = false;
            }
            None => ok = false,
        }
    }
    if let Some(on) = &r.on {
        match on.get_ref().as_str() {
            "step" => rule.on = StopOn::Step,
            "grad" => rule.on = StopOn::Grad,
            other => {
                ctx.at(
                    on.span(),
                    format!("stop.on must be \"step\" (‖Δθ‖ < tol) or \"grad\" (‖∇L‖ < tol), got '{other}'"),
                );
                ok = false;
            }
        }
    }
    if let Some(m) = &r.max_steps {
        match count(ctx, m, "stop.max_steps", 0) {
            Some(n) if n < MAX_HISTORY => rule.max_steps = Some(n),
            Some(_) => {
                ctx.at(
                    m.span(),
                    format!("stop.max_steps must be below {MAX_HISTORY}"),
                );
                ok = false;
            }
            None => ok = false,
        }
    }
    ok.then_some(rule)
}

/// Builds one effective scene, reporting every problem in it.
fn build_scene(
    ctx: &mut Ctx,
    s: &RawScene,
    span: Range<usize>,
    read_data: ReadData,
) -> Option<Scene> {
    let view = match &s.view {
        None => {
            ctx.at(
                span.clone(),
                "the scene needs view = \"slope\" | \"surface\" | \"taylor\" | \"model\"",
            );
            None
        }
        Some(v) => match v.get_ref().parse::<View>() {
            Ok(view) => Some(view),
            Err(e) => {
                ctx.at(v.span(), e);
                None
            }
        },
    };
    let objective = objective(ctx, s, span.clone(), read_data);
    let lr = match &s.lr {
        Some(lr) => positive_lr(ctx, lr),
        None => Some(0.1),
    };
    let optimizer = build_optimizer(
        ctx,
        None,
        &s.optimizer,
        [&s.momentum, &s.alpha, &s.beta1, &s.beta2, &s.eps],
    );
    let stop = stop_rule(ctx, &s.stop);
    let window = match &s.window {
        Some(w) => window(ctx, w),
        None => Some(Window::default()),
    };
    let (view, objective) = (view?, objective?);
    let names = objective.names();
    let start = start_point(ctx, &s.start, &names, span.clone());

    // The view must fit the objective.
    let dim = names.len();
    let fits = match (view, &objective) {
        (View::Slope, Objective::Formula(_)) if dim == 1 => Ok(()),
        (View::Slope, _) => Err("the slope view draws one variable; this scene has more, use view = \"surface\"".to_string()),
        (View::Surface, Objective::Formula(_)) if dim >= 2 => Ok(()),
        (View::Surface, Objective::Model(_)) => Err("a model scene uses view = \"model\"".into()),
        (View::Surface, _) => Err("the surface view needs two or more variables; for one use view = \"slope\"".into()),
        (View::Taylor, Objective::Formula(_)) if dim == 2 => Ok(()),
        (View::Taylor, _) => Err("the taylor view turns a direction in a plane: it needs a formula in exactly two variables".into()),
        (View::Model, Objective::Model(_)) => Ok(()),
        (View::Model, _) => Err("the model view needs model = \"logistic\" | \"linear\" and data".into()),
    };
    let view_span = s.view.as_ref().map_or(span.clone(), |v| v.span());
    if let Err(e) = fits {
        ctx.at(view_span.clone(), e);
        return None;
    }

    let axes = match (&s.axes, view) {
        (Some(a), View::Slope) => {
            ctx.at(a.span(), "the slope view has one axis; remove axes");
            return None;
        }
        (None, View::Slope) => None,
        (None, _) => Some((0, 1)),
        (Some(a), _) => {
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
                match names.iter().position(|x| *x == norm) {
                    Some(i) => idx[k] = i,
                    None => {
                        ctx.at(
                            n.span(),
                            format!(
                                "'{}' is not a parameter here (parameters: {})",
                                n.get_ref(),
                                names.join(", ")
                            ),
                        );
                        return None;
                    }
                }
            }
            if idx[0] == idx[1] {
                ctx.at(a.span(), "axes must name two different parameters");
                return None;
            }
            Some((idx[0], idx[1]))
        }
    };

    let dial = match (&s.dial, view) {
        (Some(d), View::Taylor) => {
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
            Some(dial)
        }
        (Some(d), _) => {
            ctx.at(d.span(), "dial belongs to the taylor view");
            return None;
        }
        (None, View::Taylor) => Some(Dial::default()),
        (None, _) => None,
    };

    let (lr, optimizer, stop, window, start) = (lr?, optimizer?, stop?, window?, start?);
    let mut race = Vec::new();
    if let Some(list) = &s.race {
        for r in list.get_ref() {
            race.push(racer(ctx, r, &objective, &names, optimizer, lr, &start)?);
        }
        let mut seen: Vec<&str> = vec![];
        for (r, raw) in race.iter().zip(list.get_ref()) {
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
    }
    Some(Scene {
        view,
        objective,
        names,
        start,
        lr,
        optimizer,
        stop,
        window,
        axes,
        race,
        dial,
    })
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
    let optimizer = build_optimizer(
        ctx,
        Some(main_opt),
        &raw.optimizer,
        [&raw.momentum, &raw.alpha, &raw.beta1, &raw.beta2, &raw.eps],
    )?;
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
    let label = match &raw.label {
        Some(l) if !l.get_ref().trim().is_empty() => l.get_ref().trim().to_string(),
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
            if let (Some(_), Objective::Model(m)) = (&raw.batch_size, &objective) {
                parts.push(format!("batch={}", m.batch_size));
            }
            if raw.start.is_some() {
                parts.push(format!("from {}", crate::numfmt::vector(&start)));
            }
            if parts.is_empty() {
                parts.push(optimizer.kind.name().to_string());
            }
            parts.join(" ")
        }
    };
    Some(Racer {
        label,
        objective,
        optimizer,
        lr,
        start,
    })
}

fn exercise(ctx: &mut Ctx, e: &S<RawExercise>, page: &str) -> Option<Exercise> {
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

fn check(ctx: &mut Ctx, c: &S<RawCheck>, pages: &[Page]) -> Option<Check> {
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
    let racer = match &r.racer {
        None => None,
        Some(l) => match scene.race.iter().position(|x| x.label == *l.get_ref()) {
            Some(i) => Some(i),
            None => {
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
                return None;
            }
        },
    };
    let dim = scene.names.len();
    let vector = |ctx: &mut Ctx,
                  v: &Option<S<Vec<f64>>>,
                  what: &str|
     -> Result<Option<(Vec<f64>, Place)>, ()> {
        let Some(v) = v else { return Ok(None) };
        let list = numbers(ctx, v, what).ok_or(())?;
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
    };
    match (&r.at, &r.after) {
        (Some(_), Some(a)) => {
            ctx.at(a.span(), "a check is either `at = t` (numbers at step t) or `after = n` (status after n steps), not both");
            None
        }
        (None, None) => {
            ctx.at(c.span(), "a check needs `at = t` with value/grad/params, or `after = n` with status/stopped_at");
            None
        }
        (Some(t), None) => {
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
            let grad = vector(ctx, &r.grad, "grad").ok()?;
            let params = vector(ctx, &r.params, "params").ok()?;
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
                None => DEFAULT_CHECK_TOL,
            };
            Some(Check {
                place,
                page,
                racer,
                kind: CheckKind::At {
                    t,
                    value,
                    grad,
                    params,
                    tol,
                },
            })
        }
        (None, Some(a)) => {
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
                        ctx.at(s.span(), format!("unknown status '{}' (known: running, max_steps, converged, diverged)", s.get_ref()));
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
            Some(Check {
                place,
                page,
                racer,
                kind: CheckKind::After {
                    steps,
                    status,
                    stopped_at,
                },
            })
        }
    }
}
