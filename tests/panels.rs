//! Panels that say what the page says, asserted on the drawn tutor screen after real key
//! presses: status words that mean what the lessons teach (a rule met says "stopped", with the
//! rule and the last ‖Δθ‖ beside it; a point without a derivative and a loss without a bottom
//! say so), and the Taylor view's numbers for the real step the page computes.

mod tutor;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use gradstep::descent::Stop;
use gradstep::lesson::Lang;
use gradstep::math::Formula;
use gradstep::math::optimizer::{Kind, Optimizer};
use gradstep::stage::SandboxSpec;
use gradstep::tui::app::Screen;
use gradstep::tui::{Action, App, Open};
use tutor::screen;

fn app(open: Open, lang: Lang) -> App {
    tutor::app(open, lang)
}

fn lesson_page(id: &str, page: usize, lang: Lang) -> App {
    let mut a = app(Open::Lesson(id.into()), lang);
    for _ in 0..page {
        a.update(Action::Key(KeyEvent::new(
            KeyCode::PageDown,
            KeyModifiers::NONE,
        )));
    }
    a
}

fn sandbox(formula: &str, start: Vec<f64>) -> App {
    app(
        Open::Sandbox(SandboxSpec {
            formula: Formula::parse(formula).unwrap(),
            start,
            lr: 0.1,
            optimizer: Optimizer::new(Kind::Sgd),
        }),
        Lang::En,
    )
}

fn steps(a: &mut App, n: usize) {
    for _ in 0..n {
        a.update(Action::Key(KeyEvent::new(
            KeyCode::Char('n'),
            KeyModifiers::NONE,
        )));
    }
}

fn stop(a: &App) -> Option<Stop> {
    match &a.screen {
        Screen::Tutor(t) => t.stage.main().stop(),
        Screen::Start => None,
    }
}

#[test]
fn a_step_rule_stop_is_stopped_not_converged_and_keeps_its_evidence() {
    // stopping p3: "at step 4 the next step is 0.36 long, below 0.5 ... far from the minimum".
    let mut a = lesson_page("stopping", 2, Lang::En);
    steps(&mut a, 10);
    match stop(&a) {
        Some(Stop::ShortStep { eps, step }) => {
            assert_eq!(eps, 0.5);
            assert!((step - 0.36).abs() < 0.01, "{step}");
        }
        other => panic!("{other:?}"),
    }
    let s = screen(&mut a, 100, 30);
    assert!(
        s.contains("t = 4") && s.contains("stopped: ‖Δθ‖ < ε"),
        "{s}"
    );
    assert!(!s.contains("converged"), "{s}");
    assert!(s.contains("‖Δθ‖ < 0.5"), "the rule is on screen:\n{s}");
    assert!(
        s.contains("Δθ = −η∇L"),
        "the Δθ row stays after the stop:\n{s}"
    );
    let zh = {
        let mut a = lesson_page("stopping", 2, Lang::Zh);
        steps(&mut a, 10);
        screen(&mut a, 80, 24)
    };
    assert!(
        zh.contains("已停止：‖Δθ‖ < ε") && !zh.contains("已收敛"),
        "{zh}"
    );
}

#[test]
fn stopping_p4_does_not_call_a_far_point_converged() {
    let mut a = lesson_page("stopping", 3, Lang::En);
    steps(&mut a, 1000);
    assert!(matches!(stop(&a), Some(Stop::ShortStep { .. })));
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("t = 912") && !s.contains("converged"), "{s}");
}

#[test]
fn a_kink_says_there_is_no_derivative_instead_of_diverged() {
    // sqrt's tangent is vertical at 0: L is finite, ∂L/∂x is not.
    let mut a = sandbox("sqrt(x) + y^2", vec![0.0, 0.0]);
    assert_eq!(stop(&a), Some(Stop::NotDifferentiable));
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("no gradient here"), "{s}");
    assert!(!s.contains("diverged") && !s.contains("lower η"), "{s}");
    // The cone's tip is its minimum, and 0 is a valid (sub)gradient there: the math core gives
    // ∇L = (0, 0), so the run stands at the bottom rather than "diverging" (issue 10's case).
    let mut b = sandbox("sqrt(x^2+y^2)", vec![0.0, 0.0]);
    assert!(matches!(stop(&b), Some(Stop::FlatGradient { .. })));
    let s = screen(&mut b, 100, 30);
    assert!(!s.contains("diverged"), "{s}");
}

#[test]
fn a_loss_without_a_bottom_does_not_advise_a_lower_eta() {
    // hard-terrain p2: the saddle from (1, 0.001), f below −1e12 at step 114.
    let mut a = lesson_page("hard-terrain", 1, Lang::En);
    steps(&mut a, 200);
    assert_eq!(stop(&a), Some(Stop::Unbounded));
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("no bottom"), "{s}");
    assert!(!s.contains("- lower η"), "{s}");
}

#[test]
fn a_blow_up_still_advises_a_lower_eta() {
    // learning-rate p4: η = 1.1 on a bowl; L passes 1e12 at step 74.
    let mut a = lesson_page("learning-rate", 3, Lang::En);
    steps(&mut a, 100);
    assert_eq!(stop(&a), Some(Stop::BlewUp));
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("diverged") && s.contains("lower η"), "{s}");
}

#[test]
fn the_sandbox_shows_its_tolerance_from_the_start() {
    let mut a = app(Open::Sandbox(SandboxSpec::default()), Lang::En);
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("‖∇L‖ < 1e-6"), "{s}");
    // A plateau start stops at once; the screen says which rule stopped it.
    let mut a = sandbox("1 - exp(-(x^2 + y^2))", vec![3.0, 3.0]);
    assert!(matches!(stop(&a), Some(Stop::FlatGradient { .. })));
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("t = 0") && s.contains("converged"), "{s}");
    assert!(
        s.contains("plateau"),
        "the advice names what a flat gradient may be:\n{s}"
    );
    assert!(s.contains("‖∇L‖ < 1e-6"), "{s}");
}

/// The numbers panel's rows (the left column under " Numbers "), joined by newlines.
fn numbers_panel(s: &str) -> String {
    s.lines()
        .skip_while(|l| !(l.contains(" Numbers ") || l.contains(" 数值 ")))
        .map(|l| l.split("||").next().unwrap_or(l).to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_taylor_panel_shows_the_real_step_of_pages_3_and_4() {
    for lang in [Lang::En, Lang::Zh] {
        // p3: η = 0.25 from (1, 1): predicted −2, true −1.5, gap 0.5.
        let mut a = lesson_page("taylor", 2, lang);
        let p = numbers_panel(&screen(&mut a, 80, 24));
        for want in ["t = 0", "η = 0.25", "(-0.5, -0.5)", "-2 ", "-1.5", " 0.5"] {
            assert!(p.contains(want), "p3 {lang:?} lacks {want:?}:\n{p}");
        }
        // p4 asks where θ lands with η = 0.05: the step and what follows from it are hidden
        // until the learner answers (or asks to be shown), then read −0.4, −0.38, 0.02.
        let mut a = lesson_page("taylor", 3, lang);
        let p = numbers_panel(&screen(&mut a, 80, 24));
        assert!(
            p.contains("(?, ?)") && !p.contains("-0.38"),
            "p4 {lang:?}:\n{p}"
        );
        a.update(Action::Key(KeyEvent::new(
            KeyCode::Char('w'),
            KeyModifiers::NONE,
        )));
        let p = numbers_panel(&screen(&mut a, 80, 24));
        for want in ["η = 0.05", "(-0.1, -0.1)", "-0.4 ", "-0.38", "0.02"] {
            assert!(p.contains(want), "p4 {lang:?} lacks {want:?}:\n{p}");
        }
    }
}

#[test]
fn the_batch_lesson_uses_its_texts_names_and_one_legend() {
    let mut a = lesson_page("batch-minibatch", 2, Lang::En);
    steps(&mut a, 3);
    let s = screen(&mut a, 100, 30);
    for want in [
        "θ = (θ₁, θ₀)",
        "J(θ)",
        "‖∇J‖",
        "@ batch GD",
        "o mini-batch b=4",
        "# SGD b=1",
    ] {
        assert!(s.contains(want), "lacks {want:?}:\n{s}");
    }
    for gone in ["w₁", "L(θ)", "sgd η=0.1", "batch=4"] {
        assert!(!s.contains(gone), "still shows {gone:?}:\n{s}");
    }
    // The contour's y axis is θ₀, so no axis letter reads like the level "b".
    assert!(!s.lines().any(|l| l.contains("| b ")), "{s}");
}

#[test]
fn the_race_tables_gradient_length_is_the_full_datas() {
    let mut a = lesson_page("batch-minibatch", 2, Lang::En);
    steps(&mut a, 3);
    let Screen::Tutor(t) = &a.screen else {
        panic!("not in a lesson")
    };
    let sgd = &t.stage.runners[2].run;
    let own = gradstep::math::norm(&sgd.current().grad);
    let full = t.stage.full_grad_norm(2);
    assert!(
        (own - full).abs() > 1e-3,
        "one example's gradient {own} vs all {full}"
    );
    let s = screen(&mut a, 100, 30);
    let row = s.lines().find(|l| l.starts_with("|# SGD b=1")).unwrap();
    assert!(
        row.contains(&gradstep::numfmt::sig(full, 4)),
        "{row} lacks ‖∇J‖ = {full}"
    );
}

/// The row where the Numbers panel's top border is drawn.
fn numbers_top(s: &str) -> Option<usize> {
    s.lines().position(|l| l.contains("Numbers"))
}

#[test]
fn the_sandboxs_numbers_panel_moves_once_at_80x24_and_its_vectors_line_up() {
    // x² + xy + y² from (3, 4): θ, ∇L, the step and θ next gain digits over the first dozen
    // steps, one after another. The panel writes them all below their labels as soon as the
    // first one needs it, so the page text above is squeezed once, not at each of them.
    let mut a = sandbox("x^2 + x*y + y^2", vec![3.0, 4.0]);
    let mut tops = vec![numbers_top(&screen(&mut a, 80, 24)).unwrap()];
    for _ in 0..100 {
        steps(&mut a, 1);
        let top = numbers_top(&screen(&mut a, 80, 24)).unwrap();
        if tops.last() != Some(&top) {
            tops.push(top);
        }
    }
    assert_eq!(tops.len(), 2, "the panel's top moved at rows {tops:?}");
    // After the move every vector is below its label, its value two columns in.
    let s = screen(&mut a, 80, 24);
    // The left column, where the page and the Numbers panel are.
    let left: Vec<String> = s.lines().map(|l| l.chars().take(34).collect()).collect();
    for label in ["θ = (x, y)", "∇L(θ)", "Δθ = −η∇L", "θ next"] {
        let at = left
            .iter()
            .position(|l| l.trim_end_matches(['|', ' ']) == format!("|{label}"))
            .unwrap_or_else(|| panic!("{label} not on a row of its own:\n{s}"));
        let below = &left[at + 1];
        assert!(
            below.starts_with("|  (") || below.starts_with("|  = ("),
            "{label}'s value is not below it: {below}\n{s}"
        );
    }
    // The page keeps four rows of its text and the mark under them.
    let page: Vec<&str> = s
        .lines()
        .skip(2)
        .take_while(|l| !l.starts_with('+'))
        .collect();
    assert_eq!(page.len(), 5, "{s}");
    assert!(page[4].contains("more"), "{s}");
}

#[test]
fn a_page_that_fits_whole_is_not_cut_to_line_up_the_vectors() {
    // batch-minibatch p2 at 80×24 after one step: θ must go below its label, the other
    // vectors fit beside theirs, and the page's eight rows of text fit above the panel. Lining
    // the vectors up would cost the page four of those rows, so each vector keeps its own form.
    let mut a = lesson_page("batch-minibatch", 1, Lang::En);
    steps(&mut a, 1);
    let s = screen(&mut a, 80, 24);
    assert!(!s.contains("more"), "the page scrolls:\n{s}");
    assert!(
        s.contains("J ≈ 0.0102."),
        "the page's last line is cut:\n{s}"
    );
    assert!(
        s.lines().any(|l| l.starts_with("|θ next     (")),
        "θ next beside its label:\n{s}"
    );
    // Six steps on the vectors are all too wide and the page scrolls either way: they line up.
    steps(&mut a, 5);
    let s = screen(&mut a, 80, 24);
    assert!(s.lines().any(|l| l.starts_with("|θ next  ")), "{s}");
    assert!(s.lines().any(|l| l.starts_with("|  (")), "{s}");
    assert!(!s.lines().any(|l| l.starts_with("|θ next     (")), "{s}");
}
