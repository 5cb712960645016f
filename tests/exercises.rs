//! Exercises that make the learner think: `gradstep check` refuses a page that states its
//! exercise's answer, and says where, while numbers that merely look alike pass.

mod common;

const LESSON: &str = r#"id = "giveaway"
order = 1
title = { zh = "甲", en = "A" }
summary = { zh = "乙", en = "B" }
[scene]
view = "slope"
formula = "x^2"
start = [5]
[[page]]
zh = """
f(x) = x² 的导数是 2x。
PAGE_ZH"""
en = """
The derivative of f(x) = x² is 2x.
PAGE_EN"""
[page.exercise]
prompt = { zh = "f′(5) 是多少？", en = "What is f′(5)?" }
answer = 10
asks = "grad"
hint = { zh = "把 x = 5 代入 2x。", en = "Put x = 5 into 2x." }
explain = { zh = "2·5 = 10。", en = "2·5 = 10." }
[[check]]
at = 0
grad = [10]
"#;

/// Runs `check` on the lesson with the two placeholder lines filled in.
fn check(zh: &str, en: &str) -> (i32, String) {
    common::check_lesson(
        "giveaway.toml",
        &LESSON.replace("PAGE_ZH", zh).replace("PAGE_EN", en),
    )
}

#[test]
fn unrelated_numbers_pass() {
    let (code, out) = check(
        "试试 100 步、0.10、10.5 或 2^10。",
        "Try 100 steps, 0.10, 10.5, x10 or 2^10.",
    );
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_page_stating_the_answer_is_refused_with_the_place_and_the_text() {
    let (code, out) = check("所以 f′(5) = 10。", "So f′(5) = 10.0 here.");
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains(
            "giveaway.toml:12:12: page 1: the text states the exercise's answer ('10' = 10)"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "giveaway.toml:15:12: page 1: the text states the exercise's answer ('10.0' = 10)"
        ),
        "{out}"
    );
}

#[test]
fn a_fraction_counts_as_the_answer() {
    let (code, out) = check("即 20/2。", "That is 20/2.");
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("('20/2' = 10)"), "{out}");
}
