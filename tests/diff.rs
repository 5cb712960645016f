//! `gradstep diff` and the symbolic derivative behind it: every printed derivative parses back
//! and equals the dual-number gradient; the lessons' formulas give textbook forms; bad input
//! gets the same messages as `gradstep run`.

use assert_cmd::Command;
use gradstep::math::symbolic::{self, Note};
use gradstep::math::{Formula, MAX_LEN};
use predicates::prelude::*;
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Value, json};

fn diff(args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("gradstep")
        .unwrap()
        .arg("diff")
        .args(args)
        .assert()
}

fn partials(src: &str) -> Vec<String> {
    symbolic::partials(&Formula::parse(src).unwrap())
        .unwrap()
        .partials
}

#[test]
fn the_lessons_formulas_give_textbook_forms() {
    assert_eq!(partials("x^2 + x*y + y^2"), ["2*x + y", "x + 2*y"]);
    assert_eq!(partials("(w - 3)^2/4 + 1"), ["(w - 3)/2"]);
    assert_eq!(partials("x^2"), ["2*x"]);
    assert_eq!(partials("x^2 - y^2"), ["2*x", "-2*y"]);
    assert_eq!(partials("theta1^2 + theta2^2"), ["2*theta1", "2*theta2"]);
    assert_eq!(partials("0.1*x^2 + 10*y^2"), ["0.2*x", "20*y"]);
    assert_eq!(partials("(x^2 - 1)^2 + y^2"), ["4*x*(x^2 - 1)", "2*y"]);
    assert_eq!(
        partials("1 - exp(-(x^2 + y^2))"),
        ["2*x*exp(-(x^2 + y^2))", "2*y*exp(-(x^2 + y^2))"]
    );
    assert_eq!(
        partials("(1 - x)^2 + 100*(y - x^2)^2"),
        ["-400*x*(y - x^2) - 2*(1 - x)", "200*(y - x^2)"]
    );
}

#[test]
fn every_function_of_the_language_has_its_calculus_rule() {
    let cases = [
        ("sin(x)", "cos(x)"),
        ("cos(x)", "-sin(x)"),
        ("tan(x)", "1/cos(x)^2"),
        ("asin(x)", "1/sqrt(1 - x^2)"),
        ("acos(x)", "-1/sqrt(1 - x^2)"),
        ("atan(x)", "1/(x^2 + 1)"),
        ("sinh(x)", "cosh(x)"),
        ("cosh(x)", "sinh(x)"),
        ("tanh(x)", "1 - tanh(x)^2"),
        ("asinh(x)", "1/sqrt(x^2 + 1)"),
        ("acosh(x)", "1/sqrt(x^2 - 1)"),
        ("atanh(x)", "1/(1 - x^2)"),
        ("exp(x)", "exp(x)"),
        ("e^x", "e^x"),
        ("2^x", "2^x*ln(2)"),
        ("ln(x)", "1/x"),
        ("log(x)", "1/x"),
        ("log2(x)", "1/(x*ln(2))"),
        ("log10(x)", "1/(x*ln(10))"),
        ("sqrt(x)", "1/(2*sqrt(x))"),
        ("x^(1/3)", "1/(3*x^(2/3))"),
        ("sigmoid(x)", "sigmoid(x)*(1 - sigmoid(x))"),
        ("softplus(x)", "sigmoid(x)"),
        ("relu(x)", "signum(relu(x))"),
        ("abs(x)", "signum(x)"),
        ("floor(x) + ceil(x) + round(x) + signum(x)", "0"),
        ("x % 3", "1"),
        // At a tie the tutor takes the first argument's slope; so does the formula.
        ("max(0, x)", "signum(relu(x))"),
        ("max(x, 0)", "1 - signum(relu(-x))"),
        ("min(x, 0)", "1 - signum(relu(x))"),
        ("max(x, x)", "1"),
    ];
    for (f, want) in cases {
        assert_eq!(partials(f), [want], "d/dx {f}");
    }
    assert_eq!(partials("x^y"), ["y*x^(y - 1)", "x^y*ln(x)"]);
    let f = Formula::parse_with_vars("atan2(y, x)", &["x", "y"]).unwrap();
    assert_eq!(
        symbolic::partials(&f).unwrap().partials,
        ["-y/(x^2 + y^2)", "x/(x^2 + y^2)"]
    );
    // Variables sort in the formula's order, not alphabetically.
    assert_eq!(partials("atan2(y, x)"), ["x/(y^2 + x^2)", "-y/(y^2 + x^2)"]);
    assert_eq!(
        partials("-ln(sigmoid(3*w1 + 2*w2 + b))"),
        [
            "-3*(1 - sigmoid(3*w1 + 2*w2 + b))",
            "-2*(1 - sigmoid(3*w1 + 2*w2 + b))",
            "sigmoid(3*w1 + 2*w2 + b) - 1"
        ]
    );
}

#[test]
fn a_variable_divisor_of_rem() {
    let f = Formula::parse("x % y").unwrap();
    let p = symbolic::partials(&f).unwrap();
    assert_eq!(p.partials, ["1", "-(x - x % y)/y"]);
    let d = Formula::parse_with_vars(&p.partials[1], &["x", "y"]).unwrap();
    for (x, y) in [(7.5, 2.0), (-7.5, 2.0), (5.0, -1.5), (0.3, 0.7)] {
        let want = f.gradient(&[x, y]).1[1];
        assert!((d.value(&[x, y]) - want).abs() < 1e-12, "at ({x}, {y})");
    }
}

#[test]
fn simplification_folds_drops_and_collects() {
    // +0, *1 and *0 terms vanish; numbers fold.
    assert_eq!(partials("0 + 1*x*1 + 0*y*x + 2*3"), ["1", "0"]);
    // Like terms and powers of the same base collect.
    assert_eq!(partials("x*x*x + x^2*x + 2*x"), ["6*x^2 + 2"]);
    assert_eq!(partials("x*y + y*x"), ["2*y", "2*x"]);
    // A factored form is multiplied out only when terms merge.
    assert_eq!(partials("x^2/2 + 2*(x^2/2 + x)"), ["3*x + 2"]);
    // Minimal parentheses, constants kept by name, fractions as a teacher writes them.
    assert_eq!(partials("pi*x^2/3"), ["2*pi*x/3"]);
    assert_eq!(partials("x/3 + x*y/6"), ["y/6 + 1/3", "x/6"]);
    assert_eq!(partials("-x^-2"), ["2/x^3"]);
    assert_eq!(partials("ln(exp(x)) + exp(ln(x))"), ["2"]);
}

#[test]
fn nonsmooth_functions_say_where_the_formula_does_not_hold() {
    let notes = |src: &str| {
        symbolic::partials(&Formula::parse(src).unwrap())
            .unwrap()
            .notes
    };
    assert_eq!(notes("x^2 + y"), []);
    assert_eq!(notes("abs(x) + relu(y)"), [Note::Abs, Note::Relu]);
    assert_eq!(notes("max(x, y)"), [Note::MaxMin]);
    assert_eq!(notes("floor(x)*y"), [Note::Steps]);
    assert_eq!(notes("x % y"), [Note::Rem]);
    // Off the kink the printed formula is the tutor's slope; at the kink itself the tutor
    // has none (relu's corner: the note is why the printed value there is no derivative).
    let f = Formula::parse("relu(x)").unwrap();
    let d = Formula::parse_with_vars(&partials("relu(x)")[0], &["x"]).unwrap();
    assert!(f.gradient(&[0.0]).1[0].is_nan());
    assert_eq!(d.value(&[-1.0]), f.gradient(&[-1.0]).1[0]);
    assert_eq!(d.value(&[1.0]), f.gradient(&[1.0]).1[0]);
}

#[test]
fn text_output_has_one_line_per_variable() {
    diff(&["--formula", "x^2 + x*y + y^2"])
        .success()
        .stdout("∂L/∂x = 2*x + y\n∂L/∂y = x + 2*y\n");
    // Greek letters and subscripts are read as the tutor reads them; the output is ASCII.
    diff(&["--formula", "θ₁^2 + 3*θ₂", "--vars", "θ2,θ1"])
        .success()
        .stdout("∂L/∂theta2 = 3\n∂L/∂theta1 = 2*theta1\n");
    // A listed variable the formula does not use has derivative 0.
    diff(&["--formula", "x^2", "--vars", "x,y"])
        .success()
        .stdout("∂L/∂x = 2*x\n∂L/∂y = 0\n");
    diff(&["--formula", "abs(x)"])
        .success()
        .stdout(predicate::str::starts_with(
            "∂L/∂x = signum(x)\nnote: abs(u)",
        ));
}

#[test]
fn json_output_has_vars_and_partials() {
    let out = diff(&["--formula", "x^2 + 3*x*y + y^2", "--format", "json"])
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        v,
        json!({"vars": ["x", "y"], "partials": ["2*x + 3*y", "3*x + 2*y"]})
    );
    let out = diff(&["--formula", "relu(x)", "--format", "json"])
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["partials"], json!(["signum(relu(x))"]));
    assert_eq!(v["notes"].as_array().map(Vec::len), Some(1));
}

#[test]
fn bad_input_gets_the_same_messages_as_run() {
    for (args, says) in [
        (vec!["--formula", "x^2 +"], "the formula ends too early"),
        (vec!["--formula", "2x"], "write 2*x"),
        (vec!["--formula", "foo(x)"], "unknown function 'foo'"),
        (
            vec!["--formula", "x + y", "--vars", "x"],
            "unknown variable 'y'",
        ),
        (vec!["--formula", "3 + 4"], "no variables"),
        (vec!["--formula", "x", "--vars", "x,x"], "listed twice"),
    ] {
        let run_err = Command::cargo_bin("gradstep")
            .unwrap()
            .arg("run")
            .args(&args)
            .assert()
            .code(2)
            .get_output()
            .stderr
            .clone();
        let run_err = String::from_utf8(run_err).unwrap();
        let diff_err = diff(&args)
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(says))
            .get_output()
            .stderr
            .clone();
        let diff_err = String::from_utf8(diff_err).unwrap();
        assert_eq!(
            diff_err.replacen("gradstep diff:", "", 1),
            run_err.replacen("gradstep run:", "", 1),
            "{args:?}"
        );
    }
    diff(&["--formula", "x", "--format", "yaml"])
        .code(2)
        .stderr(predicate::str::contains("yaml"));
    diff(&[])
        .code(2)
        .stderr(predicate::str::contains("--formula"));
}

#[test]
fn a_formula_too_deep_to_write_out_is_refused_not_crashed() {
    let tower = vec!["x"; 300].join("^");
    diff(&["--formula", &tower])
        .code(2)
        .stderr(predicate::str::contains("too deep"));
    // Just under the limit it works, and the longest lesson-like input is quick to print.
    let tower = vec!["x"; 20].join("^");
    diff(&["--formula", &tower]).success();
}

/// Formulas over x and y using every function and operator of the language.
fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("x".to_string()),
        Just("y".to_string()),
        Just("pi".to_string()),
        Just("e".to_string()),
        (1u8..6).prop_map(|n| n.to_string()),
        prop::sample::select(vec!["0.5", "1.5", "2.25", "0.1"]).prop_map(str::to_string),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        let f1 = prop::sample::select(vec![
            "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh",
            "atanh", "exp", "ln", "log", "log2", "log10", "sqrt", "abs", "floor", "ceil", "round",
            "signum", "sigmoid", "relu", "softplus",
        ]);
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) + ({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) - ({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a})*({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a})/({b})")),
            (inner.clone(), -3i8..5).prop_map(|(a, n)| format!("({a})^{n}")),
            (
                inner.clone(),
                prop::sample::select(vec!["0.5", "1.5", "(1/3)"])
            )
                .prop_map(|(a, p)| format!("({a})^{p}")),
            // A variable exponent over a positive base: a negative base has a value only
            // where the exponent rounds to a whole number, and no slope in the exponent.
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("(({a})^2 + 0.5)^({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("exp({a})^({b})")),
            inner.clone().prop_map(|a| format!("-({a})")),
            (f1, inner.clone()).prop_map(|(f, a)| format!("{f}({a})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("atan2({a}, {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("max({a}, {b})")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("min({a}, {b}, {c})")),
            // A variable divisor has jumps wherever a/b is whole, which kinked parts can make
            // hold over a region, where rounding alone picks a side: a fixed divisor here, a
            // variable one in `a_variable_divisor_of_rem`.
            (inner, prop::sample::select(vec!["1.5", "2", "3"]))
                .prop_map(|(a, b)| format!("({a}) % {b}")),
        ]
    })
}

/// Whether `got` is `want` to 1e-9, relative to the larger of the two and 1 (a difference of
/// large terms that cancel to near 0 is compared to the scale of the computation, not to 0).
fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= 1e-9 * got.abs().max(want.abs()).max(1.0)
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400)
}

/// Whether a formula uses a function that is flat or kinked somewhere.
fn kinked(src: &str) -> bool {
    [
        "max", "min", "relu", "abs", "floor", "ceil", "round", "signum", "%",
    ]
    .iter()
    .any(|f| src.contains(f))
}

proptest! {
    // 400 formulas by default; PROPTEST_CASES=100000 for a longer hunt.
    #![proptest_config(Config { cases: cases(), max_global_rejects: cases(), ..Config::default() })]

    /// Each printed partial derivative parses back and, wherever the dual-number gradient is a
    /// finite number, gives the same value at random points.
    #[test]
    fn printed_derivatives_equal_the_exact_gradient(
        src in expr(),
        points in prop::collection::vec((-3.0f64..3.0, -3.0f64..3.0), 20),
    ) {
        let f = Formula::parse_with_vars(&src, &["x", "y"]).unwrap();
        // An infinite constant part (ln(0), 1/0) makes x^(ln(0)) and the like, whose value
        // the language defines by convention, not by calculus: nothing to compare.
        let whole = symbolic::simplified(&f).unwrap();
        prop_assume!(!["ln(0)", "log2(0)", "log10(0)", "/0", "atanh(1)", "atanh(-1)"]
            .iter()
            .any(|c| whole.contains(c)));
        let p = symbolic::partials(&f).unwrap();
        let printed: Vec<Formula> = p
            .partials
            .iter()
            .map(|d| {
                assert!(d.chars().count() <= MAX_LEN, "{src}: too long to paste back: {d}");
                Formula::parse_with_vars(d, &["x", "y"])
                    .unwrap_or_else(|e| panic!("{src}: ∂ printed as {d:?} does not parse: {e}"))
            })
            .collect();
        let mut compared = 0;
        for (x, y) in points {
            let (v, g) = f.gradient(&[x, y]);
            // Compared wherever the tutor shows numbers and its two paths (plain f64 and dual
            // numbers) agree on the value: where they do not, num-dual's own formula has lost
            // the number (powf of a huge base underflows to 0), which is the math core's issue.
            let shown = v.is_finite() && close(f.value(&[x, y]), v);
            if !shown || g.iter().any(|d| !d.is_finite() || d.abs() > 1e8) {
                continue;
            }
            // Where moving the point by 1e-14 of itself moves the gradient by 1e-9 of itself
            // (cos(exp(5)^y) at y = 2.8), the last bits of any two ways of computing it differ
            // by more than 1e-9: nothing can be compared that finely there.
            let (_, nudged) = f.gradient(&[x * (1.0 + 1e-14), y * (1.0 + 1e-14)]);
            if g.iter().zip(&nudged).any(|(a, b)| !close(*a, *b)) {
                continue;
            }
            for (i, d) in printed.iter().enumerate() {
                let got = d.value(&[x, y]);
                // Beyond 1e8 on either side, like the filter on the gradient above: there
                // num-dual's powf of a huge base underflows to a slope of 0 (sqrt(exp(400))).
                if got.abs() > 1e8 {
                    continue;
                }
                // The one known gap: where a part of the formula sits at a constant that
                // another function is singular at, over a whole region (relu(x)^y or
                // atan2(relu(x), 0) for x < 0, atan2(0, y)^x for y > 0, (-2)^max(y, 2) for
                // y < 2), the tutor's slope is right and the chain rule writes it as 0·∞, 0/0
                // or 0·ln(negative): NaN. Only a kinked function or an exact 0 makes one.
                if got.is_nan() && (kinked(&src) || g[i] == 0.0) {
                    continue;
                }
                // Terms of the size of L can cancel to a slope of 0 (exp(10y)^(pi/y) is the
                // constant e^(10·pi)); rounding leaves 1e-15·|L| of them in the dual numbers, so
                // that much is allowed on top (the window's coordinates are of order 1).
                prop_assert!(
                    close(got, g[i]) || (got - g[i]).abs() <= 1e-12 * v.abs(),
                    "{src}\n∂/∂{} = {}\nat ({x}, {y}): printed gives {got}, dual numbers {}",
                    p.vars[i], p.partials[i], g[i]
                );
            }
            compared += 1;
        }
        // A formula with no value anywhere in the window says nothing: draw another.
        prop_assume!(compared > 0);
    }
}
