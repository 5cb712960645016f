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
    let s = t.wait_for("L(x, y) = x^2 + x*y + y^2", 5);
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
    t.wait_for("(-1.5, -1, -0.5)", 10);
    t.keys(&["n"]);
    t.wait_for("(0.15, 0.1, 0.05)", 5);
    t.keys(&["C-c"]);
    t.wait_for("GRADSTEP_EXIT=0", 5);
    // Progress was saved where XDG says.
    let saved = std::fs::read_to_string(data.path().join("gradstep/progress.toml")).unwrap();
    assert!(saved.contains("slp-logistic"), "{saved}");
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
