//! The classroom hub behind `gradstep serve --teacher-keys`: one per server, shared (`Arc`)
//! by every session. Students' sessions take a [`Seat`], report their [`Status`] into it after
//! each batch of input, and find there what the teacher sent (a scene or page, a broadcast)
//! and whether they are being followed. The teacher's console reads the roster, sends, and
//! reads the followed student's [`Screen`].
//!
//! No terminal, SSH or drawing code here: the sessions (ssh) and the console (tui) translate.
//! Every lock is held for a copy of a small struct, never across a draw or an await.
//!
//! - `roster`: the rows the console lists, and their sort orders

pub mod roster;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use tokio::sync::Notify;

pub use roster::{Row, Sort, Status};

use crate::stage::SandboxSpec;

/// What the teacher puts in front of students.
#[derive(Debug, Clone)]
pub enum Push {
    /// A formula to step in the sandbox, checked like the sandbox checks a typed one.
    Scene(SandboxSpec),
    /// A lesson's page (0-based), the lesson named by its id.
    Page { lesson: String, page: usize },
}

/// Who a push goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    All,
    One(u64),
}

/// A student's screen as text, one `String` per row: what following shows the teacher. Text
/// only (no colours), so this layer needs no terminal types, and a copy is a few KB.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Screen {
    pub width: u16,
    pub lines: Vec<String>,
}

/// What is waiting for a student's session, taken all at once by [`Seat::take_mail`].
#[derive(Debug, Default)]
pub struct Mail {
    /// The latest push (a newer one replaces one not yet taken).
    pub push: Option<Push>,
    /// `Some(new)` when the broadcast line changed: `Some(None)` clears it.
    pub broadcast: Option<Option<String>>,
}

/// One student's place in the hub. The session holds it; dropping it marks the row
/// disconnected.
pub struct Seat {
    id: u64,
    class: Arc<Class>,
    mail: Mutex<Mail>,
    /// Woken when mail arrives or following starts, so an idle session redraws at once.
    wake: Arc<Notify>,
    followed: AtomicBool,
}

struct Entry {
    row: Row,
    seat: Option<Arc<Seat>>,
    screen: Option<Arc<Screen>>,
}

/// The hub.
#[derive(Default)]
pub struct Class {
    /// By session id, which grows with each join, so in join order. A map, not a list: every
    /// key of every session reports through [`Class::with_entry`], and a search through a
    /// list of 2,000 rows under this one lock cost each key a walk through the whole class.
    rows: Mutex<BTreeMap<u64, Entry>>,
    broadcast: Mutex<Option<String>>,
    next_id: AtomicU64,
}

/// A poisoned lock means a panic mid-copy of plain data; the data is still usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Longest broadcast line kept (characters); a console line is not a document.
pub const MAX_BROADCAST: usize = 200;

impl Class {
    pub fn new() -> Arc<Class> {
        Arc::new(Class::default())
    }

    /// A student's session joins: a new row, connected, with the current broadcast waiting.
    pub fn join(self: &Arc<Class>, name: &str, fingerprint: Option<&str>) -> Arc<Seat> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let broadcast = lock(&self.broadcast).clone();
        let seat = Arc::new(Seat {
            id,
            class: self.clone(),
            mail: Mutex::new(Mail {
                push: None,
                broadcast: broadcast.map(Some),
            }),
            wake: Arc::new(Notify::new()),
            followed: AtomicBool::new(false),
        });
        if lock(&seat.mail).broadcast.is_some() {
            // The session finds it at its first wait.
            seat.wake.notify_one();
        }
        lock(&self.rows).insert(
            id,
            Entry {
                row: Row {
                    id,
                    name: name.to_string(),
                    fingerprint: fingerprint.map(String::from),
                    status: Status::default(),
                    last_activity: Instant::now(),
                    connected: true,
                },
                seat: Some(seat.clone()),
                screen: None,
            },
        );
        seat
    }

    /// A copy of every row, in join order.
    pub fn roster(&self) -> Vec<Row> {
        lock(&self.rows).values().map(|e| e.row.clone()).collect()
    }

    /// Forgets the rows of students who left.
    pub fn clear_gone(&self) {
        lock(&self.rows).retain(|_, e| e.row.connected);
    }

    /// Sends `push` to the connected students `to` names; returns how many it reached.
    pub fn push(&self, to: Target, push: &Push) -> usize {
        let seats = self.seats(to);
        for seat in &seats {
            lock(&seat.mail).push = Some(push.clone());
            seat.wake.notify_one();
        }
        seats.len()
    }

    /// Sets (or with `None` clears) the line every student's footer shows, for those here
    /// now and those who join later. Returns how many connected students it reached.
    pub fn broadcast(&self, line: Option<&str>) -> usize {
        let line = line
            .map(|l| l.trim().chars().take(MAX_BROADCAST).collect::<String>())
            .filter(|l| !l.is_empty());
        *lock(&self.broadcast) = line.clone();
        let seats = self.seats(Target::All);
        for seat in &seats {
            lock(&seat.mail).broadcast = Some(line.clone());
            seat.wake.notify_one();
        }
        seats.len()
    }

    /// The broadcast line in force.
    pub fn broadcast_line(&self) -> Option<String> {
        lock(&self.broadcast).clone()
    }

    /// Follow student `id` (and nobody else), or with `None` nobody. Returns false when that
    /// student is not connected.
    pub fn follow(&self, id: Option<u64>) -> bool {
        let mut found = false;
        let mut rows = lock(&self.rows);
        for e in rows.values_mut() {
            let on = Some(e.row.id) == id;
            if let Some(seat) = &e.seat {
                let was = seat.followed.swap(on, Ordering::Relaxed);
                if on && !was {
                    // Draw now, not at the student's next key.
                    seat.wake.notify_one();
                }
                found |= on;
            }
            if !on {
                e.screen = None;
            }
        }
        found
    }

    /// The last screen the followed student `id` published.
    pub fn screen(&self, id: u64) -> Option<Arc<Screen>> {
        lock(&self.rows).get(&id).and_then(|e| e.screen.clone())
    }

    fn seats(&self, to: Target) -> Vec<Arc<Seat>> {
        lock(&self.rows)
            .values()
            .filter(|e| to == Target::All || to == Target::One(e.row.id))
            .filter_map(|e| e.seat.clone())
            .collect()
    }

    fn with_entry(&self, id: u64, f: impl FnOnce(&mut Entry)) {
        if let Some(e) = lock(&self.rows).get_mut(&id) {
            f(e)
        }
    }
}

impl Seat {
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The session waits on this beside its input, and takes its mail when woken.
    pub fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Takes whatever the teacher sent since the last call.
    pub fn take_mail(&self) -> Mail {
        std::mem::take(&mut *lock(&self.mail))
    }

    /// Whether the teacher follows this student: only then is the screen worth publishing.
    pub fn followed(&self) -> bool {
        self.followed.load(Ordering::Relaxed)
    }

    /// The session's report after a batch: its status, and whether the learner typed (which
    /// moves "last activity"). Copies the status only when it changed.
    pub fn report(&self, status: &Status, active: bool) {
        self.class.with_entry(self.id, |e| {
            if e.row.status != *status {
                e.row.status.clone_from(status);
            }
            if active {
                e.row.last_activity = Instant::now();
            }
        });
    }

    /// Publishes the frame just drawn, for the teacher following this student.
    pub fn publish(&self, screen: Screen) {
        let screen = Arc::new(screen);
        self.class.with_entry(self.id, |e| e.screen = Some(screen));
    }

    /// The session ended: the row stays, greyed, until the teacher clears it.
    pub fn leave(&self) {
        self.followed.store(false, Ordering::Relaxed);
        self.class.with_entry(self.id, |e| {
            e.row.connected = false;
            e.seat = None;
            e.screen = None;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(p: usize) -> Push {
        Push::Page {
            lesson: "slope".into(),
            page: p,
        }
    }

    #[test]
    fn students_join_report_and_leave_greyed_until_cleared() {
        let class = Class::new();
        let a = class.join("alice", Some("SHA256:a"));
        let b = class.join("bob", None);
        let status = Status {
            lesson: Some("slope".into()),
            page: 1,
            pages: 4,
            steps: 3,
            ..Status::default()
        };
        a.report(&status, true);
        let rows = class.roster();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].status, status);
        assert_eq!(rows[1].status, Status::default());
        b.leave();
        let rows = class.roster();
        assert!(rows[0].connected && !rows[1].connected);
        // A push or broadcast no longer reaches who left.
        assert_eq!(class.push(Target::All, &page(0)), 1);
        class.clear_gone();
        assert_eq!(class.roster().len(), 1);
    }

    #[test]
    fn a_push_reaches_its_target_only_and_the_newest_wins() {
        let class = Class::new();
        let a = class.join("alice", None);
        let b = class.join("bob", None);
        assert_eq!(class.push(Target::One(b.id()), &page(1)), 1);
        assert!(a.take_mail().push.is_none());
        assert_eq!(class.push(Target::All, &page(2)), 2);
        match b.take_mail().push {
            Some(Push::Page { page, .. }) => assert_eq!(page, 2),
            other => panic!("{other:?}"),
        }
        assert!(b.take_mail().push.is_none(), "mail is taken once");
        assert!(a.take_mail().push.is_some());
    }

    #[test]
    fn a_broadcast_reaches_everyone_now_and_later_and_can_be_cleared() {
        let class = Class::new();
        let a = class.join("alice", None);
        assert_eq!(class.broadcast(Some("  look at page 2  ")), 1);
        assert_eq!(a.take_mail().broadcast, Some(Some("look at page 2".into())));
        let late = class.join("bob", None);
        assert_eq!(
            late.take_mail().broadcast,
            Some(Some("look at page 2".into()))
        );
        class.broadcast(None);
        assert_eq!(a.take_mail().broadcast, Some(None));
        assert_eq!(class.broadcast_line(), None);
        let long = "x".repeat(1000);
        class.broadcast(Some(&long));
        assert_eq!(class.broadcast_line().unwrap().len(), MAX_BROADCAST);
    }

    #[test]
    fn following_one_student_publishes_their_screen_only_while_followed() {
        let class = Class::new();
        let a = class.join("alice", None);
        let b = class.join("bob", None);
        assert!(class.follow(Some(a.id())));
        assert!(a.followed() && !b.followed());
        a.publish(Screen {
            width: 3,
            lines: vec!["abc".into()],
        });
        assert_eq!(class.screen(a.id()).unwrap().lines, ["abc"]);
        assert!(class.follow(Some(b.id())));
        assert!(!a.followed() && b.followed());
        assert!(
            class.screen(a.id()).is_none(),
            "an unfollowed screen is dropped"
        );
        b.leave();
        assert!(!class.follow(Some(b.id())), "who left cannot be followed");
        assert!(!class.follow(None));
    }
}
