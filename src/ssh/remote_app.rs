//! The contract between the SSH server and the app it serves.
//!
//! The server owns the terminal (size, alternate screen, input decoding, output flow control);
//! the app only turns [`Action`]s into state and state into a frame, exactly as the local
//! terminal drives it. One app per connection, made by an [`AppFactory`], so learners never
//! share state.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use crate::chart::Retained;
pub use crate::tui::Action;
pub use crate::tui::painter::Painting;

/// One learner's app, driven by the server's shell task ([`super::shell`]).
pub trait RemoteApp: Send + 'static {
    /// Feed one action (key, paste, resize, or a tick when [`tick_interval`](Self::tick_interval)
    /// asked for one). Returns false when the learner quit.
    fn update(&mut self, action: Action) -> bool;
    /// `Some` while the app wants [`Action::Tick`]s (auto-play).
    fn tick_interval(&self) -> Option<Duration> {
        None
    }
    /// Draws the app; returns where the cursor goes and what the painter may skip comparing
    /// (see [`Painting`]).
    ///
    /// `kept` are the areas that still hold what the last frame drew there (the rest is
    /// blank); an app that does not keep areas never gets any.
    fn draw(&mut self, frame: &mut ratatui::Frame, kept: &[Retained]) -> Painting;
    /// Save what must outlive the session (progress). Called when the session ends, however it
    /// ends, except after a panic; the server waits for it before it exits.
    fn flush(&mut self) {}
    /// The one line shown when the server shuts down, in the learner's language.
    fn shutdown_notice(&self) -> String {
        "gradstep: the server is shutting down; your progress is saved.".into()
    }
    /// Something outside the session (the teacher's console) may have news for this app: the
    /// session waits on this beside its input and calls [`woken`](Self::woken) when notified.
    fn waker(&self) -> Option<Arc<tokio::sync::Notify>> {
        None
    }
    /// Take the news the waker announced; then the session draws. False ends the session.
    fn woken(&mut self) -> bool {
        true
    }
}

/// Who is on the other end of an SSH connection, and what their terminal told us.
#[derive(Debug, Clone)]
pub struct Connection {
    pub peer: SocketAddr,
    /// The SSH user name the client asked for (not verified unless a key was used).
    pub user: String,
    /// `SHA256:…` of the public key that logged in; the stable key for saved progress.
    pub key_fingerprint: Option<String>,
    /// The client's terminal facts, from its pty and env requests.
    pub terminal: ClientTerminal,
    /// Logged in with a `--teacher-keys` key: gets the class console, not the tutor.
    pub teacher: bool,
}

/// What the client said about its terminal: `TERM` from the pty request, and the only env
/// requests the server accepts (`LANG`, `LC_ALL`, `NO_COLOR`). `None`: not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientTerminal {
    pub term: Option<String>,
    pub lang: Option<String>,
    pub lc_all: Option<String>,
    pub no_color: Option<String>,
}

impl ClientTerminal {
    /// The env variables a client may set, and nothing else: they pick language and colour
    /// and cannot reach anything on the server.
    pub const ACCEPTED_ENV: [&'static str; 3] = ["LANG", "LC_ALL", "NO_COLOR"];

    /// Remember an env request; false (refuse it) for any variable but the accepted three.
    pub fn set_env(&mut self, name: &str, value: &str) -> bool {
        let slot = match name {
            "LANG" => &mut self.lang,
            "LC_ALL" => &mut self.lc_all,
            "NO_COLOR" => &mut self.no_color,
            _ => return false,
        };
        // Locale names and NO_COLOR are short; a long value is not one of them.
        *slot = Some(value.chars().take(64).collect());
        true
    }

    /// The language the client's locale asks for, if it sent one (POSIX precedence).
    pub fn locale_lang(&self) -> Option<crate::lesson::Lang> {
        let set = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
        (set(&self.lc_all) || set(&self.lang)).then(|| {
            crate::lesson::Lang::from_locale(self.lc_all.as_deref(), None, self.lang.as_deref())
        })
    }
}

/// Makes a fresh app for each connection that opens a shell.
pub type AppFactory = Arc<dyn Fn(&Connection) -> Box<dyn RemoteApp> + Send + Sync>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::Lang;

    #[test]
    fn only_locale_and_no_color_are_accepted() {
        let mut t = ClientTerminal::default();
        assert!(t.set_env("LANG", "zh_CN.UTF-8"));
        assert!(t.set_env("NO_COLOR", "1"));
        assert!(!t.set_env("LD_PRELOAD", "/tmp/x.so"));
        assert!(!t.set_env("PATH", "/tmp"));
        assert!(!t.set_env("LC_MESSAGES", "zh_CN"));
        assert_eq!(t.lang.as_deref(), Some("zh_CN.UTF-8"));
        assert_eq!(t.no_color.as_deref(), Some("1"));
    }

    #[test]
    fn locale_lang_follows_posix_precedence_and_is_none_when_unsent() {
        let mut t = ClientTerminal::default();
        assert_eq!(t.locale_lang(), None);
        t.set_env("LANG", "zh_CN.UTF-8");
        assert_eq!(t.locale_lang(), Some(Lang::Zh));
        t.set_env("LC_ALL", "en_US.UTF-8");
        assert_eq!(t.locale_lang(), Some(Lang::En));
        let mut empty = ClientTerminal::default();
        empty.set_env("LANG", "");
        assert_eq!(empty.locale_lang(), None, "an empty LANG says nothing");
    }
}
