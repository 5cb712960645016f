//! `gradstep run` as a teacher would script it: outputs, formats and every kind of bad input.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn run(args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("gradstep")
        .unwrap()
        .arg("run")
        .args(args)
        .assert()
}

fn json(args: &[&str]) -> Value {
    let out = run(&[args, &["--format", "json"]].concat())
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn json_has_one_record_per_visited_point() {
    let v = json(&[
        "--formula",
        "x^2 + x*y + y^2",
        "--vars",
        "x,y",
        "--start",
        "3,4",
        "--lr",
        "0.1",
        "--steps",
        "3",
    ]);
    assert_eq!(v["vars"], serde_json::json!(["x", "y"]));
    assert_eq!(v["optimizer"], "sgd");
    assert_eq!(v["lr"], 0.1);
    assert_eq!(v["status"], "max_steps");
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 4);
    assert_eq!(
        steps[0],
        serde_json::json!({"t": 0, "params": [3, 4], "value": 37, "grad": [10, 11], "update": [-1, -1.1]})
    );
    assert_eq!(steps[1]["params"], serde_json::json!([2, 2.9]));
    assert_eq!(steps[3]["update"], Value::Null);
}

#[test]
fn steps_zero_prints_the_start() {
    let v = json(&[
        "--formula",
        "x^2 + x*y + y^2",
        "--start",
        "2,1",
        "--steps",
        "0",
    ]);
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0]["value"], 7);
    assert_eq!(steps[0]["grad"], serde_json::json!([5, 4]));
}

#[test]
fn tolerance_stops_early_and_says_converged() {
    let v = json(&[
        "--formula",
        "x^2 + x*y + y^2",
        "--start",
        "3,4",
        "--tol",
        "1e-6",
        "--stop-on",
        "grad",
        "--steps",
        "1000",
    ]);
    assert_eq!(v["status"], "converged");
    let last = v["steps"].as_array().unwrap().last().unwrap().clone();
    let g: Vec<f64> = last["grad"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert!(g.iter().map(|x| x * x).sum::<f64>().sqrt() < 1e-6);
}

#[test]
fn negative_start_values_work() {
    let v = json(&[
        "--formula",
        "(1 - x)^2 + 100*(y - x^2)^2",
        "--start",
        "-1.2,1",
        "--lr",
        "0.001",
        "--steps",
        "1",
    ]);
    assert_eq!(v["steps"][0]["params"], serde_json::json!([-1.2, 1]));
}

#[test]
fn divergence_is_a_status_and_never_printed_as_a_number() {
    let v = json(&[
        "--formula",
        "x^2",
        "--start",
        "1",
        "--lr",
        "1.5",
        "--steps",
        "100",
    ]);
    assert_eq!(v["status"], "diverged");
    let n = v["steps"].as_array().unwrap().len();
    assert!(n < 100, "stopped at {n}");
    run(&["--formula", "log(x)", "--start", "-1"])
        .success()
        .stdout(
            predicate::str::contains("diverged at t = 0")
                .and(predicate::str::contains("NaN").not()),
        );
}

#[test]
fn slp_worked_example_headless() {
    let v = json(&[
        "--model", "logistic", "--x", "3,2", "--y", "1", "--lr", "0.1", "--steps", "1",
    ]);
    assert_eq!(v["vars"], serde_json::json!(["w1", "w2", "b"]));
    assert_eq!(v["steps"][0]["grad"], serde_json::json!([-1.5, -1, -0.5]));
    let p: Vec<f64> = v["steps"][1]["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    for (a, b) in p.iter().zip([0.15, 0.10, 0.05]) {
        assert!((a - b).abs() < 1e-15);
    }
}

#[test]
fn table_and_csv_formats() {
    run(&[
        "--formula",
        "x^2 + x*y + y^2",
        "--start",
        "3,4",
        "--steps",
        "1",
    ])
    .success()
    .stdout(
        predicate::str::contains("∂L/∂x").and(predicate::str::contains(
            "status: max_steps: took 1 update\n",
        )),
    );
    let out = run(&[
        "--formula",
        "x^2 + x*y + y^2",
        "--start",
        "3,4",
        "--steps",
        "1",
        "--format",
        "csv",
    ])
    .success()
    .get_output()
    .stdout
    .clone();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "t,x,y,value,grad_x,grad_y,update_x,update_y");
    assert_eq!(lines[1], "0,3,4,37,10,11,-1,-1.1");
    assert_eq!(lines[2], "1,2,2.9,18.21,6.9,7.8,,");
}

#[test]
fn linear_regression_from_csv_in_minibatches() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("points.csv");
    std::fs::write(&path, "x,y\n1,2\n2,4\n3,6\n4,8\n5,10\n").unwrap();
    let p = path.to_str().unwrap();
    let v = json(&[
        "--model",
        "linear",
        "--data",
        p,
        "--lr",
        "0.05",
        "--epochs",
        "3",
        "--batch-size",
        "2",
    ]);
    // 5 examples in batches of 2 → 3 batches per epoch (the last holds 1) → 9 updates.
    assert_eq!(v["steps"].as_array().unwrap().len(), 10);
    // The first batch is examples 1–2: ∂J/∂w = mean((h − y)·x) = mean(−2·1, −4·2) = −5.
    assert_eq!(v["steps"][0]["grad"], serde_json::json!([-5, -3]));
    // value is the cost over the whole set: (4+16+36+64+100)/(2·5) = 22.
    assert_eq!(v["steps"][0]["value"], 22);
}

#[test]
fn bad_input_is_named_with_exit_status_2() {
    let cases: &[(&[&str], &str)] = &[
        (&["--formula", "x^^2"], "unexpected '^' at column 3"),
        (&["--formula", "2x"], "write 2*x"),
        (&["--formula", "foo(x)"], "unknown function 'foo'"),
        (&["--formula", "(x"], "never closed"),
        (&["--formula", ""], "the formula is empty"),
        (&["--formula", "x+y", "--vars", "x"], "unknown variable 'y'"),
        (
            &["--formula", "x+y", "--start", "1"],
            "--start has 1 value(s) but there are 2",
        ),
        (
            &["--formula", "x", "--start", "a"],
            "--start: 'a' is not a number",
        ),
        (
            &["--formula", "x", "--lr", "-1"],
            "--lr must be greater than 0",
        ),
        (
            &["--formula", "x", "--lr", "abc"],
            "invalid value 'abc' for '--lr <LR>': not a number",
        ),
        (
            &["--formula", "x", "--steps", "-3"],
            "invalid value '-3' for '--steps <STEPS>': not a whole number",
        ),
        (&["--formula", "x", "--steps", "999999999"], "the limit is"),
        (
            &["--formula", "x", "--optimizer", "lbfgs"],
            "unknown optimizer 'lbfgs'",
        ),
        (
            &["--formula", "x", "--optimizer", "adam", "--beta2", "1.5"],
            "--beta2 must be in [0, 1)",
        ),
        (
            &["--formula", "x", "--tol", "0"],
            "--tol must be greater than 0",
        ),
        (&["--formula", "x", "--model", "linear"], "not both"),
        (
            &["--formula", "x", "--epochs", "3"],
            "--epochs goes with --model",
        ),
        (&[], "give --formula"),
        (&["--model", "logistic"], "needs data"),
        (
            &["--model", "tree", "--x", "1", "--y", "1"],
            "unknown model 'tree'",
        ),
        (
            &["--model", "logistic", "--x", "3,2", "--y", "2"],
            "needs 0 or 1",
        ),
        (
            &["--model", "logistic", "--x", "3,2;1", "--y", "1,0"],
            "example 2 has 1 features",
        ),
        (
            &["--model", "logistic", "--x", "3,2", "--y", "1,0"],
            "--x has 1 example(s) but --y has 2",
        ),
        (
            &["--model", "linear", "--data", "/nonexistent/points.csv"],
            "cannot read /nonexistent/points.csv",
        ),
        (
            &[
                "--model",
                "linear",
                "--x",
                "1",
                "--y",
                "1",
                "--batch-size",
                "0",
            ],
            "--batch-size must be at least 1",
        ),
        (
            &["--model", "linear", "--x", "1", "--y", "1", "--seed", "3"],
            "--seed only matters with --shuffle",
        ),
        (
            &["--format", "xml", "--formula", "x"],
            "invalid value 'xml'",
        ),
        (&["--bogus"], "unexpected argument '--bogus'"),
    ];
    for (args, msg) in cases {
        run(args).code(2).stderr(predicate::str::contains(*msg));
    }
}

#[test]
fn bad_data_files_name_the_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "ragged.csv",
            "1,2\n3,4,5\n",
            "ragged.csv:2: this row has 3 columns but line 1 has 2",
        ),
        (
            "word.csv",
            "x,y\n1,2\n3,abc\n",
            "word.csv:3: column 2: 'abc' is not a finite number",
        ),
        ("empty.csv", "", "empty.csv: the file has no data rows"),
        ("header-only.csv", "x,y\n", "the file has no data rows"),
        ("one-column.csv", "1\n2\n", "needs at least 2 columns"),
        (
            "labels.csv",
            "# counts\n3,2,1\n1,0,0.5\n",
            "labels.csv:3: the label is 0.5",
        ),
    ];
    for (name, text, msg) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        run(&["--model", "logistic", "--data", path.to_str().unwrap()])
            .code(2)
            .stderr(predicate::str::contains(msg));
    }
}

#[test]
fn shuffled_runs_repeat_with_the_same_seed() {
    let args = [
        "--model",
        "linear",
        "--x",
        "1;2;3;4",
        "--y",
        "1,2,3,4",
        "--batch-size",
        "1",
        "--shuffle",
        "--seed",
        "7",
        "--epochs",
        "2",
    ];
    let a = json(&args);
    let b = json(&args);
    assert_eq!(a, b);
    let unshuffled = json(&[
        "--model",
        "linear",
        "--x",
        "1;2;3;4",
        "--y",
        "1,2,3,4",
        "--batch-size",
        "1",
        "--epochs",
        "2",
    ]);
    assert_ne!(a["steps"], unshuffled["steps"]);
}

/// Runs `gradstep run` with a deadline: a read that never ends fails the test instead of
/// hanging it.
fn run_within(args: &[&str], secs: u64) -> assert_cmd::assert::Assert {
    Command::cargo_bin("gradstep")
        .expect("the binary builds")
        .arg("run")
        .args(args)
        .timeout(std::time::Duration::from_secs(secs))
        .assert()
}

#[test]
fn dev_zero_as_data_is_refused_before_reading() {
    if !std::path::Path::new("/dev/zero").exists() {
        eprintln!("note: no /dev/zero here; skipping");
        return;
    }
    run_within(&["--model", "logistic", "--data", "/dev/zero"], 20)
        .code(2)
        .stderr(predicate::str::contains(
            "/dev/zero: it is not a regular file",
        ));
}

#[test]
fn a_fifo_as_data_is_refused_without_waiting_for_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("data.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("note: mkfifo is not available; skipping");
        return;
    }
    run_within(&["--model", "linear", "--data", fifo.to_str().unwrap()], 20)
        .code(2)
        .stderr(predicate::str::contains("not a regular file"));
}

#[test]
fn data_limits_are_named() {
    let dir = tempfile::tempdir().unwrap();
    // Two million columns: refused at the first row, naming the column limit.
    let wide = dir.path().join("wide.csv");
    std::fs::write(&wide, "1,".repeat(2_000_000) + "1\n").unwrap();
    run_within(&["--model", "linear", "--data", wide.to_str().unwrap()], 60)
        .code(2)
        .stderr(predicate::str::contains("the limit is 1001 columns"));
    // A NUL byte is named as one, not as a number that is not finite.
    let nul = dir.path().join("nul.csv");
    std::fs::write(&nul, "1,0\n3,4\0\n").unwrap();
    run_within(&["--model", "linear", "--data", nul.to_str().unwrap()], 20)
        .code(2)
        .stderr(predicate::str::contains(
            "nul.csv:2: column 2: the field holds a NUL byte",
        ))
        .stderr(predicate::str::contains("'4'").not());
    // A 50,000-character field is quoted short.
    let long = dir.path().join("long.csv");
    std::fs::write(&long, format!("1,{}\n", "z".repeat(50_000))).unwrap();
    let out = run_within(&["--model", "linear", "--data", long.to_str().unwrap()], 20)
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(err.contains("column 2: 'zzzz"), "{err}");
    assert!(err.len() < 300, "the message is {} bytes", err.len());
}

#[test]
fn thousands_of_vars_are_refused_naming_the_limit() {
    let names: Vec<String> = (0..17_576)
        .map(|i| {
            let b = b'a';
            let c = |k: usize| char::from(b + (k % 26) as u8);
            format!("{}{}{}", c(i / 676), c(i / 26), c(i))
        })
        .collect();
    run_within(&["--formula", "aaa", "--vars", &names.join(",")], 20)
        .code(2)
        .stderr(predicate::str::contains(
            "--vars: the formula has 17576 variables; the limit is 100",
        ));
}

#[test]
fn flags_show_their_ranges_and_size_says_out_of_range() {
    let help = Command::cargo_bin("gradstep")
        .unwrap()
        .args(["run", "--help"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let help = String::from_utf8(help).unwrap();
    for range in ["greater than 0", "in [0, 1)", "0 to 99999", "≥ 1"] {
        assert!(help.contains(range), "--help lacks '{range}':\n{help}");
    }
    Command::cargo_bin("gradstep")
        .unwrap()
        .args(["plot", "--size", "100000x100000"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "invalid value '100000x100000' for '--size <SIZE>': 100000x100000 is out of range: 10x5 up to 500x200",
        ));
    run(&["--formula", "x", "--beta1", "1.5", "--optimizer", "adam"])
        .code(2)
        .stderr(predicate::str::contains(
            "--beta1 must be in [0, 1), got 1.5",
        ));
}

#[test]
fn inline_data_mistakes_name_the_flag_that_holds_them() {
    run(&["--model", "linear", "--x", "1,2;3,b", "--y", "1,2"])
        .code(2)
        .stderr(predicate::str::contains(
            "--x: example 2, feature 2: 'b' is not a finite number",
        ));
    run(&["--model", "linear", "--x", "1,2", "--y", "nan"])
        .code(2)
        .stderr(predicate::str::contains(
            "--y: label 1: 'nan' is not a finite number",
        ));
    run(&[
        "--model",
        "linear",
        "--x",
        "1",
        "--y",
        "1",
        "--batch-size",
        "x",
    ])
    .code(2)
    .stderr(predicate::str::contains(
        "invalid value 'x' for '--batch-size <BATCH_SIZE>': not a whole number ≥ 0",
    ));
}
