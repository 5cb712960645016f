//! The numbers panel: t, θ, L, ∇L, ‖∇L‖, the step, the next point and the status, written the
//! way the lesson pages write them. In the Taylor view: the dial's dot product and the
//! first-order prediction against the true change.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::Look;
use crate::lesson::{ChartKind, Lang, Mask};
use crate::math::optimizer::Kind;
use crate::math::{Objective, norm};
use crate::numfmt::pretty_name;
use crate::numfmt::{short, vector};
use crate::session::Status;
use crate::stage::Stage;
use crate::tui::strings::tr;

pub fn status_word(lang: Lang, s: Status) -> &'static str {
    match s {
        Status::Running => tr(lang, "stepping", "迭代中"),
        Status::Converged => tr(lang, "converged", "已收敛"),
        Status::Diverged => tr(lang, "diverged", "已发散"),
        Status::MaxSteps => tr(lang, "step limit", "达到步数上限"),
    }
}

/// The label column's width.
const LABEL: usize = 11;

/// A labelled value on one line, or, when it would not fit in `width`, the label on one line
/// and the value indented below it, so no number is ever cut off.
fn row<'a>(out: &mut Vec<Line<'a>>, width: usize, label: &str, value: String, look: &Look) {
    let label_w = (Span::raw(label).width() + 1).max(LABEL);
    if label_w + Span::raw(value.as_str()).width() <= width {
        let pad = " ".repeat(label_w - Span::raw(label).width());
        out.push(Line::from(vec![
            Span::styled(format!("{label}{pad}"), look.dim()),
            Span::raw(value),
        ]));
    } else {
        out.push(Line::from(Span::styled(label.to_string(), look.dim())));
        out.push(Line::from(format!("  {value}")));
    }
}

/// The parameter tuple's names, e.g. `(x, y)` or `(w₁, w₂, b)`.
fn names(stage: &Stage) -> String {
    let n: Vec<String> = stage.scene.names.iter().map(|s| pretty_name(s)).collect();
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
        let s = vector(v);
        format!("({})", &s[1..s.len() - 1])
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

/// The panel with the quantities an open question asks for shown as `?`.
pub fn lines<'a>(
    stage: &Stage,
    lang: Lang,
    look: &Look,
    width: usize,
    mask: Mask,
) -> Vec<Line<'a>> {
    if stage.scene.view == ChartKind::Taylor {
        return taylor(stage, lang, look, width);
    }
    let s = stage.main();
    let cur = s.current();
    let status = s.status();
    let status_style = match status {
        Status::Running => Style::new(),
        Status::Converged => look.good(),
        _ => look.error(),
    };
    let mut out = vec![Line::from(vec![
        Span::styled(format!("t = {:<6}", cur.t), look.title()),
        Span::styled(status_word(lang, status).to_string(), status_style),
    ])];
    let optimizer = s.optimizer().kind.to_string();
    row(
        &mut out,
        width,
        "η",
        format!("{}  ({optimizer})", short(s.lr())),
        look,
    );
    let theta = format!("θ = {}", names(stage));
    row(
        &mut out,
        width,
        &theta,
        format!("= {}", tuple(&cur.params)),
        look,
    );
    row(
        &mut out,
        width,
        "L(θ)",
        shown(mask.loss, short(cur.value)),
        look,
    );
    let grad_label = if matches!(s.objective(), Objective::Model(m) if m.batch_size < m.data.len())
    {
        tr(lang, "∇L (batch)", "∇L（批）")
    } else {
        "∇L(θ)"
    };
    row(
        &mut out,
        width,
        grad_label,
        shown_tuple(mask.grad, &cur.grad),
        look,
    );
    row(
        &mut out,
        width,
        "‖∇L‖",
        shown(mask.grad, short(norm(&cur.grad))),
        look,
    );
    if status == Status::Running {
        let p = s.preview();
        let step_label = match s.optimizer().kind {
            Kind::Sgd => "Δθ = −η∇L".to_string(),
            k => format!("Δθ ({k})"),
        };
        row(
            &mut out,
            width,
            &step_label,
            shown_tuple(mask.step, &p.delta),
            look,
        );
        row(
            &mut out,
            width,
            tr(lang, "θ next", "下一点 θ"),
            shown_tuple(mask.next, &p.next),
            look,
        );
        for (name, v) in cur.opt.vectors() {
            row(&mut out, width, name, tuple(v), look);
        }
    } else {
        out.push(Line::from(Span::styled(
            match status {
                Status::Converged => tr(
                    lang,
                    "the run has stopped: b undo, r reset",
                    "已停止：b 撤销，r 重来",
                ),
                Status::Diverged => tr(
                    lang,
                    "the loss blew up: b undo, - lower η, r reset",
                    "损失发散：b 撤销，- 减小 η，r 重来",
                ),
                _ => tr(
                    lang,
                    "no more steps: b undo, r reset",
                    "没有更多步数：b 撤销，r 重来",
                ),
            },
            status_style,
        )));
    }
    if let Objective::Model(m) = s.objective() {
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
        race_table(&mut out, stage, lang, look, mask);
    }
    out
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
fn race_table<'a>(out: &mut Vec<Line<'a>>, stage: &Stage, lang: Lang, look: &Look, mask: Mask) {
    let rows: Vec<[String; 5]> = stage
        .runners
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let c = r.session.current();
            let mark = match k {
                0 => '@',
                _ => crate::stage::RACE_MARKS[(k - 1) % crate::stage::RACE_MARKS.len()],
            };
            [
                format!("{mark} {}", r.label),
                c.t.to_string(),
                // Only the main run is the one a question is about.
                shown(mask.loss && k == 0, crate::numfmt::sig(c.value, 4)),
                shown(mask.grad && k == 0, crate::numfmt::sig(norm(&c.grad), 4)),
                // Only a stopped run needs a word; "stepping" on every row is noise.
                match r.session.status() {
                    Status::Running => String::new(),
                    st => status_word(lang, st).to_string(),
                },
            ]
        })
        .collect();
    let header = [tr(lang, "  run", "  运行"), "t", "L", "‖∇L‖", ""].map(str::to_string);
    let width = |c: usize| {
        rows.iter()
            .chain(std::iter::once(&header))
            .map(|r| Span::raw(r[c].as_str()).width())
            .max()
            .unwrap_or(0)
    };
    let w: Vec<usize> = (0..4).map(width).collect();
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

/// The Taylor dial: v, the angle to ∇L, ∇L·v, and prediction against truth for the probe.
fn taylor<'a>(stage: &Stage, lang: Lang, look: &Look, width: usize) -> Vec<Line<'a>> {
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
    let eps = stage.probe;
    let mut probe = cur.params.clone();
    probe[i] += eps * vx;
    probe[j] += eps * vy;
    let truth = s.objective().value(&probe) - cur.value;
    let predicted = eps * dot;
    let mut out = Vec::new();
    let w = width;
    let theta = format!("θ = {}", names(stage));
    row(
        &mut out,
        w,
        &theta,
        format!("= {}", tuple(&cur.params)),
        look,
    );
    row(&mut out, w, "L(θ)", short(cur.value), look);
    row(&mut out, w, "∇L(θ)", tuple(&cur.grad), look);
    let angle = short(stage.angle.to_degrees().rem_euclid(360.0));
    row(
        &mut out,
        w,
        "v",
        format!("({}, {})  ∠ {angle}°", short(vx), short(vy)),
        look,
    );
    row(&mut out, w, "φ(v, ∇L)", format!("{}°", short(phi)), look);
    row(
        &mut out,
        w,
        "∇L·v",
        format!("= ‖∇L‖cos φ = {}", short(dot)),
        look,
    );
    let change = tr(lang, "change", "调整");
    row(
        &mut out,
        w,
        "ε",
        format!("{}   (+/- {change})", short(eps)),
        look,
    );
    let predicted_label = tr(lang, "predicted", "预测");
    row(
        &mut out,
        w,
        predicted_label,
        format!("ε ∇L·v = {}", short(predicted)),
        look,
    );
    let true_label = tr(lang, "true ΔL", "真实 ΔL");
    row(
        &mut out,
        w,
        true_label,
        format!("L(θ+εv) − L(θ) = {}", short(truth)),
        look,
    );
    row(
        &mut out,
        w,
        tr(lang, "gap", "误差"),
        short(truth - predicted),
        look,
    );
    if gnorm > 0.0 && phi > 179.5 {
        out.push(Line::from(Span::styled(
            tr(
                lang,
                "v against ∇L: steepest descent",
                "v 与 ∇L 反向：下降最快",
            ),
            look.good(),
        )));
    } else {
        out.push(Line::from(Span::styled(
            tr(
                lang,
                "* marks −∇L; g turns v to it",
                "* 标出 −∇L 方向；按 g 让 v 指向它",
            ),
            look.dim(),
        )));
    }
    out
}
