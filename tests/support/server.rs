//! `gradstep serve` for tests, two ways:
//! - [`Server::in_process`]: the library's [`gradstep::ssh::Server`] bound to port 0 on a thread
//!   of its own, serving any [`AppFactory`] (the demo app under tests/support), with its log
//!   captured. No test hook in the shipped binary is needed for this.
//! - [`Server::binary`]: the real `gradstep` binary (the real app) in a child process, for what
//!   needs a process boundary: its descriptors, its limits, its start-up messages.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gradstep::ssh::{AppFactory, Limits, ServeOptions};

/// A log shared between the server and the test.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<u8>>>);

impl Log {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
    /// Wait until the log contains `needle` (the server writes it from another thread).
    pub fn wait_for(&self, needle: &str, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while !self.text().contains(needle) {
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        true
    }
}

impl Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut v = self.0.lock().unwrap();
        if v.len() < 1 << 20 {
            v.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

enum Kind {
    Thread {
        stop: Option<tokio::sync::oneshot::Sender<()>>,
        thread: Option<std::thread::JoinHandle<()>>,
    },
    Child(Child),
}

/// A running server; stopped on drop.
pub struct Server {
    kind: Kind,
    pub port: u16,
    /// What it printed at start (address, host key fingerprint, auth, limits).
    pub banner: String,
    pub log: Log,
    _dir: Option<tempfile::TempDir>,
}

impl Server {
    /// Serve `factory` from this process on a free loopback port, anonymous logins allowed
    /// (loopback), host key in a temporary directory. `tune` adjusts the options.
    pub fn in_process(factory: AppFactory, tune: impl FnOnce(&mut ServeOptions)) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let mut opts = ServeOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            host_key: Some(dir.path().join("host_ed25519")),
            limits: Limits::default(),
            ..ServeOptions::default()
        };
        tune(&mut opts);
        let log = Log::default();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let thread_log = log.clone();
        let thread = std::thread::spawn(move || {
            // A subscriber for this thread only: the server's tasks all run here (current-thread
            // runtime), so each test reads its own server's log.
            let writer = thread_log.clone();
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::INFO)
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .finish();
            let _guard = tracing::subscriber::set_default(subscriber);
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let server = match gradstep::ssh::Server::bind(opts).await {
                    Ok(s) => s,
                    Err(e) => {
                        let _ = ready_tx.send(Err(format!("{e:#}")));
                        return;
                    }
                };
                let mut banner = Vec::new();
                server.print_banner(&mut banner);
                let _ = ready_tx.send(Ok((
                    server.local_addr().port(),
                    String::from_utf8_lossy(&banner).into_owned(),
                )));
                server
                    .run(factory, async {
                        let _ = stop_rx.await;
                    })
                    .await;
            });
        });
        let (port, banner) = ready_rx
            .recv()
            .expect("server thread ended")
            .unwrap_or_else(|e| panic!("server did not start: {e}"));
        Server {
            kind: Kind::Thread {
                stop: Some(stop_tx),
                thread: Some(thread),
            },
            port,
            banner,
            log,
            _dir: Some(dir),
        }
    }

    /// The real binary (`gradstep serve --listen 127.0.0.1:0 EXTRA…`) with a fresh data dir.
    pub fn binary(extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Server::binary_in(dir.path(), extra);
        s._dir = Some(dir);
        s
    }

    /// The real binary with `data` as XDG_DATA_HOME.
    pub fn binary_in(data: &Path, extra: &[&str]) -> Server {
        Server::spawn(Command::new(env!("CARGO_BIN_EXE_gradstep")), data, extra)
    }

    /// `prefix` runs the binary (e.g. `prlimit --nofile=64:64 -- gradstep`): started with the
    /// serve arguments appended.
    pub fn spawn(mut cmd: Command, data: &Path, extra: &[&str]) -> Server {
        let mut child = cmd
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .env("XDG_DATA_HOME", data)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Drain stderr so a chatty log never blocks the server; keep it for the test.
        let log = Log::default();
        let mut err = child.stderr.take().unwrap();
        let mut sink = log.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let _ = sink.write(&buf[..n]);
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
        let port = port.unwrap_or_else(|| panic!("server did not start: {}", log.text()));
        Server {
            kind: Kind::Child(child),
            port,
            banner,
            log,
            _dir: None,
        }
    }

    pub fn alive(&mut self) -> bool {
        match &mut self.kind {
            Kind::Child(c) => matches!(c.try_wait(), Ok(None)),
            Kind::Thread { thread, .. } => thread.as_ref().is_some_and(|t| !t.is_finished()),
        }
    }

    /// The child's pid (binary servers only).
    pub fn pid(&self) -> u32 {
        match &self.kind {
            Kind::Child(c) => c.id(),
            Kind::Thread { .. } => panic!("an in-process server has no pid of its own"),
        }
    }

    pub fn log(&self) -> String {
        self.log.text()
    }

    /// The OpenSSH command line for this server, isolated from the user's config and keys.
    pub fn ssh(&self, extra: &str) -> String {
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
        match &mut self.kind {
            Kind::Child(c) => {
                let _ = c.kill();
                let _ = c.wait();
            }
            Kind::Thread { stop, thread } => {
                if let Some(s) = stop.take() {
                    let _ = s.send(());
                }
                if let Some(t) = thread.take() {
                    let _ = t.join();
                }
            }
        }
    }
}
