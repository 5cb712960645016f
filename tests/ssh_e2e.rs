//! End-to-end tests of `gradstep serve`: the server on a free loopback port, driven by the
//! real OpenSSH client inside tmux (tests return early with a note when `ssh` or `tmux` is
//! missing), and by a russh client for what OpenSSH cannot send.
//!
//! The server's mechanics are tested in-process against the demo app under tests/support (it
//! panics and floods on purpose); the classroom scenarios run the real binary and app.

#[path = "support/client.rs"]
mod client;
#[path = "support/demo.rs"]
mod demo;
#[path = "support/server.rs"]
mod server;
#[path = "support/tmux.rs"]
mod tmux;

use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use server::Server;
use tmux::{Tmux, WAIT, have, run_with_timeout};

/// What the demo app shows and which keys drive it.
mod screen {
    pub use super::demo::{
        KEY_QUIT, KEY_STEP, PANIC_WORD, TITLE, counter_line, input_line, size_line,
    };
    /// After a panic, on the client's restored screen.
    pub const PANIC_MESSAGE: &str = "internal error";
    /// Exit status after a panic.
    pub const PANIC_STATUS: i32 = 70;
}

fn demo_server() -> Server {
    Server::in_process(demo::factory(), |_| {})
}

fn key(c: char) -> String {
    c.to_string()
}

#[test]
fn start_keys_resize_and_quit_with_status_0() {
    if !have("ssh") || !have("tmux") {
        return;
    }
    let server = demo_server();
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
    let server = demo_server();
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

#[test]
fn no_pty_and_exec_are_refused_quickly_with_a_message() {
    if !have("ssh") {
        return;
    }
    let server = demo_server();
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
    let mut server = demo_server();
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
    let mut server = demo_server();
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

    let server = Server::in_process(demo::factory(), |o| {
        o.authorized_keys = Some(pubkey.clone())
    });
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
    let first = Server::binary_in(data.path(), &[]);
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
    let second = Server::binary_in(data.path(), &[]);
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
fn a_second_session_channel_on_one_connection_is_refused() {
    let server = demo_server();
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

/// The issue's classroom scenario against gradstep itself: the start screen, the sandbox, a
/// typed formula and start, one step with the gradient [5, 5], a resize, and `q` to leave with
/// ssh's exit status 0.
#[test]
fn a_learner_types_a_formula_over_ssh_and_steps() {
    if !have("ssh") || !have("tmux") {
        return;
    }
    let server = Server::binary(&[]);
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
    let server = Server::binary(&[]);
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

/// TERM from the pty request and the env requests LANG, LC_ALL and NO_COLOR reach the app;
/// any other variable is refused (PATH, LD_PRELOAD: nothing on the server is the client's to set).
#[test]
fn the_clients_terminal_type_and_locale_reach_the_app_and_other_env_is_refused() {
    let server = demo_server();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let env = [
            ("LANG", "zh_CN.UTF-8"),
            ("PATH", "/tmp/evil"),
            ("NO_COLOR", "1"),
            ("LD_PRELOAD", "/tmp/x.so"),
            ("LC_ALL", "en_US.UTF-8"),
        ];
        let (mut term, accepted) = client::open_with_env(server.port, "dumb", &env)
            .await
            .unwrap();
        assert_eq!(accepted, [true, false, true, false, true]);
        term.wait_for(
            "TERM=dumb LANG=zh_CN.UTF-8 LC_ALL=en_US.UTF-8 NO_COLOR=1",
            WAIT,
        )
        .await
        .unwrap();
    });
}

/// `TERM=dumb ssh -tt …`: the real tutor draws with ASCII only.
#[test]
fn term_dumb_over_ssh_draws_ascii() {
    if !have("ssh") || !have("tmux") {
        return;
    }
    let server = Server::binary(&[]);
    let plain = Tmux::start(&format!("TERM=dumb {}", server.ssh("-tt")), 100, 30);
    let s = plain.wait_for("+ Lessons -");
    assert!(
        !s.contains('╭') && !s.contains('│') && !s.contains('─'),
        "box drawing on a dumb terminal:\n{s}"
    );
    // The same server draws Unicode for a terminal that has it.
    let fancy = Tmux::start(&server.ssh("-tt"), 100, 30);
    fancy.wait_for("╭ Lessons ─");
}

/// `LANG=zh_CN.UTF-8 ssh -o SendEnv=LANG …`: the real tutor opens in Chinese on a server whose
/// own default is English.
#[test]
fn lang_sent_with_sendenv_opens_the_tutor_in_chinese() {
    if !have("ssh") || !have("tmux") {
        return;
    }
    let server = Server::binary(&["--lang", "en"]);
    let zh = Tmux::start(
        &format!("LANG=zh_CN.UTF-8 {}", server.ssh("-tt -o SendEnv=LANG")),
        100,
        30,
    );
    zh.wait_for("梯度下降");
    zh.wait_for("课程");
    let en = Tmux::start(
        &format!("LANG=en_US.UTF-8 {}", server.ssh("-tt -o SendEnv=LANG")),
        100,
        30,
    );
    en.wait_for("Lessons");
}

/// Issue 9.2: a user name (anonymous login takes any) and a terminal type that try to forge a
/// log line and drive the admin's terminal reach the log escaped, on one line, cut short.
#[test]
fn a_forged_user_name_and_terminal_type_cannot_forge_log_lines() {
    let server = demo_server();
    let user =
        "evil\n2026-01-01T00:00:00Z  INFO gradstep::ssh: forged line\x1b[31m\0\x1b]0;pwned\x07";
    let term = format!(
        "xterm\r\n2026-01-01T00:00:01Z  WARN forged{}",
        "x".repeat(500)
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let handle = client::connect_as(server.port, user).await.unwrap();
        let channel = handle.channel_open_session().await.unwrap();
        channel
            .request_pty(false, &term, 80, 24, 0, 0, &[])
            .await
            .unwrap();
        channel.request_shell(true).await.unwrap();
        // OSC (retitles the admin's terminal), BEL and NUL in a second user name.
        let _second = client::connect_as(server.port, "osc\x1b]0;pwned\x07nul\0end")
            .await
            .unwrap();
        // Keep the connection until the server has logged the session's start.
        let deadline = tokio::time::Instant::now() + WAIT;
        while !server.log().contains("session start") || !server.log().contains("nul") {
            assert!(tokio::time::Instant::now() < deadline, "{}", server.log());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    let log = server.log();
    for line in log.lines() {
        assert!(
            !line.starts_with("2026-01-01T00:00:0"),
            "a forged line in the log:\n{log}"
        );
    }
    assert!(
        !log.contains(['\x1b', '\0', '\x07', '\r']),
        "raw control bytes in the log: {log:?}"
    );
    assert!(log.contains(r"evil\n2026-01-01T00:00:00Z"), "{log}");
    assert!(log.contains(r"\u{1b}]0;pwned\u{7}"), "{log}");
    assert!(log.contains(r"xterm\r\n2026"), "{log}");
    assert!(
        log.lines().all(|l| l.chars().count() < 400),
        "a 500-character TERM is cut:\n{log}"
    );
}

/// Issue 12: the server's side of every accepted connection has TCP_NODELAY (else the key
/// exchange waits on delayed ACKs). The server runs in this process, so its sockets are ours
/// to inspect: the connected ones whose local port is the server's.
#[cfg(target_os = "linux")]
#[test]
fn accepted_connections_have_tcp_nodelay() {
    let server = demo_server();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _term = rt.block_on(async {
        let mut t = client::open(server.port, 80, 24).await.unwrap();
        t.wait_for(screen::TITLE, WAIT).await.unwrap();
        t
    });
    let _raw = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let mut checked = 0;
    for entry in std::fs::read_dir("/proc/self/fd").unwrap().flatten() {
        let Ok(fd) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        // SAFETY: only reads socket names and options; a descriptor closed meanwhile just
        // makes the calls fail.
        unsafe {
            let mut addr: libc::sockaddr_in = std::mem::zeroed();
            let mut len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
            let mut peer: libc::sockaddr_in = std::mem::zeroed();
            let mut plen = len;
            if libc::getsockname(fd, &mut addr as *mut _ as *mut libc::sockaddr, &mut len) != 0
                || addr.sin_family != libc::AF_INET as libc::sa_family_t
                || u16::from_be(addr.sin_port) != server.port
                || libc::getpeername(fd, &mut peer as *mut _ as *mut libc::sockaddr, &mut plen) != 0
            {
                continue;
            }
            let mut on: libc::c_int = 0;
            let mut olen = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
            let r = libc::getsockopt(
                fd,
                libc::IPPROTO_TCP,
                libc::TCP_NODELAY,
                &mut on as *mut _ as *mut libc::c_void,
                &mut olen,
            );
            assert_eq!(r, 0);
            assert_ne!(on, 0, "server socket fd {fd} without TCP_NODELAY");
            checked += 1;
        }
    }
    assert_eq!(checked, 2, "the logged-in client and the raw socket");
}
