//! The contract between the SSH server and the app it serves.
//!
//! The server owns the terminal (size, alternate screen, input decoding, output flow control);
//! the tutor only turns events into state and state into a frame. One `Tutor` per connection,
//! made by a [`TutorFactory`], so learners never share state.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// One learner's app, driven by the server's session task.
pub trait Tutor: Send + 'static {
    /// Feed one input event (keys, paste, resize). Returns false when the user quit.
    fn handle(&mut self, event: crossterm::event::Event) -> bool;
    /// Called periodically when `tick_interval()` is Some (auto-play); returns false to quit.
    fn tick(&mut self) -> bool {
        true
    }
    fn tick_interval(&self) -> Option<Duration> {
        None
    }
    fn draw(&mut self, frame: &mut ratatui::Frame);
}

/// Who is on the other end of a session.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub peer: SocketAddr,
    /// The SSH user name the client asked for (not verified unless a key was used).
    pub user: String,
    /// `SHA256:…` of the public key that logged in; the stable key for saved progress.
    pub key_fingerprint: Option<String>,
    /// `--log-formulas`: the tutor may log what the learner types. The server itself never
    /// logs typed text.
    pub log_formulas: bool,
}

/// Makes a fresh tutor for each session.
pub type TutorFactory = Arc<dyn Fn(&SessionInfo) -> Box<dyn Tutor> + Send + Sync>;
