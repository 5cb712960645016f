//! Lessons as data: the TOML format ([`schema`]), loading a directory or the lessons built
//! into the binary ([`load`]), building a lesson from its file with `file:line:column`
//! messages ([`build`]), verifying the claims a lesson makes about its own numbers
//! ([`claims`]), the interactive budget a scene must fit ([`budget`]), exercises
//! ([`exercise`]) and the two languages ([`text`]). No UI here: the tutor reads the plain
//! types below.

pub mod budget;
pub mod build;
pub mod claims;
pub mod derivative;
pub mod direction;
pub mod exercise;
pub mod giveaway;
pub mod load;
pub mod predict;
pub mod round;
pub mod scene;
pub mod schema;
pub mod text;
pub mod variant;

use std::fmt;

pub use exercise::{Answer, Asks, Attempts, Exercise, Feedback, Mask, Sign, Verdict};
pub use load::{Loaded, load, load_dir, load_embedded, parse_lesson};
pub use scene::{ChartKind, Dial, Naming, Racer, Scene, WindowSpec};
pub use text::{Lang, Text, printable};

use crate::descent::Status;

/// A place in a lesson file, 1-based; the column counts characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Place {
    pub line: usize,
    pub column: usize,
}

/// One thing wrong with a lesson file. Displays as `file:line:column: message`, the form
/// editors and terminals turn into a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// None when the problem is about the file as a whole (it cannot be read).
    pub place: Option<Place>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A message may quote the file (an unknown key, a file name): never a raw escape.
        let (file, message) = (printable(&self.file), printable(&self.message));
        match self.place {
            Some(p) => write!(f, "{file}:{}:{}: {message}", p.line, p.column),
            None => write!(f, "{file}: {message}"),
        }
    }
}

/// A validated lesson, ready to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Lesson {
    /// The name on the command line (`gradstep lesson slope`); also the file's stem.
    pub id: String,
    /// Lessons are listed by `order`, then id.
    pub order: i64,
    pub title: Text,
    pub summary: Text,
    /// Where the lesson came from (a path, or `lessons/NAME.toml` for a built-in one).
    pub file: String,
    pub pages: Vec<Page>,
    /// What the lesson claims about its numbers (its `[[check]]` tables).
    pub claims: Vec<Claim>,
}

impl Lesson {
    /// The effective scene of page `i` (0-based): the base scene with every page's changes up
    /// to and including page i applied. None past the last page.
    pub fn scene(&self, i: usize) -> Option<&Scene> {
        self.pages.get(i).map(|p| &p.scene)
    }

    pub fn page(&self, i: usize) -> Option<&Page> {
        self.pages.get(i)
    }

    /// The names of the lesson's exercises in the progress file, in page order.
    pub fn exercise_ids(&self) -> Vec<String> {
        self.pages
            .iter()
            .filter_map(|p| p.exercise_id.clone())
            .collect()
    }
}

/// One page: a short text, the scene it shows, and maybe a question.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub text: Text,
    /// The effective scene on this page (already merged).
    pub scene: Scene,
    /// True on the first page and on pages that change the scene: the tutor starts a fresh
    /// session there; otherwise the learner keeps stepping the run they have.
    pub scene_changed: bool,
    /// True where the page says `continue = true`: it talks about the run the learner already
    /// has, so the tutor keeps it. Every other page opens with its own scene's fresh state, so
    /// no run left from another page contradicts its text.
    pub continues: bool,
    pub exercise: Option<Exercise>,
    /// What the panel hides on this page whatever its question's state (`hide = [...]`):
    /// another page asks for it at the same point.
    pub hide: Mask,
    /// Other pages' questions (before or after this one; the name is from when only later
    /// pages counted) that ask a quantity this page's panel shows at the same state: hidden
    /// here until they are solved or shown (see `build::later_answers`).
    pub later: Vec<Later>,
    /// The exercise's name in the progress file: its `id`, else `pN.1` (page N, 1-based).
    pub exercise_id: Option<String>,
    /// Fresh variants of the exercise; `exercise` is the first instance (the page's start).
    pub vary: Option<variant::Vary>,
}

/// Another page's question whose answer a page would show (see [`Page::later`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Later {
    /// Its page (0-based).
    pub page: usize,
    /// Its name in the progress file.
    pub exercise_id: String,
    /// The quantity it asks.
    pub asks: Asks,
}

/// Something a lesson claims about its numbers (a `[[check]]` table), verified by
/// `gradstep check`.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    pub place: Place,
    /// Whose scene (0-based page index).
    pub page: usize,
    /// Which run: None for the main one, else an index into that scene's race.
    pub racer: Option<usize>,
    pub kind: ClaimKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ClaimKind {
    /// After `t` updates, these hold within `tol` (absolute, per coordinate).
    At {
        t: usize,
        value: Option<(f64, Place)>,
        grad: Option<(Vec<f64>, Place)>,
        params: Option<(Vec<f64>, Place)>,
        tol: f64,
    },
    /// Run up to `steps` updates (stopping early when the stop rule says so); then the
    /// status is `status` and the run stood at step `stopped_at`.
    After {
        steps: usize,
        status: Option<(Status, Place)>,
        stopped_at: Option<(usize, Place)>,
    },
}
