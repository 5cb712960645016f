//! Wrong input and odd points, as the learner meets them in the sandbox: the caret under a
//! formula error stands where the problem is and the whole message is on screen; a corner of
//! `abs` says "no gradient here" instead of stepping by a made-up slope; the stop rule's ε is
//! on screen and the learner changes it with `[` / `]`.

mod tutor;
use crossterm::event::KeyCode;
use gradstep::descent::Stop;
use gradstep::lesson::Lang;
use gradstep::math::Formula;
use gradstep::math::optimizer::{Kind, Optimizer};
use gradstep::stage::SandboxSpec;
use gradstep::tui::app::Screen;
use gradstep::tui::{App, Open};
use tutor::{code, key, screen};

fn sandbox(formula: &str, start: Vec<f64>, lang: Lang) -> App {
    tutor::app(
        Open::Sandbox(SandboxSpec {
            formula: Formula::parse(formula).unwrap(),
            start,
            lr: 0.1,
            optimizer: Optimizer::new(Kind::Sgd),
        }),
        lang,
    )
}

fn stop(a: &App) -> Option<Stop> {
    match &a.screen {
        Screen::Tutor(t) => t.stage.main().stop(),
        Screen::Start => None,
    }
}

fn params(a: &App) -> Vec<f64> {
    match &a.screen {
        Screen::Tutor(t) => t.stage.main().current().params.clone(),
        Screen::Start => vec![],
    }
}

/// Types a new formula with `f` and returns the screen (the entry stays open on an error).
fn type_formula(a: &mut App, text: &str, w: u16, h: u16) -> String {
    key(a, 'f');
    // Clear whatever the entry starts with.
    for _ in 0..80 {
        code(a, KeyCode::Backspace);
    }
    for c in text.chars() {
        key(a, c);
    }
    screen(a, w, h)
}

#[test]
fn the_caret_under_sin_stands_under_its_parenthesis() {
    for lang in [Lang::En, Lang::Zh] {
        let mut a = sandbox("x^2 + y^2", vec![1.0, 1.0], lang);
        let s = type_formula(&mut a, "sin(", 80, 24);
        let rows: Vec<&str> = s.lines().collect();
        let at = rows
            .iter()
            .position(|r| r.contains("L = sin("))
            .unwrap_or_else(|| panic!("no entry line\n{s}"));
        let paren = rows[at].chars().position(|c| c == '(').unwrap();
        let caret = rows[at + 1].chars().position(|c| c == '^');
        assert_eq!(caret, Some(paren), "{lang}: caret not under '('\n{s}");
        // The message is there to its last word, wrapped rather than cut at the border.
        let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
        let flat = flat.replace("│ │", "").replace(" │", "").replace("│ ", "");
        let (col, end) = match lang {
            Lang::En => ("column 4", "closing ')'"),
            Lang::Zh => ("第 4 列", "右括号 ')'"),
        };
        assert!(
            flat.contains(col) && flat.contains(end),
            "{lang}: message cut\n{s}"
        );
    }
}

#[test]
fn a_corner_of_abs_says_no_gradient_instead_of_walking_away() {
    for start in [vec![0.0, 0.0], vec![0.0, 1.0]] {
        let mut a = sandbox("abs(x)+abs(y)", start.clone(), Lang::En);
        key(&mut a, 'n');
        assert_eq!(stop(&a), Some(Stop::NotDifferentiable), "from {start:?}");
        assert_eq!(params(&a), start, "from {start:?}: it must not move");
        let s = screen(&mut a, 100, 30);
        assert!(s.contains("no gradient here"), "from {start:?}\n{s}");
        let mut a = sandbox("abs(x)+abs(y)", start.clone(), Lang::Zh);
        key(&mut a, 'n');
        assert!(screen(&mut a, 100, 30).contains("此处不可导"));
    }
    // Away from the corners the slope is ±1 and the run steps as before.
    let mut a = sandbox("abs(x)+abs(y)", vec![1.0, -1.0], Lang::En);
    key(&mut a, 'n');
    assert_eq!(stop(&a), None);
    let p = params(&a);
    assert!(
        (p[0] - 0.9).abs() < 1e-12 && (p[1] + 0.9).abs() < 1e-12,
        "{p:?}"
    );
}

/// The status follows the math at a kink: |x|² is differentiable at 0 (slope 0), so it steps;
/// relu(x) has a corner at 0 (slopes 0 and 1 on its two sides), so it says so and stays.
#[test]
fn a_kink_is_reported_only_where_the_formula_has_no_derivative() {
    for formula in ["abs(x)^2 + y^2", "abs(x)*abs(x) + y^2", "relu(x)^2 + y^2"] {
        let mut a = sandbox(formula, vec![0.0, 1.0], Lang::En);
        let s = screen(&mut a, 100, 30);
        assert!(!s.contains("no gradient here"), "{formula}\n{s}");
        key(&mut a, 'n');
        assert_eq!(stop(&a), None, "{formula}");
        let p = params(&a);
        assert!(
            p[0] == 0.0 && (p[1] - 0.8).abs() < 1e-12,
            "{formula}: {p:?}"
        );
    }
    for (formula, lang, words) in [
        ("relu(x) + y^2", Lang::En, "no gradient here"),
        ("relu(x) + y^2", Lang::Zh, "此处不可导"),
        (
            "relu(x + y) - relu(x) - relu(y)",
            Lang::En,
            "no gradient here",
        ),
        ("abs(x)*y + y^2", Lang::En, "no gradient here"),
    ] {
        let start = vec![0.0, if formula.contains("y^2") { 1.0 } else { 0.0 }];
        let mut a = sandbox(formula, start.clone(), lang);
        key(&mut a, 'n');
        assert_eq!(stop(&a), Some(Stop::NotDifferentiable), "{formula}");
        assert_eq!(params(&a), start, "{formula}: it must not move");
        let s = screen(&mut a, 100, 30);
        assert!(s.contains(words), "{formula}\n{s}");
    }
}

/// The stage's refusal (a start point without one value per parameter) is said in the
/// learner's language, like every formula error.
#[test]
fn a_start_of_the_wrong_length_is_refused_in_the_learners_language() {
    for (lang, words) in [
        (
            Lang::En,
            "the start point has 1 value(s) but there are 2 parameter(s) (x, y)",
        ),
        (Lang::Zh, "起点有 1 个数，但参数有 2 个（x, y）"),
    ] {
        let mut a = sandbox("x^2 + y^2", vec![1.0], lang);
        assert!(matches!(a.screen, Screen::Start), "{lang:?}");
        let s = screen(&mut a, 100, 30);
        let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(words), "{lang:?}\n{s}");
    }
}

/// The numbers panel's rule row, e.g. `stop when  ‖∇L‖ < 1e-6  [/]`.
fn rule_row(s: &str) -> String {
    s.lines()
        .find(|l| l.contains("stop when") || l.contains("停止条件"))
        .unwrap_or_default()
        .to_string()
}

#[test]
fn the_sandbox_tolerance_is_shown_changed_and_used() {
    // The plateau from (3, 3): ‖∇L‖ ≈ 2e-7 is under the default ε = 1e-6, so it stands at
    // t = 0; the panel says why and by which ε, and `[` lowers ε until it walks.
    let mut a = sandbox("1 - exp(-(x^2 + y^2))", vec![3.0, 3.0], Lang::En);
    let s = screen(&mut a, 100, 30);
    assert!(rule_row(&s).contains("‖∇L‖ < 1e-6"), "{s}");
    assert!(rule_row(&s).contains("[/]"), "{s}");
    key(&mut a, 'n');
    assert!(matches!(stop(&a), Some(Stop::FlatGradient { .. })));
    key(&mut a, '[');
    let s = screen(&mut a, 100, 30);
    assert!(rule_row(&s).contains("‖∇L‖ < 1e-7"), "{s}");
    assert_eq!(stop(&a), None, "ε = 1e-7 is below ‖∇L‖: the run goes on");
    key(&mut a, 'n');
    assert_ne!(params(&a), vec![3.0, 3.0], "it took a step");
    // `]` twice: 1e-5, above ‖∇L‖ again, so it stops; `r` keeps the learner's ε.
    key(&mut a, ']');
    key(&mut a, ']');
    assert!(matches!(stop(&a), Some(Stop::FlatGradient { eps, .. }) if eps == 1e-5));
    key(&mut a, 'r');
    assert!(rule_row(&screen(&mut a, 100, 30)).contains("1e-5"));
    // The footer names the keys, in both languages; a lesson page has no such key.
    let mut a = sandbox("x^2 + y^2", vec![1.0, 1.0], Lang::Zh);
    assert!(screen(&mut a, 160, 30).contains("[/] ε"));
    let mut l = tutor::app(Open::Lesson("stopping".into()), Lang::En);
    let before = screen(&mut l, 160, 30);
    key(&mut l, '[');
    assert_eq!(
        screen(&mut l, 160, 30),
        before,
        "a lesson's ε is the page's"
    );
    assert!(!before.contains("[/] ε"));
}
