//! The real tutor behind `gradstep serve`: one [`App`] per connection, the very core the local
//! terminal drives, fed the events the server decodes. Progress is kept per public key, so a
//! learner who logs in with the same key finds their place again; anonymous learners keep
//! progress for the session only.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::remote_app::{AppFactory, Connection, RemoteApp};
use crate::chart::Glyphs;
use crate::lesson::{Lang, Loaded};
use crate::progress::{self, Progress};
use crate::tui::{Action, App, AppOptions, Open, local};

struct Remote {
    app: App,
    /// Progress goes to a file (the learner logged in with a key) and the last save worked:
    /// only then may the goodbye say it is saved.
    kept: bool,
}

impl RemoteApp for Remote {
    fn update(&mut self, action: Action) -> bool {
        self.app.update(action)
    }

    fn tick_interval(&self) -> Option<Duration> {
        self.app.playing().then_some(local::TICK)
    }

    fn draw(&mut self, frame: &mut ratatui::Frame) {
        crate::tui::draw_frame(&mut self.app, frame);
    }

    fn flush(&mut self) {
        // Every page turn saved already; this catches anything recorded since. A learner's
        // progress logs why a save failed (with the server path) and there is no screen left
        // to show it on.
        self.kept = self.kept && self.app.progress.save().is_ok();
    }

    fn shutdown_notice(&self) -> String {
        match (self.app.lang, self.kept) {
            (Lang::Zh, true) => "gradstep：服务器正在关闭，你的进度已保存。".into(),
            (Lang::Zh, false) => "gradstep：服务器正在关闭。".into(),
            (Lang::En, true) => {
                "gradstep: the server is shutting down; your progress is saved.".into()
            }
            (Lang::En, false) => "gradstep: the server is shutting down.".into(),
        }
    }
}

/// `SHA256:ab+/…` → a file name: only letters, digits, '-' and '_'.
fn file_stem(fingerprint: &str) -> String {
    fingerprint
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Where a key's progress lives: `$XDG_DATA_HOME/gradstep/ssh-progress/<fingerprint>.toml`.
pub fn progress_path(fingerprint: &str) -> Option<PathBuf> {
    progress::data_dir().map(|d| {
        d.join("ssh-progress")
            .join(format!("{}.toml", file_stem(fingerprint)))
    })
}

/// Makes a fresh tutor for each learner, from lessons loaded once at server start.
pub fn factory(lessons: Loaded, lang: Lang) -> AppFactory {
    let (lessons, problems) = lessons.into_shared();
    Arc::new(move |info: &Connection| {
        let file = info.key_fingerprint.as_deref().and_then(progress_path);
        let kept = file.is_some();
        let (progress, notice) = match file {
            Some(path) => Progress::load_for_learner(&path),
            None => (Progress::in_memory(), None),
        };
        // The client's terminal, not the server's: TERM from its pty request, LANG/LC_ALL and
        // NO_COLOR from its env requests (the server's --lang/locale when it sent none).
        let term = &info.terminal;
        let app = App::new(AppOptions {
            lang: term.locale_lang().unwrap_or(lang),
            glyphs: if local::ascii_terminal(term.term.as_deref()) {
                Glyphs::Ascii
            } else {
                Glyphs::Unicode
            },
            color: local::color_wanted(term.no_color.as_deref()),
            lessons: lessons.clone(),
            problems: problems.clone(),
            progress,
            notice,
            open: Open::Start,
        });
        Box::new(Remote { app, kept }) as Box<dyn RemoteApp>
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_become_safe_file_names() {
        assert_eq!(file_stem("SHA256:ab+/c=d"), "SHA256_ab__c_d");
        assert!(!file_stem("../../etc/passwd").contains('/'));
    }

    #[test]
    fn each_session_gets_its_own_app() {
        let f = factory(crate::lesson::load_embedded(), Lang::En);
        let info = Connection {
            peer: "127.0.0.1:1".parse().unwrap(),
            user: "a".into(),
            key_fingerprint: None,
            teacher: false,
            terminal: Default::default(),
        };
        let mut a = f(&info);
        let mut b = f(&info);
        let q = Action::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Char('q'),
        ));
        // q on the start screen ends a's session; b is a different app and goes on.
        assert!(!a.update(q));
        assert!(b.update(Action::Resize(100, 30)));
        assert!(b.tick_interval().is_none());
    }

    #[test]
    fn the_shutdown_notice_claims_saved_progress_only_for_a_key() {
        let f = factory(crate::lesson::load_embedded(), Lang::En);
        let mut anonymous = f(&Connection {
            peer: "127.0.0.1:1".parse().unwrap(),
            user: "a".into(),
            key_fingerprint: None,
            teacher: false,
            terminal: Default::default(),
        });
        anonymous.flush();
        assert_eq!(
            anonymous.shutdown_notice(),
            "gradstep: the server is shutting down."
        );
    }
}
