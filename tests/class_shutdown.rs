//! Shutting `gradstep serve` down with students on it, end to end with OpenSSH in tmux: each
//! student sees a one-line notice in their language, gets their terminal back (main screen,
//! cursor shown, cooked mode), `ssh` exits 0, and the page each reached is in their progress
//! file. A second signal exits at once. Tests return early with a note without tmux or ssh.

#[path = "support/tmux.rs"]
mod tmux;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tmux::{Tmux, WAIT, have};

/// The real binary serving a teacher's lessons dir, keys only, in a child of this test.
struct Served {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    fn start(lessons: &Path, keys: &Path, data: &Path) -> Served {
        let log = data.join("server.log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_gradstep"))
            .args(["serve", "--listen", "127.0.0.1:0", "--lessons"])
            .arg(lessons)
            .arg("--authorized-keys")
            .arg(keys)
            .env("XDG_DATA_HOME", data)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut port = None;
        let mut line = String::new();
        while out.read_line(&mut line).unwrap_or(0) > 0 {
            if let Some(addr) = line.trim().strip_prefix("gradstep serve: listening on ") {
                port = addr.rsplit(':').next().and_then(|p| p.parse().ok());
            }
            if line.starts_with("connect:") {
                break;
            }
            line.clear();
        }
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        let port = port.unwrap_or_else(|| {
            panic!(
                "server did not start: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            )
        });
        Served { child, port, log }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn signal(&self, name: &str) {
        let st = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(st.success());
    }

    /// The exit status, waiting at most `limit`.
    fn exit_within(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                return Some(st);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// `ssh` logging in with `key`, then (in the same pane, once ssh is gone) the terminal's
    /// canonical-mode flag: `icanon` when the terminal is cooked again, `-icanon` when raw.
    fn student(&self, key: &Path, lang: &str) -> Tmux {
        let ssh = format!(
            "LANG={lang} ssh -F /dev/null -o StrictHostKeyChecking=no \
             -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes \
             -o IdentityAgent=none -o IdentitiesOnly=yes -o SendEnv=LANG -i {} -tt -p {} \
             127.0.0.1; ST=$?; stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon; \
             (exit $ST)",
            key.display(),
            self.port
        );
        Tmux::start(&ssh, 80, 24)
    }
}

/// A fresh Ed25519 key pair; returns (private key path, `SHA256:…` fingerprint).
fn keygen(dir: &Path, name: &str) -> (PathBuf, String) {
    let key = dir.join(name);
    let st = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(st.success());
    let out = Command::new("ssh-keygen")
        .args(["-l", "-E", "sha256", "-f"])
        .arg(key.with_extension("pub"))
        .output()
        .unwrap();
    let fp = String::from_utf8(out.stdout).unwrap();
    (key, fp.split_whitespace().nth(1).unwrap().to_string())
}

/// The teacher's lessons: the built-in stopping lesson under an id of the class's own.
fn lessons_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/stopping.toml");
    let text = std::fs::read_to_string(src).unwrap().replacen(
        "id = \"stopping\"",
        "id = \"class-stop\"",
        1,
    );
    std::fs::write(dir.path().join("class-stop.toml"), text).unwrap();
    dir
}

/// The furthest page (0-based) saved for `lesson` under the key `fp`.
fn saved_page(data: &Path, fp: &str, lesson: &str) -> Option<i64> {
    let stem: String = fp
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let path = data.join(format!("gradstep/ssh-progress/{stem}.toml"));
    let text = std::fs::read_to_string(path).ok()?;
    let value: toml::Value = toml::from_str(&text).ok()?;
    value.get("lessons")?.get(lesson)?.get("page")?.as_integer()
}

fn tmux_flag(t: &Tmux, flag: &str) -> String {
    let out = t
        .cmd(&["display-message", "-p", "-t", "t", flag])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A data dir, a key dir with `authorized_keys`, and two keys (path, fingerprint) in it.
type Class = (tempfile::TempDir, tempfile::TempDir, Vec<(PathBuf, String)>);

fn setup() -> Option<Class> {
    if !have("ssh") || !have("tmux") || !have("ssh-keygen") {
        return None;
    }
    let data = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let pairs = vec![keygen(keys.path(), "ana"), keygen(keys.path(), "bo")];
    let mut authorized = String::new();
    for (k, _) in &pairs {
        authorized.push_str(&std::fs::read_to_string(k.with_extension("pub")).unwrap());
    }
    std::fs::write(keys.path().join("authorized_keys"), authorized).unwrap();
    Some((data, keys, pairs))
}

#[test]
fn sigterm_restores_every_students_terminal_says_why_and_keeps_their_page() {
    let Some((data, keys, pairs)) = setup() else {
        return;
    };
    let lessons = lessons_dir();
    let mut server = Served::start(
        lessons.path(),
        &keys.path().join("authorized_keys"),
        data.path(),
    );
    let en = server.student(&pairs[0].0, "en_US.UTF-8");
    let zh = server.student(&pairs[1].0, "zh_CN.UTF-8");
    // Each opens the teacher's only lesson and turns to page 3 (en) or 2 (zh).
    en.wait_for("When to stop");
    zh.wait_for("什么时候停下");
    en.keys(&["Enter"]);
    zh.keys(&["Enter"]);
    en.wait_for("· 1/");
    zh.wait_for("· 1/");
    en.keys(&["Right"]);
    en.wait_for("· 2/");
    en.keys(&["Right"]);
    en.wait_for("· 3/");
    zh.keys(&["Right"]);
    zh.wait_for("· 2/");
    assert_eq!(
        tmux_flag(&en, "#{alternate_on}"),
        "1",
        "the tutor is full-screen"
    );

    server.signal("TERM");

    let s = en.wait_for("EXIT=");
    assert!(
        s.contains("gradstep: the server is shutting down; your progress is saved."),
        "{s}"
    );
    assert!(s.contains("EXIT=0"), "ssh exits 0, not 255:\n{s}");
    assert!(
        s.lines().any(|l| l.trim() == "icanon"),
        "cooked mode back:\n{s}"
    );
    let z = zh.wait_for("EXIT=");
    assert!(
        z.contains("gradstep：服务器正在关闭，你的进度已保存。"),
        "{z}"
    );
    assert!(z.contains("EXIT=0"), "{z}");
    for t in [&en, &zh] {
        assert_eq!(
            tmux_flag(t, "#{alternate_on}"),
            "0",
            "left the alternate screen"
        );
        assert_eq!(tmux_flag(t, "#{cursor_flag}"), "1", "cursor shown");
    }

    let status = server
        .exit_within(WAIT)
        .unwrap_or_else(|| panic!("server still running after SIGTERM:\n{}", server.log()));
    assert!(status.success(), "{status:?}\n{}", server.log());
    let log = server.log();
    assert!(log.contains("every session ended; stopped"), "{log}");
    assert_eq!(saved_page(data.path(), &pairs[0].1, "class-stop"), Some(2));
    assert_eq!(saved_page(data.path(), &pairs[1].1, "class-stop"), Some(1));
}

#[test]
fn a_second_signal_exits_at_once_even_while_a_client_stalls_the_goodbye() {
    let Some((data, keys, pairs)) = setup() else {
        return;
    };
    let lessons = lessons_dir();
    let mut server = Served::start(
        lessons.path(),
        &keys.path().join("authorized_keys"),
        data.path(),
    );
    let t = server.student(&pairs[0].0, "en_US.UTF-8");
    t.wait_for("When to stop");
    // Freeze the student's ssh: it will never answer the server's close, so a graceful
    // shutdown has to wait for it.
    let pane = tmux_flag(&t, "#{pane_pid}");
    let out = Command::new("pgrep")
        .args(["-P", &pane, "-x", "ssh"])
        .output();
    let Ok(out) = out else {
        eprintln!("note: `pgrep` not on PATH; skipping");
        return;
    };
    let ssh_pid = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(!ssh_pid.is_empty(), "ssh under pane {pane}");
    assert!(
        Command::new("kill")
            .args(["-STOP", &ssh_pid])
            .status()
            .unwrap()
            .success()
    );

    server.signal("INT");
    // The first signal waits for the frozen client...
    assert!(
        server.exit_within(Duration::from_millis(1500)).is_none(),
        "the first signal lets sessions say goodbye:\n{}",
        server.log()
    );
    // ...the second does not.
    let sent = Instant::now();
    server.signal("TERM");
    let status = server
        .exit_within(Duration::from_secs(3))
        .expect("a second signal exits at once");
    assert!(sent.elapsed() < Duration::from_secs(2));
    assert_eq!(status.code(), Some(128 + 15), "{status:?}");
    assert!(
        server
            .log()
            .contains("second signal (SIGTERM): exiting without waiting"),
        "{}",
        server.log()
    );
    let _ = Command::new("kill").args(["-CONT", &ssh_pid]).status();
}
