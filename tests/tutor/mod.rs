//! What the tests of the tutor core share: an app opened somewhere, keys pressed into it, and
//! the screen read back as text. Each test binary uses its own part of it.
#![allow(dead_code)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use gradstep::chart::Glyphs;
use gradstep::lesson::{self, Lang};
use gradstep::progress::Progress;
use gradstep::tui::{Action, App, AppOptions, Open, draw_frame};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The tutor on `open`, in ASCII without colour, with the embedded lessons and no saved
/// progress, so a test sees what every learner sees on first start.
pub fn app(open: Open, lang: Lang) -> App {
    App::new(AppOptions {
        lang,
        glyphs: Glyphs::Ascii,
        color: false,
        lessons: lesson::load_embedded().lessons.into(),
        problems: Vec::new(),
        progress: Progress::in_memory(),
        notice: None,
        open,
    })
}

/// The tutor on lesson `id`, parsed from `src` (a lesson written in the test, reading no data
/// files), otherwise as [`app`].
pub fn lesson_app(src: &str, id: &str, lang: Lang) -> App {
    let lesson = lesson::parse_lesson(src, &format!("{id}.toml"), &|_: &str| {
        Err(gradstep::math::DataError::Unreadable("none".into()))
    })
    .unwrap_or_else(|e| panic!("{id}: {e:?}"));
    App::new(AppOptions {
        lang,
        glyphs: Glyphs::Ascii,
        color: false,
        lessons: vec![lesson].into(),
        problems: Vec::new(),
        progress: Progress::in_memory(),
        notice: None,
        open: Open::Lesson(id.into()),
    })
}

pub fn code(app: &mut App, c: KeyCode) {
    app.update(Action::Key(KeyEvent::new(c, KeyModifiers::NONE)));
}

pub fn key(app: &mut App, c: char) {
    code(app, KeyCode::Char(c));
}

/// Open the page's question, type `text` and press Enter, as a learner answers.
pub fn answer(app: &mut App, text: &str) {
    code(app, KeyCode::Enter);
    for c in text.chars() {
        key(app, c);
    }
    code(app, KeyCode::Enter);
}

/// The value of the Numbers panel's row labelled `label`, on a screen drawn without colour.
pub fn row(s: &str, label: &str) -> Option<String> {
    s.lines().find_map(|line| {
        let at = line.find(&format!("|{label} "))?;
        let rest = &line[at + 1 + label.len()..];
        let end = rest.find('|').unwrap_or(rest.len());
        Some(rest[..end].trim().to_string())
    })
}

/// One frame drawn at `w × h`, as text; a wide character (中) fills two cells, of which the
/// second prints nothing.
pub fn screen(app: &mut App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| draw_frame(app, f)).unwrap();
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| {
            let mut line = String::new();
            let mut skip = 0;
            for x in 0..w {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let sym = buf[(x, y)].symbol();
                skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
                line.push_str(sym);
            }
            line.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}
