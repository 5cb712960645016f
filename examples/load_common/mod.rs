//! What the two load examples (`ssh_load`, `class_load`) share: starting the server on a free
//! loopback port and reading its memory and latency figures. Not an example of its own (Cargo
//! only builds `examples/*.rs` and `examples/*/main.rs`).
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// `server serve` on 127.0.0.1 port 0 with room for `cap` connections, `extra` flags after,
/// progress in `data`; returns the process and the port its banner names. Its later output
/// is drained, so a chatty server never blocks on a full pipe.
pub fn start_server(
    server: &Path,
    data: &Path,
    cap: usize,
    extra: &[&OsStr],
) -> anyhow::Result<(Child, u16)> {
    let cap = cap.to_string();
    let mut child = Command::new(server)
        .args(["serve", "--listen", "127.0.0.1:0", "--max-sessions", &cap])
        .args(["--max-per-ip", &cap])
        .args(extra)
        .env("XDG_DATA_HOME", data)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| anyhow::anyhow!("starting {}: {e}", server.display()))?;
    let mut out = BufReader::new(child.stdout.take().expect("piped"));
    let mut port = 0u16;
    let mut line = String::new();
    while out.read_line(&mut line)? > 0 {
        if let Some(addr) = line.trim().strip_prefix("gradstep serve: listening on ") {
            port = addr
                .rsplit(':')
                .next()
                .and_then(|p| p.parse().ok())
                .unwrap_or(0);
            break;
        }
        line.clear();
    }
    anyhow::ensure!(port != 0, "server did not start");
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    std::thread::sleep(Duration::from_millis(200));
    Ok((child, port))
}

/// A `/proc/PID/status` field in kB (`VmRSS:`, `VmHWM:`), 0 when unreadable.
pub fn status_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// The `p` quantile of sorted latencies (nearest rank), zero when there are none.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
