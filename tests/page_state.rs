//! What state a page opens with, and what `r`, `+` and `o` leave on screen: asserted through
//! the app core (keys in, stage and drawn screen out).

mod tutor;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use gradstep::chart::Glyphs;
use gradstep::lesson::{self, Lang};
use gradstep::math::optimizer::Kind;
use gradstep::progress::Progress;
use gradstep::stage::Stage;
use gradstep::tui::app::Screen;
use gradstep::tui::{Action, App, AppOptions, Open};
use tutor::{code, key, screen};

fn app(id: &str, lang: Lang) -> App {
    tutor::app(Open::Lesson(id.into()), lang)
}

fn next_page(a: &mut App) {
    a.update(Action::Key(KeyEvent::new(
        KeyCode::PageDown,
        KeyModifiers::NONE,
    )));
}

fn stage(a: &App) -> &Stage {
    match &a.screen {
        Screen::Tutor(t) => &t.stage,
        Screen::Start => panic!("not in a lesson"),
    }
}

fn page(a: &App) -> usize {
    match &a.screen {
        Screen::Tutor(t) => t.page,
        Screen::Start => panic!("not in a lesson"),
    }
}

#[test]
fn a_page_without_continue_opens_at_its_own_start() {
    // slope p2 starts at x = 5 and asks where one step lands: a run stepped on p1 must not
    // follow it.
    let mut a = app("slope", Lang::En);
    for _ in 0..28 {
        key(&mut a, 'n');
    }
    next_page(&mut a);
    assert_eq!(page(&a), 1);
    let s = stage(&a).main();
    assert_eq!((s.current().t, s.current().params.clone()), (0, vec![5.0]));
    // The page's question is about this step: n waits for it; w shows it, then n steps.
    key(&mut a, 'n');
    assert_eq!(stage(&a).main().current().t, 0);
    key(&mut a, 'w');
    key(&mut a, 'n');
    assert_eq!(stage(&a).main().current().params, vec![4.0]);
}

#[test]
fn a_page_with_continue_keeps_the_run_of_the_page_before() {
    // slope p4 talks about the steps of p3's run (0.75 → 0.5625 → …).
    let mut a = app("slope", Lang::En);
    next_page(&mut a);
    next_page(&mut a);
    // p3 asks which way the coming step moves w: stepping waits for the answer.
    key(&mut a, 'n');
    assert_eq!(stage(&a).main().current().t, 0);
    code(&mut a, KeyCode::Enter);
    key(&mut a, '+');
    code(&mut a, KeyCode::Enter);
    key(&mut a, 'n');
    key(&mut a, 'n');
    next_page(&mut a);
    assert_eq!(page(&a), 3);
    assert_eq!(stage(&a).main().current().t, 2);
}

#[test]
fn reset_restores_the_pages_eta_and_optimizer() {
    let mut a = app("optimizers", Lang::En);
    key(&mut a, 'n');
    key(&mut a, '+');
    key(&mut a, 'o');
    assert_eq!(stage(&a).main().lr(), 0.1);
    assert_eq!(stage(&a).main().optimizer().kind, Kind::Momentum);
    key(&mut a, 'r');
    let s = stage(&a).main();
    assert_eq!(
        (s.current().t, s.lr(), s.optimizer().kind),
        (0, 0.09, Kind::Sgd)
    );
    assert!(stage(&a).runners[0].label.contains("η=0.09"));
}

#[test]
fn raising_eta_onto_the_stability_limit_says_so() {
    // The narrow valley's λmax is 20: `+` from 0.09 lands exactly on 2/20 = 0.1.
    for (lang, word) in [(Lang::En, "2/λmax"), (Lang::Zh, "恰好是 2/λmax")] {
        let mut a = app("optimizers", lang);
        key(&mut a, '+');
        assert_eq!(stage(&a).main().lr(), 0.1);
        let notice = a.notice.clone().unwrap_or_default();
        assert!(notice.contains(word), "{notice}");
        key(&mut a, '+');
        let notice = a.notice.clone().unwrap_or_default();
        assert!(notice.contains("0.2") && notice.contains("0.1"), "{notice}");
        key(&mut a, '-');
        key(&mut a, '-');
        assert_eq!(stage(&a).main().lr(), 0.05);
        assert_eq!(
            a.notice, None,
            "below the limit there is nothing to warn about"
        );
    }
}

#[test]
fn switching_optimizer_shows_only_the_new_ones_memory() {
    let mut a = app("optimizers", Lang::En);
    key(&mut a, 'o'); // momentum
    key(&mut a, 'n');
    key(&mut a, 'n');
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("v ← μv + g") && s.contains("velocity"), "{s}");
    key(&mut a, 'o'); // nesterov
    key(&mut a, 'o'); // adagrad
    let s = screen(&mut a, 100, 30);
    assert!(
        !s.contains("velocity"),
        "adagrad shows momentum's state:\n{s}"
    );
    assert!(s.contains("s ← s + g²"), "{s}");
    key(&mut a, 'o'); // rmsprop
    key(&mut a, 'o'); // adam
    key(&mut a, 'n');
    let s = screen(&mut a, 100, 30);
    for want in ["β₁ = 0.9", "β₂ = 0.999", "m̂", "v̂"] {
        assert!(s.contains(want), "adam's card lacks {want}:\n{s}");
    }
    key(&mut a, 'o'); // back to sgd
    let s = screen(&mut a, 100, 30);
    assert!(
        !s.contains("β₁") && !s.contains("m̂"),
        "sgd shows adam's state:\n{s}"
    );
}

#[test]
fn every_optimizer_card_fits_at_80x24_in_both_languages() {
    for lang in [Lang::En, Lang::Zh] {
        let mut a = app("optimizers", lang);
        for _ in 0..5 {
            key(&mut a, 'o');
            key(&mut a, 'n');
            let s = screen(&mut a, 80, 24);
            for line in s.lines() {
                assert!(unicode_width::UnicodeWidthStr::width(line) <= 80, "{line}");
            }
            let numbers = s
                .lines()
                .position(|l| l.contains("Numbers") || l.contains("数值"));
            assert!(numbers.is_some(), "the numbers panel is drawn:\n{s}");
        }
    }
}

#[test]
fn a_new_formula_starts_at_its_own_start_not_where_a_divergence_left_off() {
    let mut a = App::new(AppOptions {
        lang: Lang::En,
        glyphs: Glyphs::Ascii,
        color: false,
        lessons: lesson::load_embedded().lessons.into(),
        problems: Vec::new(),
        progress: Progress::in_memory(),
        notice: None,
        open: Open::Sandbox(gradstep::stage::SandboxSpec::default()),
    });
    for _ in 0..30 {
        key(&mut a, '+');
    }
    for _ in 0..40 {
        key(&mut a, 'n');
    }
    assert!(
        stage(&a).main().current().params[0].abs() > 1e3,
        "the run diverged"
    );
    key(&mut a, 'f');
    for _ in 0..40 {
        a.update(Action::Key(KeyEvent::new(
            KeyCode::Backspace,
            KeyModifiers::NONE,
        )));
    }
    for c in "x^2 + 3*y^2".chars() {
        key(&mut a, c);
    }
    a.update(Action::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    )));
    let s = stage(&a);
    assert!(
        matches!(&s.scene.objective, gradstep::math::Objective::Formula(f) if f.vars().len() == 2)
    );
    assert_eq!(s.main().current().params, vec![3.0, 4.0]);
}
