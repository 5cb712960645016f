//! The tutor: an Elm-style core (state in [`app`], `update` fed [`Action`]s, keys turned into
//! named messages by the tables in [`keys`], a pure [`view`]), generic over ratatui's
//! `Backend`. It never sets up a terminal or reads input itself: the local adapter ([`local`])
//! and the SSH server own that, and both drive this same core through [`draw_frame`].

pub mod action;
pub mod app;
pub mod console;
mod editor;
mod escape;
mod frame;
pub mod keys;
pub mod local;
mod open;
pub mod painter;
mod quiz;
mod strings;
pub mod view;

pub use action::Action;
pub use app::{App, AppOptions};
pub use frame::{draw_frame, draw_painting};
pub use open::{Open, TutorRequest};
