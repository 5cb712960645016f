//! Finding and loading lessons: from a directory (`--dir`, `GRADSTEP_LESSONS`) or from the
//! copies built into the binary. One bad file never stops the others: the good lessons come
//! back together with the list of problems.

use std::path::{Path, PathBuf};

use super::budget::MAX_LESSON_BYTES;
use super::{Lesson, Problem, build};
use crate::math::data::{DataError, Limits, read_text_capped};

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

    /// The lessons behind an `Arc` (so many tutors, e.g. one per SSH session, share one copy)
    /// and the problems.
    pub fn into_shared(self) -> (std::sync::Arc<[Lesson]>, Vec<Problem>) {
        (self.lessons.into(), self.problems)
    }
}

/// Parses and checks one lesson text (its claims are not verified; see [`super::claims`]).
/// `read_data` reads a `csv = "..."` path relative to the lesson, within the data caps.
pub fn parse_lesson(
    src: &str,
    file: &str,
    read_data: build::ReadData,
) -> Result<Lesson, Vec<Problem>> {
    build::parse(src, file, read_data)
}

/// Adds one parsed file to the set: a second lesson with an id already taken is a problem.
fn add(loaded: &mut Loaded, result: Result<Lesson, Vec<Problem>>, src: &str) {
    match result {
        Ok(lesson) => {
            if let Some(first) = loaded.lessons.iter().find(|l| l.id == lesson.id) {
                let ctx = build::Ctx::new(&lesson.file, src);
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
        let src = match read_text_capped(&path, MAX_LESSON_BYTES) {
            Ok(s) => s,
            Err(e) => {
                loaded.problems.push(Problem {
                    file: name,
                    place: None,
                    message: lesson_file_error(&e),
                });
                continue;
            }
        };
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let read = move |rel: &str| read_text_capped(&base.join(rel), Limits::default().bytes);
        let result = parse_lesson(&src, &name, &read);
        add(&mut loaded, result, &src);
    }
    finish(loaded)
}

/// A lesson file that cannot be read, in words an author can act on.
fn lesson_file_error(e: &DataError) -> String {
    match e {
        DataError::NotUtf8(offset) => {
            format!("not UTF-8 text (bad byte at offset {offset}); save the file as UTF-8")
        }
        DataError::TooLarge(_) => format!(
            "the lesson file is larger than {MAX_LESSON_BYTES} bytes (1 MiB), the limit for one lesson; put large data in a csv file"
        ),
        DataError::Unreadable(why) => format!("cannot read: {why}"),
        other => other.to_string(),
    }
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
            .ok_or_else(|| {
                DataError::Unreadable(format!("lessons/{rel} is not among the built-in files"))
            })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::{Lang, claims};

    #[test]
    fn every_embedded_lesson_loads_and_every_page_builds_sessions() {
        let loaded = load_embedded();
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        assert_eq!(loaded.lessons.len(), 12);
        for l in &loaded.lessons {
            assert!(!l.claims.is_empty(), "{} has no claims", l.id);
            for lang in Lang::ALL {
                assert!(!l.title.get(lang).is_empty());
            }
            for (i, page) in l.pages.iter().enumerate() {
                assert!(!page.text.zh.is_empty() && !page.text.en.is_empty());
                let scene = l.scene(i).expect("a scene per page");
                let mut s = scene.run().expect("the scene builds a session");
                s.step();
                for (label, mut r) in scene.racer_runs().expect("racers build") {
                    assert!(!label.is_empty());
                    r.step();
                }
            }
            assert!(
                claims::verify_all(l).is_empty(),
                "{}: {:?}",
                l.id,
                claims::verify_all(l)
            );
        }
    }

    #[test]
    fn pages_inherit_and_override_the_scene() {
        let loaded = load_embedded();
        let lr = loaded.get("learning-rate").unwrap();
        assert_eq!(lr.scene(0).unwrap().lr, 0.1);
        assert_eq!(lr.scene(1).unwrap().lr, 0.01);
        assert_eq!(lr.scene(5).unwrap().race.len(), 2);
        assert!(lr.scene(6).is_none());
        let pd = loaded.get("partial-derivatives").unwrap();
        assert!(!pd.pages[1].scene_changed && pd.pages[2].scene_changed);
        assert_eq!(pd.scene(2).unwrap().start, vec![3.0, 4.0]);
        // A new formula brings its own variables and window.
        let opt = loaded.get("optimizers").unwrap();
        assert_eq!(opt.scene(8).unwrap().start, vec![-1.2, 1.0]);
        assert_eq!(opt.scene(9).unwrap().race.len(), 3);
    }

    #[test]
    fn garbage_never_panics() {
        let read = |_: &str| Err(DataError::Unreadable("no data".into()));
        for src in [
            "",
            "[[page]]",
            "id = 1",
            "id = \"x\"\norder = 1\ntitle = {}\nsummary = {}\n[scene]\n",
            "id = \"x\"\norder = 1\ntitle = {zh=\"a\",en=\"b\"}\nsummary = {zh=\"a\",en=\"b\"}\n[scene]\nview=\"model\"\nmodel=\"logistic\"\nrows=[[1,2,5]]\n[[page]]\nzh=\"a\"\nen=\"b\"\n[[check]]\nat=-1\n",
            "id = \"x\"\norder = 1\ntitle = {zh=\"a\",en=\"b\"}\nsummary = {zh=\"a\",en=\"b\"}\n[scene]\nview=\"taylor\"\nformula=\"x^2\"\nrace=[{lr=-1}]\n[[page]]\nzh=\"a\"\nen=\"b\"\nset={formula=\"(\"}\n",
        ] {
            let r = parse_lesson(src, "x.toml", &read);
            let problems = r.expect_err("these are all broken");
            assert!(!problems.is_empty());
            for p in problems {
                assert!(p.to_string().starts_with("x.toml:"), "{p}");
            }
        }
    }
}
