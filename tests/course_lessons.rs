//! The opening, the vanishing/exploding lesson and the exercises added to learning-rate,
//! stopping and hard-terrain, answered as a learner would: the right answer is accepted, a
//! wrong one is not, the asked number is hidden while the question is open, and the numbers
//! the pages teach are the ones the tutor shows after stepping.

mod tutor;

use crossterm::event::KeyCode;
use gradstep::lesson::Lang;
use gradstep::tui::{App, Open};
use tutor::{answer, code, key, screen};

/// `id` turned to `page` (1-based).
fn page(id: &str, n: usize, lang: Lang) -> App {
    let mut a = tutor::app(Open::Lesson(id.into()), lang);
    for _ in 1..n {
        code(&mut a, KeyCode::PageDown);
    }
    a
}

fn right(s: &str) -> bool {
    s.contains("right!") || s.contains("答对了")
}

/// (lesson, page, a wrong answer, the right answer, what is hidden while it is open).
const EXERCISES: [(&str, usize, &str, &str, &str); 11] = [
    ("opening", 1, "6", "-6", "∇L(θ)      ?"),
    ("opening", 2, "-2.5", "0.5", "θ next     ?"),
    ("opening", 3, "4", "5", ""),
    ("vanishing-exploding", 2, "0.25", "0.0588", "∇L(θ)      ?"),
    (
        "vanishing-exploding",
        3,
        "0.01335",
        "-0.01335",
        "θ next     ?",
    ),
    ("vanishing-exploding", 5, "7.29", "-6.29", "θ next     ?"),
    ("stopping", 4, "0.001", "1", ""),
    ("hard-terrain", 1, "1.2, 0", "0.8, 0", "θ next     (?, ?)"),
    ("hard-terrain", 3, "1.5", "-1.5", "∇L(θ)      (?, ?)"),
    ("optimizers", 2, "0.6", "0", "θ next     (?, ?)"),
    ("optimizers", 5, "1", "10", "Δθ (rmsprop) (?, ?)"),
];

#[test]
fn each_new_exercise_hides_its_answer_refuses_a_wrong_one_and_takes_the_right_one() {
    for (id, n, wrong, good, hidden) in EXERCISES {
        for lang in [Lang::En, Lang::Zh] {
            let what = format!("{id} p{n} {lang}");
            let mut a = page(id, n, lang);
            let s = screen(&mut a, 100, 40);
            // The rows' labels are English in `hidden`; the Chinese panel has its own.
            if lang == Lang::En {
                assert!(s.contains(hidden), "{what}: '{hidden}' while open:\n{s}");
            }
            answer(&mut a, wrong);
            let s = screen(&mut a, 100, 40);
            assert!(!right(&s), "{what}: {wrong} taken as right:\n{s}");
            answer(&mut a, good);
            let s = screen(&mut a, 100, 40);
            assert!(right(&s), "{what}: {good} refused:\n{s}");
        }
    }
}

#[test]
fn the_opening_walks_to_the_bottom_as_its_pages_say() {
    // Page 3: each step halves the distance to 2; the fifth is the first within 0.1.
    let mut a = page("opening", 3, Lang::En);
    for want in ["= 0.5", "= 1.25", "= 1.625", "= 1.8125", "= 1.90625"] {
        key(&mut a, 'n');
        let s = screen(&mut a, 100, 40);
        assert!(s.contains(&format!("θ = x      {want}")), "{want}:\n{s}");
    }
    // Page 4: the 2-D bowl, one step from (−2, 1) against ∇L = (−4, 6).
    let mut a = page("opening", 4, Lang::En);
    key(&mut a, 'n');
    let s = screen(&mut a, 100, 40);
    assert!(s.contains("= (-1.6, 0.4)"), "{s}");
}

#[test]
fn the_exploding_chain_diverges_at_step_6_and_converges_below_2_over_729() {
    let mut a = page("vanishing-exploding", 5, Lang::En);
    key(&mut a, 'w');
    for _ in 0..10 {
        key(&mut a, 'n');
    }
    let s = screen(&mut a, 100, 40);
    assert!(s.contains("t = 6") && s.contains("diverged"), "{s}");
    let mut a = page("vanishing-exploding", 6, Lang::En);
    key(&mut a, 'n');
    let s = screen(&mut a, 100, 40);
    assert!(s.contains("θ = w      = -0.458"), "{s}");
}

#[test]
fn the_learning_rate_lesson_defines_the_hessian_before_using_its_eigenvalues() {
    for lang in [Lang::En, Lang::Zh] {
        let mut a = page("learning-rate", 5, lang);
        let s = screen(&mut a, 100, 40);
        let (word, curvature) = match lang {
            Lang::En => ("second", "curvatures"),
            Lang::Zh => ("矩阵", "曲率"),
        };
        assert!(
            s.contains("Hessian") && s.contains(word) && s.contains(curvature),
            "{lang}:\n{s}"
        );
    }
}
