//! Properties of the math core over many random inputs. Case counts default low enough for CI;
//! set PROPTEST_CASES (e.g. 300000) to search harder locally.

use gradstep::descent::{Run, StopRule};
use gradstep::math::optimizer::{Kind, Optimizer};
use gradstep::math::{Formula, Objective};
use proptest::prelude::*;

fn cases(default: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    ProptestConfig::with_cases(n)
}

/// Random smooth expressions in x and y.
fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("x".to_string()),
        Just("y".to_string()),
        (-3.0f64..3.0).prop_map(|c| format!("{c:.3}")),
    ];
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} + {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} - {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} * {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) / (2 + ({b})^2)")),
            inner.clone().prop_map(|a| format!("({a})^2")),
            inner.clone().prop_map(|a| format!("({a})^3")),
            inner.clone().prop_map(|a| format!("(1 + ({a})^2)^0.75")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("(2 + sin({a}))^sin({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("atan2({a}, 1 + ({b})^2)")),
            inner.clone().prop_map(|a| format!("sin({a})")),
            inner.clone().prop_map(|a| format!("cos({a})")),
            inner.clone().prop_map(|a| format!("tanh({a})")),
            inner.clone().prop_map(|a| format!("sigmoid({a})")),
            inner.clone().prop_map(|a| format!("softplus({a})")),
            inner.clone().prop_map(|a| format!("exp(sin({a}))")),
            inner.clone().prop_map(|a| format!("sqrt(1 + ({a})^2)")),
            inner.clone().prop_map(|a| format!("log(1 + ({a})^2)")),
            inner.prop_map(|a| format!("-({a})")),
        ]
    })
}

proptest! {
    #![proptest_config(cases(2000))]

    /// Dual numbers give the derivative; central differences approximate it to O(h²).
    #[test]
    fn autodiff_agrees_with_central_differences(
        src in expr(), x in -2.0f64..2.0, y in -2.0f64..2.0
    ) {
        let f = Formula::parse_with_vars(&src, &["x", "y"]).unwrap();
        let (v, g) = f.gradient(&[x, y]);
        prop_assume!(v.is_finite() && v.abs() < 1e6 && g.iter().all(|d| d.is_finite() && d.abs() < 1e6));
        prop_assert!((v - f.value(&[x, y])).abs() <= 1e-12 * (1.0 + v.abs()));
        let central = |h: f64| [
            (f.value(&[x + h, y]) - f.value(&[x - h, y])) / (2.0 * h),
            (f.value(&[x, y + h]) - f.value(&[x, y - h])) / (2.0 * h),
        ];
        let (coarse, fd) = (central(2e-5), central(1e-5));
        // Where the slope turns over within the stencil (sin((2y)^9) near y = 1.9 has a period
        // of ~7e-6 in y), a difference quotient measures nothing, and two of them can agree by
        // chance: only points the steps resolve (the slope changing by under 1% across ±2e-5,
        // by the exact Hessian) are compared.
        let (_, _, hess) = f.hessian(&[x, y]);
        prop_assume!((0..2).all(|i| hess[i][i].abs() * 2e-5 <= 1e-2 * (1.0 + g[i].abs())));
        for i in 0..2 {
            // The difference quotient's own error is about (coarse − fine)/3 (Richardson): on
            // a steep expression such as (exp(sin(y^9)))^3 it exceeds any fixed tolerance, so
            // allow it, and the fixed tolerance for rounding on top.
            let truncation = (coarse[i] - fd[i]).abs();
            let tol = 1e-4 * (1.0 + g[i].abs()) + truncation;
            prop_assert!((g[i] - fd[i]).abs() <= tol, "{src} at ({x}, {y}): ∂{i} = {} vs {}", g[i], fd[i]);
        }
    }

    /// The Hessian's rows are the derivatives of the gradient (central differences, O(h²)).
    #[test]
    fn hessian_agrees_with_differences_of_the_gradient(
        src in expr(), x in -2.0f64..2.0, y in -2.0f64..2.0
    ) {
        let f = Formula::parse_with_vars(&src, &["x", "y"]).unwrap();
        let (v, g, h) = f.hessian(&[x, y]);
        prop_assume!(v.is_finite() && h.iter().flatten().all(|d| d.is_finite() && d.abs() < 1e5));
        prop_assert!(v.to_bits() == f.value(&[x, y]).to_bits());
        prop_assert_eq!(&g, &f.gradient(&[x, y]).1);
        let step = 1e-5;
        for j in 0..2 {
            let mut hi = [x, y];
            let mut lo = [x, y];
            hi[j] += step;
            lo[j] -= step;
            let (gh, gl) = (f.gradient(&hi).1, f.gradient(&lo).1);
            for i in 0..2 {
                let fd = (gh[i] - gl[i]) / (2.0 * step);
                let tol = 1e-3 * (1.0 + h[i][j].abs());
                prop_assert!((h[i][j] - fd).abs() <= tol, "{src} at ({x}, {y}): H[{i}][{j}] = {} vs {fd}", h[i][j]);
            }
        }
    }

    /// The chart's row-batch evaluation gives exactly the point-by-point values.
    #[test]
    fn grid_rows_equal_single_points(src in expr(), x0 in -3.0f64..0.0, y in -2.0f64..2.0) {
        let f = Formula::parse_with_vars(&src, &["x", "y"]).unwrap();
        let xs: Vec<f64> = (0..7).map(|i| x0 + 0.5 * i as f64).collect();
        let row = f.grid(&[0.0, 0.0], 0, 1, &xs, &[y]);
        for (i, &x) in xs.iter().enumerate() {
            let v = f.value(&[x, y]);
            prop_assert!(v.to_bits() == row[i].to_bits() || (v.is_nan() && row[i].is_nan()), "{src} at ({x},{y}): {v} vs {}", row[i]);
        }
    }

    /// Undoing k steps and stepping again reproduces the very same states, bit for bit.
    #[test]
    fn undo_then_step_reproduces_the_run(
        formula in prop::sample::select(vec![
            "x^2 + x*y + y^2", "(1 - x)^2 + 100*(y - x^2)^2", "x^2 - y^2", "sin(x)*cos(y) + 0.1*(x^2+y^2)",
        ]),
        kind in prop::sample::select(Kind::ALL.to_vec()),
        lr in 0.001f64..0.5,
        n in 1usize..40,
        k in 0usize..40,
        x0 in -3.0f64..3.0,
        y0 in -3.0f64..3.0,
    ) {
        let f = Formula::parse(formula).unwrap();
        let mut s = Run::new(Objective::Formula(f), Optimizer::new(kind), lr, &[x0, y0], StopRule::default()).unwrap();
        s.advance(n);
        let full = s.history().to_vec();
        let k = k.min(full.len() - 1);
        for _ in 0..k {
            prop_assert!(s.undo());
        }
        prop_assert_eq!(s.history().to_vec(), &full[..full.len() - k]);
        s.advance(k);
        prop_assert_eq!(s.history().to_vec(), full);
        s.reset();
        prop_assert_eq!(s.history().len(), 1);
        prop_assert!(!s.undo());
    }

    /// No string makes the parser or the evaluator panic or hang.
    #[test]
    fn any_text_is_answered_without_panic(src in "\\PC{0,40}") {
        exercise(&src);
    }

    /// Formula-shaped noise reaches deeper into the grammar than arbitrary text does.
    #[test]
    fn formula_like_text_is_answered_without_panic(
        src in "[xyeθ₁²πα0-9.,+\\-*/%^() \\tsincoexplgqrtmaxhbd_]{0,60}"
    ) {
        exercise(&src);
    }
}

fn exercise(src: &str) {
    match Formula::parse(src) {
        Ok(f) => {
            let n = f.vars().len();
            let p = vec![0.5; n];
            let _ = f.value(&p);
            let _ = f.gradient(&p);
            if n <= 3 {
                let _ = f.hessian(&p);
            }
        }
        Err(e) => {
            assert!(!e.message.is_empty());
            if let Some(c) = e.column {
                assert!(
                    c >= 1 && c <= src.chars().count().max(1),
                    "{src:?}: column {c}"
                );
            }
        }
    }
    let _ = Formula::parse_with_vars(src, &["x", "y"]);
}

#[test]
fn long_and_deep_inputs_are_refused_with_a_message() {
    let long = "x+".repeat(600) + "x";
    let e = Formula::parse(&long).unwrap_err();
    assert!(e.message.contains("limit is 1000"), "{e}");
    let deep = "(".repeat(65) + "x" + &")".repeat(65);
    let e = Formula::parse(&deep).unwrap_err();
    assert!(e.message.contains("deeper than 64"), "{e}");
    let ok = "(".repeat(64) + "x" + &")".repeat(64);
    assert!(Formula::parse(&ok).is_ok());
    // 1000 characters of unary minus: still answered, iteratively.
    let minus = "-".repeat(999) + "x";
    assert_eq!(Formula::parse(&minus).unwrap().value(&[2.0]), -2.0);
}

/// The plain value and the value the gradient is computed with, bit for bit (or both NaN).
fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

#[test]
fn tanh_keeps_a_finite_gradient_far_out() {
    let f = Formula::parse("tanh(x)").unwrap();
    for x in [
        -1e6, -64826.0, -1000.0, -711.0, -356.0, -20.0, 20.0, 356.0, 711.0, 1e300,
    ] {
        let (v, g) = f.gradient(&[x]);
        assert!(
            same(v, f.value(&[x])),
            "tanh({x}): {v} vs {}",
            f.value(&[x])
        );
        assert_eq!(v, x.signum(), "tanh({x})");
        assert!(g[0].is_finite() && g[0] >= 0.0, "tanh'({x}) = {}", g[0]);
    }
    // Where sech² is still representable, it is there, not rounded away by 1 - tanh².
    let g = f.gradient(&[20.0]).1[0];
    assert!((g / (4.0 * (-40.0f64).exp()) - 1.0).abs() < 1e-9, "{g}");
}

#[test]
fn tanh_descent_from_far_out_does_not_diverge() {
    let f = Formula::parse("tanh(x)").unwrap();
    let mut s = Run::new(
        Objective::Formula(f),
        Optimizer::new(Kind::Sgd),
        0.1,
        &[-1000.0],
        StopRule::default(),
    )
    .unwrap();
    s.advance(5);
    assert_ne!(s.status().name(), "diverged");
    assert_eq!(s.current().value, -1.0);
}

#[test]
fn huge_and_integer_exponents_agree_with_the_value() {
    let f = Formula::parse("x^1e99").unwrap();
    let (v, g) = f.gradient(&[-1.0]);
    assert_eq!((v, f.value(&[-1.0])), (1.0, 1.0));
    // d/dx x^n = n·x^(n-1), and n - 1 is odd: −1e99 at x = −1.
    assert_eq!(g[0], -1e99);
    let f = Formula::parse("x^y").unwrap();
    for (x, y) in [
        (-1.0, 1e99),
        (-2.0, 3.0),
        (2.0, -1074.0),
        (1e200, 2.0),
        (0.5, 0.5),
    ] {
        let (v, _) = f.gradient(&[x, y]);
        assert!(
            same(v, f.value(&[x, y])),
            "{x}^{y}: {v} vs {}",
            f.value(&[x, y])
        );
    }
    let (v, g) = f.gradient(&[-2.0, 3.0]);
    assert_eq!(v, -8.0);
    assert_eq!(g[0], 12.0);
    // (−2)^y exists only at integers y: no slope in y there, and the formula says so.
    assert!(g[1].is_nan());
    assert_eq!(
        f.gradient_issue(&[-2.0, 3.0]),
        Some(gradstep::math::GradientIssue::NotDifferentiable { at: "^" })
    );
    // x^-2 at 1e200: the value underflows to 0 in both paths (num-dual gave 0·∞ = NaN).
    let f = Formula::parse("x^(-2)").unwrap();
    let (v, g) = f.gradient(&[1e200]);
    assert_eq!((v, g[0]), (0.0, 0.0));
}

#[test]
fn remainder_is_fmod_in_value_and_gradient() {
    let f = Formula::parse("12345678901234567890 % y^7").unwrap();
    let y = -0.087f64;
    let want = 12345678901234567890.0 % y.powi(7);
    assert_eq!(f.value(&[y]), want);
    assert_eq!(f.gradient(&[y]).0, want);
    assert!(want.abs() < 1e-6, "{want}");
    let f = Formula::parse("x % 3").unwrap();
    assert_eq!(f.gradient(&[7.5]), (1.5, vec![1.0]));
    let f = Formula::parse("7.5 % x").unwrap();
    assert_eq!(f.gradient(&[3.0]), (1.5, vec![-2.0]));
    // At a jump of the sawtooth there is no slope, and the reason is named.
    let f = Formula::parse("x % 1").unwrap();
    assert!(f.gradient(&[2.0]).1[0].is_nan());
    assert_eq!(
        f.gradient_issue(&[2.0]),
        Some(gradstep::math::GradientIssue::NotDifferentiable { at: "%" })
    );
}

#[test]
fn logistic_softplus_exp_and_ln_at_the_limits() {
    let cases: [(&str, &[f64]); 5] = [
        (
            "sigmoid(x)",
            &[-1e4, -745.0, -40.0, 0.0, 40.0, 800.0, 1e300],
        ),
        (
            "softplus(x)",
            &[-1e4, -745.0, -40.0, 0.0, 40.0, 800.0, 1e300],
        ),
        ("exp(x)", &[-746.0, -700.0, 0.0, 709.0]),
        ("ln(x)", &[1e-300, 1e-10, 1.0, 1e300]),
        ("x / y", &[1e-300]),
    ];
    for (src, xs) in cases {
        let f = Formula::parse(src).unwrap();
        for &x in xs {
            let theta = vec![x; f.vars().len()];
            let (v, g) = f.gradient(&theta);
            assert!(same(v, f.value(&theta)), "{src} at {x}");
            assert!(v.is_finite(), "{src} at {x}: {v}");
            assert!(g.iter().all(|d| d.is_finite()), "{src} at {x}: {g:?}");
        }
    }
    // σ' = σ(x)σ(−x): far right it is e^−x, not 1 − 1 = 0.
    let g = Formula::parse("sigmoid(x)").unwrap().gradient(&[40.0]).1[0];
    assert!((g / (-40.0f64).exp() - 1.0).abs() < 1e-9, "{g}");
    // A quotient by a subnormal number: num-dual's a·(1/b) gave ∞ where a/b is finite.
    let f = Formula::parse("x / y").unwrap();
    assert_eq!(f.gradient(&[1e-300, 1e-310]).0, 1e-300 / 1e-310);
}

#[test]
fn gradient_issues_are_named() {
    use gradstep::math::GradientIssue;
    let issue = |src: &str, at: &[f64]| Formula::parse(src).unwrap().gradient_issue(at);
    assert_eq!(
        issue("sqrt(x)", &[0.0]),
        Some(GradientIssue::NotDifferentiable { at: "sqrt" })
    );
    assert_eq!(
        issue("asin(x)", &[1.0]),
        Some(GradientIssue::NotDifferentiable { at: "asin" })
    );
    assert_eq!(issue("ln(x)", &[1e-320]), Some(GradientIssue::Overflows));
    assert_eq!(issue("exp(x)^2 / exp(x)^2 * 0 + x", &[1.0]), None);
    assert_eq!(issue("1e300 * x * x", &[1e10]), None); // the value is not finite
    assert_eq!(
        issue("sin(1e300 * x * 1e300)", &[1e-300]),
        Some(GradientIssue::Overflows)
    );
    assert_eq!(issue("x^2", &[3.0]), None);
    assert_eq!(
        GradientIssue::NotDifferentiable { at: "sqrt" }.to_string(),
        "not differentiable at this point (sqrt)"
    );
}

#[test]
fn an_infinite_intermediate_does_not_poison_the_hessian() {
    // y^7 overflows to ∞ at y = 1.5e44; x % ∞ = x. The gradient is (1, 0) by either path.
    let f = Formula::parse("x % y^7").unwrap();
    let (v, g, _) = f.hessian(&[0.0, 1.5327430364358331e44]);
    assert_eq!((v, g), (0.0, vec![1.0, 0.0]));
    assert_eq!(f.gradient(&[0.0, 1.5327430364358331e44]).1, vec![1.0, 0.0]);
}
