//! No page hands out another page's answer (issue 14, a learner's walk): linear regression's
//! first page hides ∇J and θ next until the pages that ask them are answered, a question may
//! hide several quantities (`asks = [...]`) and a page may hide some without a question
//! (`hide = [...]`), and Taylor's ∇L·v row is hidden while a question asks for it.

mod tutor;

use crossterm::event::KeyCode;
use gradstep::lesson::{self, Lang};
use gradstep::tui::{App, Open};
use tutor::{answer, code, key, row, screen};

const W: u16 = 100;
const H: u16 = 30;

#[test]
fn linear_regression_p1_keeps_the_next_pages_answers_until_they_are_answered() {
    let mut a = tutor::app(Open::Lesson("linear-regression".into()), Lang::En);
    let s = screen(&mut a, W, H);
    assert_eq!(
        row(&s, "∇J(θ)").as_deref(),
        Some("(?, ?)"),
        "p2's answer: {s}"
    );
    assert_eq!(
        row(&s, "θ next").as_deref(),
        Some("(?, ?)"),
        "p3's answer: {s}"
    );
    assert!(!s.contains("-4.75") && !s.contains("0.475"), "{s}");
    // Answering p1's own question (J) does not lift what p2 and p3 ask.
    answer(&mut a, "3.75");
    let s = screen(&mut a, W, H);
    assert!(s.contains("right!"), "{s}");
    assert_eq!(row(&s, "J(θ)").as_deref(), Some("3.75"), "{s}");
    assert_eq!(row(&s, "∇J(θ)").as_deref(), Some("(?, ?)"), "{s}");
    // p2 shows J (p1's, answered) but not θ next (p3's) even once its own ∇J is answered.
    code(&mut a, KeyCode::PageDown);
    answer(&mut a, "-4.75");
    let s = screen(&mut a, W, H);
    assert!(s.contains("right!"), "{s}");
    assert_eq!(row(&s, "∇J(θ)").as_deref(), Some("(-4.75, -2.5)"), "{s}");
    assert_eq!(row(&s, "θ next").as_deref(), Some("(?, ?)"), "{s}");
    // Back on p1: ∇J is the learner's now; θ next still waits for p3.
    code(&mut a, KeyCode::PageUp);
    let s = screen(&mut a, W, H);
    assert_eq!(row(&s, "∇J(θ)").as_deref(), Some("(-4.75, -2.5)"), "{s}");
    assert_eq!(row(&s, "θ next").as_deref(), Some("(?, ?)"), "{s}");
    // A step on p1 moves the run away from p3's question: the panel shows its numbers.
    key(&mut a, 'n');
    let s = screen(&mut a, W, H);
    assert_ne!(row(&s, "θ next").as_deref(), Some("(?, ?)"), "{s}");
    // p3 shown with `w`: p1 (opening fresh again) shows θ next.
    code(&mut a, KeyCode::PageDown);
    code(&mut a, KeyCode::PageDown);
    key(&mut a, 'w');
    code(&mut a, KeyCode::PageUp);
    code(&mut a, KeyCode::PageUp);
    let s = screen(&mut a, W, H);
    assert_eq!(row(&s, "θ next").as_deref(), Some("(0.475, 0.25)"), "{s}");
}

#[test]
fn taylor_p2_hides_grad_dot_v_while_it_asks_for_it() {
    for lang in [Lang::En, Lang::Zh] {
        let mut a = tutor::app(Open::Lesson("taylor".into()), lang);
        code(&mut a, KeyCode::PageDown);
        let s = screen(&mut a, W, H);
        assert!(s.contains("° = ?"), "{lang:?}: {s}");
        assert!(s.contains("ε∇L·v = ?"), "{lang:?}: {s}");
        // Turning v all the way round, through the question's 120°, reads nothing off.
        for _ in 0..24 {
            code(&mut a, KeyCode::Left);
            let s = screen(&mut a, W, H);
            assert!(s.contains("° = ?") && !s.contains("-1.41"), "{lang:?}: {s}");
        }
        answer(&mut a, "-1.41");
        let s = screen(&mut a, W, H);
        assert!(
            !s.contains("° = ?") && !s.contains("ε∇L·v = ?"),
            "{lang:?}: {s}"
        );
    }
}

const LISTS: &str = r#"id = "lists"
order = 1
title = { zh = "甲", en = "A" }
summary = { zh = "乙", en = "B" }
[scene]
view = "surface"
formula = "x^2 + y^2"
start = [3, 4]
lr = 0.1
[[page]]
zh = "看看。"
en = "Look."
hide = ["grad"]
[[page]]
zh = "问。"
en = "Ask."
[page.exercise]
prompt = { zh = "L？", en = "L?" }
answer = 25
asks = ["loss", "grad"]
explain = { zh = "9 + 16", en = "9 + 16" }
[[check]]
at = 0
value = 25
"#;

fn lists_app() -> App {
    tutor::lesson_app(LISTS, "lists", Lang::En)
}

#[test]
fn a_page_hide_and_an_asks_list_each_hide_what_they_name() {
    let mut a = lists_app();
    let s = screen(&mut a, W, H);
    assert_eq!(row(&s, "∇L(θ)").as_deref(), Some("(?, ?)"), "hide: {s}");
    // Page 2 asks L at the same point: hidden here too, with nothing written in the file.
    assert_eq!(row(&s, "L(θ)").as_deref(), Some("?"), "later question: {s}");
    code(&mut a, KeyCode::PageDown);
    let s = screen(&mut a, W, H);
    assert_eq!(row(&s, "L(θ)").as_deref(), Some("?"), "{s}");
    assert_eq!(row(&s, "∇L(θ)").as_deref(), Some("(?, ?)"), "{s}");
    answer(&mut a, "25");
    let s = screen(&mut a, W, H);
    assert_eq!(row(&s, "∇L(θ)").as_deref(), Some("(6, 8)"), "{s}");
    // Back on page 1, L is answered so it shows; the page-level hide stays, since that page
    // has no question to lift it.
    code(&mut a, KeyCode::PageUp);
    let s = screen(&mut a, W, H);
    assert_eq!(row(&s, "L(θ)").as_deref(), Some("25"), "{s}");
    assert_eq!(row(&s, "∇L(θ)").as_deref(), Some("(?, ?)"), "{s}");
}

#[test]
fn check_names_an_unknown_or_empty_asks_list_with_its_place() {
    let bad = LISTS.replace(r#"asks = ["loss", "grad"]"#, r#"asks = ["loss", "slope"]"#);
    let err = lesson::load::parse_lesson(&bad, "lists.toml", &|_: &str| {
        Err(gradstep::math::DataError::Unreadable("none".into()))
    })
    .unwrap_err();
    let msg = format!("{err:?}");
    assert!(msg.contains("asks = 'slope' is not one of"), "{msg}");
    let empty = LISTS.replace(r#"hide = ["grad"]"#, "hide = []");
    let err = lesson::load::parse_lesson(&empty, "lists.toml", &|_: &str| {
        Err(gradstep::math::DataError::Unreadable("none".into()))
    })
    .unwrap_err();
    let msg = format!("{err:?}");
    assert!(msg.contains("page 1: hide = [] names nothing"), "{msg}");
}

#[test]
fn paging_on_past_a_question_does_not_read_its_answer_on_the_next_page() {
    // linear-regression p3 opens where p2 asks ∇J: a learner who skipped p2 must not find
    // (−4.75, −2.5) there; once p3's own θ next is answered, θ next is theirs to see.
    let mut a = tutor::app(Open::Lesson("linear-regression".into()), Lang::En);
    code(&mut a, KeyCode::PageDown);
    code(&mut a, KeyCode::PageDown);
    let s = screen(&mut a, W, H);
    assert_eq!(
        row(&s, "∇J(θ)").as_deref(),
        Some("(?, ?)"),
        "p2's answer: {s}"
    );
    assert!(!s.contains("-4.75"), "{s}");
    answer(&mut a, "0.475, 0.25");
    let s = screen(&mut a, W, H);
    assert!(s.contains("right!"), "{s}");
    assert_eq!(row(&s, "θ next").as_deref(), Some("(0.475, 0.25)"), "{s}");
    assert_eq!(
        row(&s, "∇J(θ)").as_deref(),
        Some("(?, ?)"),
        "p2 is still open: {s}"
    );
    // Answering p2 gives ∇J back on p3 too.
    code(&mut a, KeyCode::PageUp);
    answer(&mut a, "-4.75");
    code(&mut a, KeyCode::PageDown);
    let s = screen(&mut a, W, H);
    assert_eq!(row(&s, "∇J(θ)").as_deref(), Some("(-4.75, -2.5)"), "{s}");
}
