//! The start screen: the lessons with their progress, and the sandbox.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::Look;
use super::panels::footer;
use crate::chart::Glyphs;
use crate::tui::app::App;
use crate::tui::strings::tr;

pub fn draw(app: &App, frame: &mut Frame, area: Rect) {
    let look = Look::of(app);
    let lang = app.lang;
    let notes = app.problems.len().min(3) as u16 + u16::from(app.notice.is_some());
    let [title, list, notes_area, foot] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(notes),
        Constraint::Length(1),
    ])
    .areas(area);

    let heading = Line::from(vec![
        Span::styled(" gradstep ", look.title()),
        Span::raw(tr(
            lang,
            "— gradient descent, one step at a time",
            "— 梯度下降，一步一步看清楚",
        )),
    ]);
    frame.render_widget(Paragraph::new(heading), title);
    frame.render_widget(
        super::paint::Rows(&[super::panels::language_tag(app)]),
        title,
    );

    let block = look.block(Span::styled(tr(lang, " Lessons ", " 课程 "), look.title()));
    let inner = block.inner(list);
    frame.render_widget(block, list);

    let items = app.lessons.len() + 1;
    let two_lines = inner.height as usize >= 2 * items;
    let (lines, selected_line) = list_lines(app, &look, two_lines);
    // One line per lesson leaves no room for the summaries: the highlighted one's summary
    // gets its own rows under the list (wrapped, never cut at the border) when they fit.
    let detail_rows = if two_lines {
        0
    } else {
        (inner.height as usize).saturating_sub(items + 1).min(3) as u16
    };
    let list_rows = (inner.height.saturating_sub(detail_rows)).min(items as u16);
    let [rows, detail, _] = Layout::vertical([
        Constraint::Length(if two_lines { inner.height } else { list_rows }),
        Constraint::Length(detail_rows),
        Constraint::Min(0),
    ])
    .areas(inner);
    // Scroll so the highlighted row stays in view on short terminals.
    let h = rows.height as usize;
    let scroll = (selected_line + 2).saturating_sub(h);
    frame.render_widget(Paragraph::new(lines).scroll((scroll as u16, 0)), rows);
    if detail_rows > 0 {
        let summary = match app.lessons.get(app.selected) {
            Some(l) => l.summary.get(lang).to_string(),
            None => sandbox_summary(lang).to_string(),
        };
        let text = vec![
            Line::raw(""),
            Line::from(Span::styled(format!("  {summary}"), look.dim())),
        ];
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), detail);
    }

    let mut note_lines: Vec<Line> = app
        .problems
        .iter()
        .take(3)
        .map(|p| Line::from(Span::styled(format!("! {p}"), look.error())))
        .collect();
    if let Some(n) = &app.notice {
        note_lines.push(Line::from(Span::styled(n.clone(), look.error())));
    }
    frame.render_widget(
        Paragraph::new(note_lines).wrap(Wrap { trim: true }),
        notes_area,
    );

    footer(app, app.key_context(), &look, frame, foot, &[]);
}

/// The sandbox's line under its title, as a lesson's summary.
fn sandbox_summary(lang: crate::lesson::Lang) -> &'static str {
    tr(
        lang,
        "type any loss, pick a start, watch every step",
        "输入任意损失函数，选起点，逐步观察",
    )
}

/// What the list says of a lesson's progress, and whether it is done: `✓ 3/3 done` when every
/// exercise is solved, `2/5 pages · ✓ 1/3` on the way, nothing before it was opened. A page
/// read is not an exercise solved, so both are counted.
fn mark(app: &App, lesson: &crate::lesson::Lesson) -> (String, bool) {
    let lang = app.lang;
    let t = app.progress.tally(&lesson.id, &lesson.exercise_ids());
    let check = match app.glyphs {
        Glyphs::Unicode => "✓ ",
        Glyphs::Ascii => tr(lang, "solved ", "答对 "),
    };
    let solved = format!("{check}{}/{}", t.solved, t.total);
    let text = if t.done {
        let done = tr(lang, "done", "已完成");
        if t.total > 0 {
            format!("{solved} {done}")
        } else {
            format!("{check}{done}")
        }
    } else if !t.started && t.solved == 0 {
        String::new()
    } else {
        let pages = lesson.pages.len();
        let page = match lang {
            crate::lesson::Lang::En => format!("{}/{pages} pages", (t.page + 1).min(pages)),
            crate::lesson::Lang::Zh => format!("第 {}/{pages} 页", (t.page + 1).min(pages)),
        };
        if t.total > 0 {
            format!("{page} · {solved}")
        } else {
            page
        }
    };
    (text, t.done)
}

/// The lessons and the sandbox, one or two lines each (title, then the summary when
/// `two_lines`), and which line holds the highlighted row.
fn list_lines<'a>(app: &'a App, look: &Look, two_lines: bool) -> (Vec<Line<'a>>, usize) {
    let lang = app.lang;
    let mut lines: Vec<Line> = Vec::new();
    let mut selected_line = 0;
    for (i, lesson) in app.lessons.iter().enumerate() {
        let (mark, done) = mark(app, lesson);
        let sel = i == app.selected;
        if sel {
            selected_line = lines.len();
        }
        let style = if sel {
            look.selected()
        } else {
            ratatui::style::Style::new()
        };
        let mut spans = vec![
            Span::styled(
                format!("{} {:>2}. ", if sel { ">" } else { " " }, i + 1),
                style,
            ),
            Span::styled(
                lesson.title.get(lang).to_string(),
                style.patch(look.title()),
            ),
        ];
        if !mark.is_empty() {
            let style = if done { look.good() } else { look.dim() };
            spans.push(Span::styled(format!("  [{mark}]"), style));
        }
        lines.push(Line::from(spans));
        if two_lines {
            lines.push(Line::from(Span::styled(
                format!("      {}", lesson.summary.get(lang)),
                look.dim(),
            )));
        }
    }
    let sel = app.selected >= app.lessons.len();
    if sel {
        selected_line = lines.len();
    }
    let style = if sel {
        look.selected()
    } else {
        ratatui::style::Style::new()
    };
    lines.push(Line::from(vec![
        Span::styled(format!("{}     ", if sel { ">" } else { " " }), style),
        Span::styled(
            tr(lang, "Sandbox: your own formula", "沙盒：输入你自己的公式"),
            style.patch(look.title()),
        ),
    ]));
    if two_lines {
        lines.push(Line::from(Span::styled(
            format!("      {}", sandbox_summary(lang)),
            look.dim(),
        )));
    }
    (lines, selected_line)
}
