//! Practice as a learner meets it: fresh variants of a question ("again" draws another start,
//! the answer follows it, `gradstep check` verifies every start), progress counted per
//! exercise (solved / attempts / shown) and shown on the start screen, and the sandbox's
//! predict round on the learner's own formula.

mod tutor;

mod common;
use crossterm::event::KeyCode;
use gradstep::lesson::Lang;
use gradstep::tui::app::Screen;
use gradstep::tui::{App, Open};
use tutor::{answer, code, key, screen};

/// Where the run on stage starts.
fn start(app: &App) -> Vec<f64> {
    match &app.screen {
        Screen::Tutor(t) => t.stage.scene.start.clone(),
        Screen::Start => panic!("not in a lesson"),
    }
}

fn prompt(app: &App) -> String {
    app.exercise().unwrap().prompt.get(Lang::En).to_string()
}

fn record(app: &App, lesson: &str, id: &str) -> gradstep::progress::ExerciseProgress {
    app.progress.exercise(lesson, id)
}

#[test]
fn again_draws_another_start_and_the_answer_follows_it() {
    let mut a = tutor::app(Open::Lesson("slope".into()), Lang::En);
    assert_eq!(start(&a), [5.0]);
    assert_eq!(prompt(&a), "What is f′(5) for f(x) = x²?");
    key(&mut a, '?');
    let s = screen(&mut a, 100, 40);
    assert!(
        s.contains("again: the same question at a fresh start"),
        "{s}"
    );
    key(&mut a, '?');
    let mut seen = vec![start(&a)];
    for _ in 0..12 {
        let before = start(&a);
        key(&mut a, 'A');
        let now = start(&a);
        assert_ne!(now, before, "again never repeats the instance on stage");
        let x = now[0];
        assert!(prompt(&a).contains(&format!("f′({})", x).replace('-', "−")));
        if !seen.contains(&now) {
            seen.push(now);
        }
    }
    assert_eq!(seen.len(), 5, "every listed start comes up: {seen:?}");
    // The answer is f′(x₀) = 2x₀ at the drawn start, not the page's own 10.
    key(&mut a, 'A');
    let x = start(&a)[0];
    answer(&mut a, "10");
    let s = screen(&mut a, 100, 30);
    assert!(
        !s.contains("right!"),
        "10 belongs to x = 5, not x = {x}:\n{s}"
    );
    answer(&mut a, &format!("{}", 2.0 * x));
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("right!"), "{s}");
    assert!(s.contains("A: the same question at another start"), "{s}");
    // The explanation shows the working with this instance's numbers.
    let x_s = gradstep::numfmt::short(x).replace('-', "−");
    // A negative value after × is written in parentheses: 2 × (−3).
    let x_s = if x < 0.0 { format!("({x_s})") } else { x_s };
    let two_x = gradstep::numfmt::short(2.0 * x).replace('-', "−");
    assert!(
        s.contains(&format!("2 × {x_s} = {two_x}")),
        "working for x = {x}:\n{s}"
    );
}

#[test]
fn again_resets_the_question_and_hides_the_new_answer() {
    let mut a = tutor::app(Open::Lesson("partial-derivatives".into()), Lang::En);
    key(&mut a, 'w');
    assert!(a.open_exercise().is_none(), "shown: the question is closed");
    key(&mut a, 'A');
    assert!(
        a.open_exercise().is_some(),
        "a fresh instance is a fresh question"
    );
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("∇L(θ)") || s.contains("∇f"), "{s}");
    assert!(
        !s.contains("answer:"),
        "no answer of the old instance stays:\n{s}"
    );
    let p = start(&a);
    assert!(prompt(&a).contains(&format!(
        "({}, {})",
        gradstep::numfmt::short(p[0]).replace('-', "−"),
        gradstep::numfmt::short(p[1]).replace('-', "−")
    )));
    answer(&mut a, &format!("{}", 2.0 * p[0] + p[1]));
    assert!(screen(&mut a, 100, 30).contains("right!"));
}

#[test]
fn again_does_nothing_on_a_question_without_variants() {
    let mut a = tutor::app(Open::Lesson("partial-derivatives".into()), Lang::En);
    code(&mut a, KeyCode::Right);
    let before = start(&a);
    let p = prompt(&a);
    key(&mut a, 'A');
    assert_eq!((start(&a), prompt(&a)), (before, p));
}

#[test]
fn progress_counts_solved_attempts_and_shown_per_exercise() {
    let mut a = tutor::app(Open::Lesson("slope".into()), Lang::En);
    answer(&mut a, "9");
    answer(&mut a, "10");
    let r = record(&a, "slope", "p1.1");
    assert!(r.solved && !r.shown && r.attempts == 2, "{r:?}");
    // Unreadable input is not a try.
    let mut b = tutor::app(Open::Lesson("partial-derivatives".into()), Lang::En);
    answer(&mut b, "five");
    assert_eq!(record(&b, "partial-derivatives", "p1.1").attempts, 0);
    // Show me, then the answer it showed: shown, not solved.
    key(&mut b, 'w');
    answer(&mut b, "5");
    let r = record(&b, "partial-derivatives", "p1.1");
    assert!(!r.solved && r.shown, "{r:?}");
    // A fresh variant found without help counts as solved.
    key(&mut b, 'A');
    let p = start(&b);
    answer(&mut b, &format!("{}", 2.0 * p[0] + p[1]));
    let r = record(&b, "partial-derivatives", "p1.1");
    assert!(r.solved && r.shown, "{r:?}");
}

/// The start screen after some practice: slope done (every exercise solved), partial
/// derivatives half way, taylor opened.
fn practised(lang: Lang) -> App {
    let mut a = tutor::app(Open::Start, lang);
    let lessons = a.lessons.clone();
    for l in lessons.iter() {
        match l.id.as_str() {
            "slope" => {
                for id in l.exercise_ids() {
                    a.progress.answered("slope", &id, true, false);
                }
                a.progress.visit("slope", 1, l.pages.len());
            }
            "partial-derivatives" => {
                a.progress
                    .answered(&l.id, &l.exercise_ids()[0], true, false);
                a.progress.visit(&l.id, 2, l.pages.len());
            }
            "taylor" => a.progress.visit(&l.id, 0, l.pages.len()),
            _ => {}
        }
    }
    a
}

#[test]
fn the_start_screen_marks_solved_of_total_and_done() {
    let mut en = practised(Lang::En);
    let s = screen(&mut en, 80, 24);
    let total = |id: &str| {
        let l = en.lessons.iter().find(|l| l.id == id).unwrap();
        l.exercise_ids().len()
    };
    let (slope_total, pd_total) = (total("slope"), total("partial-derivatives"));
    let pages = |id: &str| en.lessons.iter().find(|l| l.id == id).unwrap().pages.len();
    let (pd_pages, taylor_pages) = (pages("partial-derivatives"), pages("taylor"));
    assert!(
        s.contains(&format!("solved {slope_total}/{slope_total} done")),
        "{s}"
    );
    assert!(
        s.contains(&format!("3/{pd_pages} pages · solved 1/{pd_total}")),
        "{s}"
    );
    assert!(
        s.contains(&format!("1/{taylor_pages} pages · solved 0/")),
        "{s}"
    );
    insta::assert_snapshot!("start_screen_with_progress_en_80x24", s);
    let mut zh = practised(Lang::Zh);
    let s = screen(&mut zh, 80, 24);
    assert!(s.contains("已完成"), "{s}");
    assert!(s.contains("第 3/5 页"), "{s}");
    insta::assert_snapshot!("start_screen_with_progress_zh_80x24", s);
}

fn sandbox(lang: Lang) -> App {
    tutor::app(Open::Sandbox(Default::default()), lang)
}

#[test]
fn the_sandbox_round_hides_theta_next_and_holds_n_until_answered() {
    let mut a = sandbox(Lang::En);
    key(&mut a, '?');
    let s = screen(&mut a, 100, 40);
    assert!(s.contains("predict θ next for your formula"), "{s}");
    key(&mut a, '?');
    key(&mut a, 'P');
    // The answer line opens at once.
    for c in "2, 2.9".chars() {
        key(&mut a, c);
    }
    let s = screen(&mut a, 100, 40);
    assert!(s.contains("Predict the step: θ = (3, 4),"), "{s}");
    assert!(s.contains("η = 0.1. Next x, y = ?"), "{s}");
    assert!(s.contains("θ next     (?, ?)"), "θ next is masked:\n{s}");
    assert!(!s.contains("(2, 2.9)"), "{s}");
    code(&mut a, KeyCode::Esc);
    key(&mut a, 'n');
    let s = screen(&mut a, 100, 40);
    assert!(s.contains("answer the question first"), "{s}");
    assert!(s.contains("t = 0"), "n waited:\n{s}");
    answer(&mut a, "2, 2.9");
    let s = screen(&mut a, 100, 40);
    assert!(s.contains("right!"), "{s}");
    // The explanation's arithmetic, with the point (2, 2.9) kept whole on its row.
    assert!(s.contains("θ − η·∇L = (3, 4)"), "{s}");
    assert!(s.contains("− 0.1·(10, 11) = (2, 2.9)"), "{s}");
    assert!(s.contains("θ next     (2, 2.9)"), "{s}");
    key(&mut a, 'n');
    let s = screen(&mut a, 100, 40);
    assert!(s.contains("t = 1") && !s.contains("right!"), "{s}");
    assert!(a.progress.tally("sandbox", &[]).solved == 0);
}

#[test]
fn the_sandbox_round_follows_a_new_learning_rate() {
    let mut a = sandbox(Lang::En);
    key(&mut a, 'P');
    code(&mut a, KeyCode::Esc);
    key(&mut a, '+');
    assert!(prompt(&a).contains("η = 0.2"), "{}", prompt(&a));
    // (3, 4) − 0.2·(10, 11) = (1, 1.8); the old η's answer is wrong now.
    answer(&mut a, "2, 2.9");
    assert!(!screen(&mut a, 100, 40).contains("right!"));
    answer(&mut a, "1, 1.8");
    assert!(screen(&mut a, 100, 40).contains("right!"));
}

#[test]
fn a_wrong_sandbox_prediction_gets_a_hint_from_the_learners_numbers() {
    let mut a = sandbox(Lang::En);
    key(&mut a, 'P');
    for c in "4, 5.1".chars() {
        key(&mut a, c);
    }
    code(&mut a, KeyCode::Enter);
    let s = screen(&mut a, 100, 40);
    // The first wrong try is told its slip in words, never θ next (2).
    assert!(s.contains("for x you typed 4: you added"), "{s}");
    assert!(s.contains("η·∇L;"), "{s}");
    assert!(!s.contains("= 2 for") && !s.contains("0.1·10"), "{s}");
    assert!(
        s.contains("θ next     (?, ?)"),
        "still hidden after a wrong try:\n{s}"
    );
    let mut z = sandbox(Lang::Zh);
    key(&mut z, 'P');
    for c in "4, 5.1".chars() {
        key(&mut z, c);
    }
    code(&mut z, KeyCode::Enter);
    let s = screen(&mut z, 100, 30);
    assert!(s.contains("的是 4：你加上了"), "{s}");
}

#[test]
fn show_me_in_the_sandbox_round_gives_the_step_from_the_learners_formula() {
    let mut a = sandbox(Lang::En);
    // Their own formula and start.
    key(&mut a, 'f');
    for _ in 0..40 {
        code(&mut a, KeyCode::Backspace);
    }
    for c in "x^2 + 3*y^2".chars() {
        key(&mut a, c);
    }
    code(&mut a, KeyCode::Enter);
    key(&mut a, 'P');
    code(&mut a, KeyCode::Esc);
    key(&mut a, 'w');
    let s = screen(&mut a, 100, 40);
    // From (3, 4): ∇ = (6, 24), next = (3 − 0.6, 4 − 2.4).
    assert!(s.contains("answer: (2.4, 1.6)"), "{s}");
    assert!(s.contains("θ next     (2.4, 1.6)"), "{s}");
}

const VARIED: &str = r#"id = "varied"
order = 1
title = { zh = "甲", en = "A" }
summary = { zh = "乙", en = "B" }
[scene]
view = "slope"
formula = "FORMULA"
start = [4]
[[page]]
zh = "看斜率。"
en = "Look at the slope."
[page.exercise]
prompt = { zh = "f′({x}) 是多少？", en = "What is f′({x})?" }
vary = { start = [[1], STARTS] }
asks = "grad"
explain = { zh = "= {answer}", en = "= {answer}" }
[[check]]
at = 0
value = 16
"#;

/// Runs `check` on the lesson with the formula and the extra starts filled in.
fn check(formula: &str, starts: &str) -> (i32, String) {
    common::check_lesson(
        "varied.toml",
        &VARIED.replace("FORMULA", formula).replace("STARTS", starts),
    )
}

#[test]
fn check_verifies_every_instance() {
    let (code, out) = check("x^2", "[9], [-2.5]");
    assert_eq!(code, 0, "{out}");
}

#[test]
fn check_rejects_a_variant_whose_answer_is_undefined_at_its_place() {
    // 1/(x − 3) has no derivative at x = 3: the third start, line 14, column 24.
    let (code, out) = check("x^2 + 1/(x - 3)", "[3]");
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains("varied.toml:14:24: page 1: variant 3 (start [3]):"),
        "{out}"
    );
    assert!(out.contains("not a finite number"), "{out}");
}

#[test]
fn check_rejects_a_variant_given_away_by_the_page() {
    // f′(3) = 6 for x², and the page says 6.
    let (code, out) = check("x^2", "[3]");
    assert_eq!(code, 0, "{out}");
    let text = VARIED
        .replace("FORMULA", "x^2")
        .replace("STARTS", "[3]")
        .replace(
            "Look at the slope.",
            "Look at the slope, 6 is a nice number.",
        );
    let (code, all) = common::check_lesson("varied.toml", &text);
    assert_ne!(code, 0, "{all}");
    assert!(
        all.contains("varied.toml:11:26: page 1: the text states the exercise's answer ('6' = 6)")
            && all.contains("(variant 3, start [3])"),
        "{all}"
    );
}

#[test]
fn check_names_an_unknown_placeholder_and_a_typed_answer() {
    let text = VARIED
        .replace("FORMULA", "x^2")
        .replace("STARTS", "[3]")
        .replace("= {answer}\" }", "= {answr}\" }")
        .replace("asks = \"grad\"", "asks = \"grad\"\nanswer = 8");
    let (code, all) = common::check_lesson("varied.toml", &text);
    assert_ne!(code, 0, "{all}");
    assert!(all.contains("unknown placeholder {answr}"), "{all}");
    assert!(
        all.contains("a varied exercise's answer is computed at each start: remove answer"),
        "{all}"
    );
}

const TWO_D: &str = r#"id = "two"
order = 1
title = { zh = "甲", en = "A" }
summary = { zh = "乙", en = "B" }
[scene]
view = "surface"
formula = "x^2 + 3*y^2"
vars = ["x", "y"]
start = [1, 1]
[[page]]
zh = "看。"
en = "Look."
[page.exercise]
prompt = { zh = "在 {start}？", en = "At {start}?" }
EXERCISE
explain = { zh = "= {answer}", en = "= {answer}" }
[[check]]
at = 0
value = 4
"#;

fn problems(exercise: &str) -> Vec<String> {
    let src = TWO_D.replace("EXERCISE", exercise);
    match gradstep::lesson::parse_lesson(&src, "two.toml", &|_| unreachable!()) {
        Ok(_) => Vec::new(),
        Err(ps) => ps.iter().map(|p| p.to_string()).collect(),
    }
}

#[test]
fn a_varied_question_on_two_parameters_names_which_one_it_asks() {
    let ok = problems("vary = { start = [[2, -1]] }\nasks = \"grad\"\nof = \"y\"");
    assert!(ok.is_empty(), "{ok:?}");
    let ps = problems("vary = { start = [[2, -1]] }\nasks = \"grad\"");
    assert!(
        ps.iter()
            .any(|p| p.contains("say which parameter's component is asked: of = \"x\"")),
        "{ps:?}"
    );
    let ps = problems("vary = { start = [[2, -1]] }\nasks = \"grad\"\nof = \"z\"");
    assert!(
        ps.iter()
            .any(|p| p.contains("of = 'z' is not a parameter (x, y)")),
        "{ps:?}"
    );
    let ps = problems("vary = { start = [[2]] }\nasks = \"loss\"");
    assert!(
        ps.iter()
            .any(|p| p.starts_with("two.toml:15:19:") && p.contains("this start has 1 number(s)")),
        "{ps:?}"
    );
    // A sign is not computed per start: the written answer is refused with the reason.
    let ps = problems("vary = { start = [[2, -1]] }\nanswer = \"+\"");
    assert!(
        ps.iter()
            .any(|p| p.contains("answer is computed at each start: remove answer")),
        "{ps:?}"
    );
    let ps = problems("asks = \"grad\"\nanswer = 2\nof = \"x\"");
    assert!(
        ps.iter()
            .any(|p| p.contains("or the component a varied exercise asks")),
        "{ps:?}"
    );
}

#[test]
fn the_answer_of_each_instance_comes_from_the_math_core() {
    let src = TWO_D.replace(
        "EXERCISE",
        "vary = { start = [[2, -1], [0.5, 2]] }\nasks = \"grad\"\nof = \"y\"",
    );
    let lesson = gradstep::lesson::parse_lesson(&src, "two.toml", &|_| unreachable!()).unwrap();
    let page = &lesson.pages[0];
    let vary = page.vary.as_ref().unwrap();
    let base = page.exercise.as_ref().unwrap();
    // ∂/∂y (x² + 3y²) = 6y at each start.
    for (k, want) in [(0, 6.0), (1, -6.0), (2, 12.0)] {
        let inst = vary.instance(base, &page.scene, k).unwrap();
        match inst.exercise.answer {
            gradstep::lesson::Answer::Number { value, .. } => assert_eq!(value, want, "{k}"),
            ref other => panic!("{other:?}"),
        }
        assert_eq!(inst.scene.start, vary.starts[k]);
    }
    assert_eq!(page.exercise_id.as_deref(), Some("p1.1"));
}
