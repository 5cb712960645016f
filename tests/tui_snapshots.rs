//! What the learner sees: the tutor drawn into ratatui's TestBackend after real key presses,
//! snapshotted as text.

mod tutor;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use gradstep::chart::Glyphs;
use gradstep::lesson::{self, Lang};
use gradstep::progress::Progress;
use gradstep::stage::SandboxSpec;
use gradstep::tui::keys::{Keymap, Show};
use gradstep::tui::{Action, App, AppOptions, Open};
use std::sync::Arc;
use tutor::{code, key, screen};

fn app(open: Open) -> App {
    tutor::app(open, Lang::En)
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, c);
    }
}

#[test]
fn start_screen() {
    let mut a = app(Open::Start);
    insta::assert_snapshot!(screen(&mut a, 100, 30));
}

#[test]
fn start_screen_in_chinese_at_80x24() {
    let mut a = app(Open::Start);
    key(&mut a, 'L');
    insta::assert_snapshot!(screen(&mut a, 80, 24));
}

#[test]
fn core_lessons_first_page_and_one_step() {
    for id in ["slope", "partial-derivatives", "taylor", "slp-logistic"] {
        for (w, h) in [(100, 30), (80, 24)] {
            let mut a = app(Open::Lesson(id.into()));
            insta::assert_snapshot!(format!("{id}_{w}x{h}_first"), screen(&mut a, w, h));
            key(&mut a, 'n');
            insta::assert_snapshot!(format!("{id}_{w}x{h}_step1"), screen(&mut a, w, h));
        }
    }
}

#[test]
fn slp_logistic_after_one_step_shows_the_books_numbers() {
    let mut a = app(Open::Lesson("slp-logistic".into()));
    let before = screen(&mut a, 100, 30);
    // ∇L is page 2's question at this very point: hidden until the learner steps.
    assert!(before.contains("∇L(θ)      (?, ?, ?)"), "{before}");
    assert!(!before.contains("(-1.5, -1, -0.5)"), "{before}");
    key(&mut a, 'n');
    let after = screen(&mut a, 100, 30);
    assert!(after.contains("(0.15, 0.1, 0.05)"), "{after}");
}

#[test]
fn sandbox_after_a_bad_then_a_good_formula() {
    let mut a = app(Open::Sandbox(SandboxSpec::default()));
    key(&mut a, 'f');
    code(&mut a, KeyCode::End);
    for _ in 0..20 {
        code(&mut a, KeyCode::Backspace);
    }
    typed(&mut a, "x^^2 + y");
    let bad = screen(&mut a, 100, 30);
    assert!(bad.contains("unexpected '^' at column 3"), "{bad}");
    insta::assert_snapshot!("sandbox_bad_formula", bad);
    code(&mut a, KeyCode::Enter);
    assert!(
        screen(&mut a, 100, 30).contains("unexpected '^'"),
        "a bad formula is never accepted"
    );
    code(&mut a, KeyCode::Esc);
    let kept = screen(&mut a, 100, 30);
    assert!(
        kept.contains("x^2 + x*y + y^2"),
        "the working formula stays: {kept}"
    );
    key(&mut a, 'f');
    for _ in 0..20 {
        code(&mut a, KeyCode::Backspace);
    }
    typed(&mut a, "x^2 + 3*x*y + y^2");
    code(&mut a, KeyCode::Enter);
    key(&mut a, 'n');
    let good = screen(&mut a, 100, 30);
    insta::assert_snapshot!("sandbox_good_formula", good);
}

#[test]
fn help_overlay() {
    let mut a = app(Open::Sandbox(SandboxSpec::default()));
    key(&mut a, '?');
    let open = screen(&mut a, 100, 30);
    assert!(open.contains("closes this help"), "{open}");
    insta::assert_snapshot!(open);
    key(&mut a, 'x');
    assert!(!screen(&mut a, 100, 30).contains("closes this help"));
}

#[test]
fn tiny_windows() {
    let mut a = app(Open::Sandbox(SandboxSpec::default()));
    insta::assert_snapshot!("tiny_19x7", screen(&mut a, 19, 7));
    let mut a = app(Open::Sandbox(SandboxSpec::default()));
    insta::assert_snapshot!("small_20x8", screen(&mut a, 20, 8));
}

#[test]
fn every_size_from_tiny_to_huge_draws_without_panic() {
    for (w, h) in [
        (1, 1),
        (20, 8),
        (33, 12),
        (63, 13),
        (64, 14),
        (120, 40),
        (300, 100),
    ] {
        for id in ["slope", "taylor", "batch-minibatch", "optimizers"] {
            let mut a = app(Open::Lesson(id.into()));
            a.update(Action::Resize(w, h));
            key(&mut a, 'n');
            screen(&mut a, w, h);
        }
    }
}

#[test]
fn answering_a_question_wrong_then_right() {
    let mut a = app(Open::Lesson("partial-derivatives".into()));
    code(&mut a, KeyCode::Enter);
    typed(&mut a, "4");
    code(&mut a, KeyCode::Enter);
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("not quite"), "{s}");
    code(&mut a, KeyCode::Enter);
    typed(&mut a, "5");
    code(&mut a, KeyCode::Enter);
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("right!"), "{s}");
}

#[test]
fn play_steps_on_ticks_and_stops_when_converged() {
    let mut a = app(Open::Sandbox(SandboxSpec::default()));
    a.update(Action::Tick);
    assert!(
        screen(&mut a, 100, 30).contains("t = 0 "),
        "no ticks step before play"
    );
    key(&mut a, 'p');
    assert!(a.playing());
    a.update(Action::Tick);
    a.update(Action::Tick);
    assert!(screen(&mut a, 100, 30).contains("t = 2 "));
    for _ in 0..1000 {
        a.update(Action::Tick);
    }
    assert!(!a.playing(), "play stops by itself at convergence");
    assert!(screen(&mut a, 100, 30).contains("converged"));
    key(&mut a, 'n');
    assert!(screen(&mut a, 100, 30).contains("converged — b undoes"));
}

#[test]
fn the_start_screen_marks_progress() {
    let mut progress = Progress::in_memory();
    let lessons = lesson::load_embedded().lessons;
    let pages = |id: &str| lessons.iter().find(|l| l.id == id).unwrap().pages.len();
    let (slope_pages, taylor_pages) = (pages("slope"), pages("taylor"));
    progress.visit("slope", slope_pages - 1, slope_pages);
    progress.visit("taylor", 1, taylor_pages);
    let mut a = App::new(AppOptions {
        lang: Lang::En,
        glyphs: Glyphs::Ascii,
        color: false,
        lessons: lessons.into(),
        problems: Vec::new(),
        progress,
        notice: None,
        open: Open::Start,
    });
    let s = screen(&mut a, 100, 30);
    // Done means every exercise solved (issue 14.5), not the last page read.
    let slope = a.lessons.iter().find(|l| l.id == "slope").unwrap();
    let ids = slope.exercise_ids();
    let n = ids.len();
    assert!(
        s.contains(&format!(
            "Slope: which way is down  [{slope_pages}/{slope_pages} pages · solved 0/{n}]"
        )),
        "{s}"
    );
    assert!(s.contains(&format!("[2/{taylor_pages} pages")), "{s}");
    for id in ids {
        a.progress.answered("slope", &id, true, false);
    }
    let s = screen(&mut a, 100, 30);
    assert!(
        s.contains(&format!("Slope: which way is down  [solved {n}/{n} done]")),
        "{s}"
    );
}

#[test]
fn learning_rate_and_optimizer_keys_change_the_next_step() {
    let mut a = app(Open::Sandbox(SandboxSpec::default()));
    key(&mut a, '+');
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("0.2  (sgd)") && s.contains("(-2, -2.2)"), "{s}");
    key(&mut a, 'o');
    let s = screen(&mut a, 100, 30);
    assert!(
        s.contains("(momentum)") && s.contains("Δθ (momentum)"),
        "{s}"
    );
    key(&mut a, 'n');
    assert!(screen(&mut a, 100, 30).contains("velocity"));
}

// ---- The key tables: what the footer and help say is what the keys do. ----

/// An app on each screen that has a key table, with that table in force.
fn on_screen(map: Keymap, lessons: &Arc<[lesson::Lesson]>) -> App {
    let open = match map {
        Keymap::Start => Open::Start,
        Keymap::Taylor => Open::Lesson("taylor".into()),
        _ => Open::Lesson("slope".into()),
    };
    let mut a = App::new(AppOptions {
        lang: Lang::En,
        glyphs: Glyphs::Ascii,
        color: false,
        lessons: lessons.clone(),
        problems: Vec::new(),
        progress: Progress::in_memory(),
        notice: None,
        open,
    });
    match map {
        Keymap::Line => key(&mut a, 'f'),
        Keymap::Help => key(&mut a, '?'),
        _ => {}
    }
    assert_eq!(a.keymap(), map);
    a
}

fn help_screen(map: Keymap, lessons: &Arc<[lesson::Lesson]>, w: u16, h: u16) -> String {
    let mut a = on_screen(map, lessons);
    match map {
        Keymap::Line => code(&mut a, KeyCode::F(1)),
        Keymap::Help => {}
        _ => key(&mut a, '?'),
    }
    assert_eq!(a.keymap(), Keymap::Help, "{map:?}: the help opens");
    // A help taller than the screen scrolls with ↑↓: what counts is every row reachable.
    let mut seen = screen(&mut a, w, h);
    for _ in 0..40 {
        code(&mut a, KeyCode::Down);
        assert_eq!(a.keymap(), Keymap::Help, "{map:?}: ↓ scrolls, not closes");
        seen.push('\n');
        seen.push_str(&screen(&mut a, w, h));
    }
    seen
}

#[test]
fn every_key_each_screen_handles_is_in_its_help_and_the_kept_ones_in_its_footer() {
    let lessons: Arc<[lesson::Lesson]> = lesson::load_embedded().lessons.into();
    for (w, h) in [(100, 30), (80, 24)] {
        for map in Keymap::ALL {
            let help = help_screen(map, &lessons, w, h);
            for row in map.rows() {
                let keys = row.help_keys(Lang::En);
                let listed = help
                    .lines()
                    .any(|l| l.contains(&format!(" {keys} ")) && l.contains(row.help[0]));
                assert!(listed, "{map:?} {w}x{h}: '{keys}' missing:\n{help}");
                for (k, _) in row.keys {
                    assert!(keys.contains(&k.name(Lang::En)), "{map:?}: {k:?}");
                }
            }
            if map == Keymap::Help {
                continue;
            }
            let mut a = on_screen(map, &lessons);
            let s = screen(&mut a, w, h);
            let footer = s.lines().last().unwrap();
            for row in map.rows().iter().filter(|r| r.show == Show::Always) {
                let hint = format!("{} {}", row.hint_keys(Lang::En), row.hint[0]);
                assert!(
                    footer.contains(&hint),
                    "{map:?} {w}x{h}: {hint:?} in {footer:?}"
                );
            }
        }
    }
}

#[test]
fn keys_not_in_the_table_change_nothing() {
    let lessons: Arc<[lesson::Lesson]> = lesson::load_embedded().lessons.into();
    let mut keys: Vec<KeyEvent> = (' '..='~')
        .map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
        .collect();
    keys.extend(('a'..='z').map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)));
    keys.extend((1..=12).map(|n| KeyEvent::new(KeyCode::F(n), KeyModifiers::NONE)));
    for c in [
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Insert,
        KeyCode::Delete,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::PageUp,
        KeyCode::PageDown,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::Enter,
        KeyCode::Esc,
        KeyCode::Backspace,
    ] {
        keys.push(KeyEvent::new(c, KeyModifiers::NONE));
    }
    for map in Keymap::ALL {
        let mut unbound = 0;
        for k in &keys {
            let mut a = on_screen(map, &lessons);
            let before = screen(&mut a, 100, 30);
            let bound = map.message(k).is_some();
            let going = a.update(Action::Key(*k));
            let after = screen(&mut a, 100, 30);
            if !bound {
                unbound += 1;
                assert!(going, "{map:?}: {k:?} quit");
                assert_eq!(a.keymap(), map, "{map:?}: {k:?} changed the screen");
                assert_eq!(before, after, "{map:?}: {k:?} is in no table but changed");
            }
        }
        // Every screen but the help (any key closes it) has keys that mean nothing on it.
        if map != Keymap::Help {
            assert!(unbound > 3, "{map:?}: only {unbound} unbound keys tried");
        }
    }
}
