//! Load benchmark for a class on `gradstep serve` (not a test): N students stepping in the
//! sandbox and one teacher at the console who pushes a formula to all of them, follows one
//! student's screen and broadcasts a line every second, on this machine's loopback.
//!
//! Measures the server's memory per session (RSS delta / (N + 1), from /proc/PID/status)
//! and the students' keypress-to-frame delay while the teacher works (from sending `n` to
//! the new `t = k` on the client's emulated screen; client and server share the CPU).
//!
//! ```text
//! cargo build --release && cargo run --release --example class_load -- --students 100 --secs 15
//! ```
//! Flags: --students N, --rate presses/s per student, --secs duration, --broadcast-every S
//! (default 1: far more often than a class needs; every broadcast redraws every student),
//! --server PATH
//! (default: the `gradstep` binary next to this example's target dir). Needs `ssh-keygen`
//! for the teacher's key.

#[path = "../tests/support/client.rs"]
mod client;
mod load_common;
use load_common::{ms, percentile, status_kb};

use std::num::NonZero;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use russh::keys::PrivateKeyWithHashAlg;

struct Args {
    students: usize,
    rate: f64,
    secs: u64,
    /// Seconds between the teacher's broadcasts (each wakes and redraws every student).
    every: u64,
    server: std::path::PathBuf,
}

fn args() -> Args {
    let mut a = Args {
        students: 100,
        rate: 4.0,
        secs: 15,
        every: 1,
        server: std::env::current_exe()
            .ok()
            .and_then(|p| Some(p.parent()?.parent()?.join("gradstep")))
            .unwrap_or_else(|| "target/release/gradstep".into()),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let v = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--students" => a.students = v.parse().expect("--students N"),
            "--rate" => a.rate = v.parse().expect("--rate presses per second"),
            "--secs" => a.secs = v.parse().expect("--secs S"),
            "--broadcast-every" => a.every = v.parse().expect("--broadcast-every S"),
            "--server" => a.server = v.into(),
            other => panic!("unknown flag {other}"),
        }
    }
    a
}

fn main() -> anyhow::Result<()> {
    let a = args();
    let data = tempfile::tempdir()?;
    let key = data.path().join("teacher");
    let st = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "teacher", "-f"])
        .arg(&key)
        .status()?;
    anyhow::ensure!(st.success(), "ssh-keygen failed");
    let pub_key = key.with_extension("pub");
    let (mut server, port) = load_common::start_server(
        &a.server,
        data.path(),
        a.students + 10,
        &["--teacher-keys".as_ref(), pub_key.as_os_str()],
    )?;
    let pid = server.id();
    let rss0 = status_kb(pid, "VmRSS:");

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = rt.block_on(run(&a, port, pid, &key));
    let peak = status_kb(pid, "VmHWM:");
    let _ = server.kill();
    let _ = server.wait();
    let r = result?;
    let mut lat = r.latencies;
    lat.sort();
    let n = (a.students + 1) as f64;
    println!(
        "students {} held to the end {} errors {}; teacher pushes {} broadcasts {} follow frames seen {}",
        a.students, r.held, r.errors, r.pushes, r.broadcasts, r.follow_frames
    );
    println!(
        "server RSS: idle {rss0} kB, {} students + teacher open {} kB, after load {} kB, peak {peak} kB",
        a.students, r.rss_open, r.rss_end
    );
    println!(
        "memory per session: {:.0} kB on open, {:.0} kB after load",
        r.rss_open.saturating_sub(rss0) as f64 / n,
        r.rss_end.saturating_sub(rss0) as f64 / n
    );
    println!(
        "student keypress-to-frame ({} presses, {:.1}/s each for {} s): p50 {:.1} ms  p90 {:.1} ms  p99 {:.1} ms  max {:.1} ms",
        lat.len(),
        a.rate,
        a.secs,
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.9)),
        ms(percentile(&lat, 0.99)),
        ms(lat.last().copied().unwrap_or_default())
    );
    Ok(())
}

struct Outcome {
    held: usize,
    errors: usize,
    rss_open: u64,
    rss_end: u64,
    latencies: Vec<Duration>,
    pushes: usize,
    broadcasts: usize,
    follow_frames: usize,
}

/// The teacher's session: public-key login as `teacher`, the console in an 80×24 pty.
async fn teacher(port: u16, key: &std::path::Path) -> anyhow::Result<client::Term> {
    let config = Arc::new(russh::client::Config {
        inactivity_timeout: None,
        nodelay: true,
        ..Default::default()
    });
    let mut handle = russh::client::connect(config, ("127.0.0.1", port), client::TrustAll).await?;
    let key = russh::keys::load_secret_key(key, None)?;
    let auth = handle
        .authenticate_publickey("teacher", PrivateKeyWithHashAlg::new(Arc::new(key), None))
        .await?;
    anyhow::ensure!(auth.success(), "the teacher's key was refused");
    let channel = handle.channel_open_session().await?;
    channel
        .request_pty(true, "xterm-256color", 80, 24, 0, 0, &[])
        .await?;
    channel.request_shell(true).await?;
    Ok(client::Term {
        handle,
        channel,
        screen: vt100::Parser::new(NonZero::new(24).unwrap(), NonZero::new(80).unwrap(), 0),
        light: None,
        exit_status: None,
        closed: false,
    })
}

async fn run(a: &Args, port: u16, pid: u32, key: &std::path::Path) -> anyhow::Result<Outcome> {
    let gate = Arc::new(tokio::sync::Semaphore::new(16));
    let mut opening = Vec::new();
    for _ in 0..a.students {
        let gate = gate.clone();
        opening.push(tokio::spawn(async move {
            let _p = gate.acquire().await;
            let mut t = client::open(port, 80, 24).await?;
            t.wait_for("Sandbox", Duration::from_secs(30)).await?;
            anyhow::Ok(t)
        }));
    }
    let mut terms = Vec::new();
    let mut errors = 0;
    for h in opening {
        match h.await? {
            Ok(t) => terms.push(t),
            Err(e) => {
                errors += 1;
                eprintln!("open failed: {e:#}");
            }
        }
    }
    let mut t = teacher(port, key).await?;
    t.wait_for(&format!("{} here", terms.len()), Duration::from_secs(30))
        .await?;
    // The push every student steps: slow to converge, so 100 steps stay on the move.
    t.send(b"p").await?;
    t.wait_for("formula to push", Duration::from_secs(10))
        .await?;
    t.send(b"x^2 + x*y + y^2\r").await?;
    t.wait_for("start point", Duration::from_secs(10)).await?;
    t.send(b"\x153, 4\r").await?;
    t.wait_for("[optimizer]", Duration::from_secs(10)).await?;
    t.send(b"\x150.01 sgd\r").await?;
    t.wait_for("sent to", Duration::from_secs(10)).await?;
    let pushes = 1;
    for s in &mut terms {
        s.wait_for("from the teacher", Duration::from_secs(30))
            .await?;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_open = status_kb(pid, "VmRSS:");

    let period = Duration::from_secs_f64(1.0 / a.rate);
    let start = Instant::now();
    let end = start + Duration::from_secs(a.secs);
    let n = terms.len().max(1);
    let mut running = Vec::new();
    for (i, mut s) in terms.into_iter().enumerate() {
        let offset = period.mul_f64(i as f64 / n as f64);
        running.push(tokio::spawn(async move {
            client::step_until(&mut s, 0, offset, period, end).await
        }));
    }
    // The teacher follows the first student and broadcasts a numbered line every few seconds.
    t.send(b"f").await?;
    t.wait_for("following", Duration::from_secs(10)).await?;
    let mut broadcasts = 0;
    let mut follow_frames = 0;
    // It stops two seconds before the students do, so the student it follows is still there.
    let every = Duration::from_secs(a.every.max(1));
    while Instant::now() + every + Duration::from_secs(2) < end {
        tokio::time::sleep(every).await;
        t.send(b"\x1b").await?;
        t.wait_for(" here", Duration::from_secs(10)).await?;
        broadcasts += 1;
        t.send(format!("b\x15line {broadcasts}\r").as_bytes())
            .await?;
        t.wait_for(
            &format!("broadcast: line {broadcasts}"),
            Duration::from_secs(10),
        )
        .await?;
        t.send(b"f").await?;
        t.wait_for("t = ", Duration::from_secs(10)).await?;
        follow_frames += 1;
    }
    let rss_end = status_kb(pid, "VmRSS:");
    let mut latencies = Vec::new();
    let mut held = 0;
    for h in running {
        match h.await? {
            Ok(l) => {
                held += 1;
                latencies.extend(l.into_iter().map(|(_, took)| took));
            }
            Err(e) => {
                errors += 1;
                eprintln!("student failed: {e:#}");
            }
        }
    }
    Ok(Outcome {
        held,
        errors,
        rss_open,
        rss_end,
        latencies,
        pushes,
        broadcasts,
        follow_frames,
    })
}
