//! The painter that skips the chart's unchanged cells shows what a painter comparing every
//! cell shows, frame after frame: stepping, undoing, zooming, restarting, changing optimizer
//! and language, opening the help over the chart, and resizing. Both painters' bytes go
//! through a terminal emulator (vt100), whose screens, colours included, must agree.

#[path = "support/wire.rs"]
mod wire;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use gradstep::chart::Glyphs;
use gradstep::lesson::{self, Lang};
use gradstep::progress::Progress;
use gradstep::stage::SandboxSpec;
use gradstep::tui::painter::{Painted, Painter};
use gradstep::tui::painter::{PaintedBackend, paint_frame};
use gradstep::tui::{Action, App, AppOptions, Open, draw_frame, draw_painting};
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use wire::Wire;

fn app(glyphs: Glyphs, open: Open) -> App {
    app_in(Lang::En, glyphs, open)
}

fn app_in(lang: Lang, glyphs: Glyphs, open: Open) -> App {
    App::new(AppOptions {
        lang,
        glyphs,
        color: true,
        lessons: lesson::load_embedded().lessons.into(),
        problems: Vec::new(),
        progress: Progress::in_memory(),
        notice: None,
        open,
    })
}

/// A painter, the bytes it leaves, and the emulated screen they are played into.
struct Screen {
    painted: Painted,
    painter: Painter,
    vt: vt100::Parser,
}

impl Screen {
    fn new(w: u16, h: u16) -> Screen {
        let painted = Painted::new();
        let painter = painted.painter();
        Screen {
            painted,
            painter,
            vt: vt100::Parser::new(nz(h), nz(w), 0),
        }
    }

    /// What a terminal's resize does: a new size, a cleared screen, a painter told so.
    fn resize(&mut self, w: u16, h: u16) {
        self.vt.screen_mut().set_size(nz(h), nz(w));
        self.vt.process(b"\x1b[H\x1b[2J");
        self.painted.note_cleared();
    }

    fn play(&mut self) {
        let mut bytes = Vec::new();
        self.painted.write_to(&mut bytes).unwrap();
        self.vt.process(&bytes);
    }
}

/// The screen's cells with their colours and attributes, without the cursor (the reference
/// painter never shows or moves it).
fn cells(screen: &vt100::Screen) -> Vec<vt100::Cell> {
    let (h, w) = (screen.size().0.get(), screen.size().1.get());
    (0..h)
        .flat_map(|y| (0..w).map(move |x| (y, x)))
        .map(|(y, x)| screen.cell(y, x).unwrap().clone())
        .collect()
}

fn differing(a: &vt100::Screen, b: &vt100::Screen) -> String {
    let w = a.size().1.get();
    let h = a.size().0.get();
    for y in 0..h {
        for x in 0..w {
            let (p, q) = (a.cell(y, x), b.cell(y, x));
            if p != q {
                return format!("first cell that differs: row {y} column {x}: {p:?} vs {q:?}\n");
            }
        }
    }
    a.rows(0, w)
        .zip(b.rows(0, w))
        .enumerate()
        .filter(|(_, (x, y))| x != y)
        .map(|(i, (x, y))| format!("{i:2} {x}\n   {y}\n"))
        .collect()
}

fn nz(n: u16) -> std::num::NonZero<u16> {
    std::num::NonZero::new(n).unwrap()
}

fn key(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

#[derive(Clone, Copy, Debug)]
enum Do {
    Press(char),
    Code(KeyCode),
    Size(u16, u16),
}

fn script() -> Vec<Do> {
    use Do::*;
    let mut s = Vec::new();
    s.extend((0..12).map(|_| Press('n')));
    s.extend([Press('b'), Press('b'), Press('n')]);
    s.extend([Press('z'), Press('n'), Press('n'), Press('Z'), Press('n')]);
    s.extend([Press('?'), Press('n'), Press('?'), Press('n')]);
    s.extend([Press('+'), Press('n'), Press('o'), Press('n'), Press('n')]);
    s.extend([Press('L'), Press('n'), Press('n'), Press('L')]);
    s.extend([
        Size(100, 30),
        Press('n'),
        Press('n'),
        Size(160, 48),
        Press('n'),
    ]);
    s.extend([Press('r'), Press('n'), Press('n'), Press('n')]);
    s.extend((0..40).map(|_| Press('n')));
    s
}

/// A lesson walked page by page: steps, a wrong answer typed and entered, the answer line
/// left, the page text scrolled, at 80×24 where it overflows.
fn lesson_script() -> Vec<Do> {
    lesson_script_of(6)
}

/// [`lesson_script`] over `pages` page turns.
fn lesson_script_of(pages: usize) -> Vec<Do> {
    use Do::*;
    let mut s = vec![Size(80, 24)];
    for _ in 0..pages {
        s.extend([Press('n'), Press('n'), Code(KeyCode::Enter)]);
        s.extend("1.5".chars().map(Press));
        s.extend([Code(KeyCode::Enter), Code(KeyCode::Esc), Press('n')]);
        s.extend([Code(KeyCode::Down), Code(KeyCode::Up), Code(KeyCode::Right)]);
    }
    s.extend([Size(160, 48), Code(KeyCode::Left), Press('n'), Press('b')]);
    s
}

fn run(glyphs: Glyphs) {
    walk(
        glyphs,
        Open::Sandbox(SandboxSpec::default()),
        script(),
        true,
    );
}

/// Plays `script` on an app, drawing each frame two ways: ratatui's `Terminal::draw` on a
/// blank buffer with a painter comparing every cell (the reference), and `paint_frame`, which
/// keeps its buffer and skips what did not change. Both screens, colours included, must agree.
fn walk(glyphs: Glyphs, open: Open, script: Vec<Do>, sandbox: bool) {
    walk_keeping(Lang::En, glyphs, open, script, sandbox, true);
}

/// [`walk`], with `paint_frame` keeping areas between frames (the local tutor) or not (the
/// SSH server).
fn walk_keeping(
    lang: Lang,
    glyphs: Glyphs,
    open: Open,
    script: Vec<Do>,
    sandbox: bool,
    keep: bool,
) {
    let (mut w, mut h) = (160, 48);
    let mut a = app_in(lang, glyphs, open);
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut full = Screen::new(w, h);
    let wire = Wire::default();
    let (backend, mut painter) = PaintedBackend::new(wire.clone());
    painter.keep_areas(keep);
    let options = TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, w, h)),
    };
    let mut kept = Terminal::with_options(backend, options).unwrap();
    let mut vt = vt100::Parser::new(nz(h), nz(w), 0);
    let mut retained_frames = 0;
    let mut fewest = usize::MAX;
    for (k, step) in std::iter::once(Do::Press('\0')).chain(script).enumerate() {
        match step {
            Do::Press('\0') => {}
            Do::Press(c) => {
                a.update(key(c));
            }
            Do::Code(code) => {
                a.update(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
            }
            Do::Size(nw, nh) => {
                (w, h) = (nw, nh);
                term.backend_mut().resize(w, h);
                a.update(Action::Resize(w, h));
                full.resize(w, h);
                vt.screen_mut().set_size(nz(h), nz(w));
                kept.resize(Rect::new(0, 0, w, h)).unwrap();
            }
        }
        term.draw(|f| {
            draw_frame(&mut a, f);
            full.painter.paint(f.buffer_mut()).unwrap();
        })
        .unwrap();
        full.play();
        paint_frame(&mut kept, &mut painter, |f, kept| {
            let painting = draw_painting(&mut a, f, kept);
            retained_frames += usize::from(painting.retained.iter().any(|r| !r.cells.is_empty()));
            painting
        })
        .unwrap();
        vt.process(&wire.take());
        fewest = fewest.min(painter.compared());
        assert!(
            cells(vt.screen()) == cells(full.vt.screen()),
            "frame {k} after {step:?}: rows that differ (kept, reference):\n{}",
            differing(vt.screen(), full.vt.screen())
        );
        assert_eq!(
            full.painter.compared(),
            usize::from(w) * usize::from(h),
            "the plain painter compares every cell"
        );
    }
    if !sandbox {
        return;
    }
    assert!(
        retained_frames > 40,
        "most frames were drawn over a cached base ({retained_frames})"
    );
    assert!(
        fewest * 2 < 160 * 48,
        "a step frame compares under half the screen's cells ({fewest} of {})",
        160 * 48
    );
}

#[test]
fn skipping_the_charts_unchanged_cells_shows_the_same_screen_unicode() {
    run(Glyphs::Unicode);
}

#[test]
fn skipping_the_charts_unchanged_cells_shows_the_same_screen_ascii() {
    run(Glyphs::Ascii);
}

/// The local tutor's way of drawing (one buffer, the painter's bytes, the cursor set by the
/// frame) puts on the screen what ratatui's own `Terminal::draw` puts in its buffer, with the
/// cursor in the formula being typed, and hidden again when the formula is entered.
#[test]
fn painting_a_frame_shows_what_ratatuis_draw_shows_cursor_included() {
    let (w, h) = (100, 30);
    let mut a = app(Glyphs::Unicode, Open::Sandbox(SandboxSpec::default()));
    let wire = Wire::default();
    let (backend, mut painter) = PaintedBackend::new(wire.clone());
    let options = TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, w, h)),
    };
    let mut term = Terminal::with_options(backend, options).unwrap();
    let mut plain = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut vt = vt100::Parser::new(nz(h), nz(w), 0);
    let mut keys: Vec<Action> = vec![key('n'), key('n'), key('f')];
    keys.extend("x^2 + 2*y^2".chars().map(key));
    keys.push(Action::Key(KeyEvent::new(
        KeyCode::Left,
        KeyModifiers::NONE,
    )));
    keys.push(Action::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    )));
    keys.extend([key('n'), key('n')]);
    let mut saw_cursor = false;
    for (k, action) in std::iter::once(None)
        .chain(keys.into_iter().map(Some))
        .enumerate()
    {
        if let Some(action) = action {
            a.update(action);
        }
        paint_frame(&mut term, &mut painter, |f, kept| {
            draw_painting(&mut a, f, kept)
        })
        .unwrap();
        vt.process(&wire.take());
        plain.draw(|f| draw_frame(&mut a, f)).unwrap();
        let expected: Vec<String> = plain
            .backend()
            .buffer()
            .content
            .chunks(usize::from(w))
            .map(|row| {
                let mut line = String::new();
                let mut skip = 0;
                for cell in row {
                    if skip > 0 {
                        skip -= 1;
                        continue;
                    }
                    line.push_str(cell.symbol());
                    skip = unicode_width::UnicodeWidthStr::width(cell.symbol()).saturating_sub(1);
                }
                line.trim_end().to_string()
            })
            .collect();
        let shown: Vec<String> = vt
            .screen()
            .rows(0, w)
            .map(|r| r.trim_end().to_string())
            .collect();
        assert_eq!(shown, expected, "frame {k}");
        let screen = vt.screen();
        let visible = plain.backend().cursor_visible();
        if visible {
            saw_cursor = true;
            let at = plain.backend().cursor_position();
            assert_eq!(
                screen.cursor_position(),
                (at.y, at.x),
                "frame {k}: the cursor where the formula is typed"
            );
        }
        assert_eq!(!screen.hide_cursor(), visible, "frame {k}: cursor shown");
    }
    assert!(saw_cursor, "the formula's cursor was shown");
}

#[test]
fn skipping_unchanged_areas_shows_the_same_screen_in_lessons() {
    for id in [
        "partial-derivatives",
        "slp-logistic",
        "taylor",
        "learning-rate",
    ] {
        for glyphs in [Glyphs::Unicode, Glyphs::Ascii] {
            walk(glyphs, Open::Lesson(id.into()), lesson_script(), false);
        }
    }
}

/// The load client's case: the sandbox at 80×24, stepped past its convergence, reset; with
/// areas kept between frames and without (as the SSH server draws).
#[test]
fn skipping_unchanged_areas_shows_the_same_screen_at_80x24() {
    let mut s = vec![Do::Size(80, 24)];
    for k in 0..150 {
        s.push(if k % 100 == 99 {
            Do::Press('r')
        } else {
            Do::Press('n')
        });
    }
    for keep in [true, false] {
        let open = Open::Sandbox(SandboxSpec::default());
        walk_keeping(Lang::En, Glyphs::Unicode, open, s.clone(), false, keep);
    }
}

/// Every page of every lesson, in Chinese and in English, at 80×24 (then 160×48), each page
/// stepped and answered wrong: both ways of drawing show the same screen.
#[test]
fn every_lesson_page_in_both_languages_shows_the_same_screen() {
    for lesson in lesson::load_embedded().lessons {
        for lang in [Lang::Zh, Lang::En] {
            let script = lesson_script_of(lesson.pages.len() + 1);
            walk_keeping(
                lang,
                Glyphs::Unicode,
                Open::Lesson(lesson.id.clone()),
                script,
                false,
                true,
            );
        }
    }
}
