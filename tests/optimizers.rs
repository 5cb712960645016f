//! Each optimizer against torch.optim's documented update rule, on hand-computed steps of
//! L(x) = x² from x = 1 with η = 0.1 (so g = 2x).

use gradstep::math::optimizer::{Kind, Optimizer};

fn steps(kind: Kind, n: usize) -> Vec<f64> {
    let opt = Optimizer::new(kind);
    let mut state = opt.initial_state(1);
    let mut x = vec![1.0];
    let mut out = Vec::new();
    for _ in 0..n {
        let g = vec![2.0 * x[0]];
        let (nx, ns) = opt.update(&state, &x, &g, 0.1);
        x = nx;
        state = ns;
        out.push(x[0]);
    }
    out
}

fn assert_close(got: &[f64], want: &[f64], tol: f64) {
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() <= tol, "got {got:?}, want {want:?}");
    }
}

#[test]
fn sgd_is_theta_minus_eta_g() {
    // 1 − 0.1·2 = 0.8, then 0.8 − 0.1·1.6 = 0.64.
    assert_close(&steps(Kind::Sgd, 2), &[0.8, 0.64], 1e-15);
}

#[test]
fn momentum_starts_its_buffer_at_g() {
    // b1 = g1 = 2 → 0.8; g2 = 1.6, b2 = 0.9·2 + 1.6 = 3.4 → 0.8 − 0.34 = 0.46.
    assert_close(&steps(Kind::Momentum, 2), &[0.8, 0.46], 1e-15);
}

#[test]
fn nesterov_looks_ahead_with_g_plus_mu_b() {
    // b1 = 2, d1 = 2 + 0.9·2 = 3.8 → 0.62; g2 = 1.24, b2 = 1.8 + 1.24 = 3.04,
    // d2 = 1.24 + 0.9·3.04 = 3.976 → 0.62 − 0.3976 = 0.2224.
    assert_close(&steps(Kind::Nesterov, 2), &[0.62, 0.2224], 1e-15);
}

#[test]
fn adagrad_divides_by_the_root_of_the_summed_squares() {
    // s1 = 4 → 1 − 0.1·2/(2 + 1e-10); s2 = s1 + g2², x2 = x1 − 0.1·g2/(√s2 + 1e-10).
    let x1: f64 = 1.0 - 0.1 * 2.0 / (2.0 + 1e-10);
    let g2 = 2.0 * x1;
    let x2 = x1 - 0.1 * g2 / ((4.0 + g2 * g2).sqrt() + 1e-10);
    assert_close(&steps(Kind::Adagrad, 2), &[x1, x2], 1e-15);
    assert!((x1 - 0.9).abs() < 1e-10);
}

#[test]
fn rmsprop_first_step_is_ten_times_eta() {
    // v1 = 0.01·4 = 0.04, so the step is 0.1·2/(0.2 + 1e-8) ≈ 1: x lands near 0.
    let x1: f64 = 1.0 - 0.1 * 2.0 / (0.04f64.sqrt() + 1e-8);
    let g2 = 2.0 * x1;
    let v2 = 0.99 * 0.04 + 0.01 * g2 * g2;
    let x2 = x1 - 0.1 * g2 / (v2.sqrt() + 1e-8);
    assert_close(&steps(Kind::Rmsprop, 2), &[x1, x2], 1e-15);
    assert!(x1.abs() < 1e-7);
}

#[test]
fn adam_is_bias_corrected() {
    // m̂ = m/(1 − β1ᵗ), v̂ = v/(1 − β2ᵗ), x ← x − η·m̂/(√v̂ + ε).
    let (b1, b2, eps, lr) = (0.9f64, 0.999f64, 1e-8, 0.1);
    let (mut m, mut v, mut x) = (0.0, 0.0, 1.0);
    let mut want = Vec::new();
    for t in 1..=3 {
        let g = 2.0 * x;
        m = b1 * m + (1.0 - b1) * g;
        v = b2 * v + (1.0 - b2) * g * g;
        let mhat = m / (1.0 - b1.powi(t));
        let vhat = v / (1.0 - b2.powi(t));
        x -= lr * mhat / (vhat.sqrt() + eps);
        want.push(x);
    }
    assert_close(&steps(Kind::Adam, 3), &want, 1e-12);
    // Adam's first step has length η whatever the gradient's size.
    assert!((want[0] - 0.9).abs() < 1e-8);
}

#[test]
fn hyper_parameters_are_validated() {
    let mut o = Optimizer::new(Kind::Adam);
    o.beta1 = 1.0;
    let e = o.check_ranges().unwrap_err();
    assert_eq!(e.param, "beta1");
    assert_eq!(e.to_string(), "beta1 must be in [0, 1), got 1");
}
