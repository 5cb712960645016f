//! The "predict the step" exercise as a learner meets it: θ next hidden while the question is
//! open, `n` waiting for the answer, a hint built from the learner's own numbers, `w` to see
//! the answer; and `gradstep check` refusing a page that states the computed answer.

mod common;
mod tutor;

use common::{Tmux, have};
use crossterm::event::KeyCode;
use gradstep::lesson::Lang;
use gradstep::tui::{App, Open};
use tutor::{answer, code, key, screen};

fn app(lang: Lang) -> App {
    tutor::app(Open::Lesson("slp-logistic".into()), lang)
}

/// slp-logistic on its third page, where the question asks for θ¹.
fn on_predict_page(lang: Lang) -> App {
    let mut a = app(lang);
    code(&mut a, KeyCode::Right);
    code(&mut a, KeyCode::Right);
    a
}

#[test]
fn while_open_theta_next_is_hidden_and_n_waits() {
    let mut a = on_predict_page(Lang::En);
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("Where does θ land?"), "{s}");
    assert!(s.contains("θ next     (?, ?, ?)"), "{s}");
    assert!(!s.contains("0.15"), "{s}");
    key(&mut a, 'n');
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("answer the question first"), "{s}");
    assert!(s.contains("t = 0"), "n did not step: {s}");
}

#[test]
fn the_right_prediction_is_accepted_and_reveals_theta_next() {
    let mut a = on_predict_page(Lang::En);
    answer(&mut a, "0.15, 0.1, 0.05");
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("right!"), "{s}");
    assert!(
        s.contains("(0.15, 0.1, 0.05)"),
        "θ next is shown again: {s}"
    );
    key(&mut a, 'n');
    let s = screen(&mut a, 100, 30);
    assert!(
        s.contains("= (0.15, 0.1, 0.05)"),
        "the step lands there: {s}"
    );
}

#[test]
fn a_sign_slip_gets_a_hint_in_words_with_the_learners_inputs_not_the_answer() {
    let mut a = on_predict_page(Lang::En);
    answer(&mut a, "(-0.15, 0.1, 0.05)");
    let s = screen(&mut a, 100, 30);
    // The hint wraps with the page panel: check it piece by piece.
    for piece in [
        "for w₁ you typed −0.15:",
        "you added",
        "η·∇L;",
        "∇L = −1.5)",
    ] {
        assert!(s.contains(piece), "{piece}: {s}");
    }
    // The first wrong try learns what went wrong, not where θ lands.
    assert!(!s.contains("= 0.15") && !s.contains("0.1·(−1.5)"), "{s}");
    assert!(s.contains("θ next     (?, ?, ?)"), "still hidden: {s}");
    // A second wrong try sees the rule with the numbers put in, still without its result
    // (the explanation then gives the answer, as after any second wrong try).
    answer(&mut a, "(-0.15, 0.1, 0.05)");
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("θ − η·∇L = 0 − 0.1·(−1.5) for"), "{s}");
    let mut z = on_predict_page(Lang::Zh);
    answer(&mut z, "0.15, 1, 0.05");
    let s = screen(&mut z, 100, 30);
    for piece in ["你输入的是 1：", "先乘上 η"] {
        assert!(s.contains(piece), "{piece}: {s}");
    }
    assert!(!s.contains("0.1·(−1)"), "{s}");
}

/// linear-regression writes its loss J: a hint that says ∇L there names a quantity the page
/// never mentions.
#[test]
fn the_hint_names_the_loss_as_the_page_does() {
    for (lang, pieces) in [
        (Lang::En, ["you typed −0.475", "η·∇J;"]),
        (Lang::Zh, ["你加上了", "η·∇J；"]),
    ] {
        let mut a = tutor::app(Open::Lesson("linear-regression".into()), lang);
        code(&mut a, KeyCode::Right);
        code(&mut a, KeyCode::Right);
        answer(&mut a, "-0.475, 0.25");
        let s = screen(&mut a, 100, 30);
        for piece in pieces {
            assert!(s.contains(piece), "{lang:?} {piece}: {s}");
        }
        assert!(!s.contains("η∇L"), "{lang:?}: {s}");
    }
}

#[test]
fn a_wrong_count_says_how_many_numbers_and_costs_no_try() {
    let mut a = on_predict_page(Lang::En);
    answer(&mut a, "0.15, 0.1");
    let s = screen(&mut a, 100, 30);
    for piece in [
        "θ has 3 components (w₁, w₂, b);",
        "typed 2: one number per parameter",
    ] {
        assert!(s.contains(piece), "{piece}: {s}");
    }
    // Two unreadable answers do not give the answer away as two wrong ones would.
    answer(&mut a, "0.15");
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("θ next     (?, ?, ?)"), "{s}");
    answer(&mut a, "0.15 0.1 0.05");
    assert!(screen(&mut a, 100, 30).contains("right!"));
}

#[test]
fn show_me_gives_the_computed_answer() {
    let mut a = on_predict_page(Lang::En);
    key(&mut a, 'w');
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("answer: (0.15, 0.1, 0.05)"), "{s}");
    assert!(s.contains("θ next     (0.15, 0.1, 0.05)"), "{s}");
    key(&mut a, 'n');
    assert!(screen(&mut a, 100, 30).contains("t = 1"));
}

#[test]
fn the_answer_follows_the_run_when_eta_changes() {
    let mut a = on_predict_page(Lang::En);
    // η halves with `-`: the question is about the step the learner is about to take.
    key(&mut a, '-');
    answer(&mut a, "0.15, 0.1, 0.05");
    let s = screen(&mut a, 100, 30);
    for piece in ["η = 0.05,", "you typed 0.15"] {
        assert!(s.contains(piece), "{piece}: {s}");
    }
}

const LESSON: &str = r#"id = "predict"
order = 1
title = { zh = "甲", en = "A" }
summary = { zh = "乙", en = "B" }
[scene]
view = "surface"
formula = "x^2 + x*y + y^2"
start = [3, 4]
lr = 0.1
[[page]]
zh = "从 (3, 4) 出发，η = 0.1，∇f = (10, 11)。PAGE"
en = "From (3, 4) with η = 0.1, ∇f = (10, 11). PAGE"
[page.exercise]
kind = "predict"
EXTRA
prompt = { zh = "θ 下一步？", en = "θ next?" }
explain = { zh = "(2, 2.9)", en = "(2, 2.9)" }
[[check]]
at = 1
params = [2, 2.9]
"#;

fn check(page: &str, extra: &str) -> (i32, String) {
    common::check_lesson(
        "predict.toml",
        &LESSON.replace("PAGE", page).replace("EXTRA", extra),
    )
}

#[test]
fn check_accepts_a_predict_exercise_whose_page_gives_only_the_inputs() {
    let (code, out) = check("", "");
    assert_eq!(code, 0, "{out}");
}

#[test]
fn check_refuses_a_page_that_states_the_computed_next_point() {
    let (code, out) = check("It lands at (2, 2.9).", "");
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains("predict.toml:11:")
            && out.contains("the text states the exercise's answer ('2' = 2)"),
        "{out}"
    );
}

#[test]
fn check_refuses_a_typed_answer_or_a_foreign_asks_on_a_predict_exercise() {
    let (code, out) = check("", "answer = 2");
    assert_ne!(code, 0);
    assert!(out.contains("remove answer"), "{out}");
    let (code, out) = check("", "asks = \"grad\"");
    assert_ne!(code, 0);
    assert!(out.contains("a predict exercise asks = \"next\""), "{out}");
    let (code, out) = check("", "tol = -1");
    assert_ne!(code, 0);
    assert!(out.contains("tol must be ≥ 0"), "{out}");
}

#[test]
fn check_names_an_unknown_kind() {
    let text = LESSON.replace("kind = \"predict\"", "kind = \"guess\"");
    let (_, all) = common::check_lesson(
        "predict.toml",
        &text.replace("PAGE", "").replace("EXTRA", ""),
    );
    assert!(
        all.contains("kind = 'guess' is not one of number, predict"),
        "{all}"
    );
}

#[test]
fn tmux_slp_logistic_is_solved_by_predicting_the_step() {
    if !have("tmux") {
        eprintln!("tmux not found: skipping the end-to-end predict test");
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_gradstep");
    let cmd = format!(
        "XDG_DATA_HOME={} {bin} lesson slp-logistic; echo GRADSTEP_EXIT=$?; exec sh",
        data.path().display()
    );
    let t = Tmux::start("predict", 80, 24, &cmd);
    // Page 1 shows ∇L as (?, ?, ?): page 2 asks ∂L/∂w₁ at the same point.
    t.wait_for("One review", 10);
    t.wait_for("(?, ?, ?)", 5);
    t.keys(&["Right", "Right"]);
    t.wait_for("(?, ?, ?)", 5);
    t.keys(&["Enter"]);
    // Parentheses also keep tmux from reading a leading '-' as an option.
    t.type_text("(-0.15, 0.1, 0.05)");
    t.keys(&["Enter"]);
    // The hint wraps in the 32-column page panel: it names the slip in words.
    t.wait_for("uphill", 5);
    t.keys(&["Enter"]);
    t.type_text("0.15, 0.1, 0.05");
    t.keys(&["Enter"]);
    t.wait_for("right!", 5);
    t.keys(&["n"]);
    t.wait_for("t = 1", 5);
    t.keys(&["q", "q"]);
    t.wait_for("GRADSTEP_EXIT=0", 5);
}
