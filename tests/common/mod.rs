//! Driving real programs in tmux for end-to-end tests. Tests that need tmux (or ssh) call
//! [`have`] first and return early with a note when the program is missing, so `cargo test`
//! passes on any machine; `.ci/run` installs them so CI runs these tests for real.

#![allow(dead_code)]

use std::process::Command;
use std::time::{Duration, Instant};

/// Whether `program` is on PATH; prints why the test is skipped when it is not.
pub fn have(program: &str) -> bool {
    let ok = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        eprintln!("skipped: `{program}` is not installed (CI installs it via .ci/run)");
    }
    ok
}

/// A tmux session on a private server socket, killed when dropped.
pub struct Tmux {
    socket: String,
    pub name: String,
}

impl Tmux {
    /// Starts `command` (run by sh) in a detached w × h session.
    pub fn start(tag: &str, w: u16, h: u16, command: &str) -> Tmux {
        let socket = format!("gradstep-test-{tag}-{}", std::process::id());
        let t = Tmux {
            socket,
            name: "t".into(),
        };
        let status = t
            .cmd()
            .args([
                "new-session",
                "-d",
                "-s",
                &t.name,
                "-x",
                &w.to_string(),
                "-y",
                &h.to_string(),
            ])
            .arg(command)
            .status()
            .expect("tmux runs");
        assert!(status.success(), "tmux new-session failed");
        t
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket]);
        c
    }

    /// Sends keys as tmux names them (`n`, `Enter`, `Escape`, `C-u`).
    pub fn keys(&self, keys: &[&str]) {
        let mut c = self.cmd();
        c.args(["send-keys", "-t", &self.name]).args(keys);
        assert!(c.status().unwrap().success());
    }

    /// Types text literally.
    pub fn type_text(&self, text: &str) {
        let mut c = self.cmd();
        c.args(["send-keys", "-t", &self.name, "-l", text]);
        assert!(c.status().unwrap().success());
    }

    pub fn screen(&self) -> String {
        let out = self
            .cmd()
            .args(["capture-pane", "-t", &self.name, "-p"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn resize(&self, w: u16, h: u16) {
        let mut c = self.cmd();
        c.args([
            "resize-window",
            "-t",
            &self.name,
            "-x",
            &w.to_string(),
            "-y",
            &h.to_string(),
        ]);
        assert!(c.status().unwrap().success());
    }

    /// Waits until the screen contains `text`; panics with the screen after `secs`.
    pub fn wait_for(&self, text: &str, secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            if Instant::now() > deadline {
                panic!("waited {secs}s for {text:?}; the screen shows:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").status();
    }
}

/// Runs `gradstep check` on a directory holding one lesson file `name` with `text`: the exit
/// code and everything it printed (stdout, then stderr), for tests of what `check` refuses.
pub fn check_lesson(name: &str, text: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_gradstep"))
        .arg("check")
        .arg(dir.path())
        .output()
        .unwrap();
    let all =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), all)
}
