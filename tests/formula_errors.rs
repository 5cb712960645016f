//! Every wrong formula gets a message that names the problem and the column.

use gradstep::math::Formula;

fn err(src: &str) -> (String, Option<usize>) {
    let e = Formula::parse(src).unwrap_err();
    (e.message, e.column)
}

#[test]
fn doubled_operator_names_its_column() {
    assert_eq!(
        err("x^^2"),
        ("unexpected '^' at column 3".to_string(), Some(3))
    );
}

#[test]
fn implicit_product_says_how_to_write_it() {
    let (m, c) = err("2x");
    assert!(m.starts_with("write 2*x"), "{m}");
    assert_eq!(c, Some(2));
    let (m, _) = err("3 y + 1");
    assert!(m.contains("missing operator between '3' and 'y'"), "{m}");
}

#[test]
fn unknown_function_lists_the_known_ones() {
    let (m, c) = err("1 + foo(x)");
    assert!(
        m.starts_with("unknown function 'foo' at column 5 (known: abs,"),
        "{m}"
    );
    assert!(
        m.contains("sigmoid") && m.contains("softplus") && m.contains("relu"),
        "{m}"
    );
    assert_eq!(c, Some(5));
}

#[test]
fn unbalanced_parentheses_point_at_the_culprit() {
    assert_eq!(err("(x + 1").1, Some(1));
    assert!(err("(x + 1").0.contains("never closed"));
    assert_eq!(err("x + 1)").1, Some(6));
    assert!(err("x + 1)").0.contains("no matching '('"));
}

#[test]
fn empty_and_truncated_input() {
    assert_eq!(err("   ").0, "the formula is empty");
    assert!(err("x +").0.contains("ends too early"));
    assert!(err("sin()").0.contains("needs an argument"));
    assert!(
        err("x $ y")
            .0
            .contains("unexpected character '$' at column 3")
    );
}

#[test]
fn variables_missing_from_vars_are_named() {
    let e = Formula::parse_with_vars("x^2 + z", &["x", "y"]).unwrap_err();
    assert_eq!(e.column, Some(7));
    assert!(
        e.message.contains("unknown variable 'z'") && e.message.contains("x, y"),
        "{e}"
    );
    let e = Formula::parse_with_vars("x", &["x", "x"]).unwrap_err();
    assert!(e.message.contains("listed twice"), "{e}");
    let e = Formula::parse_with_vars("x", &["e"]).unwrap_err();
    assert!(e.message.contains("constant"), "{e}");
}

#[test]
fn wrong_argument_counts() {
    assert!(err("sin(x, y)").0.contains("sin takes 1 argument, got 2"));
    assert!(err("atan2(x)").0.contains("atan2 takes 2 arguments, got 1"));
}

#[test]
fn friendly_spellings_are_accepted() {
    let f = Formula::parse("θ₁² + 3·θ₂ × η − x**2 ÷ 2").unwrap();
    assert_eq!(f.vars(), ["theta1", "theta2", "eta", "x"]);
    let f = Formula::parse(
        "log(e) + log2(8) + log10(100) + sigmoid(0) + relu(-1) + softplus(0) + pi - pi",
    )
    .unwrap();
    assert!((f.value(&[]) - (1.0 + 3.0 + 2.0 + 0.5 + 0.0 + std::f64::consts::LN_2)).abs() < 1e-15);
    let f = Formula::parse(".5*x").unwrap();
    assert_eq!(f.value(&[4.0]), 2.0);
}

#[test]
fn negative_bases_with_integer_powers_keep_their_gradient() {
    let f = Formula::parse("x^3 + x^(1+1)").unwrap();
    let (v, g) = f.gradient(&[-2.0]);
    assert_eq!(v, -8.0 + 4.0);
    assert_eq!(g, vec![12.0 - 4.0]);
}

#[test]
fn an_unclosed_call_points_at_its_parenthesis() {
    // `sin(` at column 1: the `(` stands at column 4, and nothing follows it.
    let (m, c) = err("sin(");
    assert_eq!(c, Some(4), "{m}");
    assert!(m.contains("needs an argument and a closing ')'"), "{m}");
    let (m, c) = err("1 + sin(x");
    assert_eq!(c, Some(8), "{m}");
    assert!(m.contains("'(' at column 8 is never closed"), "{m}");
    // A function's wrong arity still names the function where it starts.
    assert_eq!(err("atan2(x)").1, Some(1));
}
