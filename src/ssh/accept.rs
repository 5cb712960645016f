//! The accept loop and each connection's life: what russh leaves to us.
//!
//! - Admission (caps, eviction) is decided by [`super::admission`].
//! - A deadline for handshake + login + opening the session (`--login-timeout`).
//! - Out of descriptors (EMFILE), newcomers are told the server is full and closed at once
//!   (see [`super::fdlimit`]), logged once per episode; other accept errors are retried with
//!   back-off. The server never exits because a burst of connections ran it out of descriptors.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::{Instant, sleep, sleep_until, timeout, timeout_at};

use super::admission::{Admission, ConnCtx, Phase, Refusal, Ticket};
use super::fdlimit::{self, Reserve};
use super::handler::{ConnHandler, Shared};
use super::killable::{KillOnDrop, KillSwitch, Killable};
use super::logsafe::Untrusted;

const DONE_GRACE: Duration = Duration::from_secs(5);
const MAX_BACKOFF: Duration = Duration::from_secs(1);
/// How long a connection being closed by us may take to hear why before its socket closes.
const GOODBYE: Duration = Duration::from_millis(300);

/// Accept connections until the listener breaks for good (it does not, in practice).
pub async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    config: Arc<russh::server::Config>,
) {
    let admission = Admission::new(shared.limits.max_sessions, shared.limits.max_per_ip);
    let mut backoff = Duration::from_millis(10);
    let mut reserve = Reserve::new();
    // While descriptors are exhausted: how many newcomers were turned away. The log says so
    // when it starts and when it ends, not once per newcomer.
    let mut exhausted: Option<u64> = None;
    loop {
        let (socket, peer) = match listener.accept().await {
            Ok(x) => {
                backoff = Duration::from_millis(10);
                x
            }
            Err(e) if fdlimit::is_exhaustion(&e) => {
                if exhausted.is_none() {
                    tracing::warn!(
                        live = admission.live(),
                        "out of file descriptors: refusing new connections until some close \
                         (raise the limit, e.g. LimitNOFILE= in the systemd unit)"
                    );
                }
                let refused = exhausted.get_or_insert(0);
                // Hand the spare descriptor back for one accept, so the newcomer hears why
                // instead of waiting silently in the kernel's queue, and is closed at once.
                if reserve.release() {
                    if let Ok(Ok((socket, _))) =
                        timeout(Duration::from_millis(100), listener.accept()).await
                    {
                        let _ = socket.try_write(Refusal::Full.message().as_bytes());
                        *refused += 1;
                    }
                    reserve.refill();
                } else {
                    reserve.refill();
                    sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
                continue;
            }
            Err(e) => {
                // ENOBUFS/ECONNABORTED...: all pass; the listener stays valid.
                tracing::warn!(error = %e, retry_in = ?backoff, "accept failed; backing off");
                sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        };
        if let Some(refused) = exhausted.take() {
            tracing::info!(
                refused,
                "file descriptors available again; accepting connections"
            );
        }
        tune(&socket);
        match admission.admit(peer.ip()) {
            Ok(ticket) => {
                let shared = shared.clone();
                let config = config.clone();
                let admission = admission.clone();
                tokio::spawn(connection(socket, peer, ticket, admission, shared, config));
            }
            Err(refusal) => {
                tracing::info!(%peer, ?refusal, live = admission.live(), "connection refused");
                // Text before the SSH banner is allowed (RFC 4253 §4.2); OpenSSH shows it with
                // -v. One non-blocking write, no task: a flood costs nothing.
                let _ = socket.try_write(refusal.message().as_bytes());
            }
        }
    }
}

/// Socket options for an accepted connection. TCP_NODELAY: the key exchange and every frame
/// are small writes, and Nagle's algorithm would hold each behind the peer's delayed ACK
/// (~40 ms per round trip on Linux).
pub fn tune(socket: &TcpStream) {
    if let Err(e) = socket.set_nodelay(true) {
        tracing::debug!(error = %e, "TCP_NODELAY not set");
    }
}

async fn connection(
    socket: TcpStream,
    peer: SocketAddr,
    mut ticket: Ticket,
    admission: Arc<Admission>,
    shared: Arc<Shared>,
    config: Arc<russh::server::Config>,
) {
    let started = Instant::now();
    let login_deadline = started + shared.limits.login_timeout;
    tracing::info!(%peer, id = ticket.id, "connect");
    let (phase_tx, mut phase_rx) = watch::channel(Phase::Login);
    let ctx = ConnCtx {
        id: ticket.id,
        admission,
        phase: Arc::new(phase_tx),
    };
    // Counted until this function returns: a shutdown waits for it.
    let _alive = shared.shutdown.enter();
    let handler = ConnHandler::new(shared.clone(), peer, ctx);
    // However this function ends, the socket is closed and its descriptor freed, even while
    // russh's own task for it is mid-handshake.
    let switch = KillSwitch::new();
    let _kill_on_return = KillOnDrop(switch.clone());
    let stream = Killable::new(socket, switch.clone());

    let handshake = russh::server::run_stream(config, stream, handler);
    let stopping = shared.shutdown.signalled();
    tokio::pin!(stopping);
    let running = tokio::select! {
        r = handshake_within(handshake, login_deadline, &mut ticket, peer) => r,
        _ = &mut stopping => None,
    };
    let Some(running) = running else {
        return;
    };
    let handle = running.handle();
    tokio::pin!(running);
    let reason = watch_phases(
        &mut running,
        &mut phase_rx,
        &mut ticket,
        login_deadline,
        peer,
        stopping,
    )
    .await;
    if reason != "closed" {
        // Say why, briefly: a client mid-key-exchange cannot be told, and a stalled one would
        // never listen; then close the socket whatever state the protocol is in.
        let _ = timeout(
            GOODBYE,
            handle.disconnect(
                russh::Disconnect::ByApplication,
                format!("gradstep: {reason}"),
                String::new(),
            ),
        )
        .await;
        let _ = timeout(GOODBYE, &mut running).await;
        switch.kill();
        if timeout(Duration::from_secs(1), &mut running).await.is_err() {
            tracing::warn!(%peer, "connection task still running after its socket was closed");
        }
    }
    tracing::info!(%peer, reason, duration = ?started.elapsed(), "disconnect");
}

/// Awaits russh's start of the connection (`run_stream`, inside which the SSH version exchange
/// happens) until the login deadline or an eviction; `None`, logged, if it fails or is cut short.
async fn handshake_within<R, E: std::fmt::Display>(
    handshake: impl Future<Output = Result<R, E>>,
    login_deadline: Instant,
    ticket: &mut Ticket,
    peer: SocketAddr,
) -> Option<R> {
    let running = tokio::select! {
        r = timeout_at(login_deadline, handshake) => r,
        _ = ticket.evicted() => {
            tracing::info!(%peer, "evicted before handshake (caps reached)");
            return None;
        }
    };
    match running {
        Ok(Ok(r)) => Some(r),
        Ok(Err(e)) => {
            tracing::debug!(%peer, error = %Untrusted(&e.to_string()), "handshake failed");
            None
        }
        Err(_) => {
            tracing::info!(%peer, "no SSH version line before the login timeout");
            None
        }
    }
}

/// Waits on the running connection while its phase allows: until it closes (`"closed"`), the
/// login deadline passes before a session starts, the session's grace after it is done runs
/// out, or, still at login, the connection is evicted. Returns the reason, for the log and the
/// client.
async fn watch_phases<E: std::fmt::Display>(
    running: &mut std::pin::Pin<&mut impl Future<Output = Result<(), E>>>,
    phase_rx: &mut watch::Receiver<Phase>,
    ticket: &mut Ticket,
    login_deadline: Instant,
    peer: SocketAddr,
    mut stopping: std::pin::Pin<&mut impl Future<Output = ()>>,
) -> &'static str {
    let mut done_at = None;
    loop {
        let phase = *phase_rx.borrow_and_update();
        let deadline = match phase {
            Phase::Login => Some(login_deadline),
            Phase::InSession => None,
            Phase::Done => Some(*done_at.get_or_insert(Instant::now() + DONE_GRACE)),
        };
        tokio::select! {
            r = running.as_mut() => {
                if let Err(e) = r {
                    tracing::debug!(%peer, error = %Untrusted(&e.to_string()), "connection error");
                }
                return "closed";
            }
            changed = phase_rx.changed() => {
                if changed.is_err() {
                    // The handler is gone, so is the connection; `running` ends next.
                    return "closed";
                }
            }
            _ = sleep_until(deadline.unwrap_or(login_deadline)), if deadline.is_some() => {
                return match phase {
                    Phase::Login => "login timeout",
                    _ => "session over",
                };
            }
            _ = ticket.evicted(), if phase == Phase::Login => return "evicted (caps reached)",
            // A session ends itself with a notice; a login still under way is told here.
            _ = stopping.as_mut(), if phase == Phase::Login => return "the server is shutting down",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn accepted_sockets_get_tcp_nodelay() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let _client = TcpStream::connect(addr).await.unwrap();
        let (socket, _) = listener.accept().await.unwrap();
        assert!(!socket.nodelay().unwrap(), "Linux default is Nagle on");
        tune(&socket);
        assert!(socket.nodelay().unwrap());
    }
}
