//! The formula fuzz target: random token soups and mutations of valid formulas thrown at the
//! parser (as `gradstep run` and the tutor's formula entry call it), the value, the gradient
//! and the Hessian. Asserted for every input: no panic; an error names a column inside the
//! input; the compiled program is no longer than the source (so the work per evaluation is
//! bounded by the input, whatever it is); the value the gradient carries is the plain value,
//! bit for bit; and where the value is finite, the gradient is finite or
//! `Formula::gradient_issue` says why not.
//!
//! Stable toolchain, plain `cargo test`: a short pass by default (CASES below, a few seconds).
//! The long run, 10⁷ cases per property:
//!
//! ```text
//! PROPTEST_CASES=10000000 cargo test --release --test fuzz_formula
//! ```

use gradstep::math::formula::Draft;
use gradstep::math::{Formula, MAX_LEN};
use proptest::prelude::*;

const CASES: u32 = 10_000;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(CASES);
    ProptestConfig {
        cases,
        // Failures are reported with the input; nothing is written next to the test.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Pieces learners type, friendly spellings and numbers at the edges of f64 included.
const PIECES: &[&str] = &[
    "x",
    "y",
    "z",
    "θ₁",
    "η",
    "π",
    "e",
    "pi",
    "0",
    "1",
    "2",
    "0.5",
    ".5",
    "3e2",
    "1e99",
    "1e308",
    "1e-320",
    "12345678901234567890",
    "711",
    "-",
    "+",
    "*",
    "/",
    "%",
    "^",
    "**",
    "²",
    "³",
    "·",
    "×",
    "−",
    "÷",
    "(",
    ")",
    ",",
    " ",
    "sin(",
    "cos(",
    "tan(",
    "tanh(",
    "sinh(",
    "cosh(",
    "exp(",
    "ln(",
    "log(",
    "log2(",
    "log10(",
    "sqrt(",
    "abs(",
    "asin(",
    "acos(",
    "atan(",
    "acosh(",
    "atanh(",
    "asinh(",
    "atan2(",
    "max(",
    "min(",
    "floor(",
    "ceil(",
    "round(",
    "signum(",
    "sigmoid(",
    "relu(",
    "softplus(",
    "foo(",
    "$",
];

/// Formulas a lesson or a learner might write, to mutate.
const VALID: &[&str] = &[
    "x^2 + x*y + y^2",
    "(1 - x)^2 + 100*(y - x^2)^2",
    "x^2 - y^2",
    "sin(x)*cos(y) + 0.1*(x^2+y^2)",
    "tanh(x) + sigmoid(y)",
    "softplus(x - y) + relu(x)",
    "12345678901234567890 % y^7",
    "x^1e99 + y",
    "atan2(y, x) + max(x, y, 1)",
    "θ₁² + 3·θ₂ × η − x**2 ÷ 2",
    "sqrt(x^2 + y^2) + ln(1 + exp(x))",
    "x^y + y^x",
    // Found by the 10⁶ run: ∞ as a divisor (y^7 overflows) made the Hessian's gradient NaN.
    "x23456789012345617890 % y^7",
];

/// Points at the edges: zeros, ones, signs, the overflow and underflow thresholds.
fn coordinate() -> impl Strategy<Value = f64> {
    prop_oneof![
        -3.0f64..3.0,
        -1e3f64..1e3,
        prop::sample::select(vec![
            0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, 355.0, 356.0, 710.0, 711.0, -711.0, 1e-310,
            5e-324, 1e154, 1e200, -1e200, 1e308, -1e308, 1e99, -64826.0,
        ]),
        any::<f64>().prop_filter("finite", |v| v.is_finite()),
    ]
}

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|v| v.concat())
}

/// One edit: insert a piece, delete a span, or swap two characters.
#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, &'static str),
    Delete(usize, usize),
    Swap(usize, usize),
}

fn mutated() -> impl Strategy<Value = String> {
    let edit = prop_oneof![
        (any::<usize>(), prop::sample::select(PIECES)).prop_map(|(i, p)| Edit::Insert(i, p)),
        (any::<usize>(), 1usize..4).prop_map(|(i, n)| Edit::Delete(i, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Edit::Swap(i, j)),
    ];
    (
        prop::sample::select(VALID),
        prop::collection::vec(edit, 1..5),
    )
        .prop_map(|(src, edits)| {
            let mut chars: Vec<char> = src.chars().collect();
            for e in edits {
                let n = chars.len().max(1);
                match e {
                    Edit::Insert(i, p) => {
                        let at = i % (chars.len() + 1);
                        chars.splice(at..at, p.chars());
                    }
                    Edit::Delete(i, k) => {
                        let at = i % n;
                        let end = (at + k).min(chars.len());
                        chars.drain(at.min(end)..end);
                    }
                    Edit::Swap(i, j) if !chars.is_empty() => chars.swap(i % n, j % n),
                    Edit::Swap(..) => {}
                }
            }
            chars.into_iter().collect()
        })
}

fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Everything asserted for one input at one point.
fn exercise(src: &str, point: &[f64]) -> Result<(), TestCaseError> {
    let len = src.chars().count();
    // The tutor's entry: live validation on every edit, then Enter takes the same parse.
    let mut draft = Draft::default();
    let live_error = draft.update(src).cloned();
    let entered = draft.take(src);
    prop_assert_eq!(live_error.is_some(), entered.is_err());
    for parsed in [entered, Formula::parse_with_vars(src, &["x", "y", "z"])] {
        let f = match parsed {
            Err(e) => {
                prop_assert!(!e.message.is_empty());
                if let Some(c) = e.column {
                    prop_assert!(c >= 1 && c <= len.max(1), "{:?}: column {}", src, c);
                }
                continue;
            }
            Ok(f) => f,
        };
        prop_assert!(len <= MAX_LEN);
        prop_assert!(
            f.program_len() <= 2 * len.max(1),
            "{:?}: {} operations from {} characters",
            src,
            f.program_len(),
            len
        );
        let theta: Vec<f64> = (0..f.vars().len())
            .map(|i| point[i % point.len()])
            .collect();
        let v = f.value(&theta);
        let (gv, g) = f.gradient(&theta);
        prop_assert!(
            same(v, gv),
            "{:?} at {:?}: value {} vs {}",
            src,
            theta,
            v,
            gv
        );
        let issue = f.gradient_issue(&theta);
        if v.is_finite() && !g.iter().all(|d| d.is_finite()) {
            prop_assert!(
                issue.is_some(),
                "{:?} at {:?}: ∇ = {:?}, no reason",
                src,
                theta,
                g
            );
        } else {
            prop_assert!(issue.is_none(), "{:?} at {:?}: {:?}", src, theta, issue);
        }
        if theta.len() <= 3 {
            let (hv, hg, _) = f.hessian(&theta);
            prop_assert!(
                same(v, hv),
                "{:?} at {:?}: hessian value {}",
                src,
                theta,
                hv
            );
            // The Hessian's dual numbers carry the same gradient wherever it is finite.
            let finite = v.is_finite() && g.iter().all(|d| d.is_finite());
            for (a, b) in g.iter().zip(&hg).filter(|_| finite) {
                prop_assert!(
                    same(*a, *b) || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()),
                    "{:?} at {:?}: ∇ {:?} vs {:?}",
                    src,
                    theta,
                    g,
                    hg
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn token_soups(src in soup(), p in prop::collection::vec(coordinate(), 3)) {
        exercise(&src, &p)?;
    }

    #[test]
    fn mutated_formulas(src in mutated(), p in prop::collection::vec(coordinate(), 3)) {
        exercise(&src, &p)?;
    }

    #[test]
    fn valid_formulas_at_the_edges(
        src in prop::sample::select(VALID),
        p in prop::collection::vec(coordinate(), 3),
    ) {
        exercise(src, &p)?;
    }
}

/// Found by the fuzz pass in CI: at a kink where the loss is still differentiable, the
/// gradient and the Hessian's first derivatives agree (they once gave [4, −200] and [NaN, −200]).
#[test]
fn gradient_and_hessian_agree_at_a_differentiable_kink() {
    let f = gradstep::math::Formula::parse("(abs(1 - x)^2 + 100*y - x^2)^2").unwrap();
    let (_, g) = f.gradient(&[1.0, 0.0]);
    let (_, hg, _) = f.hessian(&[1.0, 0.0]);
    assert_eq!(g, vec![4.0, -200.0]);
    assert_eq!(hg, g);
}
