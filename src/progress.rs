//! Lesson progress kept between runs in the XDG data directory: per lesson the furthest page
//! reached, and per exercise whether it was solved, how many answers were tried and whether
//! the answer was shown. A lesson counts as done when every exercise in it is solved (see
//! [`Progress::tally`]), so reading to the last page is not the same as having learnt it.
//!
//! The file (`progress.toml`):
//! ```toml
//! [lessons.slope]          # written since the first version
//! page = 3                 # furthest page reached, 0-based
//! done = true              # the last page was reached
//!
//! [exercises.slope."p2.1"] # lesson slope, page 2, its first exercise (or the exercise's `id`)
//! solved = true
//! attempts = 2             # answers graded right or wrong (unreadable ones do not count)
//! shown = false            # the answer was shown ("show me", or after two wrong tries)
//! ```
//! On a server (`gradstep serve`) the file also says whose it is and how the time went, for
//! `gradstep class report`:
//! ```toml
//! name = "alice"               # the SSH user name (not authenticated without a key)
//! fingerprint = "SHA256:…"     # the key that logged in; absent for a session by name
//!
//! [lessons.slope]
//! page = 3
//! done = false
//! seen = [0, 1, 2, 3]          # distinct pages shown, 0-based
//! active_seconds = 412         # time between inputs, each gap capped at [`IDLE_CAP`]
//! ```
//! A file from before per-exercise progress has no `exercises` table, one from before the
//! report has no `name`, `seen` or `active_seconds`; both load as they are. Keys this version
//! does not know (at the top level, in a lesson's or an exercise's table) are kept on save.
//!
//! Progress is a convenience, never a reason to fail, and never a reason to lose work:
//! - a file that cannot be read (no permission, not UTF-8, not TOML, too large, not a regular
//!   file) is moved aside *before* anything new is written, and the new name is reported, so
//!   the next save cannot destroy what was there; if it cannot be moved, nothing is written;
//! - only regular files are read, through a size cap, opened without blocking (a FIFO or a
//!   symlink to `/dev/zero` must not hang or flood the tutor);
//! - a save takes a per-file lock, reads what is on disk, merges (a page reached or a lesson
//!   done is never taken back) and replaces the file through a unique temporary file, so two
//!   sessions with the same file (two SSH logins with one key) never overwrite each other;
//! - messages for a learner on a server name no server path ([`Progress::load_for_learner`]);
//!   the full message, path included, goes to the server's log.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// Larger progress files are refused: one entry per lesson is a few dozen bytes.
pub const MAX_BYTES: u64 = 1 << 20;

/// How long a save waits for another session holding the same file's lock.
const LOCK_WAIT: Duration = Duration::from_secs(2);

/// The longest gap between two inputs that counts as time spent: a learner who walks away
/// for lunch has not spent an hour on the lesson. Two minutes covers reading a long page.
pub const IDLE_CAP: Duration = Duration::from_secs(120);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LessonProgress {
    /// The furthest page the learner reached (0-based).
    pub page: usize,
    /// Reached the last page at least once. Whether the lesson is *done* also depends on its
    /// exercises: see [`Progress::tally`].
    pub done: bool,
}

impl LessonProgress {
    /// Both sessions' work kept: the further page, done if either finished.
    fn merge(self, other: LessonProgress) -> LessonProgress {
        LessonProgress {
            page: self.page.max(other.page),
            done: self.done || other.done,
        }
    }
}

/// One exercise's record. Merging two sessions keeps the better of each: solved or shown in
/// either stays so, and the larger count of attempts (each session saves its running total).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ExerciseProgress {
    /// Answered right before the answer was shown.
    #[serde(default)]
    pub solved: bool,
    /// Answers graded right or wrong.
    #[serde(default)]
    pub attempts: u32,
    /// The answer was on screen before a right answer ("show me", or the explanation after two
    /// wrong tries).
    #[serde(default)]
    pub shown: bool,
    /// Keys written by a newer version, kept as they were.
    #[serde(flatten)]
    extra: BTreeMap<String, toml::Value>,
}

impl ExerciseProgress {
    fn merge(&mut self, other: &ExerciseProgress) {
        self.solved |= other.solved;
        self.shown |= other.shown;
        self.attempts = self.attempts.max(other.attempts);
        for (k, v) in &other.extra {
            self.extra.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
}

/// How far a learner is through one lesson's exercises, for the start screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    pub solved: usize,
    pub total: usize,
    /// Every exercise solved; for a lesson without exercises, its last page reached.
    pub done: bool,
    /// The furthest page reached (0-based), and whether the lesson was opened at all.
    pub page: usize,
    pub started: bool,
}

/// The file as written: a lesson's table may hold keys a newer version added, kept on save.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
struct LessonsFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    fingerprint: Option<String>,
    #[serde(default)]
    lessons: BTreeMap<String, LessonEntry>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    exercises: BTreeMap<String, BTreeMap<String, ExerciseProgress>>,
    #[serde(flatten)]
    extra: BTreeMap<String, toml::Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
struct LessonEntry {
    page: usize,
    done: bool,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    seen: BTreeSet<usize>,
    #[serde(default, skip_serializing_if = "is_zero")]
    active_seconds: u64,
    #[serde(flatten)]
    extra: BTreeMap<String, toml::Value>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl From<LessonsFile> for Lessons {
    fn from(f: LessonsFile) -> Lessons {
        let mut lessons = BTreeMap::new();
        let mut lesson_extra = BTreeMap::new();
        let mut seen = BTreeMap::new();
        let mut seconds = BTreeMap::new();
        for (id, e) in f.lessons {
            if !e.seen.is_empty() {
                seen.insert(id.clone(), e.seen);
            }
            if e.active_seconds > 0 {
                seconds.insert(id.clone(), e.active_seconds);
            }
            lessons.insert(
                id.clone(),
                LessonProgress {
                    page: e.page,
                    done: e.done,
                },
            );
            if !e.extra.is_empty() {
                lesson_extra.insert(id, e.extra);
            }
        }
        Lessons {
            name: f.name,
            fingerprint: f.fingerprint,
            lessons,
            lesson_extra,
            seen,
            seconds,
            exercises: f.exercises,
            extra: f.extra,
        }
    }
}

impl From<Lessons> for LessonsFile {
    fn from(mut l: Lessons) -> LessonsFile {
        let lessons = l
            .lessons
            .into_iter()
            .map(|(id, p)| {
                let extra = l.lesson_extra.remove(&id).unwrap_or_default();
                let entry = LessonEntry {
                    page: p.page,
                    done: p.done,
                    seen: l.seen.remove(&id).unwrap_or_default(),
                    active_seconds: l.seconds.remove(&id).unwrap_or_default(),
                    extra,
                };
                (id, entry)
            })
            .collect();
        LessonsFile {
            name: l.name,
            fingerprint: l.fingerprint,
            lessons,
            exercises: l.exercises,
            extra: l.extra,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(from = "LessonsFile", into = "LessonsFile")]
struct Lessons {
    /// Who the file belongs to, as the server last saw them (the report's name column).
    name: Option<String>,
    fingerprint: Option<String>,
    lessons: BTreeMap<String, LessonProgress>,
    /// Keys of a lesson's table written by a newer version.
    lesson_extra: BTreeMap<String, BTreeMap<String, toml::Value>>,
    /// Lesson id → the distinct pages shown (only lessons visited since this was recorded).
    seen: BTreeMap<String, BTreeSet<usize>>,
    /// Lesson id → active seconds, as saved (see [`IDLE_CAP`]).
    seconds: BTreeMap<String, u64>,
    /// Lesson id → exercise id → record. Absent in files from before per-exercise progress.
    exercises: BTreeMap<String, BTreeMap<String, ExerciseProgress>>,
    /// Top-level keys written by a newer version, kept as they were.
    extra: BTreeMap<String, toml::Value>,
}

impl Lessons {
    /// Folds in another session's record. Seconds are not merged here: each session adds only
    /// the time it spent since its last save (see [`Progress::save_to`]), so two sessions'
    /// times add up instead of the larger one winning.
    fn merge(&mut self, other: &Lessons) {
        // The newest session says who the learner is now (a renamed key comment, say).
        if other.name.is_some() {
            self.name.clone_from(&other.name);
        }
        if other.fingerprint.is_some() {
            self.fingerprint.clone_from(&other.fingerprint);
        }
        for (id, pages) in &other.seen {
            self.seen.entry(id.clone()).or_default().extend(pages);
        }
        for (id, p) in &other.lessons {
            let entry = self.lessons.entry(id.clone()).or_default();
            *entry = entry.merge(*p);
        }
        for (id, keys) in &other.lesson_extra {
            let mine = self.lesson_extra.entry(id.clone()).or_default();
            for (k, v) in keys {
                mine.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        for (lesson, records) in &other.exercises {
            let mine = self.exercises.entry(lesson.clone()).or_default();
            for (id, r) in records {
                mine.entry(id.clone()).or_default().merge(r);
            }
        }
        for (k, v) in &other.extra {
            self.extra.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
}

/// Who reads the messages: the local user owns the file and needs its path; a learner on a
/// server must not see the server's paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Audience {
    #[default]
    Owner,
    Learner,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Progress {
    /// Where to save; None keeps progress in memory only (tests, no data directory, or a file
    /// that could not be moved aside and so must not be overwritten).
    path: Option<PathBuf>,
    audience: Audience,
    file: Lessons,
    /// Active time per lesson not yet added to the file (saves add it and keep the fraction).
    pending: BTreeMap<String, Duration>,
    /// The last input and the lesson open after it: the gap to the next input is that
    /// lesson's time.
    last_input: Option<(Instant, Option<String>)>,
}

/// `$XDG_DATA_HOME/gradstep` (or the platform's data directory), if there is one.
pub fn data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("gradstep"))
}

/// The folder of progress kept by user name, inside [`server_dir`]. A key's file name never
/// holds a '/', so no name's file can be a key's.
pub const NAMES_DIR: &str = "names";

/// Longest learner name saved in a file, in characters (a client may send a huge user name).
const MAX_NAME_CHARS: usize = 100;

/// Where `gradstep serve` keeps its learners' progress, one file each, and where
/// `gradstep class report` reads it: `ssh-progress` in [`data_dir`].
pub fn server_dir() -> Option<PathBuf> {
    data_dir().map(|d| d.join("ssh-progress"))
}

/// Why a file on disk could not be used.
#[derive(Debug)]
enum Unusable {
    Unreadable(io::Error),
    Directory,
    NotRegular(&'static str),
    TooLarge,
    NotUtf8,
    NotToml(String),
}

impl std::fmt::Display for Unusable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unusable::Unreadable(e) => write!(f, "could not be read ({e})"),
            Unusable::Directory => write!(f, "is a directory"),
            Unusable::NotRegular(kind) => write!(f, "is not a regular file (it is {kind})"),
            Unusable::TooLarge => write!(f, "is larger than {} KiB", MAX_BYTES / 1024),
            Unusable::NotUtf8 => write!(f, "is not UTF-8 text"),
            Unusable::NotToml(first) => write!(f, "is not valid progress TOML ({first})"),
        }
    }
}

/// What became of an unusable file.
enum SetAside {
    Moved(PathBuf),
    /// Left where it was (a directory, or the move failed): the caller must not write.
    Kept(Option<io::Error>),
}

impl Progress {
    pub fn in_memory() -> Progress {
        Progress::default()
    }

    /// The default file, `progress.toml` in [`data_dir`].
    pub fn default_path() -> Option<PathBuf> {
        data_dir().map(|d| d.join("progress.toml"))
    }

    /// Loads progress for the user who owns `path` (the local tutor): a missing file is empty
    /// progress; an unusable one is moved aside and the returned message names both paths.
    pub fn load(path: &Path) -> (Progress, Option<String>) {
        Progress::load_as(path, Audience::Owner)
    }

    /// Loads progress for a learner on a server: the same rules as [`Progress::load`], but the
    /// returned message (and every later save error) names no server path; the full message
    /// goes to the server log.
    pub fn load_for_learner(path: &Path) -> (Progress, Option<String>) {
        Progress::load_as(path, Audience::Learner)
    }

    fn load_as(path: &Path, audience: Audience) -> (Progress, Option<String>) {
        let mut progress = Progress {
            path: Some(path.to_path_buf()),
            audience,
            ..Progress::default()
        };
        if std::fs::symlink_metadata(path).is_err() {
            // Nothing there (or nothing we may look at, which the first save reports).
            return (progress, None);
        }
        // Held while deciding, so a concurrent save cannot write between our read and the move.
        let _lock = lock(path).ok();
        if _lock.is_some() {
            remove_leftovers(path);
        }
        let why = match read_capped(path) {
            Ok(None) => return (progress, None),
            Ok(Some(text)) => match parse(&text) {
                Ok(file) => {
                    progress.file = file;
                    return (progress, None);
                }
                Err(why) => why,
            },
            Err(why) => why,
        };
        let aside = set_aside(path, &why);
        let (owner, learner) = match &aside {
            SetAside::Moved(to) => (
                format!(
                    "progress file {} {why}; moved it to {} and started afresh",
                    path.display(),
                    to.display()
                ),
                "your saved progress could not be read; it was set aside for the teacher and \
                 this session starts afresh"
                    .to_string(),
            ),
            SetAside::Kept(e) => {
                progress.path = None;
                let failed = e
                    .as_ref()
                    .map(|e| format!(", and moving it aside failed ({e})"))
                    .unwrap_or_default();
                (
                    format!(
                        "progress file {} {why}{failed}; progress will not be saved this \
                         session, so the file stays as it is",
                        path.display()
                    ),
                    "your saved progress could not be read; progress will not be saved this \
                     session"
                        .to_string(),
                )
            }
        };
        let message = progress.speak(owner, learner);
        (progress, Some(message))
    }

    /// The message for this progress's audience; a learner's is logged with the full text.
    fn speak(&self, owner: String, learner: String) -> String {
        match self.audience {
            Audience::Owner => owner,
            Audience::Learner => {
                tracing::warn!("{owner}");
                learner
            }
        }
    }

    /// Reads a file without changing anything on disk (no lock, nothing moved aside): for
    /// `gradstep class report`, which must never touch a learner's file. The error says why
    /// the file cannot be used, without its path.
    pub fn read_only(path: &Path) -> Result<Progress, String> {
        match read_capped(path) {
            Ok(Some(text)) => parse(&text)
                .map(|file| Progress {
                    file,
                    ..Progress::default()
                })
                .map_err(|why| why.to_string()),
            Ok(None) => Err("does not exist".into()),
            Err(why) => Err(why.to_string()),
        }
    }

    /// Records who this progress belongs to, saved with it for the report: the SSH user name
    /// and, when a key logged in, its fingerprint.
    pub fn set_learner(&mut self, name: &str, fingerprint: Option<&str>) {
        self.file.name = Some(name.chars().take(MAX_NAME_CHARS).collect());
        self.file.fingerprint = fingerprint.map(str::to_string);
    }

    /// The learner's name as last saved (see [`Progress::set_learner`]).
    pub fn name(&self) -> Option<&str> {
        self.file.name.as_deref()
    }

    /// The key fingerprint as last saved; `None` for a session by name.
    pub fn fingerprint(&self) -> Option<&str> {
        self.file.fingerprint.as_deref()
    }

    /// Every lesson id the file has a record of (pages or exercises), sorted.
    pub fn lesson_ids(&self) -> BTreeSet<&str> {
        self.file
            .lessons
            .keys()
            .chain(self.file.exercises.keys())
            .map(String::as_str)
            .collect()
    }

    /// Distinct pages of `lesson` shown. A file from before this was recorded has only the
    /// furthest page: pages are turned one at a time, so every page up to it was shown once.
    pub fn pages_seen(&self, lesson: &str) -> usize {
        match self.file.seen.get(lesson) {
            Some(pages) => pages.len(),
            None => self
                .file
                .lessons
                .get(lesson)
                .map_or(0, |p| p.page.saturating_add(1)),
        }
    }

    /// Exercises of `lesson` recorded, solved, and answers tried, over every exercise the
    /// file knows (also exercises a lesson no longer has).
    pub fn exercise_totals(&self, lesson: &str) -> (usize, u64) {
        self.file.exercises.get(lesson).map_or((0, 0), |records| {
            (
                records.values().filter(|r| r.solved).count(),
                records.values().map(|r| u64::from(r.attempts)).sum(),
            )
        })
    }

    /// Active time in `lesson`: what was saved plus what this session spent since.
    pub fn active_time(&self, lesson: &str) -> Duration {
        let saved = self.file.seconds.get(lesson).copied().unwrap_or(0);
        Duration::from_secs(saved) + self.pending.get(lesson).copied().unwrap_or_default()
    }

    /// One input from the learner at `at` (a key or a paste, not a tick or a resize), with
    /// `lesson` open after it. The time since the previous input, at most [`IDLE_CAP`], goes
    /// to the lesson that was open in between; time outside lessons counts for none.
    pub fn input(&mut self, at: Instant, lesson: Option<&str>) {
        if let Some((before, Some(open))) = self.last_input.take() {
            let gap = at.saturating_duration_since(before).min(IDLE_CAP);
            *self.pending.entry(open).or_default() += gap;
        }
        self.last_input = Some((at, lesson.map(str::to_string)));
    }

    pub fn get(&self, lesson: &str) -> LessonProgress {
        self.file.lessons.get(lesson).copied().unwrap_or_default()
    }

    /// Records that the learner is on `page` of `pages`; reaching the last page marks it done.
    /// A page further back does not lower what was reached.
    pub fn visit(&mut self, lesson: &str, page: usize, pages: usize) {
        // A lesson from a file older than `seen`: pages turn one at a time, so every page up
        // to the furthest one reached was shown.
        let reached = self.file.lessons.get(lesson).map(|p| p.page);
        self.file
            .seen
            .entry(lesson.to_string())
            .or_insert_with(|| reached.map(|p| (0..=p).collect()).unwrap_or_default())
            .insert(page);
        let entry = self.file.lessons.entry(lesson.to_string()).or_default();
        entry.page = entry.page.max(page);
        if pages > 0 && page + 1 >= pages {
            entry.done = true;
        }
    }

    /// The record of exercise `id` in `lesson` (all zero when never tried).
    pub fn exercise(&self, lesson: &str, id: &str) -> ExerciseProgress {
        self.file
            .exercises
            .get(lesson)
            .and_then(|m| m.get(id))
            .cloned()
            .unwrap_or_default()
    }

    /// Records one graded answer to exercise `id`: right counts as solved unless the answer
    /// had been shown first (`shown`), in which case it counts as shown.
    pub fn answered(&mut self, lesson: &str, id: &str, right: bool, shown: bool) {
        let r = self.record(lesson, id);
        r.attempts = r.attempts.saturating_add(1);
        if right && !shown {
            r.solved = true;
        }
        if shown {
            r.shown = true;
        }
    }

    /// Records that the answer to exercise `id` was shown before it was found.
    pub fn shown(&mut self, lesson: &str, id: &str) {
        self.record(lesson, id).shown = true;
    }

    fn record(&mut self, lesson: &str, id: &str) -> &mut ExerciseProgress {
        self.file
            .exercises
            .entry(lesson.to_string())
            .or_default()
            .entry(id.to_string())
            .or_default()
    }

    /// Solved of `exercises` (the lesson's exercise ids) and whether the lesson is done: all
    /// of them solved, or, without exercises, its last page reached.
    pub fn tally(&self, lesson: &str, exercises: &[String]) -> Tally {
        let p = self.get(lesson);
        let solved = exercises
            .iter()
            .filter(|id| self.exercise(lesson, id).solved)
            .count();
        let total = exercises.len();
        Tally {
            solved,
            total,
            done: if total == 0 { p.done } else { solved == total },
            page: p.page,
            started: self.file.lessons.contains_key(lesson),
        }
    }

    /// Merges with what is on disk under the file's lock and replaces the file through a
    /// unique temporary file. Errors are returned as a message for the status line (without
    /// a server path for a learner); nothing is lost in memory.
    pub fn save(&mut self) -> Result<(), String> {
        let Some(path) = self.path.clone() else {
            return Ok(());
        };
        self.save_to(&path).map_err(|e| {
            self.speak(
                format!("could not save progress to {}: {e}", path.display()),
                "could not save your progress this time; the server's log says why".to_string(),
            )
        })
    }

    fn save_to(&mut self, path: &Path) -> Result<(), String> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        std::fs::create_dir_all(dir).map_err(|e| format!("could not create the folder: {e}"))?;
        let _lock = lock(path)?;
        let on_disk = match read_capped(path) {
            Ok(None) => Lessons::default(),
            Ok(Some(text)) => parse(&text).or_else(|why| self.replace_unusable(path, why))?,
            Err(why) => self.replace_unusable(path, why)?,
        };
        let mut merged = on_disk;
        merged.merge(&self.file);
        // Add only this session's unsaved time to what is on disk (another session's saves
        // are already in it); the fraction of a second waits for the next save.
        for (lesson, spent) in &self.pending {
            let total = merged.seconds.entry(lesson.clone()).or_default();
            *total = total.saturating_add(spent.as_secs());
        }
        let text =
            toml::to_string(&merged).map_err(|e| format!("could not encode progress: {e}"))?;
        let name = file_name(path);
        // A unique name per save, removed on any failure (also when `path` is a directory).
        let mut tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| e.to_string())?;
        tmp.write_all(text.as_bytes())
            .and_then(|_| tmp.as_file().sync_all())
            .map_err(|e| e.to_string())?;
        tmp.persist(path).map_err(|e| e.error.to_string())?;
        // The rename is durable only once the folder is written too (a power cut otherwise
        // may bring back the old file). Best effort: the save itself has succeeded.
        #[cfg(unix)]
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        self.file = merged;
        for spent in self.pending.values_mut() {
            *spent = Duration::from_nanos(u64::from(spent.subsec_nanos()));
        }
        Ok(())
    }

    /// A file that became unusable since it was loaded: moved aside, then overwritten.
    fn replace_unusable(&self, path: &Path, why: Unusable) -> Result<Lessons, String> {
        match set_aside(path, &why) {
            SetAside::Moved(to) => {
                tracing::warn!(
                    "progress file {} {why}; moved it to {} and saved this session's progress",
                    path.display(),
                    to.display()
                );
                Ok(Lessons::default())
            }
            SetAside::Kept(None) => Err(format!("the file {why}")),
            SetAside::Kept(Some(e)) => Err(format!(
                "the file {why} and could not be moved aside ({e}), so it was left as it is"
            )),
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "progress".into())
}

fn parse(text: &str) -> Result<Lessons, Unusable> {
    toml::from_str::<Lessons>(text).map_err(|e| {
        Unusable::NotToml(
            e.message()
                .lines()
                .next()
                .unwrap_or("not valid TOML")
                .to_string(),
        )
    })
}

/// Opens without blocking (a FIFO would otherwise wait for a writer) and never creates.
fn open_for_reading(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    let _ = meta;
    "not a file"
}

/// The file's text; `Ok(None)` when there is no file. Only regular files are read, and at
/// most [`MAX_BYTES`] of them.
fn read_capped(path: &Path) -> Result<Option<String>, Unusable> {
    let check = |meta: &std::fs::Metadata| {
        if meta.is_dir() {
            Err(Unusable::Directory)
        } else if !meta.is_file() {
            Err(Unusable::NotRegular(kind_of(meta)))
        } else if meta.len() > MAX_BYTES {
            Err(Unusable::TooLarge)
        } else {
            Ok(())
        }
    };
    // Look before opening (opening some devices has effects), and again at what was opened.
    match std::fs::metadata(path) {
        Ok(meta) => check(&meta)?,
        // No file, or a dangling symlink (which the next save replaces): nothing to read.
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Unusable::Unreadable(e)),
    }
    let file = match open_for_reading(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Unusable::Unreadable(e)),
    };
    check(&file.metadata().map_err(Unusable::Unreadable)?)?;
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(Unusable::Unreadable)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(Unusable::TooLarge);
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| Unusable::NotUtf8)
}

/// Deletes the temporary files of saves that died before their rename (a killed server, a
/// power cut): only ever written under the file's lock, so with the lock held any one left is
/// dead. The file itself is untouched: it still holds the last finished save.
fn remove_leftovers(path: &Path) {
    let (Some(dir), name) = (path.parent(), file_name(path)) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{name}.");
    for entry in entries.flatten() {
        let entry_name = entry.file_name();
        let Some(rest) = entry_name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|n| n.strip_suffix(".tmp"))
        else {
            continue;
        };
        // Exactly tempfile's random part: a longer name with dots is another file's.
        if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Moves an unusable file to the first free `NAME.corrupt`, `NAME.corrupt.1`, … so that an
/// earlier set-aside file is never replaced. Directories are left alone.
fn set_aside(path: &Path, why: &Unusable) -> SetAside {
    if matches!(why, Unusable::Directory) {
        return SetAside::Kept(None);
    }
    let name = file_name(path);
    for n in 0..100 {
        let candidate = if n == 0 {
            path.with_file_name(format!("{name}.corrupt"))
        } else {
            path.with_file_name(format!("{name}.corrupt.{n}"))
        };
        if std::fs::symlink_metadata(&candidate).is_ok() {
            continue;
        }
        return match std::fs::rename(path, &candidate) {
            Ok(()) => SetAside::Moved(candidate),
            Err(e) => SetAside::Kept(Some(e)),
        };
    }
    SetAside::Kept(Some(io::Error::other(
        "100 earlier copies are already set aside",
    )))
}

/// An exclusive lock on `NAME.lock` beside the file (the file itself is replaced by rename,
/// so it cannot carry the lock). Released when the returned file is dropped.
fn lock(path: &Path) -> Result<File, String> {
    let lock_path = path.with_file_name(format!("{}.lock", file_name(path)));
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW);
    }
    let file = options
        .open(&lock_path)
        .map_err(|e| format!("could not open the lock file: {e}"))?;
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(format!(
                    "another session held the progress file's lock for over {} s",
                    LOCK_WAIT.as_secs()
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(format!("could not lock the progress file: {e}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_marks_done_on_the_last_page() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/progress.toml");
        let (mut p, msg) = Progress::load(&path);
        assert!(msg.is_none());
        p.visit("slope", 2, 5);
        p.visit("taylor", 3, 4);
        p.save().unwrap();
        let (q, msg) = Progress::load(&path);
        assert!(msg.is_none());
        assert_eq!(
            q.get("slope"),
            LessonProgress {
                page: 2,
                done: false
            }
        );
        assert_eq!(
            q.get("taylor"),
            LessonProgress {
                page: 3,
                done: true
            }
        );
        assert_eq!(q.get("other"), LessonProgress::default());
    }

    #[test]
    fn a_corrupt_file_is_reported_and_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("progress.toml");
        std::fs::write(&path, "lessons = [[[ not toml").unwrap();
        let (mut p, msg) = Progress::load(&path);
        let msg = msg.unwrap();
        assert!(
            msg.contains("not valid progress TOML") && msg.contains("progress.toml.corrupt"),
            "{msg}"
        );
        assert!(dir.path().join("progress.toml.corrupt").exists());
        assert_eq!(p.get("slope"), LessonProgress::default());
        p.save().unwrap();
        assert!(Progress::load(&path).1.is_none());
    }

    #[test]
    fn a_second_corrupt_file_does_not_replace_the_first_one_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("progress.toml");
        std::fs::write(&path, "first = [").unwrap();
        Progress::load(&path);
        std::fs::write(&path, "second = [").unwrap();
        let msg = Progress::load(&path).1.unwrap();
        assert!(msg.contains("progress.toml.corrupt.1"), "{msg}");
        let first = std::fs::read_to_string(dir.path().join("progress.toml.corrupt")).unwrap();
        assert_eq!(first, "first = [");
    }

    #[test]
    fn going_back_a_page_keeps_the_page_reached() {
        let mut p = Progress::in_memory();
        p.visit("slope", 3, 5);
        p.visit("slope", 1, 5);
        assert_eq!(p.get("slope").page, 3);
    }

    #[test]
    fn active_time_caps_idle_gaps_and_skips_time_outside_lessons() {
        let mut p = Progress::in_memory();
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        p.input(at(0), None); // start screen
        p.input(at(30), Some("slope")); // 30 s on the start screen: nobody's
        p.input(at(40), Some("slope")); // 10 s
        p.input(at(3640), Some("taylor")); // an hour away: 2 min
        p.input(at(3645), None); // 5 s in taylor, then back to the start
        p.input(at(4000), Some("slope"));
        assert_eq!(p.active_time("slope"), Duration::from_secs(10 + 120));
        assert_eq!(p.active_time("taylor"), Duration::from_secs(5));
    }

    #[test]
    fn two_sessions_times_add_up_and_seen_pages_join() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        let t0 = Instant::now();
        let (mut a, _) = Progress::load(&path);
        let (mut b, _) = Progress::load(&path);
        a.visit("slope", 0, 5);
        a.visit("slope", 1, 5);
        a.input(t0, Some("slope"));
        a.input(t0 + Duration::from_millis(40_500), Some("slope"));
        b.visit("slope", 3, 5);
        b.input(t0, Some("slope"));
        b.input(t0 + Duration::from_secs(20), Some("slope"));
        a.save().unwrap();
        b.save().unwrap();
        // a's second save adds nothing new but the half second it kept back.
        a.input(t0 + Duration::from_millis(41_000), Some("slope"));
        a.save().unwrap();
        let q = saved_file(&path);
        assert_eq!(q.active_time("slope"), Duration::from_secs(61));
        assert_eq!(q.pages_seen("slope"), 3);
    }

    fn saved_file(path: &Path) -> Progress {
        Progress::read_only(path).unwrap()
    }

    #[test]
    fn the_learner_is_saved_and_the_newest_session_names_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        let (mut p, _) = Progress::load(&path);
        p.set_learner("alice", Some("SHA256:abc"));
        p.save().unwrap();
        let (mut p, _) = Progress::load(&path);
        p.set_learner("alice2", Some("SHA256:abc"));
        p.save().unwrap();
        let q = saved_file(&path);
        assert_eq!(q.name(), Some("alice2"));
        assert_eq!(q.fingerprint(), Some("SHA256:abc"));
    }

    #[test]
    fn reading_for_the_report_moves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.toml");
        std::fs::write(&path, "lessons = [[[").unwrap();
        let err = Progress::read_only(&path).unwrap_err();
        assert!(err.contains("not valid progress TOML"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "lessons = [[[");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
