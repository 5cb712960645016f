//! The lesson (and sandbox) screen: page text, numbers, the chart, the key footer.

use std::sync::Arc;

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::layout::{self, inner};
use super::numbers;
use super::paint::{Rows, kept_row};
use super::panels::{footer, language_tag};
use super::{Drawn, Look};
use crate::chart::{self, HistorySpec, Retained};
use crate::lesson::predict::Step;
use crate::lesson::text::{cell_width, page_rows, wrap};
use crate::lesson::{Answer, Exercise, Feedback, Lang, Page, Verdict};
use crate::math::Objective;
use crate::numfmt::pretty_name;
use crate::stage::Stage;
use crate::tui::app::{App, LineEntry, LineKind, Tutor};
use crate::tui::strings::tr;

/// The page panel's rows of text and its "more" mark (besides its question) that writing the
/// numbers panel's vectors in one form must leave: at 80×24 the sandbox keeps four rows of its
/// text and the mark.
const TOGETHER_LEAVES_PAGE: u16 = 5;

/// Draws the lesson screen; returns the chart's size in cells, if one was drawn.
pub fn draw(app: &App, t: &Tutor, frame: &mut Frame, area: Rect, kept: &[Retained]) -> Drawn {
    let look = Look::of(app);
    let lang = app.lang;
    let mut num_lines = Vec::new();
    // The page text is wrapped once per frame: the layout needs its height, and the page
    // panel, as wide as the numbers panel, draws the same rows.
    let mut page = None;
    let l = layout::tutor(area, t.stage.scene.view, |width, height| {
        let inside = width.saturating_sub(2);
        let parts = PageParts::new(app, t, &look, inside as usize);
        let text = parts.wanted() + 2;
        // The vectors all in one form where the panel has the rows for it and the page keeps
        // a few rows of its text; where the page needs them (a question, a race table below,
        // a text that would otherwise fit whole), each vector takes only the rows it must.
        let page_least = text.max(parts.fixed() + TOGETHER_LEAVES_PAGE + 2);
        let room = usize::from(height.saturating_sub(page_least).saturating_sub(2));
        let (together, each) = numbers::lines(&t.stage, lang, &look, inside as usize, app.mask());
        num_lines = match each {
            None => together,
            Some(each) => {
                // A page that fits whole beside the vectors each on as few rows as they need
                // is not cut for the sake of their alignment.
                let beside_each = height.saturating_sub(each.len() as u16 + 2 + 2);
                if together.len() <= room && parts.whole() > beside_each {
                    together
                } else {
                    each
                }
            }
        };
        page = Some((inside, parts));
        (num_lines.len() as u16 + 2, text)
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
    let title = Line::from(Span::styled(title, look.title()));
    let mut retained = Vec::new();
    kept_row(
        frame.buffer_mut(),
        l.title,
        &[title, language_tag(app)],
        kept,
        &mut retained,
    );

    let (page_overflow, cursor) = draw_text(app, t, frame, l.text, page, kept, &mut retained);

    let block = look.panel(Span::styled(tr(lang, " Numbers ", " 数值 "), look.title()));
    let ni = block.inner(l.numbers);
    if num_lines.len() > ni.height as usize {
        num_lines = numbers::lines_fitting(
            &t.stage,
            lang,
            &look,
            ni.width as usize,
            app.mask(),
            ni.height as usize,
        );
    }
    block.render_kept(l.numbers, frame.buffer_mut(), kept, &mut retained);
    for (k, y) in (ni.top()..ni.bottom()).enumerate() {
        let line = num_lines.get(k..=k).unwrap_or_default();
        kept_row(
            frame.buffer_mut(),
            Rect { y, height: 1, ..ni },
            line,
            kept,
            &mut retained,
        );
    }

    let chart = l.chart.map(|c| {
        let inside = inner(c);
        draw_chart(app, &t.stage, frame, c, &look, kept, &mut retained);
        (inside.width, inside.height)
    });
    if let Some(h) = l.history {
        draw_history(app, &t.stage, frame, h, &look);
    }

    if let Some(n) = &app.notice {
        chart::blank(frame.buffer_mut(), l.footer);
        frame.render_widget(
            Rows(&[Line::from(Span::styled(format!(" {n}"), look.error()))]),
            l.footer,
        );
        retained.push(Retained {
            area: l.footer,
            base: Retained::FRESH,
            cells: Vec::new(),
        });
    } else {
        // Whether the text scrolls as laid out in this frame, not as the app last heard: the
        // app learns it from this frame, and the footer is then already right.
        let context = crate::tui::keys::Context {
            scrolls: page_overflow > 0,
            ..app.key_context()
        };
        retained.push(footer(app, context, &look, frame, l.footer, kept));
    }
    Drawn {
        chart,
        page_overflow,
        retained,
        cursor,
    }
}

/// The page panel's rows, wrapped to its width: the text, which scrolls, and what is pinned
/// under it (the open question with its verdict, hint and explanation), then the rows of the
/// line being typed.
struct PageParts {
    /// Shared with [`TextMemo`]; copied only when the question has to scroll with it.
    text: Arc<Vec<Line<'static>>>,
    pinned: Vec<Line<'static>>,
    entry: u16,
}

impl PageParts {
    fn new(app: &App, t: &Tutor, look: &Look, width: usize) -> PageParts {
        let lang = app.lang;
        let mut pinned: Vec<Line> = Vec::new();
        let page = app.lesson().and_then(|l| l.page(t.page));
        let text = app
            .page_text
            .get(TextKey::of(app, t, page.is_some(), look, width), || {
                page_text(app, t, page, look, width)
            });
        if t.custom || page.is_none() {
            // The sandbox's own question (P: predict the step; d: type ∂L/∂x), pinned like a
            // page's; a prediction is about the learner's run as it stands.
            if t.lesson.is_none()
                && let Some(ex) = app.exercise()
            {
                pin_question(lang, ex, t, t.round, look, width, &mut pinned);
            }
        } else if let Some(p) = page
            && let Some(ex) = app.exercise()
        {
            // A prediction is about the lesson's own run as it stands.
            pin_question(lang, ex, t, !t.custom, look, width, &mut pinned);
            // Once the answer is out, practice on a number not seen yet.
            let more = p.vary.as_ref().is_some_and(|v| v.starts.len() > 1);
            if more && !t.custom && !t.attempts.open() {
                let again = tr(
                    lang,
                    "A: the same question at another start",
                    "按 A：换个起点再来一题",
                );
                push_wrapped(&mut pinned, again, width, look.dim());
            }
        }
        let entry = t
            .line
            .as_ref()
            .map_or(0, |e| 1 + entry_notes(lang, e, look, width).len() as u16);
        PageParts {
            text,
            pinned,
            entry,
        }
    }

    /// The rows of the page panel's body its question takes, with the line being typed.
    fn fixed(&self) -> u16 {
        u16::try_from(self.pinned.len()).unwrap_or(u16::MAX) + self.entry
    }

    /// The rows the page panel's body needs to show everything without scrolling.
    fn whole(&self) -> u16 {
        let pinned = self.pinned.len() + usize::from(!self.pinned.is_empty());
        u16::try_from(self.text.len() + pinned).unwrap_or(u16::MAX) + self.entry
    }

    /// The inside rows the panel wants from the numbers below it: with a question, all of it
    /// and a row of text with the row that marks more; without, a row (the text scrolls).
    fn wanted(&self) -> u16 {
        if self.pinned.is_empty() {
            1 + self.entry
        } else {
            self.pinned.len() as u16 + self.entry + 2
        }
    }
}

/// The page panel's text (not its question) wrapped to `width`: the page's own text, or in
/// the sandbox and on a custom formula the formula and the keys. It changes with the page,
/// the formula, the language and the width, not with a step, so it is kept between frames
/// ([`TextMemo`]): wrapping it was a tenth of a step frame's work at 80×24.
fn page_text(
    app: &App,
    t: &Tutor,
    page: Option<&Page>,
    look: &Look,
    width: usize,
) -> Vec<Line<'static>> {
    let lang = app.lang;
    let mut text: Vec<Line> = Vec::new();
    if t.custom || page.is_none() {
        if let Objective::Formula(f) = &t.stage.scene.objective {
            let vars: Vec<String> = f.vars().iter().map(|v| pretty_name(v)).collect();
            let head = format!("L({}) = {}", vars.join(", "), f.source());
            push_wrapped(&mut text, &head, width, look.title());
        }
        text.push(Line::raw(""));
        let how = tr(
            lang,
            "n takes one step θ ← θ − η∇L; b undoes it.\nf types a new formula, s a new start,\n+/- change η, o the optimizer.\nWatch the arrow: its tip is the next point.",
            "n 走一步 θ ← θ − η∇L；b 撤销。\nf 输入新公式，s 输入新起点，\n+/- 调整 η，o 切换优化器。\n箭头的尖端就是下一个点。",
        );
        for l in how.lines() {
            push_wrapped(&mut text, l, width, Style::new());
        }
        if page.is_some() {
            text.push(Line::raw(""));
            let back = tr(
                lang,
                "(your own formula: → returns to the lesson)",
                "（你自己的公式：按 → 回到课程）",
            );
            push_wrapped(&mut text, back, width, look.dim());
        }
    } else if let Some(p) = page {
        text = page_rows(p.text.get(lang), width)
            .into_iter()
            .map(Line::raw)
            .collect();
    }
    text
}

/// What [`page_text`] is made from.
#[derive(Debug, Clone, PartialEq)]
pub struct TextKey {
    lesson: Option<usize>,
    page: usize,
    custom: bool,
    /// The formula's source where the text shows it (sandbox, custom formula).
    formula: Option<String>,
    lang: Lang,
    look: Look,
    width: usize,
}

impl TextKey {
    fn of(app: &App, t: &Tutor, on_page: bool, look: &Look, width: usize) -> TextKey {
        let shows_formula = t.custom || !on_page;
        let formula = match &t.stage.scene.objective {
            Objective::Formula(f) if shows_formula => Some(f.source().to_string()),
            _ => None,
        };
        TextKey {
            lesson: t.lesson,
            page: t.page,
            custom: t.custom,
            formula,
            lang: app.lang,
            look: *look,
            width,
        }
    }
}

/// The page text last wrapped, and what it was wrapped from (see [`page_text`]). `Mutex`
/// rather than `RefCell` so an app stays `Send` for the SSH server; it is never contended.
#[derive(Debug, Default)]
pub struct TextMemo(std::sync::Mutex<Option<(TextKey, Arc<Vec<Line<'static>>>)>>);

impl TextMemo {
    /// The text for `key`, made by `make` unless it is the one made last.
    fn get(
        &self,
        key: TextKey,
        make: impl FnOnce() -> Vec<Line<'static>>,
    ) -> Arc<Vec<Line<'static>>> {
        let mut memo = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match &*memo {
            Some((k, text)) if *k == key => text.clone(),
            _ => {
                let text = Arc::new(make());
                *memo = Some((key, text.clone()));
                text
            }
        }
    }
}

/// `s` wrapped to `width` cells, each row in `style`.
fn push_wrapped(out: &mut Vec<Line<'static>>, s: &str, width: usize, style: Style) {
    for row in wrap(s, width) {
        out.push(Line::from(Span::styled(row, style)));
    }
}

/// How far the page text is scrolled and where its mark goes, for a region of `rows`.
struct Scroll {
    /// Rows of text shown.
    shown: u16,
    /// Rows the text can scroll down.
    overflow: u16,
    /// A row under the text for the "more" mark (or a blank row above the question).
    mark_row: bool,
}

impl Scroll {
    fn new(text_rows: usize, rows: u16, pinned: bool) -> Scroll {
        let text_rows = u16::try_from(text_rows).unwrap_or(u16::MAX);
        let fits = text_rows <= rows.saturating_sub(u16::from(pinned));
        // One row only: the text itself matters more than the mark.
        let mark_row = (pinned || !fits) && rows >= 2;
        let shown = rows.saturating_sub(u16::from(mark_row));
        Scroll {
            shown,
            overflow: text_rows.saturating_sub(shown),
            mark_row,
        }
    }
}

/// Draws the page panel; returns how many rows its text can scroll.
fn draw_text(
    app: &App,
    t: &Tutor,
    frame: &mut Frame,
    area: Rect,
    wrapped: Option<(u16, PageParts)>,
    kept: &[Retained],
    retained: &mut Vec<Retained>,
) -> (u16, Option<Position>) {
    let look = &Look::of(app);
    let lang = app.lang;
    let title = match app.lesson() {
        Some(_) => tr(lang, " Page ", " 本页 "),
        None => tr(lang, " Your formula ", " 你的公式 "),
    };
    let mut block = look.panel(Span::styled(title, look.title()));
    let body = block.inner(area);
    let mut parts = match wrapped {
        Some((width, parts)) if width == body.width => parts,
        _ => PageParts::new(app, t, look, body.width as usize),
    };
    // No room for the question under the text: it scrolls with the text instead.
    if !parts.pinned.is_empty() && parts.fixed() + 2 > body.height {
        let text = Arc::make_mut(&mut parts.text);
        text.push(Line::raw(""));
        text.append(&mut parts.pinned);
    }
    let rows = body.height.saturating_sub(parts.fixed());
    let scroll = Scroll::new(parts.text.len(), rows, !parts.pinned.is_empty());
    let top = t.scroll.min(scroll.overflow);
    let ascii = matches!(look.glyphs, crate::chart::Glyphs::Ascii);
    if top > 0 {
        let mark = if ascii { " ^ " } else { " ▲ " };
        block = block.right_title(Span::styled(mark, look.key()));
    }
    block.render_kept(area, frame.buffer_mut(), kept, retained);

    let mut y = body.y;
    let from = usize::from(top).min(parts.text.len());
    let to = (from + usize::from(scroll.shown)).min(parts.text.len());
    let text = &parts.text[from..to];
    let text_area = Rect {
        y,
        height: scroll.shown,
        ..body
    };
    let rows = app.page_rows.retained(text_area, text);
    if !kept.contains(&rows) {
        chart::blank(frame.buffer_mut(), text_area);
        frame.render_widget(Rows(text), text_area);
    }
    y += scroll.shown;
    retained.push(rows);
    // The rows under the text are kept rows too (the mark, the question, blank rows below),
    // so the page panel's body is all retained areas: when it trades a row with the numbers
    // panel, nothing of the last frame is left under it and the frame is drawn once.
    let row_at = |y: u16| Rect {
        y,
        height: 1,
        ..body
    };
    let bottom = body.y + body.height;
    if scroll.mark_row && y < bottom {
        let mark = more_mark(lang, ascii, top, scroll.overflow);
        let line = Line::from(Span::styled(mark, look.dim()));
        kept_row(
            frame.buffer_mut(),
            row_at(y),
            std::slice::from_ref(&line),
            kept,
            retained,
        );
        y += 1;
    }
    for line in &parts.pinned {
        if y >= bottom {
            break;
        }
        kept_row(
            frame.buffer_mut(),
            row_at(y),
            std::slice::from_ref(line),
            kept,
            retained,
        );
        y += 1;
    }
    let cursor = match t.line.as_ref() {
        Some(entry) => {
            let line_area = Rect {
                y,
                height: bottom.saturating_sub(y),
                ..body
            };
            draw_line(app, entry, frame, line_area, look, &t.stage)
        }
        None => {
            for y in y..bottom {
                kept_row(frame.buffer_mut(), row_at(y), &[], kept, retained);
            }
            None
        }
    };
    (scroll.overflow, cursor)
}

/// The row under the page text: how much is below, or that the end is reached, with the key
/// (as the footer names it) that scrolls there. Short, so it fits a narrow panel.
fn more_mark(lang: Lang, ascii: bool, top: u16, overflow: u16) -> String {
    let (down, up) = if ascii { ("v", "^") } else { ("▼", "▲") };
    if top < overflow {
        let left = overflow - top;
        match lang {
            Lang::Zh => format!("{down} 还有 {left} 行 ↓"),
            Lang::En => format!("{down} {left} more ↓"),
        }
    } else if overflow > 0 {
        match lang {
            Lang::Zh => format!("{up} 到底了 ↑"),
            Lang::En => format!("{up} end ↑"),
        }
    } else {
        String::new()
    }
}

/// The page's question, and the verdict on the last answer with its hint and explanation
/// once they are earned, wrapped to `width`.
/// The open question's lines, pinned under the page; `graded_run` says whether a prediction
/// is graded against the run on stage (the lesson's, or the learner's in the sandbox round).
fn pin_question(
    lang: Lang,
    ex: &Exercise,
    t: &crate::tui::app::Tutor,
    graded_run: bool,
    look: &Look,
    width: usize,
    pinned: &mut Vec<Line<'static>>,
) {
    let run = graded_run.then(|| {
        Step::of(t.stage.main())
            .named(t.stage.scene.param_names())
            .with_loss(t.stage.scene.loss_name())
    });
    exercise_lines(
        lang,
        ex,
        t.feedback.as_ref(),
        run.as_ref(),
        look,
        width,
        pinned,
    );
}

fn exercise_lines(
    lang: Lang,
    ex: &Exercise,
    feedback: Option<&Feedback>,
    run: Option<&Step>,
    look: &Look,
    width: usize,
    lines: &mut Vec<Line<'static>>,
) {
    push_wrapped(
        lines,
        &format!("? {}", ex.prompt.get(lang)),
        width,
        look.key(),
    );
    match feedback {
        None => push_wrapped(
            lines,
            match ex.answer {
                Answer::Direction { .. } => tr(
                    lang,
                    "  (turn v, then Enter to confirm)",
                    "  （转动 v，按 Enter 确认）",
                ),
                _ => tr(lang, "  (Enter to answer)", "  （按 Enter 作答）"),
            },
            width,
            look.dim(),
        ),
        Some(fb) => {
            let (msg, style) = match &fb.verdict {
                Verdict::Correct => (
                    // A note on a right answer says how right (a direction's cos φ).
                    // A derivative's reveal is its textbook form, `∂f/∂x = 2*x + y`.
                    match (&fb.note, &ex.answer) {
                        (Some(n), _) => {
                            format!("{} {}", tr(lang, "✓ right!", "✓ 答对了！"), n.get(lang))
                        }
                        (None, Answer::Derivative(d)) => {
                            format!("{} {}", tr(lang, "✓ right!", "✓ 答对了！"), d.reveal())
                        }
                        (None, _) => tr(lang, "✓ right!", "✓ 答对了！").to_string(),
                    },
                    look.good(),
                ),
                // A hint built from the learner's own numbers says more than "not quite".
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
            push_wrapped(lines, &msg, width, style);
            // A prediction's note is its hint; a derivative's or a direction's note says where
            // the answer is off, and the lesson's hint still says how to fix it.
            if fb.show_hint
                && (fb.note.is_none() || !matches!(ex.answer, Answer::Predict { .. }))
                && let Some(h) = &ex.hint
            {
                let hint = format!("{}{}", tr(lang, "hint: ", "提示："), h.get(lang));
                push_wrapped(lines, &hint, width, Style::new());
            }
            if fb.show_explanation {
                push_wrapped(lines, ex.explain.get(lang), width, Style::new());
            }
        }
    }
}

/// The rows under the line being typed: a caret under the error's column and the message,
/// or the go-ahead for a formula that reads.
fn entry_notes(lang: Lang, entry: &LineEntry, look: &Look, width: usize) -> Vec<Line<'static>> {
    let mut v = Vec::new();
    match &entry.error {
        Some(e) => {
            if e.column.is_some() {
                v.push(Line::raw(""));
            }
            let message = e.message_in(lang == Lang::Zh);
            push_wrapped(&mut v, &format!("✗ {message}"), width, look.error());
        }
        None if entry.kind == LineKind::Formula && !entry.editor.text().is_empty() => {
            push_wrapped(
                &mut v,
                tr(lang, "✓ Enter to use it", "✓ 按 Enter 使用"),
                width,
                look.good(),
            );
        }
        None => {}
    }
    v
}

/// Draws the line being typed; returns where the terminal's cursor goes.
fn draw_line(
    app: &App,
    entry: &LineEntry,
    frame: &mut Frame,
    area: Rect,
    look: &Look,
    stage: &Stage,
) -> Option<Position> {
    if area.height == 0 {
        return None;
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
    let pw = cell_width(&prompt);
    let room = (area.width as usize).saturating_sub(pw + 1).max(1);
    // Scroll sideways so the cursor stays visible.
    let cur = entry.editor.cursor();
    let offset = cur.saturating_sub(room);
    let shown: String = text.iter().skip(offset).take(room).collect();
    let line = Line::from(vec![
        Span::styled(prompt.clone(), look.key()),
        Span::raw(shown),
    ]);
    frame.render_widget(Rows(&[line]), Rect { height: 1, ..area });
    let cx = area.x + (pw + cur - offset) as u16;
    let cursor = Position::new(cx.min(area.x + area.width.saturating_sub(1)), area.y);
    if area.height < 2 {
        return Some(cursor);
    }
    let below = Rect {
        y: area.y + 1,
        height: area.height - 1,
        ..area
    };
    let mut lines = entry_notes(lang, entry, look, area.width as usize);
    if let Some(c) = entry.error.as_ref().and_then(|e| e.column)
        && let Some(first) = lines.first_mut()
    {
        *first = if c > offset {
            let at = (pw + c - 1 - offset).min(area.width.saturating_sub(1) as usize);
            Line::from(Span::styled(format!("{}^", " ".repeat(at)), look.error()))
        } else {
            Line::from(Span::styled("<", look.error()))
        };
    }
    frame.render_widget(Rows(&lines), below);
    Some(cursor)
}

fn chart_title(stage: &Stage, lang: Lang) -> String {
    let names: Vec<String> = stage.scene.names.iter().map(|s| pretty_name(s)).collect();
    match (&stage.scene.objective, stage.axes()) {
        // The loss's own name (J for least squares, f where a lesson calls it f), as the
        // Numbers panel and the page text write it.
        (Objective::Formula(f), _) => format!(
            " {}({}) = {} ",
            stage.scene.loss_name(),
            names.join(", "),
            f.source()
        ),
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
        (Objective::Model(_), None) => format!(" {} ", stage.scene.loss_name()),
    }
}

fn draw_chart(
    app: &App,
    stage: &Stage,
    frame: &mut Frame,
    area: Rect,
    look: &Look,
    kept: &[Retained],
    retained: &mut Vec<Retained>,
) {
    let block = look.panel(Span::styled(chart_title(stage, app.lang), look.title()));
    let area_in = inner(area);
    block.render_kept(area, frame.buffer_mut(), kept, retained);
    let canvas = stage.chart(
        app.glyphs,
        area_in.width,
        area_in.height,
        app.mask(),
        app.lang,
    );
    retained.push(canvas.render_kept(area_in, frame.buffer_mut(), &look.theme(), kept));
}

fn draw_history(app: &App, stage: &Stage, frame: &mut Frame, area: Rect, look: &Look) {
    let block = look.panel(Span::styled(
        tr(app.lang, " cost history ", " 代价历史 "),
        look.title(),
    ));
    let area_in = inner(area);
    frame.render_widget(block, area);
    let values: Vec<Vec<f64>> = stage
        .runners
        .iter()
        .map(|r| r.run.history().iter().map(|p| p.value).collect())
        .collect();
    let series: Vec<(&str, &[f64])> = stage
        .runners
        .iter()
        .zip(&values)
        .map(|(r, v)| (r.name(app.lang), v.as_slice()))
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
