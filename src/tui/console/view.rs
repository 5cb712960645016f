//! The console drawn: a title row, the broadcast in force, the roster table (or the followed
//! student's screen), the line being typed or the last result, and the key footer. Pure: it
//! reads the console's state and never the clock or the hub's locks beyond one copy.

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Console, Entry};
use crate::chart::Glyphs;
use crate::class::{Row, Sort};
use crate::lesson::Lang;
use crate::tui::keys::{Context, Keymap};
use crate::tui::view::Look;

/// `12s`, `3m`, `2h`: how long a student has not typed.
pub fn idle(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        _ => format!("{}h", s / 3600),
    }
}

fn tr(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    if lang == Lang::Zh { zh } else { en }
}

/// Cuts `s` to `w` columns (by characters: names and lesson ids are short), padding it.
fn cell(s: &str, w: usize) -> String {
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = Span::raw(c.to_string()).width();
        if used + cw > w {
            break;
        }
        used += cw;
        out.push(c);
    }
    out.push_str(&" ".repeat(w.saturating_sub(used)));
    out
}

/// Where the student is, as the roster says it: `slope 2/4`, `sandbox`, `(lessons)`.
pub fn place(row: &Row, lang: Lang) -> String {
    let s = &row.status;
    match &s.lesson {
        Some(id) => format!("{id} {}/{}", s.page + 1, s.pages),
        None if s.sandbox => tr(lang, "sandbox", "沙盒").into(),
        None => tr(lang, "(lesson list)", "（课程列表）").into(),
    }
}

fn sort_name(sort: Sort, lang: Lang) -> &'static str {
    match sort {
        Sort::Name => tr(lang, "name", "姓名"),
        Sort::Lesson => tr(lang, "lesson", "课程"),
        Sort::Activity => tr(lang, "idle", "空闲"),
        Sort::Solved => tr(lang, "solved", "答对"),
    }
}

pub fn draw(c: &Console, frame: &mut Frame) {
    if let Some(at) = draw_returning_cursor(c, frame) {
        frame.set_cursor_position(at);
    }
}

/// [`draw`], returning where the cursor goes instead of setting it on the frame.
pub fn draw_returning_cursor(c: &Console, frame: &mut Frame) -> Option<Position> {
    let area = frame.area();
    if area.height < 4 || area.width < 20 {
        frame.render_widget(
            Paragraph::new(tr(c.lang, "window too small", "窗口太小")),
            area,
        );
        return None;
    }
    let look = Look {
        color: c.color,
        glyphs: Glyphs::Unicode,
    };
    let row = |y: u16| Rect::new(area.x, area.y + y, area.width, 1);
    let bottom = area.height - 1;

    // Title: who is here, the order, where sends go.
    let here = c.rows.iter().filter(|r| r.connected).count();
    let to = if c.to_all {
        tr(c.lang, "all", "所有人").to_string()
    } else {
        c.rows
            .iter()
            .find(|r| Some(r.id) == c.selected)
            .map_or_else(String::new, |r| r.name.clone())
    };
    let title = match (c.followed_row(), c.lang) {
        (Some(r), Lang::En) => format!(
            " gradstep › following {} · {} · Esc: back",
            r.name,
            place(r, c.lang)
        ),
        (Some(r), Lang::Zh) => format!(
            " gradstep › 跟随 {} · {} · Esc 返回",
            r.name,
            place(r, c.lang)
        ),
        (None, Lang::En) => format!(
            " gradstep › class · {here} here · sort: {} · to: {to}",
            sort_name(c.sort, c.lang)
        ),
        (None, Lang::Zh) => format!(
            " gradstep › 课堂 · 在线 {here} · 排序：{} · 发给：{to}",
            sort_name(c.sort, c.lang)
        ),
    };
    frame.render_widget(Paragraph::new(Span::styled(title, look.title())), row(0));

    let mut top = 1;
    if let Some(b) = c.broadcast_line() {
        let label = tr(c.lang, " broadcast: ", " 广播：");
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(label, look.key()),
                Span::raw(b),
            ])),
            row(top),
        );
        top += 1;
    }

    // The last rows: the line's error (on a row of its own, so it is never cut), the line or
    // the result, then the keys.
    let error = c.entry.as_ref().and_then(|e| e.error.as_ref());
    let below = 1 + u16::from(error.is_some());
    let body = Rect::new(
        area.x,
        area.y + top,
        area.width,
        bottom.saturating_sub(below + top),
    );
    if let Some(e) = error {
        frame.render_widget(
            Paragraph::new(Span::styled(format!(" {e}"), look.error())),
            row(bottom - 2),
        );
    }
    if c.following.is_some() {
        draw_followed(c, frame, body, &look);
    } else {
        draw_roster(c, frame, body, &look);
    }
    let cursor = draw_status(c, frame, row(bottom - 1), &look);
    footer(c, frame, row(bottom), &look);
    if c.help {
        crate::tui::view::panels::help_box(
            frame,
            area,
            c.help_rows(),
            &look,
            c.lang,
            c.help_scroll,
        );
    }
    cursor
}

fn draw_followed(c: &Console, frame: &mut Frame, area: Rect, look: &Look) {
    match c.followed_screen() {
        Some(screen) => {
            let lines: Vec<Line> = screen
                .lines
                .iter()
                .take(area.height as usize)
                .map(|l| Line::raw(l.clone()))
                .collect();
            frame.render_widget(Paragraph::new(lines), area);
        }
        None => {
            let msg = match c.followed_row() {
                Some(r) if !r.connected => tr(c.lang, "this student has left", "该学生已离开"),
                _ => tr(
                    c.lang,
                    "waiting for the student's screen…",
                    "正在等待学生的屏幕……",
                ),
            };
            frame.render_widget(Paragraph::new(Span::styled(msg, look.dim())), area);
        }
    }
}

fn draw_roster(c: &Console, frame: &mut Frame, area: Rect, look: &Look) {
    if area.height == 0 {
        return;
    }
    let w = area.width as usize;
    // name, place, steps, solved/tried, idle; the place takes what the others leave.
    let (name_w, steps_w, solved_w, idle_w) = (14, 6, 8, 6);
    let place_w = w
        .saturating_sub(2 + name_w + steps_w + solved_w + idle_w + 4)
        .max(8);
    let header = format!(
        "  {} {} {} {} {}",
        cell(tr(c.lang, "name", "姓名"), name_w),
        cell(tr(c.lang, "lesson / page", "课程 / 页"), place_w),
        cell(tr(c.lang, "steps", "步数"), steps_w),
        cell(tr(c.lang, "solved", "答对/试"), solved_w),
        cell(tr(c.lang, "idle", "空闲"), idle_w),
    );
    let mut lines = vec![Line::from(Span::styled(header, look.dim()))];
    if c.rows.is_empty() {
        lines.push(Line::raw(tr(
            c.lang,
            "  no students yet: they join with ssh -p PORT HOST",
            "  还没有学生：学生用 ssh -p 端口 主机 加入",
        )));
    }
    // Keep the chosen row on screen.
    let room = area.height.saturating_sub(1) as usize;
    let at = c
        .rows
        .iter()
        .position(|r| Some(r.id) == c.selected)
        .unwrap_or(0);
    let skip = (at + 1).saturating_sub(room);
    for r in c.rows.iter().skip(skip).take(room) {
        let chosen = Some(r.id) == c.selected;
        let gone = !r.connected;
        let name = if gone {
            format!("{} {}", r.name, tr(c.lang, "(left)", "（已离开）"))
        } else {
            r.name.clone()
        };
        let text = format!(
            "{} {} {} {} {} {}",
            if chosen { ">" } else { " " },
            cell(&name, name_w),
            cell(&place(r, c.lang), place_w),
            cell(&r.status.steps.to_string(), steps_w),
            cell(&format!("{}/{}", r.status.solved, r.status.tried), solved_w),
            cell(
                &idle(c.now.saturating_duration_since(r.last_activity)),
                idle_w
            ),
        );
        let mut style = if gone { look.dim() } else { Style::new() };
        if chosen {
            style = style.add_modifier(Modifier::REVERSED);
        }
        lines.push(Line::from(Span::styled(text, style)));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// The line being typed, or the last result; returns where the cursor goes.
fn draw_status(c: &Console, frame: &mut Frame, area: Rect, look: &Look) -> Option<Position> {
    let line = match (&c.entry, &c.notice) {
        (Some(Entry { ask, editor, .. }), _) => Line::from(vec![
            Span::styled(format!(" {}", ask.prompt(c.lang)), look.key()),
            Span::raw(editor.text()),
        ]),
        (None, Some(n)) => Line::from(Span::styled(format!(" {n}"), look.good())),
        (None, None) => Line::raw(""),
    };
    frame.render_widget(Paragraph::new(line), area);
    let Entry { ask, editor, .. } = c.entry.as_ref()?;
    let before: String = editor.text().chars().take(editor.cursor()).collect();
    let x = 1 + Span::raw(ask.prompt(c.lang)).width() + Span::raw(before).width();
    let x = (area.x as usize + x).min((area.x + area.width).saturating_sub(1) as usize);
    Some(Position::new(x as u16, area.y))
}

fn footer(c: &Console, frame: &mut Frame, area: Rect, look: &Look) {
    let map = c.keymap();
    let following = map == Keymap::Console && c.following.is_some();
    let stop = tr(c.lang, "stop following", "停止跟随");
    // Room for " · Esc stop following" first, so it is never the part cut off at 80 columns.
    let reserved = if following {
        Span::raw(format!(" · Esc {stop}")).width()
    } else {
        0
    };
    let hints = map.footer(
        Context::default(),
        c.lang,
        (area.width as usize).saturating_sub(reserved),
    );
    let mut spans = vec![Span::raw(" ")];
    for (i, hint) in hints.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", look.dim()));
        }
        spans.push(Span::styled(hint.keys, look.key()));
        spans.push(Span::raw(format!(" {}", hint.label)));
    }
    if following {
        spans.push(Span::styled(" · ", look.dim()));
        spans.push(Span::styled("Esc", look.key()));
        spans.push(Span::raw(format!(" {stop}")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
