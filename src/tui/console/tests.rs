use super::*;
use crate::class::{Push, Seat};
use crate::tui::{App, AppOptions, Open};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn lessons() -> Arc<[Lesson]> {
    crate::lesson::load_embedded().lessons.into()
}

fn console(class: &Arc<Class>, lang: Lang) -> Console {
    Console::new(ConsoleOptions {
        lang,
        color: false,
        class: class.clone(),
        lessons: lessons(),
    })
}

fn key(c: &mut Console, code: KeyCode) {
    assert!(c.update(Action::Key(KeyEvent::from(code))));
}

fn typed(c: &mut Console, text: &str) {
    // Replace what the line holds, as a teacher would with Ctrl-U.
    c.update(Action::Key(KeyEvent::new(
        KeyCode::Char('u'),
        crossterm::event::KeyModifiers::CONTROL,
    )));
    c.update(Action::Paste(text.into()));
}

fn screen(c: &Console, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| view::draw(c, f)).unwrap();
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        let mut skip = 0;
        for x in 0..w {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            out.push_str(sym);
            skip = ratatui::text::Span::raw(sym).width().saturating_sub(1);
        }
        out.push('\n');
    }
    out
}

fn pushed(seat: &Seat) -> Option<Push> {
    seat.take_mail().push
}

#[test]
fn a_bad_formula_shows_the_sandboxs_error_and_reaches_nobody() {
    let class = Class::new();
    let alice = class.join("alice", None);
    let mut c = console(&class, Lang::En);
    key(&mut c, KeyCode::Char('p'));
    typed(&mut c, "x^2 + (y");
    key(&mut c, KeyCode::Enter);
    let error = c.entry.as_ref().unwrap().error.clone().unwrap();
    let sandbox = crate::tui::app::sandbox_formula("x^2 + (y").unwrap_err();
    assert!(error.contains(&sandbox.message), "{error}");
    assert!(screen(&c, 80, 24).contains(&sandbox.message));
    typed(&mut c, "3");
    key(&mut c, KeyCode::Enter);
    assert!(
        c.entry
            .as_ref()
            .unwrap()
            .error
            .as_ref()
            .unwrap()
            .contains("no variable"),
        "a formula without a variable is refused like in the sandbox"
    );
    key(&mut c, KeyCode::Esc);
    assert!(pushed(&alice).is_none());
}

#[test]
fn a_formula_push_carries_start_rate_and_optimizer_to_its_target() {
    let class = Class::new();
    let alice = class.join("alice", None);
    let bob = class.join("bob", None);
    let mut c = console(&class, Lang::En);
    key(&mut c, KeyCode::Char('p'));
    typed(&mut c, "x^2 + 3*x*y + y^2");
    key(&mut c, KeyCode::Enter);
    assert_eq!(c.entry.as_ref().unwrap().ask, Ask::Start);
    typed(&mut c, "1, 2, 3");
    key(&mut c, KeyCode::Enter);
    assert!(
        c.entry.as_ref().unwrap().error.is_some(),
        "three numbers for two variables"
    );
    typed(&mut c, "(1, 1)");
    key(&mut c, KeyCode::Enter);
    typed(&mut c, "0.05 rmsprop extra");
    key(&mut c, KeyCode::Enter);
    assert!(c.entry.as_ref().unwrap().error.is_some());
    typed(&mut c, "-1");
    key(&mut c, KeyCode::Enter);
    assert!(
        c.entry
            .as_ref()
            .unwrap()
            .error
            .as_ref()
            .unwrap()
            .contains("above 0")
    );
    typed(&mut c, "0.05 nesterov2");
    key(&mut c, KeyCode::Enter);
    assert!(
        c.entry
            .as_ref()
            .unwrap()
            .error
            .as_ref()
            .unwrap()
            .contains("unknown optimizer")
    );
    // To the chosen student only: bob (the roster is sorted by name; j moves down).
    key(&mut c, KeyCode::Esc);
    key(&mut c, KeyCode::Char('j'));
    key(&mut c, KeyCode::Char('t'));
    key(&mut c, KeyCode::Char('p'));
    typed(&mut c, "x^2 + 3*x*y + y^2");
    key(&mut c, KeyCode::Enter);
    key(&mut c, KeyCode::Enter);
    typed(&mut c, "0.05 adam");
    key(&mut c, KeyCode::Enter);
    assert!(c.entry.is_none());
    assert_eq!(c.notice.as_deref(), Some("sent to 1 student(s)"));
    assert!(pushed(&alice).is_none());
    match pushed(&bob) {
        Some(Push::Scene(spec)) => {
            assert_eq!(spec.start, [1.0, 1.0]);
            assert_eq!(spec.lr, 0.05);
            assert_eq!(spec.optimizer.kind, Kind::Adam);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_page_push_is_checked_against_the_lessons_served() {
    let class = Class::new();
    let alice = class.join("alice", None);
    let mut c = console(&class, Lang::Zh);
    key(&mut c, KeyCode::Char('g'));
    typed(&mut c, "nope 1");
    key(&mut c, KeyCode::Enter);
    assert!(
        c.entry
            .as_ref()
            .unwrap()
            .error
            .as_ref()
            .unwrap()
            .contains("没有课程")
    );
    typed(&mut c, "slope 99");
    key(&mut c, KeyCode::Enter);
    assert!(
        c.entry
            .as_ref()
            .unwrap()
            .error
            .as_ref()
            .unwrap()
            .contains("页码")
    );
    typed(&mut c, "slope 2");
    key(&mut c, KeyCode::Enter);
    assert!(c.entry.is_none());
    match pushed(&alice) {
        Some(Push::Page { lesson, page }) => assert_eq!((lesson.as_str(), page), ("slope", 1)),
        other => panic!("{other:?}"),
    }
}

fn student() -> App {
    App::new(AppOptions {
        lang: Lang::En,
        glyphs: crate::chart::Glyphs::Unicode,
        color: false,
        lessons: lessons(),
        problems: Vec::new(),
        progress: crate::progress::Progress::in_memory(),
        notice: None,
        open: Open::Lesson("slope".into()),
    })
}

#[test]
fn the_student_gets_the_push_with_a_notice_and_back_returns_to_their_work() {
    let class = Class::new();
    let seat = class.join("alice", None);
    let mut app = student();
    app.update(Action::Key(KeyEvent::from(KeyCode::PageDown)));
    let before = app.class_status();
    assert_eq!((before.lesson.as_deref(), before.page), (Some("slope"), 1));
    let mut c = console(&class, Lang::En);
    key(&mut c, KeyCode::Char('p'));
    typed(&mut c, "x^2 + 3*x*y + y^2");
    key(&mut c, KeyCode::Enter);
    key(&mut c, KeyCode::Enter);
    key(&mut c, KeyCode::Enter);
    app.apply_push(&pushed(&seat).unwrap());
    assert!(
        app.notice
            .as_deref()
            .unwrap()
            .starts_with("from the teacher: x^2 + 3*x*y + y^2")
    );
    let now = app.class_status();
    assert!(now.sandbox && now.lesson.is_none());
    // A second push does not lose the learner's own place.
    app.apply_push(&Push::Page {
        lesson: "opening".into(),
        page: 0,
    });
    assert_eq!(app.class_status().lesson.as_deref(), Some("opening"));
    app.update(Action::Key(KeyEvent::from(KeyCode::Esc)));
    let back = app.class_status();
    assert_eq!((back.lesson.as_deref(), back.page), (Some("slope"), 1));
    // A page that does not exist changes nothing.
    app.apply_push(&Push::Page {
        lesson: "slope".into(),
        page: 99,
    });
    assert_eq!(app.class_status(), back);
}

#[test]
fn the_roster_lists_students_sorts_and_greys_who_left_at_80x24_in_both_languages() {
    let class = Class::new();
    let bob = class.join("bob", None);
    let alice = class.join("alice", None);
    let mut app = student();
    app.update(Action::Key(KeyEvent::from(KeyCode::PageDown)));
    alice.report(&app.class_status(), true);
    bob.leave();
    let mut c = console(&class, Lang::En);
    let s = screen(&c, 80, 24);
    assert!(s.contains("1 here"), "{s}");
    let alice_at = s.find("alice").unwrap();
    let bob_at = s.find("bob (left)").unwrap();
    assert!(alice_at < bob_at, "sorted by name:\n{s}");
    assert!(s.contains("slope 2/"), "{s}");
    key(&mut c, KeyCode::Char('s'));
    assert!(screen(&c, 80, 24).contains("sort: lesson"));
    key(&mut c, KeyCode::Char('L'));
    let zh = screen(&c, 80, 24);
    assert!(zh.contains("在线 1") && zh.contains("已离开"), "{zh}");
    key(&mut c, KeyCode::Char('c'));
    assert_eq!(c.rows.len(), 1);
    // Every key the footer offers is on screen at 80 columns.
    let en = console(&class, Lang::En);
    let s = screen(&en, 80, 24);
    let footer = s.lines().last().unwrap();
    for hint in ["q quit", "p push formula", "b broadcast", "f follow"] {
        assert!(footer.contains(hint), "{hint} in {footer:?}");
    }
}

#[test]
fn following_shows_the_students_screen_and_esc_ends_it() {
    let class = Class::new();
    let alice = class.join("alice", None);
    let mut c = console(&class, Lang::En);
    key(&mut c, KeyCode::Char('f'));
    assert!(alice.followed());
    alice.publish(crate::class::Screen {
        width: 20,
        lines: vec!["gradstep › Sandbox".into(), "θ = (1, 1)".into()],
    });
    c.update(Action::Tick);
    let s = screen(&c, 80, 24);
    assert!(
        s.contains("following alice") && s.contains("θ = (1, 1)"),
        "{s}"
    );
    // The way back is the one footer entry that must never be cut, in either language.
    assert!(
        s.lines()
            .last()
            .unwrap()
            .trim_end()
            .ends_with("Esc stop following"),
        "{s}"
    );
    c.lang = Lang::Zh;
    assert!(screen(&c, 80, 24).contains("Esc 停止跟随"));
    c.lang = Lang::En;
    key(&mut c, KeyCode::Esc);
    assert!(!alice.followed());
    assert!(!screen(&c, 80, 24).contains("θ = (1, 1)"));
    // Leaving the console while following stops the student's publishing too.
    key(&mut c, KeyCode::Char('f'));
    assert!(alice.followed());
    drop(c);
    assert!(!alice.followed());
}

#[test]
fn a_broadcast_is_set_shown_and_cleared() {
    let class = Class::new();
    let alice = class.join("alice", None);
    let mut c = console(&class, Lang::En);
    key(&mut c, KeyCode::Char('b'));
    typed(&mut c, "look at the contour lines");
    key(&mut c, KeyCode::Enter);
    assert_eq!(
        alice.take_mail().broadcast,
        Some(Some("look at the contour lines".into()))
    );
    assert!(screen(&c, 80, 24).contains("broadcast: look at the contour lines"));
    key(&mut c, KeyCode::Char('b'));
    typed(&mut c, "");
    key(&mut c, KeyCode::Enter);
    assert_eq!(alice.take_mail().broadcast, Some(None));
    assert_eq!(c.notice.as_deref(), Some("broadcast cleared"));
}

#[test]
fn question_mark_and_f1_open_the_consoles_keys_in_both_languages() {
    let class = Class::new();
    for (lang, words) in [
        (
            Lang::En,
            ["push a formula", "broadcast a line", "closes this help"],
        ),
        (Lang::Zh, ["发送公式", "向所有学生的底栏广播", "关闭本帮助"]),
    ] {
        let mut c = console(&class, lang);
        assert!(screen(&c, 80, 24).contains(if lang == Lang::En {
            "? help"
        } else {
            "? 帮助"
        }));
        key(&mut c, KeyCode::Char('?'));
        let s = screen(&c, 80, 24);
        for w in words {
            assert!(s.contains(w), "{lang:?} {w}: {s}");
        }
        // Any key closes it, and does nothing else: the console is still there, no line open.
        key(&mut c, KeyCode::Char('p'));
        assert!(!c.help && c.entry.is_none(), "{lang:?}");
        // While a line is typed, F1 (the footer says so) lists the line's keys.
        key(&mut c, KeyCode::Char('p'));
        key(&mut c, KeyCode::F(1));
        let s = screen(&c, 80, 24);
        assert!(
            s.contains(if lang == Lang::En {
                "cancel, keep what was there"
            } else {
                "取消，保留原来的内容"
            }),
            "{s}"
        );
        key(&mut c, KeyCode::Esc);
        assert!(
            !c.help && c.entry.is_some(),
            "closing the help keeps the line"
        );
    }
}
