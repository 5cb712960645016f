//! Every label the tutor writes around the numbers exists in both languages: every page of
//! every lesson, and the sandbox, drawn in Chinese, before and after some steps, shows none of
//! the English chart and panel words (while the English screens still do, so the list is real).

mod tutor;
use crossterm::event::KeyCode;
use gradstep::lesson::{self, Lang};
use gradstep::math::Formula;
use gradstep::math::optimizer::{Kind, Optimizer};
use gradstep::stage::SandboxSpec;
use gradstep::tui::{App, Open};
use tutor::{code, key, screen};

/// English words the chart, the panels and the status line used to print in every language.
const ENGLISH: [&str; 11] = [
    "levels",
    // The batch lesson's runs, named in its text as 批量 and 小批量.
    "batch GD",
    "mini-batch",
    "slope =",
    "flat:",
    "no finite values",
    "batch=",
    "stepping",
    "converged",
    "diverged",
    "stopped",
];

fn english_in(s: &str) -> Vec<&'static str> {
    ENGLISH.iter().copied().filter(|w| s.contains(w)).collect()
}

/// Every page of every lesson at two sizes, before and after three steps.
fn screens(lang: Lang) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for l in lesson::load_embedded().lessons {
        let mut a = tutor::app(Open::Lesson(l.id.clone()), lang);
        for n in 0..l.pages.len() {
            for (w, h) in [(80, 24), (120, 36)] {
                out.push((format!("{} p{} {w}x{h}", l.id, n + 1), screen(&mut a, w, h)));
            }
            for _ in 0..3 {
                key(&mut a, 'n');
            }
            out.push((
                format!("{} p{} after n", l.id, n + 1),
                screen(&mut a, 120, 36),
            ));
            code(&mut a, KeyCode::PageDown);
        }
    }
    out
}

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

#[test]
fn no_english_label_on_any_chinese_page() {
    for (what, s) in screens(Lang::Zh) {
        let found = english_in(&s);
        assert!(found.is_empty(), "{what}: English {found:?}\n{s}");
    }
}

#[test]
fn the_english_pages_do_show_those_labels() {
    // The list above is not made of words nobody prints: English screens carry them.
    let all: String = screens(Lang::En).into_iter().map(|(_, s)| s).collect();
    for w in ["levels", "slope =", "stepping", "batch GD", "mini-batch"] {
        assert!(all.contains(w), "no English screen shows {w:?}");
    }
}

#[test]
fn sandbox_charts_speak_chinese() {
    // A slope view, a bowl, a flat function and one with no finite value in sight.
    for (f, start) in [
        ("x^2", vec![3.0]),
        ("x^2 + 3*y^2", vec![1.0, 1.0]),
        ("0*x + 0*y + 1", vec![0.0, 0.0]),
        ("sqrt(-1 - x^2 - y^2)", vec![0.0, 0.0]),
    ] {
        let mut a = sandbox(f, start, Lang::Zh);
        key(&mut a, 'n');
        let s = screen(&mut a, 100, 30);
        let found = english_in(&s);
        assert!(found.is_empty(), "{f}: English {found:?}\n{s}");
    }
    let s = screen(&mut sandbox("x^2", vec![3.0], Lang::Zh), 100, 30);
    assert!(s.contains("斜率 = 6"), "{s}");
    let s = screen(
        &mut sandbox("x^2 + 3*y^2", vec![1.0, 1.0], Lang::Zh),
        100,
        30,
    );
    assert!(s.contains("等高线 a="), "{s}");
}

/// A surface whose loss the lesson calls J, as least squares does.
const NAMED_J: &str = r#"id = "named-j"
order = 1
title = { zh = "J", en = "J" }
summary = { zh = "叫 J 的损失", en = "a loss called J" }

[scene]
view = "surface"
formula = "x^2 + y^2"
param_names = ["θ₁", "θ₀"]
loss_name = "J"
start = [1, 1]

[[page]]
zh = "一个碗。"
en = "A bowl."

[[check]]
at = 0
value = 2
"#;

#[test]
fn the_chart_title_names_the_loss_as_the_lesson_does() {
    let mut a = tutor::lesson_app(NAMED_J, "named-j", Lang::En);
    let s = screen(&mut a, 100, 30);
    assert!(s.contains("J(x, y) = x^2 + y^2"), "{s}");
    assert!(!s.contains("L(x, y)"), "{s}");
}
