//! The tutor: an Elm-style core (state in [`app`], `update` fed [`Action`]s, a pure [`view`]),
//! generic over ratatui's `Backend`. It never sets up a terminal or reads input itself: the
//! local adapter ([`local`]) and the SSH server own that, and both drive this same core.

pub mod action;
pub mod app;
mod editor;
pub mod local;
mod open;
mod strings;
pub mod view;

pub use action::Action;
pub use app::{App, AppOptions};
pub use open::{Open, TutorRequest};
