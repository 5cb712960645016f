//! Admission control: which connections may hold a slot, and for how long.
//!
//! - Caps: connections in total and per IP. When a cap is hit, the oldest connection that has
//!   not yet started its session (still handshaking or logging in) is dropped to make room;
//!   only when every connection is a running session is the newcomer refused. So a pile of
//!   silent TCP connections cannot lock learners out, and running sessions are never evicted.
//! - The [`Phase`] a connection is in picks its deadline (login, idle, goodbye grace).
//!
//! The accept loop ([`super::accept`]) admits and evicts; the russh handler
//! ([`super::handler`]) reports, through [`ConnCtx`], when a connection starts its session.
//! Both depend on this module and not on each other.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{oneshot, watch};

/// Where a connection is in its life; drives its deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Handshake, authentication, opening the session: bounded by the login timeout.
    Login,
    /// The tutor is running: bounded by the session's idle timeout.
    InSession,
    /// The session ended: the client should close now; it gets a short grace.
    Done,
}

/// A connection's link to the admission bookkeeping, handed to its russh handler.
pub struct ConnCtx {
    pub id: u64,
    pub admission: Arc<Admission>,
    pub phase: Arc<watch::Sender<Phase>>,
}

/// Counts connections per IP and in total, and knows which may be evicted.
#[derive(Debug)]
pub struct Admission {
    max_total: usize,
    max_per_ip: usize,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    next_id: u64,
    live: HashMap<u64, IpAddr>,
    per_ip: HashMap<IpAddr, usize>,
    /// Not yet in session, oldest first (ids grow), with the means to evict them.
    evictable: BTreeMap<u64, (IpAddr, oneshot::Sender<()>)>,
}

/// Why a connection was turned away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Full,
    TooManyFromIp,
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Refusal::Full => "gradstep: the server is full, try again in a few minutes\r\n",
            Refusal::TooManyFromIp => {
                "gradstep: too many sessions from your address, close one and try again\r\n"
            }
        }
    }
}

/// A connection's slot; dropping it frees the slot.
#[derive(Debug)]
pub struct Ticket {
    pub id: u64,
    ip: IpAddr,
    admission: Arc<Admission>,
    evicted: Option<oneshot::Receiver<()>>,
}

impl Admission {
    pub fn new(max_total: usize, max_per_ip: usize) -> Arc<Admission> {
        Arc::new(Admission {
            max_total: max_total.max(1),
            max_per_ip: max_per_ip.max(1),
            inner: Mutex::new(Inner::default()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Take a slot for a new connection from `ip`, evicting a not-yet-in-session connection
    /// if a cap is reached.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<Ticket, Refusal> {
        let ip = ip.to_canonical();
        let mut s = self.lock();
        if s.per_ip.get(&ip).copied().unwrap_or(0) >= self.max_per_ip {
            let victim = s
                .evictable
                .iter()
                .find(|(_, (vip, _))| *vip == ip)
                .map(|(id, _)| *id);
            match victim {
                Some(id) => s.evict(id),
                None => return Err(Refusal::TooManyFromIp),
            }
        }
        if s.live.len() >= self.max_total {
            match s.evictable.keys().next().copied() {
                Some(id) => s.evict(id),
                None => return Err(Refusal::Full),
            }
        }
        let id = s.next_id;
        s.next_id += 1;
        let (tx, rx) = oneshot::channel();
        s.live.insert(id, ip);
        *s.per_ip.entry(ip).or_default() += 1;
        s.evictable.insert(id, (ip, tx));
        Ok(Ticket {
            id,
            ip,
            admission: self.clone(),
            evicted: Some(rx),
        })
    }

    /// The connection started its session: it is no longer evictable.
    pub fn in_session(&self, id: u64) {
        self.lock().evictable.remove(&id);
    }

    /// Connections holding a slot.
    pub fn live(&self) -> usize {
        self.lock().live.len()
    }

    fn release(&self, id: u64, ip: IpAddr) {
        let mut s = self.lock();
        if s.live.remove(&id).is_some() {
            s.evictable.remove(&id);
            s.forget_ip(ip);
        }
    }
}

impl Inner {
    fn evict(&mut self, id: u64) {
        if let Some((ip, tx)) = self.evictable.remove(&id) {
            self.live.remove(&id);
            self.forget_ip(ip);
            let _ = tx.send(());
        }
    }

    fn forget_ip(&mut self, ip: IpAddr) {
        if let Some(n) = self.per_ip.get_mut(&ip) {
            *n -= 1;
            if *n == 0 {
                self.per_ip.remove(&ip);
            }
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.admission.release(self.id, self.ip);
    }
}

impl Ticket {
    /// Resolves when this connection is evicted; never, once it is in session.
    pub(crate) async fn evicted(&mut self) {
        match self.evicted.as_mut() {
            Some(rx) => {
                if rx.await.is_err() {
                    // Sender gone: in session (or the server is ending). Never evicted now.
                    self.evicted = None;
                    std::future::pending::<()>().await;
                }
            }
            None => std::future::pending::<()>().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn per_ip_cap_evicts_oldest_unstarted_from_that_ip() {
        let a = Admission::new(100, 2);
        let mut t1 = a.admit(ip("10.0.0.1")).unwrap();
        let _t2 = a.admit(ip("10.0.0.1")).unwrap();
        let _t3 = a.admit(ip("10.0.0.1")).unwrap();
        assert_eq!(a.live(), 2);
        // t1 was told.
        assert!(t1.evicted.as_mut().unwrap().try_recv().is_ok());
        drop(t1); // releasing an evicted ticket does not double-count
        assert_eq!(a.live(), 2);
    }

    #[test]
    fn sessions_are_never_evicted() {
        let a = Admission::new(100, 2);
        let t1 = a.admit(ip("10.0.0.1")).unwrap();
        let t2 = a.admit(ip("10.0.0.1")).unwrap();
        a.in_session(t1.id);
        a.in_session(t2.id);
        assert_eq!(a.admit(ip("10.0.0.1")).unwrap_err(), Refusal::TooManyFromIp);
        // Another address is fine.
        let _t3 = a.admit(ip("10.0.0.2")).unwrap();
        drop(t1);
        let _t4 = a.admit(ip("10.0.0.1")).unwrap();
    }

    #[test]
    fn total_cap_evicts_oldest_unstarted_anywhere_then_refuses() {
        let a = Admission::new(2, 10);
        let t1 = a.admit(ip("10.0.0.1")).unwrap();
        let t2 = a.admit(ip("10.0.0.2")).unwrap();
        a.in_session(t2.id);
        let t3 = a.admit(ip("10.0.0.3")).unwrap(); // evicts t1
        assert_eq!(a.live(), 2);
        a.in_session(t3.id);
        assert_eq!(a.admit(ip("10.0.0.4")).unwrap_err(), Refusal::Full);
        drop(t1);
        assert_eq!(a.live(), 2);
    }

    #[test]
    fn ipv4_mapped_counts_as_ipv4() {
        let a = Admission::new(10, 1);
        let t = a.admit(ip("10.0.0.1")).unwrap();
        a.in_session(t.id);
        assert!(a.admit(ip("::ffff:10.0.0.1")).is_err());
    }
}
