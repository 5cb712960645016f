//! A connection's socket with a switch the accept loop can throw.
//!
//! russh runs each connection in a task of its own that we cannot abort: dropping its handle
//! detaches it, and a peer that sent a version line, half a packet or a KEXINIT and then went
//! quiet kept that task — and its descriptor — until russh's inactivity timeout (16 minutes with
//! the defaults). Every read and write of the socket goes through [`Killable`]; once the
//! [`KillSwitch`] is thrown, they fail at once and wake the task, so russh ends the connection
//! and drops the socket, whatever state its protocol was in.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Thrown once by the accept loop; read by the stream on every poll.
#[derive(Debug, Default)]
pub struct KillSwitch {
    killed: AtomicBool,
    /// The tasks last waiting to read and to write.
    wakers: Mutex<[Option<Waker>; 2]>,
}

const READ: usize = 0;
const WRITE: usize = 1;

impl KillSwitch {
    pub fn new() -> Arc<KillSwitch> {
        Arc::default()
    }

    /// Make every later read and write fail, and wake whoever waits on one.
    pub fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
        let wakers = std::mem::take(&mut *self.lock());
        for w in wakers.into_iter().flatten() {
            w.wake();
        }
    }

    pub fn is_killed(&self) -> bool {
        self.killed.load(Ordering::SeqCst)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, [Option<Waker>; 2]> {
        self.wakers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Remember the waker, then check: a kill between the two is seen either way.
    fn check(&self, slot: usize, cx: &Context<'_>) -> io::Result<()> {
        {
            let mut w = self.lock();
            match &w[slot] {
                Some(old) if old.will_wake(cx.waker()) => {}
                _ => w[slot] = Some(cx.waker().clone()),
            }
        }
        if self.is_killed() {
            Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "closed by the server (login deadline, eviction or session end)",
            ))
        } else {
            Ok(())
        }
    }
}

/// Kills the connection when dropped: every way out of the connection's task frees its socket.
pub struct KillOnDrop(pub Arc<KillSwitch>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        self.0.kill();
    }
}

/// A stream whose reads and writes fail once its switch is thrown.
pub struct Killable<S> {
    inner: S,
    switch: Arc<KillSwitch>,
}

impl<S> Killable<S> {
    pub fn new(inner: S, switch: Arc<KillSwitch>) -> Self {
        Killable { inner, switch }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Killable<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.switch.check(READ, cx)?;
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Killable<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.switch.check(WRITE, cx)?;
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.switch.check(WRITE, cx)?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.switch.is_killed() {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn a_kill_wakes_a_blocked_reader_with_an_error() {
        let (a, mut b) = tokio::io::duplex(64);
        let switch = KillSwitch::new();
        let mut s = Killable::new(a, switch.clone());
        let reader = tokio::spawn(async move {
            let mut buf = [0u8; 8];
            s.read(&mut buf).await
        });
        // The reader is parked on an empty pipe; only the kill can end it.
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert!(!reader.is_finished());
        switch.kill();
        let r = tokio::time::timeout(std::time::Duration::from_secs(5), reader)
            .await
            .expect("the kill woke the reader")
            .unwrap();
        assert_eq!(r.unwrap_err().kind(), io::ErrorKind::ConnectionAborted);
        b.write_all(b"late").await.ok();
    }

    #[tokio::test]
    async fn writes_fail_after_a_kill_and_drop_kills() {
        let (a, _b) = tokio::io::duplex(64);
        let switch = KillSwitch::new();
        let mut s = Killable::new(a, switch.clone());
        s.write_all(b"ok").await.unwrap();
        drop(KillOnDrop(switch.clone()));
        assert!(s.write_all(b"no").await.is_err());
    }
}
