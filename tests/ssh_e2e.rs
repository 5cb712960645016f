//! End-to-end tests of `gradstep serve`: the real binary on a free loopback port, driven by the
//! real OpenSSH client inside tmux (tests return early with a note when `ssh` or `tmux` is
//! missing), and by a russh client for what OpenSSH cannot send (a 65535×65535 window).
//!
//! To retarget at the real app, change the `screen` module only.

#[path = "support/client.rs"]
mod client;

use std::io::{BufRead, BufReader, Read};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the tutor shows and which keys drive it.
mod screen {
    pub use gradstep::ssh::demo::{
        KEY_FILL, KEY_QUIT, KEY_STEP, PANIC_WORD, TITLE, counter_line, input_line, size_line,
    };
    /// After a tutor panic, on the client's restored screen.
    pub const PANIC_MESSAGE: &str = "internal error";
    /// Exit status after a tutor panic.
    pub const PANIC_STATUS: i32 = 70;
}

const WAIT: Duration = Duration::from_secs(15);

/// Pass to [`Server::start`] to serve gradstep itself rather than the demo tutor.
const REAL_APP: &str = "<real app>";

fn have(tool: &str) -> bool {
    let ok = Command::new(tool)
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !ok {
        eprintln!("note: `{tool}` not on PATH; skipping this end-to-end test");
    }
    ok
}

/// A running `gradstep serve` with its own data dir; killed on drop.
struct Server {
    child: Child,
    port: u16,
    /// What it printed at start (address, host key fingerprint, auth, limits).
    banner: String,
    log: Arc<Mutex<String>>,
    _dir: Option<tempfile::TempDir>,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Server::start_in(dir.path(), extra);
        s._dir = Some(dir);
        s
    }

    /// Start with `data` as XDG_DATA_HOME. The server's mechanics are tested against the small
    /// demo tutor (it can panic and flood on purpose) unless `extra` holds [`REAL_APP`].
    fn start_in(data: &Path, extra: &[&str]) -> Server {
        let demo = ["--demo-tutor"];
        let extra: Vec<&str> = if extra.contains(&REAL_APP) {
            extra.to_vec()
        } else {
            demo.iter().chain(extra).copied().collect()
        };
        let extra = extra.as_slice();
        let mut child = Command::new(env!("CARGO_BIN_EXE_gradstep"))
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra.iter().filter(|a| **a != REAL_APP))
            .env("XDG_DATA_HOME", data)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Drain stderr so a chatty log never blocks the server; keep it for failures.
        let log = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let mut s = sink.lock().unwrap();
                if s.len() < 1 << 20 {
                    s.push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            }
        });
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut port = None;
        let mut banner = String::new();
        let mut line = String::new();
        while out.read_line(&mut line).unwrap_or(0) > 0 {
            if let Some(addr) = line.trim().strip_prefix("gradstep serve: listening on ") {
                port = addr.rsplit(':').next().and_then(|p| p.parse().ok());
            }
            banner.push_str(&line);
            if line.starts_with("connect:") {
                break;
            }
            line.clear();
        }
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        let port = port.unwrap_or_else(|| panic!("server did not start: {}", log.lock().unwrap()));
        Server {
            child,
            port,
            banner,
            log,
            _dir: None,
        }
    }

    fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// The OpenSSH command line for this server, isolated from the user's config and keys.
    fn ssh(&self, extra: &str) -> String {
        format!(
            "ssh -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
             -o LogLevel=ERROR -o BatchMode=yes -o IdentityAgent=none -o ConnectTimeout=10 \
             -p {} {extra} 127.0.0.1",
            self.port
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A tmux server of our own (private socket) running one shell command in one window.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(command: &str, cols: u16, rows: u16) -> Tmux {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let socket = format!(
            "gradstep-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let t = Tmux { socket };
        // The exit status is printed after ssh ends; the sleep keeps the pane to read it.
        let shell = format!("{command}; echo EXIT=$?; sleep 600");
        let st = t
            .cmd(&["new-session", "-d", "-s", "t", "-x"])
            .arg(cols.to_string())
            .arg("-y")
            .arg(rows.to_string())
            .arg(shell)
            .status()
            .unwrap();
        assert!(st.success());
        t
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket, "-f", "/dev/null"]).args(args);
        c.stdout(Stdio::piped()).stderr(Stdio::null());
        c
    }

    fn screen(&self) -> String {
        let out = self
            .cmd(&["capture-pane", "-p", "-t", "t"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        assert!(self.cmd(&args).status().unwrap().success());
    }

    /// Type text literally (no key-name lookup).
    fn type_text(&self, text: &str) {
        assert!(
            self.cmd(&["send-keys", "-t", "t", "-l", text])
                .status()
                .unwrap()
                .success()
        );
    }

    fn resize(&self, cols: u16, rows: u16) {
        let st = self
            .cmd(&["resize-window", "-t", "t", "-x"])
            .arg(cols.to_string())
            .arg("-y")
            .arg(rows.to_string())
            .status()
            .unwrap();
        assert!(st.success());
    }

    /// Poll the screen until `needle` is on it.
    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let s = self.screen();
            if s.contains(needle) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "{needle:?} never appeared; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]).status();
    }
}

fn key(c: char) -> String {
    c.to_string()
}

#[test]
fn start_keys_resize_and_quit_with_status_0() {
    if !have("ssh") || !have("tmux") {
        return;
    }
    let server = Server::start(&[]);
    let t = Tmux::start(&server.ssh("-tt"), 100, 30);
    t.wait_for(screen::TITLE);
    t.wait_for(&screen::size_line(100, 30));
    t.keys(&[
        &key(screen::KEY_STEP),
        &key(screen::KEY_STEP),
        &key(screen::KEY_STEP),
    ]);
    t.wait_for(&screen::counter_line(3));
    t.type_text("x^2+y^2");
    t.wait_for(&screen::input_line("x^2+y^2"));
    t.resize(120, 40);
    t.wait_for(&screen::size_line(120, 40));
    t.resize(80, 24);
    let s = t.wait_for(&screen::size_line(80, 24));
    assert!(
        s.contains(&screen::counter_line(3)),
        "state survives resizes:\n{s}"
    );
    t.keys(&[&key(screen::KEY_QUIT)]);
    let s = t.wait_for("EXIT=");
    assert!(s.contains("EXIT=0"), "ssh exit status:\n{s}");
    assert!(
        !s.contains(screen::TITLE),
        "the client's screen is restored:\n{s}"
    );
}

#[test]
fn two_sessions_keep_separate_state() {
    if !have("ssh") || !have("tmux") {
        return;
    }
    let server = Server::start(&[]);
    let a = Tmux::start(&server.ssh("-tt"), 90, 25);
    let b = Tmux::start(&server.ssh("-tt"), 90, 25);
    a.wait_for(screen::TITLE);
    b.wait_for(screen::TITLE);
    a.keys(&[&key(screen::KEY_STEP), &key(screen::KEY_STEP)]);
    a.wait_for(&screen::counter_line(2));
    b.type_text("b");
    let sb = b.wait_for(&screen::input_line("b"));
    assert!(
        sb.contains(&screen::counter_line(0)),
        "b did not move:\n{sb}"
    );
    b.keys(&[&key(screen::KEY_STEP)]);
    b.wait_for(&screen::counter_line(1));
    let sa = a.screen();
    assert!(sa.contains(&screen::counter_line(2)), "a unchanged:\n{sa}");
    assert!(
        !sa.contains(&screen::input_line("b")),
        "a has its own input:\n{sa}"
    );
}

fn run_with_timeout(cmd: &str, limit: Duration) -> (Output, Duration) {
    let started = Instant::now();
    let mut child = Command::new("sh")
        .args(["-c", cmd])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("{cmd} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    (child.wait_with_output().unwrap(), started.elapsed())
}

#[test]
fn no_pty_and_exec_are_refused_quickly_with_a_message() {
    if !have("ssh") {
        return;
    }
    let server = Server::start(&[]);
    let (out, took) = run_with_timeout(&server.ssh("-T"), Duration::from_secs(20));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "ssh -T must fail");
    assert!(err.contains("needs a terminal"), "stderr: {err}");
    assert!(took < Duration::from_secs(5), "took {took:?}");

    let cmd = format!("{} ls /", server.ssh(""));
    let (out, took) = run_with_timeout(&cmd, Duration::from_secs(20));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "exec must fail");
    assert!(err.contains("does not run commands"), "stderr: {err}");
    assert!(out.stdout.is_empty());
    assert!(took < Duration::from_secs(5), "took {took:?}");

    let cmd = format!("{} -s sftp", server.ssh(""));
    let (out, took) = run_with_timeout(&cmd, Duration::from_secs(20));
    assert!(!out.status.success(), "subsystem must fail");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(!server.log().contains("panicked"), "{}", server.log());
}

#[test]
fn silent_connections_do_not_lock_out_a_real_client() {
    if !have("ssh") || !have("tmux") {
        return;
    }
    let mut server = Server::start(&[]);
    // 300 connections that never say a word, all from the learner's own address.
    let silent: Vec<TcpStream> = (0..300)
        .filter_map(|_| TcpStream::connect(("127.0.0.1", server.port)).ok())
        .collect();
    assert!(silent.len() >= 290, "could not open the silent connections");
    let t = Tmux::start(&server.ssh("-tt"), 80, 24);
    t.wait_for(screen::TITLE);
    t.keys(&[&key(screen::KEY_STEP)]);
    t.wait_for(&screen::counter_line(1));
    t.keys(&[&key(screen::KEY_QUIT)]);
    assert!(t.wait_for("EXIT=").contains("EXIT=0"));
    assert!(server.alive(), "server died: {}", server.log());
    drop(silent);
    // And it still takes new learners.
    let t2 = Tmux::start(&server.ssh("-tt"), 80, 24);
    t2.wait_for(screen::TITLE);
    assert!(server.alive());
}

#[test]
fn a_panicking_tutor_ends_only_its_session() {
    if !have("ssh") || !have("tmux") {
        return;
    }
    let mut server = Server::start(&[]);
    let calm = Tmux::start(&server.ssh("-tt"), 80, 24);
    calm.wait_for(screen::TITLE);
    let doomed = Tmux::start(&server.ssh("-tt"), 80, 24);
    doomed.wait_for(screen::TITLE);
    doomed.type_text(screen::PANIC_WORD);
    doomed.keys(&["Enter"]);
    let s = doomed.wait_for("EXIT=");
    assert!(s.contains(screen::PANIC_MESSAGE), "{s}");
    assert!(s.contains(&format!("EXIT={}", screen::PANIC_STATUS)), "{s}");
    calm.keys(&[&key(screen::KEY_STEP)]);
    calm.wait_for(&screen::counter_line(1));
    assert!(server.alive());
}

#[test]
fn authorized_keys_mean_public_keys_only() {
    if !have("ssh") || !have("tmux") || !have("ssh-keygen") {
        return;
    }
    let keydir = tempfile::tempdir().unwrap();
    let key = keydir.path().join("id");
    let st = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "learner", "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(st.success());
    let pubkey = key.with_extension("pub");
    let fp = String::from_utf8(
        Command::new("ssh-keygen")
            .args(["-l", "-E", "sha256", "-f"])
            .arg(&pubkey)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let fp = fp.split_whitespace().nth(1).unwrap().to_string();

    let server = Server::start(&["--authorized-keys", pubkey.to_str().unwrap()]);
    // Without the key: refused, even on loopback.
    let (out, _) = run_with_timeout(&server.ssh("-T"), Duration::from_secs(20));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Permission denied"));
    // With it: in, and the tutor knows the key.
    let t = Tmux::start(
        &server.ssh(&format!("-tt -o IdentitiesOnly=yes -i {}", key.display())),
        120,
        24,
    );
    t.wait_for(screen::TITLE);
    t.wait_for(&fp[..20]);
    assert!(
        server.log().contains("method=\"publickey\""),
        "{}",
        server.log()
    );
}

#[test]
fn host_key_is_created_once_with_mode_0600_and_reused() {
    let data = tempfile::tempdir().unwrap();
    let first = Server::start_in(data.path(), &[]);
    assert!(first.banner.contains("created"), "{}", first.banner);
    let path = data.path().join("gradstep/host_ed25519");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let fingerprint = |banner: &str| {
        banner
            .split_whitespace()
            .find(|w| w.starts_with("SHA256:"))
            .map(str::to_string)
            .unwrap_or_else(|| panic!("no fingerprint in {banner}"))
    };
    let fp1 = fingerprint(&first.banner);
    drop(first);
    let second = Server::start_in(data.path(), &[]);
    assert!(second.banner.contains("from"), "{}", second.banner);
    assert_eq!(
        fingerprint(&second.banner),
        fp1,
        "the same key after a restart"
    );
}

#[test]
fn public_address_without_auth_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_gradstep"))
        .args(["serve", "--listen", "0.0.0.0:0"])
        .env("XDG_DATA_HOME", dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--allow-anonymous") && err.contains("--authorized-keys"),
        "{err}"
    );
    assert!(
        !dir.path().join("gradstep/host_ed25519").exists(),
        "refused before making a key"
    );
}

#[test]
fn huge_window_request_is_clamped_not_allocated() {
    let mut server = Server::start(&[]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut term = client::open(server.port, 65535, 65535).await.unwrap();
        term.wait_for(&screen::size_line(500, 200), WAIT)
            .await
            .unwrap();
        term.channel
            .window_change(u32::MAX, u32::MAX, 0, 0)
            .await
            .unwrap();
        term.send(screen::KEY_STEP.to_string().as_bytes())
            .await
            .unwrap();
        term.wait_for(&screen::counter_line(1), WAIT).await.unwrap();
        term.send(screen::KEY_QUIT.to_string().as_bytes())
            .await
            .unwrap();
        assert_eq!(term.wait_closed(WAIT).await.unwrap(), Some(0));
    });
    assert!(server.alive());
    let rss_kb = rss_kb(server.child.id());
    assert!(
        rss_kb < 200_000,
        "server RSS {rss_kb} kB after a huge window request"
    );
}

#[test]
fn a_second_session_channel_on_one_connection_is_refused() {
    let server = Server::start(&[]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut term = client::open(server.port, 80, 24).await.unwrap();
        term.wait_for(screen::TITLE, WAIT).await.unwrap();
        let second = term.handle.channel_open_session().await;
        assert!(second.is_err(), "second session channel must be refused");
        // The first one is unaffected.
        term.send(b"n").await.unwrap();
        term.wait_for(&screen::counter_line(1), WAIT).await.unwrap();
    });
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

#[test]
fn a_client_that_stops_reading_cannot_grow_the_server() {
    let mut server = Server::start(&[]);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let before = rt.block_on(async {
        let mut term = client::open(server.port, 500, 200).await.unwrap();
        term.wait_for(screen::TITLE, WAIT).await.unwrap();
        let before = rss_kb(server.child.id());
        // In fill mode every step redraws all 100 000 cells (~100 kB of output); 1000 steps
        // would be ~100 MB if the server queued frames for a client that reads nothing.
        term.send(&[screen::KEY_FILL as u8]).await.unwrap();
        for _ in 0..1000 {
            term.send(&[screen::KEY_STEP as u8]).await.unwrap();
        }
        // Give the server time to render them all.
        tokio::time::sleep(Duration::from_secs(2)).await;
        let after = rss_kb(server.child.id());
        assert!(
            after < before + 30_000,
            "server grew from {before} kB to {after} kB for one slow client"
        );
        // Reading again: the screen converges on the last state.
        term.wait_for(&screen::counter_line(1000), WAIT)
            .await
            .unwrap();
        before
    });
    assert!(server.alive());
    assert!(before > 0);
    // The log reaches us through a reader thread: give it a moment to catch up.
    let deadline = Instant::now() + WAIT;
    while !server.log().contains("slow client") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        server.log().contains("slow client"),
        "the drop path was not exercised: {}",
        server.log()
    );
}

/// The classroom scenario against gradstep itself: the start screen, the sandbox, a
/// typed formula and start, one step with the gradient [5, 5], a resize, and `q` to leave with
/// ssh's exit status 0.
#[test]
fn a_learner_types_a_formula_over_ssh_and_steps() {
    if !have("ssh") || !have("tmux") {
        return;
    }
    let server = Server::start(&[REAL_APP]);
    let t = Tmux::start(&server.ssh("-tt"), 100, 30);
    t.wait_for("Sandbox: your own formula");
    // The sandbox is the last row of the start screen.
    t.keys(&["G", "Enter"]);
    t.wait_for("(x, y) = (3, 4)");
    t.keys(&["f", "C-u"]);
    t.type_text("x^2 + 3*x*y + y^2");
    t.wait_for("Enter to use it");
    t.keys(&["Enter", "s", "C-u"]);
    t.type_text("1, 1");
    t.keys(&["Enter"]);
    // At (1, 1): ∂/∂x = 2x + 3y = 5, ∂/∂y = 3x + 2y = 5; the step −0.1·[5, 5] lands on (0.5, 0.5).
    let s = t.wait_for("(x, y) = (1, 1)");
    assert!(
        s.contains("∇L(θ)      (5, 5)"),
        "gradient before the step:\n{s}"
    );
    assert!(
        s.contains("(0.5, 0.5)"),
        "the next point is shown before the step:\n{s}"
    );
    t.keys(&["n"]);
    let s = t.wait_for("(x, y) = (0.5, 0.5)");
    assert!(s.contains("t = 1"), "{s}");
    // A resize redraws at the new size: the title row spans the new width.
    t.resize(120, 40);
    let deadline = Instant::now() + WAIT;
    loop {
        let s = t.screen();
        let first = s.lines().next().unwrap_or("");
        if first.chars().count() >= 115
            && first.trim_end().ends_with("中文")
            && s.lines().count() >= 40
        {
            assert!(
                s.contains("(x, y) = (0.5, 0.5)"),
                "state survives the resize:\n{s}"
            );
            break;
        }
        assert!(Instant::now() < deadline, "no redraw at 120x40:\n{s}");
        std::thread::sleep(Duration::from_millis(30));
    }
    t.keys(&["q"]);
    t.wait_for("Sandbox: your own formula");
    t.keys(&["q"]);
    let s = t.wait_for("EXIT=");
    assert!(s.contains("EXIT=0"), "ssh exit status:\n{s}");
    // (Screen restoration is asserted in start_keys_resize_and_quit_with_status_0: after a
    // window grows, tmux 3.3 keeps stale lines of the alternate screen in view.)
}

#[test]
fn two_learners_keep_separate_runs() {
    if !have("ssh") || !have("tmux") {
        return;
    }
    let server = Server::start(&[REAL_APP]);
    let a = Tmux::start(&server.ssh("-tt"), 100, 30);
    let b = Tmux::start(&server.ssh("-tt"), 100, 30);
    for t in [&a, &b] {
        t.wait_for("Sandbox: your own formula");
        t.keys(&["G", "Enter"]);
        t.wait_for("(x, y) = (3, 4)");
    }
    a.keys(&["n"]);
    a.wait_for("(x, y) = (2, 2.9)");
    std::thread::sleep(Duration::from_millis(200));
    let sb = b.screen();
    assert!(
        sb.contains("(x, y) = (3, 4)") && sb.contains("t = 0"),
        "b did not move:\n{sb}"
    );
    b.keys(&["n", "n"]);
    b.wait_for("t = 2");
    let sa = a.screen();
    assert!(
        sa.contains("t = 1") && sa.contains("(x, y) = (2, 2.9)"),
        "a unchanged:\n{sa}"
    );
}
