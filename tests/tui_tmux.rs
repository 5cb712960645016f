//! The real binary in a real terminal (tmux): step, undo, a bad formula, quit, and the shell
//! back in cooked mode afterwards. Needs tmux; skipped with a note without it.

mod common;

use common::{Tmux, have};

#[test]
fn sandbox_steps_undoes_rejects_a_bad_formula_and_restores_the_shell() {
    if !have("tmux") {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_gradstep");
    let cmd = format!(
        "XDG_DATA_HOME={} {bin} play --formula 'x^2 + x*y + y^2' --start 3,4 --lr 0.1; echo GRADSTEP_EXIT=$?; exec sh",
        data.path().display()
    );
    let t = Tmux::start("sandbox", 100, 30, &cmd);
    t.wait_for("(x, y) = (3, 4)", 10);
    t.keys(&["n"]);
    t.wait_for("(x, y) = (2, 2.9)", 5);
    t.keys(&["b"]);
    t.wait_for("(x, y) = (3, 4)", 5);
    t.keys(&["f", "C-u"]);
    t.type_text("x^^2");
    t.wait_for("unexpected '^' at column 3", 5);
    t.keys(&["Escape"]);
    // The formula title is on screen all along; the footer's `f formula` comes back only
    // once Escape has closed the line.
    let s = t.wait_for("f formula", 5);
    assert!(
        !s.contains("unexpected"),
        "the error went away with the bad formula:\n{s}"
    );
    // q goes back to the start screen, q there quits.
    t.keys(&["q"]);
    t.wait_for("Sandbox: your own formula", 5);
    t.keys(&["q"]);
    t.wait_for("GRADSTEP_EXIT=0", 5);
    // The terminal is back in cooked mode: canonical input and echo are on again.
    t.type_text("stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo | tr '\\n' + ; echo");
    t.keys(&["Enter"]);
    t.wait_for("icanon+echo+", 5);
}

#[test]
fn lesson_opens_from_the_command_line_and_ctrl_c_quits() {
    if !have("tmux") {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_gradstep");
    let cmd = format!(
        "XDG_DATA_HOME={} {bin} lesson slp-logistic; echo GRADSTEP_EXIT=$?; exec sh",
        data.path().display()
    );
    let t = Tmux::start("lesson", 100, 30, &cmd);
    // ∇L shows as (?, ?, ?) on page 1: page 2 asks ∂L/∂w₁ at this point.
    t.wait_for("(?, ?, ?)", 10);
    t.keys(&["n"]);
    t.wait_for("(0.15, 0.1, 0.05)", 5);
    t.keys(&["C-c"]);
    t.wait_for("GRADSTEP_EXIT=0", 5);
    // Progress was saved where XDG says.
    let saved = std::fs::read_to_string(data.path().join("gradstep/progress.toml")).unwrap();
    assert!(saved.contains("slp-logistic"), "{saved}");
}

/// `tmux display-message` for the pane of `t` (started with `tag`): e.g. `#{alternate_on}`.
fn pane_format(tag: &str, format: &str) -> String {
    let out = std::process::Command::new("tmux")
        .args(["-L", &format!("gradstep-test-{tag}-{}", std::process::id())])
        .args(["display-message", "-p", "-t", "t", format])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Opens a lesson, turns a page, sends `signal` to the tutor from outside, and checks what a
/// learner would find: the shell in cooked mode, out of the alternate screen, the cursor
/// shown, the exit status a shell reports for the signal, and the page reached saved.
fn a_signal_leaves_a_clean_shell_and_saved_progress(tag: &str, signal: &str, number: i32) {
    if !have("tmux") {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let pid_file = data.path().join("pid");
    let bin = env!("CARGO_BIN_EXE_gradstep");
    let cmd = format!(
        "XDG_DATA_HOME={} sh -c 'echo $$ > {}; exec {bin} lesson slp-logistic'; echo GRADSTEP_EXIT=$?; exec sh",
        data.path().display(),
        pid_file.display()
    );
    let t = Tmux::start(tag, 100, 30, &cmd);
    // ∇L shows as (?, ?, ?) on page 1: page 2 asks ∂L/∂w₁ at this point.
    t.wait_for("(?, ?, ?)", 10);
    assert_eq!(pane_format(tag, "#{alternate_on}"), "1");
    t.keys(&["PgDn"]);
    t.wait_for("· 2/7", 5);
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let killed = std::process::Command::new("kill")
        .args([&format!("-{signal}"), pid.trim()])
        .status()
        .unwrap();
    assert!(killed.success());
    let s = t.wait_for(&format!("GRADSTEP_EXIT={}", 128 + number), 5);
    assert!(
        !s.contains("(?, ?, ?)") && !s.contains("· 2/7"),
        "the tutor's screen is gone:\n{s}"
    );
    assert_eq!(pane_format(tag, "#{alternate_on} #{cursor_flag}"), "0 1");
    t.type_text("stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo | tr '\\n' + ; echo");
    t.keys(&["Enter"]);
    t.wait_for("icanon+echo+", 5);
    let saved = std::fs::read_to_string(data.path().join("gradstep/progress.toml")).unwrap();
    assert!(
        saved.contains("[lessons.slp-logistic]") && saved.contains("page = 1"),
        "{saved}"
    );
}

#[test]
fn sigterm_restores_the_terminal_and_saves_progress() {
    a_signal_leaves_a_clean_shell_and_saved_progress("sigterm", "TERM", 15);
}

#[test]
fn sighup_restores_the_terminal_and_saves_progress() {
    a_signal_leaves_a_clean_shell_and_saved_progress("sighup", "HUP", 1);
}

#[test]
fn sigint_and_sigquit_restore_the_terminal_too() {
    a_signal_leaves_a_clean_shell_and_saved_progress("sigint", "INT", 2);
    a_signal_leaves_a_clean_shell_and_saved_progress("sigquit", "QUIT", 3);
}

#[test]
fn a_burst_of_ten_thousand_keys_is_read_to_the_end() {
    if !have("tmux") {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_gradstep");
    // A tiny η: 10,000 steps neither converge nor diverge, so every key is one step.
    let cmd = format!(
        "XDG_DATA_HOME={} {bin} play --formula 'x^2' --start 1 --lr 1e-6; exec sh",
        data.path().display()
    );
    let t = Tmux::start("burst", 100, 30, &cmd);
    t.wait_for("t = 0 ", 10);
    t.type_text(&"n".repeat(10_000));
    // No further key is sent: the tutor must read the whole burst by itself.
    t.wait_for("t = 10000", 60);
}

#[test]
fn without_a_terminal_the_tutor_says_what_to_use_instead() {
    let data = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gradstep"))
        .args(["play", "--formula", "x^2"])
        .env("XDG_DATA_HOME", data.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("needs a terminal")
            && err.contains("`gradstep run`")
            && !err.contains("os error"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "no escape codes into a pipe");
}

#[test]
fn f1_lists_the_line_keys_and_ctrl_q_quits_from_the_line() {
    if !have("tmux") {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_gradstep");
    let cmd = format!(
        "XDG_DATA_HOME={} {bin} play; echo GRADSTEP_EXIT=$?; exec sh",
        data.path().display()
    );
    let t = Tmux::start("keys", 80, 24, &cmd);
    t.wait_for("(x, y) = (3, 4)", 10);
    t.keys(&["f"]);
    t.wait_for("Esc cancel", 5);
    t.keys(&["F1"]);
    t.wait_for("Ctrl-U / Ctrl-K / Ctrl-W", 5);
    // Any key closes the help and is not typed; what is typed next goes into the line.
    t.keys(&["x"]);
    t.type_text("+1");
    let s = t.wait_for("L = x^2 + x*y + y^2+1", 5);
    assert!(!s.contains("closes this help"), "{s}");
    t.keys(&["C-q"]);
    t.wait_for("GRADSTEP_EXIT=0", 5);
}
