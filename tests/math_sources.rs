//! The numbers the source documents print, recomputed by the math core.

use gradstep::descent::{Run, Status, StopOn, StopRule};
use gradstep::math::data::{Dataset, Limits};
use gradstep::math::model::{Model, ModelKind};
use gradstep::math::optimizer::{Kind, Optimizer};
use gradstep::math::{Formula, Objective, norm};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * (1.0 + b.abs())
}

fn assert_vec(got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert!(close(*g, *w), "{got:?} vs {want:?}");
    }
}

#[test]
fn slope_of_x_squared_at_5_is_10() {
    // Source 003: f(x) = x², f'(5) = 10.
    let f = Formula::parse("x^2").unwrap();
    let (v, g) = f.gradient(&[5.0]);
    assert_eq!(v, 25.0);
    assert_eq!(g, vec![10.0]);
}

#[test]
fn x2_xy_y2_at_2_1_has_value_7_and_gradient_5_4() {
    // Source 003: ∂f/∂x = 2x + y, ∂f/∂y = x + 2y.
    let f = Formula::parse("x^2 + x*y + y^2").unwrap();
    assert_eq!(f.vars(), ["x", "y"]);
    let (v, g) = f.gradient(&[2.0, 1.0]);
    assert_eq!(v, 7.0);
    assert_eq!(g, vec![5.0, 4.0]);
}

#[test]
fn theta_bowl_gradient_at_1_1_is_2_2() {
    // Source 000: L = θ1² + θ2², ∇L = (2θ1, 2θ2).
    let f = Formula::parse("θ₁² + θ₂²").unwrap();
    assert_eq!(f.vars(), ["theta1", "theta2"]);
    assert_eq!(f.gradient(&[1.0, 1.0]).1, vec![2.0, 2.0]);
    let same = Formula::parse("theta1**2 + theta2^2").unwrap();
    assert_eq!(same.gradient(&[1.0, 1.0]), f.gradient(&[1.0, 1.0]));
}

#[test]
fn hessian_of_the_bowl_is_exact() {
    let f = Formula::parse("x^2 + x*y + y^2").unwrap();
    let (_, _, h) = f.hessian(&[0.3, -0.7]);
    assert_eq!(h, vec![vec![2.0, 1.0], vec![1.0, 2.0]]);
}

#[test]
fn slp_logistic_worked_example() {
    // SLP §5.6.3: x = [3, 2], y = 1, w1 = w2 = b = 0, η = 0.1.
    let data = Dataset::from_inline("3,2", "1", Limits::default()).unwrap();
    let model = Model::new(ModelKind::Logistic, data, Some(1), None).unwrap();
    let mut s = Run::new(
        Objective::Model(model),
        Optimizer::new(Kind::Sgd),
        0.1,
        &[0.0, 0.0, 0.0],
        StopRule::default(),
    )
    .unwrap();
    assert_eq!(s.names(), ["w1", "w2", "b"]);
    assert_vec(&s.current().grad, &[-1.5, -1.0, -0.5]);
    assert!(
        close(s.current().value, std::f64::consts::LN_2),
        "σ(0) = 0.5, so L = ln 2"
    );
    s.step();
    assert_vec(&s.current().params, &[0.15, 0.10, 0.05]);
}

#[test]
fn descent_from_3_4_converges_to_the_origin() {
    // Source 003: η = 0.1, up to 100 iterations, stop when ‖∇f‖ < 1e-6.
    let f = Formula::parse("x^2 + x*y + y^2").unwrap();
    let mut s = Run::new(
        Objective::Formula(f),
        Optimizer::new(Kind::Sgd),
        0.1,
        &[3.0, 4.0],
        StopRule {
            tol: Some(1e-6),
            on: StopOn::Grad,
            max_steps: Some(1000),
        },
    )
    .unwrap();
    assert_eq!(s.step(), Status::Running);
    assert_vec(&s.current().params, &[2.0, 2.9]);
    let status = s.advance(1000);
    assert_eq!(status, Status::Converged);
    let cur = s.current();
    assert!(norm(&cur.grad) < 1e-6);
    assert!(norm(&cur.params) < 1e-5, "{:?}", cur.params);
    assert!(cur.t < 200, "took {} steps", cur.t);
}
