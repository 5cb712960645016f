//! The real tutor behind `gradstep serve`: one [`App`] per connection, the very core the local
//! terminal drives, fed the events the server decodes. Progress is kept per public key, so a
//! learner who logs in with the same key finds their place again; anonymous learners keep
//! progress for the session only, unless the server keeps it per SSH user name
//! ([`KeepProgress::ByKeyOrName`], `serve --progress-by-name`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::{Clear, Paragraph};

use super::remote_app::{AppFactory, Connection, Painting, RemoteApp, Retained};
use crate::chart::Glyphs;
use crate::class::{Class, Screen, Seat};
use crate::lesson::{Lang, Loaded};
use crate::progress::{self, Progress};
use crate::tui::console::{self, Console, ConsoleOptions};
use crate::tui::{Action, App, AppOptions, Open, local};

struct Remote {
    app: App,
    /// Progress goes to a file (the learner logged in with a key) and the last save worked:
    /// only then may the goodbye say it is saved.
    kept: bool,
    /// This learner's row in the class: status out, the teacher's pushes in.
    seat: Arc<Seat>,
    /// The teacher's broadcast line, drawn in the footer row.
    broadcast: Option<String>,
    /// The learner typed since the last report (moves "last activity" on the roster).
    active: bool,
}

impl RemoteApp for Remote {
    fn update(&mut self, action: Action) -> bool {
        // Keys and pastes are the learner at work; ticks and resizes are not.
        let input = matches!(action, Action::Key(_) | Action::Paste(_));
        if input {
            self.active = true;
        }
        let go_on = self.app.update(action);
        if input {
            let open = self.app.lesson().map(|l| l.id.clone());
            self.app.progress.input(Instant::now(), open.as_deref());
        }
        go_on
    }

    fn tick_interval(&self) -> Option<Duration> {
        self.app.playing().then_some(local::TICK)
    }

    fn draw(&mut self, frame: &mut ratatui::Frame, kept: &[Retained]) -> Painting {
        let mut painting = crate::tui::draw_painting(&mut self.app, frame, kept);
        // The footer row is the app's notice when it has one (e.g. "from the teacher"), else
        // the broadcast, in place of the key hints (`?` lists them all).
        if let Some(line) = &self.broadcast
            && self.app.notice.is_none()
        {
            let area = frame.area();
            if area.height > 1 {
                let row = Rect::new(area.x, area.y + area.height - 1, area.width, 1);
                let label = match self.app.lang {
                    Lang::Zh => "老师：",
                    Lang::En => "teacher: ",
                };
                let style = Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED);
                frame.render_widget(Clear, row);
                frame.render_widget(
                    Paragraph::new(Span::styled(format!(" {label}{line} "), style)),
                    row,
                );
                // Drawn after the chart: the painter must compare any cell it covers.
                for r in painting.retained.iter_mut() {
                    if r.area.intersects(row) {
                        r.base = Retained::FRESH;
                        r.cells.clear();
                    }
                }
            }
        }
        // Once per batch: a copy of a small struct when something changed.
        self.seat.report(&self.app.class_status(), self.active);
        self.active = false;
        if self.seat.followed() {
            let area = frame.area();
            self.seat.publish(screen_text(frame.buffer_mut(), area));
        }
        painting
    }

    fn waker(&self) -> Option<Arc<tokio::sync::Notify>> {
        Some(self.seat.waker())
    }

    fn woken(&mut self) -> bool {
        let mail = self.seat.take_mail();
        if let Some(push) = &mail.push {
            self.app.apply_push(push);
        }
        if let Some(line) = mail.broadcast {
            // The newest word from the teacher wins the footer row over an older notice.
            if line.is_some() && mail.push.is_none() {
                self.app.notice = None;
            }
            self.broadcast = line;
        }
        true
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

impl Drop for Remote {
    fn drop(&mut self) {
        self.seat.leave();
    }
}

/// The teacher's console behind the same session machinery as a learner's tutor.
struct Teacher {
    console: Console,
}

/// How often the console reads the roster, and the followed screen while following.
const ROSTER_TICK: Duration = Duration::from_millis(500);
const FOLLOW_TICK: Duration = Duration::from_millis(100);

impl RemoteApp for Teacher {
    fn update(&mut self, action: Action) -> bool {
        self.console.update(action)
    }

    fn tick_interval(&self) -> Option<Duration> {
        Some(if self.console.following.is_some() {
            FOLLOW_TICK
        } else {
            ROSTER_TICK
        })
    }

    fn draw(&mut self, frame: &mut ratatui::Frame, _kept: &[Retained]) -> Painting {
        Painting {
            retained: Vec::new(),
            cursor: console::view::draw_returning_cursor(&self.console, frame),
        }
    }

    fn shutdown_notice(&self) -> String {
        match self.console.lang {
            Lang::Zh => "gradstep：服务器正在关闭，学生的进度已保存。".into(),
            Lang::En => {
                "gradstep: the server is shutting down; students' progress is saved.".into()
            }
        }
    }
}

/// The frame as text rows, a wide character's trailing cell skipped and trailing blanks cut:
/// what the teacher following this learner sees.
fn screen_text(buf: &Buffer, area: Rect) -> Screen {
    let mut lines = Vec::with_capacity(area.height as usize);
    for y in area.top()..area.bottom() {
        let mut line = String::with_capacity(area.width as usize);
        let mut skip = 0;
        for x in area.left()..area.right() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            skip = Span::raw(sym).width().saturating_sub(1);
        }
        line.truncate(line.trim_end().len());
        lines.push(line);
    }
    Screen {
        width: area.width,
        lines,
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
    progress::server_dir().map(|d| d.join(format!("{}.toml", file_stem(fingerprint))))
}

/// Whose progress the server keeps on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeepProgress {
    /// Learners who logged in with a key; anonymous ones keep theirs for the session only.
    #[default]
    ByKey,
    /// Also anonymous learners, per SSH user name. Names are not authenticated: anyone may
    /// log in as anyone and continue (never erase) their progress. Opt-in for that reason.
    ByKeyOrName,
}

/// Longest file stem made from a user name (file names stop at 255 bytes).
const MAX_NAME_STEM: usize = 200;

/// A user name → a file stem, or `None` for a name that cannot be one (empty, blank, with
/// control characters, or too long). ASCII letters, digits, '-' and '_' stay; every other
/// byte becomes `%XX`, so two names never share a file, and no stem is `.`, `..`, hidden, or
/// holds a '/'.
pub fn name_stem(user: &str) -> Option<String> {
    if user.trim().is_empty() || user.chars().any(char::is_control) {
        return None;
    }
    let mut stem = String::new();
    for b in user.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            stem.push(char::from(b));
        } else {
            stem.push_str(&format!("%{b:02X}"));
        }
        if stem.len() > MAX_NAME_STEM {
            return None;
        }
    }
    Some(stem)
}

/// Why a session keeps no progress file.
#[derive(Debug, Clone, PartialEq, Eq)]
enum NoFile {
    /// Anonymous, and the server keeps progress by key only (or has no data directory).
    Anonymous,
    /// Kept by name, but this name cannot name a file.
    OddName,
}

/// The file this connection's progress goes to, inside `dir` (the server's progress folder).
fn progress_file(dir: &Path, info: &Connection, keep: KeepProgress) -> Result<PathBuf, NoFile> {
    match (&info.key_fingerprint, keep) {
        (Some(fp), _) => Ok(dir.join(format!("{}.toml", file_stem(fp)))),
        (None, KeepProgress::ByKey) => Err(NoFile::Anonymous),
        (None, KeepProgress::ByKeyOrName) => name_stem(&info.user)
            .map(|stem| dir.join(progress::NAMES_DIR).join(format!("{stem}.toml")))
            .ok_or(NoFile::OddName),
    }
}

/// The learner's notice when their user name cannot keep progress.
fn odd_name_notice(lang: Lang) -> String {
    match lang {
        Lang::Zh => {
            "你的 SSH 用户名不能用来保存进度（为空、太长或含控制字符），进度只保留到本次会话结束；\
                     下次请用简单的名字登录：ssh 名字@主机"
                .into()
        }
        Lang::En => "your SSH user name cannot keep progress (empty, too long or with control \
                     characters), so it lasts this session only; next time log in with a plain \
                     name: ssh NAME@host"
            .into(),
    }
}

/// The banner's line about where progress goes, so a teacher knows before class what is
/// kept, where `gradstep class report` finds it, and that names prove nothing.
pub fn describe_progress(anonymous: bool, keep: KeepProgress) -> String {
    let dir = progress::server_dir()
        .map(|d| d.display().to_string())
        .unwrap_or_else(|| "nowhere (no data directory)".into());
    match (anonymous, keep) {
        (false, KeepProgress::ByKey) => format!("progress: per key, in {dir}"),
        (false, KeepProgress::ByKeyOrName) => format!(
            "progress: per key, in {dir} (--progress-by-name has no effect: every login uses a key)"
        ),
        (true, KeepProgress::ByKey) => "progress: anonymous sessions keep none after they end \
             (--progress-by-name keeps it per SSH user name)"
            .into(),
        (true, KeepProgress::ByKeyOrName) => format!(
            "progress: per SSH user name, in {}; names are NOT authenticated: anyone can log in \
             as any name and see or continue that name's progress",
            Path::new(&dir).join(progress::NAMES_DIR).display()
        ),
    }
}

/// Makes a fresh tutor for each learner, from lessons loaded once at server start, and the
/// console for a teacher; one class hub joins them all.
pub fn factory(lessons: Loaded, lang: Lang, keep: KeepProgress) -> AppFactory {
    let (lessons, problems) = lessons.into_shared();
    let class = Class::new();
    Arc::new(move |info: &Connection| {
        // The client's terminal, not the server's: TERM from its pty request, LANG/LC_ALL and
        // NO_COLOR from its env requests (the server's --lang/locale when it sent none).
        let term = &info.terminal;
        let lang = term.locale_lang().unwrap_or(lang);
        if info.teacher {
            let console = Console::new(ConsoleOptions {
                lang,
                color: local::color_wanted(term.no_color.as_deref()),
                class: class.clone(),
                lessons: lessons.clone(),
            });
            return Box::new(Teacher { console }) as Box<dyn RemoteApp>;
        }
        let file = progress::server_dir()
            .ok_or(NoFile::Anonymous)
            .and_then(|dir| progress_file(&dir, info, keep));
        let kept = file.is_ok();
        let (mut progress, notice) = match file {
            Ok(path) => Progress::load_for_learner(&path),
            Err(NoFile::OddName) => (Progress::in_memory(), Some(odd_name_notice(lang))),
            Err(NoFile::Anonymous) => (Progress::in_memory(), None),
        };
        progress.set_learner(&info.user, info.key_fingerprint.as_deref());
        let app = App::new(AppOptions {
            lang,
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
        let seat = class.join(&info.user, info.key_fingerprint.as_deref());
        Box::new(Remote {
            app,
            kept,
            seat,
            broadcast: None,
            active: false,
        }) as Box<dyn RemoteApp>
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

    fn anonymous(user: &str) -> Connection {
        Connection {
            peer: "127.0.0.1:1".parse().unwrap(),
            user: user.into(),
            key_fingerprint: None,
            terminal: Default::default(),
            teacher: false,
        }
    }

    #[test]
    fn names_become_files_of_their_own_beside_no_key() {
        let dir = Path::new("/srv/p");
        let by_name = |user: &str| progress_file(dir, &anonymous(user), KeepProgress::ByKeyOrName);
        assert_eq!(by_name("alice"), Ok(dir.join("names/alice.toml")));
        // Two names never share a file; nothing climbs out or hides.
        assert_eq!(by_name("a.b"), Ok(dir.join("names/a%2Eb.toml")));
        assert_ne!(by_name("a.b"), by_name("a_b"));
        assert_ne!(by_name("a%2Eb"), by_name("a.b"));
        assert_eq!(by_name(".."), Ok(dir.join("names/%2E%2E.toml")));
        assert_eq!(by_name("../x"), Ok(dir.join("names/%2E%2E%2Fx.toml")));
        assert_eq!(
            by_name("李雷"),
            Ok(dir.join("names/%E6%9D%8E%E9%9B%B7.toml"))
        );
        // A key's file is never in names/, whatever the user name says.
        let mut keyed = anonymous("SHA256_abc");
        keyed.key_fingerprint = Some("SHA256:abc".into());
        assert_eq!(
            progress_file(dir, &keyed, KeepProgress::ByKeyOrName),
            Ok(dir.join("SHA256_abc.toml"))
        );
        assert_eq!(
            progress_file(dir, &anonymous("alice"), KeepProgress::ByKey),
            Err(NoFile::Anonymous)
        );
    }

    #[test]
    fn odd_names_keep_no_file_and_say_why() {
        for odd in ["", "   ", "a\u{1b}[2J", &"x".repeat(201), &"名".repeat(30)] {
            assert_eq!(name_stem(odd), None, "{odd:?}");
        }
        assert!(name_stem(&"x".repeat(200)).is_some());
        let f = factory(
            crate::lesson::load_embedded(),
            Lang::En,
            KeepProgress::ByKeyOrName,
        );
        let mut app = f(&anonymous(""));
        let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
        term.draw(|frame| {
            app.draw(frame, &[]);
        })
        .unwrap();
        let screen = format!("{:?}", term.backend().buffer());
        assert!(screen.contains("cannot keep progress"), "{screen}");
        app.flush();
        assert_eq!(
            app.shutdown_notice(),
            "gradstep: the server is shutting down."
        );
    }

    #[test]
    fn each_session_gets_its_own_app() {
        let f = factory(
            crate::lesson::load_embedded(),
            Lang::En,
            KeepProgress::ByKey,
        );
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
        let f = factory(
            crate::lesson::load_embedded(),
            Lang::En,
            KeepProgress::ByKey,
        );
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
