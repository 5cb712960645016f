//! Connections that never finish logging in, at the SSH level: raw sockets that send the
//! version line, half a packet or a KEXINIT and then stall must be closed — their descriptors
//! freed — by the login deadline or when evicted, while a real client logs in meanwhile.
//! Descriptors are counted in the real server process (`/proc/PID/fd`).

#[path = "support/client.rs"]
mod client;
#[path = "support/server.rs"]
mod server;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use server::Server;

const WAIT: Duration = Duration::from_secs(15);

fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count())
        .unwrap_or(0)
}

/// Wait until `ok(open descriptors)`, up to `within`; the last count either way.
fn wait_fds(pid: u32, within: Duration, ok: impl Fn(usize) -> bool) -> (bool, usize) {
    let deadline = Instant::now() + within;
    loop {
        let n = open_fds(pid);
        if ok(n) {
            return (true, n);
        }
        if Instant::now() > deadline {
            return (false, n);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// An SSH binary packet (RFC 4253 §6) around `payload`, unencrypted, no MAC.
fn packet(payload: &[u8]) -> Vec<u8> {
    let mut padding = 8 - (payload.len() + 5) % 8;
    if padding < 4 {
        padding += 8;
    }
    let len = (1 + payload.len() + padding) as u32;
    let mut p = len.to_be_bytes().to_vec();
    p.push(padding as u8);
    p.extend_from_slice(payload);
    p.extend(std::iter::repeat_n(0u8, padding));
    p
}

/// A client KEXINIT the server accepts (it then waits for the key exchange that never comes).
fn kexinit() -> Vec<u8> {
    let mut m = vec![20u8];
    m.extend_from_slice(&[7u8; 16]);
    let lists = [
        "curve25519-sha256",
        "ssh-ed25519",
        "chacha20-poly1305@openssh.com",
        "chacha20-poly1305@openssh.com",
        "hmac-sha2-256",
        "hmac-sha2-256",
        "none",
        "none",
        "",
        "",
    ];
    for l in lists {
        m.extend_from_slice(&(l.len() as u32).to_be_bytes());
        m.extend_from_slice(l.as_bytes());
    }
    m.push(0);
    m.extend_from_slice(&0u32.to_be_bytes());
    packet(&m)
}

#[derive(Clone, Copy, Debug)]
enum Stall {
    Silent,
    VersionLine,
    PartialPacket,
    Kexinit,
}

fn stalled(port: u16, how: Stall) -> TcpStream {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let version = b"SSH-2.0-stall\r\n";
    let _ = match how {
        Stall::Silent => Ok(()),
        Stall::VersionLine => s.write_all(version),
        // A packet that claims 256 bytes and brings five.
        Stall::PartialPacket => s
            .write_all(version)
            .and_then(|_| s.write_all(&[0, 0, 1, 0, 6])),
        Stall::Kexinit => s.write_all(version).and_then(|_| s.write_all(&kexinit())),
    };
    s
}

/// From the peer's side: the server closed this socket (EOF or reset), within `within`.
fn closed_by_server(mut s: &TcpStream, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return true,
        }
    }
    false
}

#[test]
fn half_open_connections_are_closed_at_the_login_deadline() {
    let login = Duration::from_secs(3);
    let server = Server::binary(&[
        "--login-timeout",
        "3s",
        "--max-sessions",
        "1000",
        "--max-per-ip",
        "1000",
    ]);
    let pid = server.pid();
    std::thread::sleep(Duration::from_millis(300));
    let base = open_fds(pid);

    let kinds = [
        Stall::Silent,
        Stall::VersionLine,
        Stall::PartialPacket,
        Stall::Kexinit,
    ];
    let started = Instant::now();
    let socks: Vec<(Stall, TcpStream)> = (0..25)
        .flat_map(|_| kinds.map(|k| (k, stalled(server.port, k))))
        .collect();
    let (all_in, n) = wait_fds(pid, Duration::from_secs(5), |n| n >= base + 100);
    assert!(
        all_in,
        "server holds {n} fds, expected {base} + 100 stalled"
    );

    // A learner logs in while they stall, and stays.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut learner = rt.block_on(async {
        let mut t = client::open(server.port, 100, 30).await.unwrap();
        t.wait_for("Lessons", WAIT).await.unwrap();
        t
    });

    // By the deadline (plus a moment to say why and close), only the learner's socket is left.
    let (gone, n) = wait_fds(pid, login + Duration::from_secs(3), |n| n <= base + 1);
    assert!(
        gone,
        "{n} fds {:?} after the login deadline (base {base}); log:\n{}",
        started.elapsed(),
        server.log()
    );
    for (kind, s) in &socks {
        assert!(
            closed_by_server(s, Duration::from_secs(2)),
            "a {kind:?} socket is still open"
        );
    }
    // The learner was never disturbed.
    rt.block_on(async {
        learner.send(b"q").await.unwrap();
        assert_eq!(learner.wait_closed(WAIT).await.unwrap(), Some(0));
    });
}

#[test]
fn evicted_connections_are_closed_at_once() {
    // Default caps (40 per address), a long login deadline: only eviction can close them.
    let server = Server::binary(&["--login-timeout", "5m"]);
    let pid = server.pid();
    std::thread::sleep(Duration::from_millis(300));
    let base = open_fds(pid);
    let socks: Vec<TcpStream> = (0..120)
        .map(|i| {
            let kind = [Stall::VersionLine, Stall::PartialPacket, Stall::Kexinit][i % 3];
            stalled(server.port, kind)
        })
        .collect();
    // At most 40 held: the 80 evicted are closed, not left to linger.
    std::thread::sleep(Duration::from_millis(500));
    let (ok, n) = wait_fds(pid, Duration::from_secs(5), |n| n <= base + 40);
    assert!(
        ok,
        "{n} fds with 40 allowed (base {base}):\n{}",
        server.log()
    );
    let closed = socks
        .iter()
        .take(80)
        .filter(|s| closed_by_server(s, Duration::from_millis(500)))
        .count();
    assert_eq!(closed, 80, "the 80 oldest were evicted and closed");
}

/// Issue 12: with descriptors exhausted (a server started under `prlimit --nofile=64:64`),
/// newcomers are told the server is full and closed at once instead of waiting silently in the
/// kernel's queue; the log says so once; when descriptors free up, learners get in again.
#[test]
fn out_of_descriptors_newcomers_are_refused_at_once_and_the_log_says_so_once() {
    if std::process::Command::new("prlimit")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("note: `prlimit` not on PATH; skipping the descriptor-exhaustion test");
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new("prlimit");
    cmd.args(["--nofile=64:64", "--", env!("CARGO_BIN_EXE_gradstep")]);
    let server = Server::spawn(
        cmd,
        data.path(),
        &[
            "--login-timeout",
            "2m",
            "--max-sessions",
            "1000",
            "--max-per-ip",
            "1000",
        ],
    );
    assert!(
        server
            .banner
            .contains("file descriptors: limit 64: room for")
            && server.banner.contains("fewer than --max-sessions 1000"),
        "{}",
        server.banner
    );
    let pid = server.pid();
    let hogs: Vec<TcpStream> = (0..80)
        .map(|_| stalled(server.port, Stall::Silent))
        .collect();
    let (full, n) = wait_fds(pid, Duration::from_secs(5), |n| n >= 63);
    assert!(full, "the server never ran out: {n} fds");

    for i in 0..20 {
        let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        let mut got = Vec::new();
        let started = Instant::now();
        let r = s.read_to_end(&mut got);
        let text = String::from_utf8_lossy(&got);
        assert!(
            r.is_ok() && text.contains("the server is full"),
            "newcomer {i}: {r:?} {text:?} after {:?}",
            started.elapsed()
        );
    }
    assert!(server.log.wait_for("out of file descriptors", WAIT));
    let log = server.log();
    assert_eq!(
        log.matches("out of file descriptors").count(),
        1,
        "said once, not per newcomer:\n{log}"
    );
    assert!(!log.contains("Too many open files"), "{log}");

    drop(hogs);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        // The hogs' slots are freed as the server sees them close; then a learner gets in.
        let deadline = tokio::time::Instant::now() + WAIT;
        let mut t = loop {
            match client::open(server.port, 80, 24).await {
                Ok(t) => break t,
                Err(e) if tokio::time::Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("no learner got in after the hogs left: {e:#}"),
            }
        };
        t.wait_for("Lessons", WAIT).await.unwrap();
    });
    assert!(
        server.log.wait_for("available again", WAIT),
        "{}",
        server.log()
    );
}
