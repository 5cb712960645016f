//! Every page of every lesson at 80×24, in Chinese and in English, as a learner reads it:
//! the whole text reachable by scrolling, the open question and its answer line visible, no
//! row wider than the screen and no border out of place; a snapshot of each page's first
//! screen; and, in a real terminal, paging through a lesson with only the keys the footer
//! shows.

mod common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use gradstep::chart::Glyphs;
use gradstep::lesson::text::page_rows;
use gradstep::lesson::{self, Lang, Lesson};
use gradstep::progress::Progress;
use gradstep::tui::{Action, App, AppOptions, Open, draw_frame};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use std::sync::Arc;
use unicode_width::UnicodeWidthStr;

const W: u16 = 80;
const H: u16 = 24;

fn app(lessons: &Arc<[Lesson]>, lang: Lang, id: &str) -> App {
    App::new(AppOptions {
        lang,
        glyphs: Glyphs::Unicode,
        color: false,
        lessons: lessons.clone(),
        problems: Vec::new(),
        progress: Progress::in_memory(),
        notice: None,
        open: Open::Lesson(id.into()),
    })
}

fn draw(app: &mut App) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(W, H)).unwrap();
    t.draw(|f| draw_frame(app, f)).unwrap();
    t.backend().buffer().clone()
}

/// Cells `x0..x1` of row `y` as text (a wide character's second cell holds nothing).
fn cells(buf: &Buffer, y: u16, x0: u16, x1: u16) -> String {
    let mut s = String::new();
    let mut skip = 0;
    for x in x0..x1 {
        if skip > 0 {
            skip -= 1;
            continue;
        }
        let sym = buf[(x, y)].symbol();
        skip = sym.width().saturating_sub(1);
        s.push_str(sym);
    }
    s
}

fn screen(buf: &Buffer) -> String {
    (0..H)
        .map(|y| cells(buf, y, 0, W).trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn press(app: &mut App, code: KeyCode) {
    app.update(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// The page panel: its right border's column and its last row, found from its corners.
fn page_panel(buf: &Buffer) -> (u16, u16) {
    let right = (1..W).find(|x| buf[(*x, 1)].symbol() == "╮").unwrap();
    let bottom = (2..H).find(|y| buf[(0, *y)].symbol() == "╰").unwrap();
    (right, bottom)
}

/// The rows inside the page panel, trimmed.
fn page_panel_rows(buf: &Buffer) -> Vec<String> {
    let (right, bottom) = page_panel(buf);
    (2..bottom)
        .map(|y| cells(buf, y, 1, right).trim().to_string())
        .collect()
}

/// No row is wider than the screen, and every border is where its corners say it is.
fn assert_borders(buf: &Buffer, what: &str) {
    let s = screen(buf);
    for row in s.lines() {
        assert!(
            row.width() <= W as usize,
            "{what}: row too wide: {row:?}\n{s}"
        );
    }
    let (right, bottom) = page_panel(buf);
    for y in 2..bottom {
        for x in [0, right] {
            assert_eq!(
                buf[(x, y)].symbol(),
                "│",
                "{what}: border at ({x}, {y})\n{s}"
            );
        }
    }
    // The chart beside it closes at the screen's right edge on every body row.
    for y in 2..H - 2 {
        let edge = buf[(W - 1, y)].symbol();
        assert!(
            ["│", "╮", "╯", "┤"].contains(&edge),
            "{what}: right edge {edge:?} at row {y}\n{s}"
        );
    }
}

#[test]
fn every_page_reads_whole_at_80x24_in_both_languages() {
    let lessons: Arc<[Lesson]> = lesson::load_embedded().lessons.into();
    let mut checked = 0;
    for l in lessons.iter() {
        for lang in Lang::ALL {
            let mut a = app(&lessons, lang, &l.id);
            for (n, page) in l.pages.iter().enumerate() {
                let what = format!("{} p{} {lang}", l.id, n + 1);
                let first = draw(&mut a);
                assert!(
                    screen(&first).contains(&format!("{}/{}", n + 1, l.pages.len())),
                    "{what}: the footer says where the learner is\n{}",
                    screen(&first)
                );
                assert_borders(&first, &what);
                let (right, _) = page_panel(&first);
                let width = usize::from(right - 1);

                // The question is on the first screen and stays there while the text scrolls.
                let question: Vec<String> = page
                    .exercise
                    .as_ref()
                    .map(|ex| {
                        let prompt = format!("? {}", ex.prompt.get(lang));
                        lesson::text::wrap(&prompt, width)
                    })
                    .unwrap_or_default();

                // Scroll to the end, gathering every row the panel shows.
                let mut seen: Vec<String> = Vec::new();
                let mut buf = first;
                for step in 0..200 {
                    let rows = page_panel_rows(&buf);
                    for q in &question {
                        assert!(
                            rows.iter().any(|r| r == q.trim()),
                            "{what}: question row {q:?} hidden after {step} scrolls\n{}",
                            screen(&buf)
                        );
                    }
                    seen.extend(rows);
                    assert_borders(&buf, &what);
                    if step >= usize::from(a.page_overflow()) {
                        break;
                    }
                    press(&mut a, KeyCode::Down);
                    buf = draw(&mut a);
                }
                for row in page_rows(page.text.get(lang), width) {
                    let row = row.trim();
                    assert!(
                        row.is_empty() || seen.iter().any(|s| s == row),
                        "{what}: text row {row:?} never on screen; seen:\n{}",
                        seen.join("\n")
                    );
                }
                if let Some(ex) = &page.exercise {
                    press(&mut a, KeyCode::Enter);
                    let s = screen(&draw(&mut a));
                    // A direction question has nothing to type: Enter confirms v, and the
                    // verdict gives cos φ.
                    let prompt = match (&ex.answer, lang) {
                        (lesson::Answer::Direction { .. }, _) => "cos φ",
                        (_, Lang::Zh) => "答案：",
                        (_, Lang::En) => "answer:",
                    };
                    assert!(s.contains(prompt), "{what}: no answer line\n{s}");
                    for q in &question {
                        assert!(s.contains(q.trim()), "{what}: {q:?} hidden\n{s}");
                    }
                    press(&mut a, KeyCode::Esc);
                }
                checked += 1;
                press(&mut a, KeyCode::PageDown);
            }
        }
    }
    assert!(checked > 40, "only {checked} pages walked");
}

/// A wrong answer earns the hint, a second the explanation; both are pinned with the
/// question and read whole, however long they are (taylor p2's explanation and batch p4's hint
/// were cut off before).
#[test]
fn hints_and_explanations_are_shown_whole() {
    let lessons: Arc<[Lesson]> = lesson::load_embedded().lessons.into();
    for l in lessons.iter() {
        for lang in Lang::ALL {
            let mut a = app(&lessons, lang, &l.id);
            for (n, page) in l.pages.iter().enumerate() {
                if let Some(ex) = &page.exercise {
                    let what = format!("{} p{} {lang}", l.id, n + 1);
                    // A wrong answer of the right shape: one number per parameter for a
                    // predict-the-step question (a wrong count costs no try).
                    let typed = match ex.answer {
                        lesson::Answer::Predict { .. } => {
                            let n = page.scene.names.len();
                            vec!["12345.678"; n].join(", ")
                        }
                        _ => "12345.678".to_string(),
                    };
                    for _ in 0..2 {
                        press(&mut a, KeyCode::Enter);
                        for c in typed.chars() {
                            press(&mut a, KeyCode::Char(c));
                        }
                        press(&mut a, KeyCode::Enter);
                    }
                    let buf = draw(&mut a);
                    assert_borders(&buf, &what);
                    let (right, _) = page_panel(&buf);
                    let width = usize::from(right - 1);
                    let rows = page_panel_rows(&buf);
                    let mut wanted = vec![ex.explain.get(lang).to_string()];
                    // A hint is earned by a wrong answer (a lucky number may be right).
                    let wrong = rows.iter().any(|r| r.starts_with('✗'));
                    if let Some(h) = ex.hint.as_ref().filter(|_| wrong) {
                        let label = if lang == Lang::Zh {
                            "提示："
                        } else {
                            "hint: "
                        };
                        wanted.push(format!("{label}{}", h.get(lang)));
                    }
                    for text in wanted {
                        for row in lesson::text::wrap(&text, width) {
                            assert!(
                                rows.iter().any(|r| r == row.trim()),
                                "{what}: {row:?} not on screen\n{}",
                                screen(&buf)
                            );
                        }
                    }
                }
                press(&mut a, KeyCode::PageDown);
            }
        }
    }
}

#[test]
fn first_screen_of_every_page_at_80x24() {
    let lessons: Arc<[Lesson]> = lesson::load_embedded().lessons.into();
    for l in lessons.iter() {
        for lang in Lang::ALL {
            let mut a = app(&lessons, lang, &l.id);
            for n in 0..l.pages.len() {
                let s = screen(&draw(&mut a));
                insta::assert_snapshot!(format!("{}_p{}_{lang}", l.id, n + 1), s);
                press(&mut a, KeyCode::PageDown);
            }
        }
    }
}

/// The last page says the lesson is done, and Enter (in the footer) opens the next lesson.
#[test]
fn the_last_page_opens_the_next_lesson() {
    let lessons: Arc<[Lesson]> = lesson::load_embedded().lessons.into();
    for lang in Lang::ALL {
        let first = &lessons[0];
        let mut a = app(&lessons, lang, &first.id);
        for _ in 1..first.pages.len() {
            press(&mut a, KeyCode::PageDown);
        }
        let s = screen(&draw(&mut a));
        let footer = s.lines().last().unwrap();
        let (done, next) = match lang {
            Lang::Zh => ("本课完成", "Enter 下一课"),
            Lang::En => ("lesson done", "Enter next lesson"),
        };
        if first.pages.last().unwrap().exercise.is_none() {
            assert!(footer.contains(done) && footer.contains(next), "{footer}");
            press(&mut a, KeyCode::Enter);
            let s = screen(&draw(&mut a));
            assert!(
                s.contains(lessons[1].title.get(lang)) && s.contains(" 1/"),
                "{s}"
            );
        }
    }
}

/// A last page that asks something is not "done" until it is answered: the footer says so
/// only after the right answer (slope's last page asks for f′ as a formula).
#[test]
fn a_last_page_with_an_open_question_is_not_done_until_answered() {
    let lessons: Arc<[Lesson]> = lesson::load_embedded().lessons.into();
    let slope = lessons.iter().find(|l| l.id == "slope").unwrap();
    assert!(slope.pages.last().unwrap().exercise.is_some());
    for lang in Lang::ALL {
        let (done, next) = match lang {
            Lang::Zh => ("本课完成", "Enter 下一课"),
            Lang::En => ("lesson done", "Enter next lesson"),
        };
        let mut a = app(&lessons, lang, "slope");
        for _ in 1..slope.pages.len() {
            press(&mut a, KeyCode::PageDown);
        }
        let s = screen(&draw(&mut a));
        let footer = s.lines().last().unwrap();
        assert!(!footer.contains(done) && !footer.contains(next), "{footer}");
        press(&mut a, KeyCode::Enter);
        for c in "3*x^2 - 3".chars() {
            press(&mut a, KeyCode::Char(c));
        }
        press(&mut a, KeyCode::Enter);
        let s = screen(&draw(&mut a));
        let footer = s.lines().last().unwrap();
        assert!(footer.contains(done) && footer.contains(next), "{footer}");
    }
}

/// The tmux key name for a key as the footer prints it.
fn tmux_key(name: &str) -> &str {
    match name {
        "→" => "Right",
        "←" => "Left",
        "PgDn" => "NPage",
        "PgUp" => "PPage",
        other => other,
    }
}

/// The first key of the footer entry whose words start with `label`.
fn footer_key(footer: &str, label: &str) -> Option<String> {
    let entry = footer.split(" · ").find(|e| {
        e.trim()
            .split_once(' ')
            .is_some_and(|(_, w)| w.starts_with(label))
    })?;
    let keys = entry.trim().split(' ').next()?;
    let first = keys.split('/').next()?;
    // `→←` names two keys without a separator.
    Some(match first.chars().next() {
        Some(c @ ('→' | '←' | '↑' | '↓')) => c.to_string(),
        _ => first.to_string(),
    })
}

#[test]
fn tmux_pages_through_a_lesson_with_the_keys_the_footer_shows() {
    if !common::have("tmux") {
        return;
    }
    let lessons = lesson::load_embedded().lessons;
    let (l, next) = (&lessons[0], &lessons[1]);
    for lang in Lang::ALL {
        let data = tempfile::tempdir().unwrap();
        let bin = env!("CARGO_BIN_EXE_gradstep");
        let cmd = format!(
            "XDG_DATA_HOME={} {bin} --lang {lang} lesson {}; exec sh",
            data.path().display(),
            l.id
        );
        let t = common::Tmux::start(&format!("pages-{lang}"), W, H, &cmd);
        let n = l.pages.len();
        let (page, done, next_words) = match lang {
            Lang::Zh => ("翻页", "本课完成", "下一课"),
            Lang::En => ("page", "lesson done", "next lesson"),
        };
        // Wait for the footer's own "page p/n" (the last row drawn), not the title's: a capture
        // taken mid-frame has the title and no footer yet.
        let mut s = t.wait_for(&format!("{page} 1/{n}"), 10);
        for p in 2..=n {
            let footer = s.lines().last().unwrap_or("").to_string();
            let key = footer_key(&footer, page).unwrap_or_else(|| panic!("no page key: {footer}"));
            t.keys(&[tmux_key(&key)]);
            s = t.wait_for(&format!("{page} {p}/{n}"), 5);
        }
        let s = t.wait_for(done, 5);
        let footer = s.lines().last().unwrap_or("").to_string();
        if let Some(key) = footer_key(&footer, next_words) {
            t.keys(&[tmux_key(&key)]);
            t.wait_for(next.title.get(lang), 5);
        } else {
            assert!(
                l.pages.last().is_some_and(|p| p.exercise.is_some()),
                "no next-lesson key on a last page without a question: {footer}"
            );
        }
    }
}

/// The wheel scrolls like ↓/↑, scrolling stops at the end of the text (one ↑ after many ↓
/// moves at once), and a new page starts at its top.
#[test]
fn wheel_and_keys_scroll_within_the_text() {
    use crossterm::event::{Event, MouseEvent, MouseEventKind};
    let lessons: Arc<[Lesson]> = lesson::load_embedded().lessons.into();
    let mut a = app(&lessons, Lang::Zh, "batch-minibatch");
    for _ in 1..4 {
        press(&mut a, KeyCode::PageDown);
    }
    let top = page_panel_rows(&draw(&mut a));
    let overflow = a.page_overflow();
    assert!(overflow > 1, "batch p4 scrolls at 80x24");
    assert!(top.iter().any(|r| r.starts_with('▼')), "{top:?}");
    let wheel = |kind| {
        Action::from_event(Event::Mouse(MouseEvent {
            kind,
            column: 5,
            row: 5,
            modifiers: KeyModifiers::NONE,
        }))
        .unwrap()
    };
    a.update(wheel(MouseEventKind::ScrollDown));
    let down = page_panel_rows(&draw(&mut a));
    assert_ne!(down[0], top[0], "the wheel scrolled");
    let batch = lessons.iter().find(|l| l.id == "batch-minibatch").unwrap();
    let (right, _) = page_panel(&draw(&mut a));
    let text = page_rows(batch.pages[3].text.get(Lang::Zh), usize::from(right - 1));
    let wheel_rows = gradstep::tui::action::WHEEL_ROWS as usize;
    assert_eq!(down[0], text[wheel_rows].trim());
    a.update(wheel(MouseEventKind::ScrollUp));
    assert_eq!(page_panel_rows(&draw(&mut a)), top);
    for _ in 0..50 {
        press(&mut a, KeyCode::Down);
    }
    let end = page_panel_rows(&draw(&mut a));
    assert!(end.iter().any(|r| r.starts_with('▲')), "{end:?}");
    press(&mut a, KeyCode::Up);
    let back = page_panel_rows(&draw(&mut a));
    assert_ne!(back[0], end[0], "one ↑ moves back at once");
    press(&mut a, KeyCode::PageUp);
    press(&mut a, KeyCode::PageDown);
    assert_eq!(
        page_panel_rows(&draw(&mut a)),
        top,
        "a page opens at its top"
    );
}
