//! `gradstep serve`: the tutor over SSH, one session per connection, with the limits a
//! classroom server needs.
//!
//! - `config`   flags (`ServeArgs`), options, limits, duration parsing, window clamping
//! - `fdlimit`  the descriptor limit raised at start, capacity, a spare for refusing when out
//! - `hostkey`  the Ed25519 host key: created once (0600), reused, fingerprinted
//! - `auth`     who may log in: authorized keys, or anonymous on loopback / when allowed
//! - `admission` caps total and per IP, eviction, the phase that picks each deadline
//! - `accept`   accept loop and each connection's deadlines, back-off
//! - `handler`  russh handler: auth, the one session channel, refusals
//! - `killable` the socket wrapper that lets a deadline end a connection in any protocol state
//! - `logsafe`  peer-chosen text (user names, TERM, errors) escaped and cut before it is logged
//! - `shell`    one learner's task: input → app → frame, panics contained
//! - `shutdown` a signal ends every session with a notice, a restored screen and saved progress
//! - `input`    raw terminal bytes → crossterm events
//! - `output`   bounded outbox and the ratatui backend that writes into it
//! - `remote_app` the `RemoteApp` trait the app implements, and the `Connection` it is given
//! - `app`      gradstep's own app behind that trait

pub mod accept;
pub mod admission;
pub mod app;
pub mod auth;
pub mod config;
pub mod fdlimit;
pub mod handler;
pub mod hostkey;
pub mod input;
pub mod killable;
pub mod logsafe;
pub mod output;
pub mod remote_app;
pub mod shell;
pub mod shutdown;

use std::borrow::Cow;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use russh::MethodKind;
use tokio::net::TcpListener;

pub use config::{Limits, ServeArgs, ServeOptions};
pub use remote_app::{
    Action, AppFactory, ClientTerminal, Connection, Painting, RemoteApp, Retained,
};

/// A server that holds its listening socket and host key but takes no connections yet.
///
/// [`serve`] is `bind` + [`Server::print_banner`] + [`Server::run`] until a signal; embedding
/// programs and the server's own tests bind to port 0, read [`Server::local_addr`], and run
/// with an [`AppFactory`] of their own and a shutdown future.
pub struct Server {
    listener: TcpListener,
    local: SocketAddr,
    policy: auth::AuthPolicy,
    teachers: auth::Teachers,
    host_key: russh::keys::PrivateKey,
    fingerprint: String,
    origin: hostkey::Origin,
    key_path: std::path::PathBuf,
    limits: Limits,
    keep_progress: app::KeepProgress,
    /// Set by [`serve`], which owns the process: the descriptor limit it raised.
    fd_limit: Option<fdlimit::Raised>,
}

impl Server {
    /// Check the auth policy, load or create the host key, bind. Errors are start-up errors
    /// (bad key files, address in use, a public address with no auth), each saying what to fix.
    pub async fn bind(opts: ServeOptions) -> Result<Server> {
        let keys = match &opts.authorized_keys {
            Some(path) => Some(auth::load_authorized_keys(path)?),
            None => None,
        };
        let policy = auth::AuthPolicy::decide(opts.listen, keys, opts.allow_anonymous)?;
        let teachers = match &opts.teacher_keys {
            Some(path) => auth::load_teacher_keys(path)?,
            None => auth::Teachers::default(),
        };

        let key_path = match &opts.host_key {
            Some(p) => p.clone(),
            None => hostkey::default_path()?,
        };
        let (host_key, origin) = hostkey::load_or_create(&key_path)?;
        let fingerprint = hostkey::fingerprint(&host_key).to_string();

        let listener = TcpListener::bind(opts.listen)
            .await
            .with_context(|| format!("cannot listen on {}", opts.listen))?;
        let local = listener.local_addr().context("reading the bound address")?;
        Ok(Server {
            listener,
            local,
            policy,
            teachers,
            host_key,
            fingerprint,
            origin,
            key_path,
            limits: opts.limits,
            keep_progress: opts.keep_progress,
            fd_limit: None,
        })
    }

    /// The address actually bound (the port when asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// `SHA256:…` of the host key, as `ssh` shows it on first connect.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// What an admin needs at start: address, host key, auth mode, limits, how to connect.
    pub fn print_banner(&self, out: &mut impl Write) {
        let limits = &self.limits;
        let local = self.local;
        let _ = writeln!(out, "gradstep serve: listening on {local}");
        let _ = writeln!(
            out,
            "host key {} (ED25519, {} {})",
            self.fingerprint,
            match self.origin {
                hostkey::Origin::Created => "created",
                hostkey::Origin::Loaded => "from",
            },
            self.key_path.display()
        );
        let _ = writeln!(out, "auth: {}", self.policy.describe());
        if !self.teachers.is_empty() {
            let _ = writeln!(
                out,
                "teachers: {} key(s) get the class console{}",
                self.teachers.len(),
                match self.policy {
                    auth::AuthPolicy::Anonymous { .. } => {
                        format!(" (log in as {}@HOST)", auth::TEACHER_USER)
                    }
                    auth::AuthPolicy::Keys(_) => String::new(),
                }
            );
        }
        let anonymous = matches!(self.policy, auth::AuthPolicy::Anonymous { .. });
        let _ = writeln!(
            out,
            "{}",
            app::describe_progress(anonymous, self.keep_progress)
        );
        let _ = writeln!(
            out,
            "limits: {} sessions, {} per IP, login within {}, idle timeout {}",
            limits.max_sessions,
            limits.max_per_ip,
            shell::human(limits.login_timeout),
            shell::human(limits.idle_timeout)
        );
        if let Some(fd) = self.fd_limit {
            let _ = writeln!(
                out,
                "{}",
                describe_fd_limit(fd, fdlimit::open_now(), limits)
            );
        }
        let _ = writeln!(out, "connect: ssh -p {} {}", local.port(), local.ip());
        let _ = out.flush();
    }

    /// Take connections until `shutdown` resolves; nothing a client does ends this. Then stop
    /// accepting, end every session the way a quit does (a one-line notice in the learner's
    /// language, the screen restored, progress saved, exit status, EOF, close) and return when
    /// every connection has closed, or after [`shutdown::DRAIN_LIMIT`].
    pub async fn run(self, factory: AppFactory, shutdown: impl Future<Output = ()>) {
        let limits = self.limits;
        tracing::info!(local = %self.local, fingerprint = %self.fingerprint,
            auth = %self.policy.describe(), "listening");
        let config = Arc::new(russh::server::Config {
            server_id: russh::SshId::Standard(Cow::Borrowed(concat!(
                "SSH-2.0-gradstep_",
                env!("CARGO_PKG_VERSION")
            ))),
            methods: russh::MethodSet::from(&[MethodKind::None, MethodKind::PublicKey][..]),
            auth_rejection_time: Duration::from_secs(1),
            // OpenSSH always probes with `none` first; refusing it should not cost a second.
            auth_rejection_time_initial: Some(Duration::ZERO),
            keys: vec![self.host_key],
            max_auth_attempts: 6,
            // A backstop behind the session's own idle timeout and the login deadline.
            inactivity_timeout: Some(limits.idle_timeout + Duration::from_secs(60)),
            // Notice vanished laptops (lid closed, Wi-Fi gone) and free their slots.
            keepalive_interval: Some(Duration::from_secs(60)),
            keepalive_max: 3,
            nodelay: true,
            ..Default::default()
        });
        let stopping = shutdown::Shutdown::new();
        let shared = Arc::new(handler::Shared {
            policy: self.policy,
            teachers: self.teachers,
            factory,
            limits,
            shutdown: stopping.clone(),
        });
        tokio::select! {
            _ = accept::accept_loop(self.listener, shared, config) => {}
            _ = shutdown => {}
        }
        // The listener is closed now (the accept loop was dropped): nobody new gets in.
        tracing::info!(
            connections = stopping.live(),
            "shutting down: ending every session with a notice"
        );
        stopping.begin();
        match tokio::time::timeout(shutdown::DRAIN_LIMIT, stopping.drained()).await {
            Ok(()) => tracing::info!("every session ended; stopped"),
            Err(_) => tracing::warn!(
                connections = stopping.live(),
                "connections still open after {}; stopping anyway",
                shell::human(shutdown::DRAIN_LIMIT)
            ),
        }
    }
}

/// Run the server until Ctrl-C or SIGTERM. Errors are start-up errors (bad flags, key file,
/// address in use); once listening, nothing a client does ends the server.
pub async fn serve(opts: ServeOptions, factory: AppFactory) -> Result<()> {
    // Before anything is opened: a classroom needs more than the common soft limit of 1,024.
    let fd_limit = fdlimit::raise_to_hard_limit();
    let mut server = Server::bind(opts).await?;
    server.fd_limit = fd_limit;
    server.print_banner(&mut std::io::stdout().lock());
    let mut signals = Signals::new()?;
    let (first_tx, first_rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let first = signals.next().await;
        tracing::info!(
            signal = first.name,
            "signal received (another one exits at once)"
        );
        let _ = first_tx.send(());
        let second = signals.next().await;
        // Someone wants it gone now: sessions keep what their last page turn saved.
        eprintln!(
            "gradstep serve: second signal ({}): exiting without waiting for sessions",
            second.name
        );
        std::process::exit(128 + second.number);
    });
    server
        .run(factory, async {
            let _ = first_rx.await;
        })
        .await;
    Ok(())
}

/// The start-up line about descriptors: the limit, whether it was raised, and how many
/// connections it leaves room for (one descriptor each).
fn describe_fd_limit(fd: fdlimit::Raised, open_now: Option<u64>, limits: &Limits) -> String {
    let raised = if fd.now > fd.before {
        format!(" (soft limit raised from {})", fd.before)
    } else {
        String::new()
    };
    let Some(open) = open_now else {
        return format!("file descriptors: limit {}{raised}", fd.now);
    };
    let room = fd.capacity(open);
    let mut line = format!(
        "file descriptors: limit {}{raised}: room for {room} connections",
        fd.now
    );
    if room < limits.max_sessions as u64 {
        line.push_str(&format!(
            "; fewer than --max-sessions {}: beyond {room}, newcomers are told the server is full",
            limits.max_sessions
        ));
    }
    line
}

/// A signal that ends the server: its name for the log and its number for the exit status.
#[derive(Debug, Clone, Copy)]
struct Caught {
    name: &'static str,
    number: i32,
}

/// SIGINT (Ctrl-C) and SIGTERM, listened to from start to exit, so a second one is never
/// missed between the first and the wait for it.
struct Signals {
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Signals {
                int: signal(SignalKind::interrupt()).context("listening for SIGINT")?,
                term: signal(SignalKind::terminate()).context("listening for SIGTERM")?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    async fn next(&mut self) -> Caught {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.int.recv() => Caught { name: "SIGINT", number: 2 },
                _ = self.term.recv() => Caught { name: "SIGTERM", number: 15 },
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            Caught {
                name: "Ctrl-C",
                number: 2,
            }
        }
    }
}

/// Entry point for the CLI: logging to stderr, a tokio runtime, the exit code.
pub fn run_serve(args: ServeArgs, factory: AppFactory) -> i32 {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,russh=warn"));
    // Fails only if the embedding program installed a subscriber already; keep that one.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("gradstep serve: cannot start the async runtime: {e}");
            return 1;
        }
    };
    match runtime.block_on(serve(args.into_options(), factory)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("gradstep serve: {e:#}");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fd_line_says_the_limit_the_raise_and_the_room() {
        let limits = Limits::default();
        let raised = fdlimit::Raised {
            before: 1024,
            now: 524_288,
        };
        assert_eq!(
            describe_fd_limit(raised, Some(10), &limits),
            "file descriptors: limit 524288 (soft limit raised from 1024): room for 524262 \
             connections"
        );
        let tight = fdlimit::Raised {
            before: 64,
            now: 64,
        };
        let line = describe_fd_limit(tight, Some(10), &limits);
        assert!(
            line.starts_with(
                "file descriptors: limit 64: room for 38 connections; fewer than \
                 --max-sessions 100"
            ),
            "{line}"
        );
    }
}
