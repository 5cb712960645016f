//! The roster: one row per student session, as the teacher's console lists it, and the
//! orders it can be sorted in. Plain data, copied out of the hub under its lock.

use std::time::Instant;

/// Where a student is and what they did, as their session reports it after each batch of
/// input. Small and `Clone`: the session compares it with the last report and copies only a
/// change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    /// The lesson's id, or `None` on the start screen or in the sandbox.
    pub lesson: Option<String>,
    /// 0-based page in that lesson.
    pub page: usize,
    /// Pages the lesson has (0 without a lesson).
    pub pages: usize,
    /// In the sandbox (a formula of their own or one the teacher pushed).
    pub sandbox: bool,
    /// Descent steps taken this session.
    pub steps: u64,
    /// Graded answers this session: right ones, and all of them.
    pub solved: u32,
    pub tried: u32,
}

/// One student, as the console shows them.
#[derive(Debug, Clone)]
pub struct Row {
    /// The session's number in this server's run: stable while the row exists.
    pub id: u64,
    /// The SSH user name they logged in as (not verified for anonymous logins).
    pub name: String,
    /// `SHA256:…` of their key, when they used one.
    pub fingerprint: Option<String>,
    pub status: Status,
    /// Their last key or paste.
    pub last_activity: Instant,
    /// False once the session ended; the row stays (greyed) until the teacher clears it.
    pub connected: bool,
}

/// The orders the console cycles through with one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Name,
    Lesson,
    /// Longest idle first: the students who may be stuck.
    Activity,
    /// Most solved first.
    Solved,
}

impl Sort {
    pub fn next(self) -> Sort {
        match self {
            Sort::Name => Sort::Lesson,
            Sort::Lesson => Sort::Activity,
            Sort::Activity => Sort::Solved,
            Sort::Solved => Sort::Name,
        }
    }

    /// Sorts `rows` in this order; ties keep the join order (the id), so rows do not jump.
    pub fn apply(self, rows: &mut [Row]) {
        match self {
            Sort::Name => rows.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id))),
            Sort::Lesson => rows.sort_by(|a, b| {
                (&a.status.lesson, a.status.page)
                    .cmp(&(&b.status.lesson, b.status.page))
                    .then(a.id.cmp(&b.id))
            }),
            Sort::Activity => {
                rows.sort_by(|a, b| a.last_activity.cmp(&b.last_activity).then(a.id.cmp(&b.id)))
            }
            Sort::Solved => {
                rows.sort_by(|a, b| b.status.solved.cmp(&a.status.solved).then(a.id.cmp(&b.id)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn row(id: u64, name: &str, lesson: Option<&str>, idle: u64, solved: u32) -> Row {
        let now = Instant::now() + Duration::from_secs(1000);
        Row {
            id,
            name: name.into(),
            fingerprint: None,
            status: Status {
                lesson: lesson.map(String::from),
                solved,
                ..Status::default()
            },
            last_activity: now - Duration::from_secs(idle),
            connected: true,
        }
    }

    #[test]
    fn each_order_sorts_by_its_column_and_the_key_cycles_through_all() {
        let mut rows = vec![
            row(1, "carol", Some("slope"), 5, 1),
            row(2, "alice", None, 100, 0),
            row(3, "bob", Some("opening"), 50, 3),
        ];
        let names = |rows: &[Row]| rows.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
        Sort::Name.apply(&mut rows);
        assert_eq!(names(&rows), ["alice", "bob", "carol"]);
        Sort::Lesson.apply(&mut rows);
        assert_eq!(names(&rows), ["alice", "bob", "carol"]);
        Sort::Activity.apply(&mut rows);
        assert_eq!(names(&rows), ["alice", "bob", "carol"]);
        Sort::Solved.apply(&mut rows);
        assert_eq!(names(&rows), ["bob", "carol", "alice"]);
        let mut s = Sort::Name;
        for _ in 0..4 {
            s = s.next();
        }
        assert_eq!(s, Sort::Name);
    }
}
