//! Finding and loading lessons: from a directory (`--dir`, `GRADSTEP_LESSONS`) or from the
//! copies built into the binary. One bad file never stops the others: the good lessons come
//! back together with the list of problems.

use std::path::{Path, PathBuf};

use super::{Lesson, Problem, validate};

/// The files under `lessons/` at build time: (path relative to `lessons/`, contents).
pub static EMBEDDED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/embedded_lessons.rs"));

/// The environment variable naming a lessons directory to use instead of the built-in ones.
pub const ENV_DIR: &str = "GRADSTEP_LESSONS";

/// The lessons that loaded, in order, and what was wrong with the rest.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub lessons: Vec<Lesson>,
    pub problems: Vec<Problem>,
}

impl Loaded {
    pub fn get(&self, id: &str) -> Option<&Lesson> {
        self.lessons.iter().find(|l| l.id == id)
    }
}

/// Parses and validates one lesson text (checks are not run; see [`super::checks`]).
/// `read_data` reads a `csv = "..."` path relative to the lesson.
pub fn parse_lesson(
    src: &str,
    file: &str,
    read_data: &dyn Fn(&str) -> Result<String, String>,
) -> Result<Lesson, Vec<Problem>> {
    validate::parse(src, file, read_data)
}

/// Adds one parsed file to the set: a second lesson with an id already taken is a problem.
fn add(loaded: &mut Loaded, result: Result<Lesson, Vec<Problem>>, src: &str) {
    match result {
        Ok(lesson) => {
            if let Some(first) = loaded.lessons.iter().find(|l| l.id == lesson.id) {
                let ctx = validate::Ctx::new(&lesson.file, src);
                let place = src.find("id").map(|i| ctx.place(i));
                loaded.problems.push(Problem {
                    file: lesson.file.clone(),
                    place,
                    message: format!("the id '{}' is already used by {}", lesson.id, first.file),
                });
            } else {
                loaded.lessons.push(lesson);
            }
        }
        Err(mut problems) => loaded.problems.append(&mut problems),
    }
}

fn finish(mut loaded: Loaded) -> Loaded {
    loaded
        .lessons
        .sort_by(|a, b| (a.order, &a.id).cmp(&(b.order, &b.id)));
    loaded
}

/// Every `*.toml` file in `dir` (not recursive; data files may live in subdirectories).
pub fn load_dir(dir: &Path) -> Loaded {
    let mut loaded = Loaded::default();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            loaded.problems.push(Problem {
                file: dir.display().to_string(),
                place: None,
                message: format!("cannot read the lessons directory: {e}"),
            });
            return loaded;
        }
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    for path in files {
        let name = path.display().to_string();
        let src = match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(s) => s,
                Err(e) => {
                    loaded.problems.push(Problem {
                        file: name,
                        place: None,
                        message: format!(
                            "not UTF-8 text (bad byte at offset {}); save the file as UTF-8",
                            e.utf8_error().valid_up_to()
                        ),
                    });
                    continue;
                }
            },
            Err(e) => {
                loaded.problems.push(Problem {
                    file: name,
                    place: None,
                    message: format!("cannot read: {e}"),
                });
                continue;
            }
        };
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let read = move |rel: &str| {
            let p = base.join(rel);
            std::fs::read_to_string(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))
        };
        let result = parse_lesson(&src, &name, &read);
        add(&mut loaded, result, &src);
    }
    finish(loaded)
}

/// The lessons built into the binary. Their file names read `lessons/NAME.toml`.
pub fn load_embedded() -> Loaded {
    let mut loaded = Loaded::default();
    let read = |rel: &str| {
        let rel = rel.trim_start_matches("./");
        EMBEDDED
            .iter()
            .find(|(name, _)| *name == rel)
            .map(|(_, text)| text.to_string())
            .ok_or_else(|| format!("lessons/{rel} is not among the built-in files"))
    };
    for (name, src) in EMBEDDED {
        if !name.ends_with(".toml") || name.contains('/') {
            continue;
        }
        let file = format!("lessons/{name}");
        let result = parse_lesson(src, &file, &read);
        add(&mut loaded, result, src);
    }
    finish(loaded)
}

/// The lessons the tutor uses: from `dir` if given, else from `$GRADSTEP_LESSONS` if set,
/// else the built-in ones.
pub fn load(dir: Option<&Path>) -> Loaded {
    if let Some(d) = dir {
        return load_dir(d);
    }
    match std::env::var_os(ENV_DIR) {
        Some(d) if !d.is_empty() => load_dir(Path::new(&d)),
        _ => load_embedded(),
    }
}
