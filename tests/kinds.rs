//! The exercise kinds that ask for more than a number: type the derivative (slope,
//! partial-derivatives, the sandbox's `d`) and point the direction (taylor). Each is answered
//! right, wrong (the hint names the point and both values, or cos φ and which way to turn) and
//! revealed with `w`, through the same keys a learner presses.

mod tutor;

use assert_cmd::Command;
use crossterm::event::KeyCode;
use gradstep::lesson::Lang;
use gradstep::math::Formula;
use gradstep::math::optimizer::{Kind, Optimizer};
use gradstep::stage::SandboxSpec;
use gradstep::tui::{App, Open};
use tutor::{answer, app, code, key, screen};

fn lesson_page(id: &str, page: usize, lang: Lang) -> App {
    let mut a = app(Open::Lesson(id.into()), lang);
    // PgDn turns the page on every view (→ turns v in the Taylor view).
    for _ in 1..page {
        code(&mut a, KeyCode::PageDown);
    }
    a
}

/// The page panel's rows (the left column at 80 wide), joined: a wrapped hint reads whole.
fn page_text(a: &mut App) -> String {
    let s = screen(a, 80, 24);
    let rows: Vec<String> = s
        .lines()
        .filter_map(|l| {
            let l = l.strip_prefix('|').or_else(|| l.strip_prefix('│'))?;
            let end = l.find(['|', '│']).unwrap_or(l.len());
            Some(l[..end].trim_end().to_string())
        })
        .collect();
    rows.join(" ")
}

#[test]
fn partial_derivatives_accepts_an_equivalent_form_and_names_where_a_wrong_one_differs() {
    let mut a = lesson_page("partial-derivatives", 5, Lang::En);
    answer(&mut a, "2*x");
    let t = page_text(&mut a);
    assert!(
        t.contains("at (0, 1) yours gives 0, ∂f/∂x is 1"),
        "the hint names the point and both values:\n{t}"
    );
    answer(&mut a, "y + 2*x");
    let t = page_text(&mut a);
    assert!(t.contains("right! ∂f/∂x = 2*x + y"), "{t}");
    insta::assert_snapshot!(screen(&mut a, 80, 24));
}

#[test]
fn two_x_is_not_a_try_and_says_write_two_times_x_in_both_languages() {
    for (lang, words) in [(Lang::En, "write 2*x"), (Lang::Zh, "请写成 2*x")] {
        let mut a = lesson_page("partial-derivatives", 5, lang);
        answer(&mut a, "2x + y");
        let t = page_text(&mut a);
        assert!(t.contains(words), "{lang}: {t}");
        // Unreadable costs no try: the next wrong answer earns the hint, not the explanation.
        answer(&mut a, "x");
        let t = page_text(&mut a);
        assert!(!t.contains("x² → 2x"), "{lang}: one wrong try only:\n{t}");
    }
    let mut a = lesson_page("partial-derivatives", 5, Lang::En);
    answer(&mut a, "2*x + z");
    assert!(page_text(&mut a).contains("z is not a variable here: f has x, y"));
}

#[test]
fn show_me_reveals_the_textbook_form_in_chinese_too() {
    let mut a = lesson_page("slope", 5, Lang::Zh);
    key(&mut a, 'w');
    let t = page_text(&mut a);
    assert!(t.contains("答案：f′(x) = 3*x^2 - 3"), "{t}");
    let mut a = lesson_page("slope", 5, Lang::En);
    answer(&mut a, "3*x^2");
    let t = page_text(&mut a);
    assert!(t.contains("at x = 0 yours gives 0, f′(x) is −3"), "{t}");
    answer(&mut a, "3*x^2 - 3");
    assert!(page_text(&mut a).contains("right! f′(x) = 3*x^2 - 3"));
}

#[test]
fn taylor_direction_is_aimed_by_turning_v_and_g_does_not_answer_it() {
    let mut a = lesson_page("taylor", 5, Lang::En);
    let s = screen(&mut a, 80, 24);
    assert!(
        s.contains("cos ?° = ?")
            && s.contains("ε∇L·v = ?")
            && !s.contains("marks −∇L")
            && s.contains("find −∇L yourself: g is off"),
        "no angle to −∇L while the question is open:\n{s}"
    );
    // Enter confirms where v points now (90°): wrong, with cos φ and the way to turn.
    code(&mut a, KeyCode::Enter);
    let t = page_text(&mut a);
    assert!(
        t.contains("cos φ = 0.8321, not yet −1: turn counter-clockwise (← or ,)"),
        "{t}"
    );
    // g would aim for the learner: it says it is off and leaves v alone.
    key(&mut a, 'g');
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("turn v yourself"), "{s}");
    code(&mut a, KeyCode::Enter);
    assert!(
        page_text(&mut a).contains("cos φ = 0.8321"),
        "v did not move"
    );
    // −∇L = (−4, −6) points at 236.3°: 9 turns of 15° and 11 of 1° from 90° reach 236°.
    for _ in 0..9 {
        code(&mut a, KeyCode::Left);
    }
    for _ in 0..11 {
        key(&mut a, ',');
    }
    code(&mut a, KeyCode::Enter);
    let t = page_text(&mut a);
    assert!(t.contains("right! cos φ = −1: v points down −∇L"), "{t}");
    // Answered: the panel shows φ again.
    let s = screen(&mut a, 80, 24);
    assert!(!s.contains("φ ?"), "{s}");
    insta::assert_snapshot!(s);
}

#[test]
fn taylor_direction_show_me_gives_the_angle_and_a_clockwise_hint_in_chinese() {
    let mut a = lesson_page("taylor", 5, Lang::Zh);
    // 14 turns of 15° clockwise from 90° stop at 240°, 3.7° past −∇L (236.3°): close, but
    // outside 3°, and the way back is clockwise.
    for _ in 0..14 {
        code(&mut a, KeyCode::Right);
    }
    code(&mut a, KeyCode::Enter);
    let t = page_text(&mut a);
    // Wrapped between two characters: the words may span a row break.
    let t = t.replace(' ', "");
    assert!(
        t.contains("cosφ=−0.9979，还不是−1：顺时针转（→或.）"),
        "{t}"
    );
    key(&mut a, 'w');
    assert!(page_text(&mut a).contains("答案：v ∠236.3° (−∇L)"));
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

#[test]
fn the_sandbox_quizzes_the_learners_own_formula_and_d_picks_the_next_variable() {
    let mut a = sandbox("x^2*y + 3*y", vec![1.0, 2.0]);
    key(&mut a, '?');
    let s = screen(&mut a, 80, 40);
    assert!(
        s.contains("quiz: type ∂L/∂x of your formula"),
        "the help lists the quiz:\n{s}"
    );
    key(&mut a, '?');
    key(&mut a, 'd');
    assert!(page_text(&mut a).contains("type ∂L/∂x as a formula (d: next variable)"));
    key(&mut a, 'd');
    assert!(page_text(&mut a).contains("type ∂L/∂y as a formula"));
    answer(&mut a, "x^2");
    let t = page_text(&mut a);
    assert!(t.contains("at (0, 0) yours gives 0, ∂L/∂y is 3"), "{t}");
    key(&mut a, 'w');
    let t = page_text(&mut a);
    assert!(
        t.contains("∂L/∂x = 2*x*y; ∂L/∂y = x^2 + 3"),
        "the reveal lists every partial:\n{t}"
    );
    // A new formula drops the quiz on the old one.
    key(&mut a, 'f');
    for _ in 0..20 {
        code(&mut a, KeyCode::Backspace);
    }
    for c in "x^2 + y^2".chars() {
        key(&mut a, c);
    }
    code(&mut a, KeyCode::Enter);
    assert!(!page_text(&mut a).contains("∂L/∂y"));
}

#[test]
fn the_sandbox_says_so_when_a_derivative_cannot_be_checked() {
    // Defined only on x ≥ 0 around a start at 0.5: its derivative is NaN at most points of the
    // window on screen and everywhere left of 0.
    let mut a = sandbox("sqrt(x - 10)", vec![10.5]);
    key(&mut a, 'd');
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("no quiz on this formula"), "{s}");
    assert!(!page_text(&mut a).contains("type L′(x)"));
}

#[test]
fn a_direction_is_not_graded_on_a_formula_typed_over_the_lesson() {
    let mut a = lesson_page("taylor", 5, Lang::En);
    key(&mut a, 'f');
    for _ in 0..30 {
        code(&mut a, KeyCode::Backspace);
    }
    for c in "theta1^2 - theta2^2".chars() {
        key(&mut a, c);
    }
    code(&mut a, KeyCode::Enter);
    code(&mut a, KeyCode::Enter);
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("about the lesson's formula"), "{s}");
    assert!(!page_text(&mut a).contains("cos φ ="));
}

#[test]
fn d_does_nothing_in_a_lesson() {
    let mut a = lesson_page("slope", 2, Lang::En);
    let before = screen(&mut a, 80, 24);
    key(&mut a, 'd');
    assert_eq!(screen(&mut a, 80, 24), before);
}

const BAD: &str = r#"id = "bad-derivative"
order = 1
title = { zh = "甲", en = "A" }
summary = { zh = "乙", en = "B" }
[scene]
view = "surface"
formula = "x^2 + x*y + y^2"
start = [2, 1]
[[page]]
zh = "对 x 求导。"
en = "Differentiate in x."
[page.exercise]
kind = "derivative"
of = "z"
prompt = { zh = "∂f/∂z = ？", en = "∂f/∂z = ?" }
explain = { zh = "没有 z。", en = "There is no z." }
[[check]]
at = 0
grad = [5, 4]
"#;

fn check(text: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad-derivative.toml"), text).unwrap();
    let out = Command::cargo_bin("gradstep")
        .unwrap()
        .arg("check")
        .arg(dir.path())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_names_an_unknown_variable_with_file_line_and_column() {
    let (code, err) = check(BAD);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("bad-derivative.toml:14:6: page 1: of = 'z' is not a variable of the formula 'x^2 + x*y + y^2' (its variables: x, y)"),
        "{err}"
    );
}

#[test]
fn check_refuses_a_page_that_writes_the_derivative_down() {
    let text = BAD
        .replace("of = \"z\"", "of = \"x\"")
        .replace("Differentiate in x.", "Here ∂f/∂x = 2x + y.");
    let (code, err) = check(&text);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("bad-derivative.toml:11:20: page 1: the text states the exercise's answer ('2x + y' = ∂f/∂x = 2*x + y)"),
        "{err}"
    );
    let (code, err) = check(&BAD.replace("of = \"z\"\n", ""));
    assert_eq!(code, 2);
    assert!(
        err.contains("say which partial derivative: of = one of x, y"),
        "{err}"
    );
}

#[test]
fn check_refuses_a_direction_question_outside_the_taylor_view() {
    let text = BAD.replace(
        "kind = \"derivative\"\nof = \"z\"",
        "kind = \"direction\"\ntol_deg = 5",
    );
    let (code, err) = check(&text);
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "bad-derivative.toml:13:8: page 1: a direction exercise needs view = \"taylor\""
        ),
        "{err}"
    );
}

/// Every exercise example in the README's authoring guide passes `check` on a page it fits:
/// the guide cannot drift from what the loader accepts.
#[test]
fn the_guides_exercise_examples_pass_check() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let guide = &readme[readme.find("## Writing a lesson").unwrap()..];
    let examples: Vec<&str> = guide
        .split("```toml\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .filter(|b| b.starts_with("[page.exercise]"))
        .collect();
    let kinds: Vec<&str> = examples
        .iter()
        .map(|e| {
            e.lines()
                .find_map(|l| l.strip_prefix("kind = "))
                .unwrap_or("\"number\"")
        })
        .collect();
    for k in ["number", "predict", "derivative", "direction"] {
        assert!(
            kinds.contains(&format!("\"{k}\"").as_str()),
            "no {k} example"
        );
    }
    for (ex, kind) in examples.iter().zip(&kinds) {
        // The variants example asks about x² + xy + y² at 2-D starts.
        let two_d = *kind == "\"derivative\"" || ex.contains("vary =");
        let scene = match *kind {
            _ if two_d => "view = \"surface\"\nformula = \"x^2 + x*y + y^2\"\nstart = [2, 1]",
            "\"direction\"" => "view = \"taylor\"\nformula = \"x^2 + 3*y^2\"\nstart = [2, 1]",
            "\"predict\"" => "view = \"model\"\nmodel = \"logistic\"\nrows = [[3, 2, 1]]\nlr = 0.1",
            _ => "view = \"slope\"\nformula = \"(w - 3)^2/4 + 1\"\nstart = [0]\nlr = 0.5",
        };
        let text = format!(
            "id = \"bad-derivative\"\norder = 1\ntitle = {{ zh = \"甲\", en = \"A\" }}\nsummary = {{ zh = \"乙\", en = \"B\" }}\n[scene]\n{scene}\n[[page]]\nzh = \"页\"\nen = \"page\"\n{ex}[[check]]\nat = 0\nparams = [{}]\n",
            match *kind {
                _ if two_d => "2, 1",
                "\"direction\"" => "2, 1",
                "\"predict\"" => "0, 0, 0",
                _ => "0",
            }
        );
        let (code, err) = check(&text);
        assert_eq!(code, 0, "{kind}: {err}\n{text}");
    }
}
