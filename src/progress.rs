//! Lesson progress (last page seen, done) kept between runs in the XDG data directory.
//!
//! Progress is a convenience, never a reason to fail: a file that cannot be read is reported
//! once, moved aside (so the learner's next save does not overwrite evidence of the problem),
//! and the tutor starts with empty progress.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LessonProgress {
    /// The page the learner last saw (0-based).
    pub page: usize,
    /// Reached the last page at least once.
    pub done: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
struct File {
    #[serde(default)]
    lessons: BTreeMap<String, LessonProgress>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Progress {
    /// Where to save; None keeps progress in memory only (tests, or no data directory).
    path: Option<PathBuf>,
    file: File,
}

/// `$XDG_DATA_HOME/gradstep` (or the platform's data directory), if there is one.
pub fn data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("gradstep"))
}

impl Progress {
    pub fn in_memory() -> Progress {
        Progress::default()
    }

    /// The default file, `progress.toml` in [`data_dir`].
    pub fn default_path() -> Option<PathBuf> {
        data_dir().map(|d| d.join("progress.toml"))
    }

    /// Loads progress from `path`. A missing file is empty progress; a corrupt one is moved to
    /// `NAME.corrupt` and reported in the returned message.
    pub fn load(path: &Path) -> (Progress, Option<String>) {
        let mut progress = Progress {
            path: Some(path.to_path_buf()),
            file: File::default(),
        };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (progress, None),
            Err(e) => {
                return (
                    progress,
                    Some(format!(
                        "could not read {}: {e}; starting afresh",
                        path.display()
                    )),
                );
            }
        };
        match toml::from_str::<File>(&text) {
            Ok(file) => {
                progress.file = file;
                (progress, None)
            }
            Err(e) => {
                let aside = path.with_extension("toml.corrupt");
                let moved = std::fs::rename(path, &aside).is_ok();
                let first = e
                    .message()
                    .lines()
                    .next()
                    .unwrap_or("not valid TOML")
                    .to_string();
                let msg = if moved {
                    format!(
                        "progress file {} was unreadable ({first}); moved it to {} and started afresh",
                        path.display(),
                        aside.display()
                    )
                } else {
                    format!(
                        "progress file {} was unreadable ({first}); starting afresh",
                        path.display()
                    )
                };
                (progress, Some(msg))
            }
        }
    }

    pub fn get(&self, lesson: &str) -> LessonProgress {
        self.file.lessons.get(lesson).copied().unwrap_or_default()
    }

    /// Records that the learner is on `page` of `pages`; reaching the last page marks it done.
    pub fn visit(&mut self, lesson: &str, page: usize, pages: usize) {
        let entry = self.file.lessons.entry(lesson.to_string()).or_default();
        entry.page = page;
        if pages > 0 && page + 1 >= pages {
            entry.done = true;
        }
    }

    /// Writes the file (atomically, through a temporary file). Errors are returned as a
    /// message for the status line; nothing is lost in memory.
    pub fn save(&self) -> Result<(), String> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let text =
            toml::to_string(&self.file).map_err(|e| format!("could not encode progress: {e}"))?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("could not create {}: {e}", dir.display()))?;
        }
        let tmp = path.with_extension("toml.tmp");
        std::fs::write(&tmp, text)
            .and_then(|_| std::fs::rename(&tmp, path))
            .map_err(|e| format!("could not save progress to {}: {e}", path.display()))
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
        let (p, msg) = Progress::load(&path);
        let msg = msg.unwrap();
        assert!(
            msg.contains("unreadable") && msg.contains("progress.toml.corrupt"),
            "{msg}"
        );
        assert!(dir.path().join("progress.toml.corrupt").exists());
        assert_eq!(p.get("slope"), LessonProgress::default());
        p.save().unwrap();
        assert!(Progress::load(&path).1.is_none());
    }
}
