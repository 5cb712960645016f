//! The numbers panel: t, θ, L, ∇L, ‖∇L‖, the step, the next point and the status, written the
//! way the lesson pages write them. In the Taylor view: the dial's dot product and the
//! first-order prediction against the true change.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::Look;
use super::rule_card;
use crate::descent::{Stop, StopOn};
use crate::lesson::{ChartKind, Lang, Mask};
use crate::math::model::ModelKind;
use crate::math::optimizer::{self, Optimizer};
use crate::math::{Objective, norm};
use crate::numfmt::{short, vector};
use crate::stage::{Stage, words};
use crate::tui::strings::tr;

/// The label column's width.
const LABEL: usize = 11;

/// A labelled value on one line, or, when it would not fit in `width`, the label on one line
/// and the value indented below it (wrapped if need be), so no number is ever cut off.
fn row<'a>(out: &mut Vec<Line<'a>>, width: usize, label: &str, value: String, look: &Look) {
    let label_w = (Span::raw(label).width() + 1).max(LABEL);
    if label_w + Span::raw(value.as_str()).width() <= width {
        let pad = " ".repeat(label_w - Span::raw(label).width());
        out.push(Line::from(vec![
            Span::styled(format!("{label}{pad}"), look.dim()),
            Span::raw(value),
        ]));
    } else {
        row_below(out, width, label, &value, look);
    }
}

/// `row`'s form for a value too wide for the label's line: the label, then the value indented
/// below it (wrapped at its spaces if still too wide, never cut at the border).
fn row_below(out: &mut Vec<Line<'_>>, width: usize, label: &str, value: &str, look: &Look) {
    out.push(Line::from(Span::styled(label.to_string(), look.dim())));
    for part in wrap(value, width.saturating_sub(2)) {
        out.push(Line::from(format!("  {part}")));
    }
}

/// The panel's vectors (θ, ∇L, the step, θ next, the optimizer's memory) are written in one
/// form: all beside their labels, or, once any is too wide for that, all below them. Their
/// values then start in the same column, so θ and θ next read one above the other; and the
/// panel grows once, when the first of them outgrows its line, rather than by a row at each
/// step where another one does (four times in the sandbox's first dozen steps at 80×24,
/// each time squeezing the page text and moving every row under it).
#[derive(Default)]
struct Vectors {
    /// Vectors written beside their labels so far: the line's index, label and value.
    beside: Vec<(usize, String, String)>,
    /// Some vector was too wide and went below its label.
    below: bool,
}

impl Vectors {
    /// A labelled row for `value`; a tuple is recorded as one of the panel's vectors.
    fn row(
        &mut self,
        out: &mut Vec<Line<'_>>,
        width: usize,
        label: &str,
        value: String,
        look: &Look,
    ) {
        // A tuple, or θ's "= (…)"; a single parameter's bare number is no vector.
        if !value.trim_start_matches("= ").starts_with('(') {
            return row(out, width, label, value, look);
        }
        let at = out.len();
        row(out, width, label, value.clone(), look);
        if out.len() == at + 1 {
            self.beside.push((at, label.to_string(), value));
        } else {
            self.below = true;
        }
    }

    /// Whether [`Vectors::unify`] would move any vector.
    fn would_change(&self) -> bool {
        self.below && !self.beside.is_empty()
    }

    /// Once one vector went below its label, so do the others.
    fn unify(self, out: &mut Vec<Line<'_>>, width: usize, look: &Look) {
        if !self.below {
            return;
        }
        for (at, label, value) in self.beside.into_iter().rev() {
            let mut below = Vec::new();
            row_below(&mut below, width, &label, &value, look);
            out.splice(at..=at, below);
        }
    }
}

/// `s` in at most `cells` terminal cells: as it is, or cut with a closing `…` that shows
/// something is missing.
fn ellipsize(s: &str, cells: usize) -> String {
    if Span::raw(s).width() <= cells {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        if Span::raw(format!("{out}{c}…")).width() > cells {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// `compact` on one line when it fits `width`, else the labelled `row`, which wraps.
fn line_or_row<'a>(
    out: &mut Vec<Line<'a>>,
    width: usize,
    compact: String,
    (label, value): (&str, String),
    look: &Look,
) {
    if Span::raw(compact.as_str()).width() <= width {
        out.push(Line::from(vec![Span::raw(compact)]));
    } else {
        row(out, width, label, value, look);
    }
}

/// The parameter tuple's names as the page writes them, e.g. `(x, y)` or `(θ₁, θ₀)`.
fn names(stage: &Stage) -> String {
    let n = stage.scene.param_names();
    if n.len() == 1 {
        n[0].clone()
    } else {
        format!("({})", n.join(", "))
    }
}

/// A vector as a tuple, or a bare number for one parameter.
fn tuple(v: &[f64]) -> String {
    if v.len() == 1 {
        short(v[0])
    } else {
        let mut s = vector(v);
        s.replace_range(..1, "(");
        s.replace_range(s.len() - 1.., ")");
        s
    }
}

/// What stands for a hidden number: the open question asks for it.
const HIDDEN: &str = "?";

/// A number, or `?` while a question asks for it.
fn shown(hide: bool, value: String) -> String {
    if hide { HIDDEN.to_string() } else { value }
}

/// A tuple, or `(?, ?)` with its shape kept while a question asks for it.
fn shown_tuple(hide: bool, v: &[f64]) -> String {
    match (hide, v.len()) {
        (false, _) => tuple(v),
        (true, 1) => HIDDEN.to_string(),
        (true, n) => format!("({})", vec![HIDDEN; n].join(", ")),
    }
}

/// The panel, with the quantities an open question asks for shown as `?`: its vectors written
/// in one form (see [`Vectors`]), and, when that differs, with each vector beside its label
/// where it fits (the page's text may need the rows).
pub fn lines<'a>(
    stage: &Stage,
    lang: Lang,
    look: &Look,
    width: usize,
    mask: Mask,
) -> (Vec<Line<'a>>, Option<Vec<Line<'a>>>) {
    let mut each = None;
    let together = lines_in(stage, lang, look, width, mask, Form::Together, &mut each);
    (together, each)
}

/// How the panel is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    /// Its vectors in one form, all beside or all below their labels.
    Together,
    /// Each row beside its label when it fits.
    EachAsFits,
    /// Over a race table short of rows (see [`lines_fitting`]).
    RaceCompact,
}

/// The panel's lines in `height` rows where a race table would not fit under them (batch p4
/// at 80×24 after a few steps): the main run's L and ‖∇L‖ rows give way, since its row of the
/// table shows the same two numbers, as does a batch row saying "all examples" (the table's
/// "batch GD"); θ and ∇L keep to one line where they can. If that is still too tall, the rows
/// just above the table give way, never a row of the table.
pub fn lines_fitting<'a>(
    stage: &Stage,
    lang: Lang,
    look: &Look,
    width: usize,
    mask: Mask,
    height: usize,
) -> Vec<Line<'a>> {
    let full = lines_in(stage, lang, look, width, mask, Form::EachAsFits, &mut None);
    if full.len() <= height || stage.runners.len() < 2 {
        return full;
    }
    let mut out = lines_in(stage, lang, look, width, mask, Form::RaceCompact, &mut None);
    let table = stage.runners.len() + 1;
    if out.len() > height && height >= table {
        let keep = height - table;
        out.drain(keep..out.len() - table);
    }
    out
}

fn lines_in<'a>(
    stage: &Stage,
    lang: Lang,
    look: &Look,
    width: usize,
    mask: Mask,
    form: Form,
    each: &mut Option<Vec<Line<'a>>>,
) -> Vec<Line<'a>> {
    let race_compact = form == Form::RaceCompact;
    if stage.scene.view == ChartKind::Taylor {
        return taylor(stage, lang, look, width, mask);
    }
    let s = stage.main();
    let cur = s.current();
    let stop = s.stop();
    let status_style = match stop {
        None | Some(Stop::ShortStep { .. }) => Style::new(),
        Some(Stop::FlatGradient { .. }) => look.good(),
        _ => look.error(),
    };
    let mut out = vec![Line::from(vec![
        Span::styled(format!("t = {:<6}", cur.t), look.title()),
        Span::styled(words::status(lang, stop), status_style),
    ])];
    let optimizer = s.optimizer().kind.to_string();
    match s.lr_decay() {
        // η_k with its working, so the learner sees it fall as k grows.
        Some(d) => row(
            &mut out,
            width,
            "η_k",
            format!(
                "{} = {}/(1+{}·{})",
                short(s.step_lr()),
                short(s.lr()),
                cur.t,
                short(d)
            ),
            look,
        ),
        None => row(
            &mut out,
            width,
            "η",
            format!("{}  ({optimizer})", short(s.lr())),
            look,
        ),
    }
    let mut vectors = Vectors::default();
    let theta = format!("θ = {}", names(stage));
    let value = tuple(&cur.params);
    if race_compact && LABEL + Span::raw(value.as_str()).width() <= width {
        row(&mut out, width, "θ", value, look);
    } else {
        vectors.row(&mut out, width, &theta, format!("= {value}"), look);
    }
    let loss = stage.scene.loss_name();
    if !race_compact {
        row(
            &mut out,
            width,
            &format!("{loss}(θ)"),
            shown(mask.loss, short(cur.value)),
            look,
        );
    }
    if let Objective::Model(m) = s.objective()
        && m.kind == ModelKind::Logistic
    {
        // ŷ of the examples this step uses; for one example ŷ gives away its loss −ln ŷ.
        let yhat = m.predictions_on(&cur.params, &m.batch_for_step(cur.t));
        row(
            &mut out,
            width,
            "ŷ",
            shown(mask.loss, predictions(&yhat)),
            look,
        );
    }
    let batched = matches!(s.objective(), Objective::Model(m) if m.batch_size < m.data.len());
    let grad_label = if batched {
        format!("∇{loss} {}", tr(lang, "(batch)", "（本批）"))
    } else {
        format!("∇{loss}(θ)")
    };
    let grad = shown_tuple(mask.grad, &cur.grad);
    let tight = Span::raw(grad_label.as_str()).width() + 1 + Span::raw(grad.as_str()).width();
    if race_compact && tight <= width {
        // One space after the label rather than a wrapped value: a row for the race table.
        out.push(Line::from(vec![
            Span::styled(format!("{grad_label} "), look.dim()),
            Span::raw(grad),
        ]));
    } else {
        vectors.row(&mut out, width, &grad_label, grad, look);
    }
    // The length beside the full-data cost is the full-data gradient's; the step's own
    // gradient is the row above, labelled as the batch's.
    let norm_label = if batched {
        format!("‖∇{loss}‖ {}", tr(lang, "(all)", "（全部）"))
    } else {
        format!("‖∇{loss}‖")
    };
    if !race_compact {
        row(
            &mut out,
            width,
            &norm_label,
            shown(mask.grad, short(stage.full_grad_norm(0))),
            look,
        );
    }
    // The rule is on screen whenever no page text states it: under a step rule (its ‖Δθ‖ is
    // the quantity to watch), once any rule fired (the stop is read against it), and in the
    // sandbox, whose rule has no step budget. A lesson page under the gradient rule says its ε
    // in its text; the row would cost it a line of that text at 80×24.
    let tol = s.stop_rule().tol.is_some();
    let rule_shown = (tol && s.stop_rule().on == StopOn::Step)
        || stop.is_some()
        || (tol && s.stop_rule().max_steps.is_none());
    if let Some(mut rule) = words::rule(lang, s.stop_rule()).filter(|_| rule_shown) {
        if stage.tol_tunable() {
            // The keys that change ε, where the learner reads it.
            rule.push_str("  [/]");
        }
        row(
            &mut out,
            width,
            tr(lang, "stop when", "停止条件"),
            rule,
            look,
        );
    }
    let p = s.preview();
    // The step is shown whenever it is a number: after a ‖Δθ‖ < ε stop it is the evidence.
    if !matches!(
        stop,
        Some(Stop::BlewUp | Stop::Unbounded | Stop::NotDifferentiable)
    ) && p.delta.iter().all(|d| d.is_finite())
    {
        let kind = s.optimizer().kind;
        vectors.row(
            &mut out,
            width,
            &rule_card::step_label(kind, stage.scene.loss_name()),
            shown_tuple(mask.step, &p.delta),
            look,
        );
        if s.stop_rule().on == StopOn::Step && s.stop_rule().tol.is_some() {
            row(
                &mut out,
                width,
                "‖Δθ‖",
                shown(mask.step, short(norm(&p.delta))),
                look,
            );
        }
    }
    match stop {
        None => {
            vectors.row(
                &mut out,
                width,
                tr(lang, "θ next", "下一点 θ"),
                shown_tuple(mask.next, &p.next),
                look,
            );
            // The memory the step above uses: this optimizer's, after taking in this g. While
            // a question asks for the step, that memory would give it away (θ next = θ − ηv),
            // so the card shows the memory the step starts from, which the learner works with.
            let memory = if (mask.step || mask.next) && s.optimizer().kind != optimizer::Kind::Sgd {
                out.push(Line::from(Span::styled(
                    tr(lang, "memory before this step:", "这一步之前的记忆：").to_string(),
                    look.dim(),
                )));
                s.opt_state()
            } else {
                p.opt
            };
            let opt = s.optimizer();
            card_lines(&mut out, &mut vectors, width, opt, &memory, lang, look);
        }
        Some(stop) => {
            card_lines(
                &mut out,
                &mut vectors,
                width,
                s.optimizer(),
                &s.opt_state(),
                lang,
                look,
            );
            for text in wrap(&words::advice(lang, stop), width) {
                out.push(Line::from(Span::styled(text, status_style)));
            }
        }
    }
    if let Objective::Model(m) = s.objective()
        // One batch of all the examples is what the race table's "batch GD" says already.
        && !(race_compact && m.batches_per_epoch() == 1)
    {
        let batch = m.batch_for_step(cur.t);
        let nb = m.batches_per_epoch();
        let which = examples(&batch);
        let value = match lang {
            Lang::Zh => format!(
                "{}/{nb}：样本 {which}（共 {}）",
                cur.t % nb + 1,
                m.data.len()
            ),
            Lang::En => format!(
                "{}/{nb}: example {which} of {}",
                cur.t % nb + 1,
                m.data.len()
            ),
        };
        row(&mut out, width, tr(lang, "batch", "批次"), value, look);
    }
    if stage.runners.len() > 1 {
        race_table(&mut out, stage, lang, look, mask, width);
    }
    if form == Form::Together && vectors.would_change() {
        *each = Some(out.clone());
        vectors.unify(&mut out, width, look);
    }
    out
}

/// `text` broken into lines at most `width` cells wide: at spaces where there are any, and
/// between any two characters of a word too wide for a line (CJK text has no spaces).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let cells = |s: &str| Span::raw(s.to_string()).width();
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let sep = usize::from(!line.is_empty());
        if cells(&line) + sep + cells(word) <= width {
            if sep == 1 {
                line.push(' ');
            }
            line.push_str(word);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            if !line.is_empty() && cells(&line) + cells(&c.to_string()) > width {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The optimizer's card: its rule in dim lines, then its state rows.
fn card_lines<'a>(
    out: &mut Vec<Line<'a>>,
    vectors: &mut Vectors,
    width: usize,
    opt: &Optimizer,
    state: &optimizer::State,
    lang: Lang,
    look: &Look,
) {
    for item in rule_card::card(opt, state, lang) {
        match item {
            rule_card::Item::Note(text) => out.push(Line::from(Span::styled(text, look.dim()))),
            rule_card::Item::Row(name, v) => vectors.row(out, width, &name, tuple(&v), look),
        }
    }
}

/// ŷ values, at most three and then `…`, as `0.5` or `0.5, 0.62, 0.38, …`.
fn predictions(yhat: &[f64]) -> String {
    let shown: Vec<String> = yhat.iter().take(3).map(|v| short(*v)).collect();
    let more = if yhat.len() > 3 { ", …" } else { "" };
    format!("{}{more}", shown.join(", "))
}

/// Example numbers (1-based) compactly: `3`, `1–8`, or `2, 7, 5, …` for a shuffled batch.
fn examples(batch: &[usize]) -> String {
    match batch {
        [] => String::new(),
        [one] => (one + 1).to_string(),
        [first, .., last] if batch.windows(2).all(|w| w[1] == w[0] + 1) => {
            format!("{}–{}", first + 1, last + 1)
        }
        _ => {
            let shown: Vec<String> = batch.iter().take(3).map(|i| (i + 1).to_string()).collect();
            let more = if batch.len() > 3 { ", …" } else { "" };
            format!("{}{more}", shown.join(", "))
        }
    }
}

/// One row per run of a race: its marker on the chart, label, t, L and ‖∇L‖ in aligned
/// columns, and a word for its status.
fn race_table<'a>(
    out: &mut Vec<Line<'a>>,
    stage: &Stage,
    lang: Lang,
    look: &Look,
    mask: Mask,
    panel: usize,
) {
    let mut rows: Vec<[String; 5]> = stage
        .runners
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let c = r.run.current();
            let mark = match k {
                0 => '@',
                _ => crate::stage::RACE_MARKS[(k - 1) % crate::stage::RACE_MARKS.len()],
            };
            [
                format!("{mark} {}", r.name(lang)),
                c.t.to_string(),
                // Only the main run is the one a question is about.
                shown(mask.loss && k == 0, crate::numfmt::sig(c.value, 4)),
                shown(
                    mask.grad && k == 0,
                    crate::numfmt::sig(stage.full_grad_norm(k), 4),
                ),
                // Only a stopped run needs a word; "stepping" on every row is noise.
                words::status_short(lang, r.run.stop()),
            ]
        })
        .collect();
    let loss = stage.scene.loss_name();
    let header = [
        tr(lang, "  run", "  运行").to_string(),
        "t".to_string(),
        loss.to_string(),
        format!("‖∇{loss}‖"),
        String::new(),
    ];
    let width = |c: usize| {
        rows.iter()
            .chain(std::iter::once(&header))
            .map(|r| Span::raw(r[c].as_str()).width())
            .max()
            .unwrap_or(0)
    };
    let mut w: Vec<usize> = (0..4).map(width).collect();
    // Too wide for the panel: the run names give way (cut with a visible `…`), never the
    // numbers; the help and the chart's marks still tell the runs apart.
    let status = rows
        .iter()
        .map(|r| Span::raw(r[4].as_str()).width())
        .max()
        .unwrap_or(0);
    // Four columns with a space between; the status word, when any run has one, after one more.
    let total = w.iter().sum::<usize>() + 3 + if status > 0 { 1 + status } else { 0 };
    if total > panel {
        let name = w[0].saturating_sub(total - panel).max(4);
        for r in rows.iter_mut() {
            r[0] = ellipsize(&r[0], name);
        }
        w[0] = name.min(w[0]);
    }
    let line = |r: &[String; 5]| {
        let pad = |c: usize, right: bool| {
            let fill = " ".repeat(w[c].saturating_sub(Span::raw(r[c].as_str()).width()));
            if right {
                format!("{fill}{}", r[c])
            } else {
                format!("{}{fill}", r[c])
            }
        };
        format!(
            "{} {} {} {} {}",
            pad(0, false),
            pad(1, true),
            pad(2, true),
            pad(3, true),
            r[4]
        )
    };
    out.push(Line::from(Span::styled(line(&header), look.dim())));
    for r in &rows {
        out.push(Line::from(line(r)));
    }
}

/// The Taylor view: the real step Δθ = −η∇L with its first-order prediction against the true
/// change (what taylor p3/p4 compute), then the dial: v, the angle to ∇L, ∇L·v, and the
/// probe εv's prediction against truth.
fn taylor<'a>(stage: &Stage, lang: Lang, look: &Look, width: usize, mask: Mask) -> Vec<Line<'a>> {
    let s = stage.main();
    let cur = s.current();
    let Some((i, j)) = stage.axes() else {
        return vec![];
    };
    let (vx, vy) = stage.direction();
    let (gx, gy) = (cur.grad[i], cur.grad[j]);
    let gnorm = (gx * gx + gy * gy).sqrt();
    let dot = gx * vx + gy * vy;
    let phi = if gnorm > 0.0 {
        (dot / gnorm).clamp(-1.0, 1.0).acos().to_degrees()
    } else {
        f64::NAN
    };
    let w = width;
    // Rows are merged where they fit (t, η and L on one line; the true change with its gap)
    // so that at 80×24 the page text above keeps at least five rows.
    let head = format!("t = {:<6}η = {}", cur.t, short(s.lr()));
    let with_l = format!("{head}  L(θ) = {}", short(cur.value));
    let l_on_top = Span::raw(with_l.as_str()).width() <= w;
    let mut out = vec![Line::from(Span::styled(
        if l_on_top { with_l } else { head },
        look.title(),
    ))];
    let theta = format!("θ = {}", names(stage));
    row(
        &mut out,
        w,
        &theta,
        format!("= {}", tuple(&cur.params)),
        look,
    );
    if !l_on_top {
        row(&mut out, w, "L(θ)", short(cur.value), look);
    }
    row(&mut out, w, "∇L(θ)", tuple(&cur.grad), look);
    let step = stage.taylor_step();
    // A question about the real step (predict θ next) hides the step and what follows from it.
    let hide_step = mask.step || mask.next;
    row(
        &mut out,
        w,
        "Δθ = −η∇L",
        shown_tuple(hide_step, &step.delta),
        look,
    );
    row(
        &mut out,
        w,
        "∇L·Δθ",
        format!(
            "{}  {}",
            shown(hide_step, short(step.predicted)),
            tr(lang, "(predicted)", "（预测）")
        ),
        look,
    );
    let (truth, gap) = (
        shown(hide_step, short(step.truth)),
        shown(hide_step, short(step.truth - step.predicted)),
    );
    let both = format!("{truth}  {} {gap}", tr(lang, "gap", "误差"));
    if LABEL + Span::raw(both.as_str()).width() <= w {
        row(&mut out, w, tr(lang, "true ΔL", "真实 ΔL"), both, look);
    } else {
        row(&mut out, w, tr(lang, "true ΔL", "真实 ΔL"), truth, look);
        row(&mut out, w, tr(lang, "gap", "误差"), gap, look);
    }
    // The dial's rows are written as short equations (3 significant digits: they are read
    // as directions and estimates, the real step above keeps its full digits), so each fits
    // one row of a narrow panel; where even that does not fit, a labelled row that wraps.
    let d = |v: f64| crate::numfmt::sig(v, 3);
    let angle = d(stage.angle.to_degrees().rem_euclid(360.0));
    line_or_row(
        &mut out,
        w,
        format!("v = ({}, {}) ∠{angle}°", d(vx), d(vy)),
        ("v", format!("({}, {}) ∠{angle}°", d(vx), d(vy))),
        look,
    );
    // φ and ∇L·v would answer a question asking where v should point.
    let hide_dot = mask.angle || mask.dot;
    let (phi_s, dot_s) = (shown(mask.angle, d(phi)), shown(hide_dot, d(dot)));
    line_or_row(
        &mut out,
        w,
        format!("∇L·v = ‖∇L‖cos {phi_s}° = {dot_s}"),
        ("∇L·v", format!("‖∇L‖cos {phi_s}° = {dot_s}")),
        look,
    );
    let eps = stage.probe;
    let mut probe = cur.params.clone();
    probe[i] += eps * vx;
    probe[j] += eps * vy;
    let probe_truth = s.objective().value(&probe) - cur.value;
    row(
        &mut out,
        w,
        "ε",
        format!("{}   (+/- {})", short(eps), tr(lang, "change", "调整")),
        look,
    );
    let (pred, truth) = (shown(hide_dot, d(eps * dot)), d(probe_truth));
    let probe_line = match lang {
        Lang::En => format!("ε∇L·v = {pred}, true {truth}"),
        Lang::Zh => format!("ε∇L·v = {pred}，真实 {truth}"),
    };
    line_or_row(
        &mut out,
        w,
        probe_line,
        (
            "ε∇L·v",
            match lang {
                Lang::En => format!("{pred}, true {truth}"),
                Lang::Zh => format!("{pred}，真实 {truth}"),
            },
        ),
        look,
    );
    // Wrapped, not cut: the last words of a hint are often the key to press.
    let (hint, style) = if mask.angle {
        (
            tr(
                lang,
                "find −∇L yourself: g is off",
                "自己找 −∇L：g 暂时不能用",
            ),
            look.dim(),
        )
    } else if gnorm > 0.0 && phi > 179.5 {
        (
            tr(
                lang,
                "v against ∇L: steepest descent",
                "v 与 ∇L 反向：下降最快",
            ),
            look.good(),
        )
    } else {
        (
            tr(
                lang,
                "* marks −∇L; g turns v to it",
                "* 是 −∇L 方向；g 让 v 指向它",
            ),
            look.dim(),
        )
    };
    for l in wrap(hint, w) {
        out.push(Line::from(Span::styled(l, style)));
    }
    out
}
