//! `gradstep check` on the real lessons and on broken ones: every problem names the file and
//! the line:column where the author has to look.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn gradstep() -> Command {
    Command::cargo_bin("gradstep").expect("the binary builds")
}

#[test]
fn the_lessons_pass_their_own_checks() {
    let manifest = env!("CARGO_MANIFEST_DIR");
    let out = gradstep()
        .args(["check", &format!("{manifest}/lessons")])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    for id in [
        "opening",
        "slope",
        "partial-derivatives",
        "taylor",
        "slp-logistic",
        "learning-rate",
        "stopping",
        "linear-regression",
        "batch-minibatch",
        "optimizers",
        "hard-terrain",
        "vanishing-exploding",
    ] {
        assert!(
            text.contains(&format!("ok  {id}: ")),
            "{id} missing in:\n{text}"
        );
    }
}

#[test]
fn lessons_lists_ids_in_order_in_both_languages() {
    let en = gradstep()
        .args(["lessons", "--lang", "en"])
        .assert()
        .success();
    let en = String::from_utf8(en.get_output().stdout.clone()).unwrap();
    let ids: Vec<&str> = en
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(ids.len(), 12, "{en}");
    assert_eq!(
        ids[..5],
        [
            "opening",
            "slope",
            "partial-derivatives",
            "taylor",
            "slp-logistic"
        ]
    );
    // The course ends with the deep-network lesson (order 110), after the optimizers (90)
    // and the hard terrain (100).
    assert_eq!(
        ids[ids.len() - 3..],
        ["optimizers", "hard-terrain", "vanishing-exploding"]
    );
    assert!(en.contains("Partial derivatives and the gradient"));
    gradstep()
        .args(["lessons", "--lang", "zh"])
        .assert()
        .success()
        .stdout(predicate::str::contains("偏导数与梯度"));
    gradstep()
        .env("LANG", "zh_CN.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("GRADSTEP_LESSONS")
        .arg("lessons")
        .assert()
        .success()
        .stdout(predicate::str::contains("偏导数与梯度"));
}

#[test]
fn lesson_prints_its_pages() {
    gradstep()
        .args(["lesson", "slp-logistic", "--lang", "en", "--print"])
        .assert()
        .success()
        .stdout(predicate::str::contains("[0.15, 0.10, 0.05]"));
    gradstep()
        .args(["lesson", "no-such-lesson"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no lesson 'no-such-lesson'"));
}

#[test]
fn a_chinese_printout_names_views_models_and_runs_in_chinese() {
    let out = gradstep()
        .args(["lesson", "linear-regression", "--lang", "zh", "--print"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("── 第 1/"), "{text}");
    assert!(text.contains("模型 · 线性回归"), "{text}");
    for english in ["page ", "model", "regression"] {
        assert!(!text.contains(english), "'{english}' in: {text}");
    }
}

const GOOD: &str = r#"id = "mini"
order = 1
title = { zh = "最小", en = "Minimal" }
summary = { zh = "一页", en = "One page" }

[scene]
view = "surface"
formula = "x^2 + y^2"
start = [1, 1]
lr = 0.1

[[page]]
zh = "一步。"
en = "One step."

[[check]]
at = 1
params = [0.8, 0.8]
"#;

/// Writes `text` as `mini.toml` (plus a good neighbour) and runs `check` on the directory.
fn check_one(text: &str) -> (String, String, i32, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mini.toml"), text).unwrap();
    std::fs::write(
        dir.path().join("fine.toml"),
        GOOD.replace("\"mini\"", "\"fine\""),
    )
    .unwrap();
    let out = gradstep().arg("check").arg(dir.path()).output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap_or(-1),
        dir,
    )
}

/// Asserts the broken file is reported at exactly `line:col` with `words` in the message,
/// and that the good neighbour still passed.
fn expect_problem(text: &str, line: usize, col: usize, words: &str) {
    let (out, err, code, dir) = check_one(text);
    assert_eq!(code, 2, "stdout:\n{out}\nstderr:\n{err}");
    let file = Path::new(dir.path())
        .join("mini.toml")
        .display()
        .to_string();
    let want = format!("{file}:{line}:{col}: ");
    let hit = err.lines().find(|l| l.starts_with(&want));
    let Some(hit) = hit else {
        panic!("no problem at {want} in:\n{err}");
    };
    assert!(hit.contains(words), "'{words}' not in: {hit}");
    assert!(
        out.contains("ok  fine: 1 page, 1 check passed"),
        "the good file was not checked:\n{out}"
    );
}

#[test]
fn the_good_minimal_lesson_passes() {
    let (out, err, code, _dir) = check_one(GOOD);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("ok  mini: 1 page, 1 check passed"));
}

#[test]
fn bad_toml_names_the_place() {
    expect_problem(&GOOD.replace("lr = 0.1", "lr = = 0.1"), 10, 6, "");
}

#[test]
fn unknown_view() {
    expect_problem(
        &GOOD.replace("\"surface\"", "\"globe\""),
        7,
        8,
        "unknown view 'globe'",
    );
}

#[test]
fn formula_that_does_not_parse_points_at_the_column() {
    // `formula = "x^2 + 2y"`: the string's text starts at column 12 and the formula parser
    // blames its 8th character (the y of "2y"), so the file column is 12 + 7 = 19.
    expect_problem(
        &GOOD.replace("x^2 + y^2", "x^2 + 2y"),
        8,
        19,
        "formula: write 2*y",
    );
}

#[test]
fn failing_check_says_what_the_math_says() {
    expect_problem(
        &GOOD.replace("params = [0.8, 0.8]", "params = [0.8, 0.7]"),
        18,
        10,
        "check failed: the parameters at step 1 are [0.8, 0.8]",
    );
}

#[test]
fn missing_translation() {
    expect_problem(
        &GOOD.replace("en = \"One step.\"\n", ""),
        12,
        1,
        "English text",
    );
    expect_problem(
        &GOOD.replace(
            "title = { zh = \"最小\", en = \"Minimal\" }",
            "title = { en = \"Minimal\" }",
        ),
        3,
        9,
        "title: the Chinese text",
    );
}

#[test]
fn unknown_key() {
    expect_problem(
        &GOOD.replace("lr = 0.1", "lr = 0.1\nfromula = \"x\""),
        11,
        1,
        "unknown field `fromula`",
    );
}

#[test]
fn wrong_type() {
    expect_problem(&GOOD.replace("lr = 0.1", "lr = \"fast\""), 10, 6, "");
    expect_problem(
        &GOOD.replace("start = [1, 1]", "start = [1, 1, 1]"),
        9,
        9,
        "start has 3 value(s)",
    );
}

#[test]
fn bad_files_never_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.toml"), "this is not toml [").unwrap();
    std::fs::write(dir.path().join("b.toml"), [0xff, 0xfe, 0x00]).unwrap();
    std::fs::write(
        dir.path().join("fine.toml"),
        GOOD.replace("\"mini\"", "\"fine\""),
    )
    .unwrap();
    gradstep()
        .args(["lessons", "--dir"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("fine  Minimal"))
        .stderr(predicate::str::contains("a.toml:1:"))
        .stderr(predicate::str::contains("b.toml: not UTF-8"));
}

#[test]
fn csv_data_is_read_relative_to_the_lesson() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    std::fs::write(dir.path().join("data/one.csv"), "x1,x2,y\n3,2,1\n").unwrap();
    let lesson = GOOD
        .replace(
            "formula = \"x^2 + y^2\"",
            "model = \"logistic\"\ncsv = \"data/one.csv\"",
        )
        .replace("\"surface\"", "\"model\"")
        .replace("start = [1, 1]", "start = [0, 0, 0]")
        .replace("params = [0.8, 0.8]", "params = [0.15, 0.1, 0.05]");
    std::fs::write(dir.path().join("mini.toml"), &lesson).unwrap();
    gradstep().arg("check").arg(dir.path()).assert().success();
    std::fs::write(
        dir.path().join("mini.toml"),
        lesson.replace("one.csv", "two.csv"),
    )
    .unwrap();
    gradstep()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("mini.toml:9:7: cannot read"));
}

#[test]
fn the_authoring_guide_example_passes_check() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let guide = &readme[readme
        .find("## Writing a lesson")
        .expect("the README has the guide")..];
    let start = guide.find("```toml\n").expect("a toml example") + "```toml\n".len();
    let end = start + guide[start..].find("```").unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("my-bowl.toml"), &guide[start..end]).unwrap();
    gradstep()
        .arg("check")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "ok  my-bowl: 2 pages, 3 checks passed",
        ));
}

/// Runs `check` on a directory with a deadline, so a lesson that would keep it busy fails the
/// test instead of hanging it.
fn check_dir(dir: &Path, secs: u64) -> (String, String, i32) {
    let out = gradstep()
        .arg("check")
        .arg(dir)
        .timeout(std::time::Duration::from_secs(secs))
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap_or(-1),
    )
}

/// GOOD as a model lesson over `data` (a TOML value for `rows = ...` or `csv = ...`).
fn model_lesson(data: &str, check: &str) -> String {
    GOOD.replace(
        "formula = \"x^2 + y^2\"",
        &format!("model = \"linear\"\n{data}"),
    )
    .replace("\"surface\"", "\"model\"")
    .replace("start = [1, 1]\n", "")
    .replace("at = 1\nparams = [0.8, 0.8]", check)
}

#[test]
fn a_lesson_reading_dev_zero_is_refused() {
    if !Path::new("/dev/zero").exists() {
        eprintln!("note: no /dev/zero here; skipping");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mini.toml"),
        model_lesson("csv = \"/dev/zero\"", "after = 1\nstatus = \"running\""),
    )
    .unwrap();
    let (_, err, code) = check_dir(dir.path(), 20);
    assert_eq!(code, 2);
    assert!(
        err.contains("mini.toml:9:7: /dev/zero: it is not a regular file"),
        "{err}"
    );
}

#[test]
fn a_scene_too_wide_for_the_tutor_is_refused_by_check() {
    // 10 examples × 1,000 features: the model's map would read 10,000 numbers per sample.
    let row = format!("[{}]", vec!["1"; 1001].join(", "));
    let rows = format!("rows = [\n{}\n]", vec![row; 10].join(",\n"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mini.toml"),
        model_lesson(&rows, "after = 1\nstatus = \"running\""),
    )
    .unwrap();
    let (_, err, code) = check_dir(dir.path(), 20);
    assert_eq!(code, 2);
    assert!(
        err.contains("mini.toml:9:8: the model's map reads 10 example(s) × 1000 feature(s)"),
        "{err}"
    );
    assert!(err.contains("interactive budget is 4000"), "{err}");
    // 300,000 features in one row are past the column limit already.
    let wide = format!("rows = [[{}]]", vec!["1"; 300_001].join(","));
    std::fs::write(
        dir.path().join("mini.toml"),
        model_lesson(&wide, "after = 1\nstatus = \"running\""),
    )
    .unwrap();
    let (_, err, code) = check_dir(dir.path(), 20);
    assert_eq!(code, 2);
    assert!(err.contains("the limit is 1001 columns"), "{err}");
}

#[test]
fn a_check_that_would_run_for_minutes_is_refused_at_once() {
    // 100,000 inline rows with `after = 99998`: 10¹⁰ reads, over 300 s before the budget.
    let rows = format!("rows = [{}]", vec!["[1,1]"; 100_000].join(","));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mini.toml"),
        model_lesson(&rows, "after = 99998\nstatus = \"max_steps\""),
    )
    .unwrap();
    let (_, err, code) = check_dir(dir.path(), 60);
    assert_eq!(code, 2);
    assert!(err.contains("this check runs 99998 update(s)"), "{err}");
    assert!(
        err.contains("the limit for one lesson is 100000000"),
        "{err}"
    );
}

#[test]
fn a_lesson_file_over_the_size_cap_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let big = GOOD.replace("One step.", &"x".repeat(2 * 1024 * 1024));
    std::fs::write(dir.path().join("mini.toml"), big).unwrap();
    let (_, err, code) = check_dir(dir.path(), 20);
    assert_eq!(code, 2);
    assert!(
        err.contains("mini.toml: the lesson file is larger than 1048576 bytes"),
        "{err}"
    );
}

#[test]
fn escape_sequences_in_lesson_text_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let evil = "\\u001b[2J\\u001b]0;pwned\\u0007Minimal\\u009b31m";
    std::fs::write(
        dir.path().join("mini.toml"),
        GOOD.replace("en = \"Minimal\"", &format!("en = \"{evil}\""))
            .replace("en = \"One step.\"", &format!("en = \"One{evil} step.\"")),
    )
    .unwrap();
    for args in [
        vec!["lessons", "--lang", "en", "--dir"],
        vec!["lesson", "mini", "--print", "--lang", "en", "--dir"],
    ] {
        let out = gradstep().args(&args).arg(dir.path()).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap();
        assert!(out.status.success(), "{args:?}: {text}");
        assert!(text.contains("Minimal"), "{text}");
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{args:?} printed a control character: {text:?}"
        );
        assert!(!text.contains("pwned"), "{text:?}");
    }
}
