//! The painter that skips the chart's unchanged cells shows what a painter comparing every
//! cell shows, frame after frame: stepping, undoing, zooming, restarting, changing optimizer
//! and language, opening the help over the chart, and resizing. Both painters' bytes go
//! through a terminal emulator (vt100), whose screens, colours included, must agree.

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
use std::io::{self, Write};
use std::sync::{Arc, Mutex};

fn app(glyphs: Glyphs, open: Open) -> App {
    App::new(AppOptions {
        lang: Lang::En,
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

fn nz(n: u16) -> std::num::NonZero<u16> {
    std::num::NonZero::new(n).unwrap()
}

fn key(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

#[derive(Clone, Copy, Debug)]
enum Do {
    Press(char),
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

fn run(glyphs: Glyphs) {
    let (mut w, mut h) = (160, 48);
    let mut a = app(glyphs, Open::Sandbox(SandboxSpec::default()));
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut full = Screen::new(w, h);
    let mut skipping = Screen::new(w, h);
    let mut retained_frames = 0;
    let mut fewest = usize::MAX;
    let script = script();
    for (k, step) in std::iter::once(Do::Press('\0')).chain(script).enumerate() {
        match step {
            Do::Press('\0') => {}
            Do::Press(c) => {
                a.update(key(c));
            }
            Do::Size(nw, nh) => {
                (w, h) = (nw, nh);
                term.backend_mut().resize(w, h);
                a.update(Action::Resize(w, h));
                full.resize(w, h);
                skipping.resize(w, h);
            }
        }
        term.draw(|f| {
            let retained = draw_painting(&mut a, f).retained;
            retained_frames += usize::from(retained.is_some());
            full.painter.paint(f.buffer_mut()).unwrap();
            skipping
                .painter
                .paint_retained(f.buffer_mut(), retained)
                .unwrap();
        })
        .unwrap();
        full.play();
        skipping.play();
        fewest = fewest.min(skipping.painter.compared());
        assert_eq!(
            skipping.vt.screen().contents_formatted(),
            full.vt.screen().contents_formatted(),
            "frame {k} after {step:?}:\n{}",
            skipping.vt.screen().contents()
        );
        assert_eq!(
            full.painter.compared(),
            usize::from(w) * usize::from(h),
            "the plain painter compares every cell"
        );
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

#[derive(Clone, Default)]
struct Wire(Arc<Mutex<Vec<u8>>>);

impl Write for Wire {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
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
        paint_frame(&mut term, &mut painter, |f| draw_painting(&mut a, f)).unwrap();
        vt.process(&std::mem::take(&mut *wire.0.lock().unwrap()));
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
