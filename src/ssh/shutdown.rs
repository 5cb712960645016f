//! Ending the server without harm to the students on it.
//!
//! A signal must not simply drop every task: a student's terminal would be left in the
//! alternate screen with the cursor hidden, `ssh` would exit 255, and what the tutor held in
//! memory would be lost. So the first signal only *begins* the shutdown: the accept loop stops,
//! each session hears it, saves, restores its client's screen with a one-line notice and ends
//! its channel properly; connections still logging in are told why and closed. The server waits
//! until every connection is gone (within [`DRAIN_LIMIT`]), and a second signal exits at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{Notify, watch};

/// Longest wait for sessions to say goodbye and connections to close after a signal. Each
/// session's own goodbye is bounded by about 5 s, and a client may take a moment to close.
pub const DRAIN_LIMIT: Duration = Duration::from_secs(20);

/// The shutdown flag every connection watches, and the count of connections still open.
#[derive(Debug)]
pub struct Shutdown {
    flag: watch::Sender<bool>,
    live: AtomicUsize,
    gone: Notify,
}

/// Held by one connection for its whole life; dropping it lets [`Shutdown::drained`] finish.
#[derive(Debug)]
pub struct Alive(Arc<Shutdown>);

impl Drop for Alive {
    fn drop(&mut self) {
        if self.0.live.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.gone.notify_waiters();
        }
    }
}

impl Shutdown {
    pub fn new() -> Arc<Shutdown> {
        Arc::new(Shutdown {
            flag: watch::Sender::new(false),
            live: AtomicUsize::new(0),
            gone: Notify::new(),
        })
    }

    /// Tell every connection, now and later, that the server is going away.
    pub fn begin(&self) {
        self.flag.send_replace(true);
    }

    pub fn begun(&self) -> bool {
        *self.flag.borrow()
    }

    /// Resolves once [`begin`](Self::begin) was called (at once if it was already).
    pub fn signalled(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut rx = self.flag.subscribe();
        async move {
            let _ = rx.wait_for(|begun| *begun).await;
        }
    }

    /// Count one more open connection until the returned guard is dropped.
    pub fn enter(self: &Arc<Self>) -> Alive {
        self.live.fetch_add(1, Ordering::AcqRel);
        Alive(self.clone())
    }

    /// Connections open now.
    pub fn live(&self) -> usize {
        self.live.load(Ordering::Acquire)
    }

    /// Resolves when no connection is open.
    pub async fn drained(&self) {
        loop {
            let gone = self.gone.notified();
            tokio::pin!(gone);
            // Registered before the check, so a drop between the check and the wait is heard.
            gone.as_mut().enable();
            if self.live() == 0 {
                return;
            }
            gone.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn drained_waits_for_the_last_connection() {
        let s = Shutdown::new();
        let a = s.enter();
        let b = s.enter();
        assert_eq!(s.live(), 2);
        let waiter = tokio::spawn({
            let s = s.clone();
            async move { s.drained().await }
        });
        drop(a);
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished(), "one connection is still open");
        drop(b);
        tokio::time::timeout(Duration::from_secs(1), waiter)
            .await
            .expect("drained once the last guard is gone")
            .unwrap();
    }

    #[tokio::test]
    async fn a_late_subscriber_hears_a_shutdown_that_already_began() {
        let s = Shutdown::new();
        assert!(!s.begun());
        s.begin();
        tokio::time::timeout(Duration::from_millis(100), s.signalled())
            .await
            .expect("already begun: resolves at once");
    }
}
