//! The optimizers lesson as a learner meets it at 80×24: each optimizer's page shows its rule
//! card, takes torch's first step (the numbers the page works out), Adam's panel shows β₁, β₂
//! and the bias-corrected m̂, v̂ of the current step, and a question about the step never sees
//! the memory that would give it away. The tmux test drives the real binary.

mod common;
mod tutor;

use crossterm::event::KeyCode;
use gradstep::lesson::Lang;
use gradstep::tui::{App, Open};
use tutor::{code, key, screen};

/// The optimizers lesson turned to `page` (1-based, as the lesson file counts).
fn page(n: usize, lang: Lang) -> App {
    let mut a = tutor::app(Open::Lesson("optimizers".into()), lang);
    for _ in 1..n {
        code(&mut a, KeyCode::PageDown);
    }
    a
}

/// The Numbers panel's lines (the left column below the page panel), trimmed.
fn numbers(s: &str) -> Vec<String> {
    let mut inside = false;
    let mut out = Vec::new();
    for line in s.lines() {
        let left: String = line.chars().take(34).collect();
        if left.contains("Numbers") || left.contains("数值") {
            inside = true;
            continue;
        }
        if inside {
            if left.starts_with('+') || left.starts_with('╰') {
                break;
            }
            out.push(left.trim_matches(['|', '│', ' ']).to_string());
        }
    }
    out
}

fn has_row(rows: &[String], label: &str, value: &str) -> bool {
    rows.iter()
        .any(|r| r.starts_with(label) && r[label.len()..].trim() == value)
}

/// Page, optimizer, its rule line, the state row after step 1, θ after step 1 (the page's
/// worked numbers, computed by hand from torch's formulas). AdaGrad's and RMSProp's y lands
/// a hair off 0 (ε in the denominator), so only their x is given in full.
const FIRST_STEPS: [(usize, &str, &str, &str, &str, &str); 5] = [
    (
        2,
        "momentum",
        "v ← μv + g  Δθ = −ηv  μ = 0.9",
        "v velocity",
        "(-0.8, 20)",
        "(-3.984, 0.6)",
    ),
    (
        3,
        "nesterov",
        "Δθ = −η(g + μv)",
        "v velocity",
        "(-0.8, 20)",
        "(-3.9696, 0.24)",
    ),
    (
        4,
        "adagrad",
        "s ← s + g²  Δθ = −ηg/(√s+ε)",
        "s = Σg²",
        "(0.64, 400)",
        "(-3, ",
    ),
    (
        5,
        "rmsprop",
        "s ← αs + (1−α)g²  α = 0.99",
        "s ≈ E[g²]",
        "(0.0064, 4)",
        "(-3, ",
    ),
    (
        6,
        "adam",
        "Δθ = −ηm̂/(√v̂+ε)",
        "m ≈ E[g]",
        "(0.06, -1)",
        "(2.7, -0.2)",
    ),
];

#[test]
fn each_optimizer_page_shows_its_card_and_takes_torchs_first_step() {
    for (n, name, rule, row, value, theta1) in FIRST_STEPS {
        let mut a = page(n, Lang::En);
        let before = screen(&mut a, 80, 24);
        let rows = numbers(&before);
        assert!(
            rows.iter().any(|r| r.contains(&format!("({name})"))),
            "page {n} runs {name}:\n{before}"
        );
        assert!(
            rows.iter().any(|r| r == rule),
            "page {n}: rule '{rule}' in the panel:\n{before}"
        );
        // A question about the step holds n until it is answered or shown (w).
        key(&mut a, 'w');
        key(&mut a, 'n');
        let after = screen(&mut a, 80, 24);
        let rows = numbers(&after);
        assert!(
            rows.iter().any(|r| r
                .strip_prefix("θ = (x, y) = ")
                .is_some_and(|v| v.trim_start_matches("= ").starts_with(theta1))),
            "page {n}: θ₁ = {theta1}:\n{after}"
        );
        assert!(
            rows.iter().any(|r| r.starts_with("t = 1")),
            "page {n}: one step taken:\n{after}"
        );
        // The card's rows are the memory the next step uses; undo shows the first step's.
        // Read on a taller screen: at 80×24 a shown answer's working, pinned in the page
        // panel, takes the rows below the step.
        key(&mut a, 'b');
        let back = screen(&mut a, 80, 40);
        assert!(
            has_row(&numbers(&back), row, value),
            "page {n}: {row} = {value} after taking in g₁:\n{back}"
        );
    }
}

#[test]
fn each_optimizer_page_after_one_step_at_80x24() {
    for (n, name, ..) in FIRST_STEPS {
        for lang in [Lang::En, Lang::Zh] {
            let mut a = page(n, lang);
            key(&mut a, 'w');
            key(&mut a, 'n');
            let s = screen(&mut a, 80, 24);
            insta::assert_snapshot!(format!("optimizers_{name}_step1_{lang}"), s);
        }
    }
}

#[test]
fn adams_panel_shows_beta1_beta2_and_the_bias_corrected_moments() {
    let mut a = page(6, Lang::En);
    let s = screen(&mut a, 80, 24);
    let rows = numbers(&s);
    assert!(
        rows.iter().any(|r| r == "β₁ = 0.9  β₂ = 0.999  t = 1"),
        "{s}"
    );
    // Page 6 starts at (3, −0.5), g₁ = (0.6, −10). Step 1: m = 0.1·g and v = 0.001·g² are
    // too small; corrected they are g and g² again.
    assert!(has_row(&rows, "m ≈ E[g]", "(0.06, -1)"), "{s}");
    assert!(has_row(&rows, "m̂", "(0.6, -10)"), "{s}");
    assert!(has_row(&rows, "v̂", "(0.36, 100)"), "{s}");
    key(&mut a, 'n');
    let s = screen(&mut a, 80, 24);
    let rows = numbers(&s);
    assert!(
        rows.iter().any(|r| r == "β₁ = 0.9  β₂ = 0.999  t = 2"),
        "{s}"
    );
    // Step 2 from θ₁ = (2.7, −0.2), g₂ = (0.54, −4): m₂ = 0.9·m₁ + 0.1·g₂ = (0.108, −1.3),
    // m̂₂ = m₂/0.19; v₂ = 0.999·v₁ + 0.001·g₂² = (0.00065124, 0.1159), v̂₂ = v₂/0.001999.
    assert!(has_row(&rows, "m̂", "(0.568421, -6.84211)"), "{s}");
    assert!(has_row(&rows, "v̂", "(0.325783, 57.979)"), "{s}");
}

#[test]
fn a_question_about_the_step_shows_the_memory_before_it() {
    // Page 7 asks for Adam's first step: the moments after it (m̂ = g) would be the answer's
    // working, so the panel shows the memory the step starts from, zeros, until it is shown.
    let mut a = page(7, Lang::En);
    let s = screen(&mut a, 80, 24);
    let rows = numbers(&s);
    assert!(rows.iter().any(|r| r == "memory before this step:"), "{s}");
    assert!(has_row(&rows, "m ≈ E[g]", "(0, 0)"), "{s}");
    assert!(!rows.iter().any(|r| r.starts_with("m̂")), "{s}");
    assert!(has_row(&rows, "θ next", "(?, ?)"), "{s}");
    key(&mut a, 'w');
    let s = screen(&mut a, 80, 40);
    let rows = numbers(&s);
    assert!(!rows.iter().any(|r| r.starts_with("memory")), "{s}");
    assert!(has_row(&rows, "m̂", "(-0.8, 20)"), "{s}");

    // The same in Chinese, on momentum's second-step question.
    let mut a = page(2, Lang::Zh);
    let s = screen(&mut a, 80, 24);
    assert!(s.contains("这一步之前的记忆："), "{s}");
}

#[test]
fn selecting_adam_in_the_optimizers_lesson_shows_its_moments_in_a_real_terminal() {
    if !common::have("tmux") {
        eprintln!("note: tmux not found, skipping the tmux test");
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_gradstep");
    let cmd = format!(
        "XDG_DATA_HOME={} {bin} --lang en lesson optimizers; echo GRADSTEP_EXIT=$?; exec sh",
        data.path().display()
    );
    let t = common::Tmux::start("adam", 80, 24, &cmd);
    t.wait_for("(sgd)", 10);
    // o cycles sgd → momentum → nesterov → adagrad → rmsprop → adam.
    t.keys(&["o", "o", "o", "o", "o"]);
    let s = t.wait_for("(adam)", 5);
    for want in ["β₁ = 0.9  β₂ = 0.999  t = 1", "m̂", "v̂"] {
        assert!(s.contains(want), "'{want}' on screen:\n{s}");
    }
    // The bias-corrected first moment is g itself, the gradient row's value.
    assert!(s.contains("(-0.8, 20)"), "{s}");
    t.keys(&["n"]);
    t.wait_for("β₂ = 0.999  t = 2", 5);
    t.keys(&["q", "q"]);
    t.wait_for("GRADSTEP_EXIT=0", 5);
}
