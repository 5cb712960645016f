//! What the tutor is asked to open. The command line builds a [`TutorRequest`] and hands it to
//! an adapter; the tutor never reads the command line itself, so `tui` does not import `cli`.

use crate::lesson::{Lang, Loaded};
use crate::stage::SandboxSpec;

/// The screen the tutor opens on.
#[derive(Debug, Clone)]
pub enum Open {
    Start,
    Lesson(String),
    Sandbox(SandboxSpec),
}

/// A request to open the interactive tutor, its flags already checked.
#[derive(Debug, Clone)]
pub struct TutorRequest {
    pub lang: Lang,
    pub ascii: bool,
    /// The lessons, loaded once by the caller (a broken file is reported in the app, not fatal).
    pub lessons: Loaded,
    pub open: Open,
}
