//! The lesson (and sandbox) screen: page text, numbers, the chart, the key footer.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::layout::{self, inner};
use super::numbers;
use super::panels::{footer, language_tag};
use super::{Drawn, Look};
use crate::chart::{self, HistorySpec};
use crate::lesson::predict::Step;
use crate::lesson::{Exercise, Feedback, Lang, Verdict};
use crate::math::Objective;
use crate::numfmt::pretty_name;
use crate::stage::Stage;
use crate::tui::app::{App, LineEntry, LineKind, Tutor};
use crate::tui::strings::tr;

/// Draws the lesson screen; returns the chart's size in cells, if one was drawn.
pub fn draw(app: &App, t: &Tutor, frame: &mut Frame, area: Rect) -> Drawn {
    let look = Look::of(app);
    let lang = app.lang;
    let mut num_lines = Vec::new();
    let l = layout::tutor(area, t.stage.scene.view, |width| {
        num_lines = numbers::lines(
            &t.stage,
            lang,
            &look,
            width.saturating_sub(2) as usize,
            app.mask(),
        );
        num_lines.len() as u16 + 2
    });

    // Title row.
    let title = match app.lesson() {
        Some(lesson) => format!(
            " gradstep › {} · {}/{}",
            lesson.title.get(lang),
            t.page + 1,
            lesson.pages.len()
        ),
        None => format!(" gradstep › {}", tr(lang, "Sandbox", "沙盒")),
    };
    frame.render_widget(Paragraph::new(Span::styled(title, look.title())), l.title);
    language_tag(app, frame, l.title);

    draw_text(app, t, frame, l.text, &look);

    let block = look.block(Span::styled(tr(lang, " Numbers ", " 数值 "), look.title()));
    let ni = block.inner(l.numbers);
    frame.render_widget(block, l.numbers);
    frame.render_widget(Paragraph::new(num_lines), ni);

    let chart = l.chart.map(|c| {
        let inside = inner(c);
        draw_chart(app, &t.stage, frame, c, &look);
        (inside.width, inside.height)
    });
    if let Some(h) = l.history {
        draw_history(app, &t.stage, frame, h, &look);
    }

    if let Some(n) = &app.notice {
        frame.render_widget(
            Paragraph::new(Span::styled(format!(" {n}"), look.error())),
            l.footer,
        );
    } else {
        footer(app, &look, frame, l.footer);
    }
    Drawn { chart }
}

fn draw_text(app: &App, t: &Tutor, frame: &mut Frame, area: Rect, look: &Look) {
    let lang = app.lang;
    let title = match app.lesson() {
        Some(_) => tr(lang, " Page ", " 本页 "),
        None => tr(lang, " Your formula ", " 你的公式 "),
    };
    let block = look.block(Span::styled(title, look.title()));
    let mut body = block.inner(area);
    frame.render_widget(block, area);

    let line_rows = if t.line.is_some() {
        3.min(body.height)
    } else {
        0
    };
    let line_area = Rect {
        y: body.y + body.height - line_rows,
        height: line_rows,
        ..body
    };
    body.height -= line_rows;

    let mut lines: Vec<Line> = Vec::new();
    let page = app.lesson().and_then(|l| l.page(t.page));
    if t.custom || page.is_none() {
        if let Objective::Formula(f) = &t.stage.scene.objective {
            let vars: Vec<String> = f.vars().iter().map(|v| pretty_name(v)).collect();
            lines.push(Line::from(Span::styled(
                format!("L({}) = {}", vars.join(", "), f.source()),
                look.title(),
            )));
        }
        lines.push(Line::raw(""));
        for l in tr(
            lang,
            "n takes one step θ ← θ − η∇L; b undoes it.\nf types a new formula, s a new start,\n+/- change η, o the optimizer.\nWatch the arrow: its tip is the next point.",
            "n 走一步 θ ← θ − η∇L；b 撤销。\nf 输入新公式，s 输入新起点，\n+/- 调整 η，o 切换优化器。\n箭头的尖端就是下一个点。",
        )
        .lines()
        {
            lines.push(Line::raw(l.to_string()));
        }
        if page.is_some() {
            lines.push(Line::raw(""));
            lines.push(Line::from(Span::styled(
                tr(
                    lang,
                    "(your own formula: → returns to the lesson)",
                    "（你自己的公式：按 → 回到课程）",
                ),
                look.dim(),
            )));
        }
    } else if let Some(p) = page {
        for l in reflow(p.text.get(lang)) {
            lines.push(Line::raw(l));
        }
        if let Some(ex) = &p.exercise {
            // A prediction is about the lesson's own run as it stands.
            let run = (!t.custom).then(|| Step::of(t.stage.main()));
            exercise_lines(
                lang,
                ex,
                t.feedback.as_ref(),
                run.as_ref(),
                look,
                &mut lines,
            );
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);

    if let Some(entry) = &t.line {
        draw_line(app, entry, frame, line_area, look, &t.stage);
    }
}

/// The page's question, and the verdict on the last answer with its hint and explanation
/// once they are earned.
fn exercise_lines(
    lang: Lang,
    ex: &Exercise,
    feedback: Option<&Feedback>,
    run: Option<&Step>,
    look: &Look,
    lines: &mut Vec<Line<'_>>,
) {
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        format!("? {}", ex.prompt.get(lang)),
        look.key(),
    )));
    match feedback {
        None => lines.push(Line::from(Span::styled(
            tr(lang, "  (Enter to answer)", "  （按 Enter 作答）"),
            look.dim(),
        ))),
        Some(fb) => {
            let (msg, style) = match &fb.verdict {
                Verdict::Correct => (tr(lang, "✓ right!", "✓ 答对了！").to_string(), look.good()),
                // A hint built from the learner's own numbers says more than "not quite", and
                // on one line it still fits a small page panel.
                Verdict::Wrong if fb.note.is_some() => (
                    format!("✗ {}", fb.note.as_ref().map_or("", |n| n.get(lang))),
                    look.error(),
                ),
                Verdict::Wrong => (
                    tr(
                        lang,
                        "✗ not quite — Enter to try again",
                        "✗ 不太对，按 Enter 再试",
                    )
                    .to_string(),
                    look.error(),
                ),
                Verdict::Unreadable(why) => (why.get(lang).to_string(), look.error()),
                Verdict::Shown => (
                    match lang {
                        Lang::En => format!("answer: {}", ex.answer.display(run)),
                        Lang::Zh => format!("答案：{}", ex.answer.display(run)),
                    },
                    look.key(),
                ),
            };
            lines.push(Line::from(Span::styled(msg, style)));
            if fb.show_hint
                && fb.note.is_none()
                && let Some(h) = &ex.hint
            {
                lines.push(Line::raw(format!(
                    "{} {}",
                    tr(lang, "hint:", "提示："),
                    h.get(lang)
                )));
            }
            if fb.show_explanation {
                lines.push(Line::raw(ex.explain.get(lang).to_string()));
            }
        }
    }
}

/// Joins a page's lines into paragraphs so they wrap to whatever width the panel has: a blank
/// line ends a paragraph, and an indented line (a formula) stays on a line of its own.
/// Chinese lines join without a space, other text with one.
pub fn reflow(text: &str) -> Vec<String> {
    let wide =
        |c: char| ('\u{2e80}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c);
    let mut out: Vec<String> = Vec::new();
    let mut open = false;
    for line in text.lines() {
        let indented = line.starts_with(char::is_whitespace);
        if line.trim().is_empty() {
            out.push(String::new());
            open = false;
        } else if indented || !open {
            out.push(line.trim_end().to_string());
            open = !indented;
        } else if let Some(last) = out.last_mut() {
            let join_tight = last.ends_with(wide) || line.starts_with(wide);
            if !join_tight {
                last.push(' ');
            }
            last.push_str(line.trim());
        }
    }
    out
}

fn draw_line(
    app: &App,
    entry: &LineEntry,
    frame: &mut Frame,
    area: Rect,
    look: &Look,
    stage: &Stage,
) {
    if area.height == 0 {
        return;
    }
    let lang = app.lang;
    let prompt = match entry.kind {
        LineKind::Formula => "L = ".to_string(),
        LineKind::Start => {
            let n: Vec<String> = stage.scene.names.iter().map(|s| pretty_name(s)).collect();
            format!("({}) = ", n.join(", "))
        }
        LineKind::Answer => tr(lang, "answer: ", "答案：").to_string(),
    };
    let text: Vec<char> = entry.editor.text().chars().collect();
    let pw = prompt.chars().count();
    let room = (area.width as usize).saturating_sub(pw + 1).max(1);
    // Scroll sideways so the cursor stays visible.
    let cur = entry.editor.cursor();
    let offset = cur.saturating_sub(room);
    let shown: String = text.iter().skip(offset).take(room).collect();
    let line = Line::from(vec![
        Span::styled(prompt.clone(), look.key()),
        Span::raw(shown),
    ]);
    frame.render_widget(Paragraph::new(line), Rect { height: 1, ..area });
    let cx = area.x + (pw + cur - offset) as u16;
    frame.set_cursor_position(Position::new(
        cx.min(area.x + area.width.saturating_sub(1)),
        area.y,
    ));
    if area.height < 2 {
        return;
    }
    let below = Rect {
        y: area.y + 1,
        height: area.height - 1,
        ..area
    };
    let lines = match &entry.error {
        Some(e) => {
            let mut v = Vec::new();
            if let Some(c) = e.column
                && c > offset
            {
                let at = pw + c - 1 - offset;
                v.push(Line::from(Span::styled(
                    format!("{}^", " ".repeat(at)),
                    look.error(),
                )));
            }
            v.push(Line::from(Span::styled(
                format!("✗ {}", e.message),
                look.error(),
            )));
            v
        }
        None if entry.kind == LineKind::Formula && !text.is_empty() => {
            vec![Line::from(Span::styled(
                tr(lang, "✓ Enter to use it", "✓ 按 Enter 使用"),
                look.good(),
            ))]
        }
        None => vec![],
    };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), below);
}

fn chart_title(stage: &Stage, lang: Lang) -> String {
    let names: Vec<String> = stage.scene.names.iter().map(|s| pretty_name(s)).collect();
    match (&stage.scene.objective, stage.axes()) {
        (Objective::Formula(f), _) => format!(" L({}) = {} ", names.join(", "), f.source()),
        (Objective::Model(m), Some((i, j))) => {
            let cur = &stage.main().current().params;
            let others: Vec<String> = (0..names.len())
                .filter(|k| *k != i && *k != j)
                .map(|k| format!("{} = {}", names[k], crate::numfmt::short(cur[k])))
                .collect();
            let what = match m.kind {
                crate::math::model::ModelKind::Logistic => tr(lang, "cross-entropy", "交叉熵"),
                crate::math::model::ModelKind::Linear => "J = 1/(2m)·Σ(h − y)²",
            };
            if others.is_empty() {
                format!(" {what} ")
            } else {
                format!(" {what}, {} {} ", tr(lang, "at", "固定"), others.join(", "))
            }
        }
        (Objective::Model(_), None) => " L ".into(),
    }
}

fn draw_chart(app: &App, stage: &Stage, frame: &mut Frame, area: Rect, look: &Look) {
    let block = look.block(Span::styled(chart_title(stage, app.lang), look.title()));
    let area_in = inner(area);
    frame.render_widget(block, area);
    let canvas = stage.chart(app.glyphs, area_in.width, area_in.height);
    canvas.render(area_in, frame.buffer_mut(), &look.theme());
}

fn draw_history(app: &App, stage: &Stage, frame: &mut Frame, area: Rect, look: &Look) {
    let block = look.block(Span::styled(
        tr(app.lang, " cost history ", " 代价历史 "),
        look.title(),
    ));
    let area_in = inner(area);
    frame.render_widget(block, area);
    let values: Vec<Vec<f64>> = stage
        .runners
        .iter()
        .map(|r| r.session.history().iter().map(|p| p.value).collect())
        .collect();
    let series: Vec<(&str, &[f64])> = stage
        .runners
        .iter()
        .zip(&values)
        .map(|(r, v)| (r.label.as_str(), v.as_slice()))
        .collect();
    let spec = HistorySpec {
        series: &series,
        log_y: false,
        x_label: "t",
        y_label: "J",
        glyphs: app.glyphs,
    };
    chart::history(&spec, area_in.width, area_in.height).render(
        area_in,
        frame.buffer_mut(),
        &look.theme(),
    );
}

#[cfg(test)]
mod tests {
    use super::reflow;

    #[test]
    fn paragraphs_join_and_formulas_stay() {
        let text = "The first step\njumps over the bottom.\n  θ ← θ − η∇L\nThen it\nswitches.\n\nNew paragraph.";
        assert_eq!(
            reflow(text),
            vec![
                "The first step jumps over the bottom.",
                "  θ ← θ − η∇L",
                "Then it switches.",
                "",
                "New paragraph."
            ]
        );
        assert_eq!(reflow("第一步\n越过了谷底。"), vec!["第一步越过了谷底。"]);
    }
}
