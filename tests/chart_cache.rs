//! The contour map is sampled once per window, loss slice, size and glyph set, and a step
//! only redraws the path on top: counted through the app core (rebuilds, not time), and every
//! cached chart checked against one drawn from scratch.

mod tutor;
use crossterm::event::KeyCode;
use gradstep::chart::Glyphs;
use gradstep::lesson::{Lang, Mask};
use gradstep::stage::{SandboxSpec, Stage};
use gradstep::tui::app::Screen;
use gradstep::tui::{App, Open};
use tutor::{code, key, screen};

fn stage(a: &App) -> &Stage {
    match &a.screen {
        Screen::Tutor(t) => &t.stage,
        Screen::Start => panic!("not in the sandbox"),
    }
}

fn rebuilds(a: &App) -> u64 {
    stage(a).chart_rebuilds()
}

/// The chart the cache gave for the last frame's size equals one sampled from scratch (a
/// cloned stage starts with an empty cache).
fn assert_matches_fresh(a: &App, w: u16, h: u16) {
    let s = stage(a);
    let (cols, rows) = a.chart_area().expect("the sandbox has a chart");
    let cached = s.chart(a.glyphs, cols, rows, Mask::default(), a.lang);
    let fresh = s
        .clone()
        .chart(a.glyphs, cols, rows, Mask::default(), a.lang);
    assert_eq!(
        cached.to_text(),
        fresh.to_text(),
        "cached chart differs at {w}x{h}"
    );
    assert_eq!(cached, fresh);
}

fn typed(a: &mut App, text: &str) {
    for c in text.chars() {
        key(a, c);
    }
}

fn new_formula(a: &mut App, formula: &str) {
    key(a, 'f');
    code(a, KeyCode::End);
    for _ in 0..40 {
        code(a, KeyCode::Backspace);
    }
    typed(a, formula);
    code(a, KeyCode::Enter);
}

#[test]
fn steps_reuse_the_map_and_every_real_change_rebuilds_it() {
    let mut a = tutor::app(Open::Sandbox(SandboxSpec::default()), Lang::En);
    screen(&mut a, 100, 30);
    let first = rebuilds(&a);
    assert!(first >= 1);

    // Stepping, undoing and stepping on: the window holds still, so the map is reused.
    for k in ['n', 'n', 'n', 'b', 'n', 'n'] {
        key(&mut a, k);
        let s = screen(&mut a, 100, 30);
        assert_eq!(rebuilds(&a), first, "after '{k}':\n{s}");
        assert_matches_fresh(&a, 100, 30);
    }
    // The path really moved while the map stayed: the current point is drawn each frame.
    assert!(screen(&mut a, 100, 30).contains('@'));

    // A new window (zoom) is sampled anew, once.
    key(&mut a, 'z');
    screen(&mut a, 100, 30);
    assert_eq!(rebuilds(&a), first + 1, "zoom");
    assert_matches_fresh(&a, 100, 30);
    key(&mut a, 'n');
    screen(&mut a, 100, 30);
    assert_eq!(rebuilds(&a), first + 1, "a step after zooming");

    // A new size.
    let before = rebuilds(&a);
    screen(&mut a, 120, 40);
    assert!(rebuilds(&a) > before, "resize");
    assert_matches_fresh(&a, 120, 40);
    let before = rebuilds(&a);
    screen(&mut a, 120, 40);
    assert_eq!(rebuilds(&a), before, "the same size again");

    // Other glyphs.
    a.glyphs = Glyphs::Unicode;
    let s = screen(&mut a, 120, 40);
    assert_eq!(rebuilds(&a), before + 1, "glyphs");
    assert!(s.contains('●'), "{s}");
    assert_matches_fresh(&a, 120, 40);

    // The other language: the legend is drawn into the map.
    let before = rebuilds(&a);
    a.lang = Lang::Zh;
    let s = screen(&mut a, 120, 40);
    assert_eq!(rebuilds(&a), before + 1, "language");
    assert!(s.contains("等高线"), "{s}");
    assert_matches_fresh(&a, 120, 40);
}

#[test]
fn a_new_formula_draws_its_own_map() {
    let mut a = tutor::app(Open::Sandbox(SandboxSpec::default()), Lang::En);
    let bowl = screen(&mut a, 100, 30);
    new_formula(&mut a, "x^2 + 3*x*y + y^2");
    let saddle = screen(&mut a, 100, 30);
    assert!(saddle.contains("x^2 + 3*x*y + y^2"), "{saddle}");
    assert_ne!(
        bowl.lines().skip(3).collect::<Vec<_>>(),
        saddle.lines().skip(3).collect::<Vec<_>>(),
        "the map changed with the formula"
    );
    assert!(rebuilds(&a) >= 1);
    assert_matches_fresh(&a, 100, 30);
}

#[test]
fn a_moving_third_parameter_resamples_the_slice_every_step() {
    let mut a = tutor::app(Open::Sandbox(SandboxSpec::default()), Lang::En);
    new_formula(&mut a, "x^2 + y^2 + (z - x)^2");
    screen(&mut a, 100, 30);
    // z moves with every step and the map is L(x, y) at the current z: it must follow.
    for _ in 0..3 {
        let before = rebuilds(&a);
        key(&mut a, 'n');
        screen(&mut a, 100, 30);
        assert!(
            rebuilds(&a) > before,
            "the slice at the new z was not sampled"
        );
        assert_matches_fresh(&a, 100, 30);
    }
}
