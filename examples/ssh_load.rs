//! Load benchmark for `gradstep serve` (not a test): N concurrent sessions, each pressing the
//! step key several times a second, on this machine's loopback.
//!
//! Measures sessions held, the server's memory per session (RSS delta / N, from
//! /proc/PID/status) and the keypress-to-frame delay (from sending the key to the new counter
//! being on the client's emulated screen; the client shares the CPU with the server).
//!
//! ```text
//! cargo build --release && cargo run --release --example ssh_load -- --sessions 100 --rate 4 --secs 20
//! ```
//! By default each session opens gradstep's sandbox (x² + xy + y² from (3, 4)) and presses `n`,
//! timing until the new `t = k` is on screen (every 100 steps it resets with `r`, untimed).
//!
//! Also prints the CPU time the server and this load client used while the keys were being
//! pressed (utime + stime from /proc, as a share of the wall-clock window), since both share
//! the same cores and the client's share is CPU the server did not get.
//!
//! Flags: --sessions N, --rate presses/s per session, --secs duration, --cols C --rows R
//! (window, default 80×24), --server PATH
//! (default: the `gradstep` binary next to this example's target dir; may be a wrapper script
//! such as `exec valgrind --tool=callgrind gradstep "$@"`), --cipher NAME (offer only this
//! cipher, e.g. `aes256-gcm@openssh.com` or `chacha20-poly1305@openssh.com`).
//! --client-threads N (worker threads of this client's runtime; default one per core).
//! --dephase K: session i first takes i mod K untimed steps, so the sessions are not all at
//! the same point of the same run (by default every session steps the same run in lockstep,
//! and a step that changes the layout, when a row of the numbers panel starts to wrap, comes
//! to all of them within the same quarter second).
//!
//! Where a key's server CPU goes, in instructions (the machine is shared, so wall time lies):
//! ```text
//! printf '#!/bin/sh\nexec valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.%%p target/release/gradstep "$@"\n' > /tmp/cg.sh
//! chmod +x /tmp/cg.sh
//! target/release/examples/ssh_load --server /tmp/cg.sh --sessions 4 --secs 15 2>&1 | while read -r l; do
//!   echo "$l"; case "$l" in *"keys start"*) callgrind_control -z;; *"keys end"*) callgrind_control -d;; esac; done
//! callgrind_annotate --inclusive=yes /tmp/cg.*.1 | less   # the dump covers the key presses only
//! ```
//! (The server's flood and slow-client fixtures live in the tests, with the demo app under
//! tests/support; the shipped binary serves only gradstep.)

#[path = "../tests/support/client.rs"]
mod client;
mod load_common;
use load_common::{ms, percentile, status_kb};

use std::sync::Arc;
use std::time::{Duration, Instant};

struct Args {
    sessions: usize,
    rate: f64,
    secs: u64,
    cols: u32,
    rows: u32,
    server: std::path::PathBuf,
    cipher: Option<String>,
    client_threads: Option<usize>,
    dephase: usize,
}

fn args() -> Args {
    let mut a = Args {
        sessions: 100,
        rate: 4.0,
        secs: 20,
        cols: 80,
        rows: 24,
        server: std::env::current_exe()
            .ok()
            .and_then(|p| Some(p.parent()?.parent()?.join("gradstep")))
            .unwrap_or_else(|| "target/release/gradstep".into()),
        cipher: None,
        client_threads: None,
        dephase: 1,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let v = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--sessions" => a.sessions = v.parse().expect("--sessions N"),
            "--rate" => a.rate = v.parse().expect("--rate presses per second"),
            "--secs" => a.secs = v.parse().expect("--secs S"),
            "--server" => a.server = v.into(),
            "--cols" => a.cols = v.parse().expect("--cols N"),
            "--rows" => a.rows = v.parse().expect("--rows N"),
            "--cipher" => a.cipher = Some(v),
            "--client-threads" => a.client_threads = Some(v.parse().expect("--client-threads N")),
            "--dephase" => a.dephase = v.parse().expect("--dephase K"),
            other => panic!("unknown flag {other}"),
        }
    }
    a
}

/// CPU seconds (user, system) a process has used, from /proc/PID/stat.
fn cpu_split(pid: &str) -> (f64, f64) {
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            // Fields after the command name (which may hold spaces) in parentheses.
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let utime: f64 = f.get(11)?.parse().ok()?;
            let stime: f64 = f.get(12)?.parse().ok()?;
            Some((utime / ticks, stime / ticks))
        })
        .unwrap_or((0.0, 0.0))
}

/// SIGTERM (the server's graceful shutdown, which also lets a profiler running it write its
/// data), then SIGKILL if it is still there after 10 s.
fn stop(server: &mut std::process::Child) {
    // SAFETY: kill(2) on our own child's pid; no memory is involved.
    unsafe { libc::kill(server.id() as libc::pid_t, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = server.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = server.kill();
    let _ = server.wait();
}

fn main() -> anyhow::Result<()> {
    let a = args();
    let data = tempfile::tempdir()?;
    let (mut server, port) =
        load_common::start_server(&a.server, data.path(), a.sessions + 10, &[])?;
    let pid = server.id();
    let rss0 = status_kb(pid, "VmRSS:");

    let mut rt = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = a.client_threads {
        rt.worker_threads(n.max(1));
    }
    let rt = rt.enable_all().build()?;
    let result = rt.block_on(run(&a, port, pid));
    let peak = status_kb(pid, "VmHWM:");
    stop(&mut server);
    let (held, rss_open, rss_end, presses, errors, exit0, cpu) = result?;
    let mut lat: Vec<Duration> = presses.iter().map(|&(_, took)| took).collect();
    lat.sort();
    let n = a.sessions.max(1) as f64;
    println!(
        "sessions requested {}  held to the end {}  errors {}  exit-status 0 {}",
        a.sessions, held, errors, exit0
    );
    println!(
        "server RSS: idle {rss0} kB, {} sessions open {rss_open} kB, after load {rss_end} kB, peak {peak} kB",
        a.sessions,
    );
    println!(
        "memory per session: {:.0} kB on open, {:.0} kB after load",
        (rss_open.saturating_sub(rss0)) as f64 / n,
        (rss_end.saturating_sub(rss0)) as f64 / n
    );
    println!(
        "keypresses {}  ({:.1}/s per session for {} s)",
        lat.len(),
        a.rate,
        a.secs
    );
    println!(
        "CPU while pressing keys ({:.1} s wall): server {:.1} s ({:.0}% of one core; {:.0}% of it in the kernel), load client {:.1} s ({:.0}% of one core; {:.0}% of it in the kernel), client share of the two {:.0}%",
        cpu.wall,
        cpu.server,
        100.0 * cpu.server / cpu.wall,
        100.0 * cpu.server_sys / cpu.server.max(1e-9),
        cpu.client,
        100.0 * cpu.client / cpu.wall,
        100.0 * cpu.client_sys / cpu.client.max(1e-9),
        100.0 * cpu.client / (cpu.client + cpu.server).max(1e-9)
    );
    println!(
        "server CPU per keypress: {:.0} µs",
        1e6 * cpu.server / (lat.len().max(1) as f64)
    );
    println!(
        "keypress-to-frame: p50 {:.1} ms  p90 {:.1} ms  p99 {:.1} ms  max {:.1} ms",
        ms(percentile(&lat, 0.50)),
        ms(percentile(&lat, 0.90)),
        ms(percentile(&lat, 0.99)),
        ms(lat.last().copied().unwrap_or_default())
    );
    println!("p99 second by second: {}", p99_by_second(&presses));
    Ok(())
}

/// The p99 of the presses sent in each second of the run, so a slow start or a stall in the
/// middle shows as such instead of being folded into one figure.
fn p99_by_second(presses: &[(Instant, Duration)]) -> String {
    let Some(first) = presses.iter().map(|&(at, _)| at).min() else {
        return String::new();
    };
    let mut seconds: Vec<Vec<Duration>> = Vec::new();
    for &(at, took) in presses {
        let s = (at - first).as_secs() as usize;
        if seconds.len() <= s {
            seconds.resize_with(s + 1, Vec::new);
        }
        seconds[s].push(took);
    }
    seconds
        .iter_mut()
        .map(|l| {
            l.sort();
            format!("{:.0}", ms(percentile(l, 0.99)))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// CPU seconds used by the server and the client over `wall` seconds of key presses.
struct Cpu {
    wall: f64,
    server: f64,
    /// Of `server`, the part spent in the kernel (syscalls, TCP).
    server_sys: f64,
    client: f64,
    client_sys: f64,
}

type Outcome = (usize, u64, u64, Vec<(Instant, Duration)>, usize, usize, Cpu);

async fn run(a: &Args, port: u16, pid: u32) -> anyhow::Result<Outcome> {
    // Open every session first (a few handshakes at a time), then measure.
    let gate = Arc::new(tokio::sync::Semaphore::new(16));
    let mut opening = Vec::new();
    for i in 0..a.sessions {
        let gate = gate.clone();
        let dephase = a.dephase;
        let (cols, rows) = (a.cols, a.rows);
        let cipher = a.cipher.clone();
        opening.push(tokio::spawn(async move {
            let _p = gate.acquire().await;
            let mut t = client::open_with(port, cols, rows, cipher.as_deref())
                .await?
                .light();
            t.wait_for("Sandbox", Duration::from_secs(30)).await?;
            t.send(b"G\r").await?;
            t.wait_for("(3, 4)", Duration::from_secs(30)).await?;
            // With --dephase K, session i starts i mod K steps along (untimed).
            let ahead = (i % dephase.max(1)) as u64;
            for k in 1..=ahead {
                t.send(b"n").await?;
                t.wait_for(&format!("t = {k} "), Duration::from_secs(30))
                    .await?;
            }
            anyhow::Ok((t, ahead))
        }));
    }
    let mut terms = Vec::new();
    let mut errors = 0;
    for h in opening {
        match h.await? {
            Ok(opened) => terms.push(opened),
            Err(e) => {
                errors += 1;
                eprintln!("open failed: {e:#}");
            }
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_open = status_kb(pid, "VmRSS:");

    let period = Duration::from_secs_f64(1.0 / a.rate);
    // Markers for a profiler watching the server (e.g. `callgrind_control -z` / `-d`).
    eprintln!("ssh_load: keys start ({} sessions)", terms.len());
    let start = Instant::now();
    let (server0, client0) = (cpu_split(&pid.to_string()), cpu_split("self"));
    let end = start + Duration::from_secs(a.secs);
    let n = terms.len().max(1);
    let mut running = Vec::new();
    for (i, (mut t, ahead)) in terms.into_iter().enumerate() {
        // Spread the sessions over one period so the presses do not all land at once.
        let offset = period.mul_f64(i as f64 / n as f64);
        running.push(tokio::spawn(async move {
            let lat = client::step_until(&mut t, ahead, offset, period, end).await?;
            // Out of the sandbox, then out of the tutor.
            t.send(b"qq").await?;
            let status = t.wait_closed(Duration::from_secs(10)).await?;
            anyhow::Ok((lat, status == Some(0)))
        }));
    }
    // Memory and CPU under load, just before the sessions start quitting.
    let probe = tokio::spawn(async move {
        tokio::time::sleep_until((end - Duration::from_millis(300)).into()).await;
        let server = cpu_split(&pid.to_string());
        let cpu = Cpu {
            wall: start.elapsed().as_secs_f64(),
            server: server.0 + server.1 - server0.0 - server0.1,
            server_sys: server.1 - server0.1,
            client: {
                let c = cpu_split("self");
                c.0 + c.1 - client0.0 - client0.1
            },
            client_sys: cpu_split("self").1 - client0.1,
        };
        (status_kb(pid, "VmRSS:"), cpu)
    });
    let mut all = Vec::new();
    let mut held = 0;
    let mut exit0 = 0;
    for h in running {
        match h.await? {
            Ok((lat, ok)) => {
                held += 1;
                exit0 += usize::from(ok);
                all.extend(lat);
            }
            Err(e) => {
                errors += 1;
                eprintln!("session failed: {e:#}");
            }
        }
    }
    eprintln!("ssh_load: keys end");
    let (rss_end, cpu) = probe.await?;
    Ok((held, rss_open, rss_end, all, errors, exit0, cpu))
}
