//! A Chinese learner reads formula errors in Chinese: the sandbox's entry line shows the
//! Chinese message with the caret at the same column as in English, and the English
//! messages (which the CLI prints) are unchanged. Every error the parser can give carries
//! both languages with the same facts: the column and the quoted names.

mod tutor;
use crossterm::event::KeyCode;
use gradstep::lesson::Lang;
use gradstep::math::Formula;
use gradstep::math::optimizer::{Kind, Optimizer};
use gradstep::stage::SandboxSpec;
use gradstep::tui::{App, Open};
use proptest::prelude::*;
use tutor::{code, key, screen};

fn sandbox(lang: Lang) -> App {
    tutor::app(
        Open::Sandbox(SandboxSpec {
            formula: Formula::parse("x^2 + y^2").unwrap(),
            start: vec![1.0, 1.0],
            lr: 0.1,
            optimizer: Optimizer::new(Kind::Sgd),
        }),
        lang,
    )
}

/// Opens the formula entry with `f`, types `text` over what was there, returns the screen.
fn type_formula(a: &mut App, text: &str) -> String {
    key(a, 'f');
    for _ in 0..80 {
        code(a, KeyCode::Backspace);
    }
    for c in text.chars() {
        key(a, c);
    }
    screen(a, 80, 24)
}

/// The left panel's text (where the entry line and its message are) with borders and all
/// whitespace gone, so a message wrapped over several rows reads as one string.
fn squeezed(s: &str) -> String {
    s.lines()
        .filter_map(|r| r.strip_prefix('|'))
        .map(|r| r.split('|').next().unwrap_or(""))
        .flat_map(|r| r.chars().filter(|c| !c.is_whitespace()))
        .collect()
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The 1-based column of the formula the caret under the entry line points at.
fn caret_column(s: &str, typed: &str) -> Option<usize> {
    let rows: Vec<&str> = s.lines().collect();
    let entry = format!("L = {typed}");
    let at = rows.iter().position(|r| r.contains(&entry))?;
    let start = rows[at].find(&entry)? + "L = ".len();
    let start = rows[at][..start].chars().count();
    let caret = rows.get(at + 1)?.chars().position(|c| c == '^')?;
    Some(caret + 1 - start)
}

/// (typed, column, English message, Chinese message) as the learner sees them.
const CASES: &[(&str, usize, &str, &str)] = &[
    (
        "sin(",
        4,
        "sin( at column 4 needs an argument and a closing ')'",
        "第 4 列的 sin( 还缺一个参数和右括号 ')'",
    ),
    (
        "2x",
        2,
        "write 2*x at column 2: a number next to a name needs '*'",
        "请写成 2*x（第 2 列：数和名字之间要写 '*'）",
    ),
    (
        "x +* y",
        4,
        "unexpected '*' at column 4",
        "第 4 列不该出现 '*'",
    ),
    (
        "x + y)",
        6,
        "unbalanced parentheses: ')' at column 6 has no matching '('",
        "括号不配对：第 6 列的 ')' 没有对应的 '('",
    ),
    (
        "x + atan2(y)",
        5,
        "atan2 takes 2 arguments, got 1 (column 5)",
        "atan2 要 2 个参数，这里给了 1 个（第 5 列）",
    ),
];

#[test]
fn the_chinese_sandbox_shows_formula_errors_in_chinese_at_the_same_column() {
    for &(typed, column, en, zh) in CASES {
        let mut a = sandbox(Lang::Zh);
        let s = type_formula(&mut a, typed);
        assert!(
            squeezed(&s).contains(&squeeze(zh)),
            "{typed}: no Chinese message «{zh}»\n{s}"
        );
        assert!(
            !s.contains("column") && !squeezed(&s).contains(&squeeze(en)),
            "{typed}: English leaks into the Chinese sandbox\n{s}"
        );
        assert_eq!(caret_column(&s, typed), Some(column), "{typed}\n{s}");
    }
}

#[test]
fn the_english_sandbox_keeps_its_english_messages() {
    for &(typed, column, en, zh) in CASES {
        let mut a = sandbox(Lang::En);
        let s = type_formula(&mut a, typed);
        assert!(
            squeezed(&s).contains(&squeeze(en)),
            "{typed}: no English message «{en}»\n{s}"
        );
        assert!(
            !squeezed(&s).contains(&squeeze(zh)),
            "{typed}: Chinese in the English sandbox\n{s}"
        );
        assert_eq!(caret_column(&s, typed), Some(column), "{typed}\n{s}");
        // What the CLI prints is the English message itself.
        let e = Formula::parse(typed).unwrap_err();
        assert_eq!((e.to_string().as_str(), e.column), (en, Some(column)));
    }
}

/// The quoted fragments ('x', ')') and the numbers of a message: the facts both languages
/// must state.
fn facts(m: &str) -> (Vec<String>, Vec<String>) {
    // A quote opens after a non-letter and closes before one, so "function's" is no quote.
    let chars: Vec<char> = m.chars().collect();
    let word = |i: usize| chars.get(i).is_some_and(|c| c.is_alphanumeric());
    let mut quoted = Vec::new();
    let mut open = None;
    for (i, &c) in chars.iter().enumerate() {
        match open {
            None if c == '\'' && (i == 0 || !word(i - 1)) => open = Some(i + 1),
            Some(s) if c == '\'' && !word(i + 1) && i > s => {
                quoted.push(chars[s..i].iter().collect());
                open = None;
            }
            _ => {}
        }
    }
    let numbers = m
        .split(|c: char| !c.is_ascii_digit())
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect();
    (quoted, numbers)
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn assert_same_facts(src: &str, e: &gradstep::math::FormulaError) {
    assert!(has_cjk(&e.message_zh), "{src:?}: {:?}", e.message_zh);
    let (quoted, numbers) = facts(&e.message);
    for q in quoted {
        assert!(
            e.message_zh.contains(&format!("'{q}'")),
            "{src:?}: '{q}' missing from «{}» («{}»)",
            e.message_zh,
            e.message
        );
    }
    for n in numbers {
        assert!(
            e.message_zh.contains(&n),
            "{src:?}: {n} missing from «{}» («{}»)",
            e.message_zh,
            e.message
        );
    }
}

#[test]
fn every_kind_of_formula_error_says_the_same_facts_in_chinese() {
    let long = "x+".repeat(600) + "x";
    let deep = "(".repeat(70) + "x" + &")".repeat(70);
    let bad: &[&str] = &[
        "",
        "   ",
        &long,
        &deep,
        "x $ y",
        "1.2.3",
        "foo(x)",
        "x +* y",
        ", x",
        "x, y",
        ")",
        "x + y)",
        "(x + y",
        "sin(",
        "sin()",
        "()",
        "x +",
        "2x",
        "2 x",
        "x y",
        "atan2(x)",
        "sin(x, y)",
    ];
    for src in bad {
        let e = Formula::parse(src).unwrap_err();
        assert_same_facts(src, &e);
    }
    let e = Formula::parse_with_vars("x + z", &["x", "y"]).unwrap_err();
    assert_eq!(e.column, Some(5));
    assert_eq!(e.message_zh, "第 5 列的变量 'z' 不认识（变量是 x, y）");
    assert_same_facts("x + z", &e);
    for vars in [&["x", "x"][..], &["pi"], &["2a"], &["x y"], &[]] {
        let e = Formula::parse_with_vars("x", vars).unwrap_err();
        assert_same_facts(&format!("{vars:?}"), &e);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever is typed, an error comes in both languages with the same column and names.
    #[test]
    fn any_bad_formula_is_explained_in_both_languages(src in "[xy12 .+*^(),sinmaxq]{0,12}") {
        if let Err(e) = Formula::parse(&src) {
            assert_same_facts(&src, &e);
        }
    }
}
