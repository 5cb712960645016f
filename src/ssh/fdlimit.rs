//! File descriptors: how many the server may open, and what happens when they run out.
//!
//! Every connection costs one descriptor. A common service default (a soft limit of 1,024)
//! would cap a classroom server near 1,000 learners although the hard limit allows far more, so
//! at start the soft limit is raised to the hard one and the resulting capacity printed. When
//! descriptors still run out, `accept` fails with EMFILE and the kernel keeps the newcomer
//! waiting in its queue with no word; [`Reserve`] keeps one descriptor spare so the accept loop
//! can take that newcomer, tell it the server is full, and close it.

use std::fs::File;

/// Descriptors kept for the server itself (log, listener, the reserve, runtime internals).
pub const OWN_USE: u64 = 16;

/// The soft limit on open files before and after raising it to the hard limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Raised {
    pub before: u64,
    pub now: u64,
}

impl Raised {
    /// Connections that fit under the limit, besides what is open already.
    pub fn capacity(&self, open_now: u64) -> u64 {
        self.now.saturating_sub(open_now + OWN_USE)
    }
}

/// Raise this process's soft `RLIMIT_NOFILE` to its hard limit. `None` where there is no such
/// limit or it cannot be read.
#[cfg(unix)]
// rlim_t is u64 on Linux but not on every unix: the casts are for the others.
#[allow(clippy::unnecessary_cast)]
pub fn raise_to_hard_limit() -> Option<Raised> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit into the struct we own.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return None;
    }
    let before = lim.rlim_cur;
    if lim.rlim_cur < lim.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: lim.rlim_max,
            rlim_max: lim.rlim_max,
        };
        // SAFETY: setrlimit reads the struct; raising the soft limit up to the hard one is
        // always permitted.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            lim.rlim_cur = lim.rlim_max;
        }
    }
    // RLIM_INFINITY is u64::MAX on Linux: still "plenty" for the arithmetic above.
    Some(Raised {
        before: before as u64,
        now: lim.rlim_cur as u64,
    })
}

#[cfg(not(unix))]
pub fn raise_to_hard_limit() -> Option<Raised> {
    None
}

/// Descriptors this process has open now (Linux: /proc/self/fd), if known.
pub fn open_now() -> Option<u64> {
    std::fs::read_dir("/proc/self/fd")
        .ok()
        .map(|d| d.count().saturating_sub(1) as u64)
}

/// Whether an accept error means this process or the system ran out of descriptors.
pub fn is_exhaustion(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE))
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

/// One descriptor held back for the moment descriptors run out.
#[derive(Debug)]
pub struct Reserve(Option<File>);

impl Reserve {
    pub fn new() -> Reserve {
        Reserve(File::open("/dev/null").ok())
    }

    /// Give the spare descriptor back to the system so one `accept` can succeed; false when
    /// there was none to give (the reserve could not be re-taken yet).
    pub fn release(&mut self) -> bool {
        self.0.take().is_some()
    }

    /// Take a spare descriptor again (best effort; retried at the next release).
    pub fn refill(&mut self) {
        if self.0.is_none() {
            self.0 = File::open("/dev/null").ok();
        }
    }
}

impl Default for Reserve {
    fn default() -> Self {
        Reserve::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_leaves_room_for_the_server_itself() {
        let r = Raised {
            before: 1024,
            now: 4096,
        };
        assert_eq!(r.capacity(10), 4096 - 10 - OWN_USE);
        assert_eq!(Raised { before: 8, now: 8 }.capacity(10), 0);
    }

    #[test]
    fn emfile_and_enfile_are_exhaustion_other_errors_are_not() {
        assert!(is_exhaustion(&std::io::Error::from_raw_os_error(
            libc::EMFILE
        )));
        assert!(is_exhaustion(&std::io::Error::from_raw_os_error(
            libc::ENFILE
        )));
        assert!(!is_exhaustion(&std::io::Error::from_raw_os_error(
            libc::ECONNABORTED
        )));
    }

    #[test]
    fn the_reserve_is_released_once_and_refilled() {
        let mut r = Reserve::new();
        assert!(r.release());
        assert!(!r.release(), "nothing left to release");
        r.refill();
        assert!(r.release());
    }
}
