//! The pages course-a added, as a learner sees them: ŷ in the Numbers panel (and hidden while a
//! question asks the loss), SGD's shuffled order on screen matching the run and the page text,
//! η_k falling in the panel, the mini-batch gradient as the mean of per-example gradients,
//! and the linear-regression lesson in the source's names θ₀, θ₁, J.

mod tutor;

use crossterm::event::KeyCode;
use gradstep::lesson::{self, Lang};
use gradstep::math::Objective;
use gradstep::tui::app::Screen;
use gradstep::tui::{App, Open};
use tutor::{answer, code, key, row, screen};

const W: u16 = 100;
const H: u16 = 30;

fn lesson_page(id: &str, page: usize, lang: Lang) -> App {
    let mut a = tutor::app(Open::Lesson(id.into()), lang);
    for _ in 0..page {
        code(&mut a, KeyCode::PageDown);
    }
    a
}

fn steps(app: &mut App, n: usize) {
    for _ in 0..n {
        key(app, 'n');
    }
}

fn stage(app: &App) -> &gradstep::stage::Stage {
    match &app.screen {
        Screen::Tutor(t) => &t.stage,
        Screen::Start => panic!("not in a lesson"),
    }
}

#[test]
fn y_hat_is_the_prediction_for_the_example_the_step_uses() {
    let mut a = lesson_page("slp-logistic", 0, Lang::En);
    let s = screen(&mut a, W, H);
    assert_eq!(row(&s, "ŷ").as_deref(), Some("0.5"), "σ(0): {s}");
    steps(&mut a, 1);
    // θ¹ = (0.15, 0.1, 0.05): z = 0.45 + 0.2 + 0.05 = 0.7, σ(0.7) = 0.668187772…
    let s = screen(&mut a, W, H);
    assert_eq!(row(&s, "ŷ").as_deref(), Some("0.668188"), "{s}");
    let mut z = lesson_page("slp-logistic", 0, Lang::Zh);
    assert_eq!(row(&screen(&mut z, W, H), "ŷ").as_deref(), Some("0.5"));
    // A batch of two shows both predictions.
    let mut b = lesson_page("slp-logistic", 4, Lang::En);
    assert_eq!(row(&screen(&mut b, W, H), "ŷ").as_deref(), Some("0.5, 0.5"));
}

#[test]
fn no_y_hat_row_for_linear_regression() {
    let mut a = lesson_page("linear-regression", 1, Lang::En);
    let s = screen(&mut a, W, H);
    assert_eq!(row(&s, "ŷ"), None, "{s}");
}

/// One review, and a question on its loss: ŷ = 0.5 would give L = −ln ŷ away.
const ASKS_LOSS: &str = r#"id = "asks-loss"
order = 1
title = { zh = "损失", en = "Loss" }
summary = { zh = "问损失", en = "asks the loss" }

[scene]
view = "model"
model = "logistic"
rows = [[3, 2, 1]]

[[page]]
zh = "一条影评。"
en = "One review."

[page.exercise]
prompt = { zh = "L 是多少？", en = "What is L?" }
answer = 0.6931
asks = "loss"
tol = 1e-3
explain = { zh = "−ln σ(0) = ln 2。", en = "−ln σ(0) = ln 2." }

[[check]]
at = 0
value = 0.6931471805599453
"#;

#[test]
fn y_hat_is_hidden_while_a_question_asks_the_loss() {
    let mut a = tutor::lesson_app(ASKS_LOSS, "asks-loss", Lang::En);
    let s = screen(&mut a, W, H);
    assert_eq!(row(&s, "ŷ").as_deref(), Some("?"), "{s}");
    assert_eq!(row(&s, "L(θ)").as_deref(), Some("?"), "{s}");
    answer(&mut a, "0.693");
    let s = screen(&mut a, W, H);
    assert_eq!(row(&s, "ŷ").as_deref(), Some("0.5"), "{s}");
}

/// The example numbers (1-based) the SGD page's batch row names, over `n` updates.
fn visited(a: &mut App, n: usize) -> Vec<usize> {
    let mut out = Vec::new();
    for _ in 0..n {
        let s = screen(a, W, H);
        let batch = row(&s, "batch").unwrap_or_else(|| panic!("no batch row: {s}"));
        // "1/4: example 2 of 4"
        let k = batch
            .split("example ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .and_then(|k| k.parse().ok())
            .unwrap_or_else(|| panic!("{batch}"));
        out.push(k);
        key(a, 'n');
    }
    out
}

#[test]
fn sgd_visits_the_examples_in_the_shuffled_order_the_page_states() {
    let mut a = lesson_page("slp-logistic", 5, Lang::En);
    let s = screen(&mut a, W, H);
    assert!(s.contains("Step 1 uses example 2"), "{s}");
    // The question holds n until it is answered; `w` shows the answer and lets the run go.
    key(&mut a, 'w');
    let order = visited(&mut a, 8);
    assert_eq!(order, [2, 4, 1, 3, 3, 1, 4, 2]);
    // The run itself used that order: each epoch is a permutation, and it is what the
    // model says step t uses.
    if let Objective::Model(m) = stage(&a).main().objective() {
        let from_model: Vec<usize> = (0..8).map(|t| m.batch_for_step(t)[0] + 1).collect();
        assert_eq!(from_model, order);
    } else {
        panic!("the SGD page runs a model");
    }
    let lessons = lesson::load_embedded().lessons;
    let slp = lessons.iter().find(|l| l.id == "slp-logistic").unwrap();
    let text = slp.page(5).unwrap().text.get(Lang::En).to_string();
    assert!(
        text.contains("epoch 1 takes 2, 4, 1, 3;") && text.contains("epoch 2 takes 3, 1, 4, 2"),
        "{text}"
    );
    let zh = slp.page(5).unwrap().text.get(Lang::Zh).to_string();
    assert!(
        zh.contains("第 1 轮 2, 4, 1, 3；第 2 轮 3, 1, 4, 2"),
        "{zh}"
    );
}

#[test]
fn the_sgd_pages_prediction_is_graded_on_example_two() {
    let mut a = lesson_page("slp-logistic", 5, Lang::En);
    answer(&mut a, "-0.1, -0.25, -0.05");
    let s = screen(&mut a, W, H);
    assert!(s.contains("right!"), "{s}");
    // The classic mistake: the gradient of example 1, as on the pages before.
    let mut b = lesson_page("slp-logistic", 5, Lang::En);
    answer(&mut b, "0.15, 0.1, 0.05");
    assert!(!screen(&mut b, W, H).contains("right!"));
}

#[test]
fn eta_k_falls_in_the_panel_as_the_page_says() {
    let mut a = lesson_page("slp-logistic", 6, Lang::En);
    let s = screen(&mut a, W, H);
    assert_eq!(
        row(&s, "η_k").as_deref(),
        Some("0.5 = 0.5/(1+0·0.5)"),
        "{s}"
    );
    // The page: "η₁ ≈ 0.333, η₂ = 0.25, η₁₀ ≈ 0.0833".
    steps(&mut a, 1);
    let s = screen(&mut a, W, H);
    assert_eq!(
        row(&s, "η_k").as_deref(),
        Some("0.333333 = 0.5/(1+1·0.5)"),
        "{s}"
    );
    steps(&mut a, 1);
    let s = screen(&mut a, W, H);
    assert_eq!(row(&s, "η_k").as_deref(), Some("0.25 = 0.5/(1+2·0.5)"));
    steps(&mut a, 8);
    let s = screen(&mut a, W, H);
    assert_eq!(
        row(&s, "η_k").as_deref(),
        Some("0.0833333 = 0.5/(1+10·0.5)")
    );
    // The fixed-η run beside it took the same first step but not the later ones.
    let st = stage(&a);
    let (main, fixed) = (&st.runners[0].run, &st.runners[1].run);
    assert_eq!(main.history()[1].params, fixed.history()[1].params);
    assert_ne!(main.history()[2].params, fixed.history()[2].params);
    let mut z = lesson_page("slp-logistic", 6, Lang::Zh);
    assert_eq!(
        row(&screen(&mut z, W, H), "η_k").as_deref(),
        Some("0.5 = 0.5/(1+0·0.5)")
    );
}

#[test]
fn the_mini_batch_gradient_is_the_mean_of_the_examples_gradients() {
    let mut a = lesson_page("slp-logistic", 4, Lang::En);
    let s = screen(&mut a, W, H);
    assert_eq!(row(&s, "∇L (batch)").as_deref(), Some("(?, ?, ?)"), "{s}");
    answer(&mut a, "0.75");
    let s = screen(&mut a, W, H);
    assert!(s.contains("right!"), "{s}");
    assert_eq!(
        row(&s, "∇L (batch)").as_deref(),
        Some("(-0.25, 0.75, 0)"),
        "{s}"
    );
    let Objective::Model(m) = stage(&a).main().objective() else {
        panic!("a model page")
    };
    let theta = [0.0; 3];
    let (g1, g2) = (m.gradient_on(&theta, &[0]), m.gradient_on(&theta, &[1]));
    assert_eq!(g1, [-1.5, -1.0, -0.5]);
    assert_eq!(g2, [1.0, 2.5, 0.5]);
    let mean: Vec<f64> = g1.iter().zip(&g2).map(|(a, b)| (a + b) / 2.0).collect();
    assert_eq!(stage(&a).main().current().grad, mean);
}

#[test]
fn linear_regression_speaks_theta0_theta1_and_j() {
    let mut a = lesson_page("linear-regression", 0, Lang::En);
    let s = screen(&mut a, W, H);
    assert!(s.contains("θ = (θ₁, θ₀) = (0, 0)"), "{s}");
    assert_eq!(row(&s, "J(θ)").as_deref(), Some("?"), "asks J: {s}");
    // p2's answer: hidden until p2 is answered (tests/leaks.rs).
    assert_eq!(row(&s, "∇J(θ)").as_deref(), Some("(?, ?)"), "{s}");
    answer(&mut a, "3.75");
    assert!(screen(&mut a, W, H).contains("right!"));
    // A slip is explained in the page's names, θ₀ (not the program's b).
    let mut p = lesson_page("linear-regression", 2, Lang::En);
    answer(&mut p, "0.475, -0.25");
    let s = screen(&mut p, W, H);
    assert!(s.contains("for θ₀ you typed −0.25"), "{s}");
    answer(&mut p, "0.475, 0.25");
    let s = screen(&mut p, W, H);
    assert!(s.contains("right!"), "{s}");
    key(&mut p, 'n');
    assert!(screen(&mut p, W, H).contains("= (0.475, 0.25)"));
}

#[test]
fn the_cost_history_falls_at_eta_one_tenth_and_climbs_at_one_half() {
    let mut a = lesson_page("linear-regression", 3, Lang::En);
    answer(&mut a, "+");
    assert!(screen(&mut a, W, H).contains("right!"));
    steps(&mut a, 5);
    let st = stage(&a);
    let j = |k: usize| -> Vec<f64> {
        st.runners[k]
            .run
            .history()
            .iter()
            .map(|p| p.value)
            .collect()
    };
    let (small, big) = (j(0), j(1));
    assert_eq!(small.len(), 6);
    assert!(small.windows(2).all(|w| w[1] < w[0]), "{small:?}");
    assert!(big.windows(2).all(|w| w[1] > w[0]), "{big:?}");
}

#[test]
fn batch_minibatch_asks_for_the_first_batch_step() {
    let mut a = lesson_page("batch-minibatch", 0, Lang::En);
    let s = screen(&mut a, W, H);
    assert!(s.contains("(?, ?)"), "θ next hidden: {s}");
    answer(&mut a, "1.049375, 0.45125");
    assert!(screen(&mut a, W, H).contains("right!"));
    let mut m = lesson_page("batch-minibatch", 2, Lang::En);
    answer(&mut m, "-2.525");
    assert!(screen(&mut m, W, H).contains("right!"));
}

#[test]
fn linear_regression_comes_before_batch_minibatch() {
    let ids: Vec<String> = lesson::load_embedded()
        .lessons
        .into_iter()
        .map(|l| l.id)
        .collect();
    let at = |id: &str| ids.iter().position(|x| x == id).unwrap();
    assert!(at("stopping") < at("linear-regression"));
    assert!(at("linear-regression") < at("batch-minibatch"));
}

#[test]
fn the_eta_limit_quoted_on_linear_regression_p4_is_two_over_lambda_max() {
    // J of the lesson's four points written out, a = θ₁ (w1), b = θ₀ (b).
    let f = gradstep::math::Formula::parse(
        "((b - 1)^2 + (a + b - 3)^2 + (2*a + b - 2)^2 + (3*a + b - 4)^2) / 8",
    )
    .unwrap();
    assert_eq!(f.vars(), ["b", "a"]);
    let lessons = lesson::load_embedded().lessons;
    let lr = lessons
        .iter()
        .find(|l| l.id == "linear-regression")
        .unwrap();
    let Objective::Model(m) = &lr.scene(3).unwrap().objective else {
        panic!("a model scene")
    };
    for (a, b) in [(0.0, 0.0), (0.475, 0.25), (-1.0, 2.0)] {
        let (j, _, _) = f.hessian(&[b, a]);
        assert!((j - m.cost(&[a, b])).abs() < 1e-12, "J({a}, {b})");
    }
    // J is quadratic: its Hessian is the same everywhere.
    let (_, _, h) = f.hessian(&[0.0, 0.0]);
    let (p, q, r) = (h[0][0], h[0][1], h[1][1]);
    let lambda_max = (p + r) / 2.0 + (((p - r) / 2.0).powi(2) + q * q).sqrt();
    // The explanation: "λmax ≈ 4.20", "2/λmax ≈ 0.476".
    assert_eq!(format!("{lambda_max:.2}"), "4.20");
    assert_eq!(format!("{:.3}", 2.0 / lambda_max), "0.476");
}
