//! Type-the-derivative in a real terminal: partial-derivatives' last page rejects `2*x`,
//! naming a point where it differs from ∂f/∂x, and accepts `y + 2*x`. Needs tmux; skipped
//! with a note without it.

mod common;

use common::{Tmux, have};

#[test]
fn partial_derivatives_rejects_2x_with_a_point_and_accepts_y_plus_2x() {
    if !have("tmux") {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_gradstep");
    let cmd = format!(
        "XDG_DATA_HOME={} {bin} --lang en lesson partial-derivatives; echo GRADSTEP_EXIT=$?; exec sh",
        data.path().display()
    );
    let t = Tmux::start("kinds", 80, 24, &cmd);
    t.wait_for(" 1/5", 10);
    for p in 2..=5 {
        t.keys(&["PageDown"]);
        t.wait_for(&format!(" {p}/5"), 5);
    }
    t.wait_for("Type ∂f/∂x", 5);
    t.keys(&["Enter"]);
    t.type_text("2*x");
    t.keys(&["Enter"]);
    // The hint wraps in the 32-column page panel: read it with the rows joined.
    let s = t.wait_for("yours gives", 5);
    let joined: String = s
        .lines()
        .filter_map(|l| l.strip_prefix('│'))
        .map(|l| l.split('│').next().unwrap_or("").trim_end())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        joined.contains("at (0, 1) yours gives 0, ∂f/∂x is 1"),
        "the point and both values:\n{s}"
    );
    t.keys(&["Enter"]);
    t.type_text("y + 2*x");
    t.keys(&["Enter"]);
    t.wait_for("✓ right! ∂f/∂x = 2*x + y", 5);
    t.keys(&["C-c"]);
    t.wait_for("GRADSTEP_EXIT=0", 5);
}
