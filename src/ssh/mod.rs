//! `gradstep serve`: the tutor over SSH, one session per connection, with the limits a
//! classroom server needs.
//!
//! - `config`   flags (`ServeArgs`), options, limits, duration parsing, window clamping
//! - `hostkey`  the Ed25519 host key: created once (0600), reused, fingerprinted
//! - `auth`     who may log in: authorized keys, or anonymous on loopback / when allowed
//! - `admission` caps total and per IP, eviction, the phase that picks each deadline
//! - `accept`   accept loop and each connection's deadlines, back-off
//! - `handler`  russh handler: auth, the one session channel, refusals
//! - `session`  one learner's task: input → tutor → frame, panics contained
//! - `input`    raw terminal bytes → crossterm events
//! - `output`   bounded outbox and the ratatui backend that writes into it
//! - `tutor`    the `Tutor` trait the app implements
//! - `demo`     a small demo tutor for tests and until the real app is wired in

pub mod accept;
pub mod admission;
pub mod app;
pub mod auth;
pub mod config;
pub mod demo;
pub mod handler;
pub mod hostkey;
pub mod input;
pub mod output;
pub mod session;
pub mod tutor;

use std::borrow::Cow;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use russh::MethodKind;
use tokio::net::TcpListener;

pub use config::{Limits, ServeArgs, ServeOptions};
pub use tutor::{SessionInfo, Tutor, TutorFactory};

/// Run the server until Ctrl-C or SIGTERM. Errors are start-up errors (bad flags, key file,
/// address in use); once listening, nothing a client does ends the server.
pub async fn serve(opts: ServeOptions, factory: TutorFactory) -> Result<()> {
    let keys = match &opts.authorized_keys {
        Some(path) => Some(auth::load_authorized_keys(path)?),
        None => None,
    };
    let policy = auth::AuthPolicy::decide(opts.listen, keys, opts.allow_anonymous)?;

    let key_path = match &opts.host_key {
        Some(p) => p.clone(),
        None => hostkey::default_path()?,
    };
    let (host_key, origin) = hostkey::load_or_create(&key_path)?;
    let fingerprint = hostkey::fingerprint(&host_key);

    let listener = TcpListener::bind(opts.listen)
        .await
        .with_context(|| format!("cannot listen on {}", opts.listen))?;
    let local = listener.local_addr().context("reading the bound address")?;

    let limits = &opts.limits;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "gradstep serve: listening on {local}");
    let _ = writeln!(
        out,
        "host key {fingerprint} (ED25519, {} {})",
        match origin {
            hostkey::Origin::Created => "created",
            hostkey::Origin::Loaded => "from",
        },
        key_path.display()
    );
    let _ = writeln!(out, "auth: {}", policy.describe());
    let _ = writeln!(
        out,
        "limits: {} sessions, {} per IP, login within {}, idle timeout {}",
        limits.max_sessions,
        limits.max_per_ip,
        session::human(limits.login_timeout),
        session::human(limits.idle_timeout)
    );
    let _ = writeln!(out, "connect: ssh -p {} {}", local.port(), local.ip());
    let _ = out.flush();
    drop(out);
    tracing::info!(%local, %fingerprint, auth = %policy.describe(), "listening");

    let config = Arc::new(russh::server::Config {
        server_id: russh::SshId::Standard(Cow::Borrowed(concat!(
            "SSH-2.0-gradstep_",
            env!("CARGO_PKG_VERSION")
        ))),
        methods: russh::MethodSet::from(&[MethodKind::None, MethodKind::PublicKey][..]),
        auth_rejection_time: Duration::from_secs(1),
        // OpenSSH always probes with `none` first; refusing it should not cost a second.
        auth_rejection_time_initial: Some(Duration::ZERO),
        keys: vec![host_key],
        max_auth_attempts: 6,
        // A backstop behind the session's own idle timeout and the login deadline.
        inactivity_timeout: Some(limits.idle_timeout + Duration::from_secs(60)),
        // Notice vanished laptops (lid closed, Wi-Fi gone) and free their slots.
        keepalive_interval: Some(Duration::from_secs(60)),
        keepalive_max: 3,
        nodelay: true,
        ..Default::default()
    });

    let shared = Arc::new(handler::Shared {
        policy,
        factory,
        limits: opts.limits.clone(),
        log_formulas: opts.log_formulas,
    });

    tokio::select! {
        _ = accept::accept_loop(listener, shared, config) => {}
        _ = shutdown_signal() => tracing::info!("shutting down"),
    }
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Entry point for the CLI: logging to stderr, a tokio runtime, the exit code.
pub fn run_serve(args: ServeArgs, factory: TutorFactory) -> i32 {
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
